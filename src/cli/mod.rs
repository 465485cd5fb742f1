//! Commands, output formats and exit codes. No language logic lives here.
//!
//! Output goes through [`stdout`] (locked, buffered) and every write error is
//! propagated: a closed standard output (`clearance … | head`) ends a command quietly
//! (see [`output_failed`]). Standard error is written with [`to_stderr!`], which never
//! panics either.

/// `eprintln!` that never panics: when standard error is closed, the line is lost.
macro_rules! to_stderr {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod check;
mod columnar;
mod completions;
mod diff;
mod eval;
mod explain;
mod explain_code;
mod fmt;
mod github;
mod init;
mod input;
#[cfg(feature = "lsp")]
mod lsp;
mod output;
mod sarif;
mod test;
mod test_report;

use std::io::{self, BufWriter, IsTerminal, StdoutLock, Write};
use std::process::ExitCode;

pub use input::{policy_files, read_policy};

use clap::{Parser, Subcommand};

use clearance::diagnostics::Diagnostic;
use clearance::diagnostics::{render, JsonDiagnostic, RenderOptions, SourceFile};

/// Exit codes (README.md, "Commands").
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
    after_help = "Examples:
  clearance init rules && cd rules     # a starter policy, sample data and a CI workflow
  clearance check policies/h200_first_batch.policy
  clearance eval policies/domestic_quota.policy --data policies/data/domestic_quota.ndjson
  clearance test policies/
  clearance check policies/ --format sarif > clearance.sarif   # for code scanning in CI
  clearance completions bash > ~/.local/share/bash-completion/completions/clearance

`clearance help COMMAND` (or `COMMAND --help`) shows a command's options and examples.

Exit codes: 0 success; 1 --fail-on matched or a test failed; 2 invalid policy, unreadable input or bad usage.
Colour is off when NO_COLOR is set or output is not a terminal."
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
    #[cfg(feature = "lsp")]
    Lsp(lsp::LspArgs),
    Init(init::InitArgs),
    Completions(completions::CompletionsArgs),
    /// Write the man pages (`clearance.1`, `clearance-check.1`, ...) into a folder.
    #[command(hide = true)]
    Man(completions::ManArgs),
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
        #[cfg(feature = "lsp")]
        Command::Lsp(args) => lsp::run(args),
        Command::Init(args) => init::run(args),
        Command::Completions(args) => completions::completions(args),
        Command::Man(args) => completions::man(args),
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

/// Prints diagnostics to stderr, drawn for people.
pub fn print_diagnostics(diagnostics: &[Diagnostic], source: &SourceFile) {
    let width = terminal_width();
    let options = RenderOptions {
        color: stderr_color(),
        unicode: true,
        width,
    };
    let mut err = io::stderr().lock();
    for d in diagnostics {
        let _ = err.write_all(render(d, source, options).as_bytes());
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
    to_stderr!("error: {message}");
}

/// A command's standard output: locked and buffered. Write to it with `write!` and
/// propagate the errors, then end with [`finish`].
pub type Out = BufWriter<StdoutLock<'static>>;

pub fn stdout() -> Out {
    BufWriter::with_capacity(1 << 16, io::stdout().lock())
}

/// Whether writing failed because standard output was closed (`| head`): not an error.
pub fn closed(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// The exit code of a command whose output could not be written. A closed pipe ends it
/// quietly with `code`, the code it had established from its work so far; any other
/// failure (a full disk, say) is reported and exits with 2.
pub fn output_failed(e: &io::Error, code: u8) -> u8 {
    if closed(e) {
        code
    } else {
        print_file_error(&format!("cannot write the output: {e}"));
        EXIT_INVALID
    }
}

/// Flushes `out` after `written` and returns `code`, or what [`output_failed`] says.
pub fn finish(written: io::Result<()>, mut out: Out, code: u8) -> u8 {
    match written.and_then(|()| out.flush()) {
        Ok(()) => code,
        Err(e) => output_failed(&e, code),
    }
}
