//! `clearance check POLICY...`

use std::io::Write;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::{
    json_diagnostics, policy_files, print_diagnostics, print_file_error, read_policy, EXIT_INVALID,
    EXIT_OK,
};
use clearance::diagnostics::{Code, Diagnostic, JsonDiagnostic, Severity};
use clearance::span::Span;

/// Parse and type-check policy files, printing every problem found.
#[derive(Args)]
pub struct CheckArgs {
    /// Policy files, or folders searched for `.policy` files.
    #[arg(required = true, value_name = "POLICY|DIR")]
    pub paths: Vec<String>,
    /// `human`: drawn against the source on stderr; `json`: one document on stdout.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// Treat lint warnings as errors (exit 2 when there is any).
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
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

pub fn run(args: CheckArgs) -> u8 {
    let mut report = JsonReport {
        files: Vec::new(),
        errors: 0,
        warnings: 0,
    };
    let files = match policy_files(&args.paths) {
        Ok(f) => f,
        Err(m) => {
            print_file_error(&m);
            return EXIT_INVALID;
        }
    };
    for path in &files {
        let path = &path.display().to_string();
        let source = match read_policy(path) {
            Ok(s) => s,
            Err(message) => {
                report.errors += 1;
                match args.format {
                    CheckFormat::Human => print_file_error(&message),
                    CheckFormat::Json => report.files.push(JsonFile {
                        file: path.clone(),
                        ok: false,
                        diagnostics: vec![JsonDiagnostic::new(
                            &Diagnostic::error(Code::NotUtf8, message, Span::default(), ""),
                            &clearance::diagnostics::SourceFile::new(path.as_str(), ""),
                        )],
                    }),
                }
                continue;
            }
        };
        let mut diagnostics = match clearance::compile_with_warnings(&source.text) {
            Ok((_, warnings)) => warnings,
            Err(d) => d,
        };
        if args.deny_warnings {
            for d in &mut diagnostics {
                d.severity = Severity::Error;
            }
        }
        let errors = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        report.errors += errors;
        report.warnings += diagnostics.len() - errors;
        match args.format {
            CheckFormat::Human => {
                print_diagnostics(&diagnostics, &source);
                match (errors, diagnostics.len()) {
                    (0, 0) => to_stderr!("{path}: ok"),
                    (0, w) => {
                        to_stderr!("{path}: ok, {w} warning{}", if w == 1 { "" } else { "s" })
                    }
                    _ => {}
                }
            }
            CheckFormat::Json => report.files.push(JsonFile {
                file: path.clone(),
                ok: errors == 0,
                diagnostics: json_diagnostics(&diagnostics, &source),
            }),
        }
    }
    let code = if report.errors > 0 {
        EXIT_INVALID
    } else {
        EXIT_OK
    };
    match args.format {
        CheckFormat::Json => {
            let mut out = super::stdout();
            let written = serde_json::to_writer_pretty(&mut out, &report)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(out));
            super::finish(written, out, code)
        }
        CheckFormat::Human => {
            if report.errors > 0 {
                to_stderr!(
                    "{} error{} found",
                    report.errors,
                    if report.errors == 1 { "" } else { "s" }
                );
            }
            code
        }
    }
}
