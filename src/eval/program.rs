//! The compiled form of a policy's per-record rules: each condition becomes a tree of
//! closures specialised by operator and operand type, over slot indices, with constant
//! parts folded. Running it does no allocation, hashing or name lookup.
//!
//! Most conditions cannot fail at run time (a field compared with a constant, a bool
//! field, membership in a constant list): those compile to *pure* closures, and the
//! rules built only from them are evaluated without branching on the data — scope and
//! condition are combined with bit operations, and the fired rules are collected in a
//! bit set. Mispredicted branches, not arithmetic, are what a rule engine pays for on
//! mixed data. Conditions that can fail (arithmetic, calls) keep `and`/`or`
//! short-circuiting and are evaluated only for records in scope, with their spans for
//! the error. Reasons are rendered only when a result is built.

use std::fmt;

use crate::ir::{CheckedPolicy, CompareOp, Expr, ExprKind, RuleKind, Schema};
use crate::outcome::{Decision, Said, Verdict};
use crate::semantics::{const_eval, equal, order, truth, Accepts, EvalError};
use crate::value::{Date, Decimal, Type, Value};

pub(super) type PureFn = Box<dyn Fn(&[Value]) -> bool + Send + Sync>;

/// `field OP constant` for an `int` constant (the field may be a decimal).
#[derive(Debug, Clone, Copy)]
pub(super) struct IntLeaf {
    pub(super) slot: usize,
    pub(super) accepts: Accepts,
    pub(super) constant: i64,
}

/// `field OP constant` for a decimal or percent constant, with the constant's scale
/// and mantissa for the common case of equal scales.
#[derive(Debug, Clone, Copy)]
pub(super) struct DecimalLeaf {
    pub(super) slot: usize,
    pub(super) accepts: Accepts,
    pub(super) constant: Decimal,
    pub(super) scale: u32,
    pub(super) mantissa: i128,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct DateLeaf {
    pub(super) slot: usize,
    pub(super) accepts: Accepts,
    pub(super) constant: Date,
}

/// `field OP value` for an enum value, by index.
#[derive(Debug, Clone, Copy)]
pub(super) struct EnumLeaf {
    pub(super) slot: usize,
    pub(super) accepts: Accepts,
    pub(super) constant: u32,
}

/// Membership of an enum field in a constant set of up to 64 values, as bits.
#[derive(Debug, Clone, Copy)]
pub(super) struct EnumSetLeaf {
    pub(super) slot: usize,
    pub(super) members: u64,
    pub(super) negated: bool,
}

impl IntLeaf {
    #[inline]
    fn test(&self, row: &[Value]) -> bool {
        self.test_value(row.get(self.slot))
    }

    /// The test on the value of its field (`None`: the row has no such slot).
    #[inline]
    pub(super) fn test_value(&self, v: Option<&Value>) -> bool {
        match v {
            Some(Value::Int(x)) => self.accepts.ordering(x.cmp(&self.constant)),
            Some(Value::Decimal(x)) => self.accepts.ordering(x.cmp(&Decimal::from(self.constant))),
            _ => false,
        }
    }
}

impl DecimalLeaf {
    #[inline]
    fn test(&self, row: &[Value]) -> bool {
        self.test_value(row.get(self.slot))
    }

    /// The test on the value of its field.
    #[inline]
    pub(super) fn test_value(&self, v: Option<&Value>) -> bool {
        match v {
            Some(Value::Decimal(x)) | Some(Value::Percent(x)) => {
                // A plain integer compare when the scales agree (data written like the policy).
                let ord = if x.scale() == self.scale {
                    x.mantissa().cmp(&self.mantissa)
                } else {
                    x.cmp(&self.constant)
                };
                self.accepts.ordering(ord)
            }
            Some(Value::Int(x)) => self.accepts.ordering(Decimal::from(*x).cmp(&self.constant)),
            _ => false,
        }
    }
}

impl DateLeaf {
    #[inline]
    fn test(&self, row: &[Value]) -> bool {
        self.test_value(row.get(self.slot))
    }

