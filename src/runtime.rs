//! One tokio runtime per PHP thread (per process under NTS PHP), made on first use, and
//! the few pooled HTTP clients its calls recently used.
//!
//! Per thread, not per process: under a thread-safe PHP (FrankenPHP, Apache's worker MPM)
//! each thread serves its own requests, and one shared engine would make every thread
//! wait for the others' calls. Nothing is shared between threads but the read-only trust
//! roots; the key is read from the request's own constant at every call.
//!
//! Nothing starts at module init: php-fpm loads extensions in its master and then forks,
//! and a tokio runtime does not survive `fork()`. The engine remembers the pid that made
//! it; in a forked child the parent's engine is forgotten (never dropped: dropping would
//! touch threads and sockets that belong to the parent) and a fresh one is built.

use std::cell::RefCell;
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use closte_core::http::{FileVersion, Recent};
use closte_core::{ApiClient, Error, Result, TransportKind};

/// Clients kept per process. reqwest fixes the connect timeout and the trust roots per
/// client, so each distinct pair (and CA file version) needs one; the few most recently
/// used are kept with their keep-alive connections, and an older one is dropped with its
/// connections, so no series of option values piles up sockets or memory in a worker.
const CLIENTS: usize = 4;

struct Engine {
    pid: u32,
    runtime: tokio::runtime::Runtime,
    clients: Recent<(Duration, Option<FileVersion>), ApiClient, CLIENTS>,
}

thread_local! {
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
}

/// Gives `f` this thread's engine, building it on first use or after a fork.
fn with_engine<T>(f: impl FnOnce(&mut Engine) -> Result<T>) -> Result<T> {
    ENGINE.with(|cell| {
        // A call never runs inside another one (no PHP code runs while a call waits).
        let Ok(mut guard) = cell.try_borrow_mut() else {
            return Err(Error::transport(TransportKind::Setup, "a Closte call is already running on this thread"));
        };
        engine(&mut guard, f)
    })
}

fn engine<T>(guard: &mut Option<Engine>, f: impl FnOnce(&mut Engine) -> Result<T>) -> Result<T> {
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
                .map_err(|e| Error::transport(TransportKind::Setup, format!("cannot start the I/O runtime: {e}")))?;
            guard.insert(Engine { pid, runtime, clients: Recent::new() })
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
        let ca_file = ca_file.map(PathBuf::as_path);
        let key = (connect_timeout, ca_file.map(FileVersion::of));
        let client = engine.clients.get_or_try(key, || ApiClient::new(connect_timeout, ca_file))?;
        engine.runtime.block_on(f(client))
    })
}

/// Runs a future that needs no HTTP client (the checks) on the same runtime: its error,
/// or the runtime's, as one result.
pub fn block_on<T>(fut: impl Future<Output = Result<T>>) -> Result<T> {
    with_engine(|engine| engine.runtime.block_on(fut))
}
