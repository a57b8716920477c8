//! closte-core's client against the real emulator binary over loopback: every fault the
//! emulator can inject, and the emulator's own promises (state file, key never logged).

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use closte_core::api::Call;
use closte_core::retry::RetryPolicy;
use closte_core::{ApiClient, ApiKey, ChangeStatus, DomainName, Error, Settings, TransportKind};
use common::{Pki, Server};
use serde_json::{Value, json};

const KEY: &str = "ck_test_0123456789abcdef";

struct Emulator {
    url: String,
    _server: Server,
}

impl Emulator {
    fn start(extra: &[&str]) -> Self {
        let mut args = vec!["--api-key", KEY];
        args.extend_from_slice(extra);
        let server = Server::start(&args);
        Self { url: server.url.clone(), _server: server }
    }

    fn settings(&self) -> Settings {
        Settings { api_url: format!("{}/api/client", self.url), max_retries: 2, ..Settings::default() }
    }

    async fn control(&self, method: &str, what: &str, body: Value) -> Value {
        let http = http();
        let url = format!("{}/__emulator/{what}", self.url);
        let req = match method {
            "GET" => http.get(url),
            "DELETE" => http.delete(url),
            _ => http.post(url).body(body.to_string()),
        };
        let text = req.send().await.expect("control request").text().await.expect("control body");
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("control answer is not JSON: {text}"))
    }

    async fn fault(&self, fault: Value) {
        let r = self.control("POST", "faults", fault.clone()).await;
        assert_eq!(r["ok"], json!(true), "fault {fault} refused: {r}");
    }

    async fn paths(&self) -> Vec<String> {
        let log = self.control("GET", "requests", json!(null)).await;
        log["requests"].as_array().unwrap().iter().map(|r| r["path"].as_str().unwrap().to_owned()).collect()
    }
}

/// A plain client for the emulator's control endpoints (always plain HTTP here).
fn http() -> closte_core::http::HttpClient {
    closte_core::http::build_client(Duration::from_secs(5), None).expect("client")
}

fn client(settings: &Settings) -> ApiClient {
    let fast = RetryPolicy { base: Duration::from_millis(5), cap: Duration::from_millis(20), ..RetryPolicy::default() };
    ApiClient::new(settings.connect_timeout, settings.ca_file.as_deref()).expect("client").with_policy(fast)
}

fn key() -> ApiKey {
    ApiKey::new(KEY).unwrap()
}

fn name(s: &str) -> DomainName {
    DomainName::parse(s).unwrap()
}

#[tokio::test]
async fn add_list_remove_round_trip_is_idempotent() {
    let emu = Emulator::start(&[]);
    let s = emu.settings();
    let c = client(&s);
    let call = || Call::start(&s, &key()).unwrap();
    assert_eq!(c.add_domain(&call(), &name("Shop.Example.com")).await.unwrap().status, ChangeStatus::Added);
    assert_eq!(c.add_domain(&call(), &name("shop.example.com")).await.unwrap().status, ChangeStatus::AlreadyPresent);
    assert_eq!(c.add_domain(&call(), &name("*.example.org")).await.unwrap().status, ChangeStatus::Added);
    let list = c.list_domains(&call()).await.unwrap();
    let names: Vec<_> = list.iter().map(|e| (e.domain.as_str(), e.wildcard)).collect();
    assert_eq!(names, [("shop.example.com", false), ("*.example.org", true)]);
    assert_eq!(list[0].extra.get("ssl"), Some(&json!("pending")));
    assert_eq!(c.remove_domain(&call(), &name("shop.example.com")).await.unwrap().status, ChangeStatus::Removed);
    assert_eq!(c.remove_domain(&call(), &name("shop.example.com")).await.unwrap().status, ChangeStatus::NotPresent);
}

#[tokio::test]
async fn wrong_key_is_an_api_error_with_closte_text() {
    let emu = Emulator::start(&[]);
    let s = emu.settings();
    let other = ApiKey::new("not-the-key").unwrap();
    let err = client(&s).list_domains(&Call::start(&s, &other).unwrap()).await.unwrap_err();
    assert!(matches!(&err, Error::Api { status: 200, message } if message == "Invalid API key."), "{err:?}");
}

#[tokio::test]
async fn transient_statuses_are_retried_and_counted() {
    let emu = Emulator::start(&[]);
    let s = emu.settings();
    emu.fault(json!({"faults": [{"path": "adddomainalias", "status": 503}, {"path": "adddomainalias", "status": 429, "retry_after": 0}]})).await;
    let change = client(&s).add_domain(&Call::start(&s, &key()).unwrap(), &name("a.example.com")).await.unwrap();
    assert_eq!((change.status, change.attempts), (ChangeStatus::Added, 3));
}

#[tokio::test]
async fn retries_stop_at_max_retries_with_the_last_status() {
    let emu = Emulator::start(&[]);
    let mut s = emu.settings();
    s.max_retries = 1;
    emu.fault(json!({"status": 503, "count": 5})).await;
    let err = client(&s).list_domains(&Call::start(&s, &key()).unwrap()).await.unwrap_err();
    assert!(matches!(err, Error::Api { status: 503, .. }), "{err:?}");
    assert_eq!(emu.paths().await.len(), 2);
}

#[tokio::test]
async fn permanent_statuses_fail_at_once() {
    let emu = Emulator::start(&[]);
    let s = emu.settings();
    emu.fault(json!({"path": "adddomainalias", "status": 400})).await;
    let err = client(&s).add_domain(&Call::start(&s, &key()).unwrap(), &name("a.example.com")).await.unwrap_err();
    assert!(matches!(err, Error::Api { status: 400, .. }), "{err:?}");
    assert_eq!(emu.paths().await, ["/adddomainalias"]);
}

