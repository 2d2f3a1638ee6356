//! Writes the normalized rows of conversations: `conversations`, `messages` and
//! `asset_references`.
//!
//! Rows are compared with what is stored first, so that only new or changed rows are
//! written. Changed rows are buffered and written in batches, many rows per `INSERT`
//! statement: the full-text triggers then fire inside a few large statements instead of one
//! statement per message, which lets FTS5 build its index in large segments (a statement
//! per row makes it flush a tiny segment every time).

use std::collections::HashMap;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params_from_iter};

use super::error::{StoreError, WriteContext};
use crate::model::record::{ConversationRecord, NodeRecord};

/// Rows per `INSERT` statement (SQLite allows 32,766 bound values per statement).
const ROWS_PER_STATEMENT: usize = 1000;

/// What writing one conversation changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteOutcome {
    /// The conversation was not in the archive before.
    pub conversation_new: bool,
    /// Any row was inserted or changed.
    pub changed: bool,
    /// Nodes inserted.
    pub nodes_new: u64,
    /// Nodes whose row changed.
    pub nodes_updated: u64,
}

/// When the export being imported was seen, when that is known before it is read (from its
/// file name or manifest): rows are then written with their final `first_seen_at`,
/// `last_seen_at` and `in_latest_export`, and the end of the run has nothing to rewrite.
#[derive(Debug, Clone, Default)]
pub struct SeenAt {
    /// The export's date.
    pub at: Option<String>,
    /// Whether the export is the latest one.
    pub latest: bool,
}

const CONVERSATION_COLUMNS: &[&str] = &[
    "id",
    "title",
    "created_at",
    "updated_at",
    "current_node_id",
    "thread_leaf_id",
    "model",
    "gizmo_id",
    "gizmo_type",
    "project_id",
    "is_archived",
    "is_starred",
    "pinned_at",
    "memory_scope",
    "conversation_origin",
    "has_mapping",
    "node_count",
    "message_count",
    "raw",
    "first_seen_at",
    "last_seen_at",
    "in_latest_export",
];

const MESSAGE_COLUMNS: &[&str] = &[
    "conversation_id",
    "node_id",
    "parent_node_id",
    "position",
    "depth",
    "role",
    "author_name",
    "recipient",
    "channel",
    "content_type",
    "status",
    "model",
    "created_at",
    "updated_at",
    "weight",
    "end_turn",
    "hidden",
    "is_custom_instructions",
    "on_current_thread",
    "text",
    "has_cjk",
    "has_message",
    "raw",
    "node_raw",
    "first_seen_at",
    "last_seen_at",
    "in_latest_export",
];

const ASSET_COLUMNS: &[&str] = &["conversation_id", "node_id", "json_path", "pointer", "file_id"];

/// Columns an upsert leaves alone: the keys, and what `store::seen` derives.
const KEPT_ON_UPDATE: &[&str] =
    &["id", "conversation_id", "node_id", "first_seen_at", "last_seen_at", "in_latest_export"];

/// Diffs conversations against the archive and writes what changed, in batches.
pub struct Writer {
    seen: SeenAt,
    conversations: Vec<Vec<Value>>,
    messages: Vec<Vec<Value>>,
    assets: Vec<Vec<Value>>,
    cleared_assets: Vec<(String, String)>,
}

/// The stored columns of a message that decide whether it changed.
#[derive(Debug)]
struct Stored {
    raw: Option<String>,
    node_raw: String,
    position: i64,
    depth: i64,
    on_current_thread: bool,
    model: Option<String>,
}

impl Stored {
    fn matches(&self, node: &NodeRecord) -> bool {
        self.raw == node.raw
            && self.node_raw == node.node_raw
            && self.position == node.position
            && self.depth == node.depth
            && self.on_current_thread == node.on_current_thread
            && self.model == node.model
    }
}

