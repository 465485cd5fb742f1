//! Long lines shown clipped around the labels. miette draws a label's underline with
//! format widths, which panic beyond 65,535 columns, and a line of thousands of
//! characters is unreadable anyway: such a line is shown as the parts around the
//! labels' ends, with a marker where text was left out.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::span::Span;

/// Lines longer than this (in characters) are clipped when they are shown.
pub const LONG_LINE: usize = 200;
/// Characters kept on each side of a label's start and end on a clipped line.
pub const CONTEXT: usize = 40;

/// A source text with parts of its long lines cut out.
#[derive(Debug)]
pub struct Clipped {
    /// The text with each cut replaced by the marker.
    pub text: String,
    /// Each cut, in order: the range of the original text it removed, and where its
    /// marker starts in the clipped text.
    cuts: Vec<(Range<usize>, usize)>,
    marker_len: usize,
    /// The clipped lines (1-based) and their length in characters.
    pub lines: Vec<(usize, usize)>,
}

impl Clipped {
    /// Where an offset of the original text is in the clipped text (an offset inside
    /// a cut lands at its marker).
    pub fn to_clipped(&self, offset: usize) -> usize {
        let mut shift: isize = 0;
        for (cut, marker) in &self.cuts {
            if offset < cut.start {
                break;
            }
            if offset < cut.end {
                return *marker;
            }
            shift += cut.len() as isize - self.marker_len as isize;
        }
        offset.saturating_add_signed(-shift)
    }

    /// Where an offset of the clipped text was in the original (an offset inside a
    /// marker goes to the start of its cut).
    pub fn to_original(&self, offset: usize) -> usize {
        let mut shift: isize = 0;
        for (cut, marker) in &self.cuts {
            if offset < *marker {
                break;
            }
            if offset < marker + self.marker_len {
                return cut.start;
            }
            shift += cut.len() as isize - self.marker_len as isize;
        }
        offset.saturating_add_signed(shift)
    }
}

// Lines as miette sees them: `\n`, `\r` and `\r\n` end a line. A line's range stops
// before its line break; the break belongs to the line it ends.

