//! The pest parser generated from `grammar/clearance.pest`. Nothing outside
//! `syntax` sees its types.

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/clearance.pest"]
pub(super) struct PolicyParser;
