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
//! The batch generator is a copy of the one in benches/throughput.rs (NDJSON only).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::Value as Json;

use clearance::internals::eval::FiredSet;
use clearance::outcome::Decision;
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

/// `n` records as NDJSON, those of benches/throughput.rs.
fn batch(n: usize) -> String {
    let mut rng = Rng(2026);
    let mut ndjson = String::with_capacity(n * 260);
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
            "\"priority lane\""
        } else {
            "null"
        };
        ndjson.push_str(&format!(
            "{{\"id\": \"H-{i:07}\", \"firm\": \"{firm}\", \"tier\": \"{tier}\", \"action\": \"{action}\", \"item\": \"{item}\", \"units\": {units}, \"domestic_quota\": \"{quota}%\", \"relative_perf\": {perf}, \"us_license\": {licence}, \"customs_hold\": {hold}, \"applied_on\": \"2026-01-{day:02}\", \"note\": {note}}}\n"
        ));
    }
    ndjson
}

/// `benches/h200_per_record.policy`: the 8 per-record rules of the H200 policy.
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tier {
    Tier1,
    Tier2,
    Tier3,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Import,
    Export,
}

#[derive(Clone, Copy, PartialEq, Eq)]
#[allow(clippy::upper_case_acronyms)]
enum Item {
    H200,
    H20,
    B30A,
    MI308,
}

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
    let values: Vec<Json> = batch(n)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let policy = policy();
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
