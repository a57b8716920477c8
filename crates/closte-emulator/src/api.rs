//! The Closte endpoints, as far as public clients show them (see closte-api.md).
//! Pure functions over the state: the server does I/O and faults around them.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use crate::state::{Alias, State};

pub struct Answer {
    pub status: u16,
    pub body: Value,
}

fn ok(body: Value) -> Answer {
    Answer { status: 200, body }
}

/// Closte answers API-level errors with HTTP 200 and `success:false` (the multisite
/// plugin's connection test depends on it).
fn refuse(message: String) -> Answer {
    ok(json!({"success": false, "error": message}))
}

/// Wildcard flags as every known client sends them.
fn parse_flag(v: Option<&str>) -> Option<bool> {
    match v.unwrap_or("") {
        "1" | "true" => Some(true),
        "0" | "" | "false" => Some(false),
        _ => None,
    }
}

/// Loose check, like a server's: non-empty, host-name characters only.
fn plausible(domain: &str) -> bool {
    let host = domain.strip_prefix("*.").unwrap_or(domain);
    !host.is_empty()
        && host.len() <= 253
        && host.contains('.')
        && host.split('.').all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

pub fn handle(state: &mut State, method: &str, endpoint: &str, form: &Map<String, Value>, key_ok: bool) -> Answer {
    let field = |name: &str| form.get(name).and_then(Value::as_str);
    let writes = matches!(endpoint, "adddomainalias" | "deletedomainalias");
    let known = writes || matches!(endpoint, "getdomains");
    if !known {
        return Answer { status: 404, body: json!({"success": false, "error": "Not Found"}) };
    }
    if writes && method != "POST" {
        return Answer { status: 405, body: json!({"success": false, "error": "Method Not Allowed"}) };
    }
    if !key_ok {
        return refuse("Invalid API key.".into());
    }
    match endpoint {
        "getdomains" => {
            let domains: Vec<Value> = state
                .domains
                .iter()
                .map(|a| json!({"domain": a.domain, "wildcard": a.wildcard, "ssl": "pending", "created": a.created}))
                .collect();
            ok(json!({"success": true, "domains": domains}))
        }
        _ => {
            let raw = field("domain").unwrap_or("");
            let domain = raw.trim().to_ascii_lowercase();
            if !plausible(&domain) {
                return refuse(format!("Invalid or empty domain: {raw}"));
            }
            let Some(flag) = parse_flag(field("wildcard")) else {
                return refuse(format!("Invalid wildcard value: {}", field("wildcard").unwrap_or("")));
            };
            let wildcard = flag || domain.starts_with("*.");
            if endpoint == "adddomainalias" {
                let created = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
                if !state.domains.insert(Alias { domain: domain.clone(), wildcard, created }) {
                    return refuse(format!("Domain alias already exists: {domain}"));
                }
            } else if !state.domains.remove(&domain) {
                return refuse(format!("Domain alias not found: {domain}"));
            }
            state.save();
            ok(json!({"success": true}))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Map<String, Value> {
        pairs.iter().map(|(k, v)| (k.to_string(), Value::from(*v))).collect()
    }

    fn state() -> State {
        State::load("k".into(), None).unwrap()
    }

    #[test]
    fn empty_domain_error_is_exactly_what_the_plugin_expects() {
        let mut s = state();
        let a = handle(&mut s, "POST", "adddomainalias", &form(&[]), true);
        assert_eq!(a.status, 200);
        assert_eq!(a.body, json!({"success": false, "error": "Invalid or empty domain: "}));
    }

    #[test]
    fn add_list_delete() {
        let mut s = state();
        for w in ["1", "0", "", "true", "false"] {
            let name = format!("w{}.example.com", w.len());
            let a = handle(&mut s, "POST", "adddomainalias", &form(&[("domain", &name), ("wildcard", w)]), true);
            assert_eq!(a.body["success"], json!(true), "wildcard={w:?}");
            handle(&mut s, "POST", "deletedomainalias", &form(&[("domain", &name)]), true);
        }
        let add = form(&[("domain", "*.Example.com"), ("wildcard", "1")]);
        assert_eq!(handle(&mut s, "POST", "adddomainalias", &add, true).body["success"], json!(true));
        assert_eq!(handle(&mut s, "POST", "adddomainalias", &add, true).body["success"], json!(false));
        let list = handle(&mut s, "GET", "getdomains", &form(&[]), true).body;
        assert_eq!(list["domains"][0]["domain"], json!("*.example.com"));
        assert_eq!(list["domains"][0]["wildcard"], json!(true));
        let del = form(&[("domain", "*.example.com"), ("wildcard", "1")]);
        assert_eq!(handle(&mut s, "POST", "deletedomainalias", &del, true).body["success"], json!(true));
        assert_eq!(handle(&mut s, "POST", "deletedomainalias", &del, true).body["success"], json!(false));
    }

    #[test]
    fn wrong_key_unknown_path_and_method() {
        let mut s = state();
        let a = handle(&mut s, "GET", "getdomains", &form(&[]), false);
        assert_eq!((a.status, a.body["success"].clone()), (200, json!(false)));
        assert_eq!(handle(&mut s, "GET", "nosuch", &form(&[]), true).status, 404);
        assert_eq!(handle(&mut s, "POST", "getdomains", &form(&[]), true).body["success"], json!(true));
        assert_eq!(handle(&mut s, "GET", "adddomainalias", &form(&[]), true).status, 405);
        let bad = form(&[("domain", "a.example"), ("wildcard", "yes")]);
        assert_eq!(handle(&mut s, "POST", "adddomainalias", &bad, true).body["success"], json!(false));
    }
}
