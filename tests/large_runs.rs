//! Large runs: a `limit` policy reads its data twice (a file again, standard input from
//! a temporary copy) with the same output either way; `explain` without a `limit`
//! stops reading at its record; no progress line where no one watches it.

use std::io::{BufRead, Read, Write};
use std::ops::ControlFlow;
use std::process::{Command, Stdio};

use clearance::data::DataFormat;
use clearance::run::{evaluate_source, Parallel, RecordResult, Source};

const BIN: &str = env!("CARGO_BIN_EXE_clearance");
const H200: &str = "policies/h200_first_batch.policy";
const H200_DATA: &str = "policies/data/h200_first_batch.ndjson";

fn root() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `clearance ARGS` with `stdin` as its input: exit code, stdout, stderr.
fn run(args: &[&str], stdin: &[u8]) -> (Option<i32>, Vec<u8>, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("clearance starts");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let feeder = std::thread::spawn(move || input.write_all(&data));
    let out = child.wait_with_output().unwrap();
    feeder
        .join()
        .unwrap()
        .expect("clearance reads all of its input");
    let stderr = String::from_utf8(out.stderr).unwrap();
    (out.status.code(), out.stdout, stderr)
}

#[test]
fn a_limit_run_from_standard_input_is_the_run_from_the_file() {
    let data = std::fs::read(root().join(H200_DATA)).unwrap();
    for format in ["ndjson", "json", "csv", "table"] {
        for threads in ["1", "3"] {
            let mut args = vec!["eval", H200, "--set", "today=2026-02-10"];
            args.extend(["--format", format, "--threads", threads]);
            let from_file = run(&[&args[..], &["--data", H200_DATA]].concat(), b"");
            let stdin_args = ["--data", "-", "--data-format", "ndjson"];
            let from_stdin = run(&[&args[..], &stdin_args].concat(), &data);
            // 1: the sample has records that are errors (`--fail-on error`).
            assert_eq!(from_file.0, Some(1), "{format} {threads}: {}", from_file.2);
            assert_eq!(from_file, from_stdin, "{format}, {threads} threads");
            assert!(!from_file.1.is_empty());
        }
    }
    // With explanations (and their ledgers) too.
    let args = ["eval", H200, "--set", "today=2026-02-10", "--explain"];
    let from_file = run(&[&args[..], &["--data", H200_DATA]].concat(), b"");
    let from_stdin = run(
        &[&args[..], &["--data", "-", "--data-format", "ndjson"]].concat(),
        &data,
    );
    assert_eq!(from_file, from_stdin);
    assert!(String::from_utf8_lossy(&from_file.1).contains("\"before\""));
}

/// A source whose second opening gives other data, as a file rewritten during a run.
struct Changing {
    first: String,
    second: String,
    opened: std::sync::atomic::AtomicUsize,
}

impl Source for Changing {
    fn open(&self) -> std::io::Result<Box<dyn BufRead + Send>> {
        let n = self
            .opened
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let text = if n == 0 { &self.first } else { &self.second };
        Ok(Box::new(std::io::Cursor::new(text.clone().into_bytes())))
    }
}

#[test]
fn data_that_changes_between_the_two_readings_is_an_input_error() {
    let policy = clearance::compile(&std::fs::read_to_string(root().join(H200)).unwrap()).unwrap();
    let data = std::fs::read_to_string(root().join(H200_DATA)).unwrap();
    let lines: Vec<&str> = data.lines().collect();
    let shorter = lines[..lines.len() - 1].join("\n");
    let swapped = [&lines[1..], &lines[..1]].concat().join("\n");
    for second in [shorter, swapped] {
        let source = Changing {
            first: data.clone(),
            second,
            opened: Default::default(),
        };
        for threads in [1, 3] {
            source.opened.store(0, std::sync::atomic::Ordering::Relaxed);
            let options = Parallel {
                threads,
                explain_source: None,
            };
            let e = evaluate_source(
                &policy,
                DataFormat::Ndjson,
                &source,
                options,
                &mut |_, _| {},
                &|chunk: Vec<RecordResult>| chunk.len(),
                &mut |_, _| ControlFlow::Continue(()),
            )
            .expect_err("the data changed");
            assert!(
                e.message
                    .starts_with("the data changed between its two readings"),
                "{}",
                e.message
            );
        }
    }
}

