//! A runnable policy: the checked form and its compiled program, with what turns the
//! program's verdicts into an [`Outcome`] (reasons, labels, the decision).

use std::ops::Deref;
use std::sync::Arc;

use super::allocate::Allocator;
use super::program::{FiredSet, Program};
use crate::ast;
use crate::check::{check, Binding, Params};
use crate::diagnostics::Diagnostic;
use crate::ir::{CheckedPolicy, Rule, RuleKind, TemplatePart};
use crate::outcome::{Fired, Outcome, RecordError, Verdict};
use crate::semantics::{eval, EvalError};
use crate::value::Value;

pub use super::allocate::LimitReport;

/// A checked policy compiled for evaluation. It reads as its [`CheckedPolicy`]
/// (schema, rules, tests) and adds what evaluating it takes.
#[derive(Debug, Clone)]
pub struct Policy {
    checked: CheckedPolicy,
    program: Arc<Program>,
    /// The syntax tree, to bind the policy again with other params (a test's `set`).
    ast: Arc<ast::Policy>,
    /// The params it was bound with.
    params: Params,
}

impl Deref for Policy {
    type Target = CheckedPolicy;

    fn deref(&self) -> &CheckedPolicy {
        &self.checked
    }
}

impl Policy {
    /// Checks a parsed policy with its params bound to `params` (else their defaults)
    /// and compiles its per-record rules.
    pub fn bind(ast: Arc<ast::Policy>, params: &Params) -> Result<Policy, Vec<Diagnostic>> {
        let checked = check(&ast, Binding::Bound(params))?;
        let program = Arc::new(Program::compile(&checked));
        Ok(Policy {
            checked,
            program,
            ast,
            params: params.clone(),
        })
    }

    /// The same policy with `more` params set on top of those it was bound with.
    pub fn rebind(&self, more: &Params) -> Result<Policy, Vec<Diagnostic>> {
        if more.is_empty() {
            return Ok(self.clone());
        }
        Policy::bind(self.ast.clone(), &self.params.overlaid(more))
    }

    /// The params this policy was bound with (as given, before defaults).
    pub fn params_given(&self) -> &Params {
        &self.params
    }

    /// The params and their values in this run, in file order, shown as an author
    /// writes them; `today` last, when the policy uses it.
    pub fn params_used(&self) -> Vec<(String, String)> {
        let mut used: Vec<(String, String)> = self
            .checked
            .constants
            .iter()
            .filter(|c| c.param)
            .map(|c| (c.name.clone(), c.value.display(&c.ty, &[]).to_string()))
            .collect();
        if let Some(d) = self.checked.today {
            used.push(("today".into(), d.format("%Y-%m-%d").to_string()));
        }
        used
    }

    /// The checked form this policy was compiled from.
    pub fn checked(&self) -> &CheckedPolicy {
        &self.checked
    }

    /// The compiled per-record rules.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Evaluates the per-record rules on one record (a row of slot values in schema order).
    pub fn evaluate_row(&self, row: &[Value]) -> Outcome {
        let mut fired_set = FiredSet::default();
        self.program.run(row, &mut fired_set);
        self.outcome(row, &fired_set)
    }

    /// The outcome of a record from what its rules said: reasons rendered for the
    /// rules that fired, in file order.
    pub fn outcome(&self, row: &[Value], fired_set: &FiredSet) -> Outcome {
        let mut outcome = Outcome {
            decision: self.default,
            rules: Vec::new(),
            warnings: Vec::new(),
            errors: Vec::new(),
            allocations: Vec::new(),
        };
        let mut errors = fired_set.errors.iter().peekable();
        let mut fired = fired_set.fired().peekable();
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
        outcome.redecide(self.default);
        outcome
    }

    /// Evaluates a whole batch, `limit` allocation included: one outcome per row, in order.
    pub fn evaluate_batch(&self, rows: &[Vec<Value>]) -> (Vec<Outcome>, Vec<LimitReport>) {
        let mut outcomes: Vec<Outcome> = rows.iter().map(|r| self.evaluate_row(r)).collect();
        if !self.has_limits() {
            return (outcomes, Vec::new());
        }
        let mut allocator = Allocator::new(self);
        let mut candidates = Vec::new();
        for (i, (row, outcome)) in rows.iter().zip(outcomes.iter_mut()).enumerate() {
            self.push_candidates(i, row, outcome, &mut candidates);
            candidates.drain(..).for_each(|c| allocator.push(c));
        }
        let allocation = allocator.finish();
        for a in allocation.allotments() {
            self.allot(&a, &rows[a.record], &mut outcomes[a.record]);
        }
        let label = |i: usize| self.label(&rows[i], i + 1);
        let reports = allocation.reports(self, Some(&label));
        (outcomes, reports)
    }

    /// The `because` text with the record's values, or a generated sentence. (A
    /// `limit`'s reason is the allocation's: see `allocate.rs`.)
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
                    // Only in a `limit`'s `because`, which the allocation renders.
                    TemplatePart::Fact(_) => {}
                }
            }
            return Ok(out);
        }
        // `requires eu >= min_eu (25%); eu is 5%, short by 20 points`: the condition,
        // the named constants it mentions, then the record's values and the margin.
        let mut out = match (&rule.kind, &rule.condition_text) {
            (RuleKind::Require(_), Some(c)) => format!("requires {c}"),
            (RuleKind::When(_), Some(c)) => format!("{c} holds"),
            _ => match &rule.scope_text {
                Some(s) => format!("applies to every {s} record"),
                None => "applies to every record".to_string(),
            },
        };
        if let Some(constants) = &rule.shown_constants {
            out.push_str(&format!(" ({constants})"));
        }
        let mut shown: Vec<String> = rule
            .shown_fields
            .iter()
            .take(4)
            .map(|s| {
                let f = &self.schema.fields[*s];
                format!("{} is {}", f.name, row[*s].display(&f.ty, enums))
            })
            .collect();
        if let RuleKind::Require(c) = &rule.kind {
            shown.extend(crate::semantics::margin(c, row));
        }
        if !shown.is_empty() {
            out.push_str(&format!("; {}", shown.join(", ")));
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
