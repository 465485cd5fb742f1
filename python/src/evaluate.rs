//! `Policy.evaluate` and the native steps of `clearance.spark`.

use arrow_array::{
    Array, Int64Array, RecordBatch, RecordBatchIterator, RecordBatchReader, StringArray,
};
use arrow_schema::ArrowError;
use clearance::allocation::{allocate, Candidate};
use clearance::Policy;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::engine::{evaluate, Input};
use crate::stream::ResultStream;
use crate::transport;
use clearance::arrow::{
    check_schema, decode_batch_with_ids, evaluate_batches, results_schema, ResultsBuilder,
};

fn arrow_err(e: ArrowError) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// A stream over batches already made.
pub fn stream_of(schema: arrow_schema::SchemaRef, batches: Vec<RecordBatch>) -> ResultStream {
    let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), schema);
    ResultStream::new(Box::new(reader))
}

/// Every batch of `reader`.
fn read_all(reader: impl RecordBatchReader) -> Result<Vec<RecordBatch>, ArrowError> {
    reader.collect()
}

/// The inputs of `batch`, at the positions of its column `position`, or from `first` on.
fn inputs(
    policy: &Policy,
    batch: &RecordBatch,
    position: Option<&str>,
    first: usize,
) -> Result<Vec<Input>, ArrowError> {
    let positions: Option<Vec<usize>> = match position {
        None => None,
        Some(name) => {
            let column = batch.column_by_name(name).ok_or_else(|| {
                ArrowError::SchemaError(format!("the data has no position column `{name}`"))
            })?;
            let column = arrow_cast_i64(column)?;
            let mut out = Vec::with_capacity(column.len());
            for i in 0..column.len() {
                if column.is_null(i) || column.value(i) < 1 {
                    return Err(ArrowError::InvalidArgumentError(format!(
                        "the position column `{name}` must hold positions from 1, without nulls"
                    )));
                }
                out.push(column.value(i) as usize);
            }
            Some(out)
        }
    };
    Ok(decode(policy, batch)?
        .into_iter()
        .enumerate()
        .map(|(k, (row, bad_label))| Input {
            position: positions.as_ref().map_or(first + k, |p| p[k]),
            row,
            bad_label,
        })
        .collect())
}

fn arrow_cast_i64(column: &dyn Array) -> Result<Int64Array, ArrowError> {
    column
        .as_any()
        .downcast_ref::<Int64Array>()
        .cloned()
        .ok_or_else(|| {
            ArrowError::SchemaError("the position column must be of 64-bit integers".into())
        })
}

/// A whole batch, the allocation included (`clearance::arrow::evaluate_batches`): results
/// in input order.
pub fn evaluate_all(
    policy: &Policy,
    reader: arrow_array::ffi_stream::RecordBatchStreamReader,
    threads: usize,
) -> PyResult<Vec<RecordBatch>> {
    match evaluate_batches(policy, reader, threads) {
        Ok((tables, _summary)) => Ok(tables),
        Err(e) => {
            let help = e.help().map(|h| format!("; {h}")).unwrap_or_default();
            Err(PyValueError::new_err(format!("{e}{help}")))
        }
    }
}

fn results_batch(results: &[clearance::RecordResult]) -> Result<RecordBatch, ArrowError> {
    let mut builder = ResultsBuilder::new();
    results.iter().for_each(|r| builder.push(r));
    Ok(builder.finish())
}

/// Decodes every row of `batch` for `policy` (`clearance::arrow::decode_batch`), with the
/// label of a bad record: its `id` when the data has it.
fn decode(
    policy: &Policy,
    batch: &RecordBatch,
) -> Result<Vec<(crate::engine::Decoded, Option<String>)>, ArrowError> {
    let layout = check_schema(policy, &batch.schema()).map_err(|e| {
        let help = e
            .help
            .as_deref()
            .map(|h| format!("; {h}"))
            .unwrap_or_default();
        ArrowError::SchemaError(format!("{e}{help}"))
    })?;
    Ok(decode_batch_with_ids(policy, &layout, batch)
        .into_iter()
        .map(|(id, row)| {
            // Only a bad record needs its label from here; a good one is labelled from its row.
            let label = if row.is_err() { id } else { None };
            (row, label)
        })
        .collect())
}

