//! `evaluate_rendered`: a batch straight to output bytes (NDJSON or CSV rows). Without
//! `limit` rules and explanations, records take the hot path of `fast.rs`, and every
//! buffer is reused: on one thread the records are read, evaluated and written in
//! place; on more, the chunks of raw records and the rendered bytes go round between
//! reader, workers and writer, so that once warm a record costs no allocation.

use std::collections::VecDeque;
use std::io::BufRead;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;

use super::fast::{Fast, Rendering, Worker};
use super::render::{write_csv, write_ndjson, Fields};
use super::{evaluate_parallel, Parallel, RecordResult, Summary, CHUNK};
use crate::data::{read_raw, CsvLayout, DataFormat, InputError, Raw};
use crate::eval::Policy;
use crate::outcome::RecordError;

/// Evaluates every record of `input` and renders it (`rendering`, with `fields`);
/// `sink` receives the rendered bytes of each chunk of records in input order, with
/// the summary so far, as [`evaluate_parallel`]'s does. The bytes are the same for any
/// number of threads, and the same as rendering each [`RecordResult`] on its own
/// ([`super::render::write_ndjson`], [`super::render::write_csv`]); CSV rows come
/// without the header ([`super::render::csv_header`]).
pub fn evaluate_rendered<R: BufRead + Send>(
    policy: &Policy,
    format: DataFormat,
    input: R,
    options: Parallel,
    rendering: Rendering,
    fields: Fields,
    sink: &mut dyn FnMut(&[u8], &Summary) -> ControlFlow<()>,
) -> Result<Summary, InputError> {
    if policy.has_limits() || options.explain_source.is_some() {
        let render =
            |results: Vec<RecordResult>| render_results(policy, rendering, fields, &results);
        return evaluate_parallel(policy, format, input, options, &render, &mut |b, s| {
            sink(&b, s)
        });
    }
    let fast = Fast::new(policy, rendering, fields);
    if options.threads <= 1 {
        sequential(&fast, format, input, sink)
    } else {
        parallel(&fast, format, input, options.threads, sink)
    }
}

/// The bytes of `results` as [`evaluate_rendered`] writes them (for results from
/// elsewhere: a run with `limit` rules, `--explain`, another source of records).
pub fn render_results(
    policy: &Policy,
    rendering: Rendering,
    fields: Fields,
    results: &[RecordResult],
) -> Vec<u8> {
    let limits = policy.has_limits();
    let mut bytes = Vec::with_capacity(results.len() * 256);
    let mut cell = Vec::new();
    for r in results {
        match rendering {
            Rendering::Ndjson => write_ndjson(&mut bytes, r, fields),
            Rendering::Csv { raw } => write_csv(&mut bytes, r, fields, raw, limits, &mut cell),
        }
    }
    bytes
}

/// On the calling thread: each record read, evaluated and written in place.
fn sequential<R: BufRead>(
    fast: &Fast,
    format: DataFormat,
    input: R,
    sink: &mut dyn FnMut(&[u8], &Summary) -> ControlFlow<()>,
) -> Result<Summary, InputError> {
    let mut worker = fast.worker();
    let mut out = Vec::with_capacity(CHUNK * 256);
    let (mut summary, mut part, mut count) = (Summary::default(), Summary::default(), 0);
    let mut stopped = false;
    let read = read_raw(&fast.policy.schema, format, input, &mut |r| {
        fast.record(&mut worker, &r.raw, r.position, r.line, &mut out, &mut part);
        count += 1;
        if count == CHUNK {
            summary.merge(&part);
            (part, count) = (Summary::default(), 0);
            let flow = sink(&out, &summary);
            out.clear();
            stopped = flow.is_break();
            return flow;
        }
        ControlFlow::Continue(())
    });
    if stopped {
        return Ok(summary);
    }
    if count > 0 {
        summary.merge(&part);
        // The run ends here either way: whether the sink stops makes no difference.
        let _ = sink(&out, &summary);
    }
    read.map(|()| summary)
}

/// One raw record of a chunk.
enum Item {
    /// The record's bytes, as a range of the chunk's.
    Json(usize, usize),
    /// A CSV row, as an index into the chunk's rows.
    Csv(usize),
    Bad(RecordError),
}

/// Raw records for a worker; reused once evaluated.
#[derive(Default)]
struct Chunk {
    bytes: Vec<u8>,
    rows: Vec<::csv::ByteRecord>,
    rows_used: usize,
    layout: Option<CsvLayout>,
    items: Vec<(usize, Option<usize>, Item)>,
}

impl Chunk {
    fn clear(&mut self) {
        self.bytes.clear();
        self.rows_used = 0;
        self.items.clear();
    }

    fn push(&mut self, position: usize, line: Option<usize>, raw: Raw) {
        let item = match raw {
            Raw::Json(bytes) => {
                let start = self.bytes.len();
                self.bytes.extend_from_slice(bytes);
                Item::Json(start, self.bytes.len())
            }
            Raw::Csv(record, layout) => {
                if self.layout.is_none() {
                    self.layout = Some(layout.clone());
                }
                if self.rows_used == self.rows.len() {
                    self.rows.push(::csv::ByteRecord::new());
                }
                let row = &mut self.rows[self.rows_used];
                row.clear();
                record.iter().for_each(|cell| row.push_field(cell));
                self.rows_used += 1;
                Item::Csv(self.rows_used - 1)
            }
            Raw::Bad(e) => Item::Bad(e),
        };
        self.items.push((position, line, item));
    }

