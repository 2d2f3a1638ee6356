//! One conversation read back from the archive: its row, every node with its message and
//! attachments, and the export JSON rebuilt from `conversations.raw` and the nodes' raw JSON.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row};
use serde_json::Value;

/// A conversation's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    /// The conversation id.
    pub id: String,
    /// The title, `None` for untitled conversations.
    pub title: Option<String>,
    /// Creation time, ISO-8601 UTC.
    pub created_at: Option<String>,
    /// Last update time, ISO-8601 UTC.
    pub updated_at: Option<String>,
    /// The conversation's default model.
    pub model: Option<String>,
    /// The project (`g-p-…`), when the conversation belongs to one.
    pub project_id: Option<String>,
    /// The custom GPT or project id (`gizmo_id`).
    pub gizmo_id: Option<String>,
    /// Nodes holding a message, on every branch.
    pub message_count: i64,
    /// Whether the newest export imported still holds the conversation.
    pub in_latest_export: bool,
    /// The export time of the last export that held it, ISO-8601 UTC.
    pub last_seen_at: Option<String>,
    /// The top-level JSON, with the nodes left out of `mapping`.
    pub raw: String,
}

/// One node of a conversation's mapping, with its message when it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The mapping key.
    pub node_id: String,
    /// The parent node, `None` for roots.
    pub parent_node_id: Option<String>,
    /// Order among siblings (0-based).
    pub position: i64,
    /// Distance from the root.
    pub depth: i64,
    /// `user`, `assistant`, `tool` or `system`.
    pub role: Option<String>,
    /// The tool's name for tool messages (`python`, `web.run`…).
    pub author_name: Option<String>,
    /// `all` for ordinary turns, a tool name for tool calls.
    pub recipient: Option<String>,
    /// `final`, `commentary` or none.
    pub channel: Option<String>,
    /// `text`, `code`, `execution_output`…
    pub content_type: Option<String>,
    /// The model that wrote the message.
    pub model: Option<String>,
    /// Creation time, ISO-8601 UTC.
    pub created_at: Option<String>,
    /// Not shown by ChatGPT (scaffolding, custom instructions).
    pub hidden: bool,
    /// On the current thread.
    pub on_current_thread: bool,
    /// Whether the node holds a message at all.
    pub has_message: bool,
    /// The searchable text of the message.
    pub text: String,
    /// The message JSON.
    pub raw: Option<String>,
    /// The node JSON without its message.
    pub node_raw: String,
    /// Files the message points to.
    pub attachments: Vec<Attachment>,
}

/// A file a message points to (a row of `asset_references`, with what the `attachments`
/// view knows of the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Where the pointer sits in the message JSON.
    pub json_path: String,
    /// The pointer as written (`sediment://file_…`, `file-service://file-…`).
    pub pointer: String,
    /// The file id the pointer names.
    pub file_id: String,
    /// `stored`, `skipped` (not kept by the import) or `missing` (in no export imported).
    pub status: String,
    /// The original name, when known.
    pub name: Option<String>,
    /// The media type, when known.
    pub media_type: Option<String>,
    /// Size in bytes, when known.
    pub size: Option<i64>,
}

impl Message {
    /// Shown by ChatGPT: a message that is not hidden scaffolding.
    pub fn is_visible(&self) -> bool {
        self.has_message && !self.hidden
    }

    /// A string field of the message's `content` object (`language`, `text`…).
    pub fn content_field(&self, field: &str) -> Option<String> {
        let raw: Value = serde_json::from_str(self.raw.as_deref()?).ok()?;
        raw.get("content")?.get(field)?.as_str().map(str::to_string)
    }
}

const CONVERSATION: &str = "
    SELECT id, title, created_at, updated_at, model, project_id, gizmo_id, message_count,
        in_latest_export, last_seen_at, raw
    FROM conversations WHERE id = ?1";

const MESSAGES: &str = "
    SELECT node_id, parent_node_id, position, depth, role, author_name, recipient, channel,
        content_type, model, created_at, hidden, on_current_thread, has_message, text, raw,
        node_raw
    FROM messages WHERE conversation_id = ?1 ORDER BY id";

/// Reads a conversation's row; `None` when no conversation has this exact id.
pub fn load(conn: &Connection, id: &str) -> rusqlite::Result<Option<Conversation>> {
    conn.query_row(CONVERSATION, [id], |row| {
        Ok(Conversation {
            id: row.get(0)?,
            title: row.get(1)?,
            created_at: row.get(2)?,
            updated_at: row.get(3)?,
            model: row.get(4)?,
            project_id: row.get(5)?,
            gizmo_id: row.get(6)?,
            message_count: row.get(7)?,
            in_latest_export: row.get(8)?,
            last_seen_at: row.get(9)?,
            raw: row.get(10)?,
        })
    })
    .optional()
}

/// Reads every node of a conversation, in the order they were first stored, each with its
/// attachments.
pub fn messages(conn: &Connection, id: &str) -> rusqlite::Result<Vec<Message>> {
    let mut attachments = attachments(conn, id)?;
    let mut stmt = conn.prepare(MESSAGES)?;
    let rows = stmt.query_map([id], message_row)?;
    rows.map(|row| {
        row.map(|mut message| {
            message.attachments = attachments.remove(&message.node_id).unwrap_or_default();
            message
        })
    })
    .collect()
}

fn message_row(row: &Row<'_>) -> rusqlite::Result<Message> {
    Ok(Message {
        node_id: row.get(0)?,
        parent_node_id: row.get(1)?,
        position: row.get(2)?,
        depth: row.get(3)?,
        role: row.get(4)?,
        author_name: row.get(5)?,
        recipient: row.get(6)?,
        channel: row.get(7)?,
        content_type: row.get(8)?,
        model: row.get(9)?,
        created_at: row.get(10)?,
        hidden: row.get(11)?,
        on_current_thread: row.get(12)?,
        has_message: row.get(13)?,
        text: row.get(14)?,
        raw: row.get(15)?,
        node_raw: row.get(16)?,
        attachments: Vec::new(),
    })
}

/// The attachments of a conversation, by node id, in JSON path order within a message.
fn attachments(conn: &Connection, id: &str) -> rusqlite::Result<HashMap<String, Vec<Attachment>>> {
    let mut by_node: HashMap<String, Vec<Attachment>> = HashMap::new();
    for file in super::attachments::of_conversation(conn, id)? {
        by_node.entry(file.node_id).or_default().push(Attachment {
            json_path: file.json_path,
            pointer: file.pointer,
            file_id: file.file_id,
            status: file.status,
            name: file.name,
            media_type: file.media_type,
            size: file.size,
        });
    }
    Ok(by_node)
}

/// The conversation as the export wrote it: the top-level JSON with each node (and its
/// message) put back into `mapping`.
pub fn export_json(conversation: &Conversation, messages: &[Message]) -> serde_json::Result<Value> {
    let mut value: Value = serde_json::from_str(&conversation.raw)?;
    for message in messages {
        let mut node: Value = serde_json::from_str(&message.node_raw)?;
        if let Some(raw) = &message.raw {
            node["message"] = serde_json::from_str(raw)?;
        }
        // Nodes exist only when the export had a `mapping` object, which `raw` keeps (holding
        // its null nodes), so this indexes into an object and keeps the export's null nodes.
        value["mapping"][&message.node_id] = node;
    }
    Ok(value)
}
