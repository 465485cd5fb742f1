//! Impact of a policy change: both policies over the same batch, the records whose
//! decision changes, and counts per change.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::data::{DataFormat, InputError};
use crate::eval::Policy;
use crate::ir::Schema;
use crate::outcome::{fact_lines, AllocationFact, Decision, Fired};
use crate::run::{evaluate, RecordResult};
use crate::value::Type;

/// One record whose decision differs.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// The record's `id` (or `#position` when it has none).
    pub record: String,
    /// 1-based position among the records of the input.
    pub position: usize,
    /// 1-based line where the record starts, when the format has lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// What the old policy decided.
    pub old: Side,
    /// What the new policy decided.
    pub new: Side,
}

/// A decision and the rules behind it, with the facts of the `limit`s the record
/// took part in.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// The record's decision under this policy.
    pub decision: Decision,
    /// The deciding rules that fired, with their reasons.
    pub rules: Vec<Fired>,
    /// The messages of the record's errors, when its decision is `error`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// The record's facts in each `limit` that took it in, on this side.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allocations: Vec<AllocationFact>,
}

impl Side {
    fn of(r: &RecordResult) -> Side {
        Side {
            decision: r.outcome.decision,
            rules: r.outcome.rules.clone(),
            errors: r.outcome.errors.iter().map(|e| e.message.clone()).collect(),
            allocations: r.outcome.allocations.clone(),
        }
    }

    /// The rules behind the decision, the errors, and the facts of the limits that did
    /// not refuse the record, each as one line (`rule: reason`, `error: message`,
    /// `rule (admitted): needs …`); empty when the policy's default decided.
    pub fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .rules
            .iter()
            .map(|f| format!("{}: {}", f.rule, f.reason))
            .collect();
        lines.extend(self.errors.iter().map(|e| format!("error: {e}")));
        lines.extend(fact_lines(&self.allocations));
        lines
    }
}

/// How many records went from one decision to another.
#[derive(Debug, Clone, Serialize)]
pub struct Transition {
    /// The decision under the old policy.
    pub from: Decision,
    /// The decision under the new policy.
    pub to: Decision,
    /// How many records made this change.
    pub records: usize,
}

/// The impact of a policy change on one batch: what `clearance diff` prints.
#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    /// The old policy's name.
    pub old_policy: String,
    /// The new policy's name.
    pub new_policy: String,
    /// How many records the batch holds.
    pub records: usize,
    /// How many of them changed decision.
    pub changed: usize,
    /// The changes counted by kind, the most frequent first.
    pub transitions: Vec<Transition>,
    /// Every record whose decision changed, in input order.
    pub changes: Vec<Change>,
}

/// Fields both schemas declare with different types: they cannot read the same data.
pub fn incompatibilities(old: &Schema, new: &Schema) -> Vec<String> {
    let describe = |s: &Schema, ty: &Type| match ty {
        Type::Enum(id) => s.enums[*id as usize].values.join(" | "),
        Type::List(inner) => match inner.as_ref() {
            Type::Enum(id) => format!("[{}]", s.enums[*id as usize].values.join(" | ")),
            t => format!("[{t}]"),
        },
        t => t.to_string(),
    };
    let mut out = Vec::new();
    for f in &old.fields {
        let Some(slot) = new.slot(&f.name) else {
            continue;
        };
        let (a, b) = (describe(old, &f.ty), describe(new, &new.fields[slot].ty));
        if a != b {
            out.push(format!(
                "the field `{}` is `{a}` in the old policy but `{b}` in the new one",
                f.name
            ));
        }
    }
    out
}

/// Runs both policies over `data` and compares the decisions record by record.
pub fn diff(
    old: &Policy,
    new: &Policy,
    format: DataFormat,
    data: &[u8],
) -> Result<DiffReport, InputError> {
    let mut before = Vec::new();
    evaluate(old, format, data, &mut |r| before.push(r))?;
    let mut after = Vec::new();
    evaluate(new, format, data, &mut |r| after.push(r))?;
    let mut counts: BTreeMap<(Decision, Decision), usize> = BTreeMap::new();
    let mut changes = Vec::new();
    for (a, b) in before.iter().zip(&after) {
        let (da, db) = (a.outcome.decision, b.outcome.decision);
        if da != db {
            *counts.entry((da, db)).or_default() += 1;
            changes.push(Change {
                record: if b.record.starts_with('#') {
                    a.record.clone()
                } else {
                    b.record.clone()
                },
                position: a.position,
                line: a.line,
                old: Side::of(a),
                new: Side::of(b),
            });
        }
    }
    let mut transitions: Vec<Transition> = counts
        .into_iter()
        .map(|((from, to), records)| Transition { from, to, records })
        .collect();
    transitions.sort_by(|x, y| {
        y.records
            .cmp(&x.records)
            .then((x.from, x.to).cmp(&(y.from, y.to)))
    });
    Ok(DiffReport {
        old_policy: old.name.clone(),
        new_policy: new.name.clone(),
        records: before.len(),
        changed: changes.len(),
        transitions,
        changes,
    })
}

/// `1204` → `1,204`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_separators() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(1204), "1,204");
        assert_eq!(super::thousands(1_000_000), "1,000,000");
    }
}
