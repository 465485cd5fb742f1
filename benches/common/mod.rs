//! What the benchmarks share: the deterministic batch of H200 applications, the policy
//! (`benches/h200_per_record.policy`) and the plain-Rust baseline of its rules. See
//! docs/performance.md.

// Each benchmark uses only part of it.
#![allow(dead_code)]

use clearance::Policy;
use serde::Deserialize;

// ---------------------------------------------------------------- the batch

pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

pub const FIELDS: &str = "id,firm,tier,action,item,units,domestic_quota,relative_perf,us_license,customs_hold,applied_on,note";

/// `n` records as NDJSON and as CSV, the same records in both.
pub fn batch(n: usize) -> (String, String) {
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

/// `benches/h200_per_record.policy`: the 8 per-record rules. (Cutting them out of
/// `policies/h200_first_batch.policy` no longer works: it has gained rules on dates.)
pub fn policy() -> Policy {
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
pub enum Tier {
    Tier1,
    Tier2,
    Tier3,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Import,
    Export,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::upper_case_acronyms)]
pub enum Item {
    H200,
    H20,
    B30A,
    MI308,
}

/// The record as a plain Rust program would hold it.
#[derive(Deserialize)]
#[allow(dead_code)]
pub struct Application {
    pub id: String,
    pub firm: String,
    pub tier: Tier,
    pub action: Action,
    pub item: Item,
    pub units: i64,
    #[serde(deserialize_with = "percent")]
    pub domestic_quota: f64,
    pub relative_perf: f64,
    pub us_license: bool,
    pub customs_hold: bool,
    #[serde(deserialize_with = "date")]
    pub applied_on: chrono::NaiveDate,
    pub note: Option<String>,
}

pub fn percent<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let s = <&str>::deserialize(d)?;
    s.trim_end_matches('%')
        .parse()
        .map_err(serde::de::Error::custom)
}

pub fn date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<chrono::NaiveDate, D::Error> {
    let s = <&str>::deserialize(d)?;
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(serde::de::Error::custom)
}

/// What the 8 rules read of a record.
#[derive(Clone, Copy)]
pub struct Inputs {
    pub action: Action,
    pub item: Item,
    pub tier: Tier,
    pub units: i64,
    pub domestic_quota: f64,
    pub relative_perf: f64,
    pub us_license: bool,
    pub customs_hold: bool,
}

/// The 8 rules by hand: the decision (0 allow, 1 deny, 2 waitlist) and the fired rules.
#[inline(never)]
pub fn rules(a: &Application) -> (u8, u16) {
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

/// [`rules`] over what they read (bit `k`: the `k`-th rule of the policy fired).
#[inline(always)]
pub fn rules_of(a: Inputs) -> (u8, u16) {
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
