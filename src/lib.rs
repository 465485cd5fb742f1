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

pub use check::Params;
pub use data::{DataFormat, InputError};
pub use diagnostics::{Code, Diagnostic, Severity, SourceFile};
pub use eval::Policy;
pub use fmt::format_source;
pub use outcome::{Decision, Fired, Outcome, RecordError, Verdict};
pub use run::{
    evaluate, evaluate_all, evaluate_parallel, evaluate_with, Parallel, RecordResult, Report,
    Summary,
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
