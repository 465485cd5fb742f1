//! Policy text → spanned AST ([`crate::ast::Policy`]), with syntax diagnostics.
//!
//! The file is read in two steps so that one bad item does not hide the errors
//! of the next: first the `policy` header and `schema`, then each `let`, `rule`
//! and `test` in turn, skipping to the next item after an error.

mod errors;
mod keywords;
mod lexical;
pub mod limits;
mod literals;
mod lower;
mod parser;
mod scan;

use pest::Parser as _;

use crate::ast::{Item, Policy, Schema};
use crate::diagnostics::{Code, Diagnostic};
use crate::outcome::Decision;
use crate::span::Span;
use crate::span::Spanned;
pub use lexical::comments;
use lower::Lowerer;
use parser::{PolicyParser, Rule};

/// The result of parsing: the policy when the text had no syntax errors, and every
/// diagnostic found.
#[derive(Debug)]
pub struct Parsed {
    pub policy: Option<Policy>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses a policy file.
pub fn parse(source: &str) -> Parsed {
    let mut diagnostics = scan::scan(source);
    if !diagnostics.is_empty() {
        return Parsed {
            policy: None,
            diagnostics,
        };
    }
    pest::set_error_detail(true);

    let start = skip_trivia(source, 0);
    if start == source.len() {
        diagnostics.push(
            Diagnostic::error(
                Code::EmptyFile,
                "this file has no policy in it",
                Span::new(start, start),
                "the file ends here",
            )
            .with_help("a policy file starts with a header and a schema, e.g. `policy \"name\" default allow` then `schema { id: text }`"),
        );
        return Parsed {
            policy: None,
            diagnostics,
        };
    }

    let (head, pos) = preamble(source, &mut diagnostics);
    let items = items(source, pos, head.is_some(), &mut diagnostics);

    diagnostics.sort_by_key(|d| d.span());
    let policy = match head {
        Some((name, default, schema)) if diagnostics.is_empty() => Some(Policy {
            name,
            default,
            schema,
            items,
        }),
        _ => None,
    };
    Parsed {
        policy,
        diagnostics,
    }
}

/// A policy's name, `default` and schema.
type Head = (Spanned<String>, Option<Spanned<Decision>>, Schema);

/// The header and schema, lowered; and where the items start (after an error: the
/// first item found after it).
fn preamble(source: &str, diagnostics: &mut Vec<Diagnostic>) -> (Option<Head>, usize) {
    let mut head = None;
    let pos = match PolicyParser::parse(Rule::preamble, source) {
        Ok(mut pairs) => {
            let pair = pairs.next().expect("preamble");
            let end = pair.as_span().end();
            head = Lowerer {
                base: 0,
                errors: diagnostics,
            }
            .preamble(pair);
            end
        }
        Err(e) => {
            let d = errors::from_pest(e, source, 0, errors::Context::Preamble);
            let at = d.span().start;
            diagnostics.push(d);
            resync(source, at)
        }
    };
    (head, pos)
}

/// Each `let`, `rule` and `test` from `pos` on, resuming at the next item after an
/// error. `head_ok`: the preamble parsed, so a second `schema` is reported.
fn items(
    source: &str,
    mut pos: usize,
    head_ok: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Item> {
    let mut items = Vec::new();
    loop {
        pos = skip_trivia(source, pos);
        if pos >= source.len() {
            break;
        }
        if items.len() >= limits::MAX_ITEMS {
            diagnostics.push(
                Diagnostic::error(
                    Code::TooManyItems,
                    format!(
                        "this file has more than {} `let`, `rule` and `test` items",
                        limits::MAX_ITEMS
                    ),
                    Span::new(pos, pos),
                    "the limit is reached here",
                )
                .with_help("split the policy into several files"),
            );
            break;
        }
        if let Some(d) = misplaced(source, pos) {
            // After a broken preamble, a `schema` found later is the one that failed to
            // parse (already reported): skip it quietly.
            if head_ok {
                diagnostics.push(d);
            }
            pos = resync(source, pos + 1);
            continue;
        }
        match PolicyParser::parse(Rule::item, &source[pos..]) {
            Ok(mut pairs) => {
                let pair = pairs.next().expect("item");
                let end = pos + pair.as_span().end();
                let item = Lowerer {
                    base: pos,
                    errors: diagnostics,
                }
                .item(pair);
                if let Some(item) = item {
                    items.push(item);
                }
                pos = end;
            }
            Err(e) => {
                let d = errors::from_pest(e, source, pos, errors::Context::Item);
                let at = d.span().start.max(pos + 1);
                diagnostics.push(d);
                pos = resync(source, at);
            }
        }
    }
    items
}

/// `policy` or `schema` again after the schema.
fn misplaced(source: &str, pos: usize) -> Option<Diagnostic> {
    let word = errors::word_at(source, pos);
    let (message, help) = match word {
        "policy" => (
            "a file has only one `policy` header",
            "put each policy in a file of its own",
        ),
        "schema" => (
            "a file has only one `schema`, right after the `policy` header",
            "merge the fields into the first `schema`",
        ),
        _ => return None,
    };
    let span = Span::new(pos, pos + word.len());
    Some(Diagnostic::error(Code::MisplacedItem, message, span, "not expected here").with_help(help))
}

/// Skips whitespace (and a byte-order mark) and comments.
pub(crate) fn skip_trivia(source: &str, mut pos: usize) -> usize {
    let bytes = source.as_bytes();
    loop {
        let rest = &source[pos..];
        let trimmed = rest.trim_start_matches([' ', '\t', '\r', '\n', '\u{feff}']);
        pos += rest.len() - trimmed.len();
        if bytes.get(pos) == Some(&b'#') {
            pos = bytes[pos..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(bytes.len(), |p| pos + p);
        } else {
            return pos;
        }
    }
}

/// The start of the next line at or after `from` that begins an item (`let`,
/// `rule`, `test`), or the end of the file.
fn resync(source: &str, from: usize) -> usize {
    let mut from = from.min(source.len());
    while !source.is_char_boundary(from) {
        from += 1;
    }
    let mut line_start = source[..from.min(source.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    while line_start < source.len() {
        let first = skip_blanks(source, line_start);
        if first >= from && keywords::ITEM_WORDS.contains(&errors::word_at(source, first)) {
            return first;
        }
        line_start = match source[line_start..].find('\n') {
            Some(i) => line_start + i + 1,
            None => source.len(),
        };
    }
    source.len()
}

fn skip_blanks(source: &str, pos: usize) -> usize {
    let rest = &source[pos..];
    pos + rest.len() - rest.trim_start_matches([' ', '\t', '\u{feff}']).len()
}

/// Parses one expression on its own (used by tests and tools).
pub fn parse_expr(source: &str) -> Result<crate::ast::Expr, Vec<Diagnostic>> {
    let mut diagnostics = scan::scan(source);
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    pest::set_error_detail(true);
    match PolicyParser::parse(Rule::standalone_expr, source) {
        Ok(mut pairs) => {
            let pair = pairs.next().expect("expression");
            let expr = pair.into_inner().next().expect("expression");
            let e = Lowerer {
                base: 0,
                errors: &mut diagnostics,
            }
            .expr(expr);
            match e {
                Ok(e) if diagnostics.is_empty() => Ok(e),
                _ => Err(diagnostics),
            }
        }
        Err(e) => Err(vec![errors::from_pest(e, source, 0, errors::Context::Item)]),
    }
}

impl Policy {
    /// Parses `source`; see [`parse`].
    pub fn parse(source: &str) -> Result<Policy, Vec<Diagnostic>> {
        let parsed = parse(source);
        parsed.policy.ok_or(parsed.diagnostics)
    }
}
