//! Does a domain serve a valid certificate, and if not, why? A real TLS handshake
//! (rustls), then the certificate judged step by step so the first failure is named:
//! dns_failed, connect_failed, timeout, handshake_failed, self_signed, untrusted,
//! expired, not_yet_valid, hostname_mismatch.
//!
//! The handshake accepts whatever certificate is served (its signatures are still
//! checked) so that a bad certificate can be described; the judgement happens after.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::net::TcpStream;

use crate::domain::DomainName;
use crate::error::Result;
use crate::settings::{IniValues, fmt_secs, ini_default};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    DnsFailed,
    ConnectFailed,
    Timeout,
    HandshakeFailed,
    SelfSigned,
    Untrusted,
    Expired,
    NotYetValid,
    HostnameMismatch,
    /// Never produced by a check: a batch item whose name was refused before it.
    InvalidDomain,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DnsFailed => "dns_failed",
            Self::ConnectFailed => "connect_failed",
            Self::Timeout => "timeout",
            Self::HandshakeFailed => "handshake_failed",
            Self::SelfSigned => "self_signed",
            Self::Untrusted => "untrusted",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::HostnameMismatch => "hostname_mismatch",
            Self::InvalidDomain => "invalid_domain",
        }
    }
}

#[derive(Debug, Clone)]
pub struct SslCheck {
    pub port: u16,
    /// Host or IP to connect to instead of the domain's own address (SNI and
    /// verification stay for the domain).
    pub connect_to: Option<String>,
    pub timeout: Duration,
    pub ca_file: Option<PathBuf>,
    /// `expiring_soon` below this many whole days; None: below the certificate's own
    /// [`renewal_window`].
    pub min_days: Option<i64>,
}

impl Default for SslCheck {
    /// The INI defaults (`closte.ssl_timeout`, `closte.ca_file`), port 443, the lifetime rule.
    fn default() -> Self {
        Self::from_ini(&IniValues(ini_default)).unwrap_or_else(|e| unreachable!("INI defaults: {e}"))
    }
}

impl SslCheck {
    /// The check's settings from INI values; the options are applied on top by the caller.
    pub fn from_ini<F: Fn(&str) -> String>(ini: &IniValues<F>) -> Result<Self> {
        Ok(Self {
            port: 443,
            connect_to: None,
            timeout: ini.seconds("closte.ssl_timeout")?,
            ca_file: ini.path("closte.ca_file"),
            min_days: None,
        })
    }
}

/// How long before its end a certificate is `expiring_soon` when no `min_days` is given, in
/// seconds: the smaller of 14 days and a sixth of its own lifetime (not_after − not_before):
/// 14 days for a 90-day certificate, 7.5 for a 45-day one, 1 for a 6-day one. A CA's client
/// renews at about a third of the lifetime left, so a certificate past a sixth has missed
/// its renewal for a while; a fixed 14 days would call every short-lived certificate
/// expiring for most of its life.
pub fn renewal_window(not_before: i64, not_after: i64) -> i64 {
    const FOURTEEN_DAYS: i64 = 14 * 86_400;
    FOURTEEN_DAYS.min(not_after.saturating_sub(not_before).max(0) / 6)
}

/// Whether a certificate valid until `not_after` is expiring soon at `now`: fewer than
/// `min_days` whole days left when given, else less than its [`renewal_window`]. An expired
/// certificate is not "expiring" (its reason says more).
pub fn expiring_soon(now: i64, not_before: i64, not_after: i64, min_days: Option<i64>) -> bool {
    now <= not_after
        && match min_days {
            Some(min) => (not_after - now) / 86_400 < min,
            None => not_after - now < renewal_window(not_before, not_after),
        }
}

/// What was found; every field is filled whenever a certificate was received.
#[derive(Debug, Clone, Default)]
pub struct SslReport {
    pub domain: String,
    pub reason: Option<Reason>,
    pub error: Option<String>,
    pub subject: Option<String>,
    pub issuer: Option<String>,
    pub san: Vec<String>,
    pub not_before: Option<i64>,
    pub not_after: Option<i64>,
    pub days_remaining: Option<i64>,
    pub expiring_soon: bool,
    pub protocol: Option<String>,
    pub peer: Option<String>,
}

impl SslReport {
    pub fn valid(&self) -> bool {
        self.reason.is_none()
    }

    fn fail(&mut self, reason: Reason, error: String) {
        self.reason = Some(reason);
        self.error = Some(error);
    }
}

/// Checks `domain`. Bad configuration (an unreadable CA file) is an error; anything the
/// server does is a report.
pub async fn check(domain: &DomainName, opts: &SslCheck) -> Result<SslReport> {
    check_with_roots(domain, opts, crate::http::root_store(opts.ca_file.as_deref())?).await
}

