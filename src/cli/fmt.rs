//! `clearance fmt [--check] POLICY...`, and `clearance fmt -` (standard input to standard
//! output, for editors' format-on-save).

use std::io::{Read, Write};

use clap::Args;

use super::{
    policy_files, print_diagnostics, print_file_error, read_policy, EXIT_FAILED, EXIT_INVALID,
    EXIT_OK,
};

/// Rewrite policy files in the canonical layout (comments kept), or check that they are.
#[derive(Args)]
#[command(after_help = "Examples:
  clearance fmt policies/                     # rewrite every .policy file under the folder
  clearance fmt --check policies/             # CI: show a diff, exit 1 if one is not formatted
  clearance fmt - < quota.policy              # standard input to standard output
  clearance fmt --stdin-filename quota.policy -   # the same, naming the file in messages

An editor formats on save with `clearance fmt --stdin-filename FILE -`: the formatted text
on standard output, or nothing and exit 2 when the text has syntax errors (drawn on stderr).

Exit codes: 0 formatted (or already so); 1 --check found a file not formatted; 2 a file has
syntax errors or cannot be read or written.")]
pub struct FmtArgs {
    /// Policy files, or folders searched for `.policy` files; `-` alone for standard input.
    #[arg(required = true, value_name = "POLICY|DIR|-")]
    pub paths: Vec<String>,
    /// Change nothing; show a diff and exit with 1 if a file is not formatted.
    #[arg(long)]
    pub check: bool,
    /// The name standard input (`-`) is given in messages.
    #[arg(long, value_name = "NAME", default_value = "<stdin>")]
    pub stdin_filename: String,
}

pub fn run(args: FmtArgs) -> u8 {
    if args.paths.iter().any(|p| p == "-") {
        if args.paths.len() > 1 {
            print_file_error("`-` (standard input) cannot be given with other files");
            return EXIT_INVALID;
        }
        return run_stdin(&args);
    }
    let mut invalid = false;
    let mut unformatted = 0;
    let files = match policy_files(&args.paths) {
        Ok(f) => f,
        Err(m) => {
            print_file_error(&m);
            return EXIT_INVALID;
        }
    };
    let mut out = super::stdout();
    for path in &files {
        let path = &path.display().to_string();
        let source = match read_policy(path) {
            Ok(s) => s,
            Err(m) => {
                print_file_error(&m);
                invalid = true;
                continue;
            }
        };
        let formatted = match clearance::fmt::format_source(&source.text) {
            Ok(f) => f,
            Err(d) => {
                print_diagnostics(&d, &source);
                invalid = true;
                continue;
            }
        };
        if formatted == source.text {
            continue;
        }
        unformatted += 1;
        if args.check {
            let diff = similar::TextDiff::from_lines(&source.text, &formatted);
            let shown = write!(
                out,
                "{}",
                diff.unified_diff()
                    .context_radius(2)
                    .header(path, &format!("{path} (formatted)"))
            )
            // Flushed per file: what goes to stderr about the next one comes after.
            .and_then(|()| out.flush());
            if let Err(e) = shown {
                // The output is closed: the files left are not looked at.
                let code = if invalid { EXIT_INVALID } else { EXIT_FAILED };
                return super::output_failed(&e, code);
            }
        } else if let Err(e) = std::fs::write(path, &formatted) {
            print_file_error(&format!("cannot write `{path}`: {e}"));
            invalid = true;
        } else {
            to_stderr!("formatted {path}");
        }
    }
    if invalid {
        EXIT_INVALID
    } else if args.check && unformatted > 0 {
        to_stderr!(
            "{unformatted} file{} not formatted; run `clearance fmt` on {}",
            if unformatted == 1 { " is" } else { "s are" },
            if unformatted == 1 { "it" } else { "them" }
        );
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

/// `fmt -`: formats standard input to standard output; with `--check`, prints the diff
/// instead and exits with 1 when the text is not formatted.
fn run_stdin(args: &FmtArgs) -> u8 {
    let name = &args.stdin_filename;
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut bytes) {
        print_file_error(&format!("cannot read standard input: {e}"));
        return EXIT_INVALID;
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            print_file_error(&format!(
                "`{name}` is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
                e.utf8_error().valid_up_to()
            ));
            return EXIT_INVALID;
        }
    };
    let formatted = match clearance::fmt::format_source(&text) {
        Ok(f) => f,
        Err(d) => {
            print_diagnostics(
                &d,
                &clearance::diagnostics::SourceFile::new(name.as_str(), text),
            );
            return EXIT_INVALID;
        }
    };
    let mut out = super::stdout();
    if !args.check {
        let written = out.write_all(formatted.as_bytes());
        return super::finish(written, out, EXIT_OK);
    }
    if formatted == text {
        return EXIT_OK;
    }
    let diff = similar::TextDiff::from_lines(&text, &formatted);
    let written = write!(
        out,
        "{}",
        diff.unified_diff()
            .context_radius(2)
            .header(name, &format!("{name} (formatted)"))
    );
    // A closed output ends the command quietly, as for files.
    if let Err(e) = written.and_then(|()| out.flush()) {
        return super::output_failed(&e, EXIT_FAILED);
    }
    to_stderr!("`{name}` is not formatted; run `clearance fmt` on it");
    EXIT_FAILED
}
