//! One case per file under `tests/ui/`: each snapshot holds the source, then every
//! diagnostic as an author sees it (no colour, 100 columns).

use clearance::diagnostics::{render, RenderOptions, SourceFile};

fn diagnostics_of(path: &std::path::Path) -> (String, String) {
    let text = std::fs::read_to_string(path).expect("readable case");
    let name = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .display()
        .to_string();
    let source = SourceFile::new(name, text.clone());
    let diagnostics = match clearance::compile(&text) {
        Ok(_) => Vec::new(),
        Err(d) => d,
    };
    let rendered: Vec<String> = diagnostics
        .iter()
        .map(|d| render(d, &source, RenderOptions::default()))
        .collect();
    (text, rendered.join("\n"))
}

#[test]
fn syntax_errors() {
    insta::glob!("ui/syntax/*.policy", |path| {
        let (source, rendered) = diagnostics_of(path);
        assert!(
            !rendered.is_empty(),
            "{} should not check clean",
            path.display()
        );
        insta::assert_snapshot!(format!("{source}\n-----\n{rendered}"));
    });
}

#[test]
fn check_errors() {
    insta::glob!("ui/check/*.policy", |path| {
        let (source, rendered) = diagnostics_of(path);
        assert!(
            !rendered.is_empty(),
            "{} should not check clean",
            path.display()
        );
        insta::assert_snapshot!(format!("{source}\n-----\n{rendered}"));
    });
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

#[test]
fn lint_warnings() {
    insta::glob!("ui/lint/*.policy", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let source = SourceFile::new(path.file_name().unwrap().to_string_lossy(), text.clone());
        let (_, warnings) =
            clearance::compile_with_warnings(&text).expect("lint cases are valid policies");
        assert!(!warnings.is_empty(), "{} should warn", path.display());
        let rendered: Vec<String> = warnings
            .iter()
            .map(|d| render(d, &source, RenderOptions::default()))
            .collect();
        insta::assert_snapshot!(format!("{text}\n-----\n{}", rendered.join("\n")));
    });
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

/// The bundled policies raise only the warning the specification's example earns.
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
