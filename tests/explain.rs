//! `clearance explain` and `eval --explain`.

mod common;

use common::run;

/// `clearance explain`, on a fixed day: the bundled H200 policy uses `today`, and an
/// explanation says what the run used.
fn explain(policy: &str, data: &str, record: &str) -> String {
    let (code, stdout, stderr) = run(&[
        "explain",
        policy,
        "--data",
        data,
        "--record",
        record,
        "--set",
        "today=2026-03-15",
    ]);
    assert_eq!(code, 0, "{stderr}");
    stdout
}

#[test]
fn a_denied_record_shows_values_and_margins() {
    insta::assert_snapshot!(explain(
        "policies/h200_first_batch.policy",
        "policies/data/h200_first_batch.ndjson",
        "H-00012"
    ));
}

#[test]
fn a_record_refused_by_the_allocation() {
    insta::assert_snapshot!(explain(
        "policies/h200_first_batch.policy",
        "policies/data/h200_first_batch.csv",
        "H-00009"
    ));
}

#[test]
fn records_by_position_and_bad_records() {
    // #17 is a deliberately bad record in the samples
    let out = explain(
        "policies/domestic_quota.policy",
        "policies/data/domestic_quota.json",
        "#17",
    );
    assert!(out.contains("could not be read"), "{out}");
    assert!(
        out.contains("error: units: the required field `units` is missing"),
        "{out}"
    );
    let (code, _, stderr) = run(&[
        "explain",
        "policies/domestic_quota.policy",
        "--data",
        "policies/data/domestic_quota.json",
        "--record",
        "nope",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no record `nope`"));
}

/// A folder of its own under the system's temporary folder, for one test's files.
fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("clearance-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `clearance explain` of the one record of `ndjson`, written to `data.ndjson` in a
/// temporary folder that is the working folder of the command; `policy` is a path in
/// the project, or the text of a policy (written to `p.policy` there).
fn explain_record(test: &str, policy: &str, ndjson: &str, record: &str) -> String {
    let dir = temp_dir(test);
    std::fs::write(dir.join("data.ndjson"), ndjson).unwrap();
    let policy = if policy.ends_with(".policy") {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(policy)
    } else {
        std::fs::write(dir.join("p.policy"), policy).unwrap();
        "p.policy".into()
    };
    let out = common::clearance()
        .current_dir(&dir)
        .args(["explain", policy.to_str().unwrap(), "--data", "data.ndjson"])
        .args(["--record", record])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn explain_draws_values_under_their_operators() {
    insta::assert_snapshot!(explain_record(
        "explain",
        "tests/fixtures/explain.policy",
        "{\"id\": \"r1\", \"units\": 12, \"quota\": \"12%\", \"firm\": \"Alpha\"}\n",
        "r1"
    ));
}

/// Values and margins are shown as reasons show them (docs/language.md ("Types")): never `-0`,
/// quotients without trailing zeros, `round` with its places, percents with `%`.
#[test]
fn explain_shows_values_as_reasons_do() {
    let policy = "policy \"x\"\nschema { id: text, price: decimal, cost: decimal, q: percent }\n\
        rule margin: deny when -cost * 2 <= 0 and price / 2 > cost\n\
        rule rounded: deny when round(price, 2) > 10.00\n\
        rule share: warn when q / 2 > 5%\n";
    let record = "{\"id\": \"r1\", \"price\": 10.5, \"cost\": -0.00, \"q\": \"12.5%\"}\n";
    insta::assert_snapshot!(explain_record("values", policy, record, "r1"));
}

/// A margin out of the decimal range is left out, not a crash.
#[test]
fn a_margin_too_large_to_compute_is_left_out() {
    let policy = "policy \"x\"\nschema { id: text, q: percent }\n\
        rule r: deny when q > -79228162514264337593543950335%\n";
    let record = "{\"id\": \"r1\", \"q\": \"79228162514264337593543950335%\"}\n";
    let out = explain_record("margin", policy, record, "r1");
    assert!(out.contains("rule r: fired (deny)"), "{out}");
    assert!(!out.contains(" by "), "{out}");
}

#[test]
fn eval_explain_gives_structured_values() {
    let (code, stdout, _) = run(&[
        "eval",
        "policies/domestic_quota.policy",
        "--data",
        "policies/data/domestic_quota.ndjson",
        "--format",
        "json",
        "--explain",
    ]);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let first = &doc["results"][0];
    let traces = first["explain"].as_array().unwrap();
    assert_eq!(traces.len(), 10, "one trace per rule");
    let stale = traces.iter().find(|t| t["rule"] == "stale_audit").unwrap();
    assert_eq!(stale["in_scope"], true);
    let values = stale["values"].as_array().unwrap();
    let texts: Vec<&str> = values.iter().map(|v| v["text"].as_str().unwrap()).collect();
    assert_eq!(
        texts,
        [
            "applied_on",
            "audited_on",
            "applied_on - audited_on",
            "applied_on - audited_on > audit_valid_days"
        ]
    );
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/domestic_quota.policy"
    ))
    .unwrap();
    for v in values {
        let (s, e) = (
            v["span"]["start"].as_u64().unwrap() as usize,
            v["span"]["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            &source[s..e],
            v["text"].as_str().unwrap(),
            "spans point at the text"
        );
    }
}
