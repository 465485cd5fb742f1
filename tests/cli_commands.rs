//! `clearance init`, `completions`, the man pages and `fmt -`.

mod common;

use std::path::Path;

use common::{clearance, run};

fn path_str(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temporary path")
}

// ---------------------------------------------------------------- init

#[test]
fn init_writes_a_project_that_checks_tests_and_evaluates_clean() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("rules");
    let (code, stdout, stderr) = run(&["init", path_str(&root)]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    let policy = root.join("starter.policy");
    for file in [
        "starter.policy",
        "data/sample.csv",
        "data/sample.ndjson",
        ".github/workflows/clearance.yml",
    ] {
        assert!(root.join(file).is_file(), "{file} was not written");
        assert!(stderr.contains(&format!("wrote {}", path_str(&root.join(file)))));
    }
    let policy = path_str(&policy);
    // No error, no warning, even denied.
    let (code, _, stderr) = run(&["check", "--deny-warnings", policy]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, format!("{policy}: ok\n"));
    let (code, stdout, stderr) = run(&["test", policy, "--min-coverage", "100"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("6 of 6 rules fired in some test (100.0%)"),
        "{stdout}"
    );
    assert!(stdout.ends_with("6 passed, 0 failed\n"), "{stdout}");
    let (code, stdout, stderr) = run(&["fmt", "--check", policy]);
    assert_eq!(code, 0, "not formatted:\n{stdout}{stderr}");
    // One rule of each kind.
    let text = std::fs::read_to_string(policy).unwrap();
    for clause in [
        "require ",
        "deny ",
        "waitlist ",
        "allow ",
        "warn ",
        "limit ",
    ] {
        assert!(
            text.contains(&format!("\n  {clause}")),
            "no `{clause}` rule"
        );
    }
    // Both samples evaluate without a record in error, to the same decisions.
    let mut decisions = Vec::new();
    for data in ["data/sample.csv", "data/sample.ndjson"] {
        let data = root.join(data);
        let (code, stdout, stderr) = run(&[
            "eval",
            policy,
            "--data",
            path_str(&data),
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{data:?}: {stderr}");
        let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let of: Vec<String> = doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["decision"].as_str().unwrap().to_string())
            .collect();
        decisions.push(of);
    }
    assert_eq!(decisions[0], decisions[1]);
    assert_eq!(
        decisions[0],
        ["allow", "allow", "deny", "deny", "waitlist", "waitlist"]
    );
    // The workflow runs the CI formats.
    let workflow = std::fs::read_to_string(root.join(".github/workflows/clearance.yml")).unwrap();
    assert!(
        workflow.contains("clearance check --format github"),
        "{workflow}"
    );
    assert!(
        workflow.contains("clearance test --format junit"),
        "{workflow}"
    );
}

#[test]
fn init_refuses_to_overwrite_and_then_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("data")).unwrap();
    std::fs::write(root.join("data/sample.csv"), "mine\n").unwrap();
    let (code, stdout, stderr) = run(&["init", path_str(root)]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains(&format!(
            "`{}` already exists; nothing was written",
            path_str(&root.join("data/sample.csv"))
        )),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("data/sample.csv")).unwrap(),
        "mine\n"
    );
    assert!(!root.join("starter.policy").exists());
    assert!(!root.join(".github").exists());
}

#[test]
fn init_writes_into_the_current_folder_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let out = clearance()
        .arg("init")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(dir.path().join("starter.policy").is_file());
}

// ---------------------------------------------------------------- completions

#[test]
fn completions_are_printed_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef clearance"),
        ("fish", "complete -c clearance"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let (code, stdout, stderr) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {stderr}");
        assert!(stdout.contains(marker), "{shell}: no `{marker}`");
        // The commands and their options are there.
        for word in ["check", "init", "format", "min-coverage", "sarif"] {
            assert!(stdout.contains(word), "{shell}: no `{word}`");
        }
    }
    let (code, _, stderr) = run(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("invalid value 'tcsh'"), "{stderr}");
}

// ---------------------------------------------------------------- man pages

