//! `clearance eval POLICY --data FILE`

use std::io::{self, IsTerminal, Write};
use std::ops::ControlFlow;

use clap::{Args, ValueEnum};

use super::columnar::{prepare_eval, Source};
use super::input::{print_input_error, DataArgs, Prepared, SetArgs};
use super::output::{allocation_lines, params_line, summary_line, TableOut};
use super::progress::Progress;
use super::{print_file_error, EXIT_FAILED, EXIT_INVALID, EXIT_OK};
use clearance::data::InputError;
use clearance::outcome::Decision;
use clearance::run::render::{csv_header, SelectedReport};
use clearance::run::{Field, Fields, Parallel, RecordResult, Rendering, Report, Summary};

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
    /// Show only these fields of each result, in their usual order (`json`, `ndjson`
    /// and `csv` output): record, position, line, decision, rules, reasons, warnings,
    /// errors, allocations, explain [default: all]. Without `reasons`, `rules` and
    /// `warnings` list rule names and verdicts only; in `csv`, `reasons` is its own
    /// column and `allocations` the `limit_*` columns. The summary is always whole.
    #[arg(long, value_delimiter = ',', value_name = "FIELDS")]
    pub fields: Option<Vec<String>>,
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
    let fields = match args.fields.as_deref().map(Fields::parse) {
        None => Fields::ALL,
        Some(Ok(fields)) => fields,
        Some(Err(e)) => {
            print_file_error(&format!("in `--fields`: {e}"));
            return EXIT_INVALID;
        }
    };
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
    if let Some(e) = fields_refused(args.fields.is_some(), fields, output_format) {
        print_file_error(e);
        return EXIT_INVALID;
    }
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
    let (read, size) = input.counted();
    let mut progress = Progress::new(read, size, policy.has_limits());
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
            color: args.output.is_none() && super::stdout_color(),
            fields,
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
    /// Colour in the table (standard output on a terminal only).
    color: bool,
    fields: Fields,
}

/// Why `--fields` cannot be used with this output, if it cannot.
fn fields_refused(given: bool, fields: Fields, output: OutputFormat) -> Option<&'static str> {
    match output {
        OutputFormat::Table if given => Some(
            "`--fields` chooses the fields of `json`, `ndjson` and `csv` output, not of the table; give `--format json`, `ndjson` or `csv`",
        ),
        OutputFormat::Parquet if given => Some(
            "`--fields` chooses the fields of `json`, `ndjson` and `csv` output; a Parquet file has every column (docs/arrow.md): select them when reading it",
        ),
        OutputFormat::Csv if given && fields.has(Field::Explain) => Some(
            "`explain` is not a column of `csv` output; use `--format json` or `ndjson` for explanations",
        ),
        _ => None,
    }
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
        color,
        fields,
    } = run;
    match output {
        // Workers render their chunk's lines; the writer only copies bytes.
        OutputFormat::Ndjson | OutputFormat::Csv => {
            let rendering = if output == OutputFormat::Csv {
                *written = out.write_all(&csv_header(policy, fields));
                Rendering::Csv { raw: csv_raw }
            } else {
                Rendering::Ndjson
            };
            let progress = &mut |stage, n| progress.update(stage, n);
            let sink = &mut |bytes: &[u8], _: &Summary| {
                if written.is_ok() {
                    *written = out.write_all(bytes);
                }
                if written.is_err() {
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            };
            input.evaluate_rendered(policy, options, rendering, fields, progress, sink)
        }
        OutputFormat::Json | OutputFormat::Table => {
            let mut results = Vec::new();
            let render = |chunk: Vec<RecordResult>| chunk;
            let progress = &mut |stage, n| progress.update(stage, n);
            let summary = input.evaluate(policy, options, progress, &render, &mut |chunk, _| {
                results.extend(chunk);
                ControlFlow::Continue(())
            })?;
            let report = Report {
                policy: policy.name.clone(),
                params: policy.params_used().into_iter().collect(),
                summary: summary.clone(),
                results,
            };
            *written = if output == OutputFormat::Json {
                let json = if fields == Fields::ALL {
                    serde_json::to_writer_pretty(&mut *out, &report)
                } else {
                    let report = SelectedReport {
                        report: &report,
                        fields,
                    };
                    serde_json::to_writer_pretty(&mut *out, &report)
                };
                json.map_err(io::Error::from).and_then(|()| writeln!(out))
            } else {
                TableOut::new(color).write(out, &report)
            };
            Ok(summary)
        }
        OutputFormat::Parquet => super::columnar::write_parquet(
            out,
            written,
            &mut |stage, n| progress.update(stage, n),
            policy,
            input,
            options,
        ),
    }
}
