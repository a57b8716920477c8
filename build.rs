//! Build script of the extension: link flags a PHP extension needs on macOS, and build
//! facts that `phpinfo()` and `php --ri closte` show (git revision, rustc, target).

use std::env;
use std::path::Path;
use std::process::Command;

fn main() {
    // The cdylib calls into the php binary, which provides the Zend API at load time; the
    // macOS linker wants undefined symbols allowed explicitly (GNU ld allows them in a .so).
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("macos") {
        println!("cargo:rustc-cdylib-link-arg=-undefined");
        println!("cargo:rustc-cdylib-link-arg=dynamic_lookup");
    }

    let revision = output("git", &["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let rustc = output(&env::var("RUSTC").unwrap_or_else(|_| "rustc".into()), &["--version"])
        .unwrap_or_else(|| "rustc (unknown version)".into());
    println!("cargo:rustc-env=CLOSTE_GIT_REVISION={revision}");
    println!("cargo:rustc-env=CLOSTE_RUSTC={rustc}");
    println!("cargo:rustc-env=CLOSTE_TARGET={}", env::var("TARGET").unwrap_or_default());
    println!("cargo:rustc-env=CLOSTE_PROFILE={}", env::var("PROFILE").unwrap_or_default());

    // Rebuild when the checked-out commit changes, not on every edit of the index.
    println!("cargo:rerun-if-changed=build.rs");
    for file in [".git/HEAD", ".git/packed-refs"] {
        if Path::new(file).exists() {
            println!("cargo:rerun-if-changed={file}");
        }
    }
    if let Some(head) =
        std::fs::read_to_string(".git/HEAD").ok().and_then(|h| h.strip_prefix("ref: ").map(|r| r.trim().to_owned()))
    {
        let reference = format!(".git/{head}");
        if Path::new(&reference).exists() {
            println!("cargo:rerun-if-changed={reference}");
        }
    }
}

/// A command's first line of output, when it runs and succeeds.
fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok().filter(|o| o.status.success())?;
    let text = String::from_utf8(out.stdout).ok()?;
    Some(text.lines().next()?.trim().to_owned()).filter(|s| !s.is_empty())
}
