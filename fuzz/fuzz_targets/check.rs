//! Parse and check arbitrary text: never a panic, a hang or a stack overflow.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok((policy, _warnings)) = clearance::compile_with_warnings(text) {
            // A policy that checks can run its own tests.
            let _ = clearance::testing::run_tests(&policy, None);
        }
    }
});
