//! What one call needs to know: where Closte is, how long to wait, how often to retry,
//! and the key. Settings come from INI values overridden by per-call options; the
//! extension fills this struct and [`Settings::validate`] checks it once.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result};

pub const DEFAULT_API_URL: &str = "https://app.closte.com/api/client";
/// Upper bounds that keep a typo (`timeout = 30000`) from stalling a PHP worker for hours.
pub const MAX_TIMEOUT_SECS: f64 = 600.0;
pub const MAX_RETRIES: u32 = 10;

#[derive(Debug, Clone)]
pub struct Settings {
    pub api_url: String,
    /// Bound on the whole call, retries included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_retries: u32,
    pub ca_file: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            api_url: DEFAULT_API_URL.into(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_retries: 2,
            ca_file: None,
        }
    }
}

impl Settings {
    /// Checks the URL: https anywhere, plain http only to this machine (the emulator),
    /// because the key travels in the request.
    pub fn validate(&self) -> Result<reqwest::Url> {
        let url = reqwest::Url::parse(&self.api_url)
            .map_err(|e| Error::config(format!("closte.api_url is not a valid URL ({e})")))?;
        if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return Err(Error::config("closte.api_url must not carry a query, fragment or user info"));
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                return Err(Error::config(
                    "closte.api_url uses plain http:// for a host that is not loopback; the API key must travel over https://",
                ));
            }
            other => {
                return Err(Error::config(format!("closte.api_url has the unsupported scheme \"{other}\"")));
            }
        }
        if url.host().is_none() {
            return Err(Error::config("closte.api_url has no host"));
        }
        Ok(url)
    }

    /// Parses a duration given in (possibly fractional) seconds.
    pub fn seconds(name: &str, value: f64) -> Result<Duration> {
        if !value.is_finite() || value <= 0.0 || value > MAX_TIMEOUT_SECS {
            return Err(Error::config(format!(
                "{name} must be a number of seconds above 0 and at most {MAX_TIMEOUT_SECS}, got {value}"
            )));
        }
        Ok(Duration::from_secs_f64(value))
    }

    pub fn retries(name: &str, value: i64) -> Result<u32> {
        u32::try_from(value)
            .ok()
            .filter(|n| *n <= MAX_RETRIES)
            .ok_or_else(|| Error::config(format!("{name} must be between 0 and {MAX_RETRIES}, got {value}")))
    }
}

/// "30" or "0.5": seconds as people write them, for messages.
pub fn fmt_secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 { format!("{s:.0}") } else { format!("{s}") }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// The API key. Its `Debug` never shows it, so it cannot leak through a log of a struct.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Result<Self> {
        let key = key.into();
        if key.trim().is_empty() {
            return Err(Error::config("the Closte API key is empty; define CLOSTE_CLIENT_API_KEY in wp-config.php"));
        }
        Ok(Self(key))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_url(u: &str) -> Result<reqwest::Url> {
        Settings { api_url: u.into(), ..Default::default() }.validate()
    }

    #[test]
    fn url_rules() {
        assert!(with_url(DEFAULT_API_URL).is_ok());
        assert!(with_url("http://127.0.0.1:8080/api/client").is_ok());
        assert!(with_url("http://127.8.9.1/api/client").is_ok());
        assert!(with_url("http://[::1]:9/api/client").is_ok());
        assert!(with_url("http://localhost:9/api/client").is_ok());
        for bad in ["http://app.closte.com/api/client", "ftp://x/", "not a url", "https://h/?a=b", "https://u:p@h/"] {
            assert!(matches!(with_url(bad), Err(Error::Config(_))), "{bad} accepted");
        }
    }

    #[test]
    fn numbers() {
        assert!(Settings::seconds("t", 0.5).is_ok());
        assert!(Settings::seconds("t", 0.0).is_err());
        assert!(Settings::seconds("t", -1.0).is_err());
        assert!(Settings::seconds("t", f64::NAN).is_err());
        assert!(Settings::seconds("t", 601.0).is_err());
        assert_eq!(Settings::retries("r", 3).unwrap(), 3);
        assert!(Settings::retries("r", -1).is_err());
        assert!(Settings::retries("r", 11).is_err());
    }

    #[test]
    fn key_is_never_debug_printed() {
        let k = ApiKey::new("abcdef123456").unwrap();
        assert!(!format!("{k:?}").contains("abcdef"));
        assert!(ApiKey::new("  ").is_err());
    }
}
