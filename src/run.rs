//! Batch evaluation: records in, one result per record out, with a summary.

use std::io::BufRead;
use std::ops::ControlFlow;

use serde::Serialize;

use crate::data::{read_raw, DataFormat, InputError};
use crate::eval::LimitReport;
use crate::eval::Policy;
use crate::explain::{explain_row, RuleTrace};
use crate::outcome::Decision;
use crate::outcome::Outcome;

mod fast;
mod pipeline;
pub mod render;
mod stream;
mod two_pass;

pub use fast::Rendering;
pub use render::{Field, Fields};
pub use stream::{evaluate_rendered, render_results};
pub use two_pass::Source;

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
    /// The record's decision, with the rules, warnings and errors behind it.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Every rule with the values of its condition (`eval --explain`, `explain`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Vec<RuleTrace>>,
}

/// Counts per decision (they add up to `records`), and what `limit` allocated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// How many records the input held (blank NDJSON lines are not records).
    pub records: usize,
    /// How many were allowed.
    pub allow: usize,
    /// How many were denied.
    pub deny: usize,
    /// How many were waitlisted.
    pub waitlist: usize,
    /// How many got the decision `error`.
    pub error: usize,
    /// Records with at least one warning.
    pub warned: usize,
    /// Per `limit` rule and group: cap, admitted, refused.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allocations: Vec<LimitReport>,
}

impl Summary {
    /// Counts one more result.
    pub fn add(&mut self, r: &RecordResult) {
        self.add_outcome(&r.outcome);
    }

    /// Counts one more record's outcome.
    fn add_outcome(&mut self, outcome: &Outcome) {
        self.records += 1;
        self.add_decision(outcome.decision, 1);
        if !outcome.warnings.is_empty() {
            self.warned += 1;
        }
    }

    /// Adds `n` to the count of decision `d` (and not to the records).
    fn add_decision(&mut self, d: Decision, n: isize) {
        let count = match d {
            Decision::Allow => &mut self.allow,
            Decision::Deny => &mut self.deny,
            Decision::Waitlist => &mut self.waitlist,
            Decision::Error => &mut self.error,
        };
        *count = count.saturating_add_signed(n);
    }

    /// The same counts (records, decisions, warnings) as `other`.
    fn same_counts(&self, other: &Summary) -> bool {
        let counts = |s: &Summary| (s.records, s.allow, s.deny, s.waitlist, s.error, s.warned);
        counts(self) == counts(other)
    }

    /// Adds the counts of another part of the same batch.
    pub fn merge(&mut self, other: &Summary) {
        self.records += other.records;
        self.allow += other.allow;
        self.deny += other.deny;
        self.waitlist += other.waitlist;
        self.error += other.error;
        self.warned += other.warned;
    }

    /// How many records got the decision `d`.
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
    /// The policy's name.
    pub policy: String,
    /// The params and `today` this run used (see [`Policy::params_used`]), so that any
    /// result can be reproduced: `{"national_cap": "400000", "today": "2026-01-29"}`.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub params: std::collections::BTreeMap<String, String>,
    /// The counts per decision and the allocations.
    pub summary: Summary,
    /// One result per input record, in input order.
    pub results: Vec<RecordResult>,
}

/// Evaluates every record of `input`, calling `each` with each result in input order.
///
/// Without `limit` rules, results stream out as records are read. With them, the
/// results wait for the allocation, which needs the whole batch: the input is read
/// twice (it is copied to an anonymous temporary file while it is read the first time),
/// and between the two readings only the allocation's candidates are kept, a few dozen
/// bytes per record that takes part (see [`crate::allocation`]).
pub fn evaluate<R: BufRead>(
    policy: &Policy,
    format: DataFormat,
    input: R,
    each: &mut dyn FnMut(RecordResult),
) -> Result<Summary, InputError> {
    evaluate_with(policy, format, input, None, each)
}

/// Like [`evaluate`]; with the policy's source text, each result also explains itself
/// (every rule with the values of its condition).
pub fn evaluate_with<R: BufRead>(
    policy: &Policy,
    format: DataFormat,
    input: R,
    explain_source: Option<&str>,
    each: &mut dyn FnMut(RecordResult),
) -> Result<Summary, InputError> {
    if policy.has_limits() {
        return two_pass::evaluate_twice(policy, format, input, explain_source, each);
    }
    let mut summary = Summary::default();
    read_raw(&policy.schema, format, input, &mut |r| {
        let e = evaluate_one(policy, &r.raw, r.position, r.line, explain_source);
        summary.add(&e);
        each(e);
        ControlFlow::Continue(())
    })?;
    Ok(summary)
}

/// Evaluates everything into one [`Report`].
pub fn evaluate_all<R: BufRead>(
    policy: &Policy,
    format: DataFormat,
    input: R,
) -> Result<Report, InputError> {
    let mut results = Vec::new();
    let summary = evaluate(policy, format, input, &mut |r| results.push(r))?;
    Ok(Report {
        policy: policy.name.clone(),
        params: policy.params_used().into_iter().collect(),
        summary,
        results,
    })
}

