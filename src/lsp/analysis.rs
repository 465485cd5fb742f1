//! What the server knows about one open document: its text, the diagnostics `check`
//! would print, and the syntax tree and checked form that the other features read.
//!
//! A policy being edited rarely parses. The diagnostics are exactly those of
//! `clearance check` (the syntax errors alone, while there are any), but hover,
//! definition and completion want a tree all the same: the items that do not parse
//! are blanked out (same byte offsets, every character but line breaks made a space)
//! and the rest is parsed again, so they work on every item that is whole.

use crate::ast::{Item, Policy};
use crate::check;
use crate::diagnostics::Diagnostic;
use crate::ir::CheckedPolicy;
use crate::syntax;

use super::index::SymbolIndex;
use super::position::{Encoding, LineIndex};

/// How many times items are blanked out and the text parsed again.
const RECOVERY_ROUNDS: usize = 4;

#[derive(Debug)]
pub struct Analysis {
    pub text: String,
    pub lines: LineIndex,
    /// Every diagnostic of `clearance check` (errors, or the lint warnings of a valid
    /// policy), sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// The syntax tree of the file, or of the items that parse when some do not.
    /// `None` when the header or schema does not parse.
    pub policy: Option<Policy>,
    /// The checked policy; when it has errors, the checked form of its schema and
    /// constants alone (so that types and constant values are still known).
    pub checked: Option<CheckedPolicy>,
    /// Whether `checked` is the whole policy (it has no error).
    pub valid: bool,
    pub index: SymbolIndex,
}

impl Analysis {
    pub fn new(text: String, encoding: Encoding) -> Self {
        let lines = LineIndex::new(&text, encoding);
        let parsed = syntax::parse(&text);
        let (policy, mut diagnostics) = match parsed.policy {
            Some(p) => (Some(p), Vec::new()),
            None => (recover(&text, &parsed.diagnostics), parsed.diagnostics),
        };
        let parses = diagnostics.is_empty();
        let mut checked = None;
        let mut valid = false;
        if let Some(p) = &policy {
            match check::check(p, check::Binding::Unbound) {
                Ok(c) => {
                    if parses {
                        diagnostics = check::lint(&c, &text);
                        valid = true;
                    }
                    checked = Some(c);
                }
                Err(errors) => {
                    if parses {
                        diagnostics = errors;
                    }
                    checked = check_declarations(p);
                }
            }
        }
        let index = match &policy {
            Some(p) => SymbolIndex::new(p, &text),
            None => SymbolIndex::default(),
        };
        Analysis {
            text,
            lines,
            diagnostics,
            policy,
            checked,
            valid,
            index,
        }
    }
}

/// The checked form of the schema and constants alone, or of the schema alone.
fn check_declarations(policy: &Policy) -> Option<CheckedPolicy> {
    let lets: Vec<Item> = policy
        .items
        .iter()
        .filter(|i| matches!(i, Item::Let(_) | Item::Param(_)))
        .cloned()
        .collect();
    let mut reduced = Policy {
        name: policy.name.clone(),
        default: policy.default.clone(),
        schema: policy.schema.clone(),
        items: lets,
    };
    if let Ok(c) = check::check(&reduced, check::Binding::Unbound) {
        return Some(c);
    }
    reduced.items.clear();
    check::check(&reduced, check::Binding::Unbound).ok()
}

/// The syntax tree of `text` with the items that have errors blanked out, or `None`
/// when the header or schema has one.
fn recover(text: &str, diagnostics: &[Diagnostic]) -> Option<Policy> {
    let starts = item_starts(text);
    let mut bytes = text.as_bytes().to_vec();
    let mut diagnostics = diagnostics.to_vec();
    for _ in 0..RECOVERY_ROUNDS {
        let mut changed = false;
        for d in &diagnostics {
            let at = d.span().start.min(text.len());
            // The item the error is in: the last start at or before it.
            let item = starts.partition_point(|&s| s <= at);
            if item == 0 {
                return None; // in the header or schema
            }
            // An error found at the first word of an item is often the previous
            // item's (an expression left unfinished before `rule`): that one goes
            // first, and this one in a later round if it still does not parse.
            let previous =
                at == starts[item - 1] && item >= 2 && blank(&mut bytes, &starts, item - 2);
            changed |= previous || blank(&mut bytes, &starts, item - 1);
        }
        if !changed {
            return None;
        }
        let blanked = String::from_utf8(bytes.clone()).ok()?;
        let parsed = syntax::parse(&blanked);
        if parsed.policy.is_some() {
            return parsed.policy;
        }
        diagnostics = parsed.diagnostics;
    }
    None
}

/// Blanks item `n` (from its start to the next item's start); whether anything changed.
fn blank(bytes: &mut [u8], starts: &[usize], n: usize) -> bool {
    let end = starts.get(n + 1).copied().unwrap_or(bytes.len());
    let mut changed = false;
    for b in &mut bytes[starts[n]..end] {
        if !matches!(*b, b'\n' | b' ') {
            *b = b' ';
            changed = true;
        }
    }
    changed
}

/// Where items start: the first word of every line whose first word is `let`, `rule`
/// or `test` (as the parser resynchronises after an error).
pub fn item_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start_matches([' ', '\t', '\u{feff}']);
        let first = line_start + line.len() - trimmed.len();
        let word_end = trimmed
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(trimmed.len());
        if matches!(&trimmed[..word_end], "let" | "rule" | "test") {
            starts.push(first);
        }
        line_start += line.len();
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "policy \"p\"\nschema { id: text, tier: tier1 | tier2, units: int }\n";

    #[test]
    fn a_valid_policy_has_its_lint_warnings() {
        let text = format!("{HEAD}rule big:\n  warn when units > 10\n");
        let a = Analysis::new(text, Encoding::Utf16);
        assert!(a.valid);
        let codes: Vec<&str> = a.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["clearance::lint::warn_without_because"]);
    }

    #[test]
    fn items_that_do_not_parse_are_left_out_of_the_tree() {
        let text = format!(
            "{HEAD}let cap = 10\nrule a:\n  deny when tier == \nrule b:\n  deny when units > cap\n"
        );
        let a = Analysis::new(text, Encoding::Utf16);
        assert_eq!(a.diagnostics.len(), 1, "{:?}", a.diagnostics);
        let policy = a.policy.expect("a partial tree");
        let rules: Vec<&str> = policy.rules().map(|r| r.name.node.as_str()).collect();
        assert_eq!(rules, ["b"]);
        assert_eq!(policy.lets().count(), 1);
        assert!(a.checked.is_some());
    }

    #[test]
    fn a_broken_schema_leaves_no_tree() {
        let text = "policy \"p\"\nschema { id: }\nrule a:\n  deny\n".to_string();
        let a = Analysis::new(text, Encoding::Utf16);
        assert!(a.policy.is_none());
        assert!(!a.diagnostics.is_empty());
    }

    #[test]
    fn check_errors_keep_the_checked_constants() {
        let text = format!("{HEAD}let cap = 10\nrule a:\n  deny when unit > cap\n");
        let a = Analysis::new(text, Encoding::Utf16);
        assert!(!a.valid);
        assert_eq!(
            a.diagnostics[0].code.as_str(),
            "clearance::name::unknown_field"
        );
        let checked = a.checked.expect("the declarations check");
        assert_eq!(checked.constants[0].name, "cap");
    }
}
