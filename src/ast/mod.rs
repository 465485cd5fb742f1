//! The spanned, untyped syntax tree of a policy file, as written.
//!
//! Every node carries the byte span it was parsed from. Names are resolved and
//! types given later, by the checker that [`crate::compile`] runs.

mod eq;
mod print;

pub use print::{quote, type_text};

use crate::outcome::{Decision, Verdict};
use crate::span::{Span, Spanned};
use crate::value::{Date, Decimal};

/// A name as written: a field, constant, enum value, rule or function.
pub type Ident = Spanned<String>;

/// One `.policy` file.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The name in the `policy "NAME"` header.
    pub name: Spanned<String>,
    /// `default allow|deny`; `None` when omitted (which means allow).
    pub default: Option<Spanned<Decision>>,
    /// The shape of one record of the data.
    pub schema: Schema,
    /// The `let`, `rule` and `test` items, in file order.
    pub items: Vec<Item>,
}

/// `schema { field: type, ... }`: the fields every record of the data has.
#[derive(Debug, Clone)]
pub struct Schema {
    /// The declared fields, in file order.
    pub fields: Vec<FieldDecl>,
    /// From the `schema` keyword to the closing brace.
    pub span: Span,
}

/// One `field: type` line of the schema.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDecl {
    /// The field's name, as records spell their key or CSV column.
    pub name: Ident,
    /// The field's type, `?` included.
    pub ty: TypeExpr,
}

/// A type as written in the schema.
#[derive(Debug, Clone)]
pub struct TypeExpr {
    /// A named type, an enum or a list.
    pub kind: TypeExprKind,
    /// Written with a trailing `?`: records may leave the field out.
    pub optional: bool,
    /// The type as written, `?` included.
    pub span: Span,
}

/// The forms a schema type takes.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeExprKind {
    /// `int`, `text`, ... (any other name is reported by the checker).
    Named(Ident),
    /// `a | b | c`
    Enum(Vec<Ident>),
    /// `[T]`
    List(Box<TypeExpr>),
}

/// One item after the schema.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A named constant.
    Let(Let),
    /// `param NAME: TYPE [= LITERAL]`
    Param(Param),
    /// A rule that decides, warns about or allocates records.
    Rule(Box<Rule>),
    /// A test of the policy's rules on given records.
    Test(Test),
}

/// `let NAME = EXPR`
#[derive(Debug, Clone)]
pub struct Let {
    /// The constant's name.
    pub name: Ident,
    /// Its value: an expression of literals and earlier constants.
    pub value: Expr,
    /// The whole item.
    pub span: Span,
}

/// `param NAME: TYPE [= LITERAL]`: a constant set for a run from outside the file.
#[derive(Debug, Clone)]
pub struct Param {
    /// The param's name.
    pub name: Ident,
    /// Its type, as written.
    pub ty: TypeExpr,
    /// The default; a param without one must be set for every run.
    pub default: Option<Expr>,
    /// The whole item.
    pub span: Span,
}

/// `NAME = LITERAL` in a test's `set` (the name may be `today`).
#[derive(Debug, Clone)]
pub struct SetBinding {
    /// The param set, or `today`.
    pub name: Ident,
    /// Its value for the test: a literal.
    pub value: Expr,
}

/// `rule NAME: CLAUSE [because "TEXT"]`
#[derive(Debug, Clone)]
pub struct Rule {
    /// The rule's name, unique in the file; results and tests refer to it.
    pub name: Ident,
    /// What the rule checks and what it decides.
    pub clause: Clause,
    /// The reason given when the rule fires; `None` for a generated sentence.
    pub because: Option<Template>,
    /// The whole item.
    pub span: Span,
}

/// The body of a rule: which records it fires on and what it gives them.
#[derive(Debug, Clone)]
pub enum Clause {
    /// `require COND [before SCOPE]`
    Require {
        /// The `require` keyword.
        keyword: Span,
        /// What a record in scope must satisfy; it is denied otherwise.
        condition: Expr,
        /// The records it applies to; `None` for every record.
        scope: Option<Scope>,
    },
    /// `deny|waitlist|allow|warn [SCOPE] [when COND]`
    Verdict {
        /// What the rule gives a record it fires on.
        verdict: Spanned<Verdict>,
        /// The records it applies to; `None` for every record.
        scope: Option<Scope>,
        /// When it fires; `None` for every record in scope.
        condition: Option<Expr>,
    },
    /// `limit SCOPE to CAP QUANTITY [per FIELD] [order by FIELD] [else VERDICT]`
    Limit(Limit),
}

/// `ACTION [ITEM | [ITEM, ...]]`
#[derive(Debug, Clone)]
pub struct Scope {
    /// The value the record's `action` field must have.
    pub action: Ident,
    /// The values its `item` field may have; empty for any item.
    pub items: Vec<Ident>,
    /// The scope as written.
    pub span: Span,
}

/// A `limit` clause: a cap on a quantity shared by the records of the batch in its scope.
#[derive(Debug, Clone)]
pub struct Limit {
    /// The `limit` keyword.
    pub keyword: Span,
    /// The records that share the cap.
    pub scope: Scope,
    /// The cap: an expression of constants.
    pub cap: Expr,
    /// What each admitted record takes from the cap.
    pub quantity: Quantity,
    /// `per FIELD`: a cap for each value of the field instead of one for all.
    pub per: Option<Ident>,
    /// `order by FIELD`: the order in which records are admitted; input order when `None`.
    pub order_by: Option<Ident>,
    /// `else waitlist|deny`; `None` means waitlist.
    pub otherwise: Option<Spanned<Verdict>>,
}

