//! Keeps the files of each export: every member that carries a file id is recorded in
//! `export_assets`, and its bytes are stored once, by SHA-256, in `media`.
//!
//! Memory stays bounded whatever the member. A member up to [`IN_MEMORY`] bytes is read
//! whole, hashed and inserted. A larger one is read twice: first through SHA-256 only (a
//! file the archive already holds costs nothing more), then, when it is new, straight into
//! a blob of its size through SQLite's incremental blob I/O, hashed again on the way to
//! catch a member that changed in between. Reads are capped at the per-member limit plus one
//! byte, so a member whose listed size lies is caught too; a member over the limit is
//! skipped with a warning and recorded without bytes. SQLite holds at most
//! [`MAX_STORABLE`] bytes in one value, which caps the limit.

use std::io::{Read, Write};

use rusqlite::{Connection, MAIN_DB, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::error::{StoreError, WriteContext};
use super::import::{ImportOptions, Progress};
use crate::source::assets::{self, AssetIndex, ExportAsset};
use crate::source::{Export, MemberKind, SourceError};

/// The default per-member limit: larger members are skipped with a warning.
pub const DEFAULT_MAX_MEMBER_SIZE: u64 = 512 * 1024 * 1024;

/// The largest member the archive can hold: SQLite's limit on one value (1,000,000,000
/// bytes, its default `SQLITE_MAX_LENGTH`) less room for the rest of the row.
pub const MAX_STORABLE: u64 = 999_999_000;

/// Members up to this size are read into memory in one go; larger ones are streamed.
const IN_MEMORY: usize = 4 * 1024 * 1024;

/// Bytes read from a member at a time when streaming.
const CHUNK: usize = 256 * 1024;

/// What importing one export did with its files.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct AttachmentCounts {
    /// Members that carry a file id.
    pub files: u64,
    /// Files whose bytes were new to the archive and are now stored.
    pub stored: u64,
    /// Bytes of those files.
    pub stored_bytes: u64,
    /// Files whose bytes the archive already held.
    pub already_stored: u64,
    /// Files recorded without their bytes because of `--no-media`.
    pub not_stored: u64,
    /// Files skipped because they are over the per-member limit.
    pub too_large: u64,
}

/// Why a file's bytes were not kept (`export_assets.skipped`).
const NO_MEDIA: &str = "no_media";
const TOO_LARGE: &str = "too_large";

/// Records the files of the export and stores their bytes (unless `options.no_media`).
/// Warnings (members over the limit) are added to `warnings`.
pub fn store(
    conn: &Connection,
    export: &mut Export,
    export_id: i64,
    options: &ImportOptions,
    progress: &dyn Progress,
    warnings: &mut Vec<String>,
) -> Result<AttachmentCounts, StoreError> {
    let index = index(export)?;
    let limit = options.max_member_size.min(MAX_STORABLE);
    let mut counts = AttachmentCounts { files: index.assets().len() as u64, ..Default::default() };
    if index.assets().is_empty() {
        return Ok(counts);
    }
    let total = index.assets().iter().map(|a| a.size).sum();
    progress.start_file("attachments", total);
    for asset in index.assets() {
        progress.advance(asset.size);
        if has_bytes(conn, export_id, &asset.member)? {
            counts.already_stored += 1;
            continue;
        }
        if options.no_media {
            counts.not_stored += 1;
            record(conn, export_id, asset, &Kept::Skipped(NO_MEDIA))?;
            continue;
        }
        let kept = match read_member(conn, export, asset, limit)? {
            Some(stored) => stored,
            None => {
                counts.too_large += 1;
                warnings.push(too_large(export, asset, limit, options.max_member_size));
                Kept::Skipped(TOO_LARGE)
            }
        };
        if let Kept::Stored { new: true, size, .. } = &kept {
            counts.stored += 1;
            counts.stored_bytes += size;
        } else if matches!(kept, Kept::Stored { .. }) {
            counts.already_stored += 1;
        }
        record(conn, export_id, asset, &kept)?;
    }
    progress.finish_file();
    Ok(counts)
}

