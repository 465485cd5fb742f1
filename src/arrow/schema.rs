//! Matching the data's columns to the policy's fields, once per input: which column
//! feeds which slot, and whether its Arrow type is one the field's type accepts.

use arrow_schema::{DataType, Schema};

use crate::eval::Policy;
use crate::ir;
use crate::value::Type;

/// Which column of the data feeds each field of the schema (by slot), checked against
/// the field's type; made by [`check_schema`] for one Arrow schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrowLayout {
    /// Per slot: the column's index in the Arrow schema, `None` for an optional field
    /// the data does not have.
    columns: Vec<Option<usize>>,
}

impl ArrowLayout {
    /// The column (index in the Arrow schema) that feeds field `slot`, if any.
    pub fn column_of(&self, slot: usize) -> Option<usize> {
        self.columns.get(slot).copied().flatten()
    }

    /// The columns the policy reads, in ascending order: a projection for readers
    /// that can skip the others (Parquet, Arrow IPC).
    pub fn projection(&self) -> Vec<usize> {
        let mut used: Vec<usize> = self.columns.iter().flatten().copied().collect();
        used.sort_unstable();
        used.dedup();
        used
    }
}

/// The data's columns do not fit the policy's schema (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ArrowSchemaError {
    /// What is wrong, naming the column, its Arrow type and what the field accepts.
    pub message: String,
    /// The field (and column name) at fault.
    pub column: String,
    /// A likely fix (a near column name).
    pub help: Option<String>,
}

/// Matches the columns of `schema` to the fields of `policy` by name: every required
/// field needs a column, and every column that feeds a field must have an Arrow type
/// its type accepts (docs/arrow.md). Other columns are ignored.
pub fn check_schema(policy: &Policy, schema: &Schema) -> Result<ArrowLayout, ArrowSchemaError> {
    let fields = &policy.schema.fields;
    let mut columns = Vec::with_capacity(fields.len());
    for field in fields {
        let found: Vec<usize> = (0..schema.fields().len())
            .filter(|i| schema.field(*i).name() == &field.name)
            .collect();
        match found.as_slice() {
            [] if field.optional => columns.push(None),
            [] => return Err(missing(field, schema)),
            [i] => {
                let ty = schema.field(*i).data_type();
                if !accepts(&field.ty, ty) {
                    return Err(wrong_type(field, ty));
                }
                columns.push(Some(*i));
            }
            _ => {
                return Err(ArrowSchemaError {
                    message: format!(
                        "the data has {} columns named `{}`; a field needs exactly one",
                        found.len(),
                        field.name
                    ),
                    column: field.name.clone(),
                    help: None,
                })
            }
        }
    }
    Ok(ArrowLayout { columns })
}

fn missing(field: &ir::Field, schema: &Schema) -> ArrowSchemaError {
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let listed = if names.is_empty() {
        "it has no columns".to_string()
    } else {
        let shown: Vec<String> = names.iter().take(40).map(|n| format!("`{n}`")).collect();
        let more = names.len().saturating_sub(40);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        format!("its columns are {}{more}", shown.join(", "))
    };
    let near = names
        .iter()
        .map(|n| (strsim::jaro_winkler(n, &field.name), *n))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| format!("did you mean `{n}`? rename the column to `{}`", field.name));
    ArrowSchemaError {
        message: format!(
            "the data has no column `{}`, which the policy requires; {listed}",
            field.name
        ),
        column: field.name.clone(),
        help: near,
    }
}

fn wrong_type(field: &ir::Field, ty: &DataType) -> ArrowSchemaError {
    let shown = match &field.ty {
        Type::Enum(_) => "an enum".to_string(),
        t => format!("`{t}`"),
    };
    ArrowSchemaError {
        message: format!(
            "the column `{}` is of type {ty}, which the field's type {shown} does not accept; \
             it accepts {}",
            field.name,
            accepted(&field.ty)
        ),
        column: field.name.clone(),
        help: None,
    }
}

/// The Arrow types a field's type accepts, in words.
pub(super) fn accepted(ty: &Type) -> String {
    let strings = "Utf8, LargeUtf8, Utf8View or a dictionary of them";
    match ty {
        Type::Bool => "Boolean".into(),
        Type::Int => "integers (Int8 to Int64, UInt8 to UInt64)".into(),
        Type::Decimal => "decimals (Decimal32 to Decimal256), integers and floats (Float32, Float64)".into(),
        Type::Percent => format!(
            "points as decimals, integers or floats (30 is 30%), or strings such as `30%` ({strings})"
        ),
        Type::Text => strings.into(),
        Type::Enum(_) => format!("the enum's values as strings ({strings})"),
        Type::Date => format!("Date32, Date64, or ISO dates as strings ({strings})"),
        Type::List(elem) => format!(
            "List, LargeList or FixedSizeList of {}",
            accepted(elem)
        ),
        Type::EmptyList | Type::Error => "nothing".into(),
    }
}

/// Whether a column of Arrow type `data` can feed a field of type `ty`.
pub(super) fn accepts(ty: &Type, data: &DataType) -> bool {
    use DataType as D;
    if let D::Dictionary(key, value) = data {
        return key.is_dictionary_key_type() && is_string(value) && string_type(ty);
    }
    match ty {
        Type::Bool => matches!(data, D::Boolean),
        Type::Int => is_integer(data),
        Type::Decimal => is_integer(data) || is_decimal(data) || is_float(data),
        Type::Percent => is_integer(data) || is_decimal(data) || is_float(data) || is_string(data),
        Type::Text | Type::Enum(_) => is_string(data),
        Type::Date => matches!(data, D::Date32 | D::Date64) || is_string(data),
        Type::List(elem) => match data {
            D::List(f) | D::LargeList(f) | D::FixedSizeList(f, _) => accepts(elem, f.data_type()),
            _ => false,
        },
        Type::EmptyList | Type::Error => false,
    }
}

/// Types that take strings (through a dictionary too).
fn string_type(ty: &Type) -> bool {
    matches!(ty, Type::Text | Type::Enum(_) | Type::Percent | Type::Date)
}

fn is_string(data: &DataType) -> bool {
    matches!(
        data,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    )
}

fn is_integer(data: &DataType) -> bool {
    data.is_integer()
}

fn is_float(data: &DataType) -> bool {
    matches!(data, DataType::Float32 | DataType::Float64)
}

fn is_decimal(data: &DataType) -> bool {
    matches!(
        data,
        DataType::Decimal32(..)
            | DataType::Decimal64(..)
            | DataType::Decimal128(..)
            | DataType::Decimal256(..)
    )
}
