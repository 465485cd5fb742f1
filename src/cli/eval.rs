//! `clearance eval POLICY --data FILE`

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};

use clap::{Args, ValueEnum};

use super::output::{CsvOut, TableOut};
use super::{print_diagnostics, print_file_error, read_policy, EXIT_FAILED, EXIT_INVALID, EXIT_OK};
use clearance::check::Decision;
use clearance::data::{CsvDelimiter, DataFormat, InputError};
use clearance::run::{evaluate_parallel, Parallel, RecordResult, Report, Summary};

/// Evaluate a policy over a batch of records: one decision per record, with reasons.
#[derive(Args)]
pub struct EvalArgs {
    /// The policy file.
    #[arg(value_name = "POLICY")]
    pub policy: String,
    #[command(flatten)]
    pub data: DataArgs,
    /// Output: `table` (default on a terminal), `json`, `ndjson` (default otherwise) or `csv`.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
    /// Include, per record, every rule with the value of each part of its condition
    /// (`json` and `ndjson` output).
    #[arg(long)]
    pub explain: bool,
    /// In `csv` output, leave cells that start with `=`, `+`, `-` or `@` as they are
    /// (by default they get a leading `'` so that spreadsheets do not run them).
    #[arg(long)]
    pub csv_raw: bool,
    /// Worker threads (default: all cores). The output is the same for any number.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Exit with 1 when any record gets one of these decisions.
    #[arg(long, value_delimiter = ',', value_name = "DECISIONS", default_value = "error", value_parser = parse_decision)]
    pub fail_on: Vec<Decision>,
}

/// Where the records come from: what `eval`, `explain` and `diff` share.
#[derive(Args)]
pub struct DataArgs {
    /// The data file (`.json`, `.ndjson`/`.jsonl`, `.csv`), or `-` for standard input.
    #[arg(long = "data", value_name = "FILE")]
    pub path: String,
    /// The data format, when the file name does not tell (required for `-`).
    #[arg(long, value_enum)]
    pub data_format: Option<DataFormat>,
    /// The character between CSV cells: `,` (the default), `;`, `tab` or `|`.
    #[arg(long, value_name = "DELIMITER", value_parser = parse_delimiter)]
    pub csv_delimiter: Option<CsvDelimiter>,
}

fn parse_delimiter(s: &str) -> Result<CsvDelimiter, String> {
    CsvDelimiter::parse(s)
        .ok_or_else(|| format!("`{s}` is not a CSV delimiter; use `,`, `;`, `tab` or `|`"))
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    Ndjson,
    Csv,
}

fn parse_decision(s: &str) -> Result<Decision, String> {
    Decision::parse(s.trim())
        .ok_or_else(|| format!("`{s}` is not a decision (allow, deny, waitlist, error)"))
}

/// The compiled policy and its source: what `eval`, `explain` and `diff` start from.
pub struct Prepared {
    pub source: clearance::diagnostics::SourceFile,
    pub policy: clearance::check::CheckedPolicy,
}

/// Reads and compiles a policy, printing its diagnostics; `None` when it has errors.
pub fn prepare(path: &str) -> Option<Prepared> {
    let source = match read_policy(path) {
        Ok(s) => s,
        Err(m) => {
            print_file_error(&m);
            return None;
        }
    };
    match clearance::compile(&source.text) {
        Ok(policy) => Some(Prepared { source, policy }),
        Err(d) => {
            print_diagnostics(&d, &source);
            eprintln!("{path}: the policy has errors; nothing was evaluated");
            None
        }
    }
}

/// The data's format, from the flags or the file name; problems are printed.
pub fn data_format(data: &DataArgs) -> Option<DataFormat> {
    let path = &data.path;
    let Some(format) = data.data_format.or_else(|| DataFormat::from_path(path)) else {
        print_file_error(&format!(
            "cannot tell the format of `{path}` from its name; pass --data-format json, ndjson or csv"
        ));
        return None;
    };
    match (format, data.csv_delimiter) {
        (DataFormat::Csv(_), Some(d)) => Some(DataFormat::Csv(d)),
        (_, None) => Some(format),
        (other, Some(_)) => {
            print_file_error(&format!(
                "--csv-delimiter applies to CSV data only, and `{path}` is read as {}",
                other.name()
            ));
            None
        }
    }
}

/// Prints an input error with the data file's name and the place: `FILE:LINE:COLUMN: …`.
pub fn print_input_error(path: &str, e: &InputError) {
    print_file_error(&format!("{path}{}: {}", e.location(), e.message));
}

/// Opens the data file (`-`: standard input).
pub fn open_data(path: &str) -> Option<Box<dyn BufRead + Send>> {
    if path == "-" {
        return Some(Box::new(BufReader::with_capacity(1 << 16, io::stdin())));
    }
    match File::open(path) {
        Ok(f) => Some(Box::new(BufReader::with_capacity(1 << 16, f))),
        Err(e) => {
            print_file_error(&format!("cannot read `{path}`: {e}"));
            None
        }
    }
}

