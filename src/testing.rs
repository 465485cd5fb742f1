//! Running a policy's `test` blocks, and rule coverage (docs/language.md, "Tests").

use serde::Serialize;

use std::sync::Arc;

use crate::check::{check, Binding, Params};
use crate::diagnostics::{all_of, Code, Diagnostic};
use crate::eval::Policy;
use crate::ir::{CheckedPolicy, ExpectedOutcome};
use crate::outcome::Outcome;
use crate::span::Span;
use crate::value::Value;

/// The result of one `test` block.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    /// The test's name.
    pub name: String,
    /// The `expect` of the test.
    #[serde(skip)]
    pub span: Span,
    /// The whole `test` item, from `test`: where reports say the test is.
    #[serde(skip)]
    pub item_span: Span,
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
    /// The rules after `by` that did not fire.
    pub did_not_fire: Vec<String>,
    /// What did not happen, in a sentence: "expected `deny by end_use`: `end_use` did
    /// not fire; fired: `embargo` (deny)".
    pub message: String,
    /// Where the expected outcome is in the policy source.
    #[serde(skip)]
    pub span: Span,
}

impl Mismatch {
    fn new(record: usize, expected: &ExpectedOutcome, actual: &Outcome, policy: &Policy) -> Self {
        let fired = |name: &str| {
            actual
                .rules
                .iter()
                .chain(&actual.warnings)
                .any(|f| f.rule == name)
        };
        let did_not_fire: Vec<String> = expected
            .by
            .iter()
            .map(|r| policy.rules[*r].name.clone())
            .filter(|name| !fired(name))
            .collect();
        let expected_text = describe(expected, policy);
        let mut what = Vec::new();
        if actual.decision != expected.decision {
            what.push(format!("got `{}`", actual.decision.as_str()));
        }
        if let Some(missing) = not_fired_words(&did_not_fire) {
            what.push(missing);
        }
        let message = format!(
            "expected `{expected_text}`: {}; {}",
            what.join("; "),
            fired_words(actual)
        );
        Mismatch {
            record,
            expected: expected_text,
            actual: actual.clone(),
            did_not_fire,
            message,
            span: expected.span,
        }
    }
}

/// `` `a` did not fire ``, `` `a` and `b` did not fire ``; `None` for no rules.
fn not_fired_words(rules: &[String]) -> Option<String> {
    let names: Vec<&str> = rules.iter().map(String::as_str).collect();
    (!names.is_empty()).then(|| format!("{} did not fire", all_of(&names)))
}

/// What fired, in short: `` fired: `embargo` (deny), `big` (warn) ``, then any errors.
fn fired_words(o: &Outcome) -> String {
    let fired: Vec<String> = o
        .rules
        .iter()
        .chain(&o.warnings)
        .map(|f| format!("`{}` ({})", f.rule, f.verdict))
        .collect();
    let mut out = if fired.is_empty() {
        "no rule fired".to_string()
    } else {
        format!("fired: {}", fired.join(", "))
    };
    for e in &o.errors {
        match &e.rule {
            Some(rule) => out += &format!("; error in `{rule}`: {}", e.message),
            None => out += &format!("; error: {}", e.message),
        }
    }
    crate::value::escape_control(&out).into_owned()
}

/// The tests of one policy, and which rules they made fire.
#[derive(Debug, Clone, Serialize)]
pub struct TestReport {
    /// One result per `test` block, in file order (those the filter kept).
    pub results: Vec<TestResult>,
    /// Per rule, in file order: whether some test made it fire.
    #[serde(skip)]
    pub covered: Vec<bool>,
    /// Per rule, in file order: its name and where the name is written.
    #[serde(skip)]
    pub rules: Vec<(String, Span)>,
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

/// Runs the tests whose name contains `filter` (all without one). A test with a
/// `set` runs on the policy bound again with those params on top of its own.
pub fn run_tests(policy: &Policy, filter: Option<&str>) -> TestReport {
    run(policy, filter, &|set| policy.rebind(set))
}

/// Parses and checks `source` and runs its tests, each on the policy bound with
/// `params` and the test's own `set` on top (so a param without a default may be set
/// by every test instead of by the run). The policy's errors, if it has any.
pub fn run_source_tests(
    source: &str,
    params: &Params,
    filter: Option<&str>,
) -> Result<TestReport, Vec<Diagnostic>> {
    let ast = Arc::new(crate::ast::Policy::parse(source)?);
    let checked = check(&ast, Binding::Unbound)?;
    // The run's own values are checked once, up front, not in every test.
    let wrong = crate::check::validate(&checked, params);
    if !wrong.is_empty() {
        return Err(wrong);
    }
    let bind = |set: &Params| Policy::bind(ast.clone(), &params.overlaid(set));
    Ok(run(&checked, filter, &bind))
}

type Bound = Result<Policy, Vec<Diagnostic>>;
type Bind<'a> = dyn Fn(&Params) -> Bound + 'a;

fn run(checked: &CheckedPolicy, filter: Option<&str>, bind: &Bind) -> TestReport {
    let mut covered = vec![false; checked.rules.len()];
    let mut results = Vec::new();
    // Tests with the same `set` share one binding.
    let mut bound: Vec<(Vec<(String, Value)>, Bound)> = Vec::new();
    for (k, test) in checked.tests.iter().enumerate() {
        if filter.is_some_and(|f| !test.name.contains(f)) {
            continue;
        }
        let at = match bound.iter().position(|(set, _)| *set == test.set) {
            Some(at) => at,
            None => {
                let mut set = Params::new();
                for (name, value) in &test.set {
                    set.set_value(name.clone(), value.clone());
                }
                bound.push((test.set.clone(), bind(&set)));
                bound.len() - 1
            }
        };
        match &bound[at].1 {
            Ok(policy) => results.push(run_one(policy, &policy.tests[k], &mut covered)),
            Err(d) => results.push(unbindable(test, d)),
        }
    }
    let rules = checked
        .rules
        .iter()
        .map(|r| (r.name.clone(), r.name_span))
        .collect();
    TestReport {
        results,
        covered,
        rules,
    }
}

/// Runs one test on a bound policy, marking the rules it made fire.
fn run_one(policy: &Policy, test: &crate::ir::Test, covered: &mut [bool]) -> TestResult {
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
            failures.push(Mismatch::new(i + 1, expected, outcome, policy));
        }
    }
    TestResult {
        name: test.name.clone(),
        span: test.expect_span,
        item_span: test.span,
        passed: failures.is_empty(),
        failures,
    }
}

/// A test whose params do not bind the policy (say, a param without a default that
/// neither the run nor the test sets): it fails, saying why.
fn unbindable(test: &crate::ir::Test, errors: &[Diagnostic]) -> TestResult {
    let message = errors
        .iter()
        .map(|d| d.message.clone())
        .collect::<Vec<_>>()
        .join("; ");
    TestResult {
        name: test.name.clone(),
        span: test.expect_span,
        item_span: test.span,
        passed: false,
        failures: vec![Mismatch {
            record: 1,
            expected: "the policy to run with the test's params".into(),
            message: format!("the policy does not run with this test's params: {message}"),
            actual: Outcome::data_errors(vec![crate::outcome::RecordError {
                rule: None,
                field: None,
                message,
            }]),
            did_not_fire: Vec::new(),
            span: test.expect_span,
        }],
    }
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
        let missing = not_fired_words(&f.did_not_fire).map_or(String::new(), |m| m + "; ");
        help.push(format!(
            "{record}{missing}got {}",
            describe_actual(&f.actual)
        ));
    }
    d.with_help(help.join("\n"))
}
