//! Evaluation of checked expressions over a row of slot values.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::check::{ArithOp, Builtin, CompareOp, Expr, ExprKind};
use crate::span::Span;
use crate::value::{arith as decimal, Decimal, Type, Value};

/// A runtime error (overflow, division by zero), located in the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    pub message: String,
    pub span: Span,
}

fn err<T>(span: Span, message: impl Into<String>) -> Result<T, EvalError> {
    Err(EvalError {
        message: message.into(),
        span,
    })
}

/// Evaluates an expression that uses no record fields.
pub fn const_eval(e: &Expr) -> Result<Value, EvalError> {
    eval(e, &[])
}

/// Evaluates `e` against the record `row`. The checker guarantees the types; a
/// mismatch here is reported as an error, never a panic.
pub fn eval(e: &Expr, row: &[Value]) -> Result<Value, EvalError> {
    eval_traced(e, row, &mut |_, _| {})
}

/// Like [`eval`], calling `trace` with every sub-expression evaluated and its value
/// (sub-expressions skipped by `and`/`or` are not evaluated, so not traced).
pub fn eval_traced<F: FnMut(&Expr, &Value)>(
    e: &Expr,
    row: &[Value],
    trace: &mut F,
) -> Result<Value, EvalError> {
    let value = eval_node(e, row, trace)?;
    trace(e, &value);
    Ok(value)
}

fn eval_node<F: FnMut(&Expr, &Value)>(
    e: &Expr,
    row: &[Value],
    trace: &mut F,
) -> Result<Value, EvalError> {
    let span = e.span;
    Ok(match &e.kind {
        ExprKind::Const(v) => v.clone(),
        ExprKind::Field(slot) => row.get(*slot).cloned().unwrap_or(Value::Missing),
        ExprKind::List(items) => {
            let values = items
                .iter()
                .map(|i| eval_traced(i, row, trace))
                .collect::<Result<Vec<_>, _>>()?;
            Value::List(Arc::from(values))
        }
        ExprKind::Has(slot) => Value::Bool(!matches!(row.get(*slot), None | Some(Value::Missing))),
        ExprKind::Not(x) => Value::Bool(!truth_traced(x, row, trace)?),
        ExprKind::And(a, b) => {
            Value::Bool(truth_traced(a, row, trace)? && truth_traced(b, row, trace)?)
        }
        ExprKind::Or(a, b) => {
            Value::Bool(truth_traced(a, row, trace)? || truth_traced(b, row, trace)?)
        }
        ExprKind::Neg(x) => match eval_traced(x, row, trace)? {
            Value::Int(i) => match i.checked_neg() {
                Some(n) => Value::Int(n),
                None => return err(span, format!("-({i}) is out of the int range")),
            },
            Value::Decimal(d) => Value::Decimal(-d),
            Value::Percent(p) => Value::Percent(-p),
            other => return err(span, format!("cannot negate {other:?}")),
        },
        ExprKind::Compare(op, a, b) => {
            let (a, b) = (eval_traced(a, row, trace)?, eval_traced(b, row, trace)?);
            let result = match op {
                CompareOp::Eq => equal(&a, &b),
                CompareOp::Ne => !equal(&a, &b),
                _ => {
                    let Some(ord) = order(&a, &b) else {
                        return err(span, "these values cannot be ordered");
                    };
                    match op {
                        CompareOp::Lt => ord == Ordering::Less,
                        CompareOp::Le => ord != Ordering::Greater,
                        CompareOp::Gt => ord == Ordering::Greater,
                        _ => ord != Ordering::Less,
                    }
                }
            };
            Value::Bool(result)
        }
        ExprKind::In {
            needle,
            list,
            negated,
        } => {
            let needle = eval_traced(needle, row, trace)?;
            let found = match eval_traced(list, row, trace)? {
                Value::List(items) => items.iter().any(|i| equal(i, &needle)),
                Value::Missing => false,
                _ => return err(span, "`in` needs a list"),
            };
            Value::Bool(found != *negated)
        }
        ExprKind::Arith(op, a, b) => arith(
            *op,
            eval_traced(a, row, trace)?,
            eval_traced(b, row, trace)?,
            span,
        )?,
        ExprKind::Coalesce(a, b) => match eval_traced(a, row, trace)? {
            Value::Missing => eval_traced(b, row, trace)?,
            v => v,
        },
        ExprKind::Call(f, args) => {
            let values = args
                .iter()
                .map(|a| eval_traced(a, row, trace))
                .collect::<Result<Vec<_>, _>>()?;
            call(*f, &values, span)?
        }
    })
}

