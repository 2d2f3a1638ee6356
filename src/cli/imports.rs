//! `chatarchive imports`.

use clap::Args;

use super::{CliError, Context};

/// Imports (work in progress).
#[derive(Debug, Args)]
pub struct ImportsArgs {}

/// Runs the command.
pub fn run(_args: ImportsArgs, _context: &Context) -> Result<(), CliError> {
    Ok(())
}
