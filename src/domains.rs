//! `Closte\add_domain`, `remove_domain`, `list_domains`, `test_connection`, and
//! `normalize_domain`, the canonical form every other function sends and reports.

use std::time::{Duration, Instant};

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

use closte_core::api::Call;
use closte_core::{ApiKey, Change, Error, Settings};

use crate::config;
use crate::convert::{DomainArg, Record, duration_ms, elapsed_ms, json_to_zval};
use crate::exceptions::to_php;
use crate::options::{API_OPTIONS, Caller, Opt, Options};
use crate::runtime;

type Array = ZBox<ZendHashTable>;

/// INI settings, then the call's options, then the key: in that order, so a bad
/// option is reported even when the key is missing.
fn prepare(options: &Options, caller: Caller) -> PhpResult<(Settings, ApiKey)> {
    prepare_with(options, caller, API_OPTIONS).map(|(settings, key, _)| (settings, key))
}

/// [`prepare`] for a function that takes more options than the API ones (`keys`); the
/// others are returned for the caller to read.
pub(crate) fn prepare_with<'a>(
    options: &'a Options,
    caller: Caller,
    keys: &[&str],
) -> PhpResult<(Settings, ApiKey, Vec<Opt<'a>>)> {
    let mut settings = config::settings_from_ini().map_err(|e| to_php(e, None))?;
    let rest = options.apply_with(&caller, &mut settings, keys)?;
    let key = config::api_key().map_err(|e| to_php(e, None))?;
    Ok((settings, key, rest))
}

pub(crate) fn with_call<T, Fut>(
    settings: &Settings,
    key: &ApiKey,
    f: impl FnOnce(closte_core::ApiClient, Call) -> Fut,
) -> PhpResult<T>
where
    Fut: Future<Output = Result<T, Error>>,
{
    let result = Call::start(settings, key)
        .and_then(|call| runtime::run(settings.connect_timeout, settings.ca_file.as_ref(), |client| f(client, call)));
    result.map_err(|e| to_php(e, Some(key)))
}

/// The body of add_domain and remove_domain.
fn change(domain: DomainArg, options: &Options, function: &'static str, add: bool) -> PhpResult<Array> {
    let start = Instant::now();
    let name = domain.parse(function)?;
    let (settings, key) = prepare(options, Caller { function, position: 2 })?;
    let change: Change = with_call(&settings, &key, |client, call| async move {
        if add { client.add_domain(&call, &name).await } else { client.remove_domain(&call, &name).await }
    })?;
    Ok(change_record(&change, start.elapsed())?.into_array())
}

/// The result of an add or remove, single or in a batch.
pub(crate) fn change_record(change: &Change, elapsed: Duration) -> PhpResult<Record> {
    Ok(Record::new()
        .set("domain", change.domain.to_wire())?
        .set("wildcard", change.domain.is_wildcard())?
        .set("status", change.status.as_str())?
        .set("attempts", i64::from(change.attempts))?
        .set("elapsed_ms", duration_ms(elapsed))?)
}

/// Registers a domain alias on Closte (idempotent).
#[php_function]
#[php(name = "Closte\\add_domain", defaults(options = Options::default()))]
pub fn add_domain(domain: DomainArg, options: Options) -> PhpResult<Array> {
    change(domain, &options, "Closte\\add_domain", true)
}

/// Removes a domain alias from Closte (idempotent).
#[php_function]
#[php(name = "Closte\\remove_domain", defaults(options = Options::default()))]
pub fn remove_domain(domain: DomainArg, options: Options) -> PhpResult<Array> {
    change(domain, &options, "Closte\\remove_domain", false)
}

/// The name as the extension sends it to Closte and reports it back: lower case, IDNA
/// (punycode) for international names, no trailing dot, `*.` kept for a wildcard. Two
/// names are the same alias exactly when their normalized forms are equal.
#[php_function]
#[php(name = "Closte\\normalize_domain")]
pub fn normalize_domain(domain: DomainArg) -> PhpResult<String> {
    Ok(domain.parse("Closte\\normalize_domain")?.to_wire())
}

/// Lists the domain aliases Closte has for this site.
#[php_function]
#[php(name = "Closte\\list_domains", defaults(options = Options::default()))]
pub fn list_domains(options: Options) -> PhpResult<Array> {
    let (settings, key) = prepare(&options, Caller { function: "Closte\\list_domains", position: 1 })?;
    let entries = with_call(&settings, &key, |client, call| async move { client.list_domains(&call).await })?;
    let mut list = ZendHashTable::new();
    for entry in entries {
        let mut item = Record::new().set("domain", entry.domain)?.set("wildcard", entry.wildcard)?;
        for (k, v) in &entry.extra {
            item = item.set(k, json_to_zval(v)?)?;
        }
        list.push(item.into_array())?;
    }
    Ok(list)
}

/// The names of Closte's aliases only, each once, in the canonical form (see
/// `normalize_domain`): what a caller comparing a network's names with Closte's needs,
/// at a fraction of `list_domains`' memory (a string per alias, not an array).
#[php_function]
#[php(name = "Closte\\list_domain_names", defaults(options = Options::default()))]
pub fn list_domain_names(options: Options) -> PhpResult<Array> {
    let (settings, key) = prepare(&options, Caller { function: "Closte\\list_domain_names", position: 1 })?;
    let entries = with_call(&settings, &key, |client, call| async move { client.list_domains(&call).await })?;
    let mut seen = std::collections::HashSet::with_capacity(entries.len());
    let mut list = ZendHashTable::with_capacity(entries.len() as u32);
    for entry in entries {
        let name = entry.wire_name();
        if seen.insert(name.clone()) {
            list.push(name)?;
        }
    }
    Ok(list)
}

/// Proves the key works with a read-only call.
#[php_function]
#[php(name = "Closte\\test_connection", defaults(options = Options::default()))]
pub fn test_connection(options: Options) -> PhpResult<Array> {
    let start = Instant::now();
    let (settings, key) = prepare(&options, Caller { function: "Closte\\test_connection", position: 1 })?;
    let entries = with_call(&settings, &key, |client, call| async move { client.list_domains(&call).await })?;
    Ok(Record::new()
        .set("ok", true)?
        .set("domains", entries.len() as i64)?
        .set("elapsed_ms", elapsed_ms(start))?
        .into_array())
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(add_domain))
        .function(wrap_function!(remove_domain))
        .function(wrap_function!(list_domains))
        .function(wrap_function!(list_domain_names))
        .function(wrap_function!(test_connection))
        .function(wrap_function!(normalize_domain))
}
