//! `let` items: named constants, computed once when the policy is checked.

use super::expr::{Fields, Place};
use super::Checker;
use crate::ast;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Constant, Expr};
use crate::semantics::const_eval;
use crate::span::Span;
use crate::value::Value;

impl Checker<'_> {
    /// Checks every `let` of the file, in order; each sees the constants above it.
    pub(super) fn lets(&mut self, policy: &ast::Policy) {
        let all_lets: Vec<(String, Span)> = policy
            .lets()
            .map(|l| (l.name.node.clone(), l.name.span))
            .collect();
        for l in policy.lets() {
            let index = all_lets
                .iter()
                .position(|(_, s)| *s == l.name.span)
                .unwrap_or(0);
            self.let_item(l, &all_lets[index + 1..]);
        }
    }

    fn let_item(&mut self, l: &ast::Let, later: &[(String, Span)]) {
        let name = &l.name.node;
        if !self.name_is_free(name, l.name.span) {
            return;
        }
        let value = self.with_exprs_before(later, Fields::Forbidden(Place::Let), |c| {
            c.check(&l.value, None)
        });
        // Computed from a param not bound yet: known only when the policy runs.
        let known = !value.has_unknown();
        let v = match known {
            true => self.constant_value(&value),
            false => Value::Missing,
        };
        self.constants.push(Constant {
            name: name.clone(),
            ty: value.ty.clone(),
            value: v,
            span: l.name.span,
            used: false,
            param: false,
            known,
        });
    }

    /// Evaluates a checked constant expression, reporting a runtime error as static.
    pub(super) fn constant_value(&mut self, e: &Expr) -> Value {
        if e.ty.is_error() || e.has_unknown() {
            return Value::Missing;
        }
        match const_eval(e) {
            Ok(v) => v,
            Err(err) => {
                self.errors.push(
                    Diagnostic::error(
                        Code::ConstantError,
                        format!("this constant cannot be computed: {}", err.message),
                        err.span,
                        err.message.clone(),
                    )
                    .with_help("fix the arithmetic; constants are computed once, when the policy is checked"),
                );
                Value::Missing
            }
        }
    }
}
