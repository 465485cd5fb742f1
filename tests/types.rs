//! The typing rules of docs/language.md ("Operators"), as a table of expressions and their types.

use clearance::internals::check::type_of;

const POLICY: &str = r#"
policy "types"
schema {
  units: int
  price: decimal
  quota: percent
  firm: text
  on: date
  ok: bool
  tier: tier1 | tier2
  tags: [text]
  note: text?
}
let cap = 400_000
let tiers = [tier1]
"#;

#[test]
fn inferred_types() {
    let policy = clearance::compile(POLICY).unwrap();
    let table = [
        ("units + 1", "int"),
        ("units * 2", "int"),
        ("units + 1.5", "decimal"),
        ("units / 2", "decimal"),
        ("7 / 2", "decimal"),
        ("price - units", "decimal"),
        ("-units", "int"),
        ("quota + 5%", "percent"),
        ("quota * 1000", "decimal"),
        ("2.5 * quota", "decimal"),
        ("quota / 2", "percent"),
        ("quota / 10%", "decimal"),
        ("on - 2026-01-01", "int"),
        ("on + 30", "date"),
        ("on - 7", "date"),
        ("units > cap", "bool"),
        ("price >= units", "bool"),
        ("quota < 30%", "bool"),
        ("on <= 2026-12-31", "bool"),
        ("tier == tier1", "bool"),
        ("tier in tiers", "bool"),
        ("tier not in [tier1, tier2]", "bool"),
        ("\"x\" in tags", "bool"),
        ("has note and note != \"\"", "bool"),
        ("note ?? \"none\"", "text"),
        ("len(firm)", "int"),
        ("len(tags)", "int"),
        ("lower(firm)", "text"),
        ("contains(firm, \"Co\")", "bool"),
        ("min(units, 10)", "int"),
        ("max(units, 2.5)", "decimal"),
        ("min(quota, 10%)", "percent"),
        ("max(on, 2026-01-01)", "date"),
        ("abs(quota)", "percent"),
        ("round(price, 2)", "decimal"),
        ("not ok or units > 1", "bool"),
        ("cap", "int"),
        ("tiers", "[enum]"),
        ("[1, 2.5]", "[decimal]"),
    ];
    let mut wrong = Vec::new();
    for (expr, expected) in table {
        match type_of(&policy, expr) {
            Ok(t) if t.to_string() == expected => {}
            Ok(t) => wrong.push(format!("{expr}: {t}, expected {expected}")),
            Err(d) => wrong.push(format!(
                "{expr}: {:?}",
                d.iter().map(|d| d.code.as_str()).collect::<Vec<_>>()
            )),
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn ill_typed_expressions_are_refused_with_their_code() {
    let policy = clearance::compile(POLICY).unwrap();
    let table = [
        ("quota >= 30", "clearance::type::percent_with_number"),
        ("quota * quota", "clearance::type::bad_operand"),
        ("firm < \"b\"", "clearance::type::not_ordered"),
        ("tier < tier2", "clearance::type::not_ordered"),
        ("units == firm", "clearance::type::mismatch"),
        ("note == \"x\"", "clearance::type::unguarded_optional"),
        ("units ?? 1", "clearance::type::not_optional"),
        ("units in 5", "clearance::type::not_a_list"),
        ("on + on", "clearance::type::bad_operand"),
        ("len(units)", "clearance::type::bad_argument"),
        ("round(price)", "clearance::type::argument_count"),
        ("not units", "clearance::type::not_bool"),
        ("tier == tier3", "clearance::name::unknown_enum_value"),
    ];
    for (expr, code) in table {
        let d = type_of(&policy, expr).expect_err(expr);
        assert_eq!(d[0].code.as_str(), code, "{expr}");
    }
}

/// A record field in a `limit` cap is reported as such every time, however many the
/// cap names and whatever other errors come after it.
#[test]
fn every_field_in_a_limit_cap_is_reported_as_a_cap_error() {
    for cap in ["requested * units", "requested + unknown_name"] {
        let source = format!(
            "policy \"p\"\nschema {{ action: import | export, item: H200 | H20, units: int, requested: int }}\nrule r:\n  limit import H200 to {cap} units\n"
        );
        let errors = clearance::compile(&source).expect_err(cap);
        let fields: Vec<_> = errors
            .iter()
            .filter(|d| d.message.contains("record field"))
            .collect();
        assert!(!fields.is_empty(), "{cap}: {errors:#?}");
        for d in fields {
            assert_eq!(d.code.as_str(), "clearance::limit::uses_record", "{cap}");
            assert!(
                d.message.starts_with("the cap of a `limit` cannot use"),
                "{cap}: {}",
                d.message
            );
        }
    }
}
