//! The spanned, untyped syntax tree of a policy file, as written.
//!
//! Every node carries the byte span it was parsed from. Names are resolved and
//! types given later, by [`crate::check`].

use crate::outcome::{Decision, Verdict};
use crate::span::{Span, Spanned};
use crate::value::{Date, Decimal};

/// A name as written: a field, constant, enum value, rule or function.
pub type Ident = Spanned<String>;

/// One `.policy` file.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub name: Spanned<String>,
    /// `default allow|deny`; `None` when omitted (which means allow).
    pub default: Option<Spanned<Decision>>,
    pub schema: Schema,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone)]
pub struct Schema {
    pub fields: Vec<FieldDecl>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldDecl {
    pub name: Ident,
    pub ty: TypeExpr,
}

/// A type as written in the schema.
#[derive(Debug, Clone)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub optional: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeExprKind {
    /// `int`, `text`, ... (any other name is reported by the checker).
    Named(Ident),
    /// `a | b | c`
    Enum(Vec<Ident>),
    /// `[T]`
    List(Box<TypeExpr>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Let(Let),
    Rule(Box<Rule>),
    Test(Test),
}

/// `let NAME = EXPR`
#[derive(Debug, Clone)]
pub struct Let {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `rule NAME: CLAUSE [because "TEXT"]`
#[derive(Debug, Clone)]
pub struct Rule {
    pub name: Ident,
    pub clause: Clause,
    pub because: Option<Template>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Clause {
    /// `require COND [before SCOPE]`
    Require {
        keyword: Span,
        condition: Expr,
        scope: Option<Scope>,
    },
    /// `deny|waitlist|allow|warn [SCOPE] [when COND]`
    Verdict {
        verdict: Spanned<Verdict>,
        scope: Option<Scope>,
        condition: Option<Expr>,
    },
    /// `limit SCOPE to CAP QUANTITY [per FIELD] [order by FIELD] [else VERDICT]`
    Limit(Limit),
}

/// `ACTION [ITEM | [ITEM, ...]]`
#[derive(Debug, Clone)]
pub struct Scope {
    pub action: Ident,
    pub items: Vec<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Limit {
    pub keyword: Span,
    pub scope: Scope,
    pub cap: Expr,
    pub quantity: Quantity,
    pub per: Option<Ident>,
    pub order_by: Option<Ident>,
    /// `else waitlist|deny`; `None` means waitlist.
    pub otherwise: Option<Spanned<Verdict>>,
}

#[derive(Debug, Clone)]
pub enum Quantity {
    /// `records`: each record counts 1.
    Records(Span),
    /// A numeric field of the record.
    Field(Ident),
}

/// A `because` text with `{expr}` interpolations.
#[derive(Debug, Clone)]
pub struct Template {
    pub parts: Vec<TemplatePart>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    Text(String),
    Expr(Expr),
    /// `{limit.NAME}`: a fact of the rule's `limit` (the name as written; the checker
    /// knows the facts). The span covers `limit.NAME`.
    Fact(Spanned<String>),
}

/// `test "NAME" { given ... expect ... }`
#[derive(Debug, Clone)]
pub struct Test {
    pub name: Spanned<String>,
    pub given: Given,
    pub expect: Expect,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Given {
    Record(RecordLit),
    Batch { records: Vec<RecordLit>, span: Span },
}

#[derive(Debug, Clone)]
pub struct RecordLit {
    pub fields: Vec<(Ident, Expr)>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Expect {
    pub outcomes: Vec<Outcome>,
    /// True when written as a list `[...]` (a batch expectation).
    pub is_list: bool,
    /// The `expect` keyword through the last outcome.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub kind: Decision,
    pub by: Vec<Ident>,
    pub span: Span,
}

/// An expression.
#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Bool(bool),
    Int(i64),
    Decimal(Decimal),
    /// Percentage points: `30%` is `Percent(30)`.
    Percent(Decimal),
    Text(String),
    Date(Date),
    /// A field, a `let` constant or an enum value: the checker decides which.
    Name(String),
    List(Vec<Expr>),
    /// `has FIELD`
    Has(Ident),
    Call {
        function: Ident,
        args: Vec<Expr>,
    },
    Unary {
        op: Spanned<UnaryOp>,
        operand: Box<Expr>,
    },
    Binary {
        op: Spanned<BinaryOp>,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Coalesce,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    /// The operator as an author writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Coalesce => "??",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge
                | BinaryOp::In
                | BinaryOp::NotIn
        )
    }
}

impl Policy {
    pub fn lets(&self) -> impl Iterator<Item = &Let> {
        self.items.iter().filter_map(|i| match i {
            Item::Let(l) => Some(l),
            _ => None,
        })
    }

    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.items.iter().filter_map(|i| match i {
            Item::Rule(r) => Some(r.as_ref()),
            _ => None,
        })
    }

