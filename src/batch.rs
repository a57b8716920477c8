//! The batch functions: `Closte\add_domains`, `remove_domains` and `sync_domains`
//! (`check_ssl_many` lives beside `check_ssl`). One PHP call does the whole network's work
//! concurrently on the extension's runtime; results keep the caller's keys and order.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

use closte_core::batch::{self, Item};
use closte_core::settings::API_CONCURRENCY;
use closte_core::{ApiKey, Change, Error};

use crate::convert::{ListArg, Record, duration_ms, elapsed_ms};
use crate::domains::{change_record, prepare_with, with_call};
use crate::exceptions::{describe, value_error};
use crate::options::{self, API_OPTIONS, Caller, Opt, Options};

type Array = ZBox<ZendHashTable>;

/// `['class' => …, 'message' => …, 'code' => …, 'retryable' => …, 'retry_reason' => …]`:
/// the exception the single call would throw.
fn error_array(err: Error, key: Option<&ApiKey>) -> PhpResult<Array> {
    let d = describe(err, key);
    Ok(Record::new()
        .set("class", d.class_name())?
        .set("message", d.message)?
        .set("code", i64::from(d.code))?
        .set("retryable", d.retry.retryable)?
        .set("retry_reason", d.retry.reason)?
        .into_array())
}

/// The API batches' `concurrency` (option, else `closte.concurrency`).
fn concurrency(rest: &[Opt]) -> PhpResult<usize> {
    options::concurrency(rest.iter().find(|opt| opt.name == "concurrency"), API_CONCURRENCY)
}

/// The body of add_domains and remove_domains.
fn change_many(domains: ListArg, options: &Options, function: &'static str, add: bool) -> PhpResult<Array> {
    let items = domains.items(function, "domains")?;
    let keys: Vec<&str> = API_OPTIONS.iter().copied().chain(["concurrency"]).collect();
    let (settings, key, rest) = prepare_with(options, Caller { function, position: 2 }, &keys)?;
    let concurrency = concurrency(&rest)?;
    if items.is_empty() {
        return Ok(ZendHashTable::new());
    }
    // What a failed item shows as its name: the checked name, else the name as given.
    let mut shown = Vec::with_capacity(items.len());
    let mut names = Vec::with_capacity(items.len());
    for item in items {
        let (domain, wildcard) = match &item.name {
            Ok(n) => (n.to_wire(), n.is_wildcard()),
            Err(_) => (item.given, false),
        };
        shown.push((item.key, domain, wildcard));
        names.push(item.name);
    }
    let results: Vec<Item<Change>> = with_call(&settings, &key, |client, call| async move {
        Ok(batch::change_many(&client, &call, names, add, concurrency).await)
    })?;
    let mut out = ZendHashTable::new();
    for ((k, domain, wildcard), item) in shown.into_iter().zip(results) {
        let record = match item.result {
            Ok(change) => change_record(&change, item.elapsed)?.set("error", None::<bool>)?,
            Err(e) => Record::new()
                .set("domain", domain)?
                .set("wildcard", wildcard)?
                .set("status", "failed")?
                .set("attempts", i64::from(item.attempts))?
                .set("elapsed_ms", duration_ms(item.elapsed))?
                .set("error", error_array(e, Some(&key))?)?,
        };
        out.insert(k, record.into_array())?;
    }
    Ok(out)
}

/// Registers every name as a domain alias on Closte: one list read, then a request only
/// for the missing ones, `concurrency` at a time. One result per name, in input order.
#[php_function]
#[php(name = "Closte\\add_domains", defaults(options = Options::default()))]
pub fn add_domains(domains: ListArg, options: Options) -> PhpResult<Array> {
    change_many(domains, &options, "Closte\\add_domains", true)
}

/// Removes every name's alias from Closte; the mirror of `add_domains`.
#[php_function]
#[php(name = "Closte\\remove_domains", defaults(options = Options::default()))]
pub fn remove_domains(domains: ListArg, options: Options) -> PhpResult<Array> {
    change_many(domains, &options, "Closte\\remove_domains", false)
}

/// Makes Closte's aliases match `$wanted`: adds the missing ones and, with
/// `remove_unlisted`, removes the others; `dry_run` only reports what it would do.
#[php_function]
#[php(name = "Closte\\sync_domains", defaults(options = Options::default()))]
pub fn sync_domains(wanted: ListArg, options: Options) -> PhpResult<Array> {
    const FUNCTION: &str = "Closte\\sync_domains";
    let start = std::time::Instant::now();
    let items = wanted.items(FUNCTION, "wanted")?;
    let keys: Vec<&str> = API_OPTIONS.iter().copied().chain(["concurrency", "remove_unlisted", "dry_run"]).collect();
    let (settings, key, rest) = prepare_with(&options, Caller { function: FUNCTION, position: 2 }, &keys)?;
    let concurrency = concurrency(&rest)?;
    let (mut remove_unlisted, mut dry_run) = (false, false);
    for opt in &rest {
        match opt.name.as_str() {
            "remove_unlisted" => remove_unlisted = opt.flag()?,
            "dry_run" => dry_run = opt.flag()?,
            _ => {}
        }
    }
    let wanted: Vec<_> = items.into_iter().map(|i| (i.given, i.name)).collect();
    if remove_unlisted && !batch::may_remove_unlisted(&wanted) {
        // The core refuses it too; here it is refused as core PHP refuses a bad argument.
        return Err(value_error(format!(
            "{FUNCTION}(): Argument #1 ($wanted) {}",
            batch::REMOVE_UNLISTED_NEEDS_A_NAME
        )));
    }
    let (report, requests) = with_call(&settings, &key, |client, call| async move {
        let report = batch::sync(&client, &call, wanted, remove_unlisted, dry_run, concurrency).await?;
        Ok((report, call.requests()))
    })?;
    let mut failed = ZendHashTable::new();
    for (name, e) in report.failed {
        failed.insert(name, error_array(e, Some(&key))?)?;
    }
    Ok(Record::new()
        .set("added", report.added)?
        .set("removed", report.removed)?
        .set("unchanged", report.unchanged)?
        .set("failed", failed)?
        .set("dry_run", dry_run)?
        .set("requests", i64::from(requests))?
        .set("elapsed_ms", elapsed_ms(start))?
        .into_array())
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(add_domains))
        .function(wrap_function!(remove_domains))
        .function(wrap_function!(sync_domains))
}
