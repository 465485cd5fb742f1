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
#![forbid(unsafe_code)]

pub mod ast;
pub mod check;
pub mod data;
pub mod diagnostics;
pub mod diff;
pub mod eval;
pub mod explain;
pub mod fmt;
pub mod ir;
#[cfg(feature = "lsp")]
pub mod lsp;
pub mod outcome;
pub mod run;
pub mod semantics;
pub mod span;
pub mod syntax;
pub mod testing;
pub mod value;

use diagnostics::Diagnostic;

/// Parses, checks and compiles a policy: the runnable policy, or every diagnostic found.
pub fn compile(source: &str) -> Result<eval::Policy, Vec<Diagnostic>> {
    let policy = ast::Policy::parse(source)?;
    let checked = check::check(&policy)?;
    Ok(eval::Policy::new(checked))
}

/// Like [`compile`], with the lint warnings of a valid policy.
pub fn compile_with_warnings(
    source: &str,
) -> Result<(eval::Policy, Vec<Diagnostic>), Vec<Diagnostic>> {
    let policy = compile(source)?;
    let warnings = check::lint(policy.checked());
    Ok((policy, warnings))
}
