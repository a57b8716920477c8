//! One tokio runtime and one pooled HTTP client per PHP process, made on first use.
//!
//! Nothing starts at module init: php-fpm loads extensions in its master and then forks,
//! and a tokio runtime does not survive `fork()`. The engine remembers the pid that made
//! it; in a forked child the parent's engine is forgotten (never dropped: dropping would
//! touch threads and sockets that belong to the parent) and a fresh one is built.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use closte_core::{ApiClient, Error, Result, TransportKind};

struct Engine {
    pid: u32,
    runtime: tokio::runtime::Runtime,
    /// Clients by (connect timeout, extra CA file): both are fixed per client in reqwest.
    clients: HashMap<(Duration, Option<PathBuf>), ApiClient>,
}

static ENGINE: Mutex<Option<Engine>> = Mutex::new(None);

/// Gives `f` this process's engine, building it on first use or after a fork.
fn with_engine<T>(f: impl FnOnce(&mut Engine) -> Result<T>) -> Result<T> {
    let mut guard = ENGINE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let pid = std::process::id();
    if guard.as_ref().is_some_and(|e| e.pid != pid) {
        std::mem::forget(guard.take());
    }
    let engine = match guard.as_mut() {
        Some(engine) => engine,
        None => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| Error::transport(TransportKind::Tls, format!("cannot start the I/O runtime: {e}")))?;
            guard.insert(Engine { pid, runtime, clients: HashMap::new() })
        }
    };
    f(engine)
}

/// Runs `f` to completion with a pooled client for the given connection settings.
pub fn run<T, F, Fut>(connect_timeout: Duration, ca_file: Option<&PathBuf>, f: F) -> Result<T>
where
    F: FnOnce(ApiClient) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    with_engine(|engine| {
        let key = (connect_timeout, ca_file.cloned());
        let client = match engine.clients.get(&key) {
            Some(c) => c.clone(),
            None => {
                let c = ApiClient::new(connect_timeout, ca_file.map(PathBuf::as_path))?;
                engine.clients.insert(key, c.clone());
                c
            }
        };
        engine.runtime.block_on(f(client))
    })
}

/// Runs a future that needs no HTTP client (TLS checks) on the same runtime.
pub fn block_on<T>(fut: impl Future<Output = T>) -> Result<T> {
    with_engine(|engine| Ok(engine.runtime.block_on(fut)))
}
