//! TLS trust and the HTTP client. rustls with ring and the system trust store: PHP
//! loads its own OpenSSL, and a second one in the same process is asking for trouble.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

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

/// A small cache that keeps the `CAPACITY` most recently used values, oldest out first:
/// enough for the few distinct settings a PHP process really uses, and bounded whatever
/// hostile or careless code passes.
pub struct Recent<K, V, const CAPACITY: usize>(Mutex<VecDeque<(K, V)>>);

impl<K: PartialEq, V: Clone, const CAPACITY: usize> Recent<K, V, CAPACITY> {
    pub const fn new() -> Self {
        Self(Mutex::new(VecDeque::new()))
    }

    /// The value for `key`, made by `make` when it is not cached (an error is not cached).
    pub fn get_or_try(&self, key: K, make: impl FnOnce() -> Result<V>) -> Result<V> {
        let mut entries = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = entries.iter().position(|(k, _)| *k == key) {
            let entry = entries.remove(at).unwrap_or_else(|| unreachable!());
            let value = entry.1.clone();
            entries.push_back(entry);
            return Ok(value);
        }
        let value = make()?;
        if entries.len() >= CAPACITY {
            entries.pop_front();
        }
        entries.push_back((key, value.clone()));
        Ok(value)
    }

    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<K: PartialEq, V: Clone, const CAPACITY: usize> Default for Recent<K, V, CAPACITY> {
    fn default() -> Self {
        Self::new()
    }
}

/// Which version of a file: a changed file (replaced, or written to) is another version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileVersion {
    path: PathBuf,
    id: Option<(u64, u64, u64, Option<SystemTime>)>,
}

impl FileVersion {
    pub fn of(path: &Path) -> Self {
        let id = std::fs::metadata(path).ok().map(|m| {
            #[cfg(unix)]
            let (dev, ino) = {
                use std::os::unix::fs::MetadataExt;
                (m.dev(), m.ino())
            };
            #[cfg(not(unix))]
            let (dev, ino) = (0, 0);
            (dev, ino, m.len(), m.modified().ok())
        });
        Self { path: path.to_owned(), id }
    }
}

/// Roots to verify servers against: the system store plus an optional PEM bundle. Read
/// once per process for each version of the CA file (the system store once in all).
pub fn root_store(ca_file: Option<&Path>) -> Result<Arc<RootCertStore>> {
    static STORES: Recent<Option<FileVersion>, Arc<RootCertStore>, 4> = Recent::new();
    STORES.get_or_try(ca_file.map(FileVersion::of), || read_root_store(ca_file).map(Arc::new))
}

fn read_root_store(ca_file: Option<&Path>) -> Result<RootCertStore> {
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
        return Err(Error::transport(TransportKind::Tls, NO_ROOTS));
    }
    Ok(store)
}

/// Why nothing can be verified on a system without a trust store.
pub const NO_ROOTS: &str =
    "no trusted root certificates found: install the ca-certificates package or set closte.ca_file";

/// Whether this system has no trusted roots of its own.
pub fn no_system_roots() -> bool {
    system_roots().is_empty()
}

/// TLS for the API client. On a system without a trust store (a minimal container without
/// ca-certificates) the client is still made, with no roots: a plain `http://` API URL (the
/// emulator on loopback) works, and an `https://` one fails its handshake with [`NO_ROOTS`]
/// in the message. A CA file that cannot be used is an error at once.
pub fn client_config(ca_file: Option<&Path>) -> Result<rustls::ClientConfig> {
    let roots = match root_store(ca_file) {
        Ok(roots) => roots,
        Err(_) if ca_file.is_none() && no_system_roots() => Arc::new(RootCertStore::empty()),
        Err(e) => return Err(e),
    };
    let config = rustls::ClientConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::transport(TransportKind::Setup, format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots)
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
        .map_err(|e| {
            Error::transport(TransportKind::Setup, format!("cannot build the HTTP client: {}", e.without_url()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_keeps_the_newest_and_stays_bounded() {
        let cache: Recent<u32, u32, 3> = Recent::new();
        let mut made = 0;
        for round in 0..2 {
            for k in 0..1000 {
                cache
                    .get_or_try(k, || {
                        made += 1;
                        Ok(k * 2)
                    })
                    .unwrap();
                assert!(cache.len() <= 3, "round {round}: {} entries", cache.len());
            }
        }
        assert_eq!(made, 2000, "an evicted value is made again");
        // The three most recent are cached: no new value is made for them.
        for k in 997..1000 {
            assert_eq!(cache.get_or_try(k, || unreachable!()).unwrap(), k * 2);
        }
        // An error is not cached.
        assert!(cache.get_or_try(5000, || Err(Error::config("no"))).is_err());
        assert_eq!(cache.get_or_try(5000, || Ok(1)).unwrap(), 1);
    }

    #[test]
    fn a_ca_file_is_read_once_per_version() {
        let dir = std::env::temp_dir().join(format!("closte-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ca.pem");
        std::fs::write(&path, "not a certificate").unwrap();
        assert!(root_store(Some(&path)).is_err());
        let a = FileVersion::of(&path);
        assert_eq!(a, FileVersion::of(&path));
        std::fs::write(&path, "changed, longer than before").unwrap();
        assert_ne!(a, FileVersion::of(&path), "a rewritten file is a new version");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
