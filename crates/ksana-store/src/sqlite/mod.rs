//! The embedded SQLite backend: one file, WAL mode so that a writing `ksana dump` and
//! readers (`ksana laps`, `ksana serve`) share it, schema kept by numbered migrations.

mod bests;
mod migrations;
mod ops;
mod sql;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode, TransactionBehavior};

use crate::StoreError;

/// The schema version this build creates and understands; a file with a higher version is
/// refused ([`StoreError::SchemaTooNew`]).
pub const SCHEMA_VERSION: i64 = migrations::STEPS.len() as i64;

/// How long a statement waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A lap store in an SQLite file (or in memory, for tests). Implements [`crate::LapStore`].
pub struct SqliteStore {
    conn: Connection,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path`: WAL journal, foreign keys on,
    /// a 5 s busy timeout, and any missing migration applied in one transaction. Refuses a
    /// file that is not SQLite, belongs to another program, or has a newer schema.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(|e| open_error(path, e))?;
        Self::setup(conn, Some(path.to_path_buf()))
    }

    /// A fresh database in memory (tests, one-off runs); gone when dropped.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn =
            Connection::open_in_memory().map_err(|e| open_error(Path::new(":memory:"), e))?;
        Self::setup(conn, None)
    }

    /// The database file, `None` for an in-memory store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The journal mode SQLite reports (`wal` for a file; `memory` in memory).
    pub fn journal_mode(&self) -> Result<String, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))?)
    }

    /// The schema version recorded in the database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(sql::SCHEMA_VERSION, [], |r| r.get(0))?)
    }

    fn setup(mut conn: Connection, path: Option<PathBuf>) -> Result<Self, StoreError> {
        let shown = path.clone().unwrap_or_else(|| PathBuf::from(":memory:"));
        let fail = |e| open_error(&shown, e);
        conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
        // The first statement that reads the file: a non-SQLite file fails here.
        conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(fail)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(fail)?;
        set_wal(&conn).map_err(fail)?;
        migrate(&mut conn, &shown)?;
        Ok(Self { conn, path })
    }
}

/// Switches the file to WAL. The switch of a new file needs an exclusive lock, and SQLite does
/// not call the busy handler for it (a connection upgrading its own lock could deadlock), so
/// several processes opening a new file at once retry here, within the busy timeout.
fn set_wal(conn: &Connection) -> rusqlite::Result<()> {
    let started = Instant::now();
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Err(e)
                if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
                    && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other.map(drop),
        }
    }
}

/// Classifies an error met while opening: "not a database" and corruption get their own
/// variant, the rest is [`StoreError::Open`].
fn open_error(path: &Path, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::NotADatabase {
            path: path.to_path_buf(),
            detail: e.to_string(),
        },
        _ => StoreError::Open {
            path: path.to_path_buf(),
            source: e,
        },
    }
}

/// Brings the schema to [`SCHEMA_VERSION`], or refuses a newer or foreign database. An
/// up-to-date file is only read (a reader opening beside a writer takes no write lock); else
/// the steps run in one immediate transaction (two processes opening a new file at once
/// migrate it once: the second sees the first's result).
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    if current_version(conn, path)? == SCHEMA_VERSION {
        return Ok(());
    }
    let fail = |e| open_error(path, e);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(fail)?;
    let found = current_version(&tx, path)?;
    if found == 0 {
        tx.execute(sql::CREATE_MIGRATION_TABLE, []).map_err(fail)?;
    }
    for (version, step) in (1..)
        .zip(migrations::STEPS)
        .skip(usize::try_from(found).unwrap_or(0))
    {
        let mig = |source| StoreError::Migration {
            path: path.to_path_buf(),
            version,
            source,
        };
        tx.execute_batch(step).map_err(mig)?;
        tx.execute(sql::RECORD_MIGRATION, [version]).map_err(mig)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(fail)?;
    tx.commit().map_err(fail)
}

/// The file's schema version: 0 for an empty file (no migration table yet). Errors for a file
/// with other tables and no migration table, and for a version newer than this build's.
fn current_version(conn: &Connection, path: &Path) -> Result<i64, StoreError> {
    let fail = |e| open_error(path, e);
    let has_table: i64 = conn
        .query_row(sql::HAS_MIGRATION_TABLE, [], |r| r.get(0))
        .map_err(fail)?;
    if has_table == 0 {
        let tables: i64 = conn
            .query_row(sql::COUNT_TABLES, [], |r| r.get(0))
            .map_err(fail)?;
        if tables > 0 {
            return Err(StoreError::ForeignDatabase {
                path: path.to_path_buf(),
            });
        }
        return Ok(0);
    }
    let found: i64 = conn
        .query_row(sql::SCHEMA_VERSION, [], |r| r.get(0))
        .map_err(fail)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(found)
}
