//! Long and hostile sessions: 1,000 edits without a crash or a leak, every request at
//! every position of broken text, bad requests; and the transcript of one session.

use super::*;

/// Resident memory of a process in kB, from /proc (Linux).
fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_thousand_edits_without_a_crash_or_a_leak() {
    let (mut client, _) = Client::initialized(&[]);
    let u = uri("session.policy");
    client.open(&u, POLICY);
    let mut rss = Vec::new();
    for edit in 1..=1000 {
        let version = edit + 1;
        // Alternately valid (a new constant) and invalid (an unfinished condition).
        let text = if edit % 2 == 0 {
            format!("{POLICY}\nlet extra_{edit} = {edit}\n")
        } else {
            format!("{POLICY}\nrule r{edit}:\n  deny when units > {edit} and tier == \n")
        };
        change(&mut client, &u, version, &text);
        let published = client.diagnostics(&u, Some(version));
        let expected = if edit % 2 == 0 {
            "clearance::lint::unused_let"
        } else {
            "clearance::syntax::unexpected"
        };
        assert_eq!(code(&published.diagnostics[0]), expected, "edit {edit}");
        if edit % 50 == 0 {
            // The server still answers requests.
            let h = hover_text(&mut client, &u, pos(&text, "units > 50_000", 0, 1));
            assert!(h.contains("units: int"));
        }
        if edit == 100 || edit == 1000 {
            if let Some(kb) = rss_kb(client.pid()) {
                rss.push(kb);
            }
        }
    }
    if let [at_100, at_1000] = rss[..] {
        println!("resident memory: {at_100} kB at edit 100, {at_1000} kB at edit 1000");
        let grown_mb = at_1000.saturating_sub(at_100) / 1024;
        assert!(
            grown_mb < 50,
            "memory grew by {grown_mb} MB from edit 100 to 1000"
        );
    }
    assert!(client.shutdown().success());
}

/// Broken texts: every request at every position gets an answer.
#[test]
fn every_request_at_every_position_of_broken_text() {
    let (mut client, _) = Client::initialized(&[]);
    let texts = [
        "",
        "policy",
        "policy \"p\"\nschema { a: x | y, 😀: int }\nrule r: deny when a == ",
        "policy \"p\"\nschema { id: text }\nrule r:\n  deny when \"unterminated 🚀\n test \"t\" { given",
        "\u{feff}policy \"é\" default deny\nschema { n: int? }\nlet x = n ?? \nrule r: warn when has\n  because \"{n ?? }}{{\"\ntest \"t\" { given [{ n: 1 }, { n: ",
        "policy \"p\"\nschema { a: [x | y]? }\nrule r:\n  limit x to 5 records per order by else\n",
    ];
    for (i, text) in texts.iter().enumerate() {
        let u = uri(&format!("broken{i}.policy"));
        client.open(&u, text);
        let lines = text.split('\n').count() as u32;
        for line in 0..=lines {
            for character in (0..60).step_by(3) {
                let p = Position::new(line, character);
                for method in [
                    "textDocument/hover",
                    "textDocument/completion",
                    "textDocument/definition",
                    "textDocument/references",
                ] {
                    let mut params = serde_json::json!({
                        "textDocument": { "uri": u.as_str() },
                        "position": p,
                    });
                    if method == "textDocument/references" {
                        params["context"] = serde_json::json!({ "includeDeclaration": true });
                    }
                    let r = client.request_raw(method, params);
                    assert!(r.is_ok(), "{method} at {p:?} of text {i}: {r:?}");
                }
                let range =
                    serde_json::json!({ "start": p, "end": { "line": line + 1, "character": 0 } });
                let r = client.request_raw(
                    "textDocument/codeAction",
                    serde_json::json!({
                        "textDocument": { "uri": u.as_str() },
                        "range": range,
                        "context": { "diagnostics": [] },
                    }),
                );
                assert!(r.is_ok(), "codeAction at {p:?}: {r:?}");
            }
        }
        for method in [
            "textDocument/documentSymbol",
            "textDocument/formatting",
            "textDocument/codeLens",
        ] {
            let params = serde_json::json!({
                "textDocument": { "uri": u.as_str() },
                "options": { "tabSize": 2, "insertSpaces": true },
            });
            let r = client.request_raw(method, params);
            assert!(r.is_ok(), "{method} on text {i}: {r:?}");
        }
    }
    assert!(client.shutdown().success());
}

