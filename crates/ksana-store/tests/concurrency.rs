//! One writer and readers on the same database, as `ksana dump` and `ksana serve` share it;
//! each case against SQLite and PostgreSQL.

mod common;

use std::time::{Duration, Instant};

use common::{backends, clean_lap, meta, session};
use ksana_store::open_store;

#[test]
fn a_reader_opens_and_reads_while_a_write_transaction_is_open() {
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        let mut store = db.open();
        let id = store
            .save_session(
                &session("acc", "monza", "bmw", 0.0),
                &meta("live", "2026-11-01T10:00:00Z"),
            )
            .unwrap();

        // Another process mid-write: holds a write transaction with an uncommitted lap.
        let mut other = db.raw();
        other.begin();
        other.exec(&format!(
            "INSERT INTO laps (session_id, number, valid, out_lap, in_lap, partial, start_s, end_s,
                               counts_for_best)
             VALUES ({id}, 7, {t}, {f}, {f}, {f}, 0.0, 1.0, {f})",
            t = db.true_(),
            f = db.false_(),
        ));

        let started = Instant::now();
        let reader = db.open();
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
        other.commit();
        assert_eq!(reader.session(id).unwrap().unwrap().session.laps.len(), 1);
    }
}

#[test]
fn a_second_writer_waits_for_the_lock_instead_of_failing() {
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        let mut store = db.open();
        let id = store
            .begin_session(
                &session("acc", "monza", "bmw", 0.0),
                &meta("live", "2026-11-01T10:00:00Z"),
            )
            .unwrap();

        let mut holder_conn = db.raw();
        let (locked_tx, locked_rx) = std::sync::mpsc::channel();
        let holder = std::thread::spawn(move || {
            holder_conn.begin_locking(id);
            locked_tx.send(()).unwrap();
            std::thread::sleep(Duration::from_millis(700));
            holder_conn.commit();
        });
        locked_rx.recv().unwrap();
        let started = Instant::now();
        // Within the 5 s busy / lock timeout: waits for the holder, then commits.
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
}

#[test]
fn a_hand_edited_out_of_range_value_is_an_error_not_a_panic() {
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        let mut store = db.open();
        let mut s = session("acc", "monza", "bmw", 0.0);
        s.laps.push(clean_lap(1, [30_000, 31_000, 29_000]));
        let id = store
            .save_session(&s, &meta("/r", "2026-11-01T10:00:00Z"))
            .unwrap();
        let mut raw = db.raw();
        raw.exec(&format!(
            "UPDATE laps SET number = 5000000000 WHERE session_id = {id}"
        ));
        assert!(store.session(id).is_err());
        raw.exec(&format!(
            "UPDATE laps SET number = 1, time_ms = 9000000000 WHERE session_id = {id}"
        ));
        assert!(store.session(id).is_err());
        assert!(store.personal_bests().is_err());
        // Put right again, it reads back.
        raw.exec(&format!(
            "UPDATE laps SET time_ms = 90000 WHERE session_id = {id}"
        ));
        assert_eq!(store.session(id).unwrap().unwrap().session, s);
    }
}

#[test]
fn several_processes_opening_a_new_database_at_once_migrate_it_once() {
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (spec, barrier) = (db.spec.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    open_store(&spec).map(|s| s.schema_version().unwrap())
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap().unwrap(), 1);
        }
        assert_eq!(db.raw().int("SELECT COUNT(*) FROM schema_migrations"), 1);
    }
}

/// Regression: a process opening a new SQLite file while another migrated it once took the file
/// for another program's (seen once in CI under load). Its check asked "is there a migration
/// table?" and "are there other tables?" in two statements, and the other process's migration
/// could commit between them. Many rounds of eight openers of a fresh file, no retries.
#[test]
fn openers_of_a_new_sqlite_file_racing_a_migration_never_call_it_foreign() {
    let dir = tempfile::tempdir().unwrap();
    for round in 0..40 {
        let path = dir.path().join(format!("race{round}.db"));
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (path, barrier) = (path.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    ksana_store::SqliteStore::open(&path).map(|_| ())
                })
            })
            .collect();
        for h in handles {
            if let Err(e) = h.join().unwrap() {
                panic!("round {round}: {e}");
            }
        }
    }
}
