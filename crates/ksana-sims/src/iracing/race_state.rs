//! Who is where: the running order of one frame, from a variable row and the session info.
//!
//! [`RaceState::from_frame`] combines the `CarIdx*` arrays of the live set (positions, laps,
//! lap-distance, pit road, lap times) with `DriverInfo.Drivers` (car number, driver, class),
//! and adds the session's flags, state and what remains of it.
//!
//! * **Which cars.** Every car of `DriverInfo.Drivers` except the pace car, and except
//!   spectators that are not in the world; plus any car the arrays place (position > 0 or on
//!   track) that has no driver entry.
//! * **Order.** Cars with a position (`CarIdxPosition` > 0) by position; then the others by
//!   lap and lap distance, furthest first; then by car index.
//! * **Gaps** come from `CarIdxF2Time`, which iRacing defines as the time behind the leader in
//!   a race and the best lap time otherwise: in a race the gap is the time behind the leader
//!   (or the car ahead), in practice and qualifying the difference of best laps, as iRacing's
//!   own timing screens show. Cars without a position have no gap.
//! * **Without `CarIdx*` arrays** (an `.ibt`, which stores only the player's car) there is
//!   one car, the player's (`PlayerCarIdx`, else `DriverInfo.DriverCarIdx`), from `Lap`,
//!   `LapDistPct`, `OnPitRoad`, `LapLastLapTime`, `LapBestLapTime`, `PlayerCarPosition` and
//!   `PlayerCarClassPosition`; [`RaceState::per_car_data`] is then false.
//! * **Remaining:** `SessionLapsRemainEx` (else `SessionLapsRemain`), with 32767
//!   (`IRSDK_UNLIMITED_LAPS`) read as unlimited; `SessionTimeRemain`, with 604800 s
//!   (`IRSDK_UNLIMITED_TIME`) or more read as unlimited.

use super::flags::{SessionFlags, SessionState, TrkLoc};
use super::session::{Limit, SessionInfoDoc};
use super::vars::{ArrayVar, Var, VarIndex};

/// `IRSDK_UNLIMITED_LAPS`.
pub const UNLIMITED_LAPS: i32 = 32_767;
/// `IRSDK_UNLIMITED_TIME`, seconds.
pub const UNLIMITED_TIME: f64 = 604_800.0;

/// One car in the running order.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CarState {
    /// Car index (into the `CarIdx*` arrays and `DriverInfo.Drivers`).
    pub car_idx: i32,
    /// Car number as shown (`DriverInfo.Drivers[].CarNumber`).
    pub car_number: Option<String>,
    /// Driver name (`UserName`).
    pub driver: Option<String>,
    /// Class short name (`CarClassShortName`; `None` when iRacing leaves it empty).
    pub class: Option<String>,
    /// Overall position from 1 (`None`: not classified yet).
    pub position: Option<i32>,
    /// Position in class from 1.
    pub class_position: Option<i32>,
    /// Current lap (`CarIdxLap`; `None` when −1).
    pub lap: Option<i32>,
    /// Distance around the lap, 0..1 (`CarIdxLapDistPct`; `None` when −1).
    pub lap_dist_pct: Option<f32>,
    /// Seconds behind the leader (see the module docs; 0 for the leader).
    pub gap_to_leader: Option<f64>,
    /// Seconds behind the car one position ahead.
    pub gap_to_ahead: Option<f64>,
    /// On pit road.
    pub on_pit_road: Option<bool>,
    /// Where the car is.
    pub track_surface: Option<TrkLoc>,
    /// Last lap time, s (`None` when iRacing says −1 or 0).
    pub last_lap: Option<f32>,
    /// Best lap time, s.
    pub best_lap: Option<f32>,
}

/// The state of the session in one frame.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RaceState {
    /// `SessionTime`, s.
    pub session_time: Option<f64>,
    /// `SessionNum`.
    pub session_num: Option<i32>,
    /// The session's type from the session info, e.g. `Race`.
    pub session_type: Option<String>,
    /// `SessionState`.
    pub session_state: Option<SessionState>,
    /// `SessionFlags`.
    pub session_flags: Option<SessionFlags>,
    /// Laps remaining.
    pub laps_remaining: Option<Limit<i64>>,
    /// Seconds remaining.
    pub time_remaining: Option<Limit<f64>>,
    /// The car the camera follows (`CamCarIdx`).
    pub focused_car: Option<i32>,
    /// The player's car.
    pub player_car: Option<i32>,
    /// True when the frame had the `CarIdx*` arrays (live); false for the player-only
    /// fallback (`.ibt`).
    pub per_car_data: bool,
    /// The running order.
    pub cars: Vec<CarState>,
}

