//! Batch evaluation: records in, one result per record out, with a summary.

use std::io::BufRead;

use serde::Serialize;

use crate::check::{CheckedPolicy, Decision};
use crate::data::{read_records, DataFormat, InputError};
use crate::eval::{refuse, Allocator, LimitReport, Outcome};
use crate::explain::{explain_row, RuleTrace};

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
    /// Every rule with the values of its condition (`eval --explain`, `explain`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Vec<RuleTrace>>,
}

/// Counts per decision (they add up to `records`), and what `limit` allocated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub records: usize,
    pub allow: usize,
    pub deny: usize,
    pub waitlist: usize,
    pub error: usize,
    /// Records with at least one warning.
    pub warned: usize,
    /// Per `limit` rule and group: cap, admitted, refused.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allocations: Vec<LimitReport>,
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

/// Evaluates every record of `input`, calling `each` with each result in input order.
///
/// Without `limit` rules, results stream out as records are read. With them, the
/// results wait for the allocation, which needs the whole batch; only the outcomes
/// and the allocation keys are kept, not the records.
pub fn evaluate<R: BufRead>(
    policy: &CheckedPolicy,
    format: DataFormat,
    input: R,
    each: &mut dyn FnMut(RecordResult),
) -> Result<Summary, InputError> {
    evaluate_with(policy, format, input, None, each)
}

/// Like [`evaluate`]; with the policy's source text, each result also explains itself
/// (every rule with the values of its condition).
pub fn evaluate_with<R: BufRead>(
    policy: &CheckedPolicy,
    format: DataFormat,
    input: R,
    explain_source: Option<&str>,
    each: &mut dyn FnMut(RecordResult),
) -> Result<Summary, InputError> {
    let mut summary = Summary::default();
    let mut allocator = policy.has_limits().then(|| Allocator::new(policy));
    let mut pending: Vec<RecordResult> = Vec::new();
    read_records(&policy.schema, format, input, &mut |rec| {
        let result = match rec.row {
            Ok(row) => {
                let record = policy.label(&row, rec.position);
                let mut outcome = policy.evaluate_row(&row);
                if let Some(a) = allocator.as_mut() {
                    a.observe(pending.len(), &record, &row, &mut outcome);
                }
                let explain = explain_source.map(|src| explain_row(policy, src, &row, &outcome));
                RecordResult {
                    record,
                    position: rec.position,
                    line: rec.line,
                    outcome,
                    explain,
                }
            }
            Err(e) => RecordResult {
                record: format!("#{}", rec.position),
                position: rec.position,
                line: rec.line,
                outcome: Outcome::data_error(e),
                explain: None,
            },
        };
        if allocator.is_some() {
            pending.push(result);
        } else {
            summary.add(&result);
            each(result);
        }
    })?;
    if let Some(a) = allocator {
        let (refusals, reports) = a.allocate();
        for (i, fired) in refusals {
            let result = &mut pending[i];
            if let Some(trace) = result
                .explain
                .as_mut()
                .and_then(|t| t.iter_mut().find(|t| t.rule == fired.rule))
            {
                trace.fired = true;
                trace.reason = Some(fired.reason.clone());
            }
            refuse(policy, &mut result.outcome, fired);
        }
        for r in pending {
            summary.add(&r);
            each(r);
        }
        summary.allocations = reports;
    }
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
