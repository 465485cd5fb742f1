//! Candidates and allotments as Arrow columns, to carry them between Spark stages.
//!
//! A candidate row: `record` (the position), `limit`, `group` and `order` (the values as
//! text, canonical: equal values have equal text, so Spark can group by `group`), and
//! `quantity`. An allotment row: `index` (the position) and `allotment`, its turns as text.

use std::str::FromStr;
use std::sync::Arc;

use arrow_array::builder::{Int32Builder, Int64Builder, StringBuilder};
use arrow_array::{Array, ArrayRef, Int32Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use clearance::allocation::{Allotment, Candidate, Turn};
use clearance::value::{parse_date, Decimal, Value};

pub fn candidates_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("record", DataType::Int64, false),
        Field::new("limit", DataType::Int32, false),
        Field::new("group", DataType::Utf8, true),
        Field::new("order", DataType::Utf8, true),
        Field::new("quantity", DataType::Utf8, false),
    ]))
}

pub fn allotments_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("index", DataType::Int64, false),
        Field::new("allotment", DataType::Utf8, false),
    ]))
}

/// A value as canonical, tagged text (`None` for a missing one): equal values have equal
/// text (decimals without trailing zeros), and the tag tells the type back.
fn value_text(v: &Value) -> Option<String> {
    Some(match v {
        Value::Missing | Value::List(_) => return None,
        Value::Bool(b) => format!("b:{b}"),
        Value::Int(i) => format!("i:{i}"),
        Value::Decimal(d) => format!("d:{}", d.normalize()),
        Value::Percent(d) => format!("p:{}", d.normalize()),
        Value::Text(t) => format!("t:{t}"),
        Value::Date(d) => format!("D:{}", d.format("%Y-%m-%d")),
        Value::Enum(i) => format!("e:{i}"),
    })
}

/// The value of `value_text`'s text.
fn text_value(text: Option<&str>) -> Result<Value, ArrowError> {
    let Some(text) = text else {
        return Ok(Value::Missing);
    };
    let bad = || ArrowError::InvalidArgumentError(format!("`{text}` is not a tagged value"));
    let (tag, v) = text.split_once(':').ok_or_else(bad)?;
    Ok(match tag {
        "b" => Value::Bool(v == "true"),
        "i" => Value::Int(v.parse().map_err(|_| bad())?),
        "d" => Value::Decimal(Decimal::from_str(v).map_err(|_| bad())?),
        "p" => Value::Percent(Decimal::from_str(v).map_err(|_| bad())?),
        "t" => Value::text(v),
        "D" => Value::Date(parse_date(v).ok_or_else(bad)?),
        "e" => Value::Enum(v.parse().map_err(|_| bad())?),
        _ => return Err(bad()),
    })
}

pub fn candidates_batch(candidates: &[Candidate]) -> Result<RecordBatch, ArrowError> {
    let mut record = Int64Builder::with_capacity(candidates.len());
    let mut limit = Int32Builder::with_capacity(candidates.len());
    let mut group = StringBuilder::new();
    let mut order = StringBuilder::new();
    let mut quantity = StringBuilder::new();
    for c in candidates {
        record.append_value(c.record as i64);
        limit.append_value(c.limit as i32);
        group.append_option(value_text(&c.group));
        order.append_option(value_text(&c.order));
        quantity.append_value(c.quantity.to_string());
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(record.finish()),
        Arc::new(limit.finish()),
        Arc::new(group.finish()),
        Arc::new(order.finish()),
        Arc::new(quantity.finish()),
    ];
    RecordBatch::try_new(candidates_schema(), columns)
}

fn column<'a, T: 'static>(batch: &'a RecordBatch, name: &str) -> Result<&'a T, ArrowError> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<T>())
        .ok_or_else(|| ArrowError::SchemaError(format!("no column `{name}` of the right type")))
}

/// The candidates of `batch`.
pub fn read_candidates(batch: &RecordBatch, out: &mut Vec<Candidate>) -> Result<(), ArrowError> {
    let record = column::<Int64Array>(batch, "record")?;
    let limit = column::<Int32Array>(batch, "limit")?;
    let group = column::<StringArray>(batch, "group")?;
    let order_by = column::<StringArray>(batch, "order")?;
    let quantity = column::<StringArray>(batch, "quantity")?;
    fn text(a: &StringArray, i: usize) -> Option<&str> {
        (!a.is_null(i)).then(|| a.value(i))
    }
    for i in 0..batch.num_rows() {
        out.push(Candidate {
            record: record.value(i) as usize,
            limit: limit.value(i) as usize,
            group: text_value(text(group, i))?,
            order: text_value(text(order_by, i))?,
            quantity: Decimal::from_str(quantity.value(i))
                .map_err(|e| ArrowError::InvalidArgumentError(e.to_string()))?,
        });
    }
    Ok(())
}

/// `refused_by|limit,quantity,remaining,place,fits,admitted;...` (`refused_by` empty when
/// the record was admitted).
fn allotment_text(a: &Allotment) -> String {
    let turns: Vec<String> = a
        .turns
        .iter()
        .map(|t| {
            format!(
                "{},{},{},{},{},{}",
                t.limit, t.quantity, t.remaining, t.place, t.fits as u8, t.admitted as u8
            )
        })
        .collect();
    let refused = a.refused_by.map(|r| r.to_string()).unwrap_or_default();
    format!("{refused}|{}", turns.join(";"))
}

pub fn parse_allotment(record: usize, text: &str) -> Option<Allotment> {
    let (refused, turns) = text.split_once('|')?;
    let refused_by = if refused.is_empty() {
        None
    } else {
        Some(refused.parse().ok()?)
    };
    let turns = turns
        .split(';')
        .map(|t| {
            let p: Vec<&str> = t.split(',').collect();
            let [limit, quantity, remaining, place, fits, admitted] = p[..] else {
                return None;
            };
            Some(Turn {
                limit: limit.parse().ok()?,
                quantity: Decimal::from_str(quantity).ok()?,
                remaining: Decimal::from_str(remaining).ok()?,
                place: place.parse().ok()?,
                fits: fits == "1",
                admitted: admitted == "1",
                before: None,
            })
        })
        .collect::<Option<Vec<Turn>>>()?;
    Some(Allotment {
        record,
        turns,
        refused_by,
    })
}

pub fn allotments_batch(allotments: &[Allotment]) -> Result<RecordBatch, ArrowError> {
    let mut index = Int64Builder::with_capacity(allotments.len());
    let mut text = StringBuilder::new();
    for a in allotments {
        index.append_value(a.record as i64);
        text.append_value(allotment_text(a));
    }
    let columns: Vec<ArrayRef> = vec![Arc::new(index.finish()), Arc::new(text.finish())];
    RecordBatch::try_new(allotments_schema(), columns)
}
