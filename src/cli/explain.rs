//! `clearance explain POLICY --data FILE --record ID`

use std::io::Write;

use clap::{Args, ValueEnum};

use super::input::{prepare_run, print_input_error, DataArgs, Prepared, SetArgs};
use super::{print_file_error, EXIT_INVALID, EXIT_OK};
use std::ops::ControlFlow;

use clearance::run::{evaluate_source, Parallel, RecordResult};
use clearance::Policy;

/// Explain one record's decision: every rule, whether it was in scope, and the value of
/// each part of its condition drawn under the source.
#[derive(Args)]
pub struct ExplainArgs {
    /// The policy file.
    #[arg(value_name = "POLICY")]
    pub policy: String,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub set: SetArgs,
    /// The record: its `id`, or `#N` for the N-th record of the data.
    #[arg(long, value_name = "ID")]
    pub record: String,
    /// `human` (drawn against the source) or `json`.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Human)]
    pub format: ExplainFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    Human,
    Json,
}

pub fn run(args: ExplainArgs) -> u8 {
    let Some((Prepared { source, policy }, format, input)) =
        prepare_run(&args.policy, &args.data, &args.set.params())
    else {
        return EXIT_INVALID;
    };
    let wanted = args.record.as_str();
    let position = wanted
        .strip_prefix('#')
        .and_then(|n| n.parse::<usize>().ok());
    let is_wanted = |r: &RecordResult| r.record == wanted || Some(r.position) == position;
    let options = Parallel {
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        explain_source: Some(&source.text),
    };
    // The workers keep only the records asked for.
    let render = |results: Vec<RecordResult>| -> Vec<RecordResult> {
        results.into_iter().filter(|r| is_wanted(r)).collect()
    };
    // Without `limit` rules nothing after the record can change it: reading stops
    // there (so other records with the same id go uncounted). With them, every record
    // is read, and counted.
    let read_on = policy.has_limits();
    let mut found = None;
    let mut matches = 0;
    let result = evaluate_source(
        &policy,
        format,
        &input,
        options,
        &mut |_, _| {},
        &render,
        &mut |chunk, _| {
            if read_on {
                matches += chunk.len();
            }
            if found.is_none() {
                found = chunk.into_iter().next();
            }
            match found.is_some() && !read_on {
                true => ControlFlow::Break(()),
                false => ControlFlow::Continue(()),
            }
        },
    );
    if let Err(e) = result {
        print_input_error(&args.data.path, &e);
        return EXIT_INVALID;
    }
    let Some(r) = found else {
        print_file_error(&format!(
            "no record `{wanted}` in `{}` (give its id, or #N for the N-th record)",
            args.data.path
        ));
        return EXIT_INVALID;
    };
    let mut out = super::stdout();
    let written = match args.format {
        ExplainFormat::Json => serde_json::to_writer_pretty(&mut out, &r)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out)),
        ExplainFormat::Human => human(&mut out, &args, &r, matches, &source.text, &policy),
    };
    super::finish(written, out, EXIT_OK)
}

fn human(
    out: &mut dyn Write,
    args: &ExplainArgs,
    r: &RecordResult,
    matches: usize,
    source: &str,
    policy: &Policy,
) -> std::io::Result<()> {
    let line = r.line.map(|l| format!(", line {l}")).unwrap_or_default();
    writeln!(
        out,
        "record {} (#{}{line} of {})",
        r.record, r.position, args.data.path
    )?;
    if let Some(used) = super::output::params_line(policy) {
        writeln!(out, "{used}")?;
    }
    writeln!(out)?;
    let traces = r.explain.as_deref().unwrap_or(&[]);
    if traces.is_empty() && !r.outcome.errors.is_empty() {
        writeln!(out, "the record could not be read, so no rule ran\n")?;
    }
    let explained = clearance::explain::render(policy, source, &r.outcome, traces);
    out.write_all(explained.as_bytes())?;
    if matches > 1 {
        writeln!(
            out,
            "\n({matches} records have the id `{}`; this is the first)",
            args.record
        )?;
    }
    Ok(())
}
