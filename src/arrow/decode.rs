//! Columns → rows: each column of a batch is read once, by the field's type, into the
//! slots of the batch's rows. Bad values are errors of their record only.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Decimal128Type, Decimal256Type, Decimal32Type, Decimal64Type, Float32Type, Float64Type,
    Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;

use super::schema::ArrowLayout;
use crate::data::{field_error, finish};
use crate::eval::Policy;
use crate::ir::Schema;
use crate::outcome::RecordError;
use crate::value::{parse_date, parse_number, Date, Decimal, EnumType, Type, Value};

/// One batch decoded: a row per record (the values that could be read, `Missing` for
/// the others) and each record's errors.
pub(crate) struct Decoded {
    pub rows: Vec<Vec<Value>>,
    pub errors: Vec<Vec<RecordError>>,
}

impl Decoded {
    /// Record `i` as a decoder gives it: its row, or every problem (each bad field,
    /// then each required field missing).
    pub fn take(&mut self, schema: &Schema, i: usize) -> Result<Vec<Value>, Vec<RecordError>> {
        let row = std::mem::take(&mut self.rows[i]);
        finish(schema, row, std::mem::take(&mut self.errors[i]))
    }
}

/// Decodes every record of `batch` into a row of slot values (schema order), or every
/// problem of the record, as the JSON and CSV decoders do. `layout` must come from
/// [`super::check_schema`] on this batch's schema; a batch of another shape gives each
/// record an error.
pub fn decode_batch(
    policy: &Policy,
    layout: &ArrowLayout,
    batch: &RecordBatch,
) -> Vec<Result<Vec<Value>, Vec<RecordError>>> {
    let mut decoded = decode(&policy.schema, layout, batch);
    (0..batch.num_rows())
        .map(|i| decoded.take(&policy.schema, i))
        .collect()
}

/// A record's row, or every problem of the record.
pub type DecodedRow = Result<Vec<Value>, Vec<RecordError>>;

/// Like [`decode_batch`], each record with its `id` as a label (as
/// [`evaluate_batches`](super::evaluate_batches) labels it), also when its other fields
/// could not be decoded; `None` when it has no `id` (it is then labelled `#position`).
pub fn decode_batch_with_ids(
    policy: &Policy,
    layout: &ArrowLayout,
    batch: &RecordBatch,
) -> Vec<(Option<String>, DecodedRow)> {
    let mut decoded = decode(&policy.schema, layout, batch);
    (0..batch.num_rows())
        .map(|i| {
            let label = policy.label(&decoded.rows[i], 0);
            let id = (label != "#0").then_some(label);
            (id, decoded.take(&policy.schema, i))
        })
        .collect()
}

/// The rows and errors of a batch, before the check of required fields.
pub(crate) fn decode(schema: &Schema, layout: &ArrowLayout, batch: &RecordBatch) -> Decoded {
    let n = batch.num_rows();
    let mut decoded = Decoded {
        rows: vec![vec![Value::Missing; schema.fields.len()]; n],
        errors: vec![Vec::new(); n],
    };
    for (slot, field) in schema.fields.iter().enumerate() {
        let Some(index) = layout.column_of(slot) else {
            continue;
        };
        let column = batch.columns().get(index).filter(|c| {
            super::schema::accepts(&field.ty, c.data_type())
                && batch.schema().field(index).name() == &field.name
        });
        let Some(array) = column else {
            let e = field_error(
                schema,
                slot,
                format!(
                    "`{}`: the batch does not have the column checked",
                    field.name
                ),
            );
            decoded
                .errors
                .iter_mut()
                .for_each(|errs| errs.push(e.clone()));
            continue;
        };
        let column = Column::new(array, &field.ty, &schema.enums);
        for (i, (row, errors)) in decoded.rows.iter_mut().zip(&mut decoded.errors).enumerate() {
            match column.get(i) {
                Ok(v) => row[slot] = v,
                Err(m) => errors.push(field_error(schema, slot, format!("`{}`: {m}", field.name))),
            }
        }
    }
    decoded
}

/// A column of a batch, downcast once, read by the field's type.
struct Column<'a> {
    array: &'a dyn Array,
    kind: Kind<'a>,
}

