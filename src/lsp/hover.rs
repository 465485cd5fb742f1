//! Hover: what the name or word under the cursor is.

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use crate::ast::{quote, Clause, Let, Rule, Scope, TypeExpr};
use crate::ir::CheckedPolicy;
use crate::outcome::Verdict;
use crate::span::Span;
use crate::value::{EnumType, Type, Value};

use super::analysis::Analysis;
use super::index::{enum_values, Symbol};
use super::lex::{self, Place};
use super::words;

pub fn hover(a: &Analysis, offset: usize) -> Option<Hover> {
    let (text, span) = match a.index.at(offset) {
        Some(o) => (describe(a, o.symbol, o.span)?, o.span),
        None => keyword(a, offset)?,
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(a.lines.range(&a.text, span)),
    })
}

/// A reserved word under the cursor, outside strings and comments.
fn keyword(a: &Analysis, offset: usize) -> Option<(String, Span)> {
    if lex::place(&a.text, offset) != Place::Code {
        return None;
    }
    let (span, word) = lex::word_at(&a.text, offset)?;
    let meaning = words::keyword(word)?;
    Some((format!("`{word}` — {meaning}"), span))
}

fn describe(a: &Analysis, symbol: Symbol, span: Span) -> Option<String> {
    let policy = a.policy.as_ref()?;
    match symbol {
        Symbol::Field(i) => {
            let f = policy.schema.fields.get(i)?;
            Some(field(&f.name.node, &f.ty))
        }
        Symbol::EnumValue { field, value } => {
            let f = policy.schema.fields.get(field)?;
            let values = enum_values(&f.ty)?;
            let names: Vec<&str> = values.iter().map(|v| v.node.as_str()).collect();
            Some(format!(
                "`{}` — a value of the enum of field `{}`: `{}`",
                names.get(value)?,
                f.name.node,
                names.join(" | ")
            ))
        }
        Symbol::Let(i) => Some(constant(a, policy.lets().nth(i)?)),
        Symbol::Param(i) => Some(param(a, policy.params().nth(i)?)),
        Symbol::Rule(i) => Some(rule(a, policy.rules().nth(i)?)),
        Symbol::Function => {
            let name = span.text(&a.text);
            let (signature, doc) = words::function(name)?;
            Some(format!("```clearance\n{signature}\n```\n{doc}"))
        }
    }
}

pub use crate::ast::type_text;

fn field(name: &str, ty: &TypeExpr) -> String {
    let presence = if ty.optional {
        format!("optional: may be missing (use it after `has {name}`, or as `{name} ?? DEFAULT`)")
    } else {
        "required: every record has it".to_string()
    };
    format!(
        "```clearance\n{name}: {}\n```\nfield of the schema, {presence}",
        type_text(ty)
    )
}

/// A checked type in words, enums by their values.
pub fn checked_type(ty: &Type, enums: &[EnumType]) -> String {
    match ty {
        Type::Enum(id) => enums
            .get(*id as usize)
            .map_or("enum".to_string(), |e| e.values.join(" | ")),
        Type::List(inner) => format!("[{}]", checked_type(inner, enums)),
        other => other.to_string(),
    }
}

/// A value as it would be written: text quoted.
fn value_text(value: &Value, ty: &Type, enums: &[EnumType]) -> String {
    match (value, ty) {
        (Value::Text(t), _) => quote(t),
        (Value::List(items), Type::List(elem)) => {
            let items: Vec<String> = items.iter().map(|v| value_text(v, elem, enums)).collect();
            format!("[{}]", items.join(", "))
        }
        _ => value.display(ty, enums).to_string(),
    }
}

/// The type and value of a constant, when its declarations check.
pub fn constant_value(checked: Option<&CheckedPolicy>, name: &str) -> Option<(String, String)> {
    let checked = checked?;
    let c = checked.constants.iter().find(|c| c.name == name)?;
    let enums = &checked.schema.enums;
    Some((
        checked_type(&c.ty, enums),
        value_text(&c.value, &c.ty, enums),
    ))
}

fn constant(a: &Analysis, l: &Let) -> String {
    let name = &l.name.node;
    let written = l.value.to_source(Some(&a.text));
    let mut out = format!("```clearance\nlet {name} = {written}\n```\n");
    match constant_value(a.checked.as_ref(), name) {
        Some((ty, value)) => out += &format!("constant of type `{ty}`, value `{value}`"),
        None => out += "constant (its value is not known while the policy has errors)",
    }
    out
}

fn param(a: &Analysis, p: &crate::ast::Param) -> String {
    let name = &p.name.node;
    let ty = p.ty.span.text(&a.text);
    let mut out = format!("```clearance\nparam {name}: {ty}");
    if let Some(d) = &p.default {
        out += &format!(" = {}", d.to_source(Some(&a.text)));
    }
    out += "\n```\n";
    out += &match &p.default {
        Some(_) => format!("param: a constant set for each run with `--set {name}=VALUE` (or a test's `set`); without one, its default"),
        None => format!("param without a default: every run sets it with `--set {name}=VALUE` (or a test's `set`)"),
    };
    out
}

/// The verdict of a rule when it fires, in words.
pub fn verdict(clause: &Clause) -> String {
    match clause {
        Clause::Require { .. } => "deny (a `require` whose condition is false)".into(),
        Clause::Verdict { verdict, .. } if verdict.node == Verdict::Warn => {
            "warn (a warning only, the decision is not changed)".into()
        }
        Clause::Verdict { verdict, .. } => verdict.node.as_str().into(),
        Clause::Limit(l) => {
            let v = l.otherwise.as_ref().map_or(Verdict::Waitlist, |v| v.node);
            format!("{} (a record that does not fit the `limit`)", v.as_str())
        }
    }
}

pub fn scope_text(scope: Option<&Scope>) -> String {
    let Some(s) = scope else {
        return "every record".into();
    };
    let items: Vec<&str> = s.items.iter().map(|i| i.node.as_str()).collect();
    match items.as_slice() {
        [] => format!("`{}`", s.action.node),
        [one] => format!("`{} {one}`", s.action.node),
        many => format!("`{} [{}]`", s.action.node, many.join(", ")),
    }
}

pub fn rule_scope(r: &Rule) -> Option<&Scope> {
    match &r.clause {
        Clause::Require { scope, .. } | Clause::Verdict { scope, .. } => scope.as_ref(),
        Clause::Limit(l) => Some(&l.scope),
    }
}

fn rule(a: &Analysis, r: &Rule) -> String {
    let mut out = format!(
        "rule `{}`\n\n- verdict: {}\n- scope: {}\n",
        r.name.node,
        verdict(&r.clause),
        scope_text(rule_scope(r))
    );
    match &r.because {
        Some(t) => out += &format!("- because: `{}`\n", t.span.text(&a.text)),
        None => out += "- because: none (a reason is generated)\n",
    }
    out
}
