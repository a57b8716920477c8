//! `Closte\check_dns` and `check_dns_many`: does a domain point at Closte, and if not, where.

use std::time::{Duration, Instant};

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

use closte_core::batch;
use closte_core::caa::{self, CaaSet};
use closte_core::dns_check::{self, DnsCheck, DnsReport, Expected, Reason};
use closte_core::settings::DNS_CONCURRENCY;
use closte_core::{Error, quoted};

use crate::config;
use crate::convert::{DomainArg, ListArg, Record, duration_ms, keyed_results, split};
use crate::exceptions::{describe, to_php};
use crate::options::{self, Caller, Options};
use crate::runtime;

pub const PUBLIC_IP_CONSTANT: &str = "CLOSTE_PUBLIC_IP_ADDRESS";
const DNS_OPTIONS: &[&str] = &["nameservers", "expect", "timeout", "caa_issuer"];
const DNS_MANY_OPTIONS: &[&str] = &["nameservers", "expect", "timeout", "caa_issuer", "concurrency"];

/// `CLOSTE_PUBLIC_IP_ADDRESS` (Closte defines it in wp-config.php), when defined and not empty.
fn default_expectation() -> closte_core::Result<Vec<Expected>> {
    let Some(value) = config::constant_string(PUBLIC_IP_CONSTANT) else { return Ok(Vec::new()) };
    let value = value.map_err(|_| Error::config(format!("{PUBLIC_IP_CONSTANT} must be a string")))?;
    match value.trim() {
        "" => Ok(Vec::new()),
        v => match Expected::parse(v) {
            Ok(Expected::Ip(ip)) => Ok(vec![Expected::Ip(ip)]),
            _ => Err(Error::config(format!("{PUBLIC_IP_CONSTANT} must be an IP address, got \"{}\"", quoted(v)))),
        },
    }
}

/// The check's settings from INI, the constant and `$options`; with `many`, the concurrency.
fn dns_settings(options: &Options, caller: &Caller, many: bool) -> PhpResult<(DnsCheck, usize)> {
    let mut check = DnsCheck::from_ini(&config::ini_values()).map_err(|e| to_php(e, None))?;
    let mut expect = None;
    let mut concurrency = None;
    for opt in options.entries(caller, if many { DNS_MANY_OPTIONS } else { DNS_OPTIONS })? {
        match opt.name.as_str() {
            "nameservers" => {
                let lists = opt.strings()?;
                check.nameservers =
                    dns_check::parse_nameservers(lists.iter().map(String::as_str)).map_err(|why| opt.invalid(why))?;
            }
            "expect" => {
                expect = Some(
                    opt.strings()?
                        .iter()
                        .map(|s| {
                            Expected::parse(s)
                                .map_err(|why| opt.invalid(format!("must list IP addresses or host names: {why}")))
                        })
                        .collect::<PhpResult<Vec<_>>>()?,
                );
            }
            "timeout" => check.timeout = opt.seconds()?,
            "caa_issuer" => check.caa_issuer = caa::parse_issuer(&opt.string()?).map_err(|why| opt.invalid(why))?,
            "concurrency" => concurrency = Some(opt.count(1..=DNS_CONCURRENCY.max)?),
            _ => {}
        }
    }
    check.expect = match expect {
        Some(e) => e,
        None => default_expectation().map_err(|e| to_php(e, None))?,
    };
    let concurrency = match (many, concurrency) {
        (_, Some(n)) => n,
        (true, None) => options::concurrency(None, DNS_CONCURRENCY)?,
        (false, None) => 1,
    };
    Ok((check, concurrency))
}

fn report_array(r: DnsReport, elapsed: Duration) -> PhpResult<ZBox<ZendHashTable>> {
    Ok(Record::new()
        .set("domain", r.domain.as_str())?
        .set("ok", r.ok())?
        .set("reason", r.reason.map(|x| x.as_str()))?
        .set("error", r.error)?
        .set("a", r.a)?
        .set("aaaa", r.aaaa)?
        .set("cname", r.cname)?
        .set("expected", r.expected)?
        .set("matched", r.matched)?
        .set("ttl", r.ttl.map(i64::from))?
        .set("caa", r.caa.map(caa_array).transpose()?)?
        .set("elapsed_ms", duration_ms(elapsed))?
        .into_array())
}

/// `['domain' => where the set was found, 'records' => [['flags' => int, 'tag' => string, 'value' => string], …]]`.
fn caa_array(set: CaaSet) -> PhpResult<ZBox<ZendHashTable>> {
    let mut records = ZendHashTable::new();
    for r in set.records {
        records.push(
            Record::new().set("flags", i64::from(r.flags))?.set("tag", r.tag)?.set("value", r.value)?.into_array(),
        )?;
    }
    Ok(Record::new().set("domain", set.domain)?.set("records", records)?.into_array())
}

/// Resolves `$domain` (A, AAAA and its CNAME chain) and says whether it points where
/// Closte expects. DNS failures are reported in the result, not thrown.
#[php_function]
#[php(name = "Closte\\check_dns", defaults(options = Options::default()))]
pub fn check_dns(domain: DomainArg, options: Options) -> PhpResult<ZBox<ZendHashTable>> {
    let start = Instant::now();
    let name = domain.parse("Closte\\check_dns")?;
    let (check, _) = dns_settings(&options, &Caller { function: "Closte\\check_dns", position: 2 }, false)?;
    let report = runtime::block_on(dns_check::check(&name, &check)).map_err(|e| to_php(e, None))?;
    report_array(report, start.elapsed())
}

/// `check_dns` for every name of `$domains`, `concurrency` at a time; results in input
/// order (keys kept). A name that is not a valid host gets `reason` `invalid_domain`.
#[php_function]
#[php(name = "Closte\\check_dns_many", defaults(options = Options::default()))]
pub fn check_dns_many(domains: ListArg, options: Options) -> PhpResult<ZBox<ZendHashTable>> {
    const FUNCTION: &str = "Closte\\check_dns_many";
    let items = domains.items(FUNCTION, "domains")?;
    let (check, concurrency) = dns_settings(&options, &Caller { function: FUNCTION, position: 2 }, true)?;
    if items.is_empty() {
        return Ok(ZendHashTable::new());
    }
    let (keys, given, parsed) = split(items);
    let results = runtime::block_on(batch::check_dns_many(parsed, &check, concurrency)).map_err(|e| to_php(e, None))?;
    let expected: Vec<String> = check.expect.iter().map(ToString::to_string).collect();
    keyed_results(keys, given, results, report_array, |domain, e, elapsed| {
        let error = Some(describe(e, None).message);
        let report = DnsReport {
            domain,
            reason: Some(Reason::InvalidDomain),
            error,
            expected: expected.clone(),
            ..DnsReport::default()
        };
        report_array(report, elapsed)
    })
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.function(wrap_function!(check_dns)).function(wrap_function!(check_dns_many))
}
