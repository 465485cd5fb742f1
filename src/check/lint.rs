//! Lints: warnings about rules that can never fire, conditions that are always true
//! or false, rules shadowed by an unconditional `deny`, `require`s implied by others,
//! unused constants and `warn` rules without a reason.
//!
//! The reasoning is over the checked form: each field's possible values as a set (an
//! interval union for numbers, percents and dates; a finite set for enums and bools),
//! narrowed by literal comparisons and by the rule's scope. No solver: what cannot be
//! shown this way is not reported, so there are no false positives by construction.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir::{CheckedPolicy, CompareOp, Expr, ExprKind, Rule, RuleKind, Schema, Scope};
use crate::outcome::Verdict;
use crate::value::{Decimal, Type, Value};

fn warning(code: Code, message: String, span: crate::span::Span, label: &str) -> Diagnostic {
    let mut d = Diagnostic::error(code, message, span, label);
    d.severity = Severity::Warning;
    d
}

/// Every lint warning for a checked policy, in source order.
pub fn lint(policy: &CheckedPolicy) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for c in policy.constants.iter().filter(|c| !c.used) {
        out.push(
            warning(
                Code::UnusedLet,
                format!("the constant `{}` is never used", c.name),
                c.span,
                "unused",
            )
            .with_help("remove it, or use it in a rule"),
        );
    }
    for (i, rule) in policy.rules.iter().enumerate() {
        if rule.verdict == Verdict::Warn && rule.because.is_none() {
            out.push(
                warning(
                    Code::WarnWithoutBecause,
                    format!("the warning `{}` has no `because`", rule.name),
                    rule.name_span,
                    "no reason given",
                )
                .with_help("say why it matters: `because \"...\"` after the clause"),
            );
        }
        constancy(policy, rule, &mut out);
        if let Some(d) = shadowed(policy, i, rule) {
            out.push(d);
        }
        if let Some(d) = implied(policy, i, rule) {
            out.push(d);
        }
    }
    out.sort_by_key(|d| d.span());
    out
}

/// Conditions that are always true or always false in the rule's scope.
fn constancy(policy: &CheckedPolicy, rule: &Rule, out: &mut Vec<Diagnostic>) {
    let (condition, is_require) = match &rule.kind {
        RuleKind::Require(c) => (c, true),
        RuleKind::When(Some(c)) => (c, false),
        _ => return,
    };
    let a = Analyzer {
        schema: &policy.schema,
    };
    let scope = a.scope_facts(rule.scope.as_ref());
    let sat = a.satisfiable(condition, &scope);
    let valid = a.valid(condition, &scope);
    let name = &rule.name;
    let d = match (is_require, sat, valid) {
        (false, false, _) => warning(
            Code::NeverFires,
            format!(
                "rule `{name}` can never fire: its condition cannot be true{}",
                in_scope_words(rule)
            ),
            condition.span,
            "never true",
        )
        .with_help("check the comparisons: together they exclude every value"),
        (true, _, true) => warning(
            Code::NeverFires,
            format!(
                "rule `{name}` can never fire: its requirement always holds{}",
                in_scope_words(rule)
            ),
            condition.span,
            "always true",
        )
        .with_help("remove the rule, or state the requirement it was meant to check"),
        (false, true, true) => warning(
            Code::AlwaysTrue,
            format!(
                "the condition of rule `{name}` is always true{}",
                in_scope_words(rule)
            ),
            condition.span,
            "always true",
        )
        .with_help(
            "the rule fires on every record in its scope: drop `when ...`, or fix the condition",
        ),
        (true, false, _) => warning(
            Code::AlwaysFalse,
            format!(
                "the requirement of rule `{name}` can never be met{}",
                in_scope_words(rule)
            ),
            condition.span,
            "never true",
        )
        .with_help("every record in scope is denied: fix the condition"),
        _ => return,
    };
    out.push(d);
}

fn in_scope_words(rule: &Rule) -> String {
    match &rule.scope_text {
        Some(s) => format!(" for {s} records"),
        None => String::new(),
    }
}

