//! One error type for the whole client. Transport failures, Closte's refusals, bad
//! input and bad configuration stay apart, because callers treat them differently.
//! Whether trying again later can help is decided here once ([`Error::retryability`]);
//! the PHP exceptions and the batch error arrays carry that decision to the WordPress
//! bridge, which has no retry rule of its own.

use std::fmt;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// A setting or the API key is missing or unusable.
    #[error("{0}")]
    Config(String),

    /// The domain name was rejected before anything was sent.
    #[error("invalid domain \"{domain}\": {reason}")]
    InvalidDomain { domain: String, reason: String },

    /// Closte answered, and said no (`success:false`, or an HTTP error status).
    #[error("{message}")]
    Api { status: u16, message: String },

    /// Closte could not be reached or its reply could not be read.
    #[error("{message}")]
    Transport { kind: TransportKind, message: String },
}

/// What went wrong on the wire; decides whether a retry is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// DNS or TCP/TLS connect failed: the request was certainly not sent.
    Connect,
    /// The deadline passed.
    Timeout,
    /// The connection broke after the request may have been sent.
    Interrupted,
    /// The reply was not the JSON Closte sends, or was too large.
    BadReply,
    /// The TLS handshake with Closte failed (its certificate, or no trusted root here).
    Tls,
    /// The extension could not set itself up for the call (I/O runtime, HTTP client),
    /// usually for want of a resource such as file descriptors.
    Setup,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connect",
            Self::Timeout => "timeout",
            Self::Interrupted => "interrupted",
            Self::BadReply => "bad_reply",
            Self::Tls => "tls",
            Self::Setup => "setup",
        })
    }
}

impl Error {
    pub fn config(message: impl Into<String>) -> Self {
        Self::Config(message.into())
    }

    pub fn invalid_domain(domain: &str, reason: impl Into<String>) -> Self {
        Self::InvalidDomain { domain: quoted(domain), reason: reason.into() }
    }

    pub fn transport(kind: TransportKind, message: impl Into<String>) -> Self {
        Self::Transport { kind, message: message.into() }
    }

    /// Whether trying the same thing again later can help, and why: the one retry rule.
    /// Closte not reached, too slow, cut off, rate-limiting or overloaded behind a gateway
    /// (HTTP 408, 429, 502, 503, 504; see [`crate::retry::is_transient_status`]) can pass;
    /// a refusal, HTTP 500/501, a certificate that does not verify, bad input or bad
    /// settings will answer the same until someone changes something.
    pub fn retryability(&self) -> Retryability {
        let (retryable, reason) = match self {
            Self::Config(_) => (false, "a setting or the API key must be fixed first"),
            Self::InvalidDomain { .. } => (false, "the name itself is not valid"),
            Self::Api { status, .. } if crate::retry::is_transient_status(*status) => {
                (true, "Closte is busy, rate-limiting or behind a failing gateway; it may accept it later")
            }
            Self::Api { status: 200, .. } => (false, "Closte refused the request; it will refuse it again"),
            Self::Api { .. } => (false, "Closte answered with an error that does not pass by retrying"),
            Self::Transport { kind, .. } => match kind {
                TransportKind::Connect => (true, "Closte could not be reached; it may be reachable later"),
                TransportKind::Timeout => (true, "Closte did not answer in time; it may answer later"),
                TransportKind::Interrupted => {
                    (true, "the connection broke; the change is confirmed before it is sent again")
                }
                TransportKind::BadReply => {
                    (true, "Closte's reply could not be read; a proxy in front of it may be failing")
                }
                TransportKind::Tls => {
                    (false, "the TLS handshake failed; a certificate problem does not pass by retrying")
                }
                TransportKind::Setup => {
                    (true, "the extension could not set up the call (often too many open files); it may work later")
                }
            },
        };
        Retryability { retryable, reason }
    }

    /// Removes the key from the message in every form a server could echo it: as it is,
    /// percent-encoded (upper- or lower-case hex), form-encoded (`+` for a space) and
    /// JSON-escaped. Messages are built without URLs already; this is the second lock.
    pub fn redact(self, secret: &str) -> Self {
        let forms = secret_forms(secret);
        if forms.is_empty() {
            return self;
        }
        let scrub = |s: String| scrub(s, &forms);
        match self {
            Self::Config(m) => Self::Config(scrub(m)),
            Self::InvalidDomain { domain, reason } => {
                Self::InvalidDomain { domain: scrub(domain), reason: scrub(reason) }
            }
            Self::Api { status, message } => Self::Api { status, message: scrub(message) },
            Self::Transport { kind, message } => Self::Transport { kind, message: scrub(message) },
        }
    }
}

/// What [`Error::retryability`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retryability {
    pub retryable: bool,
    pub reason: &'static str,
}

