//! Diagnostics of every phase: stable codes, labelled spans, help, and rendering
//! (miette's graphical form for people, JSON for machines).

use std::fmt;

use serde::Serialize;

use crate::span::{line_col, Span};

mod clip;
mod codes;

pub use codes::Code;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The policy is invalid and is never run.
    Error,
    /// A lint: the policy runs, but probably does not say what was meant.
    Warning,
}

/// A labelled span of source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The source it points at.
    pub span: Span,
    /// What it says there; may be empty.
    pub text: String,
    /// Whether this is where the diagnostic is (each has one primary label).
    pub primary: bool,
}

/// One problem found in a policy, located in its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Its stable code, the key of its section in docs/diagnostics.md.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// The headline, in an author's words.
    pub message: String,
    /// The places in the source it points at, the primary one first.
    pub labels: Vec<Label>,
    /// How to fix it, when a fix is likely.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `span`, labelled with `label`.
    pub fn error(
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: vec![Label {
                span,
                text: label.into(),
                primary: true,
            }],
            help: None,
        }
    }

    /// The same diagnostic with a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The same diagnostic with one more, secondary, label.
    pub fn with_label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            text: text.into(),
            primary: false,
        });
        self
    }

    /// Where the diagnostic points: its primary label.
    pub fn span(&self) -> Span {
        self.labels
            .iter()
            .find(|l| l.primary)
            .or(self.labels.first())
            .map_or(Span::default(), |l| l.span)
    }

    /// Attaches the file so that miette can render it.
    pub fn with_source<'a>(&'a self, source: &'a SourceFile) -> Located<'a> {
        Located {
            diagnostic: self,
            source,
            clipped_from: None,
        }
    }
}

/// A policy file's name and text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name diagnostics show (usually the path).
    pub name: String,
    /// The whole text the policy was compiled from.
    pub text: String,
}

impl SourceFile {
    /// A file named `name` holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// A diagnostic with its source: a [`miette::Diagnostic`] ready to render.
#[derive(Debug)]
pub struct Located<'a> {
    /// The diagnostic.
    pub diagnostic: &'a Diagnostic,
    /// The file it is about.
    pub source: &'a SourceFile,
    /// When `source` is a clipped excerpt: the original text and the clipping, so that
    /// columns are those of the original.
    clipped_from: Option<(&'a str, &'a clip::Clipped)>,
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Located<'_> {}

impl miette::Diagnostic for Located<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let len = self.source.text.len();
        Some(Box::new(self.diagnostic.labels.iter().map(move |l| {
            // A span may point just past the end (an unexpected end of file).
            let start = l.span.start.min(len);
            let end = l.span.end.clamp(start, len);
            let span = miette::SourceSpan::new(start.into(), end - start);
            let text = (!l.text.is_empty()).then(|| l.text.clone());
            if l.primary {
                miette::LabeledSpan::new_primary_with_span(text, span)
            } else {
                miette::LabeledSpan::new_with_span(text, span)
            }
        })))
    }
}

impl miette::SourceCode for Located<'_> {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self
            .source
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        let column = match self.clipped_from {
            // miette counts columns in bytes from the line's start.
            Some((original, clipped)) if inner.column() > 0 => {
                let at = clipped
                    .to_original(inner.span().offset())
                    .min(original.len());
                let line_start = original[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
                at - line_start
            }
            _ => inner.column(),
        };
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.source.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

/// How to draw diagnostics for people.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Draw with ANSI colours.
    pub color: bool,
    /// Draw the frame with Unicode box characters (else ASCII).
    pub unicode: bool,
    /// The width, in columns, to wrap text at.
    pub width: usize,
}

impl Default for RenderOptions {
    /// Plain, stable output: the form snapshots use.
    fn default() -> Self {
        RenderOptions {
            color: false,
            unicode: true,
            width: 100,
        }
    }
}

