//! Column-at-a-time evaluation agrees with the row evaluator (`Policy::evaluate_row`,
//! `Program::run`), the reference, on every record:
//! - generated policies over the bundled policies' schemas, on generated rows with missing,
//!   optional, wrongly typed and boundary values and decimals of every scale (proptest);
//! - each leaf kind on its boundaries, over columns built from rows and built directly;
//! - every bundled policy over its sample data.

use std::sync::Arc;

use clearance::columns::{Bitmap, Column, Columns};
use clearance::data::{read_records, CsvDelimiter, DataFormat};
use clearance::internals::eval::{evaluate_chunk_columnar, FiredSet};
use clearance::value::{Date, Decimal, Type, Value};
use clearance::Policy;
use proptest::prelude::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn bundled(name: &str) -> String {
    std::fs::read_to_string(format!("{ROOT}/policies/{name}.policy")).unwrap()
}

/// The `schema { … }` block of a bundled policy.
fn schema_of(name: &str) -> String {
    let text = bundled(name);
    let start = text.find("schema {").unwrap();
    let end = start + text[start..].find("\n}").unwrap() + 2;
    text[start..end].to_string()
}

/// Asserts that the columnar evaluation of `rows` is the row evaluator's, record by record,
/// with the rows given and with rows made from the columns, and that the columns give the
/// rows back.
fn assert_agrees(policy: &Policy, rows: &[Vec<Value>]) {
    let program = policy.program();
    let by_columns = evaluate_chunk_columnar(policy, rows);
    let columns = Columns::from_rows(&policy.schema, rows);
    let made = policy.evaluate_columns(&columns).fired_sets();
    let outcomes = policy.evaluate_rows_columnar(rows);
    assert_eq!(by_columns.len(), rows.len());
    let mut want = FiredSet::default();
    for (i, row) in rows.iter().enumerate() {
        program.run(row, &mut want);
        for got in [&by_columns[i], &made[i]] {
            assert_eq!(got.fired, want.fired, "fired rules of record {i}: {row:?}");
            assert_eq!(got.errors, want.errors, "errors of record {i}: {row:?}");
            assert_eq!(
                got.decision, want.decision,
                "decision of record {i}: {row:?}"
            );
        }
        assert_eq!(
            outcomes[i],
            policy.evaluate_row(row),
            "outcome of record {i}"
        );
        // Exactly the row, places of decimals included.
        assert_eq!(
            format!("{:?}", columns.row(i)),
            format!("{row:?}"),
            "row {i}"
        );
    }
}

// ---------------------------------------------------------------- generated policies

fn d(m: i64, scale: u32) -> Decimal {
    Decimal::new(m, scale)
}

fn date(s: &str) -> Date {
    clearance::value::parse_date(s).unwrap()
}

/// Numbers as written in policies, and the same numbers at other scales in data.
const INTS: [i64; 8] = [-1, 0, 1, 5, 100, 5_000, 50_000, 400_000];
const DECIMALS: [(i64, u32); 7] = [(0, 0), (5, 1), (10, 1), (25, 1), (1, 0), (30, 0), (125, 1)];
const DATES: [&str; 4] = ["2025-12-31", "2026-01-01", "2026-01-15", "2026-02-28"];
const TEXTS: [&str; 5] = ["", "Atlantis", "Cloud Co", "sanctioned firm", "Ünï"];

fn literal(ty: &Type, names: &[String], pick: usize, scale_shift: u32) -> String {
    match ty {
        Type::Int => INTS[pick % INTS.len()].to_string(),
        Type::Decimal | Type::Percent => {
            let (m, s) = DECIMALS[pick % DECIMALS.len()];
            let x = d(m, s);
            let mut y = x;
            y.rescale(s + scale_shift % 3);
            let text = if y.scale() == 0 && pick.is_multiple_of(2) && *ty == Type::Decimal {
                format!("{y}.0")
            } else {
                y.to_string()
            };
            if *ty == Type::Percent {
                format!("{text}%")
            } else {
                text
            }
        }
        Type::Date => DATES[pick % DATES.len()].to_string(),
        Type::Text => format!("{:?}", TEXTS[pick % TEXTS.len()]),
        Type::Bool => ["true", "false"][pick % 2].to_string(),
        Type::Enum(_) => names[pick % names.len()].clone(),
        _ => "0".to_string(),
    }
}

