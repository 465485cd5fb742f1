//! Rule scopes: `import H200`, `export [H20, H200]`, against the `action` and `item` enums.

use super::Checker;
use crate::ast;
use crate::diagnostics::{all_of, did_you_mean, Code, Diagnostic};
use crate::ir::Scope;
use crate::span::Span;
use crate::value::Type;

impl Checker<'_> {
    pub(super) fn scope(&mut self, s: &ast::Scope, reported: &mut bool) -> Option<Scope> {
        let (Some(action), Some(item)) = (self.schema.action, self.schema.item) else {
            if !*reported {
                *reported = true;
                let missing: Vec<&str> =
                    [("action", self.schema.action), ("item", self.schema.item)]
                        .into_iter()
                        .filter(|(_, s)| s.is_none())
                        .map(|(n, _)| n)
                        .collect();
                self.errors.push(
                    Diagnostic::error(
                        Code::ScopeFieldsMissing,
                        format!(
                            "a rule scoped by `{}` needs the schema fields `action` and `item`, declared as enums",
                            scope_text(s)
                        ),
                        s.span,
                        "scope",
                    )
                    .with_label(self.schema_span_hint(), format!("the schema has no enum field {}", all_of(&missing)))
                    .with_help({
                        let items: Vec<&str> = s.items.iter().map(|i| i.node.as_str()).collect();
                        let items = match items.is_empty() {
                            true => "...".to_string(),
                            false => format!("{} | ...", items.join(" | ")),
                        };
                        format!(
                            "declare them as enums of every value your records use, e.g. `action: {} | ...` and `item: {items}`",
                            s.action.node
                        )
                    }),
                );
            }
            return None;
        };
        let mut ok = true;
        let action_value = self.scope_value(&s.action, action, "action");
        let mut items = Vec::new();
        for i in &s.items {
            match self.scope_value(i, item, "item") {
                Some(v) => items.push(v),
                None => ok = false,
            }
        }
        match action_value {
            Some(a) if ok => Some(Scope {
                action: a,
                items,
                span: s.span,
            }),
            _ => None,
        }
    }

    fn schema_span_hint(&self) -> Span {
        self.schema
            .fields
            .first()
            .map_or(Span::default(), |f| f.span)
    }

    fn scope_value(&mut self, name: &ast::Ident, slot: usize, field: &str) -> Option<u32> {
        let Type::Enum(id) = self.schema.fields[slot].ty else {
            return None;
        };
        let e = &self.schema.enums[id as usize];
        if let Some(i) = e.index_of(&name.node) {
            return Some(i);
        }
        let values: Vec<&str> = e.values.iter().map(String::as_str).collect();
        let mut d = Diagnostic::error(
            Code::ScopeValue,
            format!("`{}` is not a value of the `{field}` field", name.node),
            name.span,
            format!("not an {field}"),
        )
        .with_label(
            self.schema.fields[slot].span,
            format!("`{field}` is declared here"),
        );
        d = match did_you_mean(&name.node, values.iter().copied()) {
            Some(g) => d.with_help(format!(
                "did you mean `{g}`? the values are {}",
                all_of(&values)
            )),
            None => d.with_help(format!("the values of `{field}` are {}", all_of(&values))),
        };
        self.errors.push(d);
        None
    }
}

/// A scope as written, normalised: `import H200`, `export [H20, H200]`.
pub(super) fn scope_text(s: &ast::Scope) -> String {
    let mut text = s.action.node.clone();
    match s.items.as_slice() {
        [] => {}
        [one] => text = format!("{text} {}", one.node),
        many => {
            let names: Vec<&str> = many.iter().map(|i| i.node.as_str()).collect();
            text = format!("{text} [{}]", names.join(", "));
        }
    }
    text
}
