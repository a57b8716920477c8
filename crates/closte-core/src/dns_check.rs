//! Does a domain point at Closte? A, AAAA and the CNAME chain through a real stub resolver
//! (hickory), compared with what Closte expects: its public IP, or a host name a CNAME may
//! point to. DNS failures are verdicts, not errors: nxdomain, no_records, points_elsewhere,
//! servfail, timeout, no_expectation.
//!
//! Each check builds its own resolver (one per batch): nothing is cached between calls, so
//! a check right after the customer changed a record sees what the resolver sees now.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use hickory_resolver::{Resolver, TokioResolver};
use tokio::time::Instant;

use crate::domain::DomainName;
use crate::error::{Error, Result};
use crate::settings::{IniValues, fmt_secs, ini_default};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Nxdomain,
    NoRecords,
    PointsElsewhere,
    Servfail,
    Timeout,
    NoExpectation,
    /// Never produced by a check: a batch item whose name was refused before it.
    InvalidDomain,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Nxdomain => "nxdomain",
            Self::NoRecords => "no_records",
            Self::PointsElsewhere => "points_elsewhere",
            Self::Servfail => "servfail",
            Self::Timeout => "timeout",
            Self::NoExpectation => "no_expectation",
            Self::InvalidDomain => "invalid_domain",
        }
    }
}

/// What a domain should resolve to: an address, or a host its CNAME chain reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    Ip(IpAddr),
    Host(String),
}

impl Expected {
    /// An IP address or a host name (normalized like a domain); why not, otherwise.
    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        let bare = s.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(Self::Ip(ip));
        }
        match DomainName::parse(s) {
            Ok(name) if !name.is_wildcard() => Ok(Self::Host(name.host().to_owned())),
            Ok(_) => Err(format!("\"{}\" is a wildcard; give an IP address or a host name", crate::printable(s))),
            Err(Error::InvalidDomain { reason, .. }) => {
                Err(format!("\"{}\" is neither an IP address nor a host name: {reason}", crate::printable(s)))
            }
            Err(e) => Err(e.to_string()),
        }
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ip(ip) => write!(f, "{ip}"),
            Self::Host(h) => f.write_str(h),
        }
    }
}

/// A nameserver as people write it: "ip", "ip:port", "[v6]:port" or a bare IPv6 address.
pub fn parse_nameserver(s: &str) -> Option<SocketAddr> {
    let addr = match s.parse::<SocketAddr>() {
        Ok(addr) => addr,
        Err(_) => SocketAddr::new(s.trim_start_matches('[').trim_end_matches(']').parse().ok()?, 53),
    };
    (addr.port() != 0).then_some(addr)
}

