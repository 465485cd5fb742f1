//! The vocabulary of results, shared by every phase: what a rule says when it fires
//! ([`Verdict`]), what a record gets ([`Decision`]), and the outcome of one record
//! ([`Outcome`], with the [`Fired`] rules and [`RecordError`]s behind it, and the
//! [`AllocationFact`]s of the `limit`s it took part in).

use std::fmt;

use serde::Serialize;

use crate::value::escape_control;

/// The decision for one record; also a policy's default and a test's expectation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// The record may go ahead.
    #[default]
    Allow,
    /// The record is refused.
    Deny,
    /// The record waits: neither allowed nor refused yet.
    Waitlist,
    /// The record could not be decided: bad data or a runtime error; never an allow.
    Error,
}

impl Decision {
    /// Every decision, in the order reports list them.
    pub const ALL: [Decision; 4] = [
        Decision::Allow,
        Decision::Deny,
        Decision::Waitlist,
        Decision::Error,
    ];

    /// The word an author writes: `allow`, `deny`, `waitlist`, `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
            Decision::Waitlist => "waitlist",
            Decision::Error => "error",
        }
    }

    /// The decision named by `word`, if it names one.
    pub fn parse(word: &str) -> Option<Decision> {
        Decision::ALL.into_iter().find(|d| d.as_str() == word)
    }

    /// The decision rule (docs/language.md, "The decision"), the one definition of it: errors win, then
    /// deny, waitlist, allow, and else the policy's default.
    pub fn decide(said: Said, default: Decision) -> Decision {
        if said.error {
            Decision::Error
        } else if said.deny {
            Decision::Deny
        } else if said.waitlist {
            Decision::Waitlist
        } else if said.allow {
            Decision::Allow
        } else {
            default
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the rules said about a record, as [`Decision::decide`] needs it: whether any
/// rule failed, and whether any rule with each verdict fired.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Said {
    /// A rule hit a runtime error, or the data was bad.
    pub error: bool,
    /// A `deny` (or a failed `require`) fired.
    pub deny: bool,
    /// A `waitlist` fired.
    pub waitlist: bool,
    /// An `allow` fired.
    pub allow: bool,
}

/// What a rule does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Refuse the record (`deny`, a failed `require`, a `limit` with `else deny`).
    Deny,
    /// Make the record wait (`waitlist`, a `limit` by default).
    Waitlist,
    /// Allow the record.
    Allow,
    /// Only warn: the decision does not change.
    Warn,
}

impl Verdict {
    /// The word an author writes: `deny`, `waitlist`, `allow`, `warn`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Deny => "deny",
            Verdict::Waitlist => "waitlist",
            Verdict::Allow => "allow",
            Verdict::Warn => "warn",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule that fired on a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fired {
    /// The rule's name.
    pub rule: String,
    /// What the rule said about the record.
    pub verdict: Verdict,
    /// Its `because` text with the record's values, or a generated sentence.
    pub reason: String,
}

impl fmt::Display for Fired {
    /// The line every report shows for a fired rule: `rule (verdict): reason`, or
    /// `warning rule: reason` for a warning. Control characters from the data are
    /// escaped, so that a reason cannot act on a terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = escape_control(&self.reason);
        match self.verdict {
            Verdict::Warn => write!(f, "warning {}: {reason}", self.rule),
            v => write!(f, "{} ({v}): {reason}", self.rule),
        }
    }
}

/// What reports say of a record that no rule decided.
pub fn undecided(default: Decision) -> String {
    format!("no rule decided; the policy's default is {default}")
}

/// Why a record has the decision `error`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordError {
    /// The rule whose evaluation failed; `None` for bad data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The data field at fault, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What went wrong, in an author's words.
    pub message: String,
}

/// The outcome of evaluating one record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// What the record gets.
    pub decision: Decision,
    /// Rules that fired with a deny, waitlist or allow verdict, in file order.
    pub rules: Vec<Fired>,
    /// `warn` rules that fired, in file order; they never change the decision.
    pub warnings: Vec<Fired>,
    /// Why the decision is `error`; empty otherwise.
    pub errors: Vec<RecordError>,
    /// The facts of every `limit` the record took part in, in file order (see
    /// [`AllocationFact`]); empty for a record that took part in none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allocations: Vec<AllocationFact>,
}

