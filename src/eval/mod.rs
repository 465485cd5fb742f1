//! Evaluation of a checked policy: compiled per-record rules ([`Program`]), the
//! runnable [`Policy`] that renders their outcome, and `limit` allocation.

mod allocate;
mod policy;
mod program;
mod reason;

pub use allocate::{Allocator, Allotment, Entry, LimitReport};
pub use policy::Policy;
pub use program::{FiredSet, Program};
