//! NDJSON in, NDJSON out, from memory: Clearance's streaming output against a plain
//! Rust program in the same run, on the batch of `throughput.rs` and the 8 rules of
//! `benches/h200_per_record.policy`. See docs/performance.md.
//!
//!     cargo bench --bench output                      # 1,000,000 records
//!     BENCH_RECORDS=200000 cargo bench --bench output
//!
//! The baseline reads each line with `serde_json` into a struct that borrows its
//! strings, runs the rules written by hand and writes the line with `serde_json` from
//! `#[derive(Serialize)]` structs, reasons formatted straight into the output
//! (`collect_str`), nothing allocated per record. Groups: `names` (record, decision and
//! the fired rules' names and verdicts: Clearance with `--fields record,decision,rules`)
//! and `full` (every field, reasons included: Clearance's default output). Both sides
//! write the same bytes: checked before measuring.

mod common;

use std::fmt;
use std::hint::black_box;
use std::ops::ControlFlow;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use clearance::run::{evaluate_rendered, Fields, Parallel, Rendering};
use clearance::{DataFormat, Policy};

use common::{batch, date, rules_of, Action, Inputs, Item, Tier};

/// The record, its strings borrowed from the line.
#[derive(Deserialize)]
#[allow(dead_code)]
struct Application<'a> {
    id: &'a str,
    firm: &'a str,
    tier: Tier,
    action: Action,
    item: Item,
    units: i64,
    domestic_quota: &'a str,
    relative_perf: f64,
    us_license: bool,
    customs_hold: bool,
    #[serde(deserialize_with = "date")]
    applied_on: chrono::NaiveDate,
    #[serde(borrow)]
    note: Option<&'a str>,
}

/// Rule names and verdicts, in file order; rule 5 is the warning.
const RULES: [(&str, &str); 8] = [
    ("domestic_first", "deny"),
    ("licence", "deny"),
    ("customs", "deny"),
    ("first_batch_only", "waitlist"),
    ("per_batch_cap", "deny"),
    ("big_order", "warn"),
    ("b30a_quota", "deny"),
    ("no_export", "deny"),
];
const WARNINGS: u16 = 1 << 5;

/// One fired rule of one record, with what its reason shows.
#[derive(Clone, Copy)]
struct Fired<'a> {
    rule: usize,
    firm: &'a str,
    quota: &'a str,
    quota_points: f64,
    units: i64,
    reasons: bool,
}

impl fmt::Display for Fired<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (quota, units) = (self.quota, self.units);
        match self.rule {
            0 => write!(f, "firms must source 30% domestic hardware before importing H200 (has {quota})"),
            1 => f.write_str("no US export licence for a chip above H20 performance"),
            2 => f.write_str("customs_hold holds; customs_hold is true"),
            3 => write!(f, "{} is not in the first allocation", self.firm),
            4 => write!(f, "batch of {units} units exceeds the per-batch cap of 400000"),
            5 => write!(f, "units > 200000 and domestic_quota < 50% holds; units is {units}, domestic_quota is {quota}"),
            6 => write!(
                f,
                "requires domestic_quota >= 20%; domestic_quota is {quota}, short by {} points",
                20.0 - self.quota_points
            ),
            _ => f.write_str("applies to every export record"),
        }
    }
}

impl Serialize for Fired<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (rule, verdict) = RULES[self.rule];
        let mut m = s.serialize_map(Some(2 + usize::from(self.reasons)))?;
        m.serialize_entry("rule", rule)?;
        m.serialize_entry("verdict", verdict)?;
        if self.reasons {
            m.serialize_entry("reason", &Reason(self))?;
        }
        m.end()
    }
}

/// A reason, written into the output as it is formatted.
struct Reason<'r, 'a>(&'r Fired<'a>);

impl Serialize for Reason<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self.0)
    }
}

#[derive(Serialize)]
struct Names<'a> {
    record: &'a str,
    decision: &'static str,
    rules: &'a [Fired<'a>],
}

#[derive(Serialize)]
struct Full<'a> {
    record: &'a str,
    position: usize,
    line: usize,
    decision: &'static str,
    rules: &'a [Fired<'a>],
    warnings: &'a [Fired<'a>],
    errors: [(); 0],
}