impl Writer {
    /// A writer for one export.
    pub fn new(seen: SeenAt) -> Self {
        Self {
            seen,
            conversations: Vec::new(),
            messages: Vec::new(),
            assets: Vec::new(),
            cleared_assets: Vec::new(),
        }
    }

    /// Buffers the rows of `record` that are new or changed; writes when a batch is full.
    pub fn write(
        &mut self,
        conn: &Connection,
        record: ConversationRecord,
    ) -> Result<WriteOutcome, StoreError> {
        let stored = stored_conversation(conn, &record.id)?;
        let mut outcome = WriteOutcome { conversation_new: stored.is_none(), ..Default::default() };
        let nodes = if stored.is_some() { stored_nodes(conn, &record.id)? } else { HashMap::new() };
        if stored.as_ref().is_none_or(|key| !same_conversation(key, &record)) {
            self.conversations.push(self.conversation_row(&record));
            outcome.changed = true;
        }
        let id = record.id.clone();
        for node in record.nodes {
            let previous = nodes.get(&node.node_id);
            if previous.is_some_and(|stored| stored.matches(&node)) {
                continue;
            }
            outcome.changed = true;
            if previous.is_some() {
                outcome.nodes_updated += 1;
                self.cleared_assets.push((id.clone(), node.node_id.clone()));
            } else {
                outcome.nodes_new += 1;
            }
            self.push_node(&id, node);
        }
        if self.messages.len() >= ROWS_PER_STATEMENT {
            self.flush(conn)?;
        }
        Ok(outcome)
    }

    /// Writes every buffered row.
    pub fn flush(&mut self, conn: &Connection) -> Result<(), StoreError> {
        insert_rows(conn, "conversations", CONVERSATION_COLUMNS, &["id"], &self.conversations)?;
        insert_rows(
            conn,
            "messages",
            MESSAGE_COLUMNS,
            &["conversation_id", "node_id"],
            &self.messages,
        )?;
        let mut clear = conn
            .prepare_cached(
                "DELETE FROM asset_references WHERE conversation_id = ?1 AND node_id = ?2",
            )
            .step("clearing asset references")?;
        for (conversation_id, node_id) in &self.cleared_assets {
            clear.execute([conversation_id, node_id]).step("clearing asset references")?;
        }
        insert_rows(conn, "asset_references", ASSET_COLUMNS, &[], &self.assets)?;
        self.conversations.clear();
        self.messages.clear();
        self.assets.clear();
        self.cleared_assets.clear();
        Ok(())
    }

    fn seen_values(&self) -> [Value; 3] {
        let at = self.seen.at.clone().map_or(Value::Null, Value::Text);
        [at.clone(), at, Value::Integer(i64::from(self.seen.latest))]
    }

    fn conversation_row(&self, r: &ConversationRecord) -> Vec<Value> {
        let mut row = vec![
            text(Some(r.id.clone())),
            text(r.title.clone()),
            text(r.created_at.clone()),
            text(r.updated_at.clone()),
            text(r.current_node_id.clone()),
            text(r.thread_leaf_id.clone()),
            text(r.model.clone()),
            text(r.gizmo_id.clone()),
            text(r.gizmo_type.clone()),
            text(r.project_id.clone()),
            flag(r.is_archived),
            flag(r.is_starred),
            text(r.pinned_at.clone()),
            text(r.memory_scope.clone()),
            text(r.conversation_origin.clone()),
            flag(Some(r.has_mapping)),
            Value::Integer(r.nodes.len() as i64),
            Value::Integer(r.message_count() as i64),
            Value::Text(r.raw.clone()),
        ];
        row.extend(self.seen_values());
        row
    }

