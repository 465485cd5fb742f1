//! Python values for params, read as `--set NAME=VALUE` reads its text.

use clearance::Params;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyString};

/// `params` as the library takes them: a mapping of names to `int`, `decimal.Decimal`,
/// `datetime.date`, `str` or `bool`, each written as the literal `--set` would read
/// (`True` as `true`, a date as `YYYY-MM-DD`). A float is refused: decimals are exact.
pub fn from_python(params: Option<&Bound<'_, PyAny>>) -> PyResult<Params> {
    let mut out = Params::new();
    let Some(params) = params else {
        return Ok(out);
    };
    if params.is_none() {
        return Ok(out);
    }
    let dict = params
        .downcast::<PyDict>()
        .map_err(|_| PyTypeError::new_err("params must be a dict of names to values"))?;
    for (name, value) in dict.iter() {
        let name: String = name
            .extract()
            .map_err(|_| PyTypeError::new_err("the names in params must be str"))?;
        out.set(name.clone(), literal(&name, &value)?);
    }
    Ok(out)
}

/// The text of one value, as `--set` would be given it.
fn literal(name: &str, value: &Bound<'_, PyAny>) -> PyResult<String> {
    if value.is_instance_of::<PyBool>() {
        return Ok(if value.extract::<bool>()? {
            "true"
        } else {
            "false"
        }
        .into());
    }
    if value.is_instance_of::<PyInt>() || value.is_instance_of::<PyString>() {
        return value.str()?.extract();
    }
    // A datetime is a date too, but has a time of day: refused rather than cut.
    let datetime = PyModule::import(value.py(), "datetime")?;
    if value.is_instance(&datetime.getattr("date")?)?
        && !value.is_instance(&datetime.getattr("datetime")?)?
    {
        return value.call_method0("isoformat")?.extract();
    }
    let decimal = PyModule::import(value.py(), "decimal")?.getattr("Decimal")?;
    if value.is_instance(&decimal)? {
        // Fixed-point: `Decimal("1E+3")` is `1000`, as a policy writes it.
        let fixed = PyModule::import(value.py(), "builtins")?
            .getattr("format")?
            .call1((value, "f"))?;
        return fixed.extract();
    }
    let ty = value.get_type().name()?.to_string();
    Err(PyTypeError::new_err(format!(
        "the param `{name}` was given a `{ty}`; give an int, decimal.Decimal, datetime.date, str or bool"
    )))
}
