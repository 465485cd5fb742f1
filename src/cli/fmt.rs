//! `clearance fmt [--check] POLICY...`

use std::io::Write;

use clap::Args;

use super::{
    policy_files, print_diagnostics, print_file_error, read_policy, EXIT_FAILED, EXIT_INVALID,
    EXIT_OK,
};

/// Rewrite policy files in the canonical layout (comments kept), or check that they are.
#[derive(Args)]
pub struct FmtArgs {
    /// Policy files, or folders searched for `.policy` files.
    #[arg(required = true, value_name = "POLICY|DIR")]
    pub paths: Vec<String>,
    /// Change nothing; show a diff and exit with 1 if a file is not formatted.
    #[arg(long)]
    pub check: bool,
}

pub fn run(args: FmtArgs) -> u8 {
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