    /// The test on the value of its field.
    #[inline]
    pub(super) fn test_value(&self, v: Option<&Value>) -> bool {
        matches!(v, Some(Value::Date(x)) if self.accepts.ordering(x.cmp(&self.constant)))
    }
}

impl EnumLeaf {
    #[inline]
    fn test(&self, row: &[Value]) -> bool {
        self.test_code(enum_at(row, self.slot))
    }

    /// The test on the field's enum index (`u32::MAX` for anything but an enum).
    #[inline]
    pub(super) fn test_code(&self, x: u32) -> bool {
        self.accepts.ordering(x.cmp(&self.constant))
    }
}

impl EnumSetLeaf {
    #[inline]
    fn test(&self, row: &[Value]) -> bool {
        self.test_code(enum_at(row, self.slot))
    }

    /// The test on the field's enum index (`u32::MAX` for anything but an enum).
    #[inline]
    pub(super) fn test_code(&self, x: u32) -> bool {
        ((x < 64) & ((self.members >> (x & 63)) & 1 == 1)) != self.negated
    }
}

#[inline]
pub(super) fn bool_at(row: &[Value], slot: usize) -> bool {
    matches!(row.get(slot), Some(Value::Bool(true)))
}

#[inline]
pub(super) fn has_at(row: &[Value], slot: usize) -> bool {
    !matches!(row.get(slot), None | Some(Value::Missing))
}

/// A condition that cannot fail, as a tree evaluated by one `match` per node: direct
/// calls and jump tables rather than a closure call per node.
pub(super) enum Pure {
    Const(bool),
    BoolField(usize),
    Has(usize),
    Int(IntLeaf),
    Dec(DecimalLeaf),
    Date(DateLeaf),
    Enum(EnumLeaf),
    EnumIn(EnumSetLeaf),
    Other(PureFn),
    Not(Box<Pure>),
    And(Box<Pure>, Box<Pure>),
    Or(Box<Pure>, Box<Pure>),
}

impl Pure {
    #[inline]
    pub(super) fn eval(&self, row: &[Value]) -> bool {
        match self {
            Pure::Const(b) => *b,
            Pure::BoolField(slot) => bool_at(row, *slot),
            Pure::Has(slot) => has_at(row, *slot),
            Pure::Int(leaf) => leaf.test(row),
            Pure::Dec(leaf) => leaf.test(row),
            Pure::Date(leaf) => leaf.test(row),
            Pure::Enum(leaf) => leaf.test(row),
            Pure::EnumIn(leaf) => leaf.test(row),
            Pure::Other(f) => f(row),
            Pure::Not(x) => !x.eval(row),
            Pure::And(a, b) => a.eval(row) & b.eval(row),
            Pure::Or(a, b) => a.eval(row) | b.eval(row),
        }
    }
}
/// The error is boxed to keep the result small on the hot path.
pub(super) type FallibleFn = Box<dyn Fn(&[Value]) -> Result<bool, Box<EvalError>> + Send + Sync>;

/// A compiled condition.
enum Cond {
    /// Cannot fail: evaluating it has no effect but its value.
    Pure(Pure),
    Fallible(FallibleFn),
}

impl Cond {
    fn fallible(self) -> FallibleFn {
        match self {
            Cond::Pure(p) => Box::new(move |row| Ok(p.eval(row))),
            Cond::Fallible(f) => f,
        }
    }
}

/// The per-record rules of a policy, compiled.
pub struct Program {
    pub(super) rules: Vec<Compiled>,
    /// The comparisons of rules that are conjunctions, evaluated once per record in
    /// tight loops by kind, each result a bit.
    pub(super) leaves: LeafSet,
    /// The `action` and `item` slots, when scopes are used.
    pub(super) scope_slots: Option<(usize, usize)>,
    pub(super) default: Decision,
    /// Bit sets (by rule index) of the rules with each verdict.
    pub(super) deny: Vec<u64>,
    pub(super) waitlist: Vec<u64>,
    pub(super) allow: Vec<u64>,
    pub(super) words: usize,
}

impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Program({} rules)", self.rules.len())
    }
}

