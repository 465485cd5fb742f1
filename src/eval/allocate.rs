//! `limit`: allocating capped quantities across a batch (docs/language.md, "Allocation").
//!
//! Per-record rules run first; the allocator keeps, for each record still allowed
//! and in scope of a limit, only its order key, groups, quantities and the limits'
//! `because` texts rendered but for their facts (never the whole record). Then it
//! admits records first-fit in `order by` order (stable), all-or-nothing across the
//! limits that scope a record, and gives every record that took part the facts of
//! each limit (see [`AllocationFact`]).

use std::collections::HashMap;

use serde::Serialize;

use super::Policy;
use crate::ir::{Field, Limit, LimitFact, Rule, RuleKind, TemplatePart};
use crate::outcome::{
    ordinal, AllocationFact, Decision, FieldValue, Fired, Ledger, Outcome, RecordError, Taken,
    Verdict,
};
use crate::semantics::{as_decimal, eval, in_scope};
use crate::value::{plain, Decimal, EnumType, Type, Value};

/// What the allocation did, per limit and group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LimitReport {
    pub rule: String,
    /// The group's value with `per`; `None` without.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub cap: String,
    pub admitted: String,
    pub refused: String,
    /// What is left of the cap (of the group's) after the allocation.
    pub remaining: String,
    pub admitted_records: usize,
    pub refused_records: usize,
    /// Labels of the refused records, in the order they were refused.
    pub refused_ids: Vec<String>,
}

/// What the allocation gives one record that took part: the facts of every limit
/// that scoped it, and the refusal when one limit did not have room.
#[derive(Debug)]
pub struct Allotment {
    /// The record's number in the input, from 0.
    pub record: usize,
    pub facts: Vec<AllocationFact>,
    /// The limit that refused the record, with its verdict and reason.
    pub refusal: Option<Fired>,
}

impl Allotment {
    /// Gives the facts to `outcome`, and the refusal if any.
    pub fn apply(self, outcome: &mut Outcome, default: Decision) -> Option<Fired> {
        outcome.allocations = self.facts;
        if let Some(fired) = &self.refusal {
            outcome.rules.push(fired.clone());
            outcome.redecide(default);
        }
        self.refusal
    }
}

/// A piece of a `limit`'s `because` text: rendered with the record's values while
/// the record is at hand; its facts are filled in by the allocation.
#[derive(Debug)]
enum Piece {
    Text(String),
    Fact(LimitFact),
}

#[derive(Debug)]
struct Claim {
    limit: usize,
    group: Value,
    quantity: Decimal,
    /// The limit's `because`, if it has one.
    because: Option<Vec<Piece>>,
}

/// What the allocation keeps of one record: its order key, groups, quantities and
/// reasons (never the whole record).
#[derive(Debug)]
pub struct Entry {
    record: usize,
    label: String,
    order: Value,
    claims: Vec<Claim>,
}

/// Collects the allocation keys of a batch, then allocates.
pub struct Allocator<'p> {
    policy: &'p Policy,
    /// Indices of the `limit` rules, in file order.
    limits: Vec<usize>,
    entries: Vec<Entry>,
    /// The shared `order by` field, if any limit has one.
    order_by: Option<usize>,
    /// Whether facts carry the ledger of their group (for explanations).
    ledgers: bool,
}

fn limit_of(rule: &Rule) -> Option<&Limit> {
    match &rule.kind {
        RuleKind::Limit(l) => Some(l),
        _ => None,
    }
}

impl<'p> Allocator<'p> {
    pub fn new(policy: &'p Policy) -> Self {
        let limits: Vec<usize> = (0..policy.rules.len())
            .filter(|i| limit_of(&policy.rules[*i]).is_some())
            .collect();
        let order_by = limits
            .iter()
            .find_map(|i| limit_of(&policy.rules[*i]).and_then(|l| l.order_by));
        Allocator {
            policy,
            limits,
            entries: Vec::new(),
            order_by,
            ledgers: false,
        }
    }

    /// With `on`, every fact carries what the records admitted before it took
    /// ([`AllocationFact::before`]), as explanations show it.
    pub fn with_ledgers(mut self, on: bool) -> Self {
        self.ledgers = on;
        self
    }

    /// Takes note of record number `record` (0-based, in input order) after its
    /// per-record rules. A bad quantity makes the record an error here.
    pub fn observe(&mut self, record: usize, label: &str, row: &[Value], outcome: &mut Outcome) {
        if let Some(entry) = self.entry(record, label, row, outcome) {
            self.push(entry);
        }
    }

