//! docs/diagnostics.md documents every diagnostic code, and its examples are true: each
//! example raises its code and each fix checks clean. Also `clearance explain-code`, which
//! prints a code's section of that page.

mod common;

use clearance::diagnostics::{Code, Diagnostic};

const DOC: &str = include_str!("../docs/diagnostics.md");

/// The header given to an example that does not start with its own (see the page's intro).
const EXAMPLE_HEADER: &str = "policy \"example\"\n\n";

/// Codes whose example would be a huge or binary file: their sections say so instead.
const WITHOUT_EXAMPLE: &[Code] = &[
    Code::TooDeep,
    Code::FileTooLarge,
    Code::TooLong,
    Code::TooManyItems,
    Code::NotUtf8,
    Code::ParamUnknown,
];

/// One fenced block of the page.
struct Block {
    info: String,
    text: String,
    line: usize,
}

/// The section of one code: from its heading to the next heading.
struct Section {
    code: String,
    line: usize,
    text: String,
    blocks: Vec<Block>,
}

/// The code sections of the page, in order; headings inside fenced blocks do not count.
fn sections(doc: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let mut current: Option<Section> = None;
    let mut fence: Option<Block> = None;
    for (n, line) in doc.lines().enumerate() {
        let n = n + 1;
        if let Some(block) = fence.as_mut() {
            if line.trim_end() == "```" {
                let block = fence.take().expect("inside a block");
                if let Some(s) = current.as_mut() {
                    s.blocks.push(block);
                }
            } else {
                block.text.push_str(line);
                block.text.push('\n');
            }
        } else if let Some(info) = line.strip_prefix("```") {
            fence = Some(Block {
                info: info.trim().to_string(),
                text: String::new(),
                line: n,
            });
        } else if line.starts_with('#') {
            sections.extend(current.take());
            let title = line.trim_start_matches('#').trim();
            if title.starts_with("clearance::") {
                current = Some(Section {
                    code: title.to_string(),
                    line: n,
                    text: String::new(),
                    blocks: Vec::new(),
                });
            }
        }
        if let Some(s) = current.as_mut() {
            s.text.push_str(line);
            s.text.push('\n');
        }
    }
    assert!(
        fence.is_none(),
        "docs/diagnostics.md ends inside a code block"
    );
    sections.extend(current);
    sections
}

/// The file an example stands for: as written when its first line of code is a `policy`
/// header (or it has no code at all), else with the standard header before it.
fn as_file(example: &str) -> String {
    let first_code = example
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'));
    match first_code {
        Some(l) if !l.starts_with("policy ") => format!("{EXAMPLE_HEADER}{example}"),
        _ => example.to_string(),
    }
}

/// What `clearance check` and then `clearance test` report for a file.
fn diagnostics_of(source: &str) -> Vec<Diagnostic> {
    match clearance::compile_with_warnings(source) {
        Err(errors) => errors,
        Ok((policy, mut warnings)) => {
            let report = clearance::testing::run_tests(&policy, None);
            warnings.extend(
                report
                    .results
                    .iter()
                    .filter(|r| !r.passed)
                    .map(clearance::testing::failure_diagnostic),
            );
            warnings
        }
    }
}

fn describe(diagnostics: &[Diagnostic]) -> String {
    let lines: Vec<String> = diagnostics
        .iter()
        .map(|d| format!("    {}: {}", d.code, d.message))
        .collect();
    lines.join("\n")
}

/// The problems of one section's examples (none when they are true).
fn check_examples(section: &Section, code: Code, problems: &mut Vec<String>) {
    let at = format!("docs/diagnostics.md:{} ({})", section.line, section.code);
    if let Some(b) = section.blocks.iter().find(|b| b.info != "policy") {
        problems.push(format!(
            "{at}: the block at line {} is tagged `{}`; examples are tagged `policy`",
            b.line, b.info
        ));
    }
    let examples: Vec<&Block> = section.blocks.iter().collect();
    match examples.as_slice() {
        [] if WITHOUT_EXAMPLE.contains(&code) => {
            if !section.text.contains("No short example:") {
                problems.push(format!(
                    "{at}: no example and no \"No short example:\" line"
                ));
            }
        }
        [example, fix] => {
            let raised = diagnostics_of(&as_file(&example.text));
            if raised.is_empty() || raised.iter().any(|d| d.code != code) {
                problems.push(format!(
                    "{at}: the example at line {} should raise only {code}, but raises:\n{}",
                    example.line,
                    if raised.is_empty() {
                        "    nothing".to_string()
                    } else {
                        describe(&raised)
                    }
                ));
            }
            let left = diagnostics_of(&as_file(&fix.text));
            if !left.is_empty() {
                problems.push(format!(
                    "{at}: the fix at line {} should check clean, but raises:\n{}",
                    fix.line,
                    describe(&left)
                ));
            }
        }
        other => problems.push(format!(
            "{at}: {} `policy` blocks; a section has an example and its fix",
            other.len()
        )),
    }
}

#[test]
fn every_code_has_one_section_in_the_order_of_the_enum() {
    let documented: Vec<String> = sections(DOC).into_iter().map(|s| s.code).collect();
    let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    let missing: Vec<&&str> = codes
        .iter()
        .filter(|c| !documented.iter().any(|d| d == *c))
        .collect();
    let unknown: Vec<&String> = documented
        .iter()
        .filter(|d| !codes.contains(&d.as_str()))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let twice: Vec<&String> = documented.iter().filter(|d| !seen.insert(*d)).collect();
    assert!(missing.is_empty(), "codes without a section: {missing:?}");
    assert!(
        unknown.is_empty(),
        "sections of codes that do not exist: {unknown:?}"
    );
    assert!(twice.is_empty(), "codes with two sections: {twice:?}");
    assert_eq!(documented, codes, "sections follow the order of `Code`");
}