    fn render(&self, fast: &Fast, w: &mut Worker, out: &mut Vec<u8>) -> Summary {
        let mut part = Summary::default();
        for (position, line, item) in &self.items {
            let raw = match item {
                Item::Json(a, b) => Raw::Json(&self.bytes[*a..*b]),
                Item::Csv(i) => match &self.layout {
                    Some(layout) => Raw::Csv(&self.rows[*i], layout),
                    None => Raw::Bad(RecordError {
                        rule: None,
                        field: None,
                        message: "the CSV header was lost".into(),
                    }),
                },
                Item::Bad(e) => Raw::Bad(e.clone()),
            };
            fast.record(w, &raw, *position, *line, out, &mut part);
        }
        part
    }
}

/// Takes a reused value from `pool`, or a new one.
fn reuse<T: Default>(pool: &Receiver<T>) -> T {
    pool.try_recv().unwrap_or_default()
}

/// reader → workers → the calling thread, which puts the chunks back in order; chunks
/// and output buffers go back to be reused.
fn parallel<R: BufRead + Send>(
    fast: &Fast,
    format: DataFormat,
    input: R,
    threads: usize,
    sink: &mut dyn FnMut(&[u8], &Summary) -> ControlFlow<()>,
) -> Result<Summary, InputError> {
    let mut summary = Summary::default();
    let stop = AtomicBool::new(false);
    let (chunk_tx, chunk_rx) = sync_channel::<(usize, Chunk)>(threads * 2);
    let (done_tx, done_rx) = sync_channel::<(usize, Vec<u8>, Summary)>(threads * 2);
    // Everything in flight fits in the pools: nothing is dropped once warm.
    let (free_chunk_tx, free_chunk_rx) = sync_channel::<Chunk>(threads * 8 + 8);
    let (free_out_tx, free_out_rx) = sync_channel::<Vec<u8>>(threads * 8 + 8);
    let chunk_rx = Mutex::new(chunk_rx);
    let free_out_rx = Mutex::new(free_out_rx);
    let read = std::thread::scope(|scope| {
        let stop = &stop;
        let reader =
            scope.spawn(move || read_chunks(fast, format, input, stop, &chunk_tx, &free_chunk_rx));
        for _ in 0..threads {
            let (chunk_rx, done_tx, free_chunk_tx) =
                (&chunk_rx, done_tx.clone(), free_chunk_tx.clone());
            let free_out_rx = &free_out_rx;
            scope.spawn(move || work(fast, chunk_rx, &done_tx, &free_chunk_tx, free_out_rx, stop));
        }
        drop((done_tx, free_chunk_tx));
        let mut waiting: VecDeque<Option<(Vec<u8>, Summary)>> = VecDeque::new();
        let mut next = 0usize;
        for (seq, out, part) in done_rx {
            if stop.load(Relaxed) {
                continue; // draining: the threads end once the reader has stopped
            }
            let at = seq - next;
            if waiting.len() <= at {
                waiting.resize_with(at + 1, || None);
            }
            waiting[at] = Some((out, part));
            while let Some(Some(_)) = waiting.front() {
                let Some(Some((out, part))) = waiting.pop_front() else {
                    break;
                };
                next += 1;
                summary.merge(&part);
                let flow = sink(&out, &summary);
                let _ = free_out_tx.try_send(out);
                if flow.is_break() {
                    stop.store(true, Relaxed);
                    waiting.clear();
                    break;
                }
            }
        }
        reader.join().unwrap_or_else(|_| {
            Err(InputError::new(
                "the data reader stopped unexpectedly",
                None,
            ))
        })
    });
    if stop.into_inner() {
        return Ok(summary);
    }
    read.map(|()| summary)
}

/// A worker: chunks rendered into output buffers taken from `free_out` when there are,
/// the chunks handed back to the reader through `free_chunks`.
fn work(
    fast: &Fast,
    chunks: &Mutex<Receiver<(usize, Chunk)>>,
    done: &SyncSender<(usize, Vec<u8>, Summary)>,
    free_chunks: &SyncSender<Chunk>,
    free_out: &Mutex<Receiver<Vec<u8>>>,
    stop: &AtomicBool,
) {
    let mut worker = fast.worker();
    loop {
        let next = chunks.lock().map(|rx| rx.recv());
        let Ok(Ok((seq, chunk))) = next else { break };
        if stop.load(Relaxed) {
            continue;
        }
        let mut out = free_out.lock().map_or_else(|_| Vec::new(), |rx| reuse(&rx));
        out.clear();
        let part = chunk.render(fast, &mut worker, &mut out);
        let _ = free_chunks.try_send(chunk);
        if done.send((seq, out, part)).is_err() {
            break;
        }
    }
}

/// The reader: raw records into chunks of [`CHUNK`], taken from `free` when there are.
fn read_chunks<R: BufRead>(
    fast: &Fast,
    format: DataFormat,
    input: R,
    stop: &AtomicBool,
    chunks: &SyncSender<(usize, Chunk)>,
    free: &Receiver<Chunk>,
) -> Result<(), InputError> {
    let mut current = reuse(free);
    current.clear();
    let mut seq = 0usize;
    let result = read_raw(&fast.policy.schema, format, input, &mut |r| {
        if stop.load(Relaxed) {
            return ControlFlow::Break(());
        }
        current.push(r.position, r.line, r.raw);
        if current.items.len() == CHUNK {
            let mut chunk = reuse(free);
            chunk.clear();
            std::mem::swap(&mut chunk, &mut current);
            // A closed channel means the workers are gone: nothing more to do.
            if chunks.send((seq, chunk)).is_err() {
                return ControlFlow::Break(());
            }
            seq += 1;
        }
        ControlFlow::Continue(())
    });
    if !current.items.is_empty() && !stop.load(Relaxed) {
        let _ = chunks.send((seq, current));
    }
    result
}
