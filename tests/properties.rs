//! Laws checked on generated policies and records (proptest):
//! - `check` never panics, on any text;
//! - a diagnostic renders on any text, with labels anywhere (long lines are clipped);
//! - a generated well-typed policy checks clean;
//! - evaluation never panics and gives exactly one result per input record;
//! - the same records as JSON, NDJSON and CSV get the same decisions and reasons;
//! - the compiled rules agree with the tree-walking evaluator;
//! - the output is the same with one thread and with several.

use clearance::data::{CsvDelimiter, DataFormat};
use clearance::outcome::Decision;
use clearance::run::{evaluate, evaluate_parallel, Parallel, RecordResult};
use proptest::prelude::*;

const SCHEMA: &str = r#"
schema {
  id: text
  firm: text
  tier: tier1 | tier2 | tier3
  action: import | export
  item: H200 | H20 | B30A
  units: int
  quota: percent
  perf: decimal
  licensed: bool
  applied_on: date
  note: text?
}
"#;

/// A well-typed condition.
fn condition() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (
            prop::sample::select(vec!["<", "<=", ">", ">=", "==", "!="]),
            -5i64..500_000
        )
            .prop_map(|(op, n)| format!("units {op} {n}")),
        (prop::sample::select(vec!["<", ">=", "=="]), 0u32..100)
            .prop_map(|(op, n)| format!("quota {op} {n}%")),
        (prop::sample::select(vec![">", "<=", "!="]), 0u32..80).prop_map(|(op, n)| format!(
            "perf {op} {}.{}",
            n / 10,
            n % 10
        )),
        Just("licensed".to_string()),
        Just("not licensed".to_string()),
        prop::sample::select(vec!["tier1", "tier2", "tier3"]).prop_map(|t| format!("tier == {t}")),
        Just("tier in [tier1, tier3]".to_string()),
        Just("item not in [H20]".to_string()),
        (1u32..28).prop_map(|d| format!("applied_on >= 2026-01-{d:02}")),
        Just("has note and note != \"x\"".to_string()),
        Just("(note ?? \"\") == \"\"".to_string()),
        Just("len(firm) > 5".to_string()),
        Just("units * 2 > 100_000".to_string()),
        Just("perf / 2 > 1".to_string()),
        Just("quota * units > 1000".to_string()),
        Just("100 / (units - 7) > 1".to_string()),
    ];
    leaf.prop_recursive(2, 8, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) and ({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) or ({b})")),
            inner.prop_map(|a| format!("not ({a})")),
        ]
    })
}

fn rule(i: usize) -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["require", "deny", "waitlist", "allow", "warn"]),
        prop::sample::select(vec![
            "",
            "import",
            "import H200",
            "export",
            "import [H20, B30A]",
        ]),
        condition(),
    )
        .prop_map(move |(verb, scope, cond)| match (verb, scope) {
            ("require", "") => format!("rule r{i}: require {cond}\n"),
            ("require", s) => format!("rule r{i}: require {cond} before {s}\n"),
            (v, s) => {
                format!("rule r{i}: {v} {s} when {cond} because \"r{i} {{units}} {{quota}}\"\n")
            }
        })
}

fn policy() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::collection::vec(0usize..1, 1..6),
        any::<bool>(),
    )
        .prop_flat_map(|(deny, n, limit)| {
            let rules: Vec<_> = (0..n.len()).map(rule).collect();
            rules.prop_map(move |rules| {
                let default = if deny { "deny" } else { "allow" };
                let limit = if limit {
                    "rule cap: limit import to 300_000 units order by applied_on\n"
                } else {
                    ""
                };
                format!(
                    "policy \"generated\" default {default}\n{SCHEMA}\n{}{limit}",
                    rules.concat()
                )
            })
        })
}

