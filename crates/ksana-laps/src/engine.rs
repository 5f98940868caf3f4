//! The lap tracker: a state machine fed one [`TimingSample`] at a time (live or from a
//! recording) that cuts the stream into sessions and laps. Every rule is in docs/LAPS.md.

pub mod interp;
mod open_lap;

use std::sync::Arc;

use crate::model::{Lap, Session};
use crate::sample::{SessionIdent, SimState, TimingSample};
use open_lap::{OpenLap, Prev, Stamp};

/// Sim time going back by more than this (s) is a restart.
const SIM_TIME_BACK_S: f64 = 0.5;
/// How long to wait for the sim's last lap time to change after the lap count did (s).
const LAST_LAP_WAIT_S: f64 = 1.5;
/// How long a drop of the lap timer waits for the lap count to confirm a crossing (s).
const CROSSING_CONFIRM_S: f64 = 2.0;
/// A sim lap time at or above this (24 h, ms) is a placeholder ("no time"), not a time.
const MAX_LAP_MS: f64 = 86_400_000.0;
/// How far apart (s) a distance wrap and a lap-count crossing may be and still be one crossing.
const WRAP_MATCH_S: f64 = 2.0;

/// What happened at one sample, reported in order.
#[derive(Clone, Debug, PartialEq)]
pub enum LapEvent {
    /// A session began; `session` indexes [`LapTracker::sessions`].
    SessionStarted {
        /// Index of the session.
        session: usize,
    },
    /// A lap reached the line and its time is settled (reported live).
    LapFinished {
        /// Index of the session.
        session: usize,
        /// The lap.
        lap: Lap,
    },
    /// An unfinished lap was closed by a lap restart, the menu, a session change or the end.
    LapAbandoned {
        /// Index of the session.
        session: usize,
        /// The lap (time `None`, partial).
        lap: Lap,
    },
    /// A session ended (`menu`, `restart`, `session_change`, `disconnected`, `end_of_recording`).
    SessionEnded {
        /// Index of the session.
        session: usize,
        /// Why.
        reason: String,
    },
}

/// Turns a stream of timing samples into sessions of laps (docs/LAPS.md).
#[derive(Debug, Default)]
pub struct LapTracker {
    recording: Option<String>,
    sessions: Vec<Session>,
    run: Option<Run>,
}

/// A lap that reached the line, waiting for the sim's lap time to settle.
#[derive(Debug)]
struct Finishing {
    lap: OpenLap,
    /// The crossing sample (lap end).
    end: Stamp,
    /// The sample where the lap count went up (the wait starts here).
    wait_from: Stamp,
    /// The sim's last lap time before the lap count went up.
    base_last: Option<f64>,
    /// The lap count jumped by more than one.
    jump: bool,
    /// Interpolated line crossing (outer None: not seen yet).
    end_line: Option<Option<f64>>,
}

/// A drop of the lap timer not (yet) confirmed by the lap count.
#[derive(Debug)]
struct PendingCross {
    at: Stamp,
    /// The lap the samples after the drop belong to.
    lap: OpenLap,
}

/// The state of the session in progress.
#[derive(Debug)]
struct Run {
    index: usize,
    ident: Arc<SessionIdent>,
    starts: Arc<[f64]>,
    last_completed: Option<u32>,
    prev: Option<Prev>,
    lap: Option<OpenLap>,
    next: Option<PendingCross>,
    finishing: Option<Finishing>,
    last_wrap: Option<(Stamp, Option<f64>)>,
    last_last_ms: Option<f64>,
    prev_incidents: Option<u32>,
    prev_reset: bool,
    last_rec: f64,
}

impl LapTracker {
    /// A tracker for live data (sessions carry no recording name).
    pub fn new() -> LapTracker {
        LapTracker::default()
    }

    /// A tracker for a recording: every session gets `recording = Some(name)`.
    pub fn with_recording(name: impl Into<String>) -> LapTracker {
        LapTracker {
            recording: Some(name.into()),
            ..LapTracker::default()
        }
    }

    /// Every session so far, finished and current, in order.
    pub fn sessions(&self) -> &[Session] {
        &self.sessions
    }

