//! `chatarchive export`: writes the conversations the filters select as Markdown notes, HTML
//! pages, the export's JSON, JSON Lines, CSV or a smaller archive, optionally in one ZIP.
//! A progress bar on a terminal and a summary on stderr; nothing on stdout.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use chatarchive::query::export::{
    self, ExportError, Format, Mode, Options, Per, Progress, Query, SelectError, Selection, Summary,
};
use chatarchive::query::search::{SCHEMA_VERSION, SearchError, Syntax};

use super::filters::FilterArgs;
use super::output::escape_terminal;
use super::{CliError, Context};

/// Export conversations as Markdown, HTML, JSON, JSON Lines, CSV or SQLite.
///
/// The filters select whole conversations. --since, --until, --model, --title, --project,
/// --conversation and --missing work as in `list` (dates and model are the conversation's);
/// --role and --content-type keep the conversations holding such a message, and --query
/// those that `search` finds, on the current thread unless --all-branches, hidden and tool
/// messages only with --include-hidden.
///
/// markdown: one note per conversation (front matter, code blocks, tool calls, folded
/// reasoning, citations as footnotes), named DATE-TITLE-SHORTID.md so that exporting again
/// into the same folder with --update updates the notes. html: one self-contained page per
/// conversation and an index.html. json: a conversations.json as ChatGPT exports it, which
/// `chatarchive import` and other tools read. jsonl, csv: one line per message with its
/// conversation's fields (--per conversation: one per conversation). sqlite: a new archive
/// with only these conversations. --zip packs any of them into one ZIP file.
///
/// Markdown, HTML, JSON Lines and CSV show the current thread unless --all-branches; JSON and
/// SQLite always hold every branch.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to write
    #[arg(long, value_enum, value_name = "FORMAT")]
    format: FormatArg,

    /// Where to write: a folder for markdown and html, a file for the others; with --zip,
    /// the ZIP file
    #[arg(long, value_name = "PATH")]
    out: PathBuf,

    /// Pack the output into one ZIP file at --out
    #[arg(long)]
    zip: bool,

    /// Replace an existing output. In a folder, the notes or pages of these conversations
    /// are rewritten (those left under an older name, after a title changed, are removed)
    /// and other files are left alone
    #[arg(long, conflicts_with = "update")]
    overwrite: bool,

    /// Like --overwrite, but rewrite only the files whose contents changed
    #[arg(long)]
    update: bool,

    /// Only the conversations this search finds (words, as `chatarchive search` reads them)
    #[arg(long, value_name = "QUERY", allow_hyphen_values = true)]
    query: Option<String>,

    /// Read --query as an FTS5 query
    #[arg(long, requires = "query")]
    fts: bool,

    /// Only the conversations that the latest export imported no longer holds
    #[arg(long)]
    missing: bool,

    #[command(flatten)]
    filters: FilterArgs,

    /// jsonl and csv: one line per message (default) or per conversation
    #[arg(long, value_enum, value_name = "WHAT")]
    per: Option<PerArg>,

    /// markdown: write Obsidian's callouts and wiki links
    #[arg(long)]
    obsidian: bool,

    /// Print no progress bar and no summary
    #[arg(long)]
    quiet: bool,
}

/// The formats of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    /// One Markdown note per conversation
    Markdown,
    /// One HTML page per conversation and an index.html
    Html,
    /// conversations.json in the export's own format
    Json,
    /// JSON Lines: one message (or conversation) per line
    Jsonl,
    /// CSV: one row per message (or conversation)
    Csv,
    /// A new archive holding only the selected conversations
    Sqlite,
}

/// What a line of jsonl or csv stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PerArg {
    /// One message
    Message,
    /// One conversation
    Conversation,
}

/// Runs `export`.
pub fn run(args: ExportArgs, context: &Context) -> Result<(), CliError> {
    let options = options(&args)?;
    let mut filters = args.filters.resolve().map_err(|e| CliError::usage(&e.to_string()))?;
    filters.missing = args.missing;
    let query = args
        .query
        .clone()
        .map(|text| Query { text, syntax: if args.fts { Syntax::Fts } else { Syntax::Plain } });
    let archive = context.open_for_reading()?;
    if query.is_some() && archive.schema_version()? < SCHEMA_VERSION {
        let message = format!("the archive at {} has no search index yet", context.db.display());
        return Err(CliError::message(&message).with_hint(
            "import any export (even one imported before) to bring the archive up to date",
        ));
    }
    let ids = export::select(archive.connection(), &Selection { filters, query })
        .map_err(select_error)?;
    if ids.is_empty() && !args.quiet {
        eprintln!("warning: no conversation matches the filters");
    }
    let bar = Bar::new(args.quiet);
    let summary = export::export(archive.connection(), archive.path(), &ids, &options, &bar)
        .map_err(export_error)?;
    drop(bar);
    if !args.quiet {
        eprintln!("{}", describe(&summary, &options));
    }
    Ok(())
}

