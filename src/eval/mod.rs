//! Evaluation of a checked policy: per-record rules, decisions and reasons.

mod allocate;
mod expr;
mod program;

use serde::Serialize;

pub use allocate::{refuse, Allocator, Entry, LimitReport};
pub use expr::{const_eval, eval, eval_traced, truth, truth_traced, EvalError};
pub use program::{Program, Verdicts};

use crate::ast::Verdict;
use crate::check::{CheckedPolicy, Decision, Rule, RuleKind, Schema, TemplatePart};
use crate::value::{Type, Value};

/// A rule that fired on a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fired {
    pub rule: String,
    pub verdict: Verdict,
    pub reason: String,
}

/// Why a record has the decision `error`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordError {
    /// The rule whose evaluation failed; `None` for bad data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The data field at fault, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
}

/// The outcome of evaluating one record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub decision: Decision,
    /// Rules that fired with a deny, waitlist or allow verdict, in file order.
    pub rules: Vec<Fired>,
    pub warnings: Vec<Fired>,
    pub errors: Vec<RecordError>,
}

impl Outcome {
    /// An outcome for a record whose data could not be read: each problem of it.
    pub fn data_errors(errors: Vec<RecordError>) -> Outcome {
        Outcome {
            decision: Decision::Error,
            rules: Vec::new(),
            warnings: Vec::new(),
            errors,
        }
    }
}

impl CheckedPolicy {
    /// Whether any rule allocates with `limit`.
    pub fn has_limits(&self) -> bool {
        self.rules
            .iter()
            .any(|r| matches!(r.kind, RuleKind::Limit(_)))
    }

    /// Evaluates the per-record rules on one record (a row of slot values in schema order).
    pub fn evaluate_row(&self, row: &[Value]) -> Outcome {
        let mut verdicts = Verdicts::default();
        self.program.run(row, &mut verdicts);
        self.outcome(row, &verdicts)
    }

    /// The outcome of a record from what its rules said: reasons rendered for the
    /// rules that fired, in file order.
    pub fn outcome(&self, row: &[Value], verdicts: &Verdicts) -> Outcome {
        let mut outcome = Outcome {
            decision: self.default,
            rules: Vec::new(),
            warnings: Vec::new(),
            errors: Vec::new(),
        };
        let mut errors = verdicts.errors.iter().peekable();
        let mut fired = verdicts.fired().peekable();
        // Merge fired rules and errors back into file order.
        loop {
            let next_fired = fired.peek().copied();
            let next_error = errors.peek().map(|(i, _)| *i);
            let take_error = match (next_fired, next_error) {
                (None, None) => break,
                (Some(f), Some(e)) => e < f,
                (None, Some(_)) => true,
                (Some(_), None) => false,
            };
            if take_error {
                let (i, e) = errors.next().expect("peeked");
                outcome.errors.push(RecordError {
                    rule: Some(self.rules[*i].name.clone()),
                    field: None,
                    message: e.message.clone(),
                });
                continue;
            }
            let i = fired.next().expect("peeked");
            let rule = &self.rules[i];
            match self.reason(rule, row) {
                Ok(reason) => {
                    let f = Fired {
                        rule: rule.name.clone(),
                        verdict: rule.verdict,
                        reason,
                    };
                    if rule.verdict == Verdict::Warn {
                        outcome.warnings.push(f);
                    } else {
                        outcome.rules.push(f);
                    }
                }
                Err(e) => outcome.errors.push(RecordError {
                    rule: Some(rule.name.clone()),
                    field: None,
                    message: e.message,
                }),
            }
        }
        outcome.decision = decide(self.default, &outcome);
        outcome
    }

