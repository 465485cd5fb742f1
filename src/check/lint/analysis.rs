//! What a condition says about the values of a field: the set of values for which
//! it is true, and whether it can be shown never or always true.

use super::sets::{compare_set, Interval, Set};
use crate::ir::{CompareOp, Expr, ExprKind, Schema, Scope};
use crate::value::{Type, Value};

pub(super) struct Analyzer<'s> {
    pub schema: &'s Schema,
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

    pub(super) fn scope_facts(&self, scope: Option<&Scope>) -> Facts {
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
    pub(super) fn truth_set(&self, e: &Expr) -> Option<(usize, Set)> {
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
    pub(super) fn satisfiable(&self, e: &Expr, facts: &Facts) -> bool {
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
    pub(super) fn valid(&self, e: &Expr, facts: &Facts) -> bool {
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
