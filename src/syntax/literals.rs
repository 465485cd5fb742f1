//! Literals: strings and their escapes, ints, decimals and percents within range, dates.

use pest::iterators::Pair;

use super::lower::Lowerer;
use super::parser::Rule;
use crate::ast::ExprKind;
use crate::diagnostics::{Code, Diagnostic};
use crate::span::Span;
use crate::value::{parse_decimal, Decimal};

impl Lowerer<'_> {
    /// The value of a `string` pair, escapes resolved.
    pub(super) fn string(&mut self, p: Pair<Rule>) -> String {
        let mut out = String::new();
        for part in p.into_inner() {
            match part.as_rule() {
                Rule::escape => self.escape(&part, &mut out),
                _ => out.push_str(part.as_str()),
            }
        }
        out
    }

    pub(super) fn escape(&mut self, p: &Pair<Rule>, out: &mut String) {
        let text = p.as_str();
        let c = match text {
            "\\\"" => Some('"'),
            "\\\\" => Some('\\'),
            "\\n" => Some('\n'),
            "\\t" => Some('\t'),
            t if t.starts_with("\\u{") && t.ends_with('}') => {
                u32::from_str_radix(&t[3..t.len() - 1], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ => None,
        };
        match c {
            Some(c) => out.push(c),
            None => {
                let label = if text.starts_with("\\u{") {
                    "not a Unicode scalar value in hex"
                } else {
                    "unknown escape"
                };
                self.errors.push(
                    Diagnostic::error(
                        Code::InvalidEscape,
                        format!("`{text}` is not a valid escape"),
                        self.span(p),
                        label,
                    )
                    .with_help(r#"the escapes are `\"`, `\\`, `\n`, `\t` and `\u{1F600}`; write `\\` for a backslash"#),
                )
            }
        }
    }

    pub(super) fn int(&mut self, text: &str, span: Span) -> ExprKind {
        let digits: String = text.chars().filter(|c| *c != '_').collect();
        match digits.parse::<i64>() {
            Ok(n) => ExprKind::Int(n),
            Err(_) => {
                self.errors.push(
                    Diagnostic::error(
                        Code::IntOverflow,
                        format!("`{text}` is too large for an int"),
                        span,
                        "larger than 9_223_372_036_854_775_807",
                    )
                    .with_help(format!("an int is a 64-bit whole number; for a larger amount write a decimal, such as `{text}.0`")),
                );
                ExprKind::Int(0)
            }
        }
    }

    pub(super) fn number(&mut self, text: &str, span: Span, kind: &str) -> Decimal {
        parse_decimal(text).unwrap_or_else(|| {
            self.errors.push(
                Diagnostic::error(
                    Code::NumberOutOfRange,
                    format!(
                        "`{}` has more digits than a {kind} can hold",
                        span_text(text, kind)
                    ),
                    span,
                    "more than 28 significant digits",
                )
                .with_help("decimals are exact to 28 significant digits; shorten the number"),
            );
            Decimal::ZERO
        })
    }
}

pub(super) fn invalid_date(text: &str, span: Span) -> Diagnostic {
    let month: u32 = text[5..7].parse().unwrap_or(0);
    let year: i32 = text[0..4].parse().unwrap_or(0);
    let label = if !(1..=12).contains(&month) {
        format!("there is no month {month}")
    } else {
        let days = (28..=31)
            .rev()
            .find(|d| crate::value::Date::from_ymd_opt(year, month, *d).is_some())
            .unwrap_or(28);
        format!("{year}-{month:02} has {days} days")
    };
    Diagnostic::error(
        Code::InvalidDate,
        format!("`{text}` is not a calendar date"),
        span,
        label,
    )
    .with_help("dates are written `YYYY-MM-DD`, e.g. `2026-01-29`")
}

fn span_text(number: &str, kind: &str) -> String {
    if kind == "percent" {
        format!("{number}%")
    } else {
        number.to_string()
    }
}
