//! Saving and reading sessions: round trip, idempotence, live writing read from a second
//! connection, filters and paging; each against SQLite and PostgreSQL.

mod common;

use common::{Backend, backends};
use common::{clean_lap, meta, session};
use ksana_laps::Lap;
use ksana_store::{SessionFilter, SessionSummary, StoreError};

fn every_kind_of_lap() -> Vec<Lap> {
    vec![
        Lap {
            out_lap: true,
            ..clean_lap(1, [35_000, 31_000, 29_500])
        },
        clean_lap(2, [30_100, 31_200, 29_300]),
        Lap {
            time_ms: Some(95_000),
            sectors_ms: vec![Some(30_000), None, Some(29_000)],
            valid: false,
            invalid_reason: Some("off_track".into()),
            ..clean_lap(3, [0, 0, 0])
        },
        Lap {
            in_lap: true,
            ..clean_lap(4, [30_500, 31_500, 33_000])
        },
        Lap {
            time_ms: None,
            sectors_ms: vec![Some(30_700), None],
            partial: true,
            end_s: 512.25,
            ..clean_lap(5, [0, 0, 0])
        },
        Lap {
            sectors_ms: Vec::new(),
            ..clean_lap(6, [30_000, 30_000, 30_000])
        },
    ]
}

#[test]
fn save_then_read_gives_the_same_session() {
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        let mut store = db.open();
        let mut s = session("acc", "spa", "porsche_992_gt3_r", 12.125);
        s.laps = every_kind_of_lap();
        s.driver = String::new();
        s.sector_count = None;
        s.recording = None;
        let id = store
            .save_session(&s, &meta("/rec/spa.ksana", "2026-11-02T09:30:00Z"))
            .unwrap();
        let back = store.session(id).unwrap().expect("stored");
        assert_eq!(back.session, s);
        assert_eq!(back.summary.id, id);
        assert_eq!(back.summary.source, "/rec/spa.ksana");
        assert_eq!(
            back.summary.recorded_at.as_deref(),
            Some("2026-11-02T09:30:00Z")
        );
        assert_eq!(back.summary.lap_count, 6);
        // Laps 2 (90,600) and 6 (90,000) count; out, invalid, in and partial laps do not.
        assert_eq!(back.summary.best_lap_ms, Some(90_000));
        assert!(
            back.summary.created_at.starts_with("20"),
            "{}",
            back.summary.created_at
        );
        assert!(store.session(id + 100).unwrap().is_none());
    }
}

#[test]
fn saving_the_same_session_again_replaces_it() {
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        let mut store = db.open();
        let mut s = session("acc", "monza", "bmw_m4_gt3", 3.5);
        s.laps = vec![
            clean_lap(1, [30_000, 31_000, 29_000]),
            clean_lap(2, [30_000, 31_000, 28_000]),
        ];
        let m = meta("/rec/monza.ksana", "2026-11-03T18:00:00Z");
        let first = store.save_session(&s, &m).unwrap();
        s.laps.push(clean_lap(3, [29_000, 31_000, 28_000]));
        s.end_reason = "menu".into();
        let second = store.save_session(&s, &m).unwrap();
        assert_eq!(first, second, "the replaced session keeps its id");
        let all = store.sessions(&SessionFilter::default()).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].lap_count, 3);
        assert_eq!(store.session(first).unwrap().unwrap().session, s);
        // The replaced laps and their sectors are gone from the tables, not just hidden.
        let mut raw = db.raw();
        let mut count = |table: &str| raw.int(&format!("SELECT COUNT(*) FROM {table}"));
        assert_eq!(
            (count("sessions"), count("laps"), count("sectors")),
            (1, 3, 9)
        );

        // Another start time (a restart later in the same file) is another session.
        let mut later = s.clone();
        later.start_s = 700.0;
        let third = store.save_session(&later, &m).unwrap();
        assert_ne!(third, first);
        // The same detection from another file is another session too.
        let fourth = store
            .save_session(&s, &meta("/rec/copy.ksana", "2026-11-03T18:00:00Z"))
            .unwrap();
        assert_ne!(fourth, first);
        assert_eq!(store.sessions(&SessionFilter::default()).unwrap().len(), 3);
    }
}

