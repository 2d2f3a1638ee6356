//! `chatarchive search`: full-text search over messages and conversation titles, one hit
//! per message found, best first.

use std::io::{self, Write};
use std::ops::Range;

use clap::Args;
use console::Style;
use serde::Serialize;
use serde_json::Value;

use chatarchive::query::search::{self, Hit, Marked, SCHEMA_VERSION, Search, SearchError, Syntax};

use super::filters::FilterArgs;
use super::output::{Format, Output, OutputArgs, escape_terminal};
use super::show::{Clock, reader_went_away};
use super::{CliError, Context};

/// Search message text and conversation titles.
///
/// Finds the messages that hold every word of QUERY, and the conversations whose title
/// holds every word (reported on their first message). Words are matched whole, ignoring
/// case and accents (cafe finds café); quotes, operators and other punctuation are searched
/// as text. Chinese, Japanese and Korean text is also found by any part of three or more
/// characters. Hits are ranked by BM25, a match in the title counting three times as much
/// as one in the text. Only the current thread of each conversation is searched, without
/// hidden or tool messages, unless the filters say so.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The words to look for (an FTS5 query with --fts)
    #[arg(value_name = "QUERY", allow_hyphen_values = true)]
    query: String,

    /// Read QUERY as an FTS5 query: AND, OR, NOT, "phrases", prefix*, NEAR(...); it is
    /// matched against words only (no substrings of Chinese, Japanese or Korean text)
    #[arg(long)]
    fts: bool,

    /// Show the terminal's times in UTC rather than in the local time zone
    #[arg(long)]
    utc: bool,

    /// Show at most N hits
    #[arg(long, default_value_t = 20, value_name = "N",
        value_parser = clap::value_parser!(u32).range(1..))]
    limit: u32,

    #[command(flatten)]
    filters: FilterArgs,

    #[command(flatten)]
    output: OutputArgs,
}

/// Runs `search`.
pub fn run(args: SearchArgs, context: &Context) -> Result<(), CliError> {
    let filters = args.filters.resolve().map_err(|e| CliError::usage(&e.to_string()))?;
    let archive = context.open_for_reading()?;
    if archive.schema_version()? < SCHEMA_VERSION {
        let message = format!("the archive at {} has no search index yet", context.db.display());
        return Err(CliError::message(&message).with_hint(
            "import any export (even one imported before) to bring the archive up to date",
        ));
    }
    let syntax = if args.fts { Syntax::Fts } else { Syntax::Plain };
    if syntax == Syntax::Plain && search::quote_words(&args.query).is_none() {
        eprintln!("warning: the query has no letters or digits to search for");
    }
    let query = Search { text: args.query, syntax, filters, limit: args.limit };
    let hits = search::search(archive.connection(), &query).map_err(explain)?;
    let clock = Clock::new(args.utc);
    Ok(reader_went_away(print(&hits, args.output.resolve(), &clock))?)
}