/// Nameservers from one or more strings, each a list separated by commas or spaces (the
/// INI setting is one string, the `nameservers` option a string or a list of them). The
/// error says what is wrong, for the caller to prefix with the setting's or option's name.
pub fn parse_nameservers<'a>(lists: impl IntoIterator<Item = &'a str>) -> std::result::Result<Vec<SocketAddr>, String> {
    lists
        .into_iter()
        .flat_map(|list| list.split(|c: char| c == ',' || c.is_whitespace()))
        .filter(|s| !s.is_empty())
        .map(|s| {
            parse_nameserver(s)
                .ok_or_else(|| format!("must list IP addresses or IP:port, got \"{}\"", crate::quoted(s)))
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct DnsCheck {
    /// Resolvers to ask; empty means the system's (/etc/resolv.conf).
    pub nameservers: Vec<SocketAddr>,
    pub expect: Vec<Expected>,
    /// Bounds the whole check of one name (A and AAAA are asked at the same time).
    pub timeout: Duration,
}

impl Default for DnsCheck {
    /// The INI defaults (`closte.nameservers`, `closte.dns_timeout`), nothing expected.
    fn default() -> Self {
        Self::from_ini(&IniValues(ini_default)).unwrap_or_else(|e| unreachable!("INI defaults: {e}"))
    }
}

impl DnsCheck {
    /// The check's settings from INI values; the expectation and options are applied on
    /// top by the caller.
    pub fn from_ini<F: Fn(&str) -> String>(ini: &IniValues<F>) -> Result<Self> {
        Ok(Self {
            nameservers: parse_nameservers([ini.string("closte.nameservers").as_str()])
                .map_err(|bad| Error::config(format!("closte.nameservers {bad}")))?,
            expect: Vec::new(),
            timeout: ini.seconds("closte.dns_timeout")?,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct DnsReport {
    pub domain: String,
    /// None when an expected target was found.
    pub reason: Option<Reason>,
    pub error: Option<String>,
    pub a: Vec<String>,
    pub aaaa: Vec<String>,
    /// The CNAME chain from the domain, in order: each name the previous one points to.
    pub cname: Vec<String>,
    pub expected: Vec<String>,
    /// The expected entries that were found.
    pub matched: Vec<String>,
    /// The lowest TTL of the records seen.
    pub ttl: Option<u32>,
}

impl DnsReport {
    pub fn ok(&self) -> bool {
        self.reason.is_none()
    }
}

/// A resolver for `check`: the given nameservers or the system's, no hosts file, the
/// intermediate CNAME records kept, per-query retries inside the check's own deadline.
pub fn resolver(check: &DnsCheck) -> Result<TokioResolver> {
    let provider = TokioRuntimeProvider::default();
    let mut builder = if check.nameservers.is_empty() {
        TokioResolver::builder_tokio().map_err(|e| {
            Error::config(format!(
                "cannot read the system's DNS configuration (/etc/resolv.conf): {e}; \
                 set closte.nameservers or the nameservers option"
            ))
        })?
    } else {
        let servers = check
            .nameservers
            .iter()
            .map(|addr| {
                let connections = [ConnectionConfig::udp(), ConnectionConfig::tcp()]
                    .into_iter()
                    .map(|mut c| {
                        c.port = addr.port();
                        c
                    })
                    .collect();
                NameServerConfig::new(addr.ip(), true, connections)
            })
            .collect();
        Resolver::builder_with_config(ResolverConfig::from_name_servers(servers), provider)
    };
    let opts = builder.options_mut();
    opts.use_hosts_file = ResolveHosts::Never;
    opts.preserve_intermediates = true;
    // Two tries per server within the deadline: one lost UDP packet is not a verdict.
    opts.timeout = (check.timeout / 2).max(Duration::from_millis(100));
    opts.attempts = 1;
    builder.build().map_err(|e| Error::config(format!("cannot set up the DNS resolver: {e}")))
}

/// Checks one name with a resolver of its own.
/// A wildcard is an invalid domain here ([`DomainName::concrete`]).
pub async fn check(name: &DomainName, opts: &DnsCheck) -> Result<DnsReport> {
    let name = name.clone().concrete()?;
    let resolver = resolver(opts)?;
    Ok(check_with(&resolver, &name, opts).await)
}

/// What one record type's lookup gave.
enum Answer {
    Records(Vec<Record>),
    NoRecords,
    Nxdomain,
    Failed(String),
    Timeout,
}

fn classify(
    result: std::result::Result<std::result::Result<Vec<Record>, NetError>, tokio::time::error::Elapsed>,
) -> Answer {
    let err = match result {
        Err(_) => return Answer::Timeout,
        Ok(Ok(records)) if records.is_empty() => return Answer::NoRecords,
        Ok(Ok(records)) => return Answer::Records(records),
        Ok(Err(e)) => e,
    };
    match &err {
        NetError::Timeout => Answer::Timeout,
        NetError::Dns(DnsError::NoRecordsFound(nr)) => match nr.response_code {
            ResponseCode::NXDomain => Answer::Nxdomain,
            ResponseCode::NoError => Answer::NoRecords,
            code => Answer::Failed(code_name(code)),
        },
        NetError::Dns(DnsError::ResponseCode(code)) => Answer::Failed(code_name(*code)),
        other => Answer::Failed(crate::printable(&other.to_string()).into_owned()),
    }
}

fn code_name(code: ResponseCode) -> String {
    match code {
        ResponseCode::ServFail => "SERVFAIL".into(),
        ResponseCode::Refused => "REFUSED".into(),
        other => format!("response code {other}"),
    }
}

fn host_of(name: &Name) -> String {
    name.to_ascii().trim_end_matches('.').to_ascii_lowercase()
}

/// Checks `name` with `resolver`: A and AAAA at once, both bounded by `opts.timeout`.
/// `name` is concrete (callers apply [`DomainName::concrete`]).
pub async fn check_with(resolver: &TokioResolver, name: &DomainName, opts: &DnsCheck) -> DnsReport {
    let host = name.host().to_owned();
    let mut report = DnsReport {
        domain: name.to_wire(),
        expected: opts.expect.iter().map(ToString::to_string).collect(),
        ..DnsReport::default()
    };
    let fqdn = match Name::from_ascii(format!("{host}.")) {
        Ok(n) => n,
        Err(e) => {
            report.reason = Some(Reason::Servfail);
            report.error = Some(format!("{host} cannot be asked in DNS: {e}"));
            return report;
        }
    };
    let deadline = Instant::now() + opts.timeout;
    let lookup = |rtype| {
        let fqdn = fqdn.clone();
        async move {
            let r = tokio::time::timeout_at(deadline, resolver.lookup(fqdn, rtype)).await;
            classify(r.map(|r| r.map(|l| l.answers().to_vec())))
        }
    };
    let (a, aaaa) = futures_util::future::join(lookup(RecordType::A), lookup(RecordType::AAAA)).await;

    let mut targets: HashMap<String, String> = HashMap::new();
    for answer in [&a, &aaaa] {
        let Answer::Records(records) = answer else { continue };
        for r in records {
            report.ttl = Some(report.ttl.map_or(r.ttl, |t| t.min(r.ttl)));
            match &r.data {
                RData::A(ip) if !report.a.contains(&ip.0.to_string()) => report.a.push(ip.0.to_string()),
                RData::AAAA(ip) if !report.aaaa.contains(&ip.0.to_string()) => report.aaaa.push(ip.0.to_string()),
                RData::CNAME(target) => {
                    targets.insert(host_of(&r.name), host_of(&target.0));
                }
                _ => {}
            }
        }
    }
    let mut at = host.clone();
    while let Some(next) = targets.get(&at) {
        if report.cname.contains(next) || report.cname.len() >= 16 {
            break; // a loop, or a chain no resolver would follow
        }
        report.cname.push(next.clone());
        at = next.clone();
    }

    for e in &opts.expect {
        let found = match e {
            Expected::Ip(IpAddr::V4(ip)) => report.a.contains(&ip.to_string()),
            Expected::Ip(IpAddr::V6(ip)) => report.aaaa.contains(&ip.to_string()),
            Expected::Host(h) => *h == host || report.cname.contains(h),
        };
        if found {
            report.matched.push(e.to_string());
        }
    }
    if !report.matched.is_empty() {
        return report;
    }
    let (reason, error) = verdict(&report, [&a, &aaaa], opts.timeout);
    report.reason = Some(reason);
    report.error = Some(error);
    report
}

/// Why the name is not ok (nothing expected was found), in a sentence.
fn verdict(r: &DnsReport, answers: [&Answer; 2], timeout: Duration) -> (Reason, String) {
    let d = &r.domain;
    if answers.iter().any(|a| matches!(a, Answer::Timeout)) {
        return (Reason::Timeout, format!("no DNS answer for {d} within {} s", fmt_secs(timeout)));
    }
    if let Some(why) = answers.iter().find_map(|a| if let Answer::Failed(why) = a { Some(why) } else { None }) {
        return (Reason::Servfail, format!("the DNS server could not answer for {d} ({why})"));
    }
    let addresses: Vec<&str> = r.a.iter().chain(&r.aaaa).map(String::as_str).collect();
    if addresses.is_empty() {
        if answers.iter().all(|a| matches!(a, Answer::Nxdomain)) {
            return (Reason::Nxdomain, format!("{d} does not exist in DNS (NXDOMAIN)"));
        }
        let through = r.cname.last().map(|c| format!(" (its CNAME chain ends at {c})")).unwrap_or_default();
        return (Reason::NoRecords, format!("{d} has no A or AAAA record{through}"));
    }
    let mut points_to = addresses.join(", ");
    if !r.cname.is_empty() {
        points_to.push_str(&format!(" (through CNAME {})", r.cname.join(" → ")));
    }
    if r.expected.is_empty() {
        return (
            Reason::NoExpectation,
            format!(
                "{d} points to {points_to}; there is nothing to compare with \
                 (define CLOSTE_PUBLIC_IP_ADDRESS or pass the expect option)"
            ),
        );
    }
    (Reason::PointsElsewhere, format!("{d} points to {points_to}; Closte expects {}", r.expected.join(" or ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nameservers_parse_as_written() {
        assert_eq!(parse_nameserver("192.0.2.1"), Some("192.0.2.1:53".parse().unwrap()));
        assert_eq!(parse_nameserver("127.0.0.1:5353"), Some("127.0.0.1:5353".parse().unwrap()));
        assert_eq!(parse_nameserver("::1"), Some("[::1]:53".parse().unwrap()));
        assert_eq!(parse_nameserver("[::1]:54"), Some("[::1]:54".parse().unwrap()));
        for bad in ["", "ns1.example.com", "1.2.3.4:0", "1.2.3.4:x", "1.2.3.4:70000"] {
            assert_eq!(parse_nameserver(bad), None, "{bad}");
        }
    }

    #[test]
    fn expectations_are_ips_or_hosts() {
        assert_eq!(Expected::parse("198.51.100.7"), Ok(Expected::Ip("198.51.100.7".parse().unwrap())));
        assert_eq!(Expected::parse("[2001:db8::7]"), Ok(Expected::Ip("2001:db8::7".parse().unwrap())));
        assert_eq!(Expected::parse("LB.Closte.COM."), Ok(Expected::Host("lb.closte.com".into())));
        assert!(Expected::parse("*.closte.com").unwrap_err().contains("wildcard"));
        assert!(Expected::parse("not a host").unwrap_err().contains("neither an IP address nor a host name"));
    }
}
