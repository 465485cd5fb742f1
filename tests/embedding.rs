//! The embedding path (`Policy::decode_value`, `decode_from`, `evaluate_value`,
//! `evaluate_values`) gives what the JSON text path gives:
//! - on every record of the bundled sample data (NDJSON and JSON), bad records included:
//!   the same rows, record errors (messages and fields) and outcomes as the record's text
//!   written back from its `serde_json::Value`, and, number formatting aside, as the
//!   file's own text (exactly so when serde_json keeps numbers as text);
//! - a whole batch, `limit` allocation included, as `evaluate_all` over the same records;
//! - on random JSON objects over a schema, valid and invalid values alike (proptest).

use std::ops::ControlFlow;

use clearance::data::{decode_json, read_raw, DataFormat, Raw};
use clearance::{compile, evaluate_all, Outcome, Policy, RecordResult};
use proptest::prelude::*;
use serde_json::{json, Value as Json};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn policy(name: &str) -> Policy {
    let text = std::fs::read_to_string(format!("{ROOT}/policies/{name}.policy")).unwrap();
    compile(&text).unwrap()
}

/// Whether serde_json keeps numbers as their text (its `arbitrary_precision` feature).
fn numbers_kept_as_text() -> bool {
    let n: Json = serde_json::from_str("1.50").unwrap();
    serde_json::to_string(&n).unwrap() == "1.50"
}

/// A decode result as text: `Debug` shows a decimal's places (`1.50`), which `==` ignores.
fn shown<T: std::fmt::Debug>(x: &T) -> String {
    format!("{x:?}")
}

fn outcome_of(
    policy: &Policy,
    row: Result<Vec<clearance::value::Value>, Vec<clearance::RecordError>>,
) -> Outcome {
    match row {
        Ok(row) => policy.evaluate_row(&row),
        Err(e) => Outcome::data_errors(e),
    }
}

/// Each record of a sample file: its text, and its value when it is JSON at all.
fn records(policy: &Policy, path: &str, format: DataFormat) -> Vec<(String, Option<Json>)> {
    let data = std::fs::read(format!("{ROOT}/policies/data/{path}")).unwrap();
    let mut out = Vec::new();
    read_raw(&policy.schema, format, data.as_slice(), &mut |r| {
        let Raw::Json(bytes) = r.raw else {
            panic!("{path}: record {} is not JSON text", r.position)
        };
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        out.push((text.clone(), serde_json::from_str(&text).ok()));
        ControlFlow::Continue(())
    })
    .unwrap();
    out
}

const SAMPLES: [(&str, &str); 6] = [
    ("domestic_quota", "domestic_quota.ndjson"),
    ("domestic_quota", "domestic_quota.json"),
    ("export_control", "export_control.ndjson"),
    ("export_control", "export_control.json"),
    ("h200_first_batch", "h200_first_batch.ndjson"),
    ("h200_first_batch", "h200_first_batch.json"),
];

