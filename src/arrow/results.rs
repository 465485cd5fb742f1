//! Results → a record batch: the columns of `eval --format parquet` and of the Python
//! package's table (docs/arrow.md, "The results table").

use std::sync::{Arc, OnceLock};

use arrow_array::builder::{ArrayBuilder, BooleanBuilder, StringBuilder, UInt64Builder};
use arrow_array::{ArrayRef, ListArray, RecordBatch, StructArray};
use arrow_buffer::OffsetBuffer;
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};

use crate::outcome::{AllocationFact, FieldValue, Fired, RecordError};
use crate::run::RecordResult;

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

fn fired_fields() -> Fields {
    Fields::from(vec![
        utf8("rule", false),
        utf8("verdict", false),
        utf8("reason", false),
    ])
}

fn error_fields() -> Fields {
    Fields::from(vec![
        utf8("rule", true),
        utf8("field", true),
        utf8("message", false),
    ])
}

fn field_value_fields() -> Fields {
    Fields::from(vec![utf8("field", false), utf8("value", false)])
}

fn fact_fields() -> Fields {
    let pair = DataType::Struct(field_value_fields());
    Fields::from(vec![
        utf8("rule", false),
        Field::new("group", pair.clone(), true),
        utf8("cap", false),
        utf8("counts", false),
        utf8("quantity", false),
        utf8("remaining", false),
        Field::new("place", DataType::UInt64, false),
        Field::new("order_by", pair, true),
        Field::new("fits", DataType::Boolean, false),
        Field::new("admitted", DataType::Boolean, false),
    ])
}

/// The element field of a list column of structs.
fn item(fields: Fields) -> Arc<Field> {
    Arc::new(Field::new("item", DataType::Struct(fields), false))
}

fn list(name: &str, fields: Fields) -> Field {
    Field::new(name, DataType::List(item(fields)), false)
}

/// The columns of the results, one row per record in input order:
///
/// | column | type |
/// |---|---|
/// | `record` | utf8 |
/// | `position` | uint64 |
/// | `decision` | utf8 |
/// | `rules`, `warnings` | list<struct<rule: utf8, verdict: utf8, reason: utf8>> |
/// | `errors` | list<struct<rule: utf8?, field: utf8?, message: utf8>> |
/// | `allocations` | list<struct<rule, group: struct<field, value>?, cap, counts, quantity, remaining: utf8, place: uint64, order_by: struct<field, value>?, fits, admitted: bool>> |
///
/// The allocation facts are those of the JSON output (numbers as shown there, as text).
pub fn results_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            Arc::new(Schema::new(vec![
                utf8("record", false),
                Field::new("position", DataType::UInt64, false),
                utf8("decision", false),
                list("rules", fired_fields()),
                list("warnings", fired_fields()),
                list("errors", error_fields()),
                list("allocations", fact_fields()),
            ]))
        })
        .clone()
}

/// Builds a batch of [`results_schema`] from results: [`push`](ResultsBuilder::push)
/// each, then [`finish`](ResultsBuilder::finish).
#[derive(Default)]
pub struct ResultsBuilder {
    record: StringBuilder,
    position: UInt64Builder,
    decision: StringBuilder,
    rules: FiredColumn,
    warnings: FiredColumn,
    errors: ErrorColumn,
    allocations: FactColumn,
}

impl std::fmt::Debug for ResultsBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResultsBuilder")
            .field("rows", &self.len())
            .finish()
    }
}

impl ResultsBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many results were pushed since the last [`finish`](ResultsBuilder::finish).
    pub fn len(&self) -> usize {
        self.position.len()
    }

    /// Whether no result was pushed since the last [`finish`](ResultsBuilder::finish).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds one result as a row.
    pub fn push(&mut self, r: &RecordResult) {
        self.record.append_value(&r.record);
        self.position.append_value(r.position as u64);
        self.decision.append_value(r.outcome.decision.as_str());
        self.rules.push(&r.outcome.rules);
        self.warnings.push(&r.outcome.warnings);
        self.errors.push(&r.outcome.errors);
        self.allocations.push(&r.outcome.allocations);
    }

    /// The rows pushed so far, as one batch; the builder is empty again after.
    pub fn finish(&mut self) -> RecordBatch {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.record.finish()),
            Arc::new(self.position.finish()),
            Arc::new(self.decision.finish()),
            self.rules.finish(),
            self.warnings.finish(),
            self.errors.finish(),
            self.allocations.finish(),
        ];
        RecordBatch::try_new(results_schema(), columns)
            .expect("the columns are built to the results schema")
    }
}

/// The offsets of a list column: `[0]` then the end of each row's list.
struct Offsets(Vec<i32>);

impl Default for Offsets {
    fn default() -> Self {
        Offsets(vec![0])
    }
}

