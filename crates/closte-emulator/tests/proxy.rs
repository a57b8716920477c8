//! `closte-emulator proxy`: bytes pass through unchanged, and every request pays the
//! round trip it was given (a lower bound: that is what the benchmarks rely on).

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{BIN, Server};

struct Proxy(std::process::Child, u16);

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn proxy(to: u16, rtt_ms: u64) -> Proxy {
    let mut child = Command::new(BIN)
        .args(["proxy", "--to", &format!("127.0.0.1:{to}"), "--rtt-ms", &rtt_ms.to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the proxy");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let port = line.trim().rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("{line:?}"));
    Proxy(child, port)
}

#[tokio::test]
async fn every_request_pays_the_round_trip_and_arrives_intact() {
    let emu = Server::start(&["--api-key", "k"]);
    let p = proxy(emu.port, 150);
    let http = closte_core::http::build_client(Duration::from_secs(5), None).unwrap();
    let url = format!("http://127.0.0.1:{}/__emulator/health", p.1);
    for _ in 0..2 {
        // The first request opens the connection, the second reuses it: both pay one RTT.
        let t = Instant::now();
        let body = http.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(t.elapsed() >= Duration::from_millis(150), "{:?}", t.elapsed());
        assert_eq!(body, r#"{"domains":0,"ok":true}"#);
    }
}

#[test]
fn bad_arguments_are_refused() {
    let out = Command::new(BIN).args(["proxy", "--rtt-ms", "20"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--to is required"));
}
