//! What a sim adapter tells the lap engine about one frame.

use std::sync::Arc;

/// What the sim is doing, as far as timing is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SimState {
    /// Not driving: menu, loading, sim closed. Ends the current session.
    #[default]
    Off,
    /// Driving (or sitting in the car) with the clock running: the only state timed.
    Live,
    /// Paused: samples are ignored, the session goes on.
    Paused,
    /// A replay is showing: its values are the past, samples are ignored.
    Replay,
}

/// Who, where and what kind of session: a change of any field starts a new session.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SessionIdent {
    /// The sim's id (`acc`, `iracing`, …).
    pub sim: String,
    /// The sim's own identity of the session (ACC: session index; iRacing: session id and
    /// number); opaque to the engine, compared for equality only.
    pub key: String,
    /// Normalised session type: `practice`, `qualify`, `race`, `hotlap`, `hotstint`,
    /// `superpole`, `time_attack`, `warmup`, `testing`, `drift`, `drag`, or `unknown`.
    pub session_type: String,
    /// Track name as the sim names it (with layout when the sim has one).
    pub track: String,
    /// Car name or model id as the sim names it.
    pub car: String,
    /// Driver name, empty when the sim does not say.
    pub driver: String,
}

/// One frame's timing facts, sim-neutral. Every field a sim does not publish is `None` /
/// `false` / empty; the engine uses what is there.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TimingSample {
    /// Recording time of the frame, seconds since the recording's start (a lap's time range
    /// in its recording is given in this clock).
    pub rec_time_s: f64,
    /// The sim's session clock, seconds: increases while live, stands still while paused,
    /// goes back at a restart. Sector crossings are interpolated in this clock.
    pub sim_time_s: Option<f64>,
    /// What the sim is doing.
    pub state: SimState,
    /// The session. Shared: adapters hand out the same `Arc` until something changes.
    pub session: Arc<SessionIdent>,
    /// Laps the player has completed in this session.
    pub completed_laps: Option<u32>,
    /// Time on the current lap, milliseconds.
    pub current_lap_ms: Option<f64>,
    /// The sim's official time of the last completed lap, milliseconds (may update a little
    /// after `completed_laps` does, as iRacing's does).
    pub last_lap_ms: Option<f64>,
    /// Position on the lap, 0.0 at the line to 1.0.
    pub lap_dist_pct: Option<f64>,
    /// Sector the car is in, 0-based, when the sim says.
    pub sector_index: Option<u32>,
    /// Number of sectors of the track, when known.
    pub sector_count: Option<u32>,
    /// Where each sector starts, as fractions of the lap (first is 0.0), for sims that time
    /// sectors by lap distance (iRacing's SplitTimeInfo). Empty when the sim gives indices.
    pub sector_starts: Arc<[f64]>,
    /// The sim's own cumulative split, milliseconds from the lap start to the end of the
    /// sector last completed (adapters turn per-sector times into this form).
    pub sim_split_ms: Option<f64>,
    /// The sim says the current lap is invalid (ACC `isValidLap == 0`, AC Evo `is_invalid`).
    pub lap_invalid: bool,
    /// The player's incident count (iRacing); an increase during a lap invalidates it.
    pub incidents: Option<u32>,
    /// The car is off the track surface now.
    pub off_track: bool,
    /// The car is in the pit lane (including the box).
    pub in_pit_lane: bool,
    /// The car is in its pit box / garage.
    pub in_pit_box: bool,
    /// The car was reset, towed or teleported now.
    pub reset: bool,
}
