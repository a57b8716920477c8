//! Whole-network work in one call: add, remove, sync and check many names concurrently.
//!
//! One `/getdomains` read decides which names need a request at all; the rest run with at
//! most `concurrency` requests in flight. Every item has its own deadline (`timeout` bounds
//! each name's work, retries included) and shares the call's rate-limit gate, so one 429
//! pauses the whole batch once. Results come back in input order; names that normalize to
//! the same alias are sent once and reported at every position.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};

use crate::api::{ApiClient, Call, Change, ChangeStatus};
use crate::dns_check::{self, DnsCheck, DnsReport};
use crate::domain::DomainName;
use crate::error::{Error, Result};
use crate::tls_check::{self, SslCheck, SslReport};

/// Largest `concurrency` for API requests, and for TLS checks.
pub const MAX_CONCURRENCY: usize = 64;
pub const MAX_SSL_CONCURRENCY: usize = 256;
/// Largest `concurrency` for DNS checks (names in flight; two questions each).
pub const MAX_DNS_CONCURRENCY: usize = 256;

/// One name's result and when it was known, counted from the start of the batch.
#[derive(Debug, Clone)]
pub struct Item<T> {
    pub result: Result<T>,
    pub elapsed: Duration,
}

/// Distinct names and, for each input position, which of them it is (or why it is none).
struct Distinct {
    names: Vec<DomainName>,
    slots: Vec<Result<usize>>,
}

fn distinct(items: Vec<Result<DomainName>>) -> Distinct {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut names = Vec::new();
    let slots = items
        .into_iter()
        .map(|item| {
            item.map(|name| {
                *seen.entry(name.to_wire()).or_insert_with(|| {
                    names.push(name);
                    names.len() - 1
                })
            })
        })
        .collect();
    Distinct { names, slots }
}

/// Adds (`add`) or removes every name: one list read, then a request only for the names
/// whose state differs, `concurrency` at a time. When the list cannot be read (after its
/// retries), every name fails with that error and nothing else is sent: a thousand POSTs
/// to a server that just failed a read would only hold the PHP worker longer.
pub async fn change_many(
    client: &ApiClient,
    call: &Call,
    items: Vec<Result<DomainName>>,
    add: bool,
    concurrency: usize,
) -> Vec<Item<Change>> {
    let start = Instant::now();
    let Distinct { names, slots } = distinct(items);
    let mut outcomes: Vec<Option<Item<Change>>> = vec![None; names.len()];
    if !names.is_empty() {
        let present: HashSet<String> = match client.list_domains(&call.for_item()).await {
            Ok(list) => list.iter().map(|e| e.wire_name()).collect(),
            Err(e) => {
                let failed = Item { result: Err(e), elapsed: start.elapsed() };
                return spread(slots, vec![Some(failed); names.len()], start);
            }
        };
        let already = if add { ChangeStatus::AlreadyPresent } else { ChangeStatus::NotPresent };
        let mut pending = Vec::new();
        for (i, name) in names.iter().enumerate() {
            if present.contains(&name.to_wire()) == add {
                let change = Change { domain: name.clone(), status: already, attempts: 0 };
                outcomes[i] = Some(Item { result: Ok(change), elapsed: start.elapsed() });
            } else {
                pending.push(i);
            }
        }
        let names = &names;
        let settled =
            settle(
                &pending,
                concurrency,
                start,
                |i| async move { client.change(&call.for_item(), &names[i], add).await },
            )
            .await;
        for (i, item) in pending.into_iter().zip(settled) {
            outcomes[i] = Some(item);
        }
    }
    spread(slots, outcomes, start)
}

/// `work(i)` for every `i` of `pending`, at most `concurrency` at a time; the results in
/// the order of `pending`, each with when it was known.
async fn settle<T, F, Fut>(pending: &[usize], concurrency: usize, start: Instant, work: F) -> Vec<Item<T>>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let work = &work;
    let mut done: Vec<(usize, Item<T>)> = stream::iter(pending.iter().copied().enumerate())
        .map(|(k, i)| async move { (k, Item { result: work(i).await, elapsed: start.elapsed() }) })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    done.sort_by_key(|d| d.0);
    done.into_iter().map(|d| d.1).collect()
}

/// One result per input position, from the results per distinct name.
fn spread<T: Clone>(slots: Vec<Result<usize>>, outcomes: Vec<Option<Item<T>>>, start: Instant) -> Vec<Item<T>> {
    slots
        .into_iter()
        .map(|slot| match slot {
            Ok(i) => outcomes[i].clone().unwrap_or_else(|| Item {
                result: Err(Error::config("internal error: a name was never processed")),
                elapsed: start.elapsed(),
            }),
            Err(e) => Item { result: Err(e), elapsed: Duration::ZERO },
        })
        .collect()
}

/// What `sync` did, or would do with `dry_run`: wire names, in the order of the input
/// (`added`, `unchanged`) and of Closte's list (`removed`).
#[derive(Debug, Default)]
pub struct SyncReport {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: Vec<String>,
    /// The name (as given, or as listed by Closte) and why it failed.
    pub failed: Vec<(String, Error)>,
}

