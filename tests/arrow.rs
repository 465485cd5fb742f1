//! Parquet and Arrow IPC: input (every type mapping, schema errors), the samples as
//! Parquet and IPC against their NDJSON runs, `--format parquet`, threads, codecs.
#![cfg(feature = "arrow")]

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use clearance::arrow::arrow_array::builder::{ListBuilder, StringBuilder};
use clearance::arrow::arrow_array::types::Int32Type;
use clearance::arrow::arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Date64Array, Decimal128Array, Decimal256Array,
    DictionaryArray, Float32Array, Float64Array, Int16Array, Int64Array, LargeStringArray,
    RecordBatch, StringArray, StringViewArray, UInt64Array, UInt8Array,
};
use clearance::arrow::arrow_buffer::i256;
use clearance::arrow::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use clearance::arrow::parquet::arrow::ArrowWriter;
use clearance::arrow::parquet::basic::{Compression, GzipLevel, ZstdLevel};
use clearance::arrow::parquet::file::properties::WriterProperties;
use clearance::arrow::{check_schema, decode_batch, evaluate_batches};
use clearance::value::{parse_number, Type, Value};
use clearance::Policy;
use common::run;
use serde_json::value::RawValue;

const TODAY: &str = "today=2026-03-15";

// ------------------------------------------------------------------ writing test files

fn write_parquet(path: &Path, batch: &RecordBatch, compression: Compression) {
    let props = WriterProperties::builder()
        .set_compression(compression)
        .set_max_row_group_row_count(Some(64))
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut w = ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap();
    w.write(batch).unwrap();
    w.close().unwrap();
}

fn write_ipc_file(path: &Path, batch: &RecordBatch) {
    use clearance::arrow::arrow_ipc::writer::FileWriter;
    let file = std::fs::File::create(path).unwrap();
    let mut w = FileWriter::try_new(file, &batch.schema()).unwrap();
    // several batches, to number positions across them
    let mut offset = 0;
    while offset < batch.num_rows() {
        let len = 70.min(batch.num_rows() - offset);
        w.write(&batch.slice(offset, len)).unwrap();
        offset += len;
    }
    w.finish().unwrap();
}

fn write_ipc_stream(path: &Path, batch: &RecordBatch) {
    use clearance::arrow::arrow_ipc::writer::StreamWriter;
    let file = std::fs::File::create(path).unwrap();
    let mut w = StreamWriter::try_new(file, &batch.schema()).unwrap();
    w.write(&batch.slice(0, batch.num_rows() / 2)).unwrap();
    w.write(&batch.slice(
        batch.num_rows() / 2,
        batch.num_rows() - batch.num_rows() / 2,
    ))
    .unwrap();
    w.finish().unwrap();
}

fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    RecordBatch::try_from_iter(columns).unwrap()
}

// ------------------------------------------------------------------ NDJSON → columns

/// A sample's NDJSON as typed columns, by the policy's schema: the records whose values
/// columns cannot hold (malformed JSON, a string in an `int` field) are left out of both,
/// and decimals are written with their column's scale, so that both runs see the same.
struct Converted {
    batch: RecordBatch,
    ndjson: String,
    dropped: usize,
}

fn fits(ty: &Type, raw: &str) -> bool {
    let first = raw.as_bytes()[0];
    match ty {
        _ if raw == "null" => true,
        Type::Bool => raw == "true" || raw == "false",
        Type::Int => raw.parse::<i64>().is_ok(),
        Type::Decimal => first != b'"' && parse_number(raw).is_ok(),
        Type::Percent => first == b'"' || parse_number(raw).is_ok(),
        Type::Text | Type::Enum(_) | Type::Date => first == b'"',
        Type::List(_) => first == b'[',
        _ => false,
    }
}

fn scale_of(raw: &str) -> u32 {
    parse_number(raw).map(|d| d.scale()).unwrap_or(0)
}

