//! The files that messages, the Library and group chats point to, read from the
//! `attachments` view: listing them, and finding the stored bytes of one of them.

use rusqlite::blob::Blob;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, MAIN_DB, OptionalExtension, Row, params_from_iter};

use super::filter::escape_like;
use crate::source::assets::file_key;

/// At most this many candidates are named for an ambiguous id.
pub const MAX_CANDIDATES: usize = 20;

/// One attachment of a listing: a file as one message (Library row, group chat message)
/// refers to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRow {
    /// The file id (`file-…`, `file_…`).
    pub file_id: String,
    /// `stored`, `skipped` (an export holds it, its bytes were not kept) or `missing`.
    pub status: String,
    /// The original name, when known.
    pub name: Option<String>,
    /// The media type, when known.
    pub media_type: Option<String>,
    /// Size in bytes, when known.
    pub size: Option<i64>,
    /// Width in pixels, for images.
    pub width: Option<i64>,
    /// Height in pixels, for images.
    pub height: Option<i64>,
    /// `message`, `library` or `group_chat`.
    pub source: String,
    /// The conversation (for `group_chat`: the group chat).
    pub conversation_id: Option<String>,
    /// The message (node id, Library origination message, group chat message).
    pub message_id: Option<String>,
    /// SHA-256 of the stored bytes.
    pub sha256: Option<String>,
}

/// How a listing is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortKey {
    /// By conversation, message and file id.
    #[default]
    Conversation,
    /// Largest first.
    Size,
    /// By name.
    Name,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// Conversation (or group chat) ids or starts of them; empty for all.
    pub conversations: Vec<String>,
    /// A media type (`image/png`) or its first part (`image`).
    pub media_type: Option<String>,
    /// Only the files no export imported holds.
    pub missing: bool,
    /// Only these sources (`message`, `library`, `group_chat`); empty for all.
    pub sources: Vec<String>,
    /// The order.
    pub sort: SortKey,
    /// At most this many rows.
    pub limit: Option<u64>,
}

/// Lists the attachments the options select: one row per file per message, Library row or
/// group chat message (a message that points to a file from a content part and from its
/// `metadata.attachments` is listed once).
pub fn list(conn: &Connection, options: &ListOptions) -> rusqlite::Result<Vec<AttachmentRow>> {
    let mut clauses = vec!["pick = 1".to_string()];
    let mut params: Vec<SqlValue> = Vec::new();
    if !options.conversations.is_empty() {
        let like = "coalesce(conversation_id, chat_id) LIKE ? ESCAPE '\\'";
        let likes = vec![like; options.conversations.len()].join(" OR ");
        clauses.push(format!("({likes})"));
        let prefixes = options.conversations.iter().map(|c| format!("{}%", escape_like(c)));
        params.extend(prefixes.map(SqlValue::Text));
    }
    if let Some(wanted) = &options.media_type {
        let wanted = wanted.to_ascii_lowercase();
        if wanted.contains('/') {
            clauses.push("lower(media_type) = ?".into());
            params.push(SqlValue::Text(wanted));
        } else {
            clauses.push("lower(media_type) LIKE ? ESCAPE '\\'".into());
            params.push(SqlValue::Text(format!("{}/%", escape_like(&wanted))));
        }
    }
    if options.missing {
        clauses.push("status = 'missing'".into());
    }
    if !options.sources.is_empty() {
        clauses.push(format!("source IN ({})", vec!["?"; options.sources.len()].join(", ")));
        params.extend(options.sources.iter().cloned().map(SqlValue::Text));
    }
    let order = match options.sort {
        SortKey::Conversation => "source, place, node_id, file_id",
        SortKey::Size => "size IS NULL, size DESC, file_id, source, place, node_id",
        SortKey::Name => "name IS NULL, name, file_id, source, place, node_id",
    };
    let sql = format!(
        "SELECT file_id, status, name, media_type, size, width, height, source, place, node_id,
             sha256
         FROM (SELECT *, coalesce(conversation_id, chat_id) AS place,
                 row_number() OVER (PARTITION BY source, conversation_id, chat_id, node_id,
                     file_id ORDER BY json_path) AS pick
               FROM attachments)
         WHERE {} ORDER BY {order} LIMIT ?",
        clauses.join(" AND ")
    );
    params.push(SqlValue::Integer(
        options.limit.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX)),
    ));
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(params), row)?;
    rows.collect()
}

