//! `Closte\check_ssl`: whether a domain serves a valid certificate, and why not.

use std::time::Instant;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use closte_core::DomainName;
use closte_core::tls_check::{self, SslCheck};

use crate::config;
use crate::convert::{Record, elapsed_ms};
use crate::exceptions::{to_php, value_error};
use crate::options::{Caller, Options};
use crate::runtime;

const SSL_OPTIONS: &[&str] = &["port", "connect_to", "timeout", "ca_file", "min_days"];

fn null_or<T: ext_php_rs::convert::IntoZval>(v: Option<T>) -> PhpResult<Zval> {
    Ok(match v {
        Some(v) => v.into_zval(false)?,
        None => {
            let mut z = Zval::new();
            z.set_null();
            z
        }
    })
}

/// Checks the certificate `$domain` serves: chain, dates and host name, through a real
/// TLS handshake. Server problems are reported in the result, not thrown.
#[php_function]
#[php(name = "Closte\\check_ssl", defaults(options = Options::default()))]
pub fn check_ssl(domain: &str, options: Options) -> PhpResult<ZBox<ZendHashTable>> {
    let start = Instant::now();
    let name = DomainName::parse(domain).map_err(|e| to_php(e, None))?;
    let ca = config::ini("closte.ca_file");
    let mut opts = SslCheck {
        timeout: config::ini_seconds("closte.ssl_timeout").map_err(|e| to_php(e, None))?,
        ca_file: (!ca.is_empty()).then(|| ca.into()),
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
                    .ok_or_else(|| value_error(format!("Closte\\check_ssl(): Argument #2 ($options): option port must be between 1 and 65535, got {port}")))?;
            }
            "connect_to" => {
                let host = opt.string()?;
                if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '/') {
                    return Err(value_error(format!(
                        "Closte\\check_ssl(): Argument #2 ($options): option connect_to must be a host name or IP address, got \"{host}\""
                    )));
                }
                opts.connect_to = Some(host);
            }
            "timeout" => opts.timeout = opt.seconds()?,
            "ca_file" => opts.ca_file = Some(opt.string()?).filter(|p| !p.is_empty()).map(Into::into),
            "min_days" => {
                let days = opt.int()?;
                if !(0..=3650).contains(&days) {
                    return Err(value_error(format!(
                        "Closte\\check_ssl(): Argument #2 ($options): option min_days must be between 0 and 3650, got {days}"
                    )));
                }
                opts.min_days = days;
            }
            _ => {}
        }
    }
    let report = runtime::block_on(tls_check::check(&name, &opts)).and_then(|r| r).map_err(|e| to_php(e, None))?;
    let mut san = ZendHashTable::new();
    for s in &report.san {
        san.push(s.as_str())?;
    }
    Ok(Record::new()
        .set("domain", report.domain.as_str())?
        .set("valid", report.valid())?
        .set("reason", null_or(report.reason.map(|r| r.as_str()))?)?
        .set("error", null_or(report.error.clone())?)?
        .set("subject", null_or(report.subject.clone())?)?
        .set("issuer", null_or(report.issuer.clone())?)?
        .set("san", san)?
        .set("not_before", null_or(report.not_before)?)?
        .set("not_after", null_or(report.not_after)?)?
        .set("days_remaining", null_or(report.days_remaining)?)?
        .set("expiring_soon", report.expiring_soon)?
        .set("protocol", null_or(report.protocol.clone())?)?
        .set("peer", null_or(report.peer.clone())?)?
        .set("elapsed_ms", elapsed_ms(start))?
        .into_array())
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.function(wrap_function!(check_ssl))
}