fn convert(policy: &Policy, ndjson: &str) -> Converted {
    let fields = &policy.schema.fields;
    let mut records: Vec<(String, HashMap<String, Box<RawValue>>)> = Vec::new();
    let mut dropped = 0;
    for line in ndjson.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(map) = serde_json::from_str::<HashMap<String, Box<RawValue>>>(line) else {
            dropped += 1;
            continue;
        };
        let ok = fields
            .iter()
            .all(|f| map.get(&f.name).is_none_or(|v| fits(&f.ty, v.get())));
        if ok {
            records.push((line.to_string(), map));
        } else {
            dropped += 1;
        }
    }
    let raw = |r: &HashMap<String, Box<RawValue>>, name: &str| {
        r.get(name)
            .map(|v| v.get().to_string())
            .filter(|v| v != "null")
    };
    let text = |v: &str| serde_json::from_str::<String>(v).unwrap();
    let mut columns: Vec<(String, ArrayRef)> = Vec::new();
    for f in fields {
        let values: Vec<Option<String>> = records.iter().map(|(_, r)| raw(r, &f.name)).collect();
        let array: ArrayRef = match &f.ty {
            Type::Bool => Arc::new(BooleanArray::from(
                values
                    .iter()
                    .map(|v| v.as_ref().map(|v| v == "true"))
                    .collect::<Vec<_>>(),
            )),
            Type::Int => Arc::new(Int64Array::from(
                values
                    .iter()
                    .map(|v| v.as_ref().map(|v| v.parse().unwrap()))
                    .collect::<Vec<_>>(),
            )),
            Type::Decimal | Type::Percent
                if values.iter().flatten().all(|v| !v.starts_with('"')) =>
            {
                let scale = values
                    .iter()
                    .flatten()
                    .map(|v| scale_of(v))
                    .max()
                    .unwrap_or(0);
                for (line, r) in records.iter_mut() {
                    if let Some(v) = raw(r, &f.name) {
                        let mut d = parse_number(&v).unwrap();
                        d.rescale(scale);
                        *line = line.replacen(
                            &format!("\"{}\": {v}", f.name),
                            &format!("\"{}\": {d}", f.name),
                            1,
                        );
                    }
                }
                let unscaled = values.iter().map(|v| {
                    v.as_ref().map(|v| {
                        let mut d = parse_number(v).unwrap();
                        d.rescale(scale);
                        d.mantissa()
                    })
                });
                Arc::new(
                    Decimal128Array::from(unscaled.collect::<Vec<_>>())
                        .with_precision_and_scale(38, scale as i8)
                        .unwrap(),
                )
            }
            Type::Percent => Arc::new(StringArray::from(
                values
                    .iter()
                    .map(|v| {
                        v.as_ref().map(|v| match v.starts_with('"') {
                            true => text(v),
                            false => format!("{v}%"),
                        })
                    })
                    .collect::<Vec<_>>(),
            )),
            Type::Text => Arc::new(StringArray::from(
                values
                    .iter()
                    .map(|v| v.as_ref().map(|v| text(v)))
                    .collect::<Vec<_>>(),
            )),
            Type::Enum(_) => Arc::new(
                values
                    .iter()
                    .map(|v| v.as_ref().map(|v| text(v)))
                    .collect::<Vec<_>>()
                    .iter()
                    .map(Option::as_deref)
                    .collect::<DictionaryArray<Int32Type>>(),
            ),
            Type::Date => {
                let dates: Vec<Option<String>> =
                    values.iter().map(|v| v.as_ref().map(|v| text(v))).collect();
                let parsed: Vec<Option<Option<i32>>> = dates
                    .iter()
                    .map(|d| {
                        d.as_ref()
                            .map(|d| clearance::value::parse_date(d).map(days))
                    })
                    .collect();
                if parsed.iter().flatten().all(Option::is_some) {
                    Arc::new(Date32Array::from(
                        parsed.into_iter().map(Option::flatten).collect::<Vec<_>>(),
                    ))
                } else {
                    Arc::new(StringArray::from(dates)) // ISO dates as strings
                }
            }
            Type::List(_) => {
                let mut b = ListBuilder::new(StringBuilder::new());
                for v in &values {
                    match v {
                        Some(v) => {
                            let items: Vec<String> = serde_json::from_str(v).unwrap();
                            items.iter().for_each(|i| b.values().append_value(i));
                            b.append(true);
                        }
                        None => b.append(false),
                    }
                }
                Arc::new(b.finish())
            }
            other => panic!("no column for {other}"),
        };
        columns.push((f.name.clone(), array));
    }
    let ndjson = records.iter().map(|(l, _)| format!("{l}\n")).collect();
    Converted {
        batch: RecordBatch::try_from_iter(columns).unwrap(),
        ndjson,
        dropped,
    }
}

