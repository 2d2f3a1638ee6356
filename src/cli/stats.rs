//! `chatarchive stats`: how much was said, when, with which models, and how the archive
//! grew. On a terminal the activity is drawn as bar charts; otherwise every number is one
//! row, so that scripts get the same figures without the pictures.

use std::fmt::Write as _;
use std::io::Write as _;

use clap::Args;
use console::{measure_text_width, style, truncate_str};
use serde_json::{Value, json};

use chatarchive::query::stats::{self, Stats, StatsOptions, Tally};

use super::output::{Format, OutputArgs, escape_terminal};
use super::show::reader_went_away;
use super::{CliError, Context};

/// Show statistics: messages per month, model, role, weekday and hour, the longest
/// conversations and the import history.
///
/// Counts the messages the ChatGPT app shows (not hidden, holding a message) on every
/// branch: an edited question and each regenerated answer count once each. Times are UTC;
/// messages without a time count in no month, weekday or hour. On a terminal, activity is
/// drawn as bar charts; piped, or with --json or --csv, each number is one row of stat, key,
/// label and count (fields in docs/json.md).
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Count hidden messages too (system scaffolding, tool calls the app does not show)
    #[arg(long)]
    include_hidden: bool,

    /// How many of the longest conversations to show
    #[arg(long, default_value_t = 10, value_name = "N")]
    top: u32,

    #[command(flatten)]
    output: OutputArgs,
}

/// The columns of the row formats (TSV, CSV, JSON Lines).
const COLUMNS: [&str; 4] = ["stat", "key", "label", "count"];

/// Eighths of a character cell, for bars finer than whole blocks.
const EIGHTHS: [char; 7] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/// Computes the statistics and prints them.
pub fn run(args: StatsArgs, context: &Context) -> Result<(), CliError> {
    let archive = context.open_for_reading()?;
    let options = StatsOptions { include_hidden: args.include_hidden, top: args.top };
    let stats = stats::stats(archive.connection(), &options)?;
    let output = args.output.resolve();
    if output.format == Format::Table {
        let width = usize::from(console::Term::stdout().size().1);
        let text = render(&stats, args.include_hidden, width, output.color);
        reader_went_away(std::io::stdout().lock().write_all(text.as_bytes()))?;
    } else {
        reader_went_away(output.print_rows(&COLUMNS, &rows(&stats)))?;
    }
    Ok(())
}

/// One row per number: totals, tallies, the longest conversations and the imports.
fn rows(stats: &Stats) -> Vec<Vec<Value>> {
    let mut rows = vec![
        vec![json!("total"), json!("conversations"), Value::Null, json!(stats.conversations)],
        vec![json!("total"), json!("messages"), Value::Null, json!(stats.messages)],
    ];
    let tallies = [
        ("month", &stats.months),
        ("model", &stats.models),
        ("role", &stats.roles),
        ("weekday", &stats.weekdays),
        ("hour", &stats.hours),
    ];
    for (stat, tallies) in tallies {
        for tally in tallies {
            rows.push(vec![json!(stat), json!(tally.key), Value::Null, json!(tally.count)]);
        }
    }
    for long in &stats.longest {
        rows.push(vec![json!("longest"), json!(long.id), json!(long.title), json!(long.messages)]);
    }
    for import in &stats.imports {
        let (key, label) = (json!(import.imported_at), json!(import.export));
        rows.push(vec![json!("import"), key, label, json!(import.new)]);
    }
    rows
}

