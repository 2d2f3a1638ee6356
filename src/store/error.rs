//! Errors of the archive, each naming the archive file and the step that failed.

use std::path::PathBuf;

use crate::source::SourceError;

/// Why the archive could not be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The archive's folder could not be created.
    #[error("cannot create the folder {path}")]
    CreateFolder {
        /// The folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// SQLite could not open or configure the archive.
    #[error("cannot open the archive {path}")]
    Open {
        /// The archive.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// A migration failed.
    #[error("cannot bring the archive {path} up to date: {reason}")]
    Migrate {
        /// The archive.
        path: PathBuf,
        /// What refinery said.
        reason: String,
    },
    /// The archive was made by a newer version of chatarchive.
    #[error(
        "the archive {path} has schema version {found}, newer than this chatarchive knows \
         ({known}); upgrade chatarchive to open it"
    )]
    NewerSchema {
        /// The archive.
        path: PathBuf,
        /// Its schema version.
        found: u32,
        /// The newest version this build knows.
        known: u32,
    },
    /// An export could not be read; the archive is unchanged.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// A statement failed while writing; the import was rolled back.
    #[error("cannot write to the archive while {step}")]
    Write {
        /// What was being done.
        step: String,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
}

impl StoreError {
    pub(crate) fn open(path: &std::path::Path, source: rusqlite::Error) -> Self {
        Self::Open { path: path.to_owned(), source }
    }
}

/// Adds the step to a SQLite error.
pub(crate) trait WriteContext<T> {
    /// Names the step that failed.
    fn step(self, step: &str) -> Result<T, StoreError>;
}

impl<T> WriteContext<T> for rusqlite::Result<T> {
    fn step(self, step: &str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Write { step: step.to_string(), source })
    }
}
