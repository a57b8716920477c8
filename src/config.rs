//! INI settings and the API key constant. Values are read at call time, never cached:
//! `ini_set()` and `wp-config.php` both run long after the module started.

use std::ffi::{CStr, c_char, c_int};
use std::path::PathBuf;

use ext_php_rs::flags::IniEntryPermission;
use ext_php_rs::types::Zval;
use ext_php_rs::zend::{IniEntryDef, IniEntryDefs};

use closte_core::{ApiKey, Error, Result, Settings};

pub const KEY_CONSTANT: &str = "CLOSTE_CLIENT_API_KEY";

/// Every INI setting, with its default. php-stubs/closte.php and README.md document
/// the same table, and scripts/check-stubs.php compares both with `ini_get_all('closte')`.
static INI: IniEntryDefs<11> = IniEntryDefs::new([
    IniEntryDef::new(c"closte.api_url", c"https://app.closte.com/api/client", IniEntryPermission::All),
    IniEntryDef::new(c"closte.timeout", c"30", IniEntryPermission::All),
    IniEntryDef::new(c"closte.connect_timeout", c"10", IniEntryPermission::All),
    IniEntryDef::new(c"closte.max_retries", c"2", IniEntryPermission::All),
    IniEntryDef::new(c"closte.ca_file", c"", IniEntryPermission::All),
    IniEntryDef::new(c"closte.ssl_timeout", c"10", IniEntryPermission::All),
    IniEntryDef::new(c"closte.concurrency", c"8", IniEntryPermission::All),
    IniEntryDef::new(c"closte.ssl_concurrency", c"32", IniEntryPermission::All),
    IniEntryDef::new(c"closte.nameservers", c"", IniEntryPermission::All),
    IniEntryDef::new(c"closte.dns_timeout", c"5", IniEntryPermission::All),
    IniEntryDef::end(),
]);

unsafe extern "C" {
    // Zend API, exported by the php binary.
    fn zend_ini_string_ex(name: *const c_char, len: usize, orig: c_int, exists: *mut bool) -> *mut c_char;
    fn zend_get_constant_str(name: *const c_char, len: usize) -> *mut Zval;
}

/// Module startup: registers the INI entries and the exception classes, and starts
/// nothing (no threads, no sockets: php-fpm forks after this).
pub fn startup(_ty: i32, module_number: i32) -> i32 {
    IniEntryDef::register(INI.as_slice(), module_number);
    match crate::exceptions::register() {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("closte: cannot register exception classes: {e}");
            -1
        }
    }
}

/// The current value of an INI setting of ours.
pub fn ini(name: &str) -> String {
    let mut exists = false;
    // SAFETY: the name is a valid buffer of `len` bytes; the returned pointer is owned by
    // the engine and valid until the setting changes, so it is copied at once.
    let ptr = unsafe { zend_ini_string_ex(name.as_ptr().cast(), name.len(), 0, &raw mut exists) };
    if ptr.is_null() || !exists {
        return String::new();
    }
    unsafe { CStr::from_ptr(ptr) }.to_string_lossy().into_owned()
}

pub fn ini_seconds(name: &str) -> Result<std::time::Duration> {
    let raw = ini(name);
    let value: f64 =
        raw.trim().parse().map_err(|_| Error::config(format!("{name} must be a number of seconds, got \"{raw}\"")))?;
    Settings::seconds(name, value)
}

/// A whole-number INI setting within `range`.
pub fn ini_count(name: &str, range: std::ops::RangeInclusive<usize>) -> Result<usize> {
    let raw = ini(name);
    raw.trim().parse::<usize>().ok().filter(|n| range.contains(n)).ok_or_else(|| {
        Error::config(format!(
            "{name} must be a whole number between {} and {}, got \"{raw}\"",
            range.start(),
            range.end()
        ))
    })
}

/// Settings from INI (options are applied on top by the caller).
pub fn settings_from_ini() -> Result<Settings> {
    let raw_retries = ini("closte.max_retries");
    let retries: i64 = raw_retries
        .trim()
        .parse()
        .map_err(|_| Error::config(format!("closte.max_retries must be a whole number, got \"{raw_retries}\"")))?;
    Ok(Settings {
        api_url: ini("closte.api_url"),
        timeout: ini_seconds("closte.timeout")?,
        connect_timeout: ini_seconds("closte.connect_timeout")?,
        max_retries: Settings::retries("closte.max_retries", retries)?,
        ca_file: ca_file(),
    })
}

/// `closte.ca_file`, shared by the API calls and check_ssl; empty means none.
pub fn ca_file() -> Option<PathBuf> {
    Some(ini("closte.ca_file")).filter(|p| !p.is_empty()).map(PathBuf::from)
}

fn constant(name: &str) -> Option<&'static Zval> {
    // SAFETY: the engine owns the constant table; a constant lives until request end.
    unsafe { zend_get_constant_str(name.as_ptr().cast(), name.len()).as_ref() }
}

/// A constant's string value: None when undefined, Err when it is not a string.
pub fn constant_string(name: &str) -> Option<std::result::Result<String, ()>> {
    constant(name).map(|zv| zv.str().map(str::to_owned).ok_or(()))
}

pub fn key_is_defined() -> bool {
    constant(KEY_CONSTANT).is_some()
}

/// The API key from `CLOSTE_CLIENT_API_KEY`, read now.
pub fn api_key() -> Result<ApiKey> {
    let Some(zv) = constant(KEY_CONSTANT) else {
        return Err(Error::config(format!(
            "{KEY_CONSTANT} is not defined; define it in wp-config.php (Closte hosting defines it for you)"
        )));
    };
    let Some(key) = zv.str() else {
        return Err(Error::config(format!("{KEY_CONSTANT} must be a string")));
    };
    ApiKey::new(key)
}