    pub fn tests(&self) -> impl Iterator<Item = &Test> {
        self.items.iter().filter_map(|i| match i {
            Item::Test(t) => Some(t),
            _ => None,
        })
    }
}

const NOT: u8 = 3;
const COMPARISON: u8 = 4;
const COALESCE: u8 = 5;
const PRIMARY: u8 = 9;

/// Binding strength of an expression's top operator (higher binds tighter).
fn precedence(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary { op, .. } => match op.node {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::In
            | BinaryOp::NotIn => COMPARISON,
            BinaryOp::Coalesce => COALESCE,
            BinaryOp::Add | BinaryOp::Sub => 6,
            BinaryOp::Mul | BinaryOp::Div => 7,
        },
        ExprKind::Unary { op, .. } => match op.node {
            UnaryOp::Not => NOT,
            UnaryOp::Neg => 8,
        },
        _ => PRIMARY,
    }
}

/// Whether `not` needs parentheses around `operand` for a reader, though not for the
/// parser: `not a ?? b` would read as `(not a) ?? b`. Only a comparison (`not a == b`,
/// `not a in L`) without `??` on its left, a `not` or a primary go without.
fn needs_parentheses_after_not(operand: &Expr) -> bool {
    match (&operand.kind, precedence(operand)) {
        (_, NOT | PRIMARY) => false,
        (ExprKind::Binary { lhs, .. }, COMPARISON) => precedence(lhs) == COALESCE,
        _ => true,
    }
}

/// Prints an expression in canonical form, with only the parentheses it needs.
impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_source(None))
    }
}

impl Expr {
    /// The expression in canonical form. With the source text, literals are written as
    /// they were (`400_000` keeps its separators, strings their escapes).
    pub fn to_source(&self, source: Option<&str>) -> String {
        let mut out = String::new();
        self.write(source, &mut out);
        out
    }

    fn write(&self, src: Option<&str>, out: &mut String) {
        fn wrap(e: &Expr, min: u8, src: Option<&str>, out: &mut String) {
            if precedence(e) < min {
                out.push('(');
                e.write(src, out);
                out.push(')');
            } else {
                e.write(src, out);
            }
        }
        let literal = |out: &mut String, canonical: String| match src {
            Some(s) => out.push_str(&literal_text(self.span.text(s))),
            None => out.push_str(&canonical),
        };
        match &self.kind {
            ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            ExprKind::Int(i) => literal(out, i.to_string()),
            ExprKind::Decimal(d) => literal(out, d.to_string()),
            ExprKind::Percent(p) => literal(out, format!("{p}%")),
            ExprKind::Text(t) => literal(out, quote(t)),
            ExprKind::Date(d) => literal(out, d.format("%Y-%m-%d").to_string()),
            ExprKind::Name(n) => out.push_str(n),
            ExprKind::List(items) => {
                out.push('[');
                write_all(items, src, out);
                out.push(']');
            }
            ExprKind::Has(field) => {
                out.push_str("has ");
                out.push_str(&field.node);
            }
            ExprKind::Call { function, args } => {
                out.push_str(&function.node);
                out.push('(');
                write_all(args, src, out);
                out.push(')');
            }
            ExprKind::Unary { op, operand } => {
                let min = match op.node {
                    UnaryOp::Not if needs_parentheses_after_not(operand) => PRIMARY + 1,
                    _ => precedence(self),
                };
                out.push_str(match op.node {
                    UnaryOp::Not => "not ",
                    UnaryOp::Neg => "-",
                });
                wrap(operand, min, src, out);
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let p = precedence(self);
                // Comparisons do not chain: both sides bind tighter. Others are left-associative.
                let lmin = if p == COMPARISON { p + 1 } else { p };
                wrap(lhs, lmin, src, out);
                out.push(' ');
                out.push_str(op.node.as_str());
                out.push(' ');
                wrap(rhs, p + 1, src, out);
            }
        }
    }
}

