//! `check --format sarif` (validated against the official SARIF 2.1.0 schema) and
//! `--format github` (workflow commands, read back by their grammar), and lint control:
//! `# clearance: allow(LINT)` comments and `check --allow` / `--deny`.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use common::run;
use serde_json::Value;

const LINTS: &str = "tests/fixtures/lints.policy";
const ERRORS: &str = "tests/fixtures/unknown_field.policy";

/// A file in a new temporary folder (kept while the returned guard lives).
fn temp_file(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let path = path.to_str().expect("a UTF-8 temporary path").to_string();
    (dir, path)
}

fn lints_text() -> String {
    std::fs::read_to_string(LINTS).unwrap()
}

/// Text with a type error on a line that has non-ASCII text before it.
const NON_ASCII: &str = "policy \"wide\"\nschema { firm: text, units: int }\nrule r:\n  deny when firm == \"Zürich 🚀\" and units > \"many\"\n";

// ---------------------------------------------------------------- SARIF

fn sarif(args: &[&str]) -> (i32, Value) {
    let (code, stdout, stderr) = run(&[&["check", "--format", "sarif"], args].concat());
    assert!(!stderr.contains("panicked"), "{stderr}");
    let log = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}:\n{stdout}"));
    (code, log)
}

/// The official schema, with one known slip mended in memory: its pattern for the
/// `language` of a run and of a tool component has a stray `]`, which a validator checking
/// the schema against the JSON Schema meta-schema refuses as a regular expression.
/// Clearance writes no `language`; the file itself stays as published.
fn sarif_schema() -> Value {
    let mut schema: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/data/sarif-schema-2.1.0.json").unwrap(),
    )
    .unwrap();
    for owner in ["run", "toolComponent"] {
        let pattern = &mut schema["definitions"][owner]["properties"]["language"]["pattern"];
        assert_eq!(
            *pattern, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
            "{owner}"
        );
        *pattern = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
    }
    schema
}

/// A validator of the SARIF schema that checks formats (`uri`, `uri-reference`, ...) too.
fn sarif_validator() -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(&sarif_schema())
        .expect("the SARIF schema compiles")
}

fn assert_valid_sarif(log: &Value) {
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not valid SARIF 2.1.0:\n{}",
        errors.join("\n")
    );
}

#[test]
fn the_sarif_log_is_valid_against_the_official_schema() {
    let (_dir, wide) = temp_file("wide.policy", NON_ASCII);
    let missing = format!("{wide}.missing");
    let (code, log) = sarif(&[LINTS, ERRORS, &wide, &missing]);
    assert_eq!(code, 2);
    assert_valid_sarif(&log);
    // A clean file gives a valid log with no results.
    let (code, clean) = sarif(&["policies/domestic_quota.policy"]);
    assert_eq!(code, 0);
    assert_valid_sarif(&clean);
    assert_eq!(clean["runs"][0]["results"], serde_json::json!([]));
    // The schema really is checked: a log without `version` is refused.
    let mut broken = log.clone();
    broken.as_object_mut().unwrap().remove("version");
    assert!(!sarif_validator().is_valid(&broken));
    let mut broken = log;
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!sarif_validator().is_valid(&broken));
}

