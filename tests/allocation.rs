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

// ---------------------------------------------------------------- allocation facts

const EXPORTS: &str = r#"
policy "cat3a001"
schema {
  id: text
  action: import | export
  item: cat3a001 | other
  destination: text
  units: int
  applied_on: date
}
"#;

/// Outcomes of `rules` over export records `(id, destination, units, day of March)`.
fn exports(rules: &str, records: &[(&str, &str, i64, u32)]) -> Vec<clearance::Outcome> {
    let policy = clearance::compile(&format!("{EXPORTS}\n{rules}")).expect("valid policy");
    let rows: Vec<_> = records
        .iter()
        .map(|(id, destination, units, day)| {
            let json = format!(
                r#"{{"id": "{id}", "action": "export", "item": "cat3a001", "destination": "{destination}", "units": {units}, "applied_on": "2026-03-{day:02}"}}"#
            );
            clearance::data::decode_json(&policy.schema, &json).expect("valid record")
        })
        .collect();
    policy.evaluate_batch(&rows).0
}

fn reason(o: &clearance::Outcome) -> &str {
    assert_eq!(o.rules.len(), 1, "{o:?}");
    &o.rules[0].reason
}

/// The case of the issue: 2,000 units remained, the record needed 4,000, and a later
/// 500-unit record was admitted. Nothing here is "used up".
#[test]
fn a_refusal_states_what_it_needed_what_remained_and_its_place() {
    let rules = "rule cat3a001_quota:\n  limit export cat3a001 to 10_000 units per destination order by applied_on";
    let o = exports(
        rules,
        &[
            ("Q-01", "Japan", 4_000, 5),
            ("Q-02", "Japan", 6_000, 1),
            ("Q-03", "Japan", 2_000, 2),
            ("Q-04", "Korea", 9_000, 3),
            ("Q-05", "Japan", 500, 9),
        ],
    );
    let d: Vec<Decision> = o.iter().map(|o| o.decision).collect();
    assert_eq!(d, [Waitlist, Allow, Allow, Allow, Allow]);
    assert_eq!(
        reason(&o[0]),
        "needs 4,000 units; 2,000 of the 10,000 for Japan remained at its turn (3rd by applied_on)"
    );
    assert!(!reason(&o[0]).contains("used up"));
    // The admitted record after it: its facts say what remained for it.
    let later = &o[4].allocations[0];
    assert_eq!(
        (later.place, later.remaining.as_str(), later.admitted),
        (4, "2000", true)
    );
    assert_eq!(later.group.as_ref().unwrap().value, "Japan");
}

#[test]
fn without_per_and_order_by_the_sentence_says_so() {
    let o = exports(
        "rule quota: limit export to 10_000 units",
        &[("a", "Japan", 8_000, 9), ("b", "Korea", 4_000, 1)],
    );
    assert_eq!(
        reason(&o[1]),
        "needs 4,000 units; 2,000 of the 10,000 remained at its turn (2nd in input order)"
    );
}

#[test]
fn when_nothing_remained_the_reason_says_none_with_the_numbers() {
    let rules = "rule quota: limit export to 10_000 units per destination order by applied_on";
    let o = exports(
        rules,
        &[
            ("a", "Japan", 2_500, 1),
            ("b", "Japan", 2_500, 2),
            ("c", "Japan", 2_500, 3),
            ("d", "Japan", 2_500, 4),
            ("e", "Japan", 500, 5),
        ],
    );
    assert_eq!(
        reason(&o[4]),
        "needs 500 units; none of the 10,000 for Japan remained at its turn (5th by applied_on)"
    );
}

#[test]
fn a_because_text_comes_first_and_can_show_the_facts() {
    let rules =
        "rule quota:\n  limit export to 10_000 units per destination order by applied_on\n  \
        because \"{destination} had {limit.remaining} of {limit.cap} left for the {limit.place} \
        applicant, who asked for {limit.quantity} ({limit.group})\"";
    let o = exports(rules, &[("a", "Japan", 9_000, 1), ("b", "Japan", 1_500, 2)]);
    assert_eq!(
        reason(&o[1]),
        "Japan had 1000 of 10000 left for the 2nd applicant, who asked for 1500 (Japan); \
         needs 1,500 units; 1,000 of the 10,000 for Japan remained at its turn (2nd by applied_on)"
    );
}

#[test]
fn a_record_that_fits_one_limit_but_not_a_second_is_refused_by_the_second() {
    let rules = "
rule national: limit export to 10_000 units order by applied_on
rule per_destination: limit export to 3_000 units per destination order by applied_on else deny
";
    let o = exports(
        rules,
        &[
            ("a", "Japan", 2_000, 1),
            ("b", "Japan", 2_000, 2), // 8,000 of the national cap remain; 1,000 for Japan
        ],
    );
    assert_eq!(o[1].decision, Deny);
    assert_eq!(o[1].rules[0].rule, "per_destination");
    assert_eq!(
        reason(&o[1]),
        "needs 2,000 units; 1,000 of the 3,000 for Japan remained at its turn (2nd by applied_on)"
    );
    // Both limits' facts, in file order: it fitted the national cap but took nothing.
    let facts: Vec<(&str, bool, bool)> = o[1]
        .allocations
        .iter()
        .map(|f| (f.rule.as_str(), f.fits, f.admitted))
        .collect();
    assert_eq!(
        facts,
        [("national", true, false), ("per_destination", false, false)]
    );
    assert_eq!(
        clearance::outcome::fact_lines(&o[1].allocations),
        [
            "national (fitted, but `per_destination` refused the record): needs 2,000 units; \
          8,000 of the 10,000 remained at its turn (2nd by applied_on)"
        ]
    );
    assert_eq!(
        clearance::outcome::fact_lines(&o[0].allocations),
        [
            "national (admitted): needs 2,000 units; 10,000 of the 10,000 remained at its turn (1st by applied_on)",
            "per_destination (admitted): needs 2,000 units; 3,000 of the 3,000 for Japan remained at its turn (1st by applied_on)"
        ]
    );
}

#[test]
fn only_records_that_took_part_carry_facts() {
    let rules = "
rule small_only: deny export when units > 5_000
rule quota: limit export to 10_000 units
";
    let o = exports(
        rules,
        &[("big", "Japan", 6_000, 1), ("ok", "Japan", 1_000, 2)],
    );
    assert!(o[0].allocations.is_empty(), "a denied record takes no part");
    assert_eq!(o[1].allocations.len(), 1);
    let json = serde_json::to_value(&o[0]).unwrap();
    assert!(json.get("allocations").is_none(), "{json}");
}
