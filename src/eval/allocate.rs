//! `limit`: allocating capped quantities across a batch (docs/language.md, "Allocation").
//!
//! The allocation works in three steps, each usable on its own (a distributed runner
//! does the first and last on its workers and the middle one once):
//!
//! 1. After a record's per-record rules, [`Policy::candidates`] says what it claims: one
//!    [`Candidate`] per limit that scopes it (none unless its decision so far is
//!    `allow`). A bad quantity makes the record an error there.
//! 2. [`allocate`] (or an [`Allocator`] fed candidate by candidate) takes the candidates
//!    of the whole batch, in input order, and admits records first-fit in `order by`
//!    order (stable), all-or-nothing across the limits that scope a record. It keeps a
//!    few dozen bytes per claim, never a record, a label or a reason; the result is an
//!    [`Allocation`]: an [`Allotment`] per record that took part, and the
//!    [`LimitReport`]s.
//! 3. [`Policy::allot`] applies a record's allotment to its outcome, freshly evaluated
//!    from the same row: the facts of each limit (see [`AllocationFact`]) and the refusal,
//!    whose reason (the limit's `because`) is rendered then, from the row.

use std::collections::HashMap;

use serde::Serialize;

use super::Policy;
use crate::ir::{Limit, Rule, RuleKind, TemplatePart};
use crate::outcome::{Decision, Ledger, Outcome, RecordError, Taken};
use crate::semantics::{as_decimal, eval, in_scope};
use crate::value::{plain, Decimal, Value};

pub use super::allot::{Allotment, Turn};

/// What the allocation did, per limit and group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LimitReport {
    /// The `limit` rule.
    pub rule: String,
    /// The group's value with `per`; `None` without.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The cap (of each group, with `per`).
    pub cap: String,
    /// What was admitted in all.
    pub admitted: String,
    /// What was refused in all.
    pub refused: String,
    /// What is left of the cap (of the group's) after the allocation.
    pub remaining: String,
    /// How many records were admitted.
    pub admitted_records: usize,
    /// How many records were refused.
    pub refused_records: usize,
    /// Labels of the refused records, in the order they were refused.
    pub refused_ids: Vec<String>,
}

/// One record's claim on one `limit` rule: all the allocation needs of the record for
/// it. Plain values, so that a distributed runner can carry candidates between machines
/// (say, in Arrow columns: the values as text, see [`Value::display`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The record's number in the input, from 0.
    pub record: usize,
    /// The limit: its number among the policy's `limit` rules, in file order, from 0.
    pub limit: usize,
    /// The record's value of the limit's `per` field; [`Value::Missing`] without `per`.
    pub group: Value,
    /// The record's value of the `order by` field (shared by all limits);
    /// [`Value::Missing`] without one.
    pub order: Value,
    /// The quantity claimed: the record's quantity field, or 1 for `records`.
    pub quantity: Decimal,
}

/// The `limit` rule of a policy rule, if it is one.
pub(super) fn limit_of(rule: &Rule) -> Option<&Limit> {
    match &rule.kind {
        RuleKind::Limit(l) => Some(l),
        _ => None,
    }
}

impl Policy {
    /// The indices (in `rules`) of the `limit` rules, in file order: limit number `n`
    /// of a [`Candidate`] is `rules[limit_rules()[n]]`.
    pub fn limit_rules(&self) -> Vec<usize> {
        (0..self.rules.len())
            .filter(|i| limit_of(&self.rules[*i]).is_some())
            .collect()
    }

    /// The field every `limit` is ordered by, if any gives an `order by`.
    pub(super) fn order_by(&self) -> Option<usize> {
        self.rules
            .iter()
            .find_map(|r| limit_of(r).and_then(|l| l.order_by))
    }

    /// What record number `record` (from 0) claims, after its per-record rules gave it
    /// `outcome`: one candidate per limit that scopes it, in file order, or none when
    /// its decision so far is not `allow`. A quantity that is negative or missing, or a
    /// limit's `because` that cannot be rendered for the record, makes the record an
    /// error here (in `outcome`), and it claims nothing.
    ///
    /// Call it again on a freshly evaluated outcome before [`Policy::allot`]: it gives
    /// the same outcome the same error.
    pub fn candidates(
        &self,
        record: usize,
        row: &[Value],
        outcome: &mut Outcome,
    ) -> Vec<Candidate> {
        let mut out = Vec::new();
        self.push_candidates(record, row, outcome, &mut out);
        out
    }

