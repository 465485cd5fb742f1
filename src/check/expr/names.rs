//! Names: record fields, `let` constants and enum values; `has` on optional fields.

use super::{error_expr, ExprChecker, Fields};
use crate::ast;
use crate::check::schema::unknown_field;
use crate::diagnostics::{all_of, did_you_mean, Code, Diagnostic};
use crate::ir::{Expr, ExprKind};
use crate::span::Span;
use crate::value::{Type, Value};

impl ExprChecker<'_> {
    pub(super) fn name(
        &mut self,
        n: &str,
        span: Span,
        expected: Option<&Type>,
        coalesce_lhs: bool,
    ) -> Expr {
        if let Some(slot) = self.schema.slot(n) {
            let field = &self.schema.fields[slot];
            if let Fields::Forbidden(place) = self.fields {
                self.errors.push(
                    Diagnostic::error(
                        place.code(),
                        format!("{} cannot use the record field `{n}`", place.words()),
                        span,
                        "a record field",
                    )
                    .with_help(place.help()),
                );
                return error_expr(span);
            }
            if field.optional && !coalesce_lhs && !self.guarded.contains(&slot) {
                self.errors.push(
                    Diagnostic::error(
                        Code::UnguardedOptional,
                        format!("`{n}` is optional and may be missing here"),
                        span,
                        "optional field used without a check",
                    )
                    .with_label(field.span, "declared optional here")
                    .with_help(format!(
                        "check it first, as in `has {n} and ...`, or give a default: `{n} ?? ...`"
                    )),
                );
            }
            return Expr {
                kind: ExprKind::Field(slot),
                ty: field.ty.clone(),
                span,
            };
        }
        if let Some(i) = self.constants.iter().position(|c| c.name == n) {
            self.used_constants.push(i);
            let c = &self.constants[i];
            let kind = match c.known {
                true => ExprKind::Const(c.value.clone()),
                false => ExprKind::Unknown,
            };
            return Expr {
                kind,
                ty: c.ty.clone(),
                span,
            };
        }
        if let Some((_, def)) = self.later_lets.iter().find(|(name, _)| name == n) {
            self.errors.push(
                Diagnostic::error(
                    Code::LetUsedBeforeDefinition,
                    format!("`{n}` is used before it is defined"),
                    span,
                    "used here",
                )
                .with_label(*def, "defined later here")
                .with_help(format!("move `let {n}` above its first use")),
            );
            return error_expr(span);
        }
        self.enum_value(n, span, expected)
    }

    fn enum_value(&mut self, n: &str, span: Span, expected: Option<&Type>) -> Expr {
        if let Some(Type::Enum(id)) = expected {
            return self.value_of_enum(n, span, *id);
        }
        let enums = &self.schema.enums;
        let owners: Vec<usize> = (0..enums.len())
            .filter(|i| enums[*i].index_of(n).is_some())
            .collect();
        match owners.as_slice() {
            [id] => Expr {
                kind: ExprKind::Const(Value::Enum(enums[*id].index_of(n).unwrap_or(0))),
                ty: Type::Enum(*id as u16),
                span,
            },
            [] => self.unknown_name(n, span),
            many => {
                let owners: Vec<String> = many
                    .iter()
                    .map(|id| self.type_words(&Type::Enum(*id as u16)))
                    .collect();
                self.errors.push(
                    Diagnostic::error(
                        Code::AmbiguousEnumValue,
                        format!("`{n}` could be {}", owners.join(" or ")),
                        span,
                        "ambiguous enum value",
                    )
                    .with_help(
                        "compare it with a field so its enum is known, e.g. `field == value`",
                    ),
                );
                error_expr(span)
            }
        }
    }

    /// A bare name where a value of the enum `id` is expected.
    fn value_of_enum(&mut self, n: &str, span: Span, id: u16) -> Expr {
        let enums = &self.schema.enums;
        let e = &enums[id as usize];
        if let Some(i) = e.index_of(n) {
            return Expr {
                kind: ExprKind::Const(Value::Enum(i)),
                ty: Type::Enum(id),
                span,
            };
        }
        // Not of the expected enum: say so, unless it is of no enum at all.
        if enums.iter().any(|x| x.index_of(n).is_some()) {
            let values: Vec<&str> = e.values.iter().map(String::as_str).collect();
            self.errors.push(
                Diagnostic::error(
                    Code::UnknownEnumValue,
                    format!("`{n}` is not {}", self.type_words(&Type::Enum(id))),
                    span,
                    format!("expected {}", self.type_words(&Type::Enum(id))),
                )
                .with_help(format!("the values are {}", all_of(&values))),
            );
            return error_expr(span);
        }
        let values: Vec<&str> = e.values.iter().map(String::as_str).collect();
        let mut d = Diagnostic::error(
            Code::UnknownEnumValue,
            format!("`{n}` is not {}", self.type_words(&Type::Enum(id))),
            span,
            "unknown value",
        );
        d = match did_you_mean(n, values.iter().copied()) {
            Some(g) => d.with_help(format!(
                "did you mean `{g}`? the values are {}",
                all_of(&values)
            )),
            None => d.with_help(format!("the values are {}", all_of(&values))),
        };
        self.errors.push(d);
        error_expr(span)
    }

    /// A name that is no field, constant or enum value: most likely a misspelt field.
    fn unknown_name(&mut self, n: &str, span: Span) -> Expr {
        let mut candidates: Vec<&str> =
            self.schema.fields.iter().map(|f| f.name.as_str()).collect();
        candidates.extend(self.constants.iter().map(|c| c.name.as_str()));
        candidates.extend(
            self.schema
                .enums
                .iter()
                .flat_map(|e| e.values.iter().map(String::as_str)),
        );
        let guess = did_you_mean(n, candidates);
        let d = match guess {
            // Most likely a misspelt field: the guess is then the field nearest `n`.
            Some(g) if self.schema.slot(g).is_some() => {
                unknown_field(self.schema, Code::UnknownField, n, span)
            }
            _ => {
                let d = Diagnostic::error(
                    Code::UnknownName,
                    format!("`{n}` is not a field, a constant or an enum value"),
                    span,
                    "unknown name",
                );
                match guess {
                    Some(g) => d.with_help(format!("did you mean `{g}`?")),
                    None => d,
                }
            }
        };
        self.errors.push(d);
        error_expr(span)
    }

    pub(super) fn has(&mut self, field: &ast::Ident) -> Expr {
        let span = field.span;
        match self.schema.slot(&field.node) {
            Some(slot) if self.schema.fields[slot].optional => Expr {
                kind: ExprKind::Has(slot),
                ty: Type::Bool,
                span,
            },
            Some(slot) => {
                self.errors.push(
                    Diagnostic::error(
                        Code::NotOptional,
                        format!("`{}` is not optional, so `has` is always true", field.node),
                        span,
                        "a required field",
                    )
                    .with_label(self.schema.fields[slot].span, "declared without `?` here")
                    .with_help("remove the `has` check, or declare the field optional with `?`"),
                );
                error_expr(span)
            }
            None => {
                let d = unknown_field(self.schema, Code::UnknownField, &field.node, span);
                self.errors.push(d);
                // Recover as a check of the optional field most likely meant, so that
                // its uses later in the `and` chain are not reported as unguarded too.
                let optional = self
                    .schema
                    .fields
                    .iter()
                    .filter(|f| f.optional)
                    .map(|f| f.name.as_str());
                match did_you_mean(&field.node, optional).and_then(|g| self.schema.slot(g)) {
                    Some(slot) => Expr {
                        kind: ExprKind::Has(slot),
                        ty: Type::Error,
                        span,
                    },
                    None => error_expr(span),
                }
            }
        }
    }
}
