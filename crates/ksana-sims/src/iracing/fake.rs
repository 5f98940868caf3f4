//! The fake sim's world ([`WorldState`]) rendered as iRacing pages (`Sim::fake`, `ksana
//! simulate --sim iracing`): the four pages of an iRacing recording ([`super::layout`]) laid out
//! as the live recorder stores them, so that [`super::LivePublisher`] publishes them with
//! iRacing's protocol (ticks, event, `sessionInfoUpdate`, status) and SDK clients read them.
//!
//! * **Header**: today's live header (`ver` 2, `tickRate` 60, YAML region 512 KiB at 112, var
//!   headers at 524,400, `numBuf` 3), bookkeeping bytes 40..112 zero as in a recording.
//!   `status` is 1 except in the world's menu (0: iRacing's sim process is not running while
//!   the UI is up). `sessionInfoUpdate` counts the YAML texts rendered.
//! * **Variables** ([`VARS`]): iRacing's names, types and units. Conversions from the world:
//!   `Clutch` is iRacing's 1 = engaged (the world's 1 = pedal pressed), `SteeringWheelAngle`
//!   positive to the left (the world's positive right), pressures in kPa, `VertAccel` with
//!   gravity. `PlayerTrackSurface` (`irsdk_TrkLoc`): −1 in the menu, 1 in the pit box, 2
//!   (AproachingPits, what iRacing shows on pit road) in the pit lane, 0 off track, else 3.
//!   `CarIdx*` arrays have 64 cars, index 0 the player, the others absent (−1 where iRacing
//!   marks an empty slot).
//! * **YAML**: `WeekendInfo` (`TrackName` = the world's track id), `SessionInfo.Sessions` (one
//!   per world session seen, `SessionNum` = the world's session index, with `ResultsPositions`
//!   of the player), `DriverInfo` (`DriverCarIdx` 0), `SplitTimeInfo` (the world's sector
//!   starts, six decimals as iRacing writes them). The world's kinds are iRacing's
//!   `Practice`, `Lone Qualify`, `Race`; hot-lapping, which iRacing lacks, is `Offline Testing`.
//!   The text is rebuilt only when the session, the lap count or the lap times change.

use ksana_format::PageSpec;
use ksana_synth::world::{SessionKind, WorldState, WorldStatus};

use super::layout::{
    self, HEADER_LEN, Header, LIVE_NUM_BUF, LIVE_SESSION_INFO_LEN, LIVE_SESSION_INFO_OFFSET,
    LIVE_VAR_HEADER_OFFSET, STATUS_CONNECTED, VarHeader, VarType, page_index,
};
use crate::sim::{FakeRenderer, SimError};

/// Cars in the `CarIdx…` arrays.
pub const CARS: u32 = 64;
/// Declared size of the YAML page before the first render (frames carry the text's own size).
const YAML_SIZE_HINT: usize = 4096;
/// `irsdk_SessionState` Racing.
const STATE_RACING: i32 = 4;
/// `irsdk_Flags` green and start-hidden.
const FLAG_GREEN: u32 = 0x0000_0004;
const FLAG_START_HIDDEN: u32 = 0x1000_0000;
/// iRacing's `SessionLapsRemainEx` for an unlimited session.
const LAPS_UNLIMITED: i32 = 32767;
/// psi → kPa.
const KPA_PER_PSI: f64 = 6.894_757;

