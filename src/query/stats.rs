//! Statistics over the archive: activity per month, model, role, weekday and hour, the
//! longest conversations, the import log and the archive's totals.
//!
//! What is counted: messages the ChatGPT app shows (`hidden = 0` and `has_message = 1`), on
//! every branch, so an edited question and each regenerated answer count once each. Times
//! are UTC, as stored; a message without a time counts in the totals, the models, the roles
//! and the longest conversations, but in no month, weekday or hour.

use rusqlite::{Connection, Row};

/// What `stats` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsOptions {
    /// Count hidden messages too (system scaffolding, tool calls the app does not show).
    pub include_hidden: bool,
    /// How many of the longest conversations to return.
    pub top: u32,
}

/// A count under a key: a month (`2024-03`), a model, a role, a weekday or an hour (`09`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// What is counted.
    pub key: String,
    /// How many messages.
    pub count: i64,
}

/// A conversation and the number of counted messages it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Longest {
    /// The conversation id.
    pub id: String,
    /// The title, `None` for untitled conversations.
    pub title: Option<String>,
    /// Counted messages, on every branch.
    pub messages: i64,
}

/// One row of the import log: an export processed by one `import` run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportEntry {
    /// The log row's id.
    pub id: i64,
    /// When the import started, ISO-8601 UTC.
    pub imported_at: String,
    /// The export's name (its file or folder name).
    pub export: String,
    /// When the export was made, if known.
    pub exported_at: Option<String>,
    /// Conversations the archive did not hold before.
    pub new: i64,
    /// Conversations that changed.
    pub updated: i64,
    /// Conversations that did not change.
    pub unchanged: i64,
    /// Conversations in the archive that the export no longer held (kept).
    pub missing: i64,
    /// Conversations that could not be read and were skipped.
    pub skipped: i64,
}

/// Everything `stats` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    /// Conversations in the archive.
    pub conversations: i64,
    /// Counted messages.
    pub messages: i64,
    /// Messages per month, every month from the first to the last, empty ones included.
    pub months: Vec<Tally>,
    /// Messages per model slug, most first; messages naming no model are left out.
    pub models: Vec<Tally>,
    /// Messages per role, most first.
    pub roles: Vec<Tally>,
    /// Messages per weekday, Monday to Sunday.
    pub weekdays: Vec<Tally>,
    /// Messages per hour of the day, `00` to `23`.
    pub hours: Vec<Tally>,
    /// The conversations with the most counted messages, most first, ties by id.
    pub longest: Vec<Longest>,
    /// The import log, newest first.
    pub imports: Vec<ImportEntry>,
}

/// The archive's totals, for `info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    /// Conversations.
    pub conversations: i64,
    /// Nodes holding a message, on every branch, hidden ones included.
    pub messages: i64,
    /// Distinct versions of conversations' raw JSON.
    pub versions: i64,
    /// Distinct exports.
    pub exports: i64,
    /// Rows of the import log.
    pub imports: i64,
    /// The newest export's date, if any export has one.
    pub latest_export: Option<String>,
}

/// Weekday names in the order `stats` lists them; SQLite's `%w` counts from Sunday.
const WEEKDAYS: [&str; 7] =
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// SQLite's weekday number of a message; the time is cut to seconds, a form every SQLite
/// date function reads.
const WEEKDAY_NUMBER: &str = "strftime('%w', substr(m.created_at, 1, 19))";

/// Computes the statistics.
pub fn stats(conn: &Connection, options: &StatsOptions) -> rusqlite::Result<Stats> {
    let counted = if options.include_hidden {
        "m.has_message = 1"
    } else {
        "m.hidden = 0 AND m.has_message = 1"
    };
    let dated = format!("{counted} AND m.created_at IS NOT NULL");
    let count_by = |key: &str, condition: &str, order: &str| {
        tallies(
            conn,
            &format!(
                "SELECT {key} AS key, count(*) FROM messages AS m WHERE {condition}
                 GROUP BY key ORDER BY {order}"
            ),
        )
    };
    let by_count = "count(*) DESC, key";
    Ok(Stats {
        conversations: conn.query_row("SELECT count(*) FROM conversations", [], |r| r.get(0))?,
        messages: conn.query_row(
            &format!("SELECT count(*) FROM messages AS m WHERE {counted}"),
            [],
            |r| r.get(0),
        )?,
        months: fill_months(count_by("substr(m.created_at, 1, 7)", &dated, "key")?),
        models: count_by("m.model", &format!("{counted} AND m.model IS NOT NULL"), by_count)?,
        roles: count_by("m.role", &format!("{counted} AND m.role IS NOT NULL"), by_count)?,
        weekdays: weekdays(count_by(WEEKDAY_NUMBER, &dated, "key")?),
        hours: hours(count_by("substr(m.created_at, 12, 2)", &dated, "key")?),
        longest: longest(conn, counted, options.top)?,
        imports: import_log(conn)?,
    })
}

