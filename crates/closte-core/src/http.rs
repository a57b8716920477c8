//! TLS trust and the HTTP client. rustls with ring and the system trust store: PHP
//! loads its own OpenSSL, and a second one in the same process is asking for trouble.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::{Error, Result, TransportKind};

/// The name phpinfo shows for the TLS stack.
pub const TLS_BACKEND: &str = "rustls (ring)";

/// How long an idle keep-alive connection is kept; below common server defaults (60–75 s)
/// so we rarely pick a connection the server is closing.
const POOL_IDLE: Duration = Duration::from_secs(50);

pub fn crypto_provider() -> Arc<rustls::crypto::CryptoProvider> {
    static PROVIDER: OnceLock<Arc<rustls::crypto::CryptoProvider>> = OnceLock::new();
    PROVIDER.get_or_init(|| Arc::new(rustls::crypto::ring::default_provider())).clone()
}

/// The system's trusted roots, read once per process.
fn system_roots() -> &'static [CertificateDer<'static>] {
    static ROOTS: OnceLock<Vec<CertificateDer<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| rustls_native_certs::load_native_certs().certs)
}

/// A CA bundle larger than this is refused: the whole Mozilla bundle is about 220 KiB.
pub const MAX_CA_FILE_BYTES: u64 = 1024 * 1024;

/// Reads a CA file with a bound: it must be a regular file of at most [`MAX_CA_FILE_BYTES`].
/// A FIFO, a device (`/dev/zero`) or a directory is refused before it is read, and the read
/// itself stops past the cap, so no path can make the process block or allocate without end.
pub fn read_ca_file(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let shown = path.display();
    let refuse = |why: String| Error::config(format!("CA file {shown} {why}"));
    let too_large =
        |len: u64| refuse(format!("is larger than the {} KiB limit ({len} bytes)", MAX_CA_FILE_BYTES / 1024));
    let check = |meta: &std::fs::Metadata| {
        if !meta.is_file() {
            return Err(refuse("is not a regular file".into()));
        }
        if meta.len() > MAX_CA_FILE_BYTES {
            return Err(too_large(meta.len()));
        }
        Ok(())
    };
    let unreadable = |e: std::io::Error| Error::config(format!("cannot read CA file {shown}: {e}"));
    check(&std::fs::metadata(path).map_err(unreadable)?)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // Opening a FIFO swapped in after the check must not block.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(unreadable)?;
    check(&file.metadata().map_err(unreadable)?)?;
    let mut bytes = Vec::new();
    file.take(MAX_CA_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(unreadable)?;
    if bytes.len() as u64 > MAX_CA_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Roots to verify servers against: the system store plus an optional PEM bundle.
pub fn root_store(ca_file: Option<&Path>) -> Result<RootCertStore> {
    let mut store = RootCertStore::empty();
    store.add_parsable_certificates(system_roots().iter().cloned());
    if let Some(path) = ca_file {
        let pem = read_ca_file(path)?;
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| Error::config(format!("cannot read CA file {}: {e}", path.display())))?;
        if certs.is_empty() {
            return Err(Error::config(format!("CA file {} holds no PEM certificate", path.display())));
        }
        let (added, _) = store.add_parsable_certificates(certs);
        if added == 0 {
            return Err(Error::config(format!("CA file {} holds no usable certificate", path.display())));
        }
    }
    if store.is_empty() {
        return Err(Error::transport(
            TransportKind::Tls,
            "no trusted root certificates found: install the ca-certificates package or set closte.ca_file",
        ));
    }
    Ok(store)
}

pub fn client_config(ca_file: Option<&Path>) -> Result<rustls::ClientConfig> {
    let config = rustls::ClientConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::transport(TransportKind::Tls, format!("TLS setup failed: {e}")))?
        .with_root_certificates(root_store(ca_file)?)
        .with_no_client_auth();
    Ok(config)
}

/// The HTTP client type, so callers need not name reqwest.
pub type HttpClient = reqwest::Client;

/// One pooled HTTP/1.1 client. Redirects are not followed: a redirected POST would turn
/// into a GET and silently do nothing.
pub fn build_client(connect_timeout: Duration, ca_file: Option<&Path>) -> Result<reqwest::Client> {
    let mut tls = client_config(ca_file)?;
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .connect_timeout(connect_timeout)
        .pool_idle_timeout(POOL_IDLE)
        .tcp_nodelay(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("closte-php/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::transport(TransportKind::Tls, format!("cannot build the HTTP client: {}", e.without_url())))
}