fn days(d: clearance::value::Date) -> i32 {
    let epoch = clearance::value::Date::from_ymd_opt(1970, 1, 1).unwrap();
    (d - epoch).num_days() as i32
}

/// The NDJSON output without `line`, which columnar input does not have.
fn without_lines(ndjson: &str) -> Vec<serde_json::Value> {
    ndjson
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().remove("line");
            v
        })
        .collect()
}

fn sample(name: &str) -> (String, Policy, String) {
    let path = format!("policies/{name}.policy");
    let source = std::fs::read_to_string(&path).unwrap();
    let mut params = clearance::Params::new();
    params.set("today".to_string(), "2026-03-15".to_string());
    let policy = clearance::compile_with(&source, &params)
        .or_else(|_| clearance::compile(&source))
        .unwrap();
    let data = std::fs::read_to_string(format!("policies/data/{name}.ndjson")).unwrap();
    (path, policy, data)
}

fn eval(policy: &str, data: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["eval", policy, "--data", data.to_str().unwrap()];
    args.extend(extra);
    run(&args)
}

fn set_today(policy: &str) -> Vec<&'static str> {
    let text = std::fs::read_to_string(policy).unwrap();
    if text.contains("today") {
        vec!["--set", TODAY]
    } else {
        vec![]
    }
}

// ------------------------------------------------------------------ the samples

#[test]
fn every_sample_as_parquet_and_ipc_decides_as_its_ndjson() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["domestic_quota", "export_control", "h200_first_batch"] {
        let (path, policy, data) = sample(name);
        let c = convert(&policy, &data);
        assert!(c.dropped <= 2, "{name}: {} records left out", c.dropped);
        assert!(c.batch.num_rows() > 150, "{name}");
        let ndjson = dir.path().join(format!("{name}.ndjson"));
        std::fs::write(&ndjson, &c.ndjson).unwrap();
        let mut args = vec!["--format", "ndjson"];
        args.extend(set_today(&path));
        let (code, expected, _) = eval(&path, &ndjson, &args);
        assert!(code <= 1, "{name}");
        let expected = without_lines(&expected);
        assert!(
            expected.iter().any(|r| r["decision"] == "error"),
            "{name}: bad data kept"
        );

        let parquet = dir.path().join(format!("{name}.parquet"));
        write_parquet(&parquet, &c.batch, Compression::SNAPPY);
        let arrow = dir.path().join(format!("{name}.arrow"));
        write_ipc_file(&arrow, &c.batch);
        let arrows = dir.path().join(format!("{name}.arrows"));
        write_ipc_stream(&arrows, &c.batch);
        for file in [&parquet, &arrow, &arrows] {
            let (code2, out, err) = eval(&path, file, &args);
            assert_eq!(code2, code, "{name} {file:?}: {err}");
            assert_eq!(without_lines(&out), expected, "{name} {file:?}");
        }
    }
}