    /// Feeds one sample (in frame order); returns what happened at it, in order.
    pub fn push(&mut self, s: &TimingSample) -> Vec<LapEvent> {
        let mut ev = Vec::new();
        match s.state {
            SimState::Paused | SimState::Replay => {}
            SimState::Off => {
                if let Some(run) = self.run.as_mut() {
                    let sess = &mut self.sessions[run.index];
                    run.off_sample(s, sess, &mut ev);
                    self.end_run("menu", &mut ev);
                }
            }
            SimState::Live => self.live(s, &mut ev),
        }
        ev
    }

    /// The data stopped at `rec_time_s` (segment end, sim disconnected): the current session
    /// ends with reason `disconnected`.
    pub fn interrupt(&mut self, rec_time_s: f64) -> Vec<LapEvent> {
        let mut ev = Vec::new();
        if let Some(run) = self.run.as_mut()
            && rec_time_s.is_finite()
            && rec_time_s < run.last_rec
        {
            run.last_rec = rec_time_s;
        }
        self.end_run("disconnected", &mut ev);
        ev
    }

    /// End of input: the current session ends (`end_of_recording`); every session, in order.
    pub fn finish(mut self) -> Vec<Session> {
        let mut ev = Vec::new();
        self.end_run("end_of_recording", &mut ev);
        self.sessions
    }

    fn live(&mut self, s: &TimingSample, ev: &mut Vec<LapEvent>) {
        if let Some(run) = &self.run {
            if !(Arc::ptr_eq(&run.ident, &s.session) || *run.ident == *s.session) {
                self.end_run("session_change", ev);
            } else if run.restarted(s) {
                self.end_run("restart", ev);
            }
        }
        match self.run.as_mut() {
            Some(run) => {
                let sess = &mut self.sessions[run.index];
                run.step(s, sess, ev);
            }
            None => self.start_run(s, ev),
        }
    }

    fn start_run(&mut self, s: &TimingSample, ev: &mut Vec<LapEvent>) {
        let id = &s.session;
        let index = self.sessions.len();
        self.sessions.push(Session {
            sim: id.sim.clone(),
            track: id.track.clone(),
            car: id.car.clone(),
            driver: id.driver.clone(),
            session_type: id.session_type.clone(),
            sector_count: sector_count(s),
            recording: self.recording.clone(),
            start_s: s.rec_time_s,
            end_s: s.rec_time_s,
            end_reason: String::new(),
            laps: Vec::new(),
        });
        ev.push(LapEvent::SessionStarted { session: index });
        let partial = match (s.current_lap_ms, s.lap_dist_pct) {
            (Some(c), _) => c > 1000.0,
            (None, Some(p)) => p > 0.02 && !s.in_pit_box,
            (None, None) => false,
        };
        let number = s.completed_laps.map_or(1, |c| c.saturating_add(1));
        let mut lap = OpenLap::new(number, s, partial, false);
        lap.stale_timer = false;
        let mut run = Run {
            index,
            ident: s.session.clone(),
            starts: s.sector_starts.clone(),
            last_completed: s.completed_laps,
            prev: None,
            lap: Some(lap),
            next: None,
            finishing: None,
            last_wrap: None,
            last_last_ms: None,
            prev_incidents: None,
            prev_reset: s.reset,
            last_rec: s.rec_time_s,
        };
        let sess = &mut self.sessions[index];
        run.step(s, sess, ev);
        self.run = Some(run);
    }

    fn end_run(&mut self, reason: &str, ev: &mut Vec<LapEvent>) {
        let Some(mut run) = self.run.take() else {
            return;
        };
        let sess = &mut self.sessions[run.index];
        run.settle_forced(sess, ev);
        if let Some(lap) = run.lap.take() {
            run.abandon(lap, None, sess, ev);
        }
        sess.end_s = run.last_rec;
        sess.end_reason = reason.to_owned();
        ev.push(LapEvent::SessionEnded {
            session: run.index,
            reason: reason.to_owned(),
        });
    }
}

/// Is `v` a lap time (finite, above 0, below [`MAX_LAP_MS`]) rather than a placeholder?
fn plausible(v: f64) -> bool {
    v.is_finite() && v > 0.0 && v < MAX_LAP_MS
}

