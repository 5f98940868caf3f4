//! The typed AC / ACC / AC Evo pages decode hand-built pages correctly.
//!
//! Every page here is built byte by byte at the offsets of the layout tables
//! (`shared/reference/layouts/*.tsv`, copied into this file as literals), never through the
//! structs under test, so a wrong struct member, offset or accessor fails a test.

use ksana_format::FieldKind;
use ksana_sims::assetto::enums::{
    EvoCarLocation, EvoEngineType, EvoFlagType, EvoSessionType, EvoStartingGrip, FlagType, Gear,
    PenaltyType, RainIntensity, SessionType, Status, TrackGripStatus,
};
use ksana_sims::assetto::page::{LayoutError, Page};
use ksana_sims::assetto::{ac, acc, acevo};
use std::time::Duration;

/// A page under construction; every write names its table offset.
struct Buf(Vec<u8>);

impl Buf {
    fn new(len: usize) -> Buf {
        Buf(vec![0; len])
    }
    fn put(&mut self, off: usize, b: &[u8]) {
        self.0[off..off + b.len()].copy_from_slice(b);
    }
    fn i32(&mut self, off: usize, v: i32) {
        self.put(off, &v.to_le_bytes());
    }
    fn u32(&mut self, off: usize, v: u32) {
        self.put(off, &v.to_le_bytes());
    }
    fn f32(&mut self, off: usize, v: f32) {
        self.put(off, &v.to_le_bytes());
    }
    fn i16(&mut self, off: usize, v: i16) {
        self.put(off, &v.to_le_bytes());
    }
    fn u16(&mut self, off: usize, v: u16) {
        self.put(off, &v.to_le_bytes());
    }
    fn u64(&mut self, off: usize, v: u64) {
        self.put(off, &v.to_le_bytes());
    }
    fn u8(&mut self, off: usize, v: u8) {
        self.0[off] = v;
    }
    /// `wchar_t[cap]` at `off`: UTF-16LE units, NUL-padded (no NUL when `s` fills it).
    fn wstr(&mut self, off: usize, cap: usize, s: &str) {
        let units: Vec<u16> = s.encode_utf16().collect();
        assert!(units.len() <= cap, "test string too long");
        for i in 0..cap {
            let u = units.get(i).copied().unwrap_or(0);
            self.u16(off + 2 * i, u);
        }
    }
    /// `char[cap]` at `off`: raw bytes, NUL-padded.
    fn cstr(&mut self, off: usize, cap: usize, s: &[u8]) {
        assert!(s.len() <= cap, "test string too long");
        for i in 0..cap {
            self.0[off + i] = s.get(i).copied().unwrap_or(0);
        }
    }
    /// Writes the pattern value of every listed member: `f` floats get [`pf`], `i` ints [`pi`].
    fn fill(&mut self, fields: &[(usize, char, usize)]) {
        for &(off, kind, n) in fields {
            for k in 0..n {
                let o = off + 4 * k;
                match kind {
                    'f' => self.f32(o, pf(o)),
                    'i' => self.i32(o, pi(o)),
                    _ => unreachable!(),
                }
            }
        }
    }
}

/// Pattern float of the member at byte `off`.
fn pf(off: usize) -> f32 {
    off as f32 + 0.5
}
/// Pattern int of the member at byte `off` (never 0, so flags read true).
fn pi(off: usize) -> i32 {
    off as i32 * 7 + 3
}
/// Pattern floats of an array starting at byte `off`.
fn pa<const N: usize>(off: usize) -> [f32; N] {
    std::array::from_fn(|i| pf(off + 4 * i))
}

// ---------------------------------------------------------------------------------------------
// Physics: AC's 580 bytes are shared by ACC, AC Rally and Evo (tables ac/acc/acevo_SPageFilePhysics).

const PHYSICS_AC: &[(usize, char, usize)] = &[
    (0, 'i', 1),
    (4, 'f', 3),
    (16, 'i', 2),
    (24, 'f', 2),
    (32, 'f', 3),
    (44, 'f', 3),
    (56, 'f', 4),
    (72, 'f', 4),
    (88, 'f', 4),
    (104, 'f', 4),
    (120, 'f', 4),
    (136, 'f', 4),
    (152, 'f', 4),
    (168, 'f', 4),
    (184, 'f', 4),
    (200, 'f', 6),
    (224, 'f', 5),
    (244, 'i', 2),
    (252, 'f', 3),
    (264, 'i', 1),
    (268, 'f', 2),
    (276, 'f', 5),
    (296, 'f', 3),
    (308, 'f', 2),
    (316, 'i', 5),
    (336, 'f', 1),
    (340, 'i', 2),
    (348, 'f', 4),
    (364, 'f', 1),
    (368, 'f', 12),
    (416, 'i', 1),
    (420, 'f', 36),
    (564, 'f', 1),
    (568, 'f', 3),
];

const PHYSICS_ACC_TAIL: &[(usize, char, usize)] = &[
    (580, 'i', 3),
    (592, 'f', 20),
    (672, 'i', 2),
    (680, 'f', 4),
    (696, 'f', 4),
    (712, 'f', 1),
    (716, 'f', 4),
    (732, 'i', 2),
    (740, 'f', 8),
    (772, 'i', 3),
    (784, 'f', 4),
];

/// Checks every accessor of the shared 580 bytes against the pattern.
macro_rules! check_physics_common {
    ($v:expr) => {{
        let v = &$v;
        assert_eq!(v.packet_id(), pi(0));
        assert_eq!(v.gas(), pf(4));
        assert_eq!(v.brake(), pf(8));
        assert_eq!(v.fuel(), pf(12));
        assert_eq!(v.gear_raw(), pi(16));
        assert_eq!(v.gear(), Gear::Forward(pi(16) as u32 - 1));
        assert_eq!(v.rpm(), pi(20));
        assert_eq!(v.steer_angle(), pf(24));
        assert_eq!(v.speed_kmh(), pf(28));
        assert_eq!(v.velocity(), pa::<3>(32));
        assert_eq!(v.acc_g(), pa::<3>(44));
        assert_eq!(v.wheel_slip(), pa::<4>(56));
        assert_eq!(v.wheel_load(), pa::<4>(72));
        assert_eq!(v.tyre_pressures(), pa::<4>(88));
        assert_eq!(v.wheel_angular_speed(), pa::<4>(104));
        assert_eq!(v.tyre_wear(), pa::<4>(120));
        assert_eq!(v.tyre_dirty_level(), pa::<4>(136));
        assert_eq!(v.tyre_core_temps(), pa::<4>(152));
        assert_eq!(v.camber_rad(), pa::<4>(168));
        assert_eq!(v.suspension_travel(), pa::<4>(184));
        assert_eq!(v.drs(), pf(200));
        assert_eq!(v.tc(), pf(204));
        assert_eq!(v.heading(), pf(208));
        assert_eq!(v.pitch(), pf(212));
        assert_eq!(v.roll(), pf(216));
        assert_eq!(v.car_damage(), pa::<5>(224));
        assert_eq!(v.number_of_tyres_out(), pi(244));
        assert!(v.pit_limiter_on());
        assert_eq!(v.abs(), pf(252));
        assert_eq!(v.kers_charge(), pf(256));
        assert!(v.auto_shifter_on());
        assert_eq!(v.turbo_boost(), pf(276));
        assert_eq!(v.air_temp(), pf(288));
        assert_eq!(v.road_temp(), pf(292));
        assert_eq!(v.final_ff(), pf(308));
        assert_eq!(v.performance_meter(), pf(312));
        assert!(v.ers_is_charging());
        assert!(v.drs_available());
        assert!(v.drs_enabled());
        assert_eq!(v.brake_temps(), pa::<4>(348));
        assert_eq!(v.clutch(), pf(364));
        assert_eq!(v.tyre_temps_inner(), pa::<4>(368));
        assert_eq!(v.tyre_temps_middle(), pa::<4>(384));
        assert_eq!(v.tyre_temps_outer(), pa::<4>(400));
        assert!(v.is_ai_controlled());
        assert_eq!(v.brake_bias(), pf(564));
        assert_eq!(v.local_velocity(), pa::<3>(568));
    }};
}

macro_rules! check_physics_tail {
    ($v:expr) => {{
        let v = &$v;
        assert_eq!(v.p2p_activations(), pi(580));
        assert_eq!(v.p2p_status(), pi(584));
        assert_eq!(v.current_max_rpm(), pi(588));
        assert_eq!(v.mz(), pa::<4>(592));
        assert_eq!(v.fx(), pa::<4>(608));
        assert_eq!(v.fy(), pa::<4>(624));
        assert_eq!(v.slip_ratio(), pa::<4>(640));
        assert_eq!(v.slip_angle(), pa::<4>(656));
        assert!(v.tc_in_action());
        assert!(v.abs_in_action());
        assert_eq!(v.suspension_damage(), pa::<4>(680));
        assert_eq!(v.tyre_temps(), pa::<4>(696));
        assert_eq!(v.water_temp(), pf(712));
        assert_eq!(v.front_brake_compound(), pi(732));
        assert_eq!(v.rear_brake_compound(), pi(736));
        assert_eq!(v.pad_life(), pa::<4>(740));
        assert_eq!(v.disc_life(), pa::<4>(756));
        assert!(v.ignition_on());
        assert!(v.starter_engine_on());
        assert!(v.is_engine_running());
        assert_eq!(v.kerb_vibration(), pf(784));
        assert_eq!(v.slip_vibrations(), pf(788));
        assert_eq!(v.abs_vibrations(), pf(796));
    }};
}

