//! Writes the normalized rows of one conversation: `conversations`, `messages` (the FTS
//! triggers follow) and `asset_references`. Rows are upserted by their natural keys and
//! rewritten only when something differs, so that an unchanged conversation costs no write.

use std::collections::HashSet;

use rusqlite::{Connection, params};

use super::error::{StoreError, WriteContext};
use crate::model::record::{ConversationRecord, NodeRecord};

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

const UPSERT_CONVERSATION: &str = "
    INSERT INTO conversations (id, title, created_at, updated_at, current_node_id,
        thread_leaf_id, model, gizmo_id, gizmo_type, project_id, is_archived, is_starred,
        pinned_at, memory_scope, conversation_origin, has_mapping, node_count, message_count,
        in_latest_export, raw)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
        0, ?19)
    ON CONFLICT (id) DO UPDATE SET title = excluded.title, created_at = excluded.created_at,
        updated_at = excluded.updated_at, current_node_id = excluded.current_node_id,
        thread_leaf_id = excluded.thread_leaf_id, model = excluded.model,
        gizmo_id = excluded.gizmo_id, gizmo_type = excluded.gizmo_type,
        project_id = excluded.project_id, is_archived = excluded.is_archived,
        is_starred = excluded.is_starred, pinned_at = excluded.pinned_at,
        memory_scope = excluded.memory_scope, conversation_origin = excluded.conversation_origin,
        has_mapping = excluded.has_mapping, node_count = excluded.node_count,
        message_count = excluded.message_count, raw = excluded.raw
    WHERE conversations.raw IS NOT excluded.raw
        OR conversations.thread_leaf_id IS NOT excluded.thread_leaf_id
        OR conversations.node_count IS NOT excluded.node_count";

const UPSERT_MESSAGE: &str = "
    INSERT INTO messages (conversation_id, node_id, parent_node_id, position, depth, role,
        author_name, recipient, channel, content_type, status, model, created_at, updated_at,
        weight, end_turn, hidden, is_custom_instructions, on_current_thread, text, has_message,
        raw, node_raw, in_latest_export)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
        ?19, ?20, ?21, ?22, ?23, 0)
    ON CONFLICT (conversation_id, node_id) DO UPDATE SET
        parent_node_id = excluded.parent_node_id, position = excluded.position,
        depth = excluded.depth, role = excluded.role, author_name = excluded.author_name,
        recipient = excluded.recipient, channel = excluded.channel,
        content_type = excluded.content_type, status = excluded.status, model = excluded.model,
        created_at = excluded.created_at, updated_at = excluded.updated_at,
        weight = excluded.weight, end_turn = excluded.end_turn, hidden = excluded.hidden,
        is_custom_instructions = excluded.is_custom_instructions,
        on_current_thread = excluded.on_current_thread, text = excluded.text,
        has_message = excluded.has_message, raw = excluded.raw, node_raw = excluded.node_raw
    WHERE messages.raw IS NOT excluded.raw OR messages.node_raw IS NOT excluded.node_raw
        OR messages.position IS NOT excluded.position OR messages.depth IS NOT excluded.depth
        OR messages.on_current_thread IS NOT excluded.on_current_thread
        OR messages.model IS NOT excluded.model";

/// Writes a conversation and its nodes.
pub fn write_conversation(
    conn: &Connection,
    record: &ConversationRecord,
) -> Result<WriteOutcome, StoreError> {
    let existing = existing_nodes(conn, &record.id)?;
    let mut outcome = WriteOutcome { conversation_new: existing.is_none(), ..Default::default() };
    let mut stmt = conn.prepare_cached(UPSERT_CONVERSATION).step("preparing a conversation")?;
    let changed = stmt
        .execute(params![
            record.id,
            record.title,
            record.created_at,
            record.updated_at,
            record.current_node_id,
            record.thread_leaf_id,
            record.model,
            record.gizmo_id,
            record.gizmo_type,
            record.project_id,
            record.is_archived,
            record.is_starred,
            record.pinned_at,
            record.memory_scope,
            record.conversation_origin,
            record.has_mapping,
            record.nodes.len() as i64,
            record.message_count() as i64,
            record.raw,
        ])
        .step("writing a conversation")?;
    outcome.changed = changed > 0;
    let existing = existing.unwrap_or_default();
    for node in &record.nodes {
        if write_node(conn, &record.id, node)? {
            outcome.changed = true;
            if existing.contains(&node.node_id) {
                outcome.nodes_updated += 1;
            } else {
                outcome.nodes_new += 1;
            }
        }
    }
    Ok(outcome)
}

/// The node ids stored for a conversation, or `None` when the conversation is new.
fn existing_nodes(conn: &Connection, id: &str) -> Result<Option<HashSet<String>>, StoreError> {
    let mut exists = conn
        .prepare_cached("SELECT 1 FROM conversations WHERE id = ?1")
        .step("looking up a conversation")?;
    if !exists.exists([id]).step("looking up a conversation")? {
        return Ok(None);
    }
    let mut stmt = conn
        .prepare_cached("SELECT node_id FROM messages WHERE conversation_id = ?1")
        .step("listing nodes")?;
    let ids = stmt
        .query_map([id], |row| row.get(0))
        .step("listing nodes")?
        .collect::<rusqlite::Result<HashSet<String>>>()
        .step("listing nodes")?;
    Ok(Some(ids))
}

/// Upserts one node; returns whether its row was inserted or changed.
fn write_node(
    conn: &Connection,
    conversation_id: &str,
    node: &NodeRecord,
) -> Result<bool, StoreError> {
    let mut stmt = conn.prepare_cached(UPSERT_MESSAGE).step("preparing a message")?;
    let changed = stmt
        .execute(params![
            conversation_id,
            node.node_id,
            node.parent_node_id,
            node.position,
            node.depth,
            node.role,
            node.author_name,
            node.recipient,
            node.channel,
            node.content_type,
            node.status,
            node.model,
            node.created_at,
            node.updated_at,
            node.weight,
            node.end_turn,
            node.hidden,
            node.is_custom_instructions,
            node.on_current_thread,
            node.text,
            node.has_message,
            node.raw,
            node.node_raw,
        ])
        .step("writing a message")?;
    if changed > 0 {
        write_assets(conn, conversation_id, node)?;
    }
    Ok(changed > 0)
}

fn write_assets(
    conn: &Connection,
    conversation_id: &str,
    node: &NodeRecord,
) -> Result<(), StoreError> {
    let mut clear = conn
        .prepare_cached("DELETE FROM asset_references WHERE conversation_id = ?1 AND node_id = ?2")
        .step("clearing asset references")?;
    clear.execute(params![conversation_id, node.node_id]).step("clearing asset references")?;
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO asset_references (conversation_id, node_id, json_path, pointer, file_id)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .step("preparing an asset reference")?;
    for asset in &node.assets {
        insert
            .execute(params![
                conversation_id,
                node.node_id,
                asset.json_path,
                asset.pointer,
                asset.file_id
            ])
            .step("writing an asset reference")?;
    }
    Ok(())
}
