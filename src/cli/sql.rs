//! `chatarchive sql`.

use clap::Args;

use super::{CliError, Context};

/// Sql (work in progress).
#[derive(Debug, Args)]
pub struct SqlArgs {}

/// Runs the command.
pub fn run(_args: SqlArgs, _context: &Context) -> Result<(), CliError> {
    Ok(())
}
