//! Decoding into reused buffers, for the streaming hot path (`run::stream`): a flat
//! JSON object or a CSV row is decoded into a row kept from record to record, and the
//! text fields that no rule reads as a value stay in the record's own bytes, as ranges.
//! Text that rules do read is shared through a small per-worker table, so that
//! repeated values (a firm, a country) are not copied again. A record that is unusual
//! in any way (bad data, an escape in a string, a nested value) is left to the general
//! decoder, which also words its errors: this one only says "not here".

use std::collections::HashSet;
use std::sync::Arc;

use super::csv::{decode_cell, CsvLayout};
use super::json::decode_value;
use super::scan;
use crate::ir::Schema;
use crate::value::{Type, Value};

/// At most this many distinct texts are shared per worker, each of at most
/// [`SHARED_LEN`] bytes; others are copied per record.
const SHARED: usize = 4096;
const SHARED_LEN: usize = 64;

/// A row reused from record to record. See the module documentation.
#[derive(Debug)]
pub struct RowBuffer {
    row: Vec<Value>,
    /// Per slot: the byte range of its text in the record, when kept as text.
    text: Vec<Option<(usize, usize)>>,
    /// Per slot: set by the record being decoded.
    set: Vec<bool>,
    /// Per slot: whether rules read it as a value.
    value_slots: Vec<bool>,
    ranges: Vec<(usize, usize, usize)>,
    /// What a text kept as text holds in the row: never read.
    placeholder: Value,
    shared: HashSet<Arc<str>>,
}

impl RowBuffer {
    /// A buffer for rows of `schema`; `value_slots` (by slot) are the fields rules read
    /// as values, the other text fields are kept as text.
    pub fn new(schema: &Schema, value_slots: Vec<bool>) -> RowBuffer {
        let n = schema.fields.len();
        RowBuffer {
            row: vec![Value::Missing; n],
            text: vec![None; n],
            set: vec![false; n],
            value_slots,
            ranges: Vec::new(),
            placeholder: Value::text(""),
            shared: HashSet::new(),
        }
    }

    /// The row last decoded. A text field kept as text holds a placeholder: read it
    /// with [`RowBuffer::text`].
    pub fn row(&self) -> &[Value] {
        &self.row
    }

    /// The text of a field kept as text, from the record last decoded (`record`: the
    /// text that was decoded, or the CSV row's bytes as [`RowBuffer::decode_csv`] had them).
    pub fn text<'r>(&self, record: &'r str, slot: usize) -> Option<&'r str> {
        let (a, b) = (*self.text.get(slot)?)?;
        record.get(a..b)
    }

    /// Decodes one JSON object; `false` when the general decoder must (bad data, an
    /// escaped string, a shape the one-pass scan does not take).
    pub fn decode_json(&mut self, schema: &Schema, record: &str) -> bool {
        if scan::fields(schema, record, &mut self.ranges).is_none() {
            return false;
        }
        self.set.fill(false);
        for k in 0..self.ranges.len() {
            let (slot, start, end) = self.ranges[k];
            let raw = &record[start..end];
            if schema.fields[slot].ty == Type::Text && raw.starts_with('"') {
                let (a, b) = (start + 1, end - 1);
                if memchr::memchr(b'\\', &record.as_bytes()[a..b]).is_some() {
                    return false;
                }
                self.put_text(slot, record, a, b);
                continue;
            }
            match decode_value(schema, slot, raw) {
                Ok(v) => self.put(slot, v),
                Err(_) => return false,
            }
        }
        self.finish(schema)
    }

    /// Decodes one CSV row whose bytes, as text, are `record` (`ByteRecord::as_slice`);
    /// `false` when the general decoder must.
    pub fn decode_csv(
        &mut self,
        schema: &Schema,
        layout: &CsvLayout,
        cells: &::csv::ByteRecord,
        record: &str,
    ) -> bool {
        self.set.fill(false);
        for (column, slot) in layout.columns().iter().enumerate() {
            let (Some(slot), Some(range)) = (*slot, cells.range(column)) else {
                continue;
            };
            let Some(text) = record.get(range.clone()) else {
                return false;
            };
            if text.is_empty() {
                continue; // missing: required fields are checked below
            }
            let ty = &schema.fields[slot].ty;
            if *ty == Type::Text {
                self.put_text(slot, record, range.start, range.end);
                continue;
            }
            match decode_cell(schema, ty, text) {
                Ok(v) => self.put(slot, v),
                Err(_) => return false,
            }
        }
        self.finish(schema)
    }

    fn put(&mut self, slot: usize, v: Value) {
        self.row[slot] = v;
        self.text[slot] = None;
        self.set[slot] = true;
    }

    /// A text field: kept as text, or shared as a value when rules read it.
    fn put_text(&mut self, slot: usize, record: &str, a: usize, b: usize) {
        self.set[slot] = true;
        if !self.value_slots.get(slot).copied().unwrap_or(true) {
            self.row[slot] = self.placeholder.clone();
            self.text[slot] = Some((a, b));
            return;
        }
        self.text[slot] = None;
        let s = &record[a..b];
        if matches!(&self.row[slot], Value::Text(t) if **t == *s) {
            return; // the same as the record before
        }
        let shared = match self.shared.get(s) {
            Some(t) => t.clone(),
            None => {
                let t: Arc<str> = Arc::from(s);
                if self.shared.len() < SHARED && s.len() <= SHARED_LEN {
                    self.shared.insert(t.clone());
                }
                t
            }
        };
        self.row[slot] = Value::Text(shared);
    }

    /// Fields the record did not set are missing; every required one must be set.
    fn finish(&mut self, schema: &Schema) -> bool {
        for (slot, f) in schema.fields.iter().enumerate() {
            if !self.set[slot] {
                if !f.optional {
                    return false;
                }
                self.row[slot] = Value::Missing;
                self.text[slot] = None;
            }
        }
        true
    }
}