impl Offsets {
    fn push(&mut self, count: usize) {
        let last = *self.0.last().unwrap_or(&0);
        self.0.push(last + count as i32);
    }

    fn finish(&mut self) -> OffsetBuffer<i32> {
        OffsetBuffer::new(std::mem::take(self).0.into())
    }
}

fn list_array(fields: Fields, offsets: &mut Offsets, children: Vec<ArrayRef>) -> ArrayRef {
    let values = StructArray::new(fields.clone(), children, None);
    Arc::new(ListArray::new(
        item(fields),
        offsets.finish(),
        Arc::new(values),
        None,
    ))
}

#[derive(Default)]
struct FiredColumn {
    offsets: Offsets,
    rule: StringBuilder,
    verdict: StringBuilder,
    reason: StringBuilder,
}

impl FiredColumn {
    fn push(&mut self, fired: &[Fired]) {
        for f in fired {
            self.rule.append_value(&f.rule);
            self.verdict.append_value(f.verdict.as_str());
            self.reason.append_value(&f.reason);
        }
        self.offsets.push(fired.len());
    }

    fn finish(&mut self) -> ArrayRef {
        let children: Vec<ArrayRef> = vec![
            Arc::new(self.rule.finish()),
            Arc::new(self.verdict.finish()),
            Arc::new(self.reason.finish()),
        ];
        list_array(fired_fields(), &mut self.offsets, children)
    }
}

#[derive(Default)]
struct ErrorColumn {
    offsets: Offsets,
    rule: StringBuilder,
    field: StringBuilder,
    message: StringBuilder,
}

impl ErrorColumn {
    fn push(&mut self, errors: &[RecordError]) {
        for e in errors {
            self.rule.append_option(e.rule.as_deref());
            self.field.append_option(e.field.as_deref());
            self.message.append_value(&e.message);
        }
        self.offsets.push(errors.len());
    }

    fn finish(&mut self) -> ArrayRef {
        let children: Vec<ArrayRef> = vec![
            Arc::new(self.rule.finish()),
            Arc::new(self.field.finish()),
            Arc::new(self.message.finish()),
        ];
        list_array(error_fields(), &mut self.offsets, children)
    }
}

/// An optional `struct<field, value>` column.
#[derive(Default)]
struct PairColumn {
    field: StringBuilder,
    value: StringBuilder,
    valid: Vec<bool>,
}

impl PairColumn {
    fn push(&mut self, pair: Option<&FieldValue>) {
        match pair {
            Some(p) => {
                self.field.append_value(&p.field);
                self.value.append_value(&p.value);
            }
            None => {
                // Under a null, the non-null children hold an empty string.
                self.field.append_value("");
                self.value.append_value("");
            }
        }
        self.valid.push(pair.is_some());
    }

    fn finish(&mut self) -> ArrayRef {
        let children: Vec<ArrayRef> =
            vec![Arc::new(self.field.finish()), Arc::new(self.value.finish())];
        let valid = std::mem::take(&mut self.valid);
        let nulls = valid.iter().any(|v| !v).then(|| valid.into());
        Arc::new(StructArray::new(field_value_fields(), children, nulls))
    }
}

#[derive(Default)]
struct FactColumn {
    offsets: Offsets,
    rule: StringBuilder,
    group: PairColumn,
    cap: StringBuilder,
    counts: StringBuilder,
    quantity: StringBuilder,
    remaining: StringBuilder,
    place: UInt64Builder,
    order_by: PairColumn,
    fits: BooleanBuilder,
    admitted: BooleanBuilder,
}

impl FactColumn {
    fn push(&mut self, facts: &[AllocationFact]) {
        for f in facts {
            self.rule.append_value(&f.rule);
            self.group.push(f.group.as_ref());
            self.cap.append_value(&f.cap);
            self.counts.append_value(&f.counts);
            self.quantity.append_value(&f.quantity);
            self.remaining.append_value(&f.remaining);
            self.place.append_value(f.place as u64);
            self.order_by.push(f.order_by.as_ref());
            self.fits.append_value(f.fits);
            self.admitted.append_value(f.admitted);
        }
        self.offsets.push(facts.len());
    }

    fn finish(&mut self) -> ArrayRef {
        let children: Vec<ArrayRef> = vec![
            Arc::new(self.rule.finish()),
            self.group.finish(),
            Arc::new(self.cap.finish()),
            Arc::new(self.counts.finish()),
            Arc::new(self.quantity.finish()),
            Arc::new(self.remaining.finish()),
            Arc::new(self.place.finish()),
            self.order_by.finish(),
            Arc::new(self.fits.finish()),
            Arc::new(self.admitted.finish()),
        ];
        list_array(fact_fields(), &mut self.offsets, children)
    }
}
