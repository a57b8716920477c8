//! closte-core's DNS check against `closte-emulator dns` over loopback UDP/TCP: every
//! verdict, CNAME chains, IPv6, and the batch's concurrency counted by the server.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use closte_core::DomainName;
use closte_core::batch;
use closte_core::dns_check::{self, DnsCheck, DnsReport, Expected};
use common::BIN;

const ZONE: &str = "\
shop.example.com       300 A     198.51.100.7
elsewhere.example.com  120 A     203.0.113.9
www.shop.example.com    60 CNAME lb.closte.test
lb.closte.test          30 CNAME edge.closte.test
edge.closte.test       600 A     198.51.100.7
v6.example.com         300 AAAA  2001:db8::7
dual.example.com       300 A     203.0.113.9
dual.example.com       300 AAAA  2001:db8::7
broken.example.com     SERVFAIL
silent.example.com     SILENT
";

/// A DNS server from the emulator binary, killed when dropped; its zone file with it.
struct Dns {
    child: Child,
    addr: SocketAddr,
    zone: std::path::PathBuf,
}

impl Dns {
    fn start(zone: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("closte-zone-{}-{:?}", std::process::id(), std::thread::current().id()));
        std::fs::File::create(&path).and_then(|mut f| f.write_all(zone.as_bytes())).expect("zone file");
        let mut child = Command::new(BIN)
            .args(["dns", "--zone", path.to_str().unwrap()])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the dns emulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line.trim().strip_prefix("listening on udp://").and_then(|a| a.parse().ok());
        Self { child, addr: addr.unwrap_or_else(|| panic!("unexpected first line {line:?}")), zone: path }
    }

    fn check(&self, expect: &[&str]) -> DnsCheck {
        DnsCheck {
            nameservers: vec![self.addr],
            expect: expect.iter().map(|e| Expected::parse(e).unwrap()).collect(),
            timeout: Duration::from_secs(2),
        }
    }

    /// The server's counters, read through a TXT query as any client would.
    fn stats(&self, control: &str) -> String {
        let rt = runtime();
        rt.block_on(async {
            let resolver = dns_check::resolver(&self.check(&[])).unwrap();
            let txt = resolver.lookup(control, hickory_proto::rr::RecordType::TXT).await.unwrap();
            txt.answers()[0].data.to_string()
        })
    }
}

impl Drop for Dns {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.zone);
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn check(name: &str, opts: &DnsCheck) -> DnsReport {
    runtime().block_on(dns_check::check(&DomainName::parse(name).unwrap(), opts)).unwrap()
}

fn reason(r: &DnsReport) -> &'static str {
    r.reason.map_or("ok", |r| r.as_str())
}

#[test]
fn every_verdict_from_the_emulator() {
    let dns = Dns::start(ZONE);
    let opts = dns.check(&["198.51.100.7"]);
    let ok = check("shop.example.com", &opts);
    assert_eq!(
        (reason(&ok), ok.a.clone(), ok.matched.clone(), ok.ttl),
        ("ok", vec!["198.51.100.7".into()], vec!["198.51.100.7".into()], Some(300))
    );
    assert_eq!(ok.error, None);

    let away = check("elsewhere.example.com", &opts);
    assert_eq!(reason(&away), "points_elsewhere");
    assert_eq!(away.error.as_deref(), Some("elsewhere.example.com points to 203.0.113.9; Closte expects 198.51.100.7"));

    let nx = check("nothing.example.com", &opts);
    assert_eq!((reason(&nx), nx.ttl), ("nxdomain", None));
    assert_eq!(nx.error.as_deref(), Some("nothing.example.com does not exist in DNS (NXDOMAIN)"));

    let v6only = check("v6.example.com", &opts);
    assert_eq!((reason(&v6only), v6only.aaaa.clone()), ("points_elsewhere", vec!["2001:db8::7".into()]));

    let fail = check("broken.example.com", &opts);
    assert_eq!(reason(&fail), "servfail", "{fail:?}");
    assert!(fail.error.as_deref().unwrap().contains("SERVFAIL"), "{fail:?}");

    let none = check("shop.example.com", &dns.check(&[]));
    assert_eq!(reason(&none), "no_expectation");
    assert!(
        none.error
            .as_deref()
            .unwrap()
            .starts_with("shop.example.com points to 198.51.100.7; there is nothing to compare with")
    );
}

