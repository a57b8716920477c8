//! PHP's view of `closte_core::Error`: one class per variant, all under `Closte\Exception`.

use ext_php_rs::exception::PhpException;
use ext_php_rs::class::RegisteredClass;
use ext_php_rs::prelude::*;
use ext_php_rs::zend::{ClassEntry, ce};

use closte_core::{ApiKey, Error};

unsafe extern "C" {
    // Exported by the php binary (SPL is always compiled in). The class table cannot be
    // searched by name yet when classes are registered, at module startup.
    static spl_ce_RuntimeException: *mut ClassEntry;
}

fn runtime_exception() -> &'static ClassEntry {
    // SAFETY: set by SPL's startup, which runs before any extension's; never freed.
    unsafe { spl_ce_RuntimeException.as_ref() }.unwrap_or_else(ce::exception)
}

#[php_class]
#[php(name = "Closte\\Exception")]
#[php(extends(ce = runtime_exception, stub = "\\RuntimeException"))]
#[derive(Default)]
pub struct ClosteException;

#[php_class]
#[php(name = "Closte\\ConfigException")]
#[php(extends(ClosteException))]
#[derive(Default)]
pub struct ConfigException;

#[php_class]
#[php(name = "Closte\\InvalidDomainException")]
#[php(extends(ClosteException))]
#[derive(Default)]
pub struct InvalidDomainException;

#[php_class]
#[php(name = "Closte\\ApiException")]
#[php(extends(ClosteException))]
#[derive(Default)]
pub struct ApiException;

#[php_class]
#[php(name = "Closte\\TransportException")]
#[php(extends(ClosteException))]
#[derive(Default)]
pub struct TransportException;

/// The one place where core errors become PHP exceptions. The key is scrubbed from
/// the message whatever produced it.
pub fn to_php(err: Error, key: Option<&ApiKey>) -> PhpException {
    let err = match key {
        Some(k) => err.redact(k.expose()),
        None => err,
    };
    let message = err.to_string();
    match err {
        Error::Config(_) => PhpException::from_class::<ConfigException>(message),
        Error::InvalidDomain { .. } => PhpException::from_class::<InvalidDomainException>(message),
        // getCode() is the HTTP status (200 when Closte said `success:false`).
        Error::Api { status, .. } => PhpException::new(message, i32::from(status), ApiException::get_metadata().ce()),
        Error::Transport { .. } => PhpException::from_class::<TransportException>(message),
    }
}

/// `\TypeError`, as core PHP throws for a wrong argument type.
pub fn type_error(message: String) -> PhpException {
    PhpException::new(message, 0, ce::type_error())
}

/// `\ValueError`, as core PHP throws for an argument out of range.
pub fn value_error(message: String) -> PhpException {
    PhpException::new(message, 0, ce::value_error())
}
