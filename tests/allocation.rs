//! `limit` allocation (docs/language.md, "Allocation").

use clearance::internals::eval::LimitReport;
use clearance::outcome::Decision::{self, *};

const SCHEMA: &str = r#"
schema {
  id: text
  firm: text
  action: import | export
  item: H200 | H20
  units: int
  tonnes: decimal
  applied_on: date
  blocked: bool
}
"#;

/// Runs `rules` over records given as `(id, firm, item, units, date)`.
fn allocate(
    rules: &str,
    records: &[(&str, &str, &str, i64, &str)],
) -> (Vec<(String, Decision)>, Vec<LimitReport>) {
    allocate_full(
        rules,
        &records
            .iter()
            .map(|r| (r.0, r.1, r.2, r.3, r.4, "1.0", false))
            .collect::<Vec<_>>(),
    )
}

type Full<'a> = (&'a str, &'a str, &'a str, i64, &'a str, &'a str, bool);

fn allocate_full(rules: &str, records: &[Full]) -> (Vec<(String, Decision)>, Vec<LimitReport>) {
    let policy =
        clearance::compile(&format!("policy \"a\"\n{SCHEMA}\n{rules}")).expect("valid policy");
    let rows: Vec<_> = records
        .iter()
        .map(|(id, firm, item, units, date, tonnes, blocked)| {
            let json = format!(
                r#"{{"id": "{id}", "firm": "{firm}", "action": "import", "item": "{item}", "units": {units}, "tonnes": {tonnes}, "applied_on": "{date}", "blocked": {blocked}}}"#
            );
            clearance::data::decode_json(&policy.schema, &json).expect("valid record")
        })
        .collect();
    let (outcomes, reports) = policy.evaluate_batch(&rows);
    let decisions = records
        .iter()
        .zip(outcomes)
        .map(|(r, o)| (r.0.to_string(), o.decision))
        .collect();
    (decisions, reports)
}

fn decisions(d: &[(String, Decision)]) -> Vec<Decision> {
    d.iter().map(|(_, d)| *d).collect()
}

#[test]
fn records_are_admitted_in_order_by_order_and_ties_keep_input_order() {
    let rules = "rule cap: limit import H200 to 100 units order by applied_on";
    let (d, r) = allocate(
        rules,
        &[
            ("late", "A", "H200", 60, "2026-01-30"),
            ("early", "B", "H200", 60, "2026-01-01"),
            ("tie1", "C", "H200", 40, "2026-01-15"),
            ("tie2", "D", "H200", 40, "2026-01-15"),
        ],
    );
    // early (60) then tie1 (40) fill the cap; tie2 and late are refused.
    assert_eq!(decisions(&d), [Waitlist, Allow, Allow, Waitlist]);
    assert_eq!(r[0].admitted, "100");
    assert_eq!(r[0].refused, "100");
    assert_eq!(r[0].refused_ids, ["tie2", "late"]);
}

#[test]
fn without_order_by_input_order_decides() {
    let (d, _) = allocate(
        "rule cap: limit import to 100 units",
        &[
            ("a", "A", "H200", 70, "2026-02-01"),
            ("b", "B", "H20", 70, "2026-01-01"),
        ],
    );
    assert_eq!(decisions(&d), [Allow, Waitlist]);
}

#[test]
fn first_fit_admits_smaller_records_after_a_refusal() {
    let (d, r) = allocate(
        "rule cap: limit import H200 to 100 units else deny",
        &[
            ("a", "A", "H200", 80, "2026-01-01"),
            ("big", "B", "H200", 50, "2026-01-01"),
            ("small", "C", "H200", 20, "2026-01-01"),
        ],
    );
    assert_eq!(decisions(&d), [Allow, Deny, Allow]);
    assert_eq!((r[0].admitted_records, r[0].refused_records), (2, 1));
}

#[test]
fn per_groups_have_their_own_cap() {
    let (d, r) = allocate(
        "rule per_firm: limit import to 100 units per firm",
        &[
            ("a1", "Alpha", "H200", 80, "2026-01-01"),
            ("b1", "Beta", "H200", 80, "2026-01-01"),
            ("a2", "Alpha", "H200", 30, "2026-01-01"),
            ("b2", "Beta", "H200", 20, "2026-01-01"),
        ],
    );
    assert_eq!(decisions(&d), [Allow, Allow, Waitlist, Allow]);
    let groups: Vec<(Option<&str>, &str, &str)> = r
        .iter()
        .map(|g| (g.group.as_deref(), g.admitted.as_str(), g.refused.as_str()))
        .collect();
    assert_eq!(
        groups,
        [(Some("Alpha"), "80", "30"), (Some("Beta"), "100", "0")]
    );
}

#[test]
fn several_limits_are_all_or_nothing_and_the_first_refusing_limit_answers() {
    let rules = "
rule national: limit import to 100 units else waitlist
rule per_firm: limit import to 50 units per firm else deny
rule count: limit import to 3 records
";
    let (d, r) = allocate(
        rules,
        &[
            ("a", "Alpha", "H200", 40, "2026-01-01"),
            ("b", "Alpha", "H200", 20, "2026-01-01"), // fits national (60), not per_firm (60 > 50): deny
            ("c", "Beta", "H200", 50, "2026-01-01"),
            ("d", "Gamma", "H200", 20, "2026-01-01"), // national would be 110: waitlist
            ("e", "Gamma", "H200", 5, "2026-01-01"),  // third admitted record
            ("f", "Delta", "H200", 1, "2026-01-01"),  // count is full
        ],
    );
    assert_eq!(
        decisions(&d),
        [Allow, Deny, Allow, Waitlist, Allow, Waitlist]
    );
    let national = &r[0];
    assert_eq!(
        (national.admitted.as_str(), national.refused.as_str()),
        ("95", "20")
    );
    // b took nothing from national although it fitted there
    let alpha = r
        .iter()
        .find(|g| g.rule == "per_firm" && g.group.as_deref() == Some("Alpha"))
        .unwrap();
    assert_eq!(
        (alpha.admitted.as_str(), alpha.refused_ids.clone()),
        ("40", vec!["b".to_string()])
    );
    let count = r.iter().find(|g| g.rule == "count").unwrap();
    assert_eq!(
        (count.admitted.as_str(), count.refused.as_str()),
        ("3", "1")
    );
}

