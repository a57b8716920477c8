//! `closte-emulator make-certs DIR`: a throw-away test PKI, made at test time so that no
//! private key is ever committed. One trusted CA, one untrusted CA, and a leaf for each
//! TLS scenario the tests check.

use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    SanType,
};
use time::{Duration, OffsetDateTime};

type Res<T> = Result<T, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn ca(name: &str) -> Res<(CertificateParams, KeyPair, String)> {
    let key = KeyPair::generate().map_err(err)?;
    let mut p = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name.push(DnType::CommonName, name);
    p.distinguished_name.push(DnType::OrganizationName, "closte tests");
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let now = OffsetDateTime::now_utc();
    p.not_before = now - Duration::days(365);
    p.not_after = now + Duration::days(3650);
    let pem = p.self_signed(&key).map_err(err)?.pem();
    Ok((p, key, pem))
}

struct Leaf {
    file: &'static str,
    names: &'static [&'static str],
    /// The subject's CN when it is not the first name (a hostile one, for escaping tests).
    cn: Option<&'static str>,
    /// Validity relative to now, in hours ([`D`] is a day).
    from: i64,
    until: i64,
    signer: Signer,
}

enum Signer {
    TestCa,
    OtherCa,
    SelfSigned,
}

/// A day, in the hours of [`Leaf::from`] and [`Leaf::until`].
const D: i64 = 24;

const LEAVES: &[Leaf] = &[
    // The emulator's own HTTPS certificate.
    Leaf {
        file: "localhost",
        names: &["localhost", "127.0.0.1"],
        cn: None,
        from: -D,
        until: 90 * D,
        signer: Signer::TestCa,
    },
    Leaf { file: "valid", names: &["valid.example.test"], cn: None, from: -D, until: 90 * D, signer: Signer::TestCa },
    Leaf {
        file: "expiring",
        names: &["expiring.example.test"],
        cn: None,
        from: -80 * D,
        until: 5 * D,
        signer: Signer::TestCa,
    },
    Leaf {
        file: "expired",
        names: &["expired.example.test"],
        cn: None,
        from: -90 * D,
        until: -D,
        signer: Signer::TestCa,
    },
    Leaf {
        file: "future",
        names: &["future.example.test"],
        cn: None,
        from: 10 * D,
        until: 100 * D,
        signer: Signer::TestCa,
    },
    Leaf {
        file: "wrong-host",
        names: &["closte.example.test"],
        cn: None,
        from: -D,
        until: 90 * D,
        signer: Signer::TestCa,
    },
    Leaf {
        file: "self-signed",
        names: &["selfsigned.example.test"],
        cn: None,
        from: -D,
        until: 90 * D,
        signer: Signer::SelfSigned,
    },
    Leaf {
        file: "untrusted",
        names: &["untrusted.example.test"],
        cn: None,
        from: -D,
        until: 90 * D,
        signer: Signer::OtherCa,
    },
    // A valid certificate whose subject holds markup: pages must show it as text.
    Leaf {
        file: "hostile",
        names: &["hostile.example.test"],
        cn: Some("<script>document.title='pwned'</script>"),
        from: -D,
        until: 90 * D,
        signer: Signer::TestCa,
    },
    Leaf { file: "wildcard", names: &["*.example.test"], cn: None, from: -D, until: 90 * D, signer: Signer::TestCa },
    // Lifetimes of 90, 45 and 6 days, each just inside and just outside its expiring_soon
    // window when no min_days is given (the smaller of 14 days and a sixth of the lifetime:
    // 14, 7.5 and 1 day).
    Leaf {
        file: "life90-13d",
        names: &["life90-13d.example.test"],
        cn: None,
        from: -77 * D,
        until: 13 * D,
        signer: Signer::TestCa,
    },
    Leaf {
        file: "life90-15d",
        names: &["life90-15d.example.test"],
        cn: None,
        from: -75 * D,
        until: 15 * D,
        signer: Signer::TestCa,
    },
    Leaf {
        file: "life45-7d",
        names: &["life45-7d.example.test"],
        cn: None,
        from: -38 * D,
        until: 7 * D,
        signer: Signer::TestCa,
    },
    Leaf {
        file: "life45-8d",
        names: &["life45-8d.example.test"],
        cn: None,
        from: -37 * D,
        until: 8 * D,
        signer: Signer::TestCa,
    },
    Leaf {
        file: "life6-12h",
        names: &["life6-12h.example.test"],
        cn: None,
        from: -132,
        until: 12,
        signer: Signer::TestCa,
    },
    Leaf {
        file: "life6-2d",
        names: &["life6-2d.example.test"],
        cn: None,
        from: -4 * D,
        until: 2 * D,
        signer: Signer::TestCa,
    },
];

pub fn make(dir: &Path) -> Res<()> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let write = |name: String, body: String| {
        std::fs::write(dir.join(&name), body).map_err(|e| format!("{}: {e}", dir.join(name).display()))
    };
    let (ca_params, ca_key, ca_pem) = ca("Closte Test CA")?;
    write("ca.pem".into(), ca_pem)?;
    let (other_params, other_key, other_pem) = ca("Untrusted Test CA")?;
    write("other-ca.pem".into(), other_pem)?;
    let test_ca = Issuer::new(ca_params, ca_key);
    let other_ca = Issuer::new(other_params, other_key);

    let now = OffsetDateTime::now_utc();
    for leaf in LEAVES {
        let key = KeyPair::generate().map_err(err)?;
        let mut p = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        for name in leaf.names {
            p.subject_alt_names.push(match name.parse::<std::net::IpAddr>() {
                Ok(ip) => SanType::IpAddress(ip),
                Err(_) => SanType::DnsName((*name).try_into().map_err(err)?),
            });
        }
        p.distinguished_name.push(DnType::CommonName, leaf.cn.unwrap_or(leaf.names[0]));
        p.not_before = now + Duration::hours(leaf.from);
        p.not_after = now + Duration::hours(leaf.until);
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = match leaf.signer {
            Signer::TestCa => p.signed_by(&key, &test_ca),
            Signer::OtherCa => p.signed_by(&key, &other_ca),
            Signer::SelfSigned => p.self_signed(&key),
        }
        .map_err(err)?;
        write(format!("{}.pem", leaf.file), cert.pem())?;
        write(format!("{}.key", leaf.file), key.serialize_pem())?;
    }
    Ok(())
}
