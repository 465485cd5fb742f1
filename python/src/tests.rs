//! `Policy.test()`: a policy's `test` blocks, as Python objects.

use clearance::diagnostics::{render, RenderOptions};
use clearance::testing::failure_diagnostic;
use clearance::{SourceFile, TestReport as CoreReport};
use pyo3::prelude::*;

/// One `test` block's result.
#[pyclass(module = "clearance", frozen, get_all)]
#[derive(Clone)]
pub struct TestCase {
    /// The test's name.
    name: String,
    /// Whether every record got its expected outcome.
    ok: bool,
    /// What did not happen, one sentence per failed record; empty when it passed.
    message: String,
    /// 1-based line of the test in the policy file.
    line: usize,
    /// The failure as `clearance test` draws it; empty when it passed.
    report: String,
}

#[pymethods]
impl TestCase {
    fn __repr__(&self) -> String {
        let status = if self.ok { "ok" } else { "FAILED" };
        format!("<TestCase {:?} {status}>", self.name)
    }
}

/// The results of a policy's tests, with rule coverage.
#[pyclass(module = "clearance", frozen)]
pub struct TestReport {
    /// How many tests passed.
    #[pyo3(get)]
    passed: usize,
    /// How many tests failed.
    #[pyo3(get)]
    failed: usize,
    /// One result per test, in file order.
    #[pyo3(get)]
    cases: Vec<TestCase>,
    /// Per rule, in file order: whether some test made it fire.
    rules: Vec<(String, bool)>,
}

#[pymethods]
impl TestReport {
    /// Per rule, in file order: whether some test made it fire (`{rule: bool}`).
    #[getter]
    fn coverage<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let dict = pyo3::types::PyDict::new(py);
        for (rule, covered) in &self.rules {
            dict.set_item(rule, covered)?;
        }
        Ok(dict)
    }

    /// The rules no test made fire, in file order.
    #[getter]
    fn uncovered(&self) -> Vec<String> {
        self.rules
            .iter()
            .filter(|(_, c)| !c)
            .map(|(r, _)| r.clone())
            .collect()
    }

    /// Whether every test passed.
    #[getter]
    fn ok(&self) -> bool {
        self.failed == 0
    }

    fn __repr__(&self) -> String {
        let covered = self.rules.iter().filter(|(_, c)| *c).count();
        format!(
            "<TestReport {} passed, {} failed; {covered} of {} rules covered>",
            self.passed,
            self.failed,
            self.rules.len()
        )
    }
}

impl TestReport {
    pub fn new(report: &CoreReport, source: &SourceFile) -> TestReport {
        let cases = report
            .results
            .iter()
            .map(|r| {
                let message = r
                    .failures
                    .iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
                    .join("\n");
                let drawn = if r.passed {
                    String::new()
                } else {
                    render(&failure_diagnostic(r), source, RenderOptions::default())
                };
                TestCase {
                    name: r.name.clone(),
                    ok: r.passed,
                    message,
                    line: clearance::span::line_col(&source.text, r.item_span.start).0,
                    report: drawn,
                }
            })
            .collect();
        let rules = report
            .rules
            .iter()
            .zip(&report.covered)
            .map(|((name, _), c)| (name.clone(), *c))
            .collect();
        TestReport {
            passed: report.passed(),
            failed: report.failed(),
            cases,
            rules,
        }
    }
}
