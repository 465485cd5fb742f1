//! Byte offsets ↔ LSP positions (line and column in the negotiated encoding).
//!
//! LSP columns count UTF-16 code units unless client and server agree on another
//! `positionEncoding`; this server offers UTF-8 (bytes) when the client does, so the
//! two encodings it speaks are these.

use lsp_types::{Position, Range};

use crate::span::Span;

/// How a column is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units: the protocol's default.
    Utf16,
}

impl Encoding {
    /// The length of `c` in this encoding.
    fn len(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

/// The start of every line of a text, for quick conversions.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of the start of each line; the first is 0.
    starts: Vec<usize>,
    len: usize,
    encoding: Encoding,
}

impl LineIndex {
    pub fn new(text: &str, encoding: Encoding) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            starts,
            len: text.len(),
            encoding,
        }
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The position of byte `offset` (clamped to the text, and back to a character
    /// boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(self.len).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column: usize = text[start..offset]
            .chars()
            .map(|c| self.encoding.len(c))
            .sum();
        Position::new(to_u32(line), to_u32(column))
    }

    pub fn range(&self, text: &str, span: Span) -> Range {
        Range::new(
            self.position(text, span.start),
            self.position(text, span.end.max(span.start)),
        )
    }

    /// The byte offset of `position`. A line past the end is the end of the text; a
    /// column past the end of its line is the end of the line; a column inside a
    /// character (half of a surrogate pair) is the start of that character.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let line = position.line as usize;
        let Some(&start) = self.starts.get(line) else {
            return text.len();
        };
        let end = self
            .starts
            .get(line + 1)
            .map_or(text.len(), |next| next - 1)
            .min(text.len());
        let target = position.character as usize;
        let mut column = 0;
        for (i, c) in text[start..end].char_indices() {
            let next = column + self.encoding.len(c);
            if next > target {
                return start + i;
            }
            column = next;
        }
        end
    }

    pub fn span(&self, text: &str, range: Range) -> Span {
        let start = self.offset(text, range.start);
        let end = self.offset(text, range.end);
        Span::new(start.min(end), start.max(end))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_count_code_units() {
        // `é` is 2 bytes and 1 unit; `😀` is 4 bytes and 2 units.
        let text = "ab\n\u{e9}\u{1F600}x\n";
        let index = LineIndex::new(text, Encoding::Utf16);
        let x = text.find('x').unwrap();
        assert_eq!(index.position(text, x), Position::new(1, 3));
        assert_eq!(index.offset(text, Position::new(1, 3)), x);
        // Inside the surrogate pair: the start of the emoji.
        assert_eq!(index.offset(text, Position::new(1, 2)), 5);
        // Past the end of the line, and past the last line.
        assert_eq!(index.offset(text, Position::new(1, 99)), x + 1);
        assert_eq!(index.offset(text, Position::new(9, 0)), text.len());
        assert_eq!(index.position(text, text.len()), Position::new(2, 0));
    }

    #[test]
    fn utf8_columns_count_bytes() {
        let text = "\u{e9}\u{1F600}x";
        let index = LineIndex::new(text, Encoding::Utf8);
        assert_eq!(index.position(text, 6), Position::new(0, 6));
        assert_eq!(index.offset(text, Position::new(0, 6)), 6);
        // An offset inside a character goes back to its start.
        assert_eq!(index.position(text, 3), Position::new(0, 2));
    }
}
