//! Policies shown in the documentation check clean: the docs stay true.

#[test]
fn policies_in_the_docs_check_clean() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut files = vec![format!("{root}/README.md")];
    for entry in std::fs::read_dir(format!("{root}/docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path.display().to_string());
        }
    }
    let mut checked = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for block in text.split("```").skip(1).step_by(2) {
            let (info, body) = block.split_once('\n').unwrap_or(("", ""));
            // Sketches of the syntax are fenced as `text`; policies are checked.
            if info.trim() != "text" && body.trim_start().starts_with("policy ") {
                if let Err(d) = clearance::compile(body) {
                    panic!("a policy in {file} does not check: {d:#?}\n{body}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 1, "the README shows a policy");
}

/// The fuzz targets' own policies (`fuzz/policies/`) check clean without warnings, so
/// that a change to the language cannot leave a fuzz target failing at its first input.
#[test]
fn the_fuzz_policies_check_clean() {
    let dir = format!("{}/fuzz/policies", env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        match clearance::compile_with_warnings(&text) {
            Ok((_, warnings)) => assert!(warnings.is_empty(), "{path:?}: {warnings:#?}"),
            Err(d) => panic!("{path:?} does not check: {d:#?}"),
        }
        checked += 1;
    }
    assert_eq!(checked, 2, "data.policy and data_csv.policy");
}
