//! CSV decoding: columns matched by header name, cells parsed by field type.

use std::io::BufRead;
use std::ops::ControlFlow;
use std::sync::Arc;

use super::json::parse_percent_text;
use super::{check_required, field_error, record_error, InputError, Raw, RawRecord};
use crate::ir::Schema;
use crate::outcome::RecordError;
use crate::value::{parse_date, parse_decimal, Type, Value};

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
}

pub(super) fn read_csv<R: BufRead>(
    schema: &Schema,
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
        .from_reader(input);
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
        let line = record.position().map(|p| p.line() as usize);
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

pub(super) fn decode_row(
    schema: &Schema,
    layout: &CsvLayout,
    record: &::csv::ByteRecord,
) -> Result<Vec<Value>, RecordError> {
    let columns = &layout.columns;
    let mut row = vec![Value::Missing; schema.fields.len()];
    for (cell, column) in record.iter().zip(columns) {
        let Some(slot) = *column else { continue };
        let field = &schema.fields[slot];
        let Ok(text) = std::str::from_utf8(cell) else {
            return Err(field_error(
                schema,
                slot,
                format!("`{}` is not valid UTF-8", field.name),
            ));
        };
        if text.is_empty() {
            continue; // missing; required fields are checked below
        }
        row[slot] = decode_cell(schema, &field.ty, text)
            .map_err(|m| field_error(schema, slot, format!("`{}`: {m}", field.name)))?;
    }
    check_required(schema, &row)?;
    Ok(row)
}

fn decode_cell(schema: &Schema, ty: &Type, text: &str) -> Result<Value, String> {
    let shown: String = text.chars().take(40).collect();
    match ty {
        Type::Bool => match text {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("expected true or false, found `{shown}`")),
        },
        Type::Int => {
            let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("expected a whole number, found `{shown}`"));
            }
            text.trim_start_matches('+')
                .parse::<i64>()
                .map(Value::Int)
                .map_err(|_| format!("{shown} is out of the int range"))
        }
        Type::Decimal => number(text)
            .map(Value::Decimal)
            .ok_or_else(|| format!("expected a number such as 6.0, found `{shown}`")),
        Type::Percent => parse_percent_text(text)
            .or_else(|| number(text).map(Value::Percent))
            .ok_or_else(|| format!("expected a percent such as 30% or 30, found `{shown}`")),
        Type::Text => Ok(Value::Text(Arc::from(text))),
        Type::Date => parse_date(text)
            .map(Value::Date)
            .ok_or_else(|| format!("`{shown}` is not a date (YYYY-MM-DD)")),
        Type::Enum(id) => {
            let e = &schema.enums[*id as usize];
            e.index_of(text)
                .map(Value::Enum)
                .ok_or_else(|| format!("`{shown}` is not one of {}", e.values.join(", ")))
        }
        Type::List(_) | Type::EmptyList | Type::Error => {
            Err("this type cannot be read from CSV".into())
        }
    }
}

/// A plain decimal number, with optional sign: no `_`, no exponent.
fn number(text: &str) -> Option<crate::value::Decimal> {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let ok = !body.is_empty()
        && body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && body.bytes().filter(|b| *b == b'.').count() <= 1
        && !body.starts_with('.')
        && !body.ends_with('.');
    if !ok {
        return None;
    }
    parse_decimal(text.trim_start_matches('+'))
}
