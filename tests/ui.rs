//! One case per file under `tests/ui/`: each snapshot holds the source, then every
//! diagnostic as an author sees it (no colour, 100 columns).

use clearance::diagnostics::{render, RenderOptions, SourceFile};

/// What the snapshots of a case folder show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Show {
    /// The errors of a policy that must not check, the file named by its path from the
    /// project root.
    Errors,
    /// The lint warnings of a policy that must check, the file named by its file name.
    Warnings,
}

/// Runs every case of `tests/ui/{folder}/`: each must raise diagnostics of the kind
/// `show` says, and its snapshot `ui__{folder}_{errors|warnings}@{file}.snap` holds
/// the source, then every diagnostic as an author sees it.
fn run_cases(folder: &str, show: Show) {
    let kind = match show {
        Show::Errors => "errors",
        Show::Warnings => "warnings",
    };
    let snapshot = format!("{folder}_{kind}");
    insta::glob!(&format!("ui/{folder}/*.policy"), |path| {
        let source = std::fs::read_to_string(path).expect("readable case");
        let name = match show {
            Show::Errors => path
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap_or(path),
            Show::Warnings => path.file_name().map_or(path, std::path::Path::new),
        };
        let file = SourceFile::new(name.display().to_string(), source.clone());
        let diagnostics = match (clearance::compile_with_warnings(&source), show) {
            (Err(errors), Show::Errors) => errors,
            (Ok((_, warnings)), Show::Warnings) => warnings,
            (Ok(_), Show::Errors) => panic!("{} should not check clean", path.display()),
            (Err(errors), Show::Warnings) => {
                panic!(
                    "{}: lint cases are valid policies: {errors:#?}",
                    path.display()
                )
            }
        };
        assert!(
            !diagnostics.is_empty(),
            "{} raises no {kind}",
            path.display()
        );
        let rendered = diagnostics
            .iter()
            .map(|d| render(d, &file, RenderOptions::default()))
            .collect::<Vec<_>>()
            .join("\n");
        insta::assert_snapshot!(snapshot.as_str(), format!("{source}\n-----\n{rendered}"));
    });
}

#[test]
fn syntax_errors() {
    run_cases("syntax", Show::Errors);
}

#[test]
fn check_errors() {
    run_cases("check", Show::Errors);
}

#[test]
fn lint_warnings() {
    run_cases("lint", Show::Warnings);
}

/// Every diagnostic code has at least one case (except those tested in other files).
#[test]
fn every_code_has_a_case() {
    use clearance::diagnostics::Code;
    // Limits on whole files are tested in tests/parse.rs, test failures in tests/cli_test.rs.
    let tested_elsewhere = [
        Code::FileTooLarge,
        Code::TooManyItems,
        Code::NotUtf8,
        Code::TestFailed,
        // Only `--set` can name an unknown param (tests/params.rs).
        Code::ParamUnknown,
    ];
    let mut seen = std::collections::BTreeSet::new();
    for dir in ["tests/ui/syntax", "tests/ui/check", "tests/ui/lint"] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        for entry in std::fs::read_dir(dir).expect("case folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "policy") {
                let text = std::fs::read_to_string(&path).expect("readable");
                match clearance::compile_with_warnings(&text) {
                    Err(d) | Ok((_, d)) => seen.extend(d.into_iter().map(|d| d.code)),
                }
            }
        }
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !seen.contains(c) && !tested_elsewhere.contains(c))
        .map(|c| c.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a tests/ui case: {missing:?}"
    );
}

/// Conditions that look close to contradictions but are not: no warning.
#[test]
fn lints_have_no_false_positives_on_near_misses() {
    let text = r#"
policy "near"
schema { action: import | export, item: H200 | H20, units: int, price: decimal, d: date, q: percent, t: tier1 | tier2 }
let cap = 5
rule int_gap: deny import when units > 10 and units < 12 because "11 fits"
rule decimal_gap: deny import when price > 10 and price < 11 because "10.5 fits"
rule date_range: deny import when d >= 2026-01-01 and d <= 2026-01-01 because "one day"
rule two_values: waitlist import when t in [tier1] because "some tiers"
rule mixed: allow import when units > cap or q >= 30% because "not a tautology"
rule scoped_item: deny import H200 when item == H200 and units > 1 because "consistent with the scope"
rule narrow: require q >= 30% before import H200
rule other_scope: require q >= 20% before import H20
rule different_fields: require units >= 1 before import H200
"#;
    let (_, warnings) = clearance::compile_with_warnings(text).unwrap();
    assert!(warnings.is_empty(), "{warnings:#?}");
}

