//! When each conversation and node was seen, and which of them the latest export still holds.
//!
//! These columns are derived from `conversation_observations` (which version of a
//! conversation each export held) and the export dates, never from import order. They are
//! recomputed for the conversations an import run touched, set-based, at the end of the run.
//! The "latest export" is the newest export that holds at least one conversation: an empty
//! export (an account whose chats vanished) never marks everything as missing.

use rusqlite::{Connection, OptionalExtension, params};

use super::error::{StoreError, WriteContext};
use crate::model::merge::merge_all;
use crate::model::snapshot::Snapshot;
use crate::source::repair;

/// Prepares the per-run table of touched conversations; returns the latest export before the
/// run.
pub fn begin_run(conn: &Connection) -> Result<Option<i64>, StoreError> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS run_touched (id TEXT PRIMARY KEY) WITHOUT ROWID;
         DELETE FROM run_touched;",
    )
    .step("preparing the run")?;
    latest_export(conn)
}

/// Records that these conversations got new observations in this run.
pub fn mark_touched(conn: &Connection, ids: &[String]) -> Result<(), StoreError> {
    let mut stmt = conn
        .prepare_cached("INSERT OR IGNORE INTO run_touched (id) VALUES (?1)")
        .step("marking touched conversations")?;
    for id in ids {
        stmt.execute([id]).step("marking touched conversations")?;
    }
    Ok(())
}

/// The newest export holding conversations (ties broken by fingerprint, so that the choice
/// does not depend on import order).
pub fn latest_export(conn: &Connection) -> Result<Option<i64>, StoreError> {
    conn.query_row(
        "SELECT id FROM exports WHERE conversation_count > 0
         ORDER BY exported_at DESC, fingerprint DESC LIMIT 1",
        [],
        |row| row.get(0),
    )
    .optional()
    .step("finding the latest export")
}

/// Whether `export_id` is older than another export that holds this conversation, in which
/// case a conversation with several versions must be merged again.
pub fn older_than_latest_observation(
    conn: &Connection,
    conversation_id: &str,
    export_id: i64,
) -> Result<bool, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT (SELECT count(*) FROM conversation_versions WHERE conversation_id = ?1) > 1
                AND (SELECT exported_at FROM exports WHERE id = ?2) < (
                    SELECT max(e.exported_at) FROM conversation_observations AS o
                    JOIN exports AS e ON e.id = o.export_id
                    WHERE o.conversation_id = ?1 AND o.export_id != ?2)",
        )
        .step("comparing export dates")?;
    let older: Option<bool> = stmt
        .query_row(params![conversation_id, export_id], |row| row.get(0))
        .step("comparing export dates")?;
    Ok(older.unwrap_or(false))
}

/// Merges every stored version of a conversation, oldest export first.
pub fn merged_snapshot(conn: &Connection, id: &str) -> Result<Option<Snapshot>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT v.raw, v.raw_bytes FROM conversation_versions AS v
             LEFT JOIN conversation_observations AS o ON o.version_id = v.id
             LEFT JOIN exports AS e ON e.id = o.export_id
             WHERE v.conversation_id = ?1
             GROUP BY v.id ORDER BY min(e.exported_at), v.sha256",
        )
        .step("loading conversation versions")?;
    let rows = stmt
        .query_map([id], |row| Ok((row.get::<_, String>(0)?, row.get::<_, Option<Vec<u8>>>(1)?)))
        .step("loading conversation versions")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .step("loading conversation versions")?;
    let snapshots = rows.into_iter().filter_map(|(raw, raw_bytes)| {
        let bytes = raw_bytes.unwrap_or_else(|| raw.into_bytes());
        let parse = repair::parse_text(&bytes);
        Snapshot::parse(&parse.structural, &parse.text).ok()
    });
    Ok(merge_all(snapshots.collect::<Vec<_>>()))
}

/// Recomputes the seen columns after a run.
pub fn finish_run(conn: &Connection, latest_before: Option<i64>) -> Result<(), StoreError> {
    let latest = latest_export(conn)?;
    let touched: i64 = conn
        .query_row("SELECT count(*) FROM run_touched", [], |row| row.get(0))
        .step("counting touched conversations")?;
    if touched > 0 || latest != latest_before {
        conn.execute_batch(MULTI_VERSION).step("finding conversations with several versions")?;
    }
    if touched > 0 {
        conn.execute_batch(REFRESH_SEEN).step("updating when conversations were seen")?;
    }
    if touched > 0 || latest != latest_before {
        conn.execute(REFRESH_LATEST_CONVERSATIONS, [latest])
            .step("marking conversations of the latest export")?;
        conn.execute_batch(
            &REFRESH_LATEST_MESSAGES.replace("?1", &latest.unwrap_or(-1).to_string()),
        )
        .step("marking messages of the latest export")?;
    }
    Ok(())
}

