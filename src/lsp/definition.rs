//! Go to definition and find references, from the symbol index.

use lsp_types::{Location, Uri};

use super::analysis::Analysis;
use super::index::Symbol;

/// Where the name under the cursor is defined: a field or enum value in the schema,
/// a `let`, a rule.
pub fn definition(a: &Analysis, uri: &Uri, offset: usize) -> Option<Location> {
    let here = a.index.at(offset)?;
    if here.symbol == Symbol::Function {
        return None;
    }
    let def = a.index.definition(here.symbol)?;
    Some(Location::new(uri.clone(), a.lines.range(&a.text, def.span)))
}

/// Every use of the name under the cursor (and its definition, if asked for).
pub fn references(
    a: &Analysis,
    uri: &Uri,
    offset: usize,
    include_declaration: bool,
) -> Option<Vec<Location>> {
    let here = a.index.at(offset)?;
    if here.symbol == Symbol::Function {
        return None;
    }
    Some(
        a.index
            .references(here.symbol)
            .filter(|o| include_declaration || !o.definition)
            .map(|o| Location::new(uri.clone(), a.lines.range(&a.text, o.span)))
            .collect(),
    )
}