    /// Like [`Policy::candidates`], appending to `out`; how many were appended.
    pub fn push_candidates(
        &self,
        record: usize,
        row: &[Value],
        outcome: &mut Outcome,
        out: &mut Vec<Candidate>,
    ) -> usize {
        if outcome.decision != Decision::Allow {
            return 0;
        }
        let start = out.len();
        let order = self.order_by().map_or(Value::Missing, |s| row[s].clone());
        for (n, rule) in self
            .rules
            .iter()
            .filter(|r| limit_of(r).is_some())
            .enumerate()
        {
            let Some(limit) = limit_of(rule) else {
                continue;
            };
            if !in_scope(rule, &self.schema, row) {
                continue;
            }
            match self.claim(rule, limit, row) {
                Ok(quantity) => out.push(Candidate {
                    record,
                    limit: n,
                    group: limit.per.map_or(Value::Missing, |slot| row[slot].clone()),
                    order: order.clone(),
                    quantity,
                }),
                Err(e) => {
                    outcome.errors.push(e);
                    outcome.redecide(self.default);
                    out.truncate(start);
                    return 0;
                }
            }
        }
        out.len() - start
    }

    /// The quantity a record in scope of `limit` claims; its `because` is rendered
    /// here only to find an error in it (the text is rendered again by `allot`).
    fn claim(&self, rule: &Rule, limit: &Limit, row: &[Value]) -> Result<Decimal, RecordError> {
        let quantity = match limit.quantity {
            None => Decimal::ONE,
            Some(slot) => match as_decimal(&row[slot]) {
                Some(q) if q >= Decimal::ZERO => q,
                _ => {
                    let field = &self.schema.fields[slot].name;
                    return Err(RecordError {
                        rule: Some(rule.name.clone()),
                        field: Some(field.clone()),
                        message: format!("the quantity `{field}` must not be negative"),
                    });
                }
            },
        };
        for part in rule.because.iter().flat_map(|t| &t.parts) {
            if let TemplatePart::Expr(e) = part {
                eval(e, row).map_err(|e| RecordError {
                    rule: Some(rule.name.clone()),
                    field: None,
                    message: e.message,
                })?;
            }
        }
        Ok(quantity)
    }
}

/// What the allocation keeps of one claim: a few dozen bytes.
#[derive(Debug, Clone)]
struct Claim {
    record: usize,
    quantity: Decimal,
    /// What remained of the cap (of the group's) at the record's turn.
    remaining: Decimal,
    /// The record's place in its group's order, from 1.
    place: usize,
    /// The group's number within its limit until the allocation, then its pool's
    /// (pools are numbered in the order their groups are first seen in the allocation).
    pool: u32,
    limit: u32,
    fits: bool,
    admitted: bool,
}

/// Collects the candidates of a batch, then allocates ([`Allocator::finish`]).
/// What it keeps per claim is small and fixed (see [`Allocator::bytes_per_claim`]);
/// groups are kept once each.
pub struct Allocator<'p> {
    policy: &'p Policy,
    /// Per limit: its rule's index in `policy.rules`.
    limits: Vec<usize>,
    claims: Vec<Claim>,
    /// Per record that took part, in the order pushed: its first claim and order key.
    turns: Vec<(usize, Value)>,
    /// Per limit: each group's number, by value, and the groups by number.
    index: Vec<HashMap<Value, u32>>,
    groups: Vec<Vec<Value>>,
    /// Whether the candidates came in input order (else `finish` sorts them).
    in_order: bool,
}

impl<'p> Allocator<'p> {
    /// An allocator for the limits of `policy`.
    pub fn new(policy: &'p Policy) -> Self {
        let limits = policy.limit_rules();
        Allocator {
            policy,
            index: limits.iter().map(|_| HashMap::new()).collect(),
            groups: limits.iter().map(|_| Vec::new()).collect(),
            limits,
            claims: Vec::new(),
            turns: Vec::new(),
            in_order: true,
        }
    }