pub(super) struct Compiled {
    pub(super) rule: usize,
    pub(super) scope: Option<ScopeTest>,
    pub(super) test: Test,
}

pub(super) enum Test {
    Always,
    /// A conjunction of leaves of the leaf set: the condition holds when the leaf bits
    /// under `mask` equal `want`. Fires when that is not equal to `negate`.
    Conj {
        mask: u64,
        want: u64,
        negate: bool,
    },
    /// Fires when the condition is not equal to the flag (`true` for `require`).
    Pure(Pure, bool),
    Fallible(FallibleFn, bool),
}

pub(super) struct ScopeTest {
    pub(super) action: u32,
    /// Allowed item indices as bits (item enums of up to 64 values); all ones: any item.
    pub(super) items: u64,
    /// For larger item enums: allowed indices.
    pub(super) wide_items: Option<Vec<bool>>,
}

#[inline]
pub(super) fn enum_at(row: &[Value], slot: usize) -> u32 {
    enum_code(row.get(slot))
}

/// The index of an enum value; `u32::MAX` for anything else (missing included).
#[inline]
pub(super) fn enum_code(v: Option<&Value>) -> u32 {
    match v {
        Some(Value::Enum(x)) => *x,
        _ => u32::MAX,
    }
}

impl ScopeTest {
    /// `action` and `item`: the record's values of those fields, read once per record.
    #[inline]
    pub(super) fn matches(&self, action: u32, item: u32) -> bool {
        match &self.wide_items {
            None => (action == self.action) & ((self.items >> (item & 63)) & 1 != 0) & (item < 64),
            Some(wide) => action == self.action && wide.get(item as usize) == Some(&true),
        }
    }
}

/// The rules that fired on one record (a bit set by rule index), those that failed
/// with a runtime error, and the decision they make. Reused from record to record.
#[derive(Debug, Default, Clone)]
pub struct FiredSet {
    pub fired: Vec<u64>,
    pub errors: Vec<(usize, EvalError)>,
    pub decision: Decision,
}

impl FiredSet {
    /// The indices of the rules that fired, in file order.
    pub fn fired(&self) -> impl Iterator<Item = usize> + '_ {
        self.fired.iter().enumerate().flat_map(|(w, &bits)| {
            // One step per fired rule: the lowest bit left, then clear it.
            let mut rest = bits;
            std::iter::from_fn(move || {
                let bit = (rest != 0).then(|| rest.trailing_zeros() as usize)?;
                rest &= rest - 1;
                Some(w * 64 + bit)
            })
        })
    }
}