/// The baseline: every line of `ndjson` read, decided and written to `out`.
fn baseline(ndjson: &str, full: bool, out: &mut Vec<u8>) {
    for (i, text) in ndjson.lines().enumerate() {
        let a: Application = serde_json::from_str(text).unwrap();
        let quota_points: f64 = a.domestic_quota.trim_end_matches('%').parse().unwrap();
        let (decision, fired) = rules_of(Inputs {
            action: a.action,
            item: a.item,
            tier: a.tier,
            units: a.units,
            domestic_quota: quota_points,
            relative_perf: a.relative_perf,
            us_license: a.us_license,
            customs_hold: a.customs_hold,
        });
        let one = |rule| Fired {
            rule,
            firm: a.firm,
            quota: a.domestic_quota,
            quota_points,
            units: a.units,
            reasons: full,
        };
        let (mut rules, mut warnings) = ([one(0); 8], [one(0); 8]);
        let (mut n, mut w) = (0, 0);
        for k in (0..8).filter(|k| fired >> k & 1 == 1) {
            if WARNINGS >> k & 1 == 1 {
                (warnings[w], w) = (one(k), w + 1);
            } else {
                (rules[n], n) = (one(k), n + 1);
            }
        }
        let decision = ["allow", "deny", "waitlist"][decision as usize];
        let written = if full {
            let line = Full {
                record: a.id,
                position: i + 1,
                line: i + 1,
                decision,
                rules: &rules[..n],
                warnings: &warnings[..w],
                errors: [],
            };
            serde_json::to_writer(&mut *out, &line)
        } else {
            let line = Names {
                record: a.id,
                decision,
                rules: &rules[..n],
            };
            serde_json::to_writer(&mut *out, &line)
        };
        written.unwrap();
        out.push(b'\n');
    }
}

/// Clearance on one thread, as `clearance eval --format ndjson --threads 1` runs it.
fn clearance(policy: &Policy, ndjson: &str, fields: Fields, out: &mut Vec<u8>) {
    let options = Parallel {
        threads: 1,
        explain_source: None,
    };
    evaluate_rendered(
        policy,
        DataFormat::Ndjson,
        ndjson.as_bytes(),
        options,
        Rendering::Ndjson,
        fields,
        &mut |bytes, _| {
            out.extend_from_slice(bytes);
            ControlFlow::Continue(())
        },
    )
    .unwrap();
}

fn same_bytes(what: &str, baseline: &[u8], clearance: &[u8]) {
    if baseline != clearance {
        let (b, c) = (
            String::from_utf8_lossy(baseline),
            String::from_utf8_lossy(clearance),
        );
        let at = b.lines().zip(c.lines()).position(|(x, y)| x != y);
        panic!(
            "{what}: the baseline and Clearance differ at line {at:?}:\n{:?}\n{:?}",
            at.and_then(|i| b.lines().nth(i)),
            at.and_then(|i| c.lines().nth(i))
        );
    }
}

fn benches(c: &mut Criterion) {
    let n: usize = std::env::var("BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let (ndjson, _) = batch(n);
    let policy = common::policy();
    let names = Fields::parse(&["record", "decision", "rules"]).unwrap();

    let (mut out, mut expected) = (Vec::with_capacity(n * 400), Vec::with_capacity(n * 400));
    for (full, fields, what) in [(false, names, "names"), (true, Fields::ALL, "full")] {
        out.clear();
        expected.clear();
        baseline(&ndjson, full, &mut expected);
        clearance(&policy, &ndjson, fields, &mut out);
        same_bytes(what, &expected, &out);

        let mut g = c.benchmark_group(what);
        g.sample_size(10).throughput(Throughput::Elements(n as u64));
        g.bench_function("baseline", |b| {
            b.iter(|| {
                out.clear();
                baseline(black_box(&ndjson), full, &mut out);
                black_box(out.len())
            })
        });
        g.bench_function("clearance", |b| {
            b.iter(|| {
                out.clear();
                clearance(&policy, black_box(&ndjson), fields, &mut out);
                black_box(out.len())
            })
        });
        g.finish();
    }
}

criterion_group!(output, benches);
criterion_main!(output);
