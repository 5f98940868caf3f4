//! What the four AC-family fake-sim renderers share: the page list (the recorder's, so the
//! family publisher accepts the frames), the packetIds, which page each step changes, and the
//! unit conversions every member needs. Each sim's `fake.rs` fills its own structs.
//!
//! - **packetIds.** The family publisher writes the packetIds a frame carries (a recording's
//!   are published as recorded), so the renderer sets them: graphics +1 on every step (the
//!   status must reach readers also while paused or in the menu), physics +1 on every step
//!   while live or in a replay and unchanged while paused or in the menu, as the games' physics
//!   packetId "stops changing when the sim is paused, in menus" (reference §3.4). Both start
//!   at 1.
//! - **changed.** Physics and graphics on every step (the games update graphics per rendered
//!   frame, about 60 Hz; the fake renders it with every physics step so that a recording of
//!   it loses no timing detail), static on the first render and whenever the session, track,
//!   car or driver changes.

use ksana_format::PageSpec;
use ksana_synth::world::{SessionKind, WorldState, WorldStatus};

use super::Family;
use crate::sim::{FakeRenderer, SimError};

/// The packetIds of one rendered step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PacketIds {
    /// Physics packetId.
    pub physics: i32,
    /// Graphics packetId.
    pub graphics: i32,
}

/// Fills a member's physics, graphics and static pages (each zeroed, at least its struct long)
/// for one world state.
pub type RenderFn = fn(&WorldState, PacketIds, &mut [u8], &mut [u8], &mut [u8]);

/// The fake renderer of a family member.
pub struct FamilyFake {
    fam: Family,
    render: RenderFn,
    ids: PacketIds,
    /// What the static page was last rendered for; `None` before the first render.
    static_for: Option<StaticKey>,
}

/// The world facts the static page depends on.
#[derive(Clone, Debug, PartialEq)]
struct StaticKey {
    index: u32,
    kind: SessionKind,
    track: String,
    car: String,
    driver: String,
}

impl StaticKey {
    fn of(w: &WorldState) -> StaticKey {
        StaticKey {
            index: w.session.index,
            kind: w.session.kind,
            track: w.session.track_id.clone(),
            car: w.session.car_id.clone(),
            driver: w.session.driver_name.clone(),
        }
    }
}

impl FamilyFake {
    /// A renderer of `fam`'s pages with `render`.
    pub fn new(fam: &Family, render: RenderFn) -> FamilyFake {
        FamilyFake {
            fam: *fam,
            render,
            ids: PacketIds::default(),
            static_for: None,
        }
    }
}

impl FakeRenderer for FamilyFake {
    fn pages(&self) -> Vec<PageSpec> {
        self.fam
            .pages()
            .into_iter()
            .map(|d| d.spec(d.capture))
            .collect()
    }

    fn render(
        &mut self,
        world: &WorldState,
        out: &mut [Vec<u8>],
        changed: &mut [bool],
    ) -> Result<(), SimError> {
        let defs = self.fam.pages();
        let (n_out, n_changed) = (out.len(), changed.len());
        let ([p, g, s], [c_p, c_g, c_s]) = (out, changed) else {
            return Err(SimError::Layout {
                page: self.fam.physics.name.into(),
                detail: format!(
                    "the renderer writes 3 pages, given {n_out} buffers and {n_changed} change flags"
                ),
            });
        };
        let first = self.static_for.is_none();
        self.ids.graphics = self.ids.graphics.wrapping_add(1);
        if first || matches!(world.status, WorldStatus::Live | WorldStatus::Replay) {
            self.ids.physics = self.ids.physics.wrapping_add(1);
        }
        for (buf, def) in [&mut *p, &mut *g, &mut *s].into_iter().zip(defs) {
            buf.clear();
            buf.resize(def.capture, 0);
        }
        (self.render)(world, self.ids, p, g, s);
        let key = StaticKey::of(world);
        *c_p = true;
        *c_g = true;
        *c_s = self.static_for.as_ref() != Some(&key);
        self.static_for = Some(key);
        Ok(())
    }

    /// 333 Hz: the physics step of AC, ACC, AC Rally and AC Evo (reference §3.1, §4.3).
    fn nominal_rate_hz(&self) -> f64 {
        333.0
    }
}

/// Graphics `status` for the world's: menu `AC_OFF` 0, replay 1, live 2, paused 3.
pub fn status_code(s: WorldStatus) -> i32 {
    match s {
        WorldStatus::Menu => 0,
        WorldStatus::Replay => 1,
        WorldStatus::Live => 2,
        WorldStatus::Paused => 3,
    }
}

