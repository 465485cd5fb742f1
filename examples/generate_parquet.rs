//! Converts `target/h200_large.ndjson` (from `generate_data N`) into
//! `target/h200_large.parquet`, with the columns typed as a warehouse would type them:
//! strings (enum fields dictionary-encoded), Int64, Decimal128, Boolean, Date32.
//!
//!     cargo run --release --example generate_data -- 1000000
//!     cargo run --release --example generate_parquet

use std::collections::HashMap;
use std::io::BufRead;
use std::sync::Arc;

use clearance::arrow::arrow_array::builder::{
    BooleanBuilder, Date32Builder, Decimal128Builder, Int64Builder, StringBuilder,
    StringDictionaryBuilder,
};
use clearance::arrow::arrow_array::types::Int8Type;
use clearance::arrow::arrow_array::{ArrayRef, RecordBatch};
use clearance::arrow::parquet::arrow::ArrowWriter;
use clearance::arrow::parquet::basic::Compression;
use clearance::arrow::parquet::file::properties::WriterProperties;
use serde_json::value::RawValue;

const ROWS_PER_BATCH: usize = 65_536;

#[derive(Default)]
struct Columns {
    id: StringBuilder,
    firm: StringBuilder,
    tier: StringDictionaryBuilder<Int8Type>,
    action: StringDictionaryBuilder<Int8Type>,
    item: StringDictionaryBuilder<Int8Type>,
    units: Int64Builder,
    domestic_quota: Int64Builder,
    relative_perf: Option<Decimal128Builder>,
    us_license: BooleanBuilder,
    customs_hold: BooleanBuilder,
    applied_on: Date32Builder,
    note: StringBuilder,
}

fn text(raw: &RawValue) -> Option<String> {
    serde_json::from_str::<Option<String>>(raw.get())
        .ok()
        .flatten()
}

fn days(date: &str) -> i32 {
    let d = clearance::value::parse_date(date).expect("a date");
    (d - clearance::value::Date::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32
}

impl Columns {
    fn push(&mut self, r: &HashMap<String, Box<RawValue>>) {
        let get = |k: &str| r.get(k).map(|v| v.as_ref());
        let s = |k: &str| get(k).and_then(text);
        self.id.append_option(s("id"));
        self.firm.append_option(s("firm"));
        self.tier.append_option(s("tier"));
        self.action.append_option(s("action"));
        self.item.append_option(s("item"));
        self.units
            .append_option(get("units").and_then(|v| v.get().parse().ok()));
        let quota = s("domestic_quota").and_then(|q| q.trim_end_matches('%').parse().ok());
        self.domestic_quota.append_option(quota);
        // relative_perf has one decimal place in the data: 6.0 is 60 at scale 1
        let perf = get("relative_perf").and_then(|v| clearance::value::parse_number(v.get()).ok());
        let perf = perf.map(|mut d| {
            d.rescale(1);
            d.mantissa()
        });
        self.relative_perf
            .get_or_insert_with(|| {
                Decimal128Builder::new()
                    .with_precision_and_scale(10, 1)
                    .unwrap()
            })
            .append_option(perf);
        self.us_license
            .append_option(get("us_license").map(|v| v.get() == "true"));
        self.customs_hold
            .append_option(get("customs_hold").map(|v| v.get() == "true"));
        self.applied_on
            .append_option(s("applied_on").map(|d| days(&d)));
        self.note.append_option(s("note"));
    }

    fn finish(&mut self) -> RecordBatch {
        let perf = self
            .relative_perf
            .take()
            .expect("rows were pushed")
            .finish();
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("id", Arc::new(self.id.finish())),
            ("firm", Arc::new(self.firm.finish())),
            ("tier", Arc::new(self.tier.finish())),
            ("action", Arc::new(self.action.finish())),
            ("item", Arc::new(self.item.finish())),
            ("units", Arc::new(self.units.finish())),
            ("domestic_quota", Arc::new(self.domestic_quota.finish())),
            ("relative_perf", Arc::new(perf)),
            ("us_license", Arc::new(self.us_license.finish())),
            ("customs_hold", Arc::new(self.customs_hold.finish())),
            ("applied_on", Arc::new(self.applied_on.finish())),
            ("note", Arc::new(self.note.finish())),
        ];
        RecordBatch::try_from_iter(columns).unwrap()
    }
}

fn main() {
    let input = std::fs::File::open("target/h200_large.ndjson")
        .expect("target/h200_large.ndjson: run `cargo run --example generate_data -- N` first");
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut writer: Option<ArrowWriter<std::fs::File>> = None;
    let mut columns = Columns::default();
    let (mut rows, mut total) = (0, 0);
    let flush = |columns: &mut Columns, writer: &mut Option<ArrowWriter<std::fs::File>>| {
        let batch = columns.finish();
        let w = writer.get_or_insert_with(|| {
            let out = std::fs::File::create("target/h200_large.parquet").unwrap();
            ArrowWriter::try_new(out, batch.schema(), Some(props.clone())).unwrap()
        });
        w.write(&batch).unwrap();
    };
    for line in std::io::BufReader::new(input).lines() {
        let line = line.unwrap();
        let record: HashMap<String, Box<RawValue>> = serde_json::from_str(&line).unwrap();
        columns.push(&record);
        rows += 1;
        total += 1;
        if rows == ROWS_PER_BATCH {
            flush(&mut columns, &mut writer);
            rows = 0;
        }
    }
    if rows > 0 {
        flush(&mut columns, &mut writer);
    }
    writer.expect("no records").close().unwrap();
    eprintln!("wrote target/h200_large.parquet ({total} records)");
}
