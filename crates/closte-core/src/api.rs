//! Closte's client API: add, remove and list domain aliases, with retries that never
//! apply a change twice by accident and never report a change that did not happen.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::domain::DomainName;
use crate::error::{Error, Result, TransportKind};
use crate::retry::{RetryPolicy, is_transient_status, is_unprocessed_status};
use crate::settings::{ApiKey, Settings, fmt_secs};

/// Replies above this are refused: a list of 100k domains is well under it.
pub const MAX_REPLY_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeStatus {
    Added,
    AlreadyPresent,
    Removed,
    NotPresent,
}

impl ChangeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::AlreadyPresent => "already_present",
            Self::Removed => "removed",
            Self::NotPresent => "not_present",
        }
    }
}

/// The outcome of an add or remove.
#[derive(Debug, Clone)]
pub struct Change {
    pub domain: DomainName,
    pub status: ChangeStatus,
    /// Requests sent to the add/remove endpoint (confirmation reads not counted).
    pub attempts: u32,
}

/// One item of `/getdomains`. Closte does not document the item shape, so plain strings
/// and objects are both accepted, and unknown fields are kept for the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainEntry {
    pub domain: String,
    pub wildcard: bool,
    pub extra: Map<String, Value>,
}

impl DomainEntry {
    fn from_json(item: Value) -> Option<Self> {
        match item {
            Value::String(domain) => {
                let wildcard = domain.starts_with("*.");
                Some(Self { domain, wildcard, extra: Map::new() })
            }
            Value::Object(mut obj) => {
                // The name is taken from `domain`, else `name`; the field it came from is not
                // repeated among the extra fields.
                let (field, domain) = ["domain", "name"].iter().find_map(|k| match obj.get(*k) {
                    Some(Value::String(s)) => Some((*k, s.clone())),
                    _ => None,
                })?;
                obj.remove(field);
                // A name written with `*.` is a wildcard whatever the flag says (found by fuzzing:
                // `{"domain":"*.x","wildcard":0}` was reported as not a wildcard).
                let flag = match obj.remove("wildcard") {
                    Some(Value::Bool(b)) => b,
                    Some(Value::Number(n)) => n.as_i64() == Some(1),
                    Some(Value::String(s)) => matches!(s.as_str(), "1" | "true"),
                    _ => false,
                };
                let wildcard = flag || domain.starts_with("*.");
                Some(Self { domain, wildcard, extra: obj })
            }
            _ => None,
        }
    }

    /// The entry's name in the one form names are compared in: the canonical form
    /// ([`DomainName::to_wire`], what `Closte\normalize_domain()` gives), `*.` for
    /// wildcards. A name Closte lists that is not a valid domain name is kept lower-cased,
    /// without a trailing dot: it can only ever equal itself.
    pub fn wire_name(&self) -> String {
        let name = self.domain.trim_end_matches('.').to_ascii_lowercase();
        let name = if self.wildcard && !name.starts_with("*.") { format!("*.{name}") } else { name };
        match crate::domain::DomainName::parse(&name) {
            Ok(parsed) => parsed.to_wire(),
            Err(_) => name,
        }
    }
}

/// A reply Closte sent with a 2xx status.
enum Reply {
    Accepted(Map<String, Value>),
    Refused { status: u16, message: String },
}

/// Why an attempt failed, and whether another is safe.
struct Failure {
    error: Error,
    retry: Retry,
}

#[derive(Clone, Copy, PartialEq)]
enum Retry {
    Never,
    /// Closte certainly did not act; wait (at least) this long if it said so.
    Safe(Option<Duration>),
    /// The request may have been applied; confirm before sending it again.
    MaybeApplied,
}

/// What one call is allowed: its deadline and retry budget. The gate and the request
/// counter are shared by every item of a batch (see [`Call::for_item`]).
pub struct Call {
    pub url: reqwest::Url,
    pub key: ApiKey,
    pub deadline: Instant,
    pub timeout: Duration,
    pub max_retries: u32,
    gate: Arc<Gate>,
    requests: Arc<AtomicU32>,
}

impl Call {
    /// Starts the clock for one PHP call.
    pub fn start(settings: &Settings, key: &ApiKey) -> Result<Self> {
        Ok(Self {
            url: settings.validate()?,
            key: key.clone(),
            deadline: Instant::now() + settings.timeout,
            timeout: settings.timeout,
            max_retries: settings.max_retries,
            gate: Arc::default(),
            requests: Arc::default(),
        })
    }

