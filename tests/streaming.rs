//! `evaluate_rendered` (the streaming hot path the CLI uses for `ndjson` and `csv`
//! output) writes exactly what rendering each result on its own writes, for every
//! choice of fields, for NDJSON, JSON and CSV input, on one thread and on several: good
//! records, records with warnings, escapes, control characters, formula-like cells,
//! runtime errors (also in a `because`), bad data and records without an id.

use std::ops::ControlFlow;

use clearance::data::CsvDelimiter;
use clearance::run::render::{write_csv, write_ndjson};
use clearance::run::{evaluate, evaluate_rendered, Fields, Parallel, Rendering, Summary};
use clearance::{DataFormat, Policy};

const POLICY: &str = r#"
policy "s" default allow
schema {
  id: text
  firm: text
  action: import | export
  item: H200 | H20
  units: int
  quota: percent
  price: decimal
  on: date
  note: text?
}
rule quota: require quota >= 30% before import H200
rule big: deny import when units > 1000 because "{firm}: {units} units on {on}, squared {units * units}"
rule wait: waitlist import H20 when units > 500
rule ok: allow export when price < 10.5
rule heads_up: warn when has note and note == "check" because "note {note ?? "none"} by {firm}"
rule ratio: deny when price / (units - 7) > 100
"#;

/// Without an `id` (labels `#N`), and with an `int` one.
const NO_ID: &str = r#"
policy "n" default deny
schema { n: int, tag: text, day: date }
rule big: allow when n > 3 because "{tag} on {day}"
rule odd: warn when n > 5
"#;

const INT_ID: &str = r#"
policy "i" default allow
schema { id: int, tag: text }
rule t: deny when tag == "x"
"#;

/// The JSON records of `POLICY`, each a case of its own.
const CASES: [&str; 20] = [
    r#"{"id": "A-{i}", "firm": "Acme", "action": "import", "item": "H200", "units": 50, "quota": "12%", "price": 1.5, "on": "2026-01-29"}"#,
    r#"{"id": "B-{i}", "firm": "Acme, Inc", "action": "import", "item": "H20", "units": 700, "quota": 31, "price": 2, "on": "2026-02-01", "note": "check"}"#,
    r#"{"id": "C-{i}", "firm": "Big \"Co\"", "action": "import", "item": "H200", "units": 5000, "quota": "40%", "price": 9.99, "on": "2026-03-04", "note": null}"#,
    r#"{"id": "=D-{i}", "firm": "-dash", "action": "export", "item": "H20", "units": 1, "quota": "1%", "price": 3, "on": "2026-01-01"}"#,
    r#"{"id": "esc\"{i}", "firm": "x", "action": "export", "item": "H20", "units": 1, "quota": "1%", "price": 30, "on": "2026-01-01"}"#,
    r#"{"id": "tab\t{i}", "firm": "x\u001b[31m", "action": "import", "item": "H20", "units": 9, "quota": "1%", "price": 3, "on": "2026-01-01", "note": "check"}"#,
    r#"{"id": "日本-{i}", "firm": "株式会社", "action": "import", "item": "H200", "units": 2000, "quota": "10%", "price": 3, "on": "2026-01-01", "note": "check"}"#,
    "{\"id\": \"del\u{7f}{i}\", \"firm\": \"c1\u{85}\", \"action\": \"import\", \"item\": \"H20\", \"units\": 800, \"quota\": \"50%\", \"price\": 3, \"on\": \"2026-01-01\", \"note\": \"check\"}",
    r#"{"id": "zero-{i}", "firm": "d", "action": "import", "item": "H20", "units": 7, "quota": "50%", "price": 3, "on": "2026-01-01"}"#,
    r#"{"id": "overflow-{i}", "firm": "o", "action": "import", "item": "H20", "units": 4000000000, "quota": "50%", "price": 3, "on": "2026-01-01"}"#,
    r#"{"id": "bad-{i}", "firm": "b", "action": "import", "item": "H20", "units": "many", "quota": "50%", "price": 3, "on": "2026-01-01"}"#,
    r#"{"id": "missing-{i}", "action": "import", "item": "H20", "units": 1, "quota": "50%", "price": 3, "on": "2026-01-01"}"#,
    r#"{"id": "dup-{i}", "id": "dup2-{i}", "firm": "e", "action": "import", "item": "H20", "units": 1, "quota": "50%", "price": 3, "on": "2026-01-01", "note": "check", "note": null}"#,
    r#"{"id": "nested-{i}", "extra": {"a": [1, 2]}, "firm": "f", "action": "import", "item": "H20", "units": 600, "quota": "50%", "price": 3, "on": "2026-01-01"}"#,
    r#"{"id": "spaced-{i}" ,  "firm" : "g" , "action":"import","item":"H20","units":1,"quota":"30.00%","price":3.000,"on":"2026-01-01"}"#,
    r#"{"firm": "no id", "action": "import", "item": "H200", "units": 1, "quota": "50%", "price": 3, "on": "2026-01-01"}"#,
    r#"{"id": "", "firm": "", "action": "import", "item": "H200", "units": -3, "quota": "-5%", "price": -0.00, "on": "0001-01-01"}"#,
    r#"not json {i}"#,
    r#"[1, 2]"#,
    r#"{"id": "late-{i}", "firm": "h", "action": "import", "item": "H200", "units": 2500, "quota": "29.9%", "price": 3, "on": "2026-12-31", "unknown": "skipped"}"#,
];

fn ndjson(records: usize) -> String {
    let mut s = String::new();
    for i in 0..records {
        s.push_str(&CASES[i % CASES.len()].replace("{i}", &i.to_string()));
        s.push('\n');
        if i % 97 == 0 {
            s.push('\n'); // a blank line is no record
        }
    }
    s
}