fn explain(error: SearchError) -> CliError {
    let bad = matches!(error, SearchError::BadExpression { .. });
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

/// The columns of TSV and CSV output.
const COLUMNS: [&str; 7] =
    ["title", "created_at", "role", "model", "snippet", "conversation_id", "node_id"];

fn print(hits: &[Hit], output: Output, clock: &Clock) -> io::Result<()> {
    match output.format {
        Format::Table => {
            let mut out = io::stdout().lock();
            for hit in hits {
                write!(out, "{}", render(hit, output.color, clock))?;
            }
            Ok(())
        }
        Format::Json => {
            let mut out = io::stdout().lock();
            for hit in hits {
                writeln!(out, "{}", serde_json::to_string(&JsonHit::of(hit))?)?;
            }
            Ok(())
        }
        Format::Tsv | Format::Csv => {
            let rows: Vec<Vec<Value>> = hits.iter().map(row).collect();
            output.print_rows(&COLUMNS, &rows)
        }
    }
}

fn row(hit: &Hit) -> Vec<Value> {
    let text = |value: Option<&str>| value.map_or(Value::Null, |v| Value::String(v.into()));
    vec![
        text(hit.title.as_ref().map(|t| t.text.as_str())),
        text(hit.created_at.as_deref()),
        text(hit.role.as_deref()),
        text(hit.model.as_deref()),
        Value::String(hit.snippet.text.clone()),
        Value::String(hit.conversation_id.clone()),
        Value::String(hit.node_id.clone()),
    ]
}

/// One hit for a person: a heading (title, time, role, model, ids) and the snippet below
/// it, indented. Archive text is escaped before any colour is added.
fn render(hit: &Hit, color: bool, clock: &Clock) -> String {
    let styles = Styles::new(color);
    let title = match &hit.title {
        Some(title) => marked(title, &styles.title, &styles.title_match),
        None => styles.title.apply_to("(untitled)").to_string(),
    };
    let time = hit.created_at.as_deref().map(|t| clock.short(t));
    let details: Vec<String> = [time.as_deref(), hit.role.as_deref(), hit.model.as_deref()]
        .into_iter()
        .flatten()
        .chain([format!("{} {}", hit.conversation_id, hit.node_id).as_str()])
        .map(|part| escape_terminal(part).into_owned())
        .collect();
    let details = styles.details.apply_to(details.join(" · "));
    let snippet = marked(&hit.snippet, &Style::new(), &styles.text_match);
    format!("{title} {details}\n    {snippet}\n")
}

/// The colours of [`render`]; plain when colour is off.
struct Styles {
    title: Style,
    title_match: Style,
    details: Style,
    text_match: Style,
}

impl Styles {
    fn new(color: bool) -> Self {
        let style = |style: Style| if color { style.force_styling(true) } else { Style::new() };
        Self {
            title: style(Style::new().bold()),
            title_match: style(Style::new().bold().red()),
            details: style(Style::new().dim()),
            text_match: style(Style::new().bold().red()),
        }
    }
}

/// Text with its matches in `hit` and the rest in `rest`, each piece escaped.
fn marked(text: &Marked, rest: &Style, hit: &Style) -> String {
    let mut pieces = Vec::new();
    let mut at = 0;
    for range in &text.highlights {
        pieces.push((rest, &text.text[at..range.start]));
        pieces.push((hit, &text.text[range.clone()]));
        at = range.end;
    }
    pieces.push((rest, &text.text[at..]));
    pieces
        .into_iter()
        .filter(|(_, piece)| !piece.is_empty())
        .map(|(style, piece)| style.apply_to(escape_terminal(piece)).to_string())
        .collect()
}

/// One line of `search --json` (docs/json.md).
#[derive(Debug, Serialize)]
struct JsonHit<'a> {
    title: Option<&'a str>,
    title_highlights: Vec<[usize; 2]>,
    created_at: Option<&'a str>,
    role: Option<&'a str>,
    model: Option<&'a str>,
    snippet: &'a str,
    highlights: Vec<[usize; 2]>,
    conversation_id: &'a str,
    node_id: &'a str,
}

impl<'a> JsonHit<'a> {
    fn of(hit: &'a Hit) -> Self {
        Self {
            title: hit.title.as_ref().map(|t| t.text.as_str()),
            title_highlights: hit.title.as_ref().map(char_ranges).unwrap_or_default(),
            created_at: hit.created_at.as_deref(),
            role: hit.role.as_deref(),
            model: hit.model.as_deref(),
            snippet: &hit.snippet.text,
            highlights: char_ranges(&hit.snippet),
            conversation_id: &hit.conversation_id,
            node_id: &hit.node_id,
        }
    }
}

/// The highlights as `[start, end)` offsets in characters (Unicode code points), which is
/// how most JSON readers index strings.
fn char_ranges(text: &Marked) -> Vec<[usize; 2]> {
    let chars = |range: Range<usize>| text.text[range].chars().count();
    text.highlights.iter().map(|r| [chars(0..r.start), chars(0..r.end)]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit() -> Hit {
        Hit {
            conversation_id: "c1".into(),
            node_id: "q1".into(),
            title: Some(Marked {
                text: "Café\u{1b}[2J notes".into(),
                highlights: vec![Range { start: 0, end: 5 }],
            }),
            created_at: Some("2024-03-01T09:30:00.000000Z".into()),
            role: Some("user".into()),
            model: None,
            snippet: Marked { text: "a crème brûlée".into(), highlights: vec![2..8, 9..17] },
        }
    }

    #[test]
    fn a_hit_renders_as_heading_and_snippet_without_colour() {
        assert_eq!(
            render(&hit(), false, &Clock::new(true)),
            "Café\\u{1b}[2J notes 2024-03-01 09:30 · user · c1 q1\n    a crème brûlée\n"
        );
    }

    #[test]
    fn colour_marks_matches_after_escaping() {
        assert_eq!(
            render(&hit(), true, &Clock::new(true)),
            "\u{1b}[31m\u{1b}[1mCafé\u{1b}[0m\u{1b}[1m\\u{1b}[2J notes\u{1b}[0m \
             \u{1b}[2m2024-03-01 09:30 · user · c1 q1\u{1b}[0m\n    a \
             \u{1b}[31m\u{1b}[1mcrème\u{1b}[0m \u{1b}[31m\u{1b}[1mbrûlée\u{1b}[0m\n"
        );
    }

    #[test]
    fn json_offsets_count_characters() {
        let hit = hit();
        let json = JsonHit::of(&hit);
        assert_eq!(json.highlights, [[2, 7], [8, 14]]);
        assert_eq!(json.title_highlights, [[0, 4]]);
    }
}
