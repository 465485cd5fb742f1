//! The layout of docs/architecture.md holds: every module under `src/` imports only what
//! its row of the module table allows, the allowed imports form no cycle, and the lines
//! the layout stands on (checking apart from evaluation, data apart from both, the
//! vocabulary at the bottom, the CLI on the public API only) hold whatever the table says.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// `text` with comments, string and character literals blanked out (newlines kept), so
/// that only code is left to read.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let blank = |s: &str, out: &mut String| {
        out.extend(s.chars().map(|c| if c == '\n' { '\n' } else { ' ' }))
    };
    let mut i = 0;
    while i < b.len() {
        let rest = &text[i..];
        let end = if rest.starts_with("//") {
            rest.find('\n').unwrap_or(rest.len())
        } else if rest.starts_with("/*") {
            block_comment_len(rest)
        } else if let Some(len) = string_len(rest, i == 0 || !is_ident(b[i - 1])) {
            len
        } else if rest.starts_with('\'') {
            char_literal_len(rest)
        } else {
            let c = rest.chars().next().expect("not at the end");
            out.push(c);
            i += c.len_utf8();
            continue;
        };
        blank(&rest[..end], &mut out);
        i += end;
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The length of the (nested) block comment at the start of `s`.
fn block_comment_len(s: &str) -> usize {
    let mut depth = 0;
    let mut i = 0;
    while i < s.len() {
        if s[i..].starts_with("/*") {
            depth += 1;
            i += 2;
        } else if s[i..].starts_with("*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += s[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    s.len()
}

/// The length of the string literal (`"…"`, `b"…"`, `r#"…"#`, `br"…"`) at the start of
/// `s`, if one starts there; `at_token` says that no identifier runs into it.
fn string_len(s: &str, at_token: bool) -> Option<usize> {
    let prefix = ["br", "r", "b", ""]
        .into_iter()
        .find(|p| s.starts_with(p) && s[p.len()..].starts_with(['"', '#']))?;
    if !prefix.is_empty() && !at_token {
        return None;
    }
    let raw = prefix.contains('r');
    let after = &s[prefix.len()..];
    let hashes = if raw {
        after.len() - after.trim_start_matches('#').len()
    } else {
        0
    };
    if !after[hashes..].starts_with('"') || (!raw && hashes > 0) {
        return None;
    }
    let body = prefix.len() + hashes + 1;
    let close = format!("\"{}", "#".repeat(hashes));
    let mut i = body;
    while i < s.len() {
        if !raw && s[i..].starts_with('\\') {
            i += 1 + s[i + 1..].chars().next().map_or(0, char::len_utf8);
        } else if s[i..].starts_with(&close) {
            return Some(i + close.len());
        } else {
            i += s[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    Some(s.len())
}

/// The length of the character literal at the start of `s`; 1 for a lifetime's `'`.
fn char_literal_len(s: &str) -> usize {
    let mut chars = s.char_indices().skip(1);
    match chars.next() {
        Some((_, '\\')) => s[2..].find('\'').map_or(1, |i| i + 3),
        Some((_, c)) => match chars.next() {
            Some((i, '\'')) if i == 1 + c.len_utf8() => i + 1,
            _ => 1,
        },
        None => 1,
    }
}

/// `code` without its `#[cfg(test)] mod … { … }` blocks: unit tests may reach further
/// than the module they test.
fn without_test_modules(code: &str) -> String {
    let mut out = code.to_string();
    while let Some(at) = out.find("#[cfg(test)]") {
        let after = out[at + 12..].trim_start();
        if !after.starts_with("mod ") {
            out.replace_range(at..at + 12, "");
            continue;
        }
        // `#[cfg(test)] mod tests;`: the module is a file of its own, left out by name.
        let semicolon = out[at..].find(';').map(|i| at + i);
        let brace = out[at..].find('{').map(|i| at + i);
        if let (Some(end), true) = (semicolon, semicolon < brace || brace.is_none()) {
            out.replace_range(at..=end, "");
            continue;
        }
        let open = brace.expect("a test module has a body");
        let mut depth = 0;
        let mut end = out.len();
        for (i, c) in out[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = open + i + 1;
                break;
            }
        }
        out.replace_range(at..end, "");
    }
    out
}

/// The first segment of every path that starts with the word `root` in `code`:
/// `root::a::B` gives `a`, `root::{a::B, c}` gives `a` and `c`.
fn first_segments(code: &str, root: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find(root).map(|i| from + i) {
        from = at + root.len();
        let before = code[..at].bytes().next_back();
        if before.is_some_and(|c| is_ident(c) || c == b'$' || c == b':') {
            continue;
        }
        if let Some(rest) = code[from..].trim_start().strip_prefix("::") {
            found.extend(segments_of(rest));
        }
    }
    found.retain(|w| !w.is_empty());
    found
}

/// The first segments of the path (or `{…}` group of paths) at the start of `rest`.
fn segments_of(rest: &str) -> Vec<String> {
    let leading_word = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let Some(group) = rest.trim_start().strip_prefix('{') else {
        return vec![leading_word(rest)];
    };
    // The elements of the group, split at its top-level commas.
    let mut found = Vec::new();
    let mut depth = 0;
    let mut element = String::new();
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                found.push(leading_word(&element));
                element.clear();
                continue;
            }
            _ => {}
        }
        element.push(c);
    }
    found.push(leading_word(&element));
    found.retain(|w| !w.is_empty());
    found
}

/// The first segment after every `super::` chain in `code` that climbs out of the top
/// module: a file `depth` modules below the crate root reaches it with `depth` supers.
fn segments_above(code: &str, depth: usize) -> Vec<String> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("super").map(|i| from + i) {
        let before = code[..at].bytes().next_back();
        let mut rest = &code[at..];
        let mut supers = 0;
        while let Some(after) = rest.strip_prefix("super::") {
            supers += 1;
            rest = after;
        }
        from = at + 5;
        if supers >= depth && !before.is_some_and(|c| is_ident(c) || c == b':') {
            found.extend(segments_of(rest));
        }
    }
    found.retain(|w| !w.is_empty());
    found
}

/// One source file: its top module (`lib.rs` for the crate root, `cli` for the binary),
/// how deep its module is, and its code.
struct Source {
    path: String,
    module: String,
    depth: usize,
    code: String,
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn read_sources() -> Vec<Source> {
    let src = Path::new(ROOT).join("src");
    let mut paths = Vec::new();
    sources(&src, &mut paths);
    // Unit tests in files of their own (`tests.rs`, `*_tests.rs`, declared under
    // `#[cfg(test)]`) may use anything, as inline test modules may.
    paths.retain(|p| {
        let name = p
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        name != "tests.rs" && !name.ends_with("_tests.rs")
    });
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(&src).expect("under src");
            let mut parts: Vec<String> = relative
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
                .collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            let module = match parts[0].as_str() {
                "lib" => "lib.rs".to_string(),
                "main" => "cli".to_string(),
                top => top.to_string(),
            };
            let text = std::fs::read_to_string(&path).expect("readable source");
            Source {
                path: format!("src/{}", relative.display()),
                module,
                depth: parts.len(),
                code: without_test_modules(&code_only(&text)),
            }
        })
        .collect()
}

