//! Requests that edit or outline the text: formatting, document symbols, quick fixes,
//! and the run-test lens.

use super::*;

#[test]
fn formatting_gives_the_fmt_layout_and_nothing_for_a_broken_file() {
    let (mut client, _) = Client::initialized(&[]);
    let u = uri("fmt.policy");
    let messy = POLICY
        .replace(
            "rule no_export:\n  deny export",
            "rule   no_export :   deny    export",
        )
        .replace("let min_quota = 20%", "let  min_quota=20%");
    client.open(&u, &messy);
    let format = |client: &mut Client| {
        client.request::<Formatting>(DocumentFormattingParams {
            text_document: doc(&u),
            options: FormattingOptions {
                tab_size: 2,
                insert_spaces: true,
                ..Default::default()
            },
            work_done_progress_params: Default::default(),
        })
    };
    let edits = format(&mut client).expect("edits");
    let expected = clearance::fmt::format_source(&messy).unwrap();
    assert_eq!(apply(&messy, &edits), expected);
    assert_eq!(expected, POLICY);

    // Already formatted: no edit.
    change(&mut client, &u, 2, &expected);
    client.diagnostics(&u, Some(2));
    assert_eq!(format(&mut client), Some(vec![]));
    // A file that does not parse is not formatted.
    change(
        &mut client,
        &u,
        3,
        &messy.replace("deny    export", "deny export when"),
    );
    client.diagnostics(&u, Some(3));
    assert_eq!(format(&mut client), None);
    assert!(client.shutdown().success());
}

#[test]
fn document_symbols_outline_the_policy() {
    let (mut client, _) = Client::initialized(&[]);
    let u = uri("symbols.policy");
    client.open(&u, POLICY);
    let response = client.request::<DocumentSymbolRequest>(DocumentSymbolParams {
        text_document: doc(&u),
        work_done_progress_params: Default::default(),
        partial_result_params: Default::default(),
    });
    let Some(DocumentSymbolResponse::Nested(symbols)) = response else {
        panic!("no outline")
    };
    let outline: Vec<(&str, SymbolKind)> =
        symbols.iter().map(|s| (s.name.as_str(), s.kind)).collect();
    assert_eq!(
        outline,
        [
            ("schema", SymbolKind::STRUCT),
            ("min_quota", SymbolKind::CONSTANT),
            ("quota", SymbolKind::FUNCTION),
            ("no_export", SymbolKind::FUNCTION),
            ("big_order", SymbolKind::FUNCTION),
            ("enough", SymbolKind::METHOD),
            ("exports", SymbolKind::METHOD),
        ]
    );
    let fields: Vec<&str> = symbols[0]
        .children
        .iter()
        .flatten()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(
        fields,
        [
            "id",
            "firm",
            "action",
            "item",
            "tier",
            "units",
            "domestic_quota",
            "note"
        ]
    );
    assert_eq!(symbols[2].detail.as_deref(), Some("deny, import H20"));
    assert_eq!(
        symbols[6].detail.as_deref(),
        Some("expect deny by no_export")
    );
    for s in &symbols {
        let r = s.range;
        let sel = s.selection_range;
        assert!(r.start <= sel.start && sel.end <= r.end, "{s:?}");
    }
    assert_eq!(
        symbols[3].selection_range.start,
        pos(POLICY, "no_export:", 0, 0)
    );
    assert!(client.shutdown().success());
}

