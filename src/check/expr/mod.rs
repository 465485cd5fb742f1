//! Typing of expressions: names resolved, operators checked against the typing rules
//! of docs/language.md ("Operators").
//!
//! `names.rs`: fields, constants, enum values and `has`; `list.rs`: list literals;
//! `operators.rs`: `not`, `-`, `and`, `or` and the dispatch of binary operators;
//! `compare.rs`: comparisons and `in`; `arith.rs`: arithmetic and `??`; `call.rs`: functions.

mod arith;
mod call;
mod compare;
mod list;
mod names;
mod operators;

use crate::ast::{self, BinaryOp};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Constant, Expr, ExprKind, Schema};
use crate::span::Span;
use crate::value::{Type, Value};

/// Whether record fields may appear, and if not, where we are (for the message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fields {
    Allowed,
    /// In a `let`, a `limit` cap or a test record: constants only.
    Forbidden(Place),
}

/// A place whose value is the same for every record, so record fields are forbidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// The value of a `let`.
    Let,
    /// The cap of a `limit`.
    LimitCap,
    /// A field value in a `test` record.
    TestRecord,
}

impl Place {
    /// The place as a message names it: "`{words}` cannot use the record field ...".
    fn words(self) -> &'static str {
        match self {
            Place::Let => "a `let`",
            Place::LimitCap => "the cap of a `limit`",
            Place::TestRecord => "a test record",
        }
    }

    /// The code of a record field used here.
    fn code(self) -> Code {
        match self {
            Place::Let => Code::FieldInLet,
            Place::LimitCap => Code::LimitUsesRecord,
            Place::TestRecord => Code::TestNotLiteral,
        }
    }

    /// What to write instead of a record field.
    fn help(self) -> String {
        let constant = match self {
            Place::Let => "a `let`",
            Place::LimitCap => "a `limit` cap",
            Place::TestRecord => return "give the value itself, such as `100_000` or `35%`".into(),
        };
        format!("{constant} is the same for every record; use only literals and earlier `let` constants")
    }
}

/// Checks expressions against a schema and the constants defined so far.
pub(super) struct ExprChecker<'a> {
    /// The checked schema.
    pub schema: &'a Schema,
    /// The constants visible here (those defined earlier).
    pub constants: &'a [Constant],
    /// Names of `let`s defined later in the file, to explain "used before defined".
    pub later_lets: &'a [(String, Span)],
    /// Whether record fields may be used here.
    pub fields: Fields,
    /// Where the errors go.
    pub errors: &'a mut Vec<Diagnostic>,
    /// Optional fields guarded by `has` on the current `and` chain.
    guarded: Vec<usize>,
    /// Constants referred to, by index (for the unused-`let` lint).
    pub used_constants: Vec<usize>,
    /// The value of `today`, when the policy is bound.
    pub today: Option<crate::value::Date>,
    /// Whether `today` was used.
    pub uses_today: bool,
}

fn error_expr(span: Span) -> Expr {
    Expr {
        kind: ExprKind::Const(Value::Missing),
        ty: Type::Error,
        span,
    }
}

impl<'a> ExprChecker<'a> {
    /// A checker with no `has` guards in force and no constants used yet.
    pub fn new(
        schema: &'a Schema,
        constants: &'a [Constant],
        later_lets: &'a [(String, Span)],
        fields: Fields,
        errors: &'a mut Vec<Diagnostic>,
    ) -> Self {
        ExprChecker {
            schema,
            constants,
            later_lets,
            fields,
            errors,
            guarded: Vec::new(),
            used_constants: Vec::new(),
            today: None,
            uses_today: false,
        }
    }

    /// Describes a type in an author's words.
    pub fn type_words(&self, ty: &Type) -> String {
        match ty {
            Type::Enum(id) => {
                match self.schema.fields.iter().find(|f| {
                    f.ty == Type::Enum(*id) || f.ty == Type::List(Box::new(Type::Enum(*id)))
                }) {
                    Some(f) => format!("a `{}` value", f.name),
                    None => "an enum value".into(),
                }
            }
            Type::List(inner) => match inner.as_ref() {
                Type::Enum(_) => format!(
                    "a list of {}s",
                    self.type_words(inner)
                        .trim_start_matches("a ")
                        .trim_start_matches("an ")
                ),
                other => format!("a list of {}", self.type_words(other)),
            },
            Type::Int => "`int`".into(),
            other => format!("`{other}`"),
        }
        .replacen("a `a", "an `a", 1)
        .replacen("a `e", "an `e", 1)
        .replacen("a `i", "an `i", 1)
        .replacen("a `o", "an `o", 1)
        .replacen("a `u", "an `u", 1)
    }

    fn label_type(&self, ty: &Type) -> String {
        format!("this is {}", self.type_words(ty))
    }

    /// A condition: must be `bool`.
    pub fn condition(&mut self, e: &ast::Expr, what: &str) -> Expr {
        let help = self.comparison_example(e);
        self.boolean(e, &format!("{what} must be true or false"), |d| {
            d.with_help(help)
        })
    }