/// The sample's last lap time when it is a time.
fn last_lap(s: &TimingSample) -> Option<f64> {
    s.last_lap_ms.filter(|v| plausible(*v))
}

/// The sector count a sample tells: its own, or the number of sector starts.
fn sector_count(s: &TimingSample) -> Option<u32> {
    s.sector_count.or_else(|| {
        (!s.sector_starts.is_empty())
            .then(|| u32::try_from(s.sector_starts.len()).unwrap_or(u32::MAX))
    })
}

impl Run {
    /// Does `s` (same session ident) restart the session?
    fn restarted(&self, s: &TimingSample) -> bool {
        let back = match (self.prev.and_then(|p| p.stamp.sim), Stamp::of(s).sim) {
            (Some(a), Some(b)) => b < a - SIM_TIME_BACK_S,
            _ => false,
        };
        let fewer = matches!((self.last_completed, s.completed_laps), (Some(a), Some(b)) if b < a);
        back || fewer
    }

    /// One Live sample of this session.
    fn step(&mut self, s: &TimingSample, sess: &mut Session, ev: &mut Vec<LapEvent>) {
        let stamp = Stamp::of(s);
        if sess.sector_count.is_none() {
            sess.sector_count = sector_count(s);
        }
        if !s.sector_starts.is_empty() {
            self.starts = s.sector_starts.clone();
        }
        // The line by distance.
        let wrap = self.wrap(s);
        if let Some(v) = wrap {
            self.last_wrap = Some((stamp, v));
            if let Some(f) = self.finishing.as_mut()
                && f.end_line.is_none()
                && stamp.since(&f.end) <= WRAP_MATCH_S
            {
                f.end_line = Some(v);
            }
            for lap in [self.lap.as_mut(), self.next.as_mut().map(|p| &mut p.lap)]
                .into_iter()
                .flatten()
            {
                if lap.by_line
                    && lap.start_line.is_none()
                    && stamp.since(&lap.start) <= WRAP_MATCH_S
                {
                    lap.start_line = Some(v);
                }
            }
        }
        // The line by lap count (or by distance when the sim has no lap count).
        let crossed = match (s.completed_laps, self.last_completed) {
            (Some(c), Some(l)) if c > l => Some(c - l),
            (None, None) if wrap.is_some() => Some(1),
            _ => None,
        };
        if let Some(n) = crossed {
            self.line_crossed(s, n, true, sess, ev);
        } else if let (Some(p), Some(cur)) = (self.prev, s.current_lap_ms)
            && let Some(before) = p.current_ms
            && before - cur > 1000.0
            && let Some(lap) = self.lap.as_mut()
        {
            // The lap timer dropped: a line crossing the lap count has not shown yet, or a
            // lap restart (decided within CROSSING_CONFIRM_S).
            if lap.stale_timer {
                lap.stale_timer = false;
            } else if self.next.is_none() {
                let mut next = OpenLap::new(lap.number, s, false, true);
                next.stale_timer = false;
                self.next = Some(PendingCross {
                    at: stamp,
                    lap: next,
                });
            }
        }
        if s.completed_laps.is_some() {
            self.last_completed = s.completed_laps;
        }
        // A drop that the lap count did not confirm: the lap was restarted.
        let expired = self
            .next
            .as_ref()
            .is_some_and(|p| stamp.since(&p.at) > CROSSING_CONFIRM_S);
        if expired {
            self.restart_lap(None, sess, ev);
        }
        // A reset restarts the lap (once: not again when the drop's restart just did).
        if s.reset && !self.prev_reset && !expired {
            self.restart_lap(Some(s), sess, ev);
        }
        // The sample belongs to the pending next lap when there is one.
        let incident_up = matches!((self.prev_incidents, s.incidents), (Some(a), Some(b)) if b > a);
        let prev = self.prev;
        match self.next.as_mut() {
            Some(p) => {
                p.lap.observe(s, prev.as_ref(), incident_up, &self.starts);
                if let Some(lap) = self.lap.as_mut() {
                    lap.poll_split(s);
                }
            }
            None => {
                if let Some(lap) = self.lap.as_mut() {
                    lap.observe(s, prev.as_ref(), incident_up, &self.starts);
                }
            }
        }
        self.poll_finishing(s, sess, ev);
        if let Some(l) = last_lap(s) {
            self.last_last_ms = Some(l);
        }
        if s.incidents.is_some() {
            self.prev_incidents = s.incidents;
        }
        self.prev_reset = s.reset;
        self.prev = Some(Prev {
            stamp,
            current_ms: s.current_lap_ms.filter(|c| c.is_finite()),
            pct: s.lap_dist_pct.filter(|p| p.is_finite()),
            pit: s.in_pit_lane,
            split: s.sim_split_ms,
        });
        self.last_rec = s.rec_time_s;
        sess.end_s = s.rec_time_s;
    }