/// The leaves a condition over `schema` is built from.
fn leaves(policy: &Policy) -> Vec<BoxedStrategy<String>> {
    let schema = &policy.schema;
    let mut out: Vec<BoxedStrategy<String>> = Vec::new();
    for f in &schema.fields {
        let (name, ty) = (f.name.clone(), f.ty.clone());
        let names = match &ty {
            Type::Enum(id) => schema.enums[*id as usize].values.clone(),
            _ => Vec::new(),
        };
        if f.optional {
            out.push(Just(format!("has {name}")).boxed());
            out.push(Just(format!("not has {name}")).boxed());
        }
        let (optional, n0) = (f.optional, name.clone());
        let guard = move |c: String| guarded(c, optional, &n0);
        let ops = vec!["<", "<=", "==", "!=", ">", ">="];
        let (n, t) = (name.clone(), ty.clone());
        let nm = names.clone();
        let compare = (
            prop::sample::select(ops.clone()),
            0usize..16,
            0u32..3,
            any::<bool>(),
        )
            .prop_map(move |(op, pick, shift, flip)| {
                let k = literal(&t, &nm, pick, shift);
                let op = match &t {
                    Type::Bool | Type::Text | Type::Enum(_) if !matches!(op, "==" | "!=") => "==",
                    _ => op,
                };
                if flip {
                    format!("{k} {op} {n}")
                } else {
                    format!("{n} {op} {k}")
                }
            });
        match &ty {
            Type::Int | Type::Decimal | Type::Percent | Type::Date | Type::Enum(_) | Type::Text => {
                out.push(compare.prop_flat_map(guard.clone()).boxed());
            }
            Type::Bool => {
                out.push(Just(name.clone()).boxed());
                out.push(compare.boxed());
            }
            _ => {}
        }
        match &ty {
            // An int against a decimal constant, a decimal against an int.
            Type::Int => {
                let n = name.clone();
                out.push(
                    (prop::sample::select(ops.clone()), 0usize..7)
                        .prop_map(move |(op, p)| {
                            let (m, s) = DECIMALS[p];
                            format!("{n} {op} {}", d(m, s.max(1)))
                        })
                        .boxed(),
                );
                out.push(Just(format!("{name} * 2 > 100_000")).boxed());
                out.push(Just(format!("100 / ({name} - 5) > 1")).boxed());
            }
            Type::Decimal => {
                let n = name.clone();
                out.push(
                    (prop::sample::select(ops.clone()), 0usize..8)
                        .prop_map(move |(op, p)| format!("{n} {op} {}", INTS[p]))
                        .boxed(),
                );
                out.push(Just(format!("{name} / 2 > 1")).boxed());
            }
            Type::Enum(_) if names.len() > 1 => {
                let n = name.clone();
                out.push(
                    (
                        prop::sample::subsequence(names.clone(), 1..names.len()),
                        any::<bool>(),
                    )
                        .prop_map(move |(vs, not)| {
                            let not = if not { "not " } else { "" };
                            format!("{n} {not}in [{}]", vs.join(", "))
                        })
                        .boxed(),
                );
            }
            Type::Text => {
                out.push(guard(format!("{name} in [\"Atlantis\", \"\"]")));
                out.push(guard(format!("len({name}) > 3")));
                out.push(guard(format!("contains(lower({name}), \"sanct\")")));
            }
            Type::List(_) => {
                out.push(Just(format!("\"Atlantis\" in {name}")).boxed());
                out.push(Just(format!("len({name}) >= 1")).boxed());
            }
            _ => {}
        }
    }
    // Two fields of one type compared.
    let fields = &schema.fields;
    for (i, a) in fields.iter().enumerate() {
        if let Some(b) = fields[i + 1..].iter().find(|b| b.ty == a.ty && !b.optional) {
            if !a.optional && matches!(a.ty, Type::Int | Type::Decimal | Type::Date) {
                out.push(Just(format!("{} < {}", a.name, b.name)).boxed());
            }
        }
    }
    out
}