    fn push_node(&mut self, conversation_id: &str, n: NodeRecord) {
        for asset in n.assets {
            self.assets.push(vec![
                Value::Text(conversation_id.to_string()),
                Value::Text(n.node_id.clone()),
                Value::Text(asset.json_path),
                Value::Text(asset.pointer),
                Value::Text(asset.file_id),
            ]);
        }
        let mut row = vec![
            Value::Text(conversation_id.to_string()),
            Value::Text(n.node_id),
            text(n.parent_node_id),
            Value::Integer(n.position),
            Value::Integer(n.depth),
            text(n.role),
            text(n.author_name),
            text(n.recipient),
            text(n.channel),
            text(n.content_type),
            text(n.status),
            text(n.model),
            text(n.created_at),
            text(n.updated_at),
            n.weight.map_or(Value::Null, Value::Real),
            flag(n.end_turn),
            flag(Some(n.hidden)),
            flag(Some(n.is_custom_instructions)),
            flag(Some(n.on_current_thread)),
            Value::Text(n.text),
            flag(Some(n.has_cjk)),
            flag(Some(n.has_message)),
            text(n.raw),
            Value::Text(n.node_raw),
        ];
        row.extend(self.seen_values());
        self.messages.push(row);
    }
}

fn text(value: Option<String>) -> Value {
    value.map_or(Value::Null, Value::Text)
}

fn flag(value: Option<bool>) -> Value {
    value.map_or(Value::Null, |b| Value::Integer(i64::from(b)))
}

/// Inserts rows, many per statement; with `key` columns, rows already stored are updated.
fn insert_rows(
    conn: &Connection,
    table: &str,
    columns: &[&str],
    key: &[&str],
    rows: &[Vec<Value>],
) -> Result<(), StoreError> {
    let per_statement = ROWS_PER_STATEMENT.min(32_000 / columns.len());
    for chunk in rows.chunks(per_statement) {
        let sql = insert_sql(table, columns, key, chunk.len());
        let step = format!("writing {table}");
        conn.prepare_cached(&sql)
            .step(&step)?
            .execute(params_from_iter(chunk.iter().flatten()))
            .step(&step)?;
    }
    Ok(())
}

fn insert_sql(table: &str, columns: &[&str], key: &[&str], rows: usize) -> String {
    let marks = format!("({})", vec!["?"; columns.len()].join(", "));
    let values = vec![marks; rows].join(", ");
    let mut sql = format!("INSERT INTO {table} ({}) VALUES {values}", columns.join(", "));
    if !key.is_empty() {
        let updates: Vec<String> = columns
            .iter()
            .filter(|c| !KEPT_ON_UPDATE.contains(c))
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        sql.push_str(&format!(
            " ON CONFLICT ({}) DO UPDATE SET {}",
            key.join(", "),
            updates.join(", ")
        ));
    }
    sql
}

/// What decides whether a conversation row changed.
type ConversationKey = (String, Option<String>, i64);

fn same_conversation(stored: &ConversationKey, record: &ConversationRecord) -> bool {
    stored.0 == record.raw
        && stored.1 == record.thread_leaf_id
        && stored.2 == record.nodes.len() as i64
}

fn stored_conversation(conn: &Connection, id: &str) -> Result<Option<ConversationKey>, StoreError> {
    conn.prepare_cached("SELECT raw, thread_leaf_id, node_count FROM conversations WHERE id = ?1")
        .step("looking up a conversation")?
        .query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()
        .step("looking up a conversation")
}

fn stored_nodes(conn: &Connection, id: &str) -> Result<HashMap<String, Stored>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT node_id, raw, node_raw, position, depth, on_current_thread, model
             FROM messages WHERE conversation_id = ?1",
        )
        .step("reading stored messages")?;
    let rows = stmt
        .query_map([id], |row| {
            let stored = Stored {
                raw: row.get(1)?,
                node_raw: row.get(2)?,
                position: row.get(3)?,
                depth: row.get(4)?,
                on_current_thread: row.get(5)?,
                model: row.get(6)?,
            };
            Ok((row.get(0)?, stored))
        })
        .step("reading stored messages")?;
    rows.collect::<rusqlite::Result<_>>().step("reading stored messages")
}
