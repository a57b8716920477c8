//! `closte-emulator`: Closte's client API on a local socket, for tests, the demo and
//! benchmarks. See `--help`.

mod api;
mod certs;
mod dns;
mod faults;
mod proxy;
mod server;
mod state;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
closte-emulator: a local stand-in for Closte's client API

usage: closte-emulator [--listen ADDR] [--api-key KEY] [--state FILE]
                       [--tls-cert PEM --tls-key PEM]
       closte-emulator make-certs DIR
       closte-emulator proxy --to HOST:PORT --rtt-ms N [--listen ADDR]
       closte-emulator dns --zone FILE [--listen ADDR]

  --listen ADDR   address to listen on (default 127.0.0.1:0; port 0 picks a free one)
  --api-key KEY   the key clients must send (default: test-key)
  --state FILE    keep domain aliases in this JSON file across restarts
  --tls-cert PEM  serve HTTPS with this certificate chain ...
  --tls-key PEM   ... and this private key

make-certs writes a test PKI into DIR: ca.pem (trusted test CA), other-ca.pem, and
a .pem/.key pair for localhost, valid, expiring, expired, future, wrong-host,
self-signed, untrusted, hostile (hostile.example.test, its CN a <script> tag),
wildcard (*.example.test), and life90-13d, life90-15d, life45-7d, life45-8d,
life6-12h, life6-2d (LIFE<days>-<left>.example.test: certificates of 90, 45 and 6 days
with that much left).

proxy forwards TCP from --listen (default 127.0.0.1:0) to --to, delivering every chunk
half of --rtt-ms after it was read, each way: a network with that round-trip time, for
benchmarks. Its first line on stdout is `listening on tcp://HOST:PORT`.

dns serves FILE on UDP and TCP of one port (default 127.0.0.1:0): lines
`NAME TTL A|AAAA|CNAME|TXT VALUE`, `NAME SERVFAIL`, `NAME SILENT` (never answers) and
`NAME DELAY MS`; other names are NXDOMAIN. TXT `stats.emulator.` answers
`queries=N max_pending=M caa=C`, TXT `reset.emulator.` zeroes them. Its first line on stdout
is `listening on udp://HOST:PORT`.

The first line on stdout is `listening on http(s)://HOST:PORT`. The API is served
under /api/client/; test controls under /__emulator/ (GET requests, POST faults,
DELETE faults, POST reset).";

pub struct Options {
    pub listen: SocketAddr,
    pub api_key: String,
    pub state: Option<PathBuf>,
    pub tls: Option<(PathBuf, PathBuf)>,
}

fn parse_args() -> Result<Options, String> {
    let mut opts = Options {
        listen: "127.0.0.1:0".parse().expect("literal address"),
        api_key: "test-key".into(),
        state: None,
        tls: None,
    };
    let (mut cert, mut key) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--listen" => {
                let v = value()?;
                opts.listen = v.parse().map_err(|e| format!("--listen {v}: {e}"))?;
            }
            "--api-key" => opts.api_key = value()?,
            "--state" => opts.state = Some(value()?.into()),
            "--tls-cert" => cert = Some(PathBuf::from(value()?)),
            "--tls-key" => key = Some(PathBuf::from(value()?)),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}\n\n{USAGE}")),
        }
    }
    opts.tls = match (cert, key) {
        (Some(c), Some(k)) => Some((c, k)),
        (None, None) => None,
        _ => return Err("--tls-cert and --tls-key go together".into()),
    };
    Ok(opts)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("make-certs") {
        let Some(dir) = args.get(2) else {
            eprintln!("closte-emulator: make-certs needs a directory");
            return ExitCode::from(2);
        };
        return match certs::make(std::path::Path::new(dir)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("closte-emulator: make-certs: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if args.get(1).map(String::as_str) == Some("proxy") {
        return run_proxy(&args[2..]);
    }
    if args.get(1).map(String::as_str) == Some("dns") {
        return run_dns(&args[2..]);
    }
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("closte-emulator: {e}");
            return ExitCode::from(2);
        }
    };
    serve("closte-emulator", server::run(opts))
}

/// Runs a server to its end on a current-thread runtime; its error is the exit status.
fn serve(who: &str, fut: impl std::future::Future<Output = Result<(), String>>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{who}: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(fut) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{who}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_proxy(args: &[String]) -> ExitCode {
    let parsed = (|| -> Result<(SocketAddr, SocketAddr, u64), String> {
        let (mut listen, mut to, mut rtt) = (None, None, None);
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let v = it.next().ok_or_else(|| format!("{arg} needs a value"))?;
            match arg.as_str() {
                "--listen" => listen = Some(v.parse().map_err(|e| format!("--listen {v}: {e}"))?),
                "--to" => to = Some(v.parse().map_err(|e| format!("--to {v}: {e}"))?),
                "--rtt-ms" => rtt = Some(v.parse().map_err(|e| format!("--rtt-ms {v}: {e}"))?),
                other => return Err(format!("unknown argument {other}")),
            }
        }
        let listen = listen.unwrap_or_else(|| "127.0.0.1:0".parse().expect("literal address"));
        Ok((listen, to.ok_or("--to is required")?, rtt.ok_or("--rtt-ms is required")?))
    })();
    let (listen, to, rtt) = match parsed {
        Ok(p) => p,
        Err(e) => {
            eprintln!("closte-emulator proxy: {e}");
            return ExitCode::from(2);
        }
    };
    serve("closte-emulator proxy", proxy::run(listen, to, std::time::Duration::from_millis(rtt)))
}

fn run_dns(args: &[String]) -> ExitCode {
    let parsed = (|| -> Result<(SocketAddr, PathBuf), String> {
        let (mut listen, mut zone) = (None, None);
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let v = it.next().ok_or_else(|| format!("{arg} needs a value"))?;
            match arg.as_str() {
                "--listen" => listen = Some(v.parse().map_err(|e| format!("--listen {v}: {e}"))?),
                "--zone" => zone = Some(PathBuf::from(v)),
                other => return Err(format!("unknown argument {other}")),
            }
        }
        let listen = listen.unwrap_or_else(|| "127.0.0.1:0".parse().expect("literal address"));
        Ok((listen, zone.ok_or("--zone is required")?))
    })();
    let (listen, zone) = match parsed {
        Ok(p) => p,
        Err(e) => {
            eprintln!("closte-emulator dns: {e}");
            return ExitCode::from(2);
        }
    };
    serve("closte-emulator dns", dns::run(listen, &zone))
}
