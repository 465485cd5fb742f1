//! Parquet and Arrow IPC data (feature `arrow`): record batches in, results out as a
//! record batch or a Parquet file. See docs/arrow.md for the type mapping and the
//! columns of the results.
//!
//! The steps, each public so that other front ends (the Python package) use the same:
//! [`check_schema`] matches the data's columns to the policy's fields once, before any
//! record is read (a missing column or a column of a type the field cannot take is an
//! [`ArrowSchemaError`]); [`decode_batch`] turns a batch into rows; [`evaluate_batches`]
//! runs the policy over batches on worker threads, results in input order, as a table of
//! [`results_schema`] built by [`ResultsBuilder`].
//!
//! ```
//! use std::sync::Arc;
//! use clearance::arrow::arrow_array::{RecordBatch, StringArray, Int64Array};
//! use clearance::arrow::{evaluate_batches, ResultsBuilder};
//!
//! let policy = clearance::compile(r#"
//!     policy "units" default allow
//!     schema { id: text, units: int }
//!     rule big: deny when units > 100 because "{units} units"
//! "#).unwrap();
//! let batch = RecordBatch::try_from_iter([
//!     ("id", Arc::new(StringArray::from(vec!["A", "B"])) as _),
//!     ("units", Arc::new(Int64Array::from(vec![5, 500])) as _),
//! ]).unwrap();
//! let (tables, summary) = evaluate_batches(&policy, [Ok(batch)].into_iter(), 1).unwrap();
//! assert_eq!((summary.allow, summary.deny), (1, 1));
//! assert_eq!(tables.iter().map(|t| t.num_rows()).sum::<usize>(), 2);
//! ```

mod decode;
mod files;
mod results;
mod run;
mod schema;

pub use arrow_array;
pub use arrow_buffer;
pub use arrow_ipc;
pub use arrow_schema;
pub use parquet;

pub use decode::{decode_batch, decode_batch_with_ids, DecodedRow};
pub use files::{read_batches, ArrowFormat, BatchReader, ParquetResultsWriter};
pub use results::{results_schema, ResultsBuilder};
pub use run::{evaluate_batches, evaluate_batches_parallel};
pub use schema::{check_schema, ArrowLayout, ArrowSchemaError};

use crate::data::InputError;

/// Arrow data that cannot be evaluated as a whole (exit code 2): its columns do not fit
/// the policy's schema, or the file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArrowInputError {
    /// The columns do not fit the schema (found before any record was evaluated).
    #[error("{0}")]
    Schema(ArrowSchemaError),
    /// The data cannot be read (not Parquet or Arrow, damaged, an I/O error).
    #[error("{0}")]
    Read(String),
}

impl ArrowInputError {
    /// A help text, when a fix is likely.
    pub fn help(&self) -> Option<&str> {
        match self {
            ArrowInputError::Schema(e) => e.help.as_deref(),
            ArrowInputError::Read(_) => None,
        }
    }
}

impl From<ArrowSchemaError> for ArrowInputError {
    fn from(e: ArrowSchemaError) -> Self {
        ArrowInputError::Schema(e)
    }
}

impl From<arrow_schema::ArrowError> for ArrowInputError {
    fn from(e: arrow_schema::ArrowError) -> Self {
        ArrowInputError::Read(format!("cannot read the data: {e}"))
    }
}

impl From<parquet::errors::ParquetError> for ArrowInputError {
    fn from(e: parquet::errors::ParquetError) -> Self {
        ArrowInputError::Read(format!("cannot read the Parquet data: {e}"))
    }
}

impl From<ArrowInputError> for InputError {
    fn from(e: ArrowInputError) -> Self {
        let message = match e.help() {
            Some(h) => format!("{e}; {h}"),
            None => e.to_string(),
        };
        InputError::new(message, None)
    }
}