impl Program {
    /// Compiles the per-record rules (`limit` rules are left to the allocator).
    pub fn compile(policy: &CheckedPolicy) -> Program {
        let (rules, schema, default) = (&policy.rules, &policy.schema, policy.default);
        let words = rules.len().div_ceil(64).max(1);
        let mut masks = [vec![0u64; words], vec![0u64; words], vec![0u64; words]];
        for (i, r) in rules.iter().enumerate() {
            let which = match (r.verdict, &r.kind) {
                (_, RuleKind::Limit(_)) | (Verdict::Warn, _) => continue,
                (Verdict::Deny, _) => 0,
                (Verdict::Waitlist, _) => 1,
                (Verdict::Allow, _) => 2,
            };
            masks[which][i / 64] |= 1 << (i % 64);
        }
        let mut leaves = LeafSet::default();
        let compiled = rules
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let (condition, negate) = match &r.kind {
                    RuleKind::Require(c) => (Some(c), true),
                    RuleKind::When(c) => (c.as_ref(), false),
                    RuleKind::Limit(_) => return None,
                };
                let test = match condition.map(|c| cond(c, schema)) {
                    None => Test::Always,
                    Some(Cond::Pure(p)) => match leaves.conjunction(&p) {
                        Some((mask, want)) => Test::Conj { mask, want, negate },
                        None => Test::Pure(p, negate),
                    },
                    Some(Cond::Fallible(f)) => Test::Fallible(f, negate),
                };
                let scope = r.scope.as_ref().and_then(|s| {
                    let it = schema.item?;
                    schema.action?;
                    let n = match &schema.fields[it].ty {
                        Type::Enum(id) => schema.enums[*id as usize].values.len(),
                        _ => 0,
                    };
                    let (items, wide_items) = if s.items.is_empty() {
                        (u64::MAX, (n > 64).then(|| vec![true; n]))
                    } else if n <= 64 {
                        (s.items.iter().fold(0u64, |m, i| m | (1 << i)), None)
                    } else {
                        (
                            0,
                            Some((0..n).map(|k| s.items.contains(&(k as u32))).collect()),
                        )
                    };
                    Some(ScopeTest {
                        action: s.action,
                        items,
                        wide_items,
                    })
                });
                Some(Compiled {
                    rule: i,
                    scope,
                    test,
                })
            })
            .collect();
        let [deny, waitlist, allow] = masks;
        Program {
            scope_slots: schema.action.zip(schema.item),
            leaves,
            rules: compiled,
            default,
            deny,
            waitlist,
            allow,
            words,
        }
    }

    /// Runs every rule on `row`, filling `out` (cleared first).
    pub fn run(&self, row: &[Value], out: &mut FiredSet) {
        out.fired.clear();
        out.fired.resize(self.words, 0);
        out.errors.clear();
        let (action, item) = match self.scope_slots {
            Some((a, i)) => (enum_at(row, a), enum_at(row, i)),
            None => (u32::MAX, u32::MAX),
        };
        // Fired bits gather in a register, one 64-rule word at a time (rules are in
        // file order), rather than in memory: a store per rule would chain them.
        let leaf_bits = self.leaves.eval(row);
        let (mut word, mut bits) = (0usize, 0u64);
        for c in &self.rules {
            if c.rule / 64 != word {
                out.fired[word] |= bits;
                (word, bits) = (c.rule / 64, 0);
            }
            let in_scope = c.scope.as_ref().is_none_or(|s| s.matches(action, item));
            let fires = match &c.test {
                Test::Always => in_scope,
                Test::Conj { mask, want, negate } => {
                    in_scope & ((leaf_bits & mask == *want) != *negate)
                }
                Test::Pure(p, negate) => in_scope & (p.eval(row) != *negate),
                Test::Fallible(f, negate) => {
                    in_scope
                        && match f(row) {
                            Ok(v) => v != *negate,
                            Err(e) => {
                                out.errors.push((c.rule, *e));
                                false
                            }
                        }
                }
            };
            bits |= (fires as u64) << (c.rule % 64);
        }
        out.fired[word] |= bits;
        let any = |mask: &[u64]| out.fired.iter().zip(mask).any(|(f, m)| f & m != 0);
        let said = Said {
            error: !out.errors.is_empty(),
            deny: any(&self.deny),
            waitlist: any(&self.waitlist),
            allow: any(&self.allow),
        };
        out.decision = Decision::decide(said, self.default);
    }
}