/// One variable: name, type, count, unit, description.
type Def = (&'static str, VarType, u32, &'static str, &'static str);

use VarType::{BitField, Bool, Double, Float, Int};

/// The variables rendered, in row order.
pub const VARS: &[Def] = &[
    ("SessionTime", Double, 1, "s", "Seconds since session start"),
    ("SessionTick", Int, 1, "", "Current update number"),
    ("SessionNum", Int, 1, "", "Session number"),
    (
        "SessionState",
        Int,
        1,
        "irsdk_SessionState",
        "Session state",
    ),
    ("SessionFlags", BitField, 1, "irsdk_Flags", "Session flags"),
    (
        "SessionTimeRemain",
        Double,
        1,
        "s",
        "Seconds left till session ends",
    ),
    (
        "SessionLapsRemainEx",
        Int,
        1,
        "",
        "New improved laps left till session ends",
    ),
    (
        "IsOnTrack",
        Bool,
        1,
        "",
        "1=Car on track physics running with player in car",
    ),
    (
        "IsOnTrackCar",
        Bool,
        1,
        "",
        "1=Car on track physics running",
    ),
    ("IsInGarage", Bool, 1, "", "1=Car in garage physics running"),
    (
        "IsReplayPlaying",
        Bool,
        1,
        "",
        "0=replay not playing  1=replay playing",
    ),
    (
        "ReplayFrameNum",
        Int,
        1,
        "",
        "Integer replay frame number (60 per second)",
    ),
    (
        "IsDiskLoggingActive",
        Bool,
        1,
        "",
        "0=disk based telemetry file not being written  1=being written",
    ),
    (
        "DisplayUnits",
        Int,
        1,
        "",
        "Default units for the user interface 0 = english 1 = metric",
    ),
    ("DriverMarker", Bool, 1, "", "Driver activated flag"),
    ("PlayerCarIdx", Int, 1, "", "Players carIdx"),
    ("CamCarIdx", Int, 1, "", "Active camera's focus car index"),
    ("PlayerCarPosition", Int, 1, "", "Players position in race"),
    (
        "PlayerCarClassPosition",
        Int,
        1,
        "",
        "Players class position in race",
    ),
    ("Lap", Int, 1, "", "Laps started count"),
    ("LapCompleted", Int, 1, "", "Laps completed count"),
    (
        "LapDist",
        Float,
        1,
        "m",
        "Meters traveled from S/F this lap",
    ),
    (
        "LapDistPct",
        Float,
        1,
        "%",
        "Percentage distance around lap",
    ),
    (
        "LapCurrentLapTime",
        Float,
        1,
        "s",
        "Estimate of players current lap time as shown in F3 box",
    ),
    ("LapLastLapTime", Float, 1, "s", "Players last lap time"),
    ("LapBestLapTime", Float, 1, "s", "Players best lap time"),
    ("LapBestLap", Int, 1, "", "Players best lap number"),
    (
        "PlayerCarMyIncidentCount",
        Int,
        1,
        "",
        "Players own incident count for this session",
    ),
    (
        "PlayerCarTeamIncidentCount",
        Int,
        1,
        "",
        "Players team incident count for this session",
    ),
    (
        "PlayerCarDriverIncidentCount",
        Int,
        1,
        "",
        "Teams current drivers incident count for this session",
    ),
    (
        "PlayerTrackSurface",
        Int,
        1,
        "irsdk_TrkLoc",
        "Players car track surface type",
    ),
    (
        "PlayerCarInPitStall",
        Bool,
        1,
        "",
        "Players car is being serviced by the pit crew",
    ),
    (
        "OnPitRoad",
        Bool,
        1,
        "",
        "Is the player car on pit road between the cones",
    ),
    (
        "PlayerCarTowTime",
        Float,
        1,
        "s",
        "Players car is being towed if time is greater than zero",
    ),
    ("Speed", Float, 1, "m/s", "GPS vehicle speed"),
    ("RPM", Float, 1, "revs/min", "Engine rpm"),
    (
        "Gear",
        Int,
        1,
        "",
        "-1=reverse  0=neutral  1..n=current gear",
    ),
    (
        "Throttle",
        Float,
        1,
        "%",
        "0=off throttle to 1=full throttle",
    ),
    (
        "Brake",
        Float,
        1,
        "%",
        "0=brake released to 1=max pedal force",
    ),
    ("Clutch", Float, 1, "%", "0=disengaged to 1=fully engaged"),
    (
        "SteeringWheelAngle",
        Float,
        1,
        "rad",
        "Steering wheel angle",
    ),
    ("FuelLevel", Float, 1, "l", "Liters of fuel remaining"),
    ("FuelLevelPct", Float, 1, "%", "Percent fuel remaining"),
    (
        "LatAccel",
        Float,
        1,
        "m/s^2",
        "Lateral acceleration (including gravity)",
    ),
    (
        "LongAccel",
        Float,
        1,
        "m/s^2",
        "Longitudinal acceleration (including gravity)",
    ),
    (
        "VertAccel",
        Float,
        1,
        "m/s^2",
        "Vertical acceleration (including gravity)",
    ),
    ("Yaw", Float, 1, "rad", "Yaw orientation"),
    ("YawRate", Float, 1, "rad/s", "Yaw rate"),
    ("Pitch", Float, 1, "rad", "Pitch orientation"),
    ("Roll", Float, 1, "rad", "Roll orientation"),
    ("VelocityX", Float, 1, "m/s", "X velocity"),
    ("VelocityY", Float, 1, "m/s", "Y velocity"),
    ("VelocityZ", Float, 1, "m/s", "Z velocity"),
    ("WaterTemp", Float, 1, "C", "Engine coolant temp"),
    ("OilTemp", Float, 1, "C", "Engine oil temperature"),
    (
        "AirTemp",
        Float,
        1,
        "C",
        "Temperature of air at start/finish line",
    ),
    (
        "TrackTempCrew",
        Float,
        1,
        "C",
        "Temperature of track measured by crew around track",
    ),
    (
        "LFtempCL",
        Float,
        1,
        "C",
        "LF tire left carcass temperature",
    ),
    (
        "LFtempCM",
        Float,
        1,
        "C",
        "LF tire middle carcass temperature",
    ),
    (
        "LFtempCR",
        Float,
        1,
        "C",
        "LF tire right carcass temperature",
    ),
    (
        "RFtempCL",
        Float,
        1,
        "C",
        "RF tire left carcass temperature",
    ),
    (
        "RFtempCM",
        Float,
        1,
        "C",
        "RF tire middle carcass temperature",
    ),
    (
        "RFtempCR",
        Float,
        1,
        "C",
        "RF tire right carcass temperature",
    ),
    (
        "LRtempCL",
        Float,
        1,
        "C",
        "LR tire left carcass temperature",
    ),
    (
        "LRtempCM",
        Float,
        1,
        "C",
        "LR tire middle carcass temperature",
    ),
    (
        "LRtempCR",
        Float,
        1,
        "C",
        "LR tire right carcass temperature",
    ),
    (
        "RRtempCL",
        Float,
        1,
        "C",
        "RR tire left carcass temperature",
    ),
    (
        "RRtempCM",
        Float,
        1,
        "C",
        "RR tire middle carcass temperature",
    ),
    (
        "RRtempCR",
        Float,
        1,
        "C",
        "RR tire right carcass temperature",
    ),
    (
        "LFcoldPressure",
        Float,
        1,
        "kPa",
        "LF tire cold pressure  as set in the garage",
    ),
    (
        "RFcoldPressure",
        Float,
        1,
        "kPa",
        "RF tire cold pressure  as set in the garage",
    ),
    (
        "LRcoldPressure",
        Float,
        1,
        "kPa",
        "LR tire cold pressure  as set in the garage",
    ),
    (
        "RRcoldPressure",
        Float,
        1,
        "kPa",
        "RR tire cold pressure  as set in the garage",
    ),
    ("CarIdxLap", Int, CARS, "", "Laps started by car index"),
    (
        "CarIdxLapCompleted",
        Int,
        CARS,
        "",
        "Laps completed by car index",
    ),
    (
        "CarIdxLapDistPct",
        Float,
        CARS,
        "%",
        "Percentage distance around lap by car index",
    ),
    (
        "CarIdxTrackSurface",
        Int,
        CARS,
        "irsdk_TrkLoc",
        "Track surface type by car index",
    ),
    (
        "CarIdxOnPitRoad",
        Bool,
        CARS,
        "",
        "On pit road between the cones by car index",
    ),
    (
        "CarIdxPosition",
        Int,
        CARS,
        "",
        "Cars position in race by car index",
    ),
    (
        "CarIdxClassPosition",
        Int,
        CARS,
        "",
        "Cars class position in race by car index",
    ),
    (
        "CarIdxF2Time",
        Float,
        CARS,
        "s",
        "Race time behind leader or fastest lap time otherwise",
    ),
    ("CarIdxBestLapTime", Float, CARS, "s", "Cars best lap time"),
    ("CarIdxLastLapTime", Float, CARS, "s", "Cars last lap time"),
    ("CarIdxGear", Int, CARS, "", "Cars gear by car index"),
    (
        "CarIdxRPM",
        Float,
        CARS,
        "revs/min",
        "Engine rpm by car index",
    ),
];

/// A value written into the row.
#[derive(Clone, Copy, Debug)]
enum Val {
    F(f64),
    D(f64),
    I(i32),
    U(u32),
    B(bool),
}

/// The iRacing session type the fake sim shows for a world session kind.
pub fn session_type_name(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Practice => "Practice",
        SessionKind::Qualify => "Lone Qualify",
        SessionKind::Race => "Race",
        SessionKind::Hotlap => "Offline Testing",
    }
}

