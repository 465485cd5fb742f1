//! What the allocation gives one record ([`Allotment`]), and applying it to the
//! record's outcome: its facts and its refusal, rendered from the record's row.

use super::allocate::limit_of;
use super::Policy;
use crate::ir::{LimitFact, TemplatePart};
use crate::outcome::{ordinal, AllocationFact, FieldValue, Fired, Ledger, Outcome};
use crate::semantics::eval;
use crate::value::{plain, Decimal, Value};

/// What one record got at one limit that scopes it: the numbers of its turn. With the
/// record's row, [`Policy::allot`] makes an [`AllocationFact`] of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// The limit, numbered as in [`Candidate::limit`](super::Candidate::limit).
    pub limit: usize,
    /// The quantity the record claimed.
    pub quantity: Decimal,
    /// What remained of the cap (of the group's) when the record's turn came.
    pub remaining: Decimal,
    /// The record's place in the order among the records of the limit (of the group)
    /// that took part, from 1.
    pub place: usize,
    /// Whether the quantity fitted in what remained.
    pub fits: bool,
    /// Whether the record was admitted (it fitted every limit that scopes it).
    pub admitted: bool,
    /// With ledgers: what the records of the group admitted before this one took.
    pub before: Option<Ledger>,
}

/// What the allocation gives one record that took part: its turn at every limit that
/// scopes it (in file order), and which limit refused it, if one did not have room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allotment {
    /// The record's number in the input, from 0.
    pub record: usize,
    /// One per limit that scopes the record, in file order.
    pub turns: Vec<Turn>,
    /// The limit (numbered as in [`Turn::limit`]) that refused the record: the first in
    /// file order that it did not fit.
    pub refused_by: Option<usize>,
}

impl Policy {
    /// Applies `allotment` to the outcome of its record (`row`, evaluated afresh and
    /// passed through [`Policy::candidates`]): the facts of its limits, and the refusal
    /// (the limit's verdict, with its `because` and its numbers), which is returned.
    pub fn allot(
        &self,
        allotment: &Allotment,
        row: &[Value],
        outcome: &mut Outcome,
    ) -> Option<Fired> {
        let limits = self.limit_rules();
        let enums = &self.schema.enums;
        let order_by = self.order_by().map(|slot| {
            let f = &self.schema.fields[slot];
            FieldValue {
                field: f.name.clone(),
                value: row[slot].display(&f.ty, enums).to_string(),
            }
        });
        let mut facts = Vec::with_capacity(allotment.turns.len());
        let mut refusal = None;
        for t in &allotment.turns {
            let Some(rule) = limits.get(t.limit).map(|i| &self.rules[*i]) else {
                continue;
            };
            let Some(limit) = limit_of(rule) else {
                continue;
            };
            let field = |slot: usize| &self.schema.fields[slot];
            let fact = AllocationFact {
                rule: rule.name.clone(),
                group: limit.per.map(|slot| FieldValue {
                    field: field(slot).name.clone(),
                    value: row[slot].display(&field(slot).ty, enums).to_string(),
                }),
                cap: plain(crate::semantics::as_decimal(&limit.cap).unwrap_or(Decimal::ZERO))
                    .to_string(),
                counts: limit
                    .quantity
                    .map_or("records".to_string(), |s| field(s).name.clone()),
                quantity: plain(t.quantity).to_string(),
                remaining: plain(t.remaining).to_string(),
                place: t.place,
                order_by: order_by.clone(),
                fits: t.fits,
                admitted: t.admitted,
                before: t.before.clone(),
            };
            if allotment.refused_by == Some(t.limit) && refusal.is_none() {
                refusal = Some(Fired {
                    rule: rule.name.clone(),
                    verdict: rule.verdict,
                    reason: self.refusal_reason(rule, row, &fact),
                });
            }
            facts.push(fact);
        }
        outcome.allocations = facts;
        if let Some(fired) = &refusal {
            outcome.rules.push(fired.clone());
            outcome.redecide(self.default);
        }
        refusal
    }

    /// The reason of a refusal: the `because` text with the record's values and its
    /// facts, if the limit has one, then the numbers.
    fn refusal_reason(
        &self,
        rule: &crate::ir::Rule,
        row: &[Value],
        fact: &AllocationFact,
    ) -> String {
        let numbers = fact.sentence();
        let Some(because) = &rule.because else {
            return numbers;
        };
        let mut text = String::new();
        for part in &because.parts {
            match part {
                TemplatePart::Text(s) => text.push_str(s),
                TemplatePart::Fact(f) => text.push_str(&fact_text(*f, fact)),
                // `Policy::candidates` made a record whose `because` cannot be rendered
                // an error, so it has no allotment.
                TemplatePart::Expr(e) => {
                    if let Ok(v) = eval(e, row) {
                        text.push_str(&v.display(&e.ty, &self.schema.enums).to_string());
                    }
                }
            }
        }
        if text.trim().is_empty() {
            numbers
        } else {
            format!("{text}; {numbers}")
        }
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
