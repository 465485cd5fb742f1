//! Operations on values: the one definition of equality, ordering, comparison,
//! arithmetic (with its overflow rules) and the built-in functions.

use std::cmp::Ordering;

use super::decimal;
use super::{err, EvalError};
use crate::ir::{ArithOp, Builtin, CompareOp};
use crate::span::Span;
use crate::value::{Decimal, Type, Value};

/// A number as a decimal: `int` and `decimal` mix in comparisons and arithmetic.
pub fn as_decimal(v: &Value) -> Option<Decimal> {
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

/// The orderings a comparison accepts, as bits: less 1, equal 2, greater 4. The one
/// definition of what `<`, `<=`, `==`, `!=`, `>` and `>=` mean on an ordering, kept as
/// a mask so that the compiled program tests it without a branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepts(u8);

impl Accepts {
    /// What `op` accepts.
    pub const fn of(op: CompareOp) -> Accepts {
        Accepts(match op {
            CompareOp::Lt => 0b001,
            CompareOp::Le => 0b011,
            CompareOp::Eq => 0b010,
            CompareOp::Ne => 0b101,
            CompareOp::Gt => 0b100,
            CompareOp::Ge => 0b110,
        })
    }

    /// Whether two values in this order satisfy the comparison.
    #[inline]
    pub fn ordering(self, ord: Ordering) -> bool {
        self.0 & (1 << (ord as i8 + 1)) != 0
    }
}

impl CompareOp {
    /// Whether two values in the order `ord` satisfy this comparison.
    #[inline]
    pub fn accepts(self, ord: Ordering) -> bool {
        Accepts::of(self).ordering(ord)
    }
}

/// `a OP b`: equality for `==`/`!=`, else ordering; `None` for values with no order.
pub fn compare(op: CompareOp, a: &Value, b: &Value) -> Option<bool> {
    match op {
        CompareOp::Eq => Some(equal(a, b)),
        CompareOp::Ne => Some(!equal(a, b)),
        _ => order(a, b).map(|o| op.accepts(o)),
    }
}

/// How far apart two ordered values are, `a - b`, with the unit of the difference
/// (`" points"` for percents, `" days"` for dates); `None` out of the decimal range.
pub fn gap(a: &Value, b: &Value) -> Option<(Decimal, &'static str)> {
    match (a, b) {
        (Value::Percent(x), Value::Percent(y)) => Some((decimal::sub(*x, *y)?, " points")),
        (Value::Date(x), Value::Date(y)) => Some((
            Decimal::from(x.signed_duration_since(*y).num_days()),
            " days",
        )),
        _ => Some((decimal::sub(as_decimal(a)?, as_decimal(b)?)?, "")),
    }
}

/// `a OP b` for arithmetic, with the language's overflow and division rules.
pub fn arith(op: ArithOp, a: Value, b: Value, span: Span) -> Result<Value, EvalError> {
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

/// A built-in function applied to its arguments.
pub fn call(f: Builtin, args: &[Value], span: Span) -> Result<Value, EvalError> {
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
