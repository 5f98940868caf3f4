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
    /// The database has tables but is not a ksana one (no migration table): another
    /// program's SQLite file, or a PostgreSQL schema already used by something else.
    #[error("{database} is a database of another program (no ksana schema_migrations table)")]
    ForeignDatabase {
        /// The file, or the PostgreSQL database and schema.
        database: String,
    },
    /// The database was written by a newer ksana: its schema is past what this build knows.
    #[error(
        "lap database {database} has schema version {found}, newer than this ksana knows \
         ({supported}); upgrade ksana or use another database"
    )]
    SchemaTooNew {
        /// The file, or the PostgreSQL database and schema.
        database: String,
        /// The version recorded in the database.
        found: i64,
        /// The newest version this build can migrate to.
        supported: i64,
    },
    /// Applying a migration step failed; the transaction was rolled back, the database is
    /// unchanged.
    #[error("lap database {database}: migration to version {version} failed: {source}")]
    Migration {
        /// The file, or the PostgreSQL database and schema.
        database: String,
        /// The step that failed.
        version: i64,
        /// The backend's error.
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// The PostgreSQL server could not be reached or refused the connection (or the URL is
    /// malformed). The URL is shown without its password.
    #[error(
        "cannot connect to the PostgreSQL lap database {url}: {}",
        pg_text(source)
    )]
    PgConnect {
        /// The URL, password removed.
        url: String,
        /// The client's error.
        source: postgres::Error,
    },
    /// A session id that is not in the database.
    #[error("no session with id {0} in the lap database")]
    UnknownSession(i64),
    /// A row read back breaks the store's own rules (a damaged or hand-edited database).
    #[error("lap database: bad row: {what}")]
    BadRow {
        /// What was wrong.
        what: String,
    },
    /// An SQLite query or write failed after the database was opened.
    #[error("lap database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A PostgreSQL query or write failed after the database was opened.
    #[error("PostgreSQL lap database: {}", pg_text(.0))]
    Postgres(#[from] postgres::Error),
}

/// A PostgreSQL error with its cause: the client's own text is only the kind ("db error"),
/// the server's message ("ERROR: relation ... does not exist") is its source.
pub(crate) fn pg_text(e: &postgres::Error) -> String {
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}
