//! The backend-neutral operations on the lap history.

use ksana_laps::{Lap, Session};

use crate::{
    PersonalBest, SessionFilter, SessionId, SessionMeta, SessionSummary, StoreError, StoredLap,
    StoredSession,
};

/// What ksana does with its lap history, whatever the database behind it (an SQLite file or a
/// PostgreSQL server): the CLI and the HTTP API only see this trait, and the store's tests run
/// the same cases against both backends.
pub trait LapStore {
    /// Stores a whole detected session with its laps. Idempotent: a session with the same
    /// (source, sim, start_s, session_type, track, car) stored again replaces the earlier copy
    /// (keeping its id), so laps re-detected from the same file never duplicate.
    fn save_session(&mut self, s: &Session, meta: &SessionMeta) -> Result<SessionId, StoreError>;

    /// Live use (`ksana dump`): stores the session row (its laps are ignored) and returns its id
    /// for [`LapStore::add_lap`] and [`LapStore::end_session`].
    fn begin_session(&mut self, s: &Session, meta: &SessionMeta) -> Result<SessionId, StoreError>;

    /// Adds one finished lap to a live session, committed in its own transaction before the
    /// call returns, so a killed process loses no lap already stored.
    fn add_lap(&mut self, id: SessionId, lap: &Lap) -> Result<(), StoreError>;

    /// Records the end of a live session: its last recording time and why it ended.
    fn end_session(&mut self, id: SessionId, end_s: f64, reason: &str) -> Result<(), StoreError>;

    /// Sessions matching `filter`, newest first (by `recorded_at`, else the time stored).
    fn sessions(&self, filter: &SessionFilter) -> Result<Vec<SessionSummary>, StoreError>;

    /// One session with its laps and sectors, `None` when there is no such id.
    fn session(&self, id: SessionId) -> Result<Option<StoredSession>, StoreError>;

    /// Per (sim, track, car): the best lap, best sectors and theoretical best, counting only
    /// laps for which [`Lap::counts_for_best`] holds. Sorted by sim, track, car.
    fn personal_bests(&self) -> Result<Vec<PersonalBest>, StoreError>;

    /// Laps stored after the lap with id `after_lap_id` (0: from the first), oldest first, at
    /// most `limit` of them, with their sectors. Lap ids only grow, so a reader that keeps the
    /// last id it saw follows what other processes store (the server's live stream).
    fn laps_since(&self, after_lap_id: i64, limit: u32) -> Result<Vec<StoredLap>, StoreError>;

    /// The id of the last lap stored, 0 when there is none: where a follower of
    /// [`LapStore::laps_since`] starts to see only new laps.
    fn last_lap_id(&self) -> Result<i64, StoreError>;

    /// The schema version recorded in the database (the number of migration steps applied).
    fn schema_version(&self) -> Result<i64, StoreError>;

    /// Which database this is, for messages: `SQLite PATH`, or `PostgreSQL URL` with the
    /// password removed.
    fn describe(&self) -> String;
}

/// A boxed store is a store (what [`crate::open_store`] returns can go wherever a concrete
/// backend can, e.g. into code generic over `S: LapStore`).
impl<S: LapStore + ?Sized> LapStore for Box<S> {
    fn save_session(&mut self, s: &Session, meta: &SessionMeta) -> Result<SessionId, StoreError> {
        (**self).save_session(s, meta)
    }
    fn begin_session(&mut self, s: &Session, meta: &SessionMeta) -> Result<SessionId, StoreError> {
        (**self).begin_session(s, meta)
    }
    fn add_lap(&mut self, id: SessionId, lap: &Lap) -> Result<(), StoreError> {
        (**self).add_lap(id, lap)
    }
    fn end_session(&mut self, id: SessionId, end_s: f64, reason: &str) -> Result<(), StoreError> {
        (**self).end_session(id, end_s, reason)
    }
    fn sessions(&self, filter: &SessionFilter) -> Result<Vec<SessionSummary>, StoreError> {
        (**self).sessions(filter)
    }
    fn session(&self, id: SessionId) -> Result<Option<StoredSession>, StoreError> {
        (**self).session(id)
    }
    fn personal_bests(&self) -> Result<Vec<PersonalBest>, StoreError> {
        (**self).personal_bests()
    }
    fn laps_since(&self, after_lap_id: i64, limit: u32) -> Result<Vec<StoredLap>, StoreError> {
        (**self).laps_since(after_lap_id, limit)
    }
    fn last_lap_id(&self) -> Result<i64, StoreError> {
        (**self).last_lap_id()
    }
    fn schema_version(&self) -> Result<i64, StoreError> {
        (**self).schema_version()
    }
    fn describe(&self) -> String {
        (**self).describe()
    }
}
