//! closte-core's certificate check against real TLS servers on loopback (the emulator
//! serving each test certificate), for every reason it can give.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use closte_core::DomainName;
use closte_core::tls_check::{Reason, SslCheck, SslReport, check};
use common::{Pki, Server};

async fn run(domain: &str, port: u16, ca: Option<&Path>) -> SslReport {
    run_with(domain, port, ca, Some(14)).await
}

async fn run_with(domain: &str, port: u16, ca: Option<&Path>, min_days: Option<i64>) -> SslReport {
    let opts = SslCheck {
        port,
        connect_to: Some("127.0.0.1".into()),
        timeout: Duration::from_secs(5),
        ca_file: ca.map(Path::to_path_buf),
        min_days,
    };
    check(&DomainName::parse(domain).unwrap(), &opts).await.expect("check")
}

#[tokio::test]
async fn every_certificate_scenario_gets_its_reason() {
    let certs = Pki::new();
    let ca = certs.0.join("ca.pem");
    let cases: &[(&str, &str, Option<Reason>)] = &[
        ("valid", "valid.example.test", None),
        ("expiring", "expiring.example.test", None),
        ("expired", "expired.example.test", Some(Reason::Expired)),
        ("future", "future.example.test", Some(Reason::NotYetValid)),
        ("wrong-host", "valid.example.test", Some(Reason::HostnameMismatch)),
        ("self-signed", "selfsigned.example.test", Some(Reason::SelfSigned)),
        ("untrusted", "untrusted.example.test", Some(Reason::Untrusted)),
        ("wildcard", "a.example.test", None),
        ("wildcard", "a.b.example.test", Some(Reason::HostnameMismatch)),
        ("wildcard", "example.test", Some(Reason::HostnameMismatch)),
    ];
    for (leaf, domain, want) in cases {
        let server = Server::tls(&certs.0, leaf, &[]);
        let r = run(domain, server.port, Some(&ca)).await;
        assert_eq!(r.reason, *want, "{leaf} for {domain}: {:?}", r.error);
        assert_eq!(r.valid(), want.is_none());
        // Described whether valid or not.
        assert!(r.subject.is_some() && r.issuer.is_some() && !r.san.is_empty(), "{leaf}: {r:?}");
        assert!(r.not_before.is_some() && r.not_after.is_some() && r.protocol.is_some(), "{leaf}: {r:?}");
        assert_eq!(r.expiring_soon, *leaf == "expiring", "{leaf}");
    }
}

/// Without min_days, expiring_soon is less than the smaller of 14 days and a sixth of the
/// certificate's lifetime: certificates of 90, 45 and 6 days, each just inside and just
/// outside that window; with min_days, whole days left below it.
#[tokio::test]
async fn expiring_soon_follows_the_certificates_lifetime() {
    let certs = Pki::new();
    let ca = certs.0.join("ca.pem");
    // (leaf, expiring without min_days, with min_days 16); the name is the leaf's. A fixed 14
    // days would call 5 of the 6 life* certificates expiring.
    let cases = [
        ("life90-13d", true, true),
        ("life90-15d", false, true),
        ("life45-7d", true, true),
        ("life45-8d", false, true),
        ("life6-12h", true, true),
        ("life6-2d", false, true),
        ("valid", false, false),
        ("expiring", true, true),
    ];
    for (leaf, soon, soon_16) in cases {
        let server = Server::tls(&certs.0, leaf, &[]);
        let domain = format!("{leaf}.example.test");
        let r = run_with(&domain, server.port, Some(&ca), None).await;
        assert_eq!(r.reason, None, "{leaf}: {:?}", r.error);
        assert_eq!(r.expiring_soon, soon, "{leaf} without min_days: {r:?}");
        // min_days still decides when given.
        assert_eq!(run_with(&domain, server.port, Some(&ca), Some(16)).await.expiring_soon, soon_16, "{leaf}, 16");
        assert!(!run_with(&domain, server.port, Some(&ca), Some(0)).await.expiring_soon, "{leaf} with min_days 0");
    }
    // The default of SslCheck is the lifetime rule.
    assert_eq!(SslCheck::default().min_days, None);
}

#[tokio::test]
async fn trust_comes_from_the_ca_file() {
    let certs = Pki::new();
    let server = Server::tls(&certs.0, "valid", &[]);
    assert_eq!(run("valid.example.test", server.port, None).await.reason, Some(Reason::Untrusted));
}

#[tokio::test]
async fn network_failures_are_reasons_not_errors() {
    let gone = Server::start(&[]);
    let port = gone.port;
    drop(gone);
    assert_eq!(run("shop.example.test", port, None).await.reason, Some(Reason::ConnectFailed));

    let plain = Server::start(&[]);
    assert_eq!(run("shop.example.test", plain.port, None).await.reason, Some(Reason::HandshakeFailed));

    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let opts = SslCheck {
        port: silent.local_addr().unwrap().port(),
        connect_to: Some("127.0.0.1".into()),
        timeout: Duration::from_millis(300),
        ..SslCheck::default()
    };
    let started = Instant::now();
    let r = check(&DomainName::parse("shop.example.test").unwrap(), &opts).await.unwrap();
    assert_eq!(r.reason, Some(Reason::Timeout));
    assert!(started.elapsed() < Duration::from_secs(3), "not bounded: {:?}", started.elapsed());

    let opts = SslCheck { connect_to: Some("no-such-host.invalid".into()), ..SslCheck::default() };
    let r = check(&DomainName::parse("shop.example.test").unwrap(), &opts).await.unwrap();
    assert_eq!(r.reason, Some(Reason::DnsFailed), "{:?}", r.error);
}