// ------------------------------------------------------------------ parallel batches

/// How to run [`evaluate_parallel`].
#[derive(Debug, Clone, Copy)]
pub struct Parallel<'s> {
    /// Worker threads (1: everything on the calling thread's pool of one).
    pub threads: usize,
    /// With the policy's source, results explain themselves (see [`evaluate_with`]).
    pub explain_source: Option<&'s str>,
}

/// What a long run is doing, for a progress display ([`evaluate_source`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The first reading of a run with `limit` rules: records evaluated so far.
    Reading,
    /// The allocation, once every record was read (the count is of all records).
    Allocating,
    /// The results being handed on (in a run with `limit` rules, the second reading):
    /// records handed on so far.
    Writing,
}

/// Like [`evaluate_parallel`], reading from a [`Source`]: a run with `limit` rules reads
/// it twice (opening it again when it [reopens](Source::reopens), else copying it to a
/// temporary file while it is read the first time), and keeps in between only the
/// allocation's candidates, so that its memory does not grow with the records'
/// results. `progress` hears what the run is doing, on the calling thread, once per
/// chunk of records (without `limit` rules: [`Stage::Writing`] only).
pub fn evaluate_source<T: Send>(
    policy: &Policy,
    format: DataFormat,
    source: &dyn Source,
    options: Parallel,
    progress: &mut dyn FnMut(Stage, usize),
    render: &(dyn Fn(Vec<RecordResult>) -> T + Sync),
    sink: &mut dyn FnMut(T, &Summary) -> ControlFlow<()>,
) -> Result<Summary, InputError> {
    if policy.has_limits() {
        let first = two_pass::First::<std::io::Empty>::Source(source);
        return two_pass::evaluate_parallel_twice(
            policy, format, first, options, progress, render, sink,
        );
    }
    let input = source
        .open()
        .map_err(|e| InputError::new(format!("cannot read the data: {e}"), None))?;
    evaluate_parallel(policy, format, input, options, render, &mut |out, s| {
        progress(Stage::Writing, s.records);
        sink(out, s)
    })
}

/// Records per chunk handed to a worker.
const CHUNK: usize = 1024;

/// Decodes and evaluates one record (of a policy without `limit` rules).
fn evaluate_one(
    policy: &Policy,
    raw: &crate::data::Raw,
    position: usize,
    line: Option<usize>,
    explain: Option<&str>,
) -> RecordResult {
    match raw.decode(&policy.schema) {
        Ok(row) => {
            let record = policy.label(&row, position);
            let outcome = policy.evaluate_row(&row);
            let explain = explain.map(|src| explain_row(policy, src, &row, &outcome));
            RecordResult {
                record,
                position,
                line,
                outcome,
                explain,
            }
        }
        Err(e) => RecordResult {
            record: raw
                .id(&policy.schema)
                .unwrap_or_else(|| format!("#{position}")),
            position,
            line,
            outcome: Outcome::data_errors(e),
            explain: None,
        },
    }
}

/// Like [`evaluate_with`], on `threads` workers: the reader hands chunks of raw
/// records to workers, which decode, evaluate and `render` them (say, to output
/// bytes); `sink` receives the rendered chunks in input order, so the output is the
/// same for any number of threads. Memory stays bounded by a few chunks per thread
/// (with `limit` rules, plus the allocation's candidates: the input is read twice, as in
/// [`evaluate`]; [`evaluate_source`] reads a file again rather than copying it).
///
/// When `sink` returns [`ControlFlow::Break`] (say, its output was closed), the run
/// stops: the reader reads no further, the workers evaluate no more chunks, `sink` is
/// not called again, and the summary returned counts the chunks handed to `sink`.
pub fn evaluate_parallel<R: BufRead + Send, T: Send>(
    policy: &Policy,
    format: DataFormat,
    input: R,
    options: Parallel,
    render: &(dyn Fn(Vec<RecordResult>) -> T + Sync),
    sink: &mut dyn FnMut(T, &Summary) -> ControlFlow<()>,
) -> Result<Summary, InputError> {
    if policy.has_limits() {
        let input = two_pass::First::Reader(input);
        let progress = &mut |_, _| {};
        return two_pass::evaluate_parallel_twice(
            policy, format, input, options, progress, render, sink,
        );
    }
    // Workers decode, evaluate and render their chunk; this thread puts the chunks back
    // in order (`pipeline`), so no step waits for a whole batch.
    let work = |batch: &pipeline::Batch, _first: usize| {
        let results: Vec<RecordResult> = batch
            .records()
            .map(|r| evaluate_one(policy, &r.raw, r.position, r.line, options.explain_source))
            .collect();
        let mut part = Summary::default();
        results.iter().for_each(|r| part.add(r));
        (render(results), part)
    };
    let mut summary = Summary::default();
    // A stopped run returns the summary of what `sink` got, whatever the reader met.
    pipeline::pipeline(policy, format, input, options.threads, &work, &mut |(
        out,
        part,
    )| {
        summary.merge(&part);
        sink(out, &summary)
    })?;
    Ok(summary)
}
