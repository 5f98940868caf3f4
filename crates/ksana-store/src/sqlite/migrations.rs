//! Applying the numbered schema steps ([`crate::steps`]) to an SQLite file.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::{open_error, sql};
use crate::StoreError;
use crate::steps::STEPS;

/// The shared steps in SQLite's dialect.
pub(super) fn steps() -> Vec<&'static str> {
    STEPS.iter().map(|s| s.sqlite).collect()
}

/// Brings the schema to the last step, or refuses a newer or foreign database. An
/// up-to-date file is only read (a reader opening beside a writer takes no write lock); else
/// the steps run in one immediate transaction (two processes opening a new file at once
/// migrate it once: the second sees the first's result).
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    migrate_with(conn, path, &steps())
}

/// [`migrate`] with a given list of steps (tests run a future step list against today's file).
fn migrate_with(conn: &mut Connection, path: &Path, steps: &[&str]) -> Result<(), StoreError> {
    let latest = steps.len() as i64;
    if current_version(conn, path, latest)? == latest {
        return Ok(());
    }
    let fail = |e| open_error(path, e);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(fail)?;
    let found = current_version(&tx, path, latest)?;
    tx.execute(sql::CREATE_MIGRATION_TABLE, []).map_err(fail)?;
    for (version, step) in (1..).zip(steps).skip(usize::try_from(found).unwrap_or(0)) {
        let mig = |source: rusqlite::Error| StoreError::Migration {
            database: path.display().to_string(),
            version,
            source: Box::new(source),
        };
        tx.execute_batch(step).map_err(mig)?;
        tx.execute(sql::RECORD_MIGRATION, [version]).map_err(mig)?;
    }
    tx.pragma_update(None, "user_version", latest)
        .map_err(fail)?;
    tx.commit().map_err(fail)
}

/// The file's schema version: 0 for an empty file (no migration table yet). Errors for a file
/// with other tables and no migration table, and for a version newer than this build's.
fn current_version(conn: &Connection, path: &Path, latest: i64) -> Result<i64, StoreError> {
    let fail = |e| open_error(path, e);
    let (has_table, tables): (i64, i64) = conn
        .query_row(sql::SCHEMA_STATE, [], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(fail)?;
    if has_table == 0 {
        if tables > 0 {
            return Err(StoreError::ForeignDatabase {
                database: path.display().to_string(),
            });
        }
        return Ok(0);
    }
    let found: i64 = conn
        .query_row(sql::SCHEMA_VERSION, [], |r| r.get(0))
        .map_err(fail)?;
    if found > latest {
        return Err(StoreError::SchemaTooNew {
            database: path.display().to_string(),
            found,
            supported: latest,
        });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(conn: &Connection, sql: &str) -> i64 {
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_later_step_upgrades_a_file_and_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let mut conn = Connection::open(&path).unwrap();
        migrate_with(&mut conn, &path, &steps()[..1]).unwrap();
        conn.execute(
            "INSERT INTO sessions (sim, track, car, session_type, source, start_s, end_s)
             VALUES ('acc', 'monza', 'bmw', 'race', '/r', 1.5, 2.5)",
            [],
        )
        .unwrap();
        let future = [
            steps()[0],
            "ALTER TABLE sessions ADD COLUMN weather TEXT NOT NULL DEFAULT 'dry'",
        ];
        migrate_with(&mut conn, &path, &future).unwrap();
        assert_eq!(
            count(&conn, "SELECT MAX(version) FROM schema_migrations"),
            2
        );
        assert_eq!(count(&conn, "SELECT COUNT(*) FROM schema_migrations"), 2);
        assert_eq!(count(&conn, "PRAGMA user_version"), 2);
        let weather: String = conn
            .query_row(
                "SELECT weather FROM sessions WHERE track = 'monza'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(weather, "dry");
        // Today's code now refuses the upgraded file.
        let err = migrate_with(&mut conn, &path, &steps()[..1]).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::SchemaTooNew {
                    found: 2,
                    supported: 1,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn a_failing_step_rolls_every_step_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let mut conn = Connection::open(&path).unwrap();
        let broken = [
            steps()[0],
            "CREATE TABLE half_done (a INTEGER); SELEC nonsense;",
        ];
        let err = migrate_with(&mut conn, &path, &broken).unwrap_err();
        assert!(
            matches!(err, StoreError::Migration { version: 2, .. }),
            "{err:?}"
        );
        // Nothing of step 1 or 2 stayed: the file is as empty as before.
        assert_eq!(
            count(
                &conn,
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
            ),
            0
        );
        assert_eq!(count(&conn, "PRAGMA user_version"), 0);
        // And the good steps still apply afterwards.
        migrate_with(&mut conn, &path, &steps()).unwrap();
        assert_eq!(
            count(&conn, "SELECT MAX(version) FROM schema_migrations"),
            steps().len() as i64
        );
    }

    #[test]
    fn an_empty_migration_table_is_version_zero() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let mut conn = Connection::open(&path).unwrap();
        conn.execute(sql::CREATE_MIGRATION_TABLE, []).unwrap();
        migrate_with(&mut conn, &path, &steps()).unwrap();
        assert_eq!(
            count(&conn, "SELECT MAX(version) FROM schema_migrations"),
            1
        );
    }
}