/// A rule whose scope lies within that of an unconditional `deny` above it.
fn shadowed(policy: &CheckedPolicy, index: usize, rule: &Rule) -> Option<Diagnostic> {
    if matches!(rule.kind, RuleKind::Limit(_)) || rule.verdict == Verdict::Warn {
        return None;
    }
    let by = policy.rules[..index].iter().find(|a| {
        matches!(a.kind, RuleKind::When(None))
            && a.verdict == Verdict::Deny
            && scope_within(rule.scope.as_ref(), a.scope.as_ref())
    })?;
    Some(
        warning(
            Code::Shadowed,
            format!("rule `{}` can never change a decision: rule `{}` above denies every record it applies to", rule.name, by.name),
            rule.name_span,
            "shadowed",
        )
        .with_label(by.name_span, "denies every record in its scope")
        .with_help(format!("remove `{}`, or narrow the scope of `{}`", rule.name, by.name)),
    )
}

/// Whether every record in `inner` is in `outer` (`None`: every record).
fn scope_within(inner: Option<&Scope>, outer: Option<&Scope>) -> bool {
    match (inner, outer) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(i), Some(o)) => {
            i.action == o.action
                && (o.items.is_empty()
                    || (!i.items.is_empty() && i.items.iter().all(|x| o.items.contains(x))))
        }
    }
}

/// A `require` whose condition follows from another's in the same scope: whenever it
/// fires, the other fires too.
fn implied(policy: &CheckedPolicy, index: usize, rule: &Rule) -> Option<Diagnostic> {
    let RuleKind::Require(mine) = &rule.kind else {
        return None;
    };
    let a = Analyzer {
        schema: &policy.schema,
    };
    let (field, my_set) = a.truth_set(mine)?;
    for (j, other) in policy.rules.iter().enumerate() {
        let RuleKind::Require(theirs) = &other.kind else {
            continue;
        };
        let same_scope = match (&other.scope, &rule.scope) {
            (None, None) => true,
            (Some(a), Some(b)) => a.action == b.action && a.items == b.items,
            _ => false,
        };
        if j == index || !same_scope {
            continue;
        }
        let Some((f2, their_set)) = a.truth_set(theirs) else {
            continue;
        };
        // `other` is stronger when its set lies within mine; equal sets: warn at the later.
        if f2 == field
            && their_set.subset_of(&my_set)
            && (!my_set.subset_of(&their_set) || j < index)
        {
            return Some(
                warning(
                    Code::ImpliedRequire,
                    format!(
                        "rule `{}` is implied by rule `{}`: whenever it fires, `{}` fires too",
                        rule.name, other.name, other.name
                    ),
                    mine.span,
                    "weaker requirement",
                )
                .with_label(theirs.span, "this requirement is stronger")
                .with_help(format!(
                    "remove `{}`, or make the two requirements differ in scope",
                    rule.name
                )),
            );
        }
    }
    None
}

// ------------------------------------------------------------------ value sets

/// A set of values of one field.
#[derive(Debug, Clone, PartialEq)]
enum Set {
    /// Union of intervals over numbers (dates as day numbers); `integral` for int and date.
    Num {
        intervals: Vec<Interval>,
        integral: bool,
    },
    /// Members of a finite domain (enum values, or `[false, true]`).
    Finite(Vec<bool>),
}

type Bound = Option<(Decimal, bool)>; // value, inclusive; None: unbounded

#[derive(Debug, Clone, PartialEq)]
struct Interval {
    lo: Bound,
    hi: Bound,
}

impl Interval {
    fn is_empty(&self) -> bool {
        match (self.lo, self.hi) {
            (Some((a, ai)), Some((b, bi))) => a > b || (a == b && !(ai && bi)),
            _ => false,
        }
    }
}

impl Set {
    fn full_like(&self) -> Set {
        match self {
            Set::Num { integral, .. } => Set::Num {
                intervals: vec![Interval { lo: None, hi: None }],
                integral: *integral,
            },
            Set::Finite(v) => Set::Finite(vec![true; v.len()]),
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Set::Num { intervals, .. } => intervals.iter().all(Interval::is_empty),
            Set::Finite(v) => !v.iter().any(|x| *x),
        }
    }

    #[cfg(test)]
    fn is_full(&self) -> bool {
        match self {
            Set::Finite(v) => v.iter().all(|x| *x),
            Set::Num { .. } => self.complement().is_empty(),
        }
    }

