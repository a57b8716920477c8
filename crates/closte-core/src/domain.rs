//! Domain names as Closte accepts them: checked and normalized before anything is sent,
//! so a typo is a precise exception in PHP instead of an opaque refusal from Closte.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::{Error, Result};

const MAX_NAME: usize = 253;
const MAX_LABEL: usize = 63;

/// A checked host name in its ASCII (punycode) form, lower-case, without a trailing dot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DomainName {
    host: String,
    wildcard: bool,
}

impl DomainName {
    /// Like [`DomainName::parse`], for a name given as bytes (a PHP string may hold any):
    /// bytes that are not UTF-8 are an invalid domain, named by value and position.
    pub fn parse_bytes(input: &[u8]) -> Result<Self> {
        match std::str::from_utf8(input) {
            Ok(text) => Self::parse(text),
            Err(e) => {
                let at = e.valid_up_to();
                Err(Error::InvalidDomain {
                    domain: crate::error::printable_bytes(input),
                    reason: format!("it is not valid UTF-8 (byte 0x{:02x} at position {at})", input[at]),
                })
            }
        }
    }

    /// Checks and normalizes `input`; a leading `*.` makes a wildcard alias.
    pub fn parse(input: &str) -> Result<Self> {
        let bad = |reason: String| Error::invalid_domain(input, reason);

        if input.is_empty() {
            return Err(bad("the name is empty".into()));
        }
        if let Some(c) = input.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad(format!("it contains whitespace or a control character (U+{:04X})", c as u32)));
        }
        if input.contains("://") {
            return Err(bad("it is a URL; give the bare host name, without the scheme".into()));
        }
        if input.contains('/') {
            return Err(bad("it contains a path ('/'); give the bare host name".into()));
        }
        if input.contains(['?', '#']) {
            return Err(bad("it contains a query or fragment ('?' or '#'); give the bare host name".into()));
        }
        if input.contains('@') {
            return Err(bad("it contains user info ('@'); give the bare host name".into()));
        }
        let unbracketed = input.trim_start_matches('[').trim_end_matches(']');
        if unbracketed.parse::<Ipv6Addr>().is_ok() {
            return Err(bad("it is an IP address; Closte maps host names only".into()));
        }
        if input.contains(':') {
            return Err(bad("it contains a port (':'); give the host name alone".into()));
        }

        let (wildcard, rest) = match input.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, input),
        };
        if rest.contains('*') {
            return Err(bad("'*' is allowed only as a whole first label ('*.example.com')".into()));
        }
        let rest = rest.strip_suffix('.').unwrap_or(rest);

        let host = if rest.is_ascii() {
            let host = rest.to_ascii_lowercase();
            check_ascii(&host).map_err(bad)?;
            // Also validates any `xn--` labels already in punycode.
            idna::domain_to_ascii_strict(&host)
                .map_err(|_| bad("it contains a label that is not valid punycode ('xn--…')".into()))?;
            host
        } else {
            let host = idna::domain_to_ascii_strict(rest)
                .map_err(|_| bad("it is not a valid internationalized domain name".into()))?;
            check_ascii(&host).map_err(bad)?;
            host
        };
        if wildcard && host.len() + 2 > MAX_NAME {
            return Err(bad(format!("it is longer than {MAX_NAME} characters")));
        }
        Ok(Self { host, wildcard })
    }

    /// The host without any `*.` prefix.
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn is_wildcard(&self) -> bool {
        self.wildcard
    }

    /// The name as Closte wants it on the wire: with `*.` for wildcards. This is the
    /// canonical form PHP gets from `Closte\normalize_domain()`.
    pub fn to_wire(&self) -> String {
        self.to_string()
    }

    /// The name, when it is a concrete host: the one rule of the DNS and TLS checks. A
    /// wildcard alias has no records and serves no certificate of its own.
    pub fn concrete(self) -> Result<Self> {
        if self.wildcard {
            return Err(Error::invalid_domain(
                &self.to_wire(),
                format!(
                    "a wildcard has no DNS records or certificate of its own; check a name under it, e.g. www.{}",
                    self.host
                ),
            ));
        }
        Ok(self)
    }
}

