//! `param` items and the values a run gives them (`--set NAME=VALUE`, the API, a
//! test's `set`), and `today`.

use super::Checker;
use crate::ast;
use crate::diagnostics::{did_you_mean, Code, Diagnostic};
use crate::ir::Constant;
use crate::span::Span;
use crate::value::{Date, Type, Value};

/// The values a run gives a policy's params and `today`: what `--set NAME=VALUE` says.
/// Text is read as a literal of the param's type when the policy is compiled
/// (`25%`, `500_000`, `2026-02-01`, `true`; a `text` param takes the text as it is).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    values: Vec<(String, Given)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Given {
    Text(String),
    Value(Value),
}

impl Params {
    /// No values: params take their defaults, and `today` is the day of the run.
    pub fn new() -> Params {
        Params::default()
    }

    /// Sets `name` (a param, or `today`) from text, as `--set name=text` does. A later
    /// value for the same name replaces an earlier one.
    pub fn set(&mut self, name: impl Into<String>, text: impl Into<String>) -> &mut Params {
        self.put(name.into(), Given::Text(text.into()));
        self
    }

    /// Sets `name` to a value already of the param's type (a test's `set`).
    pub fn set_value(&mut self, name: impl Into<String>, value: Value) -> &mut Params {
        self.put(name.into(), Given::Value(value));
        self
    }

    /// Reads `NAME=VALUE`, as the command line writes it.
    pub fn set_pair(&mut self, pair: &str) -> Result<&mut Params, String> {
        match pair.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => {
                Ok(self.set(name.trim(), value.trim()))
            }
            _ => Err(format!(
                "`{pair}` is not `NAME=VALUE`, such as `cap=500_000`"
            )),
        }
    }

    /// Only the value given for `name`, if any.
    pub fn only(&self, name: &str) -> Params {
        Params {
            values: self
                .values
                .iter()
                .filter(|(n, _)| n == name)
                .cloned()
                .collect(),
        }
    }

    /// Whether no value is given.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// These values with `other`'s on top.
    pub fn overlaid(&self, other: &Params) -> Params {
        let mut out = self.clone();
        for (name, given) in &other.values {
            out.put(name.clone(), given.clone());
        }
        out
    }

    fn put(&mut self, name: String, given: Given) {
        self.values.retain(|(n, _)| *n != name);
        self.values.push((name, given));
    }

    fn get(&self, name: &str) -> Option<&Given> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, g)| g)
    }
}

/// The problems of `given` for a policy checked without binding: names that are not
/// params (nor `today`) and values that are not literals of their param's type. A param
/// left unset is not a problem here (a test may set it).
pub fn validate(policy: &crate::ir::CheckedPolicy, given: &Params) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let names = settable(&policy.constants);
    for (name, value) in &given.values {
        let Given::Text(text) = value else {
            continue;
        };
        let param = policy.constants.iter().find(|c| c.param && &c.name == name);
        let (ty, span) = match param {
            Some(c) => (c.ty.clone(), c.span),
            None if name == "today" => (Type::Date, Span::default()),
            None => {
                errors.push(unknown_param(name, &names));
                continue;
            }
        };
        if from_text(text, &ty).is_none() {
            errors.push(not_of_type(name, &ty, text, span));
        }
    }
    errors
}

/// How a policy is checked: with its params bound to values (to run it), or with
/// them unknown (for `check`, lints and editors: no value is assumed).
#[derive(Debug, Clone, Copy)]
pub enum Binding<'a> {
    /// Params and `today` are unknown.
    Unbound,
    /// Params take these values, else their defaults; `today` is this value, else the
    /// day of the run.
    Bound(&'a Params),
}

/// The types a param may have.
fn param_type(t: &ast::TypeExpr) -> Option<Type> {
    if t.optional {
        return None;
    }
    match &t.kind {
        ast::TypeExprKind::Named(n) => match n.node.as_str() {
            "bool" => Some(Type::Bool),
            "int" => Some(Type::Int),
            "decimal" => Some(Type::Decimal),
            "percent" => Some(Type::Percent),
            "text" => Some(Type::Text),
            "date" => Some(Type::Date),
            _ => None,
        },
        _ => None,
    }
}