/// NDJSON records of the streaming fixture, the `n`-th with id `R-n`.
fn record(i: usize) -> String {
    format!(
        concat!(
            r#"{{"id": "R-{}", "firm": "Firm {}", "tier": "tier1", "action": "import", "#,
            r#""item": "H20", "units": 1000, "domestic_quota": "35%", "relative_perf": 0.8, "#,
            r#""us_license": true, "customs_hold": false, "applied_on": "2026-01-05"}}"#,
            "\n"
        ),
        i,
        i % 97,
    )
}

/// Records offered to `explain` on its stdin: far more than it reads ahead.
const OFFERED: usize = 300_000;

/// `explain --record R-3` on standard input fed by a writer that sees it close:
/// how many records were fed, and the command's output.
fn explain_fed(policy: &str) -> (usize, Option<i32>, String, String) {
    let mut child = Command::new(BIN)
        .args(["explain", policy, "--data", "-", "--data-format", "ndjson"])
        .args(["--record", "R-3", "--format", "json"])
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
                return fed; // explain has exited: its input is closed
            }
            fed += 1000;
        }
        fed // all offered: dropping `stdin` ends the input
    });
    let (mut out, mut err) = (String::new(), String::new());
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    (feeder.join().unwrap(), status.code(), out, err)
}

#[test]
fn explain_without_a_limit_stops_reading_at_its_record() {
    let (fed, code, out, err) = explain_fed("tests/fixtures/h200_streaming.policy");
    assert_eq!((code, err.as_str()), (Some(0), ""));
    assert!(out.contains("\"record\": \"R-3\""), "{out}");
    // The reader stays a few chunks (1,024 records each) ahead of the workers.
    assert!(fed < OFFERED / 4, "explain read {fed} of {OFFERED} records");
}

#[test]
fn explain_with_a_limit_reads_every_record() {
    let (fed, code, out, err) = explain_fed(H200);
    assert_eq!((code, err.as_str()), (Some(0), ""));
    assert!(out.contains("\"record\": \"R-3\""), "{out}");
    assert_eq!(fed, OFFERED, "the allocation needs every record");
}

#[test]
fn no_progress_line_on_a_pipe_or_in_ci() {
    // Enough records for a run of more than a second, when a line would show.
    let data: String = (0..150_000).map(record).collect();
    let args = [
        "eval",
        "tests/fixtures/h200_streaming.policy",
        "--data",
        "-",
        "--data-format",
        "ndjson",
    ];
    let (code, out, err) = run(&args, data.as_bytes());
    assert_eq!(code, Some(0));
    assert_eq!(out.iter().filter(|b| **b == b'\n').count(), 150_000);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "only the summary on a pipe:\n{err}");
    assert!(lines[0].starts_with("150000 records: "), "{err}");
    assert!(!err.contains('\r') && !err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn the_decision_without_reasons_is_the_decision_with_them() {
    let root = root();
    for name in ["h200_first_batch", "domestic_quota", "export_control"] {
        let text = std::fs::read_to_string(root.join(format!("policies/{name}.policy"))).unwrap();
        let policy = clearance::compile(&text).unwrap();
        let data =
            std::fs::read_to_string(root.join(format!("policies/data/{name}.ndjson"))).unwrap();
        let mut rows = 0;
        for line in data.lines() {
            let Ok(row) = clearance::data::decode_json(&policy.schema, line) else {
                continue;
            };
            let (full, brief) = (policy.evaluate_row(&row), policy.evaluate_decision(&row));
            assert_eq!(full.decision, brief.decision, "{name}: {line}");
            assert_eq!(full.warnings.len(), brief.warnings.len(), "{name}: {line}");
            assert_eq!(full.errors.len(), brief.errors.len(), "{name}: {line}");
            rows += 1;
        }
        assert!(rows > 100, "{name}");
    }
    // A `because` that cannot be rendered makes the record an error in both.
    let policy = clearance::compile(
        "policy \"p\"\nschema { n: int }\nrule r: deny when n > 1 because \"{n * 9223372036854775807}\"\n",
    )
    .unwrap();
    let row = clearance::data::decode_json(&policy.schema, r#"{"n": 2}"#).unwrap();
    let full = policy.evaluate_row(&row);
    assert_eq!(full.decision, clearance::Decision::Error);
    assert_eq!(policy.evaluate_decision(&row).decision, full.decision);
}