/// `irsdk_TrkLoc` of the player's car in `w`.
fn track_surface(w: &WorldState) -> i32 {
    let t = &w.timing;
    if w.status == WorldStatus::Menu {
        -1
    } else if t.in_pit_box {
        1
    } else if t.in_pit_lane {
        2
    } else if t.off_track {
        0
    } else {
        3
    }
}

/// Seconds, or iRacing's −1 for "none".
fn secs(ms: Option<f64>) -> f64 {
    ms.map_or(-1.0, |ms| ms / 1000.0)
}

/// The value of element `e` of variable `name` in world `w`; `best_lap` is the renderer's
/// record of the best lap's number.
fn value(name: &str, e: u32, w: &WorldState, best_lap: i32) -> Val {
    use Val::{B, D, F, I, U};
    let (c, t, s) = (&w.car, &w.timing, &w.session);
    let live = matches!(w.status, WorldStatus::Live | WorldStatus::Paused);
    let laps = t.completed_laps.min(i32::MAX as u32 - 1) as i32;
    let tyre = |i: usize| F(c.tyre_temp[i]);
    let player = e == 0;
    match name {
        "SessionTime" => D(s.elapsed_s),
        "SessionTick" => I((w.step % i32::MAX as u64) as i32),
        "SessionNum" => I(s.index.min(i32::MAX as u32) as i32),
        "SessionState" => I(if w.status == WorldStatus::Menu {
            0
        } else {
            STATE_RACING
        }),
        "SessionFlags" => U(match (w.status, s.kind) {
            (WorldStatus::Menu, _) => 0,
            (_, SessionKind::Race) => FLAG_GREEN,
            _ => FLAG_START_HIDDEN,
        }),
        "SessionTimeRemain" => D(s.time_left_s.max(0.0)),
        "SessionLapsRemainEx" => I(LAPS_UNLIMITED),
        "IsOnTrack" | "IsOnTrackCar" => B(live),
        "IsReplayPlaying" => B(w.status == WorldStatus::Replay),
        "ReplayFrameNum" => I((w.step % i32::MAX as u64) as i32),
        "DisplayUnits" => I(1),
        "PlayerCarIdx" | "CamCarIdx" => I(0),
        "PlayerCarPosition" | "PlayerCarClassPosition" => I(t.position as i32),
        "Lap" => I(laps + 1),
        "LapCompleted" => I(laps),
        "LapDist" => F(t.lap_dist_m),
        "LapDistPct" => F(t.lap_dist_pct),
        "LapCurrentLapTime" => F(t.current_lap_ms / 1000.0),
        "LapLastLapTime" => F(secs(t.last_lap_ms)),
        "LapBestLapTime" => F(secs(t.best_lap_ms)),
        "LapBestLap" => I(best_lap),
        "PlayerCarMyIncidentCount"
        | "PlayerCarTeamIncidentCount"
        | "PlayerCarDriverIncidentCount" => I(t.incidents.min(i32::MAX as u32) as i32),
        "PlayerTrackSurface" => I(track_surface(w)),
        "PlayerCarInPitStall" => B(t.in_pit_box),
        "OnPitRoad" => B(t.in_pit_lane),
        "PlayerCarTowTime" => F(0.0),
        "Speed" => F(c.speed_ms),
        "RPM" => F(c.rpm),
        "Gear" => I(c.gear),
        "Throttle" => F(c.throttle),
        "Brake" => F(c.brake),
        "Clutch" => F(1.0 - c.clutch),
        "SteeringWheelAngle" => F(-c.steer_rad),
        "FuelLevel" => F(c.fuel_l),
        "FuelLevelPct" => F(if c.fuel_max_l > 0.0 {
            c.fuel_l / c.fuel_max_l
        } else {
            0.0
        }),
        "LatAccel" => F(c.accel_lat),
        "LongAccel" => F(c.accel_long),
        "VertAccel" => F(9.80665),
        "Yaw" => F(c.heading_rad),
        "YawRate" => F(c.yaw_rate),
        "VelocityX" => F(c.speed_ms),
        "WaterTemp" => F(c.water_temp),
        "OilTemp" => F(c.oil_temp),
        "AirTemp" => F(c.air_temp),
        "TrackTempCrew" => F(c.road_temp),
        "LFtempCL" | "LFtempCM" | "LFtempCR" => tyre(0),
        "RFtempCL" | "RFtempCM" | "RFtempCR" => tyre(1),
        "LRtempCL" | "LRtempCM" | "LRtempCR" => tyre(2),
        "RRtempCL" | "RRtempCM" | "RRtempCR" => tyre(3),
        "LFcoldPressure" => F(c.tyre_pressure[0] * KPA_PER_PSI),
        "RFcoldPressure" => F(c.tyre_pressure[1] * KPA_PER_PSI),
        "LRcoldPressure" => F(c.tyre_pressure[2] * KPA_PER_PSI),
        "RRcoldPressure" => F(c.tyre_pressure[3] * KPA_PER_PSI),
        "CarIdxLap" => I(if player { laps + 1 } else { -1 }),
        "CarIdxLapCompleted" => I(if player { laps } else { -1 }),
        "CarIdxLapDistPct" => F(if player { t.lap_dist_pct } else { -1.0 }),
        "CarIdxTrackSurface" => I(if player { track_surface(w) } else { -1 }),
        "CarIdxOnPitRoad" => B(player && t.in_pit_lane),
        "CarIdxPosition" | "CarIdxClassPosition" => I(if player { t.position as i32 } else { 0 }),
        "CarIdxF2Time" => F(if player && s.kind != SessionKind::Race {
            secs(t.best_lap_ms).max(0.0)
        } else {
            0.0
        }),
        "CarIdxBestLapTime" => F(if player { secs(t.best_lap_ms) } else { -1.0 }),
        "CarIdxLastLapTime" => F(if player { secs(t.last_lap_ms) } else { -1.0 }),
        "CarIdxGear" => I(if player { c.gear } else { 0 }),
        "CarIdxRPM" => F(if player { c.rpm } else { 0.0 }),
        // IsInGarage, IsDiskLoggingActive, DriverMarker, Pitch, Roll, VelocityY/Z.
        _ => Val::I(0),
    }
}