impl fmt::Display for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.wildcard {
            f.write_str("*.")?;
        }
        f.write_str(&self.host)
    }
}

fn check_ascii(host: &str) -> std::result::Result<(), String> {
    if host.is_empty() {
        return Err("the name is empty".into());
    }
    if host.len() > MAX_NAME {
        return Err(format!("it is longer than {MAX_NAME} characters ({})", host.len()));
    }
    if host.parse::<Ipv4Addr>().is_ok() {
        return Err("it is an IP address; Closte maps host names only".into());
    }
    let labels: Vec<&str> = host.split('.').collect();
    for label in &labels {
        if label.is_empty() {
            return Err("it has an empty label ('..' or a leading '.')".into());
        }
        if label.len() > MAX_LABEL {
            return Err(format!("the label \"{}…\" is longer than {MAX_LABEL} characters", &label[..16]));
        }
        if let Some(c) = label.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-')) {
            return Err(format!("it contains '{c}'; only letters, digits and hyphens are allowed"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!("the label \"{label}\" starts or ends with a hyphen"));
        }
    }
    if labels.len() < 2 {
        return Err("it is a single label; a full name such as example.com is needed".into());
    }
    if labels.last().is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit())) {
        return Err("it looks like an IP address (the last label is numeric)".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> DomainName {
        DomainName::parse(input).unwrap_or_else(|e| panic!("{input:?} rejected: {e}"))
    }

    fn reason(input: &str) -> String {
        match DomainName::parse(input) {
            Err(Error::InvalidDomain { reason, .. }) => reason,
            other => panic!("{input:?} was expected to be rejected, got {other:?}"),
        }
    }

    #[test]
    fn only_concrete_names_are_checked() {
        assert_eq!(DomainName::parse("a.example").unwrap().concrete().unwrap().to_wire(), "a.example");
        let e = DomainName::parse("*.example.com").unwrap().concrete().unwrap_err();
        assert!(matches!(&e, Error::InvalidDomain { .. }) && e.to_string().contains("www.example.com"), "{e}");
    }

    #[test]
    fn normalizes() {
        assert_eq!(ok("Shop.Example.COM").to_wire(), "shop.example.com");
        assert_eq!(ok("example.com.").to_wire(), "example.com");
        let w = ok("*.Example.com");
        assert!(w.is_wildcard());
        assert_eq!(w.host(), "example.com");
        assert_eq!(w.to_wire(), "*.example.com");
        assert_eq!(ok("bücher.example").to_wire(), "xn--bcher-kva.example");
        assert_eq!(ok("MÜNCHEN.de").to_wire(), "xn--mnchen-3ya.de");
        assert_eq!(ok("xn--bcher-kva.example").to_wire(), "xn--bcher-kva.example");
        assert_eq!(ok("a-b.c0.example").to_wire(), "a-b.c0.example");
    }

    #[test]
    fn rejects_with_precise_reasons() {
        assert!(reason("").contains("empty"));
        assert!(reason("exa mple.com").contains("whitespace"));
        assert!(reason("example.com\n").contains("control"));
        assert!(reason("https://example.com").contains("URL"));
        assert!(reason("example.com/shop").contains("path"));
        assert!(reason("example.com:8080").contains("port"));
        assert!(reason("user@example.com").contains("user info"));
        assert!(reason("192.168.1.1").contains("IP address"));
        assert!(reason("::1").contains("IP address"));
        assert!(reason("[2001:db8::1]").contains("IP address"));
        assert!(reason("1.2.3").contains("numeric"));
        assert!(reason("localhost").contains("single label"));
        assert!(reason("a.*.example.com").contains("'*'"));
        assert!(reason("*example.com").contains("'*'"));
        assert!(reason("-shop.example.com").contains("hyphen"));
        assert!(reason("shop-.example.com").contains("hyphen"));
        assert!(reason("sh_op.example.com").contains("'_'"));
        assert!(reason("shop..example.com").contains("empty label"));
        assert!(reason("example.com..").contains("empty label"));
        assert!(reason(&format!("{}.com", "a".repeat(64))).contains("longer than 63"));
        let long = format!("{}.com", vec!["a".repeat(60); 5].join("."));
        assert!(reason(&long).contains("longer than 253"));
        assert!(reason("xn--zz.example").contains("punycode"));
    }

    #[test]
    fn limits_are_inclusive() {
        ok(&format!("{}.com", "a".repeat(63)));
        let name = format!("{}.{}.{}.{}", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61));
        assert_eq!(name.len(), 253);
        ok(&name);
    }
}

