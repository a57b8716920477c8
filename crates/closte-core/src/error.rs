//! One error type for the whole client. Transport failures, Closte's refusals, bad
//! input and bad configuration stay apart, because callers treat them differently:
//! the WordPress bridge retries transport errors and gives up on the others.

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
    /// TLS setup (trust store, CA file) failed locally.
    Tls,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connect",
            Self::Timeout => "timeout",
            Self::Interrupted => "interrupted",
            Self::BadReply => "bad_reply",
            Self::Tls => "tls",
        })
    }
}

impl Error {
    pub fn config(message: impl Into<String>) -> Self {
        Self::Config(message.into())
    }

    pub fn invalid_domain(domain: &str, reason: impl Into<String>) -> Self {
        Self::InvalidDomain { domain: printable(domain).into_owned(), reason: reason.into() }
    }

    pub fn transport(kind: TransportKind, message: impl Into<String>) -> Self {
        Self::Transport { kind, message: message.into() }
    }

    /// Removes every occurrence of `secret` from the message. Messages are built without
    /// URLs already; this is the second lock on the door.
    pub fn redact(self, secret: &str) -> Self {
        if secret.is_empty() {
            return self;
        }
        let scrub = |s: String| {
            if s.contains(secret) { s.replace(secret, "[redacted]") } else { s }
        };
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
}
