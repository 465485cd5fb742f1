//! The line where a CSV record starts. The `csv` crate dates a record from where the
//! previous one stopped: after a CRLF's `\r`, and before any blank lines. So a record
//! of a CRLF file would be reported one line too low, and a record after blank lines
//! on the blank line. [`LineTracker`] reads the bytes through to the parser and notes
//! where each run of line breaks ends, and on which line: a record that starts inside a
//! run starts where the run ends.

use std::collections::VecDeque;
use std::io::{self, Read};

/// A reader that notes the runs of `\r` and `\n` bytes it passes on.
pub(super) struct LineTracker<R> {
    inner: R,
    /// Bytes passed on so far.
    offset: u64,
    /// The line of the next byte, 1-based.
    line: u64,
    /// Where the run of line breaks being read started, if one is open.
    open: Option<u64>,
    /// Runs not yet behind the parser: (start, end, line at the end), in input order.
    runs: VecDeque<(u64, u64, u64)>,
}

impl<R> LineTracker<R> {
    pub(super) fn new(inner: R) -> Self {
        LineTracker {
            inner,
            offset: 0,
            line: 1,
            open: None,
            runs: VecDeque::new(),
        }
    }

    /// The line of the first byte of a record that the parser started at byte `start`
    /// and dated `line`; calls come in input order.
    pub(super) fn record_line(&mut self, start: u64, line: u64) -> u64 {
        while self.runs.front().is_some_and(|r| r.1 <= start) {
            self.runs.pop_front();
        }
        match self.runs.front() {
            Some(&(run_start, _, run_line)) if run_start <= start => run_line,
            _ => line,
        }
    }

    fn note(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while i < bytes.len() {
            if let Some(start) = self.open {
                while i < bytes.len() && matches!(bytes[i], b'\r' | b'\n') {
                    self.line += u64::from(bytes[i] == b'\n');
                    i += 1;
                }
                if i == bytes.len() {
                    break; // the run may go on in the next read
                }
                let end = self.offset + i as u64;
                // A lone `\n` or `\r` ends the record before it, which the parser dates
                // right: only longer runs need noting.
                if end - start > 1 {
                    self.runs.push_back((start, end, self.line));
                }
                self.open = None;
            }
            match memchr::memchr2(b'\r', b'\n', &bytes[i..]) {
                Some(k) => {
                    i += k;
                    self.open = Some(self.offset + i as u64);
                }
                None => break,
            }
        }
        self.offset += bytes.len() as u64;
    }
}

impl<R: Read> Read for LineTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.note(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line of every record start, for input read in chunks of `chunk` bytes.
    fn lines(text: &str, chunk: usize, starts: &[(u64, u64)]) -> Vec<u64> {
        let mut t = LineTracker::new(text.as_bytes());
        let mut buf = vec![0; chunk];
        while t.read(&mut buf).unwrap() > 0 {}
        starts.iter().map(|&(s, l)| t.record_line(s, l)).collect()
    }

    #[test]
    fn a_record_starting_in_a_run_of_line_breaks_starts_after_it() {
        // "a\r\n\r\nb\r\nc": the parser starts b at byte 2 (line 1), c at byte 7 (line 3).
        let text = "a\r\n\r\nb\r\nc";
        for chunk in [1, 2, 3, 64] {
            assert_eq!(
                lines(text, chunk, &[(0, 1), (2, 1), (7, 3)]),
                [1, 3, 4],
                "{chunk}"
            );
        }
        // A record that starts on content keeps the parser's line.
        assert_eq!(lines("a\nb\n", 64, &[(0, 1), (2, 2)]), [1, 2]);
    }
}
