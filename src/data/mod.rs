//! Schema-driven decoding of batch data (JSON array, NDJSON, CSV) into rows of
//! slot values. Bad data affects only its own record; only input that cannot be
//! read as a whole is an [`InputError`]. Records already parsed (a `serde_json::Value`, any
//! serde `Deserializer`) decode the same way, without text: [`decode_json_value`], [`RowSeed`].

mod csv;
mod json;
mod json_error;
mod lines;
mod reuse;
mod scan;
mod serde_in;

use std::io::BufRead;
use std::ops::ControlFlow;

use crate::ir::Schema;
use crate::outcome::RecordError;
use crate::value::Value;

/// The format of a data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFormat {
    /// A JSON array of objects.
    Json,
    /// One JSON object per line (also `.jsonl`).
    Ndjson,
    /// Delimiter-separated values with a header row (`DataFormat::Csv(CsvDelimiter::Comma)`
    /// for comma-separated values).
    Csv(CsvDelimiter),
}

impl DataFormat {
    /// The format a file name's extension implies (CSV: comma-separated).
    pub fn from_path(path: &str) -> Option<DataFormat> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(DataFormat::Json),
            "ndjson" | "jsonl" => Some(DataFormat::Ndjson),
            "csv" => Some(DataFormat::Csv(CsvDelimiter::Comma)),
            _ => None,
        }
    }

    /// The format's name, as `--data-format` writes it.
    pub fn name(self) -> &'static str {
        match self {
            DataFormat::Json => "json",
            DataFormat::Ndjson => "ndjson",
            DataFormat::Csv(_) => "csv",
        }
    }
}

/// The character between the cells of a CSV row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvDelimiter {
    /// `,`
    #[default]
    Comma,
    /// `;`, Excel's choice where the decimal separator is a comma.
    Semicolon,
    /// A tab (tab-separated values).
    Tab,
    /// `|`
    Pipe,
}

impl CsvDelimiter {
    /// Every delimiter, for detection.
    const ALL: [CsvDelimiter; 4] = [
        CsvDelimiter::Comma,
        CsvDelimiter::Semicolon,
        CsvDelimiter::Tab,
        CsvDelimiter::Pipe,
    ];

    /// Reads `,`, `;`, `tab` (or a tab character, or `\t`) and `|`.
    pub fn parse(text: &str) -> Option<CsvDelimiter> {
        match text {
            "," => Some(CsvDelimiter::Comma),
            ";" => Some(CsvDelimiter::Semicolon),
            "tab" | "\t" | "\\t" => Some(CsvDelimiter::Tab),
            "|" => Some(CsvDelimiter::Pipe),
            _ => None,
        }
    }

    /// The byte between cells.
    pub fn byte(self) -> u8 {
        match self {
            CsvDelimiter::Comma => b',',
            CsvDelimiter::Semicolon => b';',
            CsvDelimiter::Tab => b'\t',
            CsvDelimiter::Pipe => b'|',
        }
    }

    /// How to pass it to `--csv-delimiter` in a shell.
    pub fn flag(self) -> &'static str {
        match self {
            CsvDelimiter::Comma => "','",
            CsvDelimiter::Semicolon => "';'",
            CsvDelimiter::Tab => "tab",
            CsvDelimiter::Pipe => "'|'",
        }
    }
}

/// One record read from the input: its position and its row, or what was wrong with it.
#[derive(Debug, Clone)]
pub struct InputRecord {
    /// 1-based position among the records of the input.
    pub position: usize,
    /// 1-based line where the record starts (NDJSON, CSV, JSON array).
    pub line: Option<usize>,
    /// The row, or every problem of the record (each bad field, each missing one).
    pub row: Result<Vec<Value>, Vec<RecordError>>,
}

/// Input that cannot be read as a whole (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    /// What is wrong with the input, in an author's words.
    pub message: String,
    /// 1-based line of the input, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters) on that line, when known.
    pub column: Option<usize>,
}

impl InputError {
    pub(crate) fn new(message: impl Into<String>, line: Option<usize>) -> Self {
        InputError {
            message: message.into(),
            line,
            column: None,
        }
    }

    /// `:LINE:COLUMN`, `:LINE` or nothing: what follows a file name in a message.
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!(":{l}:{c}"),
            (Some(l), None) => format!(":{l}"),
            _ => String::new(),
        }
    }
}

/// Longest NDJSON line or JSON array element, in bytes.
pub const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;

pub use csv::CsvLayout;
#[cfg(feature = "arrow")]
pub(crate) use json::parse_percent_text;
pub use reuse::RowBuffer;
pub use serde_in::{decode_json_value, json_value_id, RowSeed};