    fn normalize(self) -> Set {
        match self {
            Set::Num {
                intervals,
                integral,
            } => {
                let mut v: Vec<Interval> = intervals
                    .into_iter()
                    .map(|i| if integral { tighten(i) } else { i })
                    .filter(|i| !i.is_empty())
                    .collect();
                v.sort_by(|a, b| cmp_lo(&a.lo, &b.lo));
                let mut merged: Vec<Interval> = Vec::new();
                for i in v {
                    if let Some(last) = merged.last_mut() {
                        if touches(&last.hi, &i.lo, integral) {
                            if cmp_hi(&i.hi, &last.hi) == std::cmp::Ordering::Greater {
                                last.hi = i.hi;
                            }
                            continue;
                        }
                    }
                    merged.push(i);
                }
                Set::Num {
                    intervals: merged,
                    integral,
                }
            }
            f => f,
        }
    }

    fn complement(&self) -> Set {
        match self {
            Set::Finite(v) => Set::Finite(v.iter().map(|x| !x).collect()),
            Set::Num {
                intervals,
                integral,
            } => {
                let norm = Set::Num {
                    intervals: intervals.clone(),
                    integral: *integral,
                }
                .normalize();
                let Set::Num { intervals, .. } = norm else {
                    unreachable!()
                };
                let mut out = Vec::new();
                let mut lo: Bound = None;
                let mut open_start = true;
                for i in &intervals {
                    let hi = i.lo.map(|(v, inc)| (v, !inc));
                    if !(open_start && i.lo.is_none()) {
                        out.push(Interval { lo, hi });
                    }
                    open_start = false;
                    match i.hi {
                        None => {
                            return Set::Num {
                                intervals: out,
                                integral: *integral,
                            }
                            .normalize();
                        }
                        Some((v, inc)) => lo = Some((v, !inc)),
                    }
                }
                out.push(Interval { lo, hi: None });
                Set::Num {
                    intervals: out,
                    integral: *integral,
                }
                .normalize()
            }
        }
    }

    fn union(&self, other: &Set) -> Option<Set> {
        match (self, other) {
            (Set::Finite(a), Set::Finite(b)) if a.len() == b.len() => Some(Set::Finite(
                a.iter().zip(b).map(|(x, y)| *x || *y).collect(),
            )),
            (
                Set::Num {
                    intervals: a,
                    integral,
                },
                Set::Num { intervals: b, .. },
            ) => Some(
                Set::Num {
                    intervals: a.iter().chain(b).cloned().collect(),
                    integral: *integral,
                }
                .normalize(),
            ),
            _ => None,
        }
    }

    fn intersect(&self, other: &Set) -> Option<Set> {
        Some(self.complement().union(&other.complement())?.complement())
    }

    fn subset_of(&self, other: &Set) -> bool {
        self.intersect(&other.complement())
            .is_some_and(|s| s.is_empty())
    }
}

/// For ints and dates: `x > 5` is `x >= 6`.
fn tighten(i: Interval) -> Interval {
    let lo = i.lo.map(|(v, inc)| {
        let c = v.ceil();
        if c != v || inc {
            (c, true)
        } else {
            (v + Decimal::ONE, true)
        }
    });
    let hi = i.hi.map(|(v, inc)| {
        let f = v.floor();
        if f != v || inc {
            (f, true)
        } else {
            (v - Decimal::ONE, true)
        }
    });
    Interval { lo, hi }
}

fn cmp_lo(a: &Bound, b: &Bound) -> std::cmp::Ordering {
    match (a, b) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, _) => std::cmp::Ordering::Less,
        (_, None) => std::cmp::Ordering::Greater,
        (Some((x, xi)), Some((y, yi))) => x.cmp(y).then(yi.cmp(xi)),
    }
}

fn cmp_hi(a: &Bound, b: &Bound) -> std::cmp::Ordering {
    match (a, b) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, _) => std::cmp::Ordering::Greater,
        (_, None) => std::cmp::Ordering::Less,
        (Some((x, xi)), Some((y, yi))) => x.cmp(y).then(xi.cmp(yi)),
    }
}

/// Whether an interval ending at `hi` and one starting at `lo` leave no gap.
fn touches(hi: &Bound, lo: &Bound, integral: bool) -> bool {
    match (hi, lo) {
        (None, _) | (_, None) => true,
        (Some((h, hi_inc)), Some((l, lo_inc))) => {
            l < h
                || (l == h && (*hi_inc || *lo_inc))
                || (integral && *hi_inc && *lo_inc && *l == *h + Decimal::ONE)
        }
    }
}

// ------------------------------------------------------------------ analysis

struct Analyzer<'s> {
    schema: &'s Schema,
}

/// Known sets per field (from the scope, and the conjuncts seen so far).
type Facts = Vec<(usize, Set)>;

