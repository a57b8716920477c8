//! CAA (RFC 8659): may a certificate authority issue for a name? The DNS side (finding the
//! relevant record set by climbing from the name to its TLD) is in `dns_check`; the rule
//! that reads a found set is here, without I/O.
//!
//! A set authorizes `issuer` for a concrete name when it has no `issue` property, or an
//! `issue` whose issuer domain is `issuer`. For a wildcard name (`*.x`) the `issuewild`
//! properties decide instead, when the set has any. A critical property (flag 128) with a
//! tag the CA does not know forbids issuance outright.

use crate::domain::DomainName;
use crate::error::{Error, quoted};

/// Closte's CA (Let's Encrypt): the default of the `caa_issuer` option.
pub const DEFAULT_ISSUER: &str = "letsencrypt.org";

/// Property tags in IANA's registry, which a CA is expected to understand (RFC 8659 §4.2,
/// RFC 8657, RFC 9495, and the BIMI/S/MIME additions).
const KNOWN_TAGS: &[&str] =
    &["issue", "issuewild", "iodef", "contactemail", "contactphone", "issuevmc", "issuemail", "accounturi"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaaRecord {
    pub flags: u8,
    /// As published (matching is case-insensitive).
    pub tag: String,
    pub value: String,
}

impl CaaRecord {
    fn critical(&self) -> bool {
        self.flags & 0x80 != 0
    }

    fn is(&self, tag: &str) -> bool {
        self.tag.eq_ignore_ascii_case(tag)
    }

    /// The issuer domain of an `issue`/`issuewild` value: what comes before `;`, trimmed;
    /// None for `;` alone (no CA may issue).
    fn issuer(&self) -> Option<&str> {
        let name = self.value.split(';').next().unwrap_or("").trim();
        (!name.is_empty()).then_some(name)
    }
}

/// The relevant CAA record set of a name: the records, and the domain that holds them (the
/// name itself, a parent, or the target of a CNAME the lookup followed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaaSet {
    pub domain: String,
    pub records: Vec<CaaRecord>,
}

impl CaaSet {
    /// `Ok` when `issuer` may issue for a name (`wildcard`: a `*.` name), else why not, in
    /// a sentence naming what the set allows and what to change.
    pub fn authorizes(&self, issuer: &str, wildcard: bool) -> Result<(), String> {
        let at = &self.domain;
        if let Some(r) = self.records.iter().find(|r| r.critical() && !KNOWN_TAGS.iter().any(|t| r.is(t))) {
            return Err(format!(
                "the CAA records of {at} hold the critical property \"{}\" (flags {}), which no CA may ignore: \
                 no certificate can be issued until it is removed",
                crate::printable(&r.tag),
                r.flags
            ));
        }
        let wild: Vec<&CaaRecord> = self.records.iter().filter(|r| r.is("issuewild")).collect();
        let (tag, relevant): (&str, Vec<&CaaRecord>) = if wildcard && !wild.is_empty() {
            ("issuewild", wild)
        } else {
            ("issue", self.records.iter().filter(|r| r.is("issue")).collect())
        };
        if relevant.is_empty() || relevant.iter().any(|r| r.issuer().is_some_and(|i| i.eq_ignore_ascii_case(issuer))) {
            return Ok(());
        }
        let mut allowed: Vec<String> =
            relevant.iter().filter_map(|r| r.issuer()).map(crate::printable).map(Into::into).collect();
        allowed.dedup();
        let who = if allowed.is_empty() { "no CA".to_owned() } else { format!("only {}", allowed.join(", ")) };
        Err(format!(
            "the CAA records of {at} allow {who} to issue certificates, not {issuer} (the CA Closte uses): \
             add the record {at}. CAA 0 {tag} \"{issuer}\" or remove the CAA records"
        ))
    }
}