/// The quick fixes for the diagnostics of `text`, each applied to it.
fn fixes(client: &mut Client, u: &Uri, version: i32, text: &str) -> Vec<(String, String)> {
    change(client, u, version, text);
    let published = client.diagnostics(u, Some(version));
    assert!(!published.diagnostics.is_empty());
    let mut out = Vec::new();
    for d in &published.diagnostics {
        let actions = client.request::<CodeActionRequest>(CodeActionParams {
            text_document: doc(u),
            range: d.range,
            context: CodeActionContext {
                diagnostics: vec![d.clone()],
                only: None,
                trigger_kind: None,
            },
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        });
        for action in actions.into_iter().flatten() {
            let CodeActionOrCommand::CodeAction(a) = action else {
                panic!("a command")
            };
            assert_eq!(a.kind, Some(CodeActionKind::QUICKFIX));
            let edits = a.edit.and_then(|e| e.changes?.remove(u)).expect("edits");
            out.push((a.title, apply(text, &edits)));
        }
    }
    out
}

#[test]
fn quick_fixes_for_diagnostics_with_a_likely_fix() {
    let (mut client, _) = Client::initialized(&[]);
    let u = uri("fix.policy");
    client.open(&u, POLICY);
    let cases = [
        (
            "units > 50_000",
            "unit > 50_000",
            "replace `unit` with `units`",
        ),
        (
            "by no_export",
            "by no_exprt",
            "replace `no_exprt` with `no_export`",
        ),
        (
            "domestic_quota >= min_quota",
            "domestic_quota >= 30",
            "write `30%`",
        ),
        (
            "domestic_quota >= min_quota",
            "domestic_quota >= (30_000)",
            "write `30000%`",
        ),
        ("tier != tier3", "tier = tier3", "replace `=` with `==`"),
        ("\n  because \"a large order\"", "", "add a `because`"),
        (
            "rule no_export:",
            "rule no_export",
            "add `:` after the rule name",
        ),
    ];
    for (version, (from, to, title)) in cases.iter().enumerate() {
        let broken = POLICY.replace(from, to);
        let got = fixes(&mut client, &u, version as i32 + 2, &broken);
        let (_, fixed) = got
            .iter()
            .find(|(t, _)| t == title)
            .unwrap_or_else(|| panic!("no `{title}` in {got:?}"));
        let expected = match *title {
            "add a `because`" => POLICY.replace(from, "\n  because \"say why this matters\""),
            "write `30000%`" => POLICY.replace(from, "domestic_quota >= (30_000%)"),
            "write `30%`" => POLICY.replace(from, "domestic_quota >= 30%"),
            "replace `=` with `==`" => POLICY.replace(from, "tier == tier3"),
            _ => POLICY.to_string(),
        };
        assert_eq!(fixed, &expected, "{title}");
        assert!(clearance::compile(fixed).is_ok(), "{title}: {fixed}");
    }
    assert!(client.shutdown().success());
}

#[test]
fn run_a_test_from_its_code_lens() {
    let (mut client, _) = Client::initialized(&[]);
    let u = uri("lens.policy");
    client.open(&u, POLICY);
    let lenses = client
        .request::<CodeLensRequest>(CodeLensParams {
            text_document: doc(&u),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap();
    assert_eq!(lenses.len(), 2);
    assert_eq!(lenses[1].range.start, pos(POLICY, "\"exports\"", 0, 0));
    let run = |client: &mut Client, lens: &CodeLens| {
        let command = lens.command.clone().unwrap();
        client.request::<ExecuteCommand>(ExecuteCommandParams {
            command: command.command,
            arguments: command.arguments.unwrap(),
            work_done_progress_params: Default::default(),
        });
        client.notification::<ShowMessage>(|_| true)
    };
    let shown = run(&mut client, &lenses[1]);
    assert_eq!(shown.message, "test \"exports\" passed");
    assert_eq!(shown.typ, MessageType::INFO);

    let failing = POLICY.replace("expect deny by no_export", "expect allow");
    change(&mut client, &u, 2, &failing);
    client.diagnostics(&u, Some(2));
    let shown = run(&mut client, &lenses[1]);
    assert_eq!(shown.typ, MessageType::ERROR);
    assert!(
        shown
            .message
            .starts_with("test \"exports\" failed: record 1: expected allow, got deny"),
        "{}",
        shown.message
    );
    assert!(client.shutdown().success());
}
