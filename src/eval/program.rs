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

use std::cmp::Ordering;
use std::fmt;

use super::expr::{const_eval, equal, order, truth, EvalError};
use crate::ast::Verdict;
use crate::check::{CompareOp, Decision, Expr, ExprKind, Rule, RuleKind, Schema};
use crate::value::{Decimal, Type, Value};

type PureFn = Box<dyn Fn(&[Value]) -> bool + Send + Sync>;

/// A condition that cannot fail, as a tree evaluated by one `match` per node: direct
/// calls and jump tables rather than a closure call per node.
enum Pure {
    Const(bool),
    BoolField(usize),
    Has(usize),
    Int(usize, CompareOp, i64),
    /// Decimal or percent field against a constant, with the constant's scale and
    /// mantissa for the common case of equal scales.
    Dec(usize, CompareOp, Decimal, u32, i128),
    Date(usize, CompareOp, crate::value::Date),
    Enum(usize, CompareOp, u32),
    /// Membership of an enum field in a constant set, as bits.
    EnumIn(usize, u64, bool),
    Other(PureFn),
    Not(Box<Pure>),
    And(Box<Pure>, Box<Pure>),
    Or(Box<Pure>, Box<Pure>),
}

impl Pure {
    #[inline]
    fn eval(&self, row: &[Value]) -> bool {
        match self {
            Pure::Const(b) => *b,
            Pure::BoolField(slot) => matches!(row.get(*slot), Some(Value::Bool(true))),
            Pure::Has(slot) => !matches!(row.get(*slot), None | Some(Value::Missing)),
            Pure::Int(slot, op, k) => match row.get(*slot) {
                Some(Value::Int(x)) => test_order(*op, x.cmp(k)),
                Some(Value::Decimal(x)) => test_order(*op, x.cmp(&Decimal::from(*k))),
                _ => false,
            },
            Pure::Dec(slot, op, k, ks, km) => match row.get(*slot) {
                Some(Value::Decimal(x)) | Some(Value::Percent(x)) => {
                    test_order(*op, decimal_cmp(x, k, *ks, *km))
                }
                Some(Value::Int(x)) => test_order(*op, Decimal::from(*x).cmp(k)),
                _ => false,
            },
            Pure::Date(slot, op, k) => {
                matches!(row.get(*slot), Some(Value::Date(x)) if test_order(*op, x.cmp(k)))
            }
            Pure::Enum(slot, op, k) => test_order(*op, enum_at(row, *slot).cmp(k)),
            Pure::EnumIn(slot, bits, negated) => {
                let x = enum_at(row, *slot);
                ((x < 64) & ((bits >> (x & 63)) & 1 == 1)) != *negated
            }
            Pure::Other(f) => f(row),
            Pure::Not(x) => !x.eval(row),
            Pure::And(a, b) => a.eval(row) & b.eval(row),
            Pure::Or(a, b) => a.eval(row) | b.eval(row),
        }
    }
}
/// The error is boxed to keep the result small on the hot path.
type FallibleFn = Box<dyn Fn(&[Value]) -> Result<bool, Box<EvalError>> + Send + Sync>;

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
    rules: Vec<Compiled>,
    /// The comparisons of rules that are conjunctions, evaluated once per record in
    /// tight loops by kind, each result a bit.
    leaves: LeafSet,
    /// The `action` and `item` slots, when scopes are used.
    scope_slots: Option<(usize, usize)>,
    default: Decision,
    /// Bit sets (by rule index) of the rules with each verdict.
    deny: Vec<u64>,
    waitlist: Vec<u64>,
    allow: Vec<u64>,
    words: usize,
}

impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Program({} rules)", self.rules.len())
    }
}

struct Compiled {
    rule: usize,
    scope: Option<ScopeTest>,
    test: Test,
}

