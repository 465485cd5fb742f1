//! Runs with `limit` rules, in bounded memory: two passes over the input.
//!
//! The first pass decodes and evaluates every record and keeps only its allocation
//! candidates (a few dozen bytes per claim, none for records that take no part; see
//! [`crate::eval::Allocator`]). The allocation then runs once. The second pass reads the
//! input again, decodes and evaluates every record again, applies its allotment (facts,
//! refusal) and hands the results on, in input order, like a run without limits.
//!
//! The input is read again from its [`Source`] when it can be opened again (a file);
//! otherwise (standard input, any reader) the first pass copies the bytes it reads to an
//! anonymous temporary file, which the second pass reads.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, Write};
use std::ops::ControlFlow;

use super::pipeline::{pipeline, Batch};
use super::{Parallel, RecordResult, Stage, Summary, CHUNK};
use crate::data::{read_raw, DataFormat, InputError, Raw, RawRecord};
use crate::eval::{Allocation, Allocator, Candidate, Policy};
use crate::explain::explain_row;
use crate::outcome::Outcome;

/// Data that can be read from its start more than once, such as a file: a run with
/// `limit` rules reads it twice rather than keeping every result until the allocation.
pub trait Source: Sync {
    /// Opens the data at its start.
    fn open(&self) -> io::Result<Box<dyn BufRead + Send>>;

    /// Whether [`Source::open`] gives the same data each time. When it does not (standard
    /// input), a run opens it once and copies what it reads to a temporary file.
    fn reopens(&self) -> bool {
        true
    }
}

/// A reader that copies every byte consumed from it to a file.
pub(super) struct Tee<R> {
    inner: R,
    copy: BufWriter<File>,
    error: Option<io::Error>,
}

impl<R: BufRead> Tee<R> {
    /// Copies `inner` to an anonymous temporary file.
    pub(super) fn new(inner: R) -> Result<Self, InputError> {
        let file = tempfile::tempfile().map_err(|e| spool_error(&e))?;
        Ok(Tee {
            inner,
            copy: BufWriter::with_capacity(1 << 16, file),
            error: None,
        })
    }

    /// The copy, to be read from its start.
    pub(super) fn finish(self) -> Result<Box<dyn BufRead + Send>, InputError> {
        if let Some(e) = self.error {
            return Err(spool_error(&e));
        }
        let mut file = self.copy.into_inner().map_err(|e| spool_error(e.error()))?;
        file.rewind().map_err(|e| spool_error(&e))?;
        Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
    }
}

fn spool_error(e: &io::Error) -> InputError {
    InputError::new(
        format!("cannot keep a temporary copy of the data for its second reading: {e}"),
        None,
    )
}

impl<R: BufRead> Read for Tee<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let buf = self.fill_buf()?;
            let n = buf.len().min(out.len());
            out[..n].copy_from_slice(&buf[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tee<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        if self.error.is_none() {
            // The bytes `fill_buf` gave are still there: nothing was consumed since.
            let written = match self.inner.fill_buf() {
                Ok(buf) => self.copy.write_all(&buf[..n.min(buf.len())]),
                Err(e) => Err(e),
            };
            self.error = written.err();
        }
        self.inner.consume(n);
    }
}

/// The first pass over one record: its candidates (and its label, for ledgers).
fn first_record(
    policy: &Policy,
    raw: &Raw,
    position: usize,
    index: usize,
    ledgers: bool,
    candidates: &mut Vec<Candidate>,
    labels: &mut Vec<(usize, String)>,
) {
    if let Ok(row) = raw.decode(&policy.schema) {
        let mut outcome = policy.evaluate_row(&row);
        if policy.push_candidates(index, &row, &mut outcome, candidates) > 0 && ledgers {
            labels.push((index, policy.label(&row, position)));
        }
    }
}

/// What the second pass makes of one record: its result, and its label when a limit
/// refused it (for the report's `refused_ids`).
struct Again {
    result: RecordResult,
    refused: Option<(usize, String)>,
}

