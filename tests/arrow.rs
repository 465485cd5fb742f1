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