/// [`check`] with trust roots already loaded (a batch loads them once).
pub async fn check_with_roots(domain: &DomainName, opts: &SslCheck, roots: Arc<RootCertStore>) -> Result<SslReport> {
    let domain = &domain.clone().concrete()?;
    let mut report = SslReport { domain: domain.to_wire(), ..SslReport::default() };
    let handshake = handshake(domain, opts, &mut report);
    match tokio::time::timeout(opts.timeout, handshake).await {
        Err(_) => {
            let what = if report.peer.is_some() { "no TLS answer from" } else { "could not reach" };
            let target = report.peer.clone().unwrap_or_else(|| target_host(domain, opts).to_owned());
            report.fail(Reason::Timeout, format!("{what} {target} within the {} s timeout", fmt_secs(opts.timeout)));
        }
        Ok(Err((reason, error))) => report.fail(reason, error),
        Ok(Ok(chain)) => judge(domain, &chain, &roots, opts, &mut report),
    }
    Ok(report)
}

fn target_host<'a>(domain: &'a DomainName, opts: &'a SslCheck) -> &'a str {
    opts.connect_to.as_deref().unwrap_or(domain.host())
}

type Failure = (Reason, String);

/// DNS, TCP and the TLS handshake; returns the served chain.
async fn handshake(
    domain: &DomainName,
    opts: &SslCheck,
    report: &mut SslReport,
) -> std::result::Result<Vec<CertificateDer<'static>>, Failure> {
    let host = target_host(domain, opts);
    let addrs: Vec<SocketAddr> = match host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, opts.port)],
        Err(_) => tokio::net::lookup_host((host, opts.port))
            .await
            .map_err(|e| (Reason::DnsFailed, format!("cannot resolve {host}: {e}")))?
            .collect(),
    };
    if addrs.is_empty() {
        return Err((Reason::DnsFailed, format!("{host} has no address")));
    }
    let mut last = None;
    let mut tcp = None;
    for addr in &addrs {
        report.peer = Some(addr.to_string());
        match TcpStream::connect(addr).await {
            Ok(s) => {
                tcp = Some(s);
                break;
            }
            Err(e) => last = Some(format!("cannot connect to {addr}: {e}")),
        }
    }
    let Some(tcp) = tcp else {
        return Err((Reason::ConnectFailed, last.unwrap_or_else(|| format!("cannot connect to {host}"))));
    };
    let peer = report.peer.clone().unwrap_or_default();

    let provider = crate::http::crypto_provider();
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| (Reason::HandshakeFailed, e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(DescribeOnly(provider)))
        .with_no_client_auth();
    let name = ServerName::try_from(domain.host().to_owned())
        .map_err(|e| (Reason::HandshakeFailed, format!("cannot use {} for SNI: {e}", domain.host())))?;
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| (Reason::HandshakeFailed, format!("TLS handshake with {peer} failed: {}", inner_message(&e))))?;
    let conn = tls.get_ref().1;
    report.protocol = conn.protocol_version().map(|v| match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_owned(),
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_owned(),
        other => format!("{other:?}"),
    });
    let chain: Vec<CertificateDer<'static>> =
        conn.peer_certificates().map(|c| c.iter().map(|c| c.clone().into_owned()).collect()).unwrap_or_default();
    if chain.is_empty() {
        return Err((Reason::HandshakeFailed, format!("{peer} sent no certificate")));
    }
    Ok(chain)
}

fn inner_message(e: &std::io::Error) -> String {
    match e.get_ref() {
        Some(inner) => inner.to_string(),
        None => e.to_string(),
    }
}

