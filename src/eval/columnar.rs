//! Column-at-a-time evaluation of the compiled program over a chunk of records held as
//! [`Columns`]: each comparison leaf of the program is evaluated over a whole column into a
//! bitmap (one bit per record, 64 records a word) by a plain loop the compiler vectorises;
//! scopes are bitmaps too; each rule combines its bitmaps with `and`, `or` and `not` word by
//! word. The result, per record, is the [`FiredSet`] the row evaluator ([`Program::run`])
//! gives, so outcomes and rendering are the row path's ([`Policy::outcome`]).
//!
//! What has no column form goes to the row evaluator, per record only: conditions that can
//! fail at run time (arithmetic, calls) and the rest of the program's `Other` closures (text
//! comparisons, two fields compared), for the records that need them (a fallible condition
//! only for the records in its rule's scope, as the row evaluator); and the records the
//! columns could not hold (see [`crate::columns`]), which are evaluated whole by
//! [`Program::run`]. A leaf over a column of an unexpected kind is tested value by value with
//! the row evaluator's own test. So decisions, warnings and errors are the row evaluator's.

use std::cmp::Ordering;

use super::program::{
    enum_code, Compiled, DateLeaf, DecimalLeaf, EnumLeaf, EnumSetLeaf, FiredSet, IntLeaf, Program,
    Pure, ScopeTest, Test,
};
use super::Policy;
use crate::columns::{days_of, pow10, Column, ColumnData, Columns, Mantissas};
use crate::outcome::{Decision, Outcome, Said};
use crate::semantics::{Accepts, EvalError};
use crate::value::Value;

/// What the rules said about every record of a chunk: per record the fired rules (a bit set
/// by rule index, as in [`FiredSet::fired`]), the runtime errors and the decision.
#[derive(Debug, Clone, Default)]
pub struct ChunkFired {
    len: usize,
    /// Words of fired bits per record.
    words: usize,
    /// `words` words per record, record after record.
    fired: Vec<u64>,
    /// `(record, rule, error)`, by record and then rule.
    errors: Vec<(usize, usize, EvalError)>,
    decisions: Vec<Decision>,
}

impl ChunkFired {
    /// The number of records.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The decision of every record.
    pub fn decisions(&self) -> &[Decision] {
        &self.decisions
    }

    /// The fired bits of record `i` (by rule index, 64 rules a word).
    pub fn fired_bits(&self, i: usize) -> &[u64] {
        &self.fired[i * self.words..(i + 1) * self.words]
    }

    /// Fills `out` with what the rules said about record `i` (the row evaluator's result).
    pub fn fired_set(&self, i: usize, out: &mut FiredSet) {
        out.fired.clear();
        out.fired.extend_from_slice(self.fired_bits(i));
        out.errors.clear();
        let from = self.errors.partition_point(|e| e.0 < i);
        out.errors.extend(
            self.errors[from..]
                .iter()
                .take_while(|e| e.0 == i)
                .map(|(_, rule, e)| (*rule, e.clone())),
        );
        out.decision = self.decisions[i];
    }

    /// Every record's [`FiredSet`], in order.
    pub fn fired_sets(&self) -> Vec<FiredSet> {
        (0..self.len)
            .map(|i| {
                let mut f = FiredSet::default();
                self.fired_set(i, &mut f);
                f
            })
            .collect()
    }
}

impl Policy {
    /// Evaluates the per-record rules over a chunk held as columns: per record, what
    /// [`Policy::evaluate_row`] would compute before rendering ([`Policy::outcome`] turns
    /// it into the outcome, with [`Columns::row`] for the row).
    pub fn evaluate_columns(&self, columns: &Columns) -> ChunkFired {
        self.program().run_columns(columns, None)
    }

