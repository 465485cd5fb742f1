//! Parquet and Arrow IPC files: telling them apart, reading their batches (only the
//! columns a policy reads), and writing results as Parquet.

use std::fs::File;
use std::io::{BufRead, Cursor, Read, Write};
use std::path::Path;

use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, SchemaRef};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::{ArrowWriter, ProjectionMask};
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::results::results_schema;
use super::schema::check_schema;
use super::ArrowInputError;
use crate::eval::Policy;

/// Records per batch read from Parquet.
const BATCH_ROWS: usize = 8192;

/// Rows per row group of the Parquet results (what the writer holds in memory).
const ROW_GROUP_ROWS: usize = 128 * 1024;

/// A columnar data format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrowFormat {
    /// Apache Parquet (`.parquet`, `.pq`).
    Parquet,
    /// Arrow IPC, the file format (`.arrow`, `.feather`, `.ipc`) or the stream format
    /// (`.arrows`): which one, its first bytes tell.
    Arrow,
}

impl ArrowFormat {
    /// The format a file name's extension implies.
    pub fn from_path(path: &str) -> Option<ArrowFormat> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "parquet" | "pq" => Some(ArrowFormat::Parquet),
            "arrow" | "arrows" | "ipc" | "feather" => Some(ArrowFormat::Arrow),
            _ => None,
        }
    }

    /// The format the first bytes of a file show: `PAR1` (Parquet), `ARROW1` (the Arrow
    /// IPC file format) or the continuation marker `FF FF FF FF` (the IPC stream format).
    pub fn sniff(head: &[u8]) -> Option<ArrowFormat> {
        if head.starts_with(b"PAR1") {
            Some(ArrowFormat::Parquet)
        } else if head.starts_with(b"ARROW1") || head.starts_with(&[0xFF; 4]) {
            Some(ArrowFormat::Arrow)
        } else {
            None
        }
    }

    /// The format's name, as `--data-format` writes it.
    pub fn name(self) -> &'static str {
        match self {
            ArrowFormat::Parquet => "parquet",
            ArrowFormat::Arrow => "arrow",
        }
    }
}

type Batches = Box<dyn Iterator<Item = Result<RecordBatch, ArrowError>> + Send>;

/// The record batches of a Parquet or Arrow IPC input, after its schema was checked
/// against a policy's; from Parquet, only the columns the policy reads.
pub struct BatchReader {
    schema: SchemaRef,
    batches: Batches,
}

impl std::fmt::Debug for BatchReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchReader")
            .field("schema", &self.schema)
            .finish()
    }
}

impl Iterator for BatchReader {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.batches.next()
    }
}

impl RecordBatchReader for BatchReader {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
}

