//! The rows the store returns (and the HTTP API will emit as JSON).

use serde::{Deserialize, Serialize};

/// A stored session's id (the database's row id).
pub type SessionId = i64;

/// Where a session came from, beside what the lap engine detected.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionMeta {
    /// The recording's path, or `"live"` for a session stored while it was driven.
    pub source: String,
    /// RFC 3339 wall-clock time of the recording's start, when known.
    pub recorded_at: Option<String>,
}

/// Which sessions [`crate::LapStore::sessions`] returns. Every `None` field matches all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionFilter {
    /// Exact sim id.
    pub sim: Option<String>,
    /// Exact track name.
    pub track: Option<String>,
    /// Exact car name.
    pub car: Option<String>,
    /// Exact driver name.
    pub driver: Option<String>,
    /// Sessions dated at or after this RFC 3339 time (compared as text: use UTC, `Z`).
    pub from: Option<String>,
    /// Sessions dated strictly before this RFC 3339 time (compared as text: use UTC, `Z`).
    pub to: Option<String>,
    /// At most this many sessions.
    pub limit: Option<u32>,
    /// Skip this many sessions first (paging, with `limit`).
    pub offset: u32,
}

/// One line of the session list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionSummary {
    /// The session's id.
    pub id: SessionId,
    /// The sim's id.
    pub sim: String,
    /// Track name.
    pub track: String,
    /// Car name.
    pub car: String,
    /// Driver name ("" when unknown).
    pub driver: String,
    /// Normalised session type.
    pub session_type: String,
    /// Recording path, or `"live"`.
    pub source: String,
    /// RFC 3339 wall-clock start of the recording, when known.
    pub recorded_at: Option<String>,
    /// When the session was stored (RFC 3339, UTC).
    pub created_at: String,
    /// Number of laps stored.
    pub lap_count: u32,
    /// Best lap that counts for bests, milliseconds.
    pub best_lap_ms: Option<u32>,
}

/// A session as stored: its summary and the lap engine's session with laps and sectors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredSession {
    /// The list line.
    pub summary: SessionSummary,
    /// The session as the lap engine produced it.
    pub session: ksana_laps::Session,
}

/// The personal best of one sim + track + car.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonalBest {
    /// The sim's id.
    pub sim: String,
    /// Track name.
    pub track: String,
    /// Car name.
    pub car: String,
    /// Best lap time, milliseconds.
    pub best_lap_ms: u32,
    /// The session of the best lap.
    pub session_id: SessionId,
    /// The best lap's number in its session.
    pub lap_number: u32,
    /// When the best lap's session was recorded (else stored), RFC 3339.
    pub date: String,
    /// Best time of each sector over all counting laps (not necessarily of one lap).
    pub best_sectors_ms: Vec<Option<u32>>,
    /// Sum of `best_sectors_ms`; `None` when any sector has no time.
    pub theoretical_best_ms: Option<u32>,
}

/// A stored lap with the ids that place it: what [`crate::LapStore::laps_since`] returns, so
/// that a reader (the server's live stream) can follow the laps other processes store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredLap {
    /// The lap's row id: increases with every lap stored, in either backend.
    pub lap_id: i64,
    /// The session it belongs to.
    pub session_id: SessionId,
    /// The lap with its sectors.
    pub lap: ksana_laps::Lap,
}
