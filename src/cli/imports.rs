//! `chatarchive imports`: the import log, newest first.

use clap::Args;
use serde_json::{Value, json};

use chatarchive::query::stats::{ImportEntry, import_log};

use super::output::{Format, OutputArgs};
use super::show::{Clock, reader_went_away};
use super::{CliError, Context};

/// Show the import log, newest first: when each export was imported, its name and date, and
/// how many conversations were new, updated, unchanged, missing (kept) and skipped.
///
/// Every `import` run logs each export it processed, including exports imported before (all
/// unchanged). The table on a terminal shows local times (UTC with --utc); piped, --json and
/// --csv keep the stored ISO-8601 UTC times. Fields of --json in docs/json.md.
#[derive(Debug, Args)]
pub struct ImportsArgs {
    /// Show the table's times in UTC rather than in the local time zone
    #[arg(long)]
    utc: bool,

    #[command(flatten)]
    output: OutputArgs,
}

/// The columns, in order (table headers, CSV header, JSON keys).
const COLUMNS: [&str; 9] = [
    "id",
    "imported_at",
    "export",
    "exported_at",
    "new",
    "updated",
    "unchanged",
    "missing",
    "skipped",
];

/// Prints the import log.
pub fn run(args: ImportsArgs, context: &Context) -> Result<(), CliError> {
    let archive = context.open_for_reading()?;
    let entries = import_log(archive.connection())?;
    let output = args.output.resolve();
    let clock = (output.format == Format::Table).then(|| Clock::new(args.utc));
    let rows: Vec<Vec<Value>> = entries.iter().map(|e| row(e, clock.as_ref())).collect();
    Ok(reader_went_away(output.print_rows(&COLUMNS, &rows))?)
}

/// A line of the log; times in short display form when `clock` is given (the table).
fn row(entry: &ImportEntry, clock: Option<&Clock>) -> Vec<Value> {
    let time = |t: Option<&String>| match (t, clock) {
        (Some(t), Some(clock)) => json!(clock.short(t)),
        (t, _) => json!(t),
    };
    vec![
        json!(entry.id),
        time(Some(&entry.imported_at)),
        json!(entry.export),
        time(entry.exported_at.as_ref()),
        json!(entry.new),
        json!(entry.updated),
        json!(entry.unchanged),
        json!(entry.missing),
        json!(entry.skipped),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_shows_short_times_and_other_formats_the_stored_ones() {
        let entry = ImportEntry {
            id: 1,
            imported_at: "2024-01-10T09:00:00.250000Z".into(),
            export: "e.zip".into(),
            exported_at: None,
            new: 2,
            updated: 0,
            unchanged: 0,
            missing: 0,
            skipped: 0,
        };
        let table = row(&entry, Some(&Clock::new(true)));
        assert_eq!(table[1], json!("2024-01-10 09:00"));
        assert_eq!(table[3], Value::Null);
        assert_eq!(row(&entry, None)[1], json!("2024-01-10T09:00:00.250000Z"));
    }
}
