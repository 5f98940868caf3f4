//! The store's error type.

use std::path::PathBuf;

/// Everything that can go wrong opening or using a lap store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No data directory could be determined (no `KSANA_DB`, `XDG_DATA_HOME`, `HOME` or
    /// `LOCALAPPDATA`), so there is no default place for the database.
    #[error("no data directory for the lap database (set KSANA_DB or pass --db PATH)")]
    NoDataDir,
    /// The directory meant to hold the database could not be created.
    #[error("cannot create directory {path}: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The database file could not be opened or set up (permissions, locked, I/O).
    #[error("cannot open lap database {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// The file exists but is not an SQLite database (or is damaged beyond SQLite's reading).
    #[error("{path} is not a ksana lap database (not SQLite, or damaged): {detail}")]
    NotADatabase {
        /// The file.
        path: PathBuf,
        /// SQLite's description.
        detail: String,
    },
    /// The file is an SQLite database with tables, but not a ksana one (no migration table).
    #[error("{path} is an SQLite database of another program (no ksana schema_migrations table)")]
    ForeignDatabase {
        /// The file.
        path: PathBuf,
    },
    /// The database was written by a newer ksana: its schema is past what this build knows.
    #[error(
        "lap database {path} has schema version {found}, newer than this ksana knows ({supported}); \
         upgrade ksana or use another --db"
    )]
    SchemaTooNew {
        /// The file.
        path: PathBuf,
        /// The version recorded in the file.
        found: i64,
        /// The newest version this build can migrate to.
        supported: i64,
    },
    /// Applying a migration step failed; the transaction was rolled back, the file is unchanged.
    #[error("lap database {path}: migration to version {version} failed: {source}")]
    Migration {
        /// The file.
        path: PathBuf,
        /// The step that failed.
        version: i64,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// A session id that is not in the database.
    #[error("no session with id {0} in the lap database")]
    UnknownSession(i64),
    /// A row read back breaks the store's own rules (a damaged or hand-edited file).
    #[error("lap database: bad row: {what}")]
    BadRow {
        /// What was wrong.
        what: String,
    },
    /// A query or write failed after the database was opened.
    #[error("lap database: {0}")]
    Sqlite(#[from] rusqlite::Error),
}