#[test]
fn no_records_chains_and_silence() {
    let dns = Dns::start(
        "txt.example.com 300 TXT hello\nonly.example.com 300 CNAME x.example.com\n\
         x.example.com 300 CNAME y.example.com\ny.example.com 1 CNAME z.example.com\n\
         z.example.com 5 AAAA 2001:db8::9\nquiet.example.com SILENT\n",
    );
    let mut opts = dns.check(&["198.51.100.7"]);
    let r = check("txt.example.com", &opts);
    assert_eq!((reason(&r), r.error.as_deref()), ("no_records", Some("txt.example.com has no A or AAAA record")));

    let r = check("only.example.com", &opts);
    assert_eq!(r.cname, vec!["x.example.com", "y.example.com", "z.example.com"]);
    assert_eq!((reason(&r), r.aaaa.clone(), r.ttl), ("points_elsewhere", vec!["2001:db8::9".to_string()], Some(1)));

    opts.timeout = Duration::from_millis(600);
    let started = std::time::Instant::now();
    let r = check("quiet.example.com", &opts);
    assert_eq!(reason(&r), "timeout", "{r:?}");
    assert_eq!(r.error.as_deref(), Some("no DNS answer for quiet.example.com within 0.6 s"));
    assert!(started.elapsed() >= Duration::from_millis(600), "gave up before its timeout");
}

#[test]
fn a_cname_chain_to_an_expected_host_counts() {
    let dns = Dns::start(ZONE);
    let r = check("www.shop.example.com", &dns.check(&["edge.closte.test"]));
    assert_eq!(reason(&r), "ok");
    assert_eq!(r.cname, vec!["lb.closte.test", "edge.closte.test"]);
    assert_eq!((r.matched.clone(), r.ttl), (vec!["edge.closte.test".to_string()], Some(30)));
    let r = check("www.shop.example.com", &dns.check(&["other.closte.test"]));
    assert_eq!(reason(&r), "points_elsewhere");
    assert_eq!(
        r.error.as_deref(),
        Some(
            "www.shop.example.com points to 198.51.100.7 (through CNAME lb.closte.test → edge.closte.test); Closte expects other.closte.test"
        )
    );
}

#[test]
fn ipv6_expectations_match_aaaa() {
    let dns = Dns::start(ZONE);
    let r = check("dual.example.com", &dns.check(&["198.51.100.7", "2001:db8::7"]));
    assert_eq!(
        (reason(&r), r.a.clone(), r.aaaa.clone()),
        ("ok", vec!["203.0.113.9".into()], vec!["2001:db8::7".into()])
    );
    assert_eq!(r.matched, vec!["2001:db8::7"]);
}

#[test]
fn many_keeps_order_and_holds_at_most_concurrency_names_at_once() {
    let mut zone = String::new();
    for i in 0..12 {
        zone.push_str(&format!("n{i}.example.com 60 A 198.51.100.{i}\nn{i}.example.com DELAY 50\n"));
    }
    let dns = Dns::start(&zone);
    for concurrency in [1, 3] {
        dns.stats("reset.emulator.");
        let names = (0..12).rev().map(|i| DomainName::parse(&format!("n{i}.example.com"))).collect();
        let items =
            runtime().block_on(batch::check_dns_many(names, &dns.check(&["198.51.100.5"]), concurrency)).unwrap();
        let got: Vec<_> = items.iter().map(|i| i.result.as_ref().unwrap().a.clone()).collect();
        let want: Vec<_> = (0..12).rev().map(|i| vec![format!("198.51.100.{i}")]).collect();
        assert_eq!(got, want);
        assert_eq!(items.iter().filter(|i| i.result.as_ref().unwrap().ok()).count(), 1);
        // A and AAAA of each name are held by the server together: 2 per name in flight.
        assert_eq!(dns.stats("stats.emulator."), format!("queries=24 max_pending={}", 2 * concurrency));
    }
}
