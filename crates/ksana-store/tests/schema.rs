//! Opening databases: migrations, reopening, refusing newer schemas and other programs'
//! databases (SQLite and PostgreSQL); WAL and non-database files (SQLite only).

mod common;

use common::{Backend, TestDb, backends};
use ksana_store::{
    LapStore, PgStore, SCHEMA_VERSION, SessionFilter, SqliteStore, StoreError, StoreSpec,
    open_store,
};
use rusqlite::Connection;

#[test]
fn migrates_an_empty_database_and_records_the_version() {
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        let store = db.open();
        assert_eq!(store.schema_version().unwrap(), 1);
        assert_eq!(SCHEMA_VERSION, 1);
        drop(store);
        let mut raw = db.raw();
        assert_eq!(
            raw.ints("SELECT version FROM schema_migrations ORDER BY version"),
            vec![1]
        );
        assert_eq!(
            raw.tables(),
            ["laps", "schema_migrations", "sectors", "sessions"]
        );
    }
}

#[test]
fn an_sqlite_file_mirrors_the_version_in_user_version() {
    let db = TestDb::sqlite();
    let StoreSpec::Sqlite(path) = &db.spec else {
        unreachable!()
    };
    let store = SqliteStore::open(path).unwrap();
    assert_eq!(store.path(), Some(path.as_path()));
    assert_eq!(store.describe(), format!("SQLite {}", path.display()));
    let conn = Connection::open(path).unwrap();
    let user_version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(user_version, 1);
}

#[test]
fn reopening_keeps_data_and_does_not_migrate_twice() {
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        let mut s = common::session("acc", "monza", "ferrari_296_gt3", 5.0);
        s.laps.push(common::clean_lap(1, [30_000, 31_000, 29_000]));
        let id = {
            let mut store = db.open();
            store
                .save_session(&s, &common::meta("a.ksana", "2026-11-01T10:00:00Z"))
                .unwrap()
        };
        let store = db.open();
        let back = store.session(id).unwrap().expect("session kept");
        assert_eq!(back.session, s);
        assert_eq!(store.sessions(&SessionFilter::default()).unwrap().len(), 1);
        assert_eq!(db.raw().int("SELECT COUNT(*) FROM schema_migrations"), 1);
    }
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
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        drop(db.open());
        db.raw().exec(&format!(
            "INSERT INTO schema_migrations (version) VALUES ({})",
            SCHEMA_VERSION + 1
        ));
        let err = open_store(&db.spec).map(drop).unwrap_err();
        match &err {
            StoreError::SchemaTooNew {
                database,
                found,
                supported,
            } => {
                assert_eq!(database, &db.shown_name());
                assert_eq!(*found, SCHEMA_VERSION + 1);
                assert_eq!(*supported, SCHEMA_VERSION);
            }
            other => panic!("expected SchemaTooNew, got {other:?}"),
        }
        let text = err.to_string();
        assert!(text.contains("schema version 2"), "{text}");
        assert!(text.contains("newer than this ksana knows (1)"), "{text}");
        let place = match db.backend {
            Backend::Sqlite => "ksana.db",
            Backend::Postgres => "(schema ksana_test_",
        };
        assert!(text.contains(place), "{text}");
        // Refused, not touched: the rows are as they were.
        assert_eq!(
            db.raw()
                .ints("SELECT version FROM schema_migrations ORDER BY version"),
            vec![1, 2]
        );
    }
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
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        db.raw()
            .exec("CREATE TABLE sessions (x INTEGER); INSERT INTO sessions VALUES (1);");
        let err = open_store(&db.spec).map(drop).unwrap_err();
        assert!(
            matches!(&err, StoreError::ForeignDatabase { database } if database == &db.shown_name()),
            "{err:?}"
        );
        // Untouched: no migration table was added.
        assert_eq!(db.raw().tables(), ["sessions"]);
    }
}

#[test]
fn a_postgres_store_lives_in_the_url_schema_and_names_it() {
    let Some(db) = TestDb::postgres() else {
        return;
    };
    let StoreSpec::Postgres(url) = &db.spec else {
        unreachable!()
    };
    let store = PgStore::open(url).unwrap();
    assert_eq!(store.schema().unwrap().as_deref(), db.pg_schema());
    assert_eq!(store.describe(), db.shown_name());
    assert!(
        format!("{store:?}").contains("(schema ksana_test_"),
        "{store:?}"
    );
    // What the store writes lands in that schema's tables.
    let mut store = store;
    store
        .save_session(
            &common::session("acc", "monza", "bmw", 0.0),
            &common::meta("/r", "2026-11-01T10:00:00Z"),
        )
        .unwrap();
    let mut raw = db.raw();
    let schema = db.pg_schema().unwrap();
    assert_eq!(
        raw.int(&format!("SELECT COUNT(*) FROM {schema}.sessions")),
        1
    );
    assert_eq!(
        raw.tables(),
        ["laps", "schema_migrations", "sectors", "sessions"]
    );
}

#[test]
fn an_unreachable_server_is_a_connect_error_without_the_password() {
    // Port 1 on localhost: nothing listens there, so the connection is refused at once.
    let url = "postgres://ana:s3cret@127.0.0.1:1/laps?connect_timeout=2";
    let err = open_store(&StoreSpec::Postgres(url.into()))
        .map(drop)
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::PgConnect { url, .. } if url == "postgres://ana@127.0.0.1:1/laps?connect_timeout=2"),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(!text.contains("s3cret"), "{text}");
    assert!(text.contains("error connecting to server"), "{text}");
    let bad = open_store(&StoreSpec::Postgres("postgres://h:notaport/x".into()))
        .map(drop)
        .unwrap_err();
    assert!(matches!(bad, StoreError::PgConnect { .. }), "{bad:?}");
}
