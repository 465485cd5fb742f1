//! The names completion offers: fields, enum values, constants, rules, functions,
//! keywords, and a whole test record.

use lsp_types::{CompletionItem, CompletionItemKind, Documentation};

use crate::ast::{FieldDecl, TypeExprKind};
use crate::ir::Builtin;

use super::super::hover::{constant_value, type_text};
use super::super::index::enum_values;
use super::super::words;
use super::Ctx;

impl Ctx<'_> {
    pub(super) fn field_decl(&self, name: &str) -> Option<&FieldDecl> {
        self.policy?
            .schema
            .fields
            .iter()
            .find(|f| f.name.node == name)
    }

    pub(super) fn is_enum_field(&self, name: &str) -> bool {
        self.field_decl(name)
            .is_some_and(|f| enum_values(&f.ty).is_some())
    }

    pub(super) fn values_of_field(&self, name: &str) -> Vec<CompletionItem> {
        let Some(f) = self.field_decl(name) else {
            return Vec::new();
        };
        let values = enum_values(&f.ty).unwrap_or_default();
        let all: Vec<&str> = values.iter().map(|v| v.node.as_str()).collect();
        values
            .iter()
            .map(|v| {
                item(
                    &v.node,
                    CompletionItemKind::ENUM_MEMBER,
                    format!("{name}: {}", all.join(" | ")),
                    "0",
                )
            })
            .collect()
    }

    pub(super) fn fields(&self, fits: impl Fn(&FieldDecl) -> bool) -> Vec<CompletionItem> {
        let Some(p) = self.policy else {
            return Vec::new();
        };
        p.schema
            .fields
            .iter()
            .filter(|f| fits(f))
            .map(|f| {
                item(
                    &f.name.node,
                    CompletionItemKind::FIELD,
                    type_text(&f.ty),
                    "1",
                )
            })
            .collect()
    }

    /// The fields of a test record not written yet, as `name: `.
    pub(super) fn record_fields(&self, written: &[&str]) -> Vec<CompletionItem> {
        let mut out = self.fields(|f| !written.contains(&f.name.node.as_str()));
        for c in &mut out {
            c.insert_text = Some(format!("{}: ", c.label));
        }
        out
    }

    /// A test record with every required field, each with a value of its type.
    pub(super) fn record_template(&self) -> Vec<CompletionItem> {
        let Some(p) = self.policy else {
            return Vec::new();
        };
        let fields: Vec<String> = p
            .schema
            .fields
            .iter()
            .filter(|f| !f.ty.optional)
            .map(|f| format!("{}: {}", f.name.node, sample_value(&f.ty)))
            .collect();
        let mut c = item(
            "{ … }",
            CompletionItemKind::SNIPPET,
            "a record with every required field".into(),
            "0",
        );
        c.insert_text = Some(format!("{{ {} }}", fields.join(", ")));
        vec![c]
    }

    pub(super) fn lets(&self) -> Vec<CompletionItem> {
        let Some(p) = self.policy else {
            return Vec::new();
        };
        p.lets()
            .map(|l| {
                let name = &l.name.node;
                let detail = match constant_value(self.a.checked.as_ref(), name) {
                    Some((ty, value)) => format!("{ty} = {value}"),
                    None => "constant".to_string(),
                };
                item(name, CompletionItemKind::CONSTANT, detail, "2")
            })
            .collect()
    }

    /// What a test's `set` may set: the params, and `today`.
    pub(super) fn params_and_today(&self) -> Vec<CompletionItem> {
        let Some(p) = self.policy else {
            return Vec::new();
        };
        let mut out: Vec<CompletionItem> = p
            .params()
            .map(|param| {
                let detail = format!("param: {}", super::super::hover::type_text(&param.ty));
                item(&param.name.node, CompletionItemKind::CONSTANT, detail, "0")
            })
            .collect();
        out.push(item(
            "today",
            CompletionItemKind::KEYWORD,
            "the day of the run: a date".into(),
            "1",
        ));
        out
    }

    pub(super) fn rules(&self) -> Vec<CompletionItem> {
        let Some(p) = self.policy else {
            return Vec::new();
        };
        p.rules()
            .map(|r| {
                let detail = format!("rule: {}", super::super::hover::verdict(&r.clause));
                item(&r.name.node, CompletionItemKind::EVENT, detail, "0")
            })
            .collect()
    }

    /// What may start an operand: fields, constants, functions, `not`, `has`, ...
    pub(super) fn operands(&self) -> Vec<CompletionItem> {
        let mut out = self.fields(|_| true);
        out.extend(self.lets());
        out.extend(functions());
        out.extend(keywords(&["not", "has", "true", "false"]));
        out
    }
}

pub(super) fn functions() -> Vec<CompletionItem> {
    Builtin::ALL
        .iter()
        .filter_map(|(name, _)| {
            let (signature, doc) = words::function(name)?;
            let mut c = item(
                name,
                CompletionItemKind::FUNCTION,
                signature.to_string(),
                "3",
            );
            c.documentation = Some(Documentation::String(doc.to_string()));
            Some(c)
        })
        .collect()
}

pub(super) fn keywords(words: &[&str]) -> Vec<CompletionItem> {
    words
        .iter()
        .map(|w| {
            let detail = words::keyword(w).unwrap_or_default().to_string();
            item(w, CompletionItemKind::KEYWORD, detail, "4")
        })
        .collect()
}

pub(super) fn item(
    label: &str,
    kind: CompletionItemKind,
    detail: String,
    rank: &str,
) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: (!detail.is_empty()).then_some(detail),
        sort_text: Some(format!("{rank}{label}")),
        ..CompletionItem::default()
    }
}

/// A value of type `ty` to start a test record with.
fn sample_value(ty: &crate::ast::TypeExpr) -> String {
    match &ty.kind {
        TypeExprKind::Enum(values) => values.first().map_or(String::new(), |v| v.node.clone()),
        TypeExprKind::List(_) => "[]".into(),
        TypeExprKind::Named(n) => match n.node.as_str() {
            "bool" => "false",
            "int" => "0",
            "decimal" => "0.0",
            "percent" => "0%",
            "date" => "2026-01-01",
            _ => "\"\"",
        }
        .into(),
    }
}
