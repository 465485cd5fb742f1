//! Every name of a policy and what it refers to, computed from the syntax tree: the
//! definitions (schema fields, enum values, `let`s, rules) and each use of them.
//!
//! Names are resolved as the checker does (docs/language.md, "Names and enum values"):
//! a field, else a constant, else an enum value — of the enum the context gives (the
//! other side of `==`, `!=`, `in`, `??`, the field of a test record, `action` and
//! `item` in a scope), or of the only enum that has it.

use crate::ast::{
    BinaryOp, Clause, Expr, ExprKind, Given, Policy, Quantity, Scope, TemplatePart, TypeExpr,
    TypeExprKind,
};
use crate::span::Span;

/// What a name refers to. Fields and enums are numbered in schema order (an enum by
/// the field that declares it); lets and rules in file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Symbol {
    Field(usize),
    EnumValue {
        field: usize,
        value: usize,
    },
    Let(usize),
    /// A `param`, numbered in file order.
    Param(usize),
    Rule(usize),
    Function,
}

/// One occurrence of a name in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub span: Span,
    pub symbol: Symbol,
    pub definition: bool,
}

#[derive(Debug, Default)]
pub struct SymbolIndex {
    /// In text order.
    pub occurrences: Vec<Occurrence>,
}

impl SymbolIndex {
    pub fn new(policy: &Policy, text: &str) -> Self {
        let mut b = Builder {
            policy,
            text,
            out: Vec::new(),
        };
        b.build();
        let mut occurrences = b.out;
        occurrences.sort_by_key(|o| (o.span.start, o.span.end));
        occurrences.dedup();
        SymbolIndex { occurrences }
    }

    /// The occurrence under `offset`; a cursor just after a name is on it.
    pub fn at(&self, offset: usize) -> Option<&Occurrence> {
        let inside = |o: &&Occurrence| o.span.start <= offset && offset < o.span.end;
        let touching = |o: &&Occurrence| o.span.start <= offset && offset <= o.span.end;
        self.occurrences
            .iter()
            .find(inside)
            .or_else(|| self.occurrences.iter().find(touching))
    }

    pub fn definition(&self, symbol: Symbol) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .find(|o| o.symbol == symbol && o.definition)
    }

    pub fn references(&self, symbol: Symbol) -> impl Iterator<Item = &Occurrence> {
        self.occurrences.iter().filter(move |o| o.symbol == symbol)
    }
}

/// The values of an enum type (also as the element type of a list).
pub fn enum_values(ty: &TypeExpr) -> Option<&[crate::ast::Ident]> {
    match &ty.kind {
        TypeExprKind::Enum(values) => Some(values),
        TypeExprKind::List(inner) => enum_values(inner),
        TypeExprKind::Named(_) => None,
    }
}

struct Builder<'a> {
    policy: &'a Policy,
    text: &'a str,
    out: Vec<Occurrence>,
}