/// Evaluates a condition; the checker made sure it is `bool`.
pub fn truth(e: &Expr, row: &[Value]) -> Result<bool, EvalError> {
    truth_traced(e, row, &mut |_, _| {})
}

/// Like [`truth`], tracing as [`eval_traced`] does.
pub fn truth_traced<F: FnMut(&Expr, &Value)>(
    e: &Expr,
    row: &[Value],
    trace: &mut F,
) -> Result<bool, EvalError> {
    match eval_traced(e, row, trace)? {
        Value::Bool(b) => Ok(b),
        Value::Missing => err(e.span, "a value needed here is missing"),
        _ => err(e.span, "expected true or false"),
    }
}

fn as_decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::Int(i) => Some(Decimal::from(*i)),
        Value::Decimal(d) => Some(*d),
        _ => None,
    }
}

/// Equality with `int` and `decimal` mixing.
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(_), Value::Decimal(_)) | (Value::Decimal(_), Value::Int(_)) => {
            as_decimal(a) == as_decimal(b)
        }
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| equal(p, q))
        }
        _ => a == b,
    }
}

/// Order of two values of one ordered type (numbers mix).
pub fn order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Percent(x), Value::Percent(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Text(x), Value::Text(y)) => Some(x.cmp(y)),
        (Value::Enum(x), Value::Enum(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => Some(as_decimal(a)?.cmp(&as_decimal(b)?)),
    }
}

fn arith(op: ArithOp, a: Value, b: Value, span: Span) -> Result<Value, EvalError> {
    use Value::*;
    let symbol = match op {
        ArithOp::Add => "+",
        ArithOp::Sub => "-",
        ArithOp::Mul => "*",
        ArithOp::Div => "/",
    };
    let overflow = |kind: &str| -> Result<Value, EvalError> {
        err(
            span,
            format!(
                "{} {symbol} {} is out of the {kind} range",
                show(&a),
                show(&b)
            ),
        )
    };
    if op == ArithOp::Div {
        let zero = match &b {
            Int(0) => true,
            Decimal(d) | Percent(d) => d.is_zero(),
            _ => false,
        };
        if zero {
            return err(
                span,
                format!("division by zero: {} / {}", show(&a), show(&b)),
            );
        }
    }
    let dec = |x: Option<rust_decimal::Decimal>| x.map(Value::Decimal);
    let result = match (op, &a, &b) {
        (ArithOp::Add, Int(x), Int(y)) => x.checked_add(*y).map(Int),
        (ArithOp::Sub, Int(x), Int(y)) => x.checked_sub(*y).map(Int),
        (ArithOp::Mul, Int(x), Int(y)) => x.checked_mul(*y).map(Int),
        (ArithOp::Add | ArithOp::Sub, Percent(x), Percent(y)) => {
            let r = if op == ArithOp::Add {
                decimal::add(*x, *y)
            } else {
                decimal::sub(*x, *y)
            };
            r.map(Percent)
        }
        (ArithOp::Sub, Date(x), Date(y)) => Some(Int(x.signed_duration_since(*y).num_days())),
        (ArithOp::Add | ArithOp::Sub, Date(d), Int(n)) | (ArithOp::Add, Int(n), Date(d)) => {
            let n = if op == ArithOp::Sub {
                n.checked_neg()
            } else {
                Some(*n)
            };
            n.and_then(|n| {
                let days = chrono::Days::new(n.unsigned_abs());
                if n >= 0 {
                    d.checked_add_days(days)
                } else {
                    d.checked_sub_days(days)
                }
            })
            .map(Date)
        }
        (ArithOp::Mul, Percent(p), n) | (ArithOp::Mul, n, Percent(p)) => {
            dec(as_decimal(n).and_then(|n| decimal::percent_of(*p, n)))
        }
        (ArithOp::Div, Percent(p), Percent(q)) => dec(decimal::div(*p, *q)),
        (ArithOp::Div, Percent(p), n) => {
            as_decimal(n).and_then(|n| decimal::div(*p, n)).map(Percent)
        }
        (_, x, y) => {
            let (Some(x), Some(y)) = (as_decimal(x), as_decimal(y)) else {
                return err(span, format!("`{symbol}` cannot combine these values"));
            };
            dec(match op {
                ArithOp::Add => decimal::add(x, y),
                ArithOp::Sub => decimal::sub(x, y),
                ArithOp::Mul => decimal::mul(x, y),
                ArithOp::Div => decimal::div(x, y),
            })
        }
    };
    match result {
        Some(v) => Ok(v),
        None => match (&a, &b) {
            (Int(_), Int(_)) => overflow("int"),
            (Date(_), _) | (_, Date(_)) => overflow("date"),
            _ => overflow("decimal"),
        },
    }
}

