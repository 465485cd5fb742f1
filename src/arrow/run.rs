//! Record batches → results, on worker threads: the pipeline of `run::evaluate_parallel`
//! with batches for chunks. A reader thread pulls the batches (Parquet decoding happens
//! there), checks their schema and cuts them into slices of [`CHUNK`] rows; workers decode,
//! evaluate and render a slice; the calling thread puts the slices back in order.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, SchemaRef};

use super::decode::decode;
use super::results::ResultsBuilder;
use super::schema::{check_schema, ArrowLayout};
use super::ArrowInputError;
use crate::eval::{Allocator, Candidate, Policy};
use crate::explain::explain_row;
use crate::outcome::Outcome;
use crate::run::{Parallel, RecordResult, Summary};
use crate::value::Value;

/// Rows per slice handed to a worker (a batch is cut without copying).
const CHUNK: usize = 1024;

/// Evaluates every record of `batches` on `threads` workers into tables of
/// [`super::results_schema`] (one per slice of at most 1,024 rows, in input order), with
/// the summary. Positions count the records from 1 across batches.
///
/// Each batch's schema is checked with [`check_schema`] before its records are
/// evaluated (once for batches of the same schema). Without `limit` rules, results are
/// built as batches come; with them, every result (not the input) is kept until the
/// allocation, which needs the whole batch.
pub fn evaluate_batches<I>(
    policy: &Policy,
    batches: I,
    threads: usize,
) -> Result<(Vec<RecordBatch>, Summary), ArrowInputError>
where
    I: Iterator<Item = Result<RecordBatch, ArrowError>> + Send,
{
    let options = Parallel {
        threads,
        explain_source: None,
    };
    let render = |results: Vec<RecordResult>| {
        let mut builder = ResultsBuilder::new();
        results.iter().for_each(|r| builder.push(r));
        builder.finish()
    };
    let mut tables = Vec::new();
    let summary = evaluate_batches_parallel(policy, batches, options, &render, &mut |t, _| {
        tables.push(t);
        ControlFlow::Continue(())
    })?;
    Ok((tables, summary))
}

/// A slice of a batch for a worker: its sequence number, the index of its first record
/// in the input (from 0), the rows and the layout of their schema.
type Slice = (usize, usize, RecordBatch, Arc<ArrowLayout>);

/// Like [`crate::run::evaluate_parallel`], over record batches: workers decode,
/// evaluate and `render` slices of results; `sink` receives them in input order, so the
/// output is the same for any number of threads. When `sink` returns
/// [`ControlFlow::Break`], no more batches are read and the summary counts what `sink`
/// was given. With `options.explain_source`, results explain themselves.
pub fn evaluate_batches_parallel<I, T: Send>(
    policy: &Policy,
    batches: I,
    options: Parallel,
    render: &(dyn Fn(Vec<RecordResult>) -> T + Sync),
    sink: &mut dyn FnMut(T, &Summary) -> ControlFlow<()>,
) -> Result<Summary, ArrowInputError>
where
    I: Iterator<Item = Result<RecordBatch, ArrowError>> + Send,
{
    enum Done<T> {
        Rendered(T, Summary),
        Evaluated(Vec<(RecordResult, Option<Taking>)>),
    }
    let threads = options.threads.max(1);
    let limits = policy.has_limits();
    let mut summary = Summary::default();
    let mut allocator = limits.then(|| Allocator::new(policy));
    let mut pending: Vec<RecordResult> = Vec::new();
    // The rows of the records that take part in a limit, by record number: applying an
    // allotment renders its facts from the row.
    let mut taking: std::collections::HashMap<usize, Vec<Value>> = Default::default();
    let stop = AtomicBool::new(false);
    let (slice_tx, slice_rx) = sync_channel::<Slice>(threads * 2);
    let (done_tx, done_rx) = sync_channel::<(usize, Done<T>)>(threads * 2);
    let slice_rx = Mutex::new(slice_rx);
    let read = std::thread::scope(|scope| {
        let stop = &stop;
        let reader = scope.spawn(move || read_slices(policy, batches, stop, slice_tx));
        for _ in 0..threads {
            let (slice_rx, done_tx) = (&slice_rx, done_tx.clone());
            scope.spawn(move || loop {
                let next = slice_rx.lock().map(|rx| rx.recv());
                let Ok(Ok((seq, first, batch, layout))) = next else {
                    break;
                };
                if stop.load(Relaxed) {
                    continue;
                }
                let evaluated = evaluate_slice(policy, &layout, &batch, first, options);
                let done = if limits {
                    Done::Evaluated(evaluated)
                } else {
                    let results: Vec<RecordResult> = evaluated.into_iter().map(|e| e.0).collect();
                    let mut part = Summary::default();
                    results.iter().for_each(|r| part.add(r));
                    Done::Rendered(render(results), part)
                };
                if done_tx.send((seq, done)).is_err() {
                    break;
                }
            });
        }
        drop(done_tx);
        let mut waiting = std::collections::BTreeMap::new();
        let mut next = 0usize;
        for (seq, done) in done_rx {
            if stop.load(Relaxed) {
                continue;
            }
            waiting.insert(seq, done);
            while let Some(done) = waiting.remove(&next) {
                next += 1;
                match done {
                    Done::Rendered(output, part) => {
                        summary.merge(&part);
                        if sink(output, &summary).is_break() {
                            stop.store(true, Relaxed);
                            waiting.clear();
                            break;
                        }
                    }
                    Done::Evaluated(evaluated) => {
                        for (result, took) in evaluated {
                            if let (Some(took), Some(a)) = (took, allocator.as_mut()) {
                                took.candidates.into_iter().for_each(|c| a.push(c));
                                taking.insert(pending.len(), took.row);
                            }
                            pending.push(result);
                        }
                    }
                }
            }
        }
        reader.join().unwrap_or_else(|_| {
            Err(ArrowInputError::Read(
                "the data reader stopped unexpectedly".into(),
            ))
        })
    });
    if stop.into_inner() {
        return Ok(summary);
    }
    read?;
    if let Some(alloc) = allocator {
        let allocation = if options.explain_source.is_some() {
            alloc.finish_with_ledgers(&|i| pending[i].record.clone())
        } else {
            alloc.finish()
        };
        for a in allocation.allotments() {
            let (Some(row), Some(r)) = (taking.get(&a.record), pending.get_mut(a.record)) else {
                continue;
            };
            if let Some(fired) = policy.allot(&a, row, &mut r.outcome) {
                if let Some(traces) = &mut r.explain {
                    crate::explain::refused(traces, &fired);
                }
            }
        }
        pending.iter().for_each(|r| summary.add(r));
        let label = |i: usize| pending[i].record.clone();
        summary.allocations = allocation.reports(policy, Some(&label));
        let mut rest = pending.into_iter().peekable();
        while rest.peek().is_some() {
            let part: Vec<RecordResult> = rest.by_ref().take(CHUNK).collect();
            if sink(render(part), &summary).is_break() {
                break;
            }
        }
    }
    Ok(summary)
}

