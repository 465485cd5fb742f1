//! A runnable policy: the checked form and its compiled program, with what turns the
//! program's verdicts into an [`Outcome`] (reasons, labels, the decision).

use std::ops::Deref;
use std::sync::Arc;

use super::allocate::Allocator;
use super::program::{FiredSet, Program};
use crate::ast;
use crate::check::{check, Binding, Params};
use crate::diagnostics::Diagnostic;
use crate::ir::{CheckedPolicy, Rule, TemplatePart};
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

    /// The outcome of the per-record rules on one record, without their reasons: the
    /// decision, the warnings and the errors are those of [`Policy::evaluate_row`] (a
    /// `because` that cannot be rendered is an error here too), but every rule name,
    /// reason and error message is left empty. Enough to find a record's allocation
    /// candidates ([`Policy::candidates`]) and to count it, at a fraction of the cost.
    pub fn evaluate_decision(&self, row: &[Value]) -> Outcome {
        let mut fired_set = FiredSet::default();
        self.program.run(row, &mut fired_set);
        let unnamed = || RecordError {
            rule: None,
            field: None,
            message: String::new(),
        };
        let mut outcome = Outcome {
            decision: self.default,
            rules: Vec::new(),
            warnings: Vec::new(),
            errors: fired_set.errors.iter().map(|_| unnamed()).collect(),
            allocations: Vec::new(),
        };
        for i in fired_set.fired() {
            let rule = &self.rules[i];
            let renders = rule.because.iter().flat_map(|t| &t.parts).all(|p| match p {
                TemplatePart::Expr(e) => eval(e, row).is_ok(),
                _ => true,
            });
            if !renders {
                outcome.errors.push(unnamed());
                continue;
            }
            let f = Fired {
                rule: String::new(),
                verdict: rule.verdict,
                reason: String::new(),
            };
            match rule.verdict {
                Verdict::Warn => outcome.warnings.push(f),
                _ => outcome.rules.push(f),
            }
        }
        outcome.redecide(self.default);
        outcome
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
        let mut out = String::new();
        self.write_reason(rule, row, &|_| None, &mut out)?;
        Ok(out)
    }

    /// The label of a record: its `id` field when the schema has one.
    pub fn label(&self, row: &[Value], position: usize) -> String {
        let id = |s: usize| row.get(s).unwrap_or(&Value::Missing);
        match self.schema.id.map(|s| (id(s), &self.schema.fields[s].ty)) {
            Some((Value::Missing, _)) | None => format!("#{position}"),
            Some((v, ty)) => v.display(ty, &self.schema.enums).to_string(),
        }
    }
}