#[test]
fn ac_physics_every_accessor() {
    let mut b = Buf::new(580);
    b.fill(PHYSICS_AC);
    let v = ac::view::PhysicsView::new(&b.0).unwrap();
    check_physics_common!(v);
    let s = v.snapshot();
    assert_eq!(s.packet_id, pi(0));
    assert_eq!(s.tyre_contact_point[3], pa::<3>(420 + 36));
    assert_eq!(s.local_velocity, pa::<3>(568));
}

#[test]
fn acc_physics_every_accessor() {
    let mut b = Buf::new(800);
    b.fill(PHYSICS_AC);
    b.fill(PHYSICS_ACC_TAIL);
    let v = acc::view::PhysicsView::new(&b.0).unwrap();
    check_physics_common!(v);
    check_physics_tail!(v);
    assert_eq!(v.brake_pressure(), pa::<4>(716));
    assert_eq!(v.g_vibrations(), pf(792));
    let s = v.snapshot();
    assert_eq!(s.abs_vibrations, pf(796));
    assert_eq!(s.tc_in_action, pi(672));
}

#[test]
fn evo_physics_every_accessor() {
    let mut b = Buf::new(800);
    b.fill(PHYSICS_AC);
    b.fill(PHYSICS_ACC_TAIL);
    let v = acevo::view::PhysicsView::new(&b.0).unwrap();
    check_physics_common!(v);
    check_physics_tail!(v);
    assert_eq!(v.brake_torque(), pa::<4>(716));
    assert_eq!(v.road_vibrations(), pf(792));
    assert_eq!(v.snapshot().brake_torque, pa::<4>(716));
}

#[test]
fn physics_flags_off_gear_convention_and_special_floats() {
    let mut b = Buf::new(800);
    let v = acc::view::PhysicsView::new(&b.0).unwrap();
    assert!(!v.pit_limiter_on() && !v.tc_in_action() && !v.abs_in_action());
    assert!(!v.drs_enabled() && !v.drs_available() && !v.is_engine_running());
    assert_eq!(v.gear(), Gear::Reverse);
    for (raw, gear, number) in [
        (0, Gear::Reverse, Some(-1)),
        (1, Gear::Neutral, Some(0)),
        (2, Gear::Forward(1), Some(1)),
        (7, Gear::Forward(6), Some(6)),
        (-1, Gear::Unknown(-1), None),
        (i32::MIN, Gear::Unknown(i32::MIN), None),
        (
            i32::MAX,
            Gear::Forward(i32::MAX as u32 - 1),
            Some(i32::MAX - 1),
        ),
    ] {
        b.i32(16, raw);
        let v = acc::view::PhysicsView::new(&b.0).unwrap();
        assert_eq!(v.gear(), gear, "raw {raw}");
        assert_eq!(v.gear().number(), number, "raw {raw}");
        assert_eq!(v.gear_raw(), raw);
    }
    b.i32(0, i32::MIN);
    b.i32(20, i32::MAX);
    b.f32(28, f32::NAN);
    b.f32(12, f32::INFINITY);
    b.f32(4, f32::NEG_INFINITY);
    b.f32(8, -0.0);
    let v = ac::view::PhysicsView::new(&b.0[..580]).unwrap();
    assert_eq!(v.packet_id(), i32::MIN);
    assert_eq!(v.rpm(), i32::MAX);
    assert!(v.speed_kmh().is_nan());
    assert_eq!(v.fuel(), f32::INFINITY);
    assert_eq!(v.gas(), f32::NEG_INFINITY);
    assert!(v.brake() == 0.0 && v.brake().is_sign_negative());
}

// ---------------------------------------------------------------------------------------------
// Graphics (ac_SPageFileGraphic / acc_SPageFileGraphic).

/// Members at the same offsets in AC and ACC graphics (0..252) plus AC's own tail.
fn ac_graphics_page() -> Buf {
    let mut b = Buf::new(296);
    b.i32(0, 4242);
    b.i32(4, 2);
    b.i32(8, 2);
    b.wstr(12, 15, "1:23.456");
    b.wstr(42, 15, "1:22.001");
    b.wstr(72, 15, "");
    b.wstr(102, 15, "0:31.000");
    b.fill(&[(132, 'i', 5), (152, 'f', 2), (160, 'i', 4)]);
    b.wstr(176, 33, "Pirelli Medium (M) – Ü");
    b.fill(&[(244, 'f', 2), (252, 'f', 3), (264, 'f', 1)]);
    b.i32(268, 5);
    b.fill(&[(272, 'i', 2), (280, 'f', 1), (284, 'i', 1), (288, 'f', 2)]);
    b
}

macro_rules! check_graphics_common {
    ($v:expr, $pen:expr, $flag:expr, $ideal:expr, $lane:expr, $grip:expr, $mand:expr, $wind:expr) => {{
        let v = &$v;
        assert_eq!(v.packet_id(), 4242);
        assert_eq!(v.status(), Status::Live);
        assert_eq!(v.session_type(), SessionType::Race);
        assert_eq!(v.current_time_text(), "1:23.456");
        assert_eq!(v.last_time_text(), "1:22.001");
        assert_eq!(v.best_time_text(), "");
        assert_eq!(v.split_text(), "0:31.000");
        assert_eq!(v.completed_laps(), pi(132));
        assert_eq!(v.position(), pi(136));
        assert_eq!(v.current_lap_time_ms(), pi(140));
        assert_eq!(v.last_lap_time_ms(), pi(144));
        assert_eq!(v.best_lap_time_ms(), pi(148));
        assert_eq!(
            v.current_lap_time(),
            Some(Duration::from_millis(pi(140) as u64))
        );
        assert_eq!(v.last_lap(), Some(Duration::from_millis(pi(144) as u64)));
        assert_eq!(v.best_lap(), Some(Duration::from_millis(pi(148) as u64)));
        assert_eq!(v.session_time_left(), pf(152));
        assert_eq!(v.distance_traveled(), pf(156));
        assert!(v.is_in_pit());
        assert_eq!(v.current_sector_index(), pi(164));
        assert_eq!(v.last_sector_time_ms(), pi(168));
        assert_eq!(v.number_of_laps(), pi(172));
        assert_eq!(v.tyre_compound(), "Pirelli Medium (M) – Ü");
        assert_eq!(v.replay_time_multiplier(), pf(244));
        assert_eq!(v.normalized_car_position(), pf(248));
        assert_eq!(v.penalty_time(), pf($pen));
        assert_eq!(v.flag(), $flag);
        assert_eq!(v.ideal_line_on(), $ideal);
        assert_eq!(v.is_in_pit_lane(), $lane);
        assert_eq!(v.surface_grip(), pf($grip));
        assert_eq!(v.mandatory_pit_done(), $mand);
        assert_eq!(v.wind_speed(), pf($wind));
        assert_eq!(v.wind_direction(), pf($wind + 4));
    }};
}

#[test]
fn ac_graphics_every_accessor() {
    let b = ac_graphics_page();
    let v = ac::view::GraphicsView::new(&b.0).unwrap();
    check_graphics_common!(v, 264, FlagType::Checkered, true, true, 280, true, 288);
    assert_eq!(v.car_coordinates(), pa::<3>(252));
    let s = v.snapshot();
    assert_eq!(s.status, Status::Live);
    assert_eq!(s.flag, FlagType::Checkered);
    assert_eq!(s.tyre_compound, "Pirelli Medium (M) – Ü");
    assert_eq!(s.i_best_time, pi(148));
}

