//! `clearance lsp` driven by a real client over stdio (tests/lsp/client.rs): the
//! handshake, diagnostics, positions on non-ASCII lines, hover, definition and
//! references, completion, formatting, symbols, quick fixes, the run-test lens, and a
//! session of 1,000 edits.
#![cfg(feature = "lsp")]

#[path = "lsp/client.rs"]
mod client;

use client::{uri, Client};
use lsp_types::notification::{DidChangeTextDocument, ShowMessage};
use lsp_types::request::{
    CodeActionRequest, CodeLensRequest, Completion, DocumentSymbolRequest, ExecuteCommand,
    Formatting, GotoDefinition, HoverRequest, References,
};
use lsp_types::*;

const POLICY: &str = r#"policy "quota" default allow

schema {
  id: text
  firm: text
  action: import | export
  item: H200 | H20
  tier: tier1 | tier2 | tier3
  units: int
  domestic_quota: percent
  note: text?
}

let min_quota = 20%

rule quota:
  require domestic_quota >= min_quota before import H20
  because "{firm} has {domestic_quota}"

rule no_export:
  deny export

rule big_order:
  warn import when units > 50_000 and len(firm) > 0 and tier != tier3
  because "a large order"

test "enough" {
  given { id: "A", firm: "Alpha", action: import, item: H20, tier: tier1, units: 1,
          domestic_quota: 25% }
  expect allow
}

test "exports" {
  given { id: "B", firm: "Beta", action: export, item: H200, tier: tier2, units: 1,
          domestic_quota: 0% }
  expect deny by no_export
}
"#;

