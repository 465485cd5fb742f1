//! The documentation stays true: every policy shown in README.md and docs/ checks clean,
//! is in the canonical layout and passes its own tests; the language reference lists every
//! reserved word of the grammar and every built-in function; and no file of the project
//! refers to a document or path the project does not have.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use regex::Regex;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// README.md and every Markdown file of docs/.
fn doc_files() -> Vec<PathBuf> {
    let mut files = vec![Path::new(ROOT).join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// The policies shown in a Markdown text: the fenced blocks whose body starts with
/// `policy `, except sketches of the syntax, which are fenced as `text`.
fn policies(markdown: &str) -> Vec<&str> {
    markdown
        .split("```")
        .skip(1)
        .step_by(2)
        .filter_map(|block| {
            let (info, body) = block.split_once('\n')?;
            (info.trim() != "text" && body.starts_with("policy ")).then_some(body)
        })
        .collect()
}

#[test]
fn policies_in_the_docs_check_clean_and_pass_their_tests() {
    let mut shown = Vec::new();
    for file in doc_files() {
        // Its examples raise diagnostics on purpose: tests/diagnostics_doc.rs checks them.
        if file.ends_with("docs/diagnostics.md") {
            continue;
        }
        let text = read(&file);
        let name = file.strip_prefix(ROOT).unwrap().display().to_string();
        let found = policies(&text);
        shown.push((name.clone(), found.len()));
        for body in found {
            let (policy, warnings) = match clearance::compile_with_warnings(body) {
                Ok(p) => p,
                Err(d) => panic!("a policy in {name} does not check: {d:#?}\n{body}"),
            };
            let codes: Vec<&str> = warnings.iter().map(|d| d.code.as_str()).collect();
            assert!(
                codes.is_empty(),
                "a policy in {name} warns: {codes:?}\n{body}"
            );
            let formatted = clearance::fmt::format_source(body).unwrap();
            assert_eq!(
                formatted, body,
                "a policy in {name} is not in the layout of `clearance fmt`"
            );
            let report = clearance::testing::run_tests(&policy, None);
            let failures: Vec<String> = report
                .results
                .iter()
                .flat_map(|result| {
                    result.failures.iter().map(|f| {
                        let actual = clearance::testing::describe_actual(&f.actual);
                        format!(
                            "test {:?}, record {}: expected {}, got {actual}",
                            result.name, f.record, f.expected
                        )
                    })
                })
                .collect();
            assert!(
                failures.is_empty(),
                "a policy in {name} fails its tests: {failures:#?}\n{body}"
            );
        }
    }
    let count = |file: &str| shown.iter().find(|(n, _)| n == file).map_or(0, |(_, c)| *c);
    assert!(
        count("README.md") >= 1,
        "the README shows a policy: {shown:?}"
    );
    assert!(
        count("docs/language.md") >= 5,
        "the language reference shows its examples as complete policies: {shown:?}"
    );
}

/// The paragraph of docs/language.md that starts with `marker`, up to the next blank line.
fn reference_paragraph(marker: &str) -> String {
    let doc = read(&Path::new(ROOT).join("docs/language.md"));
    let start = doc
        .find(marker)
        .unwrap_or_else(|| panic!("docs/language.md has no {marker:?}"));
    let rest = &doc[start..];
    rest[..rest.find("\n\n").unwrap_or(rest.len())].to_string()
}

#[test]
fn the_reference_lists_exactly_the_reserved_words_of_the_grammar() {
    let grammar = read(&Path::new(ROOT).join("grammar/clearance.pest"));
    let keyword = Regex::new(r#"(?m)^kw_\w+\s*=\s*@\{\s*"(\w+)""#).unwrap();
    let reserved: BTreeSet<&str> = keyword
        .captures_iter(&grammar)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    assert!(reserved.contains("policy") && reserved.contains("records"));
    let listed_text = reference_paragraph("**Reserved words.**");
    let word = Regex::new(r"`([a-z]+)`").unwrap();
    let listed: BTreeSet<&str> = word
        .captures_iter(&listed_text)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    assert_eq!(listed, reserved, "docs/language.md, **Reserved words.**");
}

#[test]
fn the_reference_documents_every_function() {
    let doc = read(&Path::new(ROOT).join("docs/language.md"));
    for (name, _) in clearance::internals::ir::Builtin::ALL {
        assert!(
            doc.contains(&format!("| `{name}(")) || doc.contains(&format!(", `{name}(")),
            "the function table of docs/language.md lacks `{name}`"
        );
    }
}

/// The source and documentation files of the project, outside build output and generated
/// fuzzing data (snapshots are rendered output, wrapped at a terminal width: not scanned).
fn project_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let skip = ["target", ".git", "corpus", "artifacts", "node_modules"];
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if !skip.contains(&name.as_str()) {
                project_files(&path, out);
            }
        } else if ["md", "rs", "pest", "toml", "policy", "py"]
            .iter()
            .any(|e| name.ends_with(&format!(".{e}")))
            || path.parent().and_then(Path::file_name) == Some(".ci".as_ref())
        {
            out.push(path);
        }
    }
}

/// Whether `reference` (a path, possibly with `*` in its last part) names something that
/// exists, relative to the project root, to `dir`, or to its parent (`../x` in `dir`).
fn exists(reference: &str, dir: &Path) -> bool {
    let reference = reference.trim_start_matches("./").trim_start_matches('/');
    let parent = dir.parent().unwrap_or(dir);
    [Path::new(ROOT), dir, parent].iter().any(|base| {
        let (parent, last) = reference.rsplit_once('/').unwrap_or(("", reference));
        if !last.contains('*') {
            return base.join(reference).exists();
        }
        let pattern = format!("^{}$", regex::escape(last).replace(r"\*", ".*"));
        let pattern = Regex::new(&pattern).unwrap();
        std::fs::read_dir(base.join(parent)).is_ok_and(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| pattern.is_match(&e.file_name().to_string_lossy()))
        })
    })
}

#[test]
fn the_project_refers_only_to_documents_and_paths_it_has() {
    let mut files = Vec::new();
    project_files(Path::new(ROOT), &mut files);
    assert!(files.len() > 20, "{files:?}");
    // A Markdown document anywhere, and paths into the project's own folders.
    let document = Regex::new(r"[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b").unwrap();
    let path = Regex::new(
        r"\b(?:docs|src|tests|policies|benches|examples|fuzz|grammar)/[A-Za-z0-9_./*-]*[A-Za-z0-9_*]",
    )
    .unwrap();
    let mut missing = BTreeSet::new();
    for file in &files {
        let text = read(file);
        let dir = file.parent().unwrap();
        for m in document.find_iter(&text).chain(path.find_iter(&text)) {
            if !exists(m.as_str(), dir) {
                let name = file.strip_prefix(ROOT).unwrap().display();
                missing.insert(format!("{name}: {}", m.as_str()));
            }
        }
    }
    assert!(missing.is_empty(), "references to nothing: {missing:#?}");
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
