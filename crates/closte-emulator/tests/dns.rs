//! closte-core's DNS check against `closte-emulator dns` over loopback UDP/TCP: every
//! verdict (Cloudflare's proxy, stray addresses and CAA included), CNAME chains, IPv6, and
//! the batch's concurrency and CAA queries counted by the server.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use closte_core::DomainName;
use closte_core::batch;
use closte_core::caa::{CaaRecord, CaaSet};
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
            caa_issuer: "letsencrypt.org".into(),
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
    let r = check("v6.example.com", &dns.check(&["198.51.100.7", "2001:db8::7"]));
    assert_eq!(
        (reason(&r), r.aaaa.clone(), r.matched.clone()),
        ("ok", vec!["2001:db8::7".into()], vec!["2001:db8::7".into()])
    );
    // The AAAA is Closte's, the A is not: partly elsewhere (it was ok before 0.4.0).
    let r = check("dual.example.com", &dns.check(&["198.51.100.7", "2001:db8::7"]));
    assert_eq!(
        (reason(&r), r.a.clone(), r.aaaa.clone()),
        ("partly_elsewhere", vec!["203.0.113.9".into()], vec!["2001:db8::7".into()])
    );
    assert_eq!(r.matched, vec!["2001:db8::7"]);
    assert!(r.error.as_deref().unwrap().contains("through the record A 203.0.113.9:"), "{r:?}");
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
        // The one name pointing at Closte then asks CAA for n5.example.com, example.com and
        // com, one after the other: 24 + 3 queries.
        assert_eq!(dns.stats("stats.emulator."), format!("queries=27 max_pending={} caa=3", 2 * concurrency));
    }
}

const DOCTOR_ZONE: &str = "\
cf.example.com           300 A     104.16.132.229
cf.example.com           300 AAAA  2606:4700::6810:84e5
cfhalf.example.com       300 A     104.16.132.229
cfhalf.example.com       300 A     203.0.113.9
cfcloste.example.com     300 A     198.51.100.7
cfcloste.example.com     300 A     172.67.1.1
stray6.example.com       300 A     198.51.100.7
stray6.example.com       300 AAAA  2001:db8::66
stray4.example.com       300 A     198.51.100.7
stray4.example.com       300 A     203.0.113.9
cdn.example.com          300 CNAME edge.closte.test
edge.closte.test         300 A     198.51.100.7
edge.closte.test         300 AAAA  2001:db8::ed9e
edge.closte.test         300 CAA   0 issue \"letsencrypt.org\"
plain.example.com        300 A     198.51.100.7
example.org              300 CAA   0 issue \"sectigo.com\"
example.org              300 CAA   0 iodef \"mailto:security@example.org\"
shop.example.org         300 A     198.51.100.7
own.example.org          300 A     198.51.100.7
own.example.org          300 CAA   0 issue \"letsencrypt.org; validationmethods=http-01\"
shop.example.net         300 A     198.51.100.7
example.net              300 CAA   0 issue \"sectigo.com\"
example.net              300 CAA   0 issuewild \"letsencrypt.org\"
shop.example.info        300 A     198.51.100.7
example.info             300 CAA   0 issue \"letsencrypt.org\"
example.info             300 CAA   0 issuewild \";\"
crit.example.com         300 A     198.51.100.7
crit.example.com         300 CAA   0 issue \"letsencrypt.org\"
crit.example.com         300 CAA   128 tbs \"unknown\"
none.example.com         300 A     198.51.100.7
none.example.com         300 CAA   0 issue \";\"
shop.example.biz         300 A     198.51.100.7
example.biz              SERVFAIL
shop.example.dev         300 A     198.51.100.7
example.dev              SILENT
";

fn caa(domain: &str, records: &[(u8, &str, &str)]) -> Option<CaaSet> {
    Some(CaaSet {
        domain: domain.into(),
        records: records
            .iter()
            .map(|(flags, tag, value)| CaaRecord { flags: *flags, tag: (*tag).into(), value: (*value).into() })
            .collect(),
    })
}

