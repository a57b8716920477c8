//! PHP's view of `closte_core::Error`: one class per variant, all under `Closte\Exception`.
//!
//! The classes are registered by hand rather than with `#[php_class]`: a Rust-backed
//! class replaces `create_object`, and then PHP's exception constructor never fills in
//! the file, line and trace. These inherit everything from `\RuntimeException`, and
//! `Closte\Exception` adds `isRetryable()` and `getRetryReason()`, read from two protected
//! properties set when the extension throws (closte-core's one retry rule).

use std::ffi::{CStr, c_char, c_long};
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

use ext_php_rs::builders::{ClassBuilder, ClassProperty, FunctionBuilder};
use ext_php_rs::convert::IntoZval;
use ext_php_rs::exception::PhpException;
use ext_php_rs::flags::{DataType, MethodFlags, PropertyFlags};
use ext_php_rs::types::{ZendObject, Zval};
use ext_php_rs::zend::{ClassEntry, ExecuteData, ce};

use closte_core::{ApiKey, Error, Retryability, printable};

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

const RETRYABLE: &CStr = c"retryable";
const RETRY_REASON: &CStr = c"retryReason";

unsafe extern "C" {
    // Zend API (PHP 8.0+), exported by the php binary. With `scope` they write protected
    // properties the way code of that class would.
    fn zend_update_property_bool(
        scope: *mut ClassEntry,
        object: *mut ZendObject,
        name: *const c_char,
        len: usize,
        value: c_long,
    );
    fn zend_update_property_long(
        scope: *mut ClassEntry,
        object: *mut ZendObject,
        name: *const c_char,
        len: usize,
        value: c_long,
    );
    fn zend_update_property_stringl(
        scope: *mut ClassEntry,
        object: *mut ZendObject,
        name: *const c_char,
        len: usize,
        value: *const c_char,
        value_len: usize,
    );
}

fn scope(ce: &'static ClassEntry) -> *mut ClassEntry {
    ptr::from_ref(ce).cast_mut()
}

/// The value of one of `Closte\Exception`'s protected properties of `$this`.
fn own_property(ex: &mut ExecuteData, name: &CStr) -> Option<Zval> {
    let obj = ex.get_self()?;
    let mut rv = Zval::new();
    // SAFETY: `obj` is the live `$this` of the running method; the engine either returns
    // a pointer to the property or to `rv`, both valid while we copy the value.
    let zv = unsafe {
        ext_php_rs::ffi::zend_read_property(scope(base()), obj, name.as_ptr(), name.count_bytes(), true, &raw mut rv)
            .as_ref()
    }?;
    Some(zv.shallow_clone())
}

/// `Closte\Exception::isRetryable(): bool`.
extern "C" fn is_retryable(ex: &mut ExecuteData, retval: &mut Zval) {
    retval.set_bool(own_property(ex, RETRYABLE).and_then(|zv| zv.bool()).unwrap_or(false));
}

/// `Closte\Exception::getRetryReason(): string`.
extern "C" fn get_retry_reason(ex: &mut ExecuteData, retval: &mut Zval) {
    let reason = own_property(ex, RETRY_REASON).and_then(|zv| zv.string()).unwrap_or_default();
    let _ = retval.set_string(&reason, false);
}

/// Registers the classes; called from module startup.
pub fn register() -> ext_php_rs::error::Result<()> {
    let property = |name: &CStr, default: Zval, ty: DataType| ClassProperty {
        name: name.to_string_lossy().into_owned(),
        flags: PropertyFlags::Protected,
        default: Some(Box::new(move || Ok(default))),
        docs: &[],
        ty: Some(ty),
        nullable: false,
        readonly: false,
        default_stub: None,
    };
    let mut no = Zval::new();
    no.set_bool(false);
    let mut empty = Zval::new();
    empty.set_string("", true)?;
    ClassBuilder::new("Closte\\Exception")
        .extends((runtime_exception, "\\RuntimeException"))
        .property(property(RETRYABLE, no, DataType::Bool))
        .property(property(RETRY_REASON, empty, DataType::String))
        .method(
            FunctionBuilder::new("isRetryable", is_retryable).returns(DataType::Bool, false, false),
            MethodFlags::Public,
        )
        .method(
            FunctionBuilder::new("getRetryReason", get_retry_reason).returns(DataType::String, false, false),
            MethodFlags::Public,
        )
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

/// A `Closte\Exception` that says whether retrying can help: the object is made here
/// (file, line and trace filled by the engine as for any exception) and its message, code
/// and retry properties are set the way the classes' own code would set them.
fn closte_throwable(d: &Described) -> PhpException {
    let ce = class(d.slot);
    let plain = || throwable(&d.message, d.code, ce);
    let mut obj = ZendObject::new(ce);
    let raw: *mut ZendObject = &raw mut *obj;
    let set_string = |scope: *mut ClassEntry, name: &CStr, value: &str| {
        // SAFETY: `raw` is a live object of a subclass of `scope`; the engine copies both strings.
        unsafe {
            zend_update_property_stringl(
                scope,
                raw,
                name.as_ptr(),
                name.count_bytes(),
                value.as_ptr().cast(),
                value.len(),
            )
        }
    };
    set_string(scope(ce::exception()), c"message", &d.message);
    // SAFETY: as above.
    unsafe {
        zend_update_property_long(scope(ce::exception()), raw, c"code".as_ptr(), 4, c_long::from(d.code));
        zend_update_property_bool(
            scope(base()),
            raw,
            RETRYABLE.as_ptr(),
            RETRYABLE.count_bytes(),
            c_long::from(d.retry.retryable),
        );
    }
    set_string(scope(base()), RETRY_REASON, d.retry.reason);
    match obj.into_zval(false) {
        Ok(zv) => plain().with_object(zv),
        Err(_) => plain(),
    }
}

/// An error as PHP sees it: class, message and code. The key is scrubbed from the message
/// whatever produced it, and control characters are escaped.
pub struct Described {
    pub message: String,
    pub code: i32,
    /// Whether retrying later can help, and why (closte-core's rule).
    pub retry: Retryability,
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
    let retry = err.retryability();
    let (slot, code) = match err {
        Error::Config(_) => (&CONFIG, 0),
        Error::InvalidDomain { .. } => (&INVALID_DOMAIN, 0),
        // getCode() is the HTTP status (200 when Closte said `success:false`).
        Error::Api { status, .. } => (&API, i32::from(status)),
        Error::Transport { .. } => (&TRANSPORT, 0),
    };
    Described { message, code, retry, slot }
}

/// The one place where core errors become PHP exceptions (see [`describe`]).
pub fn to_php(err: Error, key: Option<&ApiKey>) -> PhpException {
    closte_throwable(&describe(err, key))
}

/// `\TypeError`, as core PHP throws for a wrong argument type.
pub fn type_error(message: String) -> PhpException {
    throwable(&message, 0, ce::type_error())
}

/// `\ValueError`, as core PHP throws for an argument out of range.
pub fn value_error(message: String) -> PhpException {
    throwable(&message, 0, ce::value_error())
}
