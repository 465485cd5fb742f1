//! Evaluation of a checked policy: compiled per-record rules ([`Program`]), the
//! runnable [`Policy`] that renders their outcome, `limit` allocation, and the
//! evaluation of a chunk held as columns (`columnar.rs`).

mod allocate;
mod allot;
mod columnar;
mod policy;
mod program;
mod reason;

pub use crate::columns::{
    Bitmap, Column, ColumnData, ColumnError, Columns, ColumnsBuilder, DecimalColumn, Mantissas,
};
pub use allocate::{allocate, Allocation, Allocator, Allotment, Candidate, LimitReport, Turn};
pub use columnar::{evaluate_chunk_columnar, ChunkFired};
pub use policy::Policy;
pub use program::{FiredSet, Program};