/// The variables [`RaceState`] reads, looked up once per layout; any may be absent.
#[derive(Clone, Debug)]
pub struct RaceVars {
    session_time: Option<Var<f64>>,
    session_num: Option<Var<i32>>,
    session_state: Option<Var<SessionState>>,
    session_flags: Option<Var<SessionFlags>>,
    laps_remain_ex: Option<Var<i32>>,
    laps_remain: Option<Var<i32>>,
    time_remain: Option<Var<f64>>,
    cam_car_idx: Option<Var<i32>>,
    player_car_idx: Option<Var<i32>>,
    // Per car (live).
    car_position: Option<ArrayVar<i32>>,
    car_class_position: Option<ArrayVar<i32>>,
    car_lap: Option<ArrayVar<i32>>,
    car_pct: Option<ArrayVar<f32>>,
    car_on_pit: Option<ArrayVar<bool>>,
    car_surface: Option<ArrayVar<TrkLoc>>,
    car_f2: Option<ArrayVar<f32>>,
    car_last: Option<ArrayVar<f32>>,
    car_best: Option<ArrayVar<f32>>,
    // Player only (.ibt).
    lap: Option<Var<i32>>,
    lap_pct: Option<Var<f32>>,
    on_pit: Option<Var<bool>>,
    surface: Option<Var<TrkLoc>>,
    last: Option<Var<f32>>,
    best: Option<Var<f32>>,
    position: Option<Var<i32>>,
    class_position: Option<Var<i32>>,
}

impl RaceVars {
    /// Looks the variables up in `index`.
    pub fn new(index: &VarIndex) -> RaceVars {
        RaceVars {
            session_time: index.get("SessionTime").ok(),
            session_num: index.get("SessionNum").ok(),
            session_state: index.get("SessionState").ok(),
            session_flags: index.get("SessionFlags").ok(),
            laps_remain_ex: index.get("SessionLapsRemainEx").ok(),
            laps_remain: index.get("SessionLapsRemain").ok(),
            time_remain: index.get("SessionTimeRemain").ok(),
            cam_car_idx: index.get("CamCarIdx").ok(),
            player_car_idx: index.get("PlayerCarIdx").ok(),
            car_position: index.array("CarIdxPosition").ok(),
            car_class_position: index.array("CarIdxClassPosition").ok(),
            car_lap: index.array("CarIdxLap").ok(),
            car_pct: index.array("CarIdxLapDistPct").ok(),
            car_on_pit: index.array("CarIdxOnPitRoad").ok(),
            car_surface: index.array("CarIdxTrackSurface").ok(),
            car_f2: index.array("CarIdxF2Time").ok(),
            car_last: index.array("CarIdxLastLapTime").ok(),
            car_best: index.array("CarIdxBestLapTime").ok(),
            lap: index.get("Lap").ok(),
            lap_pct: index.get("LapDistPct").ok(),
            on_pit: index.get("OnPitRoad").ok(),
            surface: index.get("PlayerTrackSurface").ok(),
            last: index.get("LapLastLapTime").ok(),
            best: index.get("LapBestLapTime").ok(),
            position: index.get("PlayerCarPosition").ok(),
            class_position: index.get("PlayerCarClassPosition").ok(),
        }
    }
}

fn read<T: super::vars::VarValue>(v: &Option<Var<T>>, row: &[u8]) -> Option<T> {
    v.as_ref()?.read(row)
}

fn at<T: super::vars::Scalar>(v: &Option<ArrayVar<T>>, row: &[u8], i: usize) -> Option<T> {
    v.as_ref()?.get(row, i)
}

fn lap_time(t: Option<f32>) -> Option<f32> {
    t.filter(|&t| t > 0.0)
}