/// The `caa_issuer` option: an issuer domain as CAA writes it (a host name, lower-cased).
pub fn parse_issuer(s: &str) -> Result<String, String> {
    match DomainName::parse(s) {
        Ok(name) if name.is_wildcard() => {
            Err(format!("must be a CA's domain name, e.g. {DEFAULT_ISSUER}; \"{}\" is a wildcard", quoted(s)))
        }
        Ok(name) => Ok(name.host().to_owned()),
        Err(Error::InvalidDomain { reason, .. }) => {
            Err(format!("must be a CA's domain name, e.g. {DEFAULT_ISSUER}; \"{}\": {reason}", quoted(s)))
        }
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(records: &[(u8, &str, &str)]) -> CaaSet {
        CaaSet {
            domain: "example.com".into(),
            records: records
                .iter()
                .map(|(flags, tag, value)| CaaRecord { flags: *flags, tag: (*tag).into(), value: (*value).into() })
                .collect(),
        }
    }

    const LE: &str = DEFAULT_ISSUER;

    #[test]
    fn issue_decides_for_concrete_names() {
        assert_eq!(set(&[(0, "issue", "letsencrypt.org")]).authorizes(LE, false), Ok(()));
        assert_eq!(set(&[(0, "issue", " LetsEncrypt.org ; validationmethods=http-01")]).authorizes(LE, false), Ok(()));
        assert_eq!(set(&[(0, "issue", "sectigo.com"), (0, "ISSUE", "letsencrypt.org")]).authorizes(LE, false), Ok(()));
        // No issue property at all: nothing is restricted.
        assert_eq!(set(&[(0, "iodef", "mailto:x@example.com")]).authorizes(LE, false), Ok(()));
        let e = set(&[(0, "issue", "sectigo.com"), (0, "issue", "digicert.com")]).authorizes(LE, false).unwrap_err();
        assert_eq!(
            e,
            "the CAA records of example.com allow only sectigo.com, digicert.com to issue certificates, \
             not letsencrypt.org (the CA Closte uses): add the record example.com. CAA 0 issue \"letsencrypt.org\" \
             or remove the CAA records"
        );
        let e = set(&[(0, "issue", ";")]).authorizes(LE, false).unwrap_err();
        assert!(e.contains("allow no CA to issue"), "{e}");
        // A similar name is not the issuer.
        assert!(set(&[(0, "issue", "letsencrypt.org.evil")]).authorizes(LE, false).is_err());
    }

    #[test]
    fn issuewild_only_for_wildcards_and_only_when_present() {
        let s = set(&[(0, "issue", "sectigo.com"), (0, "issuewild", "letsencrypt.org")]);
        assert!(s.authorizes(LE, false).is_err(), "issuewild must not authorize a concrete name");
        assert_eq!(s.authorizes(LE, true), Ok(()));
        let s = set(&[(0, "issue", "letsencrypt.org"), (0, "issuewild", ";")]);
        assert_eq!(s.authorizes(LE, false), Ok(()));
        let e = s.authorizes(LE, true).unwrap_err();
        assert!(e.contains("CAA 0 issuewild \"letsencrypt.org\""), "{e}");
        // No issuewild: a wildcard falls back to issue.
        let s = set(&[(0, "issue", "letsencrypt.org")]);
        assert_eq!(s.authorizes(LE, true), Ok(()));
        assert!(set(&[(0, "issue", "sectigo.com")]).authorizes(LE, true).is_err());
    }

    #[test]
    fn unknown_critical_properties_forbid() {
        let e = set(&[(0, "issue", "letsencrypt.org"), (128, "tbs", "x")]).authorizes(LE, false).unwrap_err();
        assert!(e.contains("critical property \"tbs\" (flags 128)"), "{e}");
        // Not critical: ignored; a known tag marked critical: understood.
        assert_eq!(set(&[(0, "issue", "letsencrypt.org"), (0, "tbs", "x")]).authorizes(LE, false), Ok(()));
        assert_eq!(set(&[(128, "issue", "letsencrypt.org")]).authorizes(LE, false), Ok(()));
    }

    #[test]
    fn issuers_parse_as_domain_names() {
        assert_eq!(parse_issuer("LetsEncrypt.ORG."), Ok("letsencrypt.org".into()));
        assert_eq!(parse_issuer("pki.goog"), Ok("pki.goog".into()));
        assert!(parse_issuer("").unwrap_err().starts_with("must be a CA's domain name"));
        assert!(parse_issuer("letsencrypt.org; x=y").unwrap_err().contains("must be a CA's domain name"));
        assert!(parse_issuer("*.letsencrypt.org").unwrap_err().contains("wildcard"));
        assert!(parse_issuer("https://letsencrypt.org").is_err());
    }
}