    /// The same call for one item of a batch: its own deadline (`timeout` bounds each name's
    /// work, retries included), the batch's shared rate-limit gate and request counter.
    pub fn for_item(&self) -> Self {
        Self {
            url: self.url.clone(),
            key: self.key.clone(),
            deadline: Instant::now() + self.timeout,
            timeout: self.timeout,
            max_retries: self.max_retries,
            gate: self.gate.clone(),
            requests: self.requests.clone(),
        }
    }

    /// HTTP requests sent so far by this call and every item made from it.
    pub fn requests(&self) -> u32 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Waits while Closte asked the whole batch to slow down; counts the request about to go.
    async fn before_send(&self) -> Result<()> {
        self.gate.ready(self.deadline).await?;
        self.requests.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn endpoint(&self, name: &str) -> reqwest::Url {
        let mut url = self.url.clone();
        let path = format!("{}/{name}", url.path().trim_end_matches('/'));
        url.set_path(&path);
        url
    }

    fn remaining(&self) -> Option<Duration> {
        self.deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero())
    }

    fn timed_out(&self) -> Error {
        Error::transport(
            TransportKind::Timeout,
            format!("Closte did not answer within the {} s timeout", fmt_secs(self.timeout)),
        )
    }
}

/// A rate limit shared by every request of one call: when Closte answers 429, no request
/// of the batch starts before the time it asked for (one pause for all, not one per
/// worker); when it asks for longer than a call may wait, the remaining requests fail with
/// that answer instead of blocking the PHP worker.
#[derive(Default)]
struct Gate(Mutex<GateState>);

#[derive(Default)]
struct GateState {
    until: Option<Instant>,
    /// The 429 that set `until`, reported to a request whose deadline comes first.
    cause: Option<Error>,
    closed: Option<Error>,
}

impl Gate {
    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn ready(&self, deadline: Instant) -> Result<()> {
        loop {
            let until = {
                let st = self.lock();
                if let Some(e) = &st.closed {
                    return Err(e.clone());
                }
                match st.until {
                    Some(t) if t > Instant::now() => {
                        if t >= deadline {
                            return Err(st.cause.clone().unwrap_or_else(|| Error::Api {
                                status: 429,
                                message: "Closte asked to slow down".into(),
                            }));
                        }
                        t
                    }
                    _ => return Ok(()),
                }
            };
            tokio::time::sleep_until(until.into()).await;
        }
    }

    fn pause(&self, wait: Duration, cause: &Error) {
        let until = Instant::now() + wait;
        let mut st = self.lock();
        if st.until.is_none_or(|t| t < until) {
            st.until = Some(until);
            st.cause = Some(cause.clone());
        }
    }

    fn close(&self, cause: &Error) {
        self.lock().closed.get_or_insert_with(|| cause.clone());
    }
}

#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    policy: RetryPolicy,
}

impl ApiClient {
    pub fn new(connect_timeout: Duration, ca_file: Option<&Path>) -> Result<Self> {
        Ok(Self { http: crate::http::build_client(connect_timeout, ca_file)?, policy: RetryPolicy::default() })
    }

    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    pub async fn add_domain(&self, call: &Call, domain: &DomainName) -> Result<Change> {
        self.change(call, domain, true).await
    }

    pub async fn remove_domain(&self, call: &Call, domain: &DomainName) -> Result<Change> {
        self.change(call, domain, false).await
    }

