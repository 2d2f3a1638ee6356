//! Which conversations an export writes. Selection is by conversation:
//!
//! - the conversation filters of `list` (`--since`/`--until` on the conversation's creation
//!   time, `--model` its default model, `--title`, `--project`, `--conversation`, `--missing`)
//!   pick conversations, in `list`'s order (newest first);
//! - the message filters (`--role`, `--content-type`) keep those with at least one such
//!   message, on the current thread (every branch with `--all-branches`), hidden and tool
//!   messages only with `--include-hidden`, as in `search`;
//! - a search query (`--query`) keeps those that `search` finds, in their text or title,
//!   under the same message filters.

use std::collections::HashSet;

use rusqlite::Connection;

use crate::query::filter::Filters;
use crate::query::list::{self, ListOptions, SortKey};
use crate::query::search::{self, Search, SearchError, Syntax};

/// A search the conversations must match.
#[derive(Debug, Clone)]
pub struct Query {
    /// The text, as `search` reads it.
    pub text: String,
    /// Plain words or an FTS5 expression.
    pub syntax: Syntax,
}

/// What to export.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// The shared filters (with `missing`).
    pub filters: Filters,
    /// Only conversations this search finds.
    pub query: Option<Query>,
}

/// The ids of the selected conversations, newest first (ties by id).
pub fn select(conn: &Connection, selection: &Selection) -> Result<Vec<String>, SelectError> {
    let filters = &selection.filters;
    let options = ListOptions {
        filters: filters.clone(),
        sort: SortKey::Created,
        reverse: false,
        limit: None,
    };
    let mut ids: Vec<String> = list::list(conn, &options)?.into_iter().map(|c| c.id).collect();
    // The message filters alone, for the message conditions: the conversation filters were
    // applied above, on the conversation's own dates and model.
    let scope = Filters {
        roles: filters.roles.clone(),
        content_types: filters.content_types.clone(),
        all_branches: filters.all_branches,
        include_hidden: filters.include_hidden,
        ..Filters::default()
    };
    if !scope.roles.is_empty() || !scope.content_types.is_empty() {
        let having = with_messages(conn, &scope)?;
        ids.retain(|id| having.contains(id));
    }
    if let Some(query) = &selection.query {
        let search = Search {
            text: query.text.clone(),
            syntax: query.syntax,
            filters: scope,
            limit: u32::MAX,
        };
        let found: HashSet<String> =
            search::search(conn, &search)?.into_iter().map(|hit| hit.conversation_id).collect();
        ids.retain(|id| found.contains(id));
    }
    Ok(ids)
}

/// The conversations holding a message that the message conditions of `scope` let through.
fn with_messages(conn: &Connection, scope: &Filters) -> rusqlite::Result<HashSet<String>> {
    let mut conditions = scope.message_conditions();
    conditions.clauses.push("m.has_message = 1".into());
    let sql = format!(
        "SELECT DISTINCT m.conversation_id FROM messages AS m
         JOIN conversations AS c ON c.id = m.conversation_id {}",
        conditions.where_sql()
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(conditions.params), |row| row.get(0))?;
    rows.collect()
}

/// Why the selection could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    /// The search failed (a bad `--fts` expression, say).
    #[error(transparent)]
    Search(#[from] SearchError),
    /// The archive could not be read.
    #[error("cannot read the archive")]
    Sql(#[from] rusqlite::Error),
}
