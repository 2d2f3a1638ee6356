//! Everything in an export besides the conversations: every member is listed in
//! `export_files`; JSON side files and `chat.html` are kept byte for byte in `blobs`
//! (content-addressed, so the same `user.json` in ten exports is stored once); feedback,
//! share links, Library rows and group chats also get tables of their own. When two exports
//! disagree about a row, the newer export wins, whatever the import order.

use rusqlite::{Connection, params};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::error::{StoreError, WriteContext};
use crate::model::text::message_text;
use crate::model::timestamp::iso_of;
use crate::source::{Export, MemberKind};

/// The side files that get tables of their own.
const KNOWN: [&str; 4] = [
    "message_feedback.json",
    "shared_conversations.json",
    "library_files.json",
    "group_chats.json",
];

/// Records every member of the export and stores its side files.
pub fn store(
    conn: &Connection,
    export: &mut Export,
    export_id: i64,
    exported_at: Option<&str>,
) -> Result<(), StoreError> {
    for (name, kind, size) in export.members() {
        let keep =
            matches!(kind, MemberKind::SideFile | MemberKind::Manifest | MemberKind::ChatHtml);
        let sha256 = if keep {
            let bytes = export.read(&name)?;
            let sha256 = store_blob(conn, &bytes)?;
            // Only the side files with tables of their own are parsed; the others are kept
            // as bytes, so an odd or huge unknown file costs no memory beyond its bytes.
            if KNOWN.contains(&name.as_str())
                && let Ok(value) = serde_json::from_slice::<Value>(&bytes)
            {
                store_known(conn, &name, &value, exported_at)?;
            }
            Some(sha256)
        } else {
            None
        };
        conn.prepare_cached(
            "INSERT OR IGNORE INTO export_files (export_id, path, kind, size, sha256)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .step("preparing an export file")?
        .execute(params![export_id, name, kind.as_str(), size as i64, sha256])
        .step("listing an export file")?;
    }
    Ok(())
}

fn store_blob(conn: &Connection, bytes: &[u8]) -> Result<String, StoreError> {
    let sha256 = hex::encode(Sha256::digest(bytes));
    conn.prepare_cached("INSERT OR IGNORE INTO blobs (sha256, size, data) VALUES (?1, ?2, ?3)")
        .step("preparing a blob")?
        .execute(params![sha256, bytes.len() as i64, bytes])
        .step("storing a side file")?;
    Ok(sha256)
}

fn store_known(
    conn: &Connection,
    name: &str,
    value: &Value,
    seen_at: Option<&str>,
) -> Result<(), StoreError> {
    let rows = |v: &Value| v.as_array().cloned().unwrap_or_default();
    match name {
        "message_feedback.json" => rows(value).iter().try_for_each(|r| feedback(conn, r, seen_at)),
        "shared_conversations.json" => rows(value).iter().try_for_each(|r| share(conn, r, seen_at)),
        "library_files.json" => rows(value).iter().try_for_each(|r| library(conn, r, seen_at)),
        "group_chats.json" => {
            rows(&value["chats"]).iter().try_for_each(|chat| group_chat(conn, chat, seen_at))
        }
        _ => Ok(()),
    }
}

fn text(value: &Value, key: &str) -> Option<String> {
    match value.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// Upsert clause: the row from the newer export wins; equal dates fall back to the raw text
/// so that the result never depends on import order.
const NEWER_WINS: &str = "WHERE excluded.seen_at > seen_at OR seen_at IS NULL
    OR (excluded.seen_at IS seen_at AND excluded.raw > raw)";

fn feedback(conn: &Connection, row: &Value, seen_at: Option<&str>) -> Result<(), StoreError> {
    let Some(id) = text(row, "id") else {
        return Ok(());
    };
    let sql = format!(
        "INSERT INTO message_feedback (id, conversation_id, node_id, rating, content, created_at,
             seen_at, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET conversation_id = excluded.conversation_id,
             node_id = excluded.node_id, rating = excluded.rating, content = excluded.content,
             created_at = excluded.created_at, seen_at = excluded.seen_at, raw = excluded.raw
         {NEWER_WINS}"
    );
    conn.prepare_cached(&sql)
        .step("preparing feedback")?
        .execute(params![
            id,
            text(row, "conversation_id"),
            text(row, "message_id"),
            text(row, "rating"),
            text(row, "content"),
            iso_of(row.get("create_time")),
            seen_at,
            row.to_string()
        ])
        .step("storing feedback")?;
    Ok(())
}

fn share(conn: &Connection, row: &Value, seen_at: Option<&str>) -> Result<(), StoreError> {
    let Some(id) = text(row, "id") else {
        return Ok(());
    };
    let sql = format!(
        "INSERT INTO shared_links (id, conversation_id, title, is_anonymous, url, seen_at, raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET conversation_id = excluded.conversation_id,
             title = excluded.title, is_anonymous = excluded.is_anonymous,
             seen_at = excluded.seen_at, raw = excluded.raw
         {NEWER_WINS}"
    );
    conn.prepare_cached(&sql)
        .step("preparing a share link")?
        .execute(params![
            id,
            text(row, "conversation_id"),
            text(row, "title"),
            row.get("is_anonymous").and_then(Value::as_bool),
            format!("https://chatgpt.com/share/{id}"),
            seen_at,
            row.to_string()
        ])
        .step("storing a share link")?;
    Ok(())
}

fn library(conn: &Connection, row: &Value, seen_at: Option<&str>) -> Result<(), StoreError> {
    // The Library's `id` is an object `{"id": "libfile_…"}` in 2026 exports.
    let id = row.get("id").and_then(|id| text(id, "id")).or_else(|| text(row, "id"));
    let Some(id) = id.or_else(|| text(row, "file_id")) else {
        return Ok(());
    };
    let sql = format!(
        "INSERT INTO library_files (id, file_id, file_name, mime_type, conversation_id, node_id,
             created_at, seen_at, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET file_id = excluded.file_id,
             file_name = excluded.file_name, mime_type = excluded.mime_type,
             conversation_id = excluded.conversation_id, node_id = excluded.node_id,
             created_at = excluded.created_at, seen_at = excluded.seen_at, raw = excluded.raw
         {NEWER_WINS}"
    );
    conn.prepare_cached(&sql)
        .step("preparing a library file")?
        .execute(params![
            id,
            text(row, "file_id"),
            text(row, "file_name"),
            text(row, "mime_type"),
            text(row, "origination_thread_id"),
            text(row, "origination_message_id"),
            iso_of(row.get("created_at")),
            seen_at,
            row.to_string()
        ])
        .step("storing a library file")?;
    Ok(())
}

fn group_chat(conn: &Connection, chat: &Value, seen_at: Option<&str>) -> Result<(), StoreError> {
    let Some(id) = text(chat, "id") else {
        return Ok(());
    };
    let sql = format!(
        "INSERT INTO group_chats (id, name, created_at, updated_at, seen_at, raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, created_at = excluded.created_at,
             updated_at = excluded.updated_at, seen_at = excluded.seen_at, raw = excluded.raw
         {NEWER_WINS}"
    );
    let changed = conn
        .prepare_cached(&sql)
        .step("preparing a group chat")?
        .execute(params![
            id,
            text(chat, "name"),
            iso_of(chat.get("created_at")),
            iso_of(chat.get("updated_at")),
            seen_at,
            chat.to_string()
        ])
        .step("storing a group chat")?;
    if changed == 0 {
        return Ok(());
    }
    let messages = chat.get("messages").and_then(Value::as_array).cloned().unwrap_or_default();
    for message in &messages {
        let Some(message_id) = text(message, "id") else {
            continue;
        };
        let searchable = match message.get("text") {
            Some(Value::String(s)) => s.clone(),
            _ => message_text(message),
        };
        conn.prepare_cached(
            "INSERT INTO group_chat_messages (chat_id, message_id, role, text, created_at, raw)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (chat_id, message_id) DO UPDATE SET role = excluded.role,
                 text = excluded.text, created_at = excluded.created_at, raw = excluded.raw",
        )
        .step("preparing a group chat message")?
        .execute(params![
            id,
            message_id,
            text(message, "role"),
            searchable,
            iso_of(message.get("created_at")),
            message.to_string()
        ])
        .step("storing a group chat message")?;
    }
    Ok(())
}