/// The rows of the module table of docs/architecture.md: module → what it may import
/// (`None` for "everything" and for the CLI's row, which is checked on its own).
fn table() -> BTreeMap<String, Option<BTreeSet<String>>> {
    let doc = std::fs::read_to_string(Path::new(ROOT).join("docs/architecture.md"))
        .expect("docs/architecture.md");
    let mut rows = BTreeMap::new();
    for line in doc.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").collect();
        let name = cells[0].trim().trim_matches('`').to_string();
        let imports = cells.last().expect("a row has cells").trim();
        let allowed = (imports != "everything" && name != "cli").then(|| {
            imports
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect()
        });
        rows.insert(name, allowed);
    }
    rows
}

/// The crate-root modules each module reaches: module → (target → the files that do).
type Imports = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

/// What the library modules import (`crate::x`, or `super` chains that leave the module).
fn library_imports(sources: &[Source]) -> Imports {
    let mut imports: Imports = BTreeMap::new();
    for s in sources.iter().filter(|s| s.module != "cli") {
        let targets = first_segments(&s.code, "crate")
            .into_iter()
            .chain(segments_above(&s.code, s.depth));
        for target in targets.filter(|t| *t != s.module) {
            imports
                .entry(s.module.clone())
                .or_default()
                .entry(target)
                .or_default()
                .insert(s.path.clone());
        }
    }
    imports
}

/// The top modules of the library: the files and folders of `src/` but the roots.
fn modules(sources: &[Source]) -> BTreeSet<String> {
    sources
        .iter()
        .map(|s| s.module.clone())
        .filter(|m| m != "lib.rs" && m != "cli")
        .collect()
}

