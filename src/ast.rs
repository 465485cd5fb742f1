//! The spanned, untyped syntax tree of a policy file, as written.
//!
//! Every node carries the byte span it was parsed from. Names are resolved and
//! types given later, by [`crate::check`].

use crate::span::{Span, Spanned};
use crate::value::{Date, Decimal};

/// A name as written: a field, constant, enum value, rule or function.
pub type Ident = Spanned<String>;

/// One `.policy` file.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub name: Spanned<String>,
    /// `default allow|deny`; `None` when omitted (which means allow).
    pub default: Option<Spanned<DefaultDecision>>,
    pub schema: Schema,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultDecision {
    Allow,
    Deny,
}

#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, PartialEq)]
pub struct Let {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `rule NAME: CLAUSE [because "TEXT"]`
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub name: Ident,
    pub clause: Clause,
    pub because: Option<Template>,
    pub span: Span,
}

/// What a rule does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Deny,
    Waitlist,
    Allow,
    Warn,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Deny => "deny",
            Verdict::Waitlist => "waitlist",
            Verdict::Allow => "allow",
            Verdict::Warn => "warn",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    pub action: Ident,
    pub items: Vec<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
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

#[derive(Debug, Clone, PartialEq)]
pub enum Quantity {
    /// `records`: each record counts 1.
    Records(Span),
    /// A numeric field of the record.
    Field(Ident),
}

/// A `because` text with `{expr}` interpolations.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub parts: Vec<TemplatePart>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    Text(String),
    Expr(Expr),
}

/// `test "NAME" { given ... expect ... }`
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    pub name: Spanned<String>,
    pub given: Given,
    pub expect: Expect,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Given {
    Record(RecordLit),
    Batch { records: Vec<RecordLit>, span: Span },
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordLit {
    pub fields: Vec<(Ident, Expr)>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    pub outcomes: Vec<Outcome>,
    /// True when written as a list `[...]` (a batch expectation).
    pub is_list: bool,
    /// The `expect` keyword through the last outcome.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub kind: OutcomeKind,
    pub by: Vec<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutcomeKind {
    Allow,
    Deny,
    Waitlist,
    Error,
}

impl OutcomeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::Allow => "allow",
            OutcomeKind::Deny => "deny",
            OutcomeKind::Waitlist => "waitlist",
            OutcomeKind::Error => "error",
        }
    }
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
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
            | BinaryOp::NotIn => 4,
            BinaryOp::Coalesce => 5,
            BinaryOp::Add | BinaryOp::Sub => 6,
            BinaryOp::Mul | BinaryOp::Div => 7,
        },
        ExprKind::Unary { op, .. } => match op.node {
            UnaryOp::Not => 3,
            UnaryOp::Neg => 8,
        },
        _ => 9,
    }
}

/// Prints an expression in canonical form, with only the parentheses it needs.
impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn wrap(f: &mut std::fmt::Formatter<'_>, e: &Expr, min: u8) -> std::fmt::Result {
            if precedence(e) < min {
                write!(f, "({e})")
            } else {
                write!(f, "{e}")
            }
        }
        match &self.kind {
            ExprKind::Bool(b) => write!(f, "{b}"),
            ExprKind::Int(i) => write!(f, "{i}"),
            ExprKind::Decimal(d) => write!(f, "{d}"),
            ExprKind::Percent(p) => write!(f, "{p}%"),
            ExprKind::Text(t) => write!(f, "{}", quote(t)),
            ExprKind::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            ExprKind::Name(n) => f.write_str(n),
            ExprKind::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            ExprKind::Has(field) => write!(f, "has {}", field.node),
            ExprKind::Call { function, args } => {
                write!(f, "{}(", function.node)?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
            ExprKind::Unary { op, operand } => {
                let p = precedence(self);
                match op.node {
                    UnaryOp::Not => f.write_str("not ")?,
                    UnaryOp::Neg => f.write_str("-")?,
                }
                wrap(f, operand, p)
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let p = precedence(self);
                // Comparisons do not chain: both sides bind tighter. Others are left-associative.
                let lmin = if p == 4 { p + 1 } else { p };
                wrap(f, lhs, lmin)?;
                write!(f, " {} ", op.node.as_str())?;
                wrap(f, rhs, p + 1)
            }
        }
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
