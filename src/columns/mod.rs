//! A chunk of records held column by column, in layouts modelled on Apache Arrow's (without
//! depending on it), for evaluating rules a column at a time: per schema field one typed
//! vector and a validity bitmap (bit set: the value is present).
//!
//! | field type | values | like Arrow's |
//! |---|---|---|
//! | `bool` | a [`Bitmap`] | `Boolean` |
//! | `int` | `i64` | `Int64` |
//! | `decimal`, `percent` | `i64` mantissas at one column scale (`i128` when one does not fit) | `Decimal64` / `Decimal128` |
//! | `date` | `i32` days since 1970-01-01 | `Date32` |
//! | enum | `u32` indices into the enum's values | `Dictionary(UInt32, Utf8)` keys |
//! | `text` | `i32` offsets into UTF-8 bytes | `Utf8` |
//! | `[T]` | `i32` offsets into a column of `T` | `List` |
//!
//! A [`Columns`] is built from decoded rows ([`Columns::from_rows`], [`ColumnsBuilder`]) or
//! from columns made directly ([`Column::ints`] and its siblings, [`Columns::new`]), as a
//! reader of columnar input would. A record with a value the columns cannot hold exactly
//! (a value of another type than its field's, a decimal whose places do not fit the
//! column's scale, a row of the wrong width) is kept aside as its row: evaluation gives it
//! to the row evaluator. Decimals never go through `f64`.

mod bitmap;

pub use bitmap::Bitmap;

use crate::ir::Schema;
use crate::value::{Date, Decimal, Type, Value};

/// Why columns made directly do not form a valid chunk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ColumnError(pub String);

fn bad<T>(message: impl Into<String>) -> Result<T, ColumnError> {
    Err(ColumnError(message.into()))
}

/// The values of one field over the records of a chunk, with their validity.
#[derive(Debug, Clone)]
pub struct Column {
    valid: Bitmap,
    data: ColumnData,
}

/// The typed values of a [`Column`]. At a null position the value is a placeholder (for
/// enums always `u32::MAX`, the index the evaluator gives to anything but an enum).
#[derive(Debug, Clone)]
pub enum ColumnData {
    /// `bool` values.
    Bool(Bitmap),
    /// `int` values.
    Int(Vec<i64>),
    /// `decimal` or `percent` values.
    Decimal(DecimalColumn),
    /// `date` values: days since 1970-01-01.
    Date(Vec<i32>),
    /// Enum values: indices into the enum's values.
    Enum(Vec<u32>),
    /// `text` values: value `i` is `bytes[offsets[i]..offsets[i + 1]]`, UTF-8.
    Text {
        /// One more than the values.
        offsets: Vec<i32>,
        /// The UTF-8 bytes of every value, one after the other.
        bytes: Vec<u8>,
    },
    /// Lists: value `i` is `items[offsets[i]..offsets[i + 1]]`.
    List {
        /// One more than the values.
        offsets: Vec<i32>,
        /// The items of every list, one after the other.
        items: Box<Column>,
    },
    /// A type without a columnar form: every value is null (a record with a value here is
    /// kept as its row).
    Opaque,
}

/// Decimal or percent values as mantissas at one scale: value `i` is
/// `mantissas[i] / 10^scale`, shown with `places[i]` places when `places` is given.
/// The mantissas are `i64` while they fit (the usual case, and twice as fast to compare),
/// else `i128`.
#[derive(Debug, Clone)]
pub struct DecimalColumn {
    /// The values times `10^scale`.
    pub mantissas: Mantissas,
    /// The column's scale, at most 28.
    pub scale: u32,
    /// The places each value was written with, when they are not all `scale`.
    pub places: Option<Vec<u8>>,
    /// Percent values (else decimal).
    pub percent: bool,
}

/// `10^n` for `n` up to 38.
pub fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

/// Days from 0001-01-01 (chrono's day numbers) to 1970-01-01.
const UNIX_EPOCH_FROM_CE: i32 = 719_163;

/// A date as days since 1970-01-01.
pub fn days_of(d: Date) -> i32 {
    use chrono::Datelike;
    d.num_days_from_ce() - UNIX_EPOCH_FROM_CE
}

/// The date `days` after 1970-01-01, if it is one chrono can hold.
pub fn date_of(days: i32) -> Option<Date> {
    Date::from_num_days_from_ce_opt(days.checked_add(UNIX_EPOCH_FROM_CE)?)
}

