//! The `closte` PHP extension: Closte's client API for WordPress networks.
//! This crate only converts between PHP and `closte-core`; the table below is what PHP sees.

#![cfg_attr(windows, feature(abi_vectorcall))]

mod batch;
mod config;
mod convert;
mod dns;
mod domains;
mod exceptions;
mod info;
mod options;
mod runtime;
mod ssl;

use ext_php_rs::prelude::*;

use config::startup;

#[php_module]
#[php(startup = startup)]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    // Module startup registers the INI settings and the exceptions: Closte\Exception
    // extends \RuntimeException, with one subclass per kind (ConfigException,
    // InvalidDomainException, ApiException, TransportException).
    let module = module.info_function(info::module_info);
    // Closte\add_domain, remove_domain, list_domains, test_connection.
    let module = domains::register(module);
    // Closte\add_domains, remove_domains, sync_domains: the batch calls.
    let module = batch::register(module);
    // Closte\check_ssl, check_ssl_many.
    let module = ssl::register(module);
    // Closte\check_dns, check_dns_many.
    dns::register(module)
}
