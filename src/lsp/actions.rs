//! Code actions: a quick fix for each diagnostic whose fix is likely — the name its
//! help suggests (`did you mean `x`?`), `30` → `30%`, `=` → `==`, the `:` after a
//! rule name, a `because` for a `warn` rule, removing an unused constant.

use std::collections::HashMap;

use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, TextEdit, Uri, WorkspaceEdit};

use crate::diagnostics::{Code, Diagnostic};
use crate::span::Span;

use super::analysis::Analysis;
use super::diagnostics::to_lsp;

/// What the author is asked to replace in a `because` added by the quick fix.
pub const BECAUSE_PLACEHOLDER: &str = "say why this matters";

/// The quick fixes for the diagnostics that touch `range`.
pub fn code_actions(a: &Analysis, uri: &Uri, range: Span) -> Vec<CodeActionOrCommand> {
    a.diagnostics
        .iter()
        .filter(|d| {
            let s = d.span();
            s.start <= range.end && range.start <= s.end
        })
        .filter_map(|d| {
            let (title, edits) = fix(a, d)?;
            let edits = edits
                .into_iter()
                .map(|(span, new_text)| TextEdit::new(a.lines.range(&a.text, span), new_text))
                .collect();
            Some(CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![to_lsp(a, uri, d)]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), edits)])),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(true),
                ..CodeAction::default()
            }))
        })
        .collect()
}

type Fix = (String, Vec<(Span, String)>);

fn fix(a: &Analysis, d: &Diagnostic) -> Option<Fix> {
    let text = a.text.as_str();
    let span = d.span();
    let help = d.help.as_deref().unwrap_or_default();
    match d.code {
        Code::SingleEquals => single_equals(text, span, help),
        Code::PercentWithNumber | Code::BadOperand => percent(text, d, help),
        Code::MissingColon => {
            let name_end = text[..span.start.min(text.len())].trim_end().len();
            let at = Span::new(name_end, name_end);
            Some(("add `:` after the rule name".into(), vec![(at, ":".into())]))
        }
        Code::WarnWithoutBecause => {
            let rule = a.policy.as_ref()?.rules().find(|r| r.name.span == span)?;
            let at = Span::new(rule.span.end, rule.span.end);
            let because = format!("\n  because \"{BECAUSE_PLACEHOLDER}\"");
            Some(("add a `because`".into(), vec![(at, because)]))
        }
        Code::UnusedLet => {
            let l = a
                .policy
                .as_ref()?
                .lets()
                .find(|l| l.name.span == span || l.span == span)?;
            let end = text[l.span.end..]
                .find('\n')
                .map_or(text.len(), |i| l.span.end + i + 1);
            let title = format!("remove the unused constant `{}`", l.name.node);
            Some((title, vec![(Span::new(l.span.start, end), String::new())]))
        }
        _ => did_you_mean(text, span, help),
    }
}

/// The text between the first pair of backticks after `after` in `help`.
fn quoted_after<'h>(help: &'h str, after: &str) -> Option<&'h str> {
    let rest = &help[help.find(after)? + after.len()..];
    let start = rest.find('`')? + 1;
    let len = rest[start..].find('`')?;
    Some(&rest[start..start + len])
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `did you mean `x`?`: the name at the diagnostic replaced with `x`.
fn did_you_mean(text: &str, span: Span, help: &str) -> Option<Fix> {
    let guess = quoted_after(help, "did you mean")?;
    let old = span.text(text);
    if !is_name(old) || !is_name(guess) || old == guess {
        return None;
    }
    Some((
        format!("replace `{old}` with `{guess}`"),
        vec![(span, guess.to_string())],
    ))
}

fn single_equals(text: &str, span: Span, help: &str) -> Option<Fix> {
    let old = span.text(text);
    match old {
        // `a => b`, meant `>=`.
        "=" if help.contains("`>=`") && text[span.end..].starts_with('>') => Some((
            "replace `=>` with `>=`".into(),
            vec![(Span::new(span.start, span.end + 1), ">=".into())],
        )),
        "=" => Some(("replace `=` with `==`".into(), vec![(span, "==".into())])),
        // `let x == 5`.
        "==" => Some(("replace `==` with `=`".into(), vec![(span, "=".into())])),
        _ => None,
    }
}

/// `30` where a percent is meant: the help says how to write it (`30%`).
fn percent(text: &str, d: &Diagnostic, help: &str) -> Option<Fix> {
    let suggestion = quoted_after(help, "as a percent:")?;
    let digits = suggestion.strip_suffix('%')?;
    // The number literal: the label whose text (inside any parentheses) is a number.
    let mut labels: Vec<_> = d.labels.iter().collect();
    labels.sort_by_key(|l| !l.primary);
    let literal = labels.iter().find_map(|l| number_literal(text, l.span))?;
    let written = literal.text(text);
    let edit = if written.replace('_', "") == digits {
        // Keep the literal as written (`30_000` → `30_000%`).
        (Span::new(literal.end, literal.end), "%".to_string())
    } else {
        (literal, suggestion.to_string())
    };
    Some((format!("write `{suggestion}`"), vec![edit]))
}

/// The number literal that `span` covers, parentheses and blanks aside.
fn number_literal(text: &str, span: Span) -> Option<Span> {
    let inner = span.text(text);
    let trimmed = inner.trim_start_matches(|c: char| c == '(' || c.is_whitespace());
    let start = span.start + inner.len() - trimmed.len();
    let len = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '_' || c == '.'))
        .unwrap_or(trimmed.len());
    let literal = &trimmed[..len];
    let rest = trimmed[len..].trim_matches(|c: char| c == ')' || c.is_whitespace());
    let is_number = literal.starts_with(|c: char| c.is_ascii_digit()) && rest.is_empty();
    is_number.then(|| Span::new(start, start + len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_literals_inside_parentheses() {
        let text = "x >= (30_000 )";
        assert_eq!(
            number_literal(text, Span::new(5, 14)),
            Some(Span::new(6, 12))
        );
        assert_eq!(number_literal(text, Span::new(0, 1)), None);
    }

    #[test]
    fn quoted_suggestions() {
        assert_eq!(
            quoted_after("did you mean `units`?", "did you mean"),
            Some("units")
        );
        assert_eq!(
            quoted_after("write the number as a percent: `30%`", "as a percent:"),
            Some("30%")
        );
    }
}
