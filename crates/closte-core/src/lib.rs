//! Closte's client API without PHP: domain-name rules, settings, the HTTP client with
//! its retry policy, and (later) the TLS certificate check. The PHP extension is a thin
//! layer over this crate, so everything here is tested with plain `cargo test`.

pub mod api;
pub mod domain;
pub mod error;
pub mod http;
pub mod retry;
pub mod settings;
pub mod tls_check;

pub use api::{ApiClient, Change, ChangeStatus, DomainEntry};
pub use domain::DomainName;
pub use error::{Error, Result, TransportKind, printable};
pub use settings::{ApiKey, Settings};
