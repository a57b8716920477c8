//! INI settings and the API key constant. Values are read at call time, never cached:
//! `ini_set()` and `wp-config.php` both run long after the module started.

use std::ffi::{CStr, c_char, c_int};

use ext_php_rs::flags::IniEntryPermission;
use ext_php_rs::types::Zval;
use ext_php_rs::zend::{IniEntryDef, IniEntryDefs};

use closte_core::settings::{INI as INI_SETTINGS, IniValues};
use closte_core::{ApiKey, Error, Result, Settings};

pub const KEY_CONSTANT: &str = "CLOSTE_CLIENT_API_KEY";

/// The INI table the engine keeps for the life of the process: closte-core's one table
/// of names and defaults, each entry with an on-modify handler (without one, the engine
/// refuses `ini_restore()` at run time).
static INI: IniEntryDefs<{ INI_SETTINGS.len() + 1 }> = IniEntryDefs::new(entries());

const fn entries() -> [IniEntryDef; INI_SETTINGS.len() + 1] {
    let mut out = [IniEntryDef::end(); INI_SETTINGS.len() + 1];
    let mut i = 0;
    while i < INI_SETTINGS.len() {
        out[i] = IniEntryDef::new(INI_SETTINGS[i].name, INI_SETTINGS[i].default, IniEntryPermission::All);
        out[i].on_modify = Some(on_modify);
        i += 1;
    }
    out
}

/// Accepts every value: settings are read and checked at each call, where a bad one is a
/// precise `ConfigException` rather than a silent refusal of `ini_set()`.
unsafe extern "C" fn on_modify(
    _entry: *mut ext_php_rs::ffi::zend_ini_entry,
    _new_value: *mut ext_php_rs::ffi::zend_string,
    _mh_arg1: *mut std::ffi::c_void,
    _mh_arg2: *mut std::ffi::c_void,
    _mh_arg3: *mut std::ffi::c_void,
    _stage: c_int,
) -> c_int {
    0 // SUCCESS
}

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

/// The engine's current INI values, read through closte-core's parsing.
pub fn ini_values() -> IniValues<fn(&str) -> String> {
    IniValues(ini)
}

/// Settings from INI (options are applied on top by the caller).
pub fn settings_from_ini() -> Result<Settings> {
    Settings::from_ini(&ini_values())
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
