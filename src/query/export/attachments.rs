//! Attachments of the notes and pages: the files a message points to are copied beside them,
//! under `attachments/`, when the archive stores their bytes, and named by their pointer
//! otherwise (never stored, or an archive from before attachments were kept).
//!
//! The stored copy of each reference is the one the `attachments` view (migration V3)
//! chooses; its bytes are streamed out of `media`. Archives without that view are read as
//! they are: every attachment is then named by its pointer.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, MAIN_DB};

use super::ExportError;
use super::document::Document;
use super::names::slug;
use super::sink::Sink;

/// What happened to the attachments of one conversation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Copied {
    /// References to files copied beside the notes.
    pub copied: usize,
    /// References named by their pointer only.
    pub linked: usize,
}

/// A stored file: its `media` row and what to call the copy.
struct Stored {
    media_id: i64,
    path: String,
    name: Option<String>,
}

/// Copies the stored files of the documents' attachments, each once per export.
pub struct Files {
    /// The stored file of each message reference, by conversation, node and JSON path.
    stored: HashMap<(String, String, String), Stored>,
    /// Paths already written under `attachments/`.
    written: HashSet<String>,
}

impl Files {
    /// Reads which references have a stored file: the `attachments` view is evaluated once
    /// for the whole archive (per conversation it would scan the exports' files each time).
    pub fn new(conn: &Connection) -> rusqlite::Result<Self> {
        let available: bool = conn.query_row(
            "SELECT count(*) = 2 FROM sqlite_schema
             WHERE (type = 'view' AND name = 'attachments') OR (type = 'table' AND name = 'media')",
            [],
            |row| row.get(0),
        )?;
        let stored = if available { stored(conn)? } else { HashMap::new() };
        Ok(Self { stored, written: HashSet::new() })
    }

    /// Copies the stored files of the document's attachments and points the links at them.
    pub fn copy_for(
        &mut self,
        conn: &Connection,
        doc: &mut Document<'_>,
        sink: &mut dyn Sink,
    ) -> Result<Copied, ExportError> {
        let mut copied = Copied::default();
        for turn in &mut doc.turns {
            for link in &mut turn.attachments {
                let key = (
                    doc.conversation.id.clone(),
                    turn.message.node_id.clone(),
                    link.json_path.clone(),
                );
                let Some(file) = self.stored.get(&key) else {
                    copied.linked += 1;
                    continue;
                };
                if self.written.insert(file.path.clone()) {
                    let mut bytes =
                        conn.blob_open(MAIN_DB, c"media", c"data", file.media_id, true)?;
                    sink.stream(&file.path, &mut |out| {
                        std::io::copy(&mut bytes, out)?;
                        Ok(())
                    })?;
                }
                link.local = Some(file.path.clone());
                if link.name == link.file_id
                    && let Some(name) = &file.name
                {
                    link.name = name.clone();
                }
                copied.copied += 1;
            }
        }
        Ok(copied)
    }
}

/// The stored files of every message reference.
fn stored(conn: &Connection) -> rusqlite::Result<HashMap<(String, String, String), Stored>> {
    let mut stmt = conn.prepare(
        "SELECT a.conversation_id, a.node_id, a.json_path, a.file_id, a.name, a.media_type, m.id
         FROM attachments AS a JOIN media AS m ON m.sha256 = a.sha256
         WHERE a.source = 'message'",
    )?;
    let rows = stmt.query_map([], |row| {
        let key = (row.get(0)?, row.get(1)?, row.get(2)?);
        let file_id: String = row.get(3)?;
        let name: Option<String> = row.get(4)?;
        let media_type: Option<String> = row.get(5)?;
        let path = copy_path(&file_id, name.as_deref(), media_type.as_deref());
        Ok((key, Stored { media_id: row.get(6)?, path, name }))
    })?;
    rows.collect()
}

/// `attachments/file_00ab-sales-report.png`: the file id keeps names unique, the original
/// name (as a slug) keeps them readable, the extension comes from the name or the media type.
fn copy_path(file_id: &str, name: Option<&str>, media_type: Option<&str>) -> String {
    let safe = |text: &str| -> String {
        text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }).collect()
    };
    let (stem, extension) = match name.and_then(|n| n.rsplit_once('.')) {
        Some((stem, extension)) => (Some(stem), Some(extension.to_string())),
        None => (name, None),
    };
    let extension = extension
        .filter(|e| !e.is_empty() && e.len() <= 8 && e.chars().all(|c| c.is_ascii_alphanumeric()))
        .or_else(|| media_type.and_then(extension_of))
        .map(|e| format!(".{}", e.to_ascii_lowercase()))
        .unwrap_or_default();
    let readable = stem.map(|s| slug(Some(s))).filter(|s| s != "untitled");
    match readable {
        Some(readable) => format!("attachments/{}-{readable}{extension}", safe(file_id)),
        None => format!("attachments/{}{extension}", safe(file_id)),
    }
}

/// `image/png` → `png`, `audio/x-wav` → `wav`, `image/svg+xml` → `svg`.
fn extension_of(media_type: &str) -> Option<String> {
    let subtype = media_type.split(';').next()?.split('/').nth(1)?.trim();
    let subtype = subtype.strip_prefix("x-").unwrap_or(subtype);
    let subtype = subtype.split('+').next()?;
    let subtype = if subtype == "jpeg" { "jpg" } else { subtype };
    let fits = !subtype.is_empty() && subtype.len() <= 8;
    (fits && subtype.chars().all(|c| c.is_ascii_alphanumeric())).then(|| subtype.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_are_named_by_file_id_and_original_name() {
        assert_eq!(
            copy_path("file_00ab", Some("Sales Report.PNG"), Some("image/png")),
            "attachments/file_00ab-sales-report.png"
        );
        assert_eq!(copy_path("file-XY", None, Some("audio/x-wav")), "attachments/file-XY.wav");
        assert_eq!(copy_path("file-XY", Some("notes"), None), "attachments/file-XY-notes");
        assert_eq!(copy_path("a/../b", Some("../../x.sh"), None), "attachments/a----b-x.sh");
        assert_eq!(extension_of("image/svg+xml").as_deref(), Some("svg"));
        assert_eq!(extension_of("image/jpeg").as_deref(), Some("jpg"));
    }
}