#[test]
fn live_laps_are_readable_from_a_second_connection_while_the_writer_is_open() {
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        let mut writer = db.open();
        let mut s = session("iracing", "okayama", "mx5", 0.0);
        s.laps = vec![clean_lap(9, [1, 2, 3])]; // ignored by begin_session
        s.end_s = 0.0;
        s.end_reason = String::new();
        let id = writer
            .begin_session(&s, &meta("live", "2026-11-04T20:00:00Z"))
            .unwrap();

        let reader = db.open();
        let seen = reader
            .session(id)
            .unwrap()
            .expect("session row visible at once");
        assert!(seen.session.laps.is_empty());

        let lap1 = Lap {
            out_lap: true,
            ..clean_lap(1, [40_000, 31_000, 29_000])
        };
        let lap2 = clean_lap(2, [30_000, 31_000, 29_000]);
        writer.add_lap(id, &lap1).unwrap();
        assert_eq!(
            reader.session(id).unwrap().unwrap().session.laps,
            vec![lap1.clone()]
        );
        writer.add_lap(id, &lap2).unwrap();
        let seen = reader.session(id).unwrap().unwrap();
        assert_eq!(seen.session.laps, vec![lap1.clone(), lap2.clone()]);
        assert_eq!(seen.summary.best_lap_ms, Some(90_000));
        let pbs = reader.personal_bests().unwrap();
        assert_eq!(pbs.len(), 1);
        assert_eq!(
            (pbs[0].best_lap_ms, pbs[0].lap_number, pbs[0].session_id),
            (90_000, 2, id)
        );

        writer.end_session(id, 245.5, "menu").unwrap();
        let seen = reader.session(id).unwrap().unwrap();
        assert_eq!(seen.session.end_s, 245.5);
        assert_eq!(seen.session.end_reason, "menu");
        assert_eq!(seen.session.start_s, 0.0);
        assert_eq!(seen.session.track, "okayama");

        // A killed writer loses nothing already added: drop without any close and reopen.
        drop(writer);
        drop(reader);
        let again = db.open();
        assert_eq!(
            again.session(id).unwrap().unwrap().session.laps,
            vec![lap1, lap2]
        );
    }
}

#[test]
fn live_calls_on_an_unknown_session_fail() {
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        let mut store = db.open();
        assert!(matches!(
            store.add_lap(42, &clean_lap(1, [1, 2, 3])),
            Err(StoreError::UnknownSession(42))
        ));
        assert!(matches!(
            store.end_session(42, 1.0, "menu"),
            Err(StoreError::UnknownSession(42))
        ));
    }
}

fn ids(v: &[SessionSummary]) -> Vec<i64> {
    v.iter().map(|s| s.id).collect()
}

#[test]
fn filters_and_pages_newest_first() {
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        let mut store = db.open();
        let rows = [
            ("acc", "monza", "bmw", "Ana", "2026-01-05T10:00:00Z"),
            ("acc", "spa", "bmw", "Ana", "2026-02-05T10:00:00Z"),
            ("acc", "monza", "audi", "Bo", "2026-03-05T10:00:00Z"),
            ("iracing", "monza", "bmw", "Ana", "2026-04-05T10:00:00Z"),
            ("acc", "monza", "bmw", "Ana", "2026-05-05T10:00:00Z"),
        ];
        // Stored in an order unlike their dates (3, 0, 4, 1, 2), so that "newest first" cannot
        // be the insertion order.
        let mut id = [0; 5];
        for i in [3, 0, 4, 1, 2] {
            let (sim, track, car, driver, at) = rows[i];
            let mut s = session(sim, track, car, i as f64);
            s.driver = driver.into();
            id[i] = store
                .save_session(&s, &meta(&format!("/rec/{i}.ksana"), at))
                .unwrap();
        }
        let all = store.sessions(&SessionFilter::default()).unwrap();
        assert_eq!(ids(&all), vec![id[4], id[3], id[2], id[1], id[0]]);

        let f =
            |sim: Option<&str>, track: Option<&str>, car: Option<&str>, driver: Option<&str>| {
                SessionFilter {
                    sim: sim.map(Into::into),
                    track: track.map(Into::into),
                    car: car.map(Into::into),
                    driver: driver.map(Into::into),
                    ..SessionFilter::default()
                }
            };
        assert_eq!(
            ids(&store.sessions(&f(Some("acc"), None, None, None)).unwrap()),
            vec![id[4], id[2], id[1], id[0]]
        );
        assert_eq!(
            ids(&store
                .sessions(&f(None, Some("monza"), Some("bmw"), None))
                .unwrap()),
            vec![id[4], id[3], id[0]]
        );
        assert_eq!(
            ids(&store.sessions(&f(None, None, None, Some("Bo"))).unwrap()),
            vec![id[2]]
        );
        assert!(
            store
                .sessions(&f(Some("ac"), None, None, None))
                .unwrap()
                .is_empty()
        );

        let dated = SessionFilter {
            from: Some("2026-02-05T10:00:00Z".into()),
            to: Some("2026-04-05T10:00:00Z".into()),
            ..SessionFilter::default()
        };
        assert_eq!(ids(&store.sessions(&dated).unwrap()), vec![id[2], id[1]]);

        let page = |limit, offset| SessionFilter {
            limit,
            offset,
            ..SessionFilter::default()
        };
        assert_eq!(
            ids(&store.sessions(&page(Some(2), 0)).unwrap()),
            vec![id[4], id[3]]
        );
        assert_eq!(
            ids(&store.sessions(&page(Some(2), 2)).unwrap()),
            vec![id[2], id[1]]
        );
        assert_eq!(
            ids(&store.sessions(&page(Some(2), 4)).unwrap()),
            vec![id[0]]
        );
        assert!(store.sessions(&page(Some(2), 6)).unwrap().is_empty());
        assert_eq!(
            ids(&store.sessions(&page(None, 3)).unwrap()),
            vec![id[1], id[0]]
        );
        assert!(store.sessions(&page(Some(0), 0)).unwrap().is_empty());
    }
}

