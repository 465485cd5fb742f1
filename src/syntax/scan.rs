//! A quick lexical pass before pest: finds unterminated strings (pest would only
//! say what it expected at the end of the file), and enforces the size and
//! nesting limits so the recursive parser never runs on hostile input.

use super::lexical::{pieces, Piece, Quoted};
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
    let mut scanner = Scanner {
        src,
        depth: Vec::new(),
        last_word: "",
        errors,
    };
    let mut at = 0;
    for piece in pieces(src) {
        let end = match piece {
            Piece::Comment(span) => {
                if scanner.code(at, span.start).is_err() {
                    return scanner.errors;
                }
                span.end
            }
            Piece::Quoted(quoted) => {
                if scanner.code(at, quoted.span.start).is_err() || scanner.string(&quoted).is_err()
                {
                    return scanner.errors;
                }
                quoted.span.end
            }
        };
        at = end;
    }
    let _ = scanner.code(at, src.len());
    scanner.errors
}

/// Brackets nested too deep: scanning stops.
struct TooDeep;

struct Scanner<'s> {
    src: &'s str,
    /// The offsets of the open brackets.
    depth: Vec<usize>,
    /// The word just before, for `because` before a template.
    last_word: &'s str,
    errors: Vec<Diagnostic>,
}

impl<'s> Scanner<'s> {
    /// The code in `src[from..to]`, which holds no comment and no string.
    fn code(&mut self, from: usize, to: usize) -> Result<(), TooDeep> {
        let bytes = self.src.as_bytes();
        let mut i = from;
        while i < to {
            match bytes[i] {
                b'(' | b'[' | b'{' => {
                    self.depth.push(i);
                    if self.depth.len() > MAX_BRACKET_DEPTH {
                        self.errors.push(too_deep(i));
                        return Err(TooDeep);
                    }
                    self.last_word = "";
                    i += 1;
                }
                b')' | b']' | b'}' => {
                    self.depth.pop();
                    self.last_word = "";
                    i += 1;
                }
                c if c.is_ascii_alphabetic() || c == b'_' => {
                    let start = i;
                    while i < to && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                        i += 1;
                    }
                    if i - start > MAX_IDENT_LEN {
                        self.errors.push(
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
                    self.last_word = &self.src[start..i];
                }
                c if c.is_ascii_whitespace() => i += 1,
                _ => {
                    self.last_word = "";
                    i += 1;
                }
            }
        }
        Ok(())
    }

    /// A string: closed on its line, not too long, and, after `because`, with its
    /// interpolations nested no deeper than the limit.
    fn string(&mut self, quoted: &Quoted) -> Result<(), TooDeep> {
        let start = quoted.span.start;
        let is_template = self.last_word == "because";
        let mut interp_depth = 0usize;
        for (j, b) in quoted.unescaped(self.src) {
            match b {
                b'(' | b'[' | b'{' if is_template => {
                    interp_depth += 1;
                    if self.depth.len() + interp_depth > MAX_BRACKET_DEPTH {
                        self.errors.push(too_deep(j));
                        return Err(TooDeep);
                    }
                }
                b')' | b']' | b'}' if is_template => interp_depth = interp_depth.saturating_sub(1),
                _ => {}
            }
        }
        if !quoted.closed {
            let end = trim_end(self.src, start, quoted.span.end);
            self.errors.push(
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
            return Ok(());
        }
        if quoted.contents_end - start - 1 > MAX_STRING_LEN {
            self.errors.push(Diagnostic::error(
                Code::TooLong,
                format!("this string is longer than the limit of {MAX_STRING_LEN} bytes"),
                Span::new(start, start + 1),
                "string starts here",
            ));
        }
        self.last_word = "";
        Ok(())
    }
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