fn too_large(export: &Export, asset: &ExportAsset, limit: u64, asked: u64) -> String {
    let location = export.location(&asset.member);
    let raise = if asked > MAX_STORABLE {
        format!("SQLite holds at most {MAX_STORABLE} bytes in one value")
    } else {
        "raise it with --max-member-size BYTES".to_string()
    };
    format!(
        "{location}: not stored: the file is larger than the per-member limit of {limit} \
         bytes ({raise}); its references are kept"
    )
}

/// The export's files that carry a file id, with their original names.
fn index(export: &mut Export) -> Result<AssetIndex, StoreError> {
    let members: Vec<(String, u64)> = export
        .members()
        .into_iter()
        .filter(|(_, kind, _)| *kind == MemberKind::Asset)
        .map(|(name, _, size)| (name, size))
        .collect();
    let names = if export.has(assets::NAME_MAP) {
        assets::parse_name_map(&export.read(assets::NAME_MAP)?)
    } else {
        Default::default()
    };
    let chat = crate::source::layout::CHAT_HTML;
    let chat_assets = if export.has(chat) && assets::needs_chat_assets(&members) {
        let location = export.location(chat);
        let reader = export.open(chat)?;
        assets::read_chat_assets(reader)
            .map_err(|e| SourceError::io(location, e))?
            .unwrap_or_default()
    } else {
        Default::default()
    };
    Ok(AssetIndex::build(&members, &names, &chat_assets))
}

/// Whether this export's copy of the member is recorded with its bytes already (a re-import).
fn has_bytes(conn: &Connection, export_id: i64, member: &str) -> Result<bool, StoreError> {
    conn.prepare_cached(
        "SELECT count(*) > 0 FROM export_assets
         WHERE export_id = ?1 AND member = ?2 AND sha256 IS NOT NULL",
    )
    .step("preparing an attachment lookup")?
    .query_row(params![export_id, member], |row| row.get(0))
    .step("looking up an attachment")
}