    /// The outcome of every row of a chunk, evaluated a column at a time: the same as
    /// [`Policy::evaluate_row`] on each row.
    pub fn evaluate_rows_columnar(&self, rows: &[Vec<Value>]) -> Vec<Outcome> {
        let columns = Columns::from_rows(&self.schema, rows);
        let chunk = self.program().run_columns(&columns, Some(rows));
        let mut f = FiredSet::default();
        rows.iter()
            .enumerate()
            .map(|(i, row)| {
                chunk.fired_set(i, &mut f);
                self.outcome(row, &f)
            })
            .collect()
    }
}

/// What the rules said about each decoded row of a chunk, evaluated a column at a time:
/// the same as [`Program::run`] on each row. For the run pipeline: a worker calls it on
/// its decoded chunk and then [`Policy::outcome`] per row.
pub fn evaluate_chunk_columnar(policy: &Policy, rows: &[Vec<Value>]) -> Vec<FiredSet> {
    let columns = Columns::from_rows(&policy.schema, rows);
    policy
        .program()
        .run_columns(&columns, Some(rows))
        .fired_sets()
}

/// A bitmap over the records of a chunk: words, least significant bit first.
type Bits = Vec<u64>;

/// Where records come from when one must be evaluated as a row.
struct Rows<'a> {
    columns: &'a Columns,
    given: Option<&'a [Vec<Value>]>,
    made: Vec<Option<Vec<Value>>>,
}

impl Rows<'_> {
    fn row(&mut self, i: usize) -> &[Value] {
        if let Some(rows) = self.given {
            return &rows[i];
        }
        if self.made.is_empty() {
            self.made.resize(self.columns.len(), None);
        }
        self.made[i].get_or_insert_with(|| self.columns.row(i))
    }
}

/// One chunk's evaluation.
struct Chunk<'a> {
    program: &'a Program,
    columns: &'a Columns,
    rows: Rows<'a>,
    len: usize,
    /// The records evaluated from the columns (not kept as rows).
    columnar: Bits,
    errors: Vec<(usize, usize, EvalError)>,
}

impl Program {
    /// Evaluates every rule over a chunk of records held as columns; `rows`, when given,
    /// are the same records as rows (what conditions without a column form read).
    pub fn run_columns(&self, columns: &Columns, rows: Option<&[Vec<Value>]>) -> ChunkFired {
        let len = columns.len();
        let rows = rows.filter(|r| r.len() == len);
        let mut columnar = ones(len);
        for (i, _) in columns.kept_rows() {
            columnar[i / 64] &= !(1 << (i % 64));
        }
        let mut chunk = Chunk {
            program: self,
            columns,
            rows: Rows {
                columns,
                given: rows,
                made: Vec::new(),
            },
            len,
            columnar,
            errors: Vec::new(),
        };
        let leaves = chunk.leaf_bits();
        let mut scopes = Scopes::new(&chunk);
        let fired_by_rule: Vec<(usize, Bits)> = self
            .rules
            .iter()
            .map(|c| {
                let scope = match &c.scope {
                    Some(s) => scopes.of(s),
                    None => ones(len),
                };
                (c.rule, chunk.rule_bits(c, &leaves, scope))
            })
            .collect();
        chunk.finish(fired_by_rule)
    }
}

