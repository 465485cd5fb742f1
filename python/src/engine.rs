//! Evaluation of decoded records at given positions, for `Policy.evaluate` and the Spark
//! tasks: per-record rules, the records that take part in a `limit` (candidates), and the
//! allocation over a set of candidates with its facts applied.

use clearance::internals::eval::Allocator;
use clearance::{Outcome, Policy, RecordError, RecordResult};
use clearance::value::Value;

/// A decoded record: its values in schema order, or the problems of its data.
pub type Decoded = Result<Vec<Value>, Vec<RecordError>>;

/// One record to evaluate: its 1-based position in the input, its decoded values and the
/// label to use when its data is bad (its `id` if it could be read).
pub struct Input {
    pub position: usize,
    pub row: Decoded,
    pub bad_label: Option<String>,
}

/// The result of one record after its per-record rules (and, in a policy with `limit`s,
/// after the check of its quantities), and whether it takes part in a limit.
pub struct Evaluated {
    pub result: RecordResult,
    pub candidate: bool,
}

/// Per-record evaluation, without the allocation.
pub fn per_record(policy: &Policy, input: &Input) -> Evaluated {
    match &input.row {
        Ok(row) => {
            let record = policy.label(row, input.position);
            let mut outcome = policy.evaluate_row(row);
            let candidate = policy.has_limits() && {
                let allocator = Allocator::new(policy);
                allocator
                    .entry(input.position, &record, row, &mut outcome)
                    .is_some()
            };
            Evaluated {
                result: result(record, input.position, outcome),
                candidate,
            }
        }
        Err(errors) => Evaluated {
            result: result(
                input
                    .bad_label
                    .clone()
                    .unwrap_or_else(|| format!("#{}", input.position)),
                input.position,
                Outcome::data_errors(errors.clone()),
            ),
            candidate: false,
        },
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

/// Evaluates `inputs` as one batch, the allocation included: the records of a whole batch,
/// or every candidate of a group (or of the batch) with the records that take part in no
/// limit. Positions give the order of ties: `inputs` are sorted by position first, and the
/// results come in that order.
pub fn with_allocation(policy: &Policy, inputs: &mut [Input]) -> Vec<RecordResult> {
    inputs.sort_by_key(|i| i.position);
    let mut allocator = Allocator::new(policy);
    let mut results = Vec::with_capacity(inputs.len());
    for (k, input) in inputs.iter().enumerate() {
        match &input.row {
            Ok(row) => {
                let record = policy.label(row, input.position);
                let mut outcome = policy.evaluate_row(row);
                // The entry's index is the record's place among `inputs`, in input order.
                if let Some(entry) = allocator.entry(k, &record, row, &mut outcome) {
                    allocator.push(entry);
                }
                results.push(result(record, input.position, outcome));
            }
            Err(_) => results.push(per_record(policy, input).result),
        }
    }
    let (allotments, _) = allocator.allocate();
    for a in allotments {
        let k = a.record;
        results[k].allot(a, policy.default);
    }
    results
}
