//! The outline of a document: the schema and its fields, the constants, the rules and
//! the tests.

use lsp_types::{DocumentSymbol, SymbolKind};

use crate::ast::{Item, Outcome};
use crate::span::Span;

use super::analysis::Analysis;
use super::hover::{rule_scope, scope_text, type_text};

pub fn document_symbols(a: &Analysis) -> Vec<DocumentSymbol> {
    let Some(policy) = &a.policy else {
        return Vec::new();
    };
    let symbol = |name: String, detail: String, kind, span: Span, name_span: Span| {
        #[allow(deprecated)] // `deprecated` is a field the type still requires
        DocumentSymbol {
            name,
            detail: (!detail.is_empty()).then_some(detail),
            kind,
            tags: None,
            deprecated: None,
            range: a.lines.range(&a.text, span),
            // The selection must lie inside the range.
            selection_range: a.lines.range(&a.text, name_span.intersect(span)),
            children: None,
        }
    };
    let fields = policy
        .schema
        .fields
        .iter()
        .map(|f| {
            let span = f.name.span.to(f.ty.span);
            symbol(
                f.name.node.clone(),
                type_text(&f.ty),
                SymbolKind::FIELD,
                span,
                f.name.span,
            )
        })
        .collect();
    let start = policy.schema.span.start;
    let schema_keyword = Span::new(start, start + "schema".len());
    let mut schema = symbol(
        "schema".into(),
        format!("policy {}", crate::ast::quote(&policy.name.node)),
        SymbolKind::STRUCT,
        policy.schema.span,
        schema_keyword,
    );
    schema.children = Some(fields);
    let mut out = vec![schema];
    for item in &policy.items {
        out.push(match item {
            Item::Let(l) => symbol(
                l.name.node.clone(),
                format!("= {}", l.value.to_source(Some(&a.text))),
                SymbolKind::CONSTANT,
                l.span,
                l.name.span,
            ),
            Item::Param(p) => symbol(
                p.name.node.clone(),
                format!("param: {}", p.ty.span.text(&a.text)),
                SymbolKind::CONSTANT,
                p.span,
                p.name.span,
            ),
            Item::Rule(r) => {
                let verdict = super::hover::verdict(&r.clause);
                let verdict = verdict.split(' ').next().unwrap_or_default();
                let detail = format!("{verdict}, {}", scope_text(rule_scope(r)).replace('`', ""));
                symbol(
                    r.name.node.clone(),
                    detail,
                    SymbolKind::FUNCTION,
                    r.span,
                    r.name.span,
                )
            }
            Item::Test(t) => {
                let outcomes: Vec<String> = t.expect.outcomes.iter().map(outcome).collect();
                symbol(
                    t.name.node.clone(),
                    format!("expect {}", outcomes.join(", ")),
                    SymbolKind::METHOD,
                    t.span,
                    t.name.span,
                )
            }
        });
    }
    out
}

fn outcome(o: &Outcome) -> String {
    let by: Vec<&str> = o.by.iter().map(|b| b.node.as_str()).collect();
    if by.is_empty() {
        o.kind.as_str().to_string()
    } else {
        format!("{} by {}", o.kind.as_str(), by.join(", "))
    }
}

trait Intersect {
    fn intersect(self, other: Span) -> Span;
}

impl Intersect for Span {
    /// The part of `self` inside `other`; an empty span at `other`'s start when none.
    fn intersect(self, other: Span) -> Span {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        if start <= end {
            Span::new(start, end)
        } else {
            Span::new(other.start, other.start)
        }
    }
}