impl Column {
    fn make(valid: Option<Bitmap>, len: usize, data: ColumnData) -> Result<Column, ColumnError> {
        let valid = valid.unwrap_or_else(|| Bitmap::filled(len, true));
        if valid.len() != len {
            return bad(format!("{} validity bits for {len} values", valid.len()));
        }
        Ok(Column { valid, data })
    }

    /// A `bool` column; `valid` `None`: no nulls.
    pub fn bools(values: Bitmap, valid: Option<Bitmap>) -> Result<Column, ColumnError> {
        Column::make(valid, values.len(), ColumnData::Bool(values))
    }

    /// An `int` column.
    pub fn ints(values: Vec<i64>, valid: Option<Bitmap>) -> Result<Column, ColumnError> {
        Column::make(valid, values.len(), ColumnData::Int(values))
    }

    /// A `decimal` (or, `percent` true, `percent`) column of mantissas at `scale` (at most
    /// 28); every present value must be a decimal of the language (below 2^96 in magnitude
    /// once its trailing zeros are dropped).
    pub fn decimals(
        mantissas: Vec<i128>,
        scale: u32,
        percent: bool,
        valid: Option<Bitmap>,
    ) -> Result<Column, ColumnError> {
        if scale > 28 {
            return bad(format!("scale {scale}: at most 28"));
        }
        let len = mantissas.len();
        let c = DecimalColumn {
            mantissas: Mantissas::from(mantissas),
            scale,
            places: None,
            percent,
        };
        let column = Column::make(valid, len, ColumnData::Decimal(c))?;
        if let ColumnData::Decimal(c) = &column.data {
            if let Some(i) = (0..len).find(|i| column.valid.get(*i) && c.value(*i).is_none()) {
                return bad(format!("value {i} is out of the decimal range"));
            }
        }
        Ok(column)
    }

    /// A `date` column of days since 1970-01-01.
    pub fn dates(days: Vec<i32>, valid: Option<Bitmap>) -> Result<Column, ColumnError> {
        let column = Column::make(valid, days.len(), ColumnData::Date(Vec::new()))?;
        if let Some(i) =
            (0..days.len()).find(|i| column.valid.get(*i) && date_of(days[*i]).is_none())
        {
            return bad(format!("value {i} is not a date"));
        }
        Ok(Column {
            data: ColumnData::Date(days),
            ..column
        })
    }

    /// An enum column of indices into the enum's values.
    pub fn enums(mut codes: Vec<u32>, valid: Option<Bitmap>) -> Result<Column, ColumnError> {
        let column = Column::make(valid, codes.len(), ColumnData::Enum(Vec::new()))?;
        for (i, c) in codes.iter_mut().enumerate() {
            if !column.valid.get(i) {
                *c = u32::MAX;
            }
        }
        Ok(Column {
            data: ColumnData::Enum(codes),
            ..column
        })
    }

    /// A `text` column: `offsets` (one more than the values, not decreasing) into UTF-8 `bytes`.
    pub fn texts(
        offsets: Vec<i32>,
        bytes: Vec<u8>,
        valid: Option<Bitmap>,
    ) -> Result<Column, ColumnError> {
        let len = check_offsets(&offsets, bytes.len())?;
        for w in offsets.windows(2) {
            if std::str::from_utf8(&bytes[w[0] as usize..w[1] as usize]).is_err() {
                return bad("a value is not UTF-8");
            }
        }
        Column::make(valid, len, ColumnData::Text { offsets, bytes })
    }

    /// A list column: `offsets` (one more than the values) into the column `items`.
    pub fn lists(
        offsets: Vec<i32>,
        items: Column,
        valid: Option<Bitmap>,
    ) -> Result<Column, ColumnError> {
        let len = check_offsets(&offsets, items.len())?;
        let items = Box::new(items);
        Column::make(valid, len, ColumnData::List { offsets, items })
    }

    /// An empty column for values of type `ty`, to [`push`](Column::push) to.
    pub fn new(ty: &Type) -> Column {
        let data = match ty {
            Type::Bool => ColumnData::Bool(Bitmap::default()),
            Type::Int => ColumnData::Int(Vec::new()),
            Type::Decimal | Type::Percent => ColumnData::Decimal(DecimalColumn {
                mantissas: Mantissas::I64(Vec::new()),
                scale: 0,
                places: None,
                percent: *ty == Type::Percent,
            }),
            Type::Date => ColumnData::Date(Vec::new()),
            Type::Enum(_) => ColumnData::Enum(Vec::new()),
            Type::Text => ColumnData::Text {
                offsets: vec![0],
                bytes: Vec::new(),
            },
            Type::List(elem) => ColumnData::List {
                offsets: vec![0],
                items: Box::new(Column::new(elem)),
            },
            Type::EmptyList | Type::Error => ColumnData::Opaque,
        };
        Column {
            valid: Bitmap::default(),
            data,
        }
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.valid.len()
    }