/// The position of the `nth` (from 0) occurrence of `needle`, plus `delta` bytes,
/// counted in UTF-16 code units as the protocol does.
fn pos(text: &str, needle: &str, nth: usize, delta: usize) -> Position {
    let at = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` #{nth} in the text"))
        .0
        + delta;
    position_of(text, at)
}

fn position_of(text: &str, at: usize) -> Position {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..at].matches('\n').count() as u32;
    Position::new(line, text[line_start..at].encode_utf16().count() as u32)
}

fn doc(u: &Uri) -> TextDocumentIdentifier {
    TextDocumentIdentifier::new(u.clone())
}

fn at(u: &Uri, position: Position) -> TextDocumentPositionParams {
    TextDocumentPositionParams::new(doc(u), position)
}

fn hover_text(client: &mut Client, u: &Uri, position: Position) -> String {
    let hover = client.request::<HoverRequest>(HoverParams {
        text_document_position_params: at(u, position),
        work_done_progress_params: Default::default(),
    });
    match hover.map(|h| h.contents) {
        Some(HoverContents::Markup(m)) => m.value,
        other => panic!("no hover at {position:?}: {other:?}"),
    }
}

fn labels(client: &mut Client, u: &Uri, position: Position) -> Vec<String> {
    let response = client.request::<Completion>(CompletionParams {
        text_document_position: at(u, position),
        work_done_progress_params: Default::default(),
        partial_result_params: Default::default(),
        context: None,
    });
    match response {
        Some(CompletionResponse::Array(items)) => items.into_iter().map(|i| i.label).collect(),
        other => panic!("no completion list: {other:?}"),
    }
}

fn change(client: &mut Client, u: &Uri, version: i32, text: &str) {
    client.notify::<DidChangeTextDocument>(DidChangeTextDocumentParams {
        text_document: VersionedTextDocumentIdentifier::new(u.clone(), version),
        content_changes: vec![TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: text.to_string(),
        }],
    });
}

fn code(d: &Diagnostic) -> &str {
    match &d.code {
        Some(NumberOrString::String(s)) => s,
        other => panic!("a diagnostic without a code: {other:?}"),
    }
}

/// Applies text edits (given in UTF-16 positions) to `text`.
fn apply(text: &str, edits: &[TextEdit]) -> String {
    let offset = |p: Position| {
        let line_start: usize = text
            .split_inclusive('\n')
            .take(p.line as usize)
            .map(str::len)
            .sum();
        let line = &text[line_start..];
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= p.character as usize || c == '\n' {
                return line_start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse((e.range.start.line, e.range.start.character)));
    let mut out = text.to_string();
    for e in edits {
        out.replace_range(offset(e.range.start)..offset(e.range.end), &e.new_text);
    }
    out
}

#[test]
fn initialize_shutdown_and_exit() {
    let (client, result) = Client::initialized(&[]);
    let caps = result.capabilities;
    assert_eq!(caps.position_encoding, Some(PositionEncodingKind::UTF16));
    assert!(caps.hover_provider.is_some());
    assert!(caps.completion_provider.is_some());
    assert!(caps.document_formatting_provider.is_some());
    assert_eq!(
        result.server_info.map(|s| s.name).as_deref(),
        Some("clearance")
    );
    assert!(client.shutdown().success());

    // `--stdio`, as some clients pass it, is accepted.
    let mut client = Client::start(&["--stdio"]);
    client.initialize(&[]);
    assert!(client.shutdown().success());

    // `exit` without `shutdown` ends the server with 1, as the protocol says.
    let (mut client, _) = Client::initialized(&[]);
    client.notify::<lsp_types::notification::Exit>(());
    assert_eq!(client.wait().code(), Some(1));
}

#[test]
fn utf8_positions_when_the_client_offers_them() {
    let offered = [PositionEncodingKind::UTF8, PositionEncodingKind::UTF16];
    let (mut client, result) = Client::initialized(&offered);
    assert_eq!(
        result.capabilities.position_encoding,
        Some(PositionEncodingKind::UTF8)
    );
    let text = POLICY.replace(
        "deny export\n",
        "deny export when note ?? \"\u{e9}\u{1F680}\" == \"\" and unit > 1\n",
    );
    let u = uri("utf8.policy");
    let published = client.open(&u, &text);
    let d = &published.diagnostics[0];
    assert_eq!(code(d), "clearance::name::unknown_field");
    let at = text.find("unit > 1").unwrap();
    let line_start = text[..at].rfind('\n').unwrap() + 1;
    // Bytes, not UTF-16 units: the emoji counts 4 and `é` 2.
    assert_eq!(d.range.start.character as usize, at - line_start);
    assert!(client.shutdown().success());
}

/// The diagnostics of `check --format json` on `text`: (code, message, line, column)
/// with 0-based lines and columns.
fn check_json(text: &str) -> Vec<(String, String, u32, u32)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.policy");
    std::fs::write(&path, text).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_clearance"))
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap() as u32 - 1,
                d["column"].as_u64().unwrap() as u32 - 1,
            )
        })
        .collect()
}

#[test]
fn a_bad_file_gets_the_diagnostics_of_check() {
    let (mut client, _) = Client::initialized(&[]);
    let texts = [
        // A type error with a suggestion, and a test naming an unknown rule.
        POLICY
            .replace("units > 50_000", "unit > 50_000")
            .replace("by no_export", "by no_exports"),
        // A syntax error.
        POLICY.replace("deny export\n", "deny export when tier = tier1\n"),
        // A valid policy with a lint warning.
        POLICY.replace("\n  because \"a large order\"", ""),
    ];
    for (i, text) in texts.iter().enumerate() {
        let u = uri(&format!("bad{i}.policy"));
        let published = client.open(&u, text);
        let got: Vec<(String, String, u32, u32)> = published
            .diagnostics
            .iter()
            .map(|d| {
                let c = code(d).to_string();
                (
                    c,
                    d.message.clone(),
                    d.range.start.line,
                    d.range.start.character,
                )
            })
            .collect();
        assert_eq!(got, check_json(text), "text {i}");
        assert!(published
            .diagnostics
            .iter()
            .all(|d| d.source.as_deref() == Some("clearance")));
    }

    // The first one in detail: the range of `unit`, the help and the labels.
    let text = &texts[0];
    let published = client.open(&uri("detail.policy"), text);
    let d = &published.diagnostics[0];
    assert_eq!(code(d), "clearance::name::unknown_field");
    assert_eq!(d.severity, Some(DiagnosticSeverity::ERROR));
    let start = pos(text, "unit > 50_000", 0, 0);
    assert_eq!(
        d.range,
        Range::new(start, Position::new(start.line, start.character + 4))
    );
    let related: Vec<&str> = d
        .related_information
        .iter()
        .flatten()
        .map(|r| r.message.as_str())
        .collect();
    assert!(
        related.contains(&"help: did you mean `units`?"),
        "{related:?}"
    );
    let warning = &client.open(&uri("lint.policy"), &texts[2]).diagnostics[0];
    assert_eq!(code(warning), "clearance::lint::warn_without_because");
    assert_eq!(warning.severity, Some(DiagnosticSeverity::WARNING));
    assert!(client.shutdown().success());
}

#[test]
fn utf16_columns_on_lines_with_non_ascii_text_and_emoji() {
    let (mut client, _) = Client::initialized(&[]);
    let text = POLICY.replace(
        "rule no_export:\n  deny export\n",
        "# Zölle für 🚀 und 关税 🇨🇳\nrule no_export:\n  deny export when note ?? \"Zoll 🚀🚀 ü\" == \"\" and unit > 1 # 😀\n",
    );
    let u = uri("emoji.policy");
    let published = client.open(&u, &text);
    let d = &published.diagnostics[0];
    assert_eq!(code(d), "clearance::name::unknown_field");
    let start = pos(&text, "unit > 1", 0, 0);
    // The expected column, counted independently: bytes would be much more.
    let line = text.lines().nth(start.line as usize).unwrap();
    let prefix = &line[..line.find("unit > 1").unwrap()];
    assert_eq!(start.character as usize, prefix.encode_utf16().count());
    assert_ne!(start.character as usize, prefix.len());
    assert_eq!(d.range.start, start);
    assert_eq!(d.range.end, Position::new(start.line, start.character + 4));

    // Positions from the client are read in UTF-16 too: hover on `note` after the emoji.
    let fixed = text.replace("unit > 1", "units > 1");
    change(&mut client, &u, 2, &fixed);
    assert!(client.diagnostics(&u, Some(2)).diagnostics.is_empty());
    let hover = hover_text(&mut client, &u, pos(&fixed, "units > 1", 0, 2));
    assert!(hover.contains("units: int"), "{hover}");
    assert!(client.shutdown().success());
}

#[test]
fn hover_on_names_functions_and_keywords() {
    let (mut client, _) = Client::initialized(&[]);
    let u = uri("hover.policy");
    assert!(client.open(&u, POLICY).diagnostics.is_empty());
    let mut hover =
        |needle: &str, nth: usize| hover_text(&mut client, &u, pos(POLICY, needle, nth, 1));

    let units = hover("units > 50_000", 0);
    assert!(
        units.contains("units: int") && units.contains("required"),
        "{units}"
    );
    let note = hover("note: text?", 0);
    assert!(
        note.contains("note: text?") && note.contains("optional"),
        "{note}"
    );
    let quota = hover("min_quota before", 0);
    assert!(quota.contains("let min_quota = 20%"), "{quota}");
    assert!(
        quota.contains("`percent`") && quota.contains("value `20%`"),
        "{quota}"
    );
    let rule = hover("quota:\n  require", 0);
    assert!(rule.contains("rule `quota`"), "{rule}");
    assert!(rule.contains("deny (a `require`"), "{rule}");
    assert!(rule.contains("scope: `import H20`"), "{rule}");
    assert!(
        rule.contains("because: `\"{firm} has {domestic_quota}\"`"),
        "{rule}"
    );
    let by = hover("no_export\n}", 0);
    assert!(
        by.contains("rule `no_export`") && by.contains("verdict: deny"),
        "{by}"
    );
    assert!(by.contains("scope: `export`"), "{by}");
    let value = hover("H20\n  because", 0);
    assert!(
        value.contains("a value of the enum of field `item`: `H200 | H20`"),
        "{value}"
    );
    let tier = hover("tier3\n  because", 0);
    assert!(tier.contains("field `tier`"), "{tier}");
    let len = hover("len(", 0);
    assert!(len.contains("len(text | list) -> int"), "{len}");
    let require = hover("require", 0);
    assert!(
        require.starts_with("`require` — denies the records in scope"),
        "{require}"
    );
    let when = hover("when", 0);
    assert!(when.contains("the condition under which"), "{when}");

    // Nothing in a comment or a string, or on blank space.
    let text = "# rule\n".to_string() + POLICY;
    change(&mut client, &u, 2, &text);
    client.diagnostics(&u, Some(2));
    for p in [
        Position::new(0, 3),
        pos(&text, "Alpha", 0, 1),
        Position::new(2, 0),
    ] {
        let h = client.request::<HoverRequest>(HoverParams {
            text_document_position_params: at(&u, p),
            work_done_progress_params: Default::default(),
        });
        assert!(h.is_none(), "hover at {p:?}: {h:?}");
    }
    assert!(client.shutdown().success());
}

