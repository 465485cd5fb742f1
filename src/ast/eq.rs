//! Equality of syntax trees, without their spans.

use super::*;

// Syntax trees compare by what they say, not where it was written: spans are left
// out, so a test can compare a file's tree with its formatted self directly.
macro_rules! equal_but_for_spans {
    ($($ty:ident { $($field:ident),+ })+) => {$(
        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                $(self.$field == other.$field)&&+
            }
        }
    )+};
}

equal_but_for_spans! {
    Schema { fields }
    TypeExpr { kind, optional }
    Let { name, value }
    Param { name, ty, default }
    SetBinding { name, value }
    Rule { name, clause, because }
    Scope { action, items }
    Limit { scope, cap, quantity, per, order_by, otherwise }
    Template { parts }
    Test { name, set, given, expect }
    RecordLit { fields }
    Expect { outcomes, is_list }
    Outcome { kind, by }
    Expr { kind }
}

impl PartialEq for Clause {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                Clause::Require {
                    condition: c1,
                    scope: s1,
                    ..
                },
                Clause::Require {
                    condition: c2,
                    scope: s2,
                    ..
                },
            ) => c1 == c2 && s1 == s2,
            (
                Clause::Verdict {
                    verdict: v1,
                    scope: s1,
                    condition: c1,
                },
                Clause::Verdict {
                    verdict: v2,
                    scope: s2,
                    condition: c2,
                },
            ) => v1 == v2 && s1 == s2 && c1 == c2,
            (Clause::Limit(a), Clause::Limit(b)) => a == b,
            _ => false,
        }
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Quantity::Records(_), Quantity::Records(_)) => true,
            (Quantity::Field(a), Quantity::Field(b)) => a == b,
            _ => false,
        }
    }
}

impl PartialEq for Given {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Given::Record(a), Given::Record(b)) => a == b,
            (Given::Batch { records: a, .. }, Given::Batch { records: b, .. }) => a == b,
            _ => false,
        }
    }
}
