//! Decode and evaluate arbitrary bytes as NDJSON, as a JSON array and as CSV, for a
//! policy with a field of every type: never a panic, one result per record, counts that
//! add up, and a record with an error (bad data or a runtime error) is never allowed.
#![no_main]
use std::sync::OnceLock;

use clearance::{Decision, Policy};
use clearance::data::{read_records, CsvDelimiter, DataFormat};
use clearance::run::{evaluate, RecordResult, Summary};
use libfuzzer_sys::fuzz_target;
use serde::de::IgnoredAny;

/// Every type: bool, int, decimal, percent, text, date, enums, lists, optional fields.
fn all_types() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        clearance::compile(include_str!("../policies/data.policy")).expect("data.policy checks")
    })
}

/// The same without lists, which CSV cannot hold.
fn csv_types() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        clearance::compile(include_str!("../policies/data_csv.policy"))
            .expect("data_csv.policy checks")
    })
}

/// Evaluates `data`; on success checks the results against the summary and against
/// the records the decoder reads on its own, and returns how many there were.
fn run(policy: &Policy, format: DataFormat, data: &[u8]) -> Option<usize> {
    let mut results = Vec::new();
    let summary = evaluate(policy, format, data, &mut |r| results.push(r));
    let mut decoded = Vec::new();
    let read = read_records(&policy.schema, format, data, &mut |r| decoded.push(r));
    assert_eq!(
        summary.is_ok(),
        read.is_ok(),
        "{format:?}: evaluate and read_records disagree on whether the input reads"
    );
    let summary = summary.ok()?;
    check_summary(&summary, &results);
    assert_eq!(
        decoded.len(),
        results.len(),
        "{format:?}: one result per record"
    );
    for (i, (r, d)) in results.iter().zip(&decoded).enumerate() {
        assert_eq!(r.position, i + 1, "{format:?}: results in input order");
        assert_eq!(d.position, i + 1, "{format:?}: records in input order");
        assert_eq!(r.line, d.line, "{format:?}: the record's line");
        if !r.outcome.errors.is_empty() || d.row.is_err() {
            assert_eq!(
                r.outcome.decision,
                Decision::Error,
                "{format:?}: a record with an error is never decided otherwise: {r:?}"
            );
        }
        if r.outcome.decision == Decision::Error {
            assert!(!r.outcome.errors.is_empty(), "an error decision says why");
        }
    }
    Some(results.len())
}

fn check_summary(s: &Summary, results: &[RecordResult]) {
    assert_eq!(s.records, results.len());
    assert_eq!(s.allow + s.deny + s.waitlist + s.error, s.records);
    for d in [
        Decision::Allow,
        Decision::Deny,
        Decision::Waitlist,
        Decision::Error,
    ] {
        let n = results.iter().filter(|r| r.outcome.decision == d).count();
        assert_eq!(s.count(d), n, "the summary counts {d:?} decisions");
    }
    let warned = results
        .iter()
        .filter(|r| !r.outcome.warnings.is_empty())
        .count();
    assert_eq!(s.warned, warned);
    for a in &s.allocations {
        assert!(a.admitted_records + a.refused_records <= s.records, "{a:?}");
        assert_eq!(a.refused_records, a.refused_ids.len(), "{a:?}");
        if let (Ok(cap), Ok(admitted)) = (a.cap.parse::<i128>(), a.admitted.parse::<i128>()) {
            assert!(admitted <= cap, "more admitted than the cap: {a:?}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Some(n) = run(all_types(), DataFormat::Ndjson, data) {
        let lines = data
            .split(|b| *b == b'\n')
            .filter(|l| !l.iter().all(|b| b.is_ascii_whitespace()))
            .count();
        assert_eq!(lines, n, "NDJSON: one result per non-blank line");
    }
    // A JSON array may be refused as a whole; one that is valid JSON never is.
    let array = run(all_types(), DataFormat::Json, data);
    let json = std::str::from_utf8(data).ok();
    if let Some(Ok(elements)) = json.map(serde_json::from_str::<Vec<IgnoredAny>>) {
        assert_eq!(
            array,
            Some(elements.len()),
            "a valid JSON array: one result per element"
        );
    }
    run(csv_types(), DataFormat::Csv(CsvDelimiter::Comma), data);
});