fn row(row: &Row<'_>) -> rusqlite::Result<AttachmentRow> {
    Ok(AttachmentRow {
        file_id: row.get(0)?,
        status: row.get(1)?,
        name: text(row, 2)?,
        media_type: text(row, 3)?,
        size: row.get::<_, SqlValue>(4).map(integer)?,
        width: row.get::<_, SqlValue>(5).map(integer)?,
        height: row.get::<_, SqlValue>(6).map(integer)?,
        source: row.get(7)?,
        conversation_id: row.get(8)?,
        message_id: row.get(9)?,
        sha256: row.get(10)?,
    })
}

/// A reference from one message of a conversation, with what the archive knows of its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageFile {
    /// The message's node id.
    pub node_id: String,
    /// Where the pointer sits in the message JSON.
    pub json_path: String,
    /// The pointer as written.
    pub pointer: String,
    /// The file id it names.
    pub file_id: String,
    /// `stored`, `skipped`, `missing`, or `unknown` in an archive from before attachments
    /// were kept (opened read-only, not yet brought up to date by an import).
    pub status: String,
    /// The original name, when known.
    pub name: Option<String>,
    /// The media type, when known.
    pub media_type: Option<String>,
    /// Size in bytes, when known.
    pub size: Option<i64>,
}

/// The references of a conversation's messages, by node and then in the order they were
/// found in the message, with their files.
pub fn of_conversation(conn: &Connection, id: &str) -> rusqlite::Result<Vec<MessageFile>> {
    let has_view: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'view' AND name = 'attachments'",
        [],
        |row| row.get(0),
    )?;
    let files = if has_view {
        "(SELECT * FROM attachments WHERE source = 'message' AND conversation_id = ?1)"
    } else {
        "(SELECT NULL AS node_id, NULL AS json_path, 'unknown' AS status, NULL AS name,
             NULL AS media_type, NULL AS size)"
    };
    let sql = format!(
        "SELECT r.node_id, r.json_path, r.pointer, r.file_id, a.status, a.name, a.media_type,
             a.size
         FROM asset_references AS r
         LEFT JOIN {files} AS a ON a.node_id = r.node_id AND a.json_path = r.json_path
         WHERE r.conversation_id = ?1 ORDER BY r.node_id, r.id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([id], |row| {
        Ok(MessageFile {
            node_id: row.get(0)?,
            json_path: row.get(1)?,
            pointer: row.get(2)?,
            file_id: row.get(3)?,
            status: row
                .get::<_, Option<String>>(4)?
                .unwrap_or_else(|| if has_view { "missing" } else { "unknown" }.to_string()),
            name: text(row, 5)?,
            media_type: text(row, 6)?,
            size: integer(row.get(7)?),
        })
    })?;
    rows.collect()
}

/// A text column that may hold another JSON type (names come from the export's JSON).
fn text(row: &Row<'_>, index: usize) -> rusqlite::Result<Option<String>> {
    Ok(match row.get::<_, SqlValue>(index)? {
        SqlValue::Null => None,
        SqlValue::Text(text) => Some(text),
        SqlValue::Integer(n) => Some(n.to_string()),
        SqlValue::Real(x) => Some(x.to_string()),
        SqlValue::Blob(_) => None,
    })
}