    /// The Off sample that ends the session: a lap completed on it is kept.
    fn off_sample(&mut self, s: &TimingSample, sess: &mut Session, ev: &mut Vec<LapEvent>) {
        if let (Some(c), Some(l)) = (s.completed_laps, self.last_completed)
            && c > l
        {
            self.line_crossed(s, c - l, false, sess, ev);
            self.last_rec = s.rec_time_s;
        }
        self.poll_finishing(s, sess, ev);
        if let Some(l) = last_lap(s) {
            self.last_last_ms = Some(l);
        }
    }

    /// Line crossing between the previous sample and `s` by lap distance: `Some(time)` (inner
    /// `None` when rejected: pit lane).
    fn wrap(&self, s: &TimingSample) -> Option<Option<f64>> {
        let p = self.prev?;
        let (p0, p1) = (p.pct?, s.lap_dist_pct?);
        if !(p0 > 0.9 && (0.0..0.1).contains(&p1)) {
            return None;
        }
        if p.pit || s.in_pit_lane {
            return Some(None);
        }
        let (t0, t1) = (p.stamp.sim, Stamp::of(s).sim);
        Some(
            t0.zip(t1)
                .and_then(|(t0, t1)| interp::wrap_crossing_time(p0, t0, p1, t1)),
        )
    }

    /// The lap count went up by `n` at `s`: the current lap ends (at the pending timer drop
    /// when there is one) and, when `start_next`, the next begins.
    fn line_crossed(
        &mut self,
        s: &TimingSample,
        n: u32,
        start_next: bool,
        sess: &mut Session,
        ev: &mut Vec<LapEvent>,
    ) {
        self.settle_forced(sess, ev);
        let stamp = Stamp::of(s);
        let pending = self.next.take();
        let end = pending.as_ref().map_or(stamp, |p| p.at);
        let old_number = self.lap.as_ref().map_or(0, |l| l.number);
        if let Some(lap) = self.lap.take() {
            let end_line = self.recent_wrap(&end);
            self.finishing = Some(Finishing {
                lap,
                end,
                wait_from: stamp,
                base_last: self.last_last_ms,
                jump: n > 1,
                end_line,
            });
        }
        if !start_next {
            return;
        }
        let number = s
            .completed_laps
            .map_or(old_number.saturating_add(1), |c| c.saturating_add(1));
        let mut lap = match pending {
            Some(p) => p.lap,
            None => {
                let partial = n > 1 && s.current_lap_ms.is_some_and(|c| c > 1000.0);
                let mut lap = OpenLap::new(number, s, partial, true);
                if partial {
                    lap.stale_timer = false;
                }
                lap
            }
        };
        lap.number = number;
        if lap.start_line.is_none() {
            lap.start_line = self.recent_wrap(&lap.start);
        }
        self.lap = Some(lap);
    }

    /// The last distance wrap, when it is within [`WRAP_MATCH_S`] of `at`.
    fn recent_wrap(&self, at: &Stamp) -> Option<Option<f64>> {
        let (w, v) = self.last_wrap?;
        (at.since(&w).abs() <= WRAP_MATCH_S).then_some(v)
    }

    /// Settles the finishing lap when its time is known (or waited for long enough).
    fn poll_finishing(&mut self, s: &TimingSample, sess: &mut Session, ev: &mut Vec<LapEvent>) {
        let Some(f) = self.finishing.as_mut() else {
            return;
        };
        f.lap.poll_split(s);
        let stamp = Stamp::of(s);
        match last_lap(s) {
            Some(v) if Some(v) != f.base_last => self.settle(Some(v), true, sess, ev),
            last if stamp.since(&f.wait_from) > LAST_LAP_WAIT_S => match last {
                Some(v) => self.settle(Some(v), true, sess, ev),
                None => self.settle(None, false, sess, ev),
            },
            _ => {}
        }
    }

