//! `clearance diff`: the impact of a policy change on a batch.

mod common;

use common::run;

const OLD: &str = "policies/h200_first_batch.policy";
const NEW: &str = "tests/fixtures/h200_stricter.policy";
const DATA: &str = "policies/data/h200_first_batch.ndjson";

#[test]
fn a_stricter_quota_changes_these_records() {
    let (code, stdout, stderr) = run(&["diff", OLD, NEW, "--data", DATA]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!(stdout);
}

#[test]
fn json_and_csv_agree_with_the_table() {
    let (_, json, _) = run(&["diff", OLD, NEW, "--data", DATA, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["records"], 240);
    let changed = doc["changed"].as_u64().unwrap() as usize;
    let sum: u64 = doc["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["records"].as_u64().unwrap())
        .sum();
    assert_eq!(
        sum as usize, changed,
        "the counts add up to the changed records"
    );
    assert_eq!(doc["changes"].as_array().unwrap().len(), changed);
    let first = &doc["changes"][0];
    assert_ne!(first["old"]["decision"], first["new"]["decision"]);

    let (_, csv, _) = run(&[
        "diff",
        OLD,
        NEW,
        "--data",
        "policies/data/h200_first_batch.csv",
        "--format",
        "csv",
    ]);
    assert_eq!(
        csv.lines().count(),
        changed + 1,
        "a header and one row per change"
    );
    insta::assert_snapshot!(csv.lines().take(4).collect::<Vec<_>>().join("\n"));
}

#[test]
fn the_same_policy_changes_nothing() {
    let (code, stdout, _) = run(&["diff", OLD, OLD, "--data", DATA]);
    assert_eq!(code, 0);
    assert_eq!(
        stdout.trim(),
        "0 of 240 records change decision (h200-first-batch → h200-first-batch)"
    );
}

#[test]
fn incompatible_schemas_are_refused() {
    let (code, _, stderr) = run(&[
        "diff",
        OLD,
        "tests/fixtures/incompatible.policy",
        "--data",
        DATA,
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr
            .contains("the field `units` is `int` in the old policy but `decimal` in the new one"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "the field `tier` is `tier1 | tier2 | tier3` in the old policy but `tier1 | tier2`"
        ),
        "{stderr}"
    );
}
