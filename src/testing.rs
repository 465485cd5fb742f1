//! Running a policy's `test` blocks, and rule coverage (docs/language.md, "Tests").

use serde::Serialize;

use crate::diagnostics::{Code, Diagnostic};
use crate::eval::Policy;
use crate::ir::ExpectedOutcome;
use crate::outcome::Outcome;
use crate::span::Span;

/// The result of one `test` block.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    /// The test's name.
    pub name: String,
    /// Where the test's `expect` is in the policy source.
    #[serde(skip)]
    pub span: Span,
    /// Whether every record got its expected outcome.
    pub passed: bool,
    /// The records whose outcome differs from the expectation.
    pub failures: Vec<Mismatch>,
}

/// One record of a test that did not get the expected outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Mismatch {
    /// 1-based position of the record in the test's `given`.
    pub record: usize,
    /// The expected outcome as an author writes it: `deny by quota`.
    pub expected: String,
    /// What the record got.
    pub actual: Outcome,
    /// Where the expected outcome is in the policy source.
    #[serde(skip)]
    pub span: Span,
}

/// The tests of one policy, and which rules they made fire.
#[derive(Debug, Clone, Serialize)]
pub struct TestReport {
    /// One result per `test` block, in file order (those the filter kept).
    pub results: Vec<TestResult>,
    /// Per rule, in file order: whether some test made it fire.
    #[serde(skip)]
    pub covered: Vec<bool>,
}

impl TestReport {
    /// How many tests passed.
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed).count()
    }

    /// How many tests failed.
    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }
}

fn describe(e: &ExpectedOutcome, policy: &Policy) -> String {
    let mut s = e.decision.as_str().to_string();
    if !e.by.is_empty() {
        let names: Vec<&str> =
            e.by.iter()
                .map(|i| policy.rules[*i].name.as_str())
                .collect();
        s += &format!(" by {}", names.join(", "));
    }
    s
}

/// Runs the tests whose name contains `filter` (all without one).
pub fn run_tests(policy: &Policy, filter: Option<&str>) -> TestReport {
    let mut covered = vec![false; policy.rules.len()];
    let mut results = Vec::new();
    for test in &policy.tests {
        if filter.is_some_and(|f| !test.name.contains(f)) {
            continue;
        }
        let (outcomes, _) = policy.evaluate_batch(&test.records);
        let mut failures = Vec::new();
        for (i, (outcome, expected)) in outcomes.iter().zip(&test.expect).enumerate() {
            let fired: Vec<&str> = outcome
                .rules
                .iter()
                .chain(&outcome.warnings)
                .map(|f| f.rule.as_str())
                .collect();
            for (r, rule) in policy.rules.iter().enumerate() {
                if fired.contains(&rule.name.as_str()) {
                    covered[r] = true;
                }
            }
            let by_ok = expected
                .by
                .iter()
                .all(|r| fired.contains(&policy.rules[*r].name.as_str()));
            if outcome.decision != expected.decision || !by_ok {
                failures.push(Mismatch {
                    record: i + 1,
                    expected: describe(expected, policy),
                    actual: outcome.clone(),
                    span: expected.span,
                });
            }
        }
        results.push(TestResult {
            name: test.name.clone(),
            span: test.expect_span,
            passed: failures.is_empty(),
            failures,
        });
    }
    TestReport { results, covered }
}

/// What an outcome was, in a sentence: `deny by domestic_first (…), waitlist …`.
pub fn describe_actual(o: &Outcome) -> String {
    let mut out = o.decision.as_str().to_string();
    let fired: Vec<String> = o
        .rules
        .iter()
        .map(|f| f.to_string())
        .chain(
            o.warnings
                .iter()
                .map(|f| format!("{} (warn): {}", f.rule, f.reason)),
        )
        .chain(o.errors.iter().map(|e| format!("error: {}", e.message)))
        .collect();
    if fired.is_empty() {
        out += ", no rule fired";
    }
    for f in fired {
        out += &format!("\n  - {f}");
    }
    out
}

/// A failed test as a diagnostic pointing at its `expect`.
pub fn failure_diagnostic(result: &TestResult) -> Diagnostic {
    let mut d = Diagnostic::error(
        Code::TestFailed,
        format!("test \"{}\" failed", result.name),
        result.failures.first().map_or(result.span, |f| f.span),
        "",
    );
    let mut help = Vec::new();
    for (n, f) in result.failures.iter().enumerate() {
        let text = format!("expected {}", f.expected);
        if n == 0 {
            d.labels[0].text = text;
        } else {
            d = d.with_label(f.span, text);
        }
        let record = if result.failures.len() > 1 || f.record > 1 {
            format!("record {}: ", f.record)
        } else {
            String::new()
        };
        help.push(format!("{record}got {}", describe_actual(&f.actual)));
    }
    d.with_help(help.join("\n"))
}
