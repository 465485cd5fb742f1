//! The checked form of a policy: names resolved to slots and constants, enum
//! values to small integers, every expression typed. [`crate::check`] produces it;
//! [`crate::semantics`] defines what it means and [`crate::eval`] compiles and runs it.

use std::collections::HashMap;

use crate::outcome::{Decision, Verdict};
use crate::span::Span;
use crate::value::{EnumType, Type, Value};

/// A checked policy, ready to evaluate.
#[derive(Debug, Clone)]
pub struct CheckedPolicy {
    pub name: String,
    pub default: Decision,
    pub schema: Schema,
    /// `param` constants (first, in file order), then `let` constants in file order,
    /// with their values for this run.
    pub constants: Vec<Constant>,
    pub rules: Vec<Rule>,
    pub tests: Vec<Test>,
    /// The day of the run when the policy uses `today` (`None` when it does not, or
    /// when the policy was checked without binding its params).
    pub today: Option<crate::value::Date>,
    /// Whether any rule, constant or test uses `today`.
    pub uses_today: bool,
}

impl CheckedPolicy {
    /// Whether any rule allocates with `limit`.
    pub fn has_limits(&self) -> bool {
        self.rules
            .iter()
            .any(|r| matches!(r.kind, RuleKind::Limit(_)))
    }
}

/// The record schema: one slot per field.
#[derive(Debug, Clone)]
pub struct Schema {
    pub fields: Vec<Field>,
    pub enums: Vec<EnumType>,
    /// Field name → slot, for decoders (resolved once per input, not per record).
    pub slots: HashMap<String, usize>,
    /// The slots in the byte order of their field names: a decoder of maps whose keys come
    /// sorted (a `serde_json::Map`) matches them in one merge, without hashing.
    pub by_name: Vec<usize>,
    /// The `id` field's slot, when the schema has one: it labels results.
    pub id: Option<usize>,
    /// The `action` and `item` enum fields, when declared.
    pub action: Option<usize>,
    pub item: Option<usize>,
}

impl Schema {
    pub fn slot(&self, name: &str) -> Option<usize> {
        self.slots.get(name).copied()
    }

    /// The first required field whose type passes `fits`, to name in a help text:
    /// suggestions come from the author's own schema, never from a sample policy.
    pub fn example_field(&self, fits: impl Fn(&Type) -> bool) -> Option<&str> {
        let special = [self.id, self.action, self.item];
        let fitting = || self.fields.iter().enumerate().filter(|(_, f)| fits(&f.ty));
        fitting()
            .find(|(slot, f)| !f.optional && !special.contains(&Some(*slot)))
            .or_else(|| fitting().next())
            .map(|(_, f)| f.name.as_str())
    }
}

/// One field of the schema.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub ty: Type,
    pub optional: bool,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Constant {
    pub name: String,
    pub ty: Type,
    pub value: Value,
    pub span: Span,
    /// Whether any rule, test, cap or later constant refers to it.
    pub used: bool,
    /// A `param` (set from outside the file), not a `let`.
    pub param: bool,
    /// Whether its value is known: always, except for params (and constants computed
    /// from them) when a policy is checked without binding them (for `check` and lints).
    pub known: bool,
}

/// A checked rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    pub name_span: Span,
    pub span: Span,
    pub verdict: Verdict,
    pub scope: Option<Scope>,
    pub kind: RuleKind,
    pub because: Option<Template>,
    /// The condition as written (canonical form), for generated reasons.
    pub condition_text: Option<String>,
    /// The scope as written, e.g. `import H200`.
    pub scope_text: Option<String>,
    /// Fields the condition reads, shown with their values in generated reasons.
    pub shown_fields: Vec<usize>,
    /// The named constants and params the condition mentions, with their values as
    /// a generated reason shows them: `25%`, or `min_eu is 25%, cap is 400000`.
    pub shown_constants: Option<String>,
}

#[derive(Debug, Clone)]
pub enum RuleKind {
    /// Fires when the condition is false (`require`).
    Require(Expr),
    /// Fires when the condition is true, or always when there is none.
    When(Option<Expr>),
    /// Allocation across the batch.
    Limit(Limit),
}

/// `ACTION [ITEMS]` as enum indices; `items` empty means any item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub action: u32,
    pub items: Vec<u32>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Limit {
    /// The cap, evaluated at check time (an `int` or `decimal`).
    pub cap: Value,
    /// The quantity field; `None` for `records`.
    pub quantity: Option<usize>,
    pub per: Option<usize>,
    pub order_by: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Template {
    pub parts: Vec<TemplatePart>,
}

#[derive(Debug, Clone)]
pub enum TemplatePart {
    Text(String),
    Expr(Expr),
    /// `{limit.remaining}` and the like, in a `limit` rule's `because`: filled in by
    /// the allocation.
    Fact(LimitFact),
}

/// A fact of a `limit` about one record that a `because` can show (docs/language.md,
/// "Allocation facts").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitFact {
    /// What remained of the cap (of the group's) at the record's turn.
    Remaining,
    /// The cap.
    Cap,
    /// The record's quantity.
    Quantity,
    /// The record's group (`per`).
    Group,
    /// The record's place in the order: `3rd`.
    Place,
}

