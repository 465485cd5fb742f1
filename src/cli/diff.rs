//! `clearance diff OLD [NEW] --data FILE [--set NAME=VALUE]... [--exit-code]`

use std::io::{Read, Write};

use clap::{Args, ValueEnum};

use super::input::{data_format, prepare, print_input_error, DataArgs, Prepared, SetArgs};
use super::output::{csv_cell, escape_control, pad, params_line};
use super::{print_file_error, EXIT_FAILED, EXIT_INVALID, EXIT_OK};
use clearance::diff::{diff, incompatibilities, thousands, DiffReport, Side};

/// Show the impact of a change: the records whose decision changes on a batch. With
/// two policies, the change of the policy (the `--set` values apply to the new one);
/// with one, a what-if: the policy under its defaults against the same policy under
/// the `--set` values.
#[derive(Args)]
#[command(
    after_help = "Examples:\n  clearance diff policies/h200_first_batch.policy --data policies/data/h200_first_batch.csv --set national_cap=500_000\n  clearance diff old.policy new.policy --data batch.ndjson --exit-code"
)]
pub struct DiffArgs {
    /// The policy as it was (with one policy: the policy under its defaults).
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The policy as changed (omitted: OLD again, under the `--set` values).
    #[arg(value_name = "NEW")]
    pub new: Option<String>,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub set: SetArgs,
    /// Exit with 1 when any record's decision changes (for CI).
    #[arg(long)]
    pub exit_code: bool,
    /// `table`, `json` or `csv`.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Table,
    Json,
    Csv,
}

pub fn run(args: DiffArgs) -> u8 {
    let new_path = args.new.as_deref().unwrap_or(&args.old);
    if args.new.is_none() && args.set.set.is_empty() {
        print_file_error("with one policy, `diff` compares it with itself under `--set NAME=VALUE`: give at least one, or a second policy");
        return EXIT_INVALID;
    }
    // Both sides run on the same day: `--set today=…` applies to the old side too, so
    // that a what-if compares the params alone.
    let set = args.set.params();
    let old = prepare(&args.old, &set.only("today"));
    if old.is_none() && args.new.is_none() {
        print_file_error("the old side runs the policy under its defaults (and `today` if set), so every param needs a default for a what-if");
    }
    let (Some(old), Some(new)) = (old, prepare(new_path, &set)) else {
        return EXIT_INVALID;
    };
    let (Prepared { policy: old, .. }, Prepared { policy: new, .. }) = (old, new);
    let conflicts = incompatibilities(&old.schema, &new.schema);
    if !conflicts.is_empty() {
        for c in &conflicts {
            print_file_error(&format!("the schemas are not compatible: {c}"));
        }
        return EXIT_INVALID;
    }
    let Some(format) = data_format(&args.data) else {
        return EXIT_INVALID;
    };
    let mut data = Vec::new();
    let read = if args.data.path == "-" {
        std::io::stdin().read_to_end(&mut data)
    } else {
        std::fs::File::open(&args.data.path).and_then(|mut f| f.read_to_end(&mut data))
    };
    if let Err(e) = read {
        print_file_error(&format!("cannot read `{}`: {e}", args.data.path));
        return EXIT_INVALID;
    }
    let report = match diff(&old, &new, format, &data) {
        Ok(r) => r,
        Err(e) => {
            print_input_error(&args.data.path, &e);
            return EXIT_INVALID;
        }
    };
    let mut out = super::stdout();
    let written = match args.format {
        DiffFormat::Json => serde_json::to_writer_pretty(&mut out, &report)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out)),
        DiffFormat::Csv => out.write_all(&csv(&report)),
        DiffFormat::Table => table(&mut out, &report),
    };
    let written = written.and_then(|()| out.flush());
    if written.is_ok() {
        // Each side says what it was run with, so that the comparison can be reproduced.
        for (side, policy) in [("old", &old), ("new", &new)] {
            if let Some(used) = params_line(policy) {
                to_stderr!("{side}: {used}");
            }
        }
    }
    let changed = report.changed > 0;
    let code = if args.exit_code && changed {
        EXIT_FAILED
    } else {
        EXIT_OK
    };
    super::finish(written, out, code)
}

fn rules(side: &Side) -> String {
    let parts = side.lines();
    if parts.is_empty() {
        "no rule (the policy's default)".into()
    } else {
        parts.join("; ")
    }
}

fn table(out: &mut dyn Write, report: &DiffReport) -> std::io::Result<()> {
    let w = report
        .changes
        .iter()
        .map(|c| c.record.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    if !report.changes.is_empty() {
        writeln!(out, "{}  {:<20}  WHY", pad("RECORD", w), "CHANGE")?;
    }
    for c in &report.changes {
        let change = format!("{} → {}", c.old.decision.as_str(), c.new.decision.as_str());
        writeln!(
            out,
            "{}  {:<20}  was: {}",
            pad(&escape_control(&c.record), w),
            change,
            escape_control(&rules(&c.old))
        )?;
        writeln!(
            out,
            "{}  {:<20}  now: {}",
            pad("", w),
            "",
            escape_control(&rules(&c.new))
        )?;
    }
    if !report.changes.is_empty() {
        writeln!(out)?;
    }
    for t in &report.transitions {
        let change = format!("{} → {}", t.from.as_str(), t.to.as_str());
        writeln!(out, "{change:<20} {:>9}", thousands(t.records))?;
    }
    writeln!(
        out,
        "{} of {} records change decision ({} → {})",
        thousands(report.changed),
        thousands(report.records),
        report.old_policy,
        report.new_policy
    )
}

/// The CSV document, in memory (writing it there cannot fail).
fn csv(report: &DiffReport) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut w = ::csv::Writer::from_writer(&mut bytes);
    let _ = w.write_record([
        "record",
        "position",
        "line",
        "old",
        "new",
        "old_rules",
        "new_rules",
    ]);
    for c in &report.changes {
        let cell = |s: &str| csv_cell(s).into_owned();
        let _ = w.write_record([
            cell(&c.record),
            c.position.to_string(),
            c.line.map(|l| l.to_string()).unwrap_or_default(),
            c.old.decision.as_str().to_string(),
            c.new.decision.as_str().to_string(),
            cell(&rules(&c.old)),
            cell(&rules(&c.new)),
        ]);
    }
    let _ = w.flush();
    drop(w);
    bytes
}
