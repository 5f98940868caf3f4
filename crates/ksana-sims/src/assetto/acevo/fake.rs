//! The fake sim as AC Evo (≥ 0.6): the world rendered into Evo's physics (ACC's 800-byte
//! layout), graphics and static structs.
//!
//! Conventions: the fake's sessions map to `ACEVO_SESSION_TYPE` as practice → `AC_CRUISE`
//! (free driving), qualifying and hot lap → `AC_TIME_ATTACK`, race → `AC_RACE`; the session
//! index is static `session_id` (mod 256). `last_laptime_ms` / `best_laptime_ms` are −1 before
//! the first lap; the `timing_state` texts `m:ss.mmm`; `gear_int` is the world's gear
//! (−1 R, 0 N, 1..), Evo's convention not being documented; the percent fields are 0..1;
//! `car_location` is `PITLANE` in the pit lane and box, `TRACK` otherwise.

use bytemuck::Zeroable;
use ksana_synth::world::{SessionKind, WorldState, WorldStatus};

use super::layout::{Graphics, Static, TyreState};
use crate::assetto::acc::fake::physics as acc_physics;
use crate::assetto::family::fake::{
    G, PacketIds, lap_text, ms_i32, put_struct, split_name, status_code,
};
use crate::assetto::page::Page;
use crate::assetto::strings::write_utf8_z;

/// `ACEVO_SESSION_TYPE` for the fake's session kinds.
pub(crate) fn session_code(k: SessionKind) -> i32 {
    match k {
        SessionKind::Practice => 3,
        SessionKind::Qualify | SessionKind::Hotlap => 0,
        SessionKind::Race => 1,
    }
}

/// Evo's pages for `w`.
pub(crate) fn render(w: &WorldState, ids: PacketIds, p: &mut [u8], g: &mut [u8], s: &mut [u8]) {
    // Evo's physics is ACC's layout, member for member (brakePressure renamed brakeTorque).
    put_struct(p, acc_physics(w, ids.physics, 0.0).as_bytes());
    put_struct(g, graphics(w, ids.graphics).as_bytes());
    put_struct(s, statics(w).as_bytes());
}

fn tyre(w: &WorldState, i: usize) -> TyreState {
    let c = &w.car;
    let mut t: TyreState = Zeroable::zeroed();
    t.tyre_pression = c.tyre_pressure[i] as f32;
    t.tyre_temperature_c = c.tyre_temp[i] as f32;
    t.tyre_temperature_left = c.tyre_temp[i] as f32;
    t.tyre_temperature_center = c.tyre_temp[i] as f32;
    t.tyre_temperature_right = c.tyre_temp[i] as f32;
    t.brake_temperature_c = c.brake_temp[i] as f32;
    write_utf8_z(&mut t.tyre_compound_front, "Slick Medium");
    write_utf8_z(&mut t.tyre_compound_rear, "Slick Medium");
    t
}

