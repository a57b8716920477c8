//! Closte's client API without PHP: domain-name rules, the INI table and settings, the
//! HTTP client with its retry policy and the one retry rule, the batch calls, and the TLS
//! certificate and DNS checks (with the CAA rule and Cloudflare's proxy ranges). The PHP extension only converts between PHP and this
//! crate, so every rule here is tested with plain `cargo test`.

pub mod api;
pub mod batch;
pub mod caa;
pub mod cloudflare;
pub mod dns_check;
pub mod domain;
pub mod error;
pub mod http;
pub mod retry;
pub mod settings;
pub mod tls_check;

pub use api::{ApiClient, Change, ChangeStatus, DomainEntry};
pub use domain::DomainName;
pub use error::{Error, Result, Retryability, TransportKind, printable, printable_bytes, quoted};
pub use settings::{ApiKey, Settings};

/// Settings shared by the property tests: a fixed seed, so `make test` is repeatable, and
/// `CLOSTE_FUZZ_CASES` cases each (2,000 by default; `make fuzz` raises it).
#[cfg(test)]
pub(crate) fn fuzz_config() -> proptest::test_runner::Config {
    let cases = std::env::var("CLOSTE_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(2000);
    proptest::test_runner::Config {
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x00c1_0573),
        failure_persistence: None,
        ..proptest::test_runner::Config::with_cases(cases)
    }
}
