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
    for dir in ["tests/ui/syntax", "tests/ui/check"] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        for entry in std::fs::read_dir(dir).expect("case folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "policy") {
                let text = std::fs::read_to_string(&path).expect("readable");
                if let Err(d) = clearance::compile(&text) {
                    seen.extend(d.into_iter().map(|d| d.code));
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

/// docs/diagnostics.md lists every code.
#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/diagnostics.md"))
        .unwrap();
    for code in clearance::diagnostics::Code::ALL {
        assert!(
            doc.contains(&format!("`{code}`")),
            "{code} is not in docs/diagnostics.md"
        );
    }
}
