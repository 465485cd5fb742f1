//! Unit tests of the allocator: places, remainders and fits per limit and group, ledgers.
use super::*;
use crate::outcome::{AllocationFact, Fired};

const SCHEMA: &str =
    "schema { id: text, firm: text, action: import | export, item: H200 | H20, units: int, applied_on: date }";

/// What a record got: the facts of its limits and its refusal.
struct Allotted {
    facts: Vec<AllocationFact>,
    refusal: Option<Fired>,
}

/// Allocates the records of `rows` (each a JSON object) under `policy`, with ledgers
/// when `ledgers`: what each record that took part got, in input order, and the reports.
fn run(policy: &Policy, rows: &[String], ledgers: bool) -> (Vec<Allotted>, Vec<LimitReport>) {
    let rows: Vec<Vec<Value>> = rows
        .iter()
        .map(|json| crate::data::decode_json(&policy.schema, json).expect("valid record"))
        .collect();
    let mut allocator = Allocator::new(policy);
    for (i, row) in rows.iter().enumerate() {
        let mut outcome = policy.evaluate_row(row);
        policy
            .candidates(i, row, &mut outcome)
            .into_iter()
            .for_each(|c| allocator.push(c));
    }
    let label = |i: usize| policy.label(&rows[i], i + 1);
    let allocation = if ledgers {
        allocator.finish_with_ledgers(&label)
    } else {
        allocator.finish()
    };
    let allotted = allocation
        .allotments()
        .map(|a| {
            let mut outcome = policy.evaluate_row(&rows[a.record]);
            let refusal = policy.allot(&a, &rows[a.record], &mut outcome);
            Allotted {
                facts: outcome.allocations,
                refusal,
            }
        })
        .collect();
    (allotted, allocation.reports(policy, Some(&label)))
}

/// Allocates `(id, firm, units, day of January)` records under `rules`, with
/// ledgers: what each record got, in input order, and the reports.
fn allot(rules: &str, records: &[(&str, &str, i64, u32)]) -> (Vec<Allotted>, Vec<LimitReport>) {
    let policy = crate::compile(&format!("policy \"t\"\n{SCHEMA}\n{rules}")).expect("valid");
    let rows: Vec<String> = records
        .iter()
        .map(|(id, firm, units, day)| format!(
            r#"{{"id": "{id}", "firm": "{firm}", "action": "import", "item": "H200", "units": {units}, "applied_on": "2026-01-{day:02}"}}"#
        ))
        .collect();
    run(&policy, &rows, true)
}

type Facts<'a> = Vec<(&'a str, Option<&'a str>, usize, &'a str, bool, bool)>;

/// Per limit of a record: (rule, group, place, remaining, fits, admitted).
fn facts(a: &Allotted) -> Facts<'_> {
    a.facts
        .iter()
        .map(|f| {
            let group = f.group.as_ref().map(|g| g.value.as_str());
            (
                f.rule.as_str(),
                group,
                f.place,
                f.remaining.as_str(),
                f.fits,
                f.admitted,
            )
        })
        .collect()
}

#[test]
fn places_and_what_remained_per_limit_and_group_with_ties_in_input_order() {
    let rules = "rule national: limit import to 120 units order by applied_on\n\
                 rule per_firm: limit import to 100 units per firm order by applied_on";
    let (a, reports) = allot(
        rules,
        &[
            ("a", "Alpha", 60, 2),
            ("b", "Beta", 50, 1),
            ("c", "Alpha", 30, 2), // ties with a: after it
            ("d", "Alpha", 20, 1), // ties with b: after it
            ("e", "Beta", 70, 3),
        ],
    );
    // Order: b, d, a, c, e.
    assert_eq!(
        facts(&a[1]),
        [
            ("national", None, 1, "120", true, true),
            ("per_firm", Some("Beta"), 1, "100", true, true)
        ]
    );
    assert_eq!(
        facts(&a[3]),
        [
            ("national", None, 2, "70", true, true),
            ("per_firm", Some("Alpha"), 1, "100", true, true)
        ]
    );
    // a fits its firm's cap but not the national one: refused by `national`, takes nothing.
    assert_eq!(
        facts(&a[0]),
        [
            ("national", None, 3, "50", false, false),
            ("per_firm", Some("Alpha"), 2, "80", true, false)
        ]
    );
    assert_eq!(
        a[0].refusal.as_ref().map(|f| f.rule.as_str()),
        Some("national")
    );
    // c comes after a, whose 60 units were not taken from Alpha's cap.
    assert_eq!(
        facts(&a[2]),
        [
            ("national", None, 4, "50", true, true),
            ("per_firm", Some("Alpha"), 3, "80", true, true)
        ]
    );
    // e fits neither: the first limit in file order refuses it.
    assert_eq!(
        facts(&a[4]),
        [
            ("national", None, 5, "20", false, false),
            ("per_firm", Some("Beta"), 2, "50", false, false)
        ]
    );
    assert_eq!(
        a[4].refusal.as_ref().map(|f| f.rule.as_str()),
        Some("national")
    );
    let remaining: Vec<(&str, Option<&str>, &str)> = reports
        .iter()
        .map(|r| (r.rule.as_str(), r.group.as_deref(), r.remaining.as_str()))
        .collect();
    assert_eq!(
        remaining,
        [
            ("national", None, "20"),
            ("per_firm", Some("Beta"), "50"),
            ("per_firm", Some("Alpha"), "50")
        ]
    );
}