/// AC / ACC `session` code (`AC_SESSION_TYPE`).
pub fn ac_session_code(k: SessionKind) -> i32 {
    match k {
        SessionKind::Practice => 0,
        SessionKind::Qualify => 1,
        SessionKind::Race => 2,
        SessionKind::Hotlap => 3,
    }
}

/// Physics `gear` (0 = R, 1 = N, 2 = first) from the world's (−1 R, 0 N, 1.. forward).
pub fn physics_gear(gear: i32) -> i32 {
    gear.saturating_add(1).max(0)
}

/// Milliseconds as the pages' `int`, rounded.
pub fn ms_i32(ms: f64) -> i32 {
    ms.round().clamp(i32::MIN as f64, i32::MAX as f64) as i32
}

/// A lap time as the games print it into the `*Time` strings, `m:ss.mmm` (negative values
/// print as 0).
pub fn lap_text(ms: i32) -> String {
    let ms = ms.max(0);
    format!("{}:{:02}.{:03}", ms / 60_000, (ms / 1000) % 60, ms % 1000)
}

/// The world's driver name split into the pages' first name and surname (at the first space).
pub fn split_name(full: &str) -> (&str, &str) {
    let full = full.trim();
    match full.split_once(' ') {
        Some((a, b)) => (a, b.trim()),
        None => (full, ""),
    }
}

/// Steering lock the fake's wheel turns to, radians each way (a 540° wheel): AC's and ACC's
/// `steerAngle` is the input from −1 to 1.
pub const STEER_LOCK_RAD: f64 = 3.0 * std::f64::consts::PI / 2.0;

/// Normalised steering input, −1..1.
pub fn steer_input(steer_rad: f64) -> f32 {
    (steer_rad / STEER_LOCK_RAD).clamp(-1.0, 1.0) as f32
}

/// Standard gravity, m/s², for `accG`.
pub const G: f64 = 9.806_65;

/// World velocity (x east, y up, z north) of a car heading `heading` (0 = north, clockwise)
/// at `speed` m/s.
pub fn world_velocity(speed: f64, heading: f64) -> [f32; 3] {
    [
        (speed * heading.sin()) as f32,
        0.0,
        (speed * heading.cos()) as f32,
    ]
}

/// Copies `v`'s bytes to the start of `dst` (which the caller sized to at least the struct).
pub fn put_struct(dst: &mut [u8], v: &[u8]) {
    let n = v.len().min(dst.len());
    dst[..n].copy_from_slice(&v[..n]);
}

/// Time of day the fake's sessions start at, seconds after midnight (ACC graphics `Clock`).
pub const START_CLOCK_S: f64 = 14.0 * 3600.0;