/// `c`, behind its field's `has` when the field is optional.
fn guarded(c: String, optional: bool, name: &str) -> BoxedStrategy<String> {
    if optional {
        Just(format!("has {name} and {c}")).boxed()
    } else {
        Just(c).boxed()
    }
}

fn condition(policy: &Policy) -> BoxedStrategy<String> {
    let leaf = prop::strategy::Union::new(leaves(policy));
    leaf.prop_recursive(2, 8, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) and ({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) or ({b})")),
            inner.prop_map(|a| format!("not ({a})")),
        ]
    })
    .boxed()
}

fn policy_text(base: &Policy, schema: String) -> BoxedStrategy<String> {
    let items = match base.schema.item.map(|s| &base.schema.fields[s].ty) {
        Some(Type::Enum(id)) => base.schema.enums[*id as usize].values.clone(),
        _ => Vec::new(),
    };
    let scope = prop_oneof![
        Just(String::new()),
        Just("import".to_string()),
        Just("export".to_string()),
        prop::sample::subsequence(items, 1..3).prop_map(|i| format!("import [{}]", i.join(", "))),
    ];
    let verb = prop::sample::select(vec!["require", "deny", "waitlist", "allow", "warn"]);
    let rule = (verb, scope, prop::option::weighted(0.9, condition(base)));
    (any::<bool>(), prop::collection::vec(rule, 1..7))
        .prop_map(move |(deny, rules)| {
            let mut text = format!(
                "policy \"generated\" default {}\n{schema}\n",
                if deny { "deny" } else { "allow" }
            );
            for (i, (verb, scope, cond)) in rules.into_iter().enumerate() {
                text.push_str(&match (verb, cond) {
                    ("require", None) => format!("rule r{i}: deny {scope}\n"),
                    ("require", Some(c)) if scope.is_empty() => format!("rule r{i}: require {c}\n"),
                    ("require", Some(c)) => format!("rule r{i}: require {c} before {scope}\n"),
                    (v, None) => format!("rule r{i}: {v} {scope}\n"),
                    (v, Some(c)) => format!("rule r{i}: {v} {scope} when {c}\n"),
                });
            }
            text
        })
        .boxed()
}

