//! PHP arguments to Rust values, and Rust values to PHP arrays.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::convert::{FromZval, IntoZval};
use ext_php_rs::error::Result;
use ext_php_rs::exception::PhpResult;
use ext_php_rs::flags::DataType;
use ext_php_rs::types::{ArrayKey, ZendHashTable, Zval};
use serde_json::Value;

use closte_core::batch::Item;
use closte_core::{DomainName, printable_bytes};

use crate::exceptions::{to_php, type_error};
use crate::options::type_name;

/// `string $domain`. Any PHP string is taken, UTF-8 or not (ext-php-rs's `&str` would
/// refuse other bytes with a TypeError of its own), so the core can say precisely what is
/// wrong with it: `InvalidDomainException`, never a binding-layer message.
pub struct DomainArg<'a>(&'a Zval);

impl<'a> FromZval<'a> for DomainArg<'a> {
    const TYPE: DataType = DataType::String;

    fn from_zval(zval: &'a Zval) -> Option<Self> {
        Some(Self(zval))
    }
}

impl DomainArg<'_> {
    /// The checked name; `function` names the caller in core PHP's TypeError wording.
    pub fn parse(&self, function: &str) -> PhpResult<DomainName> {
        let zv = self.0.dereference();
        match zv.zend_str() {
            Some(s) => DomainName::parse_bytes(s.as_bytes()).map_err(|e| to_php(e, None)),
            None => Err(type_error(format!(
                "{function}(): Argument #1 ($domain) must be of type string, {} given",
                type_name(zv)
            ))),
        }
    }
}

/// `array $domains` of the batch functions. Any value is taken here and checked in
/// [`ListArg::items`], so a non-array or a non-string element gets core PHP's wording.
pub struct ListArg<'a>(&'a Zval);

impl<'a> FromZval<'a> for ListArg<'a> {
    const TYPE: DataType = DataType::Array;

    fn from_zval(zval: &'a Zval) -> Option<Self> {
        Some(Self(zval))
    }
}

/// One element of a batch: its key in the caller's array, the name as given (printable),
/// and the checked name or why it is not one.
pub struct ListItem<'a> {
    pub key: ArrayKey<'a>,
    pub given: String,
    pub name: closte_core::Result<DomainName>,
}

impl<'a> ListArg<'a> {
    /// Every element, checked: `\TypeError` for a non-array or a non-string element
    /// (nothing is sent then); an invalid name is an item error, not a throw.
    pub fn items(&self, function: &str, param: &str) -> PhpResult<Vec<ListItem<'a>>> {
        let zv = self.0.dereference();
        let prefix = format!("{function}(): Argument #1 (${param})");
        let Some(ht) = zv.array() else {
            return Err(type_error(format!("{prefix} must be of type array, {} given", type_name(zv))));
        };
        let mut out = Vec::with_capacity(ht.len());
        for (key, value) in ht.iter() {
            let value = value.dereference();
            let Some(s) = value.zend_str() else {
                let at = match &key {
                    ArrayKey::Long(n) => n.to_string(),
                    other => format!("\"{}\"", printable_bytes(other.to_string().as_bytes())),
                };
                return Err(type_error(format!(
                    "{prefix} must contain only strings, {} given at key {at}",
                    type_name(value)
                )));
            };
            let bytes = s.as_bytes();
            out.push(ListItem { key, given: printable_bytes(bytes), name: DomainName::parse_bytes(bytes) });
        }
        Ok(out)
    }
}

/// A batch's elements taken apart: the caller's keys, the names as given, the checked names.
pub type Split<'a> = (Vec<ArrayKey<'a>>, Vec<String>, Vec<closte_core::Result<DomainName>>);

pub fn split(items: Vec<ListItem<'_>>) -> Split<'_> {
    let mut out: Split =
        (Vec::with_capacity(items.len()), Vec::with_capacity(items.len()), Vec::with_capacity(items.len()));
    for i in items {
        out.0.push(i.key);
        out.1.push(i.given);
        out.2.push(i.name);
    }
    out
}

/// The result array of a check over many names: one entry per key, in order. A name that
/// was refused before its check gets `refused(name as given, the error)`.
pub fn keyed_results<T>(
    keys: Vec<ArrayKey<'_>>,
    given: Vec<String>,
    results: Vec<Item<T>>,
    report: impl Fn(T, std::time::Duration) -> ext_php_rs::exception::PhpResult<ZBox<ZendHashTable>>,
    refused: impl Fn(
        String,
        closte_core::Error,
        std::time::Duration,
    ) -> ext_php_rs::exception::PhpResult<ZBox<ZendHashTable>>,
) -> ext_php_rs::exception::PhpResult<ZBox<ZendHashTable>> {
    let mut out = ZendHashTable::new();
    for ((key, given), item) in keys.into_iter().zip(given).zip(results) {
        let value = match item.result {
            Ok(r) => report(r, item.elapsed)?,
            Err(e) => refused(given, e, item.elapsed)?,
        };
        out.insert(key, value)?;
    }
    Ok(out)
}

/// A string-keyed PHP array built in insertion order.
pub struct Record(ZBox<ZendHashTable>);

impl Record {
    pub fn new() -> Self {
        Self(ZendHashTable::new())
    }

    pub fn set(mut self, key: &str, value: impl IntoZval) -> Result<Self> {
        self.0.insert(key, value)?;
        Ok(self)
    }

    pub fn into_array(self) -> ZBox<ZendHashTable> {
        self.0
    }
}

/// JSON as PHP sees it from `json_decode($s, true)`.
pub fn json_to_zval(value: &Value) -> Result<Zval> {
    Ok(match value {
        Value::Null => None::<bool>.into_zval(false)?,
        Value::Bool(b) => b.into_zval(false)?,
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.into_zval(false)?,
            None => n.as_f64().unwrap_or(f64::NAN).into_zval(false)?,
        },
        Value::String(s) => s.as_str().into_zval(false)?,
        Value::Array(items) => {
            let mut ht = ZendHashTable::new();
            for item in items {
                ht.push(json_to_zval(item)?)?;
            }
            ht.into_zval(false)?
        }
        Value::Object(map) => {
            let mut ht = ZendHashTable::new();
            for (k, v) in map {
                ht.insert(k.as_str(), json_to_zval(v)?)?;
            }
            ht.into_zval(false)?
        }
    })
}

pub fn elapsed_ms(start: std::time::Instant) -> f64 {
    duration_ms(start.elapsed())
}

/// Milliseconds, to the microsecond.
pub fn duration_ms(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0
}
