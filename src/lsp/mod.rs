//! `clearance lsp`: a language server for `.policy` files over stdin/stdout
//! (docs/editors.md). The protocol is `lsp-server` (framing, the initialize and
//! shutdown handshakes) and `lsp-types`; this module is the loop and the features:
//!
//! | file | what |
//! |---|---|
//! | `analysis.rs` | one document: diagnostics as `check` gives them, a syntax tree even when some items do not parse |
//! | `position.rs` | byte offsets ↔ LSP positions, UTF-16 or UTF-8 |
//! | `index.rs` | every name and what it refers to |
//! | `diagnostics.rs`, `hover.rs`, `definition.rs`, `completion.rs`, `actions.rs`, `symbols.rs`, `lens.rs` | the features |
//!
//! Documents are synchronised whole (a client may also send ranges). Every request is
//! answered from the latest analysis; a handler that panicked answers with an error
//! and the server goes on.

mod actions;
mod analysis;
mod completion;
mod definition;
mod diagnostics;
mod handlers;
mod hover;
mod index;
mod lens;
mod lex;
mod position;
mod symbols;
mod words;

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CodeLensOptions,
    CompletionOptions, ExecuteCommandOptions, HoverProviderCapability, InitializeParams, OneOf,
    PositionEncodingKind, PublishDiagnosticsParams, ServerCapabilities,
    TextDocumentContentChangeEvent, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};

use crate::ast::Policy;
use analysis::Analysis;
pub use position::Encoding;

/// Runs the server on standard input and output until the client says `exit`.
/// `Ok(true)` when it asked for `shutdown` first (exit code 0), `Ok(false)` when not.
pub fn run_stdio() -> Result<bool, String> {
    let (connection, io_threads) = Connection::stdio();
    let result = serve(&connection);
    drop(connection);
    if result.is_ok() {
        io_threads.join().map_err(|e| e.to_string())?;
    }
    result
}

/// Runs the server on `connection`: the initialize handshake, then every message.
pub fn serve(connection: &Connection) -> Result<bool, String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let encoding = negotiate(&params);
    let result = serde_json::json!({
        "capabilities": capabilities(encoding),
        "serverInfo": { "name": "clearance", "version": env!("CARGO_PKG_VERSION") },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let mut server = Server {
        connection,
        encoding,
        documents: Documents::default(),
    };
    server.main_loop()
}

/// UTF-8 when the client offers it, else the protocol's UTF-16.
fn negotiate(params: &InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some([" ", ":", "[", ",", "{", "("].map(String::from).to_vec()),
            ..CompletionOptions::default()
        }),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![lens::RUN_TEST.to_string()],
            ..ExecuteCommandOptions::default()
        }),
        ..ServerCapabilities::default()
    }
}

/// One open document.
struct Document {
    version: i32,
    analysis: Analysis,
    /// The last syntax tree of the document while its schema does not parse: names for
    /// completion.
    stale: Option<Policy>,
}

/// The open documents by URI (its text: `Uri` caches parts of itself in cells, which
/// makes it a poor map key).
#[derive(Default)]
struct Documents(HashMap<String, Document>);

impl Documents {
    fn get(&self, uri: &Uri) -> Option<&Document> {
        self.0.get(uri.as_str())
    }

    fn remove(&mut self, uri: &Uri) -> Option<Document> {
        self.0.remove(uri.as_str())
    }

    fn insert(&mut self, uri: &Uri, doc: Document) {
        self.0.insert(uri.as_str().to_string(), doc);
    }
}

struct Server<'c> {
    connection: &'c Connection,
    encoding: Encoding,
    documents: Documents,
}