/// Property tests: any input gives a checked name or an `InvalidDomain`, never a panic, and
/// every name accepted is one Closte can take.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Characters that make names interesting: valid ones, separators, URL parts, controls,
    /// non-ASCII letters, and look-alikes.
    const ALPHABET: &[char] = &[
        'a', 'b', 'z', 'A', 'Z', '0', '9', '-', '.', '.', '.', '*', '_', ':', '/', '@', '?', '#', '[', ']', ' ', '\0',
        '\n', '\u{85}', 'ü', 'ß', '例', 'ı', '\u{200d}', '\u{ff0e}', '。', 'x', 'n', '%',
    ];

    fn name_like() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::collection::vec(prop::sample::select(ALPHABET), 0..80).prop_map(|v| v.into_iter().collect()),
            // Long names around the 63/253 limits.
            (1usize..70, 1usize..6).prop_map(|(len, n)| vec!["a".repeat(len); n].join(".") + ".example"),
            any::<String>(),
        ]
    }

    /// What Closte can take: checked independently of the parser.
    fn wire_is_valid(wire: &str) -> bool {
        let host = wire.strip_prefix("*.").unwrap_or(wire);
        let labels: Vec<&str> = host.split('.').collect();
        wire.len() <= MAX_NAME
            && labels.len() >= 2
            && labels.iter().all(|l| {
                (1..=MAX_LABEL).contains(&l.len())
                    && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            })
    }

    proptest! {
        #![proptest_config(crate::fuzz_config())]

        #[test]
        fn any_bytes_parse_or_fail_typed(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            match DomainName::parse_bytes(&bytes) {
                Ok(name) => prop_assert!(wire_is_valid(&name.to_wire()), "accepted {:?}", name),
                Err(Error::InvalidDomain { domain, .. }) => prop_assert!(!domain.chars().any(char::is_control)),
                Err(other) => prop_assert!(false, "untyped error {other:?}"),
            }
        }

        #[test]
        fn accepted_names_are_valid_and_stable(input in name_like()) {
            match DomainName::parse(&input) {
                Ok(name) => {
                    let wire = name.to_wire();
                    prop_assert!(wire_is_valid(&wire), "{input:?} accepted as {wire:?}");
                    prop_assert_eq!(DomainName::parse(&wire).ok(), Some(name), "normalizing twice changes {:?}", input);
                }
                Err(Error::InvalidDomain { domain, reason }) => {
                    prop_assert!(!domain.chars().any(char::is_control));
                    prop_assert!(!reason.is_empty());
                }
                Err(other) => prop_assert!(false, "untyped error {other:?}"),
            }
        }

        #[test]
        fn printable_leaves_no_control_character(s in any::<String>()) {
            let shown = crate::error::printable(&s);
            prop_assert!(!shown.chars().any(char::is_control));
            if !s.chars().any(char::is_control) {
                prop_assert_eq!(shown.as_ref(), s.as_str());
            }
        }
    }
}
