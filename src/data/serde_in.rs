//! Records a program already holds parsed: a `serde_json::Value`, or whatever a serde
//! `Deserializer` gives (serde_json, simd-json, serde_yaml, …), decoded into rows without
//! writing them out as text first.
//!
//! The values a valid record holds (a string for a text, enum, date or percent field, a
//! number, a bool, null for an optional field, a list of those) are decoded directly. Any
//! other value, so every wrong one, is written as JSON text and handed to the JSON text
//! decoder: validation and every message are the text path's, by construction.
//!
//! Numbers are read from their text (the `Display` of `serde_json::Number`), never through
//! `f64` arithmetic. That text is exactly what was written when serde_json keeps numbers as
//! text (its `arbitrary_precision` feature, which this crate's feature of that name turns
//! on); otherwise serde_json has already made a non-integer an `f64` when it parsed it, and
//! its text is the shortest that reads back as that `f64` (`12000.00` becomes `12000.0`).

use std::fmt::{self, Write as _};
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Number, Value as Json};

use super::finish;
use super::json::{decode_record, decode_value as decode_text, parse_percent_text};
use crate::ir::Schema;
use crate::outcome::RecordError;
use crate::value::{parse_date, parse_number, Type, Value};

/// A row, or every problem of the record.
type Row = Result<Vec<Value>, Vec<RecordError>>;

/// Decodes a record held as a `serde_json::Value` (an object) into a row of the schema's
/// slots, or every problem of it, with the JSON text decoder's validation and messages.
pub fn decode_json_value(schema: &Schema, record: &Json) -> Row {
    let Json::Object(map) = record else {
        // The text decoder's words for what the record is instead.
        return decode_record(schema, &record.to_string());
    };
    let mut row = vec![Value::Missing; schema.fields.len()];
    let mut errors = Vec::new();
    let mut keys = Keys::new(schema);
    for (key, value) in map {
        if let Some(slot) = keys.slot(key) {
            match field(schema, slot, value) {
                Ok(v) => row[slot] = v,
                Err(e) => errors.push(e),
            }
        }
    }
    finish(schema, row, errors)
}