impl LimitFact {
    /// Every fact, in the order messages list them.
    pub const ALL: [LimitFact; 5] = [
        LimitFact::Remaining,
        LimitFact::Cap,
        LimitFact::Quantity,
        LimitFact::Group,
        LimitFact::Place,
    ];

    /// The name after `limit.`.
    pub fn name(self) -> &'static str {
        match self {
            LimitFact::Remaining => "remaining",
            LimitFact::Cap => "cap",
            LimitFact::Quantity => "quantity",
            LimitFact::Group => "group",
            LimitFact::Place => "place",
        }
    }

    /// The fact named `name`, if any.
    pub fn parse(name: &str) -> Option<LimitFact> {
        LimitFact::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// A typed expression over slots.
#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Type,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    Const(Value),
    Field(usize),
    List(Vec<Expr>),
    Has(usize),
    /// A param, `today`, or a constant computed from them, in a policy checked without
    /// binding them: a value fixed for each run, unknown now. Never evaluated.
    Unknown,
    Not(Box<Expr>),
    Neg(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(CompareOp, Box<Expr>, Box<Expr>),
    In {
        needle: Box<Expr>,
        list: Box<Expr>,
        negated: bool,
    },
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `field ?? default`
    Coalesce(Box<Expr>, Box<Expr>),
    Call(Builtin, Vec<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    /// The same comparison with its operands swapped: `a < b` is `b > a`.
    pub fn flip(self) -> CompareOp {
        match self {
            CompareOp::Lt => CompareOp::Gt,
            CompareOp::Le => CompareOp::Ge,
            CompareOp::Gt => CompareOp::Lt,
            CompareOp::Ge => CompareOp::Le,
            o => o,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    Len,
    Lower,
    Upper,
    Contains,
    StartsWith,
    EndsWith,
    Min,
    Max,
    Abs,
    Round,
}

impl Builtin {
    pub const ALL: [(&'static str, Builtin); 10] = [
        ("len", Builtin::Len),
        ("lower", Builtin::Lower),
        ("upper", Builtin::Upper),
        ("contains", Builtin::Contains),
        ("starts_with", Builtin::StartsWith),
        ("ends_with", Builtin::EndsWith),
        ("min", Builtin::Min),
        ("max", Builtin::Max),
        ("abs", Builtin::Abs),
        ("round", Builtin::Round),
    ];

    pub fn name(self) -> &'static str {
        Builtin::ALL
            .iter()
            .find(|(_, b)| *b == self)
            .map_or("?", |(n, _)| n)
    }

    pub fn signature(self) -> &'static str {
        match self {
            Builtin::Len => "len(text | list) -> int",
            Builtin::Lower => "lower(text) -> text",
            Builtin::Upper => "upper(text) -> text",
            Builtin::Contains => "contains(text, text) -> bool",
            Builtin::StartsWith => "starts_with(text, text) -> bool",
            Builtin::EndsWith => "ends_with(text, text) -> bool",
            Builtin::Min => "min(a, b): two values of one orderable type",
            Builtin::Max => "max(a, b): two values of one orderable type",
            Builtin::Abs => "abs(number) -> number",
            Builtin::Round => "round(decimal, int) -> decimal",
        }
    }
}

/// A checked test block.
#[derive(Debug, Clone)]
pub struct Test {
    pub name: String,
    pub span: Span,
    pub expect_span: Span,
    /// One row of slot values per record of `given`.
    pub records: Vec<Vec<Value>>,
    /// `set NAME = LITERAL, ...`: the params and `today` this test runs with.
    pub set: Vec<(String, Value)>,
    pub expect: Vec<ExpectedOutcome>,
}

#[derive(Debug, Clone)]
pub struct ExpectedOutcome {
    pub decision: Decision,
    /// Rule indices that must have fired.
    pub by: Vec<usize>,
    pub span: Span,
}

impl Expr {
    /// Whether the expression depends on a value not known when it was checked.
    pub fn has_unknown(&self) -> bool {
        match &self.kind {
            ExprKind::Unknown => true,
            ExprKind::Const(_) | ExprKind::Field(_) | ExprKind::Has(_) => false,
            ExprKind::List(items) | ExprKind::Call(_, items) => items.iter().any(Expr::has_unknown),
            ExprKind::Not(x) | ExprKind::Neg(x) => x.has_unknown(),
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Compare(_, a, b)
            | ExprKind::Arith(_, a, b)
            | ExprKind::Coalesce(a, b) => a.has_unknown() || b.has_unknown(),
            ExprKind::In { needle, list, .. } => needle.has_unknown() || list.has_unknown(),
        }
    }
}