/// A value of type `ty`: mostly valid, near the policies' constants, at other scales;
/// sometimes missing, sometimes of another type, sometimes extreme.
fn value(ty: &Type, enum_len: u32) -> BoxedStrategy<Value> {
    let odd = prop_oneof![
        Just(Value::Missing),
        Just(Value::Int(7)),
        Just(Value::text("x")),
        Just(Value::Bool(true)),
        Just(Value::Decimal(d(5, 1))),
        Just(Value::Percent(d(30, 0))),
    ];
    let valid: BoxedStrategy<Value> = match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Int => prop_oneof![
            prop::sample::select(INTS.to_vec()).prop_map(Value::Int),
            (-2i64..2, prop::sample::select(INTS.to_vec())).prop_map(|(a, b)| Value::Int(a + b)),
            Just(Value::Int(i64::MAX)),
            Just(Value::Int(i64::MIN)),
        ]
        .boxed(),
        Type::Decimal | Type::Percent => {
            let percent = *ty == Type::Percent;
            let wrap = move |x: Decimal| {
                if percent {
                    Value::Percent(x)
                } else {
                    Value::Decimal(x)
                }
            };
            prop_oneof![
                8 => (prop::sample::select(DECIMALS.to_vec()), 0u32..4, -1i64..2).prop_map(
                    move |((m, s), extra, nudge)| {
                        let mut x = d(m, s);
                        x.rescale(s + extra);
                        wrap(x + Decimal::new(nudge, s + extra))
                    }
                ),
                1 => prop_oneof![
                    Just(Decimal::MAX),
                    Just(Decimal::MIN),
                    Just(Decimal::new(1, 28)),
                    Just(-Decimal::new(0, 2)),
                    Just(Decimal::from_i128_with_scale(79_228_162_514_264_337_593_543_950_335, 27)),
                ]
                .prop_map(wrap),
            ]
            .boxed()
        }
        Type::Date => prop_oneof![
            (prop::sample::select(DATES.to_vec()), -1i64..2)
                .prop_map(|(s, k)| { Value::Date(date(s) + chrono::Duration::days(k)) }),
            Just(Value::Date(Date::MIN)),
            Just(Value::Date(Date::MAX)),
        ]
        .boxed(),
        Type::Enum(_) => prop_oneof![
            8 => (0..enum_len).prop_map(Value::Enum),
            1 => prop::sample::select(vec![63u32, 64, 99, u32::MAX]).prop_map(Value::Enum),
        ]
        .boxed(),
        Type::Text => prop::sample::select(TEXTS.to_vec())
            .prop_map(Value::text)
            .boxed(),
        Type::List(_) => prop_oneof![
            prop::collection::vec(
                prop::sample::select(TEXTS.to_vec()).prop_map(Value::text),
                0..4
            )
            .prop_map(|v| Value::List(Arc::from(v))),
            Just(Value::List(Arc::from(vec![Value::Int(1)]))),
        ]
        .boxed(),
        _ => Just(Value::Missing).boxed(),
    };
    prop_oneof![12 => valid, 1 => odd].boxed()
}

fn rows(policy: &Policy) -> BoxedStrategy<Vec<Vec<Value>>> {
    let schema = &policy.schema;
    let fields: Vec<BoxedStrategy<Value>> = schema
        .fields
        .iter()
        .map(|f| {
            let n = match &f.ty {
                Type::Enum(id) => schema.enums[*id as usize].values.len() as u32,
                _ => 0,
            };
            if f.optional {
                prop_oneof![value(&f.ty, n), Just(Value::Missing)].boxed()
            } else {
                value(&f.ty, n)
            }
        })
        .collect();
    let row = (fields, 0u32..40).prop_map(|(mut row, cut)| {
        if cut == 0 {
            row.pop(); // a row of the wrong width
        }
        row
    });
    prop::collection::vec(row, 0..150).boxed()
}

