//! Schema declarations → typed fields and enum types.

use std::collections::HashMap;

use crate::ast::{self, TypeExprKind};
use crate::diagnostics::{did_you_mean, Code, Diagnostic};
use crate::ir::{Field, Schema};
use crate::span::Span;
use crate::value::{EnumType, Type};

const TYPE_NAMES: [&str; 6] = ["bool", "int", "decimal", "percent", "text", "date"];

pub(super) fn check_schema(schema: &ast::Schema, errors: &mut Vec<Diagnostic>) -> Schema {
    let mut fields: Vec<Field> = Vec::new();
    let mut enums: Vec<EnumType> = Vec::new();
    let mut slots = HashMap::new();
    for decl in &schema.fields {
        let name = &decl.name.node;
        if let Some(first) = slots.get(name) {
            let first: &Field = &fields[*first];
            errors.push(
                Diagnostic::error(
                    Code::DuplicateField,
                    format!("the field `{name}` is declared twice"),
                    decl.name.span,
                    "declared again here",
                )
                .with_label(first.span, "first declared here")
                .with_help("remove one of them or rename it"),
            );
            continue;
        }
        let ty = field_type(&decl.ty, &mut enums, errors, true);
        slots.insert(name.clone(), fields.len());
        fields.push(Field {
            name: name.clone(),
            ty,
            optional: decl.ty.optional,
            span: decl.name.span,
        });
    }
    let enum_field = |name: &str| {
        slots
            .get(name)
            .copied()
            .filter(|s| matches!(fields[*s].ty, Type::Enum(_)) && !fields[*s].optional)
    };
    let action = enum_field("action");
    let item = enum_field("item");
    let id = slots.get("id").copied().filter(|s| !fields[*s].optional);
    let mut by_name: Vec<usize> = (0..fields.len()).collect();
    by_name.sort_by(|a, b| fields[*a].name.cmp(&fields[*b].name));
    Schema {
        fields,
        enums,
        slots,
        by_name,
        id,
        action,
        item,
    }
}

/// "the schema has no field `name`", with the field most likely meant. `code` tells
/// where the name was written: `UnknownField` in a rule, `TestUnknownField` in a test record.
pub(super) fn unknown_field(schema: &Schema, code: Code, name: &str, span: Span) -> Diagnostic {
    let mut d = Diagnostic::error(
        code,
        format!("the schema has no field `{name}`"),
        span,
        "unknown field",
    );
    if let Some(g) = did_you_mean(name, schema.fields.iter().map(|f| f.name.as_str())) {
        d = d.with_help(format!("did you mean `{g}`?"));
    }
    d
}

fn field_type(
    t: &ast::TypeExpr,
    enums: &mut Vec<EnumType>,
    errors: &mut Vec<Diagnostic>,
    top: bool,
) -> Type {
    if t.optional && !top {
        errors.push(
            Diagnostic::error(
                Code::BadListType,
                "list elements cannot be optional",
                t.span,
                "optional element type",
            )
            .with_help("make the whole list optional instead: `[T]?`"),
        );
    }
    match &t.kind {
        TypeExprKind::Named(n) => named_type(n, errors),
        TypeExprKind::Enum(values) => {
            let mut names: Vec<String> = Vec::new();
            for v in values {
                if let Some(first) = values.iter().find(|x| x.node == v.node) {
                    if first.span != v.span {
                        errors.push(
                            Diagnostic::error(
                                Code::DuplicateEnumValue,
                                format!("`{}` is listed twice in this enum", v.node),
                                v.span,
                                "listed again here",
                            )
                            .with_label(first.span, "first listed here")
                            .with_help("remove the second one"),
                        );
                        continue;
                    }
                }
                names.push(v.node.clone());
            }
            enums.push(EnumType { values: names });
            Type::Enum((enums.len() - 1) as u16)
        }
        TypeExprKind::List(inner) => {
            let elem = field_type(inner, enums, errors, false);
            if matches!(elem, Type::List(_)) {
                errors.push(
                    Diagnostic::error(
                        Code::BadListType,
                        "lists of lists are not supported",
                        inner.span,
                        "a list inside a list",
                    )
                    .with_help("use a list of a plain type, such as `[text]`"),
                );
                return Type::Error;
            }
            Type::List(Box::new(elem))
        }
    }
}

/// A type written by name: `int`, `text`, ...
fn named_type(n: &ast::Ident, errors: &mut Vec<Diagnostic>) -> Type {
    match n.node.as_str() {
        "bool" => Type::Bool,
        "int" => Type::Int,
        "decimal" => Type::Decimal,
        "percent" => Type::Percent,
        "text" => Type::Text,
        "date" => Type::Date,
        other => {
            let mut d = Diagnostic::error(
                Code::UnknownType,
                format!("`{other}` is not a type"),
                n.span,
                "unknown type",
            );
            d = match did_you_mean(other, TYPE_NAMES) {
                Some(g) => d.with_help(format!("did you mean `{g}`?")),
                None => d.with_help(format!(
                    "the types are `bool`, `int`, `decimal`, `percent`, `text`, `date`, an enum such as `{other} | other_value`, or a list `[T]`"
                )),
            };
            errors.push(d);
            Type::Error
        }
    }
}