#[test]
fn every_example_raises_its_code_and_every_fix_checks_clean() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for section in sections(DOC) {
        let Some(code) = Code::ALL.iter().find(|c| c.as_str() == section.code) else {
            continue; // reported by the test above
        };
        check_examples(&section, *code, &mut problems);
        checked += usize::from(!section.blocks.is_empty());
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    assert!(checked >= Code::ALL.len() - WITHOUT_EXAMPLE.len());
}

#[test]
fn a_fragment_gets_the_standard_header_and_a_whole_file_is_taken_as_written() {
    let fragment = "# a comment\nschema { action: import | export }\n";
    assert_eq!(as_file(fragment), format!("{EXAMPLE_HEADER}{fragment}"));
    let whole = "# a comment\npolicy \"p\" default deny\nschema { action: import | export }\n";
    assert_eq!(as_file(whole), whole);
    let only_comments = "# nothing here\n";
    assert_eq!(as_file(only_comments), only_comments);
}

// ---------------------------------------------------------------- explain-code

use common::run;

/// The first example of a code's section, as the page writes it.
fn first_example(code: &str) -> String {
    let section = sections(DOC)
        .into_iter()
        .find(|s| s.code == code)
        .expect("documented");
    section.blocks[0].text.clone()
}

#[test]
fn explain_code_prints_the_section_of_a_code_as_plain_text() {
    let (status, stdout, stderr) = run(&["explain-code", "clearance::type::mismatch"]);
    assert_eq!(status, 0, "{stderr}");
    assert!(
        stdout.starts_with("clearance::type::mismatch\n\n"),
        "{stdout}"
    );
    // Examples are indented, not fenced; the markup of the page is gone.
    for line in first_example("clearance::type::mismatch").lines() {
        let shown = format!("\n    {line}").trim_end().to_string();
        assert!(stdout.contains(&shown), "`{line}` is not shown:\n{stdout}");
    }
    assert!(
        !stdout.contains("```") && !stdout.contains("###"),
        "{stdout}"
    );
    // A fragment is shown as the whole file it stands for.
    assert!(stdout.contains("\n    policy \"example\"\n"), "{stdout}");
    // Only this section: not the example of the next code.
    let next = first_example("clearance::type::percent_with_number");
    let next_line = next.lines().find(|l| l.contains("rule")).expect("a rule");
    assert!(!stdout.contains(next_line), "{stdout}");
}

#[test]
fn explain_code_takes_the_last_part_of_a_code_when_it_is_unique() {
    let (_, full, _) = run(&["explain-code", "clearance::type::mismatch"]);
    for short in ["mismatch", "type::mismatch"] {
        let (status, stdout, stderr) = run(&["explain-code", short]);
        assert_eq!(status, 0, "{short}: {stderr}");
        assert_eq!(stdout, full, "{short}");
    }
}

#[test]
fn explain_code_refuses_an_unknown_code_with_a_suggestion() {
    let (status, stdout, stderr) = run(&["explain-code", "mismach"]);
    assert_eq!(status, 2);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("no diagnostic code `mismach`")
            && stderr.contains("did you mean `clearance::type::mismatch`?"),
        "{stderr}"
    );
    let (status, _, stderr) = run(&["explain-code", "clearance::typo::mismatch"]);
    assert_eq!(status, 2);
    assert!(
        stderr.contains("did you mean `clearance::type::mismatch`?"),
        "{stderr}"
    );
}

#[test]
fn explain_code_asks_for_the_full_code_when_the_last_part_is_shared() {
    let (status, stdout, stderr) = run(&["explain-code", "unknown_field"]);
    assert_eq!(status, 2);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("`clearance::name::unknown_field`")
            && stderr.contains("`clearance::test::unknown_field`"),
        "{stderr}"
    );
}

#[test]
fn explain_code_lists_every_code() {
    let (status, stdout, stderr) = run(&["explain-code", "--list"]);
    assert_eq!(status, 0, "{stderr}");
    let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(stdout.lines().collect::<Vec<_>>(), codes);
}

// ---------------------------------------------------------------- a code without an example

/// `clearance::syntax::not_utf8` has no example on the page; its section says what `check`
/// prints, and this keeps that true.
#[test]
fn a_policy_file_that_is_not_utf8_is_refused_as_documented() {
    let path = std::env::temp_dir().join(format!(
        "clearance-not-utf8-{}-{}.policy",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::write(&path, b"policy \"caf\xe9\"\nschema { id: text }\n").unwrap();
    let file = path.to_str().expect("a UTF-8 temporary path");
    let (status, _, stderr) = run(&["check", file]);
    let (json_status, json, _) = run(&["check", "--format", "json", file]);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(status, 2);
    assert_eq!(
        stderr,
        format!("error: `{file}` is not UTF-8 text (invalid byte at offset 11); save it as UTF-8\n1 error found\n")
    );
    assert_eq!(json_status, 2);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        report["files"][0]["diagnostics"][0]["code"],
        "clearance::syntax::not_utf8"
    );
}
