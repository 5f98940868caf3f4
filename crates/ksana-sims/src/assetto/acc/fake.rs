//! The fake sim as ACC (and AC Rally, whose pages are ACC's with temperatures in Kelvin): the
//! world rendered into ACC's physics, graphics and static structs.
//!
//! Conventions: `lastSectorTime` and `iSplit` carry the cumulative split (ACC's, reported);
//! `iLastTime` / `iBestTime` are `i32::MAX` before the first lap (ACC's "no time"), the
//! `*Time` strings `m:ss.mmm` of the int beside them; `sessionTimeLeft` in ms; `Clock` the time
//! of day from 14:00; the car is car 1, alone on track.

use bytemuck::Zeroable;
use ksana_synth::world::WorldState;

use super::layout::{Graphics, Physics, Static};
use crate::assetto::family::fake::{
    G, PacketIds, START_CLOCK_S, ac_session_code, lap_text, ms_i32, physics_gear, put_struct,
    split_name, status_code, steer_input, world_velocity,
};
use crate::assetto::page::Page;
use crate::assetto::strings::write_utf16_z;

/// Kelvin − Celsius.
const KELVIN: f64 = 273.15;

/// ACC's pages for `w`.
pub(crate) fn render_acc(w: &WorldState, ids: PacketIds, p: &mut [u8], g: &mut [u8], s: &mut [u8]) {
    render(w, ids, 0.0, "1.9", p, g, s);
}

/// AC Rally's pages for `w`: ACC's, with tyre, brake and water temperatures in Kelvin
/// (reference §3.6).
pub(crate) fn render_acrally(
    w: &WorldState,
    ids: PacketIds,
    p: &mut [u8],
    g: &mut [u8],
    s: &mut [u8],
) {
    render(w, ids, KELVIN, "1.9", p, g, s);
}

fn render(
    w: &WorldState,
    ids: PacketIds,
    temp_offset: f64,
    sm_version: &str,
    p: &mut [u8],
    g: &mut [u8],
    s: &mut [u8],
) {
    put_struct(p, physics(w, ids.physics, temp_offset).as_bytes());
    put_struct(g, graphics(w, ids.graphics).as_bytes());
    put_struct(s, statics(w, sm_version).as_bytes());
}

fn f4(v: [f64; 4], add: f64) -> [f32; 4] {
    v.map(|x| (x + add) as f32)
}

/// ACC's physics struct for `w` (packetId `id`), temperatures plus `t_off` (Kelvin for AC Rally).
/// AC Evo's physics is the same 800-byte layout (reference §4.1).
pub(crate) fn physics(w: &WorldState, id: i32, t_off: f64) -> Physics {
    let c = &w.car;
    let mut p: Physics = Zeroable::zeroed();
    p.packet_id = id;
    p.gas = c.throttle as f32;
    p.brake = c.brake as f32;
    p.clutch = c.clutch as f32;
    p.fuel = c.fuel_l as f32;
    p.gear = physics_gear(c.gear);
    p.rpms = c.rpm.round() as i32;
    p.steer_angle = steer_input(c.steer_rad);
    p.speed_kmh = (c.speed_ms * 3.6) as f32;
    p.velocity = world_velocity(c.speed_ms, c.heading_rad);
    p.local_velocity = [0.0, 0.0, c.speed_ms as f32];
    p.acc_g = [(c.accel_lat / G) as f32, 0.0, (c.accel_long / G) as f32];
    p.local_angular_vel = [0.0, c.yaw_rate as f32, 0.0];
    p.wheel_angular_speed = f4(c.wheel_speed, 0.0);
    p.wheels_pressure = f4(c.tyre_pressure, 0.0);
    p.tyre_core_temperature = f4(c.tyre_temp, t_off);
    p.tyre_temp = f4(c.tyre_temp, t_off);
    p.tyre_temp_i = f4(c.tyre_temp, t_off);
    p.tyre_temp_m = f4(c.tyre_temp, t_off);
    p.tyre_temp_o = f4(c.tyre_temp, t_off);
    p.brake_temp = f4(c.brake_temp, t_off);
    p.water_temp = (c.water_temp + t_off) as f32;
    p.heading = c.heading_rad as f32;
    p.number_of_tyres_out = c.tyres_out as i32;
    p.pit_limiter_on = w.timing.in_pit_lane as i32;
    p.air_temp = c.air_temp as f32;
    p.road_temp = c.road_temp as f32;
    p.current_max_rpm = c.max_rpm.round() as i32;
    p.tyre_wear = [0.0; 4];
    p.wheel_load = [4000.0; 4];
    p.brake_bias = 0.57;
    p.ignition_on = 1;
    p.is_engine_running = (c.rpm > 0.0) as i32;
    p.pad_life = [29.0; 4];
    p.disc_life = [32.0; 4];
    p
}