    /// Takes one candidate. Candidates should come in input order (by record, and a
    /// record's by limit), as [`Policy::candidates`] gives them; otherwise `finish`
    /// sorts them. A candidate for a limit the policy does not have is ignored.
    pub fn push(&mut self, c: Candidate) {
        let Some(rule) = self.limits.get(c.limit).map(|i| &self.policy.rules[*i]) else {
            return;
        };
        if limit_of(rule).is_none() {
            return;
        }
        let groups = &mut self.groups[c.limit];
        let group = *self.index[c.limit]
            .entry(c.group)
            .or_insert_with_key(|group| {
                groups.push(group.clone());
                (groups.len() - 1) as u32
            });
        match self.claims.last() {
            Some(last) if last.record == c.record => {}
            last => {
                if last.is_some_and(|l| l.record > c.record) {
                    self.in_order = false;
                }
                self.turns.push((self.claims.len(), c.order));
            }
        }
        self.claims.push(Claim {
            record: c.record,
            quantity: c.quantity,
            remaining: Decimal::ZERO,
            place: 0,
            pool: group,
            limit: c.limit as u32,
            fits: false,
            admitted: false,
        });
    }

    /// How many claims it holds.
    pub fn claims(&self) -> usize {
        self.claims.len()
    }

    /// The bytes kept per claim (the order key of a record is kept until the
    /// allocation only): what bounds the allocation's memory with the batch's size.
    pub const fn bytes_per_claim() -> usize {
        std::mem::size_of::<Claim>() + std::mem::size_of::<(usize, Value)>()
    }

    /// Allocates.
    pub fn finish(self) -> Allocation {
        self.run(None)
    }

    /// Allocates, with a ledger in every fact ([`AllocationFact::before`], as
    /// explanations show it): `label` gives the label of an admitted record by its
    /// number, for the ledgers of later ones.
    ///
    /// [`AllocationFact::before`]: crate::outcome::AllocationFact::before
    pub fn finish_with_ledgers(self, label: &dyn Fn(usize) -> String) -> Allocation {
        self.run(Some(label))
    }

    fn run(mut self, label: Option<&dyn Fn(usize) -> String>) -> Allocation {
        if !self.in_order {
            self.reorder();
        }
        let mut turns = std::mem::take(&mut self.turns);
        // Ties keep input order: the first claim's index grows with the record number.
        turns.sort_unstable_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        let mut ledgers = Vec::new();
        if label.is_some() {
            ledgers.resize(self.claims.len(), None);
        }
        let mut pools = Pools {
            pools: self.limits.iter().map(|_| Vec::new()).collect(),
            slots: self
                .groups
                .iter()
                .map(|g| vec![u32::MAX; g.len()])
                .collect(),
            caps: self
                .limits
                .iter()
                .map(|i| limit_cap(&self.policy.rules[*i]))
                .collect(),
            groups: std::mem::take(&mut self.groups),
        };
        for (first, _) in turns {
            pools.turn(&mut self.claims, first, label, &mut ledgers);
        }
        Allocation {
            claims: self.claims,
            ledgers,
            pools: pools.pools,
        }
    }

    /// Puts claims pushed out of order back in input order.
    fn reorder(&mut self) {
        let mut order: HashMap<usize, Value> = HashMap::new();
        for (first, key) in std::mem::take(&mut self.turns) {
            order.entry(self.claims[first].record).or_insert(key);
        }
        self.claims.sort_by_key(|c| (c.record, c.limit));
        let mut last = None;
        for (i, c) in self.claims.iter().enumerate() {
            if last != Some(c.record) {
                let key = order.get(&c.record).cloned().unwrap_or(Value::Missing);
                self.turns.push((i, key));
                last = Some(c.record);
            }
        }
    }
}

/// The cap of a `limit` rule.
fn limit_cap(rule: &Rule) -> Decimal {
    limit_of(rule)
        .and_then(|l| as_decimal(&l.cap))
        .unwrap_or(Decimal::ZERO)
}

/// The pools of every limit while allocating.
struct Pools {
    /// Per limit: its groups' pools, in the order first seen.
    pools: Vec<Vec<Pool>>,
    /// Per limit and group number: its pool (`u32::MAX`: none yet).
    slots: Vec<Vec<u32>>,
    groups: Vec<Vec<Value>>,
    caps: Vec<Decimal>,
}

