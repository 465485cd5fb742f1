//! Lint control in the source: a comment `# clearance: allow(LINT, ...)` on its own line
//! silences those lints for the `rule`, `let` or `test` that starts on the next line of
//! code (blank lines and other comments may come between), or for the whole file when it
//! comes before the `policy` header. A name that is not a lint, a comment that is not of
//! this form and one that applies to nothing are errors (`clearance::lint::unknown_lint`).

use crate::diagnostics::{Code, Diagnostic};
use crate::ir::CheckedPolicy;
use crate::span::Span;

/// What a comment beginning `clearance:` asks for.
struct Directive {
    /// The comment, from its `#`.
    comment: Span,
    lints: Vec<Code>,
}

/// The lints allowed in a file: everywhere, and per item (by the item's span).
#[derive(Default)]
struct Allowed {
    file: Vec<Code>,
    items: Vec<(Span, Code)>,
}

impl Allowed {
    fn covers(&self, d: &Diagnostic) -> bool {
        let at = d.span().start;
        let in_item =
            |(span, code): &(Span, Code)| *code == d.code && span.start <= at && at < span.end;
        self.file.contains(&d.code) || self.items.iter().any(in_item)
    }
}

/// Drops the `warnings` that comments allow, and adds an error for each comment that
/// cannot be applied.
pub(super) fn apply(
    source: &str,
    policy: &CheckedPolicy,
    warnings: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let directives = directives(source, &mut errors);
    if directives.is_empty() && errors.is_empty() {
        return warnings;
    }
    let lines = Lines::new(source);
    let items: Vec<Span> = policy
        .rules
        .iter()
        .map(|r| r.span)
        .chain(policy.constants.iter().map(|c| c.span))
        .chain(policy.tests.iter().map(|t| t.span))
        .collect();
    let mut allowed = Allowed::default();
    for d in directives {
        if d.comment.start < lines.first_code {
            allowed.file.extend(&d.lints);
            continue;
        }
        let target = lines
            .next_code_line(d.comment.start)
            .and_then(|(start, end)| items.iter().find(|s| start <= s.start && s.start < end));
        match target {
            Some(item) => allowed.items.extend(d.lints.iter().map(|c| (*item, *c))),
            None => errors.push(
                Diagnostic::error(
                    Code::UnknownLint,
                    "this `# clearance: allow(...)` applies to nothing",
                    d.comment,
                    "no `rule`, `let` or `test` starts on the next line",
                )
                .with_help(
                    "put it on its own line just above the item it is about, or before `policy` for the whole file",
                ),
            ),
        }
    }
    let mut out: Vec<Diagnostic> = warnings
        .into_iter()
        .filter(|w| !allowed.covers(w))
        .collect();
    out.extend(errors);
    out.sort_by_key(|d| d.span());
    out
}

/// The lines of the text, and where its code starts.
struct Lines {
    /// Each line's start and end (the line break not included), and whether it has code.
    lines: Vec<(usize, usize, bool)>,
    /// The start of the first line with code: the `policy` header.
    first_code: usize,
}

impl Lines {
    fn new(source: &str) -> Lines {
        let comment_starts: Vec<usize> = crate::syntax::comments(source).map(|c| c.start).collect();
        let mut lines = Vec::new();
        let mut start = 0;
        for line in source.split_inclusive('\n') {
            let end = start + line.trim_end_matches(['\n', '\r']).len();
            let text = &source[start..end];
            let first = start + (text.len() - text.trim_start().len());
            let code = first < end && comment_starts.binary_search(&first).is_err();
            lines.push((start, end, code));
            start += line.len();
        }
        let first_code = lines.iter().find(|l| l.2).map_or(source.len(), |l| l.0);
        Lines { lines, first_code }
    }

    /// The first line with code after the line holding `offset`.
    fn next_code_line(&self, offset: usize) -> Option<(usize, usize)> {
        let here = self
            .lines
            .iter()
            .position(|l| l.0 <= offset && offset <= l.1)?;
        self.lines[here + 1..]
            .iter()
            .find(|l| l.2)
            .map(|l| (l.0, l.1))
    }
}

/// The `# clearance:` comments that stand on their own line, read; each problem with
/// one is an error in `errors`.
fn directives(source: &str, errors: &mut Vec<Diagnostic>) -> Vec<Directive> {
    let mut out = Vec::new();
    for comment in crate::syntax::comments(source) {
        let line_start = source[..comment.start].rfind('\n').map_or(0, |i| i + 1);
        let own_line = source[line_start..comment.start].trim().is_empty();
        let text = comment.text(source);
        let body = text[1..].trim_start();
        let Some(rest) = body.strip_prefix("clearance:") else {
            continue;
        };
        let at = comment.end - rest.len();
        if !own_line {
            errors.push(
                Diagnostic::error(
                    Code::UnknownLint,
                    "a `# clearance:` comment must stand on its own line",
                    comment,
                    "after code on this line",
                )
                .with_help("move it to its own line just above the item it is about"),
            );
            continue;
        }
        if let Some(lints) = allow_list(source, at, rest, errors) {
            out.push(Directive { comment, lints });
        }
    }
    out
}

