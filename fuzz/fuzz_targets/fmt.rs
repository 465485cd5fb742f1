//! Format arbitrary text that parses: the result parses to the same syntax tree and is
//! a fixed point of the formatter.
#![no_main]
use libfuzzer_sys::fuzz_target;

fn tree(text: &str) -> String {
    let policy = clearance::ast::Policy::parse(text).expect("formatted text parses");
    let spans = regex::Regex::new(r"(span|keyword): Span \{ start: \d+, end: \d+ \}").unwrap();
    spans.replace_all(&format!("{policy:?}"), "").into_owned()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(once) = clearance::fmt::format_source(text) else {
        return;
    };
    assert_eq!(tree(text), tree(&once), "fmt changed the syntax tree");
    let twice = clearance::fmt::format_source(&once).expect("formatted text formats");
    assert_eq!(once, twice, "fmt is not idempotent");
});
