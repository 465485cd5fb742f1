//! Comparisons (`==`, `<`, ...) and membership (`in`, `not in`).

use super::{compatible, percent_help, ExprChecker, LiteralText, Written};
use crate::ast::{self, BinaryOp};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{CompareOp, Expr, ExprKind};
use crate::span::Span;
use crate::value::Type;

impl ExprChecker<'_> {
    pub(super) fn compare(&mut self, written: Written, l: Expr, r: Expr) -> Expr {
        let cmp = match written.op {
            BinaryOp::Eq => CompareOp::Eq,
            BinaryOp::Ne => CompareOp::Ne,
            BinaryOp::Lt => CompareOp::Lt,
            BinaryOp::Le => CompareOp::Le,
            BinaryOp::Gt => CompareOp::Gt,
            _ => CompareOp::Ge,
        };
        let ordering = !matches!(cmp, CompareOp::Eq | CompareOp::Ne);
        let ok = if ordering {
            let both_numbers = l.ty.is_numeric() && r.ty.is_numeric();
            let same_ordered = l.ty == r.ty && l.ty.is_ordered();
            both_numbers || same_ordered
        } else {
            compatible(&l.ty, &r.ty)
        };
        if !ok {
            let d = self.incomparable(&written, ordering, &l, &r);
            self.errors.push(d);
        }
        Expr {
            kind: ExprKind::Compare(cmp, Box::new(l), Box::new(r)),
            ty: Type::Bool,
            span: written.span,
        }
    }

    /// Why `l` and `r` cannot be compared: a percent with a plain number, a type
    /// without order, or two types that do not meet.
    fn incomparable(&self, written: &Written, ordering: bool, l: &Expr, r: &Expr) -> Diagnostic {
        let Written {
            op,
            op_span,
            lhs,
            rhs,
            ..
        } = *written;
        let percent_vs_number = (l.ty == Type::Percent && r.ty.is_numeric())
            || (r.ty == Type::Percent && l.ty.is_numeric());
        if percent_vs_number {
            let (num_ast, num) = if l.ty == Type::Percent {
                (rhs, r)
            } else {
                (lhs, l)
            };
            let mut d = Diagnostic::error(
                Code::PercentWithNumber,
                format!(
                    "cannot compare a percent with a plain number using `{}`",
                    op.as_str()
                ),
                num.span,
                self.label_type(&num.ty),
            )
            .with_label(
                if l.ty == Type::Percent {
                    l.span
                } else {
                    r.span
                },
                "this is `percent`",
            );
            d = match &num_ast.kind {
                ast::ExprKind::Int(_) | ast::ExprKind::Decimal(_) => d.with_help(percent_help(num)),
                _ => {
                    d.with_help("turn the number into a percent, or compare percents with percents")
                }
            };
            d
        } else if ordering && l.ty == r.ty {
            Diagnostic::error(
                Code::NotOrdered,
                format!(
                    "{} values have no order, so `{}` does not apply",
                    self.type_words(&l.ty)
                        .trim_start_matches("a ")
                        .trim_end_matches(" value"),
                    op.as_str()
                ),
                op_span,
                "ordering comparison",
            )
            .with_label(l.span, self.label_type(&l.ty))
            .with_help("compare with `==` or `!=`, or use `in [...]` for several values")
        } else {
            let mut d = self.mismatch(op, op_span, l, r);
            if matches!(&r.ty, Type::List(e) if compatible(e, &l.ty)) {
                d = d.with_help(format!(
                    "to test whether a value is in a list, write `{}`",
                    if op == BinaryOp::Ne { "not in" } else { "in" }
                ));
            }
            d
        }
    }

    pub(super) fn mismatch(&self, op: BinaryOp, op_span: Span, l: &Expr, r: &Expr) -> Diagnostic {
        Diagnostic::error(
            Code::Mismatch,
            format!(
                "`{}` cannot be used between {} and {}",
                op.as_str(),
                self.type_words(&l.ty),
                self.type_words(&r.ty)
            ),
            op_span,
            "here",
        )
        .with_label(l.span, self.label_type(&l.ty))
        .with_label(r.span, self.label_type(&r.ty))
    }

    pub(super) fn membership(&mut self, written: Written, l: Expr, r: Expr) -> Expr {
        let Written {
            op,
            op_span,
            rhs,
            span,
            ..
        } = written;
        match &r.ty {
            Type::EmptyList => {}
            Type::List(elem) if compatible(elem, &l.ty) => {}
            Type::List(elem) => {
                self.errors.push(
                    Diagnostic::error(
                        Code::Mismatch,
                        format!(
                            "`{}` looks for {} in a list of {}",
                            op.as_str(),
                            self.type_words(&l.ty),
                            self.type_words(elem)
                                .trim_start_matches("a ")
                                .trim_start_matches("an ")
                        ),
                        op_span,
                        "here",
                    )
                    .with_label(l.span, self.label_type(&l.ty))
                    .with_label(r.span, self.label_type(&r.ty)),
                );
            }
            other => {
                self.errors.push(
                    Diagnostic::error(
                        Code::NotAList,
                        format!(
                            "`{}` needs a list on its right, but this is {}",
                            op.as_str(),
                            self.type_words(other)
                        ),
                        r.span,
                        self.label_type(other),
                    )
                    .with_label(op_span, format!("`{}` here", op.as_str()))
                    .with_help(format!(
                        "write a list, e.g. `[{}]`, or compare with `{}`",
                        match &rhs.kind {
                            ast::ExprKind::Name(n) => n.clone(),
                            ast::ExprKind::Int(_) | ast::ExprKind::Decimal(_) => r.literal_text(),
                            _ => "a, b".into(),
                        },
                        if op == BinaryOp::NotIn { "!=" } else { "==" }
                    )),
                );
            }
        }
        Expr {
            kind: ExprKind::In {
                needle: Box::new(l),
                list: Box::new(r),
                negated: op == BinaryOp::NotIn,
            },
            ty: Type::Bool,
            span,
        }
    }
}