/// The results of the records of `batches` at the positions of their `position` column,
/// each with the allotment in its column `allotments` when given.
pub fn records(
    policy: &Policy,
    batches: &[RecordBatch],
    position: &str,
    allotments: Option<&str>,
) -> Result<Vec<RecordBatch>, ArrowError> {
    let mut out = Vec::new();
    for b in batches {
        let allotted = match allotments {
            None => None,
            Some(name) => Some(
                b.column_by_name(name)
                    .and_then(|c| c.as_any().downcast_ref::<StringArray>())
                    .ok_or_else(|| {
                        ArrowError::SchemaError(format!("no allotment column `{name}`"))
                    })?
                    .clone(),
            ),
        };
        let mut results = Vec::with_capacity(b.num_rows());
        for (k, input) in inputs(policy, b, Some(position), 0)?.iter().enumerate() {
            let allotment = allotted
                .as_ref()
                .filter(|a| !a.is_null(k))
                .and_then(|a| transport::parse_allotment(input.position, a.value(k)));
            results.push(evaluate(policy, input, allotment.as_ref()).0);
        }
        out.push(results_batch(&results)?);
    }
    Ok(out)
}

/// The candidates of the records of `batches` (numbered by their positions).
pub fn candidates(
    policy: &Policy,
    batches: &[RecordBatch],
    position: &str,
) -> Result<Vec<RecordBatch>, ArrowError> {
    let mut out = Vec::new();
    for b in batches {
        let mut all = Vec::new();
        for input in inputs(policy, b, Some(position), 0)? {
            all.extend(evaluate(policy, &input, None).1);
        }
        out.push(transport::candidates_batch(&all)?);
    }
    Ok(out)
}

/// The allotments of the candidates in `batches`: those of a whole batch, or of one group
/// when every limit is `per` the same field.
pub fn allotments(policy: &Policy, batches: &[RecordBatch]) -> Result<RecordBatch, ArrowError> {
    let mut all: Vec<Candidate> = Vec::new();
    for b in batches {
        transport::read_candidates(b, &mut all)?;
    }
    all.sort_by_key(|c| (c.record, c.limit));
    let allocation = allocate(policy, all);
    let allotments: Vec<_> = allocation.allotments().collect();
    transport::allotments_batch(&allotments)
}

pub fn results_stream(batches: Vec<RecordBatch>) -> ResultStream {
    stream_of(results_schema(), batches)
}

/// Reads `data` (anything with `__arrow_c_stream__`, or pandas) into batches, without the GIL.
pub fn read(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Vec<RecordBatch>> {
    let reader = crate::stream::import(data)?;
    py.allow_threads(|| read_all(reader)).map_err(arrow_err)
}

pub fn to_py<T>(r: Result<T, ArrowError>) -> PyResult<T> {
    r.map_err(arrow_err)
}

/// The results with only the columns named in `fields` (in that order), as a stream.
pub fn select(batches: Vec<RecordBatch>, fields: Option<&[String]>) -> PyResult<ResultStream> {
    let schema = results_schema();
    let Some(fields) = fields else {
        return Ok(results_stream(batches));
    };
    let mut indices = Vec::with_capacity(fields.len());
    for f in fields {
        match schema.index_of(f) {
            Ok(i) => indices.push(i),
            Err(_) => {
                let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
                return Err(PyValueError::new_err(format!(
                    "there is no result field `{f}`; the fields are {}",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
    }
    let projected = std::sync::Arc::new(schema.project(&indices).map_err(arrow_err)?);
    let batches = batches
        .iter()
        .map(|b| b.project(&indices))
        .collect::<Result<Vec<_>, _>>()
        .map_err(arrow_err)?;
    Ok(stream_of(projected, batches))
}
