//! Clearance in Python: compile, check, test and evaluate policies; data in and results
//! out through the Arrow C stream interface (zero-copy), evaluation without the GIL.
//!
//! The Python package `clearance` (python/clearance/__init__.py) re-exports what this
//! module defines; `clearance.spark` builds on its private helpers.

use clearance::{Diagnostic as CoreDiagnostic, Params, SourceFile};
use pyo3::prelude::*;

mod diagnostics;
mod engine;
mod evaluate;
mod params;
mod stream;
mod tests;
mod transport;

use diagnostics::{policy_error, to_objects, Diagnostic, PolicyError};
use stream::ResultStream;
use tests::{TestCase, TestReport};

/// A compiled policy: its source, its lint warnings, and the policy bound to its params'
/// defaults (or why it cannot be: a param without a default, until one is given).
#[pyclass(module = "clearance", frozen)]
pub struct Policy {
    source: SourceFile,
    warnings: Vec<CoreDiagnostic>,
    bound: Result<clearance::Policy, Vec<CoreDiagnostic>>,
}

impl Policy {
    /// The `per` field of each `limit` rule, in file order.
    fn limits_per(&self) -> Vec<Option<String>> {
        let Ok(ast) = clearance::ast::Policy::parse(&self.source.text) else {
            return Vec::new();
        };
        ast.rules()
            .filter_map(|r| match &r.clause {
                clearance::ast::Clause::Limit(l) => Some(l.per.as_ref().map(|p| p.node.clone())),
                _ => None,
            })
            .collect()
    }

    /// The policy bound with `params` on top of the defaults.
    fn bind(&self, py: Python<'_>, params: &Params) -> PyResult<clearance::Policy> {
        let bound = if params.is_empty() {
            self.bound.clone()
        } else {
            clearance::compile_with(&self.source.text, params)
        };
        bound.map_err(|d| policy_error(py, &d, &self.source))
    }
}

#[pymethods]
impl Policy {
    /// The policy's name (from its `policy "NAME"` header).
    #[getter]
    fn name(&self) -> String {
        match &self.bound {
            Ok(p) => p.name.clone(),
            Err(_) => clearance::ast::Policy::parse(&self.source.text)
                .map(|p| p.name.node)
                .unwrap_or_default(),
        }
    }

    /// The file name diagnostics show.
    #[getter]
    fn path(&self) -> String {
        self.source.name.clone()
    }

    /// The policy's source text.
    #[getter]
    fn source(&self) -> String {
        self.source.text.clone()
    }

    /// The lint warnings of the policy (what `clearance check` reports for a valid policy).
    fn check(&self) -> Vec<Diagnostic> {
        to_objects(&self.warnings, &self.source)
    }

    /// Runs the policy's `test` blocks (those whose name contains `filter`, when given),
    /// with `params` set for the run under each test's own `set`.
    #[pyo3(signature = (params=None, filter=None))]
    fn test(
        &self,
        py: Python<'_>,
        params: Option<&Bound<'_, PyAny>>,
        filter: Option<&str>,
    ) -> PyResult<TestReport> {
        let params = params::from_python(params)?;
        let text = self.source.text.as_str();
        let report =
            py.allow_threads(|| clearance::testing::run_source_tests(text, &params, filter));
        match report {
            Ok(r) => Ok(TestReport::new(&r, &self.source)),
            Err(d) => Err(policy_error(py, &d, &self.source)),
        }
    }

    /// The params this run would use, and `today` when the policy uses it, as the CLI
    /// reports them (`{"national_cap": "400000", "today": "2026-01-29"}`).
    #[pyo3(signature = (params=None))]
    fn params_used(
        &self,
        py: Python<'_>,
        params: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<(String, String)>> {
        let params = params::from_python(params)?;
        Ok(self.bind(py, &params)?.params_used())
    }

    /// The same policy with `params` set (on top of those it has): what
    /// `evaluate(..., params=...)` runs, bound once.
    fn with_params(&self, py: Python<'_>, params: Option<&Bound<'_, PyAny>>) -> PyResult<Policy> {
        let params = params::from_python(params)?;
        let bound = match &self.bound {
            Ok(p) => p.rebind(&params),
            Err(_) => clearance::compile_with(&self.source.text, &params),
        };
        match bound {
            Ok(p) => Ok(Policy {
                source: self.source.clone(),
                warnings: self.warnings.clone(),
                bound: Ok(p),
            }),
            Err(d) => Err(policy_error(py, &d, &self.source)),
        }
    }

    /// Whether the policy has `limit` rules (whose allocation needs the whole batch).
    #[getter]
    fn has_limits(&self) -> bool {
        !self.limits_per().is_empty()
    }

    /// Whether every `limit` is `per` the same field, so that each group can be allocated
    /// on its own.
    fn _allocates_per_group(&self) -> bool {
        let per = self.limits_per();
        per.first()
            .and_then(|p| p.as_deref())
            .is_some_and(|first| per.iter().all(|p| p.as_deref() == Some(first)))
    }

    /// Evaluates the policy over `data` (anything with `__arrow_c_stream__`, or a pandas
    /// DataFrame): a `pyarrow.Table` of results, one row per record in input order, with
    /// the columns of `results_schema()` (or those named in `fields`, in that order).
    #[pyo3(signature = (data, params=None, fields=None, threads=None))]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        params: Option<&Bound<'py, PyAny>>,
        fields: Option<Vec<String>>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let stream = self.evaluate_stream(py, data, params, fields, threads)?;
        PyModule::import(py, "pyarrow")?.call_method1("table", (stream,))
    }