impl Server<'_> {
    fn main_loop(&mut self) -> Result<bool, String> {
        while let Ok(message) = self.connection.receiver.recv() {
            match message {
                Message::Request(req) => {
                    if self
                        .connection
                        .handle_shutdown(&req)
                        .map_err(|e| e.to_string())?
                    {
                        return Ok(true);
                    }
                    let id = req.id.clone();
                    let response = catch_unwind(AssertUnwindSafe(|| self.request(req)))
                        .unwrap_or_else(|_| {
                            Response::new_err(
                                id,
                                ErrorCode::InternalError as i32,
                                "internal error in the clearance language server".into(),
                            )
                        });
                    self.send(response.into());
                }
                Message::Notification(n) if n.method == "exit" => return Ok(false),
                Message::Notification(n) => {
                    // A notification that panicked has nothing to answer.
                    let _ = catch_unwind(AssertUnwindSafe(|| self.notification(n)));
                }
                Message::Response(_) => {}
            }
        }
        Ok(false)
    }

    fn send(&self, message: Message) {
        // The client has gone: the loop ends when its input does.
        let _ = self.connection.sender.send(message);
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_string(), params).into());
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    n.extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                {
                    let doc = p.text_document;
                    self.update(doc.uri, doc.version, doc.text);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = n.extract::<lsp_types::DidChangeTextDocumentParams>(
                    DidChangeTextDocument::METHOD,
                ) {
                    let uri = p.text_document.uri;
                    let Some(doc) = self.documents.get(&uri) else {
                        return;
                    };
                    let text = apply_changes(&doc.analysis, p.content_changes);
                    self.update(uri, p.text_document.version, text);
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Ok(p) =
                    n.extract::<lsp_types::DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
                {
                    let uri = p.text_document.uri;
                    let text = match (p.text, self.documents.get(&uri)) {
                        (Some(text), _) => text,
                        (None, Some(doc)) => doc.analysis.text.clone(),
                        (None, None) => return,
                    };
                    let version = self.documents.get(&uri).map_or(0, |d| d.version);
                    self.update(uri, version, text);
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    n.extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                {
                    let uri = p.text_document.uri;
                    self.documents.remove(&uri);
                    self.notify::<PublishDiagnostics>(PublishDiagnosticsParams::new(
                        uri,
                        Vec::new(),
                        None,
                    ));
                }
            }
            _ => {}
        }
    }

    /// Analyses a document's new text and publishes its diagnostics.
    fn update(&mut self, uri: Uri, version: i32, text: String) {
        let analysis = Analysis::new(text, self.encoding);
        let stale = match (&analysis.policy, self.documents.remove(&uri)) {
            (None, Some(old)) => old.analysis.policy.or(old.stale),
            _ => None,
        };
        let diagnostics = diagnostics::all(&analysis, &uri);
        self.documents.insert(
            &uri,
            Document {
                version,
                analysis,
                stale,
            },
        );
        self.notify::<PublishDiagnostics>(PublishDiagnosticsParams::new(
            uri,
            diagnostics,
            Some(version),
        ));
    }

    fn request(&mut self, req: Request) -> Response {
        handlers::dispatch(self, req)
    }
}

/// The text after a `didChange`: whole texts replace it, ranges edit it in order.
fn apply_changes(old: &Analysis, changes: Vec<TextDocumentContentChangeEvent>) -> String {
    let mut text = old.text.clone();
    for change in changes {
        match change.range {
            None => text = change.text,
            Some(range) => {
                let lines = position::LineIndex::new(&text, old.lines.encoding());
                let span = lines.span(&text, range);
                text.replace_range(span.start..span.end, &change.text);
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every feature at many places of every prefix of the bundled policies (a policy
    /// being typed), with non-ASCII text added: answers, never a panic.
    #[test]
    fn every_feature_on_policies_being_typed() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/policies");
        let uri: Uri = "file:///p.policy".parse().unwrap();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "policy") {
                continue;
            }
            let full = std::fs::read_to_string(&path)
                .unwrap()
                .replace("# ", "# é😀 ");
            let cuts: Vec<usize> = (0..=full.len())
                .step_by(151)
                .filter(|&i| full.is_char_boundary(i))
                .chain([full.len()])
                .collect();
            for cut in cuts {
                let a = Analysis::new(full[..cut].to_string(), Encoding::Utf16);
                for offset in (0..=cut)
                    .step_by(31)
                    .filter(|&i| a.text.is_char_boundary(i))
                {
                    hover::hover(&a, offset);
                    completion::completions(&a, None, offset);
                    definition::definition(&a, &uri, offset);
                    definition::references(&a, &uri, offset, true);
                }
                let whole = crate::span::Span::new(0, cut);
                actions::code_actions(&a, &uri, whole);
                symbols::document_symbols(&a);
                lens::code_lenses(&a, &uri);
                diagnostics::all(&a, &uri);
            }
        }
    }
}
