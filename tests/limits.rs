//! Resource limits on data and safe output (docs/limits.md): each gives a clear error
//! for its own record, never a crash, a hang or unbounded memory.

mod common;

use clearance::data::{CsvDelimiter, DataFormat};
use clearance::outcome::Decision;
use clearance::run::evaluate_all;
use common::clearance;

const POLICY: &str = "policy \"l\" schema { id: text, n: int, d: decimal, tags: [text]? } rule big: deny when n > 10";

fn decisions(format: DataFormat, data: &str) -> Vec<(Decision, String)> {
    let policy = clearance::compile(POLICY).unwrap();
    let report = evaluate_all(&policy, format, data.as_bytes()).expect("readable");
    report
        .results
        .into_iter()
        .map(|r| {
            let message = r
                .outcome
                .errors
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default();
            (r.outcome.decision, message)
        })
        .collect()
}

#[test]
fn an_overlong_line_is_an_error_for_that_record_only() {
    let long = format!(
        "{{\"id\": \"{}\", \"n\": 1, \"d\": 1}}",
        "x".repeat(clearance::data::MAX_RECORD_BYTES)
    );
    let data = format!(
        "{{\"id\": \"a\", \"n\": 1, \"d\": 1}}\n{long}\n{{\"id\": \"c\", \"n\": 11, \"d\": 1}}\n"
    );
    let got = decisions(DataFormat::Ndjson, &data);
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].0, Decision::Allow);
    assert_eq!(got[1].0, Decision::Error);
    assert!(got[1].1.contains("longer than the limit"), "{}", got[1].1);
    assert_eq!(got[2].0, Decision::Deny);
}

#[test]
fn an_overlong_json_array_element_is_an_error_for_that_record_only() {
    // The cut is inside a multi-byte character: the element is judged by its length only.
    let long = format!(
        "{{\"id\": \"{}\", \"n\": 1, \"d\": 1}}",
        "é".repeat(clearance::data::MAX_RECORD_BYTES / 2)
    );
    let data = format!(
        "[{{\"id\": \"a\", \"n\": 1, \"d\": 1}},\n{long},\n{{\"id\": \"c\", \"n\": 11, \"d\": 1}}]"
    );
    let got = decisions(DataFormat::Json, &data);
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].0, Decision::Allow);
    assert_eq!(got[1].0, Decision::Error);
    assert!(got[1].1.contains("longer than the limit"), "{}", got[1].1);
    assert_eq!(got[2].0, Decision::Deny);
}

#[test]
fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let data = format!(
        "{{\"id\": \"a\", \"n\": 1, \"d\": 1, \"unknown\": {deep}}}\n{{\"id\": \"b\", \"n\": 1, \"d\": 1, \"tags\": {deep}}}\n{{\"id\": \"c\", \"n\": 1, \"d\": 1}}\n"
    );
    let got = decisions(DataFormat::Ndjson, &data);
    assert_eq!(got.len(), 3);
    // A field the schema does not declare is skipped, however deep.
    assert_eq!(got[0].0, Decision::Allow);
    // A declared list of text nested 100,000 deep is an error for its record.
    assert_eq!(got[1].0, Decision::Error);
    assert!(
        got[1]
            .1
            .contains("`tags`: expected a string, found an array"),
        "{}",
        got[1].1
    );
    assert_eq!(got[2].0, Decision::Allow);
}

#[test]
fn numbers_out_of_range_for_their_field() {
    let data = [
        r#"{"id": "a", "n": 1e400, "d": 1}"#,
        r#"{"id": "b", "n": 123456789012345678901234567890, "d": 1}"#,
        r#"{"id": "c", "n": 1, "d": 1e400}"#,
        r#"{"id": "d", "n": 1, "d": 123456789012345678901234567890.5}"#,
        r#"{"id": "e", "n": 1, "d": 0.1234567890123456789012345678}"#,
    ]
    .join("\n");
    let got = decisions(DataFormat::Ndjson, &data);
    assert_eq!(got[0].0, Decision::Error);
    assert!(got[1].1.contains("out of the int range"), "{}", got[1].1);
    assert_eq!(got[2].0, Decision::Error);
    assert!(
        got[3].1.contains("does not fit in a decimal"),
        "{}",
        got[3].1
    );
    assert_eq!(got[4].0, Decision::Allow, "28 significant digits fit");
    let csv = "id,n,d\na,123456789012345678901234567890,1\nb,1,123456789012345678901234567890.5\n";
    let policy = clearance::compile(&POLICY.replace(", tags: [text]?", "")).unwrap();
    let report = evaluate_all(
        &policy,
        DataFormat::Csv(CsvDelimiter::Comma),
        csv.as_bytes(),
    )
    .unwrap();
    assert!(report
        .results
        .iter()
        .all(|r| r.outcome.decision == Decision::Error));
}