/// The spellings of `secret` that a server may send back, longest first (so a longer
/// form is replaced before a shorter one inside it).
fn secret_forms(secret: &str) -> Vec<String> {
    if secret.is_empty() {
        return Vec::new();
    }
    // Percent-encoding as RFC 3986 (`~` kept), PHP's urlencode() (`~` encoded) and HTML
    // forms (`*` kept) leave different characters alone; `+` is a form's space.
    let encode = |lower: bool, plus: bool, keep: &[u8]| {
        let mut out = String::with_capacity(secret.len() * 3);
        for b in secret.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => out.push(b as char),
                b if keep.contains(&b) => out.push(b as char),
                b' ' if plus => out.push('+'),
                _ if lower => out.push_str(&format!("%{b:02x}")),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    };
    // JSON as serde writes it, and as PHP's json_encode() does (`\/`, `\u00e9`).
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json[1..json.len() - 1].to_owned();
    let mut php_json = String::new();
    for c in secret.chars() {
        match c {
            '"' => php_json.push_str("\\\""),
            '\\' => php_json.push_str("\\\\"),
            '/' => php_json.push_str("\\/"),
            c if c.is_ascii() && !c.is_ascii_control() => php_json.push(c),
            c => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    php_json.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
    }
    let mut forms = vec![secret.to_owned(), json, php_json];
    for keep in [&b"-._~"[..], b"-._", b"*-._"] {
        for (lower, plus) in [(false, false), (true, false), (false, true), (true, true)] {
            forms.push(encode(lower, plus, keep));
        }
    }
    forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    forms.dedup();
    forms.retain(|f| !f.is_empty());
    forms
}

fn scrub(mut s: String, forms: &[String]) -> String {
    for form in forms {
        if s.contains(form.as_str()) {
            s = s.replace(form.as_str(), "[redacted]");
        }
    }
    s
}

/// Longest input quoted whole in a message; a longer one is cut, with its length.
pub const MAX_QUOTED_CHARS: usize = 80;

/// Input as a message quotes it: printable, and at most [`MAX_QUOTED_CHARS`] characters
/// (`"aaaa…" (1000 bytes)`), so a hostile 1 MB name is not repeated into logs.
pub fn quoted(s: &str) -> String {
    let shown = printable(s);
    if shown.chars().count() <= MAX_QUOTED_CHARS {
        return shown.into_owned();
    }
    let head: String = shown.chars().take(MAX_QUOTED_CHARS).collect();
    format!("{head}… ({} bytes)", s.len())
}

/// `s` with every control character (NUL included) written as an escape (`\x00`,
/// `\u{85}`), so any message can cross into C strings and log lines intact.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            c if c.is_control() && (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Bytes as text: valid UTF-8 as it is, every other byte as `\xNN`; control characters escaped.
pub fn printable_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(&printable(chunk.valid()));
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_controls_only() {
        assert_eq!(printable("a\0b\nc\u{85}d é"), "a\\x00b\\x0ac\\u{85}d é");
        assert!(matches!(printable("plain"), std::borrow::Cow::Borrowed("plain")));
        assert_eq!(printable_bytes(b"b\xffc\0"), "b\\xffc\\x00");
    }

    #[test]
    fn redact_scrubs_every_variant() {
        let key = "sekrit-key-123";
        let errors = [
            Error::config(format!("bad {key}")),
            Error::invalid_domain(key, format!("{key}!")),
            Error::Api { status: 400, message: format!("echo {key} {key}") },
            Error::transport(TransportKind::Connect, format!("url?apikey={key}")),
        ];
        for e in errors {
            let shown = format!("{:?} {}", e.redact(key), "");
            assert!(!shown.contains(key), "key survived in {shown}");
            assert!(shown.contains("[redacted]"), "no marker in {shown}");
        }
    }

    #[test]
    fn redact_scrubs_every_encoding() {
        let key = "Lk+Canary/7f3a b=é~";
        for echoed in [
            key.to_owned(),
            "Lk%2BCanary%2F7f3a%20b%3D%C3%A9~".to_owned(),
            "Lk%2bCanary%2f7f3a%20b%3d%c3%a9~".to_owned(),
            "Lk%2BCanary%2F7f3a+b%3D%C3%A9%7E".to_owned(),
            "Lk%2bCanary%2f7f3a+b%3d%c3%a9%7e".to_owned(),
            r"Lk+Canary\/7f3a b=\u00e9~".to_owned(),
        ] {
            let e = Error::Api { status: 400, message: format!("bad key {echoed}!") }.redact(key);
            assert_eq!(e.to_string(), "bad key [redacted]!", "survived: {echoed}");
        }
        // Nothing to scrub: the message is unchanged.
        let e = Error::config("plain").redact(key);
        assert_eq!(e.to_string(), "plain");
    }

    #[test]
    fn quoted_input_is_bounded() {
        assert_eq!(quoted("a\0b"), "a\\x00b");
        let long = "x".repeat(1000);
        let q = quoted(&long);
        assert!(q.len() < 120 && q.ends_with("… (1000 bytes)"), "{q}");
        let e = Error::invalid_domain(&long, "too long");
        assert!(e.to_string().len() < 160, "{e}");
    }

    #[test]
    fn one_retry_rule() {
        let yes = |e: Error| assert!(e.retryability().retryable, "{e:?}");
        let no = |e: Error| assert!(!e.retryability().retryable, "{e:?}");
        for s in [408, 429, 502, 503, 504] {
            yes(Error::Api { status: s, message: String::new() });
        }
        for s in [200, 400, 401, 403, 404, 500, 501] {
            no(Error::Api { status: s, message: String::new() });
        }
        for k in [
            TransportKind::Connect,
            TransportKind::Timeout,
            TransportKind::Interrupted,
            TransportKind::BadReply,
            TransportKind::Setup,
        ] {
            yes(Error::transport(k, "x"));
        }
        no(Error::transport(TransportKind::Tls, "x"));
        no(Error::config("x"));
        no(Error::invalid_domain("x", "y"));
        // Every decision says why.
        assert!(!Error::config("x").retryability().reason.is_empty());
    }
}
