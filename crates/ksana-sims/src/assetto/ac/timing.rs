//! Assetto Corsa's timing facts for the lap engine.
//!
//! - session key: AC has no session index or id; the key is empty, and a new session is seen
//!   by the engine from the type, track, car, driver and the clock going back.
//! - type: graphics `session`; track: static `track` plus `trackConfiguration` (AC's layouts,
//!   e.g. `ks_vallelunga/club_circuit`); car: static `carModel`; driver: `playerName` +
//!   `playerSurname`.
//! - session clock: `−sessionTimeLeft / 1000` s (as ACC: AC publishes no elapsed time; the
//!   negated time left rises while live and jumps back at a restart).
//! - split: AC's `lastSectorTime` is the time of the last sector alone (reference
//!   laps-and-analysis §5); the family adapter sums them within a lap into the cumulative
//!   split the sample carries.
//! - validity: AC has no lap-validity field, so `lap_invalid` stays false; off track: physics
//!   `numberOfTyresOut > 2`; pit lane: `isInPitLane || isInPit`; pit box: `isInPit`.

use super::layout::{Graphics, Physics, Static};
use crate::assetto::family::timing::{
    FrameFacts, Split, ac_session_type, count, finite, full_name, lap_time_ms, layout_err,
    track_with_layout,
};
use crate::assetto::page::View;
use crate::assetto::strings::utf16_z;
use crate::sim::SimError;

/// Reads AC's three pages into the family's facts.
pub(crate) fn facts(p: &[u8], g: &[u8], s: &[u8]) -> Result<FrameFacts, SimError> {
    let pv = View::<Physics>::new(p).map_err(|e| layout_err(super::FAMILY.physics.name, e))?;
    let gv = View::<Graphics>::new(g).map_err(|e| layout_err(super::FAMILY.graphics.name, e))?;
    let sv = View::<Static>::new(s).map_err(|e| layout_err(super::FAMILY.statics.name, e))?;
    let (p, g, s) = (pv.raw(), gv.raw(), sv.raw());
    Ok(FrameFacts {
        status: g.status,
        session_type: ac_session_type(g.session),
        key: String::new(),
        track: track_with_layout(&utf16_z(&s.track), &utf16_z(&s.track_configuration)),
        car: utf16_z(&s.car_model).trim().to_string(),
        driver: full_name(&utf16_z(&s.player_name), &utf16_z(&s.player_surname)),
        sim_time_s: finite(g.session_time_left).map(|ms| -ms / 1000.0),
        completed_laps: count(g.completed_laps),
        current_lap_ms: (g.i_current_time >= 0 && g.i_current_time != i32::MAX)
            .then_some(g.i_current_time as f64),
        last_lap_ms: lap_time_ms(g.i_last_time),
        lap_dist_pct: finite(g.normalized_car_position),
        sector_index: count(g.current_sector_index),
        sector_count: count(s.sector_count).filter(|&n| n > 0),
        split: Some(Split::PerSector(g.last_sector_time)),
        lap_invalid: false,
        off_track: p.number_of_tyres_out > 2,
        in_pit_lane: g.is_in_pit_lane != 0 || g.is_in_pit != 0,
        in_pit_box: g.is_in_pit != 0,
    })
}
