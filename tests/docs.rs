//! Policies shown in the documentation check clean: the docs stay true.

#[test]
fn policies_in_the_docs_check_clean() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut files = vec![format!("{root}/README.md")];
    for entry in std::fs::read_dir(format!("{root}/docs")).unwrap() {
        let path = entry.unwrap().path();
        // Its examples raise diagnostics on purpose: tests/diagnostics_doc.rs checks them.
        if path.ends_with("diagnostics.md") {
            continue;
        }
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