/// Makes Closte's aliases match `wanted`: adds the missing ones and, with
/// `remove_unlisted`, removes the ones not wanted. The list read is needed to know what to
/// do: its failure fails the call.
pub async fn sync(
    client: &ApiClient,
    call: &Call,
    wanted: Vec<(String, Result<DomainName>)>,
    remove_unlisted: bool,
    dry_run: bool,
    concurrency: usize,
) -> Result<SyncReport> {
    if !remove_unlisted && !wanted.iter().any(|(_, parsed)| parsed.is_ok()) {
        // Nothing could change: no request at all.
        let failed = wanted.into_iter().filter_map(|(given, parsed)| parsed.err().map(|e| (given, e))).collect();
        return Ok(SyncReport { failed, ..SyncReport::default() });
    }
    let list = client.list_domains(&call.for_item()).await?;
    let present: HashSet<String> = list.iter().map(|e| e.wire_name()).collect();
    let mut report = SyncReport::default();
    let mut wanted_wire = HashSet::new();
    let mut to_add = Vec::new();
    for (given, parsed) in wanted {
        match parsed {
            Err(e) => report.failed.push((given, e)),
            Ok(name) => {
                let wire = name.to_wire();
                if !wanted_wire.insert(wire.clone()) {
                    continue;
                }
                if present.contains(&wire) {
                    report.unchanged.push(wire);
                } else {
                    to_add.push(name);
                }
            }
        }
    }
    let mut to_remove = Vec::new();
    if remove_unlisted {
        let mut listed = HashSet::new();
        for entry in &list {
            let wire = entry.wire_name();
            if wanted_wire.contains(&wire) || !listed.insert(wire.clone()) {
                continue;
            }
            match DomainName::parse(&wire) {
                Ok(name) => to_remove.push(name),
                Err(e) => report.failed.push((entry.domain.clone(), e)),
            }
        }
    }
    if dry_run {
        report.added = to_add.iter().map(DomainName::to_wire).collect();
        report.removed = to_remove.iter().map(DomainName::to_wire).collect();
        return Ok(report);
    }
    let jobs: Vec<(DomainName, bool)> =
        to_add.into_iter().map(|n| (n, true)).chain(to_remove.into_iter().map(|n| (n, false))).collect();
    let all: Vec<usize> = (0..jobs.len()).collect();
    let jobs = &jobs;
    let settled = settle(&all, concurrency, Instant::now(), |i| async move {
        client.change(&call.for_item(), &jobs[i].0, jobs[i].1).await
    })
    .await;
    for ((name, add), item) in jobs.iter().zip(settled) {
        match item.result {
            Ok(_) if *add => report.added.push(name.to_wire()),
            Ok(_) => report.removed.push(name.to_wire()),
            Err(e) => report.failed.push((name.to_wire(), e)),
        }
    }
    Ok(report)
}

/// `check` for every name, `concurrency` handshakes at a time, each bounded by its own
/// timeout: a silent host delays only its own result. A CA file that cannot be read fails
/// the call before any check.
/// Where to connect for one name instead of its own address (and port), like curl's
/// `--resolve`: check a certificate on a given server before DNS points there.
#[derive(Debug, Clone)]
pub struct Target {
    pub host: String,
    pub port: Option<u16>,
}

pub async fn check_many(
    items: Vec<Result<DomainName>>,
    opts: &SslCheck,
    targets: &HashMap<String, Target>,
    concurrency: usize,
) -> Result<Vec<Item<SslReport>>> {
    let start = Instant::now();
    let roots = Arc::new(crate::http::root_store(opts.ca_file.as_deref())?);
    let Distinct { names, slots } = distinct(items);
    let roots = &roots;
    let names = &names;
    let all: Vec<usize> = (0..names.len()).collect();
    let settled = settle(&all, concurrency, start, |i| async move {
        match targets.get(&names[i].to_wire()) {
            Some(t) => {
                let mut own = opts.clone();
                own.connect_to = Some(t.host.clone());
                own.port = t.port.unwrap_or(opts.port);
                tls_check::check_with_roots(&names[i], &own, roots.clone()).await
            }
            None => tls_check::check_with_roots(&names[i], opts, roots.clone()).await,
        }
    })
    .await;
    let outcomes = settled.into_iter().map(Some).collect();
    Ok(spread(slots, outcomes, start))
}

/// `dns_check::check` for every name through one resolver, `concurrency` names at a time,
/// each bounded by its own timeout. A resolver that cannot be set up fails the call.
pub async fn check_dns_many(
    items: Vec<Result<DomainName>>,
    opts: &DnsCheck,
    concurrency: usize,
) -> Result<Vec<Item<DnsReport>>> {
    let start = Instant::now();
    let resolver = dns_check::resolver(opts)?;
    let Distinct { names, slots } = distinct(items);
    let (resolver, names) = (&resolver, &names);
    let all: Vec<usize> = (0..names.len()).collect();
    let settled =
        settle(&all, concurrency, start, |i| async move { Ok(dns_check::check_with(resolver, &names[i], opts).await) })
            .await;
    Ok(spread(slots, settled.into_iter().map(Some).collect(), start))
}