fn put(row: &mut [u8], at: usize, ty: VarType, v: Val) {
    let f = |v: Val| match v {
        Val::F(x) | Val::D(x) => x,
        Val::I(x) => f64::from(x),
        Val::U(x) => f64::from(x),
        Val::B(x) => f64::from(u8::from(x)),
    };
    let i = |v: Val| match v {
        Val::I(x) => x,
        Val::U(x) => x as i32,
        Val::B(x) => i32::from(x),
        Val::F(x) | Val::D(x) => x as i32,
    };
    match ty {
        VarType::Double => row[at..at + 8].copy_from_slice(&f(v).to_le_bytes()),
        VarType::Float => row[at..at + 4].copy_from_slice(&(f(v) as f32).to_le_bytes()),
        VarType::Int | VarType::BitField => row[at..at + 4].copy_from_slice(&i(v).to_le_bytes()),
        VarType::Bool | VarType::Char => row[at] = u8::from(i(v) != 0),
    }
}

/// The player's standing in one session, for `ResultsPositions`.
#[derive(Clone, Debug, PartialEq)]
struct SessionRecord {
    num: u32,
    kind: SessionKind,
    laps_complete: u32,
    last_ms: Option<f64>,
    best_ms: Option<f64>,
    best_lap: i32,
    position: u32,
    incidents: u32,
}

/// What the YAML depends on; the text is rebuilt when it changes.
#[derive(Clone, Debug, PartialEq)]
struct YamlKey {
    sessions: Vec<SessionRecord>,
    track: (String, String, u64),
    car: (String, String),
    driver: String,
    sector_starts: Vec<u64>,
    fuel_max: u64,
    max_rpm: u64,
}

/// The iRacing [`FakeRenderer`]: see the module docs.
pub struct IracingFake {
    vars: Vec<VarHeader>,
    table: Vec<u8>,
    buf_len: usize,
    sessions: Vec<SessionRecord>,
    key: Option<YamlKey>,
    yaml: Vec<u8>,
    session_info_update: i32,
    header: [u8; HEADER_LEN],
    best_lap: i32,
    first: bool,
}

impl Default for IracingFake {
    fn default() -> IracingFake {
        IracingFake::new()
    }
}

impl IracingFake {
    /// A renderer with nothing rendered yet.
    pub fn new() -> IracingFake {
        let mut at = 0usize;
        let mut vars = Vec::with_capacity(VARS.len());
        for &(name, var_type, count, unit, desc) in VARS {
            at = at.div_ceil(var_type.size()) * var_type.size();
            vars.push(VarHeader {
                var_type,
                offset: at as u32,
                count,
                count_as_time: false,
                name: name.into(),
                desc: desc.into(),
                unit: unit.into(),
            });
            at += var_type.size() * count as usize;
        }
        let table = vars.iter().flat_map(|v| v.encode()).collect();
        IracingFake {
            vars,
            table,
            buf_len: at.div_ceil(16) * 16,
            sessions: Vec::new(),
            key: None,
            yaml: Vec::new(),
            session_info_update: 0,
            header: [0; HEADER_LEN],
            best_lap: 0,
            first: true,
        }
    }

    /// The var headers of the rendered row.
    pub fn vars(&self) -> &[VarHeader] {
        &self.vars
    }

    fn header_page(&self, status: i32) -> [u8; HEADER_LEN] {
        Header {
            ver: layout::CURRENT_VER,
            status,
            tick_rate: 60,
            session_info_update: self.session_info_update,
            session_info_len: LIVE_SESSION_INFO_LEN as i32,
            session_info_offset: LIVE_SESSION_INFO_OFFSET as i32,
            num_vars: self.vars.len() as i32,
            var_header_offset: LIVE_VAR_HEADER_OFFSET as i32,
            num_buf: LIVE_NUM_BUF as i32,
            buf_len: self.buf_len as i32,
            ..Header::default()
        }
        .to_page()
    }

    /// Updates the session book (and the best lap's number) from `w`.
    fn track(&mut self, w: &WorldState) {
        let t = &w.timing;
        let idx = w.session.index;
        if self.sessions.last().is_none_or(|s| s.num != idx) {
            self.best_lap = 0;
        }
        if let (Some(best), Some(last)) = (t.best_lap_ms, t.last_lap_ms)
            && best == last
            && t.completed_laps > 0
        {
            self.best_lap = t.completed_laps.min(i32::MAX as u32) as i32;
        }
        let rec = SessionRecord {
            num: idx,
            kind: w.session.kind,
            laps_complete: t.completed_laps,
            last_ms: t.last_lap_ms,
            best_ms: t.best_lap_ms,
            best_lap: self.best_lap,
            position: t.position,
            incidents: t.incidents,
        };
        match self.sessions.iter_mut().find(|s| s.num == idx) {
            Some(s) => {
                // Incidents alone do not rewrite the YAML (iRacing updates it with the lap).
                if s.laps_complete != rec.laps_complete
                    || s.kind != rec.kind
                    || s.last_ms != rec.last_ms
                    || s.best_ms != rec.best_ms
                {
                    *s = rec;
                }
            }
            None => {
                self.sessions.push(rec);
                self.sessions.sort_by_key(|s| s.num);
            }
        }
    }

    fn yaml_key(&self, w: &WorldState) -> YamlKey {
        let s = &w.session;
        YamlKey {
            sessions: self.sessions.clone(),
            track: (
                s.track_id.clone(),
                s.track_name.clone(),
                s.track_length_m.to_bits(),
            ),
            car: (s.car_id.clone(), s.car_name.clone()),
            driver: s.driver_name.clone(),
            sector_starts: s.sector_starts.iter().map(|x| x.to_bits()).collect(),
            fuel_max: w.car.fuel_max_l.to_bits(),
            max_rpm: w.car.max_rpm.to_bits(),
        }
    }
}

/// A YAML scalar that needs no quoting: names with `: ` or a leading special character are
/// reduced to safe characters (the fake sim's names are plain words).
fn plain(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " _-.()/".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    t.trim().to_string()
}

