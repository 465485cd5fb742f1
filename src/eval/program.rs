//! The compiled form of a policy's per-record rules: each condition becomes a tree of
//! closures specialised by operator and operand type, over slot indices, with constant
//! parts folded. Scopes are tested first, as small-integer compares. Running it does
//! no allocation, hashing or name lookup; the fired rules are recorded by index, and
//! their reasons are rendered only when a result is built.

use std::cmp::Ordering;
use std::fmt;

use super::expr::{const_eval, equal, order, truth, EvalError};
use crate::ast::Verdict;
use crate::check::{CompareOp, Decision, Expr, ExprKind, Rule, RuleKind, Schema};
use crate::value::{Decimal, Type, Value};

type Cond = Box<dyn Fn(&[Value]) -> Result<bool, EvalError> + Send + Sync>;

/// The per-record rules of a policy, compiled.
pub struct Program {
    rules: Vec<Compiled>,
    default: Decision,
}

impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Program({} rules)", self.rules.len())
    }
}

struct Compiled {
    rule: usize,
    verdict: Verdict,
    scope: Option<ScopeTest>,
    test: Test,
}

struct ScopeTest {
    action_slot: usize,
    action: u32,
    item_slot: usize,
    /// Allowed item indices; empty: any item.
    items: Vec<bool>,
}

enum Test {
    Always,
    When(Cond),
    Require(Cond),
}

/// What the rules said about one record: the rules that fired (by index, in file
/// order) and those that failed with a runtime error. Reused from record to record.
#[derive(Debug, Default, Clone)]
pub struct Verdicts {
    pub fired: Vec<usize>,
    pub errors: Vec<(usize, EvalError)>,
    pub decision: Decision,
}

impl Program {
    /// Compiles the per-record rules (`limit` rules are left to the allocator).
    pub fn compile(rules: &[Rule], schema: &Schema, default: Decision) -> Program {
        let rules = rules
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let test = match &r.kind {
                    RuleKind::Require(c) => Test::Require(cond(c, schema)),
                    RuleKind::When(Some(c)) => Test::When(cond(c, schema)),
                    RuleKind::When(None) => Test::Always,
                    RuleKind::Limit(_) => return None,
                };
                let scope = r.scope.as_ref().and_then(|s| {
                    let (a, it) = (schema.action?, schema.item?);
                    let n = match &schema.fields[it].ty {
                        Type::Enum(id) => schema.enums[*id as usize].values.len(),
                        _ => 0,
                    };
                    let items = if s.items.is_empty() {
                        Vec::new()
                    } else {
                        (0..n).map(|k| s.items.contains(&(k as u32))).collect()
                    };
                    Some(ScopeTest {
                        action_slot: a,
                        action: s.action,
                        item_slot: it,
                        items,
                    })
                });
                Some(Compiled {
                    rule: i,
                    verdict: r.verdict,
                    scope,
                    test,
                })
            })
            .collect();
        Program { rules, default }
    }

    /// Runs every rule on `row`, filling `out` (cleared first).
    pub fn run(&self, row: &[Value], out: &mut Verdicts) {
        out.fired.clear();
        out.errors.clear();
        let (mut deny, mut waitlist, mut allow) = (false, false, false);
        for c in &self.rules {
            if let Some(s) = &c.scope {
                let in_scope = matches!(row.get(s.action_slot), Some(Value::Enum(a)) if *a == s.action)
                    && (s.items.is_empty()
                        || matches!(row.get(s.item_slot), Some(Value::Enum(i)) if s.items.get(*i as usize) == Some(&true)));
                if !in_scope {
                    continue;
                }
            }
            let fires = match &c.test {
                Test::Always => Ok(true),
                Test::When(f) => f(row),
                Test::Require(f) => f(row).map(|ok| !ok),
            };
            match fires {
                Ok(true) => {
                    out.fired.push(c.rule);
                    match c.verdict {
                        Verdict::Deny => deny = true,
                        Verdict::Waitlist => waitlist = true,
                        Verdict::Allow => allow = true,
                        Verdict::Warn => {}
                    }
                }
                Ok(false) => {}
                Err(e) => out.errors.push((c.rule, e)),
            }
        }
        out.decision = if !out.errors.is_empty() {
            Decision::Error
        } else if deny {
            Decision::Deny
        } else if waitlist {
            Decision::Waitlist
        } else if allow {
            Decision::Allow
        } else {
            self.default
        };
    }
}

/// Whether an expression reads the record.
fn reads_record(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Field(_) | ExprKind::Has(_) => true,
        ExprKind::Const(_) => false,
        ExprKind::List(items) | ExprKind::Call(_, items) => items.iter().any(reads_record),
        ExprKind::Not(x) | ExprKind::Neg(x) => reads_record(x),
        ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Compare(_, a, b)
        | ExprKind::Arith(_, a, b)
        | ExprKind::Coalesce(a, b) => reads_record(a) || reads_record(b),
        ExprKind::In { needle, list, .. } => reads_record(needle) || reads_record(list),
    }
}

/// The value of an expression that reads no record, if it can be computed now.
fn folded(e: &Expr) -> Option<Value> {
    match &e.kind {
        ExprKind::Const(v) => Some(v.clone()),
        _ if !reads_record(e) => const_eval(e).ok(),
        _ => None,
    }
}

fn test_order(op: CompareOp, ord: Ordering) -> bool {
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Ne => ord != Ordering::Equal,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
    }
}

fn flip(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        o => o,
    }
}

fn type_error(e: &Expr) -> EvalError {
    EvalError {
        message: "a value of an unexpected type".into(),
        span: e.span,
    }
}

