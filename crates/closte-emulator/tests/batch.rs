//! closte-core's batch functions against the real emulator binary: bounded concurrency,
//! one list read, duplicates sent once, and the shared rate-limit pause.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use closte_core::api::Call;
use closte_core::batch;
use closte_core::retry::RetryPolicy;
use closte_core::{ApiClient, ApiKey, ChangeStatus, DomainName, Error, Settings};
use common::Server;
use serde_json::{Value, json};

const KEY: &str = "ck_test_batch_0123456789";

struct Emu {
    server: Server,
}

impl Emu {
    fn start() -> Self {
        Self { server: Server::start(&["--api-key", KEY]) }
    }

    fn settings(&self) -> Settings {
        Settings { api_url: format!("{}/api/client", self.server.url), max_retries: 2, ..Settings::default() }
    }

    async fn control(&self, post: Option<Value>, what: &str) -> Value {
        let http = closte_core::http::build_client(Duration::from_secs(5), None).unwrap();
        let url = format!("{}/__emulator/{what}", self.server.url);
        let req = match post {
            Some(body) => http.post(url).body(body.to_string()),
            None => http.get(url),
        };
        serde_json::from_str(&req.send().await.unwrap().text().await.unwrap()).unwrap()
    }

    async fn requests(&self) -> Vec<Value> {
        self.control(None, "requests").await["requests"].as_array().unwrap().clone()
    }
}

fn client() -> ApiClient {
    let fast = RetryPolicy { base: Duration::from_millis(5), cap: Duration::from_millis(20), ..RetryPolicy::default() };
    ApiClient::new(Duration::from_secs(5), None).unwrap().with_policy(fast)
}

fn names(n: usize) -> Vec<closte_core::Result<DomainName>> {
    (0..n).map(|i| DomainName::parse(&format!("n{i}.example.com"))).collect()
}

fn posts(log: &[Value]) -> Vec<&Value> {
    log.iter().filter(|r| r["path"] == "/adddomainalias").collect()
}

#[tokio::test]
async fn at_most_concurrency_requests_are_in_flight() {
    for concurrency in [1, 4] {
        let emu = Emu::start();
        // Every add is held 40 ms, so requests overlap whenever the batch lets them.
        emu.control(Some(json!({"path": "adddomainalias", "delay_ms": 40, "count": 12})), "faults").await;
        let s = emu.settings();
        let call = Call::start(&s, &ApiKey::new(KEY).unwrap()).unwrap();
        let out = batch::change_many(&client(), &call, names(12), true, concurrency).await;
        assert!(out.iter().all(|i| matches!(&i.result, Ok(c) if c.status == ChangeStatus::Added)));
        let log = emu.requests().await;
        let conns: HashSet<u64> = posts(&log).iter().map(|r| r["conn"].as_u64().unwrap()).collect();
        // A pooled client opens a new connection only when all of its connections are busy:
        // the number of connections is the number of requests that were in flight at once.
        assert_eq!(conns.len(), concurrency, "connections used at concurrency {concurrency}");
        assert_eq!(call.requests(), 13, "one list read and one POST per name");
    }
}

#[tokio::test]
async fn one_read_then_only_missing_names_and_duplicates_once() {
    let emu = Emu::start();
    let s = emu.settings();
    let key = ApiKey::new(KEY).unwrap();
    let c = client();
    c.add_domain(&Call::start(&s, &key).unwrap(), &DomainName::parse("there.example.com").unwrap()).await.unwrap();
    let items = ["A.example.com", "there.example.com", "a.example.com.", "bad..x", "b.example.com"]
        .iter()
        .map(|n| DomainName::parse(n))
        .collect();
    let call = Call::start(&s, &key).unwrap();
    let out = batch::change_many(&c, &call, items, true, 8).await;
    let statuses: Vec<String> = out
        .iter()
        .map(|i| match &i.result {
            Ok(c) => format!("{} {}", c.domain.to_wire(), c.status.as_str()),
            Err(Error::InvalidDomain { .. }) => "invalid".into(),
            Err(e) => format!("error {e}"),
        })
        .collect();
    assert_eq!(
        statuses,
        [
            "a.example.com added",
            "there.example.com already_present",
            "a.example.com added",
            "invalid",
            "b.example.com added"
        ]
    );
    let log = emu.requests().await;
    let mut sent: Vec<&str> = posts(&log).iter().map(|r| r["form"]["domain"].as_str().unwrap()).collect();
    sent.sort();
    assert_eq!(sent, ["a.example.com", "b.example.com", "there.example.com"]); // the first from the single add
    assert_eq!(call.requests(), 3);
}

#[tokio::test]
async fn a_429_pauses_the_whole_batch_once() {
    let emu = Emu::start();
    emu.control(Some(json!({"path": "adddomainalias", "status": 429, "retry_after": 1})), "faults").await;
    let s = emu.settings();
    let call = Call::start(&s, &ApiKey::new(KEY).unwrap()).unwrap();
    let out = batch::change_many(&client(), &call, names(16), true, 4).await;
    assert!(out.iter().all(|i| i.result.is_ok()), "{out:?}");
    let log = emu.requests().await;
    let posts = posts(&log);
    let t429 = posts.iter().find(|r| !r["fault"].is_null()).unwrap()["t_ms"].as_f64().unwrap();
    // Only what the other three workers already had on the wire may arrive after the 429
    // within the pause; without a shared pause they would send the other names at once.
    let during: Vec<f64> =
        posts.iter().map(|r| r["t_ms"].as_f64().unwrap()).filter(|t| *t > t429 && *t < t429 + 950.0).collect();
    assert!(during.len() <= 3, "requests started during the pause: {during:?}");
    assert_eq!(posts.len(), 17);
}

#[tokio::test]
async fn a_wait_beyond_the_cap_fails_the_rest_without_sending_them() {
    let emu = Emu::start();
    emu.control(Some(json!({"path": "adddomainalias", "status": 429, "retry_after": 3600})), "faults").await;
    let s = emu.settings();
    let call = Call::start(&s, &ApiKey::new(KEY).unwrap()).unwrap();
    let out = batch::change_many(&client(), &call, names(10), true, 1).await;
    let mut tally: HashMap<&str, usize> = HashMap::new();
    for i in &out {
        *tally
            .entry(if matches!(i.result, Err(Error::Api { status: 429, .. })) { "429" } else { "other" })
            .or_default() += 1;
    }
    assert_eq!(tally.get("429"), Some(&10), "{out:?}");
    assert_eq!(posts(&emu.requests().await).len(), 1, "only the refused request was sent");
}

/// The guard lives in the core: a Rust caller of `batch::sync` with no valid wanted name
/// cannot remove every alias, and nothing at all is sent.
#[tokio::test]
async fn sync_never_removes_everything_for_an_empty_or_invalid_list() {
    let emu = Emu::start();
    let key = ApiKey::new(KEY).unwrap();
    let call = Call::start(&emu.settings(), &key).unwrap();
    let c = client();
    batch::change_many(&c, &call, names(3), true, 4).await;
    let before = emu.requests().await.len();
    for wanted in [vec![], vec![("bad..name".to_owned(), DomainName::parse("bad..name"))]] {
        let r = batch::sync(&c, &call, wanted, true, false, 4).await;
        assert!(matches!(&r, Err(Error::Config(m)) if m.contains(batch::REMOVE_UNLISTED_NEEDS_A_NAME)), "{r:?}");
    }
    assert_eq!(emu.requests().await.len(), before, "nothing was sent");
    let left = c.list_domains(&call.for_item()).await.unwrap();
    assert_eq!(left.len(), 3, "every alias is still there");
}