enum Test {
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

struct ScopeTest {
    action: u32,
    /// Allowed item indices as bits (item enums of up to 64 values); all ones: any item.
    items: u64,
    /// For larger item enums: allowed indices.
    wide_items: Option<Vec<bool>>,
}

#[inline]
fn enum_at(row: &[Value], slot: usize) -> u32 {
    match row.get(slot) {
        Some(Value::Enum(x)) => *x,
        _ => u32::MAX,
    }
}

impl ScopeTest {
    /// `action` and `item`: the record's values of those fields, read once per record.
    #[inline]
    fn matches(&self, action: u32, item: u32) -> bool {
        match &self.wide_items {
            None => (action == self.action) & ((self.items >> (item & 63)) & 1 != 0) & (item < 64),
            Some(wide) => action == self.action && wide.get(item as usize) == Some(&true),
        }
    }
}

/// What the rules said about one record: the rules that fired (a bit set by rule
/// index) and those that failed with a runtime error. Reused from record to record.
#[derive(Debug, Default, Clone)]
pub struct Verdicts {
    pub fired: Vec<u64>,
    pub errors: Vec<(usize, EvalError)>,
    pub decision: Decision,
}

impl Verdicts {
    /// The indices of the rules that fired, in file order.
    pub fn fired(&self) -> impl Iterator<Item = usize> + '_ {
        self.fired.iter().enumerate().flat_map(|(w, bits)| {
            (0..64)
                .filter(move |b| bits >> b & 1 == 1)
                .map(move |b| w * 64 + b)
        })
    }
}

impl Program {
    /// Compiles the per-record rules (`limit` rules are left to the allocator).
    pub fn compile(rules: &[Rule], schema: &Schema, default: Decision) -> Program {
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
    pub fn run(&self, row: &[Value], out: &mut Verdicts) {
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
        out.decision = if !out.errors.is_empty() {
            Decision::Error
        } else if any(&self.deny) {
            Decision::Deny
        } else if any(&self.waitlist) {
            Decision::Waitlist
        } else if any(&self.allow) {
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

#[inline]
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
                        _ => order(p, q).is_some_and(|o| test_order(op, o)),
                    }
                })));
            }
            return fallback(e);
        }
    };
    let p = match constant {
        Value::Int(k) => Pure::Int(slot, op, k),
        Value::Decimal(k) | Value::Percent(k) => Pure::Dec(slot, op, k, k.scale(), k.mantissa()),
        Value::Date(k) => Pure::Date(slot, op, k),
        Value::Enum(k) => Pure::Enum(slot, op, k),
        Value::Bool(k) => Pure::Other(Box::new(
            move |row| matches!(row.get(slot), Some(Value::Bool(x)) if test_order(op, x.cmp(&k))),
        )),
        Value::Text(k) => Pure::Other(Box::new(
            move |row| matches!(row.get(slot), Some(Value::Text(x)) if test_order(op, x.as_ref().cmp(k.as_ref()))),
        )),
        _ => return fallback(e),
    };
    Cond::Pure(p)
}

/// Compares with a constant whose scale and mantissa are known: a plain integer
/// compare when the scales agree (the common case: data written like the policy).
#[inline]
fn decimal_cmp(x: &Decimal, k: &Decimal, k_scale: u32, k_mantissa: i128) -> Ordering {
    if x.scale() == k_scale {
        x.mantissa().cmp(&k_mantissa)
    } else {
        x.cmp(k)
    }
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
        Some(indices) if indices.iter().all(|i| *i < 64) => Cond::Pure(Pure::EnumIn(
            slot,
            indices.iter().fold(0u64, |m, i| m | (1 << i)),
            negated,
        )),
        _ => Cond::Pure(Pure::Other(Box::new(move |row| match row.get(slot) {
            Some(Value::Missing) | None => negated,
            Some(v) => items.iter().any(|i| equal(i, v)) != negated,
        }))),
    }
}