#[test]
fn ac_graphics_every_enum_value_and_lap_time_edges() {
    let mut b = ac_graphics_page();
    let statuses = [
        (0, Status::Off),
        (1, Status::Replay),
        (2, Status::Live),
        (3, Status::Pause),
        (4, Status::Unknown(4)),
        (-1, Status::Unknown(-1)),
    ];
    for (raw, want) in statuses {
        b.i32(4, raw);
        assert_eq!(ac::view::GraphicsView::new(&b.0).unwrap().status(), want);
    }
    let sessions = [
        (-1, SessionType::Unset),
        (0, SessionType::Practice),
        (1, SessionType::Qualify),
        (2, SessionType::Race),
        (3, SessionType::Hotlap),
        (4, SessionType::TimeAttack),
        (5, SessionType::Drift),
        (6, SessionType::Drag),
        (7, SessionType::HotStint),
        (8, SessionType::HotStintSuperpole),
        (9, SessionType::Unknown(9)),
        (i32::MIN, SessionType::Unknown(i32::MIN)),
    ];
    for (raw, want) in sessions {
        b.i32(8, raw);
        let v = ac::view::GraphicsView::new(&b.0).unwrap();
        assert_eq!(v.session_type(), want);
        assert_eq!(v.session_type().value(), raw);
    }
    let flags = [
        (0, FlagType::None),
        (1, FlagType::Blue),
        (2, FlagType::Yellow),
        (3, FlagType::Black),
        (4, FlagType::White),
        (5, FlagType::Checkered),
        (6, FlagType::Penalty),
        (7, FlagType::Green),
        (8, FlagType::Orange),
        (9, FlagType::Unknown(9)),
    ];
    for (raw, want) in flags {
        b.i32(268, raw);
        assert_eq!(ac::view::GraphicsView::new(&b.0).unwrap().flag(), want);
    }
    // Lap-time edges: 0 = no last lap, i32::MAX = ACC's "no best", negatives.
    b.i32(140, 0);
    b.i32(144, 0);
    b.i32(148, i32::MAX);
    let v = ac::view::GraphicsView::new(&b.0).unwrap();
    assert_eq!(v.current_lap_time(), Some(Duration::ZERO));
    assert_eq!(v.last_lap(), None);
    assert_eq!(v.best_lap(), None);
    assert_eq!(v.best_lap_time_ms(), i32::MAX);
    b.i32(140, i32::MIN);
    b.i32(144, -5);
    b.i32(148, 1);
    let v = ac::view::GraphicsView::new(&b.0).unwrap();
    assert_eq!(v.current_lap_time(), None);
    assert_eq!(v.current_lap_time_ms(), i32::MIN);
    assert_eq!(v.last_lap(), None);
    assert_eq!(v.best_lap(), Some(Duration::from_millis(1)));
    // Flags off.
    for off in [160, 272, 276, 284] {
        b.i32(off, 0);
    }
    let v = ac::view::GraphicsView::new(&b.0).unwrap();
    assert!(!v.is_in_pit() && !v.ideal_line_on() && !v.is_in_pit_lane());
    assert!(!v.mandatory_pit_done());
}

fn acc_graphics_page() -> Buf {
    let mut b = Buf::new(1588);
    b.0[..296].copy_from_slice(&ac_graphics_page().0);
    // From 252 ACC differs from AC.
    b.i32(252, 3);
    for car in 0..60 {
        for k in 0..3 {
            let o = 256 + 12 * car + 4 * k;
            b.f32(o, pf(o));
        }
        b.i32(976 + 4 * car, 100 + car as i32);
    }
    b.i32(1216, 101);
    b.f32(1220, pf(1220));
    b.i32(1224, 7);
    b.i32(1228, 13);
    b.fill(&[
        (1232, 'i', 2),
        (1240, 'f', 1),
        (1244, 'i', 1),
        (1248, 'f', 2),
    ]);
    b.fill(&[
        (1256, 'i', 7),
        (1284, 'f', 1),
        (1288, 'i', 3),
        (1300, 'f', 1),
    ]);
    b.fill(&[(1304, 'i', 5), (1324, 'f', 1)]);
    b.wstr(1328, 15, "-0.123");
    b.i32(1360, -123);
    b.wstr(1364, 15, "1:59.999");
    b.fill(&[(1396, 'i', 4), (1412, 'f', 1)]);
    b.wstr(1416, 33, "Optimum ✓");
    b.fill(&[(1484, 'i', 1), (1488, 'f', 1), (1492, 'i', 11)]);
    b.fill(&[(1536, 'f', 5)]);
    b.i32(1532, pi(1532));
    b.i32(1556, 4);
    b.i32(1560, 1);
    b.i32(1564, 3);
    b.i32(1568, 5);
    b.fill(&[(1572, 'i', 4)]);
    b.i32(1580, -250);
    b
}

#[test]
fn acc_graphics_every_accessor() {
    let b = acc_graphics_page();
    let v = acc::view::GraphicsView::new(&b.0).unwrap();
    check_graphics_common!(v, 1220, FlagType::Green, true, true, 1240, true, 1248);
    assert_eq!(v.penalty(), PenaltyType::DisqualifiedIgnoredMandatoryPit);
    assert_eq!(v.active_cars(), 3);
    assert_eq!(v.car_ids(), &[100, 101, 102]);
    assert_eq!(v.car_coordinates().len(), 3);
    assert_eq!(v.car_coordinates()[2], pa::<3>(256 + 24));
    assert_eq!(v.player_car_id(), 101);
    assert_eq!(v.player_coordinates(), Some(pa::<3>(256 + 12)));
    assert!(v.is_setup_menu_visible());
    assert_eq!(v.main_display_index(), pi(1260));
    assert_eq!(v.secondary_display_index(), pi(1264));
    assert_eq!(v.tc_level(), pi(1268));
    assert_eq!(v.tc_cut(), pi(1272));
    assert_eq!(v.engine_map(), pi(1276));
    assert_eq!(v.abs_level(), pi(1280));
    assert_eq!(v.fuel_per_lap(), pf(1284));
    assert!(v.rain_lights() && v.flashing_lights());
    assert_eq!(v.lights_stage(), pi(1296));
    assert_eq!(v.exhaust_temperature(), pf(1300));
    assert_eq!(v.wiper_level(), pi(1304));
    assert_eq!(v.driver_stint_total_time_left(), pi(1308));
    assert_eq!(v.driver_stint_time_left(), pi(1312));
    assert!(v.rain_tyres());
    assert_eq!(v.session_index(), pi(1320));
    assert_eq!(v.used_fuel(), pf(1324));
    assert_eq!(v.delta_lap_time_text(), "-0.123");
    assert_eq!(v.delta_lap_time_ms(), -123);
    assert_eq!(v.estimated_lap_time_text(), "1:59.999");
    assert_eq!(v.estimated_lap_time_ms(), pi(1396));
    assert!(v.is_delta_positive());
    assert_eq!(v.split_ms(), pi(1404));
    assert!(v.is_valid_lap());
    assert_eq!(v.fuel_estimated_laps(), pf(1412));
    assert_eq!(v.track_status(), "Optimum ✓");
    assert_eq!(v.missing_mandatory_pits(), pi(1484));
    assert_eq!(v.clock(), pf(1488));
    assert!(v.direction_lights_left() && v.direction_lights_right());
    assert!(v.global_yellow());
    assert_eq!(v.global_yellow_sectors(), [true; 3]);
    assert!(v.global_white() && v.global_green() && v.global_chequered() && v.global_red());
    assert_eq!(v.mfd_tyre_set(), pi(1532));
    assert_eq!(v.mfd_fuel_to_add(), pf(1536));
    assert_eq!(v.mfd_tyre_pressures(), pa::<4>(1540));
    assert_eq!(v.track_grip(), TrackGripStatus::Damp);
    assert_eq!(v.rain_intensity(), RainIntensity::Drizzle);
    assert_eq!(v.rain_intensity_in_10min(), RainIntensity::MediumRain);
    assert_eq!(v.rain_intensity_in_30min(), RainIntensity::Thunderstorm);
    assert_eq!(v.current_tyre_set(), pi(1572));
    assert_eq!(v.strategy_tyre_set(), pi(1576));
    assert_eq!(v.gap_ahead_ms(), -250);
    assert_eq!(v.gap_behind_ms(), pi(1584));
    let s = v.snapshot();
    assert_eq!(s.penalty, PenaltyType::DisqualifiedIgnoredMandatoryPit);
    assert_eq!(s.track_grip_status, TrackGripStatus::Damp);
    assert_eq!(s.rain_intensity_in30min, RainIntensity::Thunderstorm);
    assert_eq!(s.car_coordinates.len(), 60);
    assert_eq!(s.car_id[59], 159);
    assert_eq!(s.track_status, "Optimum ✓");
}

#[test]
fn acc_graphics_every_enum_value_and_car_count_bounds() {
    let mut b = acc_graphics_page();
    for raw in 0..=21 {
        b.i32(1228, raw);
        let p = acc::view::GraphicsView::new(&b.0).unwrap().penalty();
        assert_ne!(p, PenaltyType::Unknown(raw));
        assert_eq!(p.value(), raw);
    }
    let named = [
        (1, PenaltyType::DriveThroughCutting),
        (6, PenaltyType::RemoveBestLaptimeCutting),
        (10, PenaltyType::StopAndGo30PitSpeeding),
        (18, PenaltyType::DisqualifiedWrongway),
        (21, PenaltyType::DisqualifiedExceededDriverStintLimit),
        (22, PenaltyType::Unknown(22)),
        (-1, PenaltyType::Unknown(-1)),
    ];
    for (raw, want) in named {
        b.i32(1228, raw);
        assert_eq!(acc::view::GraphicsView::new(&b.0).unwrap().penalty(), want);
    }
    let grips = [
        (0, TrackGripStatus::Green),
        (1, TrackGripStatus::Fast),
        (2, TrackGripStatus::Optimum),
        (3, TrackGripStatus::Greasy),
        (4, TrackGripStatus::Damp),
        (5, TrackGripStatus::Wet),
        (6, TrackGripStatus::Flooded),
        (7, TrackGripStatus::Unknown(7)),
    ];
    for (raw, want) in grips {
        b.i32(1556, raw);
        assert_eq!(
            acc::view::GraphicsView::new(&b.0).unwrap().track_grip(),
            want
        );
    }
    let rains = [
        (0, RainIntensity::NoRain),
        (1, RainIntensity::Drizzle),
        (2, RainIntensity::LightRain),
        (3, RainIntensity::MediumRain),
        (4, RainIntensity::HeavyRain),
        (5, RainIntensity::Thunderstorm),
        (6, RainIntensity::Unknown(6)),
    ];
    for (raw, want) in rains {
        b.i32(1560, raw);
        b.i32(1564, raw);
        b.i32(1568, raw);
        let v = acc::view::GraphicsView::new(&b.0).unwrap();
        assert_eq!(v.rain_intensity(), want);
        assert_eq!(v.rain_intensity_in_10min(), want);
        assert_eq!(v.rain_intensity_in_30min(), want);
    }
    // activeCars is clamped to the 60 slots; a player id not in the list has no position.
    b.i32(252, -5);
    let v = acc::view::GraphicsView::new(&b.0).unwrap();
    assert!(v.car_ids().is_empty() && v.player_coordinates().is_none());
    b.i32(252, i32::MAX);
    let v = acc::view::GraphicsView::new(&b.0).unwrap();
    assert_eq!(v.car_ids().len(), 60);
    assert_eq!(v.car_coordinates().len(), 60);
    b.i32(1216, 7);
    assert_eq!(
        acc::view::GraphicsView::new(&b.0)
            .unwrap()
            .player_coordinates(),
        None
    );
}