/// The value of a literal written for a param or in a test's `set`: a literal of the
/// type (an int is also a decimal; `-` before a number is part of it).
pub(super) fn literal_value(e: &ast::Expr, ty: &Type) -> Option<Value> {
    use ast::ExprKind as K;
    let negate = |v: Value| match v {
        Value::Int(i) => i.checked_neg().map(Value::Int),
        Value::Decimal(d) => Some(Value::Decimal(-d)),
        Value::Percent(p) => Some(Value::Percent(-p)),
        _ => None,
    };
    let v = match (&e.kind, ty) {
        (K::Bool(b), Type::Bool) => Value::Bool(*b),
        (K::Int(i), Type::Int) => Value::Int(*i),
        (K::Int(i), Type::Decimal) => Value::Decimal((*i).into()),
        (K::Decimal(d), Type::Decimal) => Value::Decimal(*d),
        (K::Percent(p), Type::Percent) => Value::Percent(*p),
        (K::Text(t), Type::Text) => Value::text(t),
        (K::Date(d), Type::Date) => Value::Date(*d),
        (K::Unary { op, operand }, _) if op.node == ast::UnaryOp::Neg => {
            return negate(literal_value(operand, ty)?)
        }
        _ => return None,
    };
    Some(v)
}

/// A literal of `ty` as an example, for help texts.
fn example(ty: &Type) -> &'static str {
    match ty {
        Type::Bool => "true",
        Type::Int => "400_000",
        Type::Decimal => "1.5",
        Type::Percent => "25%",
        Type::Date => "2026-01-29",
        _ => "Alpha",
    }
}

/// Reads `text` as a value of `ty`, as `--set` gives it.
fn from_text(text: &str, ty: &Type) -> Option<Value> {
    if *ty == Type::Text {
        return Some(Value::text(text));
    }
    let e = crate::syntax::parse_expr(text).ok()?;
    literal_value(&e, ty)
}

