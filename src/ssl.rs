//! `Closte\check_ssl`: whether a domain serves a valid certificate, and why not.

use std::time::Instant;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

use closte_core::tls_check::{self, SslCheck};

use crate::config;
use crate::convert::{DomainArg, Record, elapsed_ms};
use crate::exceptions::to_php;
use crate::options::{Caller, Options};
use crate::runtime;

const SSL_OPTIONS: &[&str] = &["port", "connect_to", "timeout", "ca_file", "min_days"];

/// Checks the certificate `$domain` serves: chain, dates and host name, through a real
/// TLS handshake. Server problems are reported in the result, not thrown.
#[php_function]
#[php(name = "Closte\\check_ssl", defaults(options = Options::default()))]
pub fn check_ssl(domain: DomainArg, options: Options) -> PhpResult<ZBox<ZendHashTable>> {
    let start = Instant::now();
    let name = domain.parse("Closte\\check_ssl")?;
    let mut opts = SslCheck {
        timeout: config::ini_seconds("closte.ssl_timeout").map_err(|e| to_php(e, None))?,
        ca_file: config::ca_file(),
        ..SslCheck::default()
    };
    let caller = Caller { function: "Closte\\check_ssl", position: 2 };
    for opt in options.entries(&caller, SSL_OPTIONS)? {
        match opt.name.as_str() {
            "port" => {
                let port = opt.int()?;
                opts.port = u16::try_from(port)
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| opt.invalid(format!("must be between 1 and 65535, got {port}")))?;
            }
            "connect_to" => {
                let host = opt.string()?;
                if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '/') {
                    return Err(opt.invalid(format!("must be a host name or IP address, got \"{host}\"")));
                }
                opts.connect_to = Some(host);
            }
            "timeout" => opts.timeout = opt.seconds()?,
            "ca_file" => opts.ca_file = opt.path()?,
            "min_days" => {
                let days = opt.int()?;
                if !(0..=3650).contains(&days) {
                    return Err(opt.invalid(format!("must be between 0 and 3650, got {days}")));
                }
                opts.min_days = days;
            }
            _ => {}
        }
    }
    let report = runtime::block_on(tls_check::check(&name, &opts)).and_then(|r| r).map_err(|e| to_php(e, None))?;
    Ok(Record::new()
        .set("domain", report.domain.as_str())?
        .set("valid", report.valid())?
        .set("reason", report.reason.map(|r| r.as_str()))?
        .set("error", report.error)?
        .set("subject", report.subject)?
        .set("issuer", report.issuer)?
        .set("san", report.san)?
        .set("not_before", report.not_before)?
        .set("not_after", report.not_after)?
        .set("days_remaining", report.days_remaining)?
        .set("expiring_soon", report.expiring_soon)?
        .set("protocol", report.protocol)?
        .set("peer", report.peer)?
        .set("elapsed_ms", elapsed_ms(start))?
        .into_array())
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.function(wrap_function!(check_ssl))
}
