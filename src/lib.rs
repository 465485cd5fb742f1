//! Clearance: a rules engine for import-control policies.
//!
//! A policy is text in the Clearance language; [`compile`] parses and checks it,
//! and [`run::evaluate`] runs it over a batch of records, giving every record a
//! decision with the rules and reasons behind it.
//!
//! ```
//! use clearance::{compile, data::DataFormat, run::evaluate_all, outcome::Decision};
//!
//! let policy = compile(r#"
//!     policy "quota" default allow
//!     schema { id: text, action: import | export, item: H200 | H20, domestic_quota: percent }
//!     rule domestic_first:
//!       require domestic_quota >= 30% before import H200
//!       because "has only {domestic_quota} domestic hardware"
//! "#).expect("a valid policy");
//!
//! let data = r#"{"id": "A", "action": "import", "item": "H200", "domestic_quota": "35%"}
//! {"id": "B", "action": "import", "item": "H200", "domestic_quota": 12}
//! "#;
//! let report = evaluate_all(&policy, DataFormat::Ndjson, data.as_bytes()).unwrap();
//! assert_eq!(report.results[0].outcome.decision, Decision::Allow);
//! assert_eq!(report.results[1].outcome.decision, Decision::Deny);
//! assert_eq!(report.results[1].outcome.rules[0].reason, "has only 12% domestic hardware");
//! assert_eq!(report.summary.records, 2);
//! ```
//!
//! What follows is docs/api.md: every export, with an example of each task.
//!
#![doc = include_str!("../docs/api.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "arrow")]
pub mod arrow;
pub mod ast;
pub mod data;
pub mod diagnostics;
pub mod diff;
pub mod explain;
pub mod fmt;
#[cfg(feature = "lsp")]
pub mod lsp;
pub mod outcome;
pub mod run;
pub mod span;
pub mod testing;
pub mod value;

// The stages behind `compile` and the evaluator: internals, reached only through the hidden
// `internals` module below. Their important items have docs; the rest are not public API.
#[allow(missing_docs)]
mod check;
#[allow(missing_docs)]
mod eval;
#[allow(missing_docs)]
mod ir;
#[allow(missing_docs)]
mod semantics;
#[allow(missing_docs)]
mod syntax;

/// `limit` allocation on its own, for a runner that evaluates records elsewhere (say, on
/// the machines of a cluster) and allocates once: [`Policy::candidates`] after a
/// record's per-record rules, [`allocate`](allocation::allocate) over the candidates of
/// the whole batch in input order, and [`Policy::allot`] to apply a record's
/// [`Allotment`](allocation::Allotment) to its outcome, evaluated again from its row.
///
/// ```
/// use clearance::{allocation, data::decode_json, Decision};
///
/// let policy = clearance::compile(r#"
///     policy "cap" default allow
///     schema { id: text, action: import | export, item: H200 | H20, units: int }
///     rule cap: limit import H200 to 100 units else waitlist
/// "#).unwrap();
/// let rows: Vec<_> = [60, 50, 40].iter().map(|u| decode_json(&policy.schema,
///     &format!(r#"{{"id": "r{u}", "action": "import", "item": "H200", "units": {u}}}"#)).unwrap()).collect();
/// // On the workers: each record's candidates (here, all of them in one place).
/// let mut candidates = Vec::new();
/// for (i, row) in rows.iter().enumerate() {
///     let mut outcome = policy.evaluate_row(row);
///     candidates.extend(policy.candidates(i, row, &mut outcome));
/// }
/// // Once: the allocation.
/// let allocation = allocation::allocate(&policy, candidates);
/// let refused = allocation.allotment(1).unwrap();
/// assert_eq!(refused.refused_by, Some(0));
/// // On the workers again: a record evaluated afresh gets its allotment.
/// let mut outcome = policy.evaluate_row(&rows[1]);
/// policy.candidates(1, &rows[1], &mut outcome);
/// policy.allot(&refused, &rows[1], &mut outcome);
/// assert_eq!(outcome.decision, Decision::Waitlist);
/// let label = |i: usize| policy.label(&rows[i], i + 1);
/// assert_eq!(allocation.reports(&policy, Some(&label))[0].refused_ids, ["r50"]);
/// ```
pub mod allocation {
    pub use crate::eval::{
        allocate, Allocation, Allocator, Allotment, Candidate, LimitReport, Turn,
    };
}

pub use check::Params;
pub use data::{DataFormat, InputError};
pub use diagnostics::{Code, Diagnostic, Severity, SourceFile};
pub use eval::Policy;
pub use fmt::format_source;
pub use outcome::{Decision, Fired, Outcome, RecordError, Verdict};
pub use run::{
    evaluate, evaluate_all, evaluate_parallel, evaluate_source, evaluate_with, Parallel,
    RecordResult, Report, Source, Stage, Summary,
};
pub use testing::{run_tests, TestReport};

/// The stages behind [`compile`] and the evaluator's parts, for benchmarks, fuzzing and
/// property tests (and tools that need the checked form). No stability promise.
#[doc(hidden)]
pub mod internals {
    /// Names, types and scopes: `ast::Policy` → the checked form, and lints.
    pub mod check {
        pub use crate::check::*;
    }
    /// The compiled program and the runnable policy.
    pub mod eval {
        pub use crate::eval::*;
    }
    /// The checked form of a policy.
    pub mod ir {
        pub use crate::ir::*;
    }
    /// Value semantics and the reference evaluator.
    pub mod semantics {
        pub use crate::semantics::*;
    }
    /// The parser.
    pub mod syntax {
        pub use crate::syntax::*;
    }
}

/// Parses, checks and compiles a policy for a run: params take their defaults and
/// `today` is the day of the run (UTC). The runnable policy, or every diagnostic found.
pub fn compile(source: &str) -> Result<eval::Policy, Vec<Diagnostic>> {
    compile_with(source, &Params::new())
}

/// Like [`compile`], with values for params and `today` (what `--set` gives).
pub fn compile_with(source: &str, params: &Params) -> Result<eval::Policy, Vec<Diagnostic>> {
    let policy = ast::Policy::parse(source)?;
    eval::Policy::bind(std::sync::Arc::new(policy), params)
}

/// Checks a policy without running it, as `clearance check` does: its errors, or its
/// lint warnings. Params and `today` are unknown here, so no value of theirs is assumed.
pub fn check_source(source: &str) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let policy = ast::Policy::parse(source)?;
    let checked = check::check(&policy, check::Binding::Unbound)?;
    Ok(check::lint(&checked, source))
}

/// Like [`compile`], with the lint warnings of a valid policy (less those its
/// `# clearance: allow(LINT)` comments silence; a comment that cannot be applied is an
/// error among them, `clearance::lint::unknown_lint`); see [`check_source`].
pub fn compile_with_warnings(
    source: &str,
) -> Result<(eval::Policy, Vec<Diagnostic>), Vec<Diagnostic>> {
    let warnings = check_source(source)?;
    let policy = compile(source)?;
    Ok((policy, warnings))
}
