//! Every SQL statement the PostgreSQL store runs (besides the migration steps), each with
//! numbered parameters: no value is ever formatted into SQL text. The statements mirror
//! `sqlite/sql.rs` one for one; the differences are PostgreSQL's dialect (`$n`, BOOLEAN flags,
//! `RETURNING id`, typed NULL tests, `LIMIT NULL` for no limit).

/// Per connection: wait at most 5 s for another writer's lock (as SQLite's busy timeout),
/// then fail instead of hanging.
pub(super) const SESSION_SETUP: &str = "SET lock_timeout = '5s'";
/// The schema the tables live in (`NULL` when the search path names no existing schema).
pub(super) const CURRENT_SCHEMA: &str = "SELECT current_schema()::TEXT";
/// Does the migration table exist in the current schema, and how many tables of anyone's are
/// in it (a new one has none)? One statement, one snapshot: asked in two, another process's
/// migration could commit between them and the schema look foreign.
pub(super) const SCHEMA_STATE: &str = "SELECT
    (SELECT COUNT(*) FROM pg_catalog.pg_tables
        WHERE schemaname = current_schema() AND tablename = 'schema_migrations'),
    (SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema())";
/// Serialises migrations of one schema: two first opens at once migrate it once.
pub(super) const MIGRATION_LOCK: &str =
    "SELECT pg_advisory_xact_lock(hashtext('ksana.migrate.' || COALESCE(current_schema(), '')))";
/// The migration table.
pub(super) const CREATE_MIGRATION_TABLE: &str = r#"CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT PRIMARY KEY,
    applied_at TEXT NOT NULL
        DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
)"#;
/// The schema version of the database (0 when no step was applied).
pub(super) const SCHEMA_VERSION: &str =
    "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations";
/// Records an applied step.
pub(super) const RECORD_MIGRATION: &str = "INSERT INTO schema_migrations (version) VALUES ($1)";

/// Serialises `save_session`s of one schema, so that two writers saving the same session at
/// once cannot both insert it (SQLite gets this from its single write lock).
pub(super) const SAVE_LOCK: &str = "SELECT pg_advisory_xact_lock(
    hashtext('ksana.save_session.' || COALESCE(current_schema(), '')))";
/// Sessions with the identity `save_session` replaces.
pub(super) const FIND_SAME_SESSION: &str = "SELECT id FROM sessions
    WHERE source = $1 AND sim = $2 AND start_s = $3 AND session_type = $4 AND track = $5 AND car = $6
    ORDER BY id";
/// A new session row; returns its id.
pub(super) const INSERT_SESSION: &str = "INSERT INTO sessions
    (sim, track, car, driver, session_type, sector_count, recording, source, recorded_at,
     start_s, end_s, end_reason)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
    RETURNING id";
/// Overwrites a session row's fields (its id and created_at stay).
pub(super) const UPDATE_SESSION: &str = "UPDATE sessions SET
    sim = $1, track = $2, car = $3, driver = $4, session_type = $5, sector_count = $6,
    recording = $7, source = $8, recorded_at = $9, start_s = $10, end_s = $11, end_reason = $12
    WHERE id = $13";
/// Removes a session (its laps and sectors go with it).
pub(super) const DELETE_SESSION: &str = "DELETE FROM sessions WHERE id = $1";
/// Removes a session's laps (and their sectors).
pub(super) const DELETE_LAPS: &str = "DELETE FROM laps WHERE session_id = $1";
/// Is there a session with this id?
pub(super) const SESSION_EXISTS: &str = "SELECT COUNT(*) FROM sessions WHERE id = $1";
/// The end of a live session.
pub(super) const END_SESSION: &str =
    "UPDATE sessions SET end_s = $2, end_reason = $3 WHERE id = $1";
/// A lap row; returns its id.
pub(super) const INSERT_LAP: &str = "INSERT INTO laps
    (session_id, number, time_ms, valid, out_lap, in_lap, partial, invalid_reason, start_s, end_s,
     counts_for_best)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
    RETURNING id";
/// All sectors of one lap in one statement: `$2` is the lap's `sectors_ms` as an array, its
/// position (from 1) giving the index.
pub(super) const INSERT_SECTORS: &str = "INSERT INTO sectors (lap_id, idx, time_ms)
    SELECT $1, u.i - 1, u.t FROM unnest($2::BIGINT[]) WITH ORDINALITY AS u(t, i)";