/// A hand-built world state for the renderers' tests: every value distinct, so that a field
/// rendered into the wrong member shows.
#[cfg(test)]
pub(crate) fn test_world(status: WorldStatus) -> WorldState {
    use ksana_synth::world::{CarState, TimingState, WorldSession};
    WorldState {
        step: 41,
        time_s: 12.5,
        status,
        session: WorldSession {
            index: 2,
            kind: SessionKind::Qualify,
            elapsed_s: 754.25,
            time_left_s: 1045.75,
            track_id: "ksana_ring".into(),
            track_name: "Ksana Ring".into(),
            track_length_m: 4321.0,
            sector_starts: vec![0.0, 0.31, 0.67],
            car_id: "ksana_gt3".into(),
            car_name: "Ksana GT3".into(),
            driver_name: "Ada Lovelace".into(),
        },
        car: CarState {
            speed_ms: 50.0,
            throttle: 0.75,
            brake: 0.125,
            clutch: 0.25,
            steer_rad: -0.5,
            gear: 4,
            rpm: 7123.0,
            max_rpm: 8500.0,
            fuel_l: 61.5,
            fuel_max_l: 120.0,
            pos: [101.5, 3.25, -220.75],
            heading_rad: 0.5,
            accel_long: 4.903_325,
            accel_lat: -9.806_65,
            yaw_rate: 0.2,
            wheel_speed: [150.0, 151.0, 152.0, 153.0],
            tyre_temp: [81.0, 82.0, 83.0, 84.0],
            tyre_pressure: [27.1, 27.2, 27.3, 27.4],
            brake_temp: [401.0, 402.0, 403.0, 404.0],
            water_temp: 91.0,
            oil_temp: 104.5,
            air_temp: 22.0,
            road_temp: 31.0,
            tyres_out: 3,
        },
        timing: TimingState {
            completed_laps: 5,
            current_lap_ms: 61_234.4,
            last_lap_ms: Some(92_345.0),
            best_lap_ms: Some(91_002.0),
            sector_index: 2,
            last_sector_ms: Some(30_100.0),
            last_split_ms: Some(58_200.0),
            lap_valid: false,
            lap_dist_m: 2800.0,
            lap_dist_pct: 0.648,
            in_pit_lane: true,
            in_pit_box: false,
            off_track: true,
            incidents: 1,
            position: 3,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(physics_gear(-1), 0);
        assert_eq!(physics_gear(0), 1);
        assert_eq!(physics_gear(1), 2);
        assert_eq!(physics_gear(6), 7);
        assert_eq!(lap_text(83_456), "1:23.456");
        assert_eq!(lap_text(0), "0:00.000");
        assert_eq!(lap_text(605_001), "10:05.001");
        assert_eq!(split_name("Ada Lovelace"), ("Ada", "Lovelace"));
        assert_eq!(split_name("Ksana"), ("Ksana", ""));
        assert_eq!(ms_i32(1234.6), 1235);
        assert_eq!(steer_input(STEER_LOCK_RAD * 2.0), 1.0);
        assert_eq!(status_code(WorldStatus::Menu), 0);
        assert_eq!(status_code(WorldStatus::Paused), 3);
    }

    /// The fake world's demo and off-track scenarios, every step rendered as each member and read back by
    /// the member's own timing source: every sample equals the world's timing.
    #[test]
    fn a_world_rendered_and_read_back_gives_the_worlds_timing() {
        use ksana_laps::SimState;
        use ksana_synth::world::{Scenario, World};

        use crate::assetto::{ac::Ac, acc::Acc, acevo::AcEvo, acrally::AcRally};
        use crate::sim::Sim;

        let sims: [&dyn Sim; 4] = [&Acc, &Ac, &AcRally, &AcEvo];
        let runs = sims
            .iter()
            .flat_map(|s| [(*s, Scenario::Demo), (*s, Scenario::Offtrack)]);
        for (sim, scenario) in runs {
            let mut world = World::new(scenario, 1);
            let mut fake = sim.fake().unwrap();
            let mut timing = sim.timing(&fake.pages()).unwrap();
            let mut out = vec![Vec::new(); 3];
            let mut changed = [false; 3];
            let (mut laps_seen, mut splits_seen, mut steps) = (0u32, 0u32, 0u32);
            let (mut invalid_seen, mut pit_seen, mut off_seen) = (false, false, false);
            while !world.finished() && steps < 60_000 {
                let w = world.step(1.0 / 60.0).clone();
                steps += 1;
                fake.render(&w, &mut out, &mut changed).unwrap();
                let pages: Vec<&[u8]> = out.iter().map(Vec::as_slice).collect();
                let s = timing.sample(w.time_s, &pages).unwrap().unwrap();
                let t = &w.timing;
                let ctx = format!("{} {scenario:?} step {steps}: {s:?}\nworld {t:?}", sim.id());
                let state = match w.status {
                    WorldStatus::Menu => SimState::Off,
                    WorldStatus::Live => SimState::Live,
                    WorldStatus::Paused => SimState::Paused,
                    WorldStatus::Replay => SimState::Replay,
                };
                assert_eq!(s.state, state, "{ctx}");
                assert_eq!(s.session.track, w.session.track_id, "{ctx}");
                assert_eq!(s.session.car, w.session.car_id, "{ctx}");
                assert_eq!(s.session.driver, w.session.driver_name, "{ctx}");
                assert_eq!(s.completed_laps, Some(t.completed_laps), "{ctx}");
                assert_eq!(s.current_lap_ms, Some(t.current_lap_ms.round()), "{ctx}");
                assert_eq!(s.last_lap_ms, t.last_lap_ms.map(f64::round), "{ctx}");
                assert_eq!(s.lap_dist_pct, Some(t.lap_dist_pct as f32 as f64), "{ctx}");
                let clock = -((w.session.time_left_s * 1000.0) as f32 as f64) / 1000.0;
                assert!((s.sim_time_s.unwrap() - clock).abs() < 1e-3, "{ctx}");
                assert_eq!(s.in_pit_box, t.in_pit_box, "{ctx}");
                assert_eq!(s.in_pit_lane, t.in_pit_lane || t.in_pit_box, "{ctx}");
                assert_eq!(s.off_track, w.car.tyres_out > 2, "{ctx}");
                if sim.id() == "acevo" {
                    let kind = match w.session.kind {
                        SessionKind::Practice => "practice",
                        SessionKind::Race => "race",
                        SessionKind::Qualify | SessionKind::Hotlap => "time_attack",
                    };
                    assert_eq!(s.session.session_type, kind, "{ctx}");
                    assert_eq!((s.sector_index, s.sim_split_ms), (None, None), "{ctx}");
                    assert_eq!(s.lap_invalid, !t.lap_valid, "{ctx}");
                } else {
                    assert_eq!(s.session.session_type, w.session.kind.name(), "{ctx}");
                    assert_eq!(
                        s.session.key,
                        if sim.id() == "ac" {
                            String::new()
                        } else {
                            w.session.index.to_string()
                        },
                        "{ctx}"
                    );
                    assert_eq!(s.sector_index, Some(t.sector_index), "{ctx}");
                    assert_eq!(
                        s.sector_count,
                        Some(w.session.sector_starts.len() as u32),
                        "{ctx}"
                    );
                    assert_eq!(s.lap_invalid, sim.id() != "ac" && !t.lap_valid, "{ctx}");
                    // The cumulative split: ACC's as published, AC's summed from its sectors
                    // (each rounded to the ms, so the sum may be off by a ms per sector).
                    match (s.sim_split_ms, t.last_split_ms) {
                        (Some(a), Some(b)) if t.sector_index > 0 => {
                            assert!((a - b).abs() <= 2.0, "{ctx}");
                            splits_seen += 1;
                        }
                        (None, _) => {}
                        (a, b) if t.sector_index == 0 => {
                            // At the line: ACC still shows the last split of the lap before
                            // until the first sector ends; AC's sum starts again.
                            let _ = (a, b);
                        }
                        other => panic!("split {other:?}: {ctx}"),
                    }
                }
                laps_seen = laps_seen.max(t.completed_laps);
                invalid_seen |= s.lap_invalid;
                pit_seen |= s.in_pit_box;
                off_seen |= s.state == SimState::Off;
            }
            assert!(
                laps_seen >= 2,
                "{} {scenario:?}: {laps_seen} laps",
                sim.id()
            );
            let name = format!("{} {scenario:?}", sim.id());
            assert!(pit_seen, "{name}: the car starts in its box");
            if scenario == Scenario::Demo {
                assert!(off_seen, "{name}: the demo ends in the menu");
            } else {
                assert_eq!(invalid_seen, sim.id() != "ac", "{name}: an invalid lap");
            }
            if sim.id() != "acevo" {
                assert!(
                    splits_seen > 100,
                    "{} {scenario:?}: {splits_seen} splits",
                    sim.id()
                );
            }
        }
    }

    fn fill(w: &WorldState, ids: PacketIds, p: &mut [u8], g: &mut [u8], _s: &mut [u8]) {
        p[..4].copy_from_slice(&ids.physics.to_le_bytes());
        g[..4].copy_from_slice(&ids.graphics.to_le_bytes());
        g[4..8].copy_from_slice(&status_code(w.status).to_le_bytes());
    }

    #[test]
    fn ids_and_change_flags_follow_the_world() {
        let mut f = FamilyFake::new(&crate::assetto::acc::FAMILY, fill);
        let mut out = vec![Vec::new(); 3];
        let mut changed = vec![false; 3];
        let mut w = test_world(WorldStatus::Live);
        let id = |b: &[u8]| i32::from_le_bytes(b[..4].try_into().unwrap());
        f.render(&w, &mut out, &mut changed).unwrap();
        assert_eq!(changed, [true, true, true]);
        assert_eq!((id(&out[0]), id(&out[1])), (1, 1));
        assert_eq!(
            out.iter().map(Vec::len).collect::<Vec<_>>(),
            [4096, 4096, 4096]
        );
        f.render(&w, &mut out, &mut changed).unwrap();
        assert_eq!(changed, [true, true, false]);
        assert_eq!((id(&out[0]), id(&out[1])), (2, 2));
        // Paused and in the menu: physics' packetId stands still, graphics' moves on.
        w.status = WorldStatus::Paused;
        f.render(&w, &mut out, &mut changed).unwrap();
        assert_eq!((id(&out[0]), id(&out[1])), (2, 3));
        w.status = WorldStatus::Menu;
        f.render(&w, &mut out, &mut changed).unwrap();
        assert_eq!((id(&out[0]), id(&out[1])), (2, 4));
        assert_eq!(i32::from_le_bytes(out[1][4..8].try_into().unwrap()), 0);
        w.status = WorldStatus::Live;
        f.render(&w, &mut out, &mut changed).unwrap();
        assert_eq!((id(&out[0]), id(&out[1])), (3, 5));
        assert!(!changed[2]);
        // A new session (or track, car, driver) rewrites the static page.
        w.session.index += 1;
        f.render(&w, &mut out, &mut changed).unwrap();
        assert!(changed[2]);
        w.session.car_id = "other".into();
        f.render(&w, &mut out, &mut changed).unwrap();
        assert!(changed[2]);
        // Wrong buffer counts are an error, not a panic.
        let mut two = vec![Vec::new(); 2];
        assert!(f.render(&w, &mut two, &mut changed).is_err());
        assert!(f.render(&w, &mut out, &mut [false; 2]).is_err());
    }
}
