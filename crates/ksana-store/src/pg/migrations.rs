//! Applying the numbered schema steps ([`crate::steps`]) to a PostgreSQL schema, with the same
//! rules as for an SQLite file: an up-to-date schema is only read; otherwise the missing steps
//! run in one transaction under an advisory lock; a newer or foreign schema is refused.

use postgres::{Client, GenericClient};

use super::sql;
use crate::StoreError;
use crate::error::pg_text;
use crate::steps::STEPS;

/// The shared steps in PostgreSQL's dialect.
pub(super) fn steps() -> Vec<&'static str> {
    STEPS.iter().map(|s| s.postgres).collect()
}

/// Brings the current schema to the last step, or refuses it (`name` names the database in
/// errors).
pub(super) fn migrate(client: &mut Client, name: &str) -> Result<(), StoreError> {
    migrate_with(client, name, &steps())
}

/// [`migrate`] with a given list of steps (tests run a future step list against today's
/// schema).
pub(super) fn migrate_with(
    client: &mut Client,
    name: &str,
    steps: &[&str],
) -> Result<(), StoreError> {
    let latest = steps.len() as i64;
    if current_version(client, name, latest)? == latest {
        return Ok(());
    }
    let mut tx = client.transaction()?;
    // Whoever opens second waits here, then sees the first's result.
    tx.execute(sql::MIGRATION_LOCK, &[])?;
    let found = current_version(&mut tx, name, latest)?;
    tx.batch_execute(sql::CREATE_MIGRATION_TABLE)?;
    for (version, step) in (1i64..)
        .zip(steps)
        .skip(usize::try_from(found).unwrap_or(0))
    {
        let mig = |e: postgres::Error| StoreError::Migration {
            database: name.to_string(),
            version,
            source: pg_text(&e).into(),
        };
        tx.batch_execute(step).map_err(mig)?;
        tx.execute(sql::RECORD_MIGRATION, &[&version])
            .map_err(mig)?;
    }
    // Dropping the transaction on any error above rolls every step back.
    tx.commit()?;
    Ok(())
}

/// The schema's version: 0 for an empty schema (no migration table yet). Errors for a schema
/// with other tables and no migration table, and for a version newer than this build's.
fn current_version(
    client: &mut impl GenericClient,
    name: &str,
    latest: i64,
) -> Result<i64, StoreError> {
    let row = client.query_one(sql::SCHEMA_STATE, &[])?;
    let (has_table, tables): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
    if has_table == 0 {
        if tables > 0 {
            return Err(StoreError::ForeignDatabase {
                database: name.to_string(),
            });
        }
        return Ok(0);
    }
    let found: i64 = client.query_one(sql::SCHEMA_VERSION, &[])?.try_get(0)?;
    if found > latest {
        return Err(StoreError::SchemaTooNew {
            database: name.to_string(),
            found,
            supported: latest,
        });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    //! The SQLite migration tests (`sqlite/migrations.rs`) on a PostgreSQL schema of the test
    //! server (`KSANA_TEST_DATABASE_URL`; skipped without it, failing in CI).
    use super::*;

    /// A fresh schema, dropped at the end; the client's search path is set to it.
    struct Schema {
        client: Client,
        name: String,
    }

    impl Drop for Schema {
        fn drop(&mut self) {
            let _ = self
                .client
                .batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }

    fn schema(tag: &str) -> Option<Schema> {
        let Some(url) = std::env::var("KSANA_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
        else {
            if ksana_testkit::in_ci() {
                panic!("KSANA_TEST_DATABASE_URL is not set; .ci/run starts PostgreSQL and sets it");
            }
            eprintln!("PostgreSQL case skipped (no KSANA_TEST_DATABASE_URL)");
            return None;
        };
        let mut client = Client::connect(&url, postgres::NoTls).unwrap();
        let name = format!("ksana_unit_{tag}_{}", std::process::id());
        client
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}; SET search_path = {name}"
            ))
            .unwrap();
        Some(Schema { client, name })
    }

    fn count(client: &mut Client, sql: &str) -> i64 {
        client.query_one(sql, &[]).unwrap().get(0)
    }

    #[test]
    fn a_later_step_upgrades_a_schema_and_keeps_its_rows() {
        let Some(mut db) = schema("later") else {
            return;
        };
        let c = &mut db.client;
        migrate_with(c, "test", &steps()[..1]).unwrap();
        c.batch_execute(
            "INSERT INTO sessions (sim, track, car, session_type, source, start_s, end_s)
             VALUES ('acc', 'monza', 'bmw', 'race', '/r', 1.5, 2.5)",
        )
        .unwrap();
        let future = [
            steps()[0],
            "ALTER TABLE sessions ADD COLUMN weather TEXT NOT NULL DEFAULT 'dry'",
        ];
        migrate_with(c, "test", &future).unwrap();
        assert_eq!(count(c, "SELECT MAX(version) FROM schema_migrations"), 2);
        assert_eq!(count(c, "SELECT COUNT(*) FROM schema_migrations"), 2);
        let weather: String = c
            .query_one("SELECT weather FROM sessions WHERE track = 'monza'", &[])
            .unwrap()
            .get(0);
        assert_eq!(weather, "dry");
        // Today's code now refuses the upgraded schema.
        let err = migrate_with(c, "test", &steps()[..1]).unwrap_err();
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
        let Some(mut db) = schema("failing") else {
            return;
        };
        let c = &mut db.client;
        let broken = [
            steps()[0],
            "CREATE TABLE half_done (a INTEGER); SELEC nonsense;",
        ];
        let err = migrate_with(c, "test", &broken).unwrap_err();
        assert!(
            matches!(err, StoreError::Migration { version: 2, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("syntax error"), "{err}");
        // Nothing of step 1 or 2 stayed: the schema is as empty as before.
        assert_eq!(
            count(
                c,
                "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"
            ),
            0
        );
        // And the good steps still apply afterwards.
        migrate_with(c, "test", &steps()).unwrap();
        assert_eq!(
            count(c, "SELECT MAX(version) FROM schema_migrations"),
            steps().len() as i64
        );
    }

    #[test]
    fn an_empty_migration_table_is_version_zero() {
        let Some(mut db) = schema("empty") else {
            return;
        };
        let c = &mut db.client;
        c.batch_execute(sql::CREATE_MIGRATION_TABLE).unwrap();
        migrate_with(c, "test", &steps()).unwrap();
        assert_eq!(count(c, "SELECT MAX(version) FROM schema_migrations"), 1);
    }
}