fn generated(name: &'static str) -> impl Strategy<Value = (Policy, Vec<Vec<Value>>)> {
    let schema = schema_of(name);
    let base = clearance::compile(&format!("policy \"base\" default allow\n{schema}\n")).unwrap();
    policy_text(&base, schema).prop_flat_map(|text| {
        let policy = clearance::compile(&text)
            .unwrap_or_else(|e| panic!("a generated policy checks: {e:?}\n{text}"));
        let rows = rows(&policy);
        (Just(policy), rows)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn columnar_agrees_on_h200_schemas((policy, rows) in generated("h200_first_batch")) {
        assert_agrees(&policy, &rows);
    }

    #[test]
    fn columnar_agrees_on_domestic_quota_schemas((policy, rows) in generated("domestic_quota")) {
        assert_agrees(&policy, &rows);
    }

    #[test]
    fn columnar_agrees_on_export_control_schemas((policy, rows) in generated("export_control")) {
        assert_agrees(&policy, &rows);
    }
}

// ---------------------------------------------------------------- leaf by leaf

const SCHEMA: &str = "schema {
  id: text
  action: import | export
  item: H200 | H20
  units: int
  quota: percent
  perf: decimal
  on: date
  tier: tier1 | tier2 | tier3
  licensed: bool
  note: text?
  flags: [text]
}";

fn leaf_policy(conditions: &[&str]) -> Policy {
    let mut text = format!("policy \"leaves\" default allow\n{SCHEMA}\n");
    for (i, c) in conditions.iter().enumerate() {
        text.push_str(&format!("rule r{i}: deny when {c}\n"));
    }
    clearance::compile(&text).unwrap()
}

fn row(
    units: i64,
    quota: Decimal,
    perf: Decimal,
    on: &str,
    tier: u32,
    licensed: bool,
) -> Vec<Value> {
    vec![
        Value::text("R"),
        Value::Enum(0),
        Value::Enum(0),
        Value::Int(units),
        Value::Percent(quota),
        Value::Decimal(perf),
        Value::Date(date(on)),
        Value::Enum(tier),
        Value::Bool(licensed),
        Value::Missing,
        Value::List(Arc::from(vec![])),
    ]
}

/// Rows around every boundary the leaves below test.
fn boundary_rows() -> Vec<Vec<Value>> {
    let mut rows = Vec::new();
    for units in [i64::MIN, -1, 0, 99, 100, 101, i64::MAX] {
        for (q, p) in [
            (d(30, 0), d(25, 1)),
            (d(300, 1), d(250, 2)),
            (d(2999, 2), d(2, 0)),
            (d(3001, 2), d(3, 0)),
        ] {
            for (k, on) in DATES.iter().enumerate() {
                rows.push(row(units, q, p, on, k as u32 % 3, k % 2 == 0));
            }
        }
    }
    let mut odd = row(5, d(1, 0), d(1, 0), "2026-01-01", 7, true);
    odd[9] = Value::text("a note");
    rows.push(odd);
    rows
}

#[test]
fn int_leaves_agree_at_their_boundaries() {
    let ops = ["<", "<=", "==", "!=", ">", ">="];
    let conds: Vec<String> = ops.iter().map(|op| format!("units {op} 100")).collect();
    let mut more: Vec<String> = ops.iter().map(|op| format!("units {op} 100.5")).collect();
    more.extend(ops.iter().map(|op| format!("units {op} 100.0")));
    for set in [conds, more] {
        let refs: Vec<&str> = set.iter().map(String::as_str).collect();
        assert_agrees(&leaf_policy(&refs), &boundary_rows());
    }
}

#[test]
fn decimal_and_percent_leaves_agree_at_every_scale() {
    let ops = ["<", "<=", "==", "!=", ">", ">="];
    let mut conds: Vec<String> = Vec::new();
    for op in ops {
        conds.push(format!("quota {op} 30%"));
        conds.push(format!("quota {op} 30.00%"));
        conds.push(format!("quota {op} 29.995%"));
        conds.push(format!("perf {op} 2.5"));
        conds.push(format!("perf {op} 2"));
        conds.push(format!("perf {op} 0.0000000000000000000000000001"));
    }
    let refs: Vec<&str> = conds.iter().map(String::as_str).collect();
    assert_agrees(&leaf_policy(&refs), &boundary_rows());
}

#[test]
fn date_enum_bool_and_has_leaves_agree() {
    let conds = [
        "on < 2026-01-15",
        "on >= 2026-01-15",
        "on == 2026-01-01",
        "tier == tier2",
        "tier != tier1",
        "tier in [tier1, tier3]",
        "tier not in [tier2]",
        "licensed",
        "not licensed",
        "has note",
        "not has note",
        "licensed and tier == tier1 and units > 0",
        "licensed or has note",
        "has note and note == \"a note\"",
        "\"x\" in flags",
    ];
    assert_agrees(&leaf_policy(&conds), &boundary_rows());
}

#[test]
fn records_the_columns_cannot_hold_go_to_the_row_evaluator() {
    let policy = leaf_policy(&["perf > 1", "units * 2 > 10", "quota < 30%"]);
    let mut rows = boundary_rows();
    // Another type in a field, a decimal the column's scale cannot take, a negative zero,
    // a short row, a list item of another type.
    rows[0][3] = Value::text("five");
    rows[1][5] = Value::Decimal(Decimal::MAX);
    rows[2][5] = Value::Decimal(Decimal::new(1, 28));
    rows[3][4] = Value::Percent(-Decimal::new(0, 1));
    rows[4].pop();
    rows[5][10] = Value::List(Arc::from(vec![Value::Int(3)]));
    rows[6][3] = Value::Int(i64::MAX); // an overflow error in `units * 2`
    let columns = Columns::from_rows(&policy.schema, &rows);
    let kept: Vec<usize> = columns.kept_rows().iter().map(|r| r.0).collect();
    // `Decimal::MAX` fits the column at one place; a value with 28 places then does not.
    assert_eq!(kept, [0, 2, 3, 4, 5]);
    assert_agrees(&policy, &rows);
    let chunk = policy.evaluate_columns(&columns);
    let mut f = FiredSet::default();
    chunk.fired_set(6, &mut f);
    assert_eq!(f.errors.len(), 1, "{f:?}");
}

#[test]
fn columns_made_directly_evaluate_like_their_rows() {
    let policy = leaf_policy(&[
        "units > 100",
        "quota < 30%",
        "perf >= 2.50",
        "on < 2026-01-15",
        "tier in [tier2, tier3]",
        "licensed and has note",
        "has note and note == \"b\"",
    ]);
    let n = 130;
    let valid = Bitmap::from_bools((0..n).map(|i| i % 7 != 3));
    let texts: Vec<String> = (0..n).map(|i| ["a", "b", "ü"][i % 3].to_string()).collect();
    let mut offsets = vec![0i32];
    let mut bytes = Vec::new();
    for t in &texts {
        bytes.extend_from_slice(t.as_bytes());
        offsets.push(bytes.len() as i32);
    }
    let mut list_offsets = vec![0i32];
    list_offsets.extend((0..n).map(|i| i as i32 % 2));
    list_offsets.sort();
    let items = Column::texts(vec![0, 1], b"x".to_vec(), None).unwrap();
    let columns = vec![
        Column::texts(offsets.clone(), bytes.clone(), None).unwrap(),
        Column::enums((0..n).map(|i| (i % 5 == 0) as u32).collect(), None).unwrap(),
        Column::enums(vec![0; n], None).unwrap(),
        Column::ints((0..n as i64).map(|i| i * 3 - 50).collect(), None).unwrap(),
        Column::decimals((0..n as i128).map(|i| i * 50).collect(), 2, true, None).unwrap(),
        Column::decimals(
            (0..n as i128).map(|i| i * 7).collect(),
            1,
            false,
            Some(valid.clone()),
        )
        .unwrap(),
        Column::dates((0..n as i32).map(|i| 20_450 + i % 40).collect(), None).unwrap(),
        Column::enums((0..n as u32).map(|i| i % 3).collect(), Some(valid.clone())).unwrap(),
        Column::bools(Bitmap::from_bools((0..n).map(|i| i % 2 == 0)), None).unwrap(),
        Column::texts(offsets, bytes, Some(valid)).unwrap(),
        Column::lists(list_offsets, items, None).unwrap(),
    ];
    let columns = Columns::new(&policy.schema, columns).unwrap();
    assert!(columns.kept_rows().is_empty());
    let rows: Vec<Vec<Value>> = (0..n).map(|i| columns.row(i)).collect();
    assert_eq!(rows[3][5], Value::Missing);
    assert_eq!(rows[1][4], Value::Percent(d(50, 2)));
    let chunk = policy.evaluate_columns(&columns);
    let mut want = FiredSet::default();
    let mut fired = 0;
    for (i, row) in rows.iter().enumerate() {
        policy.program().run(row, &mut want);
        assert_eq!(chunk.fired_bits(i), want.fired.as_slice(), "record {i}");
        assert_eq!(chunk.decisions()[i], want.decision, "record {i}");
        fired += want.fired[0].count_ones();
    }
    assert!(fired > 100, "the rules fire on many records: {fired}");
    assert_agrees(&policy, &rows);
}

#[test]
fn columns_made_directly_are_checked() {
    assert!(Column::texts(vec![0, 2, 1], b"ab".to_vec(), None).is_err());
    assert!(Column::texts(vec![0, 1], vec![0xff], None).is_err());
    assert!(Column::ints(vec![1, 2], Some(Bitmap::from_bools([true]))).is_err());
    assert!(Column::decimals(vec![1 << 100], 0, false, None).is_err());
    assert!(Column::decimals(vec![1], 29, false, None).is_err());
    assert!(Column::dates(vec![i32::MAX], None).is_err());
    let policy = leaf_policy(&["units > 1"]);
    assert!(Columns::new(&policy.schema, vec![Column::ints(vec![1], None).unwrap()]).is_err());
}

// ---------------------------------------------------------------- bundled policies

#[test]
fn bundled_policies_agree_on_their_sample_data() {
    for name in ["h200_first_batch", "domestic_quota", "export_control"] {
        let policy = clearance::compile(&bundled(name)).unwrap();
        for (ext, format) in [
            ("ndjson", DataFormat::Ndjson),
            ("json", DataFormat::Json),
            ("csv", DataFormat::Csv(CsvDelimiter::Comma)),
        ] {
            let Ok(data) = std::fs::read(format!("{ROOT}/policies/data/{name}.{ext}")) else {
                continue;
            };
            let mut rows = Vec::new();
            read_records(&policy.schema, format, data.as_slice(), &mut |r| {
                rows.extend(r.row.ok());
            })
            .unwrap();
            assert!(rows.len() > 10, "{name}.{ext}");
            let columns = Columns::from_rows(&policy.schema, &rows);
            assert!(
                columns.kept_rows().is_empty(),
                "{name}.{ext}: decoded rows fit columns"
            );
            assert_agrees(&policy, &rows);
            // In chunks of the run pipeline's kind too.
            for chunk in rows.chunks(64) {
                assert_agrees(&policy, chunk);
            }
        }
    }
}

/// Regression: a row shorter than the schema (which no decoder makes, but the evaluator's
/// callers may) panicked when a generated reason named a field past its end.
#[test]
fn a_short_row_gets_its_reason_without_a_panic() {
    let policy = leaf_policy(&["licensed", "not licensed"]);
    let text = format!("policy \"short\" default allow\n{SCHEMA}\nrule r: require units > 100\n");
    let require = clearance::compile(&text).unwrap();
    let short = vec![Value::text("R"), Value::Enum(0), Value::Enum(0)];
    let outcome = require.evaluate_row(&short);
    assert_eq!(
        outcome.rules[0].reason,
        "requires units > 100; units is (missing)"
    );
    assert_eq!(require.label(&[], 3), "#3");
    assert_agrees(&policy, &[short.clone(), short]);
}

/// More than 64 rules (two words of fired bits per record) and more than 64 leaves (the
/// rest evaluated as trees), with every verdict.
#[test]
fn many_rules_agree() {
    let mut text = format!("policy \"many\" default deny\n{SCHEMA}\n");
    let verbs = ["deny", "warn", "allow", "waitlist"];
    for i in 0..150 {
        let verb = verbs[i % 4];
        let k = i as i64 * 700;
        let c = match i % 3 {
            0 => format!("units > {k} and tier != tier2"),
            1 => format!("quota < {}% or licensed", i % 40),
            _ => format!("on >= 2026-01-{:02} and not licensed", 1 + i % 28),
        };
        text.push_str(&format!("rule r{i}: {verb} import when {c}\n"));
    }
    let policy = clearance::compile(&text).unwrap();
    assert_eq!(
        policy
            .program()
            .run_columns(&Columns::from_rows(&policy.schema, &boundary_rows()), None)
            .fired_bits(0)
            .len(),
        3
    );
    assert_agrees(&policy, &boundary_rows());
}