#[test]
fn cloudflare_proxy_when_every_address_is_cloudflares_and_none_is_clostes() {
    let dns = Dns::start(DOCTOR_ZONE);
    let opts = dns.check(&["198.51.100.7"]);
    let r = check("cf.example.com", &opts);
    assert_eq!(reason(&r), "proxied", "{r:?}");
    assert_eq!(
        r.error.as_deref(),
        Some(
            "cf.example.com points to 104.16.132.229, 2606:4700::6810:84e5, Cloudflare's proxy: visitors and \
             Let's Encrypt reach Cloudflare, never Closte; in Cloudflare's DNS settings set the record to \
             \"DNS only\" (grey cloud) and point it at 198.51.100.7"
        )
    );
    assert!(!r.ok() && r.caa.is_none());
    // One address outside Cloudflare: the name points elsewhere, not (only) through the proxy.
    assert_eq!(reason(&check("cfhalf.example.com", &opts)), "points_elsewhere");
    // Closte's address beside a Cloudflare one: partly elsewhere, the stray named as Cloudflare's.
    let r = check("cfcloste.example.com", &opts);
    assert_eq!(reason(&r), "partly_elsewhere");
    assert!(r.error.as_deref().unwrap().contains("the record A 172.67.1.1 (Cloudflare's proxy)"), "{r:?}");
    // An expected address is never "proxied", even inside Cloudflare's ranges.
    let r = check("cf.example.com", &dns.check(&["104.16.132.229", "2606:4700::6810:84e5"]));
    assert_eq!(reason(&r), "ok", "{r:?}");
    // Nothing to compare with comes first.
    assert_eq!(reason(&check("cf.example.com", &dns.check(&[]))), "no_expectation");
}

#[test]
fn partly_elsewhere_names_each_stray_address_and_its_type() {
    let dns = Dns::start(DOCTOR_ZONE);
    let opts = dns.check(&["198.51.100.7"]);
    let r = check("stray6.example.com", &opts);
    assert_eq!((reason(&r), r.ok(), r.matched.clone()), ("partly_elsewhere", false, vec!["198.51.100.7".to_string()]));
    assert_eq!(
        r.error.as_deref(),
        Some(
            "stray6.example.com points to Closte (198.51.100.7) but also elsewhere, through the record \
             AAAA 2001:db8::66: visitors may reach the other server, and Let's Encrypt validates over IPv6 \
             whenever an AAAA record exists, so the certificate may never be issued; remove it or point it at \
             Closte (198.51.100.7)"
        )
    );
    let r = check("stray4.example.com", &opts);
    assert_eq!(reason(&r), "partly_elsewhere");
    let e = r.error.unwrap();
    assert!(e.contains("through the record A 203.0.113.9: visitors may reach the other server, and Let's Encrypt may validate against the other server"), "{e}");
    // Both addresses expected: ok.
    assert_eq!(reason(&check("stray6.example.com", &dns.check(&["198.51.100.7", "2001:db8::66"]))), "ok");
    // A CNAME chain to an expected host brings that host's addresses, none stray (the
    // host's AAAA is not in expect), and the target's CAA record set (followed by the resolver).
    let r = check("cdn.example.com", &dns.check(&["edge.closte.test"]));
    assert_eq!(reason(&r), "ok", "{r:?}");
    assert_eq!(r.caa, caa("edge.closte.test", &[(0, "issue", "letsencrypt.org")]));
}

#[test]
fn caa_closest_set_decides_for_the_issuer() {
    let dns = Dns::start(DOCTOR_ZONE);
    let opts = dns.check(&["198.51.100.7"]);

    // No CAA on the name or any parent: ok, caa None.
    let r = check("plain.example.com", &opts);
    assert_eq!((reason(&r), r.caa.clone()), ("ok", None));

    // A parent's set forbids: found at example.org, its records reported.
    let r = check("shop.example.org", &opts);
    assert_eq!(reason(&r), "caa_forbids", "{r:?}");
    assert_eq!(r.caa, caa("example.org", &[(0, "issue", "sectigo.com"), (0, "iodef", "mailto:security@example.org")]));
    assert_eq!(
        r.error.as_deref(),
        Some(
            "shop.example.org points to Closte, but the CAA records of example.org allow only sectigo.com to \
             issue certificates, not letsencrypt.org (the CA Closte uses): add the record example.org. CAA 0 \
             issue \"letsencrypt.org\" or remove the CAA records"
        )
    );
    assert_eq!(r.matched, vec!["198.51.100.7"]);
    // The closest set wins: the name's own allows Let's Encrypt, the parent's is not read.
    let r = check("own.example.org", &opts);
    assert_eq!(reason(&r), "ok", "{r:?}");
    assert_eq!(r.caa, caa("own.example.org", &[(0, "issue", "letsencrypt.org; validationmethods=http-01")]));
    // caa_issuer names another CA.
    let sectigo = DnsCheck { caa_issuer: "sectigo.com".into(), ..opts.clone() };
    assert_eq!(reason(&check("shop.example.org", &sectigo)), "ok");
    assert_eq!(reason(&check("own.example.org", &sectigo)), "caa_forbids");

    // issuewild authorizes wildcard names only: a concrete name is judged by issue.
    let r = check("shop.example.net", &opts);
    assert_eq!(reason(&r), "caa_forbids", "{r:?}");
    assert!(r.error.as_deref().unwrap().contains("allow only sectigo.com"), "{r:?}");
    // ...and an issuewild forbidding every CA does not stop a concrete name.
    assert_eq!(reason(&check("shop.example.info", &opts)), "ok");

    // An unknown critical property forbids; `issue ";"` allows no CA.
    let r = check("crit.example.com", &opts);
    assert_eq!(reason(&r), "caa_forbids");
    assert!(r.error.as_deref().unwrap().contains("critical property \"tbs\" (flags 128)"), "{r:?}");
    let r = check("none.example.com", &opts);
    assert!(r.error.as_deref().unwrap().contains("allow no CA to issue"), "{r:?}");

    // A CAA query that fails is a failure of resolution: no CA issues then.
    let r = check("shop.example.biz", &opts);
    assert_eq!(reason(&r), "servfail");
    assert_eq!(
        r.error.as_deref(),
        Some(
            "shop.example.biz points to Closte, but the DNS server could not answer the CAA query for \
             example.biz (SERVFAIL); no CA issues a certificate while CAA records cannot be read"
        )
    );
    let r = check("shop.example.dev", &DnsCheck { timeout: Duration::from_millis(600), ..opts.clone() });
    assert_eq!(reason(&r), "timeout");
    assert_eq!(
        r.error.as_deref(),
        Some(
            "shop.example.dev points to Closte, but its CAA records could not be read within 0.6 s \
             (no CA issues a certificate while they cannot be read)"
        )
    );
    // Addresses that are wrong are reported first; CAA is not looked up then.
    let r = check("shop.example.org", &dns.check(&["203.0.113.1"]));
    assert_eq!((reason(&r), r.caa.clone()), ("points_elsewhere", None));
}

