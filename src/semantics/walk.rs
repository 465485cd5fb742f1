//! The reference evaluator: checked expressions over a row of slot values, by
//! walking the tree. Slow but obvious; the compiled program must agree with it.

use std::sync::Arc;

use super::ops::{arith, call, compare, equal};
use super::{err, EvalError};
use crate::ir::{CompareOp, Expr, ExprKind};
use crate::value::{Decimal, Value};

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
        ExprKind::Unknown => {
            return err(span, "this value is set for each run, and none was given")
        }
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
            match compare(*op, &a, &b) {
                Some(result) => Value::Bool(result),
                None => return err(span, "these values cannot be ordered"),
            }
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

/// For a condition that is false on `row`: by how much its first failing ordering
/// comparison missed, in words (`short by 20 points`, `over by 3`). `None` when the
/// condition holds or is not a comparison (or an `and` of them).
pub fn margin(e: &Expr, row: &[Value]) -> Option<String> {
    let (word, gap, unit) = margin_parts(e, row)?;
    Some(format!("{word} by {gap}{unit}"))
}

/// The parts of [`margin`]: `short` or `over`, the gap as shown (never negative), and
/// its unit (`" points"`, `" days"` or nothing), for writing it without a `String`.
pub fn margin_parts(e: &Expr, row: &[Value]) -> Option<(&'static str, Decimal, &'static str)> {
    match &e.kind {
        ExprKind::And(a, b) => match truth(a, row).ok()? {
            false => margin_parts(a, row),
            true => margin_parts(b, row),
        },
        ExprKind::Compare(op, a, b) if !matches!(op, CompareOp::Eq | CompareOp::Ne) => {
            let (va, vb) = (eval(a, row).ok()?, eval(b, row).ok()?);
            if op.accepts(super::order(&va, &vb)?) {
                return None;
            }
            let (gap, unit) = super::gap(&va, &vb)?;
            let word = match op {
                CompareOp::Gt | CompareOp::Ge => "short",
                _ => "over",
            };
            Some((word, crate::value::plain(gap.abs()), unit))
        }
        _ => None,
    }
}
