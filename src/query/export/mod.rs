//! `export`: the conversations the filters select, written out as Markdown notes, HTML pages,
//! the export's own JSON, JSON Lines, CSV, a smaller archive, or a ZIP of any of them.
//!
//! Selection ([`select`]) is by conversation: the filters pick whole conversations, which are
//! then written in the order `list` prints them (newest first). Each format has its own file;
//! Markdown and HTML share the turn-by-turn view of [`document`], and every format writes
//! through a [`sink::Sink`], which owns the rules about the output: a folder or a file, a ZIP,
//! what an existing output may be replaced with, and never writing outside it.

mod attachments;
mod citations;
mod document;
mod html;
mod json;
mod markdown;
mod names;
mod rows;
mod select;
mod sink;
mod sqlite;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use select::{Query, SelectError, Selection, select};
pub use sink::Mode;

use crate::query::conversation;
use crate::query::show::Shown;
use crate::store::StoreError;

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One Markdown note per conversation.
    Markdown,
    /// One HTML page per conversation and an `index.html`.
    Html,
    /// A `conversations.json` in the export's own format.
    Json,
    /// JSON Lines: one message (or conversation) per line.
    Jsonl,
    /// CSV: one row per message (or conversation), with a header.
    Csv,
    /// A new archive holding only the selected conversations.
    Sqlite,
}

impl Format {
    /// Whether the format writes a folder of files (else one file).
    pub fn is_folder(self) -> bool {
        matches!(self, Format::Markdown | Format::Html)
    }

    /// The name of the one file of a single-file format, inside a ZIP.
    fn file_name(self, per: Per) -> &'static str {
        match (self, per) {
            (Format::Json, _) => "conversations.json",
            (Format::Jsonl, Per::Message) => "messages.jsonl",
            (Format::Jsonl, Per::Conversation) => "conversations.jsonl",
            (Format::Csv, Per::Message) => "messages.csv",
            (Format::Csv, Per::Conversation) => "conversations.csv",
            _ => "archive.db",
        }
    }
}

/// What one row (or line) of JSON Lines and CSV stands for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Per {
    /// One message.
    #[default]
    Message,
    /// One conversation.
    Conversation,
}

/// How to write the selected conversations.
#[derive(Debug, Clone)]
pub struct Options {
    /// The format.
    pub format: Format,
    /// Rows per message or per conversation (JSON Lines and CSV).
    pub per: Per,
    /// Every branch, not only the current thread (Markdown, HTML, JSON Lines, CSV).
    pub all_branches: bool,
    /// Hidden messages too (JSON Lines and CSV rows).
    pub include_hidden: bool,
    /// Obsidian-flavoured Markdown: wiki links, callouts.
    pub obsidian: bool,
    /// Where to write: a folder (Markdown, HTML) or a file; with `zip`, a ZIP file.
    pub out: PathBuf,
    /// Pack the output into one ZIP file at `out`.
    pub zip: bool,
    /// What an existing output may be replaced with.
    pub mode: Mode,
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Conversations written.
    pub conversations: usize,
    /// Messages written (nodes holding a message for JSON and SQLite).
    pub messages: usize,
    /// Files created or rewritten.
    pub written: usize,
    /// Files left as they were because their contents were already right (`--update`).
    pub unchanged: usize,
    /// Earlier files of the same conversations under another name (a renamed title), removed.
    pub removed: usize,
    /// Attachment files copied beside the notes.
    pub attachments_copied: usize,
    /// Attachments named by their pointer only (no stored file).
    pub attachments_linked: usize,
}

/// Reports progress, one step per conversation.
pub trait Progress {
    /// The export starts, with this many steps.
    fn start(&self, total: usize);
    /// One more step is done.
    fn advance(&self);
}

