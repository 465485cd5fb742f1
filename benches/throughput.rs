//! Clearance against plain Rust, in one run, on a deterministic batch of H200
//! applications and the 8 per-record rules of `benches/h200_per_record.policy`. See
//! docs/performance.md.
//!
//!     cargo bench --bench throughput                 # 1,000,000 records
//!     BENCH_RECORDS=100000 cargo bench --bench throughput
//!
//! Groups: `eval` (rules only, input already decoded), `ndjson` and `csv` (decode +
//! rules, from memory). Each group has `baseline` (plain Rust: serde / csv into a
//! struct, the rules as a hand-written function) and `clearance`; `eval` also has
//! `columnar` (the rules a column at a time over chunks of 1,024 records already held as
//! columns: per record the fired rules and the decision).

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde::Deserialize;

use clearance::columns::Columns;
use clearance::data::{read_records, CsvDelimiter, DataFormat};
use clearance::internals::eval::FiredSet;
use common::{batch, policy, rules, Action, Application, Item, Tier};

// ---------------------------------------------------------------- benchmarks

fn benches(c: &mut Criterion) {
    let n: usize = std::env::var("BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let (ndjson, csv) = batch(n);
    let policy = policy();
    let program = policy.program();

    let structs: Vec<Application> = ndjson
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Decoded rows laid out one after the other, as the baseline's structs are.
    let width = policy.schema.fields.len();
    let mut flat = Vec::with_capacity(n * width);
    read_records(
        &policy.schema,
        DataFormat::Ndjson,
        ndjson.as_bytes(),
        &mut |r| flat.extend(r.row.unwrap()),
    )
    .unwrap();
    let rows: Vec<&[clearance::value::Value]> = flat.chunks(width).collect();
    // Both sides agree on every decision.
    let mut v = FiredSet::default();
    for (s, row) in structs.iter().zip(&rows) {
        program.run(row, &mut v);
        let expected = match rules(s).0 {
            0 => clearance::outcome::Decision::Allow,
            1 => clearance::outcome::Decision::Deny,
            _ => clearance::outcome::Decision::Waitlist,
        };
        assert_eq!(v.decision, expected);
    }

    let mut g = c.benchmark_group("eval");
    g.sample_size(10).throughput(Throughput::Elements(n as u64));
    g.bench_function("baseline", |b| {
        b.iter(|| {
            for s in &structs {
                black_box(rules(black_box(s)));
            }
        })
    });
    g.bench_function("clearance", |b| {
        let mut v = FiredSet::default();
        b.iter(|| {
            for row in &rows {
                program.run(black_box(row), &mut v);
                black_box(v.decision);
            }
        })
    });
    // Columns built once, in chunks of the run pipeline's size, outside the timed loop.
    let chunks: Vec<Columns> = rows
        .chunks(1024)
        .map(|c| Columns::from_rows(&policy.schema, c))
        .collect();
    let mut at = 0;
    for chunk in &chunks {
        let fired = policy.evaluate_columns(chunk);
        for (i, d) in fired.decisions().iter().enumerate() {
            program.run(rows[at + i], &mut v);
            assert_eq!(*d, v.decision);
            assert_eq!(fired.fired_bits(i), v.fired.as_slice());
        }
        at += chunk.len();
    }
    g.bench_function("columnar", |b| {
        b.iter(|| {
            for chunk in &chunks {
                black_box(policy.evaluate_columns(black_box(chunk)));
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("ndjson");
    g.sample_size(10).throughput(Throughput::Elements(n as u64));
    g.bench_function("baseline", |b| {
        b.iter(|| {
            for line in ndjson.lines() {
                let a: Application = serde_json::from_str(line).unwrap();
                black_box(rules(&a));
            }
        })
    });
    g.bench_function("clearance", |b| {
        let mut v = FiredSet::default();
        b.iter(|| {
            read_records(
                &policy.schema,
                DataFormat::Ndjson,
                ndjson.as_bytes(),
                &mut |r| {
                    if let Ok(row) = &r.row {
                        program.run(row, &mut v);
                        black_box(v.decision);
                    }
                },
            )
            .unwrap()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("csv");
    g.sample_size(10).throughput(Throughput::Elements(n as u64));
    g.bench_function("baseline", |b| {
        b.iter(|| {
            let mut reader = csv::Reader::from_reader(csv.as_bytes());
            for a in reader.deserialize::<CsvApplication>() {
                black_box(rules(&a.unwrap().into()));
            }
        })
    });
    g.bench_function("clearance", |b| {
        let mut v = FiredSet::default();
        b.iter(|| {
            read_records(
                &policy.schema,
                DataFormat::Csv(CsvDelimiter::Comma),
                csv.as_bytes(),
                &mut |r| {
                    if let Ok(row) = &r.row {
                        program.run(row, &mut v);
                        black_box(v.decision);
                    }
                },
            )
            .unwrap()
        })
    });
    g.finish();
}

/// CSV cells are text: the baseline parses them into the same struct.
#[derive(Deserialize)]
struct CsvApplication {
    id: String,
    firm: String,
    tier: Tier,
    action: Action,
    item: Item,
    units: i64,
    domestic_quota: String,
    relative_perf: f64,
    us_license: bool,
    customs_hold: bool,
    applied_on: String,
    note: Option<String>,
}

impl From<CsvApplication> for Application {
    fn from(c: CsvApplication) -> Self {
        Application {
            id: c.id,
            firm: c.firm,
            tier: c.tier,
            action: c.action,
            item: c.item,
            units: c.units,
            domestic_quota: c.domestic_quota.trim_end_matches('%').parse().unwrap(),
            relative_perf: c.relative_perf,
            us_license: c.us_license,
            customs_hold: c.customs_hold,
            applied_on: chrono::NaiveDate::parse_from_str(&c.applied_on, "%Y-%m-%d").unwrap(),
            note: c.note.filter(|n| !n.is_empty()),
        }
    }
}

criterion_group!(throughput, benches);
criterion_main!(throughput);
