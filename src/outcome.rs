//! The vocabulary of results, shared by every phase: what a rule says when it fires
//! ([`Verdict`]), what a record gets ([`Decision`]), and the outcome of one record
//! ([`Outcome`], with the [`Fired`] rules and [`RecordError`]s behind it).

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
}

impl Outcome {
    /// An outcome for a record whose data could not be read: each problem of it.
    pub fn data_errors(errors: Vec<RecordError>) -> Outcome {
        Outcome {
            decision: Decision::Error,
            rules: Vec::new(),
            warnings: Vec::new(),
            errors,
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
