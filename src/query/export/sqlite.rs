//! A new archive holding only the selected conversations, with the same schema: created with
//! `Archive::open` (so the migrations run), then filled set-based from the source archive,
//! attached read-only. It can be shared and queried like the original: the triggers fill the
//! search indexes as the rows go in.
//!
//! Copied, for the selected conversations: their rows of `conversations`, `messages`,
//! `conversation_versions`, `conversation_observations` with the `exports` they reference,
//! `asset_references`, `message_feedback`, `shared_links`, `library_files`, of any other
//! table that has a `conversation_id` column (tables added by later migrations), and the
//! stored attachment files they point to (`media`, `export_assets` and their `export_files`
//! rows). Not copied: the import log (`imports`, which names the files imported), the other
//! members and side files of the exports (`export_files`, `blobs`) and group chats, which
//! belong to no conversation.

use std::fmt::Write as _;
use std::path::Path;

use rusqlite::Connection;

use super::sink::Sink;
use super::{ExportError, Progress, Summary};
use crate::store::Archive;

/// The tables copied first, in an order that satisfies their foreign keys, each with the
/// condition that picks the selected conversations' rows.
const TABLES: [(&str, &str); 9] = [
    (
        "exports",
        "id IN (SELECT export_id FROM source.conversation_observations
                WHERE conversation_id IN (SELECT id FROM temp.selected))",
    ),
    ("conversations", "id IN (SELECT id FROM temp.selected)"),
    ("conversation_versions", SELECTED),
    ("conversation_observations", SELECTED),
    ("messages", SELECTED),
    ("asset_references", SELECTED),
    ("message_feedback", SELECTED),
    ("shared_links", SELECTED),
    ("library_files", SELECTED),
];

const SELECTED: &str = "conversation_id IN (SELECT id FROM temp.selected)";

/// Writes the new archive: in place for a plain file output, else (inside a ZIP) built in a
/// temporary folder and copied in as `name`.
pub fn write(
    db: &Path,
    ids: &[String],
    name: &str,
    sink: &mut dyn Sink,
    progress: &dyn Progress,
    summary: &mut Summary,
) -> Result<(), ExportError> {
    if let Some(path) = sink.in_place()? {
        summary.messages = build(db, ids, &path)?;
    } else {
        let scratch = tempfile::tempdir().map_err(|e| ExportError::io(&std::env::temp_dir(), e))?;
        let path = scratch.path().join(name);
        summary.messages = build(db, ids, &path)?;
        sink.copy(name, &path)?;
    }
    for _ in ids {
        progress.advance();
    }
    Ok(())
}

/// Creates the archive at `path` and copies the rows in; returns the number of messages.
fn build(db: &Path, ids: &[String], path: &Path) -> Result<usize, ExportError> {
    let archive = Archive::open(path)?;
    let conn = archive.connection();
    let source = db.canonicalize().map_err(|e| ExportError::io(db, e))?;
    conn.execute("ATTACH DATABASE ?1 AS source", [read_only_uri(&source)])?;
    conn.execute_batch("CREATE TEMP TABLE selected (id TEXT PRIMARY KEY)")?;
    {
        let mut insert = conn.prepare("INSERT OR IGNORE INTO temp.selected (id) VALUES (?1)")?;
        for id in ids {
            insert.execute([id])?;
        }
    }
    let tx = conn.unchecked_transaction()?;
    let mut copied = Vec::new();
    for (table, condition) in TABLES {
        copy(conn, table, condition)?;
        copied.push(table.to_string());
    }
    for table in other_tables(conn)? {
        if !copied.contains(&table) {
            copy(conn, &table, SELECTED)?;
        }
    }
    copy_attachment_files(conn)?;
    tx.commit()?;
    conn.execute_batch("DETACH DATABASE source; DROP TABLE temp.selected;")?;
    let messages: i64 =
        conn.query_row("SELECT count(*) FROM messages WHERE has_message = 1", [], |r| r.get(0))?;
    // One self-contained file to hand over: no write-ahead log beside it.
    conn.pragma_update(None, "journal_mode", "delete")?;
    Ok(messages as usize)
}