/// Opens a Parquet or Arrow IPC file for `policy` (the format from its first bytes),
/// checking its columns against the policy's schema before any record is read.
pub fn read_batches(path: &Path, policy: &Policy) -> Result<BatchReader, ArrowInputError> {
    let read = |e: std::io::Error| ArrowInputError::Read(format!("cannot read the data: {e}"));
    let mut file = File::open(path).map_err(read)?;
    let mut head = [0u8; 8];
    let n = read_up_to(&mut file, &mut head).map_err(read)?;
    let file = File::open(path).map_err(read)?;
    match ArrowFormat::sniff(&head[..n]) {
        Some(ArrowFormat::Parquet) => BatchReader::parquet(file, policy),
        Some(ArrowFormat::Arrow) if head.starts_with(b"ARROW1") => {
            BatchReader::ipc_file(file, policy)
        }
        Some(ArrowFormat::Arrow) => BatchReader::ipc_stream(std::io::BufReader::new(file), policy),
        None => Err(not_columnar()),
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn not_columnar() -> ArrowInputError {
    ArrowInputError::Read(
        "the data is neither Parquet (it would start with `PAR1`) nor Arrow IPC \
         (`ARROW1`, or a stream's `FF FF FF FF`)"
            .into(),
    )
}

impl BatchReader {
    /// Reads Parquet or Arrow IPC data from a stream (standard input): an IPC stream is
    /// read as it comes; Parquet and the IPC file format need the whole input first.
    pub fn from_reader<R: BufRead + Send + 'static>(
        mut input: R,
        policy: &Policy,
    ) -> Result<BatchReader, ArrowInputError> {
        let read = |e: std::io::Error| ArrowInputError::Read(format!("cannot read the data: {e}"));
        let head = input.fill_buf().map_err(read)?;
        match ArrowFormat::sniff(head) {
            Some(ArrowFormat::Arrow) if !head.starts_with(b"ARROW1") => {
                BatchReader::ipc_stream(input, policy)
            }
            Some(format) => {
                let mut bytes = Vec::new();
                input.read_to_end(&mut bytes).map_err(read)?;
                match format {
                    ArrowFormat::Parquet => BatchReader::parquet(bytes::Bytes::from(bytes), policy),
                    ArrowFormat::Arrow => BatchReader::ipc_file(Cursor::new(bytes), policy),
                }
            }
            None => Err(not_columnar()),
        }
    }

    /// Parquet from a file or bytes: only the columns the policy reads.
    pub fn parquet<R: parquet::file::reader::ChunkReader + 'static>(
        input: R,
        policy: &Policy,
    ) -> Result<BatchReader, ArrowInputError> {
        let builder = ParquetRecordBatchReaderBuilder::try_new(input)?;
        let layout = check_schema(policy, builder.schema())?;
        let mask = ProjectionMask::roots(builder.parquet_schema(), layout.projection());
        let reader = builder
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()?;
        Ok(BatchReader {
            schema: reader.schema(),
            batches: Box::new(reader),
        })
    }

    /// The Arrow IPC file format.
    pub fn ipc_file<R: Read + std::io::Seek + Send + 'static>(
        input: R,
        policy: &Policy,
    ) -> Result<BatchReader, ArrowInputError> {
        let reader = arrow_ipc::reader::FileReader::try_new(input, None)?;
        check_schema(policy, &reader.schema())?;
        Ok(BatchReader {
            schema: reader.schema(),
            batches: Box::new(reader),
        })
    }

    /// The Arrow IPC stream format.
    pub fn ipc_stream<R: Read + Send + 'static>(
        input: R,
        policy: &Policy,
    ) -> Result<BatchReader, ArrowInputError> {
        let reader = arrow_ipc::reader::StreamReader::try_new(input, None)?;
        check_schema(policy, &reader.schema())?;
        Ok(BatchReader {
            schema: reader.schema(),
            batches: Box::new(reader),
        })
    }
}

/// Writes tables of [`results_schema`] as one Parquet file (snappy-compressed row
/// groups of 131,072 rows) to any output, which need not be `Send` or seekable: each row
/// group is written out as soon as it is complete.
pub struct ParquetResultsWriter<W: Write> {
    writer: ArrowWriter<Vec<u8>>,
    out: W,
}

impl<W: Write> std::fmt::Debug for ParquetResultsWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetResultsWriter")
            .finish_non_exhaustive()
    }
}

fn io_error(e: parquet::errors::ParquetError) -> std::io::Error {
    std::io::Error::other(e)
}

impl<W: Write> ParquetResultsWriter<W> {
    /// A writer of results to `out`.
    pub fn new(out: W) -> std::io::Result<Self> {
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build();
        let writer =
            ArrowWriter::try_new(Vec::new(), results_schema(), Some(props)).map_err(io_error)?;
        Ok(ParquetResultsWriter { writer, out })
    }

    /// Adds a table of results (of [`results_schema`]).
    pub fn write(&mut self, batch: &RecordBatch) -> std::io::Result<()> {
        self.writer.write(batch).map_err(io_error)?;
        self.drain()
    }

    /// Writes what the Parquet writer has finished to the output.
    fn drain(&mut self) -> std::io::Result<()> {
        let done = self.writer.inner_mut();
        if !done.is_empty() {
            self.out.write_all(done)?;
            done.clear();
        }
        Ok(())
    }

    /// Ends the file (the last row group and the footer); the output, flushed.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.writer.finish().map_err(io_error)?;
        self.drain()?;
        self.out.flush()?;
        Ok(self.out)
    }
}
