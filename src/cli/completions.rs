//! `clearance completions SHELL` (shell completion scripts, from clap_complete) and the
//! hidden `clearance man --out DIR` (a man page per command, from clap_mangen): both
//! generated from the clap definitions, so they never drift from the commands.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{print_file_error, Cli, EXIT_INVALID, EXIT_OK};

/// Print a completion script for a shell.
#[derive(Args)]
#[command(
    after_help = "Install it where your shell looks for completions, for example:
  clearance completions bash > ~/.local/share/bash-completion/completions/clearance
  clearance completions zsh > ~/.zfunc/_clearance      # with `fpath+=~/.zfunc` in ~/.zshrc
  clearance completions fish > ~/.config/fish/completions/clearance.fish
  clearance completions powershell >> $PROFILE"
)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn completions(args: CompletionsArgs) -> u8 {
    // Generated into memory first: clap_complete panics when its writer fails, and a
    // closed standard output must end the command quietly.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "clearance", &mut script);
    let mut out = super::stdout();
    let written = out.write_all(&script);
    super::finish(written, out, EXIT_OK)
}

/// Write a man page for `clearance` and each of its commands into a folder.
#[derive(Args)]
#[command(
    after_help = "Example:\n  clearance man --out target/man && man target/man/clearance-check.1"
)]
pub struct ManArgs {
    /// The folder to write `clearance.1`, `clearance-check.1`, ... into (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

pub fn man(args: ManArgs) -> u8 {
    let dir = args.out.display().to_string();
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        print_file_error(&format!("cannot create `{dir}`: {e}"));
        return EXIT_INVALID;
    }
    match clap_mangen::generate_to(Cli::command(), &args.out) {
        Ok(()) => {
            to_stderr!("wrote the man pages into {dir}");
            EXIT_OK
        }
        Err(e) => {
            print_file_error(&format!("cannot write the man pages into `{dir}`: {e}"));
            EXIT_INVALID
        }
    }
}
