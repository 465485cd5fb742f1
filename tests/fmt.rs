//! `clearance fmt`: canonical layout, comments kept, idempotent, syntax tree unchanged.

use clearance::fmt::format_source;
use proptest::prelude::*;

/// The syntax tree of a policy (trees compare without their spans).
fn tree(source: &str) -> clearance::ast::Policy {
    clearance::ast::Policy::parse(source)
        .unwrap_or_else(|d| panic!("does not parse: {d:?}\n{source}"))
}

fn comments_of(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|l| l.find('#').map(|i| l[i..].trim_end().to_string()))
        .filter(|c| !c.starts_with("#\""))
        .collect()
}

fn assert_good_format(source: &str) -> String {
    let once = format_source(source).expect("formats");
    let twice = format_source(&once).expect("formats again");
    assert_eq!(once, twice, "fmt is not idempotent");
    assert_eq!(tree(source), tree(&once), "fmt changed the syntax tree");
    let mut before = comments_of(source);
    let mut after = comments_of(&once);
    before.sort();
    after.sort();
    assert_eq!(before, after, "fmt lost or changed a comment");
    once
}

#[test]
fn messy_input() {
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fmt/messy.policy"
    ))
    .unwrap();
    let formatted = assert_good_format(&source);
    insta::assert_snapshot!(formatted);
}

#[test]
fn the_bundled_policies_are_formatted() {
    for name in ["h200_first_batch", "domestic_quota", "export_control"] {
        let path = format!("{}/policies/{name}.policy", env!("CARGO_MANIFEST_DIR"));
        let source = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            assert_good_format(&source),
            source,
            "{path} is not formatted"
        );
    }
}

#[test]
fn crlf_and_bom_inputs_format_to_plain_text() {
    let source = "\u{feff}policy \"p\"\r\nschema { n: int }\r\nrule r: deny when n > 1\r\n";
    assert_eq!(
        format_source(source).unwrap(),
        "policy \"p\"\n\nschema {\n  n: int\n}\n\nrule r:\n  deny when n > 1\n"
    );
}

/// The condition of `rule r` once formatted (checked as `assert_good_format` does).
fn formatted_condition(condition: &str) -> String {
    let source = format!(
        "policy \"p\"\nschema {{ verified: bool?, a: int?, b: int, c: int, s: text }}\nrule r: deny when {condition}\n"
    );
    let once = assert_good_format(&source);
    let line = once
        .lines()
        .find(|l| l.starts_with("  deny when "))
        .unwrap();
    line["  deny when ".len()..].to_string()
}

#[test]
fn keeps_the_parentheses_a_reader_needs() {
    let table = [
        // `not verified ?? false` would read as `(not verified) ?? false`
        ("not (verified ?? false)", "not (verified ?? false)"),
        ("not ((a ?? 1) == 2)", "not (a ?? 1 == 2)"),
        ("not (b == (a ?? 1))", "not b == a ?? 1"),
        ("not (b in [1, 2])", "not b in [1, 2]"),
        ("not (not (has a))", "not not has a"),
        ("not (b > 1 and c > 1)", "not (b > 1 and c > 1)"),
        ("-(a ?? b) > 0", "-(a ?? b) > 0"),
        ("b - (b - c) > 0", "b - (b - c) > 0"),
        ("(b - b) - c > 0", "b - b - c > 0"),
        ("b / (b * c) > 0", "b / (b * c) > 0"),
        ("(b / b) * c > 0", "b / b * c > 0"),
        ("(a ?? 1) + 1 > 0", "(a ?? 1) + 1 > 0"),
        ("-(-b) > 0", "--b > 0"),
    ];
    for (written, expected) in table {
        assert_eq!(formatted_condition(written), expected, "{written}");
    }
}

#[test]
fn a_literal_is_written_without_its_parentheses() {
    let table = [
        ("-(5) < b", "-5 < b"),
        ("b < ( 7 )", "b < 7"),
        ("b > (5 # five\n)", "b > 5  # five"),
        ("s == ( \"a) b\\\"\" )", "s == \"a) b\\\"\""),
        ("b > (-9223372036854775808)", "b > -9223372036854775808"),
        (
            "b > - 9_223_372_036_854_775_808",
            "b > -9_223_372_036_854_775_808",
        ),
        ("b > --9223372036854775808", "b > --9223372036854775808"),
        (
            "b > 1 - -9223372036854775808",
            "b > 1 - -9223372036854775808",
        ),
    ];
    for (written, expected) in table {
        assert_eq!(formatted_condition(written), expected, "{written}");
    }
}

// ---------------------------------------------------------------- generated policies

fn ident() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "units", "quota", "tier", "note", "d", "price", "cap", "small",
    ])
    .prop_map(String::from)
}

/// Expressions that parse (types need not check: fmt works on syntax).
fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        ident(),
        (0i64..1_000_000).prop_map(|n| n.to_string()),
        Just("400_000".to_string()),
        Just("-9223372036854775808".to_string()),
        Just("(7)".to_string()),
        Just("2.50".to_string()),
        Just("30%".to_string()),
        Just("2026-01-29".to_string()),
        Just("\"a \\\"b\\\" c\"".to_string()),
        Just("true".to_string()),
        Just("has note".to_string()),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        let ops = prop::sample::select(vec![
            "or", "and", "==", "!=", "<", ">=", "in", "not in", "??", "+", "-", "*", "/",
        ]);
        let bare_ops = prop::sample::select(vec!["??", "-", "/", "=="]);
        prop_oneof![
            (inner.clone(), ops, inner.clone()).prop_map(|(a, op, b)| format!("({a}) {op} ({b})")),
            (inner.clone(), bare_ops, inner.clone())
                .prop_map(|(a, op, b)| format!("not ({a}) {op} ({b})")),
            inner.clone().prop_map(|a| format!("not ({a})")),
            inner.clone().prop_map(|a| format!("-({a})")),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| format!("[{}]", v.join(", "))),
            (inner.clone(), inner).prop_map(|(a, b)| format!("max({a}, {b})")),
        ]
    })
}

fn spacing() -> impl Strategy<Value = String> {
    prop::sample::select(vec![" ", "  ", "\n", " # note\n", "\n\n  ", "\t"]).prop_map(String::from)
}

fn rule(i: usize) -> impl Strategy<Value = String> {
    (
        expr(),
        spacing(),
        spacing(),
        prop::sample::select(vec!["deny", "allow", "waitlist", "warn"]),
        any::<bool>(),
    )
        .prop_map(move |(e, s1, s2, verdict, because)| {
            let b = if because {
                format!("{s2}because \"r{i} {{units}}\"")
            } else {
                String::new()
            };
            if i.is_multiple_of(3) {
                format!("rule r{i}:{s1}require {e} before import H200{b}")
            } else {
                format!("rule r{i}:{s1}{verdict} import when {e}{b}")
            }
        })
}

fn policy() -> impl Strategy<Value = String> {
    (prop::collection::vec(spacing(), 4), rule(0), rule(1), rule(2), rule(3), expr()).prop_map(|(s, a, b, c, d, e)| {
        format!(
            "# generated\n{}policy \"g\"{}schema {{ action: import | export, item: H200 | H20,{}units: int note: text? }}\nlet cap = {e}\n{a}\n{b}{}{c}\n{d}\ntest \"t\" {{ given {{ units: 1, action: import, item: H20 }} expect allow }}\n",
            s[0], s[1], s[2], s[3]
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn fmt_is_idempotent_and_keeps_the_tree(source in policy()) {
        assert_good_format(&source);
    }
}
