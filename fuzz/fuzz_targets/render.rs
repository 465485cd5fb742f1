//! Check arbitrary text as a policy and render every diagnostic (errors or lint
//! warnings) the way `clearance check` does, for people and as JSON: never a panic,
//! spans inside the text, and every diagnostic drawn in full.
#![no_main]
use clearance::diagnostics::{render, Diagnostic, JsonDiagnostic, RenderOptions, SourceFile};
use libfuzzer_sys::fuzz_target;

/// What `clearance check` draws on a terminal without colour (`NO_COLOR`), 100 wide.
const OPTIONS: RenderOptions = RenderOptions {
    color: false,
    unicode: true,
    width: 100,
};

fn check_one(d: &Diagnostic, source: &SourceFile) {
    let text = &source.text;
    assert!(!d.labels.is_empty(), "a diagnostic points somewhere: {d:?}");
    for l in &d.labels {
        let (start, end) = (l.span.start, l.span.end);
        assert!(
            start <= end && end <= text.len(),
            "span out of the text: {d:?}"
        );
        assert!(
            text.is_char_boundary(start) && text.is_char_boundary(end),
            "span inside a character: {d:?}"
        );
    }
    let drawn = render(d, source, OPTIONS);
    // `render` falls back to one plain line when miette cannot draw the diagnostic.
    let fallback = format!("{}: {}\n", d.code.as_str(), d.message);
    assert_ne!(
        drawn, fallback,
        "miette could not draw the diagnostic: {d:?}"
    );
    assert!(
        drawn.contains(d.code.as_str()),
        "the drawing shows the code"
    );
    let json = JsonDiagnostic::new(d, source);
    assert!(
        json.line >= 1 && json.column >= 1,
        "1-based line and column"
    );
    serde_json::to_string(&json).expect("a diagnostic serializes");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let diagnostics = match clearance::compile_with_warnings(text) {
        Ok((_, warnings)) => warnings,
        Err(errors) => errors,
    };
    let source = SourceFile::new("fuzz.policy", text);
    for d in &diagnostics {
        check_one(d, &source);
    }
});
