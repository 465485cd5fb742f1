//! Evaluation of decoded records at given positions, for the Spark tasks: a record's
//! result after its per-record rules, its candidates for the `limit`s, and its result
//! with an allotment applied. Positions (1-based places in the input) are the records'
//! numbers in the allocation, so ties go by input order as in the CLI.

use clearance::allocation::{Allotment, Candidate};
use clearance::value::Value;
use clearance::{Outcome, Policy, RecordError, RecordResult};

/// A decoded record: its values in schema order, or the problems of its data.
pub type Decoded = Result<Vec<Value>, Vec<RecordError>>;

/// One record to evaluate: its 1-based position in the input, its decoded values and the
/// label to use when its data is bad (its `id` if it could be read).
pub struct Input {
    pub position: usize,
    pub row: Decoded,
    pub bad_label: Option<String>,
}

/// The result of one record, with its candidates (numbered by position) when it takes
/// part in a `limit`; with `allotment`, what the allocation gave it applied.
pub fn evaluate(
    policy: &Policy,
    input: &Input,
    allotment: Option<&Allotment>,
) -> (RecordResult, Vec<Candidate>) {
    let position = input.position;
    match &input.row {
        Ok(row) => {
            let record = policy.label(row, position);
            let mut outcome = policy.evaluate_row(row);
            let candidates = if policy.has_limits() {
                policy.candidates(position, row, &mut outcome)
            } else {
                Vec::new()
            };
            if let Some(a) = allotment {
                policy.allot(a, row, &mut outcome);
            }
            (result(record, position, outcome), candidates)
        }
        Err(errors) => {
            let label = input
                .bad_label
                .clone()
                .unwrap_or_else(|| format!("#{position}"));
            (
                result(label, position, Outcome::data_errors(errors.clone())),
                Vec::new(),
            )
        }
    }
}

fn result(record: String, position: usize, outcome: Outcome) -> RecordResult {
    RecordResult {
        record,
        position,
        line: None,
        outcome,
        explain: None,
    }
}
