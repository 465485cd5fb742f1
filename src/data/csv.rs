//! CSV decoding: columns matched by header name, cells parsed by field type.

use std::io::BufRead;
use std::ops::ControlFlow;
use std::sync::Arc;

use super::json::parse_percent_text;
use super::lines::LineTracker;
use super::{field_error, finish, record_error, CsvDelimiter, InputError, Raw, RawRecord};
use crate::ir::Schema;
use crate::outcome::RecordError;
use crate::value::{parse_date, parse_number, NumberError, Type, Value};

/// How the CSV header's columns map to the schema.
#[derive(Debug, Clone)]
pub struct CsvLayout {
    columns: Vec<Option<usize>>,
}

impl CsvLayout {
    /// The column that holds a slot.
    pub(super) fn column_of(&self, slot: usize) -> Option<usize> {
        self.columns.iter().position(|c| *c == Some(slot))
    }

    /// The slot of each column (`None`: a column the schema does not declare).
    pub(super) fn columns(&self) -> &[Option<usize>] {
        &self.columns
    }
}

pub(super) fn read_csv<R: BufRead>(
    schema: &Schema,
    delimiter: CsvDelimiter,
    input: R,
    each: &mut dyn FnMut(RawRecord) -> ControlFlow<()>,
) -> Result<(), InputError> {
    if let Some(f) = schema.fields.iter().find(|f| matches!(f.ty, Type::List(_))) {
        return Err(InputError::new(
            format!(
                "the field `{}` is a list, and lists cannot be read from CSV; use JSON or NDJSON",
                f.name
            ),
            None,
        ));
    }
    let mut reader = ::csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .delimiter(delimiter.byte())
        .from_reader(LineTracker::new(input));
    let headers = reader
        .byte_headers()
        .map_err(|e| InputError::new(format!("cannot read the CSV header: {e}"), Some(1)))?
        .clone();
    let columns: Vec<Option<usize>> = headers
        .iter()
        .map(|h| {
            let name = String::from_utf8_lossy(h);
            let name = name.trim_start_matches('\u{feff}').trim();
            schema.slot(name)
        })
        .collect();
    if let [None] = columns[..] {
        other_delimiter(&headers[0], delimiter)?;
    }
    let layout = CsvLayout { columns };
    let mut record = ::csv::ByteRecord::new();
    let mut position = 0;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize);
                return Err(InputError::new(
                    format!("cannot read the CSV data: {e}"),
                    line,
                ));
            }
        }
        position += 1;
        let line = record
            .position()
            .map(|p| reader.get_mut().record_line(p.byte(), p.line()) as usize);
        let raw = if record.len() != headers.len() {
            Raw::Bad(record_error(format!(
                "this row has {} cells, but the header has {}",
                record.len(),
                headers.len()
            )))
        } else {
            Raw::Csv(&record, &layout)
        };
        if each(RawRecord {
            position,
            line,
            raw,
        })
        .is_break()
        {
            return Ok(());
        }
    }
}

/// A header of one column that names no field, but holds another delimiter: the file
/// is separated by that delimiter.
fn other_delimiter(header: &[u8], delimiter: CsvDelimiter) -> Result<(), InputError> {
    let count = |d: &CsvDelimiter| header.iter().filter(|b| **b == d.byte()).count();
    let Some(found) = CsvDelimiter::ALL
        .iter()
        .filter(|d| **d != delimiter && count(d) > 0)
        .max_by_key(|d| count(d))
    else {
        return Ok(());
    };
    let text = String::from_utf8_lossy(header);
    let text = text.trim_start_matches('\u{feff}');
    let mut shown: String = text.chars().take(40).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    let shown = crate::value::escape_control(&shown.replace('\t', "\\t")).into_owned();
    let by = match found {
        CsvDelimiter::Tab => "tabs".to_string(),
        d => format!("`{}`", d.byte() as char),
    };
    Err(InputError::new(
        format!(
            "the header is one column `{shown}`: the file seems to be separated by {by}; use `--csv-delimiter {}`",
            found.flag()
        ),
        Some(1),
    ))
}

pub(super) fn decode_row(
    schema: &Schema,
    layout: &CsvLayout,
    record: &::csv::ByteRecord,
) -> Result<Vec<Value>, Vec<RecordError>> {
    let columns = &layout.columns;
    let mut row = vec![Value::Missing; schema.fields.len()];
    let mut errors = Vec::new();
    for (cell, column) in record.iter().zip(columns) {
        let Some(slot) = *column else { continue };
        let field = &schema.fields[slot];
        let Ok(text) = std::str::from_utf8(cell) else {
            errors.push(field_error(
                schema,
                slot,
                format!("`{}` is not valid UTF-8", field.name),
            ));
            continue;
        };
        if text.is_empty() {
            continue; // missing; required fields are checked below
        }
        match decode_cell(schema, &field.ty, text) {
            Ok(v) => row[slot] = v,
            Err(m) => errors.push(field_error(schema, slot, format!("`{}`: {m}", field.name))),
        }
    }
    finish(schema, row, errors)
}

pub(super) fn decode_cell(schema: &Schema, ty: &Type, text: &str) -> Result<Value, String> {
    // Built only for a message: decoding a good cell allocates nothing.
    let shown = || text.chars().take(40).collect::<String>();
    match ty {
        Type::Bool => match text {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!(
                "expected true or false, found `{shown}`",
                shown = shown()
            )),
        },
        Type::Int => {
            let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "expected a whole number, found `{shown}`",
                    shown = shown()
                ));
            }
            text.trim_start_matches('+')
                .parse::<i64>()
                .map(Value::Int)
                .map_err(|_| format!("{shown} is out of the int range", shown = shown()))
        }
        Type::Decimal => parse_number(text).map(Value::Decimal).map_err(|e| match e {
            NumberError::Syntax => format!(
                "expected a number such as 6.0, found `{shown}`{}",
                decimal_comma(text),
                shown = shown()
            ),
            e => format!(
                "{shown} does not fit in a decimal ({})",
                e.reason(),
                shown = shown()
            ),
        }),
        Type::Percent => match parse_percent_text(text) {
            Some(v) => Ok(v),
            None => parse_number(text).map(Value::Percent).map_err(|e| match e {
                NumberError::Syntax => format!(
                    "expected a percent such as 30% or 30, found `{shown}`{}",
                    decimal_comma(text),
                    shown = shown()
                ),
                e => format!(
                    "{shown} does not fit in a percent ({})",
                    e.reason(),
                    shown = shown()
                ),
            }),
        },
        Type::Text => Ok(Value::Text(Arc::from(text))),
        Type::Date => parse_date(text)
            .map(Value::Date)
            .ok_or_else(|| format!("`{shown}` is not a date (YYYY-MM-DD)", shown = shown())),
        Type::Enum(id) => {
            let e = &schema.enums[*id as usize];
            e.index_of(text).map(Value::Enum).ok_or_else(|| {
                format!(
                    "`{shown}` is not one of {}",
                    e.values.join(", "),
                    shown = shown()
                )
            })
        }
        Type::List(_) | Type::EmptyList | Type::Error => {
            Err("this type cannot be read from CSV".into())
        }
    }
}

/// A hint for `1,5`: a number written with a decimal comma.
fn decimal_comma(text: &str) -> &'static str {
    let number = text.trim_end_matches('%');
    let ok = number.matches(',').count() == 1 && parse_number(&number.replace(',', ".")).is_ok();
    if ok {
        " (write the decimal point as `.`)"
    } else {
        ""
    }
}