#[test]
fn invalid_utf8_affects_only_its_record() {
    let mut data =
        b"{\"id\": \"a\", \"n\": 1, \"d\": 1}\n{\"id\": \"\xff\xfe\", \"n\": 1, \"d\": 1}\n"
            .to_vec();
    data.extend_from_slice(b"{\"id\": \"c\", \"n\": 20, \"d\": 1}\n");
    let policy = clearance::compile(POLICY).unwrap();
    let report = evaluate_all(&policy, DataFormat::Ndjson, data.as_slice()).unwrap();
    let got: Vec<Decision> = report.results.iter().map(|r| r.outcome.decision).collect();
    assert_eq!(got, [Decision::Allow, Decision::Error, Decision::Deny]);
}

#[test]
fn csv_output_neutralises_formulas_unless_asked_not_to() {
    let data = "{\"id\":\"=HYPERLINK(\\\"x\\\")\",\"action\":\"export\",\"item\":\"H20\",\"units\":1,\"domestic_quota\":1,\"domestic_spend\":1,\"foreign_spend\":1,\"state_owned\":false,\"audited_on\":\"2026-01-01\",\"applied_on\":\"2026-01-02\",\"firm\":\"@f\",\"province\":\"p\"}\n";
    let run = |extra: &[&str]| {
        let mut args = vec![
            "eval",
            "policies/domestic_quota.policy",
            "--data",
            "-",
            "--data-format",
            "ndjson",
            "--format",
            "csv",
        ];
        args.extend(extra);
        let out = clearance().args(&args).write_stdin(data).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let safe = run(&[]);
    assert!(safe.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{safe}");
    let raw = run(&["--csv-raw"]);
    assert!(raw.contains("\"=HYPERLINK(\"\"x\"\")\""), "{raw}");
}

#[test]
fn a_truncated_json_array_is_an_input_error_not_a_short_success() {
    let out = clearance()
        .args([
            "eval",
            "policies/domestic_quota.policy",
            "--data",
            "-",
            "--data-format",
            "json",
        ])
        .write_stdin("[{\"id\": \"a\"}, {\"id\": \"b\", \"units\": 1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("record 2 is not valid JSON"), "{stderr}");
}

#[test]
fn a_record_id_wider_than_65535_columns_is_drawn_in_tables() {
    // A `{:<w$}` width above 65,535 panics; the tables pad by hand.
    let id = "x".repeat(70_000);
    let data = format!(
        "{{\"id\": \"{id}\", \"n\": 5, \"d\": 1}}\n{{\"id\": \"b\", \"n\": 1, \"d\": 1}}\n"
    );
    let dir = std::env::temp_dir().join(format!("clearance-wide-id-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (old, new) = (dir.join("old.policy"), dir.join("new.policy"));
    std::fs::write(&old, POLICY).unwrap();
    std::fs::write(&new, POLICY.replace("n > 10", "n > 0")).unwrap();
    let (old, new) = (old.to_str().unwrap(), new.to_str().unwrap());
    let ndjson = ["--data", "-", "--data-format", "ndjson"];
    for args in [
        vec!["eval", old, "--format", "table"],
        vec!["diff", old, new, "--format", "table"],
    ] {
        let out = clearance()
            .args(&args)
            .args(ndjson)
            .write_stdin(data.clone())
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        // The short id is padded to the long one's width.
        let short = stdout
            .lines()
            .find(|l| l.starts_with("b "))
            .unwrap_or_else(|| panic!("{args:?}: no row for `b`"));
        assert!(short.starts_with(&format!("b{}  ", " ".repeat(69_999))));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
