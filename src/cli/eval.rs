//! `clearance eval POLICY --data FILE`

use std::io::{self, IsTerminal, Write};
use std::ops::ControlFlow;

use clap::{Args, ValueEnum};

use super::columnar::{prepare_eval, Source};
use super::input::{print_input_error, DataArgs, Prepared, SetArgs};
use super::output::{allocation_lines, params_line, summary_line, CsvOut, TableOut};
use super::{print_file_error, EXIT_FAILED, EXIT_INVALID, EXIT_OK};
use clearance::data::InputError;
use clearance::outcome::Decision;
use clearance::run::{Parallel, RecordResult, Report, Summary};

/// Evaluate a policy over a batch of records: one decision per record, with reasons.
#[derive(Args)]
pub struct EvalArgs {
    /// The policy file.
    #[arg(value_name = "POLICY")]
    pub policy: String,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub set: SetArgs,
    /// Output: `table` (default on a terminal), `json`, `ndjson` (default otherwise), `csv`
    /// or `parquet` (a Parquet file of the results, docs/arrow.md).
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
    /// Write the results to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<String>,
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
    /// Exit with 1 when any record gets one of these decisions (`none`: never).
    #[arg(long, value_delimiter = ',', value_name = "DECISIONS", default_value = "error", value_parser = parse_fail_on)]
    pub fail_on: Vec<FailOn>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    Ndjson,
    Csv,
    Parquet,
}

/// One word of `--fail-on`: a decision, or `none`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FailOn {
    Decision(Decision),
    None,
}

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    match s.trim() {
        "none" => Ok(FailOn::None),
        word => Decision::parse(word).map(FailOn::Decision).ok_or_else(|| {
            format!("`{s}` is not a decision (allow, deny, waitlist, error) or `none`")
        }),
    }
}

/// Whether `--fail-on` matched: some record got one of the listed decisions.
/// `none` alone never matches; `none` together with decisions is refused earlier.
fn fail_on_matched(fail_on: &[FailOn], summary: &Summary) -> bool {
    fail_on.iter().any(|f| match f {
        FailOn::Decision(d) => summary.count(*d) > 0,
        FailOn::None => false,
    })
}

pub fn run(args: EvalArgs) -> u8 {
    if args.fail_on.len() > 1 && args.fail_on.contains(&FailOn::None) {
        print_file_error("`--fail-on none` cannot be combined with decisions; give `none` alone");
        return EXIT_INVALID;
    }
    let to_terminal = args.output.is_none() && io::stdout().is_terminal();
    if args.format == Some(OutputFormat::Parquet) && to_terminal {
        print_file_error(
            "--format parquet writes a binary file: pass --output FILE or redirect standard output",
        );
        return EXIT_INVALID;
    }
    let Some((Prepared { source, policy }, input)) =
        prepare_eval(&args.policy, &args.data, &args.set.params())
    else {
        return EXIT_INVALID;
    };
    let output_format = args.format.unwrap_or(if to_terminal {
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
    let mut out: Box<dyn Write> = match &args.output {
        None => Box::new(super::stdout()),
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Box::new(io::BufWriter::with_capacity(1 << 16, f)),
            Err(e) => {
                print_file_error(&format!("cannot write `{path}`: {e}"));
                return EXIT_INVALID;
            }
        },
    };
    let mut progress = Progress::new();
    let mut written = Ok(());
    let result = evaluate_into(
        &mut out,
        &mut written,
        &mut progress,
        Run {
            policy: &policy,
            input,
            options,
            output: output_format,
            csv_raw: args.csv_raw,
        },
    );
    let written = written.and_then(|()| out.flush());
    drop(out);
    progress.finish();
    let summary = match result {
        Ok(summary) => summary,
        Err(e) => {
            print_input_error(&args.data.path, &e);
            return EXIT_INVALID;
        }
    };
    // With the output closed early, the code is that of the records evaluated so far.
    let code = if fail_on_matched(&args.fail_on, &summary) {
        EXIT_FAILED
    } else {
        EXIT_OK
    };
    if let Err(e) = written {
        return super::output_failed(&e, code);
    }
    if let Some(line) = params_line(&policy) {
        // Every run says what it was run with, so that a result can be reproduced.
        to_stderr!("{line}");
    }
    if output_format != OutputFormat::Table {
        to_stderr!("{}", summary_line(&summary));
        for line in allocation_lines(&summary) {
            to_stderr!("{line}");
        }
    }
    code
}

/// One evaluation for [`evaluate_into`].
struct Run<'p, 's> {
    policy: &'p clearance::Policy,
    input: Source,
    options: Parallel<'s>,
    output: OutputFormat,
    csv_raw: bool,
}

/// Evaluates and writes the results to `out`. When a write fails (the output was
/// closed), the error goes to `written` and the evaluation stops.
fn evaluate_into(
    out: &mut dyn Write,
    written: &mut io::Result<()>,
    progress: &mut Progress,
    run: Run,
) -> Result<Summary, InputError> {
    let Run {
        policy,
        input,
        options,
        output,
        csv_raw,
    } = run;
    match output {
        // Workers render their chunk's lines; the writer only copies bytes.
        OutputFormat::Ndjson | OutputFormat::Csv => {
            let csv = output == OutputFormat::Csv;
            if csv {
                let mut header = Vec::new();
                {
                    // Into memory: cannot fail.
                    let mut w = csv::Writer::from_writer(&mut header);
                    let _ = w.write_record(CsvOut::header(policy));
                }
                *written = out.write_all(&header);
            }
            let render = |results: Vec<RecordResult>| {
                let mut bytes = Vec::with_capacity(results.len() * if csv { 128 } else { 256 });
                if csv {
                    let mut rows = CsvOut::rows(&mut bytes, csv_raw, policy.has_limits());
                    results.iter().for_each(|r| rows.write(r));
                } else {
                    for r in &results {
                        let _ = serde_json::to_writer(&mut bytes, r);
                        bytes.push(b'\n');
                    }
                }
                bytes
            };
            input.evaluate(policy, options, &render, &mut |bytes, s| {
                if written.is_ok() {
                    *written = out.write_all(&bytes);
                }
                if written.is_err() {
                    return ControlFlow::Break(());
                }
                progress.update(s.records);
                ControlFlow::Continue(())
            })
        }
        OutputFormat::Json | OutputFormat::Table => {
            let mut results = Vec::new();
            let render = |chunk: Vec<RecordResult>| chunk;
            let summary = input.evaluate(policy, options, &render, &mut |chunk, s| {
                results.extend(chunk);
                progress.update(s.records);
                ControlFlow::Continue(())
            })?;
            let report = Report {
                policy: policy.name.clone(),
                params: policy.params_used().into_iter().collect(),
                summary: summary.clone(),
                results,
            };
            *written = if output == OutputFormat::Json {
                serde_json::to_writer_pretty(&mut *out, &report)
                    .map_err(io::Error::from)
                    .and_then(|()| writeln!(out))
            } else {
                TableOut::new(super::stdout_color()).write(out, &report)
            };
            Ok(summary)
        }
        OutputFormat::Parquet => super::columnar::write_parquet(
            out,
            written,
            &mut |records| progress.update(records),
            policy,
            input,
            options,
        ),
    }
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
