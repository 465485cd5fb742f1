//! Operators: `not` and `-`, `and` and `or`, and binary operators sent on to
//! comparison, membership, arithmetic or `??`.

use super::{ExprChecker, Written};
use crate::ast::{self, BinaryOp, UnaryOp};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Expr, ExprKind};
use crate::span::Span;
use crate::value::{Type, Value};

impl ExprChecker<'_> {
    pub(super) fn unary(
        &mut self,
        op: UnaryOp,
        op_span: Span,
        operand: &ast::Expr,
        span: Span,
    ) -> Expr {
        match op {
            UnaryOp::Not => {
                let c = self.boolean(operand, "`not` needs true or false", |d| {
                    d.with_label(op_span, "negated here")
                });
                Expr {
                    kind: ExprKind::Not(Box::new(c)),
                    ty: Type::Bool,
                    span,
                }
            }
            UnaryOp::Neg => {
                let c = self.check(operand, None);
                let ty = match &c.ty {
                    Type::Int | Type::Decimal | Type::Percent | Type::Error => c.ty.clone(),
                    other => {
                        self.errors.push(
                            Diagnostic::error(
                                Code::BadOperand,
                                format!(
                                    "`-` needs a number, but this is {}",
                                    self.type_words(other)
                                ),
                                c.span,
                                self.label_type(other),
                            )
                            .with_label(op_span, "negated here"),
                        );
                        Type::Error
                    }
                };
                Expr {
                    kind: ExprKind::Neg(Box::new(c)),
                    ty,
                    span,
                }
            }
        }
    }

    /// Flattens `a and b and c` so that `has x` guards the conjuncts after it.
    fn and_chain(
        &mut self,
        e_lhs: &ast::Expr,
        e_rhs: &ast::Expr,
        op_span: Span,
        span: Span,
    ) -> Expr {
        let before = self.guarded.len();
        let lhs = self.bool_operand(e_lhs, "and", op_span);
        collect_guards(&lhs, &mut self.guarded);
        let rhs = self.bool_operand(e_rhs, "and", op_span);
        self.guarded.truncate(before);
        Expr {
            kind: ExprKind::And(Box::new(lhs), Box::new(rhs)),
            ty: Type::Bool,
            span,
        }
    }

    fn bool_operand(&mut self, e: &ast::Expr, op: &str, op_span: Span) -> Expr {
        self.boolean(e, &format!("`{op}` joins conditions"), |d| {
            d.with_label(op_span, format!("`{op}` here"))
        })
    }

    pub(super) fn binary(
        &mut self,
        op: BinaryOp,
        op_span: Span,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
    ) -> Expr {
        match op {
            BinaryOp::And => return self.and_chain(lhs, rhs, op_span, span),
            BinaryOp::Or => {
                let l = self.bool_operand(lhs, "or", op_span);
                let r = self.bool_operand(rhs, "or", op_span);
                return Expr {
                    kind: ExprKind::Or(Box::new(l), Box::new(r)),
                    ty: Type::Bool,
                    span,
                };
            }
            BinaryOp::Coalesce => return self.coalesce(lhs, rhs, op_span, span),
            _ => {}
        }
        // Bare enum values take their enum from the other side.
        let (l, r) = if self.is_bare_enum_name(lhs) && !self.is_bare_enum_name(rhs) {
            let r = self.check(rhs, None);
            let l_expected = match (&op, &r.ty) {
                (BinaryOp::In | BinaryOp::NotIn, Type::List(t)) => Some(t.as_ref().clone()),
                _ => Some(r.ty.clone()),
            };
            (self.check(lhs, l_expected.as_ref()), r)
        } else {
            let l = self.check(lhs, None);
            let r_expected = match op {
                // Only enum values need the context; other lists are typed on their own.
                BinaryOp::In | BinaryOp::NotIn if matches!(l.ty, Type::Enum(_)) => {
                    Some(Type::List(Box::new(l.ty.clone())))
                }
                BinaryOp::In | BinaryOp::NotIn => None,
                _ => Some(l.ty.clone()),
            };
            let r = self.check(rhs, r_expected.as_ref());
            (l, r)
        };
        if l.ty.is_error() || r.ty.is_error() {
            let kind = ExprKind::Const(Value::Missing);
            let ty = match op {
                o if o.is_comparison() => Type::Bool,
                _ => Type::Error,
            };
            return Expr { kind, ty, span };
        }
        let written = Written {
            op,
            op_span,
            lhs,
            rhs,
            span,
        };
        match op {
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => self.compare(written, l, r),
            BinaryOp::In | BinaryOp::NotIn => self.membership(written, l, r),
            _ => self.arith(written, l, r),
        }
    }

    fn is_bare_enum_name(&self, e: &ast::Expr) -> bool {
        match &e.kind {
            ast::ExprKind::Name(n) => {
                self.schema.slot(n).is_none() && !self.constants.iter().any(|c| &c.name == n)
            }
            ast::ExprKind::List(items) => {
                items.iter().all(|i| self.is_bare_enum_name(i)) && !items.is_empty()
            }
            _ => false,
        }
    }
}

/// Optional fields that `e` proves present when it is true (`has x`, or `and`s of them).
fn collect_guards(e: &Expr, guarded: &mut Vec<usize>) {
    match &e.kind {
        ExprKind::Has(slot) => guarded.push(*slot),
        ExprKind::And(a, b) => {
            collect_guards(a, guarded);
            collect_guards(b, guarded);
        }
        _ => {}
    }
}
