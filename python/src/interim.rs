//! Interim Arrow decoding and results, through JSON rows (until clearance's `arrow`
//! feature gives `decode_batch` and `results_schema`): each input row is written as a
//! JSON object and decoded as the JSON reader decodes it; results are read into Arrow
//! from their NDJSON form.

use std::io::Cursor;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, DataType, Field, Fields, Schema, SchemaRef};
use clearance::{Policy, RecordResult};

use crate::engine::Decoded;

fn text() -> DataType {
    DataType::Utf8
}

fn list_of(fields: Vec<Field>) -> DataType {
    DataType::List(Arc::new(Field::new(
        "item",
        DataType::Struct(Fields::from(fields)),
        true,
    )))
}

fn fired() -> DataType {
    list_of(vec![
        Field::new("rule", text(), false),
        Field::new("verdict", text(), false),
        Field::new("reason", text(), false),
    ])
}

fn field_value() -> DataType {
    DataType::Struct(Fields::from(vec![
        Field::new("field", text(), false),
        Field::new("value", text(), false),
    ]))
}

/// The Arrow schema of results: the fields of `clearance eval --format ndjson`.
pub fn results_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("record", text(), false),
        Field::new("position", DataType::Int64, false),
        Field::new("decision", text(), false),
        Field::new("rules", fired(), false),
        Field::new("warnings", fired(), false),
        Field::new(
            "errors",
            list_of(vec![
                Field::new("rule", text(), true),
                Field::new("field", text(), true),
                Field::new("message", text(), false),
            ]),
            false,
        ),
        Field::new(
            "allocations",
            list_of(vec![
                Field::new("rule", text(), false),
                Field::new("group", field_value(), true),
                Field::new("cap", text(), false),
                Field::new("counts", text(), false),
                Field::new("quantity", text(), false),
                Field::new("remaining", text(), false),
                Field::new("place", DataType::Int64, false),
                Field::new("order_by", field_value(), true),
                Field::new("fits", DataType::Boolean, false),
                Field::new("admitted", DataType::Boolean, false),
            ]),
            true,
        ),
    ]))
}

/// The results as one Arrow batch of [`results_schema`].
pub fn results_batch(results: &[RecordResult]) -> Result<RecordBatch, ArrowError> {
    let mut ndjson = Vec::new();
    for r in results {
        serde_json::to_writer(&mut ndjson, r).map_err(|e| ArrowError::JsonError(e.to_string()))?;
        ndjson.push(b'\n');
    }
    let schema = results_schema();
    let reader = arrow_json::ReaderBuilder::new(schema.clone())
        .with_batch_size(results.len().max(1))
        .build(Cursor::new(ndjson))?;
    let batches = reader.collect::<Result<Vec<_>, _>>()?;
    arrow_select_concat(&schema, &batches)
}

fn arrow_select_concat(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<RecordBatch, ArrowError> {
    match batches {
        [] => Ok(RecordBatch::new_empty(schema.clone())),
        [one] => Ok(one.clone()),
        _ => Err(ArrowError::ComputeError("more than one batch".into())),
    }
}

/// Decodes every row of `batch` for `policy`, with the label of a bad record (its `id`
/// when it has one).
pub fn decode(policy: &Policy, batch: &RecordBatch) -> Result<Vec<(Decoded, Option<String>)>, ArrowError> {
    let mut writer = arrow_json::LineDelimitedWriter::new(Vec::new());
    writer.write(batch)?;
    writer.finish()?;
    let bytes = writer.into_inner();
    let text = String::from_utf8(bytes).map_err(|e| ArrowError::JsonError(e.to_string()))?;
    let id = policy.schema.id.map(|slot| policy.schema.fields[slot].name.clone());
    let mut out = Vec::with_capacity(batch.num_rows());
    for line in text.lines() {
        let decoded = clearance::data::decode_json(&policy.schema, line);
        let label = match (&decoded, &id) {
            (Err(_), Some(id)) => serde_json::from_str::<serde_json::Value>(line)
                .ok()
                .and_then(|v| v.get(id).and_then(|v| v.as_str()).map(str::to_string)),
            _ => None,
        };
        out.push((decoded, label));
    }
    Ok(out)
}
