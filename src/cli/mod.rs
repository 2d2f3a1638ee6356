//! The command line: flags, rendering and exit codes. The only module that prints.

mod attachments;
mod completions;
mod exit;
mod export;
mod filters;
mod import;
mod imports;
mod info;
mod list;
mod output;
mod progress;
mod schema;
mod search;
mod show;
mod sql;
mod stats;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use exit::CliError;

/// Keeps every ChatGPT export you download in one searchable SQLite archive.
#[derive(Debug, Parser)]
#[command(name = "chatarchive", version, about, long_about = None)]
struct Cli {
    /// The archive file [default: the user's data folder, e.g.
    /// ~/.local/share/chatarchive/archive.db on Linux]
    #[arg(long, global = true, env = "CHATARCHIVE_DB", value_name = "PATH")]
    db: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Import(import::ImportArgs),
    List(list::ListArgs),
    Show(show::ShowArgs),
    Stats(stats::StatsArgs),
    Sql(sql::SqlArgs),
    Imports(imports::ImportsArgs),
    Schema(schema::SchemaArgs),
    Search(search::SearchArgs),
    Attachments(attachments::AttachmentsArgs),
    Attachment(attachments::AttachmentArgs),
    Export(export::ExportArgs),
    Info(info::InfoArgs),
    Completions(completions::CompletionsArgs),
    Man(completions::ManArgs),
}

/// Settings every command shares.
pub struct Context {
    /// The archive path, resolved.
    pub db: PathBuf,
}

impl Context {
    /// Opens the archive read-only for a query command; a missing archive is an error with a
    /// hint, never an empty archive created by a query.
    pub fn open_for_reading(&self) -> Result<chatarchive::store::Archive, CliError> {
        if !self.db.exists() {
            let message = format!("no archive at {}", self.db.display());
            return Err(CliError::message(&message)
                .with_hint("import an export first: chatarchive import EXPORT.zip"));
        }
        Ok(chatarchive::store::Archive::open_read_only(&self.db)?)
    }
}

/// Parses the arguments, runs the command and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = default_db(cli.db).and_then(|db| {
        let context = Context { db };
        match cli.command {
            Command::Import(args) => import::run(args, &context),
            Command::List(args) => list::run(args, &context),
            Command::Show(args) => show::run(args, &context),
            Command::Stats(args) => stats::run(args, &context),
            Command::Sql(args) => sql::run(args, &context),
            Command::Imports(args) => imports::run(args, &context),
            Command::Schema(args) => schema::run(args, &context),
            Command::Search(args) => search::run(args, &context),
            Command::Attachments(args) => attachments::run(args, &context),
            Command::Attachment(args) => attachments::run_one(args, &context),
            Command::Export(args) => export::run(args, &context),
            Command::Info(args) => info::run(args, &context),
            Command::Completions(args) => completions::run(args, &context),
            Command::Man(args) => completions::run_man(args, &context),
        }
    });
    exit::finish(result)
}

fn default_db(given: Option<PathBuf>) -> Result<PathBuf, CliError> {
    if let Some(path) = given {
        return Ok(path);
    }
    directories::ProjectDirs::from("", "", "chatarchive")
        .map(|dirs| dirs.data_dir().join("archive.db"))
        .ok_or_else(|| CliError::usage("cannot find a data folder for the archive; pass --db PATH"))
}
