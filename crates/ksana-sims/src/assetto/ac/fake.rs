//! The fake sim as Assetto Corsa (SM 1.7): the world rendered into AC's physics, graphics and
//! static structs.
//!
//! Conventions: `lastSectorTime` is the time of the last sector alone (AC's); `iLastTime` /
//! `iBestTime` are 0 before the first lap, the `*Time` strings `m:ss.mmm`; `sessionTimeLeft`
//! in ms; the track has no layout (`trackConfiguration` empty).

use bytemuck::Zeroable;
use ksana_synth::world::WorldState;

use super::layout::{Graphics, Physics, Static};
use crate::assetto::family::fake::{
    G, PacketIds, ac_session_code, lap_text, ms_i32, physics_gear, put_struct, split_name,
    status_code, steer_input, world_velocity,
};
use crate::assetto::page::Page;
use crate::assetto::strings::write_utf16_z;

/// AC's pages for `w`.
pub(crate) fn render(w: &WorldState, ids: PacketIds, p: &mut [u8], g: &mut [u8], s: &mut [u8]) {
    put_struct(p, physics(w, ids.physics).as_bytes());
    put_struct(g, graphics(w, ids.graphics).as_bytes());
    put_struct(s, statics(w).as_bytes());
}

fn f4(v: [f64; 4]) -> [f32; 4] {
    v.map(|x| x as f32)
}

fn physics(w: &WorldState, id: i32) -> Physics {
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
    p.wheel_angular_speed = f4(c.wheel_speed);
    p.wheels_pressure = f4(c.tyre_pressure);
    p.tyre_core_temperature = f4(c.tyre_temp);
    p.tyre_temp_i = f4(c.tyre_temp);
    p.tyre_temp_m = f4(c.tyre_temp);
    p.tyre_temp_o = f4(c.tyre_temp);
    p.brake_temp = f4(c.brake_temp);
    p.heading = c.heading_rad as f32;
    p.number_of_tyres_out = c.tyres_out as i32;
    p.pit_limiter_on = w.timing.in_pit_lane as i32;
    p.air_temp = c.air_temp as f32;
    p.road_temp = c.road_temp as f32;
    p.wheel_load = [4000.0; 4];
    p.brake_bias = 0.57;
    p
}

fn graphics(w: &WorldState, id: i32) -> Graphics {
    let t = &w.timing;
    let s = &w.session;
    let current = ms_i32(t.current_lap_ms);
    let last = t.last_lap_ms.map_or(0, ms_i32);
    let best = t.best_lap_ms.map_or(0, ms_i32);
    let sector = t.last_sector_ms.map_or(0, ms_i32);
    let mut g: Graphics = Zeroable::zeroed();
    g.packet_id = id;
    g.status = status_code(w.status);
    g.session = ac_session_code(s.kind);
    write_utf16_z(&mut g.current_time, &lap_text(current));
    write_utf16_z(&mut g.last_time, &lap_text(last));
    write_utf16_z(&mut g.best_time, &lap_text(best));
    write_utf16_z(&mut g.split, &lap_text(t.last_split_ms.map_or(0, ms_i32)));
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
    g.last_sector_time = sector;
    write_utf16_z(&mut g.tyre_compound, "Semislicks (SM)");
    g.normalized_car_position = t.lap_dist_pct as f32;
    g.car_coordinates = w.car.pos.map(|x| x as f32);
    g.surface_grip = 1.0;
    g
}

fn statics(w: &WorldState) -> Static {
    let s = &w.session;
    let (name, surname) = split_name(&s.driver_name);
    let mut st: Static = Zeroable::zeroed();
    write_utf16_z(&mut st.sm_version, "1.7");
    write_utf16_z(&mut st.ac_version, "1.16");
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
    st
}

#[cfg(test)]
mod tests {
    use ksana_laps::SimState;
    use ksana_synth::world::{WorldState, WorldStatus};

    use super::super::view::{GraphicsView, PhysicsView, StaticView};
    use crate::assetto::enums::{Gear, SessionType, Status};
    use crate::assetto::family::fake::test_world;
    use crate::sim::{FakeRenderer, Sim};

    fn render(f: &mut dyn FakeRenderer, w: &WorldState) -> Vec<Vec<u8>> {
        let mut out = vec![Vec::new(); 3];
        f.render(w, &mut out, &mut [false; 3]).unwrap();
        out
    }