#[test]
fn every_sample_record_decodes_from_its_value_as_from_its_text() {
    let exact = numbers_kept_as_text();
    for (name, file) in SAMPLES {
        let policy = policy(name);
        let format = DataFormat::from_path(file).unwrap();
        let (mut bad, mut malformed, mut total) = (0, 0, 0);
        for (text, value) in records(&policy, file, format) {
            total += 1;
            let from_text = decode_json(&policy.schema, &text);
            let Some(value) = value else {
                // Not JSON: there is no value to hold; the text path says so.
                let e = from_text.unwrap_err();
                assert!(e[0].message.starts_with("malformed JSON"), "{file}: {text}");
                malformed += 1;
                continue;
            };
            let from_value = policy.decode_value(&value);
            let written = serde_json::to_string(&value).unwrap();
            let context = format!("{file}: {text}");
            // The value path is the text path of the value's JSON text, exactly.
            assert_eq!(
                shown(&from_value),
                shown(&decode_json(&policy.schema, &written)),
                "{context}"
            );
            // And of any Deserializer over the text.
            let mut de = serde_json::Deserializer::from_str(&text);
            assert_eq!(
                shown(&policy.decode_from(&mut de).unwrap()),
                shown(&from_value),
                "{context}"
            );
            // The file's own text: the same values (and places, when numbers stay text),
            // the same errors with the same fields and messages.
            if exact {
                assert_eq!(shown(&from_value), shown(&from_text), "{context}");
            } else {
                assert_eq!(from_value, from_text, "{context}");
            }
            bad += usize::from(from_value.is_err());
            let outcome = policy.evaluate_value(&value);
            assert_eq!(outcome, outcome_of(&policy, from_value), "{context}");
            let text_outcome = outcome_of(&policy, from_text);
            assert_eq!(outcome.decision, text_outcome.decision, "{context}");
            let rules = |o: &Outcome| o.rules.iter().map(|f| f.rule.clone()).collect::<Vec<_>>();
            assert_eq!(rules(&outcome), rules(&text_outcome), "{context}");
            assert_eq!(outcome.errors, text_outcome.errors, "{context}");
        }
        // The samples hold bad records of several kinds; an NDJSON one a line that is not JSON.
        let not_json = usize::from(format == DataFormat::Ndjson);
        assert!(
            bad >= 3 && malformed == not_json && total > 200,
            "{file}: {bad} {malformed} {total}"
        );
    }
}

/// A report's results without line numbers (a value has none).
fn without_lines(results: &[RecordResult]) -> Vec<RecordResult> {
    results
        .iter()
        .cloned()
        .map(|mut r| {
            r.line = None;
            r
        })
        .collect()
}

#[test]
fn a_batch_of_values_gets_the_report_of_the_same_records_as_ndjson() {
    for (name, file) in SAMPLES {
        let policy = policy(name);
        let format = DataFormat::from_path(file).unwrap();
        let values: Vec<Json> = records(&policy, file, format)
            .into_iter()
            .filter_map(|(_, v)| v)
            .collect();
        let ndjson: String = values.iter().map(|v| format!("{v}\n")).collect();
        let text = evaluate_all(&policy, DataFormat::Ndjson, ndjson.as_bytes()).unwrap();
        let report = policy.evaluate_values(&values);
        assert_eq!(report.summary, text.summary, "{file}");
        assert_eq!(report.results, without_lines(&text.results), "{file}");
        assert_eq!(report.params, text.params);
        if policy.has_limits() {
            assert!(!report.summary.allocations.is_empty(), "{file}");
            assert!(report
                .results
                .iter()
                .any(|r| !r.outcome.allocations.is_empty()));
        }
    }
}

#[test]
fn what_is_not_an_object_is_named_as_the_text_path_names_it() {
    let policy = compile("policy \"p\"\nschema { n: int }\n").unwrap();
    for value in [
        json!([1, 2]),
        json!("x"),
        json!(5),
        json!(1.5),
        json!(true),
        json!(null),
    ] {
        let from_value = policy.decode_value(&value).unwrap_err();
        assert_eq!(
            from_value,
            decode_json(&policy.schema, &value.to_string()).unwrap_err()
        );
        assert!(from_value[0]
            .message
            .starts_with("a record must be a JSON object, found "));
        let text = value.to_string();
        let mut de = serde_json::Deserializer::from_str(&text);
        assert_eq!(
            policy.decode_from(&mut de).unwrap().unwrap_err(),
            from_value
        );
    }
    // What the deserializer cannot read is its own error, not the record's.
    let mut de = serde_json::Deserializer::from_str("{\"n\": ");
    assert!(policy.evaluate_deserializer(&mut de).is_err());
}