/// Renders one diagnostic in miette's graphical form. Lines longer than 200 characters
/// are shown clipped around the labels, and a note says so.
pub fn render(diagnostic: &Diagnostic, source: &SourceFile, options: RenderOptions) -> String {
    let marker = if options.unicode { "…" } else { "..." };
    let spans: Vec<Span> = diagnostic.labels.iter().map(|l| l.span).collect();
    let Some(clipped) = clip::clip(&source.text, &spans, marker) else {
        return render_graphical(&diagnostic.with_source(source), options)
            .unwrap_or_else(|| render_plain(diagnostic, source));
    };
    let mut excerpt = diagnostic.clone();
    for l in &mut excerpt.labels {
        l.span = Span::new(
            clipped.to_clipped(l.span.start),
            clipped.to_clipped(l.span.end),
        );
    }
    let text = SourceFile::new(source.name.clone(), clipped.text.clone());
    let located = Located {
        diagnostic: &excerpt,
        source: &text,
        clipped_from: Some((&source.text, &clipped)),
    };
    let Some(mut out) = render_graphical(&located, options) else {
        return render_plain(diagnostic, source);
    };
    for (line, length) in &clipped.lines {
        out.push_str(&format!(
            "  note: line {line} has {length} characters; it is shown clipped around the labels\n"
        ));
    }
    out
}

/// miette's drawing; `None` when it fails, or could fail: its underlines are drawn with
/// format widths, which panic beyond 65,535 columns.
fn render_graphical(located: &Located, options: RenderOptions) -> Option<String> {
    use miette::{GraphicalReportHandler, GraphicalTheme};
    /// Far wider than any clipped line, far below miette's limit (tabs count 4 columns).
    const SAFE_WIDTH: usize = 4096;
    let text = &located.source.text;
    let too_wide = located.diagnostic.labels.iter().any(|l| {
        let start = l.span.start.min(text.len());
        let line_start = text[..start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let line_end = text[start..]
            .find(['\n', '\r'])
            .map_or(text.len(), |i| start + i);
        line_end - line_start > SAFE_WIDTH
    });
    if too_wide {
        return None;
    }
    let theme = match (options.unicode, options.color) {
        (true, true) => GraphicalTheme::unicode(),
        (true, false) => GraphicalTheme::unicode_nocolor(),
        (false, _) => GraphicalTheme::none(),
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false);
    let mut out = String::new();
    handler.render_report(&mut out, located).ok()?;
    Some(out)
}

/// The diagnostic without the drawing: its code, message, each label's place, its help.
fn render_plain(diagnostic: &Diagnostic, source: &SourceFile) -> String {
    let mut out = format!("{}\n\n  × {}\n", diagnostic.code, diagnostic.message);
    for l in &diagnostic.labels {
        let (line, column) = line_col(&source.text, l.span.start);
        out.push_str(&format!("  at {}:{line}:{column}", source.name));
        if !l.text.is_empty() {
            out.push_str(&format!(": {}", l.text));
        }
        out.push('\n');
    }
    if let Some(help) = &diagnostic.help {
        out.push_str(&format!("  help: {help}\n"));
    }
    out
}

/// The machine-readable form of a diagnostic (`--format json`).
#[derive(Debug, Clone, Serialize)]
pub struct JsonDiagnostic {
    /// The stable code.
    pub code: Code,
    /// `error` or `warning`.
    pub severity: Severity,
    /// The headline.
    pub message: String,
    /// The file's name.
    pub file: String,
    /// 1-based line of the primary label.
    pub line: usize,
    /// 1-based column, in characters, of the primary label.
    pub column: usize,
    /// Byte range of the primary label.
    pub span: JsonSpan,
    /// Every label with its position.
    pub labels: Vec<JsonLabel>,
    /// How to fix it, when a fix is likely.
    pub help: Option<String>,
}

/// A byte range in the machine form.
#[derive(Debug, Clone, Serialize)]
pub struct JsonSpan {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset just past the last byte.
    pub end: usize,
}

/// A label in the machine form, with its line and column.
#[derive(Debug, Clone, Serialize)]
pub struct JsonLabel {
    /// What the label says.
    pub message: String,
    /// Whether it is where the diagnostic is.
    pub primary: bool,
    /// 1-based line of its start.
    pub line: usize,
    /// 1-based column, in characters, of its start.
    pub column: usize,
    /// Its byte range.
    pub span: JsonSpan,
}

impl JsonDiagnostic {
    /// The machine form of `d`, located in `source`.
    pub fn new(d: &Diagnostic, source: &SourceFile) -> Self {
        let span = d.span();
        let (line, column) = line_col(&source.text, span.start);
        JsonDiagnostic {
            code: d.code,
            severity: d.severity,
            message: d.message.clone(),
            file: source.name.clone(),
            line,
            column,
            span: JsonSpan {
                start: span.start,
                end: span.end,
            },
            labels: d
                .labels
                .iter()
                .map(|l| {
                    let (line, column) = line_col(&source.text, l.span.start);
                    JsonLabel {
                        message: l.text.clone(),
                        primary: l.primary,
                        line,
                        column,
                        span: JsonSpan {
                            start: l.span.start,
                            end: l.span.end,
                        },
                    }
                })
                .collect(),
            help: d.help.clone(),
        }
    }
}

/// Up to `n` names from `candidates` closest to `name`, for "did you mean" help.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&name.to_lowercase(), &c.to_lowercase());
        let close =
            strsim::damerau_levenshtein(name, c) <= (name.len().max(3) / 3).max(1) || score >= 0.85;
        if close && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Formats a list of names as `` `a`, `b` or `c` ``.
pub fn one_of(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("`{one}`"),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(|n| format!("`{n}`")).collect();
            format!("{} or `{last}`", init.join(", "))
        }
    }
}