fn is_break(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// The line holding `offset`.
fn line_at(text: &str, offset: usize) -> Range<usize> {
    let b = text.as_bytes();
    let offset = if offset > 0 && b.get(offset) == Some(&b'\n') && b[offset - 1] == b'\r' {
        offset - 1 // the `\n` of a `\r\n`
    } else {
        offset
    };
    let start = memchr::memrchr2(b'\n', b'\r', &b[..offset]).map_or(0, |i| i + 1);
    let end = memchr::memchr2(b'\n', b'\r', &b[offset..]).map_or(b.len(), |i| offset + i);
    start..end
}

fn next_line(text: &str, line: &Range<usize>) -> Option<Range<usize>> {
    let b = text.as_bytes();
    if line.end >= b.len() {
        return None;
    }
    let crlf = b[line.end] == b'\r' && b.get(line.end + 1) == Some(&b'\n');
    Some(line_at(text, line.end + if crlf { 2 } else { 1 }))
}

fn previous_line(text: &str, line: &Range<usize>) -> Option<Range<usize>> {
    (line.start > 0).then(|| line_at(text, line.start - 1))
}

/// The 1-based number miette gives the line starting at `start`.
fn line_number(text: &str, start: usize) -> usize {
    let b = &text.as_bytes()[..start];
    let breaks = b.iter().filter(|c| is_break(**c)).count();
    breaks - memchr::memmem::find_iter(b, b"\r\n").count() + 1
}

/// `offset` moved back by up to `n` characters, not before `floor`.
fn back(text: &str, offset: usize, n: usize, floor: usize) -> usize {
    text[floor..offset]
        .char_indices()
        .rev()
        .take(n)
        .last()
        .map_or(offset, |(i, _)| floor + i)
}

/// `offset` moved on by up to `n` characters, not past `ceil`.
fn forward(text: &str, offset: usize, n: usize, ceil: usize) -> usize {
    text[offset..ceil]
        .char_indices()
        .nth(n)
        .map_or(ceil, |(i, _)| offset + i)
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The parts of `line` to keep: a window around each of `points`, merged, or the
/// start of the line when no label ends on it.
fn windows(text: &str, line: &Range<usize>, points: &[usize]) -> Vec<Range<usize>> {
    let mut kept: Vec<Range<usize>> = Vec::new();
    if points.is_empty() {
        let head = line.start..forward(text, line.start, 2 * CONTEXT, line.end);
        return Vec::from([head]);
    }
    for &p in points {
        let p = p.clamp(line.start, line.end);
        let w = back(text, p, CONTEXT, line.start)..forward(text, p, CONTEXT, line.end);
        match kept.last_mut() {
            Some(last) if w.start <= last.end => last.end = last.end.max(w.end),
            _ => kept.push(w),
        }
    }
    kept
}

/// Clips the long lines that a diagnostic with these label spans shows (the labels'
/// lines, the lines between, and their neighbours); `None` when none is long.
pub fn clip(text: &str, labels: &[Span], marker: &str) -> Option<Clipped> {
    // Label ends by line, and the lines shown, each keyed by where it starts.
    let mut points: Vec<(usize, usize)> = Vec::new();
    let mut shown: BTreeMap<usize, Range<usize>> = BTreeMap::new();
    for span in labels {
        let start = floor_boundary(text, span.start);
        let end = floor_boundary(text, span.end.max(span.start));
        let (first, last) = (line_at(text, start), line_at(text, end));
        points.push((first.start, start));
        points.push((last.start, end));
        let mut line = first.clone();
        for _ in 0..2 {
            match previous_line(text, &line) {
                Some(l) => line = l,
                None => break,
            }
        }
        // From two lines before the first to two lines after the last.
        let mut after_last = None;
        loop {
            if line.start == last.start {
                after_last = Some(0);
            }
            let next = next_line(text, &line);
            shown.insert(line.start, line);
            match (next, after_last) {
                (_, Some(2)) | (None, _) => break,
                (Some(l), n) => {
                    line = l;
                    after_last = n.map(|n| n + 1);
                }
            }
        }
    }
    points.sort_unstable();
    points.dedup();

    let mut cuts: Vec<Range<usize>> = Vec::new();
    let mut clipped_lines = Vec::new();
    for line in shown.values() {
        let length = text[line.clone()].chars().count();
        if length <= LONG_LINE {
            continue;
        }
        let here: Vec<usize> = points
            .iter()
            .filter(|(l, _)| *l == line.start)
            .map(|(_, p)| *p)
            .collect();
        let kept = windows(text, line, &here);
        let mut at = line.start;
        for w in &kept {
            if w.start > at {
                cuts.push(at..w.start);
            }
            at = w.end;
        }
        if at < line.end {
            cuts.push(at..line.end);
        }
        clipped_lines.push((line_number(text, line.start), length));
    }
    if cuts.is_empty() {
        return None;
    }
    let mut clipped = String::with_capacity(text.len());
    let mut placed = Vec::with_capacity(cuts.len());
    let mut at = 0;
    for cut in cuts {
        clipped.push_str(&text[at..cut.start]);
        placed.push((cut.clone(), clipped.len()));
        clipped.push_str(marker);
        at = cut.end;
    }
    clipped.push_str(&text[at..]);
    Some(Clipped {
        text: clipped,
        cuts: placed,
        marker_len: marker.len(),
        lines: clipped_lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_keeps_the_parts_around_the_label() {
        let text = format!("a\nlet x = {}1 + true\nb\n", " ".repeat(1000));
        let plus = text.find('+').unwrap();
        let c = clip(&text, &[Span::new(plus, plus + 1)], "…").expect("clipped");
        assert_eq!(c.lines, vec![(2, 1016)]);
        let at = c.to_clipped(plus);
        assert_eq!(&c.text[at..at + 1], "+");
        assert_eq!(c.to_original(at), plus);
        let line = c.text.lines().nth(1).unwrap();
        assert!(line.starts_with("…"), "{line:?}");
        assert!(line.ends_with("1 + true"), "{line:?}");
        assert_eq!(line.chars().count(), 1 + CONTEXT + "+ true".len());
        // Other lines are as they were.
        assert!(c.text.starts_with("a\n") && c.text.ends_with("\nb\n"));
    }

    #[test]
    fn a_long_label_keeps_its_two_ends() {
        let body = "é".repeat(500);
        let text = format!("x {body} y");
        let span = Span::new(2, 2 + body.len());
        let c = clip(&text, &[span], "...").expect("clipped");
        let (start, end) = (c.to_clipped(span.start), c.to_clipped(span.end));
        assert_eq!(c.text[start..end].chars().count(), 2 * CONTEXT + 3);
        assert!(c.text[start..end].contains("..."));
        assert_eq!(c.to_original(end), span.end);
    }

    #[test]
    fn lines_are_numbered_as_miette_numbers_them() {
        let text = format!("a\r\nb\rc\n{}!\r\nd", "y".repeat(300));
        let bang = text.find('!').unwrap();
        let c = clip(&text, &[Span::new(bang, bang + 1)], "…").expect("clipped");
        assert_eq!(c.lines, vec![(4, 301)]);
        assert!(c.text.starts_with("a\r\nb\rc\n…"), "{:?}", c.text);
        assert!(c.text.ends_with("y!\r\nd"));
    }

    #[test]
    fn only_long_lines_that_are_shown_are_clipped() {
        let text = format!("short\n{}\n", "y".repeat(1000));
        assert!(clip(&text, &[Span::new(0, 5)], "…").is_some()); // a neighbour is shown
        let text = format!("short\n\n\n\n{}\n", "y".repeat(1000));
        assert!(clip(&text, &[Span::new(0, 5)], "…").is_none());
    }
}
