//! `limit` clauses: the cap, what is counted, the grouping and the allocation order.

use super::expr::{Fields, Place};
use super::schema::unknown_field;
use super::Checker;
use crate::ast::{self, Quantity};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::Limit;
use crate::span::Span;
use crate::value::{Type, Value};

impl Checker<'_> {
    pub(super) fn limit(
        &mut self,
        l: &ast::Limit,
        order_by: &mut Option<(usize, Span)>,
    ) -> Option<Limit> {
        let cap = self.limit_cap(&l.cap);
        let quantity = self.limit_quantity(&l.quantity)?;
        let per = match &l.per {
            Some(f) => Some(self.limit_per(f)?),
            None => None,
        };
        let order = match &l.order_by {
            Some(f) => Some(self.limit_order(f, order_by)?),
            None => None,
        };
        Some(Limit {
            cap,
            quantity,
            per,
            order_by: order,
        })
    }

    /// The cap: a number computed once, from constants only.
    fn limit_cap(&mut self, cap_expr: &ast::Expr) -> Value {
        let cap = self.with_exprs(Fields::Forbidden(Place::LimitCap), |c| {
            c.check(cap_expr, None)
        });
        match &cap.ty {
            Type::Int | Type::Decimal => {
                let value = self.constant_value(&cap);
                let negative = match &value {
                    Value::Int(i) => *i < 0,
                    Value::Decimal(d) => d.is_sign_negative() && !d.is_zero(),
                    _ => false,
                };
                if negative {
                    // A param set with `--set` lands here too: the cap is known by now.
                    let shown = value.display(&cap.ty, &[]).to_string();
                    self.errors.push(
                        Diagnostic::error(
                            Code::LimitQuantity,
                            format!("the cap of a `limit` is {shown}, below zero"),
                            cap.span,
                            "a negative cap",
                        )
                        .with_help("a cap is how much may be admitted: zero or more"),
                    );
                }
                value
            }
            Type::Error => Value::Missing,
            other => {
                self.errors.push(
                    Diagnostic::error(
                        Code::LimitQuantity,
                        format!("the cap of a `limit` must be a number, but this is `{other}`"),
                        cap.span,
                        format!("this is `{other}`"),
                    )
                    .with_help("write the cap as a number, e.g. `400_000`"),
                );
                Value::Missing
            }
        }
    }

    /// What a `limit` counts: `None` for `records`, or an `int` or `decimal` field.
    fn limit_quantity(&mut self, quantity: &Quantity) -> Option<Option<usize>> {
        Some(match quantity {
            Quantity::Records(_) => None,
            Quantity::Field(f) => match self.limit_field(f, "quantity") {
                Some(slot) => {
                    let ty = &self.schema.fields[slot].ty;
                    if !ty.is_numeric() {
                        self.errors.push(
                            Diagnostic::error(
                                Code::LimitQuantity,
                                format!("the quantity of a `limit` must be an `int` or `decimal` field, but `{}` is `{ty}`", f.node),
                                f.span,
                                format!("this is `{ty}`"),
                            )
                            .with_help(match self.schema.example_field(Type::is_numeric) {
                                Some(n) => format!("name an `int` or `decimal` field such as `{n}`, or write `records` to count records"),
                                None => "the schema has no `int` or `decimal` field: write `records` to count records".into(),
                            }),
                        );
                        return None;
                    }
                    Some(slot)
                }
                None => return None,
            },
        })
    }

    /// The `per` field: one value per record, present in every record.
    fn limit_per(&mut self, f: &ast::Ident) -> Option<usize> {
        let slot = self.limit_field(f, "per")?;
        if matches!(self.schema.fields[slot].ty, Type::List(_)) {
            self.errors.push(
                Diagnostic::error(
                    Code::LimitField,
                    format!("`{}` is a list and cannot group a `limit`", f.node),
                    f.span,
                    "a list field",
                )
                .with_help(
                    match self
                        .schema
                        .example_field(|t| matches!(t, Type::Text | Type::Enum(_)))
                    {
                        Some(n) => {
                            format!("group by a field with one value per record, such as `{n}`")
                        }
                        None => "group by a field with one value per record".into(),
                    },
                ),
            );
            return None;
        }
        Some(slot)
    }

    /// The `order by` field: ordered, present in every record, the same in every `limit`.
    fn limit_order(
        &mut self,
        f: &ast::Ident,
        order_by: &mut Option<(usize, Span)>,
    ) -> Option<usize> {
        let slot = self.limit_field(f, "order by")?;
        let ty = &self.schema.fields[slot].ty;
        if !ty.is_ordered() {
            self.errors.push(
                Diagnostic::error(
                    Code::LimitField,
                    format!("`{}` is {ty} and has no order", f.node),
                    f.span,
                    format!("this is `{ty}`"),
                )
                .with_help(match self.schema.example_field(Type::is_ordered) {
                    Some(n) => format!("order by a number, percent or date field, such as `{n}`"),
                    None => "order by a number, percent or date field; the schema has none".into(),
                }),
            );
            return None;
        }
        if let Some((first, first_span)) = *order_by {
            if first != slot {
                self.errors.push(
                    Diagnostic::error(
                        Code::LimitOrderMismatch,
                        "every `limit` must use the same `order by`",
                        f.span,
                        "a different order",
                    )
                    .with_label(first_span, "the first `limit` orders by this")
                    .with_help("allocation runs in one pass, in one order: use the same field in every `limit`"),
                );
                return None;
            }
        } else {
            *order_by = Some((slot, f.span));
        }
        Some(slot)
    }

    fn limit_field(&mut self, f: &ast::Ident, role: &str) -> Option<usize> {
        match self.schema.slot(&f.node) {
            Some(slot) if self.schema.fields[slot].optional => {
                self.errors.push(
                    Diagnostic::error(
                        Code::LimitField,
                        format!("the `{role}` field of a `limit` must be present in every record, but `{}` is optional", f.node),
                        f.span,
                        "an optional field",
                    )
                    .with_label(self.schema.fields[slot].span, "declared optional here"),
                );
                None
            }
            Some(slot) => Some(slot),
            None => {
                let d = unknown_field(&self.schema, Code::UnknownField, &f.node, f.span);
                self.errors.push(d);
                None
            }
        }
    }
}
