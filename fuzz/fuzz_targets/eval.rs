//! Evaluate a fixed policy over arbitrary NDJSON and CSV bytes: never a panic, exactly
//! one result per record, and an erroring record is never allowed.
#![no_main]
use std::sync::OnceLock;

use clearance::Policy;
use clearance::outcome::Decision;
use clearance::data::{CsvDelimiter, DataFormat};
use libfuzzer_sys::fuzz_target;

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let text = include_str!("../../policies/h200_first_batch.policy");
        clearance::compile(text).expect("the bundled policy checks")
    })
}

fuzz_target!(|data: &[u8]| {
    let policy = policy();
    for format in [DataFormat::Ndjson, DataFormat::Csv(CsvDelimiter::Comma)] {
        let mut results = Vec::new();
        let read = clearance::run::evaluate(policy, format, data, &mut |r| results.push(r));
        if let Ok(summary) = read {
            assert_eq!(summary.records, results.len());
            assert_eq!(
                summary.allow + summary.deny + summary.waitlist + summary.error,
                summary.records
            );
            for r in &results {
                if !r.outcome.errors.is_empty() {
                    assert_eq!(r.outcome.decision, Decision::Error);
                }
            }
            if format == DataFormat::Ndjson {
                let lines = data
                    .split(|b| *b == b'\n')
                    .filter(|l| !l.iter().all(|b| b.is_ascii_whitespace()))
                    .count();
                assert_eq!(lines, results.len(), "one result per non-blank line");
            }
        }
    }
});