    #[test]
    fn pages_read_back_through_the_views() {
        let f = super::super::Ac.fake().unwrap();
        let got: Vec<_> = f
            .pages()
            .iter()
            .map(|p| (p.name.clone(), p.size, p.layout.clone()))
            .collect();
        let want: Vec<_> = ["physics", "graphics", "static"]
            .iter()
            .map(|k| (format!("Local\\acpmf_{k}"), 4096, format!("ac/{k}")))
            .collect();
        assert_eq!(got, want);
        let mut f = f;
        let w = test_world(WorldStatus::Replay);
        let out = render(f.as_mut(), &w);
        let p = PhysicsView::new(&out[0]).unwrap();
        assert_eq!(p.packet_id(), 1);
        assert_eq!((p.gas(), p.brake(), p.clutch()), (0.75, 0.125, 0.25));
        assert_eq!(p.gear(), Gear::Forward(4));
        assert_eq!(p.rpm(), 7123);
        assert_eq!(p.speed_kmh(), 180.0);
        assert_eq!(p.acc_g(), [-1.0, 0.0, 0.5]);
        assert_eq!(p.tyre_core_temps(), [81.0, 82.0, 83.0, 84.0]);
        assert_eq!(p.tyre_pressures(), [27.1, 27.2, 27.3, 27.4]);
        assert_eq!(p.brake_temps(), [401.0, 402.0, 403.0, 404.0]);
        assert_eq!(p.wheel_angular_speed(), [150.0, 151.0, 152.0, 153.0]);
        assert_eq!(p.number_of_tyres_out(), 3);
        assert_eq!(p.fuel(), 61.5);
        let g = GraphicsView::new(&out[1]).unwrap();
        assert_eq!(g.status(), Status::Replay);
        assert_eq!(g.session_type(), SessionType::Qualify);
        assert_eq!(g.completed_laps(), 5);
        assert_eq!(g.current_lap_time_ms(), 61_234);
        assert_eq!(g.last_lap_time_ms(), 92_345);
        assert_eq!(g.last_time_text(), "1:32.345");
        assert_eq!(g.current_sector_index(), 2);
        assert_eq!(g.last_sector_time_ms(), 30_100, "AC: the sector's own time");
        assert_eq!(g.normalized_car_position(), 0.648);
        assert_eq!(g.session_time_left(), 1_045_750.0);
        assert!(g.is_in_pit_lane() && !g.is_in_pit());
        assert_eq!(g.car_coordinates(), [101.5, 3.25, -220.75]);
        let s = StaticView::new(&out[2]).unwrap();
        assert_eq!(s.sm_version(), "1.7");
        assert_eq!(s.track(), "ksana_ring");
        assert_eq!(s.car_model(), "ksana_gt3");
        assert_eq!(s.player_name(), "Ada");
        assert_eq!(s.player_surname(), "Lovelace");
        assert_eq!(s.sector_count(), 3);
        assert_eq!(s.max_rpm(), 8500);
    }

    #[test]
    fn timing_sums_sector_times_into_splits() {
        let sim = super::super::Ac;
        let mut f = sim.fake().unwrap();
        let mut t = sim.timing(&f.pages()).unwrap();
        let mut w = test_world(WorldStatus::Live);
        let mut sample = |w: &WorldState| {
            let out = render(f.as_mut(), w);
            let pages: Vec<&[u8]> = out.iter().map(Vec::as_slice).collect();
            t.sample(0.0, &pages).unwrap().unwrap()
        };
        // Lap 6 from its start: sector 0, then S1 = 30 s, then S2 = 31.5 s.
        w.timing.completed_laps = 6;
        w.timing.sector_index = 0;
        w.timing.last_sector_ms = Some(29_000.0);
        let s = sample(&w);
        assert_eq!(s.sim_split_ms, None);
        assert_eq!(s.state, SimState::Live);
        assert_eq!(s.session.key, "");
        assert_eq!(s.session.track, "ksana_ring");
        assert_eq!(s.session.driver, "Ada Lovelace");
        assert!(!s.lap_invalid, "AC has no validity field");
        assert!(s.off_track);
        assert_eq!(s.sector_count, Some(3));
        w.timing.sector_index = 1;
        w.timing.last_sector_ms = Some(30_000.0);
        assert_eq!(sample(&w).sim_split_ms, Some(30_000.0));
        assert_eq!(sample(&w).sim_split_ms, Some(30_000.0));
        w.timing.sector_index = 2;
        w.timing.last_sector_ms = Some(31_500.0);
        let s = sample(&w);
        assert_eq!(s.sim_split_ms, Some(61_500.0));
        assert_eq!(s.sector_index, Some(2));
        w.timing.completed_laps = 7;
        w.timing.sector_index = 0;
        assert_eq!(sample(&w).sim_split_ms, None);
    }
}