fn graphics(w: &WorldState, id: i32) -> Graphics {
    let c = &w.car;
    let t = &w.timing;
    let s = &w.session;
    let current = ms_i32(t.current_lap_ms);
    let last = t.last_lap_ms.map_or(-1, ms_i32);
    let best = t.best_lap_ms.map_or(-1, ms_i32);
    let (name, surname) = split_name(&s.driver_name);
    let mut g: Graphics = Zeroable::zeroed();
    g.packet_id = id;
    g.status = status_code(w.status);
    g.focused_car_id_a = 1;
    g.player_car_id_a = 1;
    g.rpm = c.rpm.round().clamp(0.0, u16::MAX as f64) as u16;
    g.is_ignition_on = 1;
    g.is_engine_running = (c.rpm > 0.0) as u8;
    let kmh = c.speed_ms * 3.6;
    g.display_speed_kmh = kmh.round() as i16;
    g.display_speed_mph = (kmh / 1.609_344).round() as i16;
    g.display_speed_ms = c.speed_ms.round() as i16;
    g.gear_int = c.gear as i16;
    g.rpm_percent = if c.max_rpm > 0.0 {
        (c.rpm / c.max_rpm) as f32
    } else {
        0.0
    };
    g.gas_percent = c.throttle as f32;
    g.brake_percent = c.brake as f32;
    g.clutch_percent = c.clutch as f32;
    g.water_temperature_c = c.water_temp.round().clamp(-128.0, 127.0) as i8;
    g.air_temperature_c = c.air_temp.round().clamp(-128.0, 127.0) as i8;
    g.oil_temperature_c = c.oil_temp as f32;
    g.g_forces_x = (c.accel_lat / G) as f32;
    g.g_forces_y = 0.0;
    g.g_forces_z = (c.accel_long / G) as f32;
    g.current_lap_time_ms = current;
    g.fuel_liter_current_quantity = c.fuel_l as f32;
    g.fuel_liter_current_quantity_percent = if c.fuel_max_l > 0.0 {
        (c.fuel_l / c.fuel_max_l) as f32
    } else {
        0.0
    };
    g.tyre_lf = tyre(w, 0);
    g.tyre_rf = tyre(w, 1);
    g.tyre_lr = tyre(w, 2);
    g.tyre_rr = tyre(w, 3);
    g.npos = t.lap_dist_pct as f32;
    g.car_location = if t.in_pit_lane || t.in_pit_box { 1 } else { 4 };
    g.total_lap_count = t.completed_laps as i32;
    g.current_pos = t.position;
    g.total_drivers = 1;
    g.last_laptime_ms = last;
    g.best_laptime_ms = best;
    g.flag = 0;
    g.global_flag = if w.status == WorldStatus::Live { 2 } else { 0 };
    g.max_gears = 6;
    g.engine_type = 0;
    g.electronics.is_pitlimiter_on = t.in_pit_lane as u8;
    g.electronics.is_ignition_on = 1;
    let mut session = g.session_state;
    write_utf8_z(&mut session.phase_name, s.kind.name());
    write_utf8_z(
        &mut session.time_left,
        &lap_text(ms_i32(s.time_left_s * 1000.0)),
    );
    session.time_left_ms = ms_i32(s.time_left_s * 1000.0);
    session.current_lap = t.completed_laps as i32 + 1;
    session.lap_length_km = (s.track_length_m / 1000.0) as f32;
    g.session_state = session;
    let mut timing = g.timing_state;
    write_utf8_z(&mut timing.current_laptime, &lap_text(current));
    write_utf8_z(&mut timing.last_laptime, &lap_text(last));
    write_utf8_z(&mut timing.best_laptime, &lap_text(best));
    timing.is_invalid = (!t.lap_valid) as u8;
    g.timing_state = timing;
    write_utf8_z(&mut g.driver_name, name);
    write_utf8_z(&mut g.driver_surname, surname);
    write_utf8_z(&mut g.car_model, &s.car_id);
    g.is_in_pit_box = t.in_pit_box as u8;
    g.is_in_pit_lane = t.in_pit_lane as u8;
    g.is_valid_lap = t.lap_valid as u8;
    let mut coords = g.car_coordinates;
    coords[0] = c.pos.map(|x| x as f32);
    g.car_coordinates = coords;
    g.active_cars = 1;
    g.fuel_per_lap = 2.5;
    g.fuel_estimated_laps = (c.fuel_l / 2.5) as f32;
    g.max_fuel = c.fuel_max_l as f32;
    let mut ids = g.car_ids;
    ids[0] = [1, 0];
    g.car_ids = ids;
    g
}

fn statics(w: &WorldState) -> Static {
    let s = &w.session;
    let mut st: Static = Zeroable::zeroed();
    write_utf8_z(&mut st.sm_version, "1.0");
    write_utf8_z(&mut st.ac_evo_version, "0.6.3");
    st.session = session_code(s.kind);
    write_utf8_z(&mut st.session_name, s.kind.name());
    st.event_id = 0;
    st.session_id = (s.index % 256) as u8;
    st.starting_grip = 2;
    st.starting_ambient_temperature_c = w.car.air_temp as f32;
    st.starting_ground_temperature_c = w.car.road_temp as f32;
    st.is_timed_race = 1;
    st.number_of_sessions = 1;
    write_utf8_z(&mut st.nation, "Nowhere");
    write_utf8_z(&mut st.track, &s.track_id);
    st.track_length_m = s.track_length_m as f32;
    st
}

#[cfg(test)]
mod tests {
    use ksana_laps::SimState;

    use super::super::view::{GraphicsView, PhysicsView, StaticView};
    use super::*;
    use crate::assetto::enums::{EvoCarLocation, EvoSessionType, Gear, Status};
    use crate::assetto::family::fake::test_world;
    use crate::sim::Sim;

    fn render(w: &WorldState) -> Vec<Vec<u8>> {
        let mut f = super::super::AcEvo.fake().unwrap();
        let mut out = vec![Vec::new(); 3];
        f.render(w, &mut out, &mut [false; 3]).unwrap();
        out
    }