    /// Adds a record's allocation keys; records must come in input order.
    pub fn push(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    /// What the allocation needs of a record (`None` if it takes no part); can run
    /// on any thread. A bad quantity makes the record an error here.
    pub fn entry(
        &self,
        record: usize,
        label: &str,
        row: &[Value],
        outcome: &mut Outcome,
    ) -> Option<Entry> {
        if outcome.decision != Decision::Allow {
            return None;
        }
        let policy = self.policy;
        let mut claims = Vec::new();
        for (n, &rule_index) in self.limits.iter().enumerate() {
            let rule = &policy.rules[rule_index];
            let Some(limit) = limit_of(rule) else {
                continue;
            };
            if !in_scope(rule, &policy.schema, row) {
                continue;
            }
            let claim = self.claim(n, rule, limit, row).map_err(|e| {
                outcome.errors.push(e);
                outcome.redecide(policy.default);
            });
            claims.push(claim.ok()?);
        }
        if claims.is_empty() {
            return None;
        }
        let order = self
            .order_by
            .map_or(Value::Missing, |slot| row[slot].clone());
        Some(Entry {
            record,
            label: label.to_string(),
            order,
            claims,
        })
    }

    /// What limit number `n` needs of a record in its scope.
    fn claim(
        &self,
        n: usize,
        rule: &Rule,
        limit: &Limit,
        row: &[Value],
    ) -> Result<Claim, RecordError> {
        let quantity = match limit.quantity {
            None => Decimal::ONE,
            Some(slot) => match as_decimal(&row[slot]) {
                Some(q) if q >= Decimal::ZERO => q,
                _ => {
                    let field = &self.policy.schema.fields[slot].name;
                    return Err(RecordError {
                        rule: Some(rule.name.clone()),
                        field: Some(field.clone()),
                        message: format!("the quantity `{field}` must not be negative"),
                    });
                }
            },
        };
        let because = match &rule.because {
            None => None,
            Some(t) => {
                let mut pieces = Vec::new();
                for part in &t.parts {
                    pieces.push(match part {
                        TemplatePart::Text(s) => Piece::Text(s.clone()),
                        TemplatePart::Fact(f) => Piece::Fact(*f),
                        TemplatePart::Expr(e) => {
                            let v = eval(e, row).map_err(|e| RecordError {
                                rule: Some(rule.name.clone()),
                                field: None,
                                message: e.message,
                            })?;
                            Piece::Text(v.display(&e.ty, &self.policy.schema.enums).to_string())
                        }
                    });
                }
                Some(pieces)
            }
        };
        Ok(Claim {
            limit: n,
            group: limit.per.map_or(Value::Missing, |slot| row[slot].clone()),
            quantity,
            because,
        })
    }

    /// Allocates; returns what each record that took part gets (in allocation
    /// order), and the report per limit and group.
    pub fn allocate(mut self) -> (Vec<Allotment>, Vec<LimitReport>) {
        // Stable: ties keep input order.
        self.entries
            .sort_by(|a, b| a.order.cmp(&b.order).then(a.record.cmp(&b.record)));
        let schema = &self.policy.schema;
        let infos: Vec<Info> = self
            .limits
            .iter()
            .map(|i| Info::of(self.policy, &self.policy.rules[*i]))
            .collect();
        let mut pools = Pools {
            pools: self.limits.iter().map(|_| Vec::new()).collect(),
            index: self.limits.iter().map(|_| HashMap::new()).collect(),
            infos,
            order_by: self.order_by.map(|slot| &schema.fields[slot]),
            enums: &schema.enums,
            ledgers: self.ledgers,
        };
        let allotments = self.entries.iter().map(|e| pools.turn(e)).collect();
        (allotments, pools.reports())
    }
}

/// What the allocation needs to know of one `limit` rule.
struct Info {
    rule: String,
    verdict: Verdict,
    cap: Decimal,
    cap_text: String,
    /// The quantity field's name, or `records`.
    counts: String,
    /// The `per` field's name and type.
    per: Option<(String, Type)>,
}

impl Info {
    fn of(policy: &Policy, rule: &Rule) -> Info {
        let limit = limit_of(rule);
        let cap = limit
            .and_then(|l| as_decimal(&l.cap))
            .unwrap_or(Decimal::ZERO);
        let field = |slot: usize| &policy.schema.fields[slot];
        Info {
            rule: rule.name.clone(),
            verdict: rule.verdict,
            cap,
            cap_text: plain(cap).to_string(),
            counts: limit
                .and_then(|l| l.quantity)
                .map_or("records".to_string(), |s| field(s).name.clone()),
            per: limit
                .and_then(|l| l.per)
                .map(|s| (field(s).name.clone(), field(s).ty.clone())),
        }
    }
}

/// The groups of every limit (per limit, in the order first seen), and what the
/// allocation knows of the limits.
struct Pools<'p> {
    pools: Vec<Vec<Pool>>,
    index: Vec<HashMap<Value, usize>>,
    infos: Vec<Info>,
    /// The shared `order by` field.
    order_by: Option<&'p Field>,
    enums: &'p [EnumType],
    ledgers: bool,
}