/// The session-info YAML of `w` and the session book, in iRacing's layout (one-space
/// indentation, `- ` list items, `...` at the end).
fn yaml_for(w: &WorldState, sessions: &[SessionRecord]) -> String {
    use std::fmt::Write;
    let s = &w.session;
    let mut y = String::with_capacity(3000);
    let _ = write!(
        y,
        "---\nWeekendInfo:\n TrackName: {}\n TrackID: 9001\n TrackLength: {:.2} km\n \
         TrackLengthOfficial: {:.2} km\n TrackDisplayName: {}\n TrackDisplayShortName: {}\n \
         TrackCity: Ksana\n TrackCountry: Nowhere\n TrackNumTurns: 12\n TrackType: road course\n \
         TrackSurfaceTemp: {:.2} C\n TrackAirTemp: {:.2} C\n TrackSkies: Clear\n SeriesID: 0\n \
         SeasonID: 0\n SessionID: 424242\n SubSessionID: 4242420\n LeagueID: 0\n Official: 0\n \
         RaceWeek: 0\n EventType: Test\n Category: Road\n SimMode: full\n TeamRacing: 0\n \
         NumCarClasses: 1\n NumCarTypes: 1\n BuildType: Release\n BuildVersion: ksana fake\n\n",
        plain(&s.track_id),
        s.track_length_m / 1000.0,
        s.track_length_m / 1000.0,
        plain(&s.track_name),
        plain(&s.track_name),
        w.car.road_temp,
        w.car.air_temp,
    );
    y.push_str("SessionInfo:\n Sessions:\n");
    for r in sessions {
        let _ = write!(
            y,
            " - SessionNum: {}\n   SessionLaps: unlimited\n   SessionTime: {:.4} sec\n   \
             SessionNumLapsToAvg: 0\n   SessionType: {}\n   SessionTrackRubberState: moderate usage\n   \
             SessionName: {}\n   SessionSubType: \n   SessionSkipped: 0\n",
            r.num,
            s.time_left_s.max(0.0) + s.elapsed_s.max(0.0),
            session_type_name(r.kind),
            session_type_name(r.kind).to_uppercase(),
        );
        if r.laps_complete > 0 {
            let _ = write!(
                y,
                "   ResultsPositions:\n   - Position: {}\n     ClassPosition: {}\n     CarIdx: 0\n     \
                 Lap: {}\n     Time: {:.4}\n     FastestLap: {}\n     FastestTime: {:.4}\n     \
                 LastTime: {:.4}\n     LapsLed: 0\n     LapsComplete: {}\n     JokerLapsComplete: 0\n     \
                 LapsDriven: {:.3}\n     Incidents: {}\n     ReasonOutId: 0\n     ReasonOutStr: Running\n   \
                 ResultsFastestLap:\n   - CarIdx: 0\n     FastestLap: {}\n     FastestTime: {:.4}\n",
                r.position.max(1),
                r.position.max(1) - 1,
                r.laps_complete,
                secs(r.best_ms),
                r.best_lap,
                secs(r.best_ms),
                secs(r.last_ms),
                r.laps_complete,
                f64::from(r.laps_complete),
                r.incidents,
                r.best_lap,
                secs(r.best_ms),
            );
        } else {
            y.push_str("   ResultsPositions: \n   ResultsFastestLap:\n   - CarIdx: 255\n     FastestLap: 0\n     FastestTime: -1.0000\n");
        }
        let _ = write!(
            y,
            "   ResultsAverageLapTime: -1.0000\n   ResultsNumCautionFlags: 0\n   \
             ResultsNumCautionLaps: 0\n   ResultsNumLeadChanges: 0\n   ResultsLapsComplete: {}\n   \
             ResultsOfficial: 0\n",
            r.laps_complete
        );
    }
    let _ = write!(
        y,
        "\nDriverInfo:\n DriverCarIdx: 0\n DriverUserID: 1\n PaceCarIdx: -1\n \
         DriverCarIdleRPM: 1000.000\n DriverCarRedLine: {:.3}\n DriverCarEngCylinderCount: 6\n \
         DriverCarFuelKgPerLtr: 0.750\n DriverCarFuelMaxLtr: {:.3}\n DriverCarMaxFuelPct: 1.000\n \
         DriverCarGearNumForward: 6\n DriverCarGearNeutral: 1\n DriverCarGearReverse: 1\n \
         DriverCarSLFirstRPM: {:.3}\n DriverCarSLShiftRPM: {:.3}\n DriverCarSLLastRPM: {:.3}\n \
         DriverCarSLBlinkRPM: {:.3}\n DriverCarVersion: 2026.01.01.01\n DriverPitTrkPct: 0.950000\n \
         DriverCarEstLapTime: 90.0000\n DriverSetupName: baseline.sto\n DriverSetupIsModified: 0\n \
         DriverSetupLoadTypeName: baseline\n DriverSetupPassedTech: 1\n DriverIncidentCount: {}\n \
         Drivers:\n - CarIdx: 0\n   UserName: {}\n   AbbrevName: \n   Initials: \n   UserID: 1\n   \
         TeamID: 0\n   TeamName: {}\n   CarNumber: \"1\"\n   CarNumberRaw: 1\n   CarPath: {}\n   \
         CarClassID: 1\n   CarID: 1\n   CarIsPaceCar: 0\n   CarIsAI: 0\n   CarIsElectric: 0\n   \
         CarScreenName: {}\n   CarScreenNameShort: {}\n   CarClassShortName: \n   CarClassRelSpeed: 0\n   \
         CarClassLicenseLevel: 0\n   CarClassMaxFuelPct: 1.000 %\n   CarClassWeightPenalty: 0.000 kg\n   \
         CarClassPowerAdjust: 0.000 %\n   CarClassDryTireSetLimit: 0 %\n   CarClassColor: 0xffffff\n   \
         CarClassEstLapTime: 90.0000\n   IRating: 1500\n   LicLevel: 20\n   LicSubLevel: 499\n   \
         LicString: A 4.99\n   LicColor: 0x0153db\n   IsSpectator: 0\n   CarDesignStr: 0,ffffff,000000,ff0000\n   \
         HelmetDesignStr: 0,ffffff,000000,ff0000\n   SuitDesignStr: 0,ffffff,000000,ff0000\n   \
         CarNumberDesignStr: 0,0,ffffff,777777,000000\n   CarSponsor_1: 0\n   CarSponsor_2: 0\n   \
         CurDriverIncidentCount: {}\n   TeamIncidentCount: {}\n\n",
        w.car.max_rpm,
        w.car.fuel_max_l,
        w.car.max_rpm * 0.85,
        w.car.max_rpm * 0.95,
        w.car.max_rpm * 0.97,
        w.car.max_rpm * 0.98,
        sessions.last().map_or(0, |r| r.incidents),
        plain(&s.driver_name),
        plain(&s.driver_name),
        plain(&s.car_id),
        plain(&s.car_name),
        plain(&s.car_name),
        sessions.last().map_or(0, |r| r.incidents),
        sessions.last().map_or(0, |r| r.incidents),
    );
    y.push_str("SplitTimeInfo:\n Sectors:\n");
    for (i, p) in s.sector_starts.iter().enumerate() {
        let _ = write!(y, " - SectorNum: {i}\n   SectorStartPct: {p:.6}\n");
    }
    y.push_str("\n...\n");
    y
}

