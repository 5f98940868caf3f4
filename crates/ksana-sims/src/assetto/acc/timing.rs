//! ACC's (and AC Rally's, whose pages are ACC's) timing facts for the lap engine.
//!
//! - session key: graphics `sessionIndex`; type: graphics `session`; track: static `track`
//!   (plus `trackConfiguration` when not empty); car: static `carModel`; driver: static
//!   `playerName` + `playerSurname`.
//! - session clock: `−sessionTimeLeft / 1000` s. ACC publishes no elapsed session time; the
//!   time left counts down while live, stands still while paused and jumps up at a restart,
//!   so its negation rises and jumps back, as the engine's clock must.
//! - split: `lastSectorTime`, the cumulative split from the lap start (reported; reference
//!   laps-and-analysis §5), as is.
//! - validity: `isValidLap == 0`; off track: physics `numberOfTyresOut > 2` (the car counts as
//!   off when at most one wheel is on the surface, ACC's own track-limits rule of thumb);
//!   pit lane: `isInPitLane || isInPit`; pit box: `isInPit`.

use super::layout::{Graphics, Physics, Static};
use crate::assetto::family::timing::{
    FrameFacts, Split, ac_session_type, count, finite, full_name, lap_time_ms, layout_err,
    track_with_layout,
};
use crate::assetto::page::View;
use crate::assetto::strings::utf16_z;
use crate::sim::SimError;

/// Reads ACC's three pages into the family's facts.
pub(crate) fn facts(p: &[u8], g: &[u8], s: &[u8]) -> Result<FrameFacts, SimError> {
    let pv = View::<Physics>::new(p).map_err(|e| layout_err(super::PHYSICS_NAME, e))?;
    let gv = View::<Graphics>::new(g).map_err(|e| layout_err(super::GRAPHICS_NAME, e))?;
    let sv = View::<Static>::new(s).map_err(|e| layout_err(super::STATIC_NAME, e))?;
    let (p, g, s) = (pv.raw(), gv.raw(), sv.raw());
    Ok(FrameFacts {
        status: g.status,
        session_type: ac_session_type(g.session),
        key: g.session_index.to_string(),
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
        split: Some(Split::Cumulative(g.last_sector_time)),
        lap_invalid: g.is_valid_lap == 0,
        off_track: p.number_of_tyres_out > 2,
        in_pit_lane: g.is_in_pit_lane != 0 || g.is_in_pit != 0,
        in_pit_box: g.is_in_pit != 0,
    })
}
