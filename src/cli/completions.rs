//! `chatarchive completions` and `chatarchive man`.

use clap::Args;

use super::{CliError, Context};

/// Completions (work in progress).
#[derive(Debug, Args)]
pub struct CompletionsArgs {}

/// Man page (work in progress).
#[derive(Debug, Args)]
pub struct ManArgs {}

/// Prints completions.
pub fn run(_args: CompletionsArgs, _context: &Context) -> Result<(), CliError> {
    Ok(())
}

/// Prints the man page.
pub fn run_man(_args: ManArgs, _context: &Context) -> Result<(), CliError> {
    Ok(())
}
