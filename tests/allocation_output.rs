//! Allocation facts in every output: JSON and NDJSON fields, CSV columns, the table,
//! `explain` and `diff` (docs/language.md, "Allocation facts" and "Output").

mod common;

use common::run;
use serde_json::Value;

const POLICY: &str = "tests/fixtures/allocation_facts.policy";
const DATA: &str = "tests/fixtures/allocation_facts.ndjson";
const H200: &str = "policies/h200_first_batch.policy";
const H200_DATA: &str = "policies/data/h200_first_batch.ndjson";

fn eval(policy: &str, data: &str, format: &str, extra: &[&str]) -> String {
    let mut args = vec!["eval", policy, "--data", data, "--format", format];
    args.extend(extra);
    let (code, stdout, stderr) = run(&args);
    assert!(code == 0 || code == 1, "{stderr}");
    stdout
}

fn result<'v>(doc: &'v Value, id: &str) -> &'v Value {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["record"] == id)
        .unwrap_or_else(|| panic!("no result for {id}"))
}

#[test]
fn json_results_carry_one_structured_fact_per_limit() {
    let doc: Value = serde_json::from_str(&eval(POLICY, DATA, "json", &[])).unwrap();
    let q03 = &result(&doc, "Q-03")["allocations"];
    assert_eq!(
        q03.as_array().unwrap().len(),
        2,
        "one per limit, in file order"
    );
    assert_eq!(
        q03[0],
        serde_json::json!({
            "rule": "national", "cap": "12000", "counts": "units", "quantity": "4000",
            "remaining": "5000", "place": 3,
            "order_by": {"field": "applied_on", "value": "2026-03-03"},
            "fits": true, "admitted": false
        })
    );
    assert_eq!(
        q03[1],
        serde_json::json!({
            "rule": "per_destination", "group": {"field": "destination", "value": "Japan"},
            "cap": "5000", "counts": "units", "quantity": "4000", "remaining": "2000", "place": 2,
            "order_by": {"field": "applied_on", "value": "2026-03-03"},
            "fits": false, "admitted": false
        })
    );
    // Only the national limit scopes Q-08; no limit scopes Q-09: no field at all.
    assert_eq!(
        result(&doc, "Q-08")["allocations"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(result(&doc, "Q-09").get("allocations").is_none());
    // Without explanations, no ledger.
    assert!(q03[0].get("before").is_none());
}

#[test]
fn the_json_summary_gives_cap_admitted_refused_and_remaining_per_group() {
    let doc: Value = serde_json::from_str(&eval(POLICY, DATA, "json", &[])).unwrap();
    let groups: Vec<(String, Value, String, String, String, String)> = doc["summary"]
        ["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let s = |k: &str| g[k].as_str().unwrap().to_string();
            (
                s("rule"),
                g["group"].clone(),
                s("cap"),
                s("admitted"),
                s("refused"),
                s("remaining"),
            )
        })
        .collect();
    let row = |rule: &str, group: Value, cap: &str, admitted: &str, refused: &str, left: &str| {
        let s = |x: &str| x.to_string();
        (s(rule), group, s(cap), s(admitted), s(refused), s(left))
    };
    assert_eq!(
        groups,
        [
            row("national", Value::Null, "12000", "12000", "4500", "0"),
            row(
                "per_destination",
                "Japan".into(),
                "5000",
                "5000",
                "4000",
                "0"
            ),
            row(
                "per_destination",
                "Korea".into(),
                "5000",
                "5000",
                "500",
                "0"
            ),
        ]
    );
    let bundled: Value = serde_json::from_str(&eval(H200, H200_DATA, "json", &[])).unwrap();
    let national = &bundled["summary"]["allocations"][0];
    assert_eq!(
        (
            &national["cap"],
            &national["admitted"],
            &national["remaining"]
        ),
        (&"400000".into(), &"396000".into(), &"4000".into())
    );
}

#[test]
fn ndjson_lines_are_the_json_results() {
    let doc: Value = serde_json::from_str(&eval(POLICY, DATA, "json", &[])).unwrap();
    let lines: Vec<Value> = eval(POLICY, DATA, "ndjson", &[])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(&lines, doc["results"].as_array().unwrap());
}

#[test]
fn explanations_add_the_ledger_of_the_group() {
    let doc: Value = serde_json::from_str(&eval(POLICY, DATA, "json", &["--explain"])).unwrap();
    let q06 = &result(&doc, "Q-06")["allocations"][0];
    assert_eq!(
        q06["before"],
        serde_json::json!({
            "admitted": 3, "taken": "8000",
            "largest": [
                {"record": "Q-02", "quantity": "4000"},
                {"record": "Q-01", "quantity": "3000"},
                {"record": "Q-04", "quantity": "1000"}
            ]
        })
    );
}

#[test]
fn csv_has_documented_limit_columns_only_for_a_policy_with_limits() {
    let out = eval(POLICY, DATA, "csv", &[]);
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "record",
            "position",
            "line",
            "decision",
            "rules",
            "reasons",
            "warnings",
            "errors",
            "limit",
            "limit_group",
            "limit_cap",
            "limit_quantity",
            "limit_remaining",
            "limit_place",
            "limit_order",
            "limit_admitted"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let q03: Vec<&str> = rows[2].iter().skip(8).collect();
    assert_eq!(
        q03,
        [
            "national; per_destination",
            "; Japan",
            "12000; 5000",
            "4000; 4000",
            "5000; 2000",
            "3; 2",
            "2026-03-03; 2026-03-03",
            "false; false"
        ]
    );
    let q08: Vec<&str> = rows[7].iter().skip(8).collect();
    assert_eq!(
        q08,
        [
            "national",
            "",
            "12000",
            "2000",
            "2000",
            "8",
            "2026-03-08",
            "true"
        ]
    );
    let q09: Vec<&str> = rows[8].iter().skip(8).collect();
    assert!(q09.iter().all(|c| c.is_empty()), "{q09:?}");

    let plain = eval(
        "policies/domestic_quota.policy",
        "policies/data/domestic_quota.ndjson",
        "csv",
        &[],
    );
    assert_eq!(
        plain.lines().next(),
        Some("record,position,line,decision,rules,reasons,warnings,errors")
    );
}

#[test]
fn the_table_states_every_limits_facts_in_words() {
    let (code, stdout, stderr) = run(&["eval", POLICY, "--data", DATA, "--format", "table"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!(stdout);
}

fn explain(policy: &str, data: &str, record: &str) -> String {
    let (code, stdout, stderr) = run(&["explain", policy, "--data", data, "--record", record]);
    assert_eq!(code, 0, "{stderr}");
    stdout
}

#[test]
fn explain_of_a_record_refused_by_a_second_limit() {
    insta::assert_snapshot!(explain(POLICY, DATA, "Q-03"));
}

#[test]
fn explain_of_a_record_that_fitted_neither_limit() {
    insta::assert_snapshot!(explain(POLICY, DATA, "Q-06"));
}

#[test]
fn explain_of_an_admitted_record_and_of_one_no_limit_scoped() {
    let out = explain(POLICY, DATA, "Q-07");
    assert!(out.contains("rule national: admitted\n"), "{out}");
    assert!(
        out.contains("  2,000 remained; it needs 2,000 units, which fit: admitted\n"),
        "{out}"
    );
    let out = explain(POLICY, DATA, "Q-09");
    assert!(out.contains("rule national: not in scope\n"), "{out}");
    assert!(!out.contains("before its turn"), "{out}");
}

#[test]
fn explain_shows_none_remained_with_the_numbers() {
    let out = explain(POLICY, DATA, "Q-05");
    assert!(
        out.contains("  nothing remained; it needs 500 units: refused\n"),
        "{out}"
    );
    assert!(
        out.contains("none of the 5,000 for Korea remained at its turn (3rd by applied_on)"),
        "{out}"
    );
}

#[test]
fn diff_shows_both_sides_facts() {
    let (code, json, stderr) = run(&[
        "diff",
        H200,
        "tests/fixtures/h200_stricter.policy",
        "--data",
        H200_DATA,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let doc: Value = serde_json::from_str(&json).unwrap();
    let change = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["record"] == "H-00226")
        .expect("H-00226 changes");
    // Admitted before, refused now: both sides carry their facts.
    assert_eq!(change["old"]["allocations"][0]["admitted"], true);
    assert_eq!(change["new"]["allocations"][0]["admitted"], false);
    assert_eq!(change["new"]["allocations"][0]["remaining"], "4000");
    let reason = change["new"]["rules"][0]["reason"].as_str().unwrap();
    assert!(
        reason.ends_with(
            "needs 10,000 units; 4,000 of the 400,000 remained at its turn (22nd by applied_on)"
        ),
        "{reason}"
    );
}

/// With explanations (ledgers) too, facts do not depend on how the batch is chunked.
#[test]
fn facts_and_ledgers_are_the_same_for_one_thread_and_three() {
    let sample = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/data/h200_first_batch.ndjson"
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("facts_threads.ndjson");
    std::fs::write(&path, sample.repeat(5)).unwrap();
    let path = path.to_str().unwrap();
    let outputs: Vec<String> = ["1", "3"]
        .iter()
        .map(|t| eval(H200, path, "ndjson", &["--explain", "--threads", t]))
        .collect();
    assert!(outputs[0].contains("\"before\""));
    assert_eq!(outputs[0], outputs[1]);
}