/// The record's `id`, when it is a string: the label of a record whose other fields
/// could not be decoded.
pub fn json_value_id(schema: &Schema, record: &Json) -> Option<String> {
    let slot = schema.id?;
    match record.get(&schema.fields[slot].name)? {
        Json::String(s) => Some(s.clone()),
        // A number as written (an `id: int`), as the text decoder labels it.
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// One field's value: decoded directly when it is of the field's type, else by the text
/// decoder from its JSON text (which words the error).
fn field(schema: &Schema, slot: usize, value: &Json) -> Result<Value, RecordError> {
    let f = &schema.fields[slot];
    let direct = match value {
        Json::Null => f.optional.then_some(Value::Missing),
        _ => typed(schema, &f.ty, value),
    };
    direct.map_or_else(|| decode_text(schema, slot, &value.to_string()), Ok)
}

/// A value of type `ty`, when `value` is a valid one; `None` leaves it to the text decoder.
fn typed(schema: &Schema, ty: &Type, value: &Json) -> Option<Value> {
    match value {
        Json::Bool(b) => matches!(ty, Type::Bool).then_some(Value::Bool(*b)),
        Json::Number(n) => number(ty, n),
        Json::String(s) => string(schema, ty, s),
        Json::Array(items) => match ty {
            Type::List(elem) => items
                .iter()
                .map(|i| typed(schema, elem, i))
                .collect::<Option<Vec<Value>>>()
                .map(|v| Value::List(Arc::from(v))),
            _ => None,
        },
        Json::Null | Json::Object(_) => None,
    }
}

fn number(ty: &Type, n: &Number) -> Option<Value> {
    match ty {
        // The text decoder reads an int as `i64` from the number's text, as `as_i64` does.
        Type::Int => n.as_i64().map(Value::Int),
        Type::Decimal => with_text(n, |t| parse_number(t).ok()).map(Value::Decimal),
        Type::Percent => with_text(n, |t| parse_number(t).ok()).map(Value::Percent),
        _ => None,
    }
}

fn string(schema: &Schema, ty: &Type, s: &str) -> Option<Value> {
    match ty {
        Type::Text => Some(Value::Text(Arc::from(s))),
        Type::Percent => parse_percent_text(s),
        Type::Date => parse_date(s).map(Value::Date),
        Type::Enum(id) => schema.enums[*id as usize].index_of(s).map(Value::Enum),
        _ => None,
    }
}

/// Calls `f` with the number's JSON text, written on the stack when it is short.
fn with_text<R>(n: &Number, f: impl FnOnce(&str) -> Option<R>) -> Option<R> {
    let mut short = ShortText::default();
    match write!(short, "{n}") {
        Ok(()) => f(short.as_str()),
        Err(_) => f(&n.to_string()),
    }
}

/// Up to 64 bytes of text without allocating; writing more fails.
struct ShortText {
    bytes: [u8; 64],
    len: usize,
}

impl Default for ShortText {
    fn default() -> Self {
        ShortText {
            bytes: [0; 64],
            len: 0,
        }
    }
}

impl ShortText {
    fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so the bytes are UTF-8.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl fmt::Write for ShortText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let room = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        room.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Maps keys to slots. Keys that come sorted (a `serde_json::Map` without serde_json's
/// `preserve_order`) are matched by merging them with the field names in sorted order;
/// a key the merge does not find is looked up, and once keys come out of order (a map in
/// document order), every key is: first as the field after the last one found, then by
/// hash.
struct Keys<'s> {
    schema: &'s Schema,
    /// In the merge: the next name of `schema.by_name` to compare.
    next: usize,
    merging: bool,
    /// Out of the merge: the slot after the last key found.
    guess: usize,
}

impl<'s> Keys<'s> {
    fn new(schema: &'s Schema) -> Self {
        Keys {
            schema,
            next: 0,
            merging: true,
            guess: 0,
        }
    }

    fn slot(&mut self, key: &str) -> Option<usize> {
        let fields = &self.schema.fields;
        if self.merging {
            while let Some(&slot) = self.schema.by_name.get(self.next) {
                match fields[slot].name.as_str().cmp(key) {
                    std::cmp::Ordering::Less => self.next += 1,
                    std::cmp::Ordering::Equal => {
                        self.next += 1;
                        return Some(slot);
                    }
                    std::cmp::Ordering::Greater => break,
                }
            }
            // Not among the names after the last key: unknown, or the keys are not sorted.
            let slot = self.schema.slot(key)?;
            self.merging = false;
            self.guess = slot + 1;
            return Some(slot);
        }
        let slot = match fields.get(self.guess) {
            Some(f) if f.name == key => self.guess,
            _ => self.schema.slot(key)?,
        };
        self.guess = slot + 1;
        Some(slot)
    }
}

// ---------------------------------------------------------------- any Deserializer

/// Decodes one record from any serde `Deserializer` into a row, or every problem of the
/// record (the same as [`decode_json_value`] of the record as a `serde_json::Value`);
/// only what the deserializer itself cannot read is its error.
///
/// Integers come through exactly; a non-integer comes as the deserializer hands it over
/// (serde_json and most formats give an `f64` unless serde_json keeps numbers as text).
#[derive(Debug, Clone, Copy)]
pub struct RowSeed<'s> {
    /// The schema of the rows.
    pub schema: &'s Schema,
}

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = Row;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Row, D::Error> {
        d.deserialize_any(RecordVisitor {
            schema: self.schema,
        })
    }
}

struct RecordVisitor<'s> {
    schema: &'s Schema,
}

impl RecordVisitor<'_> {
    /// A record that is not an object, in the text decoder's words.
    fn not_an_object(&self, found: Json) -> Row {
        decode_json_value(self.schema, &found)
    }
}

