//! AC Evo's timing facts for the lap engine.
//!
//! - session key: static `event_id` / `session_id` (`"3/1"`); type: static `session`
//!   (`ACEVO_SESSION_TYPE`: time attack, race, hot stint; cruise, free driving, is taken as
//!   `practice`); track: static `track` plus `track_configuration`; car and driver: graphics
//!   `car_model`, `driver_name` + `driver_surname` (Evo's static page has neither).
//! - session clock: `−session_state.time_left_ms / 1000` s: Evo's session time as it publishes
//!   it, counting down; negated it rises while live and jumps back at a restart.
//! - laps: `total_lap_count`, `current_lap_time_ms`, `last_laptime_ms` (none when ≤ 0 or
//!   `i32::MAX`), `npos`. Evo publishes no sector index, count or time.
//! - validity: `!is_valid_lap || timing_state.is_invalid`; off track: physics
//!   `numberOfTyresOut > 2`; pit lane: `is_in_pit_lane || is_in_pit_box`; pit box:
//!   `is_in_pit_box`.

use super::layout::{Graphics, Physics, Static};
use crate::assetto::family::timing::{
    FrameFacts, count, finite, full_name, lap_time_ms, layout_err, track_with_layout,
};
use crate::assetto::page::View;
use crate::assetto::strings::utf8_z;
use crate::sim::SimError;

/// `ACEVO_SESSION_TYPE` normalised.
pub(crate) fn session_type(code: i32) -> &'static str {
    match code {
        0 => "time_attack",
        1 => "race",
        2 => "hotstint",
        3 => "practice",
        _ => "unknown",
    }
}

/// Reads Evo's three pages into the family's facts.
pub(crate) fn facts(p: &[u8], g: &[u8], s: &[u8]) -> Result<FrameFacts, SimError> {
    let pv = View::<Physics>::new(p).map_err(|e| layout_err(super::FAMILY.physics.name, e))?;
    let gv = View::<Graphics>::new(g).map_err(|e| layout_err(super::FAMILY.graphics.name, e))?;
    let sv = View::<Static>::new(s).map_err(|e| layout_err(super::FAMILY.statics.name, e))?;
    let (p, g, s) = (pv.raw(), gv.raw(), sv.raw());
    let current = g.current_lap_time_ms;
    let session = g.session_state;
    let timing = g.timing_state;
    Ok(FrameFacts {
        status: g.status,
        session_type: session_type(s.session),
        key: format!("{}/{}", s.event_id, s.session_id),
        track: track_with_layout(&utf8_z(&s.track), &utf8_z(&s.track_configuration)),
        car: utf8_z(&{ g.car_model }).trim().to_string(),
        driver: full_name(&utf8_z(&{ g.driver_name }), &utf8_z(&{ g.driver_surname })),
        sim_time_s: Some(-(session.time_left_ms as f64) / 1000.0),
        completed_laps: count(g.total_lap_count),
        current_lap_ms: (current >= 0 && current != i32::MAX).then_some(current as f64),
        last_lap_ms: lap_time_ms(g.last_laptime_ms),
        lap_dist_pct: finite(g.npos),
        sector_index: None,
        sector_count: None,
        split: None,
        lap_invalid: g.is_valid_lap == 0 || timing.is_invalid != 0,
        off_track: p.number_of_tyres_out > 2,
        in_pit_lane: g.is_in_pit_lane != 0 || g.is_in_pit_box != 0,
        in_pit_box: g.is_in_pit_box != 0,
    })
}
