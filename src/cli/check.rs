//! `clearance check POLICY...`

use std::io::Write;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::{
    github, json_diagnostics, policy_files, print_diagnostics, print_file_error, read_policy,
    sarif, EXIT_INVALID, EXIT_OK,
};
use clearance::diagnostics::{Code, Diagnostic, JsonDiagnostic, Severity, SourceFile};
use clearance::span::Span;

/// Parse and type-check policy files, printing every problem found.
///
/// Every diagnostic has a stable code (`clearance explain-code CODE` explains it). Lint
/// warnings do not fail the run unless they are denied; they are silenced for one rule by a
/// comment `# clearance: allow(LINT)` on the line before it, or for the whole file by one
/// before `policy`.
#[derive(Args)]
#[command(after_help = "Examples:
  clearance check policies/                          # every .policy file under the folder
  clearance check quota.policy --deny-warnings       # lint warnings fail the run (for CI)
  clearance check quota.policy --allow unused_let --deny shadowed
  clearance check policies/ --format github          # annotations on a pull request
  clearance check policies/ --format sarif > clearance.sarif   # for code scanning

Lints (for --allow, --deny and `# clearance: allow(LINT)`): never_fires, always_true,
always_false, shadowed, implied_require, unused_let, warn_without_because.

Exit codes: 0 no errors (warnings allowed); 2 an error, a denied warning, or bad usage.")]
pub struct CheckArgs {
    /// Policy files, or folders searched for `.policy` files.
    #[arg(required = true, value_name = "POLICY|DIR")]
    pub paths: Vec<String>,
    /// `human`: drawn against the source on stderr; `json`: one document on stdout;
    /// `sarif`: SARIF 2.1.0 on stdout (code scanning); `github`: GitHub Actions
    /// workflow commands on stdout (annotations).
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// Treat lint warnings as errors (exit 2 when there is any).
    #[arg(long)]
    pub deny_warnings: bool,
    /// Silence a lint (its name, as `unused_let`); may be repeated.
    #[arg(long = "allow", value_name = "LINT", value_parser = parse_lint)]
    pub allow: Vec<Code>,
    /// Make a lint an error (exit 2); may be repeated. A `# clearance: allow(...)` comment
    /// in the file still silences it there.
    #[arg(long = "deny", value_name = "LINT", value_parser = parse_lint)]
    pub deny: Vec<Code>,
}

/// A lint's name on the command line.
fn parse_lint(name: &str) -> Result<Code, String> {
    Code::from_lint_name(name.trim())
        .ok_or_else(|| format!("`{name}` is not a lint; {}", Code::unknown_lint_help(name)))
}

#[derive(Clone, Copy, ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Serialize)]
struct JsonReport {
    files: Vec<JsonFile>,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct JsonFile {
    file: String,
    ok: bool,
    diagnostics: Vec<JsonDiagnostic>,
}

/// One policy file as `check` saw it.
pub struct Checked {
    pub source: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
    /// False when the file could not be read: its one diagnostic has no place in it.
    pub readable: bool,
}

impl Checked {
    fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }
}

pub fn run(args: CheckArgs) -> u8 {
    if let Some(both) = args.allow.iter().find(|c| args.deny.contains(c)) {
        print_file_error(&format!(
            "`{}` is both allowed and denied; give it to one of --allow and --deny",
            both.lint_name().unwrap_or_default()
        ));
        return EXIT_INVALID;
    }
    let files = match policy_files(&args.paths) {
        Ok(f) => f,
        Err(m) => {
            print_file_error(&m);
            return EXIT_INVALID;
        }
    };
    let mut checked = Vec::new();
    for path in &files {
        let file = check_file(&path.display().to_string(), &args);
        if let CheckFormat::Human = args.format {
            print_human(&file);
        }
        checked.push(file);
    }
    let errors: usize = checked.iter().map(Checked::errors).sum();
    let total: usize = checked.iter().map(|f| f.diagnostics.len()).sum();
    let code = if errors > 0 { EXIT_INVALID } else { EXIT_OK };
    let mut out = super::stdout();
    let written = match args.format {
        CheckFormat::Human => {
            if errors > 0 {
                to_stderr!("{errors} error{} found", if errors == 1 { "" } else { "s" });
            }
            return code;
        }
        CheckFormat::Json => {
            let report = JsonReport {
                files: checked
                    .iter()
                    .map(|f| JsonFile {
                        file: f.source.name.clone(),
                        ok: f.errors() == 0,
                        diagnostics: json_diagnostics(&f.diagnostics, &f.source),
                    })
                    .collect(),
                errors,
                warnings: total - errors,
            };
            serde_json::to_writer_pretty(&mut out, &report)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(out))
        }
        CheckFormat::Sarif => serde_json::to_writer_pretty(&mut out, &sarif::log(&checked))
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out)),
        CheckFormat::Github => github::annotations(&mut out, &checked),
    };
    super::finish(written, out, code)
}

/// Reads and checks one file, with the lint settings of the command line applied.
fn check_file(path: &str, args: &CheckArgs) -> Checked {
    let source = match read_policy(path) {
        Ok(s) => s,
        Err(message) => {
            return Checked {
                diagnostics: vec![Diagnostic::error(
                    Code::NotUtf8,
                    message,
                    Span::default(),
                    "",
                )],
                source: SourceFile::new(path, ""),
                readable: false,
            }
        }
    };
    let mut diagnostics = match clearance::check_source(&source.text) {
        Ok(warnings) => warnings,
        Err(d) => d,
    };
    diagnostics.retain(|d| d.severity == Severity::Error || !args.allow.contains(&d.code));
    for d in &mut diagnostics {
        if args.deny_warnings || args.deny.contains(&d.code) {
            d.severity = Severity::Error;
        }
    }
    Checked {
        source,
        diagnostics,
        readable: true,
    }
}

fn print_human(file: &Checked) {
    let path = &file.source.name;
    if !file.readable {
        for d in &file.diagnostics {
            print_file_error(&d.message);
        }
        return;
    }
    print_diagnostics(&file.diagnostics, &file.source);
    match (file.errors(), file.diagnostics.len()) {
        (0, 0) => to_stderr!("{path}: ok"),
        (0, w) => to_stderr!("{path}: ok, {w} warning{}", if w == 1 { "" } else { "s" }),
        _ => {}
    }
}