#[test]
fn a_bad_record_is_labelled_by_its_id_whatever_its_other_fields_hold() {
    // A nested value where the schema has none: the text path once gave such a record
    // its position (`#1`) as its label, and the value path its `id`.
    let policy = compile("policy \"p\"\nschema { id: text, day: date }\n").unwrap();
    let record = json!({"id": "A-1", "day": [], "extra": {"x": 1}});
    let text = format!("{record}\n");
    let report = evaluate_all(&policy, DataFormat::Ndjson, text.as_bytes()).unwrap();
    assert_eq!(report.results[0].record, "A-1");
    assert_eq!(policy.evaluate_values(&[record]).results[0].record, "A-1");
}

#[test]
fn a_bad_record_with_an_int_id_is_labelled_by_it_in_every_format() {
    // An `id: int` once labelled a bad NDJSON record `#1` (only a JSON string was read),
    // while CSV and Arrow data labelled it by its id.
    let policy = compile("policy \"p\"\nschema { id: int, day: date }\n").unwrap();
    let record = json!({"id": 7, "day": "soon"});
    let text = format!("{record}\n");
    let ndjson = evaluate_all(&policy, DataFormat::Ndjson, text.as_bytes()).unwrap();
    let csv = "id,day\n7,soon\n";
    let csv = evaluate_all(&policy, DataFormat::Csv(Default::default()), csv.as_bytes()).unwrap();
    let nested = format!("{}\n", json!({"id": 7, "day": "soon", "extra": {"x": 1}}));
    let nested = evaluate_all(&policy, DataFormat::Ndjson, nested.as_bytes()).unwrap();
    for report in [&ndjson, &csv, &nested] {
        assert_eq!(report.results[0].outcome.errors.len(), 1);
        assert_eq!(report.results[0].record, "7");
    }
    assert_eq!(policy.evaluate_values(&[record]).results[0].record, "7");
}

// ---------------------------------------------------------------- random records

const SCHEMA: &str = r#"policy "p"
schema {
  id: text
  n: int
  d: decimal?
  q: percent
  t: text?
  day: date
  e: red | green | blue
  flag: bool
  tags: [text]
  nums: [int]
}
rule big: deny when n > 100 because "{n} is over 100, d is {d ?? 0}"
rule low: waitlist when q < 30% and flag
rule tagged: warn when "x" in tags because "{len(tags)} tags, t is {t ?? "none"}"
rule late: deny when day > 2026-06-30 and e != red
rule sum: deny when (d ?? 0) * 2 > 10
"#;

const FIELDS: [&str; 10] = ["id", "n", "d", "q", "t", "day", "e", "flag", "tags", "nums"];

/// Any JSON scalar, and values that look right for some field and wrong for others.
fn scalar() -> impl Strategy<Value = Json> {
    prop_oneof![
        any::<i64>().prop_map(Json::from),
        any::<u64>().prop_map(Json::from),
        (-1000i64..1000).prop_map(Json::from),
        (-1.0e6f64..1.0e6).prop_map(Json::from),
        any::<f64>().prop_map(Json::from),
        prop::sample::select(vec![
            "0.1",
            "12000.00",
            "1e3",
            "-0",
            "-0.0",
            "2.5e-3",
            "123456789012345678901234567890",
            "79228162514264337593543950336",
            "1e400",
            "0.0000000000000000000000000000001",
        ])
        .prop_map(|t| serde_json::from_str::<Json>(t).unwrap_or(Json::Null)),
        prop::sample::select(vec![
            "red",
            "green",
            "blue",
            "Red",
            "rde",
            "30%",
            "2.5 %",
            "35",
            "%",
            "1e2%",
            "2026-01-29",
            "2026-02-30",
            "2026-1-29",
            "x",
            "",
            "tab\there",
            "quote\"d",
            "é漢",
            "\u{1}",
            "a\\b",
        ])
        .prop_map(Json::from),
        "[a-z0-9%. -]{0,8}".prop_map(Json::from),
        any::<bool>().prop_map(Json::from),
        Just(Json::Null),
    ]
}

