//! Params, `today` and `set`: values from outside the file, reported by every run, and
//! what-if diffs.

mod common;

use clearance::{compile_with, evaluate_all, DataFormat, Decision, Params};
use common::{clearance, run};

const POLICY: &str = r#"policy "licences" default allow

schema { id: text, units: int, expires: date, share: percent }

param cap: int = 10_000
param min_share: percent = 25%
param deadline: date
let half = cap / 2

rule expired:
  deny when expires < today
  because "the licence expired on {expires}"

rule share:
  require share >= min_share

rule big:
  waitlist when units > half

rule late:
  deny when expires > deadline

test "an expired licence" {
  set today = 2026-01-29, deadline = 2030-01-01
  given { id: "A", units: 10, expires: 2026-01-01, share: 30% }
  expect deny by expired
}

test "a lower cap" {
  set today = 2026-01-29, deadline = 2030-01-01, cap = 10
  given { id: "B", units: 10, expires: 2027-01-01, share: 30% }
  expect waitlist by big
}

test "a deadline set by the test" {
  set today = 2026-01-29, deadline = 2026-06-30
  given { id: "C", units: 10, expires: 2027-01-01, share: 30% }
  expect deny by late
}
"#;

const DATA: &str = r#"{"id": "r1", "units": 6000, "expires": "2027-01-01", "share": "30%"}
{"id": "r2", "units": 10, "expires": "2027-01-01", "share": "10%"}
{"id": "r3", "units": 10, "expires": "2026-01-01", "share": "30%"}
"#;

fn files() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("licences.policy");
    let data = dir.path().join("batch.ndjson");
    std::fs::write(&policy, POLICY).unwrap();
    std::fs::write(&data, DATA).unwrap();
    let p = policy.to_str().unwrap().to_string();
    let d = data.to_str().unwrap().to_string();
    (dir, p, d)
}

fn params(pairs: &[(&str, &str)]) -> Params {
    let mut p = Params::new();
    for (n, v) in pairs {
        p.set(*n, *v);
    }
    p
}

#[test]
fn params_take_their_values_from_the_run_and_reasons_show_them() {
    let p = params(&[("deadline", "2030-01-01"), ("today", "2026-02-01")]);
    let policy = compile_with(POLICY, &p).unwrap();
    let report = evaluate_all(&policy, DataFormat::Ndjson, DATA.as_bytes()).unwrap();
    let d: Vec<Decision> = report.results.iter().map(|r| r.outcome.decision).collect();
    assert_eq!(d, [Decision::Waitlist, Decision::Deny, Decision::Deny]);
    assert_eq!(
        report.results[0].outcome.rules[0].reason,
        "units > half holds (5000); units is 6000"
    );
    assert_eq!(
        report.results[1].outcome.rules[0].reason,
        "requires share >= min_share (25%); share is 10%, short by 15 points"
    );
    assert_eq!(report.params["cap"], "10000");
    assert_eq!(report.params["today"], "2026-02-01");

    // A what-if: a higher cap lets r1 through.
    let p = params(&[
        ("deadline", "2030-01-01"),
        ("today", "2026-02-01"),
        ("cap", "20_000"),
    ]);
    let policy = compile_with(POLICY, &p).unwrap();
    let report = evaluate_all(&policy, DataFormat::Ndjson, DATA.as_bytes()).unwrap();
    assert_eq!(report.results[0].outcome.decision, Decision::Allow);
}

#[test]
fn bad_values_unknown_names_and_missing_params_are_errors_before_any_record() {
    let (_dir, policy, data) = files();
    let cases: [(&[&str], &str); 4] = [
        (&[], "the param `deadline` has no default and was not set"),
        (
            &["--set", "deadline=soon"],
            "the param `deadline` is a `date`, and `soon` is not one",
        ),
        (
            &["--set", "deadline=2030-01-01", "--set", "capp=5"],
            "error: --set: there is no param `capp` to set; did you mean `cap`?",
        ),
        (
            &["--set", "deadline=2030-01-01", "--set", "today=tomorrow"],
            "`today` is a date",
        ),
    ];
    for (set, message) in cases {
        let args = [&["eval", policy.as_str(), "--data", data.as_str()][..], set].concat();
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, 2, "{set:?}: {stderr}");
        assert!(stdout.is_empty(), "{set:?}: nothing is evaluated");
        assert!(stderr.contains(message), "{set:?}: {stderr}");
    }
    let (code, _, stderr) = run(&["eval", &policy, "--data", &data, "--set", "cap"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is not `NAME=VALUE`"), "{stderr}");
}

#[test]
fn every_run_reports_its_params_and_today() {
    let (_dir, policy, data) = files();
    let set = ["--set", "deadline=2030-01-01", "--set", "today=2026-02-01"];
    let (code, stdout, _) = run(&[
        &["eval", &policy, "--data", &data, "--format", "json"][..],
        &set,
    ]
    .concat());
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        doc["params"],
        serde_json::json!({"cap": "10000", "min_share": "25%", "deadline": "2030-01-01", "today": "2026-02-01"})
    );
    let (_, _, stderr) = run(&[
        &["eval", &policy, "--data", &data, "--format", "ndjson"][..],
        &set,
    ]
    .concat());
    assert!(
        stderr.contains(
            "run with cap = 10000, min_share = 25%, deadline = 2030-01-01, today = 2026-02-01"
        ),
        "{stderr}"
    );
}

