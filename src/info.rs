//! The Closte section of `phpinfo()`. Runs outside any PHP call, so it must not panic;
//! it shows whether the key is defined, never the key.

use ext_php_rs::zend::ModuleEntry;
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

use crate::config;

unsafe extern "C" {
    fn display_ini_entries(module: *mut ModuleEntry);
}

pub extern "C" fn module_info(module: *mut ModuleEntry) {
    info_table_start!();
    info_table_row!("Closte support", "enabled");
    info_table_row!("Version", env!("CARGO_PKG_VERSION"));
    info_table_row!("Git revision", env!("CLOSTE_GIT_REVISION"));
    info_table_row!("Built with", env!("CLOSTE_RUSTC"));
    info_table_row!("Target", concat!(env!("CLOSTE_TARGET"), " (", env!("CLOSTE_PROFILE"), ")"));
    info_table_row!("TLS backend", closte_core::http::TLS_BACKEND);
    let key = if config::key_is_defined() { "defined" } else { "not defined" };
    info_table_row!(config::KEY_CONSTANT, key);
    info_table_end!();
    // SAFETY: `module` is the entry PHP passed us; this is what DISPLAY_INI_ENTRIES() does.
    unsafe { display_ini_entries(module) };
}