    #[test]
    fn pages_read_back_through_the_views() {
        let f = super::super::AcEvo.fake().unwrap();
        let got: Vec<_> = f
            .pages()
            .iter()
            .map(|p| (p.name.clone(), p.size, p.layout.clone()))
            .collect();
        let want: Vec<_> = [("physics", 4096), ("graphics", 8192), ("static", 4096)]
            .iter()
            .map(|(k, n)| (format!("Local\\acevo_pmf_{k}"), *n, format!("acevo/{k}")))
            .collect();
        assert_eq!(got, want);
        let w = test_world(WorldStatus::Live);
        let out = render(&w);
        let p = PhysicsView::new(&out[0]).unwrap();
        assert_eq!(p.packet_id(), 1);
        assert_eq!(p.gear(), Gear::Forward(4));
        assert_eq!(p.speed_kmh(), 180.0);
        assert_eq!(p.tyre_core_temps(), [81.0, 82.0, 83.0, 84.0]);
        assert_eq!(p.water_temp(), 91.0);
        assert_eq!(p.number_of_tyres_out(), 3);
        let g = GraphicsView::new(&out[1]).unwrap();
        assert_eq!(g.packet_id(), 1);
        assert_eq!(g.status(), Status::Live);
        assert_eq!(g.rpm(), 7123);
        assert_eq!(g.speed_kmh(), 180);
        assert_eq!(g.speed_mph(), 112);
        assert_eq!(g.gear_int(), 4);
        assert_eq!(g.gas_percent(), 0.75);
        assert_eq!(g.brake_percent(), 0.125);
        assert_eq!(g.clutch_percent(), 0.25);
        assert_eq!(g.fuel(), 61.5);
        assert_eq!(g.max_fuel(), 120.0);
        assert_eq!(g.water_temperature_c(), 91);
        assert_eq!(g.air_temperature_c(), 22);
        assert_eq!(g.oil_temperature_c(), 104.5);
        assert_eq!(g.g_forces(), [-1.0, 0.0, 0.5]);
        assert_eq!(g.current_lap_time_ms(), 61_234);
        assert_eq!(g.last_lap_time_ms(), 92_345);
        assert_eq!(g.best_lap_time_ms(), 91_002);
        assert_eq!(g.current_time_text(), "1:01.234");
        assert_eq!(g.last_time_text(), "1:32.345");
        assert_eq!(g.best_time_text(), "1:31.002");
        assert_eq!(g.normalized_car_position(), 0.648);
        assert_eq!(g.car_location(), EvoCarLocation::Pitlane);
        assert_eq!(g.completed_laps(), 5);
        assert_eq!(g.lap(), 6);
        assert_eq!(g.position(), 3);
        assert_eq!(g.driver_name(), "Ada");
        assert_eq!(g.driver_surname(), "Lovelace");
        assert_eq!(g.car_model(), "ksana_gt3");
        assert!(g.is_in_pit_lane() && !g.is_in_pit_box());
        assert!(!g.is_valid_lap());
        assert_eq!(g.timing_state().is_invalid, 1);
        assert_eq!(g.session_state().time_left_ms, 1_045_750);
        assert_eq!(g.car_coordinates(), &[[101.5, 3.25, -220.75]]);
        assert_eq!(g.car_ids(), vec![(1, 0)]);
        assert_eq!(g.tyre_pressures(), [27.1, 27.2, 27.3, 27.4]);
        assert_eq!(g.tyre_temps(), [81.0, 82.0, 83.0, 84.0]);
        assert_eq!(g.brake_temps(), [401.0, 402.0, 403.0, 404.0]);
        assert!(g.pit_limiter_on());
        let s = StaticView::new(&out[2]).unwrap();
        assert_eq!(s.sm_version(), "1.0");
        assert_eq!(s.session_type(), EvoSessionType::from(0));
        assert_eq!(s.session_id(), 2);
        assert_eq!(s.track(), "ksana_ring");
        assert_eq!(s.track_configuration(), "");
        assert_eq!(s.track_length_m(), 4321.0);
    }

    #[test]
    fn timing_reads_what_was_rendered() {
        let sim = super::super::AcEvo;
        let f = sim.fake().unwrap();
        let mut t = sim.timing(&f.pages()).unwrap();
        let mut w = test_world(WorldStatus::Live);
        w.session.kind = SessionKind::Race;
        let out = render(&w);
        let pages: Vec<&[u8]> = out.iter().map(Vec::as_slice).collect();
        let s = t.sample(1.0, &pages).unwrap().unwrap();
        assert_eq!(s.state, SimState::Live);
        assert_eq!(s.session.sim, "acevo");
        assert_eq!(s.session.key, "0/2");
        assert_eq!(s.session.session_type, "race");
        assert_eq!(s.session.track, "ksana_ring");
        assert_eq!(s.session.car, "ksana_gt3");
        assert_eq!(s.session.driver, "Ada Lovelace");
        assert_eq!(s.sim_time_s, Some(-1045.75));
        assert_eq!(s.completed_laps, Some(5));
        assert_eq!(s.current_lap_ms, Some(61_234.0));
        assert_eq!(s.last_lap_ms, Some(92_345.0));
        assert_eq!(s.lap_dist_pct, Some(0.648f32 as f64));
        assert_eq!(
            (s.sector_index, s.sector_count, s.sim_split_ms),
            (None, None, None)
        );
        assert!(s.lap_invalid && s.off_track && s.in_pit_lane && !s.in_pit_box);
        // Before the first lap: −1, no time; a valid lap on track.
        w.timing.last_lap_ms = None;
        w.timing.lap_valid = true;
        w.timing.in_pit_lane = false;
        w.car.tyres_out = 2;
        let out = render(&w);
        let pages: Vec<&[u8]> = out.iter().map(Vec::as_slice).collect();
        let s = t.sample(1.0, &pages).unwrap().unwrap();
        assert_eq!(s.last_lap_ms, None);
        assert!(!s.lap_invalid && !s.off_track && !s.in_pit_lane);
        assert_eq!(session_code(SessionKind::Practice), 3);
        assert_eq!(super::super::timing::session_type(3), "practice");
    }
}
