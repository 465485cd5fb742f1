//! Batch evaluation: records in, one result per record out, with a summary.

use std::io::BufRead;

use serde::Serialize;

use crate::check::{CheckedPolicy, Decision, RuleKind};
use crate::data::{read_records, DataFormat, InputError};
use crate::diagnostics::{Code, Diagnostic};
use crate::eval::Outcome;

/// The result for one input record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordResult {
    /// The record's `id`, or `#N` for the N-th record when the schema has no `id`.
    pub record: String,
    /// 1-based position among the input's records.
    pub position: usize,
    /// 1-based line where the record starts in the input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Counts per decision; they add up to `records`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub records: usize,
    pub allow: usize,
    pub deny: usize,
    pub waitlist: usize,
    pub error: usize,
    /// Records with at least one warning.
    pub warned: usize,
}

impl Summary {
    pub fn add(&mut self, r: &RecordResult) {
        self.records += 1;
        match r.outcome.decision {
            Decision::Allow => self.allow += 1,
            Decision::Deny => self.deny += 1,
            Decision::Waitlist => self.waitlist += 1,
            Decision::Error => self.error += 1,
        }
        if !r.outcome.warnings.is_empty() {
            self.warned += 1;
        }
    }

    pub fn count(&self, d: Decision) -> usize {
        match d {
            Decision::Allow => self.allow,
            Decision::Deny => self.deny,
            Decision::Waitlist => self.waitlist,
            Decision::Error => self.error,
        }
    }
}

/// A whole evaluation, as `eval --format json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub policy: String,
    pub summary: Summary,
    pub results: Vec<RecordResult>,
}

/// Diagnostics for what evaluation does not support yet (`limit` allocation).
pub fn unsupported(policy: &CheckedPolicy) -> Vec<Diagnostic> {
    policy
        .rules
        .iter()
        .filter(|r| matches!(r.kind, RuleKind::Limit(_)))
        .map(|r| {
            Diagnostic::error(
                Code::LimitNotSupported,
                format!("rule `{}` allocates with `limit`, which evaluation does not support yet", r.name),
                r.span,
                "a `limit` rule",
            )
            .with_help("`limit` is checked but not yet evaluated; remove the rule to evaluate the other rules")
        })
        .collect()
}

/// Evaluates every record of `input`, calling `each` with each result in input order.
pub fn evaluate<R: BufRead>(
    policy: &CheckedPolicy,
    format: DataFormat,
    input: R,
    each: &mut dyn FnMut(RecordResult),
) -> Result<Summary, InputError> {
    let mut summary = Summary::default();
    read_records(&policy.schema, format, input, &mut |rec| {
        let result = match rec.row {
            Ok(row) => RecordResult {
                record: policy.label(&row, rec.position),
                position: rec.position,
                line: rec.line,
                outcome: policy.evaluate_row(&row),
            },
            Err(e) => RecordResult {
                record: format!("#{}", rec.position),
                position: rec.position,
                line: rec.line,
                outcome: Outcome::data_error(e),
            },
        };
        summary.add(&result);
        each(result);
    })?;
    Ok(summary)
}

/// Evaluates everything into one [`Report`].
pub fn evaluate_all<R: BufRead>(
    policy: &CheckedPolicy,
    format: DataFormat,
    input: R,
) -> Result<Report, InputError> {
    let mut results = Vec::new();
    let summary = evaluate(policy, format, input, &mut |r| results.push(r))?;
    Ok(Report {
        policy: policy.name.clone(),
        summary,
        results,
    })
}