impl RaceState {
    /// The state of the frame `row`, read through `vars`, with names from `doc`.
    pub fn from_frame(vars: &RaceVars, row: &[u8], doc: &SessionInfoDoc) -> RaceState {
        let session_num = read(&vars.session_num, row);
        let laps = read(&vars.laps_remain_ex, row).or_else(|| read(&vars.laps_remain, row));
        let player_car = read(&vars.player_car_idx, row).or_else(|| {
            doc.driver
                .as_ref()?
                .driver_car_idx
                .and_then(|i| i32::try_from(i).ok())
        });
        let mut st = RaceState {
            session_time: read(&vars.session_time, row),
            session_num,
            session_type: session_num
                .and_then(|n| doc.session_by_num(i64::from(n)))
                .and_then(|s| s.session_type.clone()),
            session_state: read(&vars.session_state, row),
            session_flags: read(&vars.session_flags, row),
            laps_remaining: laps.map(|l| {
                if l >= UNLIMITED_LAPS {
                    Limit::Unlimited
                } else {
                    Limit::Value(i64::from(l))
                }
            }),
            time_remaining: read(&vars.time_remain, row).map(|t| {
                if t >= UNLIMITED_TIME {
                    Limit::Unlimited
                } else {
                    Limit::Value(t)
                }
            }),
            focused_car: read(&vars.cam_car_idx, row),
            player_car,
            per_car_data: false,
            cars: Vec::new(),
        };
        match &vars.car_position {
            Some(pos) if pos.read(row).is_some() => {
                st.per_car_data = true;
                st.cars = cars_from_arrays(vars, row, doc, pos.len());
            }
            _ => {
                if let Some(idx) = player_car {
                    st.cars = vec![player_only(vars, row, doc, idx)];
                }
            }
        }
        st
    }

    /// [`RaceState::from_frame`] for a one-off frame: looks the variables up in `index`.
    pub fn from_index(index: &VarIndex, row: &[u8], doc: &SessionInfoDoc) -> RaceState {
        RaceState::from_frame(&RaceVars::new(index), row, doc)
    }
}

/// Fills number, driver and class from the session info.
fn named(doc: &SessionInfoDoc, idx: i32) -> CarState {
    let d = doc.driver_by_car(i64::from(idx));
    CarState {
        car_idx: idx,
        car_number: d.and_then(|d| d.car_number.clone()),
        driver: d.and_then(|d| d.user_name.clone()),
        class: d
            .and_then(|d| d.car_class_short_name.clone())
            .filter(|c| !c.is_empty()),
        ..CarState::default()
    }
}

fn cars_from_arrays(vars: &RaceVars, row: &[u8], doc: &SessionInfoDoc, n: usize) -> Vec<CarState> {
    let mut cars = Vec::new();
    for i in 0..n {
        let Ok(idx) = i32::try_from(i) else { break };
        let surface = at(&vars.car_surface, row, i);
        let position = at(&vars.car_position, row, i).filter(|&p| p > 0);
        let in_world = surface.is_some_and(|s| s != TrkLoc::NotInWorld);
        let include = match doc.driver_by_car(i as i64) {
            Some(d) if d.car_is_pace_car == Some(true) => false,
            Some(d) if d.is_spectator == Some(true) => in_world || position.is_some(),
            Some(_) => true,
            None => in_world || position.is_some(),
        };
        if !include {
            continue;
        }
        let mut c = named(doc, idx);
        c.position = position;
        c.class_position = at(&vars.car_class_position, row, i).filter(|&p| p > 0);
        c.lap = at(&vars.car_lap, row, i).filter(|&l| l >= 0);
        c.lap_dist_pct = at(&vars.car_pct, row, i).filter(|&p| p >= 0.0);
        c.on_pit_road = at(&vars.car_on_pit, row, i);
        c.track_surface = surface;
        c.last_lap = lap_time(at(&vars.car_last, row, i));
        c.best_lap = lap_time(at(&vars.car_best, row, i));
        cars.push(c);
    }
    cars.sort_by(|a, b| {
        let key = |c: &CarState| c.position.unwrap_or(i32::MAX);
        key(a)
            .cmp(&key(b))
            .then_with(|| b.lap.unwrap_or(-1).cmp(&a.lap.unwrap_or(-1)))
            .then_with(|| {
                let p = |c: &CarState| c.lap_dist_pct.unwrap_or(-1.0);
                p(b).total_cmp(&p(a))
            })
            .then_with(|| a.car_idx.cmp(&b.car_idx))
    });
    // Gaps from CarIdxF2Time, for classified cars only.
    let f2 = |c: &CarState| at(&vars.car_f2, row, c.car_idx as usize).map(f64::from);
    let leader = cars.first().filter(|c| c.position.is_some()).and_then(&f2);
    for k in 0..cars.len() {
        if cars[k].position.is_none() {
            continue;
        }
        let mine = f2(&cars[k]);
        cars[k].gap_to_leader = mine.zip(leader).map(|(m, l)| m - l);
        if k > 0 && cars[k - 1].position.is_some() {
            cars[k].gap_to_ahead = mine.zip(f2(&cars[k - 1])).map(|(m, a)| m - a);
        }
    }
    cars
}

