//! The SQLite archive: opening it, its migrations, and the import that merges exports in.
//!
//! Every connection runs with foreign keys on and in WAL mode, so that readers can query the
//! archive while an import runs. Migrations are embedded from `migrations/` by refinery; an
//! archive whose schema is newer than this build knows is refused rather than touched.

mod assets;
mod error;
mod import;
mod pipeline;
mod seen;
mod side_files;
mod write;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

pub use assets::{AttachmentCounts, DEFAULT_MAX_MEMBER_SIZE, MAX_STORABLE};
pub use error::StoreError;
pub use import::{
    ConversationCounts, ExportReport, ImportOptions, ImportReport, Progress, Skipped,
};

mod embedded {
    refinery::embed_migrations!("migrations");
}
use embedded::migrations;

/// An opened archive.
pub struct Archive {
    conn: Connection,
    path: PathBuf,
}

impl Archive {
    /// Opens the archive at `path`, creating it and its folder when missing, and brings its
    /// schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|source| StoreError::CreateFolder { path: parent.to_owned(), source })?;
        }
        let mut conn = Connection::open(path).map_err(|e| StoreError::open(path, e))?;
        configure(&conn).map_err(|e| StoreError::open(path, e))?;
        check_not_newer(&conn, path)?;
        migrations::runner()
            .run(&mut conn)
            .map_err(|e| StoreError::Migrate { path: path.to_owned(), reason: e.to_string() })?;
        Ok(Self { conn, path: path.to_owned() })
    }

    /// An archive in memory, gone when dropped: a dry run against an archive that does not
    /// exist yet reports against an empty archive without creating a file.
    pub fn open_in_memory(path: &Path) -> Result<Self, StoreError> {
        let mut conn = Connection::open_in_memory().map_err(|e| StoreError::open(path, e))?;
        conn.pragma_update(None, "foreign_keys", true).map_err(|e| StoreError::open(path, e))?;
        migrations::runner()
            .run(&mut conn)
            .map_err(|e| StoreError::Migrate { path: path.to_owned(), reason: e.to_string() })?;
        Ok(Self { conn, path: path.to_owned() })
    }

    /// Opens an existing archive read-only (for queries): nothing can be written through it.
    pub fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(path, flags).map_err(|e| StoreError::open(path, e))?;
        conn.pragma_update(None, "foreign_keys", true).map_err(|e| StoreError::open(path, e))?;
        check_not_newer(&conn, path)?;
        Ok(Self { conn, path: path.to_owned() })
    }

    /// Where the archive lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying connection, for queries.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The schema version: the number of the last migration applied.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(applied_version(&self.conn).map_err(|e| StoreError::open(&self.path, e))?.unwrap_or(0))
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // Messages and raw JSON are often several kilobytes: 16 KiB pages keep most rows on one
    // page. Takes effect only when the archive is created.
    conn.pragma_update(None, "page_size", 16384)?;
    conn.pragma_update(None, "journal_mode", "wal")?;
    conn.pragma_update(None, "synchronous", "normal")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // A 64 MiB page cache: the default 2 MiB makes a large import spill and re-read pages.
    conn.pragma_update(None, "cache_size", -65536)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(())
}

/// The highest migration this build knows.
fn known_version() -> u32 {
    migrations::runner().get_migrations().iter().map(|m| m.version() as u32).max().unwrap_or(0)
}

fn applied_version(conn: &Connection) -> rusqlite::Result<Option<u32>> {
    let has_table: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'refinery_schema_history'",
        [],
        |row| row.get(0),
    )?;
    if !has_table {
        return Ok(None);
    }
    conn.query_row("SELECT max(version) FROM refinery_schema_history", [], |row| row.get(0))
        .optional()
        .map(Option::flatten)
}

fn check_not_newer(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let applied = applied_version(conn).map_err(|e| StoreError::open(path, e))?;
    match applied {
        Some(found) if found > known_version() => {
            Err(StoreError::NewerSchema { path: path.to_owned(), found, known: known_version() })
        }
        _ => Ok(()),
    }
}
