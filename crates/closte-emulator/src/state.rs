//! What the emulator remembers: domain aliases (optionally in a file), the request log
//! and the queued faults.

use std::collections::VecDeque;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::faults::Fault;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Alias {
    pub domain: String,
    pub wildcard: bool,
    pub created: u64,
}

#[derive(Debug, Serialize)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    /// Every field but `apikey`: the key itself is never stored.
    pub form: Map<String, Value>,
    pub apikey_ok: bool,
    /// Which TCP connection carried it (numbered from 1): shows keep-alive at work.
    pub conn: u64,
    /// The fault this request was answered with, if any.
    pub fault: Option<String>,
    /// When it arrived: milliseconds since the emulator started (request timing in tests).
    pub t_ms: f64,
}

#[derive(Default, Serialize, Deserialize)]
struct StateFile {
    domains: Vec<Alias>,
}

pub struct State {
    pub started: std::time::Instant,
    pub api_key: String,
    pub domains: Vec<Alias>,
    pub log: Vec<LoggedRequest>,
    pub faults: VecDeque<Fault>,
    file: Option<PathBuf>,
}

impl State {
    pub fn load(api_key: String, file: Option<PathBuf>) -> Result<Self, String> {
        let domains = match &file {
            Some(path) if path.exists() => {
                let text = std::fs::read_to_string(path).map_err(|e| format!("--state {}: {e}", path.display()))?;
                let parsed: StateFile =
                    serde_json::from_str(&text).map_err(|e| format!("--state {}: {e}", path.display()))?;
                parsed.domains
            }
            _ => Vec::new(),
        };
        Ok(Self {
            started: std::time::Instant::now(),
            api_key,
            domains,
            log: Vec::new(),
            faults: VecDeque::new(),
            file,
        })
    }

    /// Writes the aliases to the state file, atomically (temp file + rename).
    pub fn save(&self) {
        let Some(path) = &self.file else { return };
        let body = serde_json::to_string_pretty(&StateFile { domains: self.domains.clone() })
            .unwrap_or_else(|_| "{\"domains\":[]}".into());
        let tmp = path.with_extension("tmp");
        if let Err(e) = std::fs::write(&tmp, body).and_then(|()| std::fs::rename(&tmp, path)) {
            eprintln!("closte-emulator: cannot write {}: {e}", path.display());
        }
    }

    pub fn position(&self, domain: &str) -> Option<usize> {
        self.domains.iter().position(|a| a.domain == domain)
    }

    pub fn reset(&mut self) {
        self.domains.clear();
        self.log.clear();
        self.faults.clear();
        self.save();
    }
}
