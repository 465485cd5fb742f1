//! `check --format sarif`: the diagnostics as a SARIF 2.1.0 log, for code scanning
//! (GitHub's `upload-sarif`, and other SARIF viewers).
//!
//! One result per diagnostic: `ruleId` the code, `level` error or warning, the message
//! (and its help), the region of the primary label (1-based lines and columns; columns
//! count Unicode characters, `run.columnKind` is `unicodeCodePoints`; `endColumn` is the
//! column just after the last character), the other labels as `relatedLocations`, and a
//! `partialFingerprints` entry that stays the same while the code, the file and the text
//! of the line do. `tool.driver.rules` describes each code used, from docs/diagnostics.md.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Value};

use super::check::Checked;
use super::explain_code::{plain, section, DOC};
use clearance::diagnostics::{Code, Diagnostic, Label, Severity, SourceFile};
use clearance::span::{line_col, Span};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Where the project lives: Cargo.toml's `repository`, or a placeholder until it has one.
fn home() -> &'static str {
    match env!("CARGO_PKG_REPOSITORY") {
        "" => "https://example.invalid/clearance",
        repository => repository.trim_end_matches('/'),
    }
}

/// The documentation of a code: docs/diagnostics.md at its heading's anchor (the code
/// with every `::` removed).
pub fn help_uri(code: Code) -> String {
    const PAGE: &str = "docs/diagnostics.md";
    format!(
        "{}/blob/main/{PAGE}#{}",
        home(),
        code.as_str().replace("::", "")
    )
}

/// The SARIF log of the checked files.
pub fn log(files: &[Checked]) -> Value {
    let mut codes: Vec<Code> = files
        .iter()
        .flat_map(|f| f.diagnostics.iter().map(|d| d.code))
        .collect();
    codes.sort();
    codes.dedup();
    let index: HashMap<Code, usize> = codes.iter().enumerate().map(|(i, c)| (*c, i)).collect();
    let mut results = Vec::new();
    for file in files {
        let mut seen = HashMap::new();
        for d in &file.diagnostics {
            results.push(result(d, file, index[&d.code], &mut seen));
        }
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "clearance",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": home(),
                    "rules": codes.iter().map(|c| rule(*c)).collect::<Vec<_>>(),
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// The description of one code.
fn rule(code: Code) -> Value {
    let markdown = section(DOC, code.as_str()).unwrap_or("").trim();
    let text = plain(markdown);
    let first_paragraph = text
        .split("\n\n")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let short = first_sentence(&first_paragraph);
    let level = if Code::LINTS.contains(&code) {
        "warning"
    } else {
        "error"
    };
    let mut rule = json!({
        "id": code.as_str(),
        "shortDescription": { "text": if short.is_empty() { code.as_str() } else { short } },
        "helpUri": help_uri(code),
        "defaultConfiguration": { "level": level },
    });
    if !first_paragraph.is_empty() {
        rule["fullDescription"] = json!({ "text": first_paragraph });
        rule["help"] = json!({ "text": text, "markdown": markdown });
    }
    if let Some(name) = code.lint_name() {
        rule["name"] = json!(name);
    }
    rule
}

/// Up to the first full stop that ends a sentence (not one inside `3.5` or `e.g.`).
fn first_sentence(paragraph: &str) -> &str {
    match paragraph.find(". ") {
        Some(end) => &paragraph[..end],
        None => paragraph.trim_end_matches('.'),
    }
}

/// One diagnostic as a result; `seen` counts the fingerprints given so far in the file.
fn result(
    d: &Diagnostic,
    file: &Checked,
    rule_index: usize,
    seen: &mut HashMap<u64, usize>,
) -> Value {
    let source = &file.source;
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let primary = d.span();
    let mut result = json!({
        "ruleId": d.code.as_str(),
        "ruleIndex": rule_index,
        "level": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "message": { "text": text },
        "locations": [{ "physicalLocation": physical(source, file.readable.then_some(primary)) }],
    });
    if !file.readable {
        return result;
    }
    let hash = fingerprint(d.code, &source.name, line_text(&source.text, primary.start));
    let n = seen.entry(hash).or_insert(0);
    *n += 1;
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("clearance/v1", format!("{hash:016x}:{n}"));
    result["partialFingerprints"] = json!(fingerprints);
    let related: Vec<Value> = d
        .labels
        .iter()
        .filter(|l| !l.primary)
        .enumerate()
        .map(|(i, l)| related(source, i, l))
        .collect();
    if !related.is_empty() {
        result["relatedLocations"] = json!(related);
    }
    result
}

fn related(source: &SourceFile, id: usize, label: &Label) -> Value {
    let mut location = json!({
        "id": id,
        "physicalLocation": physical(source, Some(label.span)),
    });
    if !label.text.is_empty() {
        location["message"] = json!({ "text": label.text });
    }
    location
}

/// The file, and the region of `span` in it when there is one.
fn physical(source: &SourceFile, span: Option<Span>) -> Value {
    let mut location = json!({ "artifactLocation": { "uri": uri(&source.name) } });
    if let Some(span) = span {
        let (start_line, start_column) = line_col(&source.text, span.start);
        let (end_line, end_column) = line_col(&source.text, span.end.max(span.start));
        location["region"] = json!({
            "startLine": start_line,
            "startColumn": start_column,
            "endLine": end_line,
            "endColumn": end_column,
        });
    }
    location
}

/// A path as a relative URI reference: `/` between parts, and reserved characters
/// percent-encoded.
fn uri(path: &str) -> String {
    let path = path.strip_prefix("./").unwrap_or(path).replace('\\', "/");
    let mut out = String::new();
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The text of the line holding `offset`, without surrounding whitespace.
fn line_text(text: &str, offset: usize) -> &str {
    let offset = offset.min(text.len());
    let start = text.as_bytes()[..offset]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let end = text.as_bytes()[offset..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(text.len(), |i| offset + i);
    text.get(start..end).unwrap_or("").trim()
}

/// FNV-1a (64 bits) of the code, the file and the line's text: the same in every build
/// and on every machine, unlike the standard library's hasher.
fn fingerprint(code: Code, file: &str, line: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [code.as_str(), file, line] {
        for b in part.bytes().chain([0]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_uri_is_the_anchor_of_the_code() {
        assert!(help_uri(Code::Mismatch).ends_with("/docs/diagnostics.md#clearancetypemismatch"));
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("./rules/a b.policy"), "rules/a%20b.policy");
        assert_eq!(uri("dir\\x#1.policy"), "dir/x%231.policy");
        assert_eq!(uri("café.policy"), "caf%C3%A9.policy");
    }

    #[test]
    fn a_fingerprint_depends_on_the_code_file_and_line_text_only() {
        let a = fingerprint(Code::Mismatch, "a.policy", "rule x:");
        assert_eq!(a, fingerprint(Code::Mismatch, "a.policy", "rule x:"));
        assert_ne!(a, fingerprint(Code::NotBool, "a.policy", "rule x:"));
        assert_ne!(a, fingerprint(Code::Mismatch, "b.policy", "rule x:"));
        assert_ne!(a, fingerprint(Code::Mismatch, "a.policy", "rule y:"));
        assert_eq!(line_text("a\n  rule x:  \nb", 5), "rule x:");
        assert_eq!(line_text("abc", 10), "abc");
    }

    #[test]
    fn a_short_description_is_the_first_sentence() {
        assert_eq!(first_sentence("A thing. Then more."), "A thing");
        assert_eq!(
            first_sentence("Values like 3.5 are decimals."),
            "Values like 3.5 are decimals"
        );
    }
}