    /// Evaluates a whole batch, `limit` allocation included: one outcome per row, in order.
    pub fn evaluate_batch(&self, rows: &[Vec<Value>]) -> (Vec<Outcome>, Vec<LimitReport>) {
        let mut outcomes: Vec<Outcome> = rows.iter().map(|r| self.evaluate_row(r)).collect();
        if !self.has_limits() {
            return (outcomes, Vec::new());
        }
        let mut allocator = Allocator::new(self);
        for (i, (row, outcome)) in rows.iter().zip(outcomes.iter_mut()).enumerate() {
            allocator.observe(i, &self.label(row, i + 1), row, outcome);
        }
        let (refusals, reports) = allocator.allocate();
        for (i, fired) in refusals {
            refuse(self, &mut outcomes[i], fired);
        }
        (outcomes, reports)
    }

    /// The `because` text with the record's values, or a generated sentence.
    pub(crate) fn reason(&self, rule: &Rule, row: &[Value]) -> Result<String, EvalError> {
        let enums = &self.schema.enums;
        if let Some(t) = &rule.because {
            let mut out = String::new();
            for part in &t.parts {
                match part {
                    TemplatePart::Text(s) => out.push_str(s),
                    TemplatePart::Expr(e) => {
                        let v = eval(e, row)?;
                        out.push_str(&v.display(&e.ty, enums).to_string());
                    }
                }
            }
            return Ok(out);
        }
        if let RuleKind::Limit(l) = &rule.kind {
            let what = l
                .quantity
                .map_or("records", |s| self.schema.fields[s].name.as_str());
            let cap = l.cap.display(&Type::Decimal, enums);
            let scope = rule.scope_text.as_deref().unwrap_or("this");
            return Ok(match l.per {
                Some(slot) => {
                    let f = &self.schema.fields[slot];
                    format!(
                        "the {scope} allocation of {cap} {what} per {} is used up for {}",
                        f.name,
                        row[slot].display(&f.ty, enums)
                    )
                }
                None => format!("the {scope} allocation of {cap} {what} is used up"),
            });
        }
        let mut out = match (&rule.kind, &rule.condition_text) {
            (RuleKind::Require(_), Some(c)) => format!("requires {c}"),
            (RuleKind::When(_), Some(c)) => format!("{c} holds"),
            _ => match &rule.scope_text {
                Some(s) => format!("applies to every {s} record"),
                None => "applies to every record".to_string(),
            },
        };
        let shown: Vec<String> = rule
            .shown_fields
            .iter()
            .take(4)
            .map(|s| {
                let f = &self.schema.fields[*s];
                format!("{} is {}", f.name, row[*s].display(&f.ty, enums))
            })
            .collect();
        if !shown.is_empty() {
            out.push_str(&format!(" ({})", shown.join(", ")));
        }
        Ok(out)
    }

    /// The label of a record: its `id` field when the schema has one.
    pub fn label(&self, row: &[Value], position: usize) -> String {
        match self.schema.id.map(|s| (&row[s], &self.schema.fields[s].ty)) {
            Some((Value::Missing, _)) | None => format!("#{position}"),
            Some((v, ty)) => v.display(ty, &self.schema.enums).to_string(),
        }
    }
}

/// Whether a record is in a rule's scope (`import H200`); a rule without one applies to all.
pub fn in_scope(rule: &Rule, schema: &Schema, row: &[Value]) -> bool {
    let Some(scope) = &rule.scope else {
        return true;
    };
    let (Some(a), Some(i)) = (schema.action, schema.item) else {
        return false;
    };
    row.get(a) == Some(&Value::Enum(scope.action))
        && (scope.items.is_empty()
            || matches!(row.get(i), Some(Value::Enum(x)) if scope.items.contains(x)))
}

/// Errors win, then deny, waitlist, allow, and the policy's default.
pub(crate) fn decide(default: Decision, outcome: &Outcome) -> Decision {
    if !outcome.errors.is_empty() {
        return Decision::Error;
    }
    let has = |v: Verdict| outcome.rules.iter().any(|f| f.verdict == v);
    if has(Verdict::Deny) {
        Decision::Deny
    } else if has(Verdict::Waitlist) {
        Decision::Waitlist
    } else if has(Verdict::Allow) {
        Decision::Allow
    } else {
        default
    }
}
