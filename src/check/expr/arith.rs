//! Arithmetic (`+ - * /` over numbers, percents and dates) and defaults (`??`).

use super::{compatible, percent_help, ExprChecker, Written};
use crate::ast::{self, BinaryOp};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{ArithOp, Expr, ExprKind};
use crate::span::Span;
use crate::value::Type;

impl ExprChecker<'_> {
    pub(super) fn arith(&mut self, written: Written, l: Expr, r: Expr) -> Expr {
        let Written {
            op,
            op_span,
            lhs,
            rhs,
            span,
        } = written;
        use Type::*;
        let aop = match op {
            BinaryOp::Add => ArithOp::Add,
            BinaryOp::Sub => ArithOp::Sub,
            BinaryOp::Mul => ArithOp::Mul,
            _ => ArithOp::Div,
        };
        let ty = match (aop, &l.ty, &r.ty) {
            (ArithOp::Add | ArithOp::Sub | ArithOp::Mul, Int, Int) => Some(Int),
            (_, Int | Decimal, Int | Decimal) if aop != ArithOp::Div => Some(Decimal),
            (ArithOp::Div, Int | Decimal, Int | Decimal) => Some(Decimal),
            (ArithOp::Add | ArithOp::Sub, Percent, Percent) => Some(Percent),
            (ArithOp::Sub, Date, Date) => Some(Int),
            (ArithOp::Add | ArithOp::Sub, Date, Int) => Some(Date),
            (ArithOp::Add, Int, Date) => Some(Date),
            (ArithOp::Mul, Percent, Int | Decimal) | (ArithOp::Mul, Int | Decimal, Percent) => {
                Some(Decimal)
            }
            (ArithOp::Div, Percent, Int | Decimal) => Some(Percent),
            (ArithOp::Div, Percent, Percent) => Some(Decimal),
            _ => None,
        };
        let ty = match ty {
            Some(t) => t,
            None => {
                let percent_vs_number = matches!(aop, ArithOp::Add | ArithOp::Sub)
                    && ((l.ty == Percent && r.ty.is_numeric())
                        || (r.ty == Percent && l.ty.is_numeric()));
                let mut d = self.mismatch(op, op_span, &l, &r);
                d.code = Code::BadOperand;
                if percent_vs_number {
                    let num_ast = if l.ty == Percent { rhs } else { lhs };
                    if matches!(
                        num_ast.kind,
                        ast::ExprKind::Int(_) | ast::ExprKind::Decimal(_)
                    ) {
                        let num = if l.ty == Percent { &r } else { &l };
                        d = d.with_help(percent_help(num));
                    }
                } else if aop == ArithOp::Mul && l.ty == Percent && r.ty == Percent {
                    d = d.with_help("a percent multiplies a number: `30% * 1000` is `300`");
                } else if l.ty == Text || r.ty == Text {
                    d = d.with_help(
                        "text cannot be computed with; compare it with `==` or use `contains(...)`",
                    );
                }
                self.errors.push(d);
                Error
            }
        };
        Expr {
            kind: ExprKind::Arith(aop, Box::new(l), Box::new(r)),
            ty,
            span,
        }
    }

    pub(super) fn coalesce(
        &mut self,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        op_span: Span,
        span: Span,
    ) -> Expr {
        let l = match &lhs.kind {
            ast::ExprKind::Name(n)
                if self
                    .schema
                    .slot(n)
                    .is_some_and(|s| self.schema.fields[s].optional) =>
            {
                self.name(n, lhs.span, None, true)
            }
            _ => {
                let l = self.check(lhs, None);
                if !l.ty.is_error() {
                    self.errors.push(
                        Diagnostic::error(
                            Code::NotOptional,
                            "`??` gives a default for an optional field, but this is never missing",
                            l.span,
                            "not an optional field",
                        )
                        .with_label(op_span, "`??` here")
                        .with_help("remove `?? ...`; only fields declared with `?` may be missing"),
                    );
                }
                l
            }
        };
        let r = self.check(rhs, Some(&l.ty));
        let ty = if l.ty.is_error() || r.ty.is_error() {
            l.ty.clone()
        } else if !compatible(&l.ty, &r.ty) {
            self.errors.push(
                Diagnostic::error(
                    Code::Mismatch,
                    format!(
                        "the default must be {}, like the field",
                        self.type_words(&l.ty)
                    ),
                    r.span,
                    self.label_type(&r.ty),
                )
                .with_label(l.span, self.label_type(&l.ty)),
            );
            Type::Error
        } else if r.ty == Type::Decimal {
            Type::Decimal
        } else {
            l.ty.clone()
        };
        Expr {
            kind: ExprKind::Coalesce(Box::new(l), Box::new(r)),
            ty,
            span,
        }
    }
}
