//! Whole-network work in one call: add, remove, sync and check many names concurrently.
//!
//! One `/getdomains` read decides which names need a request at all; the rest run with at
//! most `concurrency` requests in flight. Every item has its own deadline (`timeout` bounds
//! each name's work, retries included) and shares the call's rate-limit gate, so one 429
//! pauses the whole batch once. Results come back in input order; names that normalize to
//! the same alias are sent once and reported at every position.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};

use crate::api::{ApiClient, Call, Change, ChangeStatus};
use crate::dns_check::{self, DnsCheck, DnsReport};
use crate::domain::DomainName;
use crate::error::{Error, Result};
use crate::tls_check::{self, SslCheck, SslReport};

/// One name's result and when it was known, counted from the start of the batch.
#[derive(Debug, Clone)]
pub struct Item<T> {
    pub result: Result<T>,
    pub elapsed: Duration,
    /// Requests sent for this name to Closte's add/remove endpoint (a success carries the
    /// same count in its [`Change`]); 0 for checks and for names never sent.
    pub attempts: u32,
}

impl<T> Item<T> {
    fn new(result: Result<T>, elapsed: Duration) -> Self {
        Self { result, elapsed, attempts: 0 }
    }
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
                let failed = Item::new(Err(e), start.elapsed());
                return spread(slots, vec![Some(failed); names.len()], start);
            }
        };
        let already = if add { ChangeStatus::AlreadyPresent } else { ChangeStatus::NotPresent };
        let mut pending = Vec::new();
        for (i, name) in names.iter().enumerate() {
            if present.contains(&name.to_wire()) == add {
                let change = Change { domain: name.clone(), status: already, attempts: 0 };
                outcomes[i] = Some(Item::new(Ok(change), start.elapsed()));
            } else {
                pending.push(i);
            }
        }
        let names = &names;
        let settled = settle(&pending, concurrency, start, |i| async move {
            let (result, attempts) = client.change_counted(&call.for_item(), &names[i], add).await;
            result.map(|change| (change, attempts)).map_err(|e| (e, attempts))
        })
        .await;
        for (i, item) in pending.into_iter().zip(settled) {
            outcomes[i] = Some(item);
        }
    }
    spread(slots, outcomes, start)
}

/// What one unit of a batch's work gave: its result, or the error, each with the
/// requests it took.
type Counted<T> = std::result::Result<(T, u32), (Error, u32)>;