#[test]
fn hostile_filter_text_is_data_not_sql() {
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        let mut store = db.open();
        store
            .save_session(
                &session("acc", "monza", "bmw", 0.0),
                &meta("/r", "2026-01-01T00:00:00Z"),
            )
            .unwrap();
        let f = SessionFilter {
            track: Some("x' OR '1'='1".into()),
            ..SessionFilter::default()
        };
        assert!(store.sessions(&f).unwrap().is_empty());
        let mut odd = session("acc", "x'); DROP TABLE laps; --", "bmw", 1.0);
        odd.laps.push(clean_lap(1, [1, 2, 3]));
        let id = store
            .save_session(&odd, &meta("/r", "2026-01-01T00:00:00Z"))
            .unwrap();
        assert_eq!(store.session(id).unwrap().unwrap().session, odd);
    }
}

#[test]
fn a_nan_time_is_refused_not_stored_as_garbage() {
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        let mut store = db.open();
        let s = ksana_laps::Session {
            start_s: f64::NAN,
            ..session("acc", "monza", "bmw", 0.0)
        };
        let err = store
            .save_session(&s, &meta("/r", "2026-01-01T00:00:00Z"))
            .unwrap_err();
        // SQLite stores NaN as NULL, which NOT NULL refuses; PostgreSQL keeps NaN, which the
        // schema's CHECK refuses.
        let want = match db.backend {
            Backend::Sqlite => "NOT NULL constraint failed: sessions.start_s",
            Backend::Postgres => "sessions_start_s_check",
        };
        assert!(err.to_string().contains(want), "{err}");
        let mut s = session("acc", "monza", "bmw", 0.0);
        s.laps.push(Lap {
            end_s: f64::NAN,
            ..clean_lap(1, [1, 2, 3])
        });
        assert!(
            store
                .save_session(&s, &meta("/r", "2026-01-01T00:00:00Z"))
                .is_err()
        );
        // Nothing of the refused sessions stayed.
        assert!(
            store
                .sessions(&SessionFilter::default())
                .unwrap()
                .is_empty()
        );
    }
}

#[test]
fn a_session_without_recording_date_is_dated_when_stored() {
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        let mut store = db.open();
        let old = store
            .save_session(
                &session("acc", "monza", "bmw", 0.0),
                &meta("/r", "2001-01-01T00:00:00Z"),
            )
            .unwrap();
        let undated = ksana_store::SessionMeta {
            source: "/u".into(),
            recorded_at: None,
        };
        let new = store
            .save_session(&session("ac", "imola", "f40", 0.0), &undated)
            .unwrap();
        let all = store.sessions(&SessionFilter::default()).unwrap();
        assert_eq!(ids(&all), vec![new, old]);
        assert_eq!(all[0].recorded_at, None);
        assert!(
            all[0].created_at.as_str() > "2020-01-01T00:00:00Z",
            "{}",
            all[0].created_at
        );
        let since_2020 = SessionFilter {
            from: Some("2020-01-01T00:00:00Z".into()),
            ..SessionFilter::default()
        };
        assert_eq!(ids(&store.sessions(&since_2020).unwrap()), vec![new]);
    }
}
