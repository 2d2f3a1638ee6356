//! `chatarchive info`: where the archive is, how big, what it holds and its schema version.

use std::io::Write;
use std::path::Path;

use clap::Args;
use serde_json::{Value, json};

use chatarchive::query::stats::totals;

use super::attachments::human_size;
use super::output::{Format, OutputArgs, escape_terminal, escape_tsv, plain};
use super::show::reader_went_away;
use super::{CliError, Context};

/// Show where the archive is, its size, what it holds and its schema version.
///
/// Messages are the nodes holding a message, on every branch, hidden ones included. The size
/// counts the file and its write-ahead log (`-wal`), if there is one. Fields of --json in
/// docs/json.md.
#[derive(Debug, Args)]
pub struct InfoArgs {
    #[command(flatten)]
    output: OutputArgs,
}

/// Prints the archive's facts.
pub fn run(args: InfoArgs, context: &Context) -> Result<(), CliError> {
    let archive = context.open_for_reading()?;
    let totals = totals(archive.connection())?;
    let size = archive_size(archive.path())?;
    let facts: [(&str, Value); 10] = [
        ("path", json!(archive.path().display().to_string())),
        ("size", json!(size)),
        ("size_human", json!(human_size(size))),
        ("schema_version", json!(archive.schema_version()?)),
        ("conversations", json!(totals.conversations)),
        ("messages", json!(totals.messages)),
        ("versions", json!(totals.versions)),
        ("exports", json!(totals.exports)),
        ("imports", json!(totals.imports)),
        ("latest_export", json!(totals.latest_export)),
    ];
    let output = args.output.resolve();
    let written = match output.format {
        Format::Json | Format::Csv => {
            let (columns, row): (Vec<&str>, Vec<Value>) = facts.into_iter().unzip();
            output.print_rows(&columns, &[row])
        }
        Format::Tsv => print_lines(&facts, false),
        Format::Table => print_lines(&facts, true),
    };
    Ok(reader_went_away(written)?)
}

/// One `name value` line per fact: tab-separated for scripts, aligned on a terminal.
fn print_lines(facts: &[(&str, Value)], terminal: bool) -> std::io::Result<()> {
    let width = if terminal { facts.iter().map(|(n, _)| n.len()).max().unwrap_or(0) } else { 0 };
    let mut out = std::io::stdout().lock();
    for (name, value) in facts {
        let text = plain(value);
        if terminal {
            writeln!(out, "{name:width$}  {}", escape_terminal(&text))?;
        } else {
            writeln!(out, "{name}\t{}", escape_tsv(&text))?;
        }
    }
    Ok(())
}

/// The size of the archive file plus its write-ahead log, which holds recent writes until
/// SQLite copies them into the file.
fn archive_size(path: &Path) -> std::io::Result<u64> {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal_size = std::fs::metadata(wal).map_or(0, |m| m.len());
    Ok(std::fs::metadata(path)?.len() + wal_size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_binary_units() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(20 * 1024 * 1024), "20.0 MiB");
        assert_eq!(human_size(3 << 40), "3.0 TiB");
    }
}