#[tokio::test]
async fn a_lost_reply_is_confirmed_not_resent() {
    let emu = Emulator::start(&[]);
    let s = emu.settings();
    emu.fault(json!({"path": "adddomainalias", "drop": true, "apply": true})).await;
    let change = client(&s).add_domain(&Call::start(&s, &key()).unwrap(), &name("a.example.com")).await.unwrap();
    assert_eq!((change.status, change.attempts), (ChangeStatus::Added, 1));
    assert_eq!(emu.paths().await, ["/adddomainalias", "/getdomains"]);
}

#[tokio::test]
async fn a_drop_before_processing_is_resent() {
    let emu = Emulator::start(&[]);
    let s = emu.settings();
    emu.fault(json!({"path": "deletedomainalias", "drop": true})).await;
    let c = client(&s);
    c.add_domain(&Call::start(&s, &key()).unwrap(), &name("a.example.com")).await.unwrap();
    let change = c.remove_domain(&Call::start(&s, &key()).unwrap(), &name("a.example.com")).await.unwrap();
    assert_eq!((change.status, change.attempts), (ChangeStatus::Removed, 2));
    assert_eq!(emu.paths().await, ["/adddomainalias", "/deletedomainalias", "/getdomains", "/deletedomainalias"]);
}

#[tokio::test]
async fn unreadable_replies_are_bad_reply_errors() {
    let emu = Emulator::start(&[]);
    let s = emu.settings();
    let c = client(&s);
    for body in ["malformed", "empty", "oversized"] {
        emu.fault(json!({"path": "getdomains", "body": body})).await;
        let err = c.list_domains(&Call::start(&s, &key()).unwrap()).await.unwrap_err();
        assert!(matches!(err, Error::Transport { kind: TransportKind::BadReply, .. }), "{body}: {err:?}");
    }
}

#[tokio::test]
async fn a_slow_server_is_bounded_by_the_timeout() {
    let emu = Emulator::start(&[]);
    let mut s = emu.settings();
    s.timeout = Duration::from_millis(300);
    emu.fault(json!({"delay_ms": 5000, "count": 5})).await;
    let started = Instant::now();
    let err = client(&s).list_domains(&Call::start(&s, &key()).unwrap()).await.unwrap_err();
    assert!(matches!(err, Error::Transport { kind: TransportKind::Timeout, .. }), "{err:?}");
    // Not a speed check: without the bound this would take 5 s per attempt.
    assert!(started.elapsed() < Duration::from_secs(4), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn connection_refused_is_a_connect_error_without_the_key() {
    let emu = Emulator::start(&[]);
    let s = emu.settings();
    drop(emu);
    let err = client(&s).list_domains(&Call::start(&s, &key()).unwrap()).await.unwrap_err();
    assert!(matches!(err, Error::Transport { kind: TransportKind::Connect, .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains(KEY), "key leaked: {err}");
}

#[tokio::test]
async fn https_needs_the_ca_file() {
    let certs = Pki::new();
    let pem = |f: &str| certs.path(f).to_string_lossy().into_owned();
    let emu = Emulator::start(&["--tls-cert", &pem("localhost.pem"), "--tls-key", &pem("localhost.key")]);
    assert!(emu.url.starts_with("https://"));
    let mut s = emu.settings();
    let err = client(&s).list_domains(&Call::start(&s, &key()).unwrap()).await.unwrap_err();
    assert!(matches!(err, Error::Transport { kind: TransportKind::Tls, .. }), "{err:?}");
    s.ca_file = Some(certs.path("ca.pem"));
    let change = client(&s).add_domain(&Call::start(&s, &key()).unwrap(), &name("tls.example.com")).await.unwrap();
    assert_eq!(change.status, ChangeStatus::Added);
}

#[tokio::test]
async fn state_file_survives_restart_and_log_never_holds_the_key() {
    let dir = Pki::new(); // any fresh directory will do
    let state = dir.path("state.json");
    let state_arg = state.to_string_lossy().into_owned();
    {
        let emu = Emulator::start(&["--state", &state_arg]);
        let s = emu.settings();
        client(&s).add_domain(&Call::start(&s, &key()).unwrap(), &name("kept.example.com")).await.unwrap();
        let log = emu.control("GET", "requests", json!(null)).await.to_string();
        assert!(!log.contains(KEY), "the emulator stored the key: {log}");
        assert!(log.contains("\"apikey_ok\":true"));
    }
    let emu = Emulator::start(&["--state", &state_arg]);
    let s = emu.settings();
    let list = client(&s).list_domains(&Call::start(&s, &key()).unwrap()).await.unwrap();
    assert_eq!(list.iter().map(|e| e.domain.as_str()).collect::<Vec<_>>(), ["kept.example.com"]);
    assert!(Path::new(&state).exists());
}

#[tokio::test]
async fn unknown_paths_and_bad_faults_are_refused() {
    let emu = Emulator::start(&[]);
    let http = http();
    let r = http.get(format!("{}/api/client/nosuch", emu.url)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let r = emu.control("POST", "faults", json!({"status": 503, "bogus": 1})).await;
    assert_eq!(r["ok"], json!(false), "{r}");
    let r = http
        .post(format!("{}/api/client/adddomainalias", emu.url))
        .body(format!("apikey={KEY}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    let body: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(body, json!({"success": false, "error": "Invalid or empty domain: "}));
}
