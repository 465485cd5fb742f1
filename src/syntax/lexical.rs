//! Where the comments and strings of a text are: the one scanner that knows a `#`
//! inside a string starts no comment, and a `"` inside a comment starts no string.
//! The lexical pre-pass, the formatter and the syntax-error wording all use it.

use crate::span::Span;

/// A stretch of text in which the other kind does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece {
    /// A `#` comment: to the end of its line, the line break not included.
    Comment(Span),
    /// A string, from its opening quote.
    Quoted(Quoted),
}

/// A string as the scanner found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Quoted {
    /// Through the closing quote; for a string without one, to the end of the line
    /// it starts on (the line break not included).
    pub span: Span,
    /// Where the contents stop: at the closing quote, or where a string without one
    /// is given up (a line break that is not escaped, or the end of the text).
    pub contents_end: usize,
    /// Whether the closing quote was found.
    pub closed: bool,
}

impl Quoted {
    /// The bytes of the contents with their offsets, leaving out each escape: a `\`
    /// and the byte after it.
    pub(crate) fn unescaped<'t>(&self, text: &'t str) -> impl Iterator<Item = (usize, u8)> + 't {
        let bytes = text.as_bytes();
        let end = self.contents_end.min(bytes.len());
        let mut at = self.span.start + 1;
        std::iter::from_fn(move || {
            while at < end {
                let b = bytes[at];
                if b == b'\\' {
                    at += 2;
                    continue;
                }
                at += 1;
                return Some((at - 1, b));
            }
            None
        })
    }
}

/// The comments and strings of `text`, in order.
pub(crate) fn pieces(text: &str) -> impl Iterator<Item = Piece> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() {
            let start = at;
            match bytes[start] {
                b'#' => {
                    at = line_end(bytes, start);
                    return Some(Piece::Comment(Span::new(start, at)));
                }
                b'"' => {
                    let quoted = quoted(bytes, start);
                    at = quoted.span.end;
                    return Some(Piece::Quoted(quoted));
                }
                _ => at += 1,
            }
        }
        None
    })
}

/// Every `#` comment of `text` outside strings, in order: from the `#` to the end of
/// its line, the line break not included.
pub fn comments(text: &str) -> impl Iterator<Item = Span> + '_ {
    pieces(text).filter_map(|p| match p {
        Piece::Comment(span) => Some(span),
        Piece::Quoted(_) => None,
    })
}

/// The string whose opening quote is at `start`.
fn quoted(bytes: &[u8], start: usize) -> Quoted {
    let mut at = start + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 1,
            b'"' => {
                return Quoted {
                    span: Span::new(start, at + 1),
                    contents_end: at,
                    closed: true,
                }
            }
            b'\n' => break,
            _ => {}
        }
        at += 1;
    }
    Quoted {
        span: Span::new(start, line_end(bytes, start)),
        contents_end: at.min(bytes.len()),
        closed: false,
    }
}

/// The offset of the first line break at or after `from`, or the end of the text.
pub(super) fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<&str> {
        comments(src).map(|s| &src[s.start..s.end]).collect()
    }

    #[test]
    fn comments_outside_strings() {
        assert_eq!(texts("a # one\nb # two"), ["# one", "# two"]);
        assert_eq!(texts("x = \"a#b\" # c"), ["# c"]);
        assert_eq!(texts("x = \"a\\\"#b\" # c"), ["# c"]);
        assert_eq!(
            texts("# \"not a string\nx # y"),
            ["# \"not a string", "# y"]
        );
    }

    #[test]
    fn a_string_without_closing_quote_ends_with_its_line() {
        let src = "x = \"abc # no comment\ny # comment";
        assert_eq!(texts(src), ["# comment"]);
        let Some(Piece::Quoted(q)) = pieces(src).next() else {
            panic!("a string");
        };
        assert!(!q.closed);
        assert_eq!(&src[q.span.start..q.span.end], "\"abc # no comment");
    }

    #[test]
    fn unescaped_contents_leave_out_escapes() {
        let src = r#""a\{b\\c""#;
        let Some(Piece::Quoted(q)) = pieces(src).next() else {
            panic!("a string");
        };
        let bytes: Vec<u8> = q.unescaped(src).map(|(_, b)| b).collect();
        assert_eq!(bytes, b"abc");
    }
}