    pub async fn list_domains(&self, call: &Call) -> Result<Vec<DomainEntry>> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.get_domains_once(call).await {
                Ok(list) => return Ok(list),
                Err(f) => self.pause_before_retry(call, f, attempt).await?,
            }
        }
    }

    /// Adds (`want`) or removes one alias: the body of add_domain and remove_domain.
    pub(crate) async fn change(&self, call: &Call, domain: &DomainName, want: bool) -> Result<Change> {
        self.change_counted(call, domain, want).await.0
    }

    /// [`ApiClient::change`], and the requests it sent to the add/remove endpoint, whether
    /// it succeeded or not (a batch reports them for failed names too).
    pub(crate) async fn change_counted(&self, call: &Call, domain: &DomainName, want: bool) -> (Result<Change>, u32) {
        let mut attempt = 0;
        let result = self.change_with(call, domain, want, &mut attempt).await;
        (result, attempt)
    }

    async fn change_with(&self, call: &Call, domain: &DomainName, want: bool, attempt: &mut u32) -> Result<Change> {
        let endpoint = if want { "adddomainalias" } else { "deletedomainalias" };
        let wire = domain.to_wire();
        let form = [
            ("apikey", call.key.expose()),
            ("domain", wire.as_str()),
            ("wildcard", if domain.is_wildcard() { "1" } else { "0" }),
        ];
        let url = call.endpoint(endpoint);
        let (done, already) = if want {
            (ChangeStatus::Added, ChangeStatus::AlreadyPresent)
        } else {
            (ChangeStatus::Removed, ChangeStatus::NotPresent)
        };
        let change = |status, attempts| Change { domain: domain.clone(), status, attempts };

        let mut contested = 0;
        loop {
            call.before_send().await?;
            *attempt += 1;
            let Some(remaining) = call.remaining() else {
                return Err(call.timed_out());
            };
            let sent = self.http.post(url.clone()).form(&form).timeout(remaining).send();
            match self.read_reply(call, sent).await {
                Ok(Reply::Accepted(_)) => return Ok(change(done, *attempt)),
                Ok(Reply::Refused { status, message }) => {
                    // Closte's words for "already there"/"not there" are unknown: ask the list.
                    match self.is_present(call, &wire).await {
                        Some(present) if present == want => return Ok(change(already, *attempt)),
                        // Refused, yet the list says the change is still to be made: another
                        // client changed this alias between our request and the read (say, an
                        // add refused as "exists", then removed elsewhere). Send it again after
                        // a jittered pause; a refusal that stands after a few re-sends with the
                        // same reading is Closte's real answer.
                        Some(_) if contested < self.policy.contested_resends => {
                            contested += 1;
                            let pause = self.policy.contested_pause();
                            match call.remaining() {
                                Some(left) if left > pause => tokio::time::sleep(pause).await,
                                _ => return Err(Error::Api { status, message }),
                            }
                        }
                        _ => return Err(Error::Api { status, message }),
                    }
                }
                Err(f) => {
                    if f.retry == Retry::MaybeApplied && self.is_present(call, &wire).await == Some(want) {
                        return Ok(change(done, *attempt));
                    }
                    self.pause_before_retry(call, f, *attempt).await?;
                }
            }
        }
    }

    /// Whether `wire` is in Closte's list, or `None` when the list cannot be read.
    async fn is_present(&self, call: &Call, wire: &str) -> Option<bool> {
        let list = self.get_domains_once(call).await.ok()?;
        Some(list.iter().any(|e| e.wire_name() == wire))
    }

    /// Sleeps before the next attempt, or returns the error when no attempt is left.
    async fn pause_before_retry(&self, call: &Call, f: Failure, attempt: u32) -> Result<()> {
        let wait = match f.retry {
            Retry::Safe(Some(asked)) => asked,
            _ => self.policy.backoff(attempt),
        };
        if matches!(f.error, Error::Api { status: 429, .. }) {
            if f.retry == Retry::Never {
                // Closte asked for a longer wait than a call may block: the whole batch stops.
                call.gate.close(&f.error);
                return Err(f.error);
            }
            // Every request of the call waits at the gate (in before_send), this one included,
            // whether or not this one has an attempt left.
            call.gate.pause(wait, &f.error);
            return match call.remaining() {
                Some(left) if left > wait && attempt <= call.max_retries => Ok(()),
                _ => Err(f.error),
            };
        }
        if f.retry == Retry::Never || attempt > call.max_retries {
            return Err(f.error);
        }
        match call.remaining() {
            Some(left) if left > wait => {
                tokio::time::sleep(wait).await;
                Ok(())
            }
            _ => Err(f.error),
        }
    }

    async fn get_domains_once(&self, call: &Call) -> Result<Vec<DomainEntry>, Failure> {
        call.before_send().await.map_err(|error| Failure { error, retry: Retry::Never })?;
        let Some(remaining) = call.remaining() else {
            return Err(Failure { error: call.timed_out(), retry: Retry::Never });
        };
        let mut url = call.endpoint("getdomains");
        url.query_pairs_mut().append_pair("apikey", call.key.expose());
        let sent = self.http.get(url).timeout(remaining).send();
        match self.read_reply(call, sent).await {
            Ok(Reply::Accepted(body)) => domain_list(body),
            Ok(Reply::Refused { status, message }) => {
                Err(Failure { error: Error::Api { status, message }, retry: Retry::Never })
            }
            // A read is safe to repeat whatever happened.
            Err(Failure { error, retry: Retry::MaybeApplied }) => Err(Failure { error, retry: Retry::Safe(None) }),
            Err(f) => Err(f),
        }
    }

    async fn read_reply(
        &self,
        call: &Call,
        sent: impl Future<Output = reqwest::Result<reqwest::Response>>,
    ) -> Result<Reply, Failure> {
        let response = sent.await.map_err(|e| classify(call, e))?;
        let status = response.status().as_u16();
        let retry_after = response.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok());
        let retry = if is_transient_status(status) {
            if is_unprocessed_status(status) {
                match retry_after {
                    Some(h) => match self.policy.retry_after(Some(h)) {
                        Some(wait) => Retry::Safe(Some(wait)),
                        None => Retry::Never, // asked to wait longer than we block a PHP worker
                    },
                    None => Retry::Safe(None),
                }
            } else {
                Retry::MaybeApplied
            }
        } else {
            Retry::Never
        };
        interpret(status, retry, read_limited(call, response).await)
    }
}

