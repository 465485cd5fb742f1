//! The memory of a run with `limit` rules grows with the batch by a few dozen bytes
//! per record that takes part in the allocation, not by a result per record: measured
//! with a counting allocator (peak bytes in use), not with time.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use clearance::data::DataFormat;
use clearance::run::{evaluate_all, evaluate_parallel, Parallel, RecordResult};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed to the system allocator as it is; only counts are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Relaxed) + layout.size();
            PEAK.fetch_max(now, Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak bytes in use while `f` runs, above those in use before.
fn peak_of(f: impl FnOnce()) -> usize {
    let before = CURRENT.load(Relaxed);
    PEAK.store(before, Relaxed);
    f();
    PEAK.load(Relaxed).saturating_sub(before)
}

/// `n` records that all take part in the national allocation (in scope, allowed by
/// every per-record rule), of 1,000 units each: 400 are admitted, the rest refused.
fn batch(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                concat!(
                    r#"{{"id": "R-{}", "firm": "Firm {}", "tier": "tier1", "action": "import", "#,
                    r#""item": "H200", "units": 1000, "domestic_quota": "35%", "relative_perf": 0.8, "#,
                    r#""us_license": true, "customs_hold": false, "applied_on": "2026-01-{:02}"}}"#,
                    "\n"
                ),
                i,
                i % 97,
                1 + i % 28
            )
        })
        .collect()
}

#[test]
fn a_limit_run_keeps_a_few_dozen_bytes_per_record_not_its_result() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("policies/h200_first_batch.policy")).unwrap();
    let mut params = clearance::Params::new();
    params.set("today", "2026-02-10");
    let policy = clearance::compile_with(&text, &params).expect("a valid policy");
    let (small, large) = (20_000, 100_000);
    let run = |data: &str| {
        let mut lines = 0;
        let summary = evaluate_parallel(
            &policy,
            DataFormat::Ndjson,
            data.as_bytes(),
            Parallel {
                threads: 2,
                explain_source: None,
            },
            &|chunk: Vec<RecordResult>| chunk.len(),
            &mut |n, _| {
                lines += n;
                ControlFlow::Continue(())
            },
        )
        .expect("readable data");
        assert_eq!(lines, summary.records);
        assert_eq!(summary.allocations[0].admitted_records, 400);
        summary
    };
    let (data_small, data_large) = (batch(small), batch(large));
    let mut summary = None;
    let streamed_small = peak_of(|| drop(run(&data_small)));
    let streamed_large = peak_of(|| summary = Some(run(&data_large)));
    let summary = summary.unwrap();
    assert_eq!(summary.records, large);
    assert_eq!(summary.waitlist, large - 400);
    assert_eq!(summary.allocations[0].refused_ids.len(), large - 400);

    // For scale: every result kept in memory, as the run did before the second pass.
    let kept = peak_of(|| {
        let report = evaluate_all(&policy, DataFormat::Ndjson, data_small.as_bytes()).unwrap();
        assert_eq!(report.results.len(), small);
    });
    let per_result = kept / small;

    let per_record = (streamed_large.saturating_sub(streamed_small)) / (large - small);
    // What is kept per record: its claim (`Allocator::bytes_per_claim`: 64 bytes, and 32
    // for its order key until the allocation ends), its number among the refused, and
    // (these records are nearly all refused) its label, which the summary reports, on its
    // way from the second pass to the summary.
    assert!(
        clearance::allocation::Allocator::bytes_per_claim() <= 96,
        "{} bytes per claim",
        clearance::allocation::Allocator::bytes_per_claim()
    );
    assert!(
        per_record <= 192,
        "{per_record} bytes per record (a result in memory: {per_result})"
    );
    assert!(
        per_record * 3 < per_result,
        "{per_record} bytes per record against {per_result} for a result"
    );
}
