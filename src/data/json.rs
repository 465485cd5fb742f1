//! JSON and NDJSON decoding. Numbers are read from their text, exactly: never
//! through `f64`.

use std::fmt;
use std::io::BufRead;
use std::ops::ControlFlow;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::json_error::describe;
use super::{field_error, finish, record_error, InputError, Raw, RawRecord, MAX_RECORD_BYTES};
use crate::ir::Schema;
use crate::outcome::RecordError;
use crate::value::{parse_date, parse_number, NumberError, Type, Value};

/// Decodes one JSON object into a row of the schema's slots, or every problem of it.
pub(super) fn decode_record(schema: &Schema, text: &str) -> Result<Vec<Value>, Vec<RecordError>> {
    // The common case, a flat object: one pass, no intermediate values.
    thread_local! {
        static RANGES: std::cell::RefCell<Vec<(usize, usize, usize)>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let fast = RANGES.with_borrow_mut(|ranges| {
        super::scan::fields(schema, text, ranges)?;
        let mut row = vec![Value::Missing; schema.fields.len()];
        let mut errors = Vec::new();
        for &(slot, start, end) in ranges.iter() {
            match decode_value(schema, slot, &text[start..end]) {
                Ok(v) => row[slot] = v,
                Err(e) => errors.push(e),
            }
        }
        Some((row, errors))
    });
    if let Some((row, errors)) = fast {
        return finish(schema, row, errors);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let decoded = de::Deserializer::deserialize_any(&mut de, RowVisitor { schema });
    let (row, errors) = match decoded.and_then(|r| de.end().map(|()| r)) {
        Ok(Ok(decoded)) => decoded,
        Ok(Err(e)) => return Err(vec![e]),
        Err(e) => return Err(vec![malformed(&e, text)]),
    };
    finish(schema, row, errors)
}

/// The record error for a line that is not JSON: what is wrong, and at which column.
fn malformed(e: &serde_json::Error, text: &str) -> RecordError {
    let d = describe(e, text);
    let at = if d.line > 1 {
        format!("line {}, column {}", d.line, d.column)
    } else {
        format!("column {}", d.column)
    };
    record_error(format!("malformed JSON at {at}: {}", d.message))
}

/// A field value's JSON that serde_json refused, in words (no position: the value is
/// short and named by its field).
fn value_syntax(e: &serde_json::Error, raw: &str) -> String {
    describe(e, raw).message
}

struct RowVisitor<'s> {
    schema: &'s Schema,
}

/// A row and the errors of its fields, or a record that is not an object.
type Decoded = Result<(Vec<Value>, Vec<RecordError>), RecordError>;

impl<'de> Visitor<'de> for RowVisitor<'_> {
    type Value = Decoded;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let schema = self.schema;
        let mut row = vec![Value::Missing; schema.fields.len()];
        let mut errors = Vec::new();
        while let Some(slot) = map.next_key_seed(KeySeed { schema })? {
            match slot {
                Some(slot) => {
                    let raw: &RawValue = map.next_value()?;
                    match decode_value(schema, slot, raw.get()) {
                        Ok(v) => row[slot] = v,
                        Err(e) => errors.push(e),
                    }
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Ok((row, errors)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Err(not_an_object("an array")))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Err(not_an_object("a string")))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Err(not_an_object("a boolean")))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Err(not_an_object("a number")))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Err(not_an_object("a number")))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Err(not_an_object("a number")))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Err(not_an_object("null")))
    }
}

fn not_an_object(found: &str) -> RecordError {
    record_error(format!("a record must be a JSON object, found {found}"))
}

/// Maps a key to its slot while reading it, without allocating.
struct KeySeed<'s> {
    schema: &'s Schema,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.schema.slot(key))
    }
}

/// Decodes the JSON text of one field's value.
fn decode_value(schema: &Schema, slot: usize, raw: &str) -> Result<Value, RecordError> {
    let field = &schema.fields[slot];
    if raw == "null" {
        return if field.optional {
            Ok(Value::Missing)
        } else {
            Err(field_error(
                schema,
                slot,
                format!("`{}` is null, but it is required", field.name),
            ))
        };
    }
    decode_typed(schema, &field.ty, raw)
        .map_err(|m| field_error(schema, slot, format!("`{}`: {m}", field.name)))
}

