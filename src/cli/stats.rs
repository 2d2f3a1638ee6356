//! `chatarchive stats`.

use clap::Args;

use super::{CliError, Context};

/// Stats (work in progress).
#[derive(Debug, Args)]
pub struct StatsArgs {}

/// Runs the command.
pub fn run(_args: StatsArgs, _context: &Context) -> Result<(), CliError> {
    Ok(())
}