impl<'de> Visitor<'de> for RecordVisitor<'_> {
    type Value = Row;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Row, A::Error> {
        let schema = self.schema;
        let mut row = vec![Value::Missing; schema.fields.len()];
        let mut errors = Vec::new();
        let mut keys = Keys::new(schema);
        let mut first = true;
        while let Some(key) = map.next_key_seed(KeySeed { keys: &mut keys })? {
            let slot = match key {
                Key::Slot(slot) => slot,
                // A number serde_json keeps as text, not a record.
                Key::Number if first => {
                    map.next_value::<IgnoredAny>()?;
                    return Ok(self.not_an_object(Json::from(0)));
                }
                Key::Number | Key::Unknown => {
                    map.next_value::<IgnoredAny>()?;
                    first = false;
                    continue;
                }
            };
            first = false;
            match map.next_value_seed(FieldSeed { schema, slot })? {
                Ok(v) => row[slot] = v,
                Err(e) => errors.push(e),
            }
        }
        Ok(finish(schema, row, errors))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Row, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(self.not_an_object(Json::Array(Vec::new())))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Row, E> {
        Ok(self.not_an_object(Json::String(String::new())))
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Row, E> {
        Ok(self.not_an_object(Json::Bool(b)))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Row, E> {
        Ok(self.not_an_object(Json::from(0)))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Row, E> {
        Ok(self.not_an_object(Json::from(0)))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Row, E> {
        Ok(self.not_an_object(Json::from(0)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Row, E> {
        Ok(self.not_an_object(Json::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Row, E> {
        Ok(self.not_an_object(Json::Null))
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Row, D::Error> {
        d.deserialize_any(self)
    }
}

/// The key serde_json gives a number it keeps as text (its `arbitrary_precision`): it
/// hands such a number to a visitor as a map of this one key to the number's text.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// What a key is.
enum Key {
    Slot(usize),
    Unknown,
    /// serde_json's [`NUMBER_TOKEN`].
    Number,
}

/// Maps a key to its slot while reading it, without allocating.
struct KeySeed<'k, 's> {
    keys: &'k mut Keys<'s>,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, '_> {
    type Value = Key;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, '_> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(match self.keys.slot(key) {
            Some(slot) => Key::Slot(slot),
            None if key == NUMBER_TOKEN => Key::Number,
            None => Key::Unknown,
        })
    }
}

/// One field's value: the value, or the record error that words what is wrong with it.
struct FieldSeed<'s> {
    schema: &'s Schema,
    slot: usize,
}

impl FieldSeed<'_> {
    fn decode(&self, value: &Json) -> Result<Value, RecordError> {
        field(self.schema, self.slot, value)
    }
}

type FieldValue = Result<Value, RecordError>;

impl<'de> DeserializeSeed<'de> for FieldSeed<'_> {
    type Value = FieldValue;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<FieldValue, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FieldSeed<'_> {
    type Value = FieldValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field's value")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<FieldValue, E> {
        let ty = &self.schema.fields[self.slot].ty;
        Ok(match string(self.schema, ty, s) {
            Some(v) => Ok(v),
            None => self.decode(&Json::String(s.to_string())),
        })
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<FieldValue, E> {
        Ok(self.decode(&Json::Bool(b)))
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<FieldValue, E> {
        Ok(self.decode(&Json::from(i)))
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<FieldValue, E> {
        Ok(self.decode(&Json::from(u)))
    }

    /// As serde_json holds an `f64`: a number, or null when it is not finite.
    fn visit_f64<E: de::Error>(self, x: f64) -> Result<FieldValue, E> {
        Ok(self.decode(&Json::from(x)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<FieldValue, E> {
        Ok(self.decode(&Json::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<FieldValue, E> {
        Ok(self.decode(&Json::Null))
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<FieldValue, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<FieldValue, A::Error> {
        let value = Json::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(self.decode(&value))
    }

    /// An object; also how serde_json hands over a number it keeps as text.
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<FieldValue, A::Error> {
        let value = Json::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(self.decode(&value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write;

    fn schema() -> Schema {
        let p = crate::compile("policy \"s\" schema { b: int, a: text, c: decimal? }").unwrap();
        p.schema.clone()
    }

    #[test]
    fn keys_are_found_in_any_order_and_unknown_ones_are_not() {
        let s = schema();
        for order in [
            ["a", "b", "c", "zz"],
            ["b", "a", "c", "zz"],
            ["c", "b", "zz", "a"],
            ["zz", "c", "a", "b"],
        ] {
            let mut keys = Keys::new(&s);
            let found: Vec<Option<usize>> = order.iter().map(|k| keys.slot(k)).collect();
            let expected: Vec<Option<usize>> = order.iter().map(|k| s.slot(k)).collect();
            assert_eq!(found, expected, "{order:?}");
        }
        let mut keys = Keys::new(&s);
        assert_eq!([keys.slot("a"), keys.slot("a")], [Some(1), Some(1)]);
    }

    #[test]
    fn long_numbers_are_written_off_the_stack() {
        let n: Number = serde_json::from_str("12345678901234567890123").unwrap();
        assert_eq!(with_text(&n, |t| Some(t.to_string())), Some(n.to_string()));
        let mut short = ShortText::default();
        assert!(write!(short, "{}", "x".repeat(65)).is_err());
    }
}
