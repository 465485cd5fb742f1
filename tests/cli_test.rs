//! `clearance test`: passing and failing runs, coverage, formats and exit codes.

mod common;

use common::run;

#[test]
fn the_bundled_policies_pass_with_full_coverage() {
    let (code, stdout, stderr) = run(&["test", "policies/", "--min-coverage", "100"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    insta::assert_snapshot!(stdout);
}

#[test]
fn a_failing_run_shows_expected_and_actual_with_reasons() {
    let (code, stdout, stderr) = run(&["test", "tests/fixtures/failing_tests.policy"]);
    assert_eq!(code, 1);
    assert_eq!(stdout.lines().last(), Some("1 passed, 3 failed"));
    insta::assert_snapshot!(format!("{stdout}\n-----stderr\n{stderr}"));
}

#[test]
fn min_coverage_fails_the_run_below_it() {
    // The one passing test is decided by the default: it makes no rule fire.
    let (code, stdout, _) = run(&[
        "test",
        "tests/fixtures/failing_tests.policy",
        "--filter",
        "passes",
        "--min-coverage",
        "1",
    ]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("rule coverage: 0 of 4 rules fired in some test (0.0%)"),
        "{stdout}"
    );
    assert!(stdout.contains("below the minimum of 1%"));
    assert_eq!(stdout.lines().last(), Some("1 passed, 0 failed"));
    let (code, _, _) = run(&[
        "test",
        "tests/fixtures/failing_tests.policy",
        "--filter",
        "passes",
    ]);
    assert_eq!(code, 0);
}

#[test]
fn json_and_junit_reports() {
    let (code, stdout, _) = run(&[
        "test",
        "tests/fixtures/failing_tests.policy",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["passed"], 1);
    assert_eq!(doc["failed"], 3);
    assert_eq!(doc["coverage_percent"], 75.0);
    assert_eq!(doc["files"][0]["uncovered"][0]["rule"], "never_tested");
    let failure = &doc["files"][0]["tests"][1]["failures"][0];
    assert_eq!(failure["expected"], "allow");
    assert_eq!(failure["actual"]["decision"], "deny");

    let (code, stdout, _) = run(&[
        "test",
        "tests/fixtures/failing_tests.policy",
        "--format",
        "junit",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(stdout);
}

#[test]
fn invalid_policies_and_missing_paths_exit_2() {
    let (code, _, stderr) = run(&["test", "tests/fixtures/unknown_field.policy"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("its tests were not run"));
    let (code, _, _) = run(&["test", "no/such/dir"]);
    assert_eq!(code, 2);
}

#[test]
fn min_coverage_takes_a_percent_sign_and_refuses_shares_above_100() {
    let (code, stdout, stderr) = run(&["test", "policies/", "--min-coverage", "80%"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, _, stderr) = run(&["test", "policies/", "--min-coverage", "101"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("is not a share of the rules from 0 to 100"),
        "{stderr}"
    );
}

#[test]
fn low_coverage_says_why_in_every_format() {
    let args = [
        "test",
        "tests/fixtures/failing_tests.policy",
        "--min-coverage",
        "90",
    ];
    let why = "rule coverage 75.0% is below the minimum of 90%";
    let (code, stdout, _) = run(&args);
    assert_eq!(code, 1);
    assert!(stdout.contains(why), "{stdout}");

    let (code, stdout, stderr) = run(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(code, 1);
    assert!(stderr.contains(why), "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["problems"], serde_json::json!([why]));

    // With only the passing test, no test fails: the coverage case is what fails.
    let (code, stdout, stderr) = run(&[
        "test",
        "tests/fixtures/failing_tests.policy",
        "--filter",
        "passes",
        "--min-coverage",
        "90",
        "--format",
        "junit",
    ]);
    assert_eq!(code, 1);
    assert!(stderr.contains("below the minimum of 90%"), "{stderr}");
    assert!(
        stdout.contains(r#"<testsuite name="rule coverage" tests="1" failures="1">"#),
        "{stdout}"
    );
    assert!(
        stdout.contains(r#"<failure message="rule coverage 0.0% is below the minimum of 90%">"#)
    );
}

#[test]
fn a_policy_with_errors_reports_them_and_no_coverage() {
    let (code, stdout, stderr) = run(&["test", "tests/fixtures/unknown_field.policy"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("clearance::name::unknown_field"),
        "{stderr}"
    );
    assert!(!stdout.contains("100.0%"), "{stdout}");
    assert!(stdout.contains("rule coverage: not measured"), "{stdout}");

    let (code, stdout, _) = run(&[
        "test",
        "tests/fixtures/unknown_field.policy",
        "--format",
        "json",
    ]);
    assert_eq!(code, 2);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["coverage_percent"], serde_json::Value::Null);
    assert_eq!(
        doc["files"][0]["errors"][0]["code"],
        "clearance::name::unknown_field"
    );
    assert!(doc["problems"][0]
        .as_str()
        .unwrap()
        .contains("its tests were not run"));

    let (code, stdout, _) = run(&[
        "test",
        "tests/fixtures/unknown_field.policy",
        "--format",
        "junit",
    ]);
    assert_eq!(code, 2);
    assert!(stdout.contains(r#"errors="1""#), "{stdout}");
    assert!(stdout.contains("the schema has no field `unit` [clearance::name::unknown_field]"));
}