#[test]
fn definition_and_references() {
    let (mut client, _) = Client::initialized(&[]);
    let u = uri("refs.policy");
    client.open(&u, POLICY);
    let mut definition = |needle: &str, nth: usize| {
        let response = client.request::<GotoDefinition>(GotoDefinitionParams {
            text_document_position_params: at(&u, pos(POLICY, needle, nth, 1)),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        });
        match response {
            Some(GotoDefinitionResponse::Scalar(l)) => l.range.start,
            other => panic!("no definition of `{needle}`: {other:?}"),
        }
    };
    assert_eq!(
        definition("min_quota before", 0),
        pos(POLICY, "min_quota = ", 0, 0)
    );
    assert_eq!(
        definition("no_export\n}", 0),
        pos(POLICY, "no_export:", 0, 0)
    );
    assert_eq!(definition("units > ", 0), pos(POLICY, "units: int", 0, 0));
    assert_eq!(definition("H20\n  because", 0), pos(POLICY, "H20\n", 0, 0));
    assert_eq!(definition("tier1, units", 0), pos(POLICY, "tier1 |", 0, 0));
    assert_eq!(definition("import,", 0), pos(POLICY, "import |", 0, 0));

    let mut references = |needle: &str, nth: usize, with_declaration: bool| {
        let found = client.request::<References>(ReferenceParams {
            text_document_position: at(&u, pos(POLICY, needle, nth, 1)),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
            context: ReferenceContext {
                include_declaration: with_declaration,
            },
        });
        let mut starts: Vec<Position> = found.unwrap().iter().map(|l| l.range.start).collect();
        starts.sort();
        starts
    };
    assert_eq!(
        references("no_export:", 0, true),
        [
            pos(POLICY, "no_export", 0, 0),
            pos(POLICY, "no_export", 1, 0)
        ]
    );
    assert_eq!(
        references("no_export:", 0, false),
        [pos(POLICY, "no_export", 1, 0)]
    );
    // `import`: its declaration, two scopes and a test record.
    let imports: Vec<Position> = (0..4).map(|n| pos(POLICY, "import", n, 0)).collect();
    assert_eq!(references("import |", 0, true), imports);
    // `units`: the schema, a condition and the two test records.
    let units: Vec<Position> = (0..4).map(|n| pos(POLICY, "units", n, 0)).collect();
    assert_eq!(references("units: 1", 1, true), units);
    assert!(client.shutdown().success());
}