#[test]
fn the_format_comes_from_the_first_bytes_or_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let (path, policy, data) = sample("domestic_quota");
    let c = convert(&policy, &data);
    let odd = dir.path().join("batch.bin");
    write_parquet(&odd, &c.batch, Compression::UNCOMPRESSED);
    let (code, out, err) = eval(&path, &odd, &["--format", "ndjson"]);
    assert!(code <= 1, "{err}");
    assert_eq!(out.lines().count(), c.batch.num_rows());
    // standard input, with the flag
    let bytes = std::fs::read(&odd).unwrap();
    let out = common::clearance()
        .args([
            "eval",
            &path,
            "--data",
            "-",
            "--data-format",
            "parquet",
            "--format",
            "ndjson",
        ])
        .write_stdin(bytes)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().lines().count(),
        c.batch.num_rows()
    );
    // a file named .parquet that is not
    let fake = dir.path().join("fake.parquet");
    std::fs::write(&fake, "{\"id\": 1}\n").unwrap();
    let (code, _, err) = eval(&path, &fake, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("Parquet"), "{err}");
    // explain reads no Parquet, and says so
    let (code, _, err) = run(&[
        "explain",
        &path,
        "--data",
        odd.to_str().unwrap(),
        "--data-format",
        "parquet",
        "--record",
        "DQ-0001",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("only `eval` reads"), "{err}");
}

#[test]
fn one_thread_and_two_give_identical_output() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["h200_first_batch", "export_control"] {
        let (path, policy, data) = sample(name);
        let c = convert(&policy, &data);
        // many rows, across row groups, batches and worker slices
        let file = dir.path().join(format!("{name}.parquet"));
        let props = WriterProperties::builder()
            .set_max_row_group_row_count(Some(1000))
            .build();
        let out = std::fs::File::create(&file).unwrap();
        let mut w = ArrowWriter::try_new(out, c.batch.schema(), Some(props)).unwrap();
        for _ in 0..12 {
            w.write(&c.batch).unwrap();
        }
        w.close().unwrap();
        let mut args = vec!["--format", "ndjson", "--threads", "1"];
        args.extend(set_today(&path));
        let (_, one, _) = eval(&path, &file, &args);
        args[3] = "2";
        let (_, two, _) = eval(&path, &file, &args);
        assert_eq!(one.lines().count(), 12 * c.batch.num_rows());
        assert!(one
            .lines()
            .last()
            .unwrap()
            .contains(&format!("\"position\":{}", 12 * c.batch.num_rows())));
        assert_eq!(one, two, "{name}");
    }
}

// ------------------------------------------------------------------ type mappings

const TYPES: &str = r#"
policy "types" default allow
schema {
  id: text
  n: int
  d: decimal
  p: percent
  kind: red | blue
  on: date
  ok: bool
  note: text?
  tags: [text]?
}
rule never: deny when n < -1000000
"#;

fn types_policy() -> Policy {
    clearance::compile(TYPES).unwrap()
}

/// Decodes one batch with the library: per record, its row or its error messages.
fn decoded(columns: Vec<(&str, ArrayRef)>) -> Vec<Result<Vec<String>, Vec<String>>> {
    let policy = types_policy();
    let b = batch(columns);
    let layout = check_schema(&policy, &b.schema()).unwrap();
    let fields = &policy.schema.fields;
    decode_batch(&policy, &layout, &b)
        .into_iter()
        .map(|r| match r {
            Ok(row) => Ok(row
                .iter()
                .zip(fields)
                .map(|(v, f)| match v {
                    Value::Missing => "-".to_string(),
                    v => v.display(&f.ty, &policy.schema.enums).to_string(),
                })
                .collect()),
            Err(errors) => Err(errors.into_iter().map(|e| e.message).collect()),
        })
        .collect()
}

