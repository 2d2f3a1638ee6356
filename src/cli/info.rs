//! `chatarchive info`.

use clap::Args;

use super::{CliError, Context};

/// Info (work in progress).
#[derive(Debug, Args)]
pub struct InfoArgs {}

/// Runs the command.
pub fn run(_args: InfoArgs, _context: &Context) -> Result<(), CliError> {
    Ok(())
}
