//! The schema as numbered steps. A step, once released, never changes: a schema change is
//! a new step appended here (docs/STORE.md, "Migrations").

/// Migration steps, in order; step `i` (0-based) brings the schema to version `i + 1`.
pub(super) const STEPS: &[&str] = &[
    // 1: sessions, laps, sectors.
    r#"
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    sim          TEXT NOT NULL,
    track        TEXT NOT NULL,
    car          TEXT NOT NULL,
    driver       TEXT NOT NULL DEFAULT '',
    session_type TEXT NOT NULL,
    sector_count INTEGER CHECK (sector_count IS NULL OR sector_count >= 0),
    recording    TEXT,
    source       TEXT NOT NULL,
    recorded_at  TEXT,
    start_s      REAL NOT NULL,
    end_s        REAL NOT NULL,
    end_reason   TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX sessions_sim_track_car ON sessions (sim, track, car);
CREATE INDEX sessions_identity ON sessions (source, sim, start_s);
CREATE INDEX sessions_date ON sessions (COALESCE(recorded_at, created_at));

CREATE TABLE laps (
    id              INTEGER PRIMARY KEY,
    session_id      INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    number          INTEGER NOT NULL CHECK (number >= 0),
    time_ms         INTEGER CHECK (time_ms IS NULL OR time_ms >= 0),
    valid           INTEGER NOT NULL CHECK (valid IN (0, 1)),
    out_lap         INTEGER NOT NULL CHECK (out_lap IN (0, 1)),
    in_lap          INTEGER NOT NULL CHECK (in_lap IN (0, 1)),
    partial         INTEGER NOT NULL CHECK (partial IN (0, 1)),
    invalid_reason  TEXT,
    start_s         REAL NOT NULL,
    end_s           REAL NOT NULL,
    counts_for_best INTEGER NOT NULL CHECK (counts_for_best IN (0, 1))
);
CREATE INDEX laps_session ON laps (session_id, number);
CREATE INDEX laps_best ON laps (session_id, time_ms) WHERE counts_for_best = 1;

CREATE TABLE sectors (
    lap_id  INTEGER NOT NULL REFERENCES laps (id) ON DELETE CASCADE,
    idx     INTEGER NOT NULL CHECK (idx >= 0 AND idx < 256),
    time_ms INTEGER CHECK (time_ms IS NULL OR time_ms >= 0),
    PRIMARY KEY (lap_id, idx)
) WITHOUT ROWID;
"#,
];
