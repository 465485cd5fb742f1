//! Shown values (docs/language.md ("Types")): plain notation, never `-0`; sums, differences and
//! products keep the places of their operands, quotients drop trailing zeros,
//! `round(x, n)` shows `n` places, percents end in `%`. Constants (folded when the
//! policy is checked) and record values (computed per record) show the same text.

use clearance::outcome::Decision;

const POLICY: &str = r#"
policy "v"
schema {
  id: text
  zero: decimal
  a: decimal
  price: decimal
  n: int
  one: int
  two: int
  q: percent
}
let half = 1 / 2
let tenth = round(0.1, 2)
let neg_zero = -(0.00)
rule negative_zero: deny
  because "{-(0)}|{-(0.00)}|{neg_zero}|{-zero}|{0 * -1.5}|{zero * a}|{-0.0000000000000001 * 0.0000000000000001}|{-(0%)}|{round(-0.001, 2)}|{zero * -1}"
rule quotients: deny
  because "{1 / 2}|{0.1 / 0.2}|{7 / 2}|{4 / 2}|{1 / 3}|{one / two}|{n / two}|{half}|{half + 1.00}|{half * 2}|{0.30 / 0.1}|{-1 / 2}"
rule percents: deny
  because "{12.5%}|{q}|{q / 2}|{q / 10%}|{25% / 2}|{q * 3}|{30% * 1000}|{q * 2.00}|{q + 0.5%}|{-q}"
rule rounding: deny
  because "{round(0.1, 2)}|{tenth}|{round(2.5, 0)}|{round(-2.5, 0)}|{round(1.005, 2)}|{round(12, 2)}|{round(a, 3)}|{round(1 / 3, 4)}|{round(price, 1)}"
rule sums: deny
  because "{1.50 + 1}|{price - 0.25}|{a + a}|{price * 2}|{1.5 - 1.5}|{zero + 1}|{0 + 1.50}|{2 - 0.000}|{1 * 2.50}|{0% + q}|{q - 0.00%}"
"#;

const RECORD: &str = r#"{"id": "r", "zero": 0.00, "a": -1.5, "price": 10.25, "n": 7, "one": 1, "two": 2, "q": "12.5%"}"#;

fn reasons() -> Vec<(String, String)> {
    let p = clearance::compile(POLICY).expect("valid");
    let row = clearance::data::decode_json(&p.schema, RECORD).expect("valid record");
    let o = p.evaluate_row(&row);
    assert_eq!(o.decision, Decision::Deny, "{o:?}");
    o.rules.into_iter().map(|f| (f.rule, f.reason)).collect()
}

fn reason(rule: &str) -> String {
    reasons()
        .into_iter()
        .find(|(r, _)| r == rule)
        .unwrap_or_else(|| panic!("{rule} did not fire"))
        .1
}

#[test]
fn negative_zero_is_never_shown() {
    assert_eq!(
        reason("negative_zero"),
        "0|0.00|0.00|0.00|0.0|0.000|0.0000000000000000000000000000|0%|0.00|0.00"
    );
}

#[test]
fn a_quotient_shows_its_digits_without_trailing_zeros() {
    assert_eq!(
        reason("quotients"),
        "0.5|0.5|3.5|2|0.3333333333333333333333333333|0.5|3.5|0.5|1.50|1.0|3|-0.5"
    );
}

#[test]
fn percents_are_shown_with_their_sign() {
    assert_eq!(
        reason("percents"),
        "12.5%|12.5%|6.25%|1.25|12.5%|0.375|300|0.250|13.0%|-12.5%"
    );
}

#[test]
fn round_shows_exactly_its_places_and_rounds_half_away_from_zero() {
    assert_eq!(
        reason("rounding"),
        "0.10|0.10|3|-3|1.01|12.00|-1.500|0.3333|10.3"
    );
}

#[test]
fn sums_differences_and_products_keep_the_places_of_their_operands() {
    assert_eq!(
        reason("sums"),
        "2.50|10.00|-3.0|20.50|0.0|1.00|1.50|2.000|2.50|12.5%|12.50%"
    );
}

