//! `chatarchive import`: merges exports into the archive.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use chatarchive::store::{Archive, ExportReport, ImportOptions, ImportReport};

use super::progress::Bar;
use super::{CliError, Context};

/// Import ChatGPT exports (ZIPs, unpacked folders, conversations.json files) into the archive.
///
/// Re-importing an export changes nothing; a newer export adds what is new; an older one
/// never overwrites newer data. Conversations no longer in the newest export are kept.
/// All paths are imported in one transaction: on any error the archive is left as it was.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Export ZIPs, unpacked export folders or conversations.json files
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Report what would change, then leave the archive untouched
    #[arg(long)]
    dry_run: bool,

    /// Record attachments and their references, but do not store their bytes
    #[arg(long)]
    no_media: bool,

    /// Skip (with a warning) files larger than this, e.g. 900MiB [default: 512MiB; at most
    /// 999999000 bytes]
    #[arg(long, value_name = "BYTES", value_parser = super::attachments::parse_size)]
    max_member_size: Option<u64>,

    /// Print the report as JSON on stdout
    #[arg(long)]
    json: bool,

    /// Print no summary (warnings and errors still go to stderr)
    #[arg(long, short)]
    quiet: bool,
}

/// Runs the import and reports it.
pub fn run(args: ImportArgs, context: &Context) -> Result<(), CliError> {
    let existed = context.db.exists();
    let mut archive = if args.dry_run && !existed {
        Archive::open_in_memory(&context.db)?
    } else {
        Archive::open(&context.db)?
    };
    let bar = Bar::new(args.quiet);
    let options = ImportOptions {
        dry_run: args.dry_run,
        no_media: args.no_media,
        max_member_size: args.max_member_size.unwrap_or(ImportOptions::default().max_member_size),
    };
    let imported = archive.import(&args.paths, options, &bar);
    drop(bar);
    let report = match imported {
        Ok(report) => report,
        Err(error) => {
            drop(archive);
            if !existed {
                remove_new_archive(&context.db);
            }
            return Err(error.into());
        }
    };
    print_diagnostics(&report);
    if !args.quiet {
        print_summary(&report, context);
    }
    if args.json {
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut stdout, &report)?;
        writeln!(stdout)?;
    }
    if report.has_skipped() { Err(CliError::partial()) } else { Ok(()) }
}

/// A failed first import leaves no empty archive behind: the archive stays as it was, absent.
fn remove_new_archive(db: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut path = db.as_os_str().to_owned();
        path.push(suffix);
        let _ = std::fs::remove_file(path);
    }
}

fn print_diagnostics(report: &ImportReport) {
    for export in &report.exports {
        for warning in &export.warnings {
            eprintln!("warning: {warning}");
        }
        let omitted = export.warnings_total - export.warnings.len() as u64;
        if omitted > 0 {
            eprintln!("warning: … and {omitted} more warnings");
        }
        for skipped in &export.skipped {
            let id = skipped.conversation_id.as_deref().unwrap_or("without id");
            eprintln!(
                "skipped: conversation {id} at {}: {}: {}",
                skipped.location, skipped.path, skipped.reason
            );
        }
        let omitted = export.skipped_total - export.skipped.len() as u64;
        if omitted > 0 {
            eprintln!("skipped: … and {omitted} more conversations");
        }
    }
}

fn print_summary(report: &ImportReport, context: &Context) {
    for export in &report.exports {
        eprintln!("{}", summary_line(export));
    }
    let verb = if report.dry_run { "would be written to" } else { "archive:" };
    eprintln!("{verb} {}", context.db.display());
}

/// `name: 3 new, 12 updated, 480 unchanged conversations; 2 no longer in this export (kept)`.
fn summary_line(export: &ExportReport) -> String {
    let c = &export.conversations;
    let mut line = format!(
        "{}: {} new, {} updated, {} unchanged conversations",
        export.name, c.new, c.updated, c.unchanged
    );
    if c.missing > 0 {
        line.push_str(&format!("; {} no longer in this export (kept)", c.missing));
    }
    if export.skipped_total > 0 {
        line.push_str(&format!("; {} skipped", export.skipped_total));
    }
    line.push_str(&format!("; {} new, {} updated nodes", export.nodes_new, export.nodes_updated));
    if export.already_imported {
        line.push_str(" (imported before)");
    }
    if c.total == 0 {
        line.push_str("; the export holds no conversations, nothing was removed");
    }
    line
}
