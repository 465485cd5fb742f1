//! `rule` items: the clause (`require`, a verdict, or `limit`), its scope and `because`.

use std::collections::HashMap;

use super::expr::Fields;
use super::scope::scope_text;
use super::Checker;
use crate::ast::{self, Clause, Item};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Expr, ExprKind, Rule, RuleKind};
use crate::outcome::Verdict;
use crate::span::Span;

impl Checker<'_> {
    /// Checks every rule of the file, in order; rules see every constant of the file,
    /// wherever it is defined.
    pub(super) fn rules(&mut self, policy: &ast::Policy) -> Vec<Rule> {
        let mut rules = Vec::new();
        let mut rule_names: HashMap<&str, Span> = HashMap::new();
        let mut scope_fields_reported = false;
        let mut order_by: Option<(usize, Span)> = None;
        for item in &policy.items {
            let Item::Rule(r) = item else {
                continue;
            };
            if let Some(first) = rule_names.get(r.name.node.as_str()) {
                self.errors.push(
                    Diagnostic::error(
                        Code::DuplicateRule,
                        format!("there is already a rule named `{}`", r.name.node),
                        r.name.span,
                        "second rule with this name",
                    )
                    .with_label(*first, "first defined here")
                    .with_help("rule names are unique in a file: rename one of them"),
                );
            } else {
                rule_names.insert(&r.name.node, r.name.span);
            }
            if let Some(rule) = self.rule(r, &mut scope_fields_reported, &mut order_by) {
                rules.push(rule);
            }
        }
        rules
    }

    fn rule(
        &mut self,
        r: &ast::Rule,
        scope_fields_reported: &mut bool,
        order_by: &mut Option<(usize, Span)>,
    ) -> Option<Rule> {
        let before = self.used_constants.len();
        let mut named = None;
        let (verdict, scope, kind) = match &r.clause {
            Clause::Require {
                condition, scope, ..
            } => {
                let scope = scope
                    .as_ref()
                    .and_then(|s| self.scope(s, scope_fields_reported));
                let c = self.with_exprs(Fields::Allowed, |c| {
                    c.condition(condition, "a `require` condition")
                });
                named = self.constants_used_since(before);
                (Verdict::Deny, scope, RuleKind::Require(c))
            }
            Clause::Verdict {
                verdict,
                scope,
                condition,
            } => {
                let scope = scope
                    .as_ref()
                    .and_then(|s| self.scope(s, scope_fields_reported));
                let c = condition.as_ref().map(|c| {
                    self.with_exprs(Fields::Allowed, |x| x.condition(c, "a `when` condition"))
                });
                named = self.constants_used_since(before);
                (verdict.node, scope, RuleKind::When(c))
            }
            Clause::Limit(l) => {
                let scope = self.scope(&l.scope, scope_fields_reported);
                let limit = self.limit(l, order_by);
                let verdict = l.otherwise.as_ref().map_or(Verdict::Waitlist, |v| v.node);
                (verdict, scope, RuleKind::Limit(limit?))
            }
        };
        let limit = match &r.clause {
            Clause::Limit(l) => Some(l),
            _ => None,
        };
        let because = r.because.as_ref().map(|t| self.template(t, limit));
        let (condition_text, scope_text) = match &r.clause {
            Clause::Require {
                condition, scope, ..
            } => (Some(condition.to_string()), scope.as_ref().map(scope_text)),
            Clause::Verdict {
                condition, scope, ..
            } => (
                condition.as_ref().map(|c| c.to_string()),
                scope.as_ref().map(scope_text),
            ),
            Clause::Limit(l) => (None, Some(scope_text(&l.scope))),
        };
        let mut shown_fields = Vec::new();
        if let RuleKind::Require(c) | RuleKind::When(Some(c)) = &kind {
            fields_read(c, &mut shown_fields);
        }
        Some(Rule {
            name: r.name.node.clone(),
            name_span: r.name.span,
            span: r.span,
            verdict,
            scope,
            kind,
            because,
            condition_text,
            scope_text,
            shown_fields,
            shown_constants: named,
        })
    }

    /// The constants named since `before` (in order, once each) with their values:
    /// `25%` for one, `min_eu is 25%, cap is 400000` for several; `None` for none, or
    /// when a value is not known (a policy checked without its params).
    fn constants_used_since(&self, before: usize) -> Option<String> {
        let mut seen: Vec<usize> = Vec::new();
        for &i in &self.used_constants[before..] {
            if !seen.contains(&i) {
                seen.push(i);
            }
        }
        let named: Vec<&crate::ir::Constant> = seen.iter().map(|i| &self.constants[*i]).collect();
        if named.is_empty() || named.iter().any(|c| !c.known) {
            return None;
        }
        let shown =
            |c: &crate::ir::Constant| c.value.display(&c.ty, &self.schema.enums).to_string();
        Some(match named.as_slice() {
            [one] => shown(one),
            several => several
                .iter()
                .map(|c| format!("{} is {}", c.name, shown(c)))
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

/// The fields an expression reads, in order of first use.
pub(super) fn fields_read(e: &Expr, out: &mut Vec<usize>) {
    match &e.kind {
        ExprKind::Field(s) | ExprKind::Has(s) => {
            if !out.contains(s) {
                out.push(*s)
            }
        }
        ExprKind::Const(_) | ExprKind::Unknown => {}
        ExprKind::List(items) | ExprKind::Call(_, items) => {
            items.iter().for_each(|i| fields_read(i, out))
        }
        ExprKind::Not(x) | ExprKind::Neg(x) => fields_read(x, out),
        ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Compare(_, a, b)
        | ExprKind::Arith(_, a, b)
        | ExprKind::Coalesce(a, b) => {
            fields_read(a, out);
            fields_read(b, out);
        }
        ExprKind::In { needle, list, .. } => {
            fields_read(needle, out);
            fields_read(list, out);
        }
    }
}
