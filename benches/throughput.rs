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

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde::Deserialize;

use clearance::columns::Columns;
use clearance::data::{read_records, CsvDelimiter, DataFormat};
use clearance::internals::eval::FiredSet;
use clearance::Policy;

// ---------------------------------------------------------------- the batch

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const FIELDS: &str = "id,firm,tier,action,item,units,domestic_quota,relative_perf,us_license,customs_hold,applied_on,note";

/// `n` records as NDJSON and as CSV, the same records in both.
fn batch(n: usize) -> (String, String) {
    let mut rng = Rng(2026);
    let mut ndjson = String::with_capacity(n * 260);
    let mut csv = String::with_capacity(n * 130);
    csv.push_str(FIELDS);
    csv.push('\n');
    let firms = [
        "Alpha Cloud",
        "Beta Search",
        "Gamma Video",
        "Delta Robotics",
        "Epsilon AI",
        "Zeta Labs",
    ];
    for i in 0..n {
        let firm = rng.pick(&firms);
        let tier = rng.pick(&["tier1", "tier1", "tier2", "tier3"]);
        let action = if rng.next() % 100 < 92 {
            "import"
        } else {
            "export"
        };
        let item = rng.pick(&["H200", "H200", "H20", "B30A", "MI308"]);
        let units = [2_000, 10_000, 40_000, 150_000, 250_000, 450_000][(rng.next() % 6) as usize];
        let quota = 5 + rng.next() % 56;
        let perf = rng.pick(&["0.8", "1.0", "2.5", "6.0"]);
        let licence = rng.next() % 100 < 85;
        let hold = rng.next() % 100 < 5;
        let day = 1 + rng.next() % 28;
        let note = if rng.next() % 100 < 30 {
            "priority lane"
        } else {
            ""
        };
        let note_json = if note.is_empty() {
            "null".to_string()
        } else {
            format!("\"{note}\"")
        };
        ndjson.push_str(&format!(
            "{{\"id\": \"H-{i:07}\", \"firm\": \"{firm}\", \"tier\": \"{tier}\", \"action\": \"{action}\", \"item\": \"{item}\", \"units\": {units}, \"domestic_quota\": \"{quota}%\", \"relative_perf\": {perf}, \"us_license\": {licence}, \"customs_hold\": {hold}, \"applied_on\": \"2026-01-{day:02}\", \"note\": {note_json}}}\n"
        ));
        csv.push_str(&format!(
            "H-{i:07},{firm},{tier},{action},{item},{units},{quota}%,{perf},{licence},{hold},2026-01-{day:02},{note}\n"
        ));
    }
    (ndjson, csv)
}

/// `benches/h200_per_record.policy`: the per-record rules of the H200 policy as they were
/// when the baseline was written (the bundled policy has since gained a window and `today`).
fn policy() -> Policy {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/benches/h200_per_record.policy"
    ))
    .unwrap();
    let p = clearance::compile(&text).unwrap();
    assert_eq!(p.rules.len(), 8);
    p
}

// ---------------------------------------------------------------- the baseline

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Tier {
    Tier1,
    Tier2,
    Tier3,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Action {
    Import,
    Export,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::upper_case_acronyms)]
enum Item {
    H200,
    H20,
    B30A,
    MI308,
}

/// The record as a plain Rust program would hold it.
#[derive(Deserialize)]
#[allow(dead_code)]
struct Application {
    id: String,
    firm: String,
    tier: Tier,
    action: Action,
    item: Item,
    units: i64,
    #[serde(deserialize_with = "percent")]
    domestic_quota: f64,
    relative_perf: f64,
    us_license: bool,
    customs_hold: bool,
    #[serde(deserialize_with = "date")]
    applied_on: chrono::NaiveDate,
    note: Option<String>,
}

fn percent<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let s = <&str>::deserialize(d)?;
    s.trim_end_matches('%')
        .parse()
        .map_err(serde::de::Error::custom)
}

fn date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<chrono::NaiveDate, D::Error> {
    let s = <&str>::deserialize(d)?;
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(serde::de::Error::custom)
}

/// The 8 rules by hand: the decision (0 allow, 1 deny, 2 waitlist) and the fired rules.
#[inline(never)]
fn rules(a: &Application) -> (u8, u16) {
    let import = a.action == Action::Import;
    let mut fired = 0u16;
    if import && a.item == Item::H200 && a.domestic_quota < 30.0 {
        fired |= 1;
    }
    if import && a.relative_perf > 1.0 && !a.us_license {
        fired |= 2;
    }
    if import && a.customs_hold {
        fired |= 4;
    }
    if import && a.item == Item::H200 && a.tier != Tier::Tier1 {
        fired |= 8;
    }
    if import && a.units > 400_000 {
        fired |= 16;
    }
    if import && a.units > 200_000 && a.domestic_quota < 50.0 {
        fired |= 32;
    }
    if import && a.item == Item::B30A && a.domestic_quota < 20.0 {
        fired |= 64;
    }
    if a.action == Action::Export {
        fired |= 128;
    }
    let decision = if fired & (1 | 2 | 4 | 16 | 64 | 128) != 0 {
        1
    } else if fired & 8 != 0 {
        2
    } else {
        0
    };
    (decision, fired)
}

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