/// Conversations with several versions: only their nodes can differ from the conversation
/// in when they were seen.
const MULTI_VERSION: &str = "
    DROP TABLE IF EXISTS temp.multi_version;
    CREATE TEMP TABLE multi_version (id TEXT PRIMARY KEY) WITHOUT ROWID;
    INSERT INTO multi_version
        SELECT conversation_id FROM conversation_versions
        GROUP BY conversation_id HAVING count(*) > 1;";

const REFRESH_SEEN: &str = "
    UPDATE conversations SET first_seen_at = s.first_seen, last_seen_at = s.last_seen
    FROM (
        SELECT o.conversation_id, min(e.exported_at) AS first_seen, max(e.exported_at) AS last_seen
        FROM conversation_observations AS o JOIN exports AS e ON e.id = o.export_id
        WHERE o.conversation_id IN (SELECT id FROM run_touched)
        GROUP BY o.conversation_id
    ) AS s
    WHERE s.conversation_id = conversations.id
        AND (conversations.first_seen_at IS NOT s.first_seen
            OR conversations.last_seen_at IS NOT s.last_seen);

    UPDATE messages SET first_seen_at = c.first_seen_at, last_seen_at = c.last_seen_at
    FROM conversations AS c
    WHERE c.id = messages.conversation_id
        AND c.id IN (SELECT id FROM run_touched) AND c.id NOT IN (SELECT id FROM multi_version)
        AND (messages.first_seen_at IS NOT c.first_seen_at
            OR messages.last_seen_at IS NOT c.last_seen_at);

    DROP TABLE IF EXISTS temp.node_seen;
    CREATE TEMP TABLE node_seen AS
        SELECT o.conversation_id, j.value AS node_id,
            min(e.exported_at) AS first_seen, max(e.exported_at) AS last_seen
        FROM conversation_observations AS o
        JOIN exports AS e ON e.id = o.export_id
        JOIN conversation_versions AS v ON v.id = o.version_id, json_each(v.node_ids) AS j
        WHERE o.conversation_id IN (SELECT id FROM run_touched)
            AND o.conversation_id IN (SELECT id FROM multi_version)
        GROUP BY o.conversation_id, j.value;
    UPDATE messages SET first_seen_at = n.first_seen, last_seen_at = n.last_seen
    FROM node_seen AS n
    WHERE n.conversation_id = messages.conversation_id AND n.node_id = messages.node_id
        AND (messages.first_seen_at IS NOT n.first_seen
            OR messages.last_seen_at IS NOT n.last_seen);
    DROP TABLE temp.node_seen;";

const REFRESH_LATEST_CONVERSATIONS: &str = "
    UPDATE conversations SET in_latest_export = flag
    FROM (
        SELECT c.id, EXISTS (
            SELECT 1 FROM conversation_observations AS o
            WHERE o.export_id = ?1 AND o.conversation_id = c.id) AS flag
        FROM conversations AS c
    ) AS f
    WHERE f.id = conversations.id AND conversations.in_latest_export IS NOT f.flag";

const REFRESH_LATEST_MESSAGES: &str = "
    UPDATE messages SET in_latest_export = c.in_latest_export
    FROM conversations AS c
    WHERE c.id = messages.conversation_id AND c.id NOT IN (SELECT id FROM multi_version)
        AND messages.in_latest_export IS NOT c.in_latest_export;

    DROP TABLE IF EXISTS temp.latest_nodes;
    CREATE TEMP TABLE latest_nodes (conversation_id TEXT, node_id TEXT,
        PRIMARY KEY (conversation_id, node_id)) WITHOUT ROWID;
    INSERT OR IGNORE INTO latest_nodes
        SELECT o.conversation_id, j.value
        FROM conversation_observations AS o
        JOIN conversation_versions AS v ON v.id = o.version_id, json_each(v.node_ids) AS j
        WHERE o.export_id = ?1 AND o.conversation_id IN (SELECT id FROM multi_version);
    UPDATE messages SET in_latest_export = 1 - in_latest_export
    WHERE conversation_id IN (SELECT id FROM multi_version)
        AND in_latest_export IS NOT EXISTS (
            SELECT 1 FROM latest_nodes AS l
            WHERE l.conversation_id = messages.conversation_id AND l.node_id = messages.node_id);
    DROP TABLE temp.latest_nodes;";