/// The second pass over one record: evaluated again, with its allotment applied.
fn second_record(
    policy: &Policy,
    record: &RawRecord,
    index: usize,
    allocation: &Allocation,
    explain: Option<&str>,
) -> Result<Again, InputError> {
    let (position, line) = (record.position, record.line);
    let row = match record.raw.decode(&policy.schema) {
        Ok(row) => row,
        Err(e) => {
            let label = record.raw.id(&policy.schema);
            let result = RecordResult {
                record: label.unwrap_or_else(|| format!("#{position}")),
                position,
                line,
                outcome: Outcome::data_errors(e),
                explain: None,
            };
            return match allocation.allotment(index) {
                Some(_) => Err(changed(line)),
                None => Ok(Again {
                    result,
                    refused: None,
                }),
            };
        }
    };
    let label = policy.label(&row, position);
    let mut outcome = policy.evaluate_row(&row);
    let claims = policy.candidates(index, &row, &mut outcome).len();
    let mut explained = explain.map(|src| explain_row(policy, src, &row, &outcome));
    let allotment = allocation.allotment(index);
    if claims != allotment.as_ref().map_or(0, |a| a.turns.len()) {
        return Err(changed(line));
    }
    let mut refused = None;
    if let Some(a) = allotment {
        if let Some(fired) = policy.allot(&a, &row, &mut outcome) {
            if let Some(traces) = &mut explained {
                crate::explain::refused(traces, &fired);
            }
            refused = Some((index, label.clone()));
        }
    }
    Ok(Again {
        result: RecordResult {
            record: label,
            position,
            line,
            outcome,
            explain: explained,
        },
        refused,
    })
}

/// The data read the second time is not what was read the first time.
fn changed(line: Option<usize>) -> InputError {
    InputError::new(
        "the data changed between its two readings (a run with `limit` rules reads it twice); \
         run again on data that does not change while it is read",
        line,
    )
}

/// The allocation's reports, with the labels of the refused records.
fn finish_summary(
    summary: &mut Summary,
    policy: &Policy,
    allocation: &Allocation,
    refused: &HashMap<usize, String>,
) {
    let label = |i: usize| refused.get(&i).cloned().unwrap_or_default();
    summary.allocations = allocation.reports(policy, Some(&label));
}

/// Allocates what the first pass collected.
fn allocate(allocator: Allocator, labels: Option<HashMap<usize, String>>) -> Allocation {
    match labels {
        Some(labels) => {
            let label = |i: usize| labels.get(&i).cloned().unwrap_or_default();
            allocator.finish_with_ledgers(&label)
        }
        None => allocator.finish(),
    }
}

