//! List literals: one element type, `int` and `decimal` mixing to `decimal`.

use super::{compatible, ExprChecker};
use crate::ast;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Expr, ExprKind};
use crate::span::Span;
use crate::value::Type;

impl ExprChecker<'_> {
    pub(super) fn list(
        &mut self,
        items: &[ast::Expr],
        span: Span,
        expected: Option<&Type>,
    ) -> Expr {
        let mut elem_expected = match expected {
            Some(Type::List(t)) => Some(t.as_ref().clone()),
            _ => None,
        };
        let mut out = Vec::new();
        for item in items {
            let c = self.check(item, elem_expected.as_ref());
            match &elem_expected {
                None if !c.ty.is_error() => elem_expected = Some(c.ty.clone()),
                Some(t) if !compatible(t, &c.ty) => {
                    self.errors.push(
                        Diagnostic::error(
                            Code::Mismatch,
                            "the values of a list must all be of one type",
                            c.span,
                            self.label_type(&c.ty),
                        )
                        .with_help(format!("the list holds {}", self.type_words(t))),
                    );
                }
                _ => {}
            }
            out.push(c);
        }
        // int and decimal mix: the list is of decimals then.
        if out.iter().any(|e| e.ty == Type::Decimal) {
            elem_expected = elem_expected.map(|t| if t == Type::Int { Type::Decimal } else { t });
        }
        let ty = match elem_expected {
            Some(t) => Type::List(Box::new(t)),
            None if out.is_empty() => Type::EmptyList,
            None => Type::Error,
        };
        Expr {
            kind: ExprKind::List(out),
            ty,
            span,
        }
    }
}