    /// Whether it has no values.
    pub fn is_empty(&self) -> bool {
        self.valid.is_empty()
    }

    /// Which values are present.
    pub fn validity(&self) -> &Bitmap {
        &self.valid
    }

    /// The typed values.
    pub fn data(&self) -> &ColumnData {
        &self.data
    }

    /// Whether the column can hold the values of type `ty`.
    pub fn fits(&self, ty: &Type) -> bool {
        match (&self.data, ty) {
            (ColumnData::Bool(_), Type::Bool)
            | (ColumnData::Int(_), Type::Int)
            | (ColumnData::Date(_), Type::Date)
            | (ColumnData::Enum(_), Type::Enum(_))
            | (ColumnData::Text { .. }, Type::Text)
            | (ColumnData::Opaque, Type::EmptyList | Type::Error) => true,
            (ColumnData::Decimal(c), Type::Decimal) => !c.percent,
            (ColumnData::Decimal(c), Type::Percent) => c.percent,
            (ColumnData::List { items, .. }, Type::List(elem)) => items.fits(elem),
            _ => false,
        }
    }

    /// Appends a value. `false` when the column cannot hold it exactly (another type, or
    /// places that do not fit the scale): a null is appended instead.
    pub fn push(&mut self, v: &Value) -> bool {
        let held = match (&mut self.data, v) {
            (_, Value::Missing) => false,
            (ColumnData::Bool(b), Value::Bool(x)) => {
                b.push(*x);
                true
            }
            (ColumnData::Int(xs), Value::Int(x)) => {
                xs.push(*x);
                true
            }
            (ColumnData::Decimal(c), Value::Decimal(x)) if !c.percent => c.push(*x),
            (ColumnData::Decimal(c), Value::Percent(x)) if c.percent => c.push(*x),
            (ColumnData::Date(xs), Value::Date(d)) => {
                xs.push(days_of(*d));
                true
            }
            (ColumnData::Enum(xs), Value::Enum(x)) => {
                xs.push(*x);
                true
            }
            (ColumnData::Text { offsets, bytes }, Value::Text(t)) => {
                let pushed = push_offset(offsets, bytes.len() + t.len());
                if pushed {
                    bytes.extend_from_slice(t.as_bytes());
                }
                pushed
            }
            (ColumnData::List { offsets, items }, Value::List(xs)) => {
                let all = xs.iter().fold(true, |all, x| items.push(x) & all);
                // The items taken belong to this value even when some could not be.
                let ended = push_offset(offsets, items.len());
                if ended && !all {
                    self.valid.push(false);
                    return false;
                }
                ended && all
            }
            _ => false,
        };
        if held {
            self.valid.push(true);
        } else {
            self.push_null();
        }
        held || matches!(v, Value::Missing)
    }

    /// Appends a null.
    pub fn push_null(&mut self) {
        match &mut self.data {
            ColumnData::Bool(b) => b.push(false),
            ColumnData::Int(x) => x.push(0),
            ColumnData::Decimal(c) => {
                c.mantissas.push(0);
                if let Some(p) = &mut c.places {
                    p.push(c.scale as u8);
                }
            }
            ColumnData::Date(x) => x.push(0),
            ColumnData::Enum(x) => x.push(u32::MAX),
            ColumnData::Text { offsets, .. } | ColumnData::List { offsets, .. } => {
                let last = offsets.last().copied().unwrap_or(0);
                offsets.push(last);
            }
            ColumnData::Opaque => {}
        }
        self.valid.push(false);
    }

