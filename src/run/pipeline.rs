//! reader → workers → this thread: the chunked parallel reading of `evaluate_parallel`
//! and of both passes of a run with `limit` rules. A reader thread cuts the input into chunks of raw
//! records, workers run `work` on each, and the calling thread gets the results in
//! input order. At most a few chunks per worker are in flight.

use std::io::BufRead;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::mpsc::sync_channel;
use std::sync::Mutex;

use super::CHUNK;
use crate::data::{read_raw, CsvLayout, DataFormat, InputError, Raw, RawRecord};
use crate::eval::Policy;
use crate::outcome::RecordError;

enum Owned {
    Json(usize, usize),
    Csv(::csv::ByteRecord),
    Bad(RecordError),
}

/// A run of raw records, owned, for a worker.
#[derive(Default)]
pub(super) struct Batch {
    bytes: Vec<u8>,
    layout: Option<CsvLayout>,
    items: Vec<(usize, Option<usize>, Owned)>,
}

impl Batch {
    fn push(&mut self, r: RawRecord) {
        let owned = match r.raw {
            Raw::Json(bytes) => {
                let start = self.bytes.len();
                self.bytes.extend_from_slice(bytes);
                Owned::Json(start, self.bytes.len())
            }
            Raw::Csv(record, layout) => {
                if self.layout.is_none() {
                    self.layout = Some(layout.clone());
                }
                Owned::Csv(record.clone())
            }
            Raw::Bad(e) => Owned::Bad(e),
        };
        self.items.push((r.position, r.line, owned));
    }

    /// The records, in input order.
    pub(super) fn records(&self) -> impl Iterator<Item = RawRecord<'_>> {
        self.items.iter().filter_map(|(position, line, owned)| {
            let raw = match owned {
                Owned::Json(a, b) => Raw::Json(&self.bytes[*a..*b]),
                // A CSV chunk has its layout: it came with the record.
                Owned::Csv(record) => Raw::Csv(record, self.layout.as_ref()?),
                Owned::Bad(e) => Raw::Bad(e.clone()),
            };
            Some(RawRecord {
                position: *position,
                line: *line,
                raw,
            })
        })
    }
}

/// Runs `work` on every chunk of `input` (with the number of its first record, from 0)
/// on `threads` workers, and `collect` on the results in input order. Returns whether
/// `collect` stopped the run (then the reader reads no further and the workers drop
/// the chunks already read).
pub(super) fn pipeline<R: BufRead + Send, W: Send>(
    policy: &Policy,
    format: DataFormat,
    input: R,
    threads: usize,
    work: &(dyn Fn(&Batch, usize) -> W + Sync),
    collect: &mut dyn FnMut(W) -> ControlFlow<()>,
) -> Result<bool, InputError> {
    let threads = threads.max(1);
    let stop = AtomicBool::new(false);
    let (chunk_tx, chunk_rx) = sync_channel::<(usize, usize, Batch)>(threads * 2);
    let (done_tx, done_rx) = sync_channel::<(usize, W)>(threads * 2);
    let chunk_rx = Mutex::new(chunk_rx);
    let read = std::thread::scope(|scope| {
        let stop = &stop;
        let reader = scope.spawn(move || {
            let mut current = Batch::default();
            let (mut seq, mut first, mut count) = (0usize, 0usize, 0usize);
            let result = read_raw(&policy.schema, format, input, &mut |r| {
                if stop.load(Relaxed) {
                    return ControlFlow::Break(());
                }
                current.push(r);
                count += 1;
                if current.items.len() == CHUNK {
                    let chunk = std::mem::take(&mut current);
                    if chunk_tx.send((seq, first, chunk)).is_err() {
                        return ControlFlow::Break(());
                    }
                    (seq, first) = (seq + 1, count);
                }
                ControlFlow::Continue(())
            });
            if !current.items.is_empty() && !stop.load(Relaxed) {
                let _ = chunk_tx.send((seq, first, current));
            }
            result
        });
        for _ in 0..threads {
            let (chunk_rx, done_tx) = (&chunk_rx, done_tx.clone());
            scope.spawn(move || loop {
                let next = chunk_rx.lock().map(|rx| rx.recv());
                let Ok(Ok((seq, first, chunk))) = next else {
                    break;
                };
                if stop.load(Relaxed) {
                    continue;
                }
                if done_tx.send((seq, work(&chunk, first))).is_err() {
                    break;
                }
            });
        }
        drop(done_tx);
        let mut waiting = std::collections::BTreeMap::new();
        let mut next = 0usize;
        for (seq, done) in done_rx {
            if stop.load(Relaxed) {
                continue; // draining: the threads end once the reader has stopped
            }
            waiting.insert(seq, done);
            while let Some(done) = waiting.remove(&next) {
                next += 1;
                if collect(done).is_break() {
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
        return Ok(true);
    }
    read.map(|()| false)
}
