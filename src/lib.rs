//! Clearance: a rules engine for import-control policies.
#![forbid(unsafe_code)]

pub mod ast;
pub mod diagnostics;
pub mod span;
pub mod syntax;
pub mod value;