fn call(f: Builtin, args: &[Value], span: Span) -> Result<Value, EvalError> {
    use Value::*;
    let text_pair = |g: fn(&str, &str) -> bool| match (&args[0], &args[1]) {
        (Text(a), Text(b)) => Ok(Bool(g(a, b))),
        _ => err(span, "expected two texts"),
    };
    match (f, args) {
        (Builtin::Len, [Text(t)]) => Ok(Int(t.chars().count() as i64)),
        (Builtin::Len, [List(l)]) => Ok(Int(l.len() as i64)),
        (Builtin::Lower, [Text(t)]) => Ok(Value::text(&t.to_lowercase())),
        (Builtin::Upper, [Text(t)]) => Ok(Value::text(&t.to_uppercase())),
        (Builtin::Contains, [_, _]) => text_pair(|a, b| a.contains(b)),
        (Builtin::StartsWith, [_, _]) => text_pair(|a, b| a.starts_with(b)),
        (Builtin::EndsWith, [_, _]) => text_pair(|a, b| a.ends_with(b)),
        (Builtin::Min | Builtin::Max, [a, b]) => {
            let Some(ord) = order(a, b) else {
                return err(span, "these values cannot be ordered");
            };
            let pick_a = (ord != Ordering::Greater) == (f == Builtin::Min);
            let v = if pick_a { a } else { b };
            // int and decimal mixed give a decimal
            Ok(match (a, b, v) {
                (Int(_), Decimal(_), Int(i)) | (Decimal(_), Int(_), Int(i)) => Decimal((*i).into()),
                _ => v.clone(),
            })
        }
        (Builtin::Abs, [Int(i)]) => match i.checked_abs() {
            Some(n) => Ok(Int(n)),
            None => err(span, format!("abs({i}) is out of the int range")),
        },
        (Builtin::Abs, [Decimal(d)]) => Ok(Decimal(d.abs())),
        (Builtin::Abs, [Percent(p)]) => Ok(Percent(p.abs())),
        (Builtin::Round, [x, Int(places)]) => {
            let Some(x) = as_decimal(x) else {
                return err(span, "round needs a number");
            };
            if !(0..=i64::from(decimal::MAX_PLACES)).contains(places) {
                return err(
                    span,
                    format!("round to {places} places: the places must be from 0 to 28"),
                );
            }
            Ok(Decimal(decimal::round(x, *places as u32)))
        }
        _ => err(span, format!("`{}` cannot take these arguments", f.name())),
    }
}

/// A value for an error message, without type context.
fn show(v: &Value) -> String {
    let ty = match v {
        Value::Percent(_) => Type::Percent,
        _ => Type::Error,
    };
    v.display(&ty, &[]).to_string()
}
