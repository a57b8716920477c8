//! Does a domain point at Closte? A, AAAA and the CNAME chain through a real stub resolver
//! (hickory), compared with what Closte expects: its public IP, or a host name a CNAME may
//! point to. DNS failures are verdicts, not errors: nxdomain, no_records, servfail,
//! timeout, no_expectation, proxied, points_elsewhere, partly_elsewhere, caa_forbids.
//!
//! The verdict, first that applies:
//! 1. resolution failed: `timeout`, `servfail` (either A or AAAA), `nxdomain` (both),
//!    `no_records` (no address);
//! 2. nothing expected matched: `no_expectation` (nothing to compare with), `proxied` (every
//!    address is in Cloudflare's proxy ranges, [`crate::cloudflare`]), else `points_elsewhere`;
//! 3. an expected IP matched but the name also has addresses that are not expected:
//!    `partly_elsewhere` (a name whose CNAME chain reaches an expected host has only that
//!    host's addresses, so it never gets this);
//! 4. the addresses are right: the relevant CAA record set (RFC 8659: the name's, else the
//!    closest parent's up to the TLD) is looked up, and `caa_forbids` when it does not
//!    authorize `caa_issuer` ([`crate::caa`]); a CAA query that fails is `servfail` or
//!    `timeout`, because no CA issues while CAA cannot be read.
//!
//! Each check builds its own resolver (one per batch): nothing is cached between calls, so
//! a check right after the customer changed a record sees what the resolver sees now. A
//! batch asks for each CAA record set once (the parents its names share).

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use hickory_resolver::{Resolver, TokioResolver};
use tokio::sync::OnceCell;
use tokio::time::Instant;

use crate::caa::{self, CaaRecord, CaaSet};
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
    Proxied,
    PartlyElsewhere,
    CaaForbids,
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
            Self::Proxied => "proxied",
            Self::PartlyElsewhere => "partly_elsewhere",
            Self::CaaForbids => "caa_forbids",
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
    /// The CA a CAA record set must authorize (an issuer domain, lower case).
    pub caa_issuer: String,
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
            caa_issuer: caa::DEFAULT_ISSUER.to_owned(),
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
    /// The relevant CAA record set; looked up only once the addresses are right, so None
    /// also when it was not looked up.
    pub caa: Option<CaaSet>,
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
    Ok(Checker::new(opts)?.check(&name, opts).await)
}

/// A resolver, and the CAA record sets it was asked for: the names of a batch share their
/// parents (example.com, com), each asked once, also when names ask for it at the same time.
pub struct Checker {
    resolver: TokioResolver,
    caa: Mutex<HashMap<String, Arc<OnceCell<CaaAnswer>>>>,
}

/// One name's CAA query, as remembered for the batch (a timeout is not remembered: it
/// belongs to the deadline of the name that asked).
#[derive(Debug, Clone)]
enum CaaAnswer {
    Found(CaaSet),
    Empty,
    Failed(String),
}

struct CaaTimeout;

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

impl Checker {
    pub fn new(opts: &DnsCheck) -> Result<Self> {
        Ok(Self { resolver: resolver(opts)?, caa: Mutex::default() })
    }

    /// Checks `name`: A and AAAA at once, then CAA when the addresses are right, all
    /// bounded by `opts.timeout`. `name` is concrete (callers apply [`DomainName::concrete`]).
    pub async fn check(&self, name: &DomainName, opts: &DnsCheck) -> DnsReport {
        let deadline = Instant::now() + opts.timeout;
        let mut report = addresses(&self.resolver, name, opts, deadline).await;
        if report.reason.is_some() {
            return report;
        }
        let failure = match self.relevant_caa(name.host(), deadline).await {
            Err(CaaTimeout) => Some((
                Reason::Timeout,
                format!(
                    "{} points to Closte, but its CAA records could not be read within {} s \
                     (no CA issues a certificate while they cannot be read)",
                    report.domain,
                    fmt_secs(opts.timeout)
                ),
            )),
            Ok(Err((at, why))) => Some((
                Reason::Servfail,
                format!(
                    "{} points to Closte, but the DNS server could not answer the CAA query for {at} ({why}); \
                     no CA issues a certificate while CAA records cannot be read",
                    report.domain
                ),
            )),
            Ok(Ok(set)) => {
                let forbids = set.as_ref().and_then(|s| s.authorizes(&opts.caa_issuer, name.is_wildcard()).err());
                report.caa = set;
                forbids.map(|why| (Reason::CaaForbids, format!("{} points to Closte, but {why}", report.domain)))
            }
        };
        if let Some((reason, error)) = failure {
            report.reason = Some(reason);
            report.error = Some(error);
        }
        report
    }

    /// The relevant CAA record set of `host` (RFC 8659 §3): the CAA records of `host` (the
    /// resolver follows a CNAME), else of its parent, and so on up to its TLD; None when no
    /// name on the way has any. `Err((name, why))` when a query failed.
    async fn relevant_caa(
        &self,
        host: &str,
        deadline: Instant,
    ) -> std::result::Result<std::result::Result<Option<CaaSet>, (String, String)>, CaaTimeout> {
        let mut at = host;
        loop {
            match self.caa_at(at, deadline).await? {
                CaaAnswer::Found(set) => return Ok(Ok(Some(set))),
                CaaAnswer::Failed(why) => return Ok(Err((at.to_owned(), why))),
                CaaAnswer::Empty => match at.split_once('.') {
                    Some((_, parent)) if !parent.is_empty() => at = parent,
                    _ => return Ok(Ok(None)),
                },
            }
        }
    }