impl Checker<'_> {
    /// Checks the `param` items, giving each the value the binding says; then checks
    /// that the binding names only params (and `today`).
    pub(super) fn params(&mut self, policy: &ast::Policy) {
        for p in policy.params() {
            self.param_item(p);
        }
        let Binding::Bound(given) = self.binding else {
            return;
        };
        let given = given.clone();
        for (name, value) in &given.values {
            if name == "today" {
                self.today = Some(self.today_value(value));
                continue;
            }
            if !self.constants.iter().any(|c| c.param && &c.name == name) {
                let d = unknown_param(name, &self.settable_names());
                self.errors.push(d);
            }
        }
    }

    /// `today` for a bound run: as given, else the day of the run (UTC).
    fn today_value(&mut self, given: &Given) -> Date {
        let value = match given {
            Given::Value(Value::Date(d)) => Some(*d),
            Given::Text(t) => crate::value::parse_date(t),
            Given::Value(_) => None,
        };
        value.unwrap_or_else(|| {
            let shown = match given {
                Given::Text(t) => t.clone(),
                Given::Value(v) => format!("{v:?}"),
            };
            self.errors.push(
                Diagnostic::error(
                    Code::ParamValue,
                    format!("`today` is a date, and `{shown}` is not one"),
                    Span::default(),
                    "",
                )
                .with_help("write the day as `YYYY-MM-DD`, e.g. `--set today=2026-01-29`"),
            );
            Date::default()
        })
    }

    fn param_item(&mut self, p: &ast::Param) {
        let name = &p.name.node;
        if !self.name_is_free(name, p.name.span) {
            return;
        }
        let Some(ty) = param_type(&p.ty) else {
            self.errors.push(
                Diagnostic::error(
                    Code::ParamType,
                    format!("the param `{name}` must have a plain type"),
                    p.ty.span,
                    "not a plain type",
                )
                .with_help("a param is a `bool`, `int`, `decimal`, `percent`, `text` or `date`"),
            );
            return;
        };
        let default = p.default.as_ref().and_then(|d| {
            let v = literal_value(d, &ty);
            if v.is_none() {
                self.errors.push(
                    Diagnostic::error(
                        Code::ParamValue,
                        format!("the default of `{name}` must be a literal of type `{ty}`"),
                        d.span,
                        "not a literal of the param's type",
                    )
                    .with_help(format!("write a value, such as `{}`", example(&ty))),
                );
            }
            v
        });
        let value = match self.binding {
            Binding::Unbound => None,
            Binding::Bound(given) => match given.get(name) {
                Some(Given::Value(v)) => Some(v.clone()),
                Some(Given::Text(t)) => match from_text(t, &ty) {
                    Some(v) => Some(v),
                    None => {
                        self.errors.push(not_of_type(name, &ty, t, p.name.span));
                        None
                    }
                },
                None if default.is_some() => default.clone(),
                None => {
                    self.errors.push(
                        Diagnostic::error(
                            Code::ParamMissing,
                            format!("the param `{name}` has no default and was not set"),
                            p.name.span,
                            "needs a value",
                        )
                        .with_help(format!(
                            "set it for the run with `--set {name}={}`, or give it a default: `param {name}: {ty} = ...`",
                            example(&ty)
                        )),
                    );
                    None
                }
            },
        };
        // A param without a value is still declared (as unknown), so that its uses
        // are not reported as unknown names too.
        self.constants.push(Constant {
            name: name.clone(),
            ty,
            known: value.is_some(),
            value: value.unwrap_or(Value::Missing),
            span: p.name.span,
            used: false,
            param: true,
        });
    }

    /// What a run or a test may set: the params, in file order, and `today`.
    pub(super) fn settable_names(&self) -> Vec<&str> {
        settable(&self.constants)
    }

    /// Whether `name` is free for a new constant; reports why not.
    pub(super) fn name_is_free(&mut self, name: &str, span: Span) -> bool {
        if let Some(slot) = self.schema.slot(name) {
            self.errors.push(
                Diagnostic::error(
                    Code::LetShadowsField,
                    format!("`{name}` is already a field of the schema"),
                    span,
                    "this constant",
                )
                .with_label(self.schema.fields[slot].span, "the field")
                .with_help("give the constant another name"),
            );
            return false;
        }
        if let Some(first) = self.constants.iter().find(|c| c.name == name) {
            self.errors.push(
                Diagnostic::error(
                    Code::DuplicateLet,
                    format!("`{name}` is already defined"),
                    span,
                    "defined again here",
                )
                .with_label(first.span, "first defined here")
                .with_help("a constant is defined once; rename one of them"),
            );
            return false;
        }
        true
    }
}

/// The names a run or a test may set: the params among `constants`, and `today`.
fn settable(constants: &[Constant]) -> Vec<&str> {
    let params = constants.iter().filter(|c| c.param);
    params.map(|c| c.name.as_str()).chain(["today"]).collect()
}

/// `--set NAME=…` (or the API) names no param; `names` are those it may set.
fn unknown_param(name: &str, names: &[&str]) -> Diagnostic {
    let d = Diagnostic::error(
        Code::ParamUnknown,
        format!("there is no param `{name}` to set"),
        Span::default(),
        "",
    );
    match did_you_mean(name, names.iter().copied()) {
        Some(g) => d.with_help(format!("did you mean `{g}`?")),
        None => d.with_help(format!(
            "the policy's params are {}",
            crate::diagnostics::all_of(names)
        )),
    }
}

/// `text`, given for the param `name`, is not a literal of its type.
fn not_of_type(name: &str, ty: &Type, text: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ParamValue,
        format!(
            "the param `{name}` is {}, and `{text}` is not one",
            article(ty)
        ),
        span,
        format!("this param is `{ty}`"),
    )
    .with_help(format!(
        "write it as a literal, e.g. `--set {name}={}`",
        example(ty)
    ))
}

/// `an int`, `a date`: a type with its article.
fn article(ty: &Type) -> String {
    match ty {
        Type::Int => "an `int`".into(),
        other => format!("a `{other}`"),
    }
}