/// Session list: the summary columns (0..=10, read by `summary_from_row`), filtered, newest
/// first, paged. `$7` is the limit (NULL = none), `$8` the offset.
pub(super) const LIST_SESSIONS: &str = "SELECT s.id, s.sim, s.track, s.car, s.driver,
        s.session_type, s.source, s.recorded_at, s.created_at,
        (SELECT COUNT(*) FROM laps l WHERE l.session_id = s.id),
        (SELECT MIN(l.time_ms) FROM laps l WHERE l.session_id = s.id AND l.counts_for_best)
    FROM sessions s
    WHERE ($1::TEXT IS NULL OR s.sim = $1) AND ($2::TEXT IS NULL OR s.track = $2)
      AND ($3::TEXT IS NULL OR s.car = $3) AND ($4::TEXT IS NULL OR s.driver = $4)
      AND ($5::TEXT IS NULL OR COALESCE(s.recorded_at, s.created_at) >= $5)
      AND ($6::TEXT IS NULL OR COALESCE(s.recorded_at, s.created_at) < $6)
    ORDER BY COALESCE(s.recorded_at, s.created_at) DESC, s.id DESC
    LIMIT $7 OFFSET $8";
/// One session: the summary columns (0..=10), then sector_count, recording, start_s, end_s,
/// end_reason (11..=15).
pub(super) const GET_SESSION: &str = "SELECT s.id, s.sim, s.track, s.car, s.driver,
        s.session_type, s.source, s.recorded_at, s.created_at,
        (SELECT COUNT(*) FROM laps l WHERE l.session_id = s.id),
        (SELECT MIN(l.time_ms) FROM laps l WHERE l.session_id = s.id AND l.counts_for_best),
        s.sector_count, s.recording, s.start_s, s.end_s, s.end_reason
    FROM sessions s WHERE s.id = $1";
/// A session's laps in order.
pub(super) const GET_LAPS: &str = "SELECT id, number, time_ms, valid, out_lap, in_lap, partial,
        invalid_reason, start_s, end_s
    FROM laps WHERE session_id = $1 ORDER BY number, id";
/// All sectors of a session's laps.
pub(super) const GET_SECTORS: &str = "SELECT sec.lap_id, sec.idx, sec.time_ms
    FROM sectors sec JOIN laps l ON l.id = sec.lap_id
    WHERE l.session_id = $1 ORDER BY sec.lap_id, sec.idx";

/// Per (sim, track, car) the fastest counting lap (ties: the earlier stored).
pub(super) const BEST_LAPS: &str =
    "SELECT sim, track, car, time_ms, session_id, number, date FROM (
        SELECT s.sim, s.track, s.car, l.time_ms, l.session_id, l.number,
               COALESCE(s.recorded_at, s.created_at) AS date,
               ROW_NUMBER() OVER (PARTITION BY s.sim, s.track, s.car
                                  ORDER BY l.time_ms, s.id, l.number, l.id) AS pos
        FROM laps l JOIN sessions s ON s.id = l.session_id
        WHERE l.counts_for_best AND l.time_ms IS NOT NULL) AS ranked
    WHERE pos = 1
    ORDER BY sim, track, car";
/// Per (sim, track, car) how many sectors: the most any session says, or any counting lap has.
pub(super) const SECTOR_COUNTS: &str = "SELECT s.sim, s.track, s.car,
        MAX(COALESCE(s.sector_count, 0)),
        MAX(COALESCE((SELECT MAX(sec.idx) + 1 FROM sectors sec WHERE sec.lap_id = l.id), 0))
    FROM laps l JOIN sessions s ON s.id = l.session_id
    WHERE l.counts_for_best
    GROUP BY s.sim, s.track, s.car";
/// Per (sim, track, car, sector) the best time over counting laps.
pub(super) const BEST_SECTORS: &str = "SELECT s.sim, s.track, s.car, sec.idx, MIN(sec.time_ms)
    FROM sectors sec JOIN laps l ON l.id = sec.lap_id JOIN sessions s ON s.id = l.session_id
    WHERE l.counts_for_best AND sec.time_ms IS NOT NULL
    GROUP BY s.sim, s.track, s.car, sec.idx";

/// Laps with an id above $1, oldest first, at most $2: id, session_id, then the columns of
/// `GET_LAPS` after its id.
pub(super) const LAPS_SINCE: &str =
    "SELECT id, session_id, number, time_ms, valid, out_lap, in_lap,
        partial, invalid_reason, start_s, end_s
    FROM laps WHERE id > $1 ORDER BY id LIMIT $2";
/// Sectors of the laps with ids in ($1, $2].
pub(super) const SECTORS_BETWEEN: &str = "SELECT lap_id, idx, time_ms
    FROM sectors WHERE lap_id > $1 AND lap_id <= $2 ORDER BY lap_id, idx";
/// The highest lap id, 0 without laps.
pub(super) const LAST_LAP_ID: &str = "SELECT COALESCE(MAX(id), 0) FROM laps";