/// A record as read, before decoding: what a reader hands to workers.
#[derive(Debug)]
pub enum Raw<'a> {
    /// The bytes of one JSON object (an NDJSON line or a JSON array element).
    Json(&'a [u8]),
    /// One CSV row, with the header's layout.
    Csv(&'a ::csv::ByteRecord, &'a CsvLayout),
    /// A record already known to be bad (a ragged row, an overlong line).
    Bad(RecordError),
}

/// A record's position and raw form.
#[derive(Debug)]
pub struct RawRecord<'a> {
    /// 1-based position among the records of the input.
    pub position: usize,
    /// 1-based line where the record starts, when the format has lines.
    pub line: Option<usize>,
    /// The record's bytes (or why it is already bad).
    pub raw: Raw<'a>,
}

impl Raw<'_> {
    /// The record's `id`, read on its own: the label of a record whose other fields
    /// could not be decoded.
    pub fn id(&self, schema: &Schema) -> Option<String> {
        let slot = schema.id?;
        match self {
            Raw::Json(bytes) => {
                let text = std::str::from_utf8(bytes).ok()?;
                let mut ranges = Vec::new();
                if scan::fields(schema, text, &mut ranges).is_none() {
                    // Not a flat object (a nested value, an escaped key): read it whole.
                    let record = serde_json::from_str(text).ok()?;
                    return json_value_id(schema, &record);
                }
                let (_, start, end) = ranges.iter().rev().find(|r| r.0 == slot)?;
                let value = &text[*start..*end];
                // A string, or a number as written (an `id: int`), as CSV and Arrow label it.
                serde_json::from_str::<String>(value).ok().or_else(|| {
                    serde_json::from_str::<serde_json::Number>(value)
                        .ok()
                        .map(|_| value.trim().to_string())
                })
            }
            Raw::Csv(record, layout) => {
                let column = layout.column_of(slot)?;
                let cell = record.get(column).filter(|c| !c.is_empty())?;
                std::str::from_utf8(cell).ok().map(str::to_string)
            }
            Raw::Bad(_) => None,
        }
    }

    /// Decodes into a row of slot values, or every problem of the record.
    pub fn decode(&self, schema: &Schema) -> Result<Vec<Value>, Vec<RecordError>> {
        match self {
            Raw::Json(bytes) => json::decode_bytes(schema, bytes),
            Raw::Csv(record, layout) => csv::decode_row(schema, layout, record),
            Raw::Bad(e) => Err(vec![e.clone()]),
        }
    }
}

/// Reads the records of `input` without decoding them, calling `each` in input order,
/// until the input ends or `each` returns [`ControlFlow::Break`] (then nothing more is read).
pub fn read_raw<R: BufRead>(
    schema: &Schema,
    format: DataFormat,
    input: R,
    each: &mut dyn FnMut(RawRecord) -> ControlFlow<()>,
) -> Result<(), InputError> {
    match format {
        DataFormat::Ndjson => json::read_ndjson(input, each),
        DataFormat::Json => json::read_array(input, each),
        DataFormat::Csv(delimiter) => csv::read_csv(schema, delimiter, input, each),
    }
}

/// Reads and decodes every record of `input`, calling `each` in input order.
pub fn read_records<R: BufRead>(
    schema: &Schema,
    format: DataFormat,
    input: R,
    each: &mut dyn FnMut(InputRecord),
) -> Result<(), InputError> {
    read_raw(schema, format, input, &mut |r| {
        each(InputRecord {
            position: r.position,
            line: r.line,
            row: r.raw.decode(schema),
        });
        ControlFlow::Continue(())
    })
}

/// Decodes one JSON object (text) into a row, or every problem of the record.
pub fn decode_json(schema: &Schema, text: &str) -> Result<Vec<Value>, Vec<RecordError>> {
    json::decode_record(schema, text)
}

pub(crate) fn field_error(schema: &Schema, slot: usize, message: impl Into<String>) -> RecordError {
    RecordError {
        rule: None,
        field: Some(schema.fields[slot].name.clone()),
        message: message.into(),
    }
}

fn record_error(message: impl Into<String>) -> RecordError {
    RecordError {
        rule: None,
        field: None,
        message: message.into(),
    }
}

/// After decoding: every required field present (a field with an error already is not
/// reported again); the row, or every error.
pub(crate) fn finish(
    schema: &Schema,
    row: Vec<Value>,
    mut errors: Vec<RecordError>,
) -> Result<Vec<Value>, Vec<RecordError>> {
    for (slot, f) in schema.fields.iter().enumerate() {
        if !f.optional
            && matches!(row[slot], Value::Missing)
            && !errors.iter().any(|e| e.field.as_deref() == Some(&f.name))
        {
            errors.push(field_error(
                schema,
                slot,
                format!("the required field `{}` is missing", f.name),
            ));
        }
    }
    if errors.is_empty() {
        Ok(row)
    } else {
        Err(errors)
    }
}
