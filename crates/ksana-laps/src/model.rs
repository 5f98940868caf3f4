//! What the lap engine produces: sessions of laps of sectors. Serialised as `ksana laps
//! --json` prints it (docs/LAPS.md).

use serde::{Deserialize, Serialize};

/// The JSON document `ksana laps --json` prints.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LapsReport {
    /// Sessions in the order they started.
    pub sessions: Vec<Session>,
}

/// One session (or one run of it: a restart starts a new one).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// The sim's id.
    pub sim: String,
    /// Track name.
    pub track: String,
    /// Car name.
    pub car: String,
    /// Driver name ("" when unknown).
    #[serde(default)]
    pub driver: String,
    /// Normalised session type (see [`crate::SessionIdent::session_type`]).
    pub session_type: String,
    /// Number of sectors of the track, when known.
    #[serde(default)]
    pub sector_count: Option<u32>,
    /// The recording the session was detected in, when it came from a file.
    #[serde(default)]
    pub recording: Option<String>,
    /// Recording time of the session's first and last timed sample, seconds.
    #[serde(default)]
    pub start_s: f64,
    /// See `start_s`.
    #[serde(default)]
    pub end_s: f64,
    /// Why the session ended: `menu`, `restart`, `session_change`, `end_of_recording`, ….
    #[serde(default)]
    pub end_reason: String,
    /// Laps in order.
    pub laps: Vec<Lap>,
}

/// One lap.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Lap {
    /// The sim's lap number (1 = the first lap of the session).
    pub number: u32,
    /// Lap time in integer milliseconds (rounded to nearest); `None` for a lap not finished.
    pub time_ms: Option<u32>,
    /// Per-sector times (not cumulative), milliseconds; `None` for a sector not timed.
    pub sectors_ms: Vec<Option<u32>>,
    /// No invalidation was seen during the lap.
    pub valid: bool,
    /// The lap began in the pit lane or garage.
    pub out_lap: bool,
    /// The lap ended in the pit lane, or pit entry happened before the line.
    pub in_lap: bool,
    /// The lap was not observed from line to line (tracking joined mid-lap, or the lap was
    /// not finished).
    pub partial: bool,
    /// Why the lap is invalid, when it is (`off_track`, `sim`, `incident`, `reset`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalid_reason: Option<String>,
    /// Recording time range of the lap, seconds since the recording's start.
    #[serde(default)]
    pub start_s: f64,
    /// See `start_s`.
    #[serde(default)]
    pub end_s: f64,
}

impl Lap {
    /// May this lap count for bests (personal, session, sector, theoretical)? Only complete,
    /// valid, fully observed laps that neither start nor end in the pits.
    pub fn counts_for_best(&self) -> bool {
        self.time_ms.is_some() && self.valid && !self.out_lap && !self.in_lap && !self.partial
    }
}