impl Pools {
    /// The pool of group number `group` of limit number `limit`, made on first sight.
    fn slot(&mut self, limit: usize, group: u32) -> u32 {
        let slot = &mut self.slots[limit][group as usize];
        if *slot == u32::MAX {
            let pools = &mut self.pools[limit];
            let value = std::mem::replace(&mut self.groups[limit][group as usize], Value::Missing);
            pools.push(Pool::new(value, self.caps[limit]));
            *slot = (pools.len() - 1) as u32;
        }
        *slot
    }

    /// One record's turn, from its first claim: its place and what remained at every
    /// limit that scopes it, then it takes from all of them, or from none.
    fn turn(
        &mut self,
        claims: &mut [Claim],
        first: usize,
        label: Option<&dyn Fn(usize) -> String>,
        ledgers: &mut [Option<Ledger>],
    ) {
        let record = claims[first].record;
        let end = first
            + claims[first..]
                .iter()
                .take_while(|c| c.record == record)
                .count();
        let mut fits_all = true;
        for k in first..end {
            let c = &mut claims[k];
            c.pool = self.slot(c.limit as usize, c.pool);
            let pool = &mut self.pools[c.limit as usize][c.pool as usize];
            pool.seen += 1;
            c.place = pool.seen;
            c.remaining = pool.remaining;
            c.fits = c.quantity <= pool.remaining;
            fits_all &= c.fits;
            if label.is_some() {
                ledgers[k] = Some(pool.ledger());
            }
        }
        if fits_all {
            let name = label.map(|l| l(record));
            for c in &mut claims[first..end] {
                c.admitted = true;
                let pool = &mut self.pools[c.limit as usize][c.pool as usize];
                pool.admit(c.quantity, name.as_deref());
            }
        } else if let Some(c) = claims[first..end].iter().find(|c| !c.fits) {
            let pool = &mut self.pools[c.limit as usize][c.pool as usize];
            pool.refused = pool.refused.saturating_add(c.quantity);
            pool.refused_records.push(record);
        }
    }
}

/// Allocates the candidates of a whole batch (in input order, as
/// [`Policy::candidates`] gives them).
pub fn allocate(policy: &Policy, candidates: impl IntoIterator<Item = Candidate>) -> Allocation {
    let mut a = Allocator::new(policy);
    candidates.into_iter().for_each(|c| a.push(c));
    a.finish()
}

/// What an allocation gave: an [`Allotment`] per record that took part, and what it
/// did per limit and group ([`Allocation::reports`]).
#[derive(Debug, Clone)]
pub struct Allocation {
    /// In input order.
    claims: Vec<Claim>,
    /// With ledgers: one per claim; else empty.
    ledgers: Vec<Option<Ledger>>,
    pools: Vec<Vec<Pool>>,
}

impl Allocation {
    /// The claims of record number `record`.
    fn claims_of(&self, record: usize) -> std::ops::Range<usize> {
        let start = self.claims.partition_point(|c| c.record < record);
        let len = self.claims[start..]
            .iter()
            .take_while(|c| c.record == record)
            .count();
        start..start + len
    }

    /// What record number `record` got; `None` if it took no part.
    pub fn allotment(&self, record: usize) -> Option<Allotment> {
        let range = self.claims_of(record);
        (!range.is_empty()).then(|| self.allotment_at(range))
    }

    fn allotment_at(&self, range: std::ops::Range<usize>) -> Allotment {
        let claims = &self.claims[range.clone()];
        let turns = claims
            .iter()
            .zip(range)
            .map(|(c, k)| Turn {
                limit: c.limit as usize,
                quantity: c.quantity,
                remaining: c.remaining,
                place: c.place,
                fits: c.fits,
                admitted: c.admitted,
                before: self.ledgers.get(k).cloned().flatten(),
            })
            .collect();
        Allotment {
            record: claims[0].record,
            turns,
            refused_by: claims.iter().find(|c| !c.fits).map(|c| c.limit as usize),
        }
    }