/// The terminal rendering, `width` columns wide.
fn render(stats: &Stats, include_hidden: bool, width: usize, color: bool) -> String {
    let heading = |text: &str| style(text).bold().force_styling(color).to_string();
    let what = if include_hidden { "all messages, hidden ones too" } else { "visible messages" };
    let mut out = format!("Counting {what} on every branch; times in UTC.\n\n");
    let totals = [
        Tally { key: "Conversations".into(), count: stats.conversations },
        Tally { key: "Messages".into(), count: stats.messages },
    ];
    out += &counts(&totals);
    let peak = |tallies: &[Tally], unit: &str| match busiest(tallies) {
        Some(top) => format!(" (busiest: {}{unit})", top.key),
        None => String::new(),
    };
    let sections = [
        ("Messages per month".to_string(), chart(&stats.months, width)),
        (
            format!("Messages per weekday{}", peak(&stats.weekdays, "")),
            chart(&stats.weekdays, width),
        ),
        (format!("Messages per hour{}", peak(&stats.hours, ":00")), chart(&stats.hours, width)),
        ("Messages per model".to_string(), counts(&stats.models)),
        ("Messages per role".to_string(), counts(&stats.roles)),
        ("Longest conversations".to_string(), longest(stats, width)),
        ("Imports, newest first".to_string(), imports(stats)),
    ];
    for (title, body) in sections.into_iter().filter(|(_, body)| !body.is_empty()) {
        let _ = write!(out, "\n{}\n{body}", heading(&title));
    }
    out
}

/// The first of the highest tallies, unless every count is zero.
fn busiest(tallies: &[Tally]) -> Option<&Tally> {
    tallies.iter().filter(|t| t.count > 0).reduce(|a, b| if b.count > a.count { b } else { a })
}