/// What a record takes from a limit's cap.
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
    /// The text and interpolations, in order.
    pub parts: Vec<TemplatePart>,
    /// The string literal, quotes included.
    pub span: Span,
}

/// A piece of a `because` text.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    /// Literal text, escapes and `{{`/`}}` already resolved.
    Text(String),
    /// A `{expr}` whose value is shown in the reason.
    Expr(Expr),
    /// `{limit.NAME}`: a fact of the rule's `limit` (the name as written; the checker
    /// knows the facts). The span covers `limit.NAME`.
    Fact(Spanned<String>),
}

/// `test "NAME" { given ... expect ... }`
#[derive(Debug, Clone)]
pub struct Test {
    /// The test's name, shown in test reports.
    pub name: Spanned<String>,
    /// `set NAME = LITERAL, ...`: params and `today` for this test.
    pub set: Vec<SetBinding>,
    /// The record or batch the policy is run on.
    pub given: Given,
    /// The outcomes the test expects.
    pub expect: Expect,
    /// The whole item.
    pub span: Span,
}

/// The input of a test.
#[derive(Debug, Clone)]
pub enum Given {
    /// `given { ... }`: one record.
    Record(RecordLit),
    /// `given [{ ... }, ...]`: a batch, evaluated together (for `limit`).
    Batch {
        /// The records, in input order.
        records: Vec<RecordLit>,
        /// The list, brackets included.
        span: Span,
    },
}

/// `{ field: value, ... }`: a record written in a test.
#[derive(Debug, Clone)]
pub struct RecordLit {
    /// Each field with its literal value, as written.
    pub fields: Vec<(Ident, Expr)>,
    /// The record, braces included.
    pub span: Span,
}

/// `expect OUTCOME` or `expect [OUTCOME, ...]`.
#[derive(Debug, Clone)]
pub struct Expect {
    /// The expected outcomes: one per given record.
    pub outcomes: Vec<Outcome>,
    /// True when written as a list `[...]` (a batch expectation).
    pub is_list: bool,
    /// The `expect` keyword through the last outcome.
    pub span: Span,
}

/// One expected outcome of a test: `allow|deny|waitlist [by RULE, ...]` or `error`.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The expected decision.
    pub kind: Decision,
    /// `by RULE, ...`: rules that must be among those that fired.
    pub by: Vec<Ident>,
    /// The outcome as written.
    pub span: Span,
}

/// An expression.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// The expression as written, parentheses included.
    pub span: Span,
}

/// The forms an expression takes.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `true` or `false`.
    Bool(bool),
    /// An integer literal: `400_000`.
    Int(i64),
    /// A decimal literal: `6.0`.
    Decimal(Decimal),
    /// Percentage points: `30%` is `Percent(30)`.
    Percent(Decimal),
    /// A string literal, escapes resolved.
    Text(String),
    /// A date literal: `2026-01-29`.
    Date(Date),
    /// A field, a `let` constant, a param or an enum value: the checker decides which.
    Name(String),
    /// `today`: the day of the run.
    Today,
    /// `[a, b, c]`
    List(Vec<Expr>),
    /// `has FIELD`
    Has(Ident),
    /// A built-in function applied to its arguments: `round(price, 2)`.
    Call {
        /// The function's name.
        function: Ident,
        /// The arguments, in order.
        args: Vec<Expr>,
    },
    /// `not x` or `-x`.
    Unary {
        /// The operator.
        op: Spanned<UnaryOp>,
        /// What it applies to.
        operand: Box<Expr>,
    },
    /// `lhs OP rhs`.
    Binary {
        /// The operator.
        op: Spanned<BinaryOp>,
        /// The left operand.
        lhs: Box<Expr>,
        /// The right operand.
        rhs: Box<Expr>,
    },
}

/// An operator with one operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `not`: logical negation.
    Not,
    /// `-`: arithmetic negation.
    Neg,
}

/// An operator with two operands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `or`, stopping at the first true operand.
    Or,
    /// `and`, stopping at the first false operand.
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `x in LIST`
    In,
    /// `x not in LIST`
    NotIn,
    /// `optional ?? default`: the default when the field is missing.
    Coalesce,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`, always an exact decimal.
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

    /// Whether the operator compares (`==` through `not in`): its operands do not chain.
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
    /// The `let` items, in file order.
    pub fn lets(&self) -> impl Iterator<Item = &Let> {
        self.items.iter().filter_map(|i| match i {
            Item::Let(l) => Some(l),
            _ => None,
        })
    }

    /// The params, in file order.
    pub fn params(&self) -> impl Iterator<Item = &Param> {
        self.items.iter().filter_map(|i| match i {
            Item::Param(p) => Some(p),
            _ => None,
        })
    }

    /// The rules, in file order.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.items.iter().filter_map(|i| match i {
            Item::Rule(r) => Some(r.as_ref()),
            _ => None,
        })
    }

    /// The tests, in file order.
    pub fn tests(&self) -> impl Iterator<Item = &Test> {
        self.items.iter().filter_map(|i| match i {
            Item::Test(t) => Some(t),
            _ => None,
        })
    }
}
