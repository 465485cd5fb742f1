//! Reasons written into any text sink, once: [`Policy::reason`] collects them in a
//! `String`, and the streaming renderer writes them straight into its output buffer
//! (`run::render`), reading text fields from the record's own bytes.

use std::fmt::Write;

use super::policy::Policy;
use crate::ir::{Expr, ExprKind, Rule, RuleKind, TemplatePart};
use crate::semantics::{eval, margin_parts, EvalError};
use crate::value::Value;

impl Policy {
    /// Writes the `because` text of `rule` with the record's values, or a generated
    /// sentence, to `out` (which must not fail: a `String` or a byte buffer). `text`
    /// gives a slot's text when the row does not hold it as a value (`None`: read the
    /// row). A `limit`'s reason is the allocation's (see `allocate.rs`).
    pub(crate) fn write_reason<'t, W: Write>(
        &self,
        rule: &Rule,
        row: &[Value],
        text: &dyn Fn(usize) -> Option<&'t str>,
        out: &mut W,
    ) -> Result<(), EvalError> {
        let enums = &self.schema.enums;
        let field = |slot: usize, out: &mut W| match text(slot) {
            Some(t) => out.write_str(t),
            None => {
                let f = &self.schema.fields[slot];
                write!(
                    out,
                    "{}",
                    row.get(slot)
                        .unwrap_or(&Value::Missing)
                        .display(&f.ty, enums)
                )
            }
        };
        if let Some(t) = &rule.because {
            for part in &t.parts {
                let _ = match part {
                    TemplatePart::Text(s) => out.write_str(s),
                    TemplatePart::Expr(Expr {
                        kind: ExprKind::Field(slot),
                        ..
                    }) if text(*slot).is_some() => field(*slot, out),
                    TemplatePart::Expr(e) => {
                        let v = eval(e, row)?;
                        write!(out, "{}", v.display(&e.ty, enums))
                    }
                    // Only in a `limit`'s `because`, which the allocation renders.
                    TemplatePart::Fact(_) => Ok(()),
                };
            }
            return Ok(());
        }
        // `requires eu >= min_eu (25%); eu is 5%, short by 20 points`: the condition,
        // the named constants it mentions, then the record's values and the margin.
        let _ = match (&rule.kind, &rule.condition_text) {
            (RuleKind::Require(_), Some(c)) => write!(out, "requires {c}"),
            (RuleKind::When(_), Some(c)) => write!(out, "{c} holds"),
            _ => match &rule.scope_text {
                Some(s) => write!(out, "applies to every {s} record"),
                None => out.write_str("applies to every record"),
            },
        };
        if let Some(constants) = &rule.shown_constants {
            let _ = write!(out, " ({constants})");
        }
        let mut separator = "; ";
        for s in rule.shown_fields.iter().take(4) {
            let _ = write!(out, "{separator}{} is ", self.schema.fields[*s].name);
            let _ = field(*s, out);
            separator = ", ";
        }
        if let RuleKind::Require(c) = &rule.kind {
            if let Some((word, gap, unit)) = margin_parts(c, row) {
                let _ = write!(out, "{separator}{word} by {gap}{unit}");
            }
        }
        Ok(())
    }

    /// Which slots the per-record rules read as values: those of their conditions and
    /// of `because` parts other than a plain field. A decoder may leave the other text
    /// fields as text of the record (see [`Policy::write_reason`]).
    pub(crate) fn value_slots(&self) -> Vec<bool> {
        let mut used = vec![false; self.schema.fields.len()];
        for rule in &self.rules {
            match &rule.kind {
                RuleKind::Require(c) | RuleKind::When(Some(c)) => mark(c, &mut used),
                RuleKind::When(None) => {}
                // The allocation reads its fields from the row: keep every value.
                RuleKind::Limit(_) => used.iter_mut().for_each(|u| *u = true),
            }
            for part in rule.because.iter().flat_map(|t| &t.parts) {
                match part {
                    TemplatePart::Expr(Expr {
                        kind: ExprKind::Field(_),
                        ..
                    })
                    | TemplatePart::Text(_)
                    | TemplatePart::Fact(_) => {}
                    TemplatePart::Expr(e) => mark(e, &mut used),
                }
            }
        }
        used
    }
}

/// Marks the slots `e` reads.
fn mark(e: &Expr, used: &mut [bool]) {
    match &e.kind {
        ExprKind::Field(s) | ExprKind::Has(s) => {
            if let Some(u) = used.get_mut(*s) {
                *u = true;
            }
        }
        ExprKind::Const(_) | ExprKind::Unknown => {}
        ExprKind::List(items) | ExprKind::Call(_, items) => {
            items.iter().for_each(|x| mark(x, used))
        }
        ExprKind::Not(x) | ExprKind::Neg(x) => mark(x, used),
        ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Compare(_, a, b)
        | ExprKind::Arith(_, a, b)
        | ExprKind::Coalesce(a, b) => {
            mark(a, used);
            mark(b, used);
        }
        ExprKind::In { needle, list, .. } => {
            mark(needle, used);
            mark(list, used);
        }
    }
}
