//! `list`: one summary row per conversation, filtered by the shared conversation filters and
//! sorted.

use rusqlite::Connection;
use rusqlite::types::Value as SqlValue;

use super::filter::Filters;

/// What conversations are ordered by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortKey {
    /// Creation time.
    #[default]
    Created,
    /// Last update time.
    Updated,
    /// Number of messages, on every branch.
    Size,
}

/// What to list and in which order.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// Which conversations (only the conversation-level filters apply).
    pub filters: Filters,
    /// The order: newest (or largest) first, ties by id.
    pub sort: SortKey,
    /// The exact reverse order: oldest (or smallest) first.
    pub reverse: bool,
    /// At most this many rows, taken after sorting.
    pub limit: Option<u64>,
}

/// One conversation of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationSummary {
    /// The conversation id.
    pub id: String,
    /// The title, `None` for untitled conversations.
    pub title: Option<String>,
    /// Creation time, ISO-8601 UTC.
    pub created_at: Option<String>,
    /// Last update time, ISO-8601 UTC.
    pub updated_at: Option<String>,
    /// Nodes holding a message, on every branch.
    pub message_count: i64,
    /// The conversation's default model.
    pub model: Option<String>,
}

/// Lists the conversations the filters select, sorted.
pub fn list(
    conn: &Connection,
    options: &ListOptions,
) -> rusqlite::Result<Vec<ConversationSummary>> {
    let conditions = options.filters.conversation_conditions();
    let key = match options.sort {
        SortKey::Created => "c.created_at",
        SortKey::Updated => "c.updated_at",
        SortKey::Size => "c.message_count",
    };
    // Missing times sort as the oldest, so they come last by default.
    let (key_order, id_order) = if options.reverse { ("ASC", "DESC") } else { ("DESC", "ASC") };
    let sql = format!(
        "SELECT c.id, c.title, c.created_at, c.updated_at, c.message_count, c.model
         FROM conversations AS c {}
         ORDER BY {key} {key_order}, c.id {id_order} LIMIT ?",
        conditions.where_sql()
    );
    let mut params = conditions.params;
    params.push(options.limit.map_or(SqlValue::Integer(-1), |n| {
        SqlValue::Integer(i64::try_from(n).unwrap_or(i64::MAX))
    }));
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(params), |row| {
        Ok(ConversationSummary {
            id: row.get(0)?,
            title: row.get(1)?,
            created_at: row.get(2)?,
            updated_at: row.get(3)?,
            message_count: row.get(4)?,
            model: row.get(5)?,
        })
    })?;
    rows.collect()
}