/// The import log, newest first.
pub fn import_log(conn: &Connection) -> rusqlite::Result<Vec<ImportEntry>> {
    let mut statement = conn.prepare(
        "SELECT i.id, i.started_at, e.name, e.exported_at, i.conversations_new,
                i.conversations_updated, i.conversations_unchanged, i.conversations_missing,
                i.skipped
         FROM imports AS i JOIN exports AS e ON e.id = i.export_id
         ORDER BY i.started_at DESC, i.id DESC",
    )?;
    let entries = statement.query_map([], import_entry)?;
    entries.collect()
}

fn import_entry(row: &Row) -> rusqlite::Result<ImportEntry> {
    Ok(ImportEntry {
        id: row.get(0)?,
        imported_at: row.get(1)?,
        export: row.get(2)?,
        exported_at: row.get(3)?,
        new: row.get(4)?,
        updated: row.get(5)?,
        unchanged: row.get(6)?,
        missing: row.get(7)?,
        skipped: row.get(8)?,
    })
}

/// The archive's totals.
pub fn totals(conn: &Connection) -> rusqlite::Result<Totals> {
    conn.query_row(
        "SELECT (SELECT count(*) FROM conversations),
                (SELECT count(*) FROM messages WHERE has_message = 1),
                (SELECT count(*) FROM conversation_versions),
                (SELECT count(*) FROM exports),
                (SELECT count(*) FROM imports),
                (SELECT max(exported_at) FROM exports)",
        [],
        |row| {
            Ok(Totals {
                conversations: row.get(0)?,
                messages: row.get(1)?,
                versions: row.get(2)?,
                exports: row.get(3)?,
                imports: row.get(4)?,
                latest_export: row.get(5)?,
            })
        },
    )
}

fn tallies(conn: &Connection, sql: &str) -> rusqlite::Result<Vec<Tally>> {
    let mut statement = conn.prepare(sql)?;
    let rows = statement.query_map([], |row| Ok(Tally { key: row.get(0)?, count: row.get(1)? }))?;
    rows.collect()
}

fn longest(conn: &Connection, counted: &str, top: u32) -> rusqlite::Result<Vec<Longest>> {
    let mut statement = conn.prepare(&format!(
        "SELECT c.id, c.title, count(*) AS n
         FROM messages AS m JOIN conversations AS c ON c.id = m.conversation_id
         WHERE {counted}
         GROUP BY c.id ORDER BY n DESC, c.id LIMIT ?1"
    ))?;
    let rows = statement.query_map([top], |row| {
        Ok(Longest { id: row.get(0)?, title: row.get(1)?, messages: row.get(2)? })
    })?;
    rows.collect()
}

/// Adds the empty months between the first and the last, so that a chart shows the gaps.
fn fill_months(found: Vec<Tally>) -> Vec<Tally> {
    let parse = |key: &str| -> Option<(i32, u32)> {
        let (year, month) = key.split_once('-')?;
        Some((year.parse().ok()?, month.parse().ok()?))
    };
    let bounds =
        found.first().zip(found.last()).and_then(|(a, b)| parse(&a.key).zip(parse(&b.key)));
    let Some(((mut year, mut month), last)) = bounds else {
        return found;
    };
    let mut filled = Vec::new();
    while (year, month) <= last {
        let key = format!("{year:04}-{month:02}");
        let count = found.iter().find(|t| t.key == key).map_or(0, |t| t.count);
        filled.push(Tally { key, count });
        (year, month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    }
    filled
}

/// Monday to Sunday, from SQLite's weekday numbers (`0` is Sunday).
fn weekdays(found: Vec<Tally>) -> Vec<Tally> {
    WEEKDAYS
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let number = ((index + 1) % 7).to_string();
            let count = found.iter().find(|t| t.key == number).map_or(0, |t| t.count);
            Tally { key: name.to_string(), count }
        })
        .collect()
}

/// All 24 hours, `00` to `23`.
fn hours(found: Vec<Tally>) -> Vec<Tally> {
    (0..24)
        .map(|hour| {
            let key = format!("{hour:02}");
            let count = found.iter().find(|t| t.key == key).map_or(0, |t| t.count);
            Tally { key, count }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(key: &str, count: i64) -> Tally {
        Tally { key: key.to_string(), count }
    }

    #[test]
    fn months_without_messages_are_filled_in_across_a_new_year() {
        let filled = fill_months(vec![tally("2023-11", 4), tally("2024-02", 1)]);
        assert_eq!(
            filled,
            [tally("2023-11", 4), tally("2023-12", 0), tally("2024-01", 0), tally("2024-02", 1)]
        );
        assert_eq!(fill_months(Vec::new()), []);
    }

    #[test]
    fn weekdays_run_from_monday_with_sunday_last() {
        let days = weekdays(vec![tally("0", 2), tally("2", 5)]);
        let keys: Vec<&str> = days.iter().map(|t| t.key.as_str()).collect();
        assert_eq!(keys, WEEKDAYS);
        assert_eq!(days[1], tally("Tuesday", 5));
        assert_eq!(days[6], tally("Sunday", 2));
        assert_eq!(days.iter().map(|t| t.count).sum::<i64>(), 7);
    }

    #[test]
    fn every_hour_is_listed() {
        let all = hours(vec![tally("09", 3)]);
        assert_eq!(all.len(), 24);
        assert_eq!(all[9], tally("09", 3));
        assert_eq!(all[0], tally("00", 0));
    }
}