    /// The CAA records of one name, asked once per checker.
    async fn caa_at(&self, at: &str, deadline: Instant) -> std::result::Result<CaaAnswer, CaaTimeout> {
        let cell = self.caa.lock().unwrap_or_else(PoisonError::into_inner).entry(at.to_owned()).or_default().clone();
        let answer = cell
            .get_or_try_init(|| async {
                let fqdn = match Name::from_ascii(format!("{at}.")) {
                    Ok(n) => n,
                    Err(e) => return Ok(CaaAnswer::Failed(format!("{at} cannot be asked in DNS: {e}"))),
                };
                let r = tokio::time::timeout_at(deadline, self.resolver.lookup(fqdn, RecordType::CAA)).await;
                Ok(match classify(r.map(|r| r.map(|l| l.answers().to_vec()))) {
                    Answer::Timeout => return Err(CaaTimeout),
                    Answer::Failed(why) => CaaAnswer::Failed(why),
                    Answer::Nxdomain | Answer::NoRecords => CaaAnswer::Empty,
                    Answer::Records(records) => caa_set(&records).map_or(CaaAnswer::Empty, CaaAnswer::Found),
                })
            })
            .await?;
        Ok(answer.clone())
    }
}

/// The CAA records among an answer (which may start with the CNAMEs followed), as a set
/// held by the owner of the first.
fn caa_set(records: &[Record]) -> Option<CaaSet> {
    let mut domain = None;
    let records: Vec<CaaRecord> = records
        .iter()
        .filter_map(|r| match &r.data {
            RData::CAA(c) => {
                domain.get_or_insert_with(|| host_of(&r.name));
                Some(CaaRecord {
                    flags: c.flags(),
                    tag: c.tag.clone(),
                    value: String::from_utf8_lossy(&c.value).into_owned(),
                })
            }
            _ => None,
        })
        .collect();
    Some(CaaSet { domain: domain?, records })
}

/// A, AAAA and the CNAME chain of `name`, judged up to the addresses (steps 1 to 3 of the
/// module's order); `reason` None when they are right.
async fn addresses(resolver: &TokioResolver, name: &DomainName, opts: &DnsCheck, deadline: Instant) -> DnsReport {
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
    let (reason, error) = if report.matched.is_empty() {
        verdict(&report, [&a, &aaaa], opts.timeout)
    } else if let Some(error) = strays(&report, opts) {
        (Reason::PartlyElsewhere, error)
    } else {
        return report;
    };
    report.reason = Some(reason);
    report.error = Some(error);
    report
}

/// When an expected IP matched: the other addresses, which are not Closte's, in a sentence
/// naming each with its record type; None when there are none. A name whose CNAME chain
/// reaches an expected host (or that is one) has that host's addresses: none is stray.
fn strays(r: &DnsReport, opts: &DnsCheck) -> Option<String> {
    if opts.expect.iter().any(|e| matches!(e, Expected::Host(_)) && r.matched.contains(&e.to_string())) {
        return None;
    }
    let expected: Vec<String> = opts.expect.iter().map(ToString::to_string).collect();
    let stray: Vec<(&str, &String)> =
        r.a.iter()
            .map(|ip| ("A", ip))
            .chain(r.aaaa.iter().map(|ip| ("AAAA", ip)))
            .filter(|(_, ip)| !expected.contains(ip))
            .collect();
    if stray.is_empty() {
        return None;
    }
    let listed: Vec<String> = stray
        .iter()
        .map(|(t, ip)| {
            let proxy = ip.parse().is_ok_and(crate::cloudflare::is_proxy);
            format!("{t} {ip}{}", if proxy { " (Cloudflare's proxy)" } else { "" })
        })
        .collect();
    let why = if stray.iter().any(|(t, _)| *t == "AAAA") {
        "Let's Encrypt validates over IPv6 whenever an AAAA record exists, so the certificate may never be issued"
    } else {
        "Let's Encrypt may validate against the other server, so the certificate may never be issued"
    };
    let (s, them) = if stray.len() == 1 { ("", "it") } else { ("s", "them") };
    Some(format!(
        "{} points to Closte ({}) but also elsewhere, through the record{s} {}: visitors may reach the other \
         server, and {why}; remove {them} or point {them} at Closte ({})",
        r.domain,
        r.matched.join(", "),
        listed.join(", "),
        r.expected.join(" or ")
    ))
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
    if addresses.iter().all(|ip| ip.parse().is_ok_and(crate::cloudflare::is_proxy)) {
        return (
            Reason::Proxied,
            format!(
                "{d} points to {points_to}, Cloudflare's proxy: visitors and Let's Encrypt reach Cloudflare, \
                 never Closte; in Cloudflare's DNS settings set the record to \"DNS only\" (grey cloud) \
                 and point it at {}",
                r.expected.join(" or ")
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