impl Chunk<'_> {
    fn words(&self) -> usize {
        self.len.div_ceil(64)
    }

    /// The bitmap of every leaf of the program's leaf set, by leaf bit.
    fn leaf_bits(&self) -> Vec<Bits> {
        let set = &self.program.leaves;
        let mut out = vec![Vec::new(); set.count as usize];
        let mut put = |bit: u32, leaf: Leaf| out[bit as usize] = self.leaf(leaf);
        set.ints.iter().for_each(|(b, l)| put(*b, Leaf::Int(l)));
        set.decimals.iter().for_each(|(b, l)| put(*b, Leaf::Dec(l)));
        set.dates.iter().for_each(|(b, l)| put(*b, Leaf::Date(l)));
        set.enums.iter().for_each(|(b, l)| put(*b, Leaf::Enum(l)));
        set.enum_sets
            .iter()
            .for_each(|(b, l)| put(*b, Leaf::EnumIn(l)));
        set.bools.iter().for_each(|(b, s)| put(*b, Leaf::Bool(*s)));
        set.has.iter().for_each(|(b, s)| put(*b, Leaf::Has(*s)));
        out
    }

    /// The enum index of every record in `slot` (`u32::MAX` for anything else).
    fn enum_codes(&self, slot: usize) -> Vec<u32> {
        match self.columns.column(slot) {
            Some(c) => match c.data() {
                ColumnData::Enum(codes) => codes.clone(),
                _ => (0..self.len)
                    .map(|i| enum_code(Some(&c.value(i))))
                    .collect(),
            },
            None => vec![u32::MAX; self.len],
        }
    }

    /// The records a rule fires on (errors noted in `self.errors`).
    fn rule_bits(&mut self, c: &Compiled, leaves: &[Bits], scope: Bits) -> Bits {
        let flip = |negate: bool| if negate { u64::MAX } else { 0 };
        let mut bits = match &c.test {
            Test::Always => scope,
            Test::Conj { mask, want, negate } => {
                let mut cond = ones(self.len);
                for bit in (0..64).filter(|b| mask >> b & 1 == 1) {
                    let positive = flip(want >> bit & 1 == 0);
                    for (w, l) in cond.iter_mut().zip(&leaves[bit]) {
                        *w &= l ^ positive;
                    }
                }
                and_xor(&scope, &cond, flip(*negate))
            }
            Test::Pure(p, negate) => {
                let cond = self.pure(p);
                and_xor(&scope, &cond, flip(*negate))
            }
            Test::Fallible(f, negate) => {
                let mut out = vec![0u64; self.words()];
                for i in each_bit(&scope, self.len).filter(|i| bit(&self.columnar, *i)) {
                    match f(self.rows.row(i)) {
                        Ok(v) => out[i / 64] |= ((v != *negate) as u64) << (i % 64),
                        Err(e) => self.errors.push((i, c.rule, *e)),
                    }
                }
                out
            }
        };
        for (b, m) in bits.iter_mut().zip(&self.columnar) {
            *b &= m;
        }
        bits
    }

    /// A condition that cannot fail, over every record.
    fn pure(&mut self, p: &Pure) -> Bits {
        match p {
            Pure::Const(b) => filled(self.len, *b),
            Pure::BoolField(slot) => self.leaf(Leaf::Bool(*slot)),
            Pure::Has(slot) => self.leaf(Leaf::Has(*slot)),
            Pure::Int(l) => self.leaf(Leaf::Int(l)),
            Pure::Dec(l) => self.leaf(Leaf::Dec(l)),
            Pure::Date(l) => self.leaf(Leaf::Date(l)),
            Pure::Enum(l) => self.leaf(Leaf::Enum(l)),
            Pure::EnumIn(l) => self.leaf(Leaf::EnumIn(l)),
            Pure::Other(f) => {
                let mut out = vec![0u64; self.words()];
                for i in each_bit(&self.columnar.clone(), self.len) {
                    out[i / 64] |= (f(self.rows.row(i)) as u64) << (i % 64);
                }
                out
            }
            Pure::Not(x) => {
                let mut bits = self.pure(x);
                let all = ones(self.len);
                for (b, m) in bits.iter_mut().zip(&all) {
                    *b = !*b & m;
                }
                bits
            }
            Pure::And(a, b) => {
                let (a, b) = (self.pure(a), self.pure(b));
                a.iter().zip(&b).map(|(x, y)| x & y).collect()
            }
            Pure::Or(a, b) => {
                let (a, b) = (self.pure(a), self.pure(b));
                a.iter().zip(&b).map(|(x, y)| x | y).collect()
            }
        }
    }

    /// Per record: the fired bits, the errors of the rows kept aside, the decision.
    fn finish(mut self, mut fired_by_rule: Vec<(usize, Bits)>) -> ChunkFired {
        let (p, len, words) = (self.program, self.len, self.program.words);
        let mut f = FiredSet::default();
        for (i, row) in self.columns.kept_rows() {
            p.run(row, &mut f);
            for (rule, bits) in &mut fired_by_rule {
                let fired = f.fired[*rule / 64] >> (*rule % 64) & 1;
                bits[i / 64] |= fired << (i % 64);
            }
            self.errors
                .extend(f.errors.drain(..).map(|(rule, e)| (*i, rule, e)));
        }
        // By record; within a record the rules stay in file order.
        self.errors.sort_by_key(|e| e.0);
        let fired = transpose(&fired_by_rule, len, words);
        // What the rules said, as bitmaps over the records, then the decision record by
        // record from a table of the decision rule.
        let mut said = [
            vec![0u64; self.words()],
            vec![0u64; self.words()],
            vec![0u64; self.words()],
            vec![0u64; self.words()],
        ];
        for (i, _, _) in &self.errors {
            said[0][i / 64] |= 1 << (i % 64);
        }
        for (rule, bits) in &fired_by_rule {
            for (k, verdict) in [&p.deny, &p.waitlist, &p.allow].into_iter().enumerate() {
                if verdict[rule / 64] >> (rule % 64) & 1 == 1 {
                    for (s, b) in said[k + 1].iter_mut().zip(bits) {
                        *s |= b;
                    }
                }
            }
        }
        let table: [Decision; 16] = std::array::from_fn(|k| {
            let said = Said {
                error: k & 8 != 0,
                deny: k & 4 != 0,
                waitlist: k & 2 != 0,
                allow: k & 1 != 0,
            };
            Decision::decide(said, p.default)
        });
        let mut decisions = Vec::with_capacity(len);
        let [errors, deny, waitlist, allow] = &said;
        let words_of = errors.iter().zip(deny).zip(waitlist).zip(allow);
        for (w, (((&e, &d), &wl), &a)) in words_of.enumerate() {
            decisions.extend((0..64.min(len - w * 64)).map(|j| {
                let k = (e >> j & 1) << 3 | (d >> j & 1) << 2 | (wl >> j & 1) << 1 | (a >> j & 1);
                table[k as usize]
            }));
        }
        ChunkFired {
            len,
            words,
            fired,
            errors: self.errors,
            decisions,
        }
    }
}

