//! The car's motion along the lap: speed limited by the track's curvature profile, engine
//! traction and braking, the pit lane (speed limit, box stop) and off-track excursions.
//!
//! Position is one unwrapped lap coordinate `d` (metres since the start/finish line of the
//! session's lap 0), so lap `n` (1-based) runs over `[(n-1)·L, n·L)`. Each call is split into
//! equal sub-steps of at most [`MAX_SUBSTEP_S`], so a caller's 0.1 s step drives the same way as
//! a 1 ms step (within a few ms per lap).

use crate::rng::SplitMix64;
use crate::track::{Track, accel_limit};

/// Longest integration step, seconds.
pub(crate) const MAX_SUBSTEP_S: f64 = 0.0025;
/// Pit lane speed limit, m/s (80 km/h).
pub(crate) const PIT_LIMIT_MS: f64 = 80.0 / 3.6;
/// Pit entry, box and exit, as fractions of the lap.
pub(crate) const PIT_ENTRY: f64 = 0.955;
/// See [`PIT_ENTRY`].
pub(crate) const PIT_BOX: f64 = 0.015;
/// See [`PIT_ENTRY`].
pub(crate) const PIT_EXIT: f64 = 0.06;
/// Mean pace, fraction of the ideal speed profile, and its per-lap spread (±).
const PACE: f64 = 0.985;
const PACE_SPREAD: f64 = 0.005;
/// Hardest deceleration the driver uses to follow the profile, m/s².
const BRAKE_MAX: f64 = 20.0;
/// Deceleration for pit entry and the box stop, m/s².
const BRAKE_PIT: f64 = 10.0;
const BRAKE_BOX: f64 = 6.0;
/// Speed factor while off the track (runs wide on the grass).
const OFF_TRACK_PACE: f64 = 0.8;
/// Seconds the car stands in the box at the start of a session before it drives out.
const START_WAIT_S: f64 = 1.0;

/// Where the car is, as far as the pit lane is concerned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Mode {
    /// On the track.
    Track,
    /// In the pit lane, heading for the box (at unwrapped coordinate `box_d`).
    PitIn { box_d: f64 },
    /// Standing in the box until session time `until` (`None`: until told).
    Box { until: Option<f64> },
    /// Leaving the pit lane; back on the track at `exit_d`.
    PitOut { exit_d: f64 },
}

/// The driven motion.
#[derive(Clone, Debug)]
pub(crate) struct Driver {
    /// Unwrapped lap coordinate, metres.
    pub(crate) d: f64,
    /// Speed, m/s.
    pub(crate) v: f64,
    /// Pit lane state.
    pub(crate) mode: Mode,
    /// Off the track now.
    pub(crate) off_track: bool,
    /// Planned pit stop this lap: the stop length (`Some(None)`: hold in the box).
    pit_plan: Option<Option<f64>>,
    /// The pit entry happened since the last line crossing.
    pub(crate) entered_pit: bool,
    pace: f64,
    rng: SplitMix64,
    length: f64,
}

impl Driver {
    /// A car standing in its box at the start of a session (session time `now`).
    pub(crate) fn new_in_box(track: &Track, seed: u64, now: f64) -> Driver {
        let mut rng = SplitMix64::new(seed ^ 0x6B73_616E_615F_7731);
        let pace = draw_pace(&mut rng);
        Driver {
            d: PIT_BOX * track.length,
            v: 0.0,
            mode: Mode::Box {
                until: Some(now + START_WAIT_S),
            },
            off_track: false,
            pit_plan: None,
            entered_pit: false,
            pace,
            rng,
            length: track.length,
        }
    }

    /// Back in the box (a restart or a new session): lap coordinate and pit state reset, the
    /// pace generator keeps running.
    pub(crate) fn reset_to_box(&mut self, now: f64) {
        self.d = PIT_BOX * self.length;
        self.v = 0.0;
        self.mode = Mode::Box {
            until: Some(now + START_WAIT_S),
        };
        self.off_track = false;
        self.pit_plan = None;
        self.entered_pit = false;
    }

    /// Current lap number, 1-based.
    pub(crate) fn lap(&self) -> u32 {
        (self.d / self.length).floor().max(0.0) as u32 + 1
    }

