//! `test` items: their records, checked against the schema, and expected outcomes.

use std::collections::HashMap;

use super::expr::{Fields, Place};
use super::schema::unknown_field;
use super::Checker;
use crate::ast::{self, Given};
use crate::diagnostics::{did_you_mean, one_of, Code, Diagnostic};
use crate::ir::{ExpectedOutcome, Rule, Test};
use crate::span::Span;
use crate::value::{Type, Value};

impl Checker<'_> {
    /// Checks every `test` of the file against the checked rules.
    pub(super) fn tests(&mut self, policy: &ast::Policy, rules: &[Rule]) -> Vec<Test> {
        let mut tests = Vec::new();
        let mut test_names: HashMap<&str, Span> = HashMap::new();
        for t in policy.tests() {
            if let Some(first) = test_names.get(t.name.node.as_str()) {
                self.errors.push(
                    Diagnostic::error(
                        Code::DuplicateTest,
                        format!("there is already a test named \"{}\"", t.name.node),
                        t.name.span,
                        "second test with this name",
                    )
                    .with_label(*first, "first defined here")
                    .with_help("give each test its own name"),
                );
            } else {
                test_names.insert(&t.name.node, t.name.span);
            }
            if let Some(test) = self.test(t, rules) {
                tests.push(test);
            }
        }
        tests
    }

    fn test(&mut self, t: &ast::Test, rules: &[Rule]) -> Option<Test> {
        let records: Vec<&ast::RecordLit> = match &t.given {
            Given::Record(r) => vec![r],
            Given::Batch { records, .. } => records.iter().collect(),
        };
        let rows: Vec<Option<Vec<Value>>> = records.iter().map(|r| self.test_record(r)).collect();
        let n = records.len();
        if t.expect.outcomes.len() != n {
            let what = if matches!(t.given, Given::Batch { .. }) {
                format!("the batch has {n} record{}", if n == 1 { "" } else { "s" })
            } else {
                "a single record has one outcome".into()
            };
            self.errors.push(
                Diagnostic::error(
                    Code::TestOutcomeCount,
                    format!(
                        "this test expects {} outcome{}, but {what}",
                        t.expect.outcomes.len(),
                        if t.expect.outcomes.len() == 1 {
                            ""
                        } else {
                            "s"
                        }
                    ),
                    t.expect.span,
                    "expected outcomes",
                )
                .with_help(
                    "give one outcome per record, in order: `expect [allow, waitlist, ...]`",
                ),
            );
        }
        let mut expect = Vec::new();
        for o in &t.expect.outcomes {
            let mut by = Vec::new();
            for name in &o.by {
                match rules.iter().position(|r| r.name == name.node) {
                    Some(i) => by.push(i),
                    None => {
                        let mut d = Diagnostic::error(
                            Code::TestUnknownRule,
                            format!("there is no rule named `{}`", name.node),
                            name.span,
                            "unknown rule",
                        );
                        if let Some(g) =
                            did_you_mean(&name.node, rules.iter().map(|r| r.name.as_str()))
                        {
                            d = d.with_help(format!("did you mean `{g}`?"));
                        }
                        self.errors.push(d);
                    }
                }
            }
            expect.push(ExpectedOutcome {
                decision: o.kind,
                by,
                span: o.span,
            });
        }
        let set = self.test_set(t);
        let rows: Option<Vec<Vec<Value>>> = rows.into_iter().collect();
        Some(Test {
            name: t.name.node.clone(),
            span: t.span,
            expect_span: t.expect.span,
            records: rows?,
            expect,
            set,
        })
    }

    /// A test's `set NAME = LITERAL, ...`: each name a param or `today`, each value a
    /// literal of its type.
    fn test_set(&mut self, t: &ast::Test) -> Vec<(String, Value)> {
        let mut set: Vec<(String, Value)> = Vec::new();
        for b in &t.set {
            let name = &b.name.node;
            let ty = match self.constants.iter().find(|c| c.param && &c.name == name) {
                Some(c) => c.ty.clone(),
                None if name == "today" => Type::Date,
                None => {
                    let params = self.settable_names();
                    let mut d = Diagnostic::error(
                        Code::TestSetUnknown,
                        format!("`{name}` is not a param, so a test cannot set it"),
                        b.name.span,
                        "not a param",
                    );
                    d = match did_you_mean(name, params.iter().copied()) {
                        Some(g) => d.with_help(format!("did you mean `{g}`?")),
                        None => d.with_help(format!(
                            "a test sets params and `today`: {}",
                            one_of(&params)
                        )),
                    };
                    self.errors.push(d);
                    continue;
                }
            };
            if set.iter().any(|(n, _)| n == name) {
                self.errors.push(
                    Diagnostic::error(
                        Code::TestSetUnknown,
                        format!("`{name}` is set twice"),
                        b.name.span,
                        "set again here",
                    )
                    .with_help("set each param once"),
                );
                continue;
            }
            match super::params::literal_value(&b.value, &ty) {
                Some(v) => set.push((name.clone(), v)),
                None => self.errors.push(
                    Diagnostic::error(
                        Code::ParamValue,
                        format!("`{name}` is a `{ty}`, so it is set to a literal of that type"),
                        b.value.span,
                        "not a literal of the param's type",
                    )
                    .with_help("write the value itself, such as `400_000`, `25%` or `2026-01-29`"),
                ),
            }
        }
        set
    }

    /// A policy that uses `today` has every test set it, so that no test depends on
    /// the day it runs.
    pub(super) fn today_set_in_every_test(&mut self, policy: &ast::Policy) {
        if !self.uses_today {
            return;
        }
        for t in policy.tests() {
            if t.set.iter().any(|b| b.name.node == "today") {
                continue;
            }
            let fix = match t.set.first() {
                Some(_) => "add `today = 2026-01-29` to its `set`".to_string(),
                None => {
                    "begin it with `set today = 2026-01-29` (the day the test is about)".to_string()
                }
            };
            self.errors.push(
                Diagnostic::error(
                    Code::TestTodayNotSet,
                    format!(
                        "the policy uses `today`, so the test \"{}\" must set it",
                        t.name.node
                    ),
                    t.name.span,
                    "does not set `today`",
                )
                .with_help(format!(
                    "{fix}, so that the test does not depend on the day it runs"
                )),
            );
        }
    }

    fn test_record(&mut self, r: &ast::RecordLit) -> Option<Vec<Value>> {
        let mut row = vec![Value::Missing; self.schema.fields.len()];
        let mut seen = vec![false; self.schema.fields.len()];
        let mut ok = true;
        for (name, value) in &r.fields {
            let Some(slot) = self.schema.slot(&name.node) else {
                let d = unknown_field(&self.schema, Code::TestUnknownField, &name.node, name.span);
                self.errors.push(d);
                ok = false;
                continue;
            };
            if seen[slot] {
                self.errors.push(Diagnostic::error(
                    Code::DuplicateField,
                    format!("`{}` is given twice in this record", name.node),
                    name.span,
                    "given again here",
                ));
                ok = false;
                continue;
            }
            seen[slot] = true;
            match self.record_value(name, value, slot) {
                Some(v) => row[slot] = v,
                None => ok = false,
            }
        }
        if !self.required_fields_given(r, &seen) {
            ok = false;
        }
        ok.then_some(row)
    }

    /// The value given for the field in `slot`: a literal or constant of the field's type.
    fn record_value(&mut self, name: &ast::Ident, value: &ast::Expr, slot: usize) -> Option<Value> {
        let field_ty = self.schema.fields[slot].ty.clone();
        let e = self.with_exprs(Fields::Forbidden(Place::TestRecord), |c| {
            c.check(value, Some(&field_ty))
        });
        if e.ty.is_error() {
            return None;
        }
        let fits = e.ty == field_ty
            || (field_ty == Type::Decimal && e.ty == Type::Int)
            || (matches!(field_ty, Type::List(_)) && e.ty == Type::EmptyList)
            || matches!((&field_ty, &e.ty), (Type::List(a), Type::List(b)) if **a == Type::Decimal && **b == Type::Int);
        if !fits {
            let words = {
                let c = self.expr_checker(&[], Fields::Allowed);
                (c.type_words(&field_ty), c.type_words(&e.ty))
            };
            let mut d = Diagnostic::error(
                Code::Mismatch,
                format!(
                    "`{}` is {}, but this value is {}",
                    name.node, words.0, words.1
                ),
                value.span,
                format!("this is {}", words.1),
            )
            .with_label(
                self.schema.fields[slot].span,
                format!("declared as {}", words.0),
            );
            if field_ty == Type::Percent && e.ty.is_numeric() {
                let number = match &value.kind {
                    ast::ExprKind::Int(i) => Some(i.to_string()),
                    ast::ExprKind::Decimal(d) => Some(d.to_string()),
                    _ => None,
                };
                if let Some(number) = number {
                    d = d.with_help(format!("write it as a percent: `{number}%`"));
                }
            }
            self.errors.push(d);
            return None;
        }
        let v = self.constant_value(&e);
        Some(match (v, &field_ty) {
            (Value::Int(i), Type::Decimal) => Value::Decimal(i.into()),
            (v, _) => v,
        })
    }

    /// Whether the record gives every required field (`seen` by slot); reports those it lacks.
    fn required_fields_given(&mut self, r: &ast::RecordLit, seen: &[bool]) -> bool {
        let missing: Vec<&str> = self
            .schema
            .fields
            .iter()
            .zip(seen)
            .filter(|(f, seen)| !f.optional && !**seen)
            .map(|(f, _)| f.name.as_str())
            .collect();
        if missing.is_empty() {
            return true;
        }
        self.errors.push(
            Diagnostic::error(
                Code::TestMissingField,
                format!(
                    "this test record lacks the required field{} {}",
                    if missing.len() == 1 { "" } else { "s" },
                    one_of(&missing).replace(" or ", " and ")
                ),
                r.span,
                "incomplete record",
            )
            .with_help("give every field that is not optional (`?`) a value"),
        );
        false
    }
}
