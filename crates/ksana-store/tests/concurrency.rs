//! One writer and readers on the same file, as `ksana dump` and `ksana serve` share it.

mod common;

use std::time::{Duration, Instant};

use common::{clean_lap, meta, session};
use ksana_store::{LapStore, SqliteStore};
use rusqlite::Connection;

#[test]
fn a_reader_opens_and_reads_while_a_write_transaction_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let mut store = SqliteStore::open(&path).unwrap();
    let id = store
        .save_session(
            &session("acc", "monza", "bmw", 0.0),
            &meta("live", "2026-11-01T10:00:00Z"),
        )
        .unwrap();

    // Another process mid-write: holds the write lock with an uncommitted lap.
    let mut other = Connection::open(&path).unwrap();
    let tx = other
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    tx.execute(
        "INSERT INTO laps (session_id, number, valid, out_lap, in_lap, partial, start_s, end_s, counts_for_best)
         VALUES (?1, 7, 1, 0, 0, 0, 0.0, 1.0, 0)",
        [id],
    )
    .unwrap();

    let started = Instant::now();
    let reader = SqliteStore::open(&path).unwrap();
    let seen = reader.session(id).unwrap().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "reader waited {:?}",
        started.elapsed()
    );
    assert!(
        seen.session.laps.is_empty(),
        "uncommitted lap must not be visible"
    );
    tx.commit().unwrap();
    assert_eq!(reader.session(id).unwrap().unwrap().session.laps.len(), 1);
}

#[test]
fn a_second_writer_waits_for_the_lock_instead_of_failing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let mut store = SqliteStore::open(&path).unwrap();
    let id = store
        .begin_session(
            &session("acc", "monza", "bmw", 0.0),
            &meta("live", "2026-11-01T10:00:00Z"),
        )
        .unwrap();

    let holder_path = path.clone();
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        let mut conn = Connection::open(&holder_path).unwrap();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        locked_tx.send(()).unwrap();
        std::thread::sleep(Duration::from_millis(700));
        tx.commit().unwrap();
    });
    locked_rx.recv().unwrap();
    let started = Instant::now();
    // Within the 5 s busy timeout: waits for the holder, then commits.
    store
        .add_lap(id, &clean_lap(1, [30_000, 31_000, 29_000]))
        .unwrap();
    let waited = started.elapsed();
    holder.join().unwrap();
    assert!(
        waited >= Duration::from_millis(300),
        "add_lap did not wait for the lock ({waited:?})"
    );
    assert_eq!(store.session(id).unwrap().unwrap().session.laps.len(), 1);
}

#[test]
fn a_hand_edited_out_of_range_value_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let mut store = SqliteStore::open(&path).unwrap();
    let mut s = session("acc", "monza", "bmw", 0.0);
    s.laps.push(clean_lap(1, [30_000, 31_000, 29_000]));
    let id = store
        .save_session(&s, &meta("/r", "2026-11-01T10:00:00Z"))
        .unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE laps SET number = 5000000000 WHERE session_id = ?1",
        [id],
    )
    .unwrap();
    assert!(store.session(id).is_err());
    conn.execute(
        "UPDATE laps SET number = 1, time_ms = 9000000000 WHERE session_id = ?1",
        [id],
    )
    .unwrap();
    assert!(store.session(id).is_err());
    assert!(store.personal_bests().is_err());
}

#[test]
fn several_processes_opening_a_new_file_at_once_migrate_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (path, barrier) = (path.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                SqliteStore::open(&path).map(|s| s.schema_version().unwrap())
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap().unwrap(), 1);
    }
    let conn = Connection::open(&path).unwrap();
    let rows: i64 = conn
        .query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1);
}
