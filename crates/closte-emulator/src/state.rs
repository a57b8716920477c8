//! What the emulator remembers: domain aliases (optionally in a file), the request log
//! and the queued faults.

use std::collections::{BTreeMap, HashMap, VecDeque};
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

/// The aliases in the order they were added, with a hash index by name: an add, a remove
/// and a lookup cost the same at 10 or 100,000 aliases.
#[derive(Default)]
pub struct Aliases {
    by_seq: BTreeMap<u64, Alias>,
    seq_of: HashMap<String, u64>,
    next: u64,
}

impl Aliases {
    fn from_list(list: Vec<Alias>) -> Self {
        let mut out = Self::default();
        for alias in list {
            out.insert(alias);
        }
        out
    }

    pub fn contains(&self, domain: &str) -> bool {
        self.seq_of.contains_key(domain)
    }

    /// Adds `alias` unless its name is there already; whether it was added.
    pub fn insert(&mut self, alias: Alias) -> bool {
        if self.contains(&alias.domain) {
            return false;
        }
        self.seq_of.insert(alias.domain.clone(), self.next);
        self.by_seq.insert(self.next, alias);
        self.next += 1;
        true
    }

    /// Removes the alias named `domain`; whether there was one.
    pub fn remove(&mut self, domain: &str) -> bool {
        match self.seq_of.remove(domain) {
            Some(seq) => self.by_seq.remove(&seq).is_some(),
            None => false,
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Alias> {
        self.by_seq.values()
    }

    pub fn len(&self) -> usize {
        self.by_seq.len()
    }

    fn clear(&mut self) {
        *self = Self::default();
    }
}

pub struct State {
    pub started: std::time::Instant,
    pub api_key: String,
    pub domains: Aliases,
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
            domains: Aliases::from_list(domains),
            log: Vec::new(),
            faults: VecDeque::new(),
            file,
        })
    }

    /// Writes the aliases to the state file, atomically (temp file + rename).
    pub fn save(&self) {
        let Some(path) = &self.file else { return };
        let body = serde_json::to_string_pretty(&StateFile { domains: self.domains.iter().cloned().collect() })
            .unwrap_or_else(|_| "{\"domains\":[]}".into());
        let tmp = path.with_extension("tmp");
        if let Err(e) = std::fs::write(&tmp, body).and_then(|()| std::fs::rename(&tmp, path)) {
            eprintln!("closte-emulator: cannot write {}: {e}", path.display());
        }
    }

    pub fn reset(&mut self) {
        self.domains.clear();
        self.log.clear();
        self.faults.clear();
        self.save();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alias(name: &str) -> Alias {
        Alias { domain: name.into(), wildcard: false, created: 0 }
    }

    #[test]
    fn aliases_keep_order_and_find_by_name() {
        let mut a = Aliases::default();
        assert!(a.insert(alias("b.example")) && a.insert(alias("a.example")) && a.insert(alias("c.example")));
        assert!(!a.insert(alias("a.example")), "a name is there once");
        assert!(a.remove("a.example") && !a.remove("a.example"));
        assert!(a.insert(alias("a.example")));
        let names: Vec<_> = a.iter().map(|x| x.domain.as_str()).collect();
        assert_eq!(names, ["b.example", "c.example", "a.example"]);
        assert!(a.contains("c.example") && !a.contains("d.example") && a.len() == 3);
    }
}
