//! `check`'s diagnostics as LSP diagnostics: the same code, message and severity; the
//! labels as related information (the primary one's text too), and the help last.

use lsp_types::{
    Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Location, NumberOrString, Uri,
};

use crate::diagnostics::{Code, Diagnostic, Severity};

use super::analysis::Analysis;

/// Shown as the `source` of every diagnostic.
pub const SOURCE: &str = "clearance";

pub fn to_lsp(a: &Analysis, uri: &Uri, d: &Diagnostic) -> LspDiagnostic {
    let range = a.lines.range(&a.text, d.span());
    let mut related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter(|l| !l.text.is_empty())
        .map(|l| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), a.lines.range(&a.text, l.span)),
            message: l.text.clone(),
        })
        .collect();
    if let Some(help) = &d.help {
        related.push(DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), range),
            message: format!("help: {help}"),
        });
    }
    LspDiagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        code_description: None,
        source: Some(SOURCE.to_string()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        // Editors draw an unused constant faded.
        tags: (d.code == Code::UnusedLet).then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

/// Every diagnostic of the document.
pub fn all(a: &Analysis, uri: &Uri) -> Vec<LspDiagnostic> {
    a.diagnostics.iter().map(|d| to_lsp(a, uri, d)).collect()
}