    /// Like `evaluate`, as a stream of record batches (`__arrow_c_stream__`), read once.
    #[pyo3(signature = (data, params=None, fields=None, threads=None))]
    fn evaluate_stream(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        params: Option<&Bound<'_, PyAny>>,
        fields: Option<Vec<String>>,
        threads: Option<usize>,
    ) -> PyResult<ResultStream> {
        let params = params::from_python(params)?;
        let policy = self.bind(py, &params)?;
        let reader = stream::import(data)?;
        let threads =
            threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        let results = py.allow_threads(|| evaluate::evaluate_all(&policy, reader, threads));
        evaluate::select(results?, fields.as_deref())
    }

    /// Spark's per-record step: the results of the records of `data` at the positions of
    /// its column `position`, with the allotments of the column `allotments` applied.
    #[pyo3(signature = (data, position, allotments=None))]
    fn _records(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        position: &str,
        allotments: Option<&str>,
    ) -> PyResult<ResultStream> {
        let policy = self.bind(py, &Params::new())?;
        let batches = evaluate::read(py, data)?;
        let results =
            py.allow_threads(|| evaluate::records(&policy, &batches, position, allotments));
        Ok(evaluate::results_stream(evaluate::to_py(results)?))
    }

    /// Spark's candidate step: the candidates of the records of `data`.
    fn _candidates(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        position: &str,
    ) -> PyResult<ResultStream> {
        let policy = self.bind(py, &Params::new())?;
        let batches = evaluate::read(py, data)?;
        let out = py.allow_threads(|| evaluate::candidates(&policy, &batches, position));
        Ok(evaluate::stream_of(
            transport::candidates_schema(),
            evaluate::to_py(out)?,
        ))
    }

    /// Spark's allocation step: the allotments of the candidates in `data`.
    fn _allocate(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<ResultStream> {
        let policy = self.bind(py, &Params::new())?;
        let batches = evaluate::read(py, data)?;
        let out = py.allow_threads(|| evaluate::allotments(&policy, &batches));
        Ok(evaluate::stream_of(
            transport::allotments_schema(),
            vec![evaluate::to_py(out)?],
        ))
    }

    fn __repr__(&self) -> String {
        format!(
            "<clearance.Policy {:?} from {:?}>",
            self.name(),
            self.source.name
        )
    }
}

/// Parses, checks and compiles a policy. Raises `PolicyError` with every diagnostic when
/// it is invalid; its lint warnings are in `Policy.check()`.
#[pyfunction]
#[pyo3(signature = (text, path="<policy>"))]
fn compile(py: Python<'_>, text: &str, path: &str) -> PyResult<Policy> {
    let source = SourceFile::new(path, text);
    let checked = py.allow_threads(|| {
        clearance::check_source(text).map(|warnings| (warnings, clearance::compile(text)))
    });
    match checked {
        Ok((warnings, bound)) => Ok(Policy {
            source,
            warnings,
            bound,
        }),
        Err(d) => Err(policy_error(py, &d, &source)),
    }
}

/// An Arrow schema for Python, through an empty stream.
fn py_schema<'py>(py: Python<'py>, schema: arrow_schema::SchemaRef) -> PyResult<Bound<'py, PyAny>> {
    let stream = evaluate::stream_of(schema, Vec::new());
    let reader = PyModule::import(py, "pyarrow")?
        .getattr("RecordBatchReader")?
        .call_method1("from_stream", (stream,))?;
    reader.getattr("schema")
}

/// The Arrow schema of results (the fields of `clearance eval --format ndjson`).
#[pyfunction]
fn results_schema(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    py_schema(py, clearance::arrow::results_schema())
}

/// The Arrow schema of Spark's candidate rows.
#[pyfunction]
fn candidates_schema(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    py_schema(py, transport::candidates_schema())
}

/// The Arrow schema of Spark's allotment rows.
#[pyfunction]
fn allotments_schema(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    py_schema(py, transport::allotments_schema())
}

/// The native part of the `clearance` package.
#[pymodule]
fn _clearance(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("PolicyError", m.py().get_type::<PolicyError>())?;
    m.add_class::<Policy>()?;
    m.add_class::<Diagnostic>()?;
    m.add_class::<TestReport>()?;
    m.add_class::<TestCase>()?;
    m.add_class::<ResultStream>()?;
    m.add_function(wrap_pyfunction!(compile, m)?)?;
    m.add_function(wrap_pyfunction!(results_schema, m)?)?;
    m.add_function(wrap_pyfunction!(candidates_schema, m)?)?;
    m.add_function(wrap_pyfunction!(allotments_schema, m)?)?;
    Ok(())
}
