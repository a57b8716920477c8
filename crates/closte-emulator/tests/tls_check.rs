//! closte-core's certificate check against real TLS servers on loopback (the emulator
//! serving each test certificate), for every reason it can give.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use closte_core::DomainName;
use closte_core::tls_check::{Reason, SslCheck, SslReport, check};
use common::{Pki, Server};

async fn run(domain: &str, port: u16, ca: Option<&Path>) -> SslReport {
    let opts = SslCheck {
        port,
        connect_to: Some("127.0.0.1".into()),
        timeout: Duration::from_secs(5),
        ca_file: ca.map(Path::to_path_buf),
        min_days: 14,
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