/// `work(i)` for every `i` of `pending`, at most `concurrency` at a time; the results in
/// the order of `pending`, each with when it was known and the requests it took.
async fn settle<T, F, Fut>(pending: &[usize], concurrency: usize, start: Instant, work: F) -> Vec<Item<T>>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Counted<T>>,
{
    let work = &work;
    let mut done: Vec<(usize, Item<T>)> = stream::iter(pending.iter().copied().enumerate())
        .map(|(k, i)| async move {
            let (result, attempts) = match work(i).await {
                Ok((value, n)) => (Ok(value), n),
                Err((e, n)) => (Err(e), n),
            };
            (k, Item { result, elapsed: start.elapsed(), attempts })
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    done.sort_by_key(|d| d.0);
    done.into_iter().map(|d| d.1).collect()
}

/// A check's result as a unit of work: it sends nothing to Closte's API.
fn uncounted<T>(result: Result<T>) -> Counted<T> {
    result.map(|v| (v, 0)).map_err(|e| (e, 0))
}

/// One result per input position, from the results per distinct name.
fn spread<T: Clone>(slots: Vec<Result<usize>>, outcomes: Vec<Option<Item<T>>>, start: Instant) -> Vec<Item<T>> {
    slots
        .into_iter()
        .map(|slot| match slot {
            Ok(i) => outcomes[i].clone().unwrap_or_else(|| {
                Item::new(Err(Error::config("internal error: a name was never processed")), start.elapsed())
            }),
            Err(e) => Item::new(Err(e), Duration::ZERO),
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

/// Why `remove_unlisted` is refused for a `wanted` list without a valid name.
pub const REMOVE_UNLISTED_NEEDS_A_NAME: &str =
    "must name at least one valid domain when remove_unlisted is set (an empty list would remove every alias)";

/// Whether `wanted` may be used with `remove_unlisted`: only when it names at least one
/// valid domain. A list that is empty, or holds only invalid names, would remove every alias.
pub fn may_remove_unlisted(wanted: &[(String, Result<DomainName>)]) -> bool {
    wanted.iter().any(|(_, parsed)| parsed.is_ok())
}

/// Makes Closte's aliases match `wanted`: adds the missing ones and, with
/// `remove_unlisted`, removes the ones not wanted (refused with a `Config` error, before
/// any request, when `wanted` names no valid domain). The list read is needed to know what
/// to do: its failure fails the call.
pub async fn sync(
    client: &ApiClient,
    call: &Call,
    wanted: Vec<(String, Result<DomainName>)>,
    remove_unlisted: bool,
    dry_run: bool,
    concurrency: usize,
) -> Result<SyncReport> {
    if remove_unlisted && !may_remove_unlisted(&wanted) {
        return Err(Error::config(format!("wanted {REMOVE_UNLISTED_NEEDS_A_NAME}")));
    }
    if !may_remove_unlisted(&wanted) {
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
        let (result, attempts) = client.change_counted(&call.for_item(), &jobs[i].0, jobs[i].1).await;
        result.map(|change| (change, attempts)).map_err(|e| (e, attempts))
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

/// Where to connect for one name instead of its own address (and port), like curl's
/// `--resolve`: check a certificate on a given server before DNS points there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: Option<u16>,
}

impl Target {
    /// "host", "host:port", "[v6]" or "[v6]:port"; a bare IPv6 address is a host.
    pub fn parse(s: &str) -> Option<Self> {
        let port = |p: &str| p.parse::<u16>().ok().filter(|p| *p > 0);
        if let Some(rest) = s.strip_prefix('[') {
            let (host, tail) = rest.split_once(']')?;
            let port = match tail {
                "" => None,
                t => Some(port(t.strip_prefix(':')?)?),
            };
            return Self::host(host).map(|host| Self { host, port });
        }
        match s.split_once(':') {
            Some((host, p)) if !p.contains(':') => Some(Self { host: Self::host(host)?, port: Some(port(p)?) }),
            _ => Self::host(s).map(|host| Self { host, port: None }),
        }
    }

    /// A host to connect to (a name or an IP address, no port), when it can be one.
    pub fn host(s: &str) -> Option<String> {
        (!s.is_empty() && !s.contains(|c: char| c.is_whitespace() || c.is_control() || c == '/')).then(|| s.to_owned())
    }
}

/// `check` for every name, `concurrency` handshakes at a time, each bounded by its own
/// timeout: a silent host delays only its own result. A CA file that cannot be read fails
/// the call before any check; a wildcard is an invalid name ([`DomainName::concrete`]).
pub async fn check_many(
    items: Vec<Result<DomainName>>,
    opts: &SslCheck,
    targets: &HashMap<String, Target>,
    concurrency: usize,
) -> Result<Vec<Item<SslReport>>> {
    let start = Instant::now();
    let roots = crate::http::root_store(opts.ca_file.as_deref())?;
    let Distinct { names, slots } = distinct(concrete(items));
    let roots = &roots;
    let names = &names;
    let all: Vec<usize> = (0..names.len()).collect();
    let settled = settle(&all, concurrency, start, |i| async move {
        uncounted(match targets.get(&names[i].to_wire()) {
            Some(t) => {
                let mut own = opts.clone();
                own.connect_to = Some(t.host.clone());
                own.port = t.port.unwrap_or(opts.port);
                tls_check::check_with_roots(&names[i], &own, roots.clone()).await
            }
            None => tls_check::check_with_roots(&names[i], opts, roots.clone()).await,
        })
    })
    .await;
    let outcomes = settled.into_iter().map(Some).collect();
    Ok(spread(slots, outcomes, start))
}

/// The checks' one wildcard rule over a batch's names.
fn concrete(items: Vec<Result<DomainName>>) -> Vec<Result<DomainName>> {
    items.into_iter().map(|item| item.and_then(DomainName::concrete)).collect()
}

/// `dns_check::check` for every name through one resolver (and one memory of CAA sets), `concurrency` names at a time,
/// each bounded by its own timeout. A resolver that cannot be set up fails the call; a
/// wildcard is an invalid name.
pub async fn check_dns_many(
    items: Vec<Result<DomainName>>,
    opts: &DnsCheck,
    concurrency: usize,
) -> Result<Vec<Item<DnsReport>>> {
    let start = Instant::now();
    let checker = dns_check::Checker::new(opts)?;
    let Distinct { names, slots } = distinct(concrete(items));
    let (checker, names) = (&checker, &names);
    let all: Vec<usize> = (0..names.len()).collect();
    let settled =
        settle(&all, concurrency, start, |i| async move { uncounted(Ok(checker.check(&names[i], opts).await)) }).await;
    Ok(spread(slots, settled.into_iter().map(Some).collect(), start))
}