/// `(a & b) ^ flip`, masked by `a`.
fn and_xor(scope: &[u64], cond: &[u64], flip: u64) -> Bits {
    scope
        .iter()
        .zip(cond)
        .map(|(s, c)| s & (c ^ flip))
        .collect()
}

/// The fired bits record by record (`words` words each) from the bitmaps by rule: 8 rules
/// by 8 records at a time, as an 8×8 bit matrix transposed in a register.
fn transpose(fired_by_rule: &[(usize, Bits)], len: usize, words: usize) -> Vec<u64> {
    let mut fired = vec![0u64; len * words];
    let none = vec![0u64; len.div_ceil(64)];
    let mut by_index: Vec<&[u64]> = vec![&none; words * 64];
    for (rule, bits) in fired_by_rule {
        by_index[*rule] = bits;
    }
    for (g, group) in by_index.chunks(8).enumerate() {
        if group.iter().all(|b| std::ptr::eq(*b, none.as_slice())) {
            continue;
        }
        let (word, shift) = (g / 8, 8 * (g % 8));
        for (b, records) in fired.chunks_mut(8 * words).enumerate() {
            let x = group.iter().enumerate().fold(0u64, |x, (k, bits)| {
                x | ((bits[b / 8] >> (8 * (b % 8))) & 0xff) << (8 * k)
            });
            let t = transpose8(x);
            for (j, record) in records.chunks_mut(words).enumerate() {
                record[word] |= ((t >> (8 * j)) & 0xff) << shift;
            }
        }
    }
    fired
}