#[test]
fn the_module_table_has_one_row_per_module_and_no_cycle() {
    let sources = read_sources();
    let modules = modules(&sources);
    let table = table();
    let rows: BTreeSet<String> = table.keys().cloned().collect();
    let mut expected = modules.clone();
    expected.extend(["lib.rs".to_string(), "cli".to_string()]);
    assert_eq!(rows, expected, "the rows of docs/architecture.md");
    for (name, allowed) in &table {
        for a in allowed.iter().flatten() {
            assert!(
                modules.contains(a),
                "the row of `{name}` allows `{a}`: no such module"
            );
        }
    }
    // Depth-first: a module reached again while its own imports are open is a cycle.
    fn visit<'a>(
        m: &'a str,
        table: &'a BTreeMap<String, Option<BTreeSet<String>>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) {
        assert!(!path.contains(&m), "a cycle: {} → {m}", path.join(" → "));
        if !done.insert(m) {
            return;
        }
        path.push(m);
        for next in table[m].iter().flatten() {
            visit(next, table, path, done);
        }
        path.pop();
    }
    let mut done = BTreeSet::new();
    for m in &modules {
        visit(m, &table, &mut Vec::new(), &mut done);
    }
}

#[test]
fn every_module_imports_only_what_its_row_allows() {
    let sources = read_sources();
    let modules = modules(&sources);
    let table = table();
    let mut wrong = Vec::new();
    for (module, targets) in library_imports(&sources) {
        let Some(Some(allowed)) = table.get(&module) else {
            continue; // the crate root may import everything; a missing row fails above
        };
        for (target, files) in targets {
            if !allowed.contains(&target) {
                let what = if modules.contains(&target) {
                    format!("`{target}`")
                } else {
                    format!("the crate root (`crate::{target}`)")
                };
                wrong.push(format!("{module} imports {what} in {files:?}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports that docs/architecture.md does not allow:\n{}",
        wrong.join("\n")
    );
}

/// The lines the layout stands on, asserted on the code itself, whatever the table says.
#[test]
fn checking_data_and_the_vocabulary_stay_apart_and_the_cli_uses_the_public_api() {
    let sources = read_sources();
    let imports = library_imports(&sources);
    let reaches = |module: &str| -> BTreeSet<&str> {
        imports
            .get(module)
            .map(|t| t.keys().map(String::as_str).collect())
            .unwrap_or_default()
    };
    let forbidden: [(&str, &[&str]); 2] = [
        ("check", &["eval", "run"]),
        ("data", &["eval", "check", "run"]),
    ];
    for (module, never) in forbidden {
        if let Some(target) = never.iter().find(|n| reaches(module).contains(**n)) {
            panic!(
                "{module} imports {target} in {:?}",
                imports[module][*target]
            );
        }
    }
    let outcome = reaches("outcome");
    assert!(
        outcome.iter().all(|m| *m == "value"),
        "outcome imports {outcome:?}"
    );
    assert!(
        reaches("value").is_empty(),
        "value imports {:?}",
        reaches("value")
    );
    assert!(
        reaches("span").is_empty(),
        "span imports {:?}",
        reaches("span")
    );
    let mut seen_cli = 0;
    for s in &sources {
        let words: Vec<&str> = s
            .code
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .collect();
        if s.module == "cli" {
            seen_cli += 1;
            let public = first_segments(&s.code, "clearance");
            assert!(
                !public.iter().any(|p| p == "internals"),
                "{} uses clearance::internals",
                s.path
            );
            let own = first_segments(&s.code, "crate");
            assert!(own.iter().all(|p| p == "cli"), "{}: crate::{own:?}", s.path);
        } else {
            assert!(
                !words.contains(&"clap"),
                "{} (the library) uses clap",
                s.path
            );
        }
    }
    assert!(seen_cli > 5, "the CLI's files were read");
    assert!(reaches("check").contains("ir") && reaches("run").contains("eval"));
}

#[test]
fn the_import_reader_sees_through_groups_strings_comments_and_tests() {
    let text = r##"
use crate::{ast::{Expr, ExprKind}, ir, value::Value as V};
use crate::outcome::Decision; // use crate::eval;
/* crate::run /* nested */ crate::run */
let s = "crate::eval \" crate::check";
let r = r#"crate::data "# ;
let c = '"'; let l: &'static str = crate::span::NAME;
fn f() { super::super::diff::thing(); $crate::fmt::x(); my_crate::eval::y(); }
#[cfg(test)]
mod tests {
    use crate::compile;
    fn g() { let _ = { crate::syntax::h() }; }
}
fn after() { crate::diagnostics::render(); }
"##;
    let code = without_test_modules(&code_only(text));
    let mut found = first_segments(&code, "crate");
    found.extend(segments_above(&code, 2));
    assert_eq!(
        found,
        [
            "ast",
            "ir",
            "value",
            "outcome",
            "span",
            "diagnostics",
            "diff"
        ]
    );
    assert!(segments_above(&code, 3).is_empty());
}