    /// A help for a condition that is not `bool`: a comparison of the author's own
    /// field, when the condition is one.
    fn comparison_example(&self, e: &ast::Expr) -> String {
        let ast::ExprKind::Name(n) = &e.kind else {
            return "compare it with a value, e.g. with `==`, `>` or `in [...]`".into();
        };
        let Some(field) = self.schema.slot(n).map(|s| &self.schema.fields[s]) else {
            return "compare it with a value, e.g. with `==`, `>` or `in [...]`".into();
        };
        let name = &field.name;
        let example = match &field.ty {
            Type::Int | Type::Decimal => format!("{name} > 100"),
            Type::Percent => format!("{name} >= 30%"),
            Type::Date => format!("{name} < 2026-01-01"),
            Type::Text => format!("{name} == \"...\""),
            Type::Enum(id) => match self.schema.enums[*id as usize].values.first() {
                Some(v) => format!("{name} == {v}"),
                None => format!("{name} == ..."),
            },
            Type::List(_) => format!("len({name}) > 0"),
            _ => return "compare it with a value, e.g. with `==`, `>` or `in [...]`".into(),
        };
        format!("compare it with something, e.g. `{example}`")
    }

    /// Checks `e`, which must be `bool`; otherwise reports `{says}, but this is ...`,
    /// with what `more` adds to the diagnostic.
    fn boolean(
        &mut self,
        e: &ast::Expr,
        says: &str,
        more: impl FnOnce(Diagnostic) -> Diagnostic,
    ) -> Expr {
        let c = self.check(e, Some(&Type::Bool));
        if !c.ty.is_error() && c.ty != Type::Bool {
            let d = Diagnostic::error(
                Code::NotBool,
                format!("{says}, but this is {}", self.type_words(&c.ty)),
                c.span,
                self.label_type(&c.ty),
            );
            self.errors.push(more(d));
        }
        c
    }

    /// Checks an expression; `expected` gives context for bare enum values and empty lists.
    pub fn check(&mut self, e: &ast::Expr, expected: Option<&Type>) -> Expr {
        let span = e.span;
        let (kind, ty) = match &e.kind {
            ast::ExprKind::Bool(b) => (ExprKind::Const(Value::Bool(*b)), Type::Bool),
            ast::ExprKind::Int(i) => (ExprKind::Const(Value::Int(*i)), Type::Int),
            ast::ExprKind::Decimal(d) => (ExprKind::Const(Value::Decimal(*d)), Type::Decimal),
            ast::ExprKind::Percent(p) => (ExprKind::Const(Value::Percent(*p)), Type::Percent),
            ast::ExprKind::Text(t) => (ExprKind::Const(Value::text(t)), Type::Text),
            ast::ExprKind::Date(d) => (ExprKind::Const(Value::Date(*d)), Type::Date),
            ast::ExprKind::Name(n) => return self.name(n, span, expected, false),
            ast::ExprKind::Today => {
                self.uses_today = true;
                let kind = match self.today {
                    Some(d) => ExprKind::Const(Value::Date(d)),
                    None => ExprKind::Unknown,
                };
                (kind, Type::Date)
            }
            ast::ExprKind::List(items) => return self.list(items, span, expected),
            ast::ExprKind::Has(field) => return self.has(field),
            ast::ExprKind::Call { function, args } => return self.call(function, args, span),
            ast::ExprKind::Unary { op, operand } => {
                return self.unary(op.node, op.span, operand, span)
            }
            ast::ExprKind::Binary { op, lhs, rhs } => {
                return self.binary(op.node, op.span, lhs, rhs, span)
            }
        };
        Expr { kind, ty, span }
    }
}

/// A binary operator as written, with the syntax of its operands (for diagnostics
/// that quote a literal, such as "write `30%`").
struct Written<'a> {
    op: BinaryOp,
    op_span: Span,
    lhs: &'a ast::Expr,
    rhs: &'a ast::Expr,
    span: Span,
}

/// Whether values of the two types can be compared for equality.
pub(super) fn compatible(a: &Type, b: &Type) -> bool {
    match (a, b) {
        (Type::Error, _) | (_, Type::Error) => true,
        (Type::EmptyList, Type::List(_) | Type::EmptyList) | (Type::List(_), Type::EmptyList) => {
            true
        }
        (x, y) if x.is_numeric() && y.is_numeric() => true,
        (Type::List(x), Type::List(y)) => compatible(x, y),
        (x, y) => x == y,
    }
}

trait LiteralText {
    fn literal_text(&self) -> String;
}

/// "write `30%`" for a number literal used as a percent. A fraction below 1 almost
/// always means a share, so `0.3` suggests `30%`, not `0.3%`.
fn percent_help(num: &Expr) -> String {
    if let ExprKind::Const(Value::Decimal(d)) = &num.kind {
        if !d.is_zero() && d.abs() < rust_decimal::Decimal::ONE {
            let points = (*d * rust_decimal::Decimal::ONE_HUNDRED).normalize();
            return format!(
                "write the share as a percent: `{points}%` (`{d}` as a fraction is {points}%)"
            );
        }
    }
    format!("write the number as a percent: `{}%`", num.literal_text())
}

impl LiteralText for Expr {
    /// A number literal's value, for "write `30%`".
    fn literal_text(&self) -> String {
        match &self.kind {
            ExprKind::Const(Value::Int(i)) => i.to_string(),
            ExprKind::Const(Value::Decimal(d)) => d.to_string(),
            _ => String::new(),
        }
    }
}