impl Analyzer<'_> {
    fn domain(&self, slot: usize) -> Option<Set> {
        let f = &self.schema.fields[slot];
        if f.optional {
            return None;
        }
        Some(match &f.ty {
            Type::Int | Type::Date => Set::Num {
                intervals: vec![Interval { lo: None, hi: None }],
                integral: true,
            },
            Type::Decimal | Type::Percent => Set::Num {
                intervals: vec![Interval { lo: None, hi: None }],
                integral: false,
            },
            Type::Bool => Set::Finite(vec![true, true]),
            Type::Enum(id) => Set::Finite(vec![true; self.schema.enums[*id as usize].values.len()]),
            _ => return None,
        })
    }

    fn scope_facts(&self, scope: Option<&Scope>) -> Facts {
        let mut facts = Vec::new();
        let (Some(scope), Some(a), Some(i)) = (scope, self.schema.action, self.schema.item) else {
            return facts;
        };
        if let Some(Set::Finite(d)) = self.domain(a) {
            facts.push((
                a,
                Set::Finite((0..d.len()).map(|k| k as u32 == scope.action).collect()),
            ));
        }
        if !scope.items.is_empty() {
            if let Some(Set::Finite(d)) = self.domain(i) {
                facts.push((
                    i,
                    Set::Finite(
                        (0..d.len())
                            .map(|k| scope.items.contains(&(k as u32)))
                            .collect(),
                    ),
                ));
            }
        }
        facts
    }

    /// The values of one field for which `e` is true, when `e` is about one field only.
    fn truth_set(&self, e: &Expr) -> Option<(usize, Set)> {
        match &e.kind {
            ExprKind::Field(slot) if self.schema.fields[*slot].ty == Type::Bool => {
                Some((*slot, Set::Finite(vec![false, true])))
            }
            ExprKind::Not(x) => self.truth_set(x).map(|(s, set)| (s, set.complement())),
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                let (sa, a) = self.truth_set(a)?;
                let (sb, b) = self.truth_set(b)?;
                if sa != sb {
                    return None;
                }
                let set = if matches!(e.kind, ExprKind::And(..)) {
                    a.intersect(&b)?
                } else {
                    a.union(&b)?
                };
                Some((sa, set))
            }
            ExprKind::Compare(op, a, b) => {
                let (slot, op, v) = match (&a.kind, &b.kind) {
                    (ExprKind::Field(s), ExprKind::Const(v)) => (*s, *op, v),
                    (ExprKind::Const(v), ExprKind::Field(s)) => (*s, op.flip(), v),
                    _ => return None,
                };
                let domain = self.domain(slot)?;
                Some((slot, compare_set(&domain, op, v)?))
            }
            ExprKind::In {
                needle,
                list,
                negated,
            } => {
                let ExprKind::Field(slot) = &needle.kind else {
                    return None;
                };
                let items: Vec<Value> = match &list.kind {
                    ExprKind::Const(Value::List(items)) => items.to_vec(),
                    ExprKind::List(exprs) => exprs
                        .iter()
                        .map(|e| match &e.kind {
                            ExprKind::Const(v) => Some(v.clone()),
                            _ => None,
                        })
                        .collect::<Option<_>>()?,
                    _ => return None,
                };
                let domain = self.domain(*slot)?;
                let mut set = domain.full_like().complement();
                for item in items.iter() {
                    set = set.union(&compare_set(&domain, CompareOp::Eq, item)?)?;
                }
                Some((*slot, if *negated { set.complement() } else { set }))
            }
            _ => None,
        }
    }

    fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
        match &e.kind {
            ExprKind::And(a, b) => {
                Self::conjuncts(a, out);
                Self::conjuncts(b, out);
            }
            _ => out.push(e),
        }
    }

    fn disjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
        match &e.kind {
            ExprKind::Or(a, b) => {
                Self::disjuncts(a, out);
                Self::disjuncts(b, out);
            }
            _ => out.push(e),
        }
    }

    /// False when `e` can be shown never true, given `facts`.
    fn satisfiable(&self, e: &Expr, facts: &Facts) -> bool {
        if let ExprKind::Const(Value::Bool(b)) = e.kind {
            return b;
        }
        if let ExprKind::Not(x) = &e.kind {
            return !self.valid(x, facts);
        }
        let mut parts = Vec::new();
        Self::conjuncts(e, &mut parts);
        let mut known = facts.clone();
        for p in &parts {
            if let Some((slot, set)) = self.truth_set(p) {
                match known.iter_mut().find(|(s, _)| *s == slot) {
                    Some((_, k)) => match k.intersect(&set) {
                        Some(i) => *k = i,
                        None => continue,
                    },
                    None => known.push((slot, set)),
                }
            } else if parts.len() > 1 && !self.satisfiable(p, facts) {
                return false;
            } else if parts.len() == 1 {
                if let ExprKind::Or(..) = p.kind {
                    let mut ds = Vec::new();
                    Self::disjuncts(p, &mut ds);
                    return ds.iter().any(|d| self.satisfiable(d, facts));
                }
            }
        }
        !known.iter().any(|(_, s)| s.is_empty())
    }

    /// True when `e` can be shown always true, given `facts`.
    fn valid(&self, e: &Expr, facts: &Facts) -> bool {
        if let ExprKind::Const(Value::Bool(b)) = e.kind {
            return b;
        }
        if let ExprKind::Not(x) = &e.kind {
            return !self.satisfiable(x, facts);
        }
        if let Some((slot, set)) = self.truth_set(e) {
            // Within what is known of the field, the set covers everything.
            let known = facts
                .iter()
                .find(|(s, _)| *s == slot)
                .map(|(_, k)| k.clone());
            let Some(domain) = known.or_else(|| self.domain(slot)) else {
                return false;
            };
            return domain.subset_of(&set);
        }
        match &e.kind {
            ExprKind::And(a, b) => self.valid(a, facts) && self.valid(b, facts),
            ExprKind::Or(..) => {
                let mut ds = Vec::new();
                Self::disjuncts(e, &mut ds);
                ds.iter().any(|d| self.valid(d, facts))
            }
            _ => false,
        }
    }
}