/// Formats a list of names as `` `a`, `b` and `c` ``.
pub fn all_of(names: &[&str]) -> String {
    one_of(names).replacen(" or ", " and ", 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {c}");
        }
    }

    #[test]
    fn the_lints_are_the_warnings_of_the_lint_phase() {
        let lint_codes: Vec<Code> = Code::ALL
            .iter()
            .copied()
            .filter(|c| c.as_str().starts_with("clearance::lint::") && *c != Code::UnknownLint)
            .collect();
        assert_eq!(lint_codes, Code::LINTS);
        assert_eq!(Code::NeverFires.lint_name(), Some("never_fires"));
        assert_eq!(Code::UnknownLint.lint_name(), None);
        assert_eq!(Code::from_lint_name("shadowed"), Some(Code::Shadowed));
        assert_eq!(Code::from_lint_name("unknown_lint"), None);
        assert_eq!(
            Code::unknown_lint_help("never_fire"),
            "did you mean `never_fires`?"
        );
        assert_eq!(
            Code::unknown_lint_help("clearance::lint::shadowd"),
            "did you mean `shadowed`?"
        );
        assert!(Code::unknown_lint_help("zzz").starts_with("the lints are `never_fires`, "));
    }

    #[test]
    fn suggestions_find_close_names() {
        let fields = ["domestic_quota", "units", "tier"];
        assert_eq!(
            did_you_mean("domestic_qouta", fields),
            Some("domestic_quota")
        );
        assert_eq!(did_you_mean("unit", fields), Some("units"));
        assert_eq!(did_you_mean("zzz", fields), None);
    }

    #[test]
    fn too_many_labels_on_a_long_line_fall_back_to_a_plain_rendering() {
        // 60 clipped windows still make a line too wide to draw safely.
        let source = SourceFile::new("wide.policy", "x".repeat(100_000));
        let mut d = Diagnostic::error(Code::TooLong, "too long", Span::new(0, 1), "first")
            .with_help("shorten it");
        for i in 1..60 {
            d = d.with_label(Span::new(i * 1000, i * 1000 + 1), format!("label {i}"));
        }
        let out = render(&d, &source, RenderOptions::default());
        assert!(
            out.starts_with("clearance::syntax::too_long\n\n  × too long\n"),
            "{out}"
        );
        assert!(out.contains("  at wide.policy:1:1: first\n"), "{out}");
        assert!(
            out.contains("  at wide.policy:1:59001: label 59\n"),
            "{out}"
        );
        assert!(out.ends_with("  help: shorten it\n"), "{out}");
    }

    #[test]
    fn one_of_lists_names() {
        assert_eq!(one_of(&["a"]), "`a`");
        assert_eq!(one_of(&["a", "b", "c"]), "`a`, `b` or `c`");
    }
}
