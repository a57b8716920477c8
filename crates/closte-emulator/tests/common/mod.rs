//! Shared by the integration tests: the emulator binary as a child process, and a
//! throw-away test PKI from `closte-emulator make-certs`.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

pub const BIN: &str = env!("CARGO_BIN_EXE_closte-emulator");

/// A running emulator on a free loopback port, killed when dropped.
pub struct Server {
    child: Child,
    pub url: String,
    pub port: u16,
}

impl Server {
    pub fn start(args: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the emulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("first line");
        let url = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("unexpected line {line:?}"));
        let port = url.rsplit(':').next().and_then(|p| p.parse().ok()).expect("port in first line");
        Self { child, url: url.to_owned(), port }
    }

    /// Serves HTTPS with `DIR/leaf.pem` and `DIR/leaf.key`.
    pub fn tls(certs: &Path, leaf: &str, extra: &[&str]) -> Self {
        let pem = certs.join(format!("{leaf}.pem"));
        let key = certs.join(format!("{leaf}.key"));
        let mut args = vec!["--tls-cert", pem.to_str().unwrap(), "--tls-key", key.to_str().unwrap()];
        args.extend_from_slice(extra);
        Self::start(&args)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh directory with the test PKI, removed when dropped.
pub struct Pki(pub PathBuf);

impl Pki {
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("closte-pki-{}-{:?}", std::process::id(), Instant::now()));
        let ok = Command::new(BIN).arg("make-certs").arg(&dir).status().expect("make-certs");
        assert!(ok.success(), "make-certs failed");
        Self(dir)
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}