#[test]
fn many_gives_the_single_checks_reasons_in_order_and_asks_a_shared_parent_once() {
    let dns = Dns::start(DOCTOR_ZONE);
    let opts = dns.check(&["198.51.100.7"]);
    let names = [
        "cf.example.com",
        "stray6.example.com",
        "shop.example.org",
        "own.example.org",
        "shop.example.net",
        "shop.example.info",
        "plain.example.com",
        "cfhalf.example.com",
        "shop.example.biz",
        "nothing.example.com",
    ];
    let single: Vec<(String, Option<String>, Option<CaaSet>)> = names
        .iter()
        .map(|n| {
            let r = check(n, &opts);
            (reason(&r).to_owned(), r.error, r.caa)
        })
        .collect();
    let items = runtime()
        .block_on(batch::check_dns_many(names.iter().map(|n| DomainName::parse(n)).collect(), &opts, 4))
        .unwrap();
    let many: Vec<(String, Option<String>, Option<CaaSet>)> = items
        .into_iter()
        .map(|i| {
            let r = i.result.unwrap();
            (reason(&r).to_owned(), r.error, r.caa)
        })
        .collect();
    assert_eq!(many, single);
    let reasons: Vec<&str> = many.iter().map(|(r, ..)| r.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "proxied",
            "partly_elsewhere",
            "caa_forbids",
            "ok",
            "caa_forbids",
            "ok",
            "ok",
            "points_elsewhere",
            "servfail",
            "nxdomain"
        ]
    );

    // Five names under example.org, checked at once: each asks A, AAAA and its own CAA;
    // the parent's set is asked once for all five (5 × 3 + 1).
    let names: Vec<_> = (0..5).map(|i| DomainName::parse(&format!("n{i}.example.org"))).collect();
    let mut zone = DOCTOR_ZONE.to_owned();
    for i in 0..5 {
        zone.push_str(&format!("n{i}.example.org 300 A 198.51.100.7\nn{i}.example.org DELAY 30\n"));
        zone.push_str(&format!("m{i}.example.com 300 A 198.51.100.7\nm{i}.example.com DELAY 30\n"));
    }
    drop(dns);
    let dns = Dns::start(&zone);
    let items = runtime().block_on(batch::check_dns_many(names, &dns.check(&["198.51.100.7"]), 5)).unwrap();
    assert!(items.iter().all(|i| i.result.as_ref().unwrap().reason.map(|r| r.as_str()) == Some("caa_forbids")));
    assert!(dns.stats("stats.emulator.").starts_with("queries=16 "), "{}", dns.stats("stats.emulator."));

    // The same where no name has CAA records: the empty answers of example.com and com
    // (NXDOMAIN, no SOA for a resolver to cache) are asked once each: 5 × 3 + 2.
    dns.stats("reset.emulator.");
    let names: Vec<_> = (0..5).map(|i| DomainName::parse(&format!("m{i}.example.com"))).collect();
    let items = runtime().block_on(batch::check_dns_many(names, &dns.check(&["198.51.100.7"]), 5)).unwrap();
    assert!(items.iter().all(|i| i.result.as_ref().unwrap().ok() && i.result.as_ref().unwrap().caa.is_none()));
    assert!(dns.stats("stats.emulator.").starts_with("queries=17 "), "{}", dns.stats("stats.emulator."));
}