/// What a reply means, from its status and body alone (pure, so it can be fuzzed): any
/// bytes give a [`Reply`] or a typed [`Failure`], never a panic.
fn interpret(status: u16, retry: Retry, body: Result<Vec<u8>, Failure>) -> Result<Reply, Failure> {
    if !(200..300).contains(&status) {
        let detail = body.ok().as_deref().and_then(error_text);
        let reason = reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
        let message = match detail {
            Some(text) => format!("Closte answered HTTP {status} {reason}: {text}"),
            None => format!("Closte answered HTTP {status} {reason}").trim_end().to_owned(),
        };
        return Err(Failure { error: Error::Api { status, message }, retry });
    }
    let body = body?;
    let json: Value = serde_json::from_slice(&body)
        .map_err(|_| if body.is_empty() { bad_reply("it is empty") } else { bad_reply("it is not JSON") })?;
    let Value::Object(obj) = json else {
        return Err(bad_reply("it is not a JSON object"));
    };
    match obj.get("success") {
        Some(Value::Bool(true)) => Ok(Reply::Accepted(obj)),
        Some(Value::Bool(false)) => {
            let message = error_text(&body).unwrap_or_else(|| "Closte refused the request without a reason".into());
            Ok(Reply::Refused { status, message })
        }
        _ => Err(bad_reply("it has no boolean \"success\" field")),
    }
}

/// The entries of an accepted `/getdomains` reply.
fn domain_list(mut body: Map<String, Value>) -> Result<Vec<DomainEntry>, Failure> {
    let items = match body.remove("domains") {
        Some(Value::Array(items)) => items,
        Some(Value::Null) | None => Vec::new(),
        Some(_) => return Err(bad_reply("its \"domains\" field is not a list")),
    };
    items
        .into_iter()
        .map(|item| DomainEntry::from_json(item).ok_or_else(|| bad_reply("a \"domains\" item has no name")))
        .collect()
}

fn bad_reply(what: &str) -> Failure {
    Failure {
        error: Error::transport(TransportKind::BadReply, format!("unreadable reply from Closte: {what}")),
        retry: Retry::Never,
    }
}

/// Closte's `error` string from a JSON body, if there is one.
fn error_text(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let text = v.get("error")?.as_str()?.trim();
    (!text.is_empty()).then(|| text.chars().take(500).collect())
}

