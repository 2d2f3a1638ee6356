//! `chatarchive schema`.

use clap::Args;

use super::{CliError, Context};

/// Schema (work in progress).
#[derive(Debug, Args)]
pub struct SchemaArgs {}

/// Runs the command.
pub fn run(_args: SchemaArgs, _context: &Context) -> Result<(), CliError> {
    Ok(())
}
