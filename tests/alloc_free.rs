//! The streaming hot path makes no heap allocation per record once warm: NDJSON in,
//! NDJSON out, through `evaluate_rendered` as `clearance eval --format ndjson` calls it,
//! on records without errors (docs/performance.md). Its own test binary: the counting
//! allocator below is global.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use clearance::run::{evaluate_rendered, Fields, Parallel, Rendering};
use clearance::{DataFormat, Policy};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn policy() -> Policy {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/benches/h200_per_record.policy"
    ))
    .unwrap();
    clearance::compile(&text).unwrap()
}

/// `n` good records, every rule of the policy firing on some (warnings and generated
/// reasons with margins included), the optional `note` present, null or absent.
fn records(n: usize) -> String {
    let mut s = String::new();
    let tiers = ["tier1", "tier2", "tier3"];
    let items = ["H200", "H20", "B30A", "MI308"];
    let notes = [r#", "note": "priority lane""#, r#", "note": null"#, ""];
    for i in 0..n {
        let action = if i % 13 == 0 { "export" } else { "import" };
        s.push_str(&format!(
            r#"{{"id": "H-{i:07}", "firm": "Firm {}", "tier": "{}", "action": "{action}", "item": "{}", "units": {}, "domestic_quota": "{}%", "relative_perf": {}, "us_license": {}, "customs_hold": {}, "applied_on": "2026-01-{:02}"{}}}"#,
            i % 7,
            tiers[i % 3],
            items[i % 4],
            [2_000, 150_000, 250_000, 450_000][i % 4],
            5 + i % 56,
            ["0.8", "1.0", "2.5"][i % 3],
            i % 5 != 0,
            i % 11 == 0,
            1 + i % 28,
            notes[i % 3],
        ));
        s.push('\n');
    }
    s
}

/// Allocations made by one run over `data`, and what it wrote (length, warned records).
fn allocations(policy: &Policy, data: &str, threads: usize) -> (usize, usize, usize) {
    let mut written = 0usize;
    let options = Parallel {
        threads,
        explain_source: None,
    };
    let before = ALLOCATIONS.load(Relaxed);
    let summary = evaluate_rendered(
        policy,
        DataFormat::Ndjson,
        data.as_bytes(),
        options,
        Rendering::Ndjson,
        Fields::ALL,
        &mut |bytes, _| {
            written += bytes.len();
            ControlFlow::Continue(())
        },
    )
    .unwrap();
    let used = ALLOCATIONS.load(Relaxed) - before;
    assert_eq!(summary.error, 0);
    (used, written, summary.warned)
}

#[test]
fn ndjson_to_ndjson_allocates_nothing_per_record_once_warm() {
    let policy = policy();
    let (small, large) = (records(10_000), records(20_000));
    // One thread: the same allocations (buffers, once) for twice the records.
    let (a, written, warned) = allocations(&policy, &small, 1);
    let (b, written_twice, _) = allocations(&policy, &large, 1);
    assert!(
        warned > 0 && written_twice > written,
        "the runs did something"
    );
    assert_eq!(
        a, b,
        "allocations for 10,000 records vs for 20,000, on one thread"
    );
    // More threads: threads and channels cost a few allocations, never one per record.
    let (a, ..) = allocations(&policy, &small, 3);
    let (b, ..) = allocations(&policy, &large, 3);
    assert!(
        b.abs_diff(a) < 200,
        "allocations for 10,000 records {a} vs for 20,000 {b}, on three threads"
    );
}