/// No progress reported.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _total: usize) {}
    fn advance(&self) {}
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The output exists and holds something, and neither overwriting nor updating was asked.
    #[error("{} already exists and is not empty", .0.display())]
    NotEmpty(PathBuf),
    /// The output is a file where a folder is needed, or the other way round.
    #[error("{} is {what}", .path.display())]
    WrongKind {
        /// The output.
        path: PathBuf,
        /// What it is, e.g. "a folder; json writes one file".
        what: String,
    },
    /// The output would replace the archive being read.
    #[error("{} is the archive being exported", .0.display())]
    IsArchive(PathBuf),
    /// An output file is a symbolic link: writing through it could change a file elsewhere.
    #[error("{} is a symbolic link; not writing through it", .0.display())]
    Symlink(PathBuf),
    /// The combination of options cannot be written.
    #[error("{0}")]
    Unsupported(String),
    /// A file could not be read or written.
    #[error("cannot write {}", .path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The ZIP could not be written.
    #[error("cannot write the ZIP file")]
    Zip(#[from] zip::result::ZipError),
    /// The archive could not be read.
    #[error("cannot read the archive")]
    Sql(#[from] rusqlite::Error),
    /// The new archive could not be created.
    #[error("cannot create the new archive")]
    Store(#[from] StoreError),
    /// Raw JSON kept in the archive could not be read.
    #[error("cannot read the raw JSON of conversation {id}")]
    Json {
        /// The conversation.
        id: String,
        /// What serde_json said.
        source: serde_json::Error,
    },
    /// Writing the output failed (the path is added where the output is known).
    #[error("cannot write the output")]
    Output(#[from] std::io::Error),
    /// A CSV row could not be written.
    #[error("cannot write CSV")]
    Csv(#[from] csv::Error),
}

impl ExportError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        ExportError::Io { path: path.to_owned(), source }
    }
}

/// Writes the conversations `ids` (in that order) from the archive at `db`, opened as `conn`.
pub fn export(
    conn: &Connection,
    db: &Path,
    ids: &[String],
    options: &Options,
    progress: &dyn Progress,
) -> Result<Summary, ExportError> {
    check_options(options)?;
    sink::refuse_archive(db, &options.out)?;
    let mut sink = sink::open(options)?;
    progress.start(ids.len());
    let mut summary = Summary { conversations: ids.len(), ..Summary::default() };
    let written = match options.format {
        Format::Markdown | Format::Html => {
            documents(conn, ids, options, sink.as_mut(), progress, &mut summary)
        }
        Format::Json => {
            let name = options.format.file_name(options.per);
            json::write(conn, ids, name, sink.as_mut(), progress, &mut summary)
        }
        Format::Jsonl | Format::Csv => {
            let name = options.format.file_name(options.per);
            rows::write(conn, ids, options, name, sink.as_mut(), progress, &mut summary)
        }
        Format::Sqlite => {
            let name = options.format.file_name(options.per);
            sqlite::write(db, ids, name, sink.as_mut(), progress, &mut summary)
        }
    };
    let tally = sink.finish(written.is_ok())?;
    written?;
    summary.written = tally.written;
    summary.unchanged = tally.unchanged;
    summary.removed = tally.removed;
    Ok(summary)
}

/// Refuses options that cannot go together.
fn check_options(options: &Options) -> Result<(), ExportError> {
    let refuse = |text: &str| Err(ExportError::Unsupported(text.to_string()));
    if options.zip && options.mode == Mode::Update {
        return refuse("a ZIP file is written whole: use --overwrite to replace it");
    }
    if options.format == Format::Sqlite && options.mode == Mode::Update {
        return refuse("a SQLite archive is written whole: use --overwrite to replace it");
    }
    Ok(())
}

/// Markdown notes or HTML pages: one file per conversation (plus HTML's index), attachments
/// beside them when the archive stores their files.
fn documents(
    conn: &Connection,
    ids: &[String],
    options: &Options,
    sink: &mut dyn sink::Sink,
    progress: &dyn Progress,
    summary: &mut Summary,
) -> Result<(), ExportError> {
    let names = names::Names::new(conn, ids)?;
    let extension = if options.format == Format::Html { "html" } else { "md" };
    let mut files = attachments::Files::new(conn)?;
    let mut index = Vec::with_capacity(ids.len());
    for id in ids {
        let shown = load(conn, id)?;
        let stem = names.stem(id);
        let mut doc = document::Document::new(&shown, options.all_branches);
        let copied = files.copy_for(conn, &mut doc, sink)?;
        summary.attachments_copied += copied.copied;
        summary.attachments_linked += copied.linked;
        summary.messages += doc.turns.len();
        let bytes = match options.format {
            Format::Html => html::page(&doc),
            _ => markdown::note(&doc, options.obsidian),
        };
        sink.put_conversation(id, &format!("{stem}.{extension}"), bytes.as_bytes())?;
        if options.format == Format::Html {
            index.push(html::IndexEntry::of(&shown, &stem, doc.turns.len()));
        }
        progress.advance();
    }
    if options.format == Format::Html {
        sink.put("index.html", html::index(&index).as_bytes())?;
    }
    Ok(())
}

/// Reads one conversation with every node.
fn load(conn: &Connection, id: &str) -> Result<Shown, ExportError> {
    let conversation = conversation::load(conn, id)?
        .ok_or(rusqlite::Error::QueryReturnedNoRows)
        .map_err(ExportError::Sql)?;
    let messages = conversation::messages(conn, id)?;
    Ok(Shown { conversation, messages })
}