fn graphics(w: &WorldState, id: i32) -> Graphics {
    let t = &w.timing;
    let s = &w.session;
    let none = i32::MAX;
    let current = ms_i32(t.current_lap_ms);
    let last = t.last_lap_ms.map_or(none, ms_i32);
    let best = t.best_lap_ms.map_or(none, ms_i32);
    let split = t.last_split_ms.map_or(0, ms_i32);
    let mut g: Graphics = Zeroable::zeroed();
    g.packet_id = id;
    g.status = status_code(w.status);
    g.session = ac_session_code(s.kind);
    write_utf16_z(&mut g.current_time, &lap_text(current));
    write_utf16_z(&mut g.last_time, &lap_text(last));
    write_utf16_z(&mut g.best_time, &lap_text(best));
    write_utf16_z(&mut g.split, &lap_text(split));
    g.completed_laps = t.completed_laps as i32;
    g.position = t.position as i32;
    g.i_current_time = current;
    g.i_last_time = last;
    g.i_best_time = best;
    g.session_time_left = (s.time_left_s * 1000.0) as f32;
    g.distance_traveled = (t.completed_laps as f64 * s.track_length_m + t.lap_dist_m) as f32;
    g.is_in_pit = t.in_pit_box as i32;
    g.is_in_pit_lane = t.in_pit_lane as i32;
    g.current_sector_index = t.sector_index as i32;
    g.last_sector_time = split;
    g.i_split = split;
    write_utf16_z(&mut g.tyre_compound, "dry_compound");
    g.normalized_car_position = t.lap_dist_pct as f32;
    g.active_cars = 1;
    g.car_coordinates[0] = w.car.pos.map(|x| x as f32);
    g.car_id[0] = 1;
    g.player_car_id = 1;
    g.surface_grip = 1.0;
    g.tc = 3;
    g.engine_map = 1;
    g.abs = 2;
    g.fuel_x_lap = 2.5;
    g.fuel_estimated_laps = (w.car.fuel_l / 2.5) as f32;
    g.used_fuel = (w.car.fuel_max_l - w.car.fuel_l).max(0.0) as f32;
    g.session_index = s.index as i32;
    g.is_valid_lap = t.lap_valid as i32;
    write_utf16_z(&mut g.track_status, "OPTIMUM");
    g.clock = (START_CLOCK_S + s.elapsed_s) as f32;
    g.track_grip_status = 2; // OPTIMUM
    g.global_green = (w.status == ksana_synth::world::WorldStatus::Live) as i32;
    g
}

fn statics(w: &WorldState, sm_version: &str) -> Static {
    let s = &w.session;
    let (name, surname) = split_name(&s.driver_name);
    let mut st: Static = Zeroable::zeroed();
    write_utf16_z(&mut st.sm_version, sm_version);
    write_utf16_z(&mut st.ac_version, "1.10.2");
    st.number_of_sessions = 1;
    st.num_cars = 1;
    write_utf16_z(&mut st.car_model, &s.car_id);
    write_utf16_z(&mut st.track, &s.track_id);
    write_utf16_z(&mut st.player_name, name);
    write_utf16_z(&mut st.player_surname, surname);
    write_utf16_z(&mut st.player_nick, name);
    st.sector_count = s.sector_starts.len() as i32;
    st.max_rpm = w.car.max_rpm.round() as i32;
    st.max_fuel = w.car.fuel_max_l as f32;
    st.track_spline_length = s.track_length_m as f32;
    st.penalties_enabled = 1;
    st.aid_fuel_rate = 1.0;
    st.aid_tire_rate = 1.0;
    st.aid_mechanical_damage = 1.0;
    st.is_timed_race = 1;
    write_utf16_z(&mut st.dry_tyres_name, "DHE2023");
    write_utf16_z(&mut st.wet_tyres_name, "WH2023");
    st
}

#[cfg(test)]
mod tests {
    use ksana_laps::SimState;
    use ksana_synth::world::{WorldState, WorldStatus};

    use super::super::view::{GraphicsView, PhysicsView, StaticView};
    use crate::assetto::enums::{Gear, SessionType, Status};
    use crate::assetto::family::fake::test_world;
    use crate::sim::Sim;

    fn render(sim: &dyn Sim, w: &WorldState) -> Vec<Vec<u8>> {
        let mut f = sim.fake().expect("renderer");
        let mut out = vec![Vec::new(); 3];
        f.render(w, &mut out, &mut [false; 3]).unwrap();
        out
    }