/// The reader: pulls batches, checks each new schema, sends slices of [`CHUNK`] rows.
fn read_slices<I>(
    policy: &Policy,
    batches: I,
    stop: &AtomicBool,
    tx: std::sync::mpsc::SyncSender<Slice>,
) -> Result<(), ArrowInputError>
where
    I: Iterator<Item = Result<RecordBatch, ArrowError>>,
{
    let mut layout: Option<(SchemaRef, Arc<ArrowLayout>)> = None;
    let (mut seq, mut first) = (0usize, 0usize);
    for batch in batches {
        if stop.load(Relaxed) {
            return Ok(());
        }
        let batch = batch?;
        let schema = batch.schema();
        let current = match &layout {
            Some((s, l)) if Arc::ptr_eq(s, &schema) || **s == *schema => l.clone(),
            _ => {
                let l = Arc::new(check_schema(policy, &schema)?);
                layout = Some((schema, l.clone()));
                l
            }
        };
        let mut offset = 0;
        while offset < batch.num_rows() {
            let len = CHUNK.min(batch.num_rows() - offset);
            let slice = batch.slice(offset, len);
            if tx.send((seq, first, slice, current.clone())).is_err() {
                return Ok(()); // the workers are gone
            }
            (seq, first, offset) = (seq + 1, first + len, offset + len);
        }
    }
    Ok(())
}

/// What a record that takes part in a limit keeps until the allocation: its row and its
/// candidates.
struct Taking {
    row: Vec<Value>,
    candidates: Vec<Candidate>,
}

/// Decodes and evaluates a slice whose first record is number `first` of the input
/// (from 0): each result with its candidates (and row) when it takes part in a limit.
fn evaluate_slice(
    policy: &Policy,
    layout: &ArrowLayout,
    batch: &RecordBatch,
    first: usize,
    options: Parallel,
) -> Vec<(RecordResult, Option<Taking>)> {
    let limits = policy.has_limits();
    let mut decoded = decode(&policy.schema, layout, batch);
    (0..batch.num_rows())
        .map(|i| {
            let position = first + i + 1;
            let label = policy.label(&decoded.rows[i], position);
            match decoded.take(&policy.schema, i) {
                Ok(row) => {
                    let mut outcome = policy.evaluate_row(&row);
                    let candidates = if limits {
                        policy.candidates(first + i, &row, &mut outcome)
                    } else {
                        Vec::new()
                    };
                    let explain = options
                        .explain_source
                        .map(|src| explain_row(policy, src, &row, &outcome));
                    let result = RecordResult {
                        record: label,
                        position,
                        line: None,
                        outcome,
                        explain,
                    };
                    let took = (!candidates.is_empty()).then_some(Taking { row, candidates });
                    (result, took)
                }
                Err(errors) => {
                    let result = RecordResult {
                        record: label,
                        position,
                        line: None,
                        outcome: Outcome::data_errors(errors),
                        explain: None,
                    };
                    (result, None)
                }
            }
        })
        .collect()
}
