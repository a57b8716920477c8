//! Sockets, HTTP, TLS and faults around the endpoint logic in `api.rs`.

use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;

use crate::Options;
use crate::faults::{BodyFault, Fault, OVERSIZED_BYTES};
use crate::state::{LoggedRequest, State};

const API_PREFIX: &str = "/api/client/";
const CONTROL_PREFIX: &str = "/__emulator/";
const MAX_REQUEST_BYTES: usize = 1024 * 1024;
const MAX_CONTROL_BYTES: usize = 64 * 1024 * 1024;

type Shared = Arc<Mutex<State>>;

fn lock(state: &Shared) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

/// Returned by the service to make hyper close the connection without an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for Dropped {}

pub async fn run(opts: Options) -> Result<(), String> {
    let state: Shared = Arc::new(Mutex::new(State::load(opts.api_key, opts.state)?));
    let tls = match &opts.tls {
        Some((cert, key)) => Some(tls_acceptor(cert, key)?),
        None => None,
    };
    let listener =
        TcpListener::bind(opts.listen).await.map_err(|e| format!("cannot listen on {}: {e}", opts.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let mut out = std::io::stdout();
    let _ = writeln!(out, "listening on {scheme}://{addr}");
    let _ = out.flush();

    let shutdown = async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {},
        }
    };
    tokio::pin!(shutdown);
    let mut connections: u64 = 0;
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => { eprintln!("closte-emulator: accept: {e}"); continue; }
            },
            () = &mut shutdown => return Ok(()),
        };
        let _ = stream.set_nodelay(true);
        connections += 1;
        let conn = connections;
        let state = state.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| handle(state.clone(), conn, req));
            let result = match tls {
                Some(acceptor) => match acceptor.accept(stream).await {
                    Ok(s) => http1::Builder::new().serve_connection(TokioIo::new(s), service).await,
                    Err(_) => return,
                },
                None => http1::Builder::new().serve_connection(TokioIo::new(stream), service).await,
            };
            drop(result); // client hang-ups and injected drops end up here; nothing to report
        });
    }
}

fn tls_acceptor(cert: &std::path::Path, key: &std::path::Path) -> Result<tokio_rustls::TlsAcceptor, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect())
        .map_err(|e| format!("--tls-cert {}: {e}", cert.display()))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("--tls-key {}: {e}", key.display()))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("TLS certificate/key: {e}"))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

fn json_response(status: u16, body: &Value) -> Response<Full<Bytes>> {
    raw_response(status, Bytes::from(body.to_string()))
}

fn raw_response(status: u16, body: Bytes) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(body))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// Query-string and form fields, as PHP's `$_REQUEST` would merge them.
fn fields(query: Option<&str>, body: &[u8]) -> Map<String, Value> {
    let mut map = Map::new();
    let pairs = query.map(|q| q.as_bytes()).into_iter().chain(std::iter::once(body));
    for raw in pairs {
        for (k, v) in form_urlencoded::parse(raw) {
            map.insert(k.into_owned(), Value::String(v.into_owned()));
        }
    }
    map
}

