//! The reports of `clearance test`: TAP 14 read by a TAP parser, JUnit XML read by an XML
//! parser, JSON; each test with its file and line, each failure saying what did not happen.

mod common;

use common::run;
use tap_parser::{TapParser, TapStatement};

const FAILING: &str = "tests/fixtures/failing_tests.policy";

/// The 1-based line of the first line of `file` that starts with `prefix`.
fn line_of(file: &str, prefix: &str) -> usize {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .position(|l| l.starts_with(prefix))
        .expect("the line is there")
        + 1
}

const WRONG_RULE: &str =
    "expected `waitlist by quota`: `quota` did not fire; fired: `big` (waitlist)";
const WRONG_DECISION: &str = "expected `allow`: got `deny`; fired: `quota` (deny)";
const WRONG_IN_BATCH: &str = "record 2: expected `allow`: got `waitlist`; fired: `cap` (waitlist)";

#[test]
fn tap_reports_parse_as_tap_14_with_a_yaml_block_per_failure() {
    let (code, stdout, stderr) = run(&["test", FAILING, "--format", "tap"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.starts_with("TAP version 14\n1..4\n"), "{stdout}");
    let statements = TapParser::new()
        .parse(&stdout)
        .unwrap_or_else(|e| panic!("not TAP 14: {e:?}\n{stdout}"));
    let mut plan = None;
    let mut points = Vec::new();
    for s in &statements {
        match s {
            TapStatement::Plan(p) => plan = Some(p.count),
            TapStatement::TestPoint(t) => points.push(t),
            TapStatement::Comment(_) => {}
            TapStatement::Subtest(_) => panic!("no subtests expected"),
        }
    }
    assert_eq!(plan, Some(4));
    let summary: Vec<(bool, Option<usize>, Option<&str>)> = points
        .iter()
        .map(|t| (t.result, t.number, t.desc))
        .collect();
    assert_eq!(
        summary,
        [
            (true, Some(1), Some("passes")),
            (false, Some(2), Some("wrong decision")),
            (false, Some(3), Some("right decision, wrong rule")),
            (false, Some(4), Some("batch with one wrong outcome")),
        ]
    );
    assert!(points[0].yaml.is_empty());
    let yaml = points[2].yaml.join("\n");
    assert!(
        yaml.contains(&format!(
            "message: {}",
            serde_json::to_string(WRONG_RULE).unwrap()
        )),
        "{yaml}"
    );
    let line = line_of(FAILING, "test \"right decision, wrong rule\"");
    assert!(yaml.contains(&format!("file: \"{FAILING}\"")), "{yaml}");
    assert!(yaml.contains(&format!("line: {line}")), "{yaml}");
    assert!(yaml.contains("did_not_fire: [\"quota\"]"), "{yaml}");
    assert!(points[1].yaml.join("\n").contains(WRONG_DECISION));
    assert!(points[3].yaml.join("\n").contains(WRONG_IN_BATCH));
    assert!(stdout.ends_with("# 1 passed, 3 failed\n"), "{stdout}");
}

#[test]
fn tap_reports_cover_policies_with_errors_low_coverage_and_odd_names() {
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("odd.policy");
    std::fs::write(
        &odd,
        "policy \"p\" default allow\nschema { a: int }\nrule r:\n  deny when a > 1\n\ntest \"a # hash \\\\ and backslash\" {\n  given { a: 0 }\n  expect allow\n}\n",
    )
    .unwrap();
    let odd = odd.to_str().unwrap();
    let (code, stdout, _) = run(&["test", odd, "--format", "tap", "--min-coverage", "100"]);
    assert_eq!(code, 1, "{stdout}");
    let statements = TapParser::new().parse(&stdout).expect("TAP 14");
    let points: Vec<_> = statements
        .iter()
        .filter_map(|s| match s {
            TapStatement::TestPoint(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(points.len(), 2, "{stdout}");
    assert!(
        stdout.contains("ok 1 - a \\# hash \\\\ and backslash\n"),
        "{stdout}"
    );
    assert!(points[0].result);
    assert!(!points[1].result);
    assert_eq!(points[1].desc, Some("minimum rule coverage"));
    assert!(points[1]
        .yaml
        .join("\n")
        .contains("below the minimum of 100%"));

    let (code, stdout, _) = run(&[
        "test",
        "tests/fixtures/unknown_field.policy",
        "--format",
        "tap",
    ]);
    assert_eq!(code, 2);
    let statements = TapParser::new().parse(&stdout).expect("TAP 14");
    let failed: Vec<_> = statements
        .iter()
        .filter_map(|s| match s {
            TapStatement::TestPoint(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(!failed[0].result);
    assert!(failed[0]
        .yaml
        .join("\n")
        .contains("clearance::name::unknown_field"));
}

#[test]
fn junit_testcases_carry_file_and_line_and_say_what_did_not_happen() {
    let (code, stdout, _) = run(&["test", FAILING, "--format", "junit"]);
    assert_eq!(code, 1);
    let doc = roxmltree::Document::parse(&stdout).expect("well-formed XML");
    let cases: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 4);
    for case in &cases {
        let name = case.attribute("name").unwrap();
        assert_eq!(case.attribute("file"), Some(FAILING));
        let line = line_of(FAILING, &format!("test \"{name}\""));
        assert_eq!(
            case.attribute("line"),
            Some(line.to_string().as_str()),
            "{name}"
        );
    }
    let message = |i: usize| {
        cases[i]
            .children()
            .find(|n| n.has_tag_name("failure"))
            .and_then(|f| f.attribute("message"))
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(message(1), WRONG_DECISION);
    assert_eq!(message(2), WRONG_RULE);
    assert_eq!(message(3), WRONG_IN_BATCH);
    // The body lists what fired, with the reasons.
    let body = cases[1]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .and_then(|f| f.text())
        .unwrap();
    assert_eq!(
        body,
        "deny\n  - quota (deny): needs 30% domestic share, has 12%"
    );
}

#[test]
fn json_tests_carry_file_and_line_and_the_failure_sentence() {
    let (_, stdout, _) = run(&["test", FAILING, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let tests = doc["files"][0]["tests"].as_array().unwrap();
    for t in tests {
        let name = t["name"].as_str().unwrap();
        assert_eq!(t["file"], FAILING);
        assert_eq!(t["line"], line_of(FAILING, &format!("test \"{name}\"")));
        assert_eq!(t["column"], 1);
    }
    let failure = &tests[2]["failures"][0];
    assert_eq!(failure["message"], WRONG_RULE);
    assert_eq!(failure["did_not_fire"], serde_json::json!(["quota"]));
    assert_eq!(tests[3]["failures"][0]["record"], 2);
}

#[test]
fn a_failure_names_the_rules_that_did_not_fire_when_the_decision_differs_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.policy");
    std::fs::write(
        &path,
        "policy \"p\" default allow\nschema { action: import | export, item: A | B, end_use: bool, embargoed: bool }\n\nrule embargo:\n  deny when embargoed\n\nrule end_use:\n  deny export when end_use\n\ntest \"end use\" {\n  given { action: export, item: A, end_use: false, embargoed: true }\n  expect deny by end_use\n}\n\ntest \"nothing fires\" {\n  given { action: import, item: A, end_use: false, embargoed: false }\n  expect deny by end_use, embargo\n}\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(&["test", path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1, "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let tests = &doc["files"][0]["tests"];
    assert_eq!(
        tests[0]["failures"][0]["message"],
        "expected `deny by end_use`: `end_use` did not fire; fired: `embargo` (deny)"
    );
    assert_eq!(
        tests[1]["failures"][0]["message"],
        "expected `deny by end_use, embargo`: got `allow`; `end_use` and `embargo` did not fire; no rule fired"
    );
    // The drawing for people says it too.
    let (_, _, stderr) = run(&["test", path.to_str().unwrap()]);
    assert!(
        stderr.contains("help: `end_use` did not fire; got deny"),
        "{stderr}"
    );
}
