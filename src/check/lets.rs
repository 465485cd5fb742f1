//! `let` items: named constants, computed once when the policy is checked.

use super::expr::{Fields, Place};
use super::Checker;
use crate::ast;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Constant, Expr};
use crate::semantics::const_eval;
use crate::span::Span;
use crate::value::Value;

impl Checker {
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
        if let Some(slot) = self.schema.slot(name) {
            self.errors.push(
                Diagnostic::error(
                    Code::LetShadowsField,
                    format!("`{name}` is already a field of the schema"),
                    l.name.span,
                    "this constant",
                )
                .with_label(self.schema.fields[slot].span, "the field")
                .with_help("give the constant another name"),
            );
            return;
        }
        if let Some(first) = self.constants.iter().find(|c| &c.name == name) {
            self.errors.push(
                Diagnostic::error(
                    Code::DuplicateLet,
                    format!("`{name}` is already defined"),
                    l.name.span,
                    "defined again here",
                )
                .with_label(first.span, "first defined here")
                .with_help("a constant is defined once; rename one of them"),
            );
            return;
        }
        let value = self.with_exprs_before(later, Fields::Forbidden(Place::Let), |c| {
            c.check(&l.value, None)
        });
        let v = self.constant_value(&value);
        self.constants.push(Constant {
            name: name.clone(),
            ty: value.ty.clone(),
            value: v,
            span: l.name.span,
            used: false,
        });
    }

    /// Evaluates a checked constant expression, reporting a runtime error as static.
    pub(super) fn constant_value(&mut self, e: &Expr) -> Value {
        if e.ty.is_error() {
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
