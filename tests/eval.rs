//! Evaluation: clause kinds, decisions, reasons, bad data, formats and the CLI.

mod common;

use clearance::data::{CsvDelimiter, DataFormat};
use clearance::outcome::Decision;
use clearance::run::evaluate_all;
use clearance::Policy;
use common::{clearance, run};

const POLICY: &str = r#"
policy "t" default allow
schema {
  id: text
  action: import | export
  item: H200 | H20
  units: int
  quota: percent
  price: decimal
  on: date
  note: text?
}
let cap = 1_000
rule quota: require quota >= 30% before import H200
rule big: deny import when units > cap because "{units} is over {cap}"
rule wait: waitlist import H20 when units > 500
rule ok: allow export when price < 10.5
rule heads_up: warn when has note and note == "check"
rule ratio: deny when price / (units - 7) > 100
"#;

fn policy() -> Policy {
    clearance::compile(POLICY).expect("valid")
}

fn eval_one(json: &str) -> clearance::outcome::Outcome {
    let p = policy();
    let row = clearance::data::decode_json(&p.schema, json).expect("valid record");
    p.evaluate_row(&row)
}

fn rec(action: &str, item: &str, units: i64, quota: &str) -> String {
    format!(
        r#"{{"id": "r", "action": "{action}", "item": "{item}", "units": {units}, "quota": "{quota}", "price": 20.0, "on": "2026-01-29"}}"#
    )
}

#[test]
fn require_denies_when_its_condition_fails_in_scope_only() {
    let o = eval_one(&rec("import", "H200", 10, "12%"));
    assert_eq!(o.decision, Decision::Deny);
    assert_eq!(o.rules[0].rule, "quota");
    assert_eq!(
        o.rules[0].reason,
        "requires quota >= 30%; quota is 12%, short by 18 points"
    );
    // out of scope: H20
    assert_eq!(
        eval_one(&rec("import", "H20", 10, "12%")).decision,
        Decision::Allow
    );
}

#[test]
fn deny_beats_waitlist_beats_allow_beats_default() {
    let o = eval_one(&rec("import", "H20", 2_000, "40%"));
    assert_eq!(o.decision, Decision::Deny, "{o:?}");
    assert_eq!(
        o.rules.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(),
        ["big", "wait"]
    );
    assert_eq!(o.rules[0].reason, "2000 is over 1000");
    assert_eq!(
        eval_one(&rec("import", "H20", 600, "40%")).decision,
        Decision::Waitlist
    );
    let cheap_export = r#"{"id": "x", "action": "export", "item": "H20", "units": 1, "quota": 0, "price": 9.99, "on": "2026-01-01"}"#;
    let o = eval_one(cheap_export);
    assert_eq!(o.decision, Decision::Allow);
    assert_eq!(o.rules[0].rule, "ok");
    assert_eq!(
        eval_one(&rec("import", "H200", 10, "40%")).decision,
        Decision::Allow
    );
}

#[test]
fn warnings_never_change_the_decision() {
    let with_note = r#"{"id": "w", "action": "import", "item": "H200", "units": 10, "quota": "40%", "price": 1, "on": "2026-01-01", "note": "check"}"#;
    let o = eval_one(with_note);
    assert_eq!(o.decision, Decision::Allow);
    assert_eq!(o.warnings[0].rule, "heads_up");
    assert_eq!(
        o.warnings[0].reason,
        "has note and note == \"check\" holds; note is check"
    );
}

#[test]
fn a_runtime_error_makes_the_record_an_error_never_an_allow() {
    // units - 7 == 0: division by zero in `ratio`
    let o = eval_one(&rec("import", "H200", 7, "40%"));
    assert_eq!(o.decision, Decision::Error);
    assert_eq!(o.errors[0].rule.as_deref(), Some("ratio"));
    assert!(
        o.errors[0].message.contains("division by zero"),
        "{}",
        o.errors[0].message
    );
    // the rules that fired are still reported
    let o = eval_one(&rec("import", "H200", 7, "10%"));
    assert_eq!(o.decision, Decision::Error);
    assert_eq!(o.rules[0].rule, "quota");
}

