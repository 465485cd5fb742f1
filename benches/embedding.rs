//! The embedding path against plain Rust, in one run: records a program already holds as
//! `serde_json::Value`s (parsed before the timing) through the 8 per-record rules of
//! `policies/h200_first_batch.policy` (`benches/h200_per_record.policy`). See docs/performance.md.
//!
//!     cargo bench --bench embedding                    # 1,000,000 records
//!     BENCH_RECORDS=200000 cargo bench --bench embedding
//!
//! Group `value`: `baseline` (a hand-written converter from the value to a struct, and the
//! rules as a hand-written function), `clearance` (`Policy::decode_value` and the compiled
//! rules) and `text_round_trip` (the value written as JSON text, then the text decoder: the
//! only way before `decode_value`).
//!
//! The batch and the policy are those of the other benchmarks (`benches/common`).

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::Value as Json;

use clearance::internals::eval::FiredSet;
use clearance::outcome::Decision;
use common::{rules_of, Action, Inputs, Item, Tier};

// ---------------------------------------------------------------- the baseline

/// The record as a plain Rust program would hold it.
#[allow(dead_code)]
struct Application {
    id: String,
    firm: String,
    tier: Tier,
    action: Action,
    item: Item,
    units: i64,
    domestic_quota: f64,
    relative_perf: f64,
    us_license: bool,
    customs_hold: bool,
    applied_on: chrono::NaiveDate,
    note: Option<String>,
}

/// The 8 rules by hand (`common::rules_of`): the decision (0 allow, 1 deny, 2 waitlist)
/// and the fired rules.
#[inline(never)]
fn rules(a: &Application) -> (u8, u16) {
    rules_of(Inputs {
        action: a.action,
        item: a.item,
        tier: a.tier,
        units: a.units,
        domestic_quota: a.domestic_quota,
        relative_perf: a.relative_perf,
        us_license: a.us_license,
        customs_hold: a.customs_hold,
    })
}

/// The hand-written converter: what a program holding the value would write.
fn from_value(v: &Json) -> Option<Application> {
    let o = v.as_object()?;
    let text = |k: &str| o.get(k)?.as_str();
    Some(Application {
        id: text("id")?.to_string(),
        firm: text("firm")?.to_string(),
        tier: match text("tier")? {
            "tier1" => Tier::Tier1,
            "tier2" => Tier::Tier2,
            "tier3" => Tier::Tier3,
            _ => return None,
        },
        action: match text("action")? {
            "import" => Action::Import,
            "export" => Action::Export,
            _ => return None,
        },
        item: match text("item")? {
            "H200" => Item::H200,
            "H20" => Item::H20,
            "B30A" => Item::B30A,
            "MI308" => Item::MI308,
            _ => return None,
        },
        units: o.get("units")?.as_i64()?,
        domestic_quota: text("domestic_quota")?.strip_suffix('%')?.parse().ok()?,
        relative_perf: o.get("relative_perf")?.as_f64()?,
        us_license: o.get("us_license")?.as_bool()?,
        customs_hold: o.get("customs_hold")?.as_bool()?,
        applied_on: chrono::NaiveDate::parse_from_str(text("applied_on")?, "%Y-%m-%d").ok()?,
        note: match o.get("note") {
            None | Some(Json::Null) => None,
            Some(n) => Some(n.as_str()?.to_string()),
        },
    })
}

// ---------------------------------------------------------------- benchmarks

fn benches(c: &mut Criterion) {
    let n: usize = std::env::var("BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let values: Vec<Json> = common::batch(n)
        .0
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let policy = common::policy();
    let program = policy.program();

    // All three agree on every decision.
    let mut fired = FiredSet::default();
    for v in &values {
        let expected = match rules(&from_value(v).unwrap()).0 {
            0 => Decision::Allow,
            1 => Decision::Deny,
            _ => Decision::Waitlist,
        };
        program.run(&policy.decode_value(v).unwrap(), &mut fired);
        assert_eq!(fired.decision, expected);
        let text = serde_json::to_vec(v).unwrap();
        let row = clearance::data::decode_json(&policy.schema, std::str::from_utf8(&text).unwrap());
        program.run(&row.unwrap(), &mut fired);
        assert_eq!(fired.decision, expected);
    }

    let mut g = c.benchmark_group("value");
    g.sample_size(10).throughput(Throughput::Elements(n as u64));
    g.bench_function("baseline", |b| {
        b.iter(|| {
            for v in &values {
                if let Some(a) = from_value(black_box(v)) {
                    black_box(rules(&a));
                }
            }
        })
    });
    g.bench_function("clearance", |b| {
        let mut fired = FiredSet::default();
        b.iter(|| {
            for v in &values {
                if let Ok(row) = policy.decode_value(black_box(v)) {
                    program.run(&row, &mut fired);
                    black_box(fired.decision);
                }
            }
        })
    });
    g.bench_function("text_round_trip", |b| {
        let mut fired = FiredSet::default();
        b.iter(|| {
            for v in &values {
                let text = serde_json::to_vec(black_box(v)).unwrap();
                let text = std::str::from_utf8(&text).unwrap();
                if let Ok(row) = clearance::data::decode_json(&policy.schema, text) {
                    program.run(&row, &mut fired);
                    black_box(fired.decision);
                }
            }
        })
    });
    g.finish();
}

criterion_group!(embedding, benches);
criterion_main!(embedding);
