//! Opening files: migrations, reopening, WAL, refusing newer schemas and non-databases.

mod common;

use ksana_store::{LapStore, SCHEMA_VERSION, SessionFilter, SqliteStore, StoreError};
use rusqlite::Connection;

#[test]
fn migrates_an_empty_file_and_records_the_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ksana.db");
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.path(), Some(path.as_path()));
    assert_eq!(store.schema_version().unwrap(), 1);
    assert_eq!(SCHEMA_VERSION, 1);
    drop(store);

    let conn = Connection::open(&path).unwrap();
    let versions: Vec<i64> = conn
        .prepare("SELECT version FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(versions, vec![1]);
    let user_version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(user_version, 1);
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables.sort();
    assert_eq!(tables, ["laps", "schema_migrations", "sectors", "sessions"]);
}

#[test]
fn reopening_keeps_data_and_does_not_migrate_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ksana.db");
    let mut s = common::session("acc", "monza", "ferrari_296_gt3", 5.0);
    s.laps.push(common::clean_lap(1, [30_000, 31_000, 29_000]));
    let id = {
        let mut store = SqliteStore::open(&path).unwrap();
        store
            .save_session(&s, &common::meta("a.ksana", "2026-11-01T10:00:00Z"))
            .unwrap()
    };
    let store = SqliteStore::open(&path).unwrap();
    let back = store.session(id).unwrap().expect("session kept");
    assert_eq!(back.session, s);
    assert_eq!(store.sessions(&SessionFilter::default()).unwrap().len(), 1);
    let conn = Connection::open(&path).unwrap();
    let rows: i64 = conn
        .query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1);
}

#[test]
fn wal_is_on_for_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ksana.db");
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.journal_mode().unwrap(), "wal");
    // WAL is persistent: another connection sees it too.
    let conn = Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_newer_schema_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ksana.db");
    drop(SqliteStore::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO schema_migrations (version) VALUES (?1)",
        [SCHEMA_VERSION + 1],
    )
    .unwrap();
    drop(conn);
    let err = SqliteStore::open(&path).unwrap_err();
    match &err {
        StoreError::SchemaTooNew {
            path: p,
            found,
            supported,
        } => {
            assert_eq!(p, &path);
            assert_eq!(*found, SCHEMA_VERSION + 1);
            assert_eq!(*supported, SCHEMA_VERSION);
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("schema version 2"), "{text}");
    assert!(text.contains("newer than this ksana knows (1)"), "{text}");
    assert!(text.contains("ksana.db"), "{text}");
}

#[test]
fn random_bytes_are_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.db");
    // Deterministic "random" bytes (xorshift), 8 KiB: not an SQLite header.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..8192)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(&path, &bytes).unwrap();
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(
        matches!(&err, StoreError::NotADatabase { path: p, .. } if p == &path),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("junk.db is not a ksana lap database"),
        "{err}"
    );
    // The file is left as it was.
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn an_sqlite_header_with_garbage_pages_errors_without_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("damaged.db");
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend_from_slice(&[0x10, 0x00, 0x01, 0x01, 0x00, 0x40, 0x20, 0x20]);
    bytes.resize(4096 * 3, 0xA5);
    std::fs::write(&path, &bytes).unwrap();
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotADatabase { .. } | StoreError::Open { .. }
        ),
        "unexpected error kind: {err:?}"
    );
}

#[test]
fn another_programs_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE sessions (x INTEGER); INSERT INTO sessions VALUES (1);")
        .unwrap();
    drop(conn);
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(
        matches!(&err, StoreError::ForeignDatabase { path: p } if p == &path),
        "{err:?}"
    );
    // Untouched: no migration table was added.
    let conn = Connection::open(&path).unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'schema_migrations'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0);
}