/// One line per tally: key, count and a bar scaled so the largest fills the line.
fn chart(tallies: &[Tally], width: usize) -> String {
    if tallies.iter().all(|t| t.count == 0) {
        return String::new();
    }
    let keys: Vec<String> = tallies.iter().map(|t| escape_terminal(&t.key).into_owned()).collect();
    let key_width = keys.iter().map(|k| measure_text_width(k)).max().unwrap_or(0);
    let count_width = tallies.iter().map(|t| t.count.to_string().len()).max().unwrap_or(0);
    let bar_width = width.saturating_sub(key_width + count_width + 4).max(1);
    let max = tallies.iter().map(|t| t.count).max().unwrap_or(0);
    let mut out = String::new();
    for (key, tally) in keys.iter().zip(tallies) {
        let pad = key_width - measure_text_width(key);
        let bar = bar(tally.count, max, bar_width);
        let line = format!("{key}{:pad$}  {:>count_width$}  {bar}", "", tally.count);
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

/// A bar of `count` out of `max` in at most `width` cells, drawn in eighths of a cell; any
/// count above zero shows at least an eighth.
fn bar(count: i64, max: i64, width: usize) -> String {
    if count <= 0 || max <= 0 {
        return String::new();
    }
    let scaled = (count as u128 * width as u128 * 8 + max as u128 / 2) / max as u128;
    let eighths = usize::try_from(scaled).unwrap_or(usize::MAX).max(1);
    let mut bar = "█".repeat(eighths / 8);
    if eighths % 8 > 0 {
        bar.push(EIGHTHS[eighths % 8 - 1]);
    }
    bar
}

/// Aligned `key  count` lines.
fn counts(tallies: &[Tally]) -> String {
    let keys: Vec<String> = tallies.iter().map(|t| escape_terminal(&t.key).into_owned()).collect();
    let key_width = keys.iter().map(|k| measure_text_width(k)).max().unwrap_or(0);
    let count_width = tallies.iter().map(|t| t.count.to_string().len()).max().unwrap_or(0);
    let mut out = String::new();
    for (key, tally) in keys.iter().zip(tallies) {
        let pad = key_width - measure_text_width(key);
        let _ = writeln!(out, "{key}{:pad$}  {:>count_width$}", "", tally.count);
    }
    out
}

/// `count  id  title` lines, titles cut to the width.
fn longest(stats: &Stats, width: usize) -> String {
    let count_width = stats.longest.iter().map(|l| l.messages.to_string().len()).max();
    let id_width = stats.longest.iter().map(|l| measure_text_width(&l.id)).max();
    let (Some(count_width), Some(id_width)) = (count_width, id_width) else {
        return String::new();
    };
    let title_width = width.saturating_sub(count_width + id_width + 4).max(10);
    let mut out = String::new();
    for long in &stats.longest {
        let id = escape_terminal(&long.id);
        let title = escape_terminal(long.title.as_deref().unwrap_or("(untitled)")).into_owned();
        let title = truncate_str(&title, title_width, "…");
        let pad = id_width.saturating_sub(measure_text_width(&id));
        let _ = writeln!(out, "{:>count_width$}  {id}{:pad$}  {title}", long.messages, "");
    }
    out
}

/// `imported at  new  export` lines.
fn imports(stats: &Stats) -> String {
    let new_width = stats.imports.iter().map(|i| i.new.to_string().len()).max().unwrap_or(0);
    let mut out = String::new();
    for import in &stats.imports {
        let when = import.imported_at.get(..16).unwrap_or(&import.imported_at).replace('T', " ");
        let export = escape_terminal(&import.export);
        let _ = writeln!(out, "{when}  {:>new_width$} new  {export}", import.new);
    }
    out
}

#[cfg(test)]
mod tests {
    use chatarchive::query::stats::{ImportEntry, Longest};

    use super::*;

    fn tally(key: &str, count: i64) -> Tally {
        Tally { key: key.to_string(), count }
    }

    #[test]
    fn bars_scale_to_the_largest_count_in_eighths() {
        assert_eq!(bar(8, 8, 4), "████");
        assert_eq!(bar(1, 8, 4), "▌");
        assert_eq!(bar(3, 8, 4), "█▌");
        assert_eq!(bar(1, 1000, 4), "▏");
        assert_eq!(bar(0, 8, 4), "");
    }

    #[test]
    fn a_chart_fits_the_width_and_keeps_empty_rows() {
        let chart = chart(&[tally("2024-01", 10), tally("2024-02", 0), tally("2024-03", 5)], 20);
        assert_eq!(chart, "2024-01  10  ███████\n2024-02   0\n2024-03   5  ███▌\n");
        assert!(chart.lines().all(|line| measure_text_width(line) <= 20));
    }

    #[test]
    fn the_terminal_view_has_every_section_and_escapes_titles() {
        let mut hours: Vec<Tally> = (0..24).map(|h| tally(&format!("{h:02}"), 0)).collect();
        hours[22].count = 2;
        let stats = Stats {
            conversations: 1,
            messages: 2,
            months: vec![tally("2023-11", 2)],
            models: vec![tally("gpt-4o", 1)],
            roles: vec![tally("assistant", 1), tally("user", 1)],
            weekdays: ["Monday", "Tuesday"].iter().map(|d| tally(d, 1)).collect(),
            hours,
            longest: vec![Longest {
                id: "c1".into(),
                title: Some("Bad\x1b[31m".into()),
                messages: 2,
            }],
            imports: vec![ImportEntry {
                id: 1,
                imported_at: "2024-01-10T08:00:00.000000Z".into(),
                export: "e.zip".into(),
                exported_at: None,
                new: 1,
                updated: 0,
                unchanged: 0,
                missing: 0,
                skipped: 0,
            }],
        };
        let full = |cells: usize| "█".repeat(cells);
        let quiet_hours: String = (0..22).map(|h| format!("{h:02}  0\n")).collect();
        let expected = format!(
            "Counting visible messages on every branch; times in UTC.\n\n\
             Conversations  1\nMessages       2\n\n\
             Messages per month\n2023-11  2  {}\n\n\
             Messages per weekday (busiest: Monday)\nMonday   1  {}\nTuesday  1  {}\n\n\
             Messages per hour (busiest: 22:00)\n{quiet_hours}22  2  {}\n23  0\n\n\
             Messages per model\ngpt-4o  1\n\n\
             Messages per role\nassistant  1\nuser       1\n\n\
             Longest conversations\n2  c1  Bad\\u{{1b}}[31m\n\n\
             Imports, newest first\n2024-01-10 08:00  1 new  e.zip\n",
            full(12),
            full(12),
            full(12),
            full(17),
        );
        assert_eq!(render(&stats, false, 24, false), expected);
    }
}