fn player_only(vars: &RaceVars, row: &[u8], doc: &SessionInfoDoc, idx: i32) -> CarState {
    let mut c = named(doc, idx);
    c.position = read(&vars.position, row).filter(|&p| p > 0);
    c.class_position = read(&vars.class_position, row).filter(|&p| p > 0);
    c.lap = read(&vars.lap, row).filter(|&l| l >= 0);
    c.lap_dist_pct = read(&vars.lap_pct, row).filter(|&p| p >= 0.0);
    c.on_pit_road = read(&vars.on_pit, row);
    c.track_surface = read(&vars.surface, row);
    c.last_lap = lap_time(read(&vars.last, row));
    c.best_lap = lap_time(read(&vars.best, row));
    c
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::iracing::layout::{Header, VarHeader, VarType, parse_var_headers, yaml_text};

    /// A real file's header, var headers, YAML and one row.
    pub(crate) type FixtureFrame = (Header, Vec<VarHeader>, Vec<u8>, Vec<u8>);

    /// A real file's var headers, YAML and one row: the newest buffer of a live dump, or
    /// record `record` of an `.ibt`.
    pub(crate) fn fixture_frame(name: &str, record: usize) -> Option<FixtureFrame> {
        let path = ksana_testkit::fixture(&format!("iracing/{name}"))?;
        let b = std::fs::read(path).unwrap();
        let h = Header::parse(&b).unwrap();
        h.validate(b.len()).unwrap();
        let vo = h.var_header_offset as usize;
        let vars = parse_var_headers(&b[vo..], h.num_vars as usize, h.buf_len as usize).unwrap();
        let so = h.session_info_offset as usize;
        let yaml = yaml_text(&b[so..so + h.session_info_len as usize]).to_vec();
        let bl = h.buf_len as usize;
        let start = if h.num_buf == 1 {
            h.var_buf[0].buf_offset as usize + record * bl
        } else {
            h.var_buf[h.newest_buf()].buf_offset as usize
        };
        Some((h, vars, yaml, b[start..start + bl].to_vec()))
    }

    #[test]
    fn memdump_2021_running_order() {
        let Some((_, vars, yaml, row)) = fixture_frame("memdump_2021.bin", 0) else {
            return;
        };
        let doc = SessionInfoDoc::parse(&yaml);
        let st = RaceState::from_index(&VarIndex::new(&vars), &row, &doc);
        assert!(st.per_car_data);
        assert_eq!(st.session_type.as_deref(), Some("Practice"));
        assert_eq!(st.session_state, Some(SessionState::Racing));
        assert_eq!(st.session_flags, Some(SessionFlags::START_HIDDEN));
        assert_eq!(st.laps_remaining, Some(Limit::Unlimited));
        let Some(Limit::Value(t)) = st.time_remaining else {
            panic!("{:?}", st.time_remaining)
        };
        assert!((t - 4758.7667).abs() < 1e-3, "{t}");
        assert_eq!(st.focused_car, Some(63));
        assert_eq!(st.player_car, Some(63));
        let idx: Vec<i32> = st.cars.iter().map(|c| c.car_idx).collect();
        assert_eq!(idx, vec![0, 1, 63]);
        let (a, b, c) = (&st.cars[0], &st.cars[1], &st.cars[2]);
        assert_eq!(a.driver.as_deref(), Some("Michael Simmons"));
        assert_eq!(a.car_number.as_deref(), Some("822"));
        assert_eq!(a.class.as_deref(), Some("SBRS"));
        assert_eq!(
            (a.position, a.class_position, a.lap),
            (Some(1), Some(1), Some(3))
        );
        assert_eq!(a.gap_to_leader, Some(0.0));
        assert_eq!(a.gap_to_ahead, None);
        assert_eq!(b.driver.as_deref(), Some("Andre ST-Pierre"));
        assert_eq!(b.position, Some(2));
        let g = b.gap_to_leader.unwrap();
        assert!((g - 0.6128).abs() < 1e-4, "{g}");
        assert_eq!(b.gap_to_ahead, b.gap_to_leader);
        assert!((f64::from(b.best_lap.unwrap()) - 99.2624).abs() < 1e-4);
        assert_eq!(c.driver.as_deref(), Some("Christopher Scott4"));
        assert_eq!(c.position, None);
        assert_eq!(c.gap_to_leader, None);
        assert_eq!(c.on_pit_road, Some(true));
        assert_eq!(c.track_surface, Some(TrkLoc::ApproachingPits));
        assert_eq!(c.last_lap, None);
        assert!((c.lap_dist_pct.unwrap() - 0.09304).abs() < 1e-5);
    }

    #[cfg(feature = "serde")]
    #[test]
    fn race_state_round_trips_through_json() {
        let Some((_, vars, yaml, row)) = fixture_frame("memdump_2021.bin", 0) else {
            return;
        };
        let doc = SessionInfoDoc::parse(&yaml);
        let st = RaceState::from_index(&VarIndex::new(&vars), &row, &doc);
        let j = serde_json::to_value(&st).unwrap();
        assert_eq!(j["cars"][0]["driver"], "Michael Simmons");
        assert_eq!(j["laps_remaining"], "Unlimited");
        let back: RaceState = serde_json::from_value(j).unwrap();
        assert_eq!(back, st);
    }

    #[test]
    fn memdump_2024_one_driver_out_of_the_world() {
        let Some((_, vars, yaml, row)) = fixture_frame("memdump_2024.bin", 0) else {
            return;
        };
        let doc = SessionInfoDoc::parse(&yaml);
        let st = RaceState::from_index(&VarIndex::new(&vars), &row, &doc);
        assert_eq!(st.session_type.as_deref(), Some("Offline Testing"));
        assert_eq!(
            st.session_flags,
            Some(SessionFlags::START_HIDDEN | SessionFlags::ONE_LAP_TO_GREEN)
        );
        assert_eq!(st.laps_remaining, Some(Limit::Unlimited));
        assert_eq!(st.time_remaining, Some(Limit::Unlimited));
        assert_eq!(st.cars.len(), 1);
        let c = &st.cars[0];
        assert_eq!(c.driver.as_deref(), Some("George v Rensburg"));
        assert_eq!(c.car_number.as_deref(), Some("64"));
        assert_eq!(c.class, None);
        assert_eq!(c.position, None);
        assert_eq!(c.lap, None);
        assert_eq!(c.track_surface, Some(TrkLoc::NotInWorld));
    }

    #[test]
    fn ibt_has_only_the_player() {
        let Some((_, vars, yaml, row)) = fixture_frame("ibt_2024_390rows.ibt", 389) else {
            return;
        };
        let doc = SessionInfoDoc::parse(&yaml);
        let st = RaceState::from_index(&VarIndex::new(&vars), &row, &doc);
        assert!(!st.per_car_data);
        assert_eq!(st.focused_car, None);
        assert_eq!(st.player_car, Some(0));
        assert_eq!(st.cars.len(), 1);
        let c = &st.cars[0];
        assert_eq!(c.lap, Some(9));
        assert_eq!(c.position, Some(1));
        assert_eq!(c.on_pit_road, Some(true));
        assert_eq!(c.track_surface, Some(TrkLoc::InPitStall));
        assert_eq!(c.last_lap, None);
        assert!((c.best_lap.unwrap() - 68.6711).abs() < 1e-3);
    }

    #[test]
    fn empty_layout_and_short_rows_do_not_panic() {
        let doc = SessionInfoDoc::parse(b"");
        let st = RaceState::from_index(&VarIndex::new(&[]), &[], &doc);
        assert_eq!(st, RaceState::default());
        let h = VarHeader {
            var_type: VarType::Int,
            offset: 0,
            count: 64,
            count_as_time: false,
            name: "CarIdxPosition".into(),
            desc: String::new(),
            unit: String::new(),
        };
        let st = RaceState::from_index(&VarIndex::new(&[h]), &[0u8; 10], &doc);
        assert!(!st.per_car_data && st.cars.is_empty());
    }
}
