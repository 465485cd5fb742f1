//! Completion at many places of a policy.

use super::*;
use crate::lsp::position::Encoding;

const HEAD: &str = "policy \"p\" default allow\n\nschema {\n  id: text\n  firm: text\n  action: import | export\n  item: H200 | H20\n  units: int\n  applied_on: date\n  note: text?\n}\n\nlet cap = 1_000\n\nrule r:\n  deny export\n";

/// The labels at `‸` in `text` (after the head).
fn complete(text: &str) -> Vec<String> {
    let full = format!("{HEAD}{text}");
    let offset = full.find('‸').expect("a cursor");
    let full = full.replace('‸', "");
    let a = Analysis::new(full, Encoding::Utf16);
    completions(&a, None, offset)
        .into_iter()
        .map(|c| c.label)
        .collect()
}

fn labels(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

const OPERANDS: &[&str] = &[
    "id",
    "firm",
    "action",
    "item",
    "units",
    "applied_on",
    "note",
    "cap",
    "len",
    "lower",
    "upper",
    "contains",
    "starts_with",
    "ends_with",
    "min",
    "max",
    "abs",
    "round",
    "not",
    "has",
    "true",
    "false",
];
const CONSTANTS: &[&str] = &[
    "cap",
    "len",
    "lower",
    "upper",
    "contains",
    "starts_with",
    "ends_with",
    "min",
    "max",
    "abs",
    "round",
    "not",
    "true",
    "false",
];

#[test]
fn completions_in_rules() {
    let cases: &[(&str, &[&str])] = &[
        ("\n‸", &["let", "rule", "test"]),
        (
            "\nrule l:\n  ‸",
            &["require", "deny", "waitlist", "allow", "warn", "limit"],
        ),
        ("\nrule l:\n  limit ‸", &["import", "export"]),
        ("\nrule l:\n  limit import ‸", &["H200", "H20", "to"]),
        ("\nrule l:\n  limit import H200 to ‸", CONSTANTS),
        (
            "\nrule l:\n  limit import H200 to cap ‸",
            &["records", "units"],
        ),
        (
            "\nrule l:\n  limit import to cap units ‸",
            &["per", "order", "else", "because"],
        ),
        ("\nrule l:\n  limit import to cap units order ‸", &["by"]),
        (
            "\nrule l:\n  limit import to cap units order by ‸",
            &["units", "applied_on"],
        ),
        (
            "\nrule l:\n  limit import to cap units else ‸",
            &["waitlist", "deny"],
        ),
        (
            "\nrule l:\n  require units > 5 ‸",
            &["and", "or", "in", "not", "before", "because"],
        ),
        (
            "\nrule l:\n  require units > 5 before ‸",
            &["import", "export"],
        ),
        (
            "\nrule l:\n  require units > 5 before import ‸",
            &["H200", "H20", "because"],
        ),
        (
            "\nrule l:\n  require units > 5 before import [H20, ‸",
            &["H200", "H20"],
        ),
        (
            "\nrule l:\n  deny when units > 5 ‸",
            &["and", "or", "in", "not", "because"],
        ),
        ("\nrule l:\n  deny when units > 5 because ‸", &[]),
        (
            "\nrule l:\n  deny when action == imp‸",
            &["import", "export"],
        ),
        ("\nrule l:\n  deny when len(‸", OPERANDS),
        ("\nrule l:\n  deny when not ‸", OPERANDS),
        ("\nlet x = cap + ‸", CONSTANTS),
    ];
    for (text, expected) in cases {
        assert_eq!(complete(text), labels(expected), "{text:?}");
    }
}

#[test]
fn completions_in_tests() {
    let given = "\ntest \"t\" { given { id: \"a\" } ";
    let cases: &[(&str, &[&str])] = &[
        ("\ntest \"t\" ‸", &[]),
        ("\ntest \"t\" {‸", &["set", "given"]),
        ("\ntest \"t\" { set ‸", &["today"]),
        ("\ntest \"t\" { set today = 2026-01-01 ‸", &["given"]),
        ("\ntest \"t\" { given ‸", &["{ … }"]),
        ("\ntest \"t\" { given [{ id: \"a\" }, ‸", &["{ … }"]),
        ("\ntest \"t\" { given { id: \"a\" } ‸", &["expect"]),
        ("expect ‸", OUTCOMES),
        ("expect [‸", OUTCOMES),
        (
            "expect [deny by r, ‸",
            &["r", "allow", "deny", "waitlist", "error"],
        ),
        ("expect [deny by r, allow, ‸", OUTCOMES),
        ("expect deny ‸", &["by"]),
        (
            "\ntest \"t\" { given [{ id: \"a\" }, { ‸",
            &[
                "id",
                "firm",
                "action",
                "item",
                "units",
                "applied_on",
                "note",
            ],
        ),
        ("\ntest \"t\" { given { units: ‸", &["cap"]),
    ];
    for (text, expected) in cases {
        let text = if text.starts_with("expect") {
            format!("{given}{text}")
        } else {
            text.to_string()
        };
        assert_eq!(complete(&text), labels(expected), "{text:?}");
    }
}

#[test]
fn the_record_template_is_a_valid_record() {
    let full = format!("{HEAD}\ntest \"t\" {{\n  given ");
    let a = Analysis::new(full.clone(), Encoding::Utf16);
    let items = completions(&a, None, full.len());
    let record = items[0].insert_text.clone().unwrap();
    assert_eq!(
        record,
        "{ id: \"\", firm: \"\", action: import, item: H200, units: 0, applied_on: 2026-01-01 }"
    );
    let policy = format!("{full}{record}\n  expect deny by r\n}}\n");
    let parsed = crate::ast::Policy::parse(&policy);
    assert!(
        parsed.is_ok_and(|p| crate::check::check(&p, crate::check::Binding::Unbound).is_ok()),
        "{policy}"
    );
}

#[test]
fn completions_in_the_header_and_schema() {
    let a = Analysis::new("policy \"p\" ".into(), Encoding::Utf16);
    let got: Vec<String> = completions(&a, None, 11)
        .into_iter()
        .map(|c| c.label)
        .collect();
    assert_eq!(got, ["default"]);
    let a = Analysis::new("policy \"p\"\nschema {\n  a: ".into(), Encoding::Utf16);
    let got: Vec<String> = completions(&a, None, a.text.len())
        .into_iter()
        .map(|c| c.label)
        .collect();
    assert_eq!(got, labels(words::TYPES));
    let a = Analysis::new(String::new(), Encoding::Utf16);
    let got: Vec<String> = completions(&a, None, 0)
        .into_iter()
        .map(|c| c.label)
        .collect();
    assert_eq!(got, ["policy"]);
}

#[test]
fn names_come_from_an_older_tree_while_the_schema_does_not_parse() {
    let old = Analysis::new(HEAD.to_string(), Encoding::Utf16);
    let text = format!(
        "{}\nrule l:\n  deny when action == ",
        HEAD.replace("id: text", "id: ")
    );
    let a = Analysis::new(text.clone(), Encoding::Utf16);
    assert!(a.policy.is_none());
    let got: Vec<String> = completions(&a, old.policy.as_ref(), text.len())
        .into_iter()
        .map(|c| c.label)
        .collect();
    assert_eq!(got, ["import", "export"]);
}