    #[test]
    fn pages_are_the_recorders() {
        for (sim, id) in [
            (&super::super::Acc as &dyn Sim, "acc"),
            (&crate::assetto::acrally::AcRally, "acrally"),
        ] {
            let f = sim.fake().unwrap();
            let pages = f.pages();
            let got: Vec<_> = pages
                .iter()
                .map(|p| (p.name.as_str(), p.size, p.layout.as_str()))
                .collect();
            assert_eq!(
                got,
                [
                    (
                        "Local\\acpmf_physics",
                        4096,
                        format!("{id}/physics").as_str()
                    ),
                    (
                        "Local\\acpmf_graphics",
                        4096,
                        format!("{id}/graphics").as_str()
                    ),
                    ("Local\\acpmf_static", 4096, format!("{id}/static").as_str()),
                ]
            );
            assert_eq!(f.nominal_rate_hz(), 333.0);
        }
    }

    #[test]
    fn acc_pages_read_back_through_the_views() {
        let w = test_world(WorldStatus::Live);
        let out = render(&super::super::Acc, &w);
        let p = PhysicsView::new(&out[0]).unwrap();
        assert_eq!(p.packet_id(), 1);
        assert_eq!(p.gas(), 0.75);
        assert_eq!(p.brake(), 0.125);
        assert_eq!(p.clutch(), 0.25);
        assert_eq!(p.fuel(), 61.5);
        assert_eq!(p.gear(), Gear::Forward(4));
        assert_eq!(p.gear_raw(), 5);
        assert_eq!(p.rpm(), 7123);
        assert_eq!(
            p.steer_angle(),
            (-0.5 / (1.5 * std::f64::consts::PI)) as f32
        );
        assert_eq!(p.speed_kmh(), 180.0);
        let v = p.velocity();
        assert!((v[0] - 50.0 * 0.5f32.sin()).abs() < 1e-4 && v[1] == 0.0);
        assert!((v[2] - 50.0 * 0.5f32.cos()).abs() < 1e-4);
        assert_eq!(p.local_velocity(), [0.0, 0.0, 50.0]);
        assert_eq!(p.acc_g(), [-1.0, 0.0, 0.5]);
        assert_eq!(p.wheel_angular_speed(), [150.0, 151.0, 152.0, 153.0]);
        assert_eq!(p.tyre_pressures(), [27.1, 27.2, 27.3, 27.4]);
        assert_eq!(p.tyre_core_temps(), [81.0, 82.0, 83.0, 84.0]);
        assert_eq!(p.tyre_temps(), [81.0, 82.0, 83.0, 84.0]);
        assert_eq!(p.tyre_temps_middle(), [81.0, 82.0, 83.0, 84.0]);
        assert_eq!(p.brake_temps(), [401.0, 402.0, 403.0, 404.0]);
        assert_eq!(p.water_temp(), 91.0);
        assert_eq!(p.heading(), 0.5);
        assert_eq!(p.number_of_tyres_out(), 3);
        assert!(p.pit_limiter_on());
        assert_eq!((p.air_temp(), p.road_temp()), (22.0, 31.0));
        assert_eq!(p.current_max_rpm(), 8500);
        assert!(p.is_engine_running() && p.ignition_on());

        let g = GraphicsView::new(&out[1]).unwrap();
        assert_eq!(g.packet_id(), 1);
        assert_eq!(g.status(), Status::Live);
        assert_eq!(g.session_type(), SessionType::Qualify);
        assert_eq!(g.completed_laps(), 5);
        assert_eq!(g.position(), 3);
        assert_eq!(g.current_lap_time_ms(), 61_234);
        assert_eq!(g.last_lap_time_ms(), 92_345);
        assert_eq!(g.best_lap_time_ms(), 91_002);
        assert_eq!(g.current_time_text(), "1:01.234");
        assert_eq!(g.last_time_text(), "1:32.345");
        assert_eq!(g.best_time_text(), "1:31.002");
        assert_eq!(g.split_text(), "0:58.200");
        assert_eq!(g.session_time_left(), 1_045_750.0);
        assert_eq!(g.distance_traveled(), 5.0 * 4321.0 + 2800.0);
        assert!(!g.is_in_pit());
        assert!(g.is_in_pit_lane());
        assert_eq!(g.current_sector_index(), 2);
        assert_eq!(g.last_sector_time_ms(), 58_200, "ACC: the cumulative split");
        assert_eq!(g.split_ms(), 58_200);
        assert_eq!(g.normalized_car_position(), 0.648);
        assert_eq!(g.car_coordinates(), &[[101.5, 3.25, -220.75]]);
        assert_eq!(g.player_coordinates(), Some([101.5, 3.25, -220.75]));
        assert_eq!(g.session_index(), 2);
        assert!(!g.is_valid_lap());
        assert_eq!(g.clock(), (14.0 * 3600.0 + 754.25) as f32);
        assert_eq!(g.used_fuel(), 58.5);

        let s = StaticView::new(&out[2]).unwrap();
        assert_eq!(s.sm_version(), "1.9");
        assert_eq!(s.car_model(), "ksana_gt3");
        assert_eq!(s.track(), "ksana_ring");
        assert_eq!(
            (s.player_name(), s.player_surname()),
            ("Ada".into(), "Lovelace".into())
        );
        assert_eq!(s.sector_count(), 3);
        assert_eq!(s.max_rpm(), 8500);
        assert_eq!(s.max_fuel(), 120.0);
        assert_eq!(s.track_spline_length(), 4321.0);

        // "No time" before the first lap is ACC's i32::MAX.
        let mut w0 = w.clone();
        w0.timing.last_lap_ms = None;
        w0.timing.best_lap_ms = None;
        let out = render(&super::super::Acc, &w0);
        let g = GraphicsView::new(&out[1]).unwrap();
        assert_eq!(
            (g.last_lap_time_ms(), g.best_lap_time_ms()),
            (i32::MAX, i32::MAX)
        );
        assert_eq!(g.last_lap(), None);
    }

