//! The `array $options = []` argument: per-call overrides of the INI settings, checked
//! the way core PHP checks arguments (`TypeError` for a wrong type, `ValueError` for an
//! unknown key or a value out of range).

use ext_php_rs::convert::{FromZval, StubLiteral};
use ext_php_rs::exception::PhpException;
use ext_php_rs::flags::DataType;
use ext_php_rs::types::{ArrayKey, Zval};

use closte_core::{Error, Settings};

use crate::exceptions::{type_error, value_error};

/// `array $options = []` as a parameter type. Any value is taken here and checked in
/// [`Options::apply`], so a non-array gets core PHP's wording instead of a generic one.
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

fn type_name(zv: &Zval) -> &'static str {
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

fn number(zv: &Zval) -> Option<f64> {
    zv.long().map(|n| n as f64).or_else(|| zv.double())
}

impl Options<'_> {
    /// Applies the options to `settings`. `keys` lists the option names this function
    /// accepts; anything else is a `ValueError`.
    pub fn apply(&self, caller: &Caller, keys: &[&str], settings: &mut Settings) -> Result<(), PhpException> {
        let Some(zv) = self.0.map(Zval::dereference) else { return Ok(()) };
        let prefix = caller.prefix();
        let Some(ht) = zv.array() else {
            return Err(type_error(format!("{prefix} must be of type array, {} given", type_name(zv))));
        };
        for (key, value) in ht.iter() {
            if let ArrayKey::Long(n) = key {
                return Err(value_error(format!("{prefix} must have string keys, found the key {n}")));
            }
            let name = String::try_from(key).unwrap_or_default();
            let name = name.as_str();
            if !keys.contains(&name) {
                return Err(value_error(format!(
                    "{prefix} has an unknown option \"{name}\"; known options are: {}",
                    keys.join(", ")
                )));
            }
            let value = value.dereference();
            let wrong = |expected: &str| {
                type_error(format!(
                    "{prefix}: option \"{name}\" must be of type {expected}, {} given",
                    type_name(value)
                ))
            };
            let range = |e: Error| value_error(format!("{prefix}: option {e}"));
            match name {
                "api_url" => {
                    settings.api_url = value.string().filter(|_| value.is_string()).ok_or_else(|| wrong("string"))?
                }
                "ca_file" => {
                    let path = value.string().filter(|_| value.is_string()).ok_or_else(|| wrong("string"))?;
                    settings.ca_file = (!path.is_empty()).then(|| path.into());
                }
                "timeout" => {
                    let n = number(value).ok_or_else(|| wrong("int|float"))?;
                    settings.timeout = Settings::seconds(name, n).map_err(range)?;
                }
                "connect_timeout" => {
                    let n = number(value).ok_or_else(|| wrong("int|float"))?;
                    settings.connect_timeout = Settings::seconds(name, n).map_err(range)?;
                }
                "max_retries" => {
                    let n = value.long().filter(|_| value.is_long()).ok_or_else(|| wrong("int"))?;
                    settings.max_retries = Settings::retries(name, n).map_err(range)?;
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// The options of every API call.
pub const API_OPTIONS: &[&str] = &["api_url", "timeout", "connect_timeout", "max_retries", "ca_file"];
