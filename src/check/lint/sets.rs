//! Value sets: what values of one field are still possible. Numbers, percents and
//! dates (as day numbers) are unions of intervals; enums and bools are finite sets.

use crate::ir::CompareOp;
use crate::value::{Decimal, Value};

/// A set of values of one field.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Set {
    /// Union of intervals over numbers (dates as day numbers); `integral` for int and date.
    Num {
        intervals: Vec<Interval>,
        integral: bool,
    },
    /// Members of a finite domain (enum values, or `[false, true]`).
    Finite(Vec<bool>),
}

pub(super) type Bound = Option<(Decimal, bool)>; // value, inclusive; None: unbounded

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Interval {
    pub lo: Bound,
    pub hi: Bound,
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
    pub(super) fn full_like(&self) -> Set {
        match self {
            Set::Num { integral, .. } => Set::Num {
                intervals: vec![Interval { lo: None, hi: None }],
                integral: *integral,
            },
            Set::Finite(v) => Set::Finite(vec![true; v.len()]),
        }
    }

    pub(super) fn is_empty(&self) -> bool {
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

    pub(super) fn complement(&self) -> Set {
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

    pub(super) fn union(&self, other: &Set) -> Option<Set> {
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

    pub(super) fn intersect(&self, other: &Set) -> Option<Set> {
        Some(self.complement().union(&other.complement())?.complement())
    }

    pub(super) fn subset_of(&self, other: &Set) -> bool {
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

/// The set of a field's values `x` with `x OP v`.
pub(super) fn compare_set(domain: &Set, op: CompareOp, v: &Value) -> Option<Set> {
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
