//! `limit`: allocating capped quantities across a batch (docs/language.md, "Allocation").
//!
//! Per-record rules run first; the allocator keeps, for each record still allowed
//! and in scope of a limit, only its order key, groups and quantities (never the
//! whole record). Then it admits records first-fit in `order by` order (stable),
//! all-or-nothing across the limits that scope a record.

use std::collections::HashMap;

use serde::Serialize;

use super::Policy;
use crate::ir::{Limit, Rule, RuleKind};
use crate::outcome::{Decision, Fired, Outcome, RecordError};
use crate::semantics::{as_decimal, in_scope};
use crate::value::{plain, Decimal, Value};

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
    pub admitted_records: usize,
    pub refused_records: usize,
    /// Labels of the refused records, in the order they were refused.
    pub refused_ids: Vec<String>,
}

#[derive(Debug)]
struct Claim {
    limit: usize,
    group: Value,
    quantity: Decimal,
}

/// What the allocation keeps of one record: its order key, groups and quantities
/// (never the whole record).
#[derive(Debug)]
pub struct Entry {
    record: usize,
    label: String,
    order: Value,
    claims: Vec<Claim>,
    /// The reason each limit gives if it refuses this record, computed while the row
    /// is at hand (a `because` may show record fields).
    reasons: Vec<(usize, String)>,
}

/// Collects the allocation keys of a batch, then allocates.
pub struct Allocator<'p> {
    policy: &'p Policy,
    /// Indices of the `limit` rules, in file order.
    limits: Vec<usize>,
    entries: Vec<Entry>,
    /// The shared `order by` field, if any limit has one.
    order_by: Option<usize>,
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
        }
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
        let mut reasons = Vec::new();
        for (n, &rule_index) in self.limits.iter().enumerate() {
            let rule = &policy.rules[rule_index];
            let Some(limit) = limit_of(rule) else {
                continue;
            };
            if !in_scope(rule, &policy.schema, row) {
                continue;
            }
            let quantity = match limit.quantity {
                None => Decimal::ONE,
                Some(slot) => match as_decimal(&row[slot]) {
                    Some(q) if q >= Decimal::ZERO => q,
                    _ => {
                        let field = &policy.schema.fields[slot].name;
                        outcome.errors.push(RecordError {
                            rule: Some(rule.name.clone()),
                            field: Some(field.clone()),
                            message: format!("the quantity `{field}` must not be negative"),
                        });
                        outcome.redecide(policy.default);
                        return None;
                    }
                },
            };
            let group = limit.per.map_or(Value::Missing, |slot| row[slot].clone());
            let reason = match policy.reason(rule, row) {
                Ok(r) => r,
                Err(e) => {
                    outcome.errors.push(RecordError {
                        rule: Some(rule.name.clone()),
                        field: None,
                        message: e.message,
                    });
                    outcome.redecide(policy.default);
                    return None;
                }
            };
            claims.push(Claim {
                limit: n,
                group,
                quantity,
            });
            reasons.push((n, reason));
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
            reasons,
        })
    }

    /// Allocates; returns the refusals `(record, rule that refused, verdict and reason)`
    /// and the report per limit and group.
    pub fn allocate(mut self) -> (Vec<(usize, Fired)>, Vec<LimitReport>) {
        let policy = self.policy;
        // Stable: ties keep input order.
        self.entries
            .sort_by(|a, b| a.order.cmp(&b.order).then(a.record.cmp(&b.record)));
        struct Pool {
            group: Value,
            remaining: Decimal,
            admitted: Decimal,
            refused: Decimal,
            admitted_records: usize,
            refused_ids: Vec<String>,
        }
        let caps: Vec<Decimal> = self
            .limits
            .iter()
            .map(|i| {
                limit_of(&policy.rules[*i])
                    .and_then(|l| as_decimal(&l.cap))
                    .unwrap_or(Decimal::ZERO)
            })
            .collect();
        // Per limit: groups in the order first seen.
        let mut pools: Vec<Vec<Pool>> = self.limits.iter().map(|_| Vec::new()).collect();
        let mut index: Vec<HashMap<Value, usize>> =
            self.limits.iter().map(|_| HashMap::new()).collect();
        let mut refusals = Vec::new();
        for entry in &self.entries {
            let slots: Vec<usize> = entry
                .claims
                .iter()
                .map(|c| {
                    *index[c.limit].entry(c.group.clone()).or_insert_with(|| {
                        pools[c.limit].push(Pool {
                            group: c.group.clone(),
                            remaining: caps[c.limit],
                            admitted: Decimal::ZERO,
                            refused: Decimal::ZERO,
                            admitted_records: 0,
                            refused_ids: Vec::new(),
                        });
                        pools[c.limit].len() - 1
                    })
                })
                .collect();
            let refuser = entry
                .claims
                .iter()
                .zip(&slots)
                .find(|(c, s)| c.quantity > pools[c.limit][**s].remaining);
            match refuser {
                None => {
                    for (c, s) in entry.claims.iter().zip(&slots) {
                        let pool = &mut pools[c.limit][*s];
                        pool.remaining -= c.quantity;
                        pool.admitted += c.quantity;
                        pool.admitted_records += 1;
                    }
                }
                Some((c, s)) => {
                    let pool = &mut pools[c.limit][*s];
                    pool.refused += c.quantity;
                    pool.refused_ids.push(entry.label.clone());
                    let rule = &policy.rules[self.limits[c.limit]];
                    let reason = entry
                        .reasons
                        .iter()
                        .find(|(n, _)| *n == c.limit)
                        .map(|(_, r)| r.clone())
                        .unwrap_or_default();
                    refusals.push((
                        entry.record,
                        Fired {
                            rule: rule.name.clone(),
                            verdict: rule.verdict,
                            reason,
                        },
                    ));
                }
            }
        }
        let mut reports = Vec::new();
        for (n, groups) in pools.into_iter().enumerate() {
            let rule = &policy.rules[self.limits[n]];
            let per_ty = limit_of(rule)
                .and_then(|l| l.per)
                .map(|s| &policy.schema.fields[s].ty);
            if groups.is_empty() {
                reports.push(LimitReport {
                    rule: rule.name.clone(),
                    group: None,
                    cap: plain(caps[n]).to_string(),
                    admitted: "0".into(),
                    refused: "0".into(),
                    admitted_records: 0,
                    refused_records: 0,
                    refused_ids: Vec::new(),
                });
            }
            for pool in groups {
                reports.push(LimitReport {
                    rule: rule.name.clone(),
                    group: per_ty
                        .map(|ty| pool.group.display(ty, &policy.schema.enums).to_string()),
                    cap: plain(caps[n]).to_string(),
                    admitted: plain(pool.admitted).to_string(),
                    refused: plain(pool.refused).to_string(),
                    admitted_records: pool.admitted_records,
                    refused_records: pool.refused_ids.len(),
                    refused_ids: pool.refused_ids,
                });
            }
        }
        (refusals, reports)
    }
}
