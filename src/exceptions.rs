//! PHP's view of `closte_core::Error`: one class per variant, all under `Closte\Exception`.
//!
//! The classes are registered by hand rather than with `#[php_class]`: a Rust-backed
//! class replaces `create_object`, and then PHP's exception constructor never fills in
//! the file, line and trace. These inherit everything from `\RuntimeException`.

use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

use ext_php_rs::builders::ClassBuilder;
use ext_php_rs::exception::PhpException;
use ext_php_rs::zend::{ClassEntry, ce};

use closte_core::{ApiKey, Error, printable};

unsafe extern "C" {
    // Exported by the php binary (SPL is always compiled in). The class table cannot be
    // searched by name yet when classes are registered, at module startup.
    static spl_ce_RuntimeException: *mut ClassEntry;
}

fn runtime_exception() -> &'static ClassEntry {
    // SAFETY: set by SPL's startup, which runs before any extension's; never freed.
    unsafe { spl_ce_RuntimeException.as_ref() }.unwrap_or_else(ce::exception)
}

static BASE: AtomicPtr<ClassEntry> = AtomicPtr::new(ptr::null_mut());
static CONFIG: AtomicPtr<ClassEntry> = AtomicPtr::new(ptr::null_mut());
static INVALID_DOMAIN: AtomicPtr<ClassEntry> = AtomicPtr::new(ptr::null_mut());
static API: AtomicPtr<ClassEntry> = AtomicPtr::new(ptr::null_mut());
static TRANSPORT: AtomicPtr<ClassEntry> = AtomicPtr::new(ptr::null_mut());

fn class(slot: &AtomicPtr<ClassEntry>) -> &'static ClassEntry {
    // SAFETY: registered at module startup, before any PHP code runs; lives until shutdown.
    unsafe { slot.load(Ordering::Acquire).as_ref() }.unwrap_or_else(runtime_exception)
}

fn base() -> &'static ClassEntry {
    class(&BASE)
}

/// Registers a subclass of `Closte\Exception` and remembers its class entry in `$slot`.
macro_rules! subclass {
    ($name:literal, $slot:ident) => {
        ClassBuilder::new($name)
            .extends((base, "\\Closte\\Exception"))
            .registration(|ce, _| $slot.store(ce, Ordering::Release))
            .register()
    };
}

/// Registers the classes; called from module startup.
pub fn register() -> ext_php_rs::error::Result<()> {
    ClassBuilder::new("Closte\\Exception")
        .extends((runtime_exception, "\\RuntimeException"))
        .registration(|ce, _| BASE.store(ce, Ordering::Release))
        .register()?;
    subclass!("Closte\\ConfigException", CONFIG)?;
    subclass!("Closte\\InvalidDomainException", INVALID_DOMAIN)?;
    subclass!("Closte\\ApiException", API)?;
    subclass!("Closte\\TransportException", TRANSPORT)
}

/// Every exception the extension throws is made here. Control characters (NUL included)
/// are escaped first: a message is passed to PHP as a C string, and one with a NUL byte
/// would make the exception itself fail to be created.
fn throwable(message: &str, code: i32, ce: &'static ClassEntry) -> PhpException {
    PhpException::new(printable(message).into_owned(), code, ce)
}

/// An error as PHP sees it: class, message and code. The key is scrubbed from the message
/// whatever produced it, and control characters are escaped.
pub struct Described {
    pub message: String,
    pub code: i32,
    slot: &'static AtomicPtr<ClassEntry>,
}

impl Described {
    /// The class's name as registered, e.g. `Closte\ApiException`.
    pub fn class_name(&self) -> &'static str {
        class(self.slot).name().unwrap_or("Closte\\Exception")
    }
}

pub fn describe(err: Error, key: Option<&ApiKey>) -> Described {
    let err = match key {
        Some(k) => err.redact(k.expose()),
        None => err,
    };
    let message = printable(&err.to_string()).into_owned();
    let (slot, code) = match err {
        Error::Config(_) => (&CONFIG, 0),
        Error::InvalidDomain { .. } => (&INVALID_DOMAIN, 0),
        // getCode() is the HTTP status (200 when Closte said `success:false`).
        Error::Api { status, .. } => (&API, i32::from(status)),
        Error::Transport { .. } => (&TRANSPORT, 0),
    };
    Described { message, code, slot }
}

/// The one place where core errors become PHP exceptions (see [`describe`]).
pub fn to_php(err: Error, key: Option<&ApiKey>) -> PhpException {
    let d = describe(err, key);
    throwable(&d.message, d.code, class(d.slot))
}

/// `\TypeError`, as core PHP throws for a wrong argument type.
pub fn type_error(message: String) -> PhpException {
    throwable(&message, 0, ce::type_error())
}

/// `\ValueError`, as core PHP throws for an argument out of range.
pub fn value_error(message: String) -> PhpException {
    throwable(&message, 0, ce::value_error())
}
