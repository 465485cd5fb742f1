//! `serde_json` syntax errors in an author's words: what is wrong, with the offending
//! token sliced from the input, and where (line and column in characters).

use crate::value::escape_control;

/// A JSON syntax error, described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Described {
    pub message: String,
    /// 1-based line within the text.
    pub line: usize,
    /// 1-based column in characters within that line.
    pub column: usize,
}

/// Describes `e`, an error from parsing `text`.
pub(super) fn describe(e: &serde_json::Error, text: &str) -> Described {
    let what = e.to_string();
    let what = match what.find(" at line ") {
        Some(i) => &what[..i],
        None => what.as_str(),
    };
    let line = e.line().max(1);
    let line_start = nth_line_start(text, line);
    // serde_json's column is 1-based, in bytes, at the byte where it stopped.
    let mut at = (line_start + e.column().saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let (start, message) = explain(what, text, at);
    // Cut off: what is missing is after the last character.
    let start = if e.classify() == serde_json::error::Category::Eof {
        text.len()
    } else {
        start
    };
    let start = start.clamp(line_start, text.len());
    let column = text[line_start..floor_boundary(text, start)]
        .chars()
        .count()
        + 1;
    Described {
        message,
        line,
        column,
    }
}

fn nth_line_start(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    memchr::memchr_iter(b'\n', text.as_bytes())
        .nth(line - 2)
        .map_or(text.len(), |i| i + 1)
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

const A_VALUE: &str = "expected `true`, `false`, `null`, a number, a string, an array or an object";

/// The start of what to point at, and the words for serde_json's message `what`.
fn explain(what: &str, text: &str, at: usize) -> (usize, String) {
    let token = token_at(text, at);
    let shown = token.map(|(s, e)| preview(&text[s..e]));
    let found = shown
        .as_ref()
        .map(|t| format!(", found `{t}`"))
        .unwrap_or_default();
    let start = token.map_or(at, |t| t.0);
    let comma = comma_before(text, at);
    let message = match what {
        "expected ident" => {
            let (s, e) = word_around(text, at);
            return (
                s,
                format!("`{}` is not a JSON value; {A_VALUE}", preview(&text[s..e])),
            );
        }
        "expected value" => match shown.as_deref() {
            Some(t @ ("]" | "}")) if comma.is_some() => {
                return (comma.unwrap_or(at), trailing_comma(t))
            }
            Some(t @ ("," | "]" | "}" | ":")) => format!("a value is missing before `{t}`"),
            Some(t) if t.starts_with('\'') => {
                format!("`{t}` is not a JSON value: JSON strings take double quotes")
            }
            Some(t) => format!("`{t}` is not a JSON value; {A_VALUE}"),
            None => format!("a value is missing; {A_VALUE}"),
        },
        "key must be a string" => match shown.as_deref() {
            Some("}") if comma.is_some() => return (comma.unwrap_or(at), trailing_comma("}")),
            Some(t) if t.bytes().next().is_some_and(is_word) => format!(
                "`{t}` is not a field name: field names are strings in double quotes (`\"{t}\"`)"
            ),
            _ => format!("expected a field name in double quotes{found}"),
        },
        "trailing comma" => {
            let before = shown.as_deref().unwrap_or("}");
            return (comma.unwrap_or(at), trailing_comma(before));
        }
        "expected `:`" => format!("expected `:` after the field name{found}"),
        "expected `,` or `}`" => format!("expected `,` or `}}` after a field's value{found}"),
        "expected `,` or `]`" => format!("expected `,` or `]` after a list element{found}"),
        "trailing characters" => format!(
            "unexpected `{}` after the end of the record",
            shown.as_deref().unwrap_or("")
        ),
        "EOF while parsing an object" => {
            "the record is cut off: its object is not closed with `}`".into()
        }
        "EOF while parsing a list" => "the record is cut off: a list is not closed with `]`".into(),
        "EOF while parsing a string" => {
            "the record is cut off inside a string: a closing `\"` is missing".into()
        }
        "EOF while parsing a value" => "the record is cut off where a value is expected".into(),
        "invalid escape" => return escape(text, at),
        "invalid unicode code point"
        | "lone leading surrogate in hex escape"
        | "unexpected end of hex escape" => return unicode_escape(text, at),
        "control character (\\u0000-\\u001F) found while parsing a string" => {
            return control_character(text, at)
        }
        "invalid number" | "number out of range" => return number(text, at),
        "recursion limit exceeded" => "the record is nested more than 128 levels deep".into(),
        other => other.to_string(),
    };
    (start, message)
}

fn trailing_comma(before: &str) -> String {
    format!("a `,` before `{before}` is not allowed in JSON; remove it")
}

/// A raw control character in a string; serde_json stops on the byte before it.
fn control_character(text: &str, at: usize) -> (usize, String) {
    let b = text.as_bytes();
    let i = b[at..]
        .iter()
        .position(|c| *c < 0x20)
        .map_or(at, |k| at + k);
    let c = b.get(i).map_or('\0', |c| *c as char);
    let escaped = match c {
        '\t' => "\\t".to_string(),
        '\n' => "\\n".to_string(),
        '\r' => "\\r".to_string(),
        other => format!("\\u{:04x}", other as u32),
    };
    let message = format!(
        "a string holds the control character U+{:04X}; write it escaped, as `{escaped}`",
        c as u32
    );
    (i, message)
}

fn number(text: &str, at: usize) -> (usize, String) {
    let (s, e) = word_around(text, at);
    let n = &text[s..e];
    let digits = n.trim_start_matches('-').as_bytes();
    let hint = if digits.len() > 1 && digits[0] == b'0' && digits[1].is_ascii_digit() {
        ": JSON numbers have no leading zeros"
    } else if n.ends_with('.') {
        ": a digit must follow the `.`"
    } else {
        ""
    };
    (
        s,
        format!("`{}` is not a valid JSON number{hint}", preview(n)),
    )
}

fn unicode_escape(text: &str, at: usize) -> (usize, String) {
    let (s, _) = escape(text, at);
    let e = floor_boundary(text, (s + 6).min(text.len()));
    let message = format!("`{}` is not a valid unicode escape", preview(&text[s..e]));
    (s, message)
}

/// The escape `\…` that ends at or before `at`.
fn escape(text: &str, at: usize) -> (usize, String) {
    let b = text.as_bytes();
    let from = at.saturating_sub(6);
    let end = (at + 1).min(b.len()).max(from);
    let Some(s) = b[from..end]
        .iter()
        .rposition(|c| *c == b'\\')
        .map(|i| from + i)
    else {
        return (at, "a string holds an invalid escape".into());
    };
    if b.get(s + 1) == Some(&b'u') {
        let mut e = s + 2;
        while e < b.len() && e < s + 6 && b[e].is_ascii_hexdigit() {
            e += 1;
        }
        let shown = preview(&text[s..e]);
        return (
            s,
            format!("`{shown}` is not a valid escape: `\\u` takes four hex digits"),
        );
    }
    let shown = preview(&text[s..next_boundary(text, s + 1)]);
    (
        s,
        format!("`{shown}` is not a valid escape in a JSON string; write `\\\\` for a backslash"),
    )
}

/// The end of the character after the one at `i` (i is the byte after `\`).
fn next_boundary(text: &str, i: usize) -> usize {
    match text.get(i..).and_then(|r| r.chars().next()) {
        Some(c) => i + c.len_utf8(),
        None => text.len(),
    }
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'.') || b >= 0x80
}

/// The run of word bytes that contains `at` or ends just before it.
fn word_around(text: &str, at: usize) -> (usize, usize) {
    let b = text.as_bytes();
    let mut s = at.min(b.len());
    while s > 0 && is_word(b[s - 1]) {
        s -= 1;
    }
    let mut e = at.min(b.len());
    while e < b.len() && is_word(b[e]) {
        e += 1;
    }
    (floor_boundary(text, s), floor_boundary(text, e))
}

/// The token that starts at `at`: a word, a quoted string, or one character.
fn token_at(text: &str, at: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let first = *b.get(at)?;
    if is_word(first) {
        let mut e = at;
        while e < b.len() && is_word(b[e]) {
            e += 1;
        }
        return Some((at, floor_boundary(text, e)));
    }
    if first == b'"' || first == b'\'' {
        let close = b[at + 1..]
            .iter()
            .position(|c| *c == first || *c == b'\n')
            .map_or(b.len(), |i| {
                at + 1 + i + usize::from(b[at + 1 + i] == first)
            });
        return Some((at, close));
    }
    Some((at, next_boundary(text, at)))
}

/// Where a `,` is, when it is what comes before `at` (spaces aside).
fn comma_before(text: &str, at: usize) -> Option<usize> {
    let b = text.as_bytes();
    let i = b[..at].iter().rposition(|c| !c.is_ascii_whitespace())?;
    (b[i] == b',').then_some(i)
}

/// A token shortened for messages, with control characters escaped.
fn preview(raw: &str) -> String {
    let mut s: String = raw.chars().take(40).collect();
    if s.len() < raw.len() {
        s.push('…');
    }
    escape_control(&s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(text: &str) -> (usize, usize, String) {
        let e = serde_json::from_str::<serde::de::IgnoredAny>(text).unwrap_err();
        let d = describe(&e, text);
        (d.line, d.column, d.message)
    }

    #[test]
    fn each_kind_of_error_names_what_is_wrong_and_where() {
        let cases = [
            (r#"{"a": -}"#, 1, 7, "`-` is not a valid JSON number"),
            (r#"{"a": 1.}"#, 1, 7, "`1.` is not a valid JSON number: a digit must follow the `.`"),
            (r#"{"a": "\u12"}"#, 1, 8, "`\\u12` is not a valid escape: `\\u` takes four hex digits"),
            ("{\"a\":\n  tru}", 2, 3, "`tru` is not a JSON value; expected `true`, `false`, `null`, a number, a string, an array or an object"),
            (r#"{"a": [1,,2]}"#, 1, 10, "a value is missing before `,`"),
            (r#"{"a": "é" "b": 1}"#, 1, 11, "expected `,` or `}` after a field's value, found `\"b\"`"),
            ("{\"a\": \"x\u{1}\"}", 1, 9, "a string holds the control character U+0001; write it escaped, as `\\u0001`"),
            (r#"{1: 2}"#, 1, 2, "`1` is not a field name: field names are strings in double quotes (`\"1\"`)"),
            ("", 1, 1, "the record is cut off where a value is expected"),
        ];
        for (text, line, column, message) in cases {
            assert_eq!(said(text), (line, column, message.to_string()), "{text}");
        }
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let e = serde_json::from_str::<serde_json::Value>(&deep).unwrap_err();
        assert_eq!(
            describe(&e, &deep).message,
            "the record is nested more than 128 levels deep"
        );
    }

    #[test]
    fn nothing_panics_at_the_edges() {
        for text in [
            "\"",
            "{\"",
            "{\"a\\",
            "[\"\\u",
            "\u{feff}{",
            "{\"é",
            "tru",
            "{\"a\":\"\\ud800\\u0041\"}",
        ] {
            if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
                let d = describe(&e, text);
                assert!(d.line >= 1 && d.column >= 1, "{text}");
            }
        }
    }
}