fn json_value() -> impl Strategy<Value = Json> {
    scalar().prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::btree_map("[a-z]{1,3}", inner, 0..3)
                .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

/// A record: each field present or not, with a plausible or any value, and extra fields.
fn record() -> impl Strategy<Value = Json> {
    let good = |f: &str| -> BoxedStrategy<Json> {
        match f {
            "id" | "t" => "[A-Z]-[0-9]{1,3}".prop_map(Json::from).boxed(),
            "n" => (-5i64..500).prop_map(Json::from).boxed(),
            "d" => (0u32..2000)
                .prop_map(|c| serde_json::from_str(&format!("{}.{:02}", c / 100, c % 100)).unwrap())
                .boxed(),
            "q" => prop_oneof![
                (0u32..100).prop_map(|q| Json::from(format!("{q}%"))),
                (0u32..100).prop_map(Json::from)
            ]
            .boxed(),
            "day" => (1u32..28, 1u32..12)
                .prop_map(|(d, m)| Json::from(format!("2026-{m:02}-{d:02}")))
                .boxed(),
            "e" => prop::sample::select(vec!["red", "green", "blue"])
                .prop_map(Json::from)
                .boxed(),
            "flag" => any::<bool>().prop_map(Json::from).boxed(),
            "tags" => prop::collection::vec(
                prop::sample::select(vec!["x", "y", "z"]).prop_map(Json::from),
                0..3,
            )
            .prop_map(Json::Array)
            .boxed(),
            _ => prop::collection::vec((0i64..9).prop_map(Json::from), 0..3)
                .prop_map(Json::Array)
                .boxed(),
        }
    };
    let fields: Vec<BoxedStrategy<Option<Json>>> = FIELDS
        .iter()
        .map(|f| {
            prop_oneof![
                12 => good(f).prop_map(Some),
                2 => json_value().prop_map(Some),
                1 => Just(None),
            ]
            .boxed()
        })
        .collect();
    let extra = prop::collection::btree_map("[a-z_]{1,6}", json_value(), 0..3);
    let object = (fields, extra).prop_map(|(values, extra)| {
        let mut map: serde_json::Map<String, Json> = extra.into_iter().collect();
        for (name, v) in FIELDS.iter().zip(values) {
            if let Some(v) = v {
                map.insert(name.to_string(), v);
            }
        }
        Json::Object(map)
    });
    prop_oneof![9 => object, 1 => json_value()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn a_value_decodes_and_evaluates_as_its_json_text(value in record()) {
        let policy = compile(SCHEMA).unwrap();
        let text = serde_json::to_string(&value).unwrap();
        let from_text = decode_json(&policy.schema, &text);
        let from_value = policy.decode_value(&value);
        prop_assert_eq!(shown(&from_value), shown(&from_text));
        let mut de = serde_json::Deserializer::from_str(&text);
        prop_assert_eq!(shown(&policy.decode_from(&mut de).unwrap()), shown(&from_text));
        prop_assert_eq!(policy.evaluate_value(&value), outcome_of(&policy, from_text));
        let batch = policy.evaluate_values(std::slice::from_ref(&value));
        let text_batch = evaluate_all(&policy, DataFormat::Ndjson, format!("{text}\n").as_bytes()).unwrap();
        prop_assert_eq!(batch.results, without_lines(&text_batch.results));
    }
}

#[test]
fn the_schema_accepts_what_the_generator_calls_good() {
    // The generator's valid records are valid: the proptest compares valid rows too.
    let policy = compile(SCHEMA).unwrap();
    let value = json!({"id": "A-1", "n": 101, "d": 5.25, "q": "20%", "day": "2026-07-01",
        "e": "blue", "flag": true, "tags": ["x"], "nums": [1, 2], "zz": {"nested": [1]}});
    let row = policy.decode_value(&value).unwrap();
    assert_eq!(shown(&row[2]), "Decimal(5.25)");
    let outcome = policy.evaluate_value(&value);
    let fired: Vec<&str> = outcome.rules.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(fired, ["big", "low", "late", "sum"]);
    assert_eq!(outcome.warnings[0].reason, "1 tags, t is none");
    assert_eq!(outcome.rules[0].reason, "101 is over 100, d is 5.25");
}