fn json_kind(raw: &str) -> &'static str {
    match raw.as_bytes().first() {
        Some(b'"') => "a string",
        Some(b'[') => "an array",
        Some(b'{') => "an object",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

fn decode_typed(schema: &Schema, ty: &Type, raw: &str) -> Result<Value, String> {
    let kind = json_kind(raw);
    let wrong = |expected: &str| {
        Err(format!(
            "expected {expected}, found {kind} {}",
            preview(raw)
        ))
    };
    match ty {
        Type::Bool => match raw {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => wrong("true or false"),
        },
        Type::Int => {
            if kind != "a number" {
                return wrong("a whole number");
            }
            match raw.parse::<i64>() {
                Ok(i) => Ok(Value::Int(i)),
                Err(_) if raw.bytes().all(|b| b.is_ascii_digit() || b == b'-') => {
                    Err(format!("{raw} is out of the int range"))
                }
                Err(_) => wrong("a whole number"),
            }
        }
        Type::Decimal => {
            if kind != "a number" {
                return wrong("a number");
            }
            parse_number(raw)
                .map(Value::Decimal)
                .map_err(|e| out_of_range(raw, "a decimal", e))
        }
        Type::Percent => {
            if kind == "a number" {
                return parse_number(raw)
                    .map(Value::Percent)
                    .map_err(|e| out_of_range(raw, "a percent", e));
            }
            if kind != "a string" {
                return wrong("a percent such as \"30%\" or 30");
            }
            let s = json_string(raw)?;
            parse_percent_text(&s).ok_or_else(|| {
                format!("expected a percent such as \"30%\", found {}", preview(raw))
            })
        }
        Type::Text => {
            if kind != "a string" {
                return wrong("a string");
            }
            Ok(Value::Text(Arc::from(json_string(raw)?.as_ref())))
        }
        Type::Date => {
            if kind != "a string" {
                return wrong("a date such as \"2026-01-29\"");
            }
            let s = json_string(raw)?;
            parse_date(&s)
                .map(Value::Date)
                .ok_or_else(|| format!("{} is not a date (YYYY-MM-DD)", preview(raw)))
        }
        Type::Enum(id) => {
            if kind != "a string" {
                return wrong("one of the enum's values as a string");
            }
            let s = json_string(raw)?;
            let e = &schema.enums[*id as usize];
            e.index_of(&s)
                .map(Value::Enum)
                .ok_or_else(|| format!("{} is not one of {}", preview(raw), e.values.join(", ")))
        }
        Type::List(elem) => {
            if kind != "an array" {
                return wrong("an array");
            }
            let items: Vec<&RawValue> =
                serde_json::from_str(raw).map_err(|e| value_syntax(&e, raw))?;
            let values = items
                .iter()
                .map(|i| decode_typed(schema, elem, i.get()))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::List(Arc::from(values)))
        }
        Type::EmptyList | Type::Error => wrong("a value"),
    }
}

fn out_of_range(raw: &str, what: &str, e: NumberError) -> String {
    format!("{} does not fit in {what} ({})", preview(raw), e.reason())
}

/// `"30%"` or `"2.5%"` → percentage points.
pub(crate) fn parse_percent_text(s: &str) -> Option<Value> {
    let number = s.trim().strip_suffix('%')?.trim_end();
    if number.is_empty() || number.contains(['e', 'E', '_']) {
        return None;
    }
    crate::value::parse_decimal(number).map(Value::Percent)
}

/// The text of a JSON string token; without escapes, the slice between the quotes.
fn json_string(raw: &str) -> Result<std::borrow::Cow<'_, str>, String> {
    let inner = &raw[1..raw.len().saturating_sub(1).max(1)];
    if raw.len() >= 2 && !inner.bytes().any(|b| b == b'\\' || b < 0x20) {
        return Ok(std::borrow::Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(raw)
        .map(std::borrow::Cow::Owned)
        .map_err(|e| value_syntax(&e, raw))
}

/// A value shortened for messages.
fn preview(raw: &str) -> String {
    let mut s: String = raw.chars().take(40).collect();
    if s.len() < raw.len() {
        s.push('…');
    }
    s
}

/// NDJSON: one object per line; blank lines are not records.
pub(super) fn read_ndjson<R: BufRead>(
    mut input: R,
    each: &mut dyn FnMut(RawRecord) -> ControlFlow<()>,
) -> Result<(), InputError> {
    let mut buf = Vec::new();
    let mut line = 0usize;
    let mut position = 0usize;
    loop {
        buf.clear();
        let n = read_line_limited(&mut input, &mut buf)
            .map_err(|e| InputError::new(format!("cannot read the data: {e}"), Some(line + 1)))?;
        if n == 0 {
            return Ok(());
        }
        line += 1;
        let text = trim_line(&buf);
        if text.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        position += 1;
        let raw = if n > MAX_RECORD_BYTES {
            Raw::Bad(record_error(format!(
                "the line is longer than the limit of {MAX_RECORD_BYTES} bytes"
            )))
        } else {
            Raw::Json(text)
        };
        if each(RawRecord {
            position,
            line: Some(line),
            raw,
        })
        .is_break()
        {
            return Ok(());
        }
    }
}

/// Decodes the bytes of one JSON object.
pub(super) fn decode_bytes(schema: &Schema, bytes: &[u8]) -> Result<Vec<Value>, Vec<RecordError>> {
    match std::str::from_utf8(bytes) {
        Ok(text) => decode_record(schema, text),
        Err(_) => Err(vec![record_error("the record is not valid UTF-8")]),
    }
}

/// Reads one line into `buf`, keeping at most `MAX_RECORD_BYTES + 1` bytes of it;
/// returns the line's full length.
fn read_line_limited<R: BufRead>(input: &mut R, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut total = 0;
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            return Ok(total);
        }
        let (used, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = (MAX_RECORD_BYTES + 1).saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..used.min(room)]);
        total += used;
        input.consume(used);
        if done {
            return Ok(total);
        }
    }
}

