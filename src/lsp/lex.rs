//! A forgiving tokenizer for text being edited: words, numbers, strings, operators.
//! It never fails (hover and completion use it where the parser gives up); comments
//! are skipped, and a string runs to its closing quote or the end of its line.

use crate::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A name or a reserved word.
    Word,
    /// A number, percent or date.
    Number,
    /// A string, quotes included (the closing one may be missing).
    Str,
    /// An operator or punctuation: `==`, `??`, `{`, `,` ...
    Punct,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub span: Span,
}

impl Token {
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        self.span.text(source)
    }
}

/// Where an offset is, lexically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Code,
    /// Inside the string token `Token` (after its opening quote).
    Str(Token),
    Comment,
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The tokens of `text`.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    scan(text, |t| out.push(t), |_| {});
    out
}

/// What kind of text `offset` is in.
pub fn place(text: &str, offset: usize) -> Place {
    let found = std::cell::Cell::new(Place::Code);
    scan(
        text,
        |t| {
            let closed = t.span.len() >= 2 && text.as_bytes()[t.span.end - 1] == b'"';
            let inside =
                t.span.start < offset && (offset < t.span.end || (!closed && offset == t.span.end));
            if t.kind == Kind::Str && inside {
                found.set(Place::Str(t));
            }
        },
        |comment| {
            if comment.start < offset && offset <= comment.end {
                found.set(Place::Comment);
            }
        },
    );
    found.get()
}

/// The word that `offset` is in or just after, with its span.
pub fn word_at(text: &str, offset: usize) -> Option<(Span, &str)> {
    let bytes = text.as_bytes();
    let offset = offset.min(text.len());
    let mut start = offset;
    while start > 0 && is_word(bytes[start - 1]) {
        start -= 1;
    }
    let mut end = offset;
    while end < bytes.len() && is_word(bytes[end]) {
        end += 1;
    }
    let span = Span::new(start, end);
    let word = span.text(text);
    let starts_like_a_name = word
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
    starts_like_a_name.then_some((span, word))
}

fn scan(text: &str, mut token: impl FnMut(Token), mut comment: impl FnMut(Span)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut emit = |kind, start, end: usize| {
        token(Token {
            kind,
            span: Span::new(start, end),
        })
    };
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        match b {
            b'#' => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |p| i + p);
                comment(Span::new(start, i));
                continue;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n') {
                    i += if bytes[i] == b'\\' && bytes.get(i + 1) != Some(&b'\n') {
                        2
                    } else {
                        1
                    };
                }
                i = i.min(bytes.len());
                if bytes.get(i) == Some(&b'"') {
                    i += 1;
                }
                emit(Kind::Str, start, i);
                continue;
            }
            b'0'..=b'9' => {
                while i < bytes.len()
                    && (is_word(bytes[i])
                        || matches!(bytes[i], b'.' | b'%')
                        || (bytes[i] == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)))
                {
                    i += 1;
                }
                emit(Kind::Number, start, i);
                continue;
            }
            _ if is_word(b) => {
                while i < bytes.len() && is_word(bytes[i]) {
                    i += 1;
                }
                emit(Kind::Word, start, i);
                continue;
            }
            _ if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => {}
        }
        let two = bytes.get(i..i + 2);
        let len = match two {
            Some(b"==" | b"!=" | b"<=" | b">=" | b"??") => 2,
            _ => text[i..].chars().next().map_or(1, char::len_utf8),
        };
        i += len;
        emit(Kind::Punct, start, i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_of_a_clause() {
        let text = "deny when tier == tier1 and note ?? \"a # b\" # comment\n  >= 30%";
        let words: Vec<&str> = tokens(text).iter().map(|t| t.text(text)).collect();
        assert_eq!(
            words,
            [
                "deny",
                "when",
                "tier",
                "==",
                "tier1",
                "and",
                "note",
                "??",
                "\"a # b\"",
                ">=",
                "30%"
            ]
        );
    }

    #[test]
    fn places_in_strings_and_comments() {
        let text = "a \"bc\" # d\n\"open";
        assert_eq!(place(text, 1), Place::Code);
        assert!(matches!(place(text, 4), Place::Str(_)));
        assert_eq!(place(text, 6), Place::Code);
        assert_eq!(place(text, 9), Place::Comment);
        assert!(matches!(place(text, text.len()), Place::Str(_)));
    }

    #[test]
    fn the_word_at_a_cursor() {
        let text = "deny when x";
        assert_eq!(word_at(text, 7).map(|w| w.1), Some("when"));
        assert_eq!(word_at(text, 4).map(|w| w.1), Some("deny"));
        assert_eq!(word_at("a 30", 4), None);
    }
}
