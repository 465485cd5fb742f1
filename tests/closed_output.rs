//! A closed standard output (`clearance … | head`) ends every command quietly: no panic,
//! nothing on stderr that an open output would not have had, the exit code the command
//! established (docs/language.md, Output), and `eval` stops reading its input.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::ops::ControlFlow;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;

use clearance::data::DataFormat;
use clearance::run::{evaluate_parallel, Parallel, RecordResult};

const BIN: &str = env!("CARGO_BIN_EXE_clearance");
const H200: &str = "policies/h200_first_batch.policy";
const H200_DATA: &str = "policies/data/h200_first_batch.ndjson";

/// The writing end of a pipe whose reading end is already closed: the first write to it
/// fails with a broken pipe, however early it comes. (The reading end belonged to a
/// process that has ended without reading.)
fn closed_pipe() -> Stdio {
    let mut reader = Command::new(BIN)
        .arg("--version")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("clearance starts");
    let stdin = reader.stdin.take().expect("a piped stdin");
    reader.wait().expect("clearance --version ends");
    Stdio::from(stdin)
}

/// `clearance ARGS` with standard output open (captured): exit code, stdout, stderr.
fn open_run(args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = common::clearance().args(args).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    (out.status.code().unwrap_or(-1), out.stdout, stderr)
}

