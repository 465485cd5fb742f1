//! `clearance lsp`: the language server (docs/editors.md).

use clap::Args;

use super::{print_file_error, EXIT_FAILED, EXIT_INVALID, EXIT_OK};

/// Run the language server for editors, speaking LSP over standard input and output.
#[derive(Args)]
pub struct LspArgs {
    /// Accepted for editors that pass it: the server always uses standard input and output.
    #[arg(long)]
    pub stdio: bool,
}

/// Exit code 0 after `shutdown` then `exit`; 1 when the client exits without `shutdown`
/// (as the protocol says); 2 when the connection fails.
pub fn run(_args: LspArgs) -> u8 {
    match clearance::lsp::run_stdio() {
        Ok(true) => EXIT_OK,
        Ok(false) => EXIT_FAILED,
        Err(e) => {
            print_file_error(&format!("the language server stopped: {e}"));
            EXIT_INVALID
        }
    }
}