/// The export options, refusing flags that mean nothing for the format.
fn options(args: &ExportArgs) -> Result<Options, CliError> {
    let format = match args.format {
        FormatArg::Markdown => Format::Markdown,
        FormatArg::Html => Format::Html,
        FormatArg::Json => Format::Json,
        FormatArg::Jsonl => Format::Jsonl,
        FormatArg::Csv => Format::Csv,
        FormatArg::Sqlite => Format::Sqlite,
    };
    if args.obsidian && format != Format::Markdown {
        return Err(CliError::usage("--obsidian is for --format markdown"));
    }
    if args.per.is_some() && !matches!(format, Format::Jsonl | Format::Csv) {
        return Err(CliError::usage("--per is for --format jsonl and csv"));
    }
    let mode = match (args.overwrite, args.update) {
        (true, _) => Mode::Overwrite,
        (_, true) => Mode::Update,
        _ => Mode::New,
    };
    if mode == Mode::Update && (args.zip || format == Format::Sqlite) {
        let what = if args.zip { "a ZIP file" } else { "a SQLite archive" };
        return Err(CliError::usage(&format!(
            "--update rewrites changed files; {what} is written whole"
        ))
        .with_hint("replace it with --overwrite"));
    }
    let per = match args.per {
        Some(PerArg::Conversation) => Per::Conversation,
        _ => Per::Message,
    };
    Ok(Options {
        format,
        per,
        all_branches: args.filters.all_branches,
        include_hidden: args.filters.include_hidden,
        obsidian: args.obsidian,
        out: args.out.clone(),
        zip: args.zip,
        mode,
    })
}

fn select_error(error: SelectError) -> CliError {
    let bad = matches!(error, SelectError::Search(SearchError::BadExpression { .. }));
    let failure = CliError::from(error);
    if bad {
        failure.with_hint(
            "see https://sqlite.org/fts5.html#full_text_query_syntax, \
             or leave out --fts to search for the words as they are",
        )
    } else {
        failure
    }
}

fn export_error(error: ExportError) -> CliError {
    let message = escape_terminal(&error.to_string()).into_owned();
    match error {
        ExportError::NotEmpty(_) => CliError::message(&message)
            .with_hint("add --update to rewrite only what changed, or --overwrite to replace it"),
        ExportError::IsArchive(_) => {
            CliError::message(&message).with_hint("write the export to another path")
        }
        ExportError::WrongKind { .. } | ExportError::Symlink(_) => CliError::message(&message),
        ExportError::Unsupported(_) => CliError::usage(&message),
        other => CliError::from(other),
    }
}

/// `Exported 3 conversations (12 messages) as markdown to notes: 3 files written.`
fn describe(summary: &Summary, options: &Options) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let format = match options.format {
        Format::Markdown => "markdown",
        Format::Html => "html",
        Format::Json => "json",
        Format::Jsonl => "jsonl",
        Format::Csv => "csv",
        Format::Sqlite => "sqlite",
    };
    let zip = if options.zip { " (zip)" } else { "" };
    let mut parts = vec![format!("{} written", plural(summary.written, "file"))];
    if options.mode == Mode::Update {
        parts.push(format!("{} unchanged", summary.unchanged));
    }
    if summary.removed > 0 {
        parts.push(format!("{} under an older name removed", plural(summary.removed, "file")));
    }
    if summary.attachments_copied > 0 {
        parts.push(format!("{} copied", plural(summary.attachments_copied, "attachment")));
    }
    if summary.attachments_linked > 0 {
        let linked = plural(summary.attachments_linked, "attachment");
        parts.push(format!("{linked} named by pointer (no stored file)"));
    }
    let out = escape_terminal(&options.out.display().to_string()).into_owned();
    format!(
        "Exported {} ({}) as {format}{zip} to {out}: {}.",
        plural(summary.conversations, "conversation"),
        plural(summary.messages, "message"),
        parts.join(", ")
    )
}

/// A progress bar over the conversations, on stderr when it is a terminal.
struct Bar {
    bar: ProgressBar,
}

impl Bar {
    fn new(quiet: bool) -> Self {
        let target = if quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        let style = ProgressStyle::with_template("exporting [{bar:30}] {pos}/{len} eta {eta}")
            .expect("valid template")
            .progress_chars("=> ");
        bar.set_style(style);
        Self { bar }
    }
}

impl Progress for Bar {
    fn start(&self, total: usize) {
        self.bar.set_length(total as u64);
    }

    fn advance(&self) {
        self.bar.inc(1);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