async fn read_limited(call: &Call, mut response: reqwest::Response) -> Result<Vec<u8>, Failure> {
    let too_big = || Failure {
        error: Error::transport(
            TransportKind::BadReply,
            format!("unreadable reply from Closte: it exceeds {} MiB", MAX_REPLY_BYTES / (1024 * 1024)),
        ),
        retry: Retry::Never,
    };
    if response.content_length().is_some_and(|n| n > MAX_REPLY_BYTES as u64) {
        return Err(too_big());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| classify(call, e))? {
        if body.len() + chunk.len() > MAX_REPLY_BYTES {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Turns a reqwest error into a message without the URL (it may hold the key).
fn classify(call: &Call, e: reqwest::Error) -> Failure {
    let e = e.without_url();
    let host = match (call.url.host_str(), call.url.port_or_known_default()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => "Closte".to_owned(),
    };
    let chain = error_chain(&e);
    if let Some(tls) = rustls_error(&e) {
        // A bad certificate does not get better by asking again.
        let hint = if crate::http::no_system_roots() { format!(" ({})", crate::http::NO_ROOTS) } else { String::new() };
        return Failure {
            error: Error::transport(TransportKind::Tls, format!("TLS handshake with {host} failed: {tls}{hint}")),
            retry: Retry::Never,
        };
    }
    if e.is_connect() {
        let what = if e.is_timeout() { "timed out connecting to" } else { "cannot connect to" };
        // The innermost cause ("Connection refused (os error 111)") is the useful part.
        let mut cause: &(dyn std::error::Error + 'static) = &e;
        while let Some(inner) = cause.source() {
            cause = inner;
        }
        return Failure {
            error: Error::transport(TransportKind::Connect, format!("{what} {host}: {cause}")),
            retry: Retry::Safe(None),
        };
    }
    if e.is_timeout() {
        return Failure { error: call.timed_out(), retry: Retry::Never };
    }
    // The words an admin reads: hyper's "connection closed before message completed" behind
    // reqwest's "client error (SendRequest)" means Closte hung up before its answer came.
    let message = if closed_before_answer(&e) {
        format!("Closte ({host}) closed the connection before answering")
    } else {
        format!("connection to {host} failed: {chain}")
    };
    Failure { error: Error::transport(TransportKind::Interrupted, message), retry: Retry::MaybeApplied }
}

/// Whether the server closed the connection before a whole response came (hyper's
/// IncompleteMessage, somewhere in the error's sources).
fn closed_before_answer(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.downcast_ref::<hyper::Error>().is_some_and(hyper::Error::is_incomplete_message) {
            return true;
        }
        source = s.source();
    }
    false
}

/// The rustls error behind a failed request, if a TLS handshake is what failed.
fn rustls_error(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    // io::Errors (nested, here) hide the error they wrap from `source()`.
    fn unwrap_io<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        let inner: &'a (dyn std::error::Error + 'static) = err.downcast_ref::<std::io::Error>()?.get_ref()?;
        unwrap_io(inner)
    }
    let mut current = Some(e);
    while let Some(err) = current {
        if let Some(tls) = unwrap_io(err) {
            return Some(tls.to_string());
        }
        current = err.source();
    }
    None
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;
    use serde_json::json;

    fn rate_limited() -> Error {
        Error::Api { status: 429, message: "slow down".into() }
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap()
    }

    #[test]
    fn gate_holds_every_waiter_until_the_pause_ends() {
        rt().block_on(async {
            let gate = Arc::new(Gate::default());
            let far = Instant::now() + Duration::from_secs(10);
            assert!(matches!(gate.ready(far).now_or_never(), Some(Ok(()))), "an unpaused gate is open");
            gate.pause(Duration::from_millis(120), &rate_limited());
            assert!(gate.ready(far).now_or_never().is_none(), "a paused gate makes a request wait");
            let started = Instant::now();
            // Three workers arrive during the one pause: every one of them waits for it.
            let waits = futures_util::future::join_all((0..3).map(|_| {
                let gate = gate.clone();
                async move {
                    gate.ready(far).await.unwrap();
                    started.elapsed()
                }
            }))
            .await;
            for w in &waits {
                assert!(*w >= Duration::from_millis(110), "{w:?}");
            }
            // Once the time has passed the gate is open again, without waiting.
            assert!(matches!(gate.ready(far).now_or_never(), Some(Ok(()))));
        });
    }

    #[test]
    fn gate_keeps_the_longest_pause_and_fails_a_request_whose_deadline_comes_first() {
        rt().block_on(async {
            let gate = Gate::default();
            gate.pause(Duration::from_secs(5), &rate_limited());
            gate.pause(Duration::from_millis(1), &rate_limited()); // a shorter one does not shorten it
            // Fails without waiting (resolved on its first poll).
            let r = gate.ready(Instant::now() + Duration::from_secs(1)).now_or_never();
            assert!(matches!(r, Some(Err(Error::Api { status: 429, .. }))), "{r:?}");
        });
    }

    #[test]
    fn a_closed_gate_fails_every_later_request_with_its_cause() {
        rt().block_on(async {
            let gate = Gate::default();
            gate.close(&Error::Api { status: 429, message: "an hour".into() });
            gate.close(&Error::Api { status: 503, message: "later".into() }); // the first cause stays
            for _ in 0..3 {
                let r = gate.ready(Instant::now() + Duration::from_secs(10)).now_or_never();
                assert!(matches!(&r, Some(Err(Error::Api { status: 429, message })) if message == "an hour"), "{r:?}");
            }
        });
    }

    #[test]
    fn entries_from_strings_and_objects() {
        let e = DomainEntry::from_json(json!("Shop.Example.com.")).unwrap();
        assert_eq!((e.wire_name().as_str(), e.wildcard), ("shop.example.com", false));
        let e = DomainEntry::from_json(json!("*.example.com")).unwrap();
        assert!(e.wildcard);
        let e = DomainEntry::from_json(json!({"domain": "example.com", "wildcard": true, "ssl": "active"})).unwrap();
        assert_eq!(e.wire_name(), "*.example.com");
        assert_eq!(e.extra.get("ssl"), Some(&json!("active")));
        assert!(!e.extra.contains_key("domain"));
        let e = DomainEntry::from_json(json!({"name": "a.example", "wildcard": "0"})).unwrap();
        assert_eq!((e.domain.as_str(), e.wildcard), ("a.example", false));
        assert!(!e.extra.contains_key("name"), "the name field is not repeated: {e:?}");
        // With both, `domain` is the name and `name` stays an extra field.
        let e = DomainEntry::from_json(json!({"domain": "b.example", "name": "Shop B"})).unwrap();
        assert_eq!((e.domain.as_str(), e.extra.get("name")), ("b.example", Some(&json!("Shop B"))));
        let e = DomainEntry::from_json(json!({"domain": "*.b.example", "wildcard": 0})).unwrap();
        assert!(e.wildcard && !e.extra.contains_key("wildcard"), "{e:?}");
        assert!(DomainEntry::from_json(json!(42)).is_none());
        assert!(DomainEntry::from_json(json!({"id": 1})).is_none());
    }

    #[test]
    fn error_text_is_read_and_bounded() {
        assert_eq!(error_text(br#"{"success":false,"error":"Nope"}"#).as_deref(), Some("Nope"));
        assert_eq!(error_text(br#"{"success":false}"#), None);
        assert_eq!(error_text(b"<html>"), None);
        let long = format!(r#"{{"error":"{}"}}"#, "x".repeat(2000));
        assert_eq!(error_text(long.as_bytes()).unwrap().len(), 500);
    }
}

/// Property tests: any status and any bytes from the server give a typed outcome.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|f| json!(f)),
            any::<String>().prop_map(Value::String),
            Just(json!("shop.example.com")),
            Just(json!("*.example.com")),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::btree_map(
                    prop::sample::select(vec!["domain", "name", "wildcard", "success", "error", "domains", "x"]),
                    inner,
                    0..6
                )
                .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
            ]
        })
    }

    fn body() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..200),
            json_value().prop_map(|v| v.to_string().into_bytes()),
            (any::<bool>(), json_value(), json_value()).prop_map(|(ok, err, domains)| {
                json!({"success": ok, "error": err, "domains": domains}).to_string().into_bytes()
            }),
        ]
    }

    proptest! {
        #![proptest_config(crate::fuzz_config())]

        #[test]
        fn any_reply_has_a_typed_outcome(status in 100u16..600, body in body()) {
            match interpret(status, Retry::Never, Ok(body.clone())) {
                Ok(Reply::Accepted(obj)) => {
                    prop_assert!((200..300).contains(&status));
                    prop_assert_eq!(obj.get("success"), Some(&Value::Bool(true)));
                    // A list read from it is entries or a typed failure, never a panic.
                    if let Ok(entries) = domain_list(obj) {
                        prop_assert!(entries.iter().all(|e| !e.wire_name().ends_with('.')));
                    }
                }
                Ok(Reply::Refused { message, .. }) => prop_assert!(message.chars().count() <= 500 || message.starts_with("Closte refused")),
                Err(Failure { error: Error::Api { status: s, .. }, .. }) => prop_assert_eq!(s, status),
                Err(Failure { error: Error::Transport { kind, .. }, .. }) => {
                    prop_assert_eq!(kind, TransportKind::BadReply);
                    prop_assert!((200..300).contains(&status));
                }
                Err(Failure { error, .. }) => prop_assert!(false, "unexpected {error:?}"),
            }
        }

        #[test]
        fn any_domains_field_is_read_or_refused(domains in json_value()) {
            let mut body = Map::new();
            body.insert("domains".into(), domains);
            match domain_list(body) {
                Ok(entries) => prop_assert!(entries.iter().all(|e| e.wildcard || !e.wire_name().starts_with("*."))),
                Err(Failure { error: Error::Transport { kind, .. }, .. }) => prop_assert_eq!(kind, TransportKind::BadReply),
                Err(Failure { error, .. }) => prop_assert!(false, "unexpected {error:?}"),
            }
        }
    }
}