/// Transposes the 8×8 bit matrix whose row `r` is byte `r` (bit `c` of the byte, column `c`).
#[inline]
fn transpose8(mut x: u64) -> u64 {
    let mut t = (x ^ (x >> 7)) & 0x00AA_00AA_00AA_00AA;
    x ^= t ^ (t << 7);
    t = (x ^ (x >> 14)) & 0x0000_CCCC_0000_CCCC;
    x ^= t ^ (t << 14);
    t = (x ^ (x >> 28)) & 0x0000_0000_F0F0_F0F0;
    x ^ t ^ (t << 28)
}

/// `len` bits, all `bit`.
fn filled(len: usize, bit: bool) -> Bits {
    crate::columns::Bitmap::filled(len, bit).words().to_vec()
}

/// `len` set bits.
fn ones(len: usize) -> Bits {
    filled(len, true)
}

#[inline]
fn bit(bits: &[u64], i: usize) -> bool {
    bits[i / 64] >> (i % 64) & 1 == 1
}

/// The positions of the set bits, ascending.
fn each_bit(bits: &[u64], len: usize) -> impl Iterator<Item = usize> + '_ {
    bits.iter().enumerate().flat_map(move |(w, &word)| {
        let mut rest = word;
        std::iter::from_fn(move || {
            (rest != 0).then(|| {
                let b = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                w * 64 + b
            })
        })
        .filter(move |i| *i < len)
    })
}

/// The records in each scope, by action and by item set, each computed once per chunk.
struct Scopes {
    actions: Vec<u32>,
    items: Vec<u32>,
    words: usize,
    by_action: Vec<(u32, Bits)>,
    by_items: Vec<(u64, Bits)>,
}

impl Scopes {
    fn new(chunk: &Chunk) -> Scopes {
        // Without the fields, the row evaluator's codes: what no scope matches.
        let (actions, items) = match chunk.program.scope_slots {
            Some((a, i)) => (chunk.enum_codes(a), chunk.enum_codes(i)),
            None => (vec![u32::MAX; chunk.len], vec![u32::MAX; chunk.len]),
        };
        Scopes {
            actions,
            items,
            words: chunk.words(),
            by_action: Vec::new(),
            by_items: Vec::new(),
        }
    }

    fn of(&mut self, s: &ScopeTest) -> Bits {
        if s.wide_items.is_some() {
            let mut out = vec![0u64; self.words];
            let pairs: Vec<(u32, u32)> = self
                .actions
                .iter()
                .copied()
                .zip(self.items.iter().copied())
                .collect();
            pack(&pairs, &mut out, |(a, i)| s.matches(a, i));
            return out;
        }
        let words = self.words;
        let (actions, items) = (&self.actions, &self.items);
        let action = cached(&mut self.by_action, s.action, || {
            let mut out = vec![0u64; words];
            pack(actions, &mut out, |a| a == s.action);
            out
        });
        let items = cached(&mut self.by_items, s.items, || {
            let mut out = vec![0u64; words];
            if s.items == u64::MAX {
                // Any item (of an enum of up to 64 values): only a known one.
                pack(items, &mut out, |i| i < 64);
            } else if s.items.count_ones() <= 4 {
                // A few items: one equality test each (no shift by a value per record).
                let mut each = vec![0u64; words];
                for v in (0..64u32).filter(|v| s.items >> v & 1 == 1) {
                    pack(items, &mut each, |i| i == v);
                    out.iter_mut().zip(&each).for_each(|(o, e)| *o |= e);
                }
            } else {
                pack(items, &mut out, |i| {
                    (i < 64) & ((s.items >> (i & 63)) & 1 != 0)
                });
            }
            out
        });
        action.iter().zip(&items).map(|(a, i)| a & i).collect()
    }
}