#[test]
fn int_overflow_is_a_runtime_error() {
    let p =
        clearance::compile("policy \"o\" schema { n: int } rule r: deny when n * n > 0").unwrap();
    let row = clearance::data::decode_json(&p.schema, r#"{"n": 9223372036854775807}"#).unwrap();
    let o = p.evaluate_row(&row);
    assert_eq!(o.decision, Decision::Error);
    assert!(o.errors[0].message.contains("out of the int range"));
}

#[test]
fn decimal_arithmetic_is_exact() {
    let p = clearance::compile(
        "policy \"d\" schema { a: decimal, q: percent } rule r: deny when a + 0.2 == 0.3 and q * 1000 == 300 and 7 / 2 == 3.5",
    )
    .unwrap();
    let row = clearance::data::decode_json(&p.schema, r#"{"a": 0.1, "q": "30%"}"#).unwrap();
    assert_eq!(p.evaluate_row(&row).decision, Decision::Deny);
}

#[test]
fn and_or_stop_early() {
    let p = clearance::compile(
        "policy \"s\" schema { n: int } rule r: deny when n > 0 and 1 / n > 0 or n == 0",
    )
    .unwrap();
    let row = clearance::data::decode_json(&p.schema, r#"{"n": 0}"#).unwrap();
    assert_eq!(p.evaluate_row(&row).decision, Decision::Deny);
}

/// Each kind of bad data errors its own record only, and every record has one result.
#[test]
fn bad_data_affects_only_its_record() {
    let p = policy();
    let good = rec("import", "H200", 10, "40%");
    let lines = [
        good.clone(),
        r#"{"id": "m", "action": "import", "item": "H200", "quota": "40%", "price": 1, "on": "2026-01-01"}"#.to_string(),
        good.replace("\"units\": 10", "\"units\": \"12\""),
        good.replace("\"H200\"", "\"H100\""),
        "{\"id\": \"broken\", ".to_string(),
        "".to_string(),
        "[1, 2]".to_string(),
        good.replace("2026-01-29", "2026-02-30"),
        good.replace("\"40%\"", "\"40\""),
        good.replace("\"units\": 10", "\"units\": 1e400"),
        good.clone(),
    ];
    let data = lines.join("\n");
    let report = evaluate_all(&p, DataFormat::Ndjson, data.as_bytes()).unwrap();
    let decisions: Vec<Decision> = report.results.iter().map(|r| r.outcome.decision).collect();
    use Decision::*;
    assert_eq!(
        decisions,
        [Allow, Error, Error, Error, Error, Error, Error, Error, Error, Allow]
    );
    assert_eq!(report.summary.records, 10, "the blank line is not a record");
    let messages: Vec<String> = report.results[1..9]
        .iter()
        .map(|r| format!("line {}: {}", r.line.unwrap(), r.outcome.errors[0].message))
        .collect();
    insta::assert_snapshot!(messages.join("\n"));
}

#[test]
fn csv_rows_are_matched_by_header_and_checked_for_shape() {
    let p = policy();
    let data = "extra,id,action,item,units,quota,price,on,note\nx,a,import,H200,5,40%,1.5,2026-01-01,\nx,b,import,H200,5,40,1.5,2026-01-01,check\nx,c,import,H200\nx,d,import,H200,,40%,1.5,2026-01-01,\n";
    let report = evaluate_all(&p, DataFormat::Csv(CsvDelimiter::Comma), data.as_bytes()).unwrap();
    let got: Vec<(String, Decision, Option<usize>)> = report
        .results
        .iter()
        .map(|r| (r.record.clone(), r.outcome.decision, r.line))
        .collect();
    assert_eq!(
        got,
        [
            ("a".into(), Decision::Allow, Some(2)),
            ("b".into(), Decision::Allow, Some(3)),
            ("#3".into(), Decision::Error, Some(4)),
            ("d".into(), Decision::Error, Some(5)),
        ]
    );
    assert_eq!(report.results[1].outcome.warnings.len(), 1);
    assert!(report.results[2].outcome.errors[0]
        .message
        .contains("4 cells"));
    assert!(report.results[3].outcome.errors[0]
        .message
        .contains("`units` is missing"));
}

#[test]
fn a_json_array_that_is_not_valid_json_is_an_input_error() {
    let p = policy();
    for bad in ["[{\"id\": 1}, {", "{\"id\": \"a\"}", "[{\"id\": \"a\"} x]"] {
        assert!(
            evaluate_all(&p, DataFormat::Json, bad.as_bytes()).is_err(),
            "{bad}"
        );
    }
    let empty = evaluate_all(&p, DataFormat::Json, "[]".as_bytes()).unwrap();
    assert_eq!(empty.summary.records, 0);
}

/// The same records as JSON, NDJSON and CSV give the same decisions.
#[test]
fn formats_agree_on_the_sample_batches() {
    let root = env!("CARGO_MANIFEST_DIR");
    for (name, formats) in [
        (
            "domestic_quota",
            &[
                DataFormat::Json,
                DataFormat::Ndjson,
                DataFormat::Csv(CsvDelimiter::Comma),
            ][..],
        ),
        (
            "export_control",
            &[DataFormat::Json, DataFormat::Ndjson][..],
        ),
    ] {
        let text = std::fs::read_to_string(format!("{root}/policies/{name}.policy")).unwrap();
        let p = clearance::compile(&text).unwrap();
        let runs: Vec<Vec<(String, Decision, Vec<String>)>> = formats
            .iter()
            .map(|f| {
                let ext = match f {
                    DataFormat::Json => "json",
                    DataFormat::Ndjson => "ndjson",
                    DataFormat::Csv(_) => "csv",
                };
                let file =
                    std::fs::File::open(format!("{root}/policies/data/{name}.{ext}")).unwrap();
                let report = evaluate_all(&p, *f, std::io::BufReader::new(file)).unwrap();
                report
                    .results
                    .into_iter()
                    .map(|r| {
                        let reasons = r.outcome.rules.iter().map(|f| f.reason.clone()).collect();
                        (r.record, r.outcome.decision, reasons)
                    })
                    .collect()
            })
            .collect();
        assert!(runs[0].len() >= 200);
        assert!(
            runs[0].iter().any(|r| r.1 == Decision::Error),
            "samples include bad records"
        );
        for other in &runs[1..] {
            // Bad records differ by format only in their error text.
            assert_eq!(runs[0], *other, "{name}");
        }
    }
}

const OUTPUT_FORMATS: [&str; 4] = ["table", "json", "ndjson", "csv"];

/// A few records of the H200 sample, one of each kind: a deny by `require`, an allow by
/// the default, a missing field, a record refused by the `limit` (with a warning), a
/// waitlist by a rule, an allow with a warning (admitted by the `limit` first, being
/// earlier by `applied_on`), and a line that is not JSON.
const SAMPLE_IDS: [&str; 7] = [
    "H-00001",
    "H-00002",
    "H-00017",
    "H-00023",
    "H-00039",
    "H-00169",
    "broken-199",
];

#[test]
fn eval_outputs_a_sample_in_every_format() {
    let all = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/data/h200_first_batch.ndjson"
    ))
    .unwrap();
    let lines: Vec<&str> = SAMPLE_IDS
        .iter()
        .map(|id| {
            let key = format!("\"id\": \"{id}\"");
            let found: Vec<&str> = all.lines().filter(|l| l.contains(&key)).collect();
            assert_eq!(found.len(), 1, "{id} is one line of the sample");
            found[0]
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sample.ndjson");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let data = path.to_str().unwrap();
    for format in OUTPUT_FORMATS {
        let policy = "policies/h200_first_batch.policy";
        // The day of the run is fixed, so that the output does not change from day to day.
        let (code, stdout, stderr) = run(&[
            "eval", policy, "--data", data, "--format", format, "--set", TODAY,
        ]);
        assert_eq!(code, 1, "the sample holds bad records");
        insta::assert_snapshot!(
            format!("sample_{format}"),
            format!("{stdout}\n-----stderr\n{stderr}")
        );
    }
}

/// FNV-1a (64 bits): a digest that no Rust release changes.
/// The day of the run for outputs that are compared with recorded ones: the bundled
/// H200 policy uses `today`, and every run reports the day it used.
const TODAY: &str = "today=2026-03-15";

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The decision of each result in the output of `eval --format FORMAT`, in order.
fn decisions_in(format: &str, stdout: &str) -> Vec<String> {
    let json_decision = |v: &serde_json::Value| v["decision"].as_str().unwrap().to_string();
    match format {
        "json" => {
            let doc: serde_json::Value = serde_json::from_str(stdout).unwrap();
            doc["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(json_decision)
                .collect()
        }
        "ndjson" => stdout
            .lines()
            .map(|l| json_decision(&serde_json::from_str(l).unwrap()))
            .collect(),
        "csv" => {
            let mut reader = csv::Reader::from_reader(stdout.as_bytes());
            let headers = reader.headers().unwrap().clone();
            let column = headers.iter().position(|h| h == "decision").unwrap();
            reader
                .records()
                .map(|r| r.unwrap()[column].to_string())
                .collect()
        }
        // A record's first line starts with its id; the summary follows a blank line.
        "table" => stdout
            .lines()
            .skip(1)
            .take_while(|l| !l.is_empty())
            .filter(|l| !l.starts_with(' '))
            .map(|l| l.split_whitespace().nth(1).unwrap().to_string())
            .collect(),
        _ => unreachable!("{format}"),
    }
}

/// The full bundled samples in every format, by counts and digest instead of thousands
/// of snapshot lines: one result per record, the same decisions in every format, the
/// counts per decision, and the exact bytes (stdout, then stderr) as recorded when the
/// outputs were last reviewed in full.
#[test]
fn eval_outputs_the_bundled_samples_in_every_format() {
    // The data file, its [allow, deny, waitlist, error] counts, and the digest of the
    // output in each of OUTPUT_FORMATS.
    let samples: [(&str, [usize; 4], [u64; 4]); 3] = [
        (
            "domestic_quota.ndjson",
            [131, 128, 36, 5],
            [
                0x2f4d_2fd3_523f_c717,
                0x8ff1_b2ea_591c_283e,
                0x2694_58f8_3a25_83c1,
                0x76a5_a4ac_52bf_a25a,
            ],
        ),
        (
            "export_control.json",
            [63, 138, 14, 5],
            [
                0x37e4_ca88_879d_c077,
                0xa74c_3800_9642_9d6d,
                0x9714_60f7_25fc_8915,
                0x8446_c788_6003_ee3c,
            ],
        ),
        (
            "h200_first_batch.csv",
            [88, 107, 40, 5],
            [
                0xbb61_da5b_8476_6b4c,
                0xeabd_e963_6277_f86b,
                0x44e6_53f3_2560_cfe6,
                0x5003_f13a_a3e1_c2eb,
            ],
        ),
    ];
    for (data, counts, digests) in samples {
        let policy = format!("policies/{}.policy", data.split('.').next().unwrap());
        let data_path = format!("policies/data/{data}");
        let mut first: Option<Vec<String>> = None;
        for (format, digest) in OUTPUT_FORMATS.into_iter().zip(digests) {
            let (code, stdout, stderr) = run(&[
                "eval", &policy, "--data", &data_path, "--format", format, "--set", TODAY,
            ]);
            assert_eq!(
                code, 1,
                "the samples hold bad records, and --fail-on defaults to error"
            );
            let decisions = decisions_in(format, &stdout);
            let count = |d: &str| decisions.iter().filter(|x| *x == d).count();
            let got = [
                count("allow"),
                count("deny"),
                count("waitlist"),
                count("error"),
            ];
            assert_eq!(
                got, counts,
                "{data} as {format}: allow, deny, waitlist, error"
            );
            assert_eq!(
                decisions.len(),
                counts.iter().sum::<usize>(),
                "{data} as {format}"
            );
            match &first {
                None => first = Some(decisions),
                Some(f) => assert_eq!(*f, decisions, "{data}: {format} and table disagree"),
            }
            let output = format!("{stdout}\n-----stderr\n{stderr}");
            assert_eq!(
                fnv1a(output.as_bytes()),
                digest,
                "{data} as {format}: the output changed; review it in full (`clearance eval \
                 {policy} --data {data_path} --format {format}`), then record its new digest"
            );
        }
    }
}

#[test]
fn exit_codes_follow_fail_on() {
    let dq = [
        "eval",
        "policies/domestic_quota.policy",
        "--data",
        "policies/data/domestic_quota.csv",
        "--format",
        "json",
    ];
    assert_eq!(run(&dq).0, 1);
    let mut never = dq.to_vec();
    never.extend(["--fail-on", "waitlist"]);
    assert_eq!(run(&never).0, 1, "the sample has waitlisted records");
    let data = "{\"id\":\"a\",\"action\":\"export\",\"item\":\"H20\",\"units\":1,\"domestic_quota\":1,\"domestic_spend\":1,\"foreign_spend\":1,\"state_owned\":false,\"audited_on\":\"2026-01-01\",\"applied_on\":\"2026-01-02\",\"firm\":\"f\",\"province\":\"p\"}\n";
    let out = clearance()
        .args([
            "eval",
            "policies/domestic_quota.policy",
            "--data",
            "-",
            "--data-format",
            "ndjson",
            "--fail-on",
            "allow",
        ])
        .write_stdin(data)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "one deny, and only allow fails");
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"decision\":\"deny\""));
}

#[test]
fn invalid_policies_and_inputs_exit_2() {
    let (code, _, stderr) = run(&[
        "eval",
        "policies/domestic_quota.policy",
        "--data",
        "no/such/file.ndjson",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read"));
    let (code, _, _) = run(&[
        "eval",
        "policies/domestic_quota.policy",
        "--data",
        "README.md",
    ]);
    assert_eq!(code, 2, "unknown data format");
    let (code, _, _) = run(&[
        "eval",
        "tests/fixtures/unknown_field.policy",
        "--data",
        "policies/data/domestic_quota.csv",
    ]);
    assert_eq!(code, 2);
}

#[test]
fn check_exit_codes_and_json() {
    let (code, _, stderr) = run(&[
        "check",
        "policies/domestic_quota.policy",
        "policies/export_control.policy",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, _) = run(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/single_equals.policy",
        "no/such.policy",
    ]);
    assert_eq!(code, 2);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let d = &doc["files"][0]["diagnostics"][0];
    assert_eq!(d["code"], "clearance::syntax::single_equals");
    assert!(d["line"].as_u64().unwrap() > 0 && d["column"].as_u64().unwrap() > 0);
    assert!(d["span"]["end"].as_u64() > d["span"]["start"].as_u64());
    assert_eq!(doc["files"][1]["ok"], false);
}

#[test]
fn table_output_escapes_control_characters() {
    let data = "{\"id\":\"\\u001b[31mEVIL\",\"action\":\"export\",\"item\":\"H20\",\"units\":1,\"domestic_quota\":1,\"domestic_spend\":1,\"foreign_spend\":1,\"state_owned\":false,\"audited_on\":\"2026-01-01\",\"applied_on\":\"2026-01-02\",\"firm\":\"f\",\"province\":\"p\"}\n";
    let out = clearance()
        .args([
            "eval",
            "policies/domestic_quota.policy",
            "--data",
            "-",
            "--data-format",
            "ndjson",
            "--format",
            "table",
        ])
        .write_stdin(data)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains('\x1b'));
    assert!(stdout.contains("\\u{1b}[31mEVIL"));
}

#[test]
fn a_rule_may_use_a_constant_defined_below_it() {
    let p =
        clearance::compile("policy \"c\" schema { n: int } rule r: deny when n > cap let cap = 5")
            .unwrap();
    let row = clearance::data::decode_json(&p.schema, r#"{"n": 6}"#).unwrap();
    assert_eq!(p.evaluate_row(&row).decision, Decision::Deny);
}

#[test]
fn check_deny_warnings_turns_lints_into_errors() {
    let (code, _, stderr) = run(&["check", "tests/ui/lint/unused_let.policy"]);
    assert_eq!(code, 0, "warnings alone pass");
    assert!(stderr.contains("clearance::lint::unused_let"), "{stderr}");
    assert!(stderr.contains("ok, 1 warning"));
    let (code, _, _) = run(&[
        "check",
        "--deny-warnings",
        "tests/ui/lint/unused_let.policy",
    ]);
    assert_eq!(code, 2);
    let (code, stdout, _) = run(&[
        "check",
        "--format",
        "json",
        "tests/ui/lint/unused_let.policy",
    ]);
    assert_eq!(code, 0);
    assert!(stdout.contains("\"severity\": \"warning\""), "{stdout}");
}

/// The output is byte-identical with one thread and with several, in every format,
/// also across chunk boundaries (a batch of ~5,000 records).
#[test]
fn one_thread_and_many_give_the_same_output() {
    let sample = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/data/h200_first_batch.ndjson"
    ))
    .unwrap();
    let big = sample.repeat(21);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("threads_test.ndjson");
    std::fs::write(&path, &big).unwrap();
    let path = path.to_str().unwrap();
    for policy in [
        "policies/h200_first_batch.policy",
        "tests/fixtures/h200_stricter.policy",
    ] {
        for format in ["ndjson", "csv", "json", "table"] {
            let outputs: Vec<(i32, String, String)> = ["1", "3"]
                .iter()
                .map(|t| {
                    run(&[
                        "eval",
                        policy,
                        "--data",
                        path,
                        "--format",
                        format,
                        "--threads",
                        t,
                    ])
                })
                .collect();
            assert!(outputs[0].1.len() > 100_000, "{format}");
            assert_eq!(
                outputs[0], outputs[1],
                "{policy} {format}: 1 thread and 3 threads differ"
            );
        }
    }
}

#[test]
fn an_optional_text_field_is_shown_with_a_default() {
    let p = clearance::compile(
        "policy \"n\" schema { n: int, note: text? } rule r: deny when n > 1 because \"note: {note ?? \"none\"}, n: {n}\"",
    )
    .unwrap();
    let reason = |json: &str| {
        let row = clearance::data::decode_json(&p.schema, json).unwrap();
        p.evaluate_row(&row).rules[0].reason.clone()
    };
    assert_eq!(reason(r#"{"n": 2}"#), "note: none, n: 2");
    assert_eq!(reason(r#"{"n": 3, "note": "late"}"#), "note: late, n: 3");
}

#[test]
fn fail_on_none_never_fails_and_stands_alone() {
    let args = [
        "eval",
        "policies/h200_first_batch.policy",
        "--data",
        "policies/data/h200_first_batch.csv",
        "--format",
        "csv",
    ];
    assert_eq!(run(&args).0, 1, "the sample holds records with errors");
    assert_eq!(run(&[&args[..], &["--fail-on", "none"]].concat()).0, 0);
    let (code, stdout, stderr) = run(&[&args[..], &["--fail-on", "none,deny"]].concat());
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("`--fail-on none` cannot be combined"),
        "{stderr}"
    );
}