    #[test]
    fn acrally_is_acc_in_kelvin() {
        let w = test_world(WorldStatus::Live);
        let out = render(&crate::assetto::acrally::AcRally, &w);
        let p = PhysicsView::new(&out[0]).unwrap();
        assert_eq!(
            p.tyre_core_temps(),
            [81.0f64, 82.0, 83.0, 84.0].map(|t| (t + 273.15) as f32)
        );
        assert_eq!(p.brake_temps()[3], (404.0 + 273.15) as f32);
        assert_eq!(p.water_temp(), (91.0 + 273.15) as f32);
        assert!(crate::assetto::family::temperatures_in_kelvin(&out[0]));
        assert!(!crate::assetto::family::temperatures_in_kelvin(
            &render(&super::super::Acc, &w)[0]
        ));
    }

    #[test]
    fn timing_reads_what_was_rendered() {
        for sim in [
            &super::super::Acc as &dyn Sim,
            &crate::assetto::acrally::AcRally,
        ] {
            let mut w = test_world(WorldStatus::Live);
            let f = sim.fake().unwrap();
            let mut t = sim.timing(&f.pages()).expect("timing for its own pages");
            let out = render(sim, &w);
            let pages: Vec<&[u8]> = out.iter().map(Vec::as_slice).collect();
            let s = t.sample(3.5, &pages).unwrap().unwrap();
            assert_eq!(s.rec_time_s, 3.5);
            assert_eq!(s.state, SimState::Live);
            assert_eq!(s.session.sim, sim.id());
            assert_eq!(s.session.key, "2");
            assert_eq!(s.session.session_type, "qualify");
            assert_eq!(s.session.track, "ksana_ring");
            assert_eq!(s.session.car, "ksana_gt3");
            assert_eq!(s.session.driver, "Ada Lovelace");
            assert_eq!(s.sim_time_s, Some(-1045.75));
            assert_eq!(s.completed_laps, Some(5));
            assert_eq!(s.current_lap_ms, Some(61_234.0));
            assert_eq!(s.last_lap_ms, Some(92_345.0));
            assert_eq!(s.lap_dist_pct, Some(0.648f32 as f64));
            assert_eq!(s.sector_index, Some(2));
            assert_eq!(s.sector_count, Some(3));
            assert_eq!(s.sim_split_ms, Some(58_200.0));
            assert!(s.lap_invalid);
            assert!(s.off_track);
            assert!(s.in_pit_lane && !s.in_pit_box);
            // The same session hands out the same Arc; a change makes a new one.
            let again = t.sample(3.6, &pages).unwrap().unwrap();
            assert!(std::sync::Arc::ptr_eq(&s.session, &again.session));
            w.session.index = 3;
            w.status = WorldStatus::Paused;
            let out = render(sim, &w);
            let pages: Vec<&[u8]> = out.iter().map(Vec::as_slice).collect();
            let s2 = t.sample(3.7, &pages).unwrap().unwrap();
            assert_eq!(s2.session.key, "3");
            assert_eq!(s2.state, SimState::Paused);
            // Short pages are errors.
            let short: Vec<&[u8]> = vec![&out[0][..799], &out[1], &out[2]];
            assert!(t.sample(4.0, &short).is_err());
            assert!(t.sample(4.0, &pages[..2]).is_err());
        }
        // Another member's pages are not ACC's.
        let ac_pages = crate::assetto::ac::Ac.fake().unwrap().pages();
        assert!(super::super::Acc.timing(&ac_pages).is_none());
    }
}