#[test]
fn each_diagnostic_is_a_result_with_its_code_level_region_and_labels() {
    let (_dir, wide) = temp_file("wide.policy", NON_ASCII);
    let (_, log) = sarif(&[LINTS, &wide]);
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "clearance");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let results = run["results"].as_array().unwrap();
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "clearance::lint::unused_let",
            "clearance::lint::shadowed",
            "clearance::lint::never_fires",
            "clearance::type::mismatch"
        ]
    );
    // The shadowed rule: a warning at its name, the shadowing rule as a related location.
    let shadowed = &results[1];
    assert_eq!(shadowed["level"], "warning");
    let location = &shadowed["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], LINTS);
    assert_eq!(
        location["region"],
        serde_json::json!({"startLine": 17, "startColumn": 6, "endLine": 17, "endColumn": 19})
    );
    let related = &shadowed["relatedLocations"][0];
    assert_eq!(related["physicalLocation"]["region"]["startLine"], 14);
    assert_eq!(
        related["message"]["text"],
        "denies every record in its scope"
    );
    assert!(shadowed["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("rule `small_exports` can never change a decision"));
    // Columns count characters: `>` and `"many"` come after `ü` and an emoji on their line.
    let mismatch = &results[3];
    assert_eq!(mismatch["level"], "error");
    let line = NON_ASCII.lines().nth(3).unwrap();
    let column = line.chars().take_while(|c| *c != '>').count() + 1;
    let region = &mismatch["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        *region,
        serde_json::json!({"startLine": 4, "startColumn": column, "endLine": 4, "endColumn": column + 1})
    );
    let text = &mismatch["relatedLocations"][1];
    assert_eq!(text["message"]["text"], "this is `text`");
    assert_eq!(
        text["physicalLocation"]["region"]["startColumn"],
        column + 2
    );
    assert_eq!(text["physicalLocation"]["region"]["endColumn"], column + 8);
}

#[test]
fn each_code_used_is_described_with_a_link_to_its_section() {
    let (_, log) = sarif(&[LINTS, ERRORS]);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let doc = std::fs::read_to_string("docs/diagnostics.md").unwrap();
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        let anchor = id.replace("::", "");
        assert!(
            rule["helpUri"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/docs/diagnostics.md#{anchor}")),
            "{rule}"
        );
        assert!(
            doc.contains(&format!("\n### {id}\n")),
            "{id} has no section"
        );
        let short = rule["shortDescription"]["text"].as_str().unwrap();
        assert!(!short.is_empty() && short != id, "{rule}");
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("```policy"),
            "the help has the examples: {rule}"
        );
    }
    // Every result points at its rule.
    for r in log["runs"][0]["results"].as_array().unwrap() {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(ids[index], r["ruleId"]);
    }
    assert!(ids.contains(&"clearance::name::unknown_field"));
    assert_eq!(
        rules[ids
            .iter()
            .position(|i| *i == "clearance::lint::shadowed")
            .unwrap()]["defaultConfiguration"]["level"],
        "warning"
    );
}

/// The fingerprint of each result of a file, by code.
fn fingerprints(path: &str) -> Vec<(String, String)> {
    let (_, log) = sarif(&[path]);
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["partialFingerprints"]["clearance/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn fingerprints_survive_moved_lines_but_not_changed_ones() {
    let (_dir, path) = temp_file("lints.policy", &lints_text());
    let before = fingerprints(&path);
    assert_eq!(before.len(), 3);
    let distinct: std::collections::HashSet<&String> = before.iter().map(|(_, f)| f).collect();
    assert_eq!(distinct.len(), 3, "{before:?}");
    assert_eq!(fingerprints(&path), before, "the same in every run");
    // Lines added above the problems: their fingerprints stay.
    let moved = lints_text().replace("let unused_cap", "# a new comment\n\nlet unused_cap");
    std::fs::write(&path, moved).unwrap();
    assert_eq!(fingerprints(&path), before);
    // A changed line changes its result's fingerprint only.
    std::fs::write(&path, lints_text().replace("units < 5", "units < 4")).unwrap();
    let changed = fingerprints(&path);
    assert_eq!(changed[..2], before[..2]);
    assert_ne!(changed[2], before[2]);
    // Two results of one code on lines with the same text differ by their count.
    let twice =
        lints_text() + "\nrule impossible_too:\n  deny import when units > 10 and units < 5\n";
    std::fs::write(&path, twice).unwrap();
    let prints = fingerprints(&path);
    let (a, b) = (&prints[2].1, &prints[3].1);
    assert_eq!(a.split(':').next(), b.split(':').next());
    assert_ne!(a, b);
}

// ---------------------------------------------------------------- GitHub workflow commands

/// A workflow command read back: its kind, its properties (decoded) and its message (decoded).
fn parse_command(line: &str) -> (String, HashMap<String, String>, String) {
    let decode = |s: &str| {
        s.replace("%0A", "\n")
            .replace("%0D", "\r")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    let rest = line.strip_prefix("::").expect("a workflow command");
    let (head, message) = rest.split_once("::").expect("`::` before the message");
    let (kind, properties) = head.split_once(' ').expect("properties");
    let properties = properties
        .split(',')
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            (k.to_string(), decode(v))
        })
        .collect();
    (kind.to_string(), properties, decode(message))
}

#[test]
fn github_annotations_carry_the_place_and_code_of_each_diagnostic() {
    let (_dir, odd) = temp_file("a,b: c.policy", &lints_text());
    let (code, stdout, stderr) = run(&["check", "--format", "github", LINTS, ERRORS, &odd]);
    assert_eq!(code, 2, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 7, "{stdout}");
    let commands: Vec<_> = lines.iter().map(|l| parse_command(l)).collect();
    let (kind, props, message) = &commands[1];
    assert_eq!(kind, "warning");
    assert_eq!(props["file"], LINTS);
    assert_eq!(props["line"], "17");
    assert_eq!(props["col"], "6");
    assert_eq!(props["endLine"], "17");
    assert_eq!(props["endColumn"], "19");
    assert_eq!(props["title"], "clearance::lint::shadowed");
    assert!(message.starts_with("rule `small_exports` can never change a decision"));
    // The help is on a line of its own in the message, escaped on the command's line.
    assert!(
        message.contains("\nhelp: remove `small_exports`"),
        "{message}"
    );
    assert!(lines[1].contains("%0Ahelp: remove"), "{}", lines[1]);
    let (kind, props, _) = &commands[3];
    assert_eq!(kind, "error");
    assert_eq!(props["title"], "clearance::name::unknown_field");
    // `:` and `,` in a property are escaped, so the file name comes back whole.
    assert_eq!(commands[4].1["file"], odd);
    assert!(lines[4].contains("a%2Cb%3A c.policy"), "{}", lines[4]);
    assert!(lines[4].contains("title=clearance%3A%3Alint%3A%3Aunused_let::"));
}

#[test]
fn github_messages_escape_percent_signs() {
    let text = "policy \"p\"\nschema { quota: percent }\nrule r:\n  deny when quota > 30\n";
    let (_dir, path) = temp_file("percent.policy", text);
    let (code, stdout, _) = run(&["check", "--format", "github", &path]);
    assert_eq!(code, 2);
    let line = stdout.lines().next().unwrap();
    assert!(line.contains("30%25"), "{line}");
    let (_, _, message) = parse_command(line);
    assert!(message.contains("30%"), "{message}");
}

// ---------------------------------------------------------------- lint control

fn codes(args: &[&str]) -> (i32, Vec<(String, String)>) {
    let (code, stdout, stderr) = run(&[&["check", "--format", "json"], args].concat());
    let doc: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    let found = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["diagnostics"].as_array().unwrap().clone())
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (code, found)
}