/// Whether an expression reads the record.
fn reads_record(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Field(_) | ExprKind::Has(_) => true,
        ExprKind::Const(_) | ExprKind::Unknown => false,
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

/// Compiles a condition. Pure parts ignore values of an unexpected type (the checker
/// rules them out; an absent optional field reads as false, as under its `has` guard).
fn cond(e: &Expr, schema: &Schema) -> Cond {
    if let Some(Value::Bool(b)) = folded(e) {
        return Cond::Pure(Pure::Const(b));
    }
    match &e.kind {
        ExprKind::Field(slot) if schema.fields[*slot].ty == Type::Bool => {
            Cond::Pure(Pure::BoolField(*slot))
        }
        ExprKind::Has(slot) => Cond::Pure(Pure::Has(*slot)),
        ExprKind::Not(x) => match cond(x, schema) {
            Cond::Pure(p) => Cond::Pure(Pure::Not(Box::new(p))),
            Cond::Fallible(f) => Cond::Fallible(Box::new(move |row| Ok(!f(row)?))),
        },
        ExprKind::And(a, b) => match (cond(a, schema), cond(b, schema)) {
            // Both sides pure: no need to stop early, and no branch on the data.
            (Cond::Pure(a), Cond::Pure(b)) => Cond::Pure(Pure::And(Box::new(a), Box::new(b))),
            (a, b) => {
                let (a, b) = (a.fallible(), b.fallible());
                Cond::Fallible(Box::new(move |row| Ok(a(row)? && b(row)?)))
            }
        },
        ExprKind::Or(a, b) => match (cond(a, schema), cond(b, schema)) {
            (Cond::Pure(a), Cond::Pure(b)) => Cond::Pure(Pure::Or(Box::new(a), Box::new(b))),
            (a, b) => {
                let (a, b) = (a.fallible(), b.fallible());
                Cond::Fallible(Box::new(move |row| Ok(a(row)? || b(row)?)))
            }
        },
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
    Cond::Fallible(Box::new(move |row| truth(&e, row).map_err(Box::new)))
}

/// `field OP constant` (or the other way round), specialised by the constant's type.
fn compare(e: &Expr, op: CompareOp, a: &Expr, b: &Expr) -> Cond {
    let (slot, op, constant) = match (&a.kind, folded(b), &b.kind, folded(a)) {
        (ExprKind::Field(s), Some(v), _, _) => (*s, op, v),
        (_, _, ExprKind::Field(s), Some(v)) => (*s, op.flip(), v),
        _ => {
            // Two record values: compared in place, without cloning.
            if let (ExprKind::Field(x), ExprKind::Field(y)) = (&a.kind, &b.kind) {
                let (x, y) = (*x, *y);
                return Cond::Pure(Pure::Other(Box::new(move |row| {
                    let (Some(p), Some(q)) = (row.get(x), row.get(y)) else {
                        return false;
                    };
                    match op {
                        CompareOp::Eq => equal(p, q),
                        CompareOp::Ne => !equal(p, q),
                        _ => order(p, q).is_some_and(|o| op.accepts(o)),
                    }
                })));
            }
            return fallback(e);
        }
    };
    let accepts = Accepts::of(op);
    let p = match constant {
        Value::Int(constant) => Pure::Int(IntLeaf {
            slot,
            accepts,
            constant,
        }),
        Value::Decimal(k) | Value::Percent(k) => Pure::Dec(DecimalLeaf {
            slot,
            accepts,
            constant: k,
            scale: k.scale(),
            mantissa: k.mantissa(),
        }),
        Value::Date(constant) => Pure::Date(DateLeaf {
            slot,
            accepts,
            constant,
        }),
        Value::Enum(constant) => Pure::Enum(EnumLeaf {
            slot,
            accepts,
            constant,
        }),
        Value::Bool(k) => Pure::Other(Box::new(
            move |row| matches!(row.get(slot), Some(Value::Bool(x)) if accepts.ordering(x.cmp(&k))),
        )),
        Value::Text(k) => Pure::Other(Box::new(
            move |row| matches!(row.get(slot), Some(Value::Text(x)) if accepts.ordering(x.as_ref().cmp(k.as_ref()))),
        )),
        _ => return fallback(e),
    };
    Cond::Pure(p)
}

/// `field in [constants]`: a bit test for enums, a scan otherwise.
fn membership(e: &Expr, needle: &Expr, list: &Expr, negated: bool) -> Cond {
    let (ExprKind::Field(slot), Some(Value::List(items))) = (&needle.kind, folded(list)) else {
        return fallback(e);
    };
    let slot = *slot;
    let enums: Option<Vec<u32>> = items
        .iter()
        .map(|v| {
            if let Value::Enum(i) = v {
                Some(*i)
            } else {
                None
            }
        })
        .collect();
    match enums {
        Some(indices) if indices.iter().all(|i| *i < 64) => Cond::Pure(Pure::EnumIn(EnumSetLeaf {
            slot,
            members: indices.iter().fold(0u64, |m, i| m | (1 << i)),
            negated,
        })),
        _ => Cond::Pure(Pure::Other(Box::new(move |row| match row.get(slot) {
            Some(Value::Missing) | None => negated,
            Some(v) => items.iter().any(|i| equal(i, v)) != negated,
        }))),
    }
}

/// Up to 64 leaf comparisons, grouped by kind so that each kind is evaluated in a
/// loop of its own: no dispatch per leaf. Each leaf has its bit; the test of a leaf
/// is the same function [`Pure`] calls.
#[derive(Default)]
pub(super) struct LeafSet {
    pub(super) count: u32,
    pub(super) ints: Vec<(u32, IntLeaf)>,
    pub(super) decimals: Vec<(u32, DecimalLeaf)>,
    pub(super) dates: Vec<(u32, DateLeaf)>,
    pub(super) enums: Vec<(u32, EnumLeaf)>,
    pub(super) enum_sets: Vec<(u32, EnumSetLeaf)>,
    pub(super) bools: Vec<(u32, usize)>,
    pub(super) has: Vec<(u32, usize)>,
}

impl LeafSet {
    /// Registers a leaf; its bit, or `None` if it is not a leaf or the set is full.
    fn add(&mut self, p: &Pure) -> Option<u32> {
        if self.count == 64 {
            return None;
        }
        let bit = self.count;
        match p {
            Pure::Int(l) => self.ints.push((bit, *l)),
            Pure::Dec(l) => self.decimals.push((bit, *l)),
            Pure::Date(l) => self.dates.push((bit, *l)),
            Pure::Enum(l) => self.enums.push((bit, *l)),
            Pure::EnumIn(l) => self.enum_sets.push((bit, *l)),
            Pure::BoolField(slot) => self.bools.push((bit, *slot)),
            Pure::Has(slot) => self.has.push((bit, *slot)),
            _ => return None,
        }
        self.count += 1;
        Some(bit)
    }
    /// For a conjunction of (possibly negated) leaves: the mask of their bits and the
    /// bits they must have. `None` for any other shape (nothing is registered then).
    fn conjunction(&mut self, p: &Pure) -> Option<(u64, u64)> {
        fn literals<'p>(p: &'p Pure, positive: bool, out: &mut Vec<(&'p Pure, bool)>) -> bool {
            match p {
                Pure::And(a, b) if positive => literals(a, true, out) && literals(b, true, out),
                Pure::Not(x) => literals(x, !positive, out),
                Pure::And(..) | Pure::Or(..) | Pure::Other(_) | Pure::Const(_) => false,
                leaf => {
                    out.push((leaf, positive));
                    true
                }
            }
        }
        let mut lits = Vec::new();
        if !literals(p, true, &mut lits) || self.count as usize + lits.len() > 64 {
            return None;
        }
        let (mut mask, mut want) = (0u64, 0u64);
        for (leaf, positive) in lits {
            let bit = self.add(leaf)?;
            mask |= 1 << bit;
            want |= (positive as u64) << bit;
        }
        Some((mask, want))
    }

    #[inline]
    fn eval(&self, row: &[Value]) -> u64 {
        fn gather<L>(bits: &mut u64, leaves: &[(u32, L)], test: impl Fn(&L) -> bool) {
            for (bit, leaf) in leaves {
                *bits |= (test(leaf) as u64) << bit;
            }
        }
        let mut bits = 0u64;
        gather(&mut bits, &self.ints, |l| l.test(row));
        gather(&mut bits, &self.decimals, |l| l.test(row));
        gather(&mut bits, &self.dates, |l| l.test(row));
        gather(&mut bits, &self.enums, |l| l.test(row));
        gather(&mut bits, &self.enum_sets, |l| l.test(row));
        gather(&mut bits, &self.bools, |slot| bool_at(row, *slot));
        gather(&mut bits, &self.has, |slot| has_at(row, *slot));
        bits
    }
}
