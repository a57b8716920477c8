//! `Closte\check_ssl`: whether a domain serves a valid certificate, and why not.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

use closte_core::batch::{self, Target};
use closte_core::settings::SSL_CONCURRENCY;
use closte_core::tls_check::{self, Reason, SslCheck, SslReport};
use closte_core::{DomainName, quoted};

use crate::config;
use crate::convert::{DomainArg, ListArg, Record, duration_ms, keyed_results, split};
use crate::exceptions::{describe, to_php};
use crate::options::{self, Caller, Opt, Options};
use crate::runtime;

const SSL_OPTIONS: &[&str] = &["port", "connect_to", "timeout", "ca_file", "min_days"];
const SSL_MANY_OPTIONS: &[&str] = &["port", "connect_to", "timeout", "ca_file", "min_days", "concurrency"];

/// The check's settings from INI and `$options`; with `many`, the concurrency and the
/// per-name targets.
fn ssl_settings(options: &Options, caller: &Caller, many: bool) -> PhpResult<(SslCheck, usize, Targets)> {
    let mut opts = SslCheck::from_ini(&config::ini_values()).map_err(|e| to_php(e, None))?;
    let mut concurrency = None;
    let mut targets = Targets::new();
    for opt in options.entries(caller, if many { SSL_MANY_OPTIONS } else { SSL_OPTIONS })? {
        match opt.name.as_str() {
            "port" => {
                let port = opt.int()?;
                opts.port = u16::try_from(port)
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| opt.invalid(format!("must be between 1 and 65535, got {port}")))?;
            }
            "connect_to" if many && opt.array().is_some() => targets = connect_map(&opt)?,
            "connect_to" => {
                let host = opt.string()?;
                opts.connect_to = Some(Target::host(&host).ok_or_else(|| {
                    opt.invalid(format!("must be a host name or IP address, got \"{}\"", quoted(&host)))
                })?);
            }
            "timeout" => opts.timeout = opt.seconds()?,
            "ca_file" => opts.ca_file = opt.path()?,
            "min_days" => {
                let days = opt.int()?;
                if !(0..=3650).contains(&days) {
                    return Err(opt.invalid(format!("must be between 0 and 3650, got {days}")));
                }
                opts.min_days = Some(days);
            }
            "concurrency" => concurrency = Some(opt.count(1..=SSL_CONCURRENCY.max)?),
            _ => {}
        }
    }
    let concurrency = match (many, concurrency) {
        (_, Some(n)) => n,
        (true, None) => options::concurrency(None, SSL_CONCURRENCY)?,
        (false, None) => 1,
    };
    Ok((opts, concurrency, targets))
}

type Targets = HashMap<String, Target>;

/// `connect_to` as `['shop.example.com' => 'host', 'www.example.com' => 'host:port', …]`:
/// where to connect for each name (names not listed use their own address).
fn connect_map(opt: &Opt) -> PhpResult<Targets> {
    let mut targets = Targets::new();
    for (k, v) in opt.array().into_iter().flat_map(|ht| ht.iter()) {
        let name = k.to_string();
        let domain =
            DomainName::parse(&name).map_err(|e| opt.invalid(format!("has a key that is not a domain name: {e}")))?;
        let Some(target) = v.dereference().str() else {
            return Err(opt.invalid(format!("must map \"{}\" to a string \"host\" or \"host:port\"", domain.to_wire())));
        };
        let parsed = Target::parse(target).ok_or_else(|| {
            opt.invalid(format!(
                "must map \"{}\" to \"host\" or \"host:port\", got \"{}\"",
                domain.to_wire(),
                quoted(target)
            ))
        })?;
        targets.insert(domain.to_wire(), parsed);
    }
    Ok(targets)
}

/// A `check_ssl` result array; `elapsed` is the time the result took.
pub fn report_array(report: SslReport, elapsed: Duration) -> PhpResult<ZBox<ZendHashTable>> {
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
        .set("elapsed_ms", duration_ms(elapsed))?
        .into_array())
}

/// Checks the certificate `$domain` serves: chain, dates and host name, through a real
/// TLS handshake. Server problems are reported in the result, not thrown.
#[php_function]
#[php(name = "Closte\\check_ssl", defaults(options = Options::default()))]
pub fn check_ssl(domain: DomainArg, options: Options) -> PhpResult<ZBox<ZendHashTable>> {
    let start = Instant::now();
    let name = domain.parse("Closte\\check_ssl")?;
    let (opts, _, _) = ssl_settings(&options, &Caller { function: "Closte\\check_ssl", position: 2 }, false)?;
    let report = runtime::block_on(tls_check::check(&name, &opts)).map_err(|e| to_php(e, None))?;
    report_array(report, start.elapsed())
}

/// `check_ssl` for every name of `$domains`, many handshakes at a time; results in input
/// order (keys kept). A name that is not a valid host gets `reason` `invalid_domain`.
#[php_function]
#[php(name = "Closte\\check_ssl_many", defaults(options = Options::default()))]
pub fn check_ssl_many(domains: ListArg, options: Options) -> PhpResult<ZBox<ZendHashTable>> {
    const FUNCTION: &str = "Closte\\check_ssl_many";
    let items = domains.items(FUNCTION, "domains")?;
    let (opts, concurrency, targets) = ssl_settings(&options, &Caller { function: FUNCTION, position: 2 }, true)?;
    if items.is_empty() {
        return Ok(ZendHashTable::new());
    }
    let (keys, given, parsed) = split(items);
    let results =
        runtime::block_on(batch::check_many(parsed, &opts, &targets, concurrency)).map_err(|e| to_php(e, None))?;
    keyed_results(keys, given, results, report_array, |domain, e, elapsed| {
        let error = Some(describe(e, None).message);
        report_array(SslReport { domain, reason: Some(Reason::InvalidDomain), error, ..SslReport::default() }, elapsed)
    })
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.function(wrap_function!(check_ssl)).function(wrap_function!(check_ssl_many))
}
