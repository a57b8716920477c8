//! The `array $options = []` argument: per-call overrides of the INI settings, checked
//! the way core PHP checks arguments (`TypeError` for a wrong type, `ValueError` for an
//! unknown key or a value out of range).

use std::time::Duration;

use ext_php_rs::convert::{FromZval, StubLiteral};
use ext_php_rs::exception::PhpException;
use ext_php_rs::flags::DataType;
use ext_php_rs::types::{ArrayKey, Zval};

use closte_core::settings::Concurrency;
use closte_core::{Error, Settings};

use crate::config;
use crate::exceptions::{to_php, type_error, value_error};

/// `array $options = []` as a parameter type. Any value is taken here and checked in
/// [`Options::entries`], so a non-array gets core PHP's wording instead of a generic one.
#[derive(Default)]
pub struct Options<'a>(Option<&'a Zval>);

impl<'a> FromZval<'a> for Options<'a> {
    const TYPE: DataType = DataType::Array;

    fn from_zval(zval: &'a Zval) -> Option<Self> {
        Some(Self(Some(zval)))
    }
}

impl StubLiteral for Options<'_> {
    fn stub_literal(&self) -> String {
        "[]".into()
    }
}

/// The PHP function an error is about, for messages like core PHP's.
pub struct Caller {
    pub function: &'static str,
    pub position: u32,
}

impl Caller {
    fn prefix(&self) -> String {
        format!("{}(): Argument #{} ($options)", self.function, self.position)
    }
}

pub fn type_name(zv: &Zval) -> &'static str {
    match zv.get_type() {
        DataType::Null => "null",
        DataType::False | DataType::True | DataType::Bool => "bool",
        DataType::Long => "int",
        DataType::Double => "float",
        DataType::String => "string",
        DataType::Array => "array",
        DataType::Object(_) => "object",
        _ => "mixed",
    }
}

/// One option's value, with typed accessors that raise core-style errors.
pub struct Opt<'a> {
    prefix: String,
    pub name: String,
    value: &'a Zval,
}

impl Opt<'_> {
    fn wrong(&self, expected: &str) -> PhpException {
        type_error(format!(
            "{}: option \"{}\" must be of type {expected}, {} given",
            self.prefix,
            self.name,
            type_name(self.value)
        ))
    }

    pub fn out_of_range(&self, e: Error) -> PhpException {
        value_error(format!("{}: option {e}", self.prefix))
    }

    /// `ValueError`: "…: option NAME must …".
    pub fn invalid(&self, must: String) -> PhpException {
        value_error(format!("{}: option {} {must}", self.prefix, self.name))
    }

    /// A file path; the empty string means none.
    pub fn path(&self) -> Result<Option<std::path::PathBuf>, PhpException> {
        Ok(Some(self.string()?).filter(|p| !p.is_empty()).map(Into::into))
    }

    pub fn string(&self) -> Result<String, PhpException> {
        self.value.string().filter(|_| self.value.is_string()).ok_or_else(|| self.wrong("string"))
    }

    pub fn int(&self) -> Result<i64, PhpException> {
        self.value.long().filter(|_| self.value.is_long()).ok_or_else(|| self.wrong("int"))
    }

    /// A whole number within `range` (a concurrency).
    pub fn count(&self, range: std::ops::RangeInclusive<usize>) -> Result<usize, PhpException> {
        let n = self.int()?;
        usize::try_from(n)
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| self.invalid(format!("must be between {} and {}, got {n}", range.start(), range.end())))
    }

    /// A string, or an array of strings: the list of values.
    pub fn strings(&self) -> Result<Vec<String>, PhpException> {
        if let Some(s) = self.value.str().filter(|_| self.value.is_string()) {
            return Ok(vec![s.to_owned()]);
        }
        let Some(ht) = self.value.array() else { return Err(self.wrong("array|string")) };
        ht.values()
            .map(|v| {
                let v = v.dereference();
                v.str().filter(|_| v.is_string()).map(str::to_owned).ok_or_else(|| {
                    type_error(format!(
                        "{}: option \"{}\" must contain only strings, {} given",
                        self.prefix,
                        self.name,
                        type_name(v)
                    ))
                })
            })
            .collect()
    }

    /// The value as an array, when it is one.
    pub fn array(&self) -> Option<&ext_php_rs::types::ZendHashTable> {
        self.value.array()
    }

    /// A boolean flag.
    pub fn flag(&self) -> Result<bool, PhpException> {
        self.value.bool().filter(|_| self.value.is_bool()).ok_or_else(|| self.wrong("bool"))
    }

    pub fn seconds(&self) -> Result<Duration, PhpException> {
        let n = self
            .value
            .long()
            .map(|n| n as f64)
            .or_else(|| self.value.double())
            .ok_or_else(|| self.wrong("int|float"))?;
        Settings::seconds(&self.name, n).map_err(|e| self.out_of_range(e))
    }
}

impl Options<'_> {
    /// The options given, after checking the argument is an array with string keys
    /// among `keys`.
    pub fn entries(&self, caller: &Caller, keys: &[&str]) -> Result<Vec<Opt<'_>>, PhpException> {
        let Some(zv) = self.0.map(Zval::dereference) else { return Ok(Vec::new()) };
        let prefix = caller.prefix();
        let Some(ht) = zv.array() else {
            return Err(type_error(format!("{prefix} must be of type array, {} given", type_name(zv))));
        };
        let mut out = Vec::new();
        for (key, value) in ht.iter() {
            if let ArrayKey::Long(n) = key {
                return Err(value_error(format!("{prefix} must have string keys, found the key {n}")));
            }
            let name = String::try_from(key).unwrap_or_default();
            if !keys.contains(&name.as_str()) {
                return Err(value_error(format!(
                    "{prefix} has an unknown option \"{name}\"; known options are: {}",
                    keys.join(", ")
                )));
            }
            out.push(Opt { prefix: prefix.clone(), name, value: value.dereference() });
        }
        Ok(out)
    }

    /// Applies the API options to `settings` and returns the other options among `keys`
    /// (which must include every API option) for the caller to read.
    pub fn apply_with(
        &self,
        caller: &Caller,
        settings: &mut Settings,
        keys: &[&str],
    ) -> Result<Vec<Opt<'_>>, PhpException> {
        let mut rest = Vec::new();
        for opt in self.entries(caller, keys)? {
            match opt.name.as_str() {
                "api_url" => settings.api_url = opt.string()?,
                "ca_file" => settings.ca_file = opt.path()?,
                "timeout" => settings.timeout = opt.seconds()?,
                "connect_timeout" => settings.connect_timeout = opt.seconds()?,
                "max_retries" => {
                    settings.max_retries = Settings::retries(&opt.name, opt.int()?).map_err(|e| opt.out_of_range(e))?;
                }
                _ => rest.push(opt),
            }
        }
        Ok(rest)
    }
}

/// The options of every API call.
pub const API_OPTIONS: &[&str] = &["api_url", "timeout", "connect_timeout", "max_retries", "ca_file"];

/// A batch's `concurrency`: the option when given, else its INI setting, each within the
/// range closte-core gives it (every batch function resolves it here).
pub fn concurrency(given: Option<&Opt>, limit: Concurrency) -> Result<usize, PhpException> {
    match given {
        Some(opt) => opt.count(1..=limit.max),
        None => config::ini_values().concurrency(limit).map_err(|e| to_php(e, None)),
    }
}