impl FakeRenderer for IracingFake {
    /// The pages of an iRacing recording for this var set; the YAML page is declared at the
    /// size of the last text rendered (4096 before the first), frames carry the text's size.
    fn pages(&self) -> Vec<PageSpec> {
        let yaml_len = if self.yaml.is_empty() {
            YAML_SIZE_HINT
        } else {
            self.yaml.len()
        };
        layout::page_specs(&self.vars, self.buf_len, yaml_len)
    }

    fn render(
        &mut self,
        world: &WorldState,
        out: &mut [Vec<u8>],
        changed: &mut [bool],
    ) -> Result<(), SimError> {
        if out.len() != 4 || changed.len() != 4 {
            return Err(SimError::Incompatible {
                sim: "iracing",
                detail: format!(
                    "the fake renderer fills 4 pages, was given {} buffers and {} flags",
                    out.len(),
                    changed.len()
                ),
            });
        }
        self.track(world);
        let key = self.yaml_key(world);
        let mut yaml_changed = self.first;
        if self.key.as_ref() != Some(&key) {
            let text = yaml_for(world, &self.sessions).into_bytes();
            if text != self.yaml || self.first {
                self.yaml = text;
                self.session_info_update = self.session_info_update.wrapping_add(1).max(1);
                yaml_changed = true;
            }
            self.key = Some(key);
        }
        let status = if world.status == WorldStatus::Menu {
            0
        } else {
            STATUS_CONNECTED
        };
        let header = self.header_page(status);
        let header_changed = self.first || header != self.header;
        self.header = header;

        let row = &mut out[page_index::ROW];
        row.clear();
        row.resize(self.buf_len, 0);
        for v in &self.vars {
            let size = v.var_type.size();
            for e in 0..v.count {
                let at = v.offset as usize + e as usize * size;
                put(row, at, v.var_type, value(&v.name, e, world, self.best_lap));
            }
        }
        // Every buffer holds its page on every call; the flags say which pages are new.
        out[page_index::HEADER].clear();
        out[page_index::HEADER].extend_from_slice(&self.header);
        out[page_index::VAR_HEADERS].clone_from(&self.table);
        out[page_index::SESSION_INFO].clone_from(&self.yaml);
        changed[page_index::HEADER] = header_changed;
        changed[page_index::VAR_HEADERS] = self.first;
        changed[page_index::SESSION_INFO] = yaml_changed;
        changed[page_index::ROW] = true;
        self.first = false;
        Ok(())
    }

