//! Evaluation of a checked policy: compiled per-record rules ([`Program`]), the
//! runnable [`Policy`] that renders their outcome, and `limit` allocation.

mod allocate;
mod allot;
mod policy;
mod program;

pub use allocate::{allocate, Allocation, Allocator, Allotment, Candidate, LimitReport, Turn};
pub use policy::Policy;
pub use program::{FiredSet, Program};