#[test]
fn decimal_quantities_are_exact() {
    let (d, r) = allocate_full(
        "rule tonnage: limit import to 0.3 tonnes",
        &[
            ("a", "A", "H200", 1, "2026-01-01", "0.1", false),
            ("b", "B", "H200", 1, "2026-01-01", "0.2", false),
            ("c", "C", "H200", 1, "2026-01-01", "0.0000000001", false),
        ],
    );
    assert_eq!(decisions(&d), [Allow, Allow, Waitlist]);
    assert_eq!(r[0].admitted, "0.3");
    assert_eq!(r[0].refused, "0.0000000001");
}

#[test]
fn records_denied_or_errored_earlier_take_no_quota() {
    let rules = "
rule blocked: deny when blocked
rule ratio: deny when 10 / (units - 7) > 100
rule cap: limit import to 20 units
";
    let (d, r) = allocate_full(
        rules,
        &[
            ("denied", "A", "H200", 15, "2026-01-01", "1", true),
            ("error", "B", "H200", 7, "2026-01-01", "1", false),
            ("ok", "C", "H200", 15, "2026-01-01", "1", false),
        ],
    );
    assert_eq!(decisions(&d), [Deny, Error, Allow]);
    assert_eq!(r[0].admitted, "15");
}

#[test]
fn under_default_deny_only_explicitly_allowed_records_take_part() {
    let policy = clearance::compile(&format!(
        "policy \"d\" default deny\n{SCHEMA}\nrule ok: allow import when units < 100\nrule cap: limit import to 100 units"
    ))
    .unwrap();
    let row = |id: &str, units: i64| {
        clearance::data::decode_json(
            &policy.schema,
            &format!(r#"{{"id": "{id}", "firm": "F", "action": "import", "item": "H200", "units": {units}, "tonnes": 1, "applied_on": "2026-01-01", "blocked": false}}"#),
        )
        .unwrap()
    };
    let (outcomes, reports) = policy.evaluate_batch(&[row("big", 150), row("a", 60), row("b", 60)]);
    let d: Vec<Decision> = outcomes.iter().map(|o| o.decision).collect();
    assert_eq!(d, [Deny, Allow, Waitlist]);
    assert_eq!(reports[0].admitted, "60");
}

#[test]
fn edge_cases_empty_batch_zero_cap_and_a_record_larger_than_the_cap() {
    let (d, r) = allocate("rule cap: limit import to 100 units", &[]);
    assert!(d.is_empty());
    assert_eq!((r[0].admitted.as_str(), r[0].refused_records), ("0", 0));

    let (d, r) = allocate(
        "rule zero: limit import to 0 units",
        &[
            ("a", "A", "H200", 1, "2026-01-01"),
            ("z", "A", "H200", 0, "2026-01-01"),
        ],
    );
    assert_eq!(
        decisions(&d),
        [Waitlist, Allow],
        "a zero quantity always fits"
    );
    assert_eq!(r[0].cap, "0");

    let (d, _) = allocate(
        "rule cap: limit import to 100 units",
        &[("huge", "A", "H200", 101, "2026-01-01")],
    );
    assert_eq!(decisions(&d), [Waitlist]);
}

#[test]
fn the_refusal_reason_is_the_limits_because_or_a_generated_sentence() {
    let policy = clearance::compile(&format!(
        "policy \"r\"\n{SCHEMA}\nrule cap: limit import H200 to 10 units per firm\nrule b: limit import H20 to 1 records because \"{{firm}} must wait\""
    ))
    .unwrap();
    let row = |item: &str| {
        clearance::data::decode_json(
            &policy.schema,
            &format!(r#"{{"id": "x", "firm": "Alpha", "action": "import", "item": "{item}", "units": 11, "tonnes": 1, "applied_on": "2026-01-01", "blocked": false}}"#),
        )
        .unwrap()
    };
    let (o, _) = policy.evaluate_batch(&[row("H200"), row("H20"), row("H20")]);
    // Nothing of the 10 was taken, so nothing is said to be used up.
    assert_eq!(
        o[0].rules[0].reason,
        "needs 11 units; 10 of the 10 for Alpha remained at its turn (1st in input order)"
    );
    assert_eq!(o[1].decision, Allow);
    assert_eq!(
        o[2].rules[0].reason,
        "Alpha must wait; needs 1 record; none of the 1 remained at its turn (2nd in input order)"
    );
}

#[test]
fn a_negative_quantity_is_an_error_for_its_record() {
    let (d, r) = allocate(
        "rule cap: limit import to 10 units",
        &[
            ("neg", "A", "H200", -5, "2026-01-01"),
            ("ok", "A", "H200", 10, "2026-01-01"),
        ],
    );
    assert_eq!(decisions(&d), [Error, Allow]);
    assert_eq!(r[0].admitted, "10");
}