#[test]
fn the_order_value_is_the_shared_order_even_for_a_limit_without_order_by() {
    let rules = "rule count: limit import to 1 records\n\
                 rule national: limit import to 100 units order by applied_on";
    let (a, _) = allot(rules, &[("late", "A", 1, 9), ("early", "B", 1, 3)]);
    let early = &a[1].facts[0];
    assert_eq!((early.place, early.admitted), (1, true));
    let order = early.order_by.as_ref().expect("ordered");
    assert_eq!(
        (order.field.as_str(), order.value.as_str()),
        ("applied_on", "2026-01-03")
    );
    assert_eq!(early.turn(), "1st by applied_on");
    let late = &a[0];
    assert_eq!(
        late.refusal.as_ref().map(|f| f.reason.as_str()),
        Some("needs 1 record; none of the 1 remained at its turn (2nd by applied_on)")
    );
}

#[test]
fn a_ledger_names_the_largest_admitted_records_before_the_turn() {
    let (a, _) = allot(
        "rule cap: limit import to 100 units per firm",
        &[
            ("a", "F", 10, 1),
            ("b", "F", 30, 1),
            ("c", "F", 10, 1),
            ("x", "G", 99, 1), // another group: not in F's ledger
            ("d", "F", 30, 1),
            ("big", "F", 90, 1), // refused: not in the ledger
            ("e", "F", 5, 1),
            ("last", "F", 50, 1),
        ],
    );
    let first = a[0].facts[0].before.as_ref().expect("a ledger");
    assert_eq!((first.admitted, first.taken.as_str()), (0, "0"));
    assert!(first.largest.is_empty());
    let last = a[7].facts[0].before.as_ref().expect("a ledger");
    assert_eq!((last.admitted, last.taken.as_str()), (5, "85"));
    let named: Vec<(&str, &str)> = last
        .largest
        .iter()
        .map(|t| (t.record.as_str(), t.quantity.as_str()))
        .collect();
    // Of equal quantities, the earlier record is named first.
    assert_eq!(named, [("b", "30"), ("d", "30"), ("a", "10")]);
    assert_eq!(a[7].facts[0].place, 7);
    assert_eq!(a[7].facts[0].remaining, "15");
}

#[test]
fn without_ledgers_facts_carry_none() {
    let policy = crate::compile(&format!(
        "policy \"t\"\n{SCHEMA}\nrule cap: limit import to 10 units"
    ))
    .unwrap();
    let row = r#"{"id": "a", "firm": "F", "action": "import", "item": "H200", "units": 4, "applied_on": "2026-01-01"}"#;
    let (a, _) = run(&policy, &[row.to_string()], false);
    assert_eq!(a[0].facts[0].before, None);
    assert!(a[0].facts[0].admitted);
}

#[test]
fn refused_amounts_too_large_to_add_up_do_not_overflow() {
    let policy = crate::compile(
        "policy \"t\"\nschema { id: text, action: import | export, item: H200 | H20, tonnes: decimal }\n\
         rule cap: limit import to 1 tonnes",
    )
    .unwrap();
    let row = r#"{"id": "x", "action": "import", "item": "H200", "tonnes": 50000000000000000000000000000}"#;
    let (a, reports) = run(&policy, &[row.to_string(), row.to_string()], false);
    assert!(a.iter().all(|a| a.refusal.is_some()));
    assert_eq!(reports[0].refused_records, 2);
}