/// `clearance ARGS` with standard output closed before it starts: exit code, stderr.
fn closed_run(args: &[&str]) -> (Option<i32>, String) {
    let child = Command::new(BIN)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(closed_pipe())
        .stderr(Stdio::piped())
        .spawn()
        .expect("clearance starts");
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

/// Compares a run with its output closed to the same run with it open: the same exit
/// code, no panic, and nothing on stderr (or, when the command writes nothing to
/// stdout, the same as with it open).
fn check_case(args: &[&str]) {
    let (open_code, open_stdout, open_stderr) = open_run(args);
    let expected = if open_stdout.is_empty() {
        open_stderr
    } else {
        String::new()
    };
    check_closed(args, open_code, &expected);
}

/// Runs with stdout closed and checks the code and the whole of stderr.
fn check_closed(args: &[&str], expected_code: i32, expected_stderr: &str) {
    let (code, stderr) = closed_run(args);
    let case = args.join(" ");
    assert!(!stderr.contains("panicked"), "`{case}` panicked:\n{stderr}");
    // Killed by a signal, there would be no code.
    let code = code.unwrap_or_else(|| panic!("`{case}` did not exit normally"));
    assert!(code <= 2, "`{case}` exited with {code}:\n{stderr}");
    assert_eq!(
        code, expected_code,
        "`{case}`: the code is the command's own"
    );
    assert_eq!(
        stderr, expected_stderr,
        "`{case}`: stderr with stdout closed"
    );
}

#[test]
fn check_with_its_output_closed() {
    for file in [H200, "tests/fixtures/unknown_field.policy"] {
        for format in ["human", "json"] {
            check_case(&["check", file, "--format", format]);
        }
    }
}

#[test]
fn test_with_its_output_closed() {
    for path in ["policies/", "tests/fixtures/failing_tests.policy"] {
        for format in ["human", "json", "junit"] {
            check_case(&["test", path, "--format", format]);
        }
    }
    // An invalid policy among the files: its diagnostics come before any output, and
    // are all that the open run has on stderr.
    let args = ["test", "tests/fixtures/unknown_field.policy", H200];
    let (code, stdout, stderr) = open_run(&args);
    assert!(!stdout.is_empty() && stderr.contains("clearance::name::unknown_field"));
    check_closed(&args, code, &stderr);
}

#[test]
fn eval_with_its_output_closed() {
    let inputs = [
        (H200, H200_DATA), // `limit`: the results wait for the allocation
        (H200, "policies/data/h200_first_batch.csv"),
        (
            "policies/domestic_quota.policy",
            "policies/data/domestic_quota.json",
        ),
        ("tests/fixtures/h200_streaming.policy", H200_DATA),
    ];
    for (policy, data) in inputs {
        for format in ["table", "json", "ndjson", "csv"] {
            check_case(&["eval", policy, "--data", data, "--format", format]);
        }
        check_case(&[
            "eval",
            policy,
            "--data",
            data,
            "--format",
            "json",
            "--explain",
        ]);
        // `--fail-on` matched: the code says so with the output closed too.
        check_case(&["eval", policy, "--data", data, "--fail-on", "deny"]);
    }
}

#[test]
fn explain_with_its_output_closed() {
    for format in ["human", "json"] {
        check_case(&[
            "explain", H200, "--data", H200_DATA, "--record", "H-00012", "--format", format,
        ]);
    }
}

#[test]
fn diff_with_its_output_closed() {
    for format in ["table", "json", "csv"] {
        check_case(&[
            "diff",
            H200,
            "tests/fixtures/h200_stricter.policy",
            "--data",
            H200_DATA,
            "--format",
            format,
        ]);
    }
}

#[test]
fn fmt_with_its_output_closed() {
    // `--check` shows the diff on stdout.
    check_case(&["fmt", "--check", "tests/fmt/messy.policy", H200]);
    check_case(&["fmt", "--check", H200]);
    // Rewriting writes nothing to stdout; each run rewrites its own copy.
    for closed in [false, true] {
        let dir = std::env::temp_dir().join(format!(
            "clearance-closed-output-{}-{closed}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("messy.policy");
        let messy = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fmt/messy.policy");
        std::fs::copy(messy, &file).unwrap();
        let file = file.to_str().unwrap();
        let (code, stderr) = if closed {
            closed_run(&["fmt", file])
        } else {
            let (code, _, stderr) = open_run(&["fmt", file]);
            (Some(code), stderr)
        };
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(stderr, format!("formatted {file}\n"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn the_ci_formats_and_completions_with_their_output_closed() {
    for format in ["sarif", "github"] {
        check_case(&[
            "check",
            "tests/fixtures/lints.policy",
            "tests/fixtures/unknown_field.policy",
            "--format",
            format,
        ]);
    }
    for path in ["policies/", "tests/fixtures/failing_tests.policy"] {
        check_case(&["test", path, "--format", "tap"]);
    }
    for shell in ["bash", "zsh", "fish", "powershell"] {
        check_case(&["completions", shell]);
    }
}

/// `clearance fmt ARGS -` with `input` on stdin and stdout closed: exit code, stderr.
fn closed_fmt_stdin(args: &[&str], input: &str) -> (Option<i32>, String) {
    let mut child = Command::new(BIN)
        .arg("fmt")
        .args(args)
        .arg("-")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(closed_pipe())
        .stderr(Stdio::piped())
        .spawn()
        .expect("clearance starts");
    child
        .stdin
        .take()
        .expect("a piped stdin")
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn fmt_of_standard_input_with_its_output_closed() {
    let messy = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fmt/messy.policy"),
    )
    .unwrap();
    assert_eq!(closed_fmt_stdin(&[], &messy), (Some(0), String::new()));
    assert_eq!(
        closed_fmt_stdin(&["--check"], &messy),
        (Some(1), String::new())
    );
}

#[test]
fn help_and_version_with_their_output_closed() {
    check_case(&["--help"]);
    check_case(&["--version"]);
    check_case(&["eval", "--help"]);
    check_case(&["help", "test"]);
}

#[test]
fn a_closed_stderr_does_not_panic_either() {
    let out = Command::new(BIN)
        .args(["check", "tests/fixtures/unknown_field.policy"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(closed_pipe())
        .status()
        .unwrap();
    // A panic exits with 101.
    assert_eq!(out.code(), Some(2));
}

/// One NDJSON record of the first-batch schema.
fn record(i: usize) -> String {
    format!(
        concat!(
            r#"{{"id": "R-{}", "firm": "Firm {}", "tier": "tier1", "action": "import", "#,
            r#""item": "H20", "units": {}, "domestic_quota": "35%", "relative_perf": 0.8, "#,
            r#""us_license": true, "customs_hold": false, "applied_on": "2026-01-05"}}"#,
            "\n"
        ),
        i,
        i % 97,
        1000 + i % 500_000,
    )
}

/// Records offered to `eval` on its stdin: far more than it can have read ahead when
/// its output closes.
const OFFERED: usize = 200_000;

/// Feeds `eval` records on stdin, reads one line of its output and closes it: `eval`
/// must end by itself (without the test closing its input) and quietly, having read
/// only a small part of what was offered. The count comes from the feeding side, which
/// sees the input close when `eval` exits; no timing is involved.
fn eval_stops_reading(format: &str) {
    let mut child = Command::new(BIN)
        .args([
            "eval",
            "tests/fixtures/h200_streaming.policy",
            "--data",
            "-",
        ])
        .args([
            "--data-format",
            "ndjson",
            "--format",
            format,
            "--threads",
            "2",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("clearance starts");
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let mut fed = 0;
        while fed < OFFERED {
            let batch: String = (fed..fed + 1000).map(record).collect();
            if stdin.write_all(batch.as_bytes()).is_err() {
                return fed; // eval has exited: its input is closed
            }
            fed += 1000;
        }
        fed
    });
    let mut stderr = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reading end is dropped here: eval's next write fails.
    let status = child.wait().unwrap();
    let fed = feeder.join().unwrap();
    let stderr = errors.join().unwrap();
    assert!(!first.is_empty(), "eval wrote nothing");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr, "");
    assert_eq!(status.code(), Some(0));
    // The reader stays a few chunks ahead of the output (1,024 records each, some per
    // thread): a small part of what was offered.
    assert!(
        fed < OFFERED / 4,
        "eval read {fed} of {OFFERED} records after its output closed"
    );
}

#[test]
fn eval_stops_reading_when_its_ndjson_output_closes() {
    eval_stops_reading("ndjson");
}

#[test]
fn eval_stops_reading_when_its_csv_output_closes() {
    eval_stops_reading("csv");
}

/// A reader that counts the bytes taken from it.
struct Counted<'a> {
    inner: &'a [u8],
    taken: Arc<AtomicUsize>,
}

impl Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.taken.fetch_add(n, Relaxed);
        Ok(n)
    }
}

/// The library side: a sink that breaks stops the reader and the workers.
#[test]
fn a_parallel_run_stops_reading_when_its_sink_breaks() {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let data: String = (0..100_000).map(record).collect();
    for (policy, limits) in [
        ("tests/fixtures/h200_streaming.policy", false),
        (H200, true),
    ] {
        let text = std::fs::read_to_string(fixture.join(policy)).unwrap();
        let policy = clearance::compile(&text).expect("a valid policy");
        for threads in [1, 3] {
            let taken = Arc::new(AtomicUsize::new(0));
            let input = BufReader::new(Counted {
                inner: data.as_bytes(),
                taken: taken.clone(),
            });
            let options = Parallel {
                threads,
                explain_source: None,
            };
            let mut calls = 0;
            let summary = evaluate_parallel(
                &policy,
                DataFormat::Ndjson,
                input,
                options,
                &|chunk: Vec<RecordResult>| chunk.len(),
                &mut |_, _| {
                    calls += 1;
                    ControlFlow::Break(())
                },
            )
            .expect("readable data");
            assert_eq!(calls, 1, "the sink is not called after it breaks");
            let taken = taken.load(Relaxed);
            if limits {
                // The allocation needs every record before the first result.
                assert_eq!(summary.records, 100_000);
                assert_eq!(taken, data.len());
            } else {
                assert_eq!(summary.records, 1024, "one chunk was handed to the sink");
                assert!(
                    taken < data.len() / 4,
                    "{threads} threads read {taken} of {} bytes",
                    data.len()
                );
            }
        }
    }
}

/// A failure to write other than a closed pipe is an error (exit 2), said once.
#[test]
fn a_full_disk_is_an_error() {
    for args in [
        &["test", "policies/"][..],
        &["check", H200, "--format", "json"],
        &["eval", H200, "--data", H200_DATA],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("Linux has /dev/full");
        let out = Command::new(BIN)
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(
            stderr,
            "error: cannot write the output: No space left on device (os error 28)\n"
        );
    }
}
