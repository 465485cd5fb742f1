//! Requests: parameters decoded, the document found, the feature called.

use lsp_server::{ErrorCode, Request, Response};
use lsp_types::notification::ShowMessage;
use lsp_types::request::{
    CodeActionRequest, CodeLensRequest, Completion, DocumentSymbolRequest, ExecuteCommand,
    Formatting, GotoDefinition, HoverRequest, References, Request as _,
};
use lsp_types::{
    CompletionResponse, DocumentSymbolResponse, GotoDefinitionResponse, Position, Range,
    TextDocumentIdentifier, TextEdit, Uri,
};

use super::{actions, completion, definition, hover, lens, symbols, Document, Server};

pub(super) fn dispatch(server: &mut Server, req: Request) -> Response {
    match req.method.as_str() {
        HoverRequest::METHOD => respond::<HoverRequest>(server, req, |s, p| {
            let at = &p.text_document_position_params;
            let (doc, offset) = s.at(&at.text_document, at.position)?;
            hover::hover(&doc.analysis, offset)
        }),
        GotoDefinition::METHOD => respond::<GotoDefinition>(server, req, |s, p| {
            let at = &p.text_document_position_params;
            let (doc, offset) = s.at(&at.text_document, at.position)?;
            let location = definition::definition(&doc.analysis, &at.text_document.uri, offset)?;
            Some(GotoDefinitionResponse::Scalar(location))
        }),
        References::METHOD => respond::<References>(server, req, |s, p| {
            let at = &p.text_document_position;
            let (doc, offset) = s.at(&at.text_document, at.position)?;
            let uri = &at.text_document.uri;
            let with_declaration = p.context.include_declaration;
            definition::references(&doc.analysis, uri, offset, with_declaration)
        }),
        Completion::METHOD => respond::<Completion>(server, req, |s, p| {
            let at = &p.text_document_position;
            let (doc, offset) = s.at(&at.text_document, at.position)?;
            let items = completion::completions(&doc.analysis, doc.stale.as_ref(), offset);
            Some(CompletionResponse::Array(items))
        }),
        Formatting::METHOD => respond::<Formatting>(server, req, |s, p| {
            let doc = s.documents.get(&p.text_document.uri)?;
            formatting(doc)
        }),
        DocumentSymbolRequest::METHOD => respond::<DocumentSymbolRequest>(server, req, |s, p| {
            let doc = s.documents.get(&p.text_document.uri)?;
            Some(DocumentSymbolResponse::Nested(symbols::document_symbols(
                &doc.analysis,
            )))
        }),
        CodeActionRequest::METHOD => respond::<CodeActionRequest>(server, req, |s, p| {
            let doc = s.documents.get(&p.text_document.uri)?;
            let a = &doc.analysis;
            let span = a.lines.span(&a.text, p.range);
            Some(actions::code_actions(a, &p.text_document.uri, span))
        }),
        CodeLensRequest::METHOD => respond::<CodeLensRequest>(server, req, |s, p| {
            let doc = s.documents.get(&p.text_document.uri)?;
            Some(lens::code_lenses(&doc.analysis, &p.text_document.uri))
        }),
        ExecuteCommand::METHOD => respond::<ExecuteCommand>(server, req, |s, p| {
            if p.command != lens::RUN_TEST {
                return None;
            }
            let arg = |i: usize| p.arguments.get(i).and_then(|v| v.as_str());
            let uri: Uri = arg(0)?.parse().ok()?;
            let name = arg(1)?;
            let message = lens::run_test(&s.documents.get(&uri)?.analysis, name);
            s.notify::<ShowMessage>(message);
            None
        }),
        _ => Response::new_err(
            req.id,
            ErrorCode::MethodNotFound as i32,
            format!("`{}` is not a request this server answers", req.method),
        ),
    }
}

/// Decodes the parameters of `R` and answers with what `f` gives.
fn respond<R: lsp_types::request::Request>(
    server: &mut Server,
    req: Request,
    f: impl FnOnce(&mut Server, R::Params) -> R::Result,
) -> Response {
    match serde_json::from_value::<R::Params>(req.params) {
        Ok(params) => Response::new_ok(req.id, f(server, params)),
        Err(e) => Response::new_err(
            req.id,
            ErrorCode::InvalidParams as i32,
            format!("invalid parameters for `{}`: {e}", R::METHOD),
        ),
    }
}

impl Server<'_> {
    /// The open document and the byte offset of `position` in it.
    fn at(&self, doc: &TextDocumentIdentifier, position: Position) -> Option<(&Document, usize)> {
        let d = self.documents.get(&doc.uri)?;
        let offset = d.analysis.lines.offset(&d.analysis.text, position);
        Some((d, offset))
    }
}

/// The whole document in the `fmt` layout; no edit when it does not parse.
fn formatting(doc: &Document) -> Option<Vec<TextEdit>> {
    let a = &doc.analysis;
    let formatted = crate::fmt::format_source(&a.text).ok()?;
    if formatted == a.text {
        return Some(Vec::new());
    }
    let end = a.lines.position(&a.text, a.text.len());
    Some(vec![TextEdit::new(
        Range::new(Position::new(0, 0), end),
        formatted,
    )])
}