impl Builder<'_> {
    fn push(&mut self, span: Span, symbol: Symbol, definition: bool) {
        self.out.push(Occurrence {
            span,
            symbol,
            definition,
        });
    }

    fn field(&self, name: &str) -> Option<usize> {
        self.policy
            .schema
            .fields
            .iter()
            .position(|f| f.name.node == name)
    }

    fn let_index(&self, name: &str) -> Option<usize> {
        self.policy.lets().position(|l| l.name.node == name)
    }

    fn param_index(&self, name: &str) -> Option<usize> {
        self.policy.params().position(|p| p.name.node == name)
    }

    /// The enum value `name` of the enum of `field`.
    fn value_of(&self, field: usize, name: &str) -> Option<Symbol> {
        let values = enum_values(&self.policy.schema.fields.get(field)?.ty)?;
        let value = values.iter().position(|v| v.node == name)?;
        Some(Symbol::EnumValue { field, value })
    }

    /// `name` as an enum value: of the context's enum, or of the only enum that has it.
    fn enum_value(&self, name: &str, context: Option<usize>) -> Option<Symbol> {
        if let Some(s) = context.and_then(|f| self.value_of(f, name)) {
            return Some(s);
        }
        let mut found = (0..self.policy.schema.fields.len()).filter_map(|f| self.value_of(f, name));
        match (found.next(), found.next()) {
            (Some(s), None) => Some(s),
            _ => None,
        }
    }

    fn build(&mut self) {
        let policy = self.policy;
        for (i, f) in policy.schema.fields.iter().enumerate() {
            self.push(f.name.span, Symbol::Field(i), true);
            for (j, v) in enum_values(&f.ty).unwrap_or(&[]).iter().enumerate() {
                self.push(v.span, Symbol::EnumValue { field: i, value: j }, true);
            }
        }
        for (i, l) in policy.lets().enumerate() {
            self.push(l.name.span, Symbol::Let(i), true);
            self.expr(&l.value, None);
        }
        for (i, p) in policy.params().enumerate() {
            self.push(p.name.span, Symbol::Param(i), true);
        }
        for (i, r) in policy.rules().enumerate() {
            self.push(r.name.span, Symbol::Rule(i), true);
            self.clause(&r.clause);
            for part in r.because.iter().flat_map(|t| &t.parts) {
                if let TemplatePart::Expr(e) = part {
                    self.expr(e, None);
                }
            }
        }
        for t in policy.tests() {
            for b in &t.set {
                if let Some(p) = self.param_index(&b.name.node) {
                    self.push(b.name.span, Symbol::Param(p), false);
                }
            }
            let records = match &t.given {
                Given::Record(r) => std::slice::from_ref(r),
                Given::Batch { records, .. } => records.as_slice(),
            };
            for (name, value) in records.iter().flat_map(|r| &r.fields) {
                let field = self.field(&name.node);
                if let Some(f) = field {
                    self.push(name.span, Symbol::Field(f), false);
                }
                self.expr(value, field);
            }
            for by in t.expect.outcomes.iter().flat_map(|o| &o.by) {
                if let Some(r) = policy.rules().position(|r| r.name.node == by.node) {
                    self.push(by.span, Symbol::Rule(r), false);
                }
            }
        }
    }

    fn clause(&mut self, clause: &Clause) {
        match clause {
            Clause::Require {
                condition, scope, ..
            } => {
                self.expr(condition, None);
                self.scope(scope.as_ref());
            }
            Clause::Verdict {
                scope, condition, ..
            } => {
                self.scope(scope.as_ref());
                if let Some(c) = condition {
                    self.expr(c, None);
                }
            }
            Clause::Limit(limit) => {
                self.scope(Some(&limit.scope));
                self.expr(&limit.cap, None);
                let quantity = match &limit.quantity {
                    Quantity::Field(f) => Some(f),
                    Quantity::Records(_) => None,
                };
                for f in quantity
                    .into_iter()
                    .chain(&limit.per)
                    .chain(&limit.order_by)
                {
                    if let Some(i) = self.field(&f.node) {
                        self.push(f.span, Symbol::Field(i), false);
                    }
                }
            }
        }
    }

    fn scope(&mut self, scope: Option<&Scope>) {
        let Some(scope) = scope else { return };
        let action = self.field("action");
        let item = self.field("item");
        let words =
            std::iter::once((&scope.action, action)).chain(scope.items.iter().map(|i| (i, item)));
        for (word, field) in words {
            if let Some(s) = field.and_then(|f| self.value_of(f, &word.node)) {
                self.push(word.span, s, false);
            }
        }
    }

    /// The field whose enum gives context to the other side: a field of an enum type,
    /// or of a list of one.
    fn context_of(&self, e: &Expr) -> Option<usize> {
        match &e.kind {
            ExprKind::Name(n) => self
                .field(n)
                .filter(|&f| enum_values(&self.policy.schema.fields[f].ty).is_some()),
            _ => None,
        }
    }

    fn expr(&mut self, e: &Expr, context: Option<usize>) {
        match &e.kind {
            ExprKind::Name(n) => {
                let span = name_span(self.text, e.span, n);
                let symbol = match (self.field(n), self.let_index(n), self.param_index(n)) {
                    (Some(f), _, _) => Some(Symbol::Field(f)),
                    (None, Some(l), _) => Some(Symbol::Let(l)),
                    (None, None, Some(p)) => Some(Symbol::Param(p)),
                    (None, None, None) => self.enum_value(n, context),
                };
                if let Some(s) = symbol {
                    self.push(span, s, false);
                }
            }
            ExprKind::Has(f) => {
                if let Some(i) = self.field(&f.node) {
                    self.push(f.span, Symbol::Field(i), false);
                }
            }
            ExprKind::Call { function, args } => {
                self.push(function.span, Symbol::Function, false);
                for a in args {
                    self.expr(a, None);
                }
            }
            ExprKind::List(items) => {
                for i in items {
                    self.expr(i, context);
                }
            }
            ExprKind::Unary { operand, .. } => self.expr(operand, None),
            ExprKind::Binary { op, lhs, rhs } => {
                let gives_context = matches!(
                    op.node,
                    BinaryOp::Eq | BinaryOp::Ne | BinaryOp::In | BinaryOp::NotIn
                );
                let (lc, rc) = if gives_context {
                    (self.context_of(rhs), self.context_of(lhs))
                } else if op.node == BinaryOp::Coalesce {
                    (None, self.context_of(lhs))
                } else {
                    (None, None)
                };
                self.expr(lhs, lc);
                self.expr(rhs, rc);
            }
            ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Decimal(_)
            | ExprKind::Percent(_)
            | ExprKind::Text(_)
            | ExprKind::Date(_)
            | ExprKind::Today => {}
        }
    }
}

/// The span of the name itself in a name expression, whose span may take in
/// parentheses around it: `(tier)`.
fn name_span(text: &str, span: Span, name: &str) -> Span {
    let inner = span.text(text);
    let mut at = 0;
    while let Some(i) = inner[at..].find(name) {
        let start = at + i;
        let end = start + name.len();
        let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let before_ok = !inner[..start].ends_with(word);
        let after_ok = !inner[end..].starts_with(word);
        if before_ok && after_ok {
            return Span::new(span.start + start, span.start + end);
        }
        at = end;
    }
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_values_take_the_enum_of_their_context() {
        let text = "policy \"p\"\nschema { a: x | y, b: x | z }\n\
                    rule r:\n  deny when b == x or a != (x)\n";
        let policy = Policy::parse(text).unwrap();
        let index = SymbolIndex::new(&policy, text);
        let uses: Vec<(&str, Symbol)> = index
            .occurrences
            .iter()
            .filter(|o| !o.definition)
            .map(|o| (o.span.text(text), o.symbol))
            .collect();
        assert_eq!(
            uses,
            [
                ("b", Symbol::Field(1)),
                ("x", Symbol::EnumValue { field: 1, value: 0 }),
                ("a", Symbol::Field(0)),
                ("x", Symbol::EnumValue { field: 0, value: 0 }),
            ]
        );
    }
}