const FIELD_SETS: [&[&str]; 6] = [
    &[
        "record",
        "position",
        "line",
        "decision",
        "rules",
        "reasons",
        "warnings",
        "errors",
        "allocations",
        "explain",
    ],
    &["record", "decision", "rules"],
    &["decision", "warnings"],
    &["reasons"],
    &["position", "line", "errors"],
    &["record"],
];

const RENDERINGS: [Rendering; 3] = [
    Rendering::Ndjson,
    Rendering::Csv { raw: false },
    Rendering::Csv { raw: true },
];

/// The streamed bytes and summary.
fn streamed(
    policy: &Policy,
    format: DataFormat,
    data: &str,
    threads: usize,
    rendering: Rendering,
    fields: Fields,
) -> (Vec<u8>, Summary) {
    let mut bytes = Vec::new();
    let options = Parallel {
        threads,
        explain_source: None,
    };
    let summary = evaluate_rendered(
        policy,
        format,
        data.as_bytes(),
        options,
        rendering,
        fields,
        &mut |b, _| {
            bytes.extend_from_slice(b);
            ControlFlow::Continue(())
        },
    )
    .unwrap();
    (bytes, summary)
}

/// Each result rendered on its own, from the general evaluation.
fn expected(
    policy: &Policy,
    format: DataFormat,
    data: &str,
    rendering: Rendering,
    fields: Fields,
) -> (Vec<u8>, Summary) {
    let (mut bytes, mut cell) = (Vec::new(), Vec::new());
    let summary = evaluate(policy, format, data.as_bytes(), &mut |r| match rendering {
        Rendering::Ndjson => write_ndjson(&mut bytes, &r, fields),
        Rendering::Csv { raw } => write_csv(&mut bytes, &r, fields, raw, false, &mut cell),
    })
    .unwrap();
    (bytes, summary)
}

fn agree(policy: &Policy, format: DataFormat, data: &str) {
    for names in FIELD_SETS {
        let fields = Fields::parse(names).unwrap();
        for rendering in RENDERINGS {
            let (want, want_summary) = expected(policy, format, data, rendering, fields);
            assert!(!want.is_empty());
            for threads in [1, 3] {
                let (got, summary) = streamed(policy, format, data, threads, rendering, fields);
                if got != want {
                    let (got, want) = (
                        String::from_utf8_lossy(&got),
                        String::from_utf8_lossy(&want),
                    );
                    let at = got.lines().zip(want.lines()).position(|(a, b)| a != b);
                    panic!(
                        "{rendering:?} {names:?} on {threads} threads differs at line {at:?}:\n{:?}\n{:?}",
                        at.and_then(|i| got.lines().nth(i)),
                        at.and_then(|i| want.lines().nth(i)),
                    );
                }
                assert_eq!(summary, want_summary, "{rendering:?} {names:?} {threads}");
            }
        }
    }
}

#[test]
fn streaming_writes_what_each_result_renders_to_from_ndjson() {
    let policy = clearance::compile(POLICY).unwrap();
    agree(&policy, DataFormat::Ndjson, &ndjson(2_600));
}

#[test]
fn streaming_writes_what_each_result_renders_to_from_a_json_array() {
    let policy = clearance::compile(POLICY).unwrap();
    let good: Vec<String> = (0..1_500)
        .map(|i| CASES[i % 8].replace("{i}", &i.to_string()))
        .collect();
    agree(
        &policy,
        DataFormat::Json,
        &format!("[{}]", good.join(",\n")),
    );
}

#[test]
fn streaming_writes_what_each_result_renders_to_from_csv() {
    let policy = clearance::compile(POLICY).unwrap();
    let mut csv = String::from("id,firm,action,item,units,quota,price,on,note,other\n");
    for i in 0..2_100 {
        csv.push_str(&match i % 7 {
            0 => format!("A-{i},Acme,import,H200,50,12%,1.5,2026-01-29,,x\n"),
            1 => format!("\"B,{i}\",\"Acme \"\"Inc\"\"\",import,H20,700,31,2,2026-02-01,check,\n"),
            2 => format!("=C-{i},x,import,H200,5000,40%,9.99,2026-03-04,check,\n"),
            3 => format!("D-{i},d,import,H20,7,50%,3,2026-01-01,,\n"),
            4 => format!("E-{i},e,import,H20,many,50%,3,2026-01-01,,\n"),
            5 => ",f,export,H20,1,1%,3,2026-01-01,,\n".to_string(),
            _ => format!("G-{i},g,import,H20,1\n"),
        });
    }
    agree(&policy, DataFormat::Csv(CsvDelimiter::Comma), &csv);
}

#[test]
fn streaming_labels_records_without_a_text_id() {
    let policy = clearance::compile(NO_ID).unwrap();
    let data: String = (0..1_300)
        .map(|i| match i % 3 {
            0 => format!(
                "{{\"n\": {}, \"tag\": \"t{i}\", \"day\": \"2026-05-06\"}}\n",
                i % 9
            ),
            1 => format!("{{\"n\": {}, \"tag\": \"t{i}\"}}\n", i % 9),
            _ => format!("{{\"n\": {}}}\n", i % 9),
        })
        .collect();
    agree(&policy, DataFormat::Ndjson, &data);
    let policy = clearance::compile(INT_ID).unwrap();
    let data: String = (0..1_300)
        .map(|i| format!("{{\"id\": {i}, \"tag\": \"{}\"}}\n", ["x", "y"][i % 2]))
        .collect();
    agree(&policy, DataFormat::Ndjson, &data);
}