/// The compiled policy, the data's format and the open data: what `eval` and
/// `explain` start from. Problems are printed; `None` then.
pub fn prepare_run(
    policy: &str,
    data: &DataArgs,
) -> Option<(Prepared, DataFormat, Box<dyn BufRead + Send>)> {
    let prepared = prepare(policy)?;
    let format = data_format(data)?;
    Some((prepared, format, open_data(&data.path)?))
}

pub fn run(args: EvalArgs) -> u8 {
    let Some((Prepared { source, policy }, format, input)) = prepare_run(&args.policy, &args.data)
    else {
        return EXIT_INVALID;
    };
    let output_format = args.format.unwrap_or(if io::stdout().is_terminal() {
        OutputFormat::Table
    } else {
        OutputFormat::Ndjson
    });
    let options = Parallel {
        threads: args
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        explain_source: args.explain.then_some(source.text.as_str()),
    };
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut progress = Progress::new();
    let result = match output_format {
        // Workers render their chunk's lines; the writer only copies bytes.
        OutputFormat::Ndjson => {
            let render = |results: Vec<RecordResult>| {
                let mut bytes = Vec::with_capacity(results.len() * 256);
                for r in &results {
                    let _ = serde_json::to_writer(&mut bytes, r);
                    bytes.push(b'\n');
                }
                bytes
            };
            evaluate_parallel(&policy, format, input, options, &render, &mut |bytes, s| {
                let _ = out.write_all(&bytes);
                progress.update(s.records);
            })
        }
        OutputFormat::Csv => {
            {
                let mut header = csv::Writer::from_writer(&mut out);
                let _ = header.write_record(CsvOut::HEADER);
            }
            let render = |results: Vec<RecordResult>| {
                let mut bytes = Vec::with_capacity(results.len() * 128);
                {
                    let mut rows = CsvOut::rows(&mut bytes, args.csv_raw);
                    results.iter().for_each(|r| rows.write(r));
                }
                bytes
            };
            evaluate_parallel(&policy, format, input, options, &render, &mut |bytes, s| {
                let _ = out.write_all(&bytes);
                progress.update(s.records);
            })
        }
        OutputFormat::Json | OutputFormat::Table => {
            let mut results = Vec::new();
            let render = |chunk: Vec<RecordResult>| chunk;
            let summary =
                evaluate_parallel(&policy, format, input, options, &render, &mut |chunk, s| {
                    results.extend(chunk);
                    progress.update(s.records);
                });
            if let Ok(summary) = &summary {
                let report = Report {
                    policy: policy.name.clone(),
                    summary: summary.clone(),
                    results,
                };
                if output_format == OutputFormat::Json {
                    let _ = serde_json::to_writer_pretty(&mut out, &report);
                    let _ = out.write_all(b"\n");
                } else {
                    TableOut::new(super::stdout_color()).write(&mut out, &report);
                }
            }
            summary
        }
    };
    let _ = out.flush();
    drop(out);
    progress.finish();
    match result {
        Ok(summary) => {
            if output_format != OutputFormat::Table {
                eprintln!("{}", summary_line(&summary));
                for line in allocation_lines(&summary) {
                    eprintln!("{line}");
                }
            }
            if args.fail_on.iter().any(|d| summary.count(*d) > 0) {
                EXIT_FAILED
            } else {
                EXIT_OK
            }
        }
        Err(e) => {
            print_input_error(&args.data.path, &e);
            EXIT_INVALID
        }
    }
}

/// `250 records: 180 allow, 40 deny, 20 waitlist, 10 error (12 with warnings)`
pub fn summary_line(s: &Summary) -> String {
    format!(
        "{} record{}: {} allow, {} deny, {} waitlist, {} error ({} with warnings)",
        s.records,
        if s.records == 1 { "" } else { "s" },
        s.allow,
        s.deny,
        s.waitlist,
        s.error,
        s.warned
    )
}

/// One line per `limit` rule and group: cap, admitted, refused.
pub fn allocation_lines(s: &Summary) -> Vec<String> {
    s.allocations
        .iter()
        .map(|a| {
            let group = a
                .group
                .as_ref()
                .map(|g| format!(" [{g}]"))
                .unwrap_or_default();
            format!(
                "limit {}{group}: cap {}, admitted {} ({} records), refused {} ({} records)",
                a.rule, a.cap, a.admitted, a.admitted_records, a.refused, a.refused_records
            )
        })
        .collect()
}

/// A progress line on standard error for long runs: only on a terminal, never in CI,
/// and only once a run has taken more than a second.
struct Progress {
    started: std::time::Instant,
    bar: Option<indicatif::ProgressBar>,
    enabled: bool,
}

impl Progress {
    fn new() -> Self {
        let enabled = io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        Progress {
            started: std::time::Instant::now(),
            bar: None,
            enabled,
        }
    }

    fn update(&mut self, records: usize) {
        if !self.enabled {
            return;
        }
        if self.bar.is_none() && self.started.elapsed() > std::time::Duration::from_secs(1) {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {human_pos} records ({per_sec}) {elapsed}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(records as u64);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
