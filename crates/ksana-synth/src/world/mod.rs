//! The fake sim's world: a car driving a closed track, with pit lane, sectors, timing,
//! validity and scripted events (`ksana simulate`'s `--scenario`).
//!
//! Sim-neutral. Each sim's folder in `ksana-sims` renders a [`WorldState`] into that sim's
//! pages (its `fake.rs`); the CLI publishes them through the sim's own protocol-correct
//! publisher, or writes them straight into a recording. The world also keeps its own book of
//! what happened ([`Truth`]), in the shape `ksana laps --json` prints, so that tests can
//! compare what ksana detected against what the scenario scripted. The book is kept by the
//! world's own clock, independently of the lap engine.

mod book;
mod channels;
mod driver;
mod runner;
mod scenario;
#[cfg(test)]
mod tests;
mod timing;

pub use runner::World;
pub use scenario::{Scenario, UnknownScenario};

use serde::{Deserialize, Serialize};

/// Kind of session, as the fake sim runs it. Sims map it to their own codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// Practice.
    Practice,
    /// Qualifying.
    Qualify,
    /// Race.
    Race,
    /// Hot-lap mode.
    Hotlap,
}

impl SessionKind {
    /// The normalised name used in `ksana laps --json` (`practice`, `qualify`, …).
    pub const fn name(self) -> &'static str {
        match self {
            SessionKind::Practice => "practice",
            SessionKind::Qualify => "qualify",
            SessionKind::Race => "race",
            SessionKind::Hotlap => "hotlap",
        }
    }
}

/// What the sim is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorldStatus {
    /// In the menu (no session loaded).
    Menu,
    /// In a session, clock running.
    Live,
    /// Paused: the world's clock and the car stand still.
    Paused,
    /// Showing a replay of earlier driving: the car channels show the past.
    Replay,
}

/// The session the world runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorldSession {
    /// Counts sessions since the sim started (0, 1, …); a restart or a new session bumps it.
    pub index: u32,
    /// Kind of session.
    pub kind: SessionKind,
    /// Session clock: seconds since the session (or its restart) began. Stands still while
    /// paused, in the menu and in a replay.
    pub elapsed_s: f64,
    /// Seconds left in the session (counts down from its length).
    pub time_left_s: f64,
    /// Track id (`ksana_ring`) and display name (`Ksana Ring`).
    pub track_id: String,
    /// See `track_id`.
    pub track_name: String,
    /// Track length, metres.
    pub track_length_m: f64,
    /// Where each sector starts, fraction of the lap from the line (first is 0.0).
    pub sector_starts: Vec<f64>,
    /// Car model id (`ksana_gt3`) and display name.
    pub car_id: String,
    /// See `car_id`.
    pub car_name: String,
    /// Driver name.
    pub driver_name: String,
}

/// The car's physical state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CarState {
    /// Speed, m/s.
    pub speed_ms: f64,
    /// Pedals 0..1.
    pub throttle: f64,
    /// See `throttle`.
    pub brake: f64,
    /// Clutch 0..1 (1 = pressed).
    pub clutch: f64,
    /// Steering wheel angle, radians, positive = right.
    pub steer_rad: f64,
    /// Gear: -1 reverse, 0 neutral, 1.. forward.
    pub gear: i32,
    /// Engine speed, rpm.
    pub rpm: f64,
    /// Rev limit, rpm.
    pub max_rpm: f64,
    /// Fuel, litres, and tank size.
    pub fuel_l: f64,
    /// See `fuel_l`.
    pub fuel_max_l: f64,
    /// World position, metres (x east, y up, z north) and heading (radians).
    pub pos: [f64; 3],
    /// See `pos`.
    pub heading_rad: f64,
    /// Longitudinal and lateral acceleration, m/s².
    pub accel_long: f64,
    /// See `accel_long`.
    pub accel_lat: f64,
    /// Yaw rate, rad/s.
    pub yaw_rate: f64,
    /// Wheel angular speeds (FL, FR, RL, RR), rad/s.
    pub wheel_speed: [f64; 4],
    /// Tyre core temperatures, °C, and pressures, psi.
    pub tyre_temp: [f64; 4],
    /// See `tyre_temp`.
    pub tyre_pressure: [f64; 4],
    /// Brake disc temperatures, °C.
    pub brake_temp: [f64; 4],
    /// Water and oil temperatures, °C.
    pub water_temp: f64,
    /// See `water_temp`.
    pub oil_temp: f64,
    /// Air and track temperatures, °C.
    pub air_temp: f64,
    /// See `air_temp`.
    pub road_temp: f64,
    /// Number of wheels off the track surface (0..4).
    pub tyres_out: u32,
}

/// Timing as the sim shows it (what real sims publish in their pages).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TimingState {
    /// Laps completed in this session.
    pub completed_laps: u32,
    /// Time on the current lap, ms (sim time; stands still while paused).
    pub current_lap_ms: f64,
    /// Last completed lap's time, ms (`None` before the first).
    pub last_lap_ms: Option<f64>,
    /// Best valid lap of the session, ms.
    pub best_lap_ms: Option<f64>,
    /// Sector the car is in, 0-based.
    pub sector_index: u32,
    /// Time of the sector last completed, ms (per sector, not cumulative).
    pub last_sector_ms: Option<f64>,
    /// Cumulative split at the end of the sector last completed, ms from the lap start.
    pub last_split_ms: Option<f64>,
    /// The current lap is still valid (no off-track or other invalidation so far).
    pub lap_valid: bool,
    /// Lap distance travelled, metres, and as a fraction of the lap.
    pub lap_dist_m: f64,
    /// See `lap_dist_m`.
    pub lap_dist_pct: f64,
    /// The car is in the pit lane (box included), in its box, off the track now.
    pub in_pit_lane: bool,
    /// See `in_pit_lane`.
    pub in_pit_box: bool,
    /// See `in_pit_lane`.
    pub off_track: bool,
    /// Incidents of the driver in this session (iRacing-style count: off-track = 1x).
    pub incidents: u32,
    /// Position in the session (1 = leading).
    pub position: u32,
}

/// Everything a sim renders for one update.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorldState {
    /// Updates since the sim started (0, 1, …).
    pub step: u64,
    /// World time since the sim started, seconds (always increasing, also in the menu).
    pub time_s: f64,
    /// What the sim is doing.
    pub status: WorldStatus,
    /// The session (the last one while in the menu).
    pub session: WorldSession,
    /// The car.
    pub car: CarState,
    /// Timing.
    pub timing: TimingState,
}

/// The world's own book of what happened, in `ksana laps --json`'s shape (docs/LAPS.md).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// Sessions in order.
    pub sessions: Vec<TruthSession>,
}

/// One session (or run) of the truth book.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TruthSession {
    /// `practice`, `qualify`, ….
    pub session_type: String,
    /// Track and car display names.
    pub track: String,
    /// See `track`.
    pub car: String,
    /// Laps in order.
    pub laps: Vec<TruthLap>,
}

/// One lap of the truth book.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TruthLap {
    /// Lap number (1 = first of the session).
    pub number: u32,
    /// Lap time, exact (not rounded), ms; `None` if not finished.
    pub time_ms: Option<f64>,
    /// Per-sector times, exact, ms; `None` for sectors not driven.
    pub sectors_ms: Vec<Option<f64>>,
    /// No invalidation happened on the lap.
    pub valid: bool,
    /// Began in the pit lane.
    pub out_lap: bool,
    /// Ended in the pit lane / pit entry before the line.
    pub in_lap: bool,
    /// The lap was under way when the sim started (a mid-session start) or was not finished.
    pub partial: bool,
}