    /// Value `i` as the row evaluator reads it (`Missing` when null or past the end).
    pub fn value(&self, i: usize) -> Value {
        if !self.valid.get(i) {
            return Value::Missing;
        }
        let range = |offsets: &[i32]| offsets[i] as usize..offsets[i + 1] as usize;
        let v = match &self.data {
            ColumnData::Bool(b) => Some(Value::Bool(b.get(i))),
            ColumnData::Int(x) => Some(Value::Int(x[i])),
            ColumnData::Decimal(c) => c.value(i).map(|d| match c.percent {
                true => Value::Percent(d),
                false => Value::Decimal(d),
            }),
            ColumnData::Date(x) => date_of(x[i]).map(Value::Date),
            ColumnData::Enum(x) => Some(Value::Enum(x[i])),
            ColumnData::Text { offsets, bytes } => std::str::from_utf8(&bytes[range(offsets)])
                .ok()
                .map(Value::text),
            ColumnData::List { offsets, items } => Some(Value::List(
                range(offsets).map(|j| items.value(j)).collect(),
            )),
            ColumnData::Opaque => None,
        };
        v.unwrap_or(Value::Missing)
    }

    /// Text value `i`, if present.
    pub fn text(&self, i: usize) -> Option<&str> {
        match &self.data {
            ColumnData::Text { offsets, bytes } if self.valid.get(i) => {
                std::str::from_utf8(&bytes[offsets[i] as usize..offsets[i + 1] as usize]).ok()
            }
            _ => None,
        }
    }
}

/// Appends an offset; `false` (nothing appended) past `i32::MAX`.
fn push_offset(offsets: &mut Vec<i32>, end: usize) -> bool {
    match i32::try_from(end) {
        Ok(end) => {
            offsets.push(end);
            true
        }
        Err(_) => false,
    }
}

/// The number of values `offsets` delimit in a buffer of `len`.
fn check_offsets(offsets: &[i32], len: usize) -> Result<usize, ColumnError> {
    let Some(first) = offsets.first() else {
        return bad("no offsets: there is one more than the values");
    };
    if *first < 0 || offsets.windows(2).any(|w| w[0] > w[1]) {
        return bad("the offsets decrease");
    }
    if offsets[offsets.len() - 1] as usize > len {
        return bad("an offset is past the end of the values");
    }
    Ok(offsets.len() - 1)
}

impl DecimalColumn {
    /// Value `i`, exactly as it was written (its places kept).
    pub fn value(&self, i: usize) -> Option<Decimal> {
        let m = self.mantissas.get(i)?;
        let places = self.places.as_ref().map_or(self.scale, |p| u32::from(p[i]));
        let m = m / pow10(self.scale.checked_sub(places)?)?;
        Decimal::try_from_i128_with_scale(m, places).ok()
    }

    /// Appends `x` at the column's scale, raising the scale when `x` has more places;
    /// `false` (nothing appended) when that cannot be done exactly in an `i128`, or `x`
    /// is a negative zero (which the row evaluator keeps apart).
    fn push(&mut self, x: Decimal) -> bool {
        let t = x.scale();
        if x.is_zero() && x.is_sign_negative() {
            return false;
        }
        if self.mantissas.is_empty() && self.places.is_none() {
            self.scale = t;
        }
        if t > self.scale && !self.rescale(t) {
            return false;
        }
        let Some(m) = pow10(self.scale - t).and_then(|p| x.mantissa().checked_mul(p)) else {
            return false;
        };
        if t != self.scale && self.places.is_none() {
            self.places = Some(vec![self.scale as u8; self.mantissas.len()]);
        }
        self.mantissas.push(m);
        if let Some(p) = &mut self.places {
            p.push(t as u8);
        }
        true
    }

    /// Raises the scale to `to`, if every mantissa still fits.
    fn rescale(&mut self, to: u32) -> bool {
        let Some(f) = pow10(to - self.scale) else {
            return false;
        };
        let scaled: Option<Vec<i128>> = (0..self.mantissas.len())
            .map(|i| self.mantissas.get(i)?.checked_mul(f))
            .collect();
        let Some(scaled) = scaled else {
            return false;
        };
        if self.places.is_none() {
            self.places = Some(vec![self.scale as u8; self.mantissas.len()]);
        }
        self.mantissas = Mantissas::from(scaled);
        self.scale = to;
        true
    }
}

/// The mantissas of a decimal column.
#[derive(Debug, Clone)]
pub enum Mantissas {
    /// Every mantissa fits an `i64`.
    I64(Vec<i64>),
    /// Some do not.
    I128(Vec<i128>),
}