enum Kind<'a> {
    Bool,
    Ints(Ints<'a>, Target),
    Decimals(Decimals<'a>, Target),
    Floats(Floats<'a>, Target),
    /// Strings (Utf8, LargeUtf8, Utf8View), read as `ty`.
    Strings(Strings<'a>, &'a Type, &'a [EnumType]),
    /// A dictionary: its values decoded once, then looked up by key.
    Dictionary(Vec<usize>, Vec<Result<Value, String>>),
    Date32(&'a [i32]),
    Date64(&'a [i64]),
    List(Box<Column<'a>>, ListOffsets<'a>),
    /// A column of a type the field does not accept (only when a layout is misused).
    Unsupported,
}

/// What a numeric column becomes.
#[derive(Clone, Copy)]
enum Target {
    Int,
    Decimal,
    Percent,
}

enum Ints<'a> {
    I8(&'a [i8]),
    I16(&'a [i16]),
    I32(&'a [i32]),
    I64(&'a [i64]),
    U8(&'a [u8]),
    U16(&'a [u16]),
    U32(&'a [u32]),
    U64(&'a [u64]),
}

enum Decimals<'a> {
    D32(&'a [i32], i8),
    D64(&'a [i64], i8),
    D128(&'a [i128], i8),
    D256(&'a arrow_array::Decimal256Array, i8),
}

enum Floats<'a> {
    F32(&'a [f32]),
    F64(&'a [f64]),
}

enum Strings<'a> {
    Utf8(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
}

enum ListOffsets<'a> {
    Small(&'a [i32]),
    Large(&'a [i64]),
    Fixed(usize),
}

impl<'a> Column<'a> {
    fn new(array: &'a ArrayRef, ty: &'a Type, enums: &'a [EnumType]) -> Column<'a> {
        Column {
            array: array.as_ref(),
            kind: kind(array, ty, enums),
        }
    }

    /// The value of row `i` (`Missing` for a null).
    fn get(&self, i: usize) -> Result<Value, String> {
        if self.array.is_null(i) {
            return Ok(Value::Missing);
        }
        match &self.kind {
            Kind::Bool => Ok(Value::Bool(self.array.as_boolean().value(i))),
            Kind::Ints(ints, target) => int_value(ints, i, *target),
            Kind::Decimals(d, target) => decimal_value(d, i, *target),
            Kind::Floats(f, target) => float_value(f, i, *target),
            Kind::Strings(s, ty, enums) => string_value(s.value(i), ty, enums),
            Kind::Dictionary(keys, values) => keys
                .get(i)
                .and_then(|k| values.get(*k))
                .cloned()
                .unwrap_or_else(|| Err("the dictionary has no value for this row".into())),
            Kind::Date32(days) => date_of_days(i64::from(days[i])),
            Kind::Date64(ms) => date_of_days(ms[i].div_euclid(86_400_000)),
            Kind::List(elements, offsets) => {
                let (start, end) = match offsets {
                    ListOffsets::Small(o) => (o[i] as usize, o[i + 1] as usize),
                    ListOffsets::Large(o) => (o[i] as usize, o[i + 1] as usize),
                    ListOffsets::Fixed(size) => (i * size, (i + 1) * size),
                };
                let mut items = Vec::with_capacity(end.saturating_sub(start));
                for k in start..end {
                    match elements.get(k)? {
                        Value::Missing => return Err("a list element is null".into()),
                        v => items.push(v),
                    }
                }
                Ok(Value::List(Arc::from(items)))
            }
            Kind::Unsupported => Err("this column's type cannot be read".into()),
        }
    }
}

impl Strings<'_> {
    fn value(&self, i: usize) -> &str {
        match self {
            Strings::Utf8(a) => a.value(i),
            Strings::Large(a) => a.value(i),
            Strings::View(a) => a.value(i),
        }
    }
}

fn target(ty: &Type) -> Target {
    match ty {
        Type::Int => Target::Int,
        Type::Percent => Target::Percent,
        _ => Target::Decimal,
    }
}

fn kind<'a>(array: &'a ArrayRef, ty: &'a Type, enums: &'a [EnumType]) -> Kind<'a> {
    use DataType as D;
    let t = target(ty);
    match array.data_type() {
        D::Boolean => Kind::Bool,
        D::Int8 => Kind::Ints(Ints::I8(array.as_primitive::<Int8Type>().values()), t),
        D::Int16 => Kind::Ints(Ints::I16(array.as_primitive::<Int16Type>().values()), t),
        D::Int32 => Kind::Ints(Ints::I32(array.as_primitive::<Int32Type>().values()), t),
        D::Int64 => Kind::Ints(Ints::I64(array.as_primitive::<Int64Type>().values()), t),
        D::UInt8 => Kind::Ints(Ints::U8(array.as_primitive::<UInt8Type>().values()), t),
        D::UInt16 => Kind::Ints(Ints::U16(array.as_primitive::<UInt16Type>().values()), t),
        D::UInt32 => Kind::Ints(Ints::U32(array.as_primitive::<UInt32Type>().values()), t),
        D::UInt64 => Kind::Ints(Ints::U64(array.as_primitive::<UInt64Type>().values()), t),
        D::Decimal32(_, s) => Kind::Decimals(
            Decimals::D32(array.as_primitive::<Decimal32Type>().values(), *s),
            t,
        ),
        D::Decimal64(_, s) => Kind::Decimals(
            Decimals::D64(array.as_primitive::<Decimal64Type>().values(), *s),
            t,
        ),
        D::Decimal128(_, s) => Kind::Decimals(
            Decimals::D128(array.as_primitive::<Decimal128Type>().values(), *s),
            t,
        ),
        D::Decimal256(_, s) => Kind::Decimals(
            Decimals::D256(array.as_primitive::<Decimal256Type>(), *s),
            t,
        ),
        D::Float32 => Kind::Floats(Floats::F32(array.as_primitive::<Float32Type>().values()), t),
        D::Float64 => Kind::Floats(Floats::F64(array.as_primitive::<Float64Type>().values()), t),
        D::Utf8 => Kind::Strings(Strings::Utf8(array.as_string::<i32>()), ty, enums),
        D::LargeUtf8 => Kind::Strings(Strings::Large(array.as_string::<i64>()), ty, enums),
        D::Utf8View => Kind::Strings(Strings::View(array.as_string_view()), ty, enums),
        D::Dictionary(_, _) => dictionary(array, ty, enums),
        D::Date32 => Kind::Date32(
            array
                .as_primitive::<arrow_array::types::Date32Type>()
                .values(),
        ),
        D::Date64 => Kind::Date64(
            array
                .as_primitive::<arrow_array::types::Date64Type>()
                .values(),
        ),
        D::List(_) | D::LargeList(_) | D::FixedSizeList(_, _) => list(array, ty, enums),
        _ => Kind::Unsupported,
    }
}

fn dictionary<'a>(array: &'a ArrayRef, ty: &'a Type, enums: &'a [EnumType]) -> Kind<'a> {
    let Some(dict) = array.as_any_dictionary_opt() else {
        return Kind::Unsupported;
    };
    let values = dict.values();
    if values.is_empty() {
        // Every key is null (`normalized_keys` panics on an empty dictionary).
        return Kind::Dictionary(Vec::new(), Vec::new());
    }
    let column = Column::new(values, ty, enums);
    let decoded = (0..values.len()).map(|i| column.get(i)).collect();
    Kind::Dictionary(dict.normalized_keys(), decoded)
}

fn list<'a>(array: &'a ArrayRef, ty: &'a Type, enums: &'a [EnumType]) -> Kind<'a> {
    let Type::List(elem) = ty else {
        return Kind::Unsupported;
    };
    let (values, offsets) = match array.data_type() {
        DataType::List(_) => {
            let l = array.as_list::<i32>();
            (l.values(), ListOffsets::Small(l.offsets().as_ref()))
        }
        DataType::LargeList(_) => {
            let l = array.as_list::<i64>();
            (l.values(), ListOffsets::Large(l.offsets().as_ref()))
        }
        DataType::FixedSizeList(_, size) => {
            let l = array.as_fixed_size_list();
            (l.values(), ListOffsets::Fixed((*size).max(0) as usize))
        }
        _ => return Kind::Unsupported,
    };
    Kind::List(Box::new(Column::new(values, elem, enums)), offsets)
}

fn int_value(ints: &Ints, i: usize, target: Target) -> Result<Value, String> {
    let v: i128 = match ints {
        Ints::I8(v) => v[i].into(),
        Ints::I16(v) => v[i].into(),
        Ints::I32(v) => v[i].into(),
        Ints::I64(v) => v[i].into(),
        Ints::U8(v) => v[i].into(),
        Ints::U16(v) => v[i].into(),
        Ints::U32(v) => v[i].into(),
        Ints::U64(v) => v[i].into(),
    };
    match target {
        Target::Int => i64::try_from(v)
            .map(Value::Int)
            .map_err(|_| format!("{v} is out of the int range")),
        // Every 64-bit integer fits a decimal's 96-bit coefficient.
        Target::Decimal => Ok(Value::Decimal(Decimal::from_i128_with_scale(v, 0))),
        Target::Percent => Ok(Value::Percent(Decimal::from_i128_with_scale(v, 0))),
    }
}

fn wrap(target: Target, d: Decimal) -> Value {
    match target {
        Target::Percent => Value::Percent(d),
        _ => Value::Decimal(d),
    }
}

fn what(target: Target) -> &'static str {
    match target {
        Target::Percent => "a percent",
        _ => "a decimal",
    }
}

/// A decimal column's value exactly: the unscaled integer and the column's scale.
fn decimal_value(d: &Decimals, i: usize, target: Target) -> Result<Value, String> {
    let (unscaled, scale) = match d {
        Decimals::D32(v, s) => (i128::from(v[i]), *s),
        Decimals::D64(v, s) => (i128::from(v[i]), *s),
        Decimals::D128(v, s) => (v[i], *s),
        Decimals::D256(a, s) => {
            let v = a.value(i);
            match v.to_i128() {
                Some(v) => (v, *s),
                None => return number_text(&scaled_text(&v.to_string(), *s), target),
            }
        }
    };
    if (0..=28).contains(&scale) {
        if let Ok(d) = Decimal::try_from_i128_with_scale(unscaled, scale as u32) {
            return Ok(wrap(target, d));
        }
    }
    number_text(&scaled_text(&unscaled.to_string(), scale), target)
}

/// `12345` with scale 2 → `123.45`; scale -2 → `1234500`. Exact, in plain notation.
fn scaled_text(digits: &str, scale: i8) -> String {
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", digits),
    };
    if scale <= 0 {
        let zeros = "0".repeat(usize::from(scale.unsigned_abs()));
        return format!("{sign}{digits}{zeros}");
    }
    let scale = usize::from(scale.unsigned_abs());
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (whole, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{whole}.{frac}")
}

/// A number written out exactly (plain notation), parsed as a decimal.
fn number_text(text: &str, target: Target) -> Result<Value, String> {
    parse_number(text).map(|d| wrap(target, d)).map_err(|e| {
        format!(
            "{} does not fit in {} ({})",
            preview(text),
            what(target),
            e.reason()
        )
    })
}

/// A float by its shortest round-trip decimal text (Rust's `Display` of `f32`/`f64`:
/// `0.1` is 0.1, never 0.1000000000000000055…), read exactly.
fn float_value(f: &Floats, i: usize, target: Target) -> Result<Value, String> {
    let text = match f {
        Floats::F32(v) if v[i].is_finite() => v[i].to_string(),
        Floats::F64(v) if v[i].is_finite() => v[i].to_string(),
        Floats::F32(v) => return Err(format!("{} is not a number", v[i])),
        Floats::F64(v) => return Err(format!("{} is not a number", v[i])),
    };
    number_text(&text, target)
}

/// A string read as the field's type: text, an enum value, a percent, a date.
fn string_value(s: &str, ty: &Type, enums: &[EnumType]) -> Result<Value, String> {
    match ty {
        Type::Text => Ok(Value::Text(Arc::from(s))),
        Type::Enum(id) => {
            let e = &enums[*id as usize];
            e.index_of(s)
                .map(Value::Enum)
                .ok_or_else(|| format!("{} is not one of {}", quoted(s), e.values.join(", ")))
        }
        Type::Percent => crate::data::parse_percent_text(s)
            .ok_or_else(|| format!("expected a percent such as \"30%\", found {}", quoted(s))),
        Type::Date => parse_date(s)
            .map(Value::Date)
            .ok_or_else(|| format!("{} is not a date (YYYY-MM-DD)", quoted(s))),
        _ => Err("this column's type cannot be read".into()),
    }
}

/// Days since 1970-01-01 → a date.
fn date_of_days(days: i64) -> Result<Value, String> {
    const UNIX_EPOCH_FROM_CE: i64 = 719_163;
    i32::try_from(days + UNIX_EPOCH_FROM_CE)
        .ok()
        .and_then(Date::from_num_days_from_ce_opt)
        .map(Value::Date)
        .ok_or_else(|| format!("day {days} after 1970-01-01 is out of the date range"))
}

/// A string as JSON writes it, shortened, as the JSON decoder shows values.
fn quoted(s: &str) -> String {
    preview(&serde_json::to_string(s).unwrap_or_default())
}

/// A value shortened for messages.
fn preview(raw: &str) -> String {
    let mut s: String = raw.chars().take(40).collect();
    if s.len() < raw.len() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::scaled_text;

    #[test]
    fn scaled_text_places_the_point() {
        assert_eq!(scaled_text("12345", 2), "123.45");
        assert_eq!(scaled_text("-5", 3), "-0.005");
        assert_eq!(scaled_text("12", -2), "1200");
        assert_eq!(scaled_text("0", 0), "0");
    }
}
