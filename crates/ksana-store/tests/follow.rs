//! Following the laps other connections store (`laps_since`, `last_lap_id`): what the server's
//! live stream polls; against SQLite and PostgreSQL.

mod common;

use common::{backends, clean_lap, meta, session};

#[test]
fn laps_since_returns_new_laps_in_order_with_sectors() {
    for db in backends() {
        let mut writer = db.open();
        let reader = db.open();
        assert_eq!(reader.last_lap_id().unwrap(), 0, "{:?}", db.backend);
        assert!(reader.laps_since(0, 10).unwrap().is_empty());

        let mut s = session("acc", "Monza", "Ferrari 296", 0.0);
        s.laps = vec![clean_lap(1, [30_000, 31_000, 29_000])];
        let first = writer
            .save_session(&s, &meta("/a.ksana", "2026-01-01T10:00:00Z"))
            .unwrap();
        let seen = reader.last_lap_id().unwrap();
        assert!(seen > 0, "{:?}", db.backend);

        // Laps stored after `seen` by another connection, in two sessions.
        let live = writer
            .begin_session(
                &session("acc", "Spa", "BMW M4", 5.0),
                &meta("live", "2026-01-02T10:00:00Z"),
            )
            .unwrap();
        writer
            .add_lap(live, &clean_lap(1, [40_000, 41_000, 42_000]))
            .unwrap();
        let mut unfinished = clean_lap(2, [40_500, 0, 0]);
        unfinished.time_ms = None;
        unfinished.sectors_ms = vec![Some(40_500), None];
        unfinished.partial = true;
        writer.add_lap(live, &unfinished).unwrap();
        writer
            .add_lap(first, &clean_lap(2, [30_100, 31_100, 29_100]))
            .unwrap();

        let new = reader.laps_since(seen, 10).unwrap();
        let got: Vec<(i64, u32, Option<u32>)> = new
            .iter()
            .map(|l| (l.session_id, l.lap.number, l.lap.time_ms))
            .collect();
        assert_eq!(
            got,
            vec![
                (live, 1, Some(123_000)),
                (live, 2, None),
                (first, 2, Some(90_300))
            ],
            "{:?}",
            db.backend
        );
        assert_eq!(
            new[0].lap.sectors_ms,
            vec![Some(40_000), Some(41_000), Some(42_000)]
        );
        assert_eq!(new[1].lap.sectors_ms, vec![Some(40_500), None]);
        assert!(new[1].lap.partial);
        assert!(new.windows(2).all(|w| w[0].lap_id < w[1].lap_id));
        assert_eq!(reader.last_lap_id().unwrap(), new[2].lap_id);

        // The limit, then continuing from the last id seen.
        let two = reader.laps_since(seen, 2).unwrap();
        assert_eq!(two.len(), 2);
        let rest = reader.laps_since(two[1].lap_id, 10).unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].lap_id, new[2].lap_id);
        assert!(reader.laps_since(new[2].lap_id, 10).unwrap().is_empty());
    }
}