    fn nominal_rate_hz(&self) -> f64 {
        60.0
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::iracing::layout::parse_var_headers;
    use crate::iracing::session::SessionInfoDoc;
    use crate::iracing::vars::VarIndex;
    use ksana_synth::world::{CarState, TimingState, WorldSession};

    /// A world in the middle of lap 3 of a practice, by hand.
    pub(crate) fn world() -> WorldState {
        WorldState {
            step: 600,
            time_s: 10.0,
            status: WorldStatus::Live,
            session: WorldSession {
                index: 1,
                kind: SessionKind::Practice,
                elapsed_s: 321.25,
                time_left_s: 3278.75,
                track_id: "ksana_ring".into(),
                track_name: "Ksana Ring".into(),
                track_length_m: 4200.0,
                sector_starts: vec![0.0, 0.35, 0.7],
                car_id: "ksana_gt3".into(),
                car_name: "Ksana GT3".into(),
                driver_name: "Ksana Driver".into(),
            },
            car: CarState {
                speed_ms: 51.5,
                throttle: 0.75,
                brake: 0.0,
                clutch: 0.25,
                steer_rad: 0.125,
                gear: 4,
                rpm: 6500.0,
                max_rpm: 8000.0,
                fuel_l: 45.0,
                fuel_max_l: 120.0,
                heading_rad: 1.5,
                accel_long: 2.5,
                accel_lat: -3.25,
                yaw_rate: 0.0625,
                tyre_temp: [80.0, 81.0, 82.0, 83.0],
                tyre_pressure: [26.0, 26.5, 27.0, 27.5],
                water_temp: 90.0,
                oil_temp: 100.0,
                air_temp: 21.0,
                road_temp: 30.0,
                ..CarState::default()
            },
            timing: TimingState {
                completed_laps: 2,
                current_lap_ms: 41_234.5,
                last_lap_ms: Some(92_345.25),
                best_lap_ms: Some(91_000.5),
                sector_index: 1,
                lap_valid: true,
                lap_dist_m: 1890.0,
                lap_dist_pct: 0.45,
                incidents: 3,
                position: 1,
                ..TimingState::default()
            },
        }
    }

    pub(crate) fn render(f: &mut IracingFake, w: &WorldState) -> (Vec<Vec<u8>>, [bool; 4]) {
        let mut out = vec![Vec::new(); 4];
        let mut changed = [false; 4];
        f.render(w, &mut out, &mut changed).unwrap();
        (out, changed)
    }

    fn index_of(pages: &[Vec<u8>]) -> VarIndex {
        let h = Header::parse(&pages[0]).unwrap();
        let vars = parse_var_headers(&pages[1], h.num_vars as usize, h.buf_len as usize).unwrap();
        assert_eq!(h.buf_len as usize, pages[3].len());
        VarIndex::new(&vars)
    }

    #[test]
    fn rendered_row_reads_back_as_the_world() {
        let w = world();
        let mut f = IracingFake::new();
        let (p, changed) = render(&mut f, &w);
        assert_eq!(changed, [true; 4]);
        let specs = f.pages();
        assert_eq!(specs.len(), 4);
        assert_eq!(specs[3].size as usize, p[3].len());
        assert_eq!(specs[1].size as usize, p[1].len());
        let h = Header::parse(&p[0]).unwrap();
        assert_eq!((h.ver, h.status, h.tick_rate, h.num_buf), (2, 1, 60, 3));
        assert_eq!(h.session_info_update, 1);
        assert_eq!(h.var_header_offset, 524_400);
        let ix = index_of(&p);
        let row = &p[3];
        let f32v = |n: &str| ix.get::<f32>(n).unwrap().read(row).unwrap();
        let i32v = |n: &str| ix.get::<i32>(n).unwrap().read(row).unwrap();
        let bv = |n: &str| ix.get::<bool>(n).unwrap().read(row).unwrap();
        assert_eq!(
            ix.get::<f64>("SessionTime").unwrap().read(row),
            Some(321.25)
        );
        assert_eq!(
            ix.get::<f64>("SessionTimeRemain").unwrap().read(row),
            Some(3278.75)
        );
        assert_eq!(i32v("SessionTick"), 600);
        assert_eq!(i32v("SessionNum"), 1);
        assert_eq!(i32v("SessionState"), 4);
        assert_eq!(i32v("Lap"), 3);
        assert_eq!(i32v("LapCompleted"), 2);
        assert_eq!(f32v("LapDist"), 1890.0);
        assert_eq!(f32v("LapDistPct"), 0.45);
        assert_eq!(f32v("LapCurrentLapTime"), 41.2345);
        assert_eq!(f32v("LapLastLapTime"), 92.345_25);
        assert_eq!(f32v("LapBestLapTime"), 91.0005);
        assert_eq!(i32v("PlayerCarMyIncidentCount"), 3);
        assert_eq!(i32v("PlayerTrackSurface"), 3);
        assert!(bv("IsOnTrack") && bv("IsOnTrackCar"));
        assert!(!bv("OnPitRoad") && !bv("PlayerCarInPitStall") && !bv("IsReplayPlaying"));
        assert_eq!(f32v("Speed"), 51.5);
        assert_eq!(f32v("RPM"), 6500.0);
        assert_eq!(i32v("Gear"), 4);
        assert_eq!(f32v("Throttle"), 0.75);
        assert_eq!(f32v("Clutch"), 0.75, "iRacing's clutch is 1 when engaged");
        assert_eq!(
            f32v("SteeringWheelAngle"),
            -0.125,
            "iRacing's positive is left"
        );
        assert_eq!(f32v("FuelLevelPct"), 0.375);
        assert_eq!(f32v("LatAccel"), -3.25);
        assert_eq!(f32v("Yaw"), 1.5);
        assert_eq!(f32v("LFtempCM"), 80.0);
        assert_eq!(f32v("RRtempCL"), 83.0);
        assert!((f32v("LFcoldPressure") - 179.263_68).abs() < 1e-3);
        assert_eq!(f32v("TrackTempCrew"), 30.0);
        let lap = ix.array::<i32>("CarIdxLap").unwrap();
        assert_eq!(lap.len(), 64);
        assert_eq!((lap.get(row, 0), lap.get(row, 1)), (Some(3), Some(-1)));
        let pct = ix.array::<f32>("CarIdxLapDistPct").unwrap();
        assert_eq!(
            (pct.get(row, 0), pct.get(row, 63)),
            (Some(0.45), Some(-1.0))
        );
        assert_eq!(
            ix.array::<i32>("CarIdxPosition").unwrap().get(row, 0),
            Some(1)
        );
    }

    #[test]
    fn yaml_reads_back_as_the_world() {
        let w = world();
        let mut f = IracingFake::new();
        let (p, _) = render(&mut f, &w);
        let doc = SessionInfoDoc::parse(layout::yaml_text(&p[2]));
        assert!(doc.errors.is_empty(), "{:?}", doc.errors);
        let we = doc.weekend.as_ref().unwrap();
        assert_eq!(we.track_name.as_deref(), Some("ksana_ring"));
        assert_eq!(we.track_display_name.as_deref(), Some("Ksana Ring"));
        assert_eq!(we.track_length_km(), Some(4.2));
        assert_eq!(we.session_id, Some(424_242));
        let sessions = &doc.session.as_ref().unwrap().sessions;
        assert_eq!(sessions.len(), 1);
        assert_eq!(sessions[0].session_num, Some(1));
        assert_eq!(sessions[0].session_type.as_deref(), Some("Practice"));
        let r = &sessions[0].results_positions[0];
        assert_eq!(r.laps_complete, Some(2));
        assert!((r.last_time.unwrap() - 92.345_25).abs() < 1e-4, "{r:?}");
        assert_eq!(r.fastest_time, Some(91.0005));
        let me = doc.driver_by_car(0).unwrap();
        assert_eq!(me.user_name.as_deref(), Some("Ksana Driver"));
        assert_eq!(me.car_screen_name.as_deref(), Some("Ksana GT3"));
        assert_eq!(me.car_path.as_deref(), Some("ksana_gt3"));
        let sectors = &doc.split_time.as_ref().unwrap().sectors;
        let starts: Vec<f64> = sectors
            .iter()
            .map(|s| s.sector_start_pct.unwrap())
            .collect();
        assert_eq!(starts, vec![0.0, 0.35, 0.7]);
        assert_eq!(sectors[2].sector_num, Some(2));
    }

    #[test]
    fn pages_change_only_when_their_content_does() {
        let mut w = world();
        let mut f = IracingFake::new();
        render(&mut f, &w);
        w.step += 1;
        w.session.elapsed_s += 1.0 / 60.0;
        w.timing.incidents += 1; // incidents alone do not rewrite the YAML
        let (_, changed) = render(&mut f, &w);
        assert_eq!(changed, [false, false, false, true]);
        // A lap completes: new YAML, so the header's sessionInfoUpdate moves too.
        w.timing.completed_laps = 3;
        w.timing.last_lap_ms = Some(90_500.0);
        w.timing.best_lap_ms = Some(90_500.0);
        let (p, changed) = render(&mut f, &w);
        assert_eq!(changed, [true, false, true, true]);
        assert_eq!(Header::parse(&p[0]).unwrap().session_info_update, 2);
        let ix = index_of(&p);
        assert_eq!(ix.get::<i32>("LapBestLap").unwrap().read(&p[3]), Some(3));
        // A new session: listed after the first, SessionNum from the world.
        w.session.index = 2;
        w.session.kind = SessionKind::Race;
        w.timing.completed_laps = 0;
        w.timing.last_lap_ms = None;
        w.timing.best_lap_ms = None;
        let (p, changed) = render(&mut f, &w);
        assert!(changed[2]);
        let doc = SessionInfoDoc::parse(layout::yaml_text(&p[2]));
        let types: Vec<_> = doc
            .session
            .unwrap()
            .sessions
            .iter()
            .map(|s| (s.session_num.unwrap(), s.session_type.clone().unwrap()))
            .collect();
        assert_eq!(types, vec![(1, "Practice".into()), (2, "Race".into())]);
        let ix = index_of(&p);
        assert_eq!(
            ix.get::<f32>("LapLastLapTime").unwrap().read(&p[3]),
            Some(-1.0)
        );
        // The menu: status 0, not on track, surface NotInWorld.
        w.status = WorldStatus::Menu;
        let (p, changed) = render(&mut f, &w);
        assert!(changed[0]);
        assert_eq!(Header::parse(&p[0]).unwrap().status, 0);
        assert_eq!(
            ix.get::<bool>("IsOnTrack").unwrap().read(&p[3]),
            Some(false)
        );
        assert_eq!(
            ix.get::<i32>("PlayerTrackSurface").unwrap().read(&p[3]),
            Some(-1)
        );
        // A replay.
        w.status = WorldStatus::Replay;
        let (p, _) = render(&mut f, &w);
        assert_eq!(Header::parse(&p[0]).unwrap().status, 1);
        assert_eq!(
            ix.get::<bool>("IsReplayPlaying").unwrap().read(&p[3]),
            Some(true)
        );
    }

    #[test]
    fn pit_states_map_to_track_surfaces() {
        let mut w = world();
        let mut f = IracingFake::new();
        let cases = [
            ((true, false, false), 2, true, false),
            ((true, true, false), 1, true, true),
            ((false, false, true), 0, false, false),
        ];
        for ((lane, boxed, off), surface, pit_road, stall) in cases {
            w.timing.in_pit_lane = lane;
            w.timing.in_pit_box = boxed;
            w.timing.off_track = off;
            let (p, _) = render(&mut f, &w);
            let ix = index_of(&p);
            let row = &p[3];
            assert_eq!(
                ix.get::<i32>("PlayerTrackSurface").unwrap().read(row),
                Some(surface)
            );
            assert_eq!(
                ix.get::<bool>("OnPitRoad").unwrap().read(row),
                Some(pit_road)
            );
            assert_eq!(
                ix.get::<bool>("PlayerCarInPitStall").unwrap().read(row),
                Some(stall)
            );
            assert_eq!(
                ix.array::<i32>("CarIdxTrackSurface").unwrap().get(row, 0),
                Some(surface)
            );
        }
    }

    /// The live publisher takes the rendered pages; a stop (the world's menu) and a publish
    /// again bring status back to 1 with ticks and `sessionInfoUpdate` still increasing, and
    /// the recorder reads back exactly what was rendered.
    #[test]
    fn rendered_pages_publish_and_republish_after_a_stop() {
        use crate::iracing::{LivePublisher, LiveReader, PublisherOptions};
        use crate::sim::{Poll, SimReader, Snapshot};
        let root = tempfile::tempdir().unwrap();
        let ns = ksana_shm::ShmNamespace::with_root(root.path());
        let mut f = IracingFake::new();
        let mut w = world();
        let (p, _) = render(&mut f, &w);
        let opts = PublisherOptions {
            status_server: false,
            ..PublisherOptions::default()
        };
        let mut publ = LivePublisher::open_with(&ns, &f.pages(), opts).unwrap();
        fn pages(p: &[Vec<u8>]) -> [&[u8]; 4] {
            [&p[0], &p[1], &p[2], &p[3]]
        }
        publ.publish_pages(pages(&p)).unwrap();
        let status = || {
            let m = ksana_shm::Mapping::open_read(&ns, layout::MEMMAP_NAME)
                .unwrap()
                .unwrap();
            Header::parse(&m.read_vec(0, HEADER_LEN).unwrap()).unwrap()
        };
        let h1 = status();
        assert_eq!(h1.status, 1);
        let mut r = LiveReader::open(&ns).unwrap();
        let mut snap = Snapshot::with_pages(4);
        assert!(matches!(r.poll(&mut snap).unwrap(), Poll::New));
        assert_eq!(snap.pages[3], p[3], "the row as rendered");
        assert_eq!(snap.pages[2], p[2], "the YAML as rendered");
        assert_eq!(snap.pages[1], p[1]);
        drop(r);

        publ.stop_publishing().unwrap();
        assert_eq!(status().status, 0, "stopped: status 0");
        w.status = WorldStatus::Menu;
        render(&mut f, &w);
        // Out of the menu into a new session: publish again on the same publisher.
        w.status = WorldStatus::Live;
        w.session.index = 2;
        w.step += 60;
        let (p2, changed) = render(&mut f, &w);
        assert!(changed[2]);
        publ.publish_pages(pages(&p2)).unwrap();
        let h2 = status();
        assert_eq!(h2.status, 1, "connected again after publish");
        let newest = |h: &Header| (0..3).map(|i| h.var_buf[i].tick_count).max().unwrap();
        assert!(newest(&h2) > newest(&h1), "ticks go on increasing");
        assert!(h2.session_info_update > h1.session_info_update);
        let mut r = LiveReader::open(&ns).unwrap();
        assert!(matches!(r.poll(&mut snap).unwrap(), Poll::New));
        assert_eq!(snap.pages[3], p2[3]);
        assert_eq!(snap.pages[2], p2[2]);
        publ.stop_publishing().unwrap();
    }

    #[test]
    fn bad_buffers_are_an_error() {
        let mut f = IracingFake::new();
        let mut out = vec![Vec::new(); 3];
        let mut changed = [false; 3];
        assert!(f.render(&world(), &mut out, &mut changed).is_err());
    }
}
