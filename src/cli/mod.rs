//! Commands, output formats and exit codes. No language logic lives here.

mod check;
mod diff;
mod eval;
mod explain;
mod explain_code;
mod fmt;
mod output;
mod test;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use clearance::diagnostics::Diagnostic;
use clearance::diagnostics::{render, JsonDiagnostic, RenderOptions, SourceFile};

/// Exit codes (LANGUAGE.md §10).
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_INVALID: u8 = 2;

#[derive(Parser)]
#[command(
    name = "clearance",
    version,
    about = "Check and evaluate import-control policies written in the Clearance language",
    long_about = "Clearance checks policy files (.policy) against the record schema they declare \
and evaluates them over batches of records (JSON, NDJSON or CSV), giving every record a decision \
(allow, deny, waitlist or error) with the rules and reasons behind it.",
    after_help = "Examples:\n  clearance check policies/h200_first_batch.policy\n  clearance eval policies/domestic_quota.policy --data policies/data/domestic_quota.ndjson\n  clearance test policies/\n\nExit codes: 0 success; 1 --fail-on matched or a test failed; 2 invalid policy, unreadable input or bad usage.\nColour is off when NO_COLOR is set or output is not a terminal."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Check(check::CheckArgs),
    Eval(eval::EvalArgs),
    Test(test::TestArgs),
    Fmt(fmt::FmtArgs),
    Explain(explain::ExplainArgs),
    ExplainCode(explain_code::ExplainCodeArgs),
    Diff(diff::DiffArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Test(args) => test::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Explain(args) => explain::run(args),
        Command::ExplainCode(args) => explain_code::run(args),
        Command::Diff(args) => diff::run(args),
    };
    ExitCode::from(code)
}

/// Whether to colour what goes to stderr.
pub fn stderr_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

pub fn stdout_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// Reads a policy file; an unreadable or non-UTF-8 file is reported like a diagnostic.
pub fn read_policy(path: &str) -> Result<SourceFile, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(path, text)),
        Err(e) => Err(format!(
            "`{path}` is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
            e.utf8_error().valid_up_to()
        )),
    }
}

/// Prints diagnostics to stderr, drawn for people.
pub fn print_diagnostics(diagnostics: &[Diagnostic], source: &SourceFile) {
    let width = terminal_width();
    let options = RenderOptions {
        color: stderr_color(),
        unicode: true,
        width,
    };
    for d in diagnostics {
        eprint!("{}", render(d, source, options));
    }
}

pub fn json_diagnostics(diagnostics: &[Diagnostic], source: &SourceFile) -> Vec<JsonDiagnostic> {
    diagnostics
        .iter()
        .map(|d| JsonDiagnostic::new(d, source))
        .collect()
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

/// A file-level problem as a line on stderr.
pub fn print_file_error(message: &str) {
    eprintln!("error: {message}");
}