/// A number column that may hold text (sizes and dimensions from the export's JSON).
fn integer(value: SqlValue) -> Option<i64> {
    match value {
        SqlValue::Integer(n) => Some(n),
        SqlValue::Real(x) if x.fract() == 0.0 => Some(x as i64),
        SqlValue::Text(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// Why an attachment's bytes cannot be had.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// No file id (or SHA-256) starts with the text given.
    #[error("no attachment has the id {0:?}")]
    NotFound(String),
    /// Several file ids start with the text given.
    #[error("{prefix:?} is the start of {total} attachment ids")]
    Ambiguous {
        /// The text given.
        prefix: String,
        /// The first [`MAX_CANDIDATES`] matching ids.
        candidates: Vec<String>,
        /// How many match in all.
        total: usize,
    },
    /// Messages point to the file, but no export imported holds it.
    #[error("attachment {0} is missing: no export imported holds it")]
    Missing(String),
    /// An export holds the file, but its bytes were not stored.
    #[error("attachment {file_id} was not stored ({reason})")]
    NotStored {
        /// The file id.
        file_id: String,
        /// Why, in words.
        reason: String,
    },
    /// The archive could not be read.
    #[error("cannot read the archive")]
    Sql(#[from] rusqlite::Error),
}

/// A stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// The file id (`None` when found by SHA-256 only).
    pub file_id: Option<String>,
    /// The original name, when known.
    pub name: Option<String>,
    /// The media type, when known.
    pub media_type: Option<String>,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256 of the bytes.
    pub sha256: String,
    /// The `media` row holding the bytes.
    pub media_id: i64,
}

/// Every file id the archive knows: those exports hold and those references name.
const FILE_IDS: &str = "SELECT file_id FROM export_assets UNION SELECT file_id FROM attachments";

/// Finds the stored bytes of the file `id` names: a file id, a unique start of one, the id
/// without its `file-`/`file_` prefix, or the SHA-256 of the bytes. The copy chosen is the
/// one the `attachments` view shows.
pub fn find(conn: &Connection, id: &str) -> Result<StoredFile, FileError> {
    let sha256 = id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit());
    if sha256 && let Some(file) = by_sha256(conn, &id.to_ascii_lowercase())? {
        return Ok(file);
    }
    let file_id = resolve_id(conn, id)?;
    let best = conn
        .query_row(
            "SELECT b.file_id, b.name, b.media_type, b.sha256, b.skipped, m.size, m.id
             FROM export_assets AS b
             JOIN exports AS e ON e.id = b.export_id
             LEFT JOIN media AS m ON m.sha256 = b.sha256
             WHERE b.file_key = ?1
             ORDER BY b.sha256 IS NULL, e.exported_at DESC, b.sha256, b.member, e.fingerprint
             LIMIT 1",
            [file_key(&file_id)],
            |row| {
                let found = StoredFile {
                    file_id: row.get(0)?,
                    name: row.get(1)?,
                    media_type: row.get(2)?,
                    sha256: row.get::<_, Option<String>>(3)?.unwrap_or_default(),
                    size: row.get::<_, Option<i64>>(5)?.unwrap_or_default(),
                    media_id: row.get::<_, Option<i64>>(6)?.unwrap_or_default(),
                };
                Ok((found, row.get::<_, Option<String>>(4)?))
            },
        )
        .optional()?;
    match best {
        None => Err(FileError::Missing(file_id)),
        Some((file, _)) if !file.sha256.is_empty() => Ok(file),
        Some((_, skipped)) => {
            let reason = match skipped.as_deref() {
                Some("too_large") => "larger than the per-member limit when imported; import \
                                      it again with a higher --max-member-size"
                    .to_string(),
                Some("no_media") => "imported with --no-media; import it again without it to \
                                     store its bytes"
                    .to_string(),
                other => other.unwrap_or("no reason recorded").to_string(),
            };
            Err(FileError::NotStored { file_id, reason })
        }
    }
}

fn by_sha256(conn: &Connection, sha256: &str) -> rusqlite::Result<Option<StoredFile>> {
    conn.query_row(
        "SELECT m.id, m.size, m.sha256,
             (SELECT file_id FROM export_assets WHERE sha256 = m.sha256 ORDER BY file_id),
             (SELECT name FROM export_assets WHERE sha256 = m.sha256 ORDER BY file_id),
             (SELECT media_type FROM export_assets WHERE sha256 = m.sha256 ORDER BY file_id)
         FROM media AS m WHERE m.sha256 = ?1",
        [sha256],
        |row| {
            Ok(StoredFile {
                media_id: row.get(0)?,
                size: row.get(1)?,
                sha256: row.get(2)?,
                file_id: row.get(3)?,
                name: row.get(4)?,
                media_type: row.get(5)?,
            })
        },
    )
    .optional()
}

/// The file id `id` names: itself, the id with the same key, or the only id it starts.
fn resolve_id(conn: &Connection, id: &str) -> Result<String, FileError> {
    let exact: Option<String> = conn
        .query_row(
            &format!(
                "SELECT file_id FROM ({FILE_IDS}) WHERE file_id = ?1 OR
                     CASE WHEN substr(file_id, 1, 5) IN ('file-', 'file_') THEN substr(file_id, 6)
                     ELSE file_id END = ?2
                 ORDER BY file_id != ?1, file_id LIMIT 1"
            ),
            [id, file_key(id)],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(found) = exact {
        return Ok(found);
    }
    let pattern = format!("{}%", escape_like(id));
    let mut stmt = conn.prepare(&format!(
        "SELECT file_id FROM ({FILE_IDS}) WHERE file_id LIKE ?1 ESCAPE '\\' ORDER BY file_id"
    ))?;
    let matches: Vec<String> =
        stmt.query_map([&pattern], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
    match matches.as_slice() {
        [] => Err(FileError::NotFound(id.to_string())),
        [only] => Ok(only.clone()),
        _ => Err(FileError::Ambiguous {
            prefix: id.to_string(),
            total: matches.len(),
            candidates: matches.into_iter().take(MAX_CANDIDATES).collect(),
        }),
    }
}

/// The stored bytes of a file, to read in chunks (never whole in memory).
pub fn open_bytes<'c>(conn: &'c Connection, file: &StoredFile) -> rusqlite::Result<Blob<'c>> {
    conn.blob_open(MAIN_DB, c"media", c"data", file.media_id, true)
}