/// The lints of `allow(a, b)` (`rest`, at offset `at`), or `None` after an error.
fn allow_list(
    source: &str,
    at: usize,
    rest: &str,
    errors: &mut Vec<Diagnostic>,
) -> Option<Vec<Code>> {
    let lead = rest.len() - rest.trim_start().len();
    let body = rest.trim();
    let inner = body
        .strip_prefix("allow")
        .map(str::trim_start)
        .and_then(|b| b.strip_prefix('('))
        .and_then(|b| b.strip_suffix(')'));
    let Some(inner) = inner else {
        let span = Span::new(at + lead, at + lead + body.len());
        errors.push(
            Diagnostic::error(
                Code::UnknownLint,
                format!("`{}` is not a lint control", span.text(source)),
                span,
                "expected `allow(LINT, ...)`",
            )
            .with_help(
                "write `# clearance: allow(LINT, ...)`; to make a lint an error, run `clearance check --deny LINT`",
            ),
        );
        return None;
    };
    // Offsets of the names: `inner` ends one byte before the end of `body`.
    let inner_start = at + lead + body.len() - 1 - inner.len();
    let mut lints = Vec::new();
    let mut ok = true;
    let mut offset = inner_start;
    for part in inner.split(',') {
        let name = part.trim();
        let start = offset + (part.len() - part.trim_start().len());
        offset += part.len() + 1;
        if name.is_empty() && inner.trim().is_empty() {
            break;
        }
        match Code::from_lint_name(name) {
            Some(code) => lints.push(code),
            None => {
                ok = false;
                let span = Span::new(start, start + name.len());
                let (message, label) = if name.is_empty() {
                    (
                        "a lint name is missing".to_string(),
                        "a name was expected here",
                    )
                } else {
                    (format!("unknown lint `{name}`"), "no such lint")
                };
                errors.push(
                    Diagnostic::error(Code::UnknownLint, message, span, label)
                        .with_help(Code::unknown_lint_help(name)),
                );
            }
        }
    }
    if ok && lints.is_empty() {
        let span = Span::new(inner_start - 1, inner_start + inner.len() + 1);
        errors.push(
            Diagnostic::error(Code::UnknownLint, "`allow()` names no lint", span, "empty")
                .with_help(Code::unknown_lint_help("")),
        );
        return None;
    }
    ok.then_some(lints)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_of(source: &str) -> Vec<(String, String)> {
        let mut errors = Vec::new();
        directives(source, &mut errors);
        errors
            .iter()
            .map(|d| (d.message.clone(), d.span().text(source).to_string()))
            .collect()
    }

    #[test]
    fn names_are_read_with_their_spans() {
        let mut errors = Vec::new();
        let d = directives("# clearance: allow( never_fires , shadowed)\n", &mut errors);
        assert!(errors.is_empty());
        assert_eq!(d[0].lints, [Code::NeverFires, Code::Shadowed]);
        assert_eq!(
            errors_of("#clearance:allow(never_fire, shadowed)\n"),
            [("unknown lint `never_fire`".into(), "never_fire".into())]
        );
        assert_eq!(
            errors_of("# clearance: allow(shadowed, )\n"),
            [("a lint name is missing".into(), "".into())]
        );
        assert_eq!(
            errors_of("# clearance: allow()\n"),
            [("`allow()` names no lint".into(), "()".into())]
        );
        assert_eq!(
            errors_of("# clearance: deny(shadowed)\n"),
            [(
                "`deny(shadowed)` is not a lint control".into(),
                "deny(shadowed)".into()
            )]
        );
        assert_eq!(
            errors_of("rule x: # clearance: allow(shadowed)\n"),
            [(
                "a `# clearance:` comment must stand on its own line".into(),
                "# clearance: allow(shadowed)".into()
            )]
        );
        // Other comments, and `clearance:` inside a string, are not directives.
        assert!(errors_of("# see clearance: allow(x)\nlet s = \"# clearance: x\"\n").is_empty());
    }

    #[test]
    fn the_next_line_of_code_is_found_past_comments_and_blank_lines() {
        let text = "# top\n\npolicy \"p\"\n# clearance: allow(shadowed)\n\n# more\r\nrule r:\n";
        let lines = Lines::new(text);
        assert_eq!(lines.first_code, text.find("policy").unwrap());
        let at = text.find("# clearance").unwrap();
        let (start, end) = lines.next_code_line(at).unwrap();
        assert_eq!(&text[start..end], "rule r:");
        assert_eq!(lines.next_code_line(text.find("rule").unwrap()), None);
    }
}