fn trim_line(buf: &[u8]) -> &[u8] {
    let mut end = buf.len();
    while end > 0 && matches!(buf[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &buf[..end]
}

/// A JSON array of objects, read element by element (never whole).
pub(super) fn read_array<R: BufRead>(
    input: R,
    each: &mut dyn FnMut(RawRecord) -> ControlFlow<()>,
) -> Result<(), InputError> {
    let mut s = Scanner {
        input,
        line: 1,
        column: 1,
        peeked: None,
    };
    let eof = |line| {
        InputError::new(
            "the JSON array ends early: the data is truncated or not valid JSON",
            Some(line),
        )
    };
    s.skip_ws()?;
    match s.next()? {
        Some(b'[') => {}
        Some(b'\xef') => {
            return Err(InputError::new(
                "the JSON data starts with a byte-order mark; save it as plain UTF-8",
                Some(1),
            ))
        }
        _ => {
            return Err(InputError::new(
                "expected a JSON array `[...]` of records",
                Some(s.line),
            ))
        }
    }
    let mut position = 0usize;
    let mut element = Vec::new();
    loop {
        s.skip_ws()?;
        match s.peek()? {
            None => return Err(eof(s.line)),
            Some(b']') if position == 0 => {
                s.next()?;
                break;
            }
            _ => {}
        }
        let (line, column) = s.peeked_position();
        element.clear();
        let end = s.element(&mut element)?;
        position += 1;
        // An element over the limit was cut short: it cannot be judged as JSON.
        let raw = if element.len() > MAX_RECORD_BYTES {
            Raw::Bad(record_error(format!(
                "the record is longer than the limit of {MAX_RECORD_BYTES} bytes"
            )))
        } else {
            let text = std::str::from_utf8(&element).map_err(|_| {
                InputError::new(format!("record {position} is not valid UTF-8"), Some(line))
            })?;
            if let Err(e) = serde_json::from_str::<IgnoredAny>(text) {
                let d = describe(&e, text);
                return Err(InputError {
                    message: format!("record {position} is not valid JSON: {}", d.message),
                    line: Some(line + d.line - 1),
                    column: Some(if d.line == 1 {
                        column + d.column - 1
                    } else {
                        d.column
                    }),
                });
            }
            Raw::Json(text.as_bytes())
        };
        if each(RawRecord {
            position,
            line: Some(line),
            raw,
        })
        .is_break()
        {
            return Ok(());
        }
        match end {
            Some(b',') => continue,
            Some(b']') => break,
            _ => return Err(eof(s.line)),
        }
    }
    s.skip_ws()?;
    if s.peek()?.is_some() {
        return Err(InputError::new(
            "unexpected data after the end of the JSON array",
            Some(s.line),
        ));
    }
    Ok(())
}

/// A byte reader for splitting a JSON array into its elements.
struct Scanner<R> {
    input: R,
    /// Line and column (in characters) of the next byte, 1-based.
    line: usize,
    column: usize,
    peeked: Option<u8>,
}

impl<R: BufRead> Scanner<R> {
    fn peek(&mut self) -> Result<Option<u8>, InputError> {
        if self.peeked.is_none() {
            self.peeked = self.read_byte()?;
        }
        Ok(self.peeked)
    }

    /// The line and column of the byte `peek` returned (one that is not a line break).
    fn peeked_position(&self) -> (usize, usize) {
        match self.peeked {
            Some(b) if b & 0xc0 != 0x80 => (self.line, self.column - 1),
            _ => (self.line, self.column),
        }
    }

    fn next(&mut self) -> Result<Option<u8>, InputError> {
        match self.peeked.take() {
            Some(b) => Ok(Some(b)),
            None => self.read_byte(),
        }
    }

    fn read_byte(&mut self) -> Result<Option<u8>, InputError> {
        let buf = self
            .input
            .fill_buf()
            .map_err(|e| InputError::new(format!("cannot read the data: {e}"), Some(self.line)))?;
        let Some(&b) = buf.first() else {
            return Ok(None);
        };
        self.input.consume(1);
        if b == b'\n' {
            self.line += 1;
            self.column = 1;
        } else if b & 0xc0 != 0x80 {
            self.column += 1;
        }
        Ok(Some(b))
    }

    fn skip_ws(&mut self) -> Result<(), InputError> {
        while matches!(self.peek()?, Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.next()?;
        }
        Ok(())
    }

    /// Copies one element into `out` (up to the limit) and returns the byte that
    /// ended it: `,`, `]`, or `None` at the end of input.
    fn element(&mut self, out: &mut Vec<u8>) -> Result<Option<u8>, InputError> {
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let Some(b) = self.next()? else {
                return Ok(None);
            };
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                }
            } else {
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => depth -= 1,
                    b',' | b']' if depth == 0 => {
                        while out.last().is_some_and(|c| c.is_ascii_whitespace()) {
                            out.pop();
                        }
                        return Ok(Some(b));
                    }
                    _ => {}
                }
            }
            if out.len() <= MAX_RECORD_BYTES {
                out.push(b);
            }
        }
    }
}