#[test]
fn negative_zero_equals_zero() {
    let p = clearance::compile(
        "policy \"z\" schema { z: decimal, q: percent } rule r: deny when z == 0 and -z == 0.00 and z >= 0 and not (z < 0) and q == 0% and -q <= 0% and -q == q",
    )
    .unwrap();
    for record in [r#"{"z": -0.0, "q": "-0%"}"#, r#"{"z": 0, "q": 0}"#] {
        let row = clearance::data::decode_json(&p.schema, record).unwrap();
        assert_eq!(p.evaluate_row(&row).decision, Decision::Deny, "{record}");
    }
}

#[test]
fn round_to_places_outside_0_to_28_is_refused() {
    for places in ["-1", "29"] {
        let source = format!(
            "policy \"r\" schema {{ price: decimal }} rule r: deny when round(price, {places}) > 1"
        );
        let d = clearance::compile(&source).expect_err(&source);
        assert_eq!(
            d[0].code.as_str(),
            "clearance::type::bad_argument",
            "{places}"
        );
        assert!(d[0].message.contains("0 to 28"), "{}", d[0].message);
    }
    // places from the record: a runtime error of that record
    let p = clearance::compile(
        "policy \"r\" schema { price: decimal, k: int } rule r: deny when round(price, k) > 1",
    )
    .unwrap();
    let row = clearance::data::decode_json(&p.schema, r#"{"price": 1.5, "k": 30}"#).unwrap();
    let o = p.evaluate_row(&row);
    assert_eq!(o.decision, Decision::Error);
    assert!(o.errors[0].message.contains("from 0 to 28"), "{o:?}");
}

// ---------------------------------------------------------------- the smallest int

const SMALLEST: &str = r#"policy "m"

schema {
  n: int
}

let smallest = -9223372036854775808

rule r:
  deny when n == -9223372036854775808 and n == smallest and n < -9_223_372_036_854_775_807
  because "{n} {smallest} {-9223372036854775808}"

test "smallest" {
  given { n: -9223372036854775808 }
  expect deny by r
}
"#;

#[test]
fn the_smallest_int_may_be_written_as_a_literal() {
    let p = clearance::compile(SMALLEST).unwrap_or_else(|d| panic!("{d:?}"));
    let report = clearance::testing::run_tests(&p, None);
    assert_eq!(report.failed(), 0, "{:?}", report.results);
    assert_eq!(report.passed(), 1);
    let row = clearance::data::decode_json(&p.schema, r#"{"n": -9223372036854775808}"#).unwrap();
    let o = p.evaluate_row(&row);
    assert_eq!(o.decision, Decision::Deny, "{o:?}");
    assert_eq!(
        o.rules[0].reason,
        "-9223372036854775808 -9223372036854775808 -9223372036854775808"
    );
    // fmt prints it back unchanged
    assert_eq!(clearance::fmt::format_source(SMALLEST).unwrap(), SMALLEST);
}

#[test]
fn one_more_than_the_largest_int_is_still_too_large() {
    for expr in [
        "9223372036854775808",
        "-(9223372036854775808)",
        "1 - 9223372036854775808",
        "-9223372036854775809",
    ] {
        let source = format!("policy \"o\" schema {{ n: int }} rule r: deny when n > {expr}");
        let d = clearance::compile(&source).expect_err(expr);
        assert_eq!(
            d[0].code.as_str(),
            "clearance::syntax::int_overflow",
            "{expr}"
        );
    }
    // negating the smallest int overflows at run time, as arithmetic does
    let p = clearance::compile(
        "policy \"o\" schema { n: int } rule r: deny when --9223372036854775808 > n",
    )
    .unwrap();
    let row = clearance::data::decode_json(&p.schema, r#"{"n": 1}"#).unwrap();
    assert_eq!(p.evaluate_row(&row).decision, Decision::Error);
}