/// A literal as written, from the text of its node: without the parentheses (and
/// spaces and comments) that the node's span takes in, `- 9223372036854775808` (the
/// smallest int, one literal) written without the space.
fn literal_text(text: &str) -> String {
    let rest = skip_trivia(text);
    match rest.strip_prefix('-') {
        Some(digits) => format!("-{}", token(skip_trivia(digits))),
        None => token(rest).to_string(),
    }
}

/// `text` after any leading spaces, comments and `(`.
fn skip_trivia(text: &str) -> &str {
    let mut rest = text;
    loop {
        let trimmed = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
        match trimmed.strip_prefix('#') {
            Some(comment) => rest = comment.find('\n').map_or("", |i| &comment[i..]),
            None => return trimmed,
        }
    }
}

/// The literal token at the start of `text`: a string to its closing quote, anything
/// else to the first space, `)` or comment.
fn token(text: &str) -> &str {
    let end = if text.starts_with('"') {
        let mut escaped = false;
        text.char_indices()
            .skip(1)
            .find(|&(_, c)| {
                let close = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                close
            })
            .map_or(text.len(), |(i, _)| i + 1)
    } else {
        text.find(|c: char| c.is_whitespace() || c == ')' || c == '#')
            .unwrap_or(text.len())
    };
    &text[..end]
}

/// Expressions separated by `, `.
fn write_all(items: &[Expr], src: Option<&str>, out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        item.write(src, out);
    }
}

/// A string literal with its escapes.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:X}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// Syntax trees compare by what they say, not where it was written: spans are left
// out, so a test can compare a file's tree with its formatted self directly.
macro_rules! equal_but_for_spans {
    ($($ty:ident { $($field:ident),+ })+) => {$(
        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                $(self.$field == other.$field)&&+
            }
        }
    )+};
}

equal_but_for_spans! {
    Schema { fields }
    TypeExpr { kind, optional }
    Let { name, value }
    Rule { name, clause, because }
    Scope { action, items }
    Limit { scope, cap, quantity, per, order_by, otherwise }
    Template { parts }
    Test { name, given, expect }
    RecordLit { fields }
    Expect { outcomes, is_list }
    Outcome { kind, by }
    Expr { kind }
}

impl PartialEq for Clause {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                Clause::Require {
                    condition: c1,
                    scope: s1,
                    ..
                },
                Clause::Require {
                    condition: c2,
                    scope: s2,
                    ..
                },
            ) => c1 == c2 && s1 == s2,
            (
                Clause::Verdict {
                    verdict: v1,
                    scope: s1,
                    condition: c1,
                },
                Clause::Verdict {
                    verdict: v2,
                    scope: s2,
                    condition: c2,
                },
            ) => v1 == v2 && s1 == s2 && c1 == c2,
            (Clause::Limit(a), Clause::Limit(b)) => a == b,
            _ => false,
        }
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Quantity::Records(_), Quantity::Records(_)) => true,
            (Quantity::Field(a), Quantity::Field(b)) => a == b,
            _ => false,
        }
    }
}

impl PartialEq for Given {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Given::Record(a), Given::Record(b)) => a == b,
            (Given::Batch { records: a, .. }, Given::Batch { records: b, .. }) => a == b,
            _ => false,
        }
    }
}