impl Outcome {
    /// An outcome for a record whose data could not be read: each problem of it.
    pub fn data_errors(errors: Vec<RecordError>) -> Outcome {
        Outcome {
            decision: Decision::Error,
            rules: Vec::new(),
            warnings: Vec::new(),
            errors,
            allocations: Vec::new(),
        }
    }

    /// What the fired rules and errors of this outcome say, for [`Decision::decide`].
    pub fn said(&self) -> Said {
        let has = |v: Verdict| self.rules.iter().any(|f| f.verdict == v);
        Said {
            error: !self.errors.is_empty(),
            deny: has(Verdict::Deny),
            waitlist: has(Verdict::Waitlist),
            allow: has(Verdict::Allow),
        }
    }

    /// Decides again after rules or errors were added (allocation, bad quantities).
    pub fn redecide(&mut self, default: Decision) {
        self.decision = Decision::decide(self.said(), default);
    }
}

// ---------------------------------------------------------------- allocation facts

/// What a `limit` did with one record that took part in it (docs/language.md,
/// "Allocation facts"): one per limit that scoped the record, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AllocationFact {
    /// The `limit` rule.
    pub rule: String,
    /// With `per`: the field and the record's value of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<FieldValue>,
    /// The cap (of each group, with `per`).
    pub cap: String,
    /// What the limit counts: its quantity field, or `records`.
    pub counts: String,
    /// The record's quantity (1 for `records`).
    pub quantity: String,
    /// What remained of the cap (of the group's) when the record's turn came.
    pub remaining: String,
    /// The record's place in the order among the records of the limit (of the group)
    /// that took part, from 1.
    pub place: usize,
    /// The `order by` field and the record's value of it; absent in input order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_by: Option<FieldValue>,
    /// Whether the quantity fitted in what remained.
    pub fits: bool,
    /// Whether the record was admitted: it fitted every limit that scoped it, and took
    /// its quantity from each.
    pub admitted: bool,
    /// With explanations (`explain`, `eval --explain`): what the records of the group
    /// admitted before this one took.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Ledger>,
}

/// A field and a record's value of it, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldValue {
    /// The field's name.
    pub field: String,
    /// The record's value of it, as shown.
    pub value: String,
}

/// The records of a group admitted before a record's turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ledger {
    /// How many were admitted.
    pub admitted: usize,
    /// What they took in all.
    pub taken: String,
    /// The largest of them (at most [`Ledger::LARGEST`]), largest first; of equal ones,
    /// the earlier.
    pub largest: Vec<Taken>,
}

impl Ledger {
    /// How many of the largest admitted records a ledger names.
    pub const LARGEST: usize = 3;
}

/// What one admitted record took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Taken {
    /// The admitted record's label.
    pub record: String,
    /// How much it took.
    pub quantity: String,
}

impl AllocationFact {
    /// `needs 4,000 units; 2,000 of the 10,000 for Japan remained at its turn (3rd by
    /// applied_on)`: the numbers that decided.
    pub fn sentence(&self) -> String {
        let remained = if is_positive(&self.remaining) {
            grouped(&self.remaining)
        } else {
            "none".to_string()
        };
        let group = self
            .group
            .as_ref()
            .map(|g| format!(" for {}", g.value))
            .unwrap_or_default();
        format!(
            "{}; {remained} of the {}{group} remained at its turn ({})",
            self.need(),
            grouped(&self.cap),
            self.turn()
        )
    }

    /// `needs 4,000 units` (`needs 1 record` for `records`).
    pub fn need(&self) -> String {
        format!("needs {} {}", grouped(&self.quantity), self.unit())
    }

    /// The word for what the limit counts, agreeing with the record's quantity.
    pub fn unit(&self) -> &str {
        if self.counts == "records" && self.quantity == "1" {
            "record"
        } else {
            &self.counts
        }
    }

    /// `3rd by applied_on`, or `3rd in input order`.
    pub fn turn(&self) -> String {
        match &self.order_by {
            Some(o) => format!("{} by {}", ordinal(self.place), o.field),
            None => format!("{} in input order", ordinal(self.place)),
        }
    }