/// Accepts any certificate during the handshake (so it can be described), while still
/// checking the handshake signatures against it.
#[derive(Debug)]
struct DescribeOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for DescribeOnly {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Fills in the certificate's details and the first failure, in the documented order.
fn judge(
    domain: &DomainName,
    chain: &[CertificateDer<'static>],
    roots: &RootCertStore,
    opts: &SslCheck,
    r: &mut SslReport,
) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let ee = &chain[0];
    let details = describe(ee);
    let Some(d) = details else {
        r.fail(Reason::HandshakeFailed, "the server's certificate cannot be parsed".into());
        return;
    };
    r.subject = Some(d.subject.clone());
    r.issuer = Some(d.issuer.clone());
    r.san = d.san.clone();
    r.not_before = Some(d.not_before);
    r.not_after = Some(d.not_after);
    let days = (d.not_after - now) / 86_400; // whole days, toward zero
    r.days_remaining = Some(days);
    r.expiring_soon = expiring_soon(now, d.not_before, d.not_after, opts.min_days);

    let Ok(parsed) = ParsedCertificate::try_from(ee) else {
        r.fail(Reason::HandshakeFailed, "the server's certificate cannot be parsed".into());
        return;
    };
    let algs = crate::http::crypto_provider().signature_verification_algorithms.all;
    // Chain first, judged at a moment inside the certificate's validity so that dates
    // cannot mask a trust problem.
    let mid = UnixTime::since_unix_epoch(Duration::from_secs((d.not_before / 2 + d.not_after / 2).max(0) as u64));
    if let Err(e) = verify_server_cert_signed_by_trust_anchor(&parsed, roots, &chain[1..], mid, algs) {
        if d.subject_raw == d.issuer_raw && chain.len() == 1 {
            r.fail(
                Reason::SelfSigned,
                format!("the certificate is self-signed ({}), not issued by a trusted CA", d.subject),
            );
        } else {
            r.fail(
                Reason::Untrusted,
                format!("the certificate is not issued by a trusted CA (issuer {}): {e}", d.issuer),
            );
        }
        return;
    }
    if now > d.not_after {
        let ago = match -days {
            0 => "less than a day ago".to_owned(),
            1 => "1 day ago".to_owned(),
            n => format!("{n} days ago"),
        };
        r.fail(Reason::Expired, format!("the certificate expired on {} ({ago})", date(d.not_after)));
        return;
    }
    if now < d.not_before {
        r.fail(Reason::NotYetValid, format!("the certificate is not valid before {}", date(d.not_before)));
        return;
    }
    let Ok(name) = ServerName::try_from(domain.host().to_owned()) else {
        r.fail(Reason::HostnameMismatch, format!("{} is not a usable server name", domain.host()));
        return;
    };
    if verify_server_name(&parsed, &name).is_err() {
        let served = if d.san.is_empty() { d.subject.clone() } else { d.san.join(", ") };
        r.fail(Reason::HostnameMismatch, format!("served certificate is for {served}, not {}", domain.host()));
        return;
    }
    // Everything at once, at the real time: catches what the steps above do not (an
    // expired intermediate, say).
    let at_now = UnixTime::since_unix_epoch(Duration::from_secs(now.max(0) as u64));
    if let Err(e) = verify_server_cert_signed_by_trust_anchor(&parsed, roots, &chain[1..], at_now, algs) {
        let reason = match e {
            rustls::Error::InvalidCertificate(CertificateError::Expired | CertificateError::ExpiredContext { .. }) => {
                Reason::Expired
            }
            _ => Reason::Untrusted,
        };
        r.fail(reason, format!("the certificate chain does not verify: {e}"));
    }
}

struct Details {
    subject: String,
    issuer: String,
    subject_raw: Vec<u8>,
    issuer_raw: Vec<u8>,
    san: Vec<String>,
    not_before: i64,
    not_after: i64,
}

fn describe(der: &CertificateDer<'_>) -> Option<Details> {
    use x509_parser::prelude::*;
    let (_, cert) = X509Certificate::from_der(der.as_ref()).ok()?;
    let san = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|ext| {
            ext.value
                .general_names
                .iter()
                .filter_map(|n| match n {
                    GeneralName::DNSName(d) => Some((*d).to_owned()),
                    GeneralName::IPAddress(b) => match b.len() {
                        4 => Some(IpAddr::from(<[u8; 4]>::try_from(*b).ok()?).to_string()),
                        16 => Some(IpAddr::from(<[u8; 16]>::try_from(*b).ok()?).to_string()),
                        _ => None,
                    },
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    Some(Details {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        subject_raw: cert.subject().as_raw().to_vec(),
        issuer_raw: cert.issuer().as_raw().to_vec(),
        san,
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
    })
}

/// `YYYY-MM-DD` for a Unix time (UTC), without a date crate.
fn date(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(951_782_400), "2000-02-29");
        assert_eq!(date(1_795_478_400), "2026-11-24");
        assert_eq!(date(-86_400), "1969-12-31");
    }

    #[test]
    fn reason_names() {
        assert_eq!(Reason::HostnameMismatch.as_str(), "hostname_mismatch");
        assert_eq!(Reason::NotYetValid.as_str(), "not_yet_valid");
    }

    #[test]
    fn expiring_soon_follows_the_lifetime_without_min_days() {
        const DAY: i64 = 86_400;
        assert_eq!(renewal_window(0, 90 * DAY), 14 * DAY);
        assert_eq!(renewal_window(0, 45 * DAY), 15 * DAY / 2);
        assert_eq!(renewal_window(0, 6 * DAY), DAY);
        assert_eq!(renewal_window(10, 5), 0); // dates the wrong way round: never "soon"
        // (now, lifetime in days, days left): the window's edges for 90, 45 and 6 days.
        for (life, left_soon, left_not) in
            [(90, 14 * DAY - 1, 14 * DAY), (45, 15 * DAY / 2 - 1, 15 * DAY / 2), (6, DAY - 1, DAY)]
        {
            let end = 1_000 * DAY;
            let start = end - life * DAY;
            assert!(expiring_soon(end - left_soon, start, end, None), "{life} days, {left_soon} s left");
            assert!(!expiring_soon(end - left_not, start, end, None), "{life} days, {left_not} s left");
        }
        // min_days decides when given: whole days left, below min_days.
        assert!(expiring_soon(0, -DAY, 3 * DAY, Some(4)));
        assert!(!expiring_soon(0, -DAY, 3 * DAY, Some(3)));
        assert!(!expiring_soon(0, -DAY, 3 * DAY, Some(0)));
        // Past the end it is expired, not expiring.
        assert!(!expiring_soon(10, 0, 5, None) && !expiring_soon(10, 0, 5, Some(14)));
    }

    #[tokio::test]
    async fn wildcards_are_rejected() {
        let err = check(&DomainName::parse("*.example.com").unwrap(), &SslCheck::default()).await.unwrap_err();
        assert!(matches!(&err, Error::InvalidDomain { reason, .. } if reason.contains("www.example.com")), "{err:?}");
    }
}