#[test]
fn completion_fits_the_context() {
    let (mut client, _) = Client::initialized(&[]);
    let u = uri("complete.policy");
    client.open(&u, POLICY);
    let mut version = 1;
    let mut complete_at_end = |client: &mut Client, added: &str| {
        let text = format!("{POLICY}{added}");
        version += 1;
        change(client, &u, version, &text);
        client.diagnostics(&u, Some(version));
        labels(client, &u, position_of(&text, text.len()))
    };
    // After `tier == `: the values of `tier`, and only them.
    let got = complete_at_end(&mut client, "\nrule t:\n  deny when tier == ");
    assert_eq!(got, ["tier1", "tier2", "tier3"]);
    let got = complete_at_end(&mut client, "\nrule t:\n  deny when tier in [tier1, ");
    assert_eq!(got, ["tier1", "tier2", "tier3"]);
    // After `by` in a test: the rules.
    let test = "\ntest \"t\" {\n  given { id: \"C\", firm: \"C\", action: import, item: H20, tier: tier1, units: 1, domestic_quota: 1% }\n  expect deny by ";
    let got = complete_at_end(&mut client, test);
    assert_eq!(got, ["quota", "no_export", "big_order"]);
    // At the start of a clause: the clause keywords.
    let got = complete_at_end(&mut client, "\nrule t:\n  ");
    for k in ["require", "deny", "waitlist", "allow", "warn", "limit"] {
        assert!(got.contains(&k.to_string()), "{got:?}");
    }
    assert!(!got.contains(&"units".to_string()), "{got:?}");
    // In a condition: fields, constants, functions and the words that start an operand.
    let got = complete_at_end(&mut client, "\nrule t:\n  deny when ");
    for k in ["units", "note", "min_quota", "len", "round", "has", "not"] {
        assert!(got.contains(&k.to_string()), "{k} in {got:?}");
    }
    // After a verdict: the actions, `when` and `because`; after the action, the items.
    let got = complete_at_end(&mut client, "\nrule t:\n  deny ");
    assert_eq!(got, ["import", "export", "when", "because"]);
    let got = complete_at_end(&mut client, "\nrule t:\n  deny import ");
    assert_eq!(got, ["H200", "H20", "when", "because"]);
    // After `has`: the optional fields.
    let got = complete_at_end(&mut client, "\nrule t:\n  deny when has ");
    assert_eq!(got, ["note"]);
    // In a test record: the fields not given yet, then an enum field's values.
    let got = complete_at_end(
        &mut client,
        "\ntest \"t\" {\n  given { id: \"C\", tier: tier1, ",
    );
    assert!(got.contains(&"units".to_string()) && !got.contains(&"tier".to_string()));
    let got = complete_at_end(&mut client, "\ntest \"t\" {\n  given { id: \"C\", item: ");
    assert!(
        got.starts_with(&["H200".to_string(), "H20".to_string()]),
        "{got:?}"
    );
    // Inside `{…}` of a `because`: an expression.
    let got = complete_at_end(&mut client, "\nrule t:\n  deny\n  because \"{");
    assert!(got.contains(&"firm".to_string()), "{got:?}");
    // Functions come with their signature.
    let text = format!("{POLICY}\nrule t:\n  deny when ");
    change(&mut client, &u, 100, &text);
    client.diagnostics(&u, Some(100));
    let response = client.request::<Completion>(CompletionParams {
        text_document_position: at(&u, position_of(&text, text.len())),
        work_done_progress_params: Default::default(),
        partial_result_params: Default::default(),
        context: None,
    });
    let Some(CompletionResponse::Array(items)) = response else {
        panic!("no list")
    };
    let round = items.iter().find(|i| i.label == "round").unwrap();
    assert_eq!(round.kind, Some(CompletionItemKind::FUNCTION));
    assert_eq!(
        round.detail.as_deref(),
        Some("round(decimal, int) -> decimal")
    );
    // Nothing in a comment.
    let got = complete_at_end(&mut client, "\n# deny when tier == ");
    assert!(got.is_empty(), "{got:?}");
    assert!(client.shutdown().success());
}

#[path = "lsp/edits.rs"]
mod edits;
#[path = "lsp/session.rs"]
mod session;