#[test]
fn a_man_page_is_generated_for_each_command_with_its_options() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man");
    let (code, stdout, stderr) = run(&["man", "--out", path_str(&out)]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty());
    let pages: &[(&str, &[&str])] = &[
        ("clearance.1", &["check", "eval", "init", "completions"]),
        (
            "clearance-check.1",
            &[
                "\\-\\-format",
                "sarif",
                "github",
                "\\-\\-allow",
                "\\-\\-deny",
            ],
        ),
        ("clearance-eval.1", &["\\-\\-data", "\\-\\-fail\\-on"]),
        (
            "clearance-test.1",
            &["\\-\\-min\\-coverage", "tap", "junit"],
        ),
        (
            "clearance-fmt.1",
            &["\\-\\-check", "\\-\\-stdin\\-filename"],
        ),
        ("clearance-explain.1", &["\\-\\-record"]),
        ("clearance-explain-code.1", &["\\-\\-list"]),
        ("clearance-diff.1", &["\\-\\-data"]),
        ("clearance-init.1", &["DIR"]),
        ("clearance-completions.1", &["bash", "powershell"]),
        ("clearance-lsp.1", &["language server"]),
    ];
    for (page, words) in pages {
        let text =
            std::fs::read_to_string(out.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(
            text.starts_with(".ie \\n(.g .ds Aq") || text.contains(".TH "),
            "{page}: not roff"
        );
        for word in *words {
            assert!(text.contains(word), "{page} does not mention `{word}`");
        }
    }
    // One page per visible command, no more: `man` itself is hidden.
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    written.sort();
    let mut expected: Vec<String> = pages.iter().map(|(p, _)| p.to_string()).collect();
    expected.sort();
    assert_eq!(written, expected);
}

// ---------------------------------------------------------------- fmt -

const MESSY: &str = "policy \"p\" default allow\nschema { a: int }\nrule   r :  deny when a>1\n";

fn fmt_stdin(args: &[&str], input: &str) -> (i32, String, String) {
    let out = clearance()
        .arg("fmt")
        .args(args)
        .write_stdin(input)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn fmt_formats_standard_input_to_standard_output() {
    let formatted = clearance::fmt::format_source(MESSY).unwrap();
    assert_ne!(formatted, MESSY);
    let (code, stdout, stderr) = fmt_stdin(&["-"], MESSY);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, formatted);
    assert!(stderr.is_empty(), "{stderr}");
    // Formatted text comes back unchanged.
    let (code, stdout, _) = fmt_stdin(&["-"], &formatted);
    assert_eq!(code, 0);
    assert_eq!(stdout, formatted);
}

#[test]
fn fmt_check_of_standard_input_exits_1_when_it_is_not_formatted() {
    let (code, stdout, stderr) =
        fmt_stdin(&["--check", "--stdin-filename", "mine.policy", "-"], MESSY);
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with("--- mine.policy\n+++ mine.policy (formatted)\n"),
        "{stdout}"
    );
    assert!(
        stderr.contains("`mine.policy` is not formatted"),
        "{stderr}"
    );
    let formatted = clearance::fmt::format_source(MESSY).unwrap();
    let (code, stdout, _) = fmt_stdin(&["--check", "-"], &formatted);
    assert_eq!(code, 0);
    assert!(stdout.is_empty());
}

#[test]
fn fmt_of_standard_input_with_errors_prints_nothing_and_names_the_file() {
    let (code, stdout, stderr) = fmt_stdin(
        &["--stdin-filename", "broken.policy", "-"],
        "policy \"p\"\nschema { a: int }\nrule r: deny when a >\n",
    );
    assert_eq!(code, 2);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("broken.policy:3:"), "{stderr}");
    let bytes = clearance()
        .args(["fmt", "-"])
        .write_stdin(b"policy \"caf\xe9\"\n".to_vec())
        .output()
        .unwrap();
    assert_eq!(bytes.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bytes.stderr).contains("`<stdin>` is not UTF-8 text"));
    let (code, _, stderr) = fmt_stdin(&["-", "policies/"], "");
    assert_eq!(code, 2);
    assert!(stderr.contains("`-` (standard input) cannot be given with other files"));
}

#[test]
fn the_help_of_check_lists_every_lint() {
    let (code, stdout, _) = run(&["check", "--help"]);
    assert_eq!(code, 0);
    let names: Vec<&str> = clearance::Code::LINTS
        .iter()
        .filter_map(|c| c.lint_name())
        .collect();
    let listed = stdout
        .split("Lints (for --allow, --deny and `# clearance: allow(LINT)`): ")
        .nth(1)
        .and_then(|rest| rest.split('.').next())
        .expect("the list of lints")
        .split(',')
        .map(str::trim)
        .collect::<Vec<_>>();
    assert_eq!(listed, names);
}