impl Pools<'_> {
    /// The pool of `group` in limit number `limit`, made on first sight.
    fn slot(&mut self, limit: usize, group: &Value) -> usize {
        if let Some(s) = self.index[limit].get(group) {
            return *s;
        }
        let pools = &mut self.pools[limit];
        pools.push(Pool::new(group.clone(), self.infos[limit].cap));
        self.index[limit].insert(group.clone(), pools.len() - 1);
        pools.len() - 1
    }

    /// One record's turn: its facts at every limit that scopes it, then it takes
    /// from all of them, or is refused by the first it does not fit.
    fn turn(&mut self, entry: &Entry) -> Allotment {
        let slots: Vec<usize> = entry
            .claims
            .iter()
            .map(|c| self.slot(c.limit, &c.group))
            .collect();
        let order_by = self.order_by.map(|f| FieldValue {
            field: f.name.clone(),
            value: entry.order.display(&f.ty, self.enums).to_string(),
        });
        let mut facts: Vec<AllocationFact> = Vec::with_capacity(entry.claims.len());
        for (c, s) in entry.claims.iter().zip(&slots) {
            let info = &self.infos[c.limit];
            let pool = &mut self.pools[c.limit][*s];
            pool.seen += 1;
            facts.push(AllocationFact {
                rule: info.rule.clone(),
                group: info.per.as_ref().map(|(field, ty)| FieldValue {
                    field: field.clone(),
                    value: c.group.display(ty, self.enums).to_string(),
                }),
                cap: info.cap_text.clone(),
                counts: info.counts.clone(),
                quantity: plain(c.quantity).to_string(),
                remaining: plain(pool.remaining).to_string(),
                place: pool.seen,
                order_by: order_by.clone(),
                fits: c.quantity <= pool.remaining,
                admitted: false,
                before: self.ledgers.then(|| pool.ledger()),
            });
        }
        let refusal = match facts.iter().position(|f| !f.fits) {
            None => {
                for ((c, s), fact) in entry.claims.iter().zip(&slots).zip(&mut facts) {
                    fact.admitted = true;
                    self.pools[c.limit][*s].admit(c.quantity, &entry.label, self.ledgers);
                }
                None
            }
            Some(k) => {
                let c = &entry.claims[k];
                let pool = &mut self.pools[c.limit][slots[k]];
                pool.refused = pool.refused.saturating_add(c.quantity);
                pool.refused_ids.push(entry.label.clone());
                let info = &self.infos[c.limit];
                Some(Fired {
                    rule: info.rule.clone(),
                    verdict: info.verdict,
                    reason: reason(c.because.as_deref(), &facts[k]),
                })
            }
        };
        Allotment {
            record: entry.record,
            facts,
            refusal,
        }
    }

    fn reports(self) -> Vec<LimitReport> {
        let enums = self.enums;
        let mut reports = Vec::new();
        for (mut groups, info) in self.pools.into_iter().zip(&self.infos) {
            if groups.is_empty() {
                groups.push(Pool::new(Value::Missing, info.cap));
            }
            for pool in groups {
                reports.push(LimitReport {
                    rule: info.rule.clone(),
                    group: info
                        .per
                        .as_ref()
                        .filter(|_| pool.seen > 0)
                        .map(|(_, ty)| pool.group.display(ty, enums).to_string()),
                    cap: info.cap_text.clone(),
                    admitted: plain(pool.admitted).to_string(),
                    refused: plain(pool.refused).to_string(),
                    remaining: plain(pool.remaining).to_string(),
                    admitted_records: pool.admitted_records,
                    refused_records: pool.refused_ids.len(),
                    refused_ids: pool.refused_ids,
                });
            }
        }
        reports
    }
}

/// One limit's cap, or one group's.
struct Pool {
    group: Value,
    remaining: Decimal,
    admitted: Decimal,
    refused: Decimal,
    admitted_records: usize,
    refused_ids: Vec<String>,
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
            refused_ids: Vec::new(),
            seen: 0,
            largest: Vec::new(),
        }
    }

    /// Takes `quantity` (which fits) for the record `label`.
    fn admit(&mut self, quantity: Decimal, label: &str, ledger: bool) {
        // No overflow: 0 <= quantity <= remaining, and admitted + remaining is the cap.
        self.remaining -= quantity;
        self.admitted += quantity;
        self.admitted_records += 1;
        if ledger {
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

/// The reason of a refusal: the `because` text with its facts, if the limit has
/// one, then the numbers.
fn reason(because: Option<&[Piece]>, fact: &AllocationFact) -> String {
    let numbers = fact.sentence();
    let Some(pieces) = because else {
        return numbers;
    };
    let mut text = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(s) => text.push_str(s),
            Piece::Fact(f) => text.push_str(&fact_text(*f, fact)),
        }
    }
    if text.trim().is_empty() {
        numbers
    } else {
        format!("{text}; {numbers}")
    }
}

/// A fact as a `because` shows it: numbers as values are shown, the place as `3rd`.
fn fact_text(f: LimitFact, fact: &AllocationFact) -> String {
    match f {
        LimitFact::Remaining => fact.remaining.clone(),
        LimitFact::Cap => fact.cap.clone(),
        LimitFact::Quantity => fact.quantity.clone(),
        LimitFact::Group => fact
            .group
            .as_ref()
            .map(|g| g.value.clone())
            .unwrap_or_default(),
        LimitFact::Place => ordinal(fact.place),
    }
}

#[cfg(test)]
#[path = "allocate_tests.rs"]
mod tests;
