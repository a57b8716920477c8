//! Injected failures: `POST /__emulator/faults` queues them, and the next matching API
//! calls are answered with them instead of (or after) the normal behaviour.

use std::time::Duration;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// How many calls this fault answers.
    #[serde(default = "one")]
    pub count: u32,
    /// Only calls to this endpoint (e.g. "adddomainalias"); any endpoint when absent.
    pub path: Option<String>,
    /// Only calls whose `domain` field is this name; any call when absent.
    pub domain: Option<String>,
    /// Answer with this HTTP status.
    pub status: Option<u16>,
    /// Send a `Retry-After` header with this many seconds.
    pub retry_after: Option<u64>,
    /// Wait this long before answering.
    #[serde(default)]
    pub delay_ms: u64,
    /// Replace the body: "malformed", "empty" or "oversized".
    pub body: Option<BodyFault>,
    /// Answer with this JSON instead (e.g. a `/getdomains` list of plain strings).
    pub json: Option<serde_json::Value>,
    /// Close the connection without any answer.
    #[serde(default)]
    pub drop: bool,
    /// Carry out the call for real first, then fail: "it reached Closte, the reply was lost".
    #[serde(default)]
    pub apply: bool,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum BodyFault {
    Malformed,
    Empty,
    Oversized,
}

/// 16 MiB: twice what the client accepts.
pub const OVERSIZED_BYTES: usize = 16 * 1024 * 1024;

fn one() -> u32 {
    1
}

impl Fault {
    pub fn matches(&self, endpoint: &str, domain: Option<&str>) -> bool {
        self.path.as_deref().is_none_or(|p| p.trim_matches('/') == endpoint)
            && self.domain.as_deref().is_none_or(|d| Some(d) == domain)
    }

    pub fn delay(&self) -> Duration {
        Duration::from_millis(self.delay_ms)
    }

    /// Whether the fault replaces the answer (a pure delay does not).
    pub fn replaces_answer(&self) -> bool {
        self.drop || self.status.is_some() || self.body.is_some() || self.json.is_some()
    }

    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.delay_ms > 0 {
            parts.push(format!("delay {} ms", self.delay_ms));
        }
        if self.drop {
            parts.push("drop".into());
        }
        if let Some(s) = self.status {
            parts.push(format!("status {s}"));
        }
        if self.json.is_some() {
            parts.push("custom json".into());
        }
        if let Some(b) = self.body {
            parts.push(format!("{b:?} body").to_lowercase());
        }
        parts.join(", ")
    }
}
