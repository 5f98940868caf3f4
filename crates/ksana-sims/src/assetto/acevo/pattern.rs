//! What `ksana simulate --sim acevo` publishes: every value a function of the page's packetId
//! (offsets from `shared/reference/layouts/acevo_*.tsv`), inside the ranges acevo-sdk's
//! decoder checks (reference §11.2), so a reader can check each copy.

use crate::assetto::family::Patterns;
use crate::assetto::family::pattern::{physics_800, put, put_bytes, put_f32, put_i32};

/// The stand-in's pages.
pub(super) const PATTERNS: Patterns = Patterns {
    physics: physics_800,
    graphics,
    statics,
};

/// Graphics updates per simulated lap (90 s at 60 Hz).
const LAP: i32 = 5400;

/// Graphics for packetId `g` (60 Hz): one car lapping in 90 s, live, green flag.
fn graphics(p: &mut [u8], g: i32) {
    let g0 = g.max(0);
    let laps = g0 / LAP;
    let in_lap = g0 % LAP;
    let rpm = 3000 + (g0 * 7) % 5000;
    put_i32(p, 0, g);
    put_i32(p, 4, 2); // status: AC_LIVE
    put(p, 8, &1u64.to_le_bytes()); // focused_car_id_a
    put(p, 24, &1u64.to_le_bytes()); // player_car_id_a
    put(p, 40, &(rpm as u16).to_le_bytes()); // rpm
    put(p, 49, &[1, 1]); // is_ignition_on, is_engine_running
    put(p, 58, &((80 + g0 % 200) as i16).to_le_bytes()); // display_speed_kmh
    put(p, 68, &((1 + (g0 / 100) % 6) as i16).to_le_bytes()); // gear_int
    put_f32(p, 72, rpm as f32 / 9000.0); // rpm_percent
    put_f32(p, 76, (g0 % 100) as f32 / 100.0); // gas_percent
    put_i32(p, 188, in_lap * 50 / 3); // current_lap_time_ms
    put_f32(p, 196, 60.0 - (g0 % 100_000) as f32 * 0.001); // fuel_liter_current_quantity
    put_f32(p, 1244, in_lap as f32 / LAP as f32); // npos
    put_i32(p, 1388, 4); // car_location: TRACK
    put_i32(p, 2384, laps); // total_lap_count
    put_i32(p, 2388, 1); // current_pos
    put_i32(p, 2392, 1); // total_drivers
    let last = if laps > 0 { 90_000 } else { -1 };
    put_i32(p, 2396, last); // last_laptime_ms
    put_i32(p, 2400, last); // best_laptime_ms
    put_i32(p, 2404, 2); // flag: GREEN
    put_i32(p, 2408, 2); // global_flag: GREEN
    put_i32(p, 2412, 6); // max_gears
    put_bytes(p, 3020, 33, "Ada"); // driver_name
    put_bytes(p, 3053, 33, "Lovelace"); // driver_surname
    put_bytes(p, 3086, 33, "Dallara EXP"); // car_model
    put(p, 3121, &[1]); // is_valid_lap
    put(p, 3852, &[1]); // active_cars
    put_f32(p, 3928, 100.0); // max_fuel
    put(p, 3940, &1u64.to_le_bytes()); // car_ids[0][0]
}

/// The static page: Monza GP, a race.
fn statics(p: &mut [u8]) {
    put_bytes(p, 0, 15, "1.0"); // sm_version
    put_bytes(p, 15, 15, "0.6.3"); // ac_evo_version
    put_i32(p, 32, 1); // session: AC_RACE
    put_bytes(p, 36, 33, "Race"); // session_name
    put_i32(p, 72, 2); // starting_grip: OPTIMUM
    put_f32(p, 76, 22.0); // starting_ambient_temperature_c
    put_f32(p, 80, 31.0); // starting_ground_temperature_c
    put(p, 85, &[1]); // is_timed_race
    put_i32(p, 88, 1); // number_of_sessions
    put_bytes(p, 92, 33, "Italy"); // nation
    put_f32(p, 128, 9.2811); // longitude
    put_f32(p, 132, 45.6156); // latitude
    put_bytes(p, 136, 33, "monza"); // track
    put_bytes(p, 169, 33, "gp"); // track_configuration
    put_f32(p, 204, 5793.0); // track_length_m
}
