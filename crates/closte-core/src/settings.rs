//! What one call needs to know: where Closte is, how long to wait, how often to retry,
//! and the key. Settings come from INI values overridden by per-call options; the
//! extension fills this struct and [`Settings::validate`] checks it once.
//!
//! [`INI`] is the one place where every INI setting's name and default are written: the
//! extension registers it as it is, and every `Default` here reads its defaults from it.

use std::ffi::CStr;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result, quoted};

/// Upper bounds that keep a typo (`timeout = 30000`) from stalling a PHP worker for hours.
pub const MAX_TIMEOUT_SECS: f64 = 600.0;
pub const MAX_RETRIES: u32 = 10;

/// One INI setting: its name and its default, as the engine takes them.
pub struct IniSetting {
    pub name: &'static CStr,
    pub default: &'static CStr,
}

const fn ini(name: &'static CStr, default: &'static CStr) -> IniSetting {
    IniSetting { name, default }
}

/// Every INI setting and its default. README.md and php-stubs/closte.php document the
/// same table; scripts/check-stubs.php compares both with `ini_get_all('closte')`.
pub const INI: [IniSetting; 11] = [
    ini(c"closte.api_url", c"https://app.closte.com/api/client"),
    ini(c"closte.timeout", c"30"),
    ini(c"closte.connect_timeout", c"10"),
    ini(c"closte.max_retries", c"2"),
    ini(c"closte.ca_file", c""),
    ini(c"closte.ssl_timeout", c"10"),
    ini(c"closte.concurrency", c"8"),
    ini(c"closte.ssl_concurrency", c"32"),
    ini(c"closte.dns_concurrency", c"32"),
    ini(c"closte.nameservers", c""),
    ini(c"closte.dns_timeout", c"5"),
];

/// The default of the INI setting `name` ("" for a name that is not ours).
pub fn ini_default(name: &str) -> String {
    INI.iter()
        .find(|s| s.name.to_bytes() == name.as_bytes())
        .map(|s| s.default.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// INI values as read through `get` (the engine's current values, or [`ini_default`]),
/// parsed with one wording for every setting.
pub struct IniValues<F: Fn(&str) -> String>(pub F);

impl<F: Fn(&str) -> String> IniValues<F> {
    pub fn string(&self, name: &str) -> String {
        (self.0)(name)
    }

    /// A duration in (possibly fractional) seconds.
    pub fn seconds(&self, name: &str) -> Result<Duration> {
        let raw = self.string(name);
        let value: f64 = raw
            .trim()
            .parse()
            .map_err(|_| Error::config(format!("{name} must be a number of seconds, got \"{}\"", quoted(&raw))))?;
        Settings::seconds(name, value)
    }

    /// A whole number from 0 to `max`.
    pub fn whole(&self, name: &str, min: usize, max: usize) -> Result<usize> {
        let raw = self.string(name);
        raw.trim().parse::<usize>().ok().filter(|n| (min..=max).contains(n)).ok_or_else(|| {
            Error::config(format!("{name} must be a whole number between {min} and {max}, got \"{}\"", quoted(&raw)))
        })
    }

    /// A concurrency setting within its [`Concurrency`] range.
    pub fn concurrency(&self, limit: Concurrency) -> Result<usize> {
        self.whole(limit.ini, 1, limit.max)
    }

    /// A path; empty means none.
    pub fn path(&self, name: &str) -> Option<PathBuf> {
        Some(self.string(name)).filter(|p| !p.is_empty()).map(PathBuf::from)
    }
}

/// How many requests, handshakes or lookups a batch keeps in flight: the INI setting that
/// gives the default, and the largest value accepted from it or from the `concurrency`
/// option of the batch function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Concurrency {
    pub ini: &'static str,
    pub max: usize,
}

/// API requests of add_domains, remove_domains, sync_domains.
pub const API_CONCURRENCY: Concurrency = Concurrency { ini: "closte.concurrency", max: 64 };
/// TLS handshakes of check_ssl_many.
pub const SSL_CONCURRENCY: Concurrency = Concurrency { ini: "closte.ssl_concurrency", max: 256 };
/// Names looked up at once by check_dns_many (two questions each).
pub const DNS_CONCURRENCY: Concurrency = Concurrency { ini: "closte.dns_concurrency", max: 256 };

impl Concurrency {
    /// The default from [`INI`].
    pub fn default_value(self) -> usize {
        IniValues(ini_default).concurrency(self).unwrap_or(1)
    }
}

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
    /// The INI defaults.
    fn default() -> Self {
        Self::from_ini(&IniValues(ini_default)).unwrap_or_else(|e| unreachable!("INI defaults: {e}"))
    }
}

impl Settings {
    /// The settings of an API call from INI values.
    pub fn from_ini<F: Fn(&str) -> String>(ini: &IniValues<F>) -> Result<Self> {
        let raw_retries = ini.string("closte.max_retries");
        let retries: i64 = raw_retries.trim().parse().map_err(|_| {
            Error::config(format!("closte.max_retries must be a whole number, got \"{}\"", quoted(&raw_retries)))
        })?;
        Ok(Self {
            api_url: ini.string("closte.api_url"),
            timeout: ini.seconds("closte.timeout")?,
            connect_timeout: ini.seconds("closte.connect_timeout")?,
            max_retries: Self::retries("closte.max_retries", retries)?,
            ca_file: ini.path("closte.ca_file"),
        })
    }

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
    fn defaults_come_from_the_ini_table() {
        let d = Settings::default();
        assert_eq!(d.api_url, ini_default("closte.api_url"));
        assert_eq!(d.timeout, Duration::from_secs(ini_default("closte.timeout").parse().unwrap()));
        assert_eq!(d.max_retries.to_string(), ini_default("closte.max_retries"));
        assert_eq!(API_CONCURRENCY.default_value().to_string(), ini_default("closte.concurrency"));
        assert_eq!(DNS_CONCURRENCY.default_value().to_string(), ini_default("closte.dns_concurrency"));
        // Every concurrency default lies within its own range.
        for c in [API_CONCURRENCY, SSL_CONCURRENCY, DNS_CONCURRENCY] {
            let raw = ini_default(c.ini);
            assert!(IniValues(|_: &str| raw.clone()).concurrency(c).is_ok(), "{c:?}");
        }
        assert_eq!(ini_default("closte.nope"), "");
    }

    #[test]
    fn ini_values_are_checked_with_one_wording() {
        let ini = IniValues(|name: &str| if name == "closte.concurrency" { "65".into() } else { "x".repeat(500) });
        let e = ini.concurrency(API_CONCURRENCY).unwrap_err().to_string();
        assert_eq!(e, "closte.concurrency must be a whole number between 1 and 64, got \"65\"");
        let e = ini.seconds("closte.timeout").unwrap_err().to_string();
        assert!(e.len() < 200 && e.contains("bytes"), "{e}");
    }

    #[test]
    fn url_rules() {
        assert!(with_url(&ini_default("closte.api_url")).is_ok());
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