    /// Every allotment, in input order.
    pub fn allotments(&self) -> impl Iterator<Item = Allotment> + '_ {
        let mut start = 0;
        std::iter::from_fn(move || {
            let record = self.claims.get(start)?.record;
            let len = self.claims[start..]
                .iter()
                .take_while(|c| c.record == record)
                .count();
            let a = self.allotment_at(start..start + len);
            start += len;
            Some(a)
        })
    }

    /// The refused records (by number), whose labels [`Allocation::reports`] asks for.
    pub fn refused_records(&self) -> impl Iterator<Item = usize> + '_ {
        self.pools
            .iter()
            .flatten()
            .flat_map(|p| p.refused_records.iter().copied())
    }

    /// What the allocation did per limit and group (groups in the order first seen):
    /// `label` gives the label of a refused record by its number (for
    /// [`LimitReport::refused_ids`]); without it, `refused_ids` are left empty.
    pub fn reports(
        &self,
        policy: &Policy,
        label: Option<&dyn Fn(usize) -> String>,
    ) -> Vec<LimitReport> {
        let enums = &policy.schema.enums;
        let mut reports = Vec::new();
        for (groups, rule) in self.pools.iter().zip(policy.limit_rules()) {
            let rule = &policy.rules[rule];
            let limit = limit_of(rule);
            let cap = limit_cap(rule);
            let per = limit
                .and_then(|l| l.per)
                .map(|s| &policy.schema.fields[s].ty);
            let empty = [Pool::new(Value::Missing, cap)];
            let groups = if groups.is_empty() {
                &empty[..]
            } else {
                groups
            };
            for pool in groups {
                reports.push(LimitReport {
                    rule: rule.name.clone(),
                    group: per
                        .filter(|_| pool.seen > 0)
                        .map(|ty| pool.group.display(ty, enums).to_string()),
                    cap: plain(cap).to_string(),
                    admitted: plain(pool.admitted).to_string(),
                    refused: plain(pool.refused).to_string(),
                    remaining: plain(pool.remaining).to_string(),
                    admitted_records: pool.admitted_records,
                    refused_records: pool.refused_records.len(),
                    refused_ids: match label {
                        Some(l) => pool.refused_records.iter().map(|r| l(*r)).collect(),
                        None => Vec::new(),
                    },
                });
            }
        }
        reports
    }
}

/// One limit's cap, or one group's.
#[derive(Debug, Clone)]
struct Pool {
    group: Value,
    remaining: Decimal,
    admitted: Decimal,
    refused: Decimal,
    admitted_records: usize,
    /// The refused records' numbers, in the order they were refused.
    refused_records: Vec<usize>,
    /// Records that took part so far (admitted or refused).
    seen: usize,
    /// With ledgers: the largest admitted records so far, largest first.
    largest: Vec<(Decimal, String)>,
}

impl Pool {
    fn new(group: Value, cap: Decimal) -> Pool {
        Pool {
            group,
            remaining: cap,
            admitted: Decimal::ZERO,
            refused: Decimal::ZERO,
            admitted_records: 0,
            refused_records: Vec::new(),
            seen: 0,
            largest: Vec::new(),
        }
    }

    /// Takes `quantity` (which fits) for the record `label` (with ledgers).
    fn admit(&mut self, quantity: Decimal, label: Option<&str>) {
        // No overflow: 0 <= quantity <= remaining, and admitted + remaining is the cap.
        self.remaining -= quantity;
        self.admitted += quantity;
        self.admitted_records += 1;
        if let Some(label) = label {
            // After the equal ones: of equal records, the earlier is named first.
            let at = self.largest.partition_point(|(q, _)| *q >= quantity);
            if at < Ledger::LARGEST {
                self.largest.insert(at, (quantity, label.to_string()));
                self.largest.truncate(Ledger::LARGEST);
            }
        }
    }

    /// What was admitted so far.
    fn ledger(&self) -> Ledger {
        Ledger {
            admitted: self.admitted_records,
            taken: plain(self.admitted).to_string(),
            largest: self
                .largest
                .iter()
                .map(|(q, record)| Taken {
                    record: record.clone(),
                    quantity: plain(*q).to_string(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
#[path = "allocate_tests.rs"]
mod tests;
