//! Personal and theoretical bests, against SQLite and PostgreSQL.

mod common;

use common::backends;
use common::{clean_lap, meta, session};
use ksana_laps::Lap;

#[test]
fn personal_bests_ignore_laps_that_do_not_count() {
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        let mut store = db.open();
        let mut s = session("acc", "monza", "bmw", 0.0);
        s.laps = vec![
            // Faster than the counting lap, but each fails one condition.
            Lap {
                out_lap: true,
                ..clean_lap(1, [20_000, 20_000, 20_000])
            },
            Lap {
                valid: false,
                invalid_reason: Some("off_track".into()),
                ..clean_lap(2, [21_000, 20_000, 20_000])
            },
            Lap {
                in_lap: true,
                ..clean_lap(3, [22_000, 20_000, 20_000])
            },
            Lap {
                partial: true,
                ..clean_lap(4, [23_000, 20_000, 20_000])
            },
            Lap {
                time_ms: None,
                ..clean_lap(5, [24_000, 20_000, 20_000])
            },
            clean_lap(6, [30_000, 31_000, 29_000]),
        ];
        let id = store
            .save_session(&s, &meta("/rec/m.ksana", "2026-11-01T10:00:00Z"))
            .unwrap();
        let pbs = store.personal_bests().unwrap();
        assert_eq!(pbs.len(), 1);
        let pb = &pbs[0];
        assert_eq!(
            (pb.sim.as_str(), pb.track.as_str(), pb.car.as_str()),
            ("acc", "monza", "bmw")
        );
        assert_eq!(pb.best_lap_ms, 90_000);
        assert_eq!(pb.session_id, id);
        assert_eq!(pb.lap_number, 6);
        assert_eq!(pb.date, "2026-11-01T10:00:00Z");
        // Sectors of non-counting laps are ignored too.
        assert_eq!(
            pb.best_sectors_ms,
            vec![Some(30_000), Some(31_000), Some(29_000)]
        );
        assert_eq!(pb.theoretical_best_ms, Some(90_000));
    }
}

#[test]
fn theoretical_best_sums_best_sectors_of_different_laps_and_sessions() {
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        let mut store = db.open();
        let mut a = session("acc", "spa", "bmw", 0.0);
        a.laps = vec![
            clean_lap(1, [41_000, 52_000, 44_000]),
            clean_lap(2, [40_500, 53_000, 44_500]),
        ];
        let mut b = session("acc", "spa", "bmw", 0.0);
        b.laps = vec![clean_lap(1, [42_000, 51_700, 45_000])];
        let mut c = session("acc", "spa", "bmw", 0.0);
        // Invalid lap with the fastest last sector: must not count.
        c.laps = vec![Lap {
            valid: false,
            ..clean_lap(1, [40_000, 50_000, 40_000])
        }];
        let a_id = store
            .save_session(&a, &meta("/a", "2026-11-01T10:00:00Z"))
            .unwrap();
        store
            .save_session(&b, &meta("/b", "2026-11-02T10:00:00Z"))
            .unwrap();
        store
            .save_session(&c, &meta("/c", "2026-11-03T10:00:00Z"))
            .unwrap();

        let pbs = store.personal_bests().unwrap();
        assert_eq!(pbs.len(), 1);
        let pb = &pbs[0];
        // Best lap: a#1 = 137,000 (a#2 = 138,000, b#1 = 138,700).
        assert_eq!(
            (pb.best_lap_ms, pb.session_id, pb.lap_number),
            (137_000, a_id, 1)
        );
        // Sector 1 from a#2, sector 2 from b#1, sector 3 from a#1.
        assert_eq!(
            pb.best_sectors_ms,
            vec![Some(40_500), Some(51_700), Some(44_000)]
        );
        assert_eq!(pb.theoretical_best_ms, Some(136_200));
    }
}

#[test]
fn bests_are_per_sim_track_and_car() {
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        let mut store = db.open();
        let combos = [
            ("acc", "monza", "bmw", 30_000),
            ("acc", "monza", "audi", 31_000),
            ("acc", "spa", "bmw", 32_000),
            ("iracing", "monza", "bmw", 33_000),
        ];
        for (i, (sim, track, car, s1)) in combos.iter().enumerate() {
            let mut s = session(sim, track, car, i as f64);
            s.laps = vec![clean_lap(1, [*s1, 30_000, 30_000])];
            store
                .save_session(&s, &meta("/r", "2026-11-01T10:00:00Z"))
                .unwrap();
        }
        let got: Vec<(String, String, String, u32)> = store
            .personal_bests()
            .unwrap()
            .into_iter()
            .map(|p| (p.sim, p.track, p.car, p.best_lap_ms))
            .collect();
        let want = [
            ("acc", "monza", "audi", 91_000),
            ("acc", "monza", "bmw", 90_000),
            ("acc", "spa", "bmw", 92_000),
            ("iracing", "monza", "bmw", 93_000),
        ];
        let want: Vec<(String, String, String, u32)> = want
            .iter()
            .map(|(a, b, c, t)| (a.to_string(), b.to_string(), c.to_string(), *t))
            .collect();
        assert_eq!(got, want);
    }
}

#[test]
fn a_sector_never_timed_leaves_no_theoretical_best() {
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        let mut store = db.open();
        let mut s = session("ac", "imola", "f40", 0.0);
        s.laps = vec![
            Lap {
                sectors_ms: vec![Some(30_000), None, Some(29_000)],
                ..clean_lap(1, [30_000, 31_000, 29_000])
            },
            Lap {
                sectors_ms: vec![Some(29_500), None, Some(29_900)],
                ..clean_lap(2, [29_500, 31_000, 29_900])
            },
        ];
        store
            .save_session(&s, &meta("/r", "2026-11-01T10:00:00Z"))
            .unwrap();
        let pb = &store.personal_bests().unwrap()[0];
        assert_eq!(pb.best_sectors_ms, vec![Some(29_500), None, Some(29_000)]);
        assert_eq!(pb.theoretical_best_ms, None);
        assert_eq!(pb.best_lap_ms, 90_000);
    }
}

#[test]
fn no_counting_lap_means_no_personal_best() {
    for db in backends() {
        eprintln!("backend: {:?}", db.backend);
        let mut store = db.open();
        let mut s = session("acc", "monza", "bmw", 0.0);
        s.laps = vec![Lap {
            out_lap: true,
            ..clean_lap(1, [30_000, 30_000, 30_000])
        }];
        store
            .save_session(&s, &meta("/r", "2026-11-01T10:00:00Z"))
            .unwrap();
        assert!(store.personal_bests().unwrap().is_empty());
    }
}