// ---------------------------------------------------------------------------------------------
// Static (ac_SPageFileStatic / acc_SPageFileStatic; ACC appends after 684).

fn static_page(len: usize) -> Buf {
    let mut b = Buf::new(len);
    b.wstr(0, 15, "1.7");
    b.wstr(30, 15, "1.16.4");
    b.fill(&[(60, 'i', 2)]);
    b.wstr(68, 33, "ks_skoda_octavia_Škoda");
    b.wstr(134, 33, "Nürburgring");
    b.wstr(200, 33, "太郎");
    b.wstr(266, 33, "");
    // 33 units, no NUL: the whole array is the string.
    b.wstr(332, 33, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456");
    b.fill(&[(400, 'i', 1), (404, 'f', 2), (412, 'i', 1), (416, 'f', 1)]);
    b.fill(&[(420, 'f', 8), (452, 'f', 3), (464, 'i', 1), (468, 'f', 3)]);
    b.fill(&[(480, 'i', 1), (484, 'f', 1), (488, 'i', 5), (508, 'f', 1)]);
    b.fill(&[(512, 'i', 2), (520, 'f', 1)]);
    b.wstr(524, 33, "gp 🏁");
    b.fill(&[(592, 'f', 1), (596, 'i', 2)]);
    b.wstr(604, 33, "00_official");
    b.fill(&[(672, 'i', 3)]);
    b
}

macro_rules! check_static_common {
    ($v:expr) => {{
        let v = &$v;
        assert_eq!(v.sm_version(), "1.7");
        assert_eq!(v.ac_version(), "1.16.4");
        assert_eq!(v.number_of_sessions(), pi(60));
        assert_eq!(v.num_cars(), pi(64));
        assert_eq!(v.car_model(), "ks_skoda_octavia_Škoda");
        assert_eq!(v.track(), "Nürburgring");
        assert_eq!(v.player_name(), "太郎");
        assert_eq!(v.player_surname(), "");
        assert_eq!(v.driver_name(), "太郎");
        assert_eq!(v.player_nick(), "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456");
        assert_eq!(v.sector_count(), pi(400));
        assert_eq!(v.max_torque(), pf(404));
        assert_eq!(v.max_power(), pf(408));
        assert_eq!(v.max_rpm(), pi(412));
        assert_eq!(v.max_fuel(), pf(416));
        assert_eq!(v.suspension_max_travel(), pa::<4>(420));
        assert_eq!(v.tyre_radius(), pa::<4>(436));
        assert_eq!(v.max_turbo_boost(), pf(452));
        assert!(v.penalties_enabled());
        assert_eq!(v.aid_fuel_rate(), pf(468));
        assert_eq!(v.aid_tire_rate(), pf(472));
        assert_eq!(v.aid_mechanical_damage(), pf(476));
        assert!(v.aid_allow_tyre_blankets());
        assert_eq!(v.aid_stability(), pf(484));
        assert!(v.aid_auto_clutch() && v.aid_auto_blip());
        assert!(v.has_drs() && v.has_ers() && v.has_kers());
        assert_eq!(v.kers_max_j(), pf(508));
        assert_eq!(v.engine_brake_settings_count(), pi(512));
        assert_eq!(v.ers_power_controller_count(), pi(516));
        assert_eq!(v.track_spline_length(), pf(520));
        assert_eq!(v.track_configuration(), "gp 🏁");
        assert_eq!(v.ers_max_j(), pf(592));
        assert!(v.is_timed_race() && v.has_extra_lap());
        assert_eq!(v.car_skin(), "00_official");
        assert_eq!(v.reversed_grid_positions(), pi(672));
        assert_eq!(v.pit_window_start(), pi(676));
        assert_eq!(v.pit_window_end(), pi(680));
    }};
}

#[test]
fn ac_static_every_accessor() {
    let mut b = static_page(684);
    let v = ac::view::StaticView::new(&b.0).unwrap();
    check_static_common!(v);
    let s = v.snapshot();
    assert_eq!(s.track, "Nürburgring");
    assert_eq!(s.player_nick.chars().count(), 33);
    // Surname set too: "Name Surname"; a lone surrogate decodes lossily.
    b.wstr(266, 33, "Šimek");
    b.u16(200, 0xD800);
    b.u16(202, 0);
    let v = ac::view::StaticView::new(&b.0).unwrap();
    assert_eq!(v.player_name(), "\u{FFFD}");
    assert_eq!(v.driver_name(), "\u{FFFD} Šimek");
}

#[test]
fn acc_static_every_accessor() {
    let mut b = static_page(820);
    b.i32(684, 1);
    b.wstr(688, 33, "DHE");
    b.wstr(754, 33, "WH ユーロ");
    let v = acc::view::StaticView::new(&b.0).unwrap();
    check_static_common!(v);
    assert!(v.is_online());
    assert_eq!(v.dry_tyres_name(), "DHE");
    assert_eq!(v.wet_tyres_name(), "WH ユーロ");
    assert_eq!(v.snapshot().wet_tyres_name, "WH ユーロ");
}

// ---------------------------------------------------------------------------------------------
// AC Evo graphics (acevo_SPageFileGraphicEvo + the SMEvo* tables, embedded offsets in tables.md).

const TYRES: [usize; 4] = [220, 476, 732, 988];
const ELECTRONICS: usize = 1872;
const SESSION_STATE: usize = 2476;
const TIMING_STATE: usize = 2732;
const ASSISTS: usize = 3864;

fn evo_graphics_page() -> Buf {
    let mut b = Buf::new(4900);
    b.i32(0, 9001);
    b.i32(4, 2);
    b.u64(8, 0x0102_0304_0506_0708);
    b.u64(16, u64::MAX);
    b.u64(24, 42);
    b.u64(32, 1 << 63);
    b.u16(40, 65535);
    for off in 42..=56 {
        b.u8(off, 1);
    }
    b.i16(58, 251);
    b.i16(60, 156);
    b.i16(62, 69);
    b.f32(64, pf(64));
    b.i16(68, -1);
    b.fill(&[(72, 'f', 11)]);
    b.0[116] = (-12i8) as u8;
    b.0[117] = 35;
    b.fill(&[(120, 'f', 10)]);
    b.i32(156, -450);
    b.f32(160, pf(160));
    b.u32(164, u32::MAX);
    b.u32(168, 3600);
    b.i32(172, 14);
    b.i32(176, 5);
    b.i32(180, 59);
    b.i32(184, -321);
    b.i32(188, 61_000);
    b.i32(192, 90_500);
    b.fill(&[(196, 'f', 5), (216, 'i', 1)]);
    for (w, &t) in TYRES.iter().enumerate() {
        b.f32(t + 8, 26.0 + w as f32); // tyre_pression
        b.f32(t + 12, 80.0 + w as f32); // tyre_temperature_c
        b.f32(t + 16, 400.0 + w as f32); // brake_temperature_c
        b.u8(t + 4, (w % 2) as u8); // lock
        b.cstr(t + 36, 33, "Medium – Ö".as_bytes());
    }
    b.f32(1244, 0.75);
    b.f32(1260, 198.6); // car_damage.damage_front
    b.i32(1388, 4);
    b.u8(1392 + 1, 1); // pit_info.fuel
    b.f32(1456, pf(1456));
    b.u8(ELECTRONICS, 3); // tc_level
    b.f32(ELECTRONICS + 8, 0.56); // brake_bias
    b.u8(ELECTRONICS + 30, 1); // is_drs_open
    b.u8(ELECTRONICS + 38, 1); // is_pitlimiter_on
    b.u8(1488 + 3, 2); // instrumentation.wiper_level
    b.i32(2384, 12);
    b.u32(2388, 3);
    b.u32(2392, 24);
    b.i32(2396, 92_345);
    b.i32(2400, 91_000);
    b.i32(2404, 10);
    b.i32(2408, 3);
    b.u32(2412, 6);
    b.i32(2416, 1);
    b.u8(2420, 1);
    b.u8(2421, 1);
    b.cstr(2422, 33, "Qualifying 🏎".as_bytes());
    b.cstr(SESSION_STATE, 33, b"RACE");
    b.i32(SESSION_STATE + 68, 20); // total_lap
    b.i32(SESSION_STATE + 72, 13); // current_lap
    b.cstr(TIMING_STATE, 15, b"1:32.345");
    b.cstr(TIMING_STATE + 36, 15, b"1:32.345");
    b.cstr(TIMING_STATE + 72, 15, b"1:31.000");
    b.u8(TIMING_STATE + 117, 1); // is_invalid
    b.u8(ASSISTS, 1); // auto_gear
    b.cstr(3020, 33, "Jürgen".as_bytes());
    b.cstr(3053, 33, "鈴木".as_bytes());
    // 33 bytes, no NUL.
    b.cstr(3086, 33, b"ferrari_296_gt3_abcdefghijklmnopq");
    b.u8(3119, 1);
    b.u8(3120, 0);
    b.u8(3121, 1);
    for car in 0..60 {
        for k in 0..3 {
            let o = 3124 + 12 * car + 4 * k;
            b.f32(o, pf(o));
        }
        b.u64(3940 + 16 * car, 1000 + car as u64);
        b.u64(3940 + 16 * car + 8, u64::MAX - car as u64);
    }
    b.f32(3844, 1.5);
    b.f32(3848, -2.25);
    b.u8(3852, 2);
    b.f32(3856, 2.8);
    b.f32(3860, 11.5);
    b.f32(3928, 120.0);
    b.u8(3936, 1);
    b
}

#[test]
fn evo_graphics_every_accessor() {
    let b = evo_graphics_page();
    let v = acevo::view::GraphicsView::new(&b.0).unwrap();
    assert_eq!(v.packet_id(), 9001);
    assert_eq!(v.status(), Status::Live);
    assert_eq!(v.focused_car_id(), (0x0102_0304_0506_0708, u64::MAX));
    assert_eq!(v.player_car_id(), (42, 1 << 63));
    assert_eq!(v.rpm(), 65535);
    assert!(v.is_rpm_limiter_on() && v.is_change_up_rpm() && v.is_change_down_rpm());
    assert!(v.tc_in_action() && v.abs_in_action() && v.esc_active() && v.launch_active());
    assert!(v.is_ignition_on() && v.is_engine_running() && v.is_wrong_way());
    assert!(v.is_drs_available());
    assert_eq!(v.speed_kmh(), 251);
    assert_eq!(v.speed_mph(), 156);
    assert_eq!(v.gear_int(), -1);
    assert_eq!(v.rpm_percent(), pf(72));
    assert_eq!(v.gas_percent(), pf(76));
    assert_eq!(v.brake_percent(), pf(80));
    assert_eq!(v.clutch_percent(), pf(88));
    assert_eq!(v.water_temperature_c(), -12);
    assert_eq!(v.air_temperature_c(), 35);
    assert_eq!(v.oil_temperature_c(), pf(120));
    assert_eq!(v.g_forces(), pa::<3>(132));
    assert_eq!(v.time_of_day(), (14, 5, 59));
    assert_eq!(v.delta_time_ms(), -321);
    assert_eq!(v.current_lap_time_ms(), 61_000);
    assert_eq!(v.current_lap_time(), Some(Duration::from_secs(61)));
    assert_eq!(v.predicted_lap_time_ms(), 90_500);
    assert_eq!(v.fuel(), pf(196));
    assert_eq!(v.tyre_pressures(), [26.0, 27.0, 28.0, 29.0]);
    assert_eq!(v.tyre_temps(), [80.0, 81.0, 82.0, 83.0]);
    assert_eq!(v.brake_temps(), [400.0, 401.0, 402.0, 403.0]);
    assert_eq!(v.tyre_locked(), [false, true, false, true]);
    assert_eq!(v.tyre_compound_front(), "Medium – Ö");
    assert_eq!(v.tyre(2).unwrap().tyre_pression, 28.0);
    assert!(v.tyre(4).is_none());
    assert_eq!(v.normalized_car_position(), 0.75);
    assert_eq!(v.car_damage().damage_front, 198.6);
    assert_eq!(v.car_location(), EvoCarLocation::Track);
    assert_eq!(v.pit_info().fuel, 1);
    assert_eq!(v.electronics().tc_level, 3);
    assert_eq!(v.electronics().brake_bias, 0.56);
    assert!(v.drs_enabled() && v.pit_limiter_on());
    assert_eq!(v.instrumentation().wiper_level, 2);
    assert_eq!(v.completed_laps(), 12);
    assert_eq!(v.position(), 3);
    assert_eq!(v.total_drivers(), 24);
    assert_eq!(v.last_lap_time_ms(), 92_345);
    assert_eq!(v.last_lap(), Some(Duration::from_millis(92_345)));
    assert_eq!(v.best_lap_time_ms(), 91_000);
    assert_eq!(v.best_lap(), Some(Duration::from_millis(91_000)));
    assert_eq!(v.flag(), EvoFlagType::RedYellowStripes);
    assert_eq!(v.global_flag(), EvoFlagType::Red);
    assert_eq!(v.max_gears(), 6);
    assert_eq!(v.engine_type(), EvoEngineType::ElectricMotor);
    assert!(v.has_kers() && v.is_last_lap());
    assert_eq!(v.performance_mode_name(), "Qualifying 🏎");
    assert_eq!(v.session_phase_name(), "RACE");
    assert_eq!(v.lap(), 13);
    assert_eq!(v.total_laps(), 20);
    assert_eq!(v.current_time_text(), "1:32.345");
    assert_eq!(v.last_time_text(), "1:32.345");
    assert_eq!(v.best_time_text(), "1:31.000");
    assert_eq!(v.timing_state().is_invalid, 1);
    assert_eq!(v.session_state().current_lap, 13);
    assert_eq!(v.assists_state().auto_gear, 1);
    assert_eq!(v.driver_name(), "Jürgen");
    assert_eq!(v.driver_surname(), "鈴木");
    assert_eq!(v.car_model(), "ferrari_296_gt3_abcdefghijklmnopq");
    assert!(v.is_in_pit_box() && !v.is_in_pit_lane() && v.is_valid_lap());
    assert_eq!(v.gap_ahead(), 1.5);
    assert_eq!(v.gap_behind(), -2.25);
    assert_eq!(v.active_cars(), 2);
    assert_eq!(v.car_coordinates(), &[pa::<3>(3124), pa::<3>(3136)]);
    assert_eq!(v.car_ids(), vec![(1000, u64::MAX), (1001, u64::MAX - 1)]);
    assert_eq!(v.fuel_per_lap(), 2.8);
    assert_eq!(v.fuel_estimated_laps(), 11.5);
    assert_eq!(v.max_fuel(), 120.0);
    assert!(v.use_single_compound());

    let s = v.snapshot();
    assert_eq!(s.player_car_id_b, 1 << 63);
    assert_eq!(s.car_ids.len(), 60);
    assert_eq!(s.car_ids[59], [1059, u64::MAX - 59]);
    assert_eq!(s.tyre_rr.tyre_compound_front, "Medium – Ö");
    assert!(s.tyre_rr.lock);
    assert_eq!(s.timing_state.best_laptime, "1:31.000");
    assert!(s.timing_state.is_invalid);
    assert_eq!(s.session_state.phase_name, "RACE");
    assert!(s.electronics.is_drs_open);
    assert_eq!(s.flag, EvoFlagType::RedYellowStripes);
    assert_eq!(s.car_location, EvoCarLocation::Track);
    assert_eq!(s.total_km, u32::MAX);
    assert_eq!(s.steer_degrees, -450);
}

#[test]
fn evo_graphics_every_enum_value_and_lossy_strings() {
    let mut b = evo_graphics_page();
    let flags = [
        (0, EvoFlagType::None),
        (1, EvoFlagType::White),
        (2, EvoFlagType::Green),
        (3, EvoFlagType::Red),
        (4, EvoFlagType::Blue),
        (5, EvoFlagType::Yellow),
        (6, EvoFlagType::Black),
        (7, EvoFlagType::BlackWhite),
        (8, EvoFlagType::Checkered),
        (9, EvoFlagType::OrangeCircle),
        (10, EvoFlagType::RedYellowStripes),
        (11, EvoFlagType::Unknown(11)),
        (i32::MIN, EvoFlagType::Unknown(i32::MIN)),
    ];
    for (raw, want) in flags {
        b.i32(2404, raw);
        b.i32(2408, raw);
        let v = acevo::view::GraphicsView::new(&b.0).unwrap();
        assert_eq!(v.flag(), want);
        assert_eq!(v.global_flag(), want);
    }
    let locations = [
        (0, EvoCarLocation::Unassigned),
        (1, EvoCarLocation::Pitlane),
        (2, EvoCarLocation::PitEntry),
        (3, EvoCarLocation::PitExit),
        (4, EvoCarLocation::Track),
        (5, EvoCarLocation::Unknown(5)),
    ];
    for (raw, want) in locations {
        b.i32(1388, raw);
        assert_eq!(
            acevo::view::GraphicsView::new(&b.0).unwrap().car_location(),
            want
        );
    }
    let engines = [
        (0, EvoEngineType::InternalCombustion),
        (1, EvoEngineType::ElectricMotor),
        (2, EvoEngineType::Unknown(2)),
    ];
    for (raw, want) in engines {
        b.i32(2416, raw);
        assert_eq!(
            acevo::view::GraphicsView::new(&b.0).unwrap().engine_type(),
            want
        );
    }
    let statuses = [
        (0, Status::Off),
        (1, Status::Replay),
        (2, Status::Live),
        (3, Status::Pause),
        (i32::MAX, Status::Unknown(i32::MAX)),
    ];
    for (raw, want) in statuses {
        b.i32(4, raw);
        assert_eq!(acevo::view::GraphicsView::new(&b.0).unwrap().status(), want);
    }
    // Invalid UTF-8 decodes lossily; an empty string is empty; active_cars > 60 is clamped.
    b.cstr(3020, 33, b"J\xFCrgen");
    b.cstr(3053, 33, b"");
    b.u8(3852, 255);
    let v = acevo::view::GraphicsView::new(&b.0).unwrap();
    assert_eq!(v.driver_name(), "J\u{FFFD}rgen");
    assert_eq!(v.driver_surname(), "");
    assert_eq!(v.car_ids().len(), 60);
    assert_eq!(v.car_coordinates().len(), 60);
    // Booleans other than 1 still read as set (C++ writes 0/1; garbage must not panic).
    b.u8(3121, 0xFF);
    assert!(acevo::view::GraphicsView::new(&b.0).unwrap().is_valid_lap());
}

#[test]
fn evo_static_every_accessor_and_enum_value() {
    let mut b = Buf::new(208);
    b.cstr(0, 15, b"1.0");
    // 15 bytes, no NUL.
    b.cstr(15, 15, b"0.6.3.123456789");
    b.i32(32, 1);
    b.cstr(36, 33, "Gara – Ñ".as_bytes());
    b.u8(69, 7);
    b.u8(70, 255);
    b.i32(72, 2);
    b.f32(76, 21.5);
    b.f32(80, f32::NAN);
    b.u8(84, 1);
    b.u8(85, 0);
    b.u8(86, 1);
    b.i32(88, i32::MIN);
    b.cstr(92, 33, "Česko".as_bytes());
    b.f32(128, 14.4);
    b.f32(132, 50.1);
    b.cstr(136, 33, "brno_circuit".as_bytes());
    b.cstr(169, 33, "上海".as_bytes());
    b.f32(204, 5403.0);
    let v = acevo::view::StaticView::new(&b.0).unwrap();
    assert_eq!(v.sm_version(), "1.0");
    assert_eq!(v.ac_evo_version(), "0.6.3.123456789");
    assert_eq!(v.session_type(), EvoSessionType::Race);
    assert_eq!(v.session_name(), "Gara – Ñ");
    assert_eq!(v.event_id(), 7);
    assert_eq!(v.session_id(), 255);
    assert_eq!(v.starting_grip(), EvoStartingGrip::Optimum);
    assert_eq!(v.starting_ambient_temperature_c(), 21.5);
    assert!(v.starting_ground_temperature_c().is_nan());
    assert!(v.is_static_weather() && !v.is_timed_race() && v.is_online());
    assert_eq!(v.number_of_sessions(), i32::MIN);
    assert_eq!(v.nation(), "Česko");
    assert_eq!(v.longitude(), 14.4);
    assert_eq!(v.latitude(), 50.1);
    assert_eq!(v.track(), "brno_circuit");
    assert_eq!(v.track_configuration(), "上海");
    assert_eq!(v.track_length_m(), 5403.0);
    let s = v.snapshot();
    assert_eq!(s.session, EvoSessionType::Race);
    assert_eq!(s.starting_grip, EvoStartingGrip::Optimum);
    assert!(s.is_online);

    let sessions = [
        (-1, EvoSessionType::Unset),
        (0, EvoSessionType::TimeAttack),
        (1, EvoSessionType::Race),
        (2, EvoSessionType::HotStint),
        (3, EvoSessionType::Cruise),
        (4, EvoSessionType::Unknown(4)),
    ];
    for (raw, want) in sessions {
        b.i32(32, raw);
        assert_eq!(
            acevo::view::StaticView::new(&b.0).unwrap().session_type(),
            want
        );
    }
    let grips = [
        (0, EvoStartingGrip::Green),
        (1, EvoStartingGrip::Fast),
        (2, EvoStartingGrip::Optimum),
        (3, EvoStartingGrip::Unknown(3)),
    ];
    for (raw, want) in grips {
        b.i32(72, raw);
        assert_eq!(
            acevo::view::StaticView::new(&b.0).unwrap().starting_grip(),
            want
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Lengths, record sizes and field maps.

/// Size of each page in the tables; one byte less is an error, more is fine.
#[test]
fn short_pages_are_errors_and_long_pages_are_fine() {
    fn check<T: Page + std::fmt::Debug>(size: usize, name: &str) {
        let bytes = vec![0u8; 8192 + 1];
        let err = ksana_sims::assetto::page::View::<T>::new(&bytes[..size - 1]).unwrap_err();
        assert_eq!(
            err,
            LayoutError::TooShort {
                page: T::STRUCT_NAME,
                len: size - 1,
                need: size
            }
        );
        assert!(err.to_string().contains(name), "{err}");
        assert!(ksana_sims::assetto::page::View::<T>::new(&[]).is_err());
        let v = ksana_sims::assetto::page::View::<T>::new(&bytes[..size]).unwrap();
        assert!(v.tail().is_empty());
        // Unaligned and longer than the struct: the tail survives.
        let v = ksana_sims::assetto::page::View::<T>::new(&bytes[1..]).unwrap();
        assert_eq!(v.tail().len(), 8192 - size);
        assert_eq!(v.bytes().len(), 8192);
    }
    check::<ac::layout::Physics>(580, "ac/SPageFilePhysics");
    check::<ac::layout::Graphics>(296, "ac/SPageFileGraphic");
    check::<ac::layout::Static>(684, "ac/SPageFileStatic");
    check::<acc::layout::Physics>(800, "acc/SPageFilePhysics");
    check::<acc::layout::Graphics>(1588, "acc/SPageFileGraphic");
    check::<acc::layout::Static>(820, "acc/SPageFileStatic");
    check::<acevo::layout::Physics>(800, "acevo/SPageFilePhysics");
    check::<acevo::layout::Graphics>(4900, "acevo/SPageFileGraphicEvo");
    check::<acevo::layout::Static>(208, "acevo/SPageFileStaticEvo");
}

/// Expands a field map into one kind per byte.
fn kinds_per_byte(runs: &[(FieldKind, u32)]) -> Vec<FieldKind> {
    let mut out = Vec::new();
    for &(k, n) in runs {
        for _ in 0..(n as usize * k.width()) {
            out.push(k);
        }
    }
    out
}

/// A page's field map, struct size, record length and (byte, expected kind) probes.
type MapCase = (Vec<(FieldKind, u32)>, usize, usize, Vec<(usize, FieldKind)>);

#[test]
fn field_maps_cover_each_struct_with_the_tabled_kinds() {
    let cases: Vec<MapCase> = vec![
        (
            ac::layout::Physics::field_runs(),
            580,
            ac::layout::Physics::RECORD_LEN,
            vec![
                (0, FieldKind::U32),
                (4, FieldKind::F32),
                (16, FieldKind::U32),
                (576, FieldKind::F32),
            ],
        ),
        (
            ac::layout::Graphics::field_runs(),
            296,
            ac::layout::Graphics::RECORD_LEN,
            vec![
                (8, FieldKind::U32),
                (12, FieldKind::U16),
                (176, FieldKind::U16),
                (242, FieldKind::U8),
                (244, FieldKind::F32),
            ],
        ),
        (
            ac::layout::Static::field_runs(),
            684,
            ac::layout::Static::RECORD_LEN,
            vec![
                (0, FieldKind::U16),
                (60, FieldKind::U32),
                (398, FieldKind::U8),
                (400, FieldKind::U32),
                (404, FieldKind::F32),
                (670, FieldKind::U8),
            ],
        ),
        (
            acc::layout::Physics::field_runs(),
            800,
            acc::layout::Physics::RECORD_LEN,
            vec![
                (580, FieldKind::U32),
                (592, FieldKind::F32),
                (672, FieldKind::U32),
                (796, FieldKind::F32),
            ],
        ),
        (
            acc::layout::Graphics::field_runs(),
            1588,
            acc::layout::Graphics::RECORD_LEN,
            vec![
                (252, FieldKind::U32),
                (256, FieldKind::F32),
                (976, FieldKind::U32),
                (1328, FieldKind::U16),
                (1358, FieldKind::U8),
                (1488, FieldKind::F32),
            ],
        ),
        (
            acc::layout::Static::field_runs(),
            820,
            acc::layout::Static::RECORD_LEN,
            vec![
                (684, FieldKind::U32),
                (688, FieldKind::U16),
                (818, FieldKind::U16),
            ],
        ),
        (
            acevo::layout::Physics::field_runs(),
            800,
            acevo::layout::Physics::RECORD_LEN,
            vec![(716, FieldKind::F32), (732, FieldKind::U32)],
        ),
        (
            acevo::layout::Graphics::field_runs(),
            4900,
            acevo::layout::Graphics::RECORD_LEN,
            vec![
                (4, FieldKind::U32),
                (8, FieldKind::U64),
                (40, FieldKind::U16),
                (42, FieldKind::U8),
                (57, FieldKind::U8),
                (58, FieldKind::U16),
                (116, FieldKind::U8),
                (220, FieldKind::F32),       // tyre_lf.slip
                (224, FieldKind::U8),        // tyre_lf.lock
                (228, FieldKind::F32),       // tyre_lf.tyre_pression
                (1872, FieldKind::U8),       // electronics.tc_level
                (1880, FieldKind::F32),      // electronics.brake_bias
                (2476 + 48, FieldKind::U32), // session_state.time_left_ms
                (3020, FieldKind::U8),
                (3124, FieldKind::F32),
                (3940, FieldKind::U64),
                (4896, FieldKind::U64),
            ],
        ),
        (
            acevo::layout::Static::field_runs(),
            208,
            acevo::layout::Static::RECORD_LEN,
            vec![
                (0, FieldKind::U8),
                (32, FieldKind::U32),
                (69, FieldKind::U8),
                (76, FieldKind::F32),
                (88, FieldKind::U32),
                (204, FieldKind::F32),
            ],
        ),
    ];
    for (runs, size, record, probes) in cases {
        let kinds = kinds_per_byte(&runs);
        assert_eq!(kinds.len(), size);
        assert!(record >= size && record % 4096 == 0, "{record}");
        for (off, want) in probes {
            assert_eq!(kinds[off], want, "byte {off} of a {size}-byte page");
        }
    }
    assert_eq!(ac::layout::Physics::RECORD_LEN, 4096);
    assert_eq!(acc::layout::Graphics::RECORD_LEN, 4096);
    assert_eq!(acevo::layout::Graphics::RECORD_LEN, 8192);
    assert_eq!(acevo::layout::Static::RECORD_LEN, 4096);
}

#[cfg(feature = "serde")]
#[test]
fn snapshots_round_trip_through_serde() {
    let b = evo_graphics_page();
    let s = acevo::view::GraphicsView::new(&b.0).unwrap().snapshot();
    let json = serde_json::to_string(&s).unwrap();
    let back: acevo::view::GraphicsSnapshot = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
    let b = acc_graphics_page();
    let s = acc::view::GraphicsView::new(&b.0).unwrap().snapshot();
    let back: acc::view::GraphicsSnapshot =
        serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
    let b = static_page(684);
    let s = ac::view::StaticView::new(&b.0).unwrap().snapshot();
    let back: ac::view::StaticSnapshot =
        serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
}

// ---------------------------------------------------------------------------------------------
// Independent readers: pages built through the typed structs decode the same with
// pyaccsharedmemory (ACC) and acevo-sdk (AC Evo), tools/peers/assetto_layout_peer.py.
// The checkers are Linux-side Python (the Wine run has no peer interpreter).
#[cfg(unix)]
mod peers {
    use super::*;
    use ksana_sims::assetto::page::Page;

    /// Runs the peer decoder on three page images; `None` (skipped) without a peer python.
    fn peer_decode(mode: &str, pages: [&[u8]; 3]) -> Option<serde_json::Value> {
        let python = ksana_testkit::peer_python()?;
        let dir = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for (name, bytes) in ["physics", "graphics", "static"].iter().zip(pages) {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            paths.push(p);
        }
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tools/peers/assetto_layout_peer.py"
        );
        let out = std::process::Command::new(python)
            .arg(script)
            .arg(mode)
            .args(&paths)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "peer failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(serde_json::from_slice(&out.stdout).unwrap())
    }

    fn jf(v: &serde_json::Value) -> f32 {
        v.as_f64().unwrap_or_else(|| panic!("not a number: {v}")) as f32
    }
    fn ji(v: &serde_json::Value) -> i64 {
        v.as_i64()
            .or_else(|| v.as_bool().map(i64::from))
            .unwrap_or_else(|| panic!("not an int: {v}"))
    }
    fn js(v: &serde_json::Value) -> String {
        let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
        s.split('\0').next().unwrap().to_string()
    }
    fn wheels(v: &serde_json::Value) -> [f32; 4] {
        [
            jf(&v["front_left"]),
            jf(&v["front_right"]),
            jf(&v["rear_left"]),
            jf(&v["rear_right"]),
        ]
    }

    #[test]
    fn acc_pages_built_from_the_structs_decode_the_same_in_pyaccsharedmemory() {
        use ksana_sims::assetto::strings::write_utf16_z;
        let p = acc::layout::Physics {
            packet_id: 77,
            gas: 0.25,
            brake: 0.5,
            fuel: 42.5,
            gear: 3,
            rpms: 7200,
            speed_kmh: 201.5,
            tyre_core_temperature: [80.0, 81.5, 82.25, 83.0],
            wheels_pressure: [27.1, 27.2, 26.9, 26.8],
            brake_temp: [300.0, 310.0, 250.0, 260.0],
            pad_life: [29.0, 28.5, 28.0, 27.5],
            brake_pressure: [0.1, 0.2, 0.3, 0.4],
            water_temp: 90.5,
            abs_vibrations: 0.3,
            kerb_vibration: 0.7,
            is_engine_running: 1,
            rear_brake_compound: 2,
            ..Default::default()
        };
        let mut g = acc::layout::Graphics::default();
        g.packet_id = 55;
        g.status = 2;
        g.session = 2;
        write_utf16_z(&mut g.tyre_compound, "dry – Ü");
        write_utf16_z(&mut g.track_status, "OPTIMUM");
        g.completed_laps = 12;
        g.position = 3;
        g.i_current_time = 61_234;
        g.flag = 7;
        g.penalty = 13;
        g.active_cars = 2;
        g.player_car_id = 1001;
        g.car_id[1] = 1001;
        g.mfd_tyre_pressure_rr = 27.7;
        g.clock = 45_000.5;
        g.track_grip_status = 4;
        g.rain_intensity = 3;
        g.gap_ahead = 1500;
        g.gap_behind = -2;
        let mut s = acc::layout::Static::default();
        write_utf16_z(&mut s.sm_version, "1.9");
        write_utf16_z(&mut s.ac_version, "1.10.2");
        write_utf16_z(&mut s.car_model, "škoda_octavia");
        write_utf16_z(&mut s.track, "Nürburgring");
        write_utf16_z(&mut s.player_name, "太郎");
        s.max_rpm = 8500;
        s.max_fuel = 120.0;
        s.pit_window_end = 44;
        s.is_online = 1;
        write_utf16_z(&mut s.dry_tyres_name, "DHF");
        write_utf16_z(&mut s.wet_tyres_name, "WH – ユーロ");

        let Some(peer) = peer_decode("acc", [p.as_bytes(), g.as_bytes(), s.as_bytes()]) else {
            return;
        };
        let (pp, pg, ps) = (&peer["physics"], &peer["graphics"], &peer["static"]);
        let v = acc::view::PhysicsView::new(p.as_bytes()).unwrap();
        assert_eq!(ji(&pp["packed_id"]), i64::from(v.packet_id()));
        assert_eq!(jf(&pp["gas"]), v.gas());
        assert_eq!(jf(&pp["brake"]), v.brake());
        assert_eq!(jf(&pp["fuel"]), v.fuel());
        assert_eq!(ji(&pp["gear"]), i64::from(v.gear_raw()));
        assert_eq!(ji(&pp["rpm"]), i64::from(v.rpm()));
        assert_eq!(jf(&pp["speed_kmh"]), v.speed_kmh());
        assert_eq!(wheels(&pp["tyre_core_temp"]), v.tyre_core_temps());
        assert_eq!(wheels(&pp["wheel_pressure"]), v.tyre_pressures());
        assert_eq!(wheels(&pp["brake_temp"]), v.brake_temps());
        assert_eq!(wheels(&pp["pad_life"]), v.pad_life());
        assert_eq!(wheels(&pp["brake_pressure"]), v.brake_pressure());
        assert_eq!(jf(&pp["water_temp"]), v.water_temp());
        assert_eq!(jf(&pp["abs_vibration"]), v.abs_vibrations());
        assert_eq!(jf(&pp["kerb_vibration"]), v.kerb_vibration());
        assert_eq!(ji(&pp["is_engine_running"]), 1);
        assert_eq!(ji(&pp["rear_brake_compound"]), 2);

        let v = acc::view::GraphicsView::new(g.as_bytes()).unwrap();
        assert_eq!(ji(&pg["packed_id"]), 55);
        assert_eq!(ji(&pg["status"]), i64::from(v.status().value()));
        assert_eq!(ji(&pg["session_type"]), i64::from(v.session_type().value()));
        assert_eq!(js(&pg["tyre_compound"]), v.tyre_compound());
        assert_eq!(js(&pg["track_status"]), v.track_status());
        assert_eq!(ji(&pg["completed_lap"]), 12);
        assert_eq!(ji(&pg["position"]), 3);
        assert_eq!(ji(&pg["current_time"]), i64::from(v.current_lap_time_ms()));
        assert_eq!(ji(&pg["flag"]), i64::from(v.flag().value()));
        assert_eq!(ji(&pg["penalty"]), i64::from(v.penalty().value()));
        assert_eq!(ji(&pg["active_cars"]), 2);
        assert_eq!(ji(&pg["player_car_id"]), 1001);
        assert_eq!(wheels(&pg["mfd_tyre_pressure"]), v.mfd_tyre_pressures());
        assert_eq!(jf(&pg["clock"]), v.clock());
        assert_eq!(
            ji(&pg["track_grip_status"]),
            i64::from(v.track_grip().value())
        );
        assert_eq!(
            ji(&pg["rain_intensity"]),
            i64::from(v.rain_intensity().value())
        );
        assert_eq!(ji(&pg["gap_ahead"]), 1500);
        assert_eq!(ji(&pg["gap_behind"]), -2);

        let v = acc::view::StaticView::new(s.as_bytes()).unwrap();
        assert_eq!(js(&ps["sm_version"]), v.sm_version());
        assert_eq!(js(&ps["ac_version"]), v.ac_version());
        assert_eq!(js(&ps["car_model"]), "škoda_octavia");
        assert_eq!(js(&ps["track"]), v.track());
        assert_eq!(js(&ps["player_name"]), "太郎");
        assert_eq!(ji(&ps["max_rpm"]), 8500);
        assert_eq!(jf(&ps["max_fuel"]), 120.0);
        assert_eq!(ji(&ps["pit_window_end"]), 44);
        assert_eq!(ji(&ps["is_online"]), 1);
        assert_eq!(js(&ps["dry_tyres_name"]), v.dry_tyres_name());
        assert_eq!(js(&ps["wet_tyres_name"]), "WH – ユーロ");
    }

    #[test]
    fn evo_pages_built_from_the_structs_decode_the_same_in_acevo_sdk() {
        use ksana_sims::assetto::strings::write_utf8_z;
        let p = acevo::layout::Physics {
            packet_id: 901,
            gas: 0.75,
            brake: 0.125,
            fuel: 33.5,
            gear: 4,
            rpms: 6100,
            speed_kmh: 187.25,
            steer_angle: -0.5,
            tyre_core_temperature: [85.0, 86.0, 87.0, 88.0],
            brake_torque: [1.0, 2.0, 3.0, 4.0],
            water_temp: 92.0,
            road_vibrations: 0.2,
            abs_vibrations: 0.4,
            ..Default::default()
        };
        let mut g = acevo::layout::Graphics::default();
        g.packet_id = 333;
        g.status = 2;
        g.player_car_id_a = 7;
        g.player_car_id_b = u64::MAX;
        g.rpm = 6100;
        g.display_speed_kmh = 187;
        g.gear_int = 3;
        g.npos = 0.5;
        g.car_location = 4;
        g.total_lap_count = 9;
        g.current_pos = 2;
        g.total_drivers = 20;
        g.last_laptime_ms = 95_123;
        g.best_laptime_ms = 94_000;
        g.current_lap_time_ms = 12_345;
        g.flag = 5;
        g.max_gears = 6;
        g.fuel_liter_current_quantity = 33.5;
        g.active_cars = 2;
        g.car_ids[1] = [11, 12];
        g.car_coordinates[1] = [1.0, 2.0, 3.0];
        g.tyre_rf.tyre_pression = 27.5;
        g.tyre_rf.tyre_temperature_c = 84.5;
        g.electronics.tc_level = 3;
        g.session_state.current_lap = 10;
        // acevo-sdk decodes these as ASCII (non-ASCII bytes become U+FFFD), so ASCII here.
        write_utf8_z(&mut g.driver_name, "Juergen");
        write_utf8_z(&mut g.driver_surname, "Suzuki");
        write_utf8_z(&mut g.car_model, "skoda_fabia_rs");
        g.is_valid_lap = 1;
        g.gap_ahead = 1.25;
        let mut s = acevo::layout::Static::default();
        write_utf8_z(&mut s.sm_version, "1.0");
        write_utf8_z(&mut s.ac_evo_version, "0.6.3");
        s.session = 1;
        write_utf8_z(&mut s.session_name, "Gara");
        s.event_id = 4;
        s.session_id = 2;
        s.starting_grip = 1;
        s.starting_ambient_temperature_c = 21.5;
        s.is_online = 1;
        s.number_of_sessions = 3;
        write_utf8_z(&mut s.nation, "CZ");
        write_utf8_z(&mut s.track, "brno");
        write_utf8_z(&mut s.track_configuration, "gp");
        s.track_length_m = 5403.0;

        // acevo-sdk wants at least 4096 bytes of graphics, as a mapping has.
        let mut gpage = vec![0u8; acevo::layout::Graphics::RECORD_LEN];
        gpage[..4900].copy_from_slice(g.as_bytes());
        let Some(peer) = peer_decode("acevo", [p.as_bytes(), &gpage, s.as_bytes()]) else {
            return;
        };
        let (pp, pg, ps) = (&peer["physics"], &peer["graphics"], &peer["static"]);
        // A wrong layout does not fail in acevo-sdk, it falls back to heuristics (§11.2).
        assert_eq!(js(&pp["decode_source"]), "ac_structure");
        assert_eq!(js(&pg["decode_source"]), "ac_evo_graphics");
        assert_eq!(js(&ps["decode_source"]), "ac_evo_static");

        let v = acevo::view::PhysicsView::new(p.as_bytes()).unwrap();
        assert_eq!(ji(&pp["packet_id"]), i64::from(v.packet_id()));
        assert_eq!(jf(&pp["gas"]), v.gas());
        assert_eq!(jf(&pp["brake"]), v.brake());
        assert_eq!(jf(&pp["fuel"]), v.fuel());
        assert_eq!(ji(&pp["gear"]), i64::from(v.gear_raw()));
        assert_eq!(ji(&pp["rpms"]), i64::from(v.rpm()));
        assert_eq!(jf(&pp["speed_kmh"]), v.speed_kmh());
        assert_eq!(jf(&pp["steer_angle"]), v.steer_angle());
        assert_eq!(jf(&pp["water_temp"]), v.water_temp());
        assert_eq!(jf(&pp["abs_vibrations"]), v.abs_vibrations());
        assert_eq!(jf(&pp["groad_vibrations"]), v.road_vibrations());
        let torque: Vec<f32> = pp["brake_torque"]
            .as_array()
            .unwrap()
            .iter()
            .map(jf)
            .collect();
        assert_eq!(torque, v.brake_torque());

        let v = acevo::view::GraphicsView::new(&gpage).unwrap();
        assert_eq!(ji(&pg["packet_id"]), 333);
        assert_eq!(ji(&pg["status"]), i64::from(v.status().value()));
        assert_eq!(ji(&pg["player_car_id"]), v.player_car_id().0 as i64);
        assert_eq!(ji(&pg["rpm"]), i64::from(v.rpm()));
        assert_eq!(ji(&pg["display_speed_kmh"]), i64::from(v.speed_kmh()));
        assert_eq!(ji(&pg["gear_int"]), i64::from(v.gear_int()));
        assert_eq!(jf(&pg["npos"]), v.normalized_car_position());
        assert_eq!(ji(&pg["car_location"]), i64::from(v.car_location().value()));
        assert_eq!(ji(&pg["total_lap_count"]), i64::from(v.completed_laps()));
        assert_eq!(ji(&pg["current_pos"]), i64::from(v.position()));
        assert_eq!(ji(&pg["total_drivers"]), i64::from(v.total_drivers()));
        assert_eq!(ji(&pg["last_laptime_ms"]), i64::from(v.last_lap_time_ms()));
        assert_eq!(ji(&pg["best_laptime_ms"]), i64::from(v.best_lap_time_ms()));
        assert_eq!(
            ji(&pg["current_lap_time_ms"]),
            i64::from(v.current_lap_time_ms())
        );
        assert_eq!(ji(&pg["flag"]), i64::from(v.flag().value()));
        assert_eq!(ji(&pg["max_gears"]), i64::from(v.max_gears()));
        assert_eq!(jf(&pg["fuel_liter_current_quantity"]), v.fuel());
        assert_eq!(
            ji(&pg["electronics_tc_level"]),
            i64::from(v.electronics().tc_level)
        );
        assert_eq!(ji(&pg["session_current_lap"]), i64::from(v.lap()));
        assert_eq!(ji(&pg["is_valid_lap"]), 1);
        assert_eq!(js(&pg["driver_name"]), v.driver_name());
        assert_eq!(js(&pg["driver_surname"]), v.driver_surname());
        assert_eq!(js(&pg["car_model"]), v.car_model());

        let v = acevo::view::StaticView::new(s.as_bytes()).unwrap();
        assert_eq!(js(&ps["sm_version"]), v.sm_version());
        assert_eq!(js(&ps["ac_evo_version"]), v.ac_evo_version());
        assert_eq!(ji(&ps["session"]), i64::from(v.session_type().value()));
        assert_eq!(js(&ps["session_name"]), v.session_name());
        assert_eq!(ji(&ps["event_id"]), 4);
        assert_eq!(ji(&ps["session_id"]), 2);
        assert_eq!(
            ji(&ps["starting_grip"]),
            i64::from(v.starting_grip().value())
        );
        assert_eq!(jf(&ps["starting_ambient_temperature_c"]), 21.5);
        assert_eq!(ji(&ps["is_online"]), 1);
        assert_eq!(ji(&ps["number_of_sessions"]), 3);
        assert_eq!(js(&ps["nation"]), v.nation());
        assert_eq!(js(&ps["track"]), v.track());
        assert_eq!(js(&ps["track_configuration"]), v.track_configuration());
        assert_eq!(jf(&ps["track_length_m"]), v.track_length_m());
    }
}
