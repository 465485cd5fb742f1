//! Writes the sample batches in `policies/data/` (deterministic: same output every run).
//!
//!     cargo run --example generate_data            # the bundled samples
//!     cargo run --example generate_data -- 1000000 # also a large H200 batch for benchmarks
//!
//! Each policy gets the same records as JSON, NDJSON and CSV (export control, whose
//! schema has a list field, has no CSV). A few records are deliberately bad, at the same
//! positions in every format, so every format yields the same decisions.

use std::fmt::Write as _;
use std::fs;

/// A small deterministic generator (64-bit LCG), so no dependency is needed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

#[derive(Clone)]
enum Val {
    Str(String),
    Num(String),
    Pct(String),
    Bool(bool),
    Null,
    List(Vec<String>),
}

type Record = Vec<(&'static str, Val)>;

fn s(x: impl Into<String>) -> Val {
    Val::Str(x.into())
}

fn date(rng: &mut Rng, month_from: u64, months: u64) -> String {
    let m = month_from + rng.below(months);
    let (y, m) = (2025 + (m - 1) / 12, (m - 1) % 12 + 1);
    format!("{y}-{m:02}-{:02}", 1 + rng.below(28))
}

const FIRMS: &[&str] = &[
    "Alpha Cloud",
    "Beta Search",
    "Gamma Video",
    "Delta Robotics",
    "Epsilon AI",
    "Zeta Labs",
    "Eta Compute",
    "Theta Mobility",
    "Iota Health",
    "Kappa Finance",
    "Lambda Logistics",
    "Mu Games",
];

fn h200(rng: &mut Rng, i: usize) -> Record {
    let firm = rng.pick(FIRMS);
    let units = [2_000, 10_000, 40_000, 80_000, 150_000, 250_000, 450_000][rng.below(7) as usize];
    let mut r = vec![
        ("id", s(format!("H-{:05}", i + 1))),
        ("firm", s(firm)),
        ("tier", s(rng.pick(&["tier1", "tier1", "tier2", "tier3"]))),
        (
            "action",
            s(if rng.chance(92) { "import" } else { "export" }),
        ),
        (
            "item",
            s(rng.pick(&["H200", "H200", "H200", "H20", "B30A", "MI308"])),
        ),
        ("units", Val::Num(units.to_string())),
        ("domestic_quota", Val::Pct(format!("{}", 5 + rng.below(56)))),
        (
            "relative_perf",
            Val::Num(rng.pick(&["0.8", "1.0", "2.5", "6.0"]).into()),
        ),
        ("us_license", Val::Bool(rng.chance(85))),
        ("customs_hold", Val::Bool(rng.chance(5))),
        ("applied_on", s(date(rng, 13, 2))),
    ];
    r.push((
        "note",
        if rng.chance(30) {
            s("priority lane")
        } else {
            Val::Null
        },
    ));
    r
}

fn domestic(rng: &mut Rng, i: usize) -> Record {
    let audited = date(rng, 1, 12);
    vec![
        ("id", s(format!("DQ-{:04}", i + 1))),
        ("firm", s(rng.pick(FIRMS))),
        (
            "province",
            s(rng.pick(&["Beijing", "Shanghai", "Guangdong", "Zhejiang", "Sichuan"])),
        ),
        (
            "action",
            s(if rng.chance(94) { "import" } else { "export" }),
        ),
        ("item", s(rng.pick(&["H20", "H20", "B30A", "B30A", "H200"]))),
        (
            "units",
            Val::Num(
                [800, 3_000, 5_000, 12_000, 30_000, 60_000, 120_000][rng.below(7) as usize]
                    .to_string(),
            ),
        ),
        (
            "domestic_quota",
            Val::Pct(format!("{}.{}", 8 + rng.below(80), rng.below(10))),
        ),
        (
            "domestic_spend",
            Val::Num(format!("{}.{:02}", 2 + rng.below(300), rng.below(100))),
        ),
        (
            "foreign_spend",
            Val::Num(format!("{}.{:02}", 5 + rng.below(500), rng.below(100))),
        ),
        ("state_owned", Val::Bool(rng.chance(20))),
        ("audited_on", s(audited)),
        ("applied_on", s(date(rng, 12, 3))),
    ]
}

fn export(rng: &mut Rng, i: usize) -> Record {
    let licensed = rng.chance(60);
    let mut flags = Vec::new();
    for f in [
        "dual-use",
        "diversion-risk",
        "new-consignee",
        "transshipment",
    ] {
        if rng.chance(15) {
            flags.push(f.to_string());
        }
    }
    vec![
        ("id", s(format!("EX-{:04}", i + 1))),
        ("exporter", s(rng.pick(FIRMS))),
        (
            "action",
            s(if rng.chance(90) { "export" } else { "import" }),
        ),
        ("item", s(rng.pick(&["H200", "H20", "B30A", "MI308"]))),
        (
            "destination",
            s(rng.pick(&[
                "Singapore",
                "Malaysia",
                "Atlantis",
                "Vietnam",
                "Oceania",
                "UAE",
                "Brazil",
            ])),
        ),
        (
            "end_user",
            s(rng.pick(&[
                "Univ. Lab",
                "Cloud Co",
                "Sanctioned Corp",
                "Retail Ltd",
                "Research Inst",
            ])),
        ),
        (
            "end_use",
            s(rng.pick(&["civil", "civil", "civil", "research", "military", "unknown"])),
        ),
        (
            "units",
            Val::Num([10, 50, 200, 1_000, 5_000][rng.below(5) as usize].to_string()),
        ),
        (
            "unit_value",
            Val::Num(
                rng.pick(&["1500.00", "12000.00", "25000.50", "32000.00"])
                    .into(),
            ),
        ),
        (
            "licence_no",
            if licensed {
                s(format!("EL-{}", 1000 + rng.below(9000)))
            } else {
                Val::Null
            },
        ),
        (
            "licence_expires",
            if licensed {
                s(date(rng, 6, 18))
            } else {
                Val::Null
            },
        ),
        ("flags", Val::List(flags)),
        ("shipped_on", s(date(rng, 12, 3))),
    ]
}

/// Deliberately bad records, each replacing the clean one at its position.
#[derive(Clone, Copy)]
enum Bad {
    MissingField,
    WrongType,
    UnknownEnum,
    ImpossibleDate,
    Malformed,
}

fn json_value(v: &Val) -> String {
    match v {
        Val::Str(x) => serde_json::to_string(x).unwrap(),
        Val::Num(x) => x.clone(),
        Val::Pct(x) => format!("\"{x}%\""),
        Val::Bool(b) => b.to_string(),
        Val::Null => "null".into(),
        Val::List(xs) => serde_json::to_string(xs).unwrap(),
    }
}

fn corrupt(r: &Record, bad: Bad) -> Record {
    let mut r = r.clone();
    match bad {
        Bad::MissingField => r.retain(|(k, _)| *k != "units"),
        Bad::WrongType => {
            for (k, v) in r.iter_mut() {
                if *k == "units" {
                    *v = s("twelve thousand");
                }
            }
        }
        Bad::UnknownEnum => {
            for (k, v) in r.iter_mut() {
                if *k == "item" {
                    *v = s("H100");
                }
            }
        }
        Bad::ImpossibleDate => {
            for (k, v) in r.iter_mut() {
                if *k == "applied_on" || *k == "shipped_on" {
                    *v = s("2026-02-30");
                }
            }
        }
        Bad::Malformed => {}
    }
    r
}

fn json_object(r: &Record) -> String {
    let fields: Vec<String> = r
        .iter()
        .map(|(k, v)| format!("\"{k}\": {}", json_value(v)))
        .collect();
    format!("{{{}}}", fields.join(", "))
}

fn write_all(name: &str, records: &[Record], bad: &[(usize, Bad)], csv: bool) {
    let bad_at = |i: usize| bad.iter().find(|(p, _)| *p == i).map(|(_, b)| *b);
    let mut ndjson = String::new();
    let mut json = String::from("[\n");
    for (i, r) in records.iter().enumerate() {
        let (nd, js) = match bad_at(i) {
            // A line that is not JSON in NDJSON; an element that is not an object in an array.
            Some(Bad::Malformed) => (
                format!("{{\"id\": \"broken-{i}\", \"units\": "),
                "42".to_string(),
            ),
            Some(b) => {
                let o = json_object(&corrupt(r, b));
                (o.clone(), o)
            }
            None => {
                let o = json_object(r);
                (o.clone(), o)
            }
        };
        writeln!(ndjson, "{nd}").unwrap();
        let sep = if i + 1 < records.len() { "," } else { "" };
        writeln!(json, "  {js}{sep}").unwrap();
    }
    json.push_str("]\n");
    fs::write(format!("policies/data/{name}.ndjson"), ndjson).unwrap();
    fs::write(format!("policies/data/{name}.json"), json).unwrap();
    if csv {
        let header: Vec<&str> = records[0].iter().map(|(k, _)| *k).collect();
        let mut out = csv::WriterBuilder::new()
            .flexible(true)
            .from_path(format!("policies/data/{name}.csv"))
            .unwrap();
        out.write_record(&header).unwrap();
        for (i, r) in records.iter().enumerate() {
            let cell = |v: &Val| match v {
                Val::Str(x) | Val::Num(x) => x.clone(),
                Val::Pct(x) => format!("{x}%"),
                Val::Bool(b) => b.to_string(),
                Val::Null => String::new(),
                Val::List(_) => unreachable!("no lists in CSV schemas"),
            };
            match bad_at(i) {
                // A ragged row: one cell short.
                Some(Bad::Malformed) => {
                    let cells: Vec<String> = r.iter().skip(1).map(|(_, v)| cell(v)).collect();
                    out.write_record(&cells).unwrap();
                }
                Some(Bad::MissingField) => {
                    let cells: Vec<String> = r
                        .iter()
                        .map(|(k, v)| {
                            if *k == "units" {
                                String::new()
                            } else {
                                cell(v)
                            }
                        })
                        .collect();
                    out.write_record(&cells).unwrap();
                }
                Some(b) => {
                    let c = corrupt(r, b);
                    out.write_record(c.iter().map(|(_, v)| cell(v))).unwrap();
                }
                None => out.write_record(r.iter().map(|(_, v)| cell(v))).unwrap(),
            }
        }
        out.flush().unwrap();
    }
}

fn main() {
    let bad = [
        (16, Bad::MissingField),
        (52, Bad::WrongType),
        (100, Bad::UnknownEnum),
        (151, Bad::ImpossibleDate),
        (199, Bad::Malformed),
    ];
    fs::create_dir_all("policies/data").unwrap();
    let gen = |n: usize, seed: u64, f: fn(&mut Rng, usize) -> Record| {
        let mut rng = Rng(seed);
        (0..n).map(|i| f(&mut rng, i)).collect::<Vec<_>>()
    };
    write_all("h200_first_batch", &gen(240, 2026, h200), &bad, true);
    write_all("domestic_quota", &gen(300, 7, domestic), &bad, true);
    write_all("export_control", &gen(220, 42, export), &bad, false);
    if let Some(n) = std::env::args()
        .nth(1)
        .and_then(|n| n.parse::<usize>().ok())
    {
        let records = gen(n, 1, h200);
        let mut out =
            std::io::BufWriter::new(fs::File::create("target/h200_large.ndjson").unwrap());
        for r in &records {
            use std::io::Write;
            writeln!(out, "{}", json_object(r)).unwrap();
        }
        eprintln!("wrote target/h200_large.ndjson ({n} records)");
    }
}