fn base(n: usize) -> Vec<(&'static str, ArrayRef)> {
    vec![
        (
            "id",
            Arc::new(StringArray::from_iter_values(
                (0..n).map(|i| format!("r{i}")),
            )) as ArrayRef,
        ),
        ("n", Arc::new(Int64Array::from(vec![1; n]))),
        ("d", Arc::new(Int64Array::from(vec![2; n]))),
        ("p", Arc::new(Int64Array::from(vec![30; n]))),
        ("kind", Arc::new(StringArray::from(vec!["red"; n]))),
        ("on", Arc::new(Date32Array::from(vec![20_482; n]))),
        ("ok", Arc::new(BooleanArray::from(vec![true; n]))),
    ]
}

fn with(
    mut columns: Vec<(&'static str, ArrayRef)>,
    name: &'static str,
    a: ArrayRef,
) -> Vec<(&'static str, ArrayRef)> {
    match columns.iter_mut().find(|(n, _)| *n == name) {
        Some(c) => c.1 = a,
        None => columns.push((name, a)),
    }
    columns
}

/// The value of field `slot` of each record (or its errors).
fn column(rows: &[Result<Vec<String>, Vec<String>>], slot: usize) -> Vec<String> {
    rows.iter()
        .map(|r| match r {
            Ok(row) => row[slot].clone(),
            Err(e) => format!("error: {}", e.join("; ")),
        })
        .collect()
}

#[test]
fn integers_of_every_width_are_ints_and_a_u64_over_the_range_is_a_record_error() {
    let rows = decoded(with(
        base(3),
        "n",
        Arc::new(UInt64Array::from(vec![0, u64::MAX, 7])),
    ));
    assert_eq!(
        column(&rows, 1),
        [
            "0",
            "error: `n`: 18446744073709551615 is out of the int range",
            "7"
        ]
    );
    let rows = decoded(with(
        base(2),
        "n",
        Arc::new(Int16Array::from(vec![-5, 300])),
    ));
    assert_eq!(column(&rows, 1), ["-5", "300"]);
    let rows = decoded(with(base(2), "n", Arc::new(UInt8Array::from(vec![255, 0]))));
    assert_eq!(column(&rows, 1), ["255", "0"]);
}

#[test]
fn decimals_are_exact_and_floats_read_by_their_shortest_text() {
    let d128 = Decimal128Array::from(vec![12345, -5, 10_i128.pow(37)])
        .with_precision_and_scale(38, 2)
        .unwrap();
    let rows = decoded(with(base(3), "d", Arc::new(d128)));
    assert_eq!(
        column(&rows, 2),
        [
            "123.45",
            "-0.05",
            "error: `d`: 100000000000000000000000000000000000.00 does not fit in a decimal (too large: the limit is about 7.9 × 10^28)"
        ]
    );
    // a scale beyond 28 with zeros at the end is still exact
    let wide = Decimal128Array::from(vec![15 * 10_i128.pow(29)])
        .with_precision_and_scale(38, 30)
        .unwrap();
    assert_eq!(
        column(&decoded(with(base(1), "d", Arc::new(wide))), 2),
        ["1.5"]
    );
    let d256 = Decimal256Array::from(vec![
        i256::from_i128(-123),
        i256::from_i128(i128::MAX) * i256::from_i128(10),
    ])
    .with_precision_and_scale(76, 1)
    .unwrap();
    let rows = decoded(with(base(2), "d", Arc::new(d256)));
    assert_eq!(column(&rows, 2)[0], "-12.3");
    assert!(
        column(&rows, 2)[1].contains("does not fit in a decimal"),
        "{:?}",
        rows[1]
    );
    let f = Float64Array::from(vec![0.1, 6.0, 1e-7, 2.5e20, f64::NAN, 1e300]);
    let rows = decoded(with(base(6), "d", Arc::new(f)));
    let shown = column(&rows, 2);
    assert_eq!(
        &shown[..4],
        ["0.1", "6", "0.0000001", "250000000000000000000"]
    );
    assert_eq!(shown[4], "error: `d`: NaN is not a number");
    assert!(
        shown[5].starts_with("error: `d`: 1000000000000000000000000000000000000000… does not fit"),
        "{}",
        shown[5]
    );
    let f32s = Float32Array::from(vec![0.1f32, 33.3]);
    assert_eq!(
        column(&decoded(with(base(2), "d", Arc::new(f32s))), 2),
        ["0.1", "33.3"]
    );
}

#[test]
fn percents_are_points_or_strings_with_a_percent_sign() {
    let rows = decoded(with(
        base(2),
        "p",
        Arc::new(Float64Array::from(vec![30.0, 12.5])),
    ));
    assert_eq!(column(&rows, 3), ["30%", "12.5%"]);
    let strings = StringArray::from(vec!["30%", "2.5 %", "30", "lots"]);
    let rows = decoded(with(base(4), "p", Arc::new(strings)));
    assert_eq!(
        column(&rows, 3),
        [
            "30%",
            "2.5%",
            "error: `p`: expected a percent such as \"30%\", found \"30\"",
            "error: `p`: expected a percent such as \"30%\", found \"lots\""
        ]
    );
    let dec = Decimal128Array::from(vec![3000])
        .with_precision_and_scale(10, 2)
        .unwrap();
    assert_eq!(
        column(&decoded(with(base(1), "p", Arc::new(dec))), 3),
        ["30.00%"]
    );
}

#[test]
fn strings_of_every_layout_and_dictionaries_feed_text_and_enums() {
    let dict: DictionaryArray<Int32Type> =
        vec!["blue", "red", "green", "blue"].into_iter().collect();
    let rows = decoded(with(base(4), "kind", Arc::new(dict)));
    assert_eq!(
        column(&rows, 4),
        [
            "blue",
            "red",
            "error: `kind`: \"green\" is not one of red, blue",
            "blue"
        ]
    );
    let rows = decoded(with(
        base(2),
        "kind",
        Arc::new(LargeStringArray::from(vec!["red", "Red"])),
    ));
    assert_eq!(
        column(&rows, 4),
        ["red", "error: `kind`: \"Red\" is not one of red, blue"]
    );
    let rows = decoded(with(
        base(2),
        "id",
        Arc::new(StringViewArray::from(vec![
            "a long identifier of a record",
            "b",
        ])),
    ));
    assert_eq!(column(&rows, 0), ["a long identifier of a record", "b"]);
    // All null, dictionary-encoded with an empty dictionary (as pyarrow's
    // `dictionary_encode` of nulls gives): missing values, not a panic.
    let empty: DictionaryArray<Int32Type> = vec![None::<&str>, None].into_iter().collect();
    assert_eq!(empty.values().len(), 0);
    assert_eq!(
        column(&decoded(with(base(2), "note", Arc::new(empty))), 7),
        ["-", "-"]
    );
    let dict_ids: DictionaryArray<Int32Type> = vec!["x", "x"].into_iter().collect();
    assert_eq!(
        column(&decoded(with(base(2), "id", Arc::new(dict_ids))), 0),
        ["x", "x"]
    );
}

#[test]
fn dates_from_date32_date64_and_iso_strings() {
    let rows = decoded(with(
        base(2),
        "on",
        Arc::new(Date64Array::from(vec![0, 1_769_644_800_000])),
    ));
    assert_eq!(column(&rows, 5), ["1970-01-01", "2026-01-29"]);
    let rows = decoded(with(
        base(2),
        "on",
        Arc::new(StringArray::from(vec!["2026-01-29", "2026-02-30"])),
    ));
    assert_eq!(
        column(&rows, 5),
        [
            "2026-01-29",
            "error: `on`: \"2026-02-30\" is not a date (YYYY-MM-DD)"
        ]
    );
    assert_eq!(column(&decoded(base(1)), 5), ["2026-01-29"]);
}

#[test]
fn nulls_are_missing_values_an_error_for_a_required_field_only() {
    let rows = decoded(with(
        with(
            base(2),
            "n",
            Arc::new(Int64Array::from(vec![None, Some(4)])),
        ),
        "note",
        Arc::new(StringArray::from(vec![Some("hi"), None])),
    ));
    assert_eq!(
        rows[0],
        Err(vec!["the required field `n` is missing".to_string()])
    );
    assert_eq!(
        column(&rows, 7),
        ["error: the required field `n` is missing", "-"]
    );
    // a list column, with a null list for the optional field
    let mut b = ListBuilder::new(StringBuilder::new());
    b.values().append_value("a");
    b.values().append_value("b");
    b.append(true);
    b.append(false);
    let rows = decoded(with(base(2), "tags", Arc::new(b.finish())));
    assert_eq!(column(&rows, 8), ["[a, b]", "-"]);
    // extra columns are ignored
    let rows = decoded(with(
        base(1),
        "unused",
        Arc::new(Float64Array::from(vec![f64::NAN])),
    ));
    assert!(rows[0].is_ok());
}

#[test]
fn evaluate_batches_numbers_positions_across_batches() {
    let policy = types_policy();
    let batches = [batch(base(3)), batch(base(2))];
    let (tables, summary) = evaluate_batches(&policy, batches.into_iter().map(Ok), 2).unwrap();
    assert_eq!(summary.records, 5);
    let positions: Vec<u64> = tables
        .iter()
        .flat_map(|t| {
            use clearance::arrow::arrow_array::cast::AsArray;
            let p = t
                .column(1)
                .as_primitive::<clearance::arrow::arrow_array::types::UInt64Type>();
            p.values().to_vec()
        })
        .collect();
    assert_eq!(positions, [1, 2, 3, 4, 5]);
    assert_eq!(tables[0].schema(), clearance::arrow::results_schema());
}

// ------------------------------------------------------------------ schema errors

fn schema_error(columns: Vec<(&'static str, ArrayRef)>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("types.policy");
    std::fs::write(&policy, TYPES).unwrap();
    let file = dir.path().join("batch.parquet");
    write_parquet(&file, &batch(columns), Compression::SNAPPY);
    let (code, out, err) = eval(policy.to_str().unwrap(), &file, &["--format", "ndjson"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    err.replace(file.to_str().unwrap(), "batch.parquet")
}

#[test]
fn schema_errors_name_the_column_its_type_and_what_is_accepted() {
    let columns: Vec<_> = base(1).into_iter().filter(|(n, _)| *n != "kind").collect();
    let columns = with(columns, "knid", Arc::new(StringArray::from(vec!["red"])));
    insta::assert_snapshot!("missing_column_near_name", schema_error(columns));
    let columns: Vec<_> = base(1).into_iter().filter(|(n, _)| *n != "kind").collect();
    let columns = with(columns, "Kind", Arc::new(StringArray::from(vec!["red"])));
    insta::assert_snapshot!("missing_column_other_case", schema_error(columns));
    let columns: Vec<_> = base(1).into_iter().filter(|(n, _)| *n != "ok").collect();
    insta::assert_snapshot!("missing_column", schema_error(columns));
    insta::assert_snapshot!(
        "wrong_type_int",
        schema_error(with(base(1), "n", Arc::new(StringArray::from(vec!["1"]))))
    );
    insta::assert_snapshot!(
        "wrong_type_enum",
        schema_error(with(base(1), "kind", Arc::new(Int64Array::from(vec![1]))))
    );
    insta::assert_snapshot!(
        "wrong_type_bool",
        schema_error(with(base(1), "ok", Arc::new(Float64Array::from(vec![1.0]))))
    );
}

// ------------------------------------------------------------------ Parquet output

#[test]
fn format_parquet_reads_back_as_the_ndjson_output() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["h200_first_batch", "domestic_quota"] {
        let (path, _, _) = sample(name);
        let data = format!("policies/data/{name}.ndjson");
        let mut args = vec![
            "eval",
            path.as_str(),
            "--data",
            data.as_str(),
            "--format",
            "ndjson",
        ];
        args.extend(set_today(&path));
        let (_, expected, _) = run(&args);
        let file = dir.path().join("out.parquet");
        args[5] = "parquet";
        args.extend(["--output", file.to_str().unwrap()]);
        let (code, out, err) = run(&args);
        assert!(code <= 1, "{err}");
        assert_eq!(out, "");
        let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&file).unwrap())
            .unwrap()
            .build()
            .unwrap();
        let mut rows = Vec::new();
        for b in reader {
            let b = b.unwrap();
            assert_eq!(b.schema(), clearance::arrow::results_schema());
            rows.extend(table_json(&b));
        }
        let mut expected = without_lines(&expected);
        for r in &mut expected {
            let o = r.as_object_mut().unwrap();
            o.entry("allocations").or_insert(serde_json::json!([]));
        }
        assert_eq!(rows, expected, "{name}");
        if name == "h200_first_batch" {
            assert!(rows
                .iter()
                .any(|r| r["allocations"].as_array().is_some_and(|a| !a.is_empty())));
        }
    }
    // to a pipe: written there
    let out = common::clearance()
        .args([
            "eval",
            "policies/domestic_quota.policy",
            "--data",
            "policies/data/domestic_quota.ndjson",
            "--format",
            "parquet",
        ])
        .output()
        .unwrap();
    assert!(out.stdout.starts_with(b"PAR1") && out.stdout.ends_with(b"PAR1"));
}

/// A results table as the JSON output has it (null members left out).
fn table_json(b: &RecordBatch) -> Vec<serde_json::Value> {
    let whole = clearance::arrow::arrow_array::StructArray::from(b.clone());
    (0..b.num_rows()).map(|i| json_of(&whole, i)).collect()
}

fn json_of(a: &dyn Array, i: usize) -> serde_json::Value {
    use clearance::arrow::arrow_array::cast::AsArray;
    use clearance::arrow::arrow_schema::DataType;
    use serde_json::Value as J;
    match a.data_type() {
        DataType::Utf8 => J::from(a.as_string::<i32>().value(i)),
        DataType::UInt64 => J::from(
            a.as_primitive::<clearance::arrow::arrow_array::types::UInt64Type>()
                .value(i),
        ),
        DataType::Boolean => J::from(a.as_boolean().value(i)),
        DataType::List(_) => {
            let items = a.as_list::<i32>().value(i);
            J::Array(
                (0..items.len())
                    .map(|k| json_of(items.as_ref(), k))
                    .collect(),
            )
        }
        DataType::Struct(fields) => {
            let s = a.as_struct();
            let mut o = serde_json::Map::new();
            for (f, c) in fields.iter().zip(s.columns()) {
                if !c.is_null(i) {
                    o.insert(f.name().clone(), json_of(c.as_ref(), i));
                }
            }
            J::Object(o)
        }
        other => panic!("no JSON for {other}"),
    }
}

// ------------------------------------------------------------------ codecs

#[test]
fn snappy_zstd_and_gzip_files_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let (path, policy, data) = sample("domestic_quota");
    let c = convert(&policy, &data);
    let mut outputs = Vec::new();
    for (name, codec) in [
        ("snappy", Compression::SNAPPY),
        ("zstd", Compression::ZSTD(ZstdLevel::default())),
        ("gzip", Compression::GZIP(GzipLevel::default())),
        ("none", Compression::UNCOMPRESSED),
    ] {
        let file = dir.path().join(format!("{name}.parquet"));
        write_parquet(&file, &c.batch, codec);
        let (code, out, err) = eval(&path, &file, &["--format", "ndjson"]);
        assert!(code <= 1, "{name}: {err}");
        outputs.push(out);
    }
    assert_eq!(outputs[0].lines().count(), c.batch.num_rows());
    assert!(outputs.iter().all(|o| *o == outputs[0]));
}