fn cached<K: PartialEq + Copy>(
    cache: &mut Vec<(K, Bits)>,
    key: K,
    make: impl FnOnce() -> Bits,
) -> Bits {
    if let Some((_, b)) = cache.iter().find(|(k, _)| *k == key) {
        return b.clone();
    }
    let b = make();
    cache.push((key, b.clone()));
    b
}

/// A comparison leaf of the program.
#[derive(Clone, Copy)]
enum Leaf<'p> {
    Int(&'p IntLeaf),
    Dec(&'p DecimalLeaf),
    Date(&'p DateLeaf),
    Enum(&'p EnumLeaf),
    EnumIn(&'p EnumSetLeaf),
    Bool(usize),
    Has(usize),
}

impl Chunk<'_> {
    /// A leaf over its column.
    fn leaf(&self, leaf: Leaf) -> Bits {
        let slot = match leaf {
            Leaf::Int(l) => l.slot,
            Leaf::Dec(l) => l.slot,
            Leaf::Date(l) => l.slot,
            Leaf::Enum(l) => l.slot,
            Leaf::EnumIn(l) => l.slot,
            Leaf::Bool(s) | Leaf::Has(s) => s,
        };
        let mut out = vec![0u64; self.words()];
        let column = self.columns.column(slot);
        if let Some(c) = column {
            if kernel(leaf, c, &mut out) {
                return out;
            }
        }
        // Value by value, with the row evaluator's test.
        let test = |v: Option<&Value>| match leaf {
            Leaf::Int(l) => l.test_value(v),
            Leaf::Dec(l) => l.test_value(v),
            Leaf::Date(l) => l.test_value(v),
            Leaf::Enum(l) => l.test_code(enum_code(v)),
            Leaf::EnumIn(l) => l.test_code(enum_code(v)),
            Leaf::Bool(_) => matches!(v, Some(Value::Bool(true))),
            Leaf::Has(_) => !matches!(v, None | Some(Value::Missing)),
        };
        for i in 0..self.len {
            let v = column.map(|c| c.value(i));
            out[i / 64] |= (test(v.as_ref()) as u64) << (i % 64);
        }
        out
    }
}

/// A leaf over a column of the kind it expects, in a loop the compiler can vectorise;
/// `false` (nothing written) for any other combination.
fn kernel(leaf: Leaf, c: &Column, out: &mut [u64]) -> bool {
    match (leaf, c.data()) {
        (Leaf::Int(l), ColumnData::Int(xs)) => {
            compare(xs, same, l.accepts, l.constant, l.constant, out);
        }
        (Leaf::Int(l), ColumnData::Decimal(d)) if !d.percent => {
            let Some((lo, hi)) = thresholds(i128::from(l.constant), 0, d.scale) else {
                return false;
            };
            compare_mantissas(&d.mantissas, l.accepts, lo, hi, out);
        }
        (Leaf::Dec(l), ColumnData::Decimal(d)) => {
            let Some((lo, hi)) = thresholds(l.mantissa, l.scale, d.scale) else {
                return false;
            };
            compare_mantissas(&d.mantissas, l.accepts, lo, hi, out);
        }
        (Leaf::Dec(l), ColumnData::Int(xs)) => {
            let Some((lo, hi)) = thresholds(l.mantissa, l.scale, 0) else {
                return false;
            };
            compare(xs, i128::from, l.accepts, lo, hi, out);
        }
        (Leaf::Date(l), ColumnData::Date(xs)) => {
            let k = days_of(l.constant);
            compare(xs, same, l.accepts, k, k, out);
        }
        (Leaf::Enum(l), ColumnData::Enum(xs)) => {
            // Nulls hold u32::MAX, the row evaluator's index for a missing value.
            compare(xs, same, l.accepts, l.constant, l.constant, out);
            return true;
        }
        (Leaf::EnumIn(l), ColumnData::Enum(xs)) => {
            pack(xs, out, |x| l.test_code(x));
            return true;
        }
        (Leaf::Bool(_), ColumnData::Bool(b)) => out.copy_from_slice(b.words()),
        (Leaf::Has(_), _) => {}
        _ => return false,
    }
    // A null is never equal, less or greater: the row evaluator's leaves are false on it.
    for (o, v) in out.iter_mut().zip(c.validity().words()) {
        *o = if matches!(leaf, Leaf::Has(_)) {
            *v
        } else {
            *o & v
        };
    }
    true
}

/// Mantissas against thresholds at their scale: in `i64` when both fit.
fn compare_mantissas(m: &Mantissas, accepts: Accepts, lo: i128, hi: i128, out: &mut [u64]) {
    match (m, i64::try_from(lo), i64::try_from(hi)) {
        (Mantissas::I64(xs), Ok(lo), Ok(hi)) => compare(xs, same, accepts, lo, hi, out),
        (Mantissas::I64(xs), _, _) => compare(xs, i128::from, accepts, lo, hi, out),
        (Mantissas::I128(xs), _, _) => compare(xs, same, accepts, lo, hi, out),
    }
}

fn same<T>(x: T) -> T {
    x
}

/// For the constant `mantissa / 10^scale` and values that are mantissas at `at`: `(lo,
/// hi)` such that a value is less than the constant when below `lo`, greater when above
/// `hi` (equal when both fail). `None` when that does not fit an `i128`.
fn thresholds(mantissa: i128, scale: u32, at: u32) -> Option<(i128, i128)> {
    if scale <= at {
        let c = mantissa.checked_mul(pow10(at - scale)?)?;
        return Some((c, c));
    }
    let p = pow10(scale - at)?;
    let (q, r) = (mantissa.div_euclid(p), mantissa.rem_euclid(p));
    // Between q and q + 1: no value at `at` is equal to it.
    Some(if r == 0 {
        (q, q)
    } else {
        (q.checked_add(1)?, q)
    })
}

/// `key(x) OP constant` for every value, the constant given by its thresholds.
fn compare<T: Copy, U: Ord + Copy>(
    values: &[T],
    key: impl Fn(T) -> U + Copy,
    accepts: Accepts,
    lo: U,
    hi: U,
    out: &mut [u64],
) {
    let on = |o: Ordering| accepts.ordering(o);
    match (
        on(Ordering::Less),
        on(Ordering::Equal),
        on(Ordering::Greater),
    ) {
        (true, false, false) => pack(values, out, |x| key(x) < lo),
        (true, true, false) => pack(values, out, |x| key(x) <= hi),
        (false, true, false) => pack(values, out, |x| (key(x) >= lo) & (key(x) <= hi)),
        (true, false, true) => pack(values, out, |x| (key(x) < lo) | (key(x) > hi)),
        (false, false, true) => pack(values, out, |x| key(x) > hi),
        (false, true, true) => pack(values, out, |x| key(x) >= lo),
        (all, _, _) => pack(values, out, |_| all),
    }
}

/// One bit per value, 64 values a word. The tests go to bytes first (a loop the compiler
/// vectorises), and each 8 bytes of 0 or 1 become 8 bits by one multiplication.
#[inline(always)]
fn pack<T: Copy>(values: &[T], out: &mut [u64], test: impl Fn(T) -> bool) {
    for (o, block) in out.iter_mut().zip(values.chunks(64)) {
        let mut bytes = [0u8; 64];
        for (b, &x) in bytes.iter_mut().zip(block) {
            *b = test(x) as u8;
        }
        let mut bits = 0u64;
        for (k, eight) in bytes.chunks_exact(8).enumerate() {
            let v = u64::from_le_bytes(eight.try_into().unwrap_or_default());
            bits |= (v.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
        }
        *o = bits;
    }
}
