//! `chatarchive schema`: prints the documented schema of the archive.

use std::io::Write;

use clap::Args;

use super::show::reader_went_away;
use super::{CliError, Context};

/// The schema page, built into the binary so that it matches the archives this build writes.
const SCHEMA: &str = include_str!("../../docs/schema.md");

/// Print the archive's schema: its tables, views and columns, with what they hold (Markdown).
///
/// Useful before `chatarchive sql`, or when querying the archive with other SQLite tools.
#[derive(Debug, Args)]
pub struct SchemaArgs {}

/// Prints the schema page.
pub fn run(_args: SchemaArgs, _context: &Context) -> Result<(), CliError> {
    reader_went_away(std::io::stdout().lock().write_all(SCHEMA.as_bytes()))?;
    Ok(())
}