    /// Fraction of the current lap, `[0, 1)`.
    pub(crate) fn pct(&self) -> f64 {
        (self.d / self.length).rem_euclid(1.0)
    }

    /// In the pit lane (box included).
    pub(crate) fn in_pit_lane(&self) -> bool {
        self.mode != Mode::Track
    }

    /// Standing in the box.
    pub(crate) fn in_box(&self) -> bool {
        matches!(self.mode, Mode::Box { .. })
    }

    /// Plan a pit stop at the end of this lap.
    pub(crate) fn plan_pit(&mut self, stop_s: Option<f64>) {
        self.pit_plan = Some(stop_s);
    }

    /// Seconds to the line at the current speed (infinite when standing).
    pub(crate) fn secs_to_line(&self) -> f64 {
        let rest = self.length - self.pct() * self.length;
        if self.v > 0.1 {
            rest / self.v
        } else {
            f64::INFINITY
        }
    }

    /// The speed the driver aims for at coordinate `d`.
    fn target(&self, track: &Track, d: f64) -> f64 {
        let l = self.length;
        match self.mode {
            Mode::Track => {
                let mut v = track.speed(d) * self.pace;
                if self.off_track {
                    v *= OFF_TRACK_PACE;
                }
                if self.pit_plan.is_some() {
                    let entry = (d / l).floor() * l + PIT_ENTRY * l;
                    if d < entry {
                        let reach = (PIT_LIMIT_MS.powi(2) + 2.0 * BRAKE_PIT * (entry - d)).sqrt();
                        v = v.min(reach);
                    }
                }
                v
            }
            Mode::PitIn { box_d } => {
                PIT_LIMIT_MS.min((2.0 * BRAKE_BOX * (box_d - d).max(0.0)).sqrt())
            }
            Mode::Box { .. } => 0.0,
            Mode::PitOut { .. } => PIT_LIMIT_MS,
        }
    }

    /// Drive for `dt` seconds of session time starting at session time `t0`.
    pub(crate) fn advance(&mut self, track: &Track, t0: f64, dt: f64) {
        let n = (dt / MAX_SUBSTEP_S).ceil().max(1.0) as u32;
        let h = dt / f64::from(n);
        for i in 0..n {
            let t = t0 + f64::from(i + 1) * h;
            self.substep(track, t, h);
        }
    }

    fn substep(&mut self, track: &Track, t: f64, h: f64) {
        let l = self.length;
        if let Mode::Box { until } = self.mode {
            self.v = 0.0;
            if until.is_some_and(|u| t >= u) {
                let exit_d = (self.d / l).floor() * l + PIT_EXIT * l;
                self.mode = Mode::PitOut { exit_d };
            }
            return;
        }
        let target = self.target(track, self.d);
        self.v = if target > self.v {
            (self.v + accel_limit(self.v) * h).min(target)
        } else {
            (self.v - BRAKE_MAX * h).max(target)
        };
        let before = self.d;
        let mut after = before + self.v * h;
        match self.mode {
            Mode::PitIn { box_d } if after >= box_d || (box_d - after < 0.05 && self.v < 0.5) => {
                after = box_d;
                self.v = 0.0;
                let stop = self.pit_plan.take().flatten();
                self.mode = Mode::Box {
                    until: stop.map(|s| t + s),
                };
            }
            Mode::PitOut { exit_d } if after >= exit_d => self.mode = Mode::Track,
            Mode::Track if self.pit_plan.is_some() => {
                let entry = (before / l).floor() * l + PIT_ENTRY * l;
                if before < entry && after >= entry {
                    let box_d = ((before / l).floor() + 1.0) * l + PIT_BOX * l;
                    self.mode = Mode::PitIn { box_d };
                    self.entered_pit = true;
                    self.off_track = false;
                }
            }
            _ => {}
        }
        if (after / l).floor() > (before / l).floor() {
            self.pace = draw_pace(&mut self.rng);
        }
        self.d = after;
    }
}

fn draw_pace(rng: &mut SplitMix64) -> f64 {
    PACE * (1.0 + PACE_SPREAD * (2.0 * rng.unit() - 1.0))
}