impl Mantissas {
    /// The number of mantissas.
    pub fn len(&self) -> usize {
        match self {
            Mantissas::I64(m) => m.len(),
            Mantissas::I128(m) => m.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Mantissa `i`.
    pub fn get(&self, i: usize) -> Option<i128> {
        match self {
            Mantissas::I64(m) => m.get(i).map(|x| i128::from(*x)),
            Mantissas::I128(m) => m.get(i).copied(),
        }
    }

    /// Appends a mantissa, widening to `i128` when it does not fit an `i64`.
    pub fn push(&mut self, m: i128) {
        match (&mut *self, i64::try_from(m)) {
            (Mantissas::I64(v), Ok(x)) => v.push(x),
            (Mantissas::I64(v), Err(_)) => {
                let mut wide: Vec<i128> = v.iter().map(|x| i128::from(*x)).collect();
                wide.push(m);
                *self = Mantissas::I128(wide);
            }
            (Mantissas::I128(v), _) => v.push(m),
        }
    }
}

impl From<Vec<i128>> for Mantissas {
    /// Narrowed to `i64` when every mantissa fits.
    fn from(m: Vec<i128>) -> Mantissas {
        match m.iter().map(|x| i64::try_from(*x)).collect() {
            Ok(narrow) => Mantissas::I64(narrow),
            Err(_) => Mantissas::I128(m),
        }
    }
}

/// The records of a chunk, column by column, with the records the columns cannot hold
/// kept as rows.
#[derive(Debug, Clone)]
pub struct Columns {
    len: usize,
    columns: Vec<Column>,
    /// Records kept as rows, by position in the chunk (ascending).
    rows: Vec<(usize, Vec<Value>)>,
}

impl Columns {
    /// Columns made directly, one per schema field in slot order, all of one length.
    pub fn new(schema: &Schema, columns: Vec<Column>) -> Result<Columns, ColumnError> {
        if columns.len() != schema.fields.len() {
            return bad(format!(
                "{} columns for {} fields",
                columns.len(),
                schema.fields.len()
            ));
        }
        let len = columns.first().map_or(0, Column::len);
        for (c, f) in columns.iter().zip(&schema.fields) {
            if !c.fits(&f.ty) {
                return bad(format!("the column of `{}` does not hold its type", f.name));
            }
            if c.len() != len {
                return bad(format!("the column of `{}` has another length", f.name));
            }
        }
        Ok(Columns {
            len,
            columns,
            rows: Vec::new(),
        })
    }

    /// The decoded rows of a chunk, as columns.
    pub fn from_rows<R: AsRef<[Value]>>(schema: &Schema, rows: &[R]) -> Columns {
        let mut b = ColumnsBuilder::new(schema);
        for r in rows {
            b.push_row(r.as_ref());
        }
        b.finish()
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The column of the field in `slot`.
    pub fn column(&self, slot: usize) -> Option<&Column> {
        self.columns.get(slot)
    }

    /// Every column, in slot order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The records kept as rows, by position (ascending): the row evaluator's.
    pub fn kept_rows(&self) -> &[(usize, Vec<Value>)] {
        &self.rows
    }

    /// The row of record `i`, as the decoder gave it (or made from the columns).
    pub fn row(&self, i: usize) -> Vec<Value> {
        match self.rows.binary_search_by_key(&i, |r| r.0) {
            Ok(k) => self.rows[k].1.clone(),
            Err(_) => self.columns.iter().map(|c| c.value(i)).collect(),
        }
    }
}

/// Builds [`Columns`] row by row.
#[derive(Debug)]
pub struct ColumnsBuilder {
    columns: Vec<Column>,
    rows: Vec<(usize, Vec<Value>)>,
    len: usize,
}

impl ColumnsBuilder {
    /// Empty columns for the fields of `schema`.
    pub fn new(schema: &Schema) -> ColumnsBuilder {
        ColumnsBuilder {
            columns: schema.fields.iter().map(|f| Column::new(&f.ty)).collect(),
            rows: Vec::new(),
            len: 0,
        }
    }

    /// Appends a record (a row of slot values in schema order).
    pub fn push_row(&mut self, row: &[Value]) {
        let mut held = row.len() == self.columns.len();
        for (slot, c) in self.columns.iter_mut().enumerate() {
            held &= c.push(row.get(slot).unwrap_or(&Value::Missing));
        }
        if !held {
            self.rows.push((self.len, row.to_vec()));
        }
        self.len += 1;
    }

    /// The columns built.
    pub fn finish(self) -> Columns {
        Columns {
            len: self.len,
            columns: self.columns,
            rows: self.rows,
        }
    }
}
