//! Diagnostics as Python objects, and `PolicyError`.

use clearance::diagnostics::{render, JsonDiagnostic, RenderOptions};
use clearance::{Code, Diagnostic as CoreDiagnostic, Severity, SourceFile};
use pyo3::prelude::*;
use pyo3::types::PyList;

pyo3::create_exception!(
    clearance,
    PolicyError,
    pyo3::exceptions::PyValueError,
    "A policy that does not compile, or params that do not fit it. `.diagnostics` holds \
     every problem found; `str()` is the report `clearance check` prints (without colour)."
);

/// One problem found in a policy: an error, or a lint warning.
#[pyclass(module = "clearance", frozen, get_all)]
#[derive(Clone)]
pub struct Diagnostic {
    /// The stable code, such as `clearance::type::percent_with_number`.
    code: String,
    /// `"error"` or `"warning"`.
    severity: String,
    /// The headline.
    message: String,
    /// The file name the policy was compiled as.
    file: String,
    /// 1-based line of the problem; `None` when it has no place in the file (a param value).
    line: Option<usize>,
    /// 1-based column, in characters; `None` when it has no place in the file.
    column: Option<usize>,
    /// How to fix it, when a fix is likely.
    help: Option<String>,
    /// The rendered report, as the CLI prints it (without colour).
    rendered: String,
}

#[pymethods]
impl Diagnostic {
    fn __repr__(&self) -> String {
        let at = match (self.line, self.column) {
            (Some(l), Some(c)) => format!(" at {}:{l}:{c}", self.file),
            _ => String::new(),
        };
        format!(
            "<Diagnostic {} {}{at}: {}>",
            self.severity, self.code, self.message
        )
    }

    fn __str__(&self) -> String {
        self.rendered.clone()
    }
}

/// A diagnostic that has no place in the policy file: a param that is not in the policy,
/// or a value given for a param (or `today`) that is not of its type.
fn unplaced(d: &CoreDiagnostic) -> bool {
    d.code == Code::ParamUnknown || (d.code == Code::ParamValue && d.span().is_empty())
}

impl Diagnostic {
    /// The Python form of `d`, located in `source`.
    pub fn new(d: &CoreDiagnostic, source: &SourceFile) -> Diagnostic {
        let json = JsonDiagnostic::new(d, source);
        let placed = !unplaced(d);
        let rendered = if placed {
            render(d, source, RenderOptions::default())
        } else {
            let help = d
                .help
                .as_deref()
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            format!("error: {}{help}\n", d.message)
        };
        Diagnostic {
            code: d.code.to_string(),
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            }
            .to_string(),
            message: d.message.clone(),
            file: source.name.clone(),
            line: placed.then_some(json.line),
            column: placed.then_some(json.column),
            help: d.help.clone(),
            rendered,
        }
    }
}

/// `PolicyError` for `diagnostics`: the rendered reports as its text, the objects as its
/// `.diagnostics`.
pub fn policy_error(py: Python<'_>, diagnostics: &[CoreDiagnostic], source: &SourceFile) -> PyErr {
    let objects: Vec<Diagnostic> = diagnostics
        .iter()
        .map(|d| Diagnostic::new(d, source))
        .collect();
    let text: String = objects.iter().map(|d| d.rendered.as_str()).collect();
    let err = PolicyError::new_err(text.trim_end().to_string());
    match PyList::new(py, objects) {
        Ok(list) => match err.value(py).setattr("diagnostics", list) {
            Ok(()) => err,
            Err(e) => e,
        },
        Err(e) => e,
    }
}

/// The Python objects of `diagnostics`.
pub fn to_objects(diagnostics: &[CoreDiagnostic], source: &SourceFile) -> Vec<Diagnostic> {
    diagnostics
        .iter()
        .map(|d| Diagnostic::new(d, source))
        .collect()
}
