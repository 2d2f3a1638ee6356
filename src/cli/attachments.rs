//! `chatarchive attachments` lists the files that messages, the Library and group chats
//! point to; `chatarchive attachment ID --out PATH` writes the bytes of one of them to the
//! path given, and nowhere else: no name or path read from the archive is ever used to place
//! a file.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde_json::Value;

use chatarchive::query::attachments::{self, AttachmentRow, FileError, ListOptions, SortKey};
use chatarchive::store::{Archive, MAX_STORABLE};

use super::output::{Format, OutputArgs, escape_terminal};
use super::show::reader_went_away;
use super::{CliError, Context};

/// The columns of a listing: table headers, CSV header and JSON keys.
const COLUMNS: [&str; 11] = [
    "file_id",
    "status",
    "name",
    "media_type",
    "size",
    "width",
    "height",
    "source",
    "conversation_id",
    "message_id",
    "sha256",
];

/// List the attachments: the files that messages, the Library and group chats point to.
///
/// One row per file per message (Library row, group chat message). STATUS is `stored` (the
/// bytes are in the archive: write them out with `chatarchive attachment FILE_ID --out
/// PATH`), `skipped` (an export holds the file, but it was imported with --no-media or was
/// over --max-member-size) or `missing` (no export imported holds it: expired voice clips,
/// images a newer export left out; an export that has it fills the gap when imported).
/// Sizes are in bytes, shown readable in the table on a terminal. Fields of --json in
/// docs/json.md.
#[derive(Debug, Args)]
pub struct AttachmentsArgs {
    /// Only the files no export imported holds
    #[arg(long)]
    missing: bool,

    /// Only this conversation or group chat (an id or its start; repeatable)
    #[arg(long, value_name = "ID")]
    conversation: Vec<String>,

    /// Only this media type, or family of types: image/png, image, audio, application/pdf
    #[arg(long = "type", value_name = "TYPE")]
    media_type: Option<String>,

    /// Only attachments from messages, the Library or group chats (repeatable)
    #[arg(long, value_enum, value_name = "SOURCE")]
    source: Vec<Source>,

    /// Order by conversation (default), by size (largest first) or by name
    #[arg(long, value_enum, default_value_t = Sort::Conversation, value_name = "KEY")]
    sort: Sort,

    /// Print at most N attachments
    #[arg(long, value_name = "N")]
    limit: Option<u64>,

    #[command(flatten)]
    output: OutputArgs,
}

/// Where a reference comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Source {
    /// A message of a conversation.
    Message,
    /// A row of library_files.json.
    Library,
    /// A group chat message.
    GroupChat,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Message => "message",
            Source::Library => "library",
            Source::GroupChat => "group_chat",
        }
    }
}

/// The sort keys of `attachments`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Sort {
    /// Conversation, message, file id.
    Conversation,
    /// Size, largest first.
    Size,
    /// Original name.
    Name,
}

/// Runs `attachments`.
pub fn run(args: AttachmentsArgs, context: &Context) -> Result<(), CliError> {
    let options = ListOptions {
        conversations: args.conversation,
        media_type: args.media_type,
        missing: args.missing,
        sources: args.source.iter().map(|s| s.as_str().to_string()).collect(),
        sort: match args.sort {
            Sort::Conversation => SortKey::Conversation,
            Sort::Size => SortKey::Size,
            Sort::Name => SortKey::Name,
        },
        limit: args.limit,
    };
    let archive = open(context)?;
    let listed = attachments::list(archive.connection(), &options)?;
    let output = args.output.resolve();
    let readable = output.format == Format::Table;
    let rows: Vec<Vec<Value>> = listed.iter().map(|a| row(a, readable)).collect();
    Ok(reader_went_away(output.print_rows(&COLUMNS, &rows))?)
}

fn row(a: &AttachmentRow, readable: bool) -> Vec<Value> {
    let size = match (a.size, readable) {
        (Some(size), true) => Value::from(human_size(size.max(0) as u64)),
        (size, _) => Value::from(size),
    };
    vec![
        Value::from(a.file_id.clone()),
        Value::from(a.status.clone()),
        Value::from(a.name.clone()),
        Value::from(a.media_type.clone()),
        size,
        Value::from(a.width),
        Value::from(a.height),
        Value::from(a.source.clone()),
        Value::from(a.conversation_id.clone()),
        Value::from(a.message_id.clone()),
        Value::from(a.sha256.clone()),
    ]
}

/// Write the bytes of one attachment to a file (or to stdout with `--out -`).
///
/// ID is a file id as `chatarchive attachments` lists it (or any unique start of one, or
/// the SHA-256 of the bytes). The file is written to exactly the path given; an existing
/// file is left alone unless --force. The archive's names for the file are never used as a
/// path.
#[derive(Debug, Args)]
pub struct AttachmentArgs {
    /// The file id, a unique start of it, or the SHA-256 of the bytes
    #[arg(value_name = "ID")]
    id: String,