/// [`super::evaluate_with`] with `limit` rules, on the calling thread: `input` is
/// copied to a temporary file while it is read the first time.
pub(super) fn evaluate_twice<R: BufRead>(
    policy: &Policy,
    format: DataFormat,
    input: R,
    explain: Option<&str>,
    each: &mut dyn FnMut(RecordResult),
) -> Result<Summary, InputError> {
    let ledgers = explain.is_some();
    let mut allocator = Allocator::new(policy);
    let (mut candidates, mut labels) = (Vec::new(), Vec::new());
    let mut tee = Tee::new(input)?;
    let mut index = 0;
    read_raw(&policy.schema, format, &mut tee, &mut |r| {
        first_record(
            policy,
            &r.raw,
            r.position,
            index,
            ledgers,
            &mut candidates,
            &mut labels,
        );
        candidates.drain(..).for_each(|c| allocator.push(c));
        index += 1;
        ControlFlow::Continue(())
    })?;
    let records = index;
    let allocation = allocate(allocator, ledgers.then(|| labels.into_iter().collect()));
    let mut summary = Summary::default();
    let mut refused = HashMap::new();
    let mut failed = None;
    index = 0;
    read_raw(&policy.schema, format, tee.finish()?, &mut |r| {
        match second_record(policy, &r, index, &allocation, explain) {
            Ok(again) => {
                refused.extend(again.refused);
                summary.add(&again.result);
                each(again.result);
            }
            Err(e) => {
                failed = Some(e);
                return ControlFlow::Break(());
            }
        }
        index += 1;
        ControlFlow::Continue(())
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    if index != records {
        return Err(changed(None));
    }
    finish_summary(&mut summary, policy, &allocation, &refused);
    Ok(summary)
}

/// Where the first pass of [`evaluate_parallel_twice`] reads.
pub(super) enum First<'s, R> {
    /// A source it opens twice (or once, copying, when it does not reopen).
    Source(&'s dyn Source),
    /// A reader, read once and copied to a temporary file for the second pass.
    Reader(R),
}

fn open(source: &dyn Source) -> Result<Box<dyn BufRead + Send>, InputError> {
    source
        .open()
        .map_err(|e| InputError::new(format!("cannot read the data: {e}"), None))
}

/// What the first pass makes of a chunk: its records, candidates and labels.
type Collected = (usize, Vec<Candidate>, Vec<(usize, String)>);

/// The first pass, on the workers: the allocation, how many records were read, and
/// the input of the second pass.
fn first_pass<R: BufRead + Send>(
    policy: &Policy,
    format: DataFormat,
    input: First<R>,
    options: Parallel,
    progress: &mut dyn FnMut(Stage, usize),
) -> Result<(Allocation, usize, Box<dyn BufRead + Send>), InputError> {
    let ledgers = options.explain_source.is_some();
    let mut allocator = Allocator::new(policy);
    let mut labels = HashMap::new();
    let mut records = 0;
    let work = |batch: &Batch, first: usize| -> Collected {
        let (mut candidates, mut labels) = (Vec::new(), Vec::new());
        let mut n = 0;
        for (k, r) in batch.records().enumerate() {
            let index = first + k;
            first_record(
                policy,
                &r.raw,
                r.position,
                index,
                ledgers,
                &mut candidates,
                &mut labels,
            );
            n += 1;
        }
        (n, candidates, labels)
    };
    let mut collect = |(n, candidates, more): Collected| {
        records += n;
        candidates.into_iter().for_each(|c| allocator.push(c));
        labels.extend(more);
        progress(Stage::Reading, records);
        ControlFlow::Continue(())
    };
    let threads = options.threads;
    let again = match input {
        First::Source(source) if source.reopens() => {
            pipeline(policy, format, open(source)?, threads, &work, &mut collect)?;
            open(source)?
        }
        First::Source(source) => {
            let mut tee = Tee::new(open(source)?)?;
            pipeline(policy, format, &mut tee, threads, &work, &mut collect)?;
            tee.finish()?
        }
        First::Reader(input) => {
            let mut tee = Tee::new(input)?;
            pipeline(policy, format, &mut tee, threads, &work, &mut collect)?;
            tee.finish()?
        }
    };
    progress(Stage::Allocating, records);
    let allocation = allocate(allocator, ledgers.then_some(labels));
    Ok((allocation, records, again))
}

/// What the second pass makes of a chunk: its rendering, counts and refused labels.
type Rendered<T> = Result<(T, Summary, Vec<(usize, String)>), InputError>;

/// [`super::evaluate_parallel`] with `limit` rules: both passes on `threads` workers.
pub(super) fn evaluate_parallel_twice<R: BufRead + Send, T: Send>(
    policy: &Policy,
    format: DataFormat,
    input: First<R>,
    options: Parallel,
    progress: &mut dyn FnMut(Stage, usize),
    render: &(dyn Fn(Vec<RecordResult>) -> T + Sync),
    sink: &mut dyn FnMut(T, &Summary) -> ControlFlow<()>,
) -> Result<Summary, InputError> {
    let (allocation, records, again) = first_pass(policy, format, input, options, progress)?;
    let mut summary = Summary {
        allocations: allocation.reports(policy, None),
        ..Summary::default()
    };
    let explain = options.explain_source;
    let work = |batch: &Batch, first: usize| -> Rendered<T> {
        let mut results = Vec::with_capacity(CHUNK);
        let (mut part, mut refused) = (Summary::default(), Vec::new());
        for (k, r) in batch.records().enumerate() {
            let again = second_record(policy, &r, first + k, &allocation, explain)?;
            part.add(&again.result);
            refused.extend(again.refused);
            results.push(again.result);
        }
        Ok((render(results), part, refused))
    };
    let mut refused = HashMap::new();
    let mut failed = None;
    let stopped = pipeline(
        policy,
        format,
        again,
        options.threads,
        &work,
        &mut |done| match done {
            Ok((output, part, more)) => {
                summary.merge(&part);
                refused.extend(more);
                progress(Stage::Writing, summary.records);
                sink(output, &summary)
            }
            Err(e) => {
                failed = Some(e);
                ControlFlow::Break(())
            }
        },
    )?;
    if let Some(e) = failed {
        return Err(e);
    }
    if !stopped && summary.records != records {
        return Err(changed(None));
    }
    finish_summary(&mut summary, policy, &allocation, &refused);
    Ok(summary)
}
