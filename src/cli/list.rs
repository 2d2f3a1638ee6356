//! `chatarchive list`: the conversations of the archive, one row each.

use clap::{Args, ValueEnum};
use serde_json::Value;

use chatarchive::query::list::{self, ConversationSummary, ListOptions, SortKey};

use super::filters::FilterArgs;
use super::output::{Format, OutputArgs};
use super::show::{Clock, reader_went_away};
use super::{CliError, Context};

/// The columns of a listing: table headers, CSV header and JSON keys.
const COLUMNS: [&str; 6] = ["id", "title", "created_at", "updated_at", "message_count", "model"];

/// List the conversations in the archive, newest first.
///
/// The table on a terminal shows local times (UTC with --utc); piped (tab-separated), --json
/// and --csv print the archive's ISO-8601 UTC times. The message count covers every branch.
#[derive(Debug, Args)]
#[command(
    mut_arg("role", |a| a.hide(true)),
    mut_arg("content_type", |a| a.hide(true)),
    mut_arg("all_branches", |a| a.hide(true)),
    mut_arg("include_hidden", |a| a.hide(true))
)]
pub struct ListArgs {
    #[command(flatten)]
    filters: FilterArgs,

    /// Only the conversations that the latest export imported no longer holds
    #[arg(long)]
    missing: bool,

    /// Order by creation time, last update or number of messages, largest first
    #[arg(long, value_enum, default_value_t = Sort::Created, value_name = "KEY")]
    sort: Sort,

    /// Reverse the order: oldest or smallest first
    #[arg(long)]
    reverse: bool,

    /// Print at most N conversations
    #[arg(long, value_name = "N")]
    limit: Option<u64>,

    /// Show the table's times in UTC rather than in the local time zone
    #[arg(long)]
    utc: bool,

    #[command(flatten)]
    output: OutputArgs,
}

/// The sort keys of `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Sort {
    /// Creation time.
    Created,
    /// Last update time.
    Updated,
    /// Number of messages.
    Size,
}

/// Runs `list`.
pub fn run(args: ListArgs, context: &Context) -> Result<(), CliError> {
    reject_message_filters(&args.filters)?;
    let mut filters = args.filters.resolve().map_err(|e| CliError::usage(&e.to_string()))?;
    filters.missing = args.missing;
    let sort = match args.sort {
        Sort::Created => SortKey::Created,
        Sort::Updated => SortKey::Updated,
        Sort::Size => SortKey::Size,
    };
    let options = ListOptions { filters, sort, reverse: args.reverse, limit: args.limit };
    let archive = context.open_for_reading()?;
    let summaries = list::list(archive.connection(), &options)?;
    let output = args.output.resolve();
    let clock = (output.format == Format::Table).then(|| Clock::new(args.utc));
    let rows: Vec<Vec<Value>> = summaries.iter().map(|s| row(s, clock.as_ref())).collect();
    Ok(reader_went_away(output.print_rows(&COLUMNS, &rows))?)
}

/// The shared filters on messages mean nothing for a list of whole conversations: they are
/// hidden from `--help` and refused rather than ignored.
fn reject_message_filters(filters: &FilterArgs) -> Result<(), CliError> {
    let given = [
        ("--role", !filters.role.is_empty()),
        ("--content-type", !filters.content_type.is_empty()),
        ("--all-branches", filters.all_branches),
        ("--include-hidden", filters.include_hidden),
    ];
    match given.iter().find(|(_, given)| *given) {
        Some((flag, _)) => Err(CliError::usage(&format!(
            "{flag} filters messages; list shows whole conversations"
        ))
        .with_hint("search messages with: chatarchive search")),
        None => Ok(()),
    }
}

/// A row of the listing; times in local (or UTC) display form when `clock` is given.
fn row(summary: &ConversationSummary, clock: Option<&Clock>) -> Vec<Value> {
    let time = |t: &Option<String>| match (t, clock) {
        (Some(t), Some(clock)) => Value::from(clock.short(t)),
        (t, _) => Value::from(t.clone()),
    };
    vec![
        Value::from(summary.id.clone()),
        Value::from(summary.title.clone()),
        time(&summary.created_at),
        time(&summary.updated_at),
        Value::from(summary.message_count),
        Value::from(summary.model.clone()),
    ]
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn table_rows_show_short_times_and_other_formats_the_stored_ones() {
        let summary = ConversationSummary {
            id: "c1".into(),
            title: None,
            created_at: Some("2024-03-09T16:00:00.000000Z".into()),
            updated_at: None,
            message_count: 2,
            model: Some("gpt-4o".into()),
        };
        let table = row(&summary, Some(&Clock::new(true)));
        assert_eq!(
            table,
            [
                json!("c1"),
                json!(null),
                json!("2024-03-09 16:00"),
                json!(null),
                json!(2),
                json!("gpt-4o")
            ]
        );
        assert_eq!(row(&summary, None)[2], json!("2024-03-09T16:00:00.000000Z"));
    }
}