/// The orderings a comparison accepts, as bits: less 1, equal 2, greater 4.
fn op_bits(op: CompareOp) -> u8 {
    match op {
        CompareOp::Lt => 0b001,
        CompareOp::Le => 0b011,
        CompareOp::Eq => 0b010,
        CompareOp::Ne => 0b101,
        CompareOp::Gt => 0b100,
        CompareOp::Ge => 0b110,
    }
}

#[inline]
fn accepts(op_bits: u8, ord: Ordering) -> bool {
    op_bits & (1 << (ord as i8 + 1)) != 0
}

/// Up to 64 leaf comparisons, grouped by kind so that each kind is evaluated in a
/// loop of its own: no dispatch per leaf. Each leaf has its bit.
#[derive(Default)]
struct LeafSet {
    count: u32,
    ints: Vec<(u32, usize, u8, i64)>,
    decimals: Vec<(u32, usize, u8, Decimal, u32, i128)>,
    dates: Vec<(u32, usize, u8, crate::value::Date)>,
    enums: Vec<(u32, usize, u8, u32)>,
    enum_sets: Vec<(u32, usize, u64)>,
    bools: Vec<(u32, usize)>,
    has: Vec<(u32, usize)>,
}

impl LeafSet {
    /// Registers a leaf; its bit, or `None` if it is not a leaf or the set is full.
    fn add(&mut self, p: &Pure) -> Option<u32> {
        if self.count == 64 {
            return None;
        }
        let bit = self.count;
        match p {
            Pure::Int(slot, op, k) => self.ints.push((bit, *slot, op_bits(*op), *k)),
            Pure::Dec(slot, op, k, ks, km) => {
                self.decimals.push((bit, *slot, op_bits(*op), *k, *ks, *km))
            }
            Pure::Date(slot, op, k) => self.dates.push((bit, *slot, op_bits(*op), *k)),
            Pure::Enum(slot, op, k) => self.enums.push((bit, *slot, op_bits(*op), *k)),
            Pure::EnumIn(slot, bits, false) => self.enum_sets.push((bit, *slot, *bits)),
            Pure::EnumIn(slot, bits, true) => self.enum_sets.push((bit, *slot, !*bits)),
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
        let mut bits = 0u64;
        for &(bit, slot, op, k) in &self.ints {
            let t = match row.get(slot) {
                Some(Value::Int(x)) => accepts(op, x.cmp(&k)),
                Some(Value::Decimal(x)) => accepts(op, x.cmp(&Decimal::from(k))),
                _ => false,
            };
            bits |= (t as u64) << bit;
        }
        for (bit, slot, op, k, ks, km) in &self.decimals {
            let t = match row.get(*slot) {
                Some(Value::Decimal(x)) | Some(Value::Percent(x)) => {
                    accepts(*op, decimal_cmp(x, k, *ks, *km))
                }
                Some(Value::Int(x)) => accepts(*op, Decimal::from(*x).cmp(k)),
                _ => false,
            };
            bits |= (t as u64) << bit;
        }
        for &(bit, slot, op, k) in &self.dates {
            let t = matches!(row.get(slot), Some(Value::Date(x)) if accepts(op, x.cmp(&k)));
            bits |= (t as u64) << bit;
        }
        for &(bit, slot, op, k) in &self.enums {
            bits |= (accepts(op, enum_at(row, slot).cmp(&k)) as u64) << bit;
        }
        for &(bit, slot, set) in &self.enum_sets {
            let x = enum_at(row, slot);
            let t = (x < 64) & ((set >> (x & 63)) & 1 == 1);
            bits |= (t as u64) << bit;
        }
        for &(bit, slot) in &self.bools {
            bits |= (matches!(row.get(slot), Some(Value::Bool(true))) as u64) << bit;
        }
        for &(bit, slot) in &self.has {
            bits |= (!matches!(row.get(slot), None | Some(Value::Missing)) as u64) << bit;
        }
        bits
    }
}