fn w(code: &str) -> (String, String) {
    (format!("clearance::lint::{code}"), "warning".into())
}

fn e(code: &str) -> (String, String) {
    (format!("clearance::lint::{code}"), "error".into())
}

#[test]
fn allow_and_deny_on_the_command_line() {
    assert_eq!(
        codes(&[LINTS]),
        (0, vec![w("unused_let"), w("shadowed"), w("never_fires")])
    );
    assert_eq!(
        codes(&[LINTS, "--allow", "never_fires", "--allow", "unused_let"]),
        (0, vec![w("shadowed")])
    );
    assert_eq!(
        codes(&[LINTS, "--deny", "shadowed"]),
        (2, vec![w("unused_let"), e("shadowed"), w("never_fires")])
    );
    assert_eq!(
        codes(&[LINTS, "--deny-warnings", "--allow", "unused_let"]),
        (2, vec![e("shadowed"), e("never_fires")])
    );
}

#[test]
fn an_unknown_lint_on_the_command_line_is_bad_usage() {
    let (code, stdout, stderr) = run(&["check", LINTS, "--allow", "never_fire"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("`never_fire` is not a lint; did you mean `never_fires`?"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["check", LINTS, "--deny", "zzz"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("the lints are `never_fires`, "), "{stderr}");
    let (code, _, stderr) = run(&["check", LINTS, "--deny", "shadowed", "--allow", "shadowed"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`shadowed` is both allowed and denied"),
        "{stderr}"
    );
}

#[test]
fn a_comment_before_a_rule_allows_a_lint_for_that_rule() {
    let text = lints_text().replace(
        "rule small_exports:",
        "# clearance: allow(shadowed)\n# the small ones are still listed\nrule small_exports:",
    );
    let (_dir, path) = temp_file("allowed.policy", &text);
    assert_eq!(
        codes(&[&path]),
        (0, vec![w("unused_let"), w("never_fires")])
    );
    // A denied lint stays silent where the file allows it.
    assert_eq!(
        codes(&[&path, "--deny", "shadowed", "--deny", "unused_let"]),
        (2, vec![e("unused_let"), w("never_fires")])
    );
    // Before another rule, it does not apply to this one.
    let elsewhere = lints_text().replace(
        "rule impossible:",
        "# clearance: allow(shadowed)\nrule impossible:",
    );
    let (_dir2, path) = temp_file("elsewhere.policy", &elsewhere);
    assert_eq!(
        codes(&[&path]),
        (0, vec![w("unused_let"), w("shadowed"), w("never_fires")])
    );
    // Before a `let`, for the `let`.
    let on_let = lints_text().replace(
        "let unused_cap",
        "# clearance: allow(unused_let)\nlet unused_cap",
    );
    let (_dir3, path) = temp_file("let.policy", &on_let);
    assert_eq!(codes(&[&path]), (0, vec![w("shadowed"), w("never_fires")]));
}

#[test]
fn a_comment_before_the_header_allows_lints_in_the_whole_file() {
    let text = format!(
        "# clearance: allow(never_fires, shadowed)\n\n{}",
        lints_text()
    );
    let (_dir, path) = temp_file("file.policy", &text);
    assert_eq!(codes(&[&path]), (0, vec![w("unused_let")]));
}

#[test]
fn unknown_lints_and_misplaced_comments_are_errors_with_their_own_code() {
    let text = lints_text()
        .replace(
            "rule impossible:",
            "# clearance: allow(never_fire)\nrule impossible:",
        )
        .replace("schema {", "# clearance: allow(shadowed)\nschema {");
    let (_dir, path) = temp_file("unknown.policy", &text);
    let (code, _, stderr) = run(&["check", &path]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("clearance::lint::unknown_lint"), "{stderr}");
    assert!(stderr.contains("unknown lint `never_fire`"), "{stderr}");
    assert!(stderr.contains("did you mean `never_fires`?"), "{stderr}");
    assert!(
        stderr.contains("this `# clearance: allow(...)` applies to nothing"),
        "{stderr}"
    );
    let (_, found) = codes(&[&path]);
    assert_eq!(
        found,
        vec![
            e("unknown_lint"),
            w("unused_let"),
            w("shadowed"),
            e("unknown_lint"),
            w("never_fires")
        ]
    );
}