async fn handle(state: Shared, conn: u64, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Dropped> {
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    // The API's limit is Closte's; the control API takes bigger bodies (a fault replying
    // with a list of 100,000 aliases, for the benchmarks).
    let limit = if path.starts_with(CONTROL_PREFIX) { MAX_CONTROL_BYTES } else { MAX_REQUEST_BYTES };
    let body = match Limited::new(req.into_body(), limit).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return Ok(json_response(413, &json!({"success": false, "error": "Request too large"})));
        }
    };

    if let Some(control) = path.strip_prefix(CONTROL_PREFIX) {
        return Ok(control_request(&state, &method, control, &body));
    }
    let Some(endpoint) = path.strip_prefix(API_PREFIX) else {
        return Ok(json_response(404, &json!({"success": false, "error": "Not Found"})));
    };
    let endpoint = endpoint.trim_end_matches('/').to_owned();
    let mut form = fields(query.as_deref(), &body);
    let key = form.remove("apikey");

    let (fault, key_ok) = {
        let mut st = lock(&state);
        let key_ok = key.as_ref().and_then(Value::as_str) == Some(st.api_key.as_str());
        let fault = take_fault(&mut st, &endpoint, form.get("domain").and_then(Value::as_str));
        let t_ms = st.started.elapsed().as_secs_f64() * 1000.0;
        st.log.push(LoggedRequest {
            method: method.clone(),
            path: format!("/{endpoint}"),
            form: form.clone(),
            apikey_ok: key_ok,
            conn,
            fault: fault.as_ref().filter(|f| f.replaces_answer() || f.delay_ms > 0).map(Fault::describe),
            t_ms,
        });
        (fault, key_ok)
    };

    let answer = || {
        let mut st = lock(&state);
        crate::api::handle(&mut st, &method, &endpoint, &form, key_ok)
    };
    let Some(fault) = fault else {
        let a = answer();
        return Ok(json_response(a.status, &a.body));
    };

    if fault.delay_ms > 0 {
        tokio::time::sleep(fault.delay()).await;
    }
    if !fault.replaces_answer() || fault.apply {
        let a = answer();
        if !fault.replaces_answer() {
            return Ok(json_response(a.status, &a.body));
        }
    }
    if fault.drop {
        return Err(Dropped);
    }
    let status = fault.status.unwrap_or(200);
    let body = match fault.body {
        Some(BodyFault::Malformed) => Bytes::from_static(b"{\"success\": tru"),
        Some(BodyFault::Empty) => Bytes::new(),
        Some(BodyFault::Oversized) => {
            let mut big = Vec::with_capacity(OVERSIZED_BYTES + 64);
            big.extend_from_slice(b"{\"success\":true,\"padding\":\"");
            big.resize(OVERSIZED_BYTES, b'x');
            big.extend_from_slice(b"\"}");
            Bytes::from(big)
        }
        None => match &fault.json {
            Some(custom) => Bytes::from(custom.to_string()),
            None => {
                Bytes::from(json!({"success": false, "error": format!("Emulated fault: HTTP {status}")}).to_string())
            }
        },
    };
    let mut response = raw_response(status, body);
    if let Some(secs) = fault.retry_after {
        if let Ok(v) = secs.to_string().parse() {
            response.headers_mut().insert("retry-after", v);
        }
    }
    Ok(response)
}

fn take_fault(st: &mut State, endpoint: &str, domain: Option<&str>) -> Option<Fault> {
    let i = st.faults.iter().position(|f| f.matches(endpoint, domain))?;
    let fault = st.faults[i].clone();
    if st.faults[i].count <= 1 {
        st.faults.remove(i);
    } else {
        st.faults[i].count -= 1;
    }
    Some(fault)
}

fn control_request(state: &Shared, method: &str, what: &str, body: &[u8]) -> Response<Full<Bytes>> {
    let mut st = lock(state);
    match (method, what.trim_end_matches('/')) {
        ("GET", "requests") => json_response(200, &json!({"requests": st.log})),
        ("GET", "health") => json_response(200, &json!({"ok": true, "domains": st.domains.len()})),
        ("POST", "reset") => {
            st.reset();
            json_response(200, &json!({"ok": true}))
        }
        ("DELETE", "faults") => {
            st.faults.clear();
            json_response(200, &json!({"ok": true}))
        }
        ("POST", "faults") => {
            #[derive(serde::Deserialize)]
            #[serde(untagged)]
            enum Faults {
                Many { faults: Vec<Fault> },
                One(Fault),
            }
            match serde_json::from_slice::<Faults>(body) {
                Ok(Faults::One(f)) => st.faults.push_back(f),
                Ok(Faults::Many { faults }) => st.faults.extend(faults),
                Err(e) => {
                    return json_response(400, &json!({"ok": false, "error": format!("bad fault: {e}")}));
                }
            }
            json_response(200, &json!({"ok": true, "queued": st.faults.len()}))
        }
        _ => json_response(404, &json!({"ok": false, "error": "unknown emulator control"})),
    }
}
