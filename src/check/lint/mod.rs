//! Lints: warnings about rules that can never fire, conditions that are always true
//! or false, rules shadowed by an unconditional `deny`, `require`s implied by others,
//! unused constants and `warn` rules without a reason.
//!
//! The reasoning is over the checked form: each field's possible values as a set (an
//! interval union for numbers, percents and dates; a finite set for enums and bools),
//! narrowed by literal comparisons and by the rule's scope. No solver: what cannot be
//! shown this way is not reported, so there are no false positives by construction.

//!
//! `sets.rs`: the value sets and their algebra; `analysis.rs`: what an expression
//! says about the values of a field; `allow.rs`: `# clearance: allow(LINT)` comments.

mod allow;
mod analysis;
mod sets;

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir::{CheckedPolicy, Rule, RuleKind, Scope};
use crate::outcome::Verdict;
use analysis::Analyzer;

fn warning(code: Code, message: String, span: crate::span::Span, label: &str) -> Diagnostic {
    let mut d = Diagnostic::error(code, message, span, label);
    d.severity = Severity::Warning;
    d
}

/// Every lint warning for a checked policy, in source order, but for those that the
/// `# clearance: allow(LINT)` comments of its `source` silence; and an error for each such
/// comment that cannot be applied.
pub fn lint(policy: &CheckedPolicy, source: &str) -> Vec<Diagnostic> {
    allow::apply(source, policy, warnings(policy))
}

/// Every lint warning for a checked policy, in source order.
fn warnings(policy: &CheckedPolicy) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // A param may be used by runs that set it; only `let`s are reported unused.
    for c in policy.constants.iter().filter(|c| !c.used && !c.param) {
        out.push(
            warning(
                Code::UnusedLet,
                format!("the constant `{}` is never used", c.name),
                c.span,
                "unused",
            )
            .with_help("remove it, or use it in a rule"),
        );
    }
    for (i, rule) in policy.rules.iter().enumerate() {
        if rule.verdict == Verdict::Warn && rule.because.is_none() {
            out.push(
                warning(
                    Code::WarnWithoutBecause,
                    format!("the warning `{}` has no `because`", rule.name),
                    rule.name_span,
                    "no reason given",
                )
                .with_help("say why it matters: `because \"...\"` after the clause"),
            );
        }
        constancy(policy, rule, &mut out);
        if let Some(d) = shadowed(policy, i, rule) {
            out.push(d);
        }
        if let Some(d) = implied(policy, i, rule) {
            out.push(d);
        }
    }
    out.sort_by_key(|d| d.span());
    out
}

/// Conditions that are always true or always false in the rule's scope.
fn constancy(policy: &CheckedPolicy, rule: &Rule, out: &mut Vec<Diagnostic>) {
    let (condition, is_require) = match &rule.kind {
        RuleKind::Require(c) => (c, true),
        RuleKind::When(Some(c)) => (c, false),
        _ => return,
    };
    let a = Analyzer {
        schema: &policy.schema,
    };
    let scope = a.scope_facts(rule.scope.as_ref());
    let sat = a.satisfiable(condition, &scope);
    let valid = a.valid(condition, &scope);
    let name = &rule.name;
    let d = match (is_require, sat, valid) {
        (false, false, _) => warning(
            Code::NeverFires,
            format!(
                "rule `{name}` can never fire: its condition cannot be true{}",
                in_scope_words(rule)
            ),
            condition.span,
            "never true",
        )
        .with_help("check the comparisons: together they exclude every value"),
        (true, _, true) => warning(
            Code::NeverFires,
            format!(
                "rule `{name}` can never fire: its requirement always holds{}",
                in_scope_words(rule)
            ),
            condition.span,
            "always true",
        )
        .with_help("remove the rule, or state the requirement it was meant to check"),
        (false, true, true) => warning(
            Code::AlwaysTrue,
            format!(
                "the condition of rule `{name}` is always true{}",
                in_scope_words(rule)
            ),
            condition.span,
            "always true",
        )
        .with_help(
            "the rule fires on every record in its scope: drop `when ...`, or fix the condition",
        ),
        (true, false, _) => warning(
            Code::AlwaysFalse,
            format!(
                "the requirement of rule `{name}` can never be met{}",
                in_scope_words(rule)
            ),
            condition.span,
            "never true",
        )
        .with_help("every record in scope is denied: fix the condition"),
        _ => return,
    };
    out.push(d);
}

fn in_scope_words(rule: &Rule) -> String {
    match &rule.scope_text {
        Some(s) => format!(" for {s} records"),
        None => String::new(),
    }
}

/// A rule whose scope lies within that of an unconditional `deny` above it.
fn shadowed(policy: &CheckedPolicy, index: usize, rule: &Rule) -> Option<Diagnostic> {
    if matches!(rule.kind, RuleKind::Limit(_)) || rule.verdict == Verdict::Warn {
        return None;
    }
    let by = policy.rules[..index].iter().find(|a| {
        matches!(a.kind, RuleKind::When(None))
            && a.verdict == Verdict::Deny
            && scope_within(rule.scope.as_ref(), a.scope.as_ref())
    })?;
    Some(
        warning(
            Code::Shadowed,
            format!("rule `{}` can never change a decision: rule `{}` above denies every record it applies to", rule.name, by.name),
            rule.name_span,
            "shadowed",
        )
        .with_label(by.name_span, "denies every record in its scope")
        .with_help(format!("remove `{}`, or narrow the scope of `{}`", rule.name, by.name)),
    )
}

/// Whether every record in `inner` is in `outer` (`None`: every record).
fn scope_within(inner: Option<&Scope>, outer: Option<&Scope>) -> bool {
    match (inner, outer) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(i), Some(o)) => {
            i.action == o.action
                && (o.items.is_empty()
                    || (!i.items.is_empty() && i.items.iter().all(|x| o.items.contains(x))))
        }
    }
}

/// A `require` whose condition follows from another's in the same scope: whenever it
/// fires, the other fires too.
fn implied(policy: &CheckedPolicy, index: usize, rule: &Rule) -> Option<Diagnostic> {
    let RuleKind::Require(mine) = &rule.kind else {
        return None;
    };
    let a = Analyzer {
        schema: &policy.schema,
    };
    let (field, my_set) = a.truth_set(mine)?;
    for (j, other) in policy.rules.iter().enumerate() {
        let RuleKind::Require(theirs) = &other.kind else {
            continue;
        };
        let same_scope = match (&other.scope, &rule.scope) {
            (None, None) => true,
            (Some(a), Some(b)) => a.action == b.action && a.items == b.items,
            _ => false,
        };
        if j == index || !same_scope {
            continue;
        }
        let Some((f2, their_set)) = a.truth_set(theirs) else {
            continue;
        };
        // `other` is stronger when its set lies within mine; equal sets: warn at the later.
        if f2 == field
            && their_set.subset_of(&my_set)
            && (!my_set.subset_of(&their_set) || j < index)
        {
            return Some(
                warning(
                    Code::ImpliedRequire,
                    format!(
                        "rule `{}` is implied by rule `{}`: whenever it fires, `{}` fires too",
                        rule.name, other.name, other.name
                    ),
                    mine.span,
                    "weaker requirement",
                )
                .with_label(theirs.span, "this requirement is stronger")
                .with_help(format!(
                    "remove `{}`, or make the two requirements differ in scope",
                    rule.name
                )),
            );
        }
    }
    None
}