/// The set of a field's values `x` with `x OP v`.
fn compare_set(domain: &Set, op: CompareOp, v: &Value) -> Option<Set> {
    match domain {
        Set::Finite(d) => {
            let index = match v {
                Value::Enum(i) => *i as usize,
                Value::Bool(b) => *b as usize,
                _ => return None,
            };
            let eq: Vec<bool> = (0..d.len()).map(|k| k == index).collect();
            match op {
                CompareOp::Eq => Some(Set::Finite(eq)),
                CompareOp::Ne => Some(Set::Finite(eq).complement()),
                _ => None,
            }
        }
        Set::Num { integral, .. } => {
            let x = match v {
                Value::Int(i) => Decimal::from(*i),
                Value::Decimal(d) | Value::Percent(d) => *d,
                Value::Date(d) => Decimal::from(
                    d.signed_duration_since(crate::value::Date::default())
                        .num_days(),
                ),
                _ => return None,
            };
            let iv = |lo: Bound, hi: Bound| Set::Num {
                intervals: vec![Interval { lo, hi }],
                integral: *integral,
            };
            let set = match op {
                CompareOp::Eq => iv(Some((x, true)), Some((x, true))),
                CompareOp::Ne => iv(Some((x, true)), Some((x, true))).complement(),
                CompareOp::Lt => iv(None, Some((x, false))),
                CompareOp::Le => iv(None, Some((x, true))),
                CompareOp::Gt => iv(Some((x, false)), None),
                CompareOp::Ge => iv(Some((x, true)), None),
            };
            Some(set.normalize())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(lo: Bound, hi: Bound, integral: bool) -> Set {
        Set::Num {
            intervals: vec![Interval { lo, hi }],
            integral,
        }
        .normalize()
    }

    #[test]
    fn interval_sets() {
        let d = |n: i64| Decimal::from(n);
        let gt10 = num(Some((d(10), false)), None, true);
        let lt5 = num(None, Some((d(5), false)), true);
        assert!(gt10.intersect(&lt5).unwrap().is_empty());
        let gt5 = num(Some((d(5), false)), None, true);
        let le5 = num(None, Some((d(5), true)), true);
        assert!(gt5.union(&le5).unwrap().is_full());
        // ints: x > 10 and x < 11 is empty; decimals: not
        let lt11 = num(None, Some((d(11), false)), true);
        assert!(gt10.intersect(&lt11).unwrap().is_empty());
        let gt10d = num(Some((d(10), false)), None, false);
        let lt11d = num(None, Some((d(11), false)), false);
        assert!(!gt10d.intersect(&lt11d).unwrap().is_empty());
        assert!(gt10.subset_of(&gt5));
        assert!(!gt5.subset_of(&gt10));
        assert!(gt10.complement().complement() == gt10);
    }
}