/// A record: mostly valid, sometimes with a bad or missing value.
#[derive(Debug, Clone)]
struct Record {
    cells: Vec<(&'static str, Cell)>,
}

#[derive(Debug, Clone)]
enum Cell {
    Text(String),
    Number(String),
    Bool(bool),
    Missing,
}

fn record(i: usize) -> impl Strategy<Value = Record> {
    (
        prop::sample::select(vec!["Alpha", "Beta Co", "Gamma, Ltd", "=cmd", "Ünï \"q\""]),
        prop::sample::select(vec!["tier1", "tier2", "tier3", "tier9"]),
        prop::sample::select(vec!["import", "import", "export"]),
        prop::sample::select(vec!["H200", "H20", "B30A"]),
        prop_oneof![
            (-10i64..500_000).prop_map(|n| n.to_string()),
            Just("7".to_string()),
            Just("99999999999999999999".to_string())
        ],
        (0u32..1000).prop_map(|n| format!("{}.{}", n / 10, n % 10)),
        (0u32..100).prop_map(|n| format!("{}.{}", n / 10, n % 10)),
        any::<bool>(),
        1u32..29,
        prop::option::of(prop::sample::select(vec!["x", "priority", ""])),
    )
        .prop_map(
            move |(firm, tier, action, item, units, quota, perf, licensed, day, note)| Record {
                cells: vec![
                    ("id", Cell::Text(format!("R{i}"))),
                    ("firm", Cell::Text(firm.into())),
                    ("tier", Cell::Text(tier.into())),
                    ("action", Cell::Text(action.into())),
                    ("item", Cell::Text(item.into())),
                    ("units", Cell::Number(units)),
                    ("quota", Cell::Text(format!("{quota}%"))),
                    ("perf", Cell::Number(perf)),
                    ("licensed", Cell::Bool(licensed)),
                    ("applied_on", Cell::Text(format!("2026-01-{day:02}"))),
                    (
                        "note",
                        note.filter(|n| !n.is_empty())
                            .map_or(Cell::Missing, |n| Cell::Text(n.into())),
                    ),
                ],
            },
        )
}

fn records() -> impl Strategy<Value = Vec<Record>> {
    (0usize..40).prop_flat_map(|n| (0..n).map(record).collect::<Vec<_>>())
}

fn json_of(r: &Record) -> String {
    let fields: Vec<String> = r
        .cells
        .iter()
        .filter_map(|(k, c)| {
            let v = match c {
                Cell::Text(t) => serde_json::to_string(t).unwrap(),
                Cell::Number(n) => n.clone(),
                Cell::Bool(b) => b.to_string(),
                Cell::Missing => return None,
            };
            Some(format!("\"{k}\": {v}"))
        })
        .collect();
    format!("{{{}}}", fields.join(", "))
}

fn as_ndjson(rs: &[Record]) -> String {
    rs.iter().map(|r| json_of(r) + "\n").collect()
}

fn as_json(rs: &[Record]) -> String {
    format!(
        "[{}]",
        rs.iter().map(json_of).collect::<Vec<_>>().join(",\n")
    )
}

fn as_csv(rs: &[Record]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header: Vec<&str> = SCHEMA_FIELDS.to_vec();
    w.write_record(&header).unwrap();
    for r in rs {
        w.write_record(r.cells.iter().map(|(_, c)| match c {
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => n.clone(),
            Cell::Bool(b) => b.to_string(),
            Cell::Missing => String::new(),
        }))
        .unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

const SCHEMA_FIELDS: [&str; 11] = [
    "id",
    "firm",
    "tier",
    "action",
    "item",
    "units",
    "quota",
    "perf",
    "licensed",
    "applied_on",
    "note",
];

/// Decisions and reasons; error messages differ between formats by design.
fn decisions(results: &[RecordResult]) -> Vec<(Decision, Vec<String>)> {
    results
        .iter()
        .map(|r| {
            (
                r.outcome.decision,
                r.outcome.rules.iter().map(|f| f.reason.clone()).collect(),
            )
        })
        .collect()
}

fn run(policy: &clearance::Policy, format: DataFormat, data: &str) -> Vec<RecordResult> {
    let mut out = Vec::new();
    evaluate(policy, format, data.as_bytes(), &mut |r| out.push(r)).expect("readable data");
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn check_never_panics_on_any_text(text in "\\PC{0,200}") {
        let _ = clearance::compile(&text);
    }

    #[test]
    fn diagnostics_render_on_any_text_with_labels_anywhere(
        pieces in prop::collection::vec((prop::sample::select(vec![" ", "é", "\t", "\n", "\r\n", "\r", "x", "漢"]), 1usize..20_000), 1..8),
        labels in prop::collection::vec((0.0f64..=1.0, 0.0f64..=1.0), 1..4),
        unicode in any::<bool>(),
    ) {
        use clearance::diagnostics::{render, Code, Diagnostic, RenderOptions, SourceFile};
        use clearance::span::Span;
        let text: String = pieces.iter().map(|(p, n)| p.repeat(*n)).collect();
        let at = |f: f64| {
            let i = (f * text.len() as f64) as usize;
            (0..=i.min(text.len())).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0)
        };
        let spans: Vec<Span> = labels.iter().map(|(a, b)| {
            let (a, b) = (at(*a), at(*b));
            Span::new(a.min(b), a.max(b))
        }).collect();
        let mut d = Diagnostic::error(Code::Unexpected, "unexpected", spans[0], "here");
        for s in &spans[1..] {
            d = d.with_label(*s, "and here");
        }
        let source = SourceFile::new("any.policy", text.clone());
        let options = RenderOptions { unicode, ..RenderOptions::default() };
        let out = render(&d, &source, options);
        prop_assert!(out.starts_with("clearance::syntax::unexpected\n"), "{}", out);
    }

    #[test]
    fn check_never_panics_on_mangled_policies(policy in policy(), cut in 0usize..2000, junk in "[(){}\\[\\]\"#=<>%_a-z0-9 \n]{0,8}") {
        let at = cut.min(policy.len());
        let at = (0..=at).rev().find(|i| policy.is_char_boundary(*i)).unwrap_or(0);
        let mangled = format!("{}{junk}{}", &policy[..at], &policy[at..]);
        let _ = clearance::compile(&mangled);
    }

    #[test]
    fn evaluation_is_total_and_agrees_across_formats_threads_and_evaluators(source in policy(), rs in records()) {
        let policy = clearance::compile(&source).map_err(|d| TestCaseError::fail(format!("{d:?}\n{source}")))?;

        let ndjson = run(&policy, DataFormat::Ndjson, &as_ndjson(&rs));
        prop_assert_eq!(ndjson.len(), rs.len(), "one result per record");
        let json = run(&policy, DataFormat::Json, &as_json(&rs));
        let csv = run(&policy, DataFormat::Csv(CsvDelimiter::Comma), &as_csv(&rs));
        prop_assert_eq!(decisions(&ndjson), decisions(&json));
        prop_assert_eq!(decisions(&ndjson), decisions(&csv));

        // An error is never an allow.
        for r in &ndjson {
            prop_assert!(r.outcome.errors.is_empty() || r.outcome.decision == Decision::Error);
        }

        // The compiled rules against the tree-walking evaluator, rule by rule.
        if !policy.has_limits() {
            for r in rs.iter() {
                if let Ok(row) = clearance::data::decode_json(&policy.schema, &json_of(r)) {
                    let mut v = clearance::internals::eval::FiredSet::default();
                    policy.program().run(&row, &mut v);
                    let fired: Vec<usize> = v.fired().collect();
                    let mut expected = Vec::new();
                    let mut errors = 0;
                    for (i, rule) in policy.rules.iter().enumerate() {
                        if !clearance::internals::semantics::in_scope(rule, &policy.schema, &row) {
                            continue;
                        }
                        let fires = match &rule.kind {
                            clearance::internals::ir::RuleKind::Require(c) => clearance::internals::semantics::truth(c, &row).map(|ok| !ok),
                            clearance::internals::ir::RuleKind::When(Some(c)) => clearance::internals::semantics::truth(c, &row),
                            clearance::internals::ir::RuleKind::When(None) => Ok(true),
                            clearance::internals::ir::RuleKind::Limit(_) => continue,
                        };
                        match fires {
                            Ok(true) => expected.push(i),
                            Ok(false) => {}
                            Err(_) => errors += 1,
                        }
                    }
                    prop_assert_eq!(fired, expected);
                    prop_assert_eq!(v.errors.len(), errors);
                }
            }
        }

        // One thread and several give the same results, in the same order.
        let data = as_ndjson(&rs);
        let collect = |threads| {
            let mut out: Vec<RecordResult> = Vec::new();
            evaluate_parallel(&policy, DataFormat::Ndjson, data.as_bytes(), Parallel { threads, explain_source: None }, &|c| c, &mut |c, _| { out.extend(c); std::ops::ControlFlow::Continue(()) }).unwrap();
            out
        };
        let one = collect(1);
        prop_assert_eq!(&one, &collect(3));
        prop_assert_eq!(&one, &ndjson);
    }
}