    /// Settles the finishing lap now (the session ends or another lap finishes): the sim's time
    /// when it changed, else the time from the observed crossings, else the sim's unchanged one.
    fn settle_forced(&mut self, sess: &mut Session, ev: &mut Vec<LapEvent>) {
        let Some(f) = self.finishing.as_ref() else {
            return;
        };
        let changed = self.last_last_ms.filter(|v| Some(*v) != f.base_last);
        match changed {
            Some(v) => self.settle(Some(v), true, sess, ev),
            None => {
                if computed_time(f).is_some() {
                    self.settle(None, false, sess, ev);
                } else {
                    self.settle(self.last_last_ms, self.last_last_ms.is_some(), sess, ev);
                }
            }
        }
    }

    /// Closes the finishing lap with `sim_ms` (the sim's time) or, when `None`, the time computed
    /// from the observed crossings.
    fn settle(
        &mut self,
        sim_ms: Option<f64>,
        from_sim: bool,
        sess: &mut Session,
        ev: &mut Vec<LapEvent>,
    ) {
        let Some(f) = self.finishing.take() else {
            return;
        };
        let time = sim_ms
            .filter(|v| plausible(*v))
            .or_else(|| computed_time(&f));
        let from_sim = from_sim && sim_ms.is_some_and(plausible);
        let n = sess.sector_count.map_or(0, |c| c.min(64) as usize);
        let end_line = f.end_line.flatten();
        let sectors = f.lap.sectors(n, time, from_sim, end_line, !f.jump);
        let lap = f.lap.to_lap(time, &sectors, f.jump, f.end.rec);
        sess.laps.push(lap.clone());
        ev.push(LapEvent::LapFinished {
            session: self.index,
            lap,
        });
    }

    /// Closes `lap` unfinished; `reset` marks a lap restart (the lap becomes invalid).
    fn abandon(
        &mut self,
        mut lap: OpenLap,
        reset: Option<()>,
        sess: &mut Session,
        ev: &mut Vec<LapEvent>,
    ) {
        self.settle_forced(sess, ev);
        if reset.is_some() {
            lap.invalid_reason = Some("reset");
        }
        let n = sess.sector_count.map_or(0, |c| c.min(64) as usize);
        let sectors = lap.sectors(n, None, false, None, false);
        let out = lap.to_lap(None, &sectors, true, lap.last_rec);
        sess.laps.push(out.clone());
        ev.push(LapEvent::LapAbandoned {
            session: self.index,
            lap: out,
        });
    }

    /// A lap restart: the current lap is abandoned and a new one with the same number begins,
    /// at the pending timer drop when there is one, else at `s` (a reset).
    fn restart_lap(
        &mut self,
        s: Option<&TimingSample>,
        sess: &mut Session,
        ev: &mut Vec<LapEvent>,
    ) {
        let Some(old) = self.lap.take() else { return };
        let number = old.number;
        self.abandon(old, Some(()), sess, ev);
        let mut lap = match (self.next.take(), s) {
            (Some(p), _) => p.lap,
            (None, Some(s)) => OpenLap::new(number, s, false, false),
            (None, None) => return,
        };
        lap.number = number;
        lap.by_line = false;
        lap.start_line = None;
        self.lap = Some(lap);
    }
}

/// The lap time from the observed line crossings, ms: interpolated by distance when both ends
/// were, else the sim times of the lap's first sample and of the crossing sample. `None` when
/// the start was not observed.
fn computed_time(f: &Finishing) -> Option<f64> {
    if f.lap.start_partial || f.jump {
        return None;
    }
    let by_dist = f
        .lap
        .start_line
        .flatten()
        .zip(f.end_line.flatten())
        .map(|(a, b)| (b - a) * 1000.0);
    let by_sample = f
        .lap
        .start
        .sim
        .zip(f.end.sim)
        .map(|(a, b)| (b - a) * 1000.0);
    by_dist.or(by_sample).filter(|t| *t > 0.0)
}