    /// Where to write the bytes; `-` for stdout
    #[arg(long, short, value_name = "PATH")]
    out: PathBuf,

    /// Replace the file at PATH if there is one
    #[arg(long)]
    force: bool,
}

/// Runs `attachment`.
pub fn run_one(args: AttachmentArgs, context: &Context) -> Result<(), CliError> {
    let archive = open(context)?;
    let conn = archive.connection();
    let file = attachments::find(conn, &args.id).map_err(file_error)?;
    let mut bytes = attachments::open_bytes(conn, &file)?;
    if args.out.as_os_str() == "-" {
        let mut stdout = io::stdout().lock();
        let copied = io::copy(&mut bytes, &mut stdout).and_then(|_| stdout.flush());
        return Ok(reader_went_away(copied)?);
    }
    let mut target = create(&args.out, args.force)?;
    let written = io::copy(&mut bytes, &mut target).and_then(|n| target.sync_all().map(|()| n));
    match written {
        Ok(n) => {
            let name = file.name.as_deref().or(file.file_id.as_deref()).unwrap_or(&file.sha256);
            let kind = file.media_type.as_deref().unwrap_or("unknown type");
            let what = format!("{name} ({kind}, {})", human_size(n));
            eprintln!("{} written to {}", escape_terminal(&what), args.out.display());
            Ok(())
        }
        Err(error) => {
            drop(target);
            let _ = std::fs::remove_file(&args.out);
            let message = format!("cannot write {}", args.out.display());
            Err(CliError::message(&message).with_hint(error.to_string()))
        }
    }
}

/// The first schema version that keeps attachments.
const SCHEMA_VERSION: u32 = 3;

/// Opens the archive for reading; an archive from before attachments were kept is explained.
fn open(context: &Context) -> Result<Archive, CliError> {
    let archive = context.open_for_reading()?;
    if archive.schema_version()? < SCHEMA_VERSION {
        let message = format!("the archive at {} keeps no attachments yet", context.db.display());
        return Err(CliError::message(&message).with_hint(
            "import any export (even one imported before) to bring the archive up to date \
             and store its files",
        ));
    }
    Ok(archive)
}

/// Opens the output file: a new file, or with `force` any file at that path, truncated.
fn create(path: &Path, force: bool) -> Result<File, CliError> {
    let mut options = OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    options.open(path).map_err(|error| {
        let message = format!("cannot create {}: {error}", path.display());
        let failure = CliError::message(&message);
        if error.kind() == io::ErrorKind::AlreadyExists {
            failure.with_hint("choose another path, or replace the file with --force")
        } else {
            failure
        }
    })
}

/// Turns a failed lookup into an error with a hint.
fn file_error(error: FileError) -> CliError {
    let message = escape_terminal(&error.to_string()).into_owned();
    match &error {
        FileError::NotFound(_) => {
            CliError::message(&message).with_hint("list the ids with: chatarchive attachments")
        }
        FileError::Ambiguous { candidates, total, .. } => {
            let mut message = format!("{message}:");
            for candidate in candidates {
                message.push_str(&format!("\n  {}", escape_terminal(candidate)));
            }
            if *total > candidates.len() {
                message.push_str(&format!("\n  … and {} more", total - candidates.len()));
            }
            CliError::message(&message).with_hint("give more of the id")
        }
        FileError::Missing(_) => CliError::message(&message)
            .with_hint("import an export that holds it: any order fills the gap"),
        FileError::NotStored { .. } => CliError::message(&message),
        FileError::Sql(_) => CliError::from(error),
    }
}

/// `3374 B`, `3.3 KiB`, `1.5 MiB`.
pub(super) fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Reads `--max-member-size`: bytes, or a number with `K`, `M`, `G` (or `KiB`, `MiB`,
/// `GiB`: powers of 1024) or `KB`, `MB`, `GB` (powers of 1000). At most what SQLite can hold
/// in one value.
pub(super) fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: u64 = number.parse().map_err(|_| format!("{text:?} is not a size in bytes"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        other => return Err(format!("unknown unit {other:?}: use bytes, K, M, G, KB, MB, GB")),
    };
    let bytes = number.checked_mul(factor).ok_or_else(|| format!("{text:?} is too large"))?;
    if bytes > MAX_STORABLE {
        return Err(format!(
            "{bytes} bytes is over {MAX_STORABLE}, the most SQLite holds in one value"
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_with_binary_and_decimal_units() {
        assert_eq!(parse_size("1048576"), Ok(1_048_576));
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("900 M"), Ok(900 << 20));
        assert_eq!(
            parse_size("1gb"),
            Err(format!(
                "1000000000 bytes is over {MAX_STORABLE}, the most SQLite holds in one value"
            ))
        );
        assert_eq!(parse_size("2K"), Ok(2048));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5 parsecs").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }

    #[test]
    fn sizes_print_readably() {
        assert_eq!(human_size(3374), "3.3 KiB");
        assert_eq!(human_size(12), "12 B");
        assert_eq!(human_size(3 << 30), "3.0 GiB");
    }
}