/// Compiles a condition.
fn cond(e: &Expr, schema: &Schema) -> Cond {
    if let Some(Value::Bool(b)) = folded(e) {
        return Box::new(move |_| Ok(b));
    }
    match &e.kind {
        ExprKind::Field(slot) if schema.fields[*slot].ty == Type::Bool => {
            let (slot, err) = (*slot, type_error(e));
            Box::new(move |row| match row.get(slot) {
                Some(Value::Bool(b)) => Ok(*b),
                _ => Err(err.clone()),
            })
        }
        ExprKind::Has(slot) => {
            let slot = *slot;
            Box::new(move |row| Ok(!matches!(row.get(slot), None | Some(Value::Missing))))
        }
        ExprKind::Not(x) => {
            let x = cond(x, schema);
            Box::new(move |row| Ok(!x(row)?))
        }
        ExprKind::And(a, b) => {
            let (a, b) = (cond(a, schema), cond(b, schema));
            Box::new(move |row| Ok(a(row)? && b(row)?))
        }
        ExprKind::Or(a, b) => {
            let (a, b) = (cond(a, schema), cond(b, schema));
            Box::new(move |row| Ok(a(row)? || b(row)?))
        }
        ExprKind::Compare(op, a, b) => compare(e, *op, a, b),
        ExprKind::In {
            needle,
            list,
            negated,
        } => membership(e, needle, list, *negated),
        _ => fallback(e),
    }
}

/// The tree-walking evaluator, for what has no specialised form.
fn fallback(e: &Expr) -> Cond {
    let e = e.clone();
    Box::new(move |row| truth(&e, row))
}

/// `field OP constant` (or the other way round), specialised by the constant's type.
fn compare(e: &Expr, op: CompareOp, a: &Expr, b: &Expr) -> Cond {
    let (slot, op, constant) = match (&a.kind, folded(b), &b.kind, folded(a)) {
        (ExprKind::Field(s), Some(v), _, _) => (*s, op, v),
        (_, _, ExprKind::Field(s), Some(v)) => (*s, flip(op), v),
        _ => {
            // Two record values: compare them in place, without cloning.
            if let (ExprKind::Field(x), ExprKind::Field(y)) = (&a.kind, &b.kind) {
                let (x, y, err) = (*x, *y, type_error(e));
                return Box::new(move |row| {
                    let (Some(p), Some(q)) = (row.get(x), row.get(y)) else {
                        return Err(err.clone());
                    };
                    match op {
                        CompareOp::Eq => Ok(equal(p, q)),
                        CompareOp::Ne => Ok(!equal(p, q)),
                        _ => order(p, q)
                            .map(|o| test_order(op, o))
                            .ok_or_else(|| err.clone()),
                    }
                });
            }
            return fallback(e);
        }
    };
    let err = type_error(e);
    match constant {
        Value::Int(k) => Box::new(move |row| match row.get(slot) {
            Some(Value::Int(x)) => Ok(test_order(op, x.cmp(&k))),
            Some(Value::Decimal(x)) => Ok(test_order(op, x.cmp(&Decimal::from(k)))),
            _ => Err(err.clone()),
        }),
        Value::Decimal(k) => Box::new(move |row| match row.get(slot) {
            Some(Value::Decimal(x)) => Ok(test_order(op, x.cmp(&k))),
            Some(Value::Int(x)) => Ok(test_order(op, Decimal::from(*x).cmp(&k))),
            _ => Err(err.clone()),
        }),
        Value::Percent(k) => Box::new(move |row| match row.get(slot) {
            Some(Value::Percent(x)) => Ok(test_order(op, x.cmp(&k))),
            _ => Err(err.clone()),
        }),
        Value::Date(k) => Box::new(move |row| match row.get(slot) {
            Some(Value::Date(x)) => Ok(test_order(op, x.cmp(&k))),
            _ => Err(err.clone()),
        }),
        Value::Enum(k) => Box::new(move |row| match row.get(slot) {
            Some(Value::Enum(x)) => Ok(test_order(op, x.cmp(&k))),
            _ => Err(err.clone()),
        }),
        Value::Bool(k) => Box::new(move |row| match row.get(slot) {
            Some(Value::Bool(x)) => Ok(test_order(op, x.cmp(&k))),
            _ => Err(err.clone()),
        }),
        Value::Text(k) => Box::new(move |row| match row.get(slot) {
            Some(Value::Text(x)) => Ok(test_order(op, x.as_ref().cmp(k.as_ref()))),
            _ => Err(err.clone()),
        }),
        _ => fallback(e),
    }
}

/// `field in [constants]`: a table lookup for enums, a scan otherwise.
fn membership(e: &Expr, needle: &Expr, list: &Expr, negated: bool) -> Cond {
    let (ExprKind::Field(slot), Some(Value::List(items))) = (&needle.kind, folded(list)) else {
        return fallback(e);
    };
    let (slot, err) = (*slot, type_error(e));
    if items.iter().all(|v| matches!(v, Value::Enum(_))) {
        let max = items
            .iter()
            .filter_map(|v| {
                if let Value::Enum(i) = v {
                    Some(*i as usize)
                } else {
                    None
                }
            })
            .max();
        let mut table = vec![false; max.map_or(0, |m| m + 1)];
        for v in items.iter() {
            if let Value::Enum(i) = v {
                table[*i as usize] = true;
            }
        }
        return Box::new(move |row| match row.get(slot) {
            Some(Value::Enum(x)) => Ok(table.get(*x as usize).copied().unwrap_or(false) != negated),
            _ => Err(err.clone()),
        });
    }
    Box::new(move |row| match row.get(slot) {
        Some(v) => Ok(items.iter().any(|i| equal(i, v)) != negated),
        None => Err(err.clone()),
    })
}