#[test]
fn bad_requests_get_errors_and_unknown_documents_nothing() {
    let (mut client, _) = Client::initialized(&[]);
    let r = client.request_raw("textDocument/hover", serde_json::json!({ "nonsense": 1 }));
    assert_eq!(
        r.err().map(|e| e.code),
        Some(lsp_server::ErrorCode::InvalidParams as i32)
    );
    let r = client.request_raw("clearance/unknown", serde_json::json!({}));
    assert_eq!(
        r.err().map(|e| e.code),
        Some(lsp_server::ErrorCode::MethodNotFound as i32)
    );
    let hover = client.request::<HoverRequest>(HoverParams {
        text_document_position_params: at(&uri("never-opened.policy"), Position::new(0, 0)),
        work_done_progress_params: Default::default(),
    });
    assert!(hover.is_none());
    // A change to a document never opened, and unknown notifications, are ignored.
    change(&mut client, &uri("never-opened.policy"), 2, "policy");
    client.send(lsp_server::Notification::new("clearance/whatever".into(), ()).into());
    let u = uri("after.policy");
    assert!(client.open(&u, POLICY).diagnostics.is_empty());
    assert!(client.shutdown().success());
}

#[test]
fn the_server_ends_when_its_input_closes() {
    let (mut client, _) = Client::initialized(&[]);
    client.open(&uri("p.policy"), POLICY);
    client.close_input();
    assert_eq!(client.wait().code(), Some(1));
}

/// One session as in docs/editors.md: initialize, open a bad file, its diagnostics,
/// hover, completion and formatting. Run with `--nocapture` to see the messages.
#[test]
fn session_transcript() {
    let mut client = Client::start(&[]);
    client.transcript = Some(Vec::new());
    client.initialize(&[]);
    let text = "policy \"quota\"\n\nschema {\n  id: text\n  tier: tier1 | tier2\n  quota: percent\n}\n\nrule low:\n  deny when quota < 30 and tier == tier1\n";
    let u = uri("quota.policy");
    let published = client.open(&u, text);
    assert_eq!(
        code(&published.diagnostics[0]),
        "clearance::type::percent_with_number"
    );
    let hover = hover_text(&mut client, &u, pos(text, "quota <", 0, 1));
    assert!(hover.contains("quota: percent"));
    let fixed = text
        .replace("< 30", "< 30%")
        .replace("rule low:\n  deny", "rule  low:  deny");
    change(&mut client, &u, 2, &fixed);
    assert!(client.diagnostics(&u, Some(2)).diagnostics.is_empty());
    let completion_at = pos(&fixed, "tier1\n", 0, 0);
    let got = labels(&mut client, &u, completion_at);
    assert_eq!(got, ["tier1", "tier2"]);
    let edits = client
        .request::<Formatting>(DocumentFormattingParams {
            text_document: doc(&u),
            options: FormattingOptions {
                tab_size: 2,
                insert_spaces: true,
                ..Default::default()
            },
            work_done_progress_params: Default::default(),
        })
        .unwrap();
    assert_eq!(
        apply(&fixed, &edits),
        clearance::fmt::format_source(&fixed).unwrap()
    );
    for (from, message) in client.transcript.take().unwrap() {
        println!("{from}: {message}");
    }
    assert!(client.shutdown().success());
}

/// A param: no error for a missing value in the editor, hover with its default, and its
/// uses (in a rule and in a test's `set`) lead to its definition.
#[test]
fn params_are_hovered_and_found() {
    let mut client = Client::start(&[]);
    client.initialize(&[]);
    let text = "policy \"caps\"\n\nschema { id: text, units: int }\n\nparam cap: int = 100\nparam deadline: date\n\nrule big:\n  deny when units > cap\n\ntest \"a small cap\" {\n  set cap = 10, deadline = 2026-01-01\n  given { id: \"A\", units: 50 }\n  expect deny by big\n}\n";
    let u = uri("caps.policy");
    let published = client.open(&u, text);
    assert!(
        published.diagnostics.is_empty(),
        "{:?}",
        published.diagnostics
    );
    let hover = hover_text(&mut client, &u, pos(text, "cap\n", 0, 1));
    assert!(hover.contains("param cap: int = 100"), "{hover}");
    let hover = hover_text(&mut client, &u, pos(text, "deadline: date", 0, 1));
    assert!(hover.contains("without a default"), "{hover}");
    let hover = hover_text(&mut client, &u, pos(text, "cap = 10", 0, 1));
    assert!(
        hover.contains("param cap"),
        "a test's `set` names the param: {hover}"
    );
}