    /// How it went for the record at this limit, in a word or a few: `admitted`,
    /// `refused`, or, when another limit refused the record, whether it fitted here.
    pub fn status(&self, refused_by: Option<&str>) -> String {
        match refused_by {
            _ if self.admitted => "admitted".into(),
            Some(r) if r == self.rule => "refused".into(),
            Some(r) if self.fits => format!("fitted, but `{r}` refused the record"),
            Some(r) => format!("did not fit either; `{r}` refused the record"),
            None => "refused".into(),
        }
    }
}

/// The limit that refused a record, of its facts: the first that it did not fit.
pub fn refused_by(facts: &[AllocationFact]) -> Option<&str> {
    facts
        .iter()
        .find(|f| !f.admitted && !f.fits)
        .map(|f| f.rule.as_str())
}

/// The facts of a record in words, one line per limit except the one that refused it
/// (whose reason states its numbers): `national (admitted): needs 500 units; …`.
pub fn fact_lines(facts: &[AllocationFact]) -> Vec<String> {
    let refuser = refused_by(facts);
    facts
        .iter()
        .filter(|f| Some(f.rule.as_str()) != refuser)
        .map(|f| {
            format!(
                "{} ({}): {}",
                f.rule,
                f.status(refuser),
                escape_control(&f.sentence())
            )
        })
        .collect()
}

fn is_positive(number: &str) -> bool {
    !number.starts_with('-') && number.bytes().any(|b| (b'1'..=b'9').contains(&b))
}

/// `1st`, `2nd`, `3rd`, `4th`, `11th`, `12th`, `13th`, `21st`, …
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A number as shown in sentences, with thousands separators: `-1234567.5` →
/// `-1,234,567.5`. Text that is not a plain number is returned as it is.
pub fn grouped(number: &str) -> String {
    let (sign, rest) = match number.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", number),
    };
    let (whole, fraction) = match rest.find('.') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return number.to_string();
    }
    let mut out = String::with_capacity(number.len() + whole.len() / 3);
    out.push_str(sign);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(fraction);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals() {
        let got: Vec<String> = [1, 2, 3, 4, 10, 11, 12, 13, 21, 22, 23, 101, 111, 112, 1002]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "10th", "11th", "12th", "13th", "21st", "22nd", "23rd",
                "101st", "111th", "112th", "1002nd"
            ]
        );
    }

    #[test]
    fn thousands_separators_keep_sign_and_places() {
        assert_eq!(grouped("0"), "0");
        assert_eq!(grouped("999"), "999");
        assert_eq!(grouped("1000"), "1,000");
        assert_eq!(grouped("400000"), "400,000");
        assert_eq!(grouped("-1234567.891"), "-1,234,567.891");
        assert_eq!(grouped("0.0000000001"), "0.0000000001");
        assert_eq!(grouped("Japan"), "Japan");
    }

    fn fact(remaining: &str, group: bool, order: bool) -> AllocationFact {
        AllocationFact {
            rule: "cap".into(),
            group: group.then(|| FieldValue {
                field: "destination".into(),
                value: "Japan".into(),
            }),
            cap: "10000".into(),
            counts: "units".into(),
            quantity: "4000".into(),
            remaining: remaining.into(),
            place: 3,
            order_by: order.then(|| FieldValue {
                field: "applied_on".into(),
                value: "2026-01-03".into(),
            }),
            fits: false,
            admitted: false,
            before: None,
        }
    }

    #[test]
    fn sentences_state_the_numbers() {
        assert_eq!(
            fact("2000", true, true).sentence(),
            "needs 4,000 units; 2,000 of the 10,000 for Japan remained at its turn (3rd by applied_on)"
        );
        assert_eq!(
            fact("2000", false, false).sentence(),
            "needs 4,000 units; 2,000 of the 10,000 remained at its turn (3rd in input order)"
        );
        assert_eq!(
            fact("0", true, true).sentence(),
            "needs 4,000 units; none of the 10,000 for Japan remained at its turn (3rd by applied_on)"
        );
        assert_eq!(
            fact("0.000", false, true).sentence(),
            "needs 4,000 units; none of the 10,000 remained at its turn (3rd by applied_on)"
        );
        let mut records = fact("0", false, false);
        records.counts = "records".into();
        records.quantity = "1".into();
        assert_eq!(records.need(), "needs 1 record");
    }
}