/// What became of a file's bytes.
enum Kept {
    /// Stored (now or before) under this hash.
    Stored { sha256: String, size: u64, media_type: Option<String>, new: bool },
    /// Not stored, for this reason.
    Skipped(&'static str),
}

fn record(
    conn: &Connection,
    export_id: i64,
    asset: &ExportAsset,
    kept: &Kept,
) -> Result<(), StoreError> {
    let name_type = assets::media_type(&[asset.name.as_deref().unwrap_or(""), &asset.member], None);
    let (sha256, size, media_type, skipped) = match kept {
        Kept::Stored { sha256, size, media_type, .. } => {
            (Some(sha256.as_str()), *size, name_type.or(media_type.as_deref()), None)
        }
        Kept::Skipped(why) => (None, asset.size, name_type, Some(*why)),
    };
    conn.prepare_cached(
        "INSERT INTO export_assets
             (export_id, member, file_id, file_key, name, media_type, size, sha256, skipped)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (export_id, member) DO UPDATE SET file_id = excluded.file_id,
             file_key = excluded.file_key, name = excluded.name,
             media_type = excluded.media_type, size = excluded.size,
             sha256 = excluded.sha256, skipped = excluded.skipped",
    )
    .step("preparing an export asset")?
    .execute(params![
        export_id,
        asset.member,
        asset.file_id,
        asset.key(),
        asset.name,
        media_type,
        size as i64,
        sha256,
        skipped
    ])
    .step("recording an export asset")?;
    Ok(())
}

/// Reads a member and stores its bytes; `None` when it is larger than `limit`.
fn read_member(
    conn: &Connection,
    export: &mut Export,
    asset: &ExportAsset,
    limit: u64,
) -> Result<Option<Kept>, StoreError> {
    if asset.size > limit {
        return Ok(None);
    }
    let location = export.location(&asset.member);
    let io = |e| SourceError::io(location.clone(), e);
    let mut reader = export.open(&asset.member)?.take(limit + 1);
    let mut head = Vec::new();
    (&mut reader).take(IN_MEMORY as u64 + 1).read_to_end(&mut head).map_err(io)?;
    if head.len() <= IN_MEMORY {
        return Ok(Some(insert_whole(conn, &head)?));
    }
    let mut hasher = Sha256::new();
    hasher.update(&head);
    let mut size = head.len() as u64;
    let mut buffer = vec![0u8; CHUNK];
    loop {
        let read = reader.read(&mut buffer).map_err(io)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        size += read as u64;
    }
    drop(reader);
    if size > limit {
        return Ok(None);
    }
    let sha256 = hex::encode(hasher.finalize());
    if let Some(media_type) = known_media(conn, &sha256)? {
        return Ok(Some(Kept::Stored { sha256, size, media_type, new: false }));
    }
    let media_type = assets::sniff(&head);
    let id = insert_row(conn, &sha256, size, media_type, assets::dimensions(&head), None)?;
    stream_into(conn, export, asset, id, size, &sha256)?;
    let media_type = media_type.map(str::to_string);
    Ok(Some(Kept::Stored { sha256, size, media_type, new: true }))
}

/// The sniffed type of stored bytes, `Some` when the archive holds them.
fn known_media(conn: &Connection, sha256: &str) -> Result<Option<Option<String>>, StoreError> {
    conn.prepare_cached("SELECT media_type FROM media WHERE sha256 = ?1")
        .step("preparing a media lookup")?
        .query_row([sha256], |row| row.get(0))
        .optional()
        .step("looking up media")
}

/// Stores a small file read whole.
fn insert_whole(conn: &Connection, bytes: &[u8]) -> Result<Kept, StoreError> {
    let sha256 = hex::encode(Sha256::digest(bytes));
    let size = bytes.len() as u64;
    if let Some(media_type) = known_media(conn, &sha256)? {
        return Ok(Kept::Stored { sha256, size, media_type, new: false });
    }
    let media_type = assets::sniff(bytes);
    insert_row(conn, &sha256, size, media_type, assets::dimensions(bytes), Some(bytes))?;
    let media_type = media_type.map(str::to_string);
    Ok(Kept::Stored { sha256, size, media_type, new: true })
}

/// Inserts a `media` row holding `bytes`, or zeros to be written through a blob handle.
fn insert_row(
    conn: &Connection,
    sha256: &str,
    size: u64,
    media_type: Option<&str>,
    dimensions: Option<(u32, u32)>,
    bytes: Option<&[u8]>,
) -> Result<i64, StoreError> {
    let (width, height) = dimensions.unzip();
    conn.prepare_cached(
        "INSERT INTO media (sha256, size, media_type, width, height, data)
         VALUES (?1, ?2, ?3, ?4, ?5, coalesce(?6, zeroblob(?2)))",
    )
    .step("preparing media")?
    .execute(params![sha256, size as i64, media_type, width, height, bytes])
    .step("storing media")?;
    Ok(conn.last_insert_rowid())
}

/// Writes a large member into the zero-filled blob of row `id`, checking it reads back the
/// same size and hash as the first pass.
fn stream_into(
    conn: &Connection,
    export: &mut Export,
    asset: &ExportAsset,
    id: i64,
    size: u64,
    sha256: &str,
) -> Result<(), StoreError> {
    let location = export.location(&asset.member);
    let io = |e| SourceError::io(location.clone(), e);
    let mut blob = conn.blob_open(MAIN_DB, c"media", c"data", id, false).step("opening media")?;
    let mut reader = export.open(&asset.member)?.take(size + 1);
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; CHUNK];
    let mut written = 0u64;
    loop {
        let read = reader.read(&mut buffer).map_err(io)?;
        if read == 0 {
            break;
        }
        written += read as u64;
        if written > size {
            break;
        }
        hasher.update(&buffer[..read]);
        blob.write_all(&buffer[..read])
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
            .step("writing media")?;
    }
    if written != size || hex::encode(hasher.finalize()) != sha256 {
        let changed = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the member changed while it was being read",
        );
        return Err(io(changed).into());
    }
    Ok(())
}