/// The bundled policies lint clean, but for the one warning the H200 policy earns on purpose
/// (`big_order` is a `warn` without `because`).
#[test]
fn bundled_policies_lint_clean() {
    for name in ["domestic_quota", "export_control", "h200_first_batch"] {
        let text = std::fs::read_to_string(format!(
            "{}/policies/{name}.policy",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let (_, warnings) = clearance::compile_with_warnings(&text).unwrap();
        let codes: Vec<&str> = warnings.iter().map(|d| d.code.as_str()).collect();
        let expected: &[&str] = if name == "h200_first_batch" {
            &["clearance::lint::warn_without_because"]
        } else {
            &[]
        };
        assert_eq!(codes, expected, "{name}");
    }
}

// ------------------------------------------------------------ long lines

/// A policy whose line 3 is `let x = ` and then `rest`.
fn long_let(rest: &str) -> SourceFile {
    SourceFile::new(
        "long_line.policy",
        format!("policy \"long\" default allow\nschema {{ n: int }}\nlet x = {rest}\n"),
    )
}

/// The one diagnostic of `source`, rendered both ways, and its JSON form.
fn render_both(source: &SourceFile) -> (String, String, serde_json::Value) {
    let d = match clearance::compile(&source.text) {
        Ok(_) => panic!("{} should not check clean", source.name),
        Err(d) => d,
    };
    assert_eq!(d.len(), 1, "{d:#?}");
    let plain = RenderOptions {
        unicode: false,
        ..RenderOptions::default()
    };
    let json = clearance::diagnostics::JsonDiagnostic::new(&d[0], source);
    (
        render(&d[0], source, RenderOptions::default()),
        render(&d[0], source, plain),
        serde_json::to_value(json).unwrap(),
    )
}

/// miette draws underlines with format widths, which panic beyond 65,535 columns: the
/// line is shown clipped around the labels, at its real line and column.
#[test]
fn a_label_past_column_65535_is_drawn_on_a_clipped_line() {
    let source = long_let(&format!("{}1 + true", " ".repeat(70_000)));
    let (unicode, ascii, json) = render_both(&source);
    assert_eq!(json["code"], "clearance::type::bad_operand");
    assert_eq!(
        (json["line"].as_u64(), json["column"].as_u64()),
        (Some(3), Some(70_011))
    );
    assert!(ascii.contains("[long_line.policy:3:70011]"), "{ascii}");
    assert!(
        ascii.contains("| ...") && ascii.contains("1 + true"),
        "{ascii}"
    );
    insta::assert_snapshot!(unicode);
}

#[test]
fn a_label_that_ends_past_column_65535_is_drawn_on_a_clipped_line() {
    let source = long_let(&format!("{}true", "not ".repeat(100_000)));
    let (unicode, ascii, json) = render_both(&source);
    assert_eq!(json["code"], "clearance::syntax::too_deep");
    let (line, column) = (&json["line"], &json["column"]);
    assert_eq!(line, 3);
    // The label covers the innermost 256 `not`s and `true`.
    assert_eq!(column.as_u64(), Some(9 + 4 * (100_000 - 256)), "{json}");
    let span = &json["span"];
    assert_eq!(span["end"].as_u64(), Some(source.text.len() as u64 - 1));
    for rendered in [&unicode, &ascii] {
        assert!(
            rendered.starts_with("clearance::syntax::too_deep\n"),
            "{rendered}"
        );
        assert!(
            rendered.contains(&format!("[long_line.policy:{line}:{column}]")),
            "{rendered}"
        );
        assert!(
            rendered.contains("note: line 3 has 400012 characters; it is shown clipped"),
            "{rendered}"
        );
        // Each drawn line is short.
        assert!(
            rendered.lines().all(|l| l.chars().count() < 200),
            "{rendered}"
        );
    }
}

/// The CLI draws them too (`check`, human and JSON).
#[test]
fn check_draws_diagnostics_on_very_long_lines() {
    let dir = std::env::temp_dir().join(format!("clearance-long-lines-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        (
            "spaces.policy",
            format!("{}1 + true", " ".repeat(70_000)),
            "clearance::type::bad_operand",
        ),
        (
            "nots.policy",
            format!("{}true", "not ".repeat(100_000)),
            "clearance::syntax::too_deep",
        ),
    ];
    for (name, rest, code) in cases {
        let path = dir.join(name);
        std::fs::write(&path, long_let(&rest).text).unwrap();
        let path = path.to_str().unwrap();
        for format in ["human", "json"] {
            let out = assert_cmd::Command::cargo_bin("clearance")
                .unwrap()
                .args(["check", path, "--format", format])
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            let (stdout, stderr) = (
                String::from_utf8(out.stdout).unwrap(),
                String::from_utf8(out.stderr).unwrap(),
            );
            assert_eq!(out.status.code(), Some(2), "{name} {format}: {stderr}");
            assert!(!stderr.contains("panicked"), "{stderr}");
            let shown = if format == "json" { &stdout } else { &stderr };
            assert!(shown.contains(code), "{name} {format}: {shown}");
            assert!(shown.contains(&format!("{path}:3:")) || shown.contains("\"line\": 3"));
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