/// Copies the rows of `table` that `condition` picks, column by column (by name, so that a
/// source archive of an older schema version works as long as it has the columns).
fn copy(conn: &Connection, table: &str, condition: &str) -> Result<(), ExportError> {
    let columns = columns(conn, table)?;
    let list = columns.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", ");
    let table = quote(table);
    let sql = format!(
        "INSERT INTO main.{table} ({list}) SELECT {list} FROM source.{table} WHERE {condition}"
    );
    conn.execute(&sql, [])?;
    Ok(())
}

fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM pragma_table_info(?1, 'main')")?;
    let rows = stmt.query_map([table], |row| row.get(0))?;
    rows.collect()
}

/// Ordinary tables of the new archive with a `conversation_id` column (virtual tables and
/// their shadow tables are filled by triggers).
fn other_tables(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT t.name FROM main.sqlite_schema AS t
         WHERE t.type = 'table' AND t.sql NOT LIKE 'CREATE VIRTUAL%'
           AND t.name NOT LIKE 'sqlite_%'
           AND EXISTS (SELECT 1 FROM pragma_table_info(t.name, 'main') WHERE name = 'conversation_id')
           AND EXISTS (SELECT 1 FROM source.sqlite_schema AS s WHERE s.name = t.name)
         ORDER BY t.rowid",
    )?;
    let rows = stmt.query_map([], |row| row.get(0))?;
    rows.collect()
}

/// The stored files the copied conversations point to (archives with migration V3): the
/// `export_assets` rows of their file ids, the `export_files` rows those name, the `media`
/// rows holding the bytes and any export of those rows not copied yet. The `attachments`
/// view then finds the files as in the original.
fn copy_attachment_files(conn: &Connection) -> Result<(), ExportError> {
    for table in ["media", "export_assets", "export_files"] {
        let both: bool = conn.query_row(
            "SELECT (SELECT count(*) FROM main.sqlite_schema WHERE type = 'table' AND name = ?1)
                  + (SELECT count(*) FROM source.sqlite_schema WHERE type = 'table' AND name = ?1)
                  = 2",
            [table],
            |row| row.get(0),
        )?;
        if !both {
            return Ok(());
        }
    }
    let key = |column: &str| {
        format!(
            "CASE WHEN substr({column}, 1, 5) IN ('file-', 'file_') THEN substr({column}, 6) \
             ELSE {column} END"
        )
    };
    conn.execute_batch(&format!(
        "CREATE TEMP TABLE file_keys AS
         SELECT {} AS key FROM main.asset_references
         UNION SELECT {} FROM main.library_files WHERE file_id IS NOT NULL",
        key("file_id"),
        key("file_id")
    ))?;
    let assets = "SELECT export_id, member FROM source.export_assets \
                  WHERE file_key IN (SELECT key FROM temp.file_keys)";
    let exports = format!(
        "id IN (SELECT export_id FROM ({assets})) AND id NOT IN (SELECT id FROM main.exports)"
    );
    copy(conn, "exports", &exports)?;
    copy(conn, "export_files", &format!("(export_id, path) IN ({assets})"))?;
    let media = "sha256 IN (SELECT sha256 FROM source.export_assets \
                 WHERE file_key IN (SELECT key FROM temp.file_keys))";
    copy(conn, "media", media)?;
    copy(conn, "export_assets", "file_key IN (SELECT key FROM temp.file_keys)")?;
    conn.execute_batch("DROP TABLE temp.file_keys")?;
    Ok(())
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `file:/path/to/archive.db?mode=ro`, the path percent-encoded where URIs need it.
fn read_only_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for byte in path.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(byte as char);
        } else {
            let _ = write!(uri, "%{byte:02X}");
        }
    }
    uri.push_str("?mode=ro");
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_encode_what_sqlite_would_read_as_syntax() {
        assert_eq!(
            read_only_uri(Path::new("/tmp/my archive?#%.db")),
            "file:/tmp/my%20archive%3F%23%25.db?mode=ro"
        );
    }
}