#[test]
fn tests_set_params_and_today_and_run_with_the_command_line_values_below() {
    let (_dir, policy, _) = files();
    let (code, stdout, stderr) = run(&["test", &policy]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("3 passed, 0 failed"), "{stdout}");
    // The test's own `set` wins over the command line's.
    let (code, stdout, _) = run(&["test", &policy, "--set", "cap=1"]);
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn lints_do_not_assume_a_param_default() {
    // With cap = 10, `units > cap and units < 5` never holds; another run may set cap = 1.
    let text = "policy \"p\"\nschema { id: text, units: int }\nparam cap: int = 10\n\
                rule a:\n  deny when units > cap and units < 5\n";
    let warnings = clearance::check_source(text).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let let_text = text.replace("param cap: int = 10", "let cap = 10");
    let warnings = clearance::check_source(&let_text).unwrap();
    assert!(
        !warnings.is_empty(),
        "a let's value is known, so the dead rule is found"
    );
}

#[test]
fn diff_with_one_policy_is_a_what_if_and_exit_code_reports_a_change() {
    let (_dir, policy, data) = files();
    let base = ["diff", policy.as_str(), "--data", data.as_str()];
    let what_if = [
        "--set",
        "deadline=2030-01-01",
        "--set",
        "today=2026-02-01",
        "--set",
        "cap=20000",
    ];
    // The old side runs under the defaults, where `deadline` has none.
    let (code, _, stderr) = run(&[&base[..], &what_if].concat());
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("`deadline`"), "{stderr}");

    let dir = tempfile::tempdir().unwrap();
    let with_default = dir.path().join("p.policy");
    std::fs::write(
        &with_default,
        POLICY.replace("param deadline: date", "param deadline: date = 2030-01-01"),
    )
    .unwrap();
    let p = with_default.to_str().unwrap();
    let base = ["diff", p, "--data", data.as_str()];
    let (code, stdout, stderr) = run(&[&base[..], &["--set", "cap=20000", "--exit-code"]].concat());
    assert_eq!(code, 1, "{stdout}{stderr}");
    let change = stdout
        .lines()
        .find(|l| l.starts_with("r1 "))
        .unwrap_or_default();
    assert!(change.contains("waitlist → allow"), "{stdout}");
    let (code, _, _) = run(&[&base[..], &["--set", "cap=10000", "--exit-code"]].concat());
    assert_eq!(code, 0, "the same values change nothing");
    let (code, _, stderr) = run(&base);
    assert_eq!(code, 2, "one policy and no --set compares nothing");
    assert!(stderr.contains("--set"), "{stderr}");
}

#[test]
fn explain_takes_set_values() {
    let (_dir, policy, data) = files();
    let out = clearance()
        .args(["explain", &policy, "--data", &data, "--record", "r1"])
        .args([
            "--set",
            "deadline=2030-01-01",
            "--set",
            "today=2026-02-01",
            "--set",
            "cap=20000",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("decision: allow"), "{stdout}");
}

#[test]
fn test_checks_its_set_values_before_running_any_test() {
    let (_dir, policy, _) = files();
    for (set, message) in [
        (
            "capp=1",
            "there is no param `capp` to set; did you mean `cap`?",
        ),
        (
            "cap=abc",
            "the param `cap` is an `int`, and `abc` is not one",
        ),
        (
            "today=bad",
            "the param `today` is a `date`, and `bad` is not one",
        ),
    ] {
        let (code, stdout, stderr) = run(&["test", &policy, "--set", set]);
        assert_eq!(code, 2, "{set}: {stdout}{stderr}");
        assert!(stderr.contains(message), "{set}: {stderr}");
        assert!(
            stdout.contains("0 passed, 0 failed"),
            "{set}: no test ran: {stdout}"
        );
    }
}

#[test]
fn a_what_if_runs_both_sides_on_the_same_day() {
    let (_dir, _, data) = files();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.policy");
    std::fs::write(
        &p,
        POLICY.replace("param deadline: date", "param deadline: date = 2030-01-01"),
    )
    .unwrap();
    // r3's licence expired on 2026-01-01: on 2025-06-01 it had not. Only the cap differs.
    let (code, stdout, stderr) = run(&[
        "diff",
        p.to_str().unwrap(),
        "--data",
        &data,
        "--set",
        "today=2025-06-01",
        "--set",
        "cap=20000",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("old: run with cap = 10000"), "{stderr}");
    assert!(stderr.contains("today = 2025-06-01\nnew:"), "{stderr}");
    let r3 = stdout.lines().any(|l| l.starts_with("r3 "));
    assert!(!r3, "r3 changes with the day, not the cap: {stdout}");
}
