//! A quick lexical pass before pest: finds unterminated strings (pest would only
//! say what it expected at the end of the file), and enforces the size and
//! nesting limits so the recursive parser never runs on hostile input.

use super::limits::*;
use crate::diagnostics::{Code, Diagnostic};
use crate::span::Span;

pub(super) fn scan(src: &str) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    if src.len() > MAX_FILE_BYTES {
        errors.push(
            Diagnostic::error(
                Code::FileTooLarge,
                format!(
                    "this policy file is {} bytes, more than the limit of {} bytes",
                    src.len(),
                    MAX_FILE_BYTES
                ),
                Span::new(0, 0),
                "file starts here",
            )
            .with_help("split the policy into smaller files"),
        );
        return errors;
    }
    let bytes = src.as_bytes();
    let mut depth: Vec<usize> = Vec::new();
    let mut last_word: &str = "";
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                i = line_end(bytes, i);
            }
            b'"' => {
                let start = i;
                let is_template = last_word == "because";
                let mut j = i + 1;
                let mut closed = false;
                let mut interp_depth = 0usize;
                while j < bytes.len() {
                    match bytes[j] {
                        b'\\' => j += 1,
                        b'"' => {
                            closed = true;
                            break;
                        }
                        b'\n' => break,
                        b'(' | b'[' | b'{' if is_template => {
                            interp_depth += 1;
                            if depth.len() + interp_depth > MAX_BRACKET_DEPTH {
                                errors.push(too_deep(j));
                                return errors;
                            }
                        }
                        b')' | b']' | b'}' if is_template => {
                            interp_depth = interp_depth.saturating_sub(1)
                        }
                        _ => {}
                    }
                    j += 1;
                }
                if !closed {
                    let end = line_end(bytes, start).min(bytes.len());
                    let end = trim_end(src, start, end);
                    errors.push(
                        Diagnostic::error(
                            Code::UnterminatedString,
                            "this string has no closing quote",
                            Span::new(start, end),
                            "the string starts here and runs to the end of the line",
                        )
                        .with_help(
                            "add a closing `\"`; a string must end on the line it starts on (write `\\n` for a line break)",
                        ),
                    );
                    i = line_end(bytes, start);
                    continue;
                }
                if j - start - 1 > MAX_STRING_LEN {
                    errors.push(Diagnostic::error(
                        Code::TooLong,
                        format!("this string is longer than the limit of {MAX_STRING_LEN} bytes"),
                        Span::new(start, start + 1),
                        "string starts here",
                    ));
                }
                last_word = "";
                i = j + 1;
            }
            b'(' | b'[' | b'{' => {
                depth.push(i);
                if depth.len() > MAX_BRACKET_DEPTH {
                    errors.push(too_deep(i));
                    return errors;
                }
                last_word = "";
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth.pop();
                last_word = "";
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                if i - start > MAX_IDENT_LEN {
                    errors.push(
                        Diagnostic::error(
                            Code::TooLong,
                            format!(
                                "this name is longer than the limit of {MAX_IDENT_LEN} characters"
                            ),
                            Span::new(start, i),
                            format!("{} characters", i - start),
                        )
                        .with_help("use a shorter name"),
                    );
                }
                last_word = &src[start..i];
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                last_word = "";
                i += 1;
            }
        }
    }
    errors
}

fn too_deep(at: usize) -> Diagnostic {
    Diagnostic::error(
        Code::TooDeep,
        format!("brackets are nested more than {MAX_BRACKET_DEPTH} deep"),
        Span::new(at, at + 1),
        "this one is too deep",
    )
    .with_help("split the expression with `let` constants or simplify it")
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |p| from + p)
}

fn trim_end(src: &str, start: usize, end: usize) -> usize {
    start + src[start..end].trim_end().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_unterminated_strings() {
        let errs = scan("policy \"x\nschema {}");
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].code, Code::UnterminatedString);
        assert_eq!(errs[0].span(), Span::new(7, 9));
    }

    #[test]
    fn hashes_inside_strings_are_not_comments() {
        assert!(scan("policy \"a#b\" schema {}").is_empty());
    }

    #[test]
    fn deep_brackets_stop_the_scan() {
        let src = format!("let x = {}1", "(".repeat(10_000));
        let errs = scan(&src);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].code, Code::TooDeep);
    }
}
