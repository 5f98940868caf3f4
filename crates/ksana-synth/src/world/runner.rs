//! [`World`]: runs a scenario's script over the driven car, the session clock, the timing, the
//! replay history and the book.

use std::collections::VecDeque;

use super::book::{Book, BookLap, BookSession};
use super::channels::Channels;
use super::driver::Driver;
use super::scenario::{Action, MIDSESSION_START, Scenario, Stage, Trigger, script};
use super::timing::Timing;
use super::{CarState, SessionKind, TimingState, Truth, WorldSession, WorldState, WorldStatus};
use crate::track::Track;

/// Session length, seconds (`time_left_s` counts down from it).
pub(crate) const SESSION_LENGTH_S: f64 = 3600.0;
/// Where each sector starts, fraction of the lap.
pub(crate) const SECTOR_STARTS: [f64; 3] = [0.0, 0.33, 0.67];
/// Longest step a caller may ask for, seconds.
pub(crate) const MAX_STEP_S: f64 = 0.1;
/// Session seconds of driving kept for replays, and the spacing of the kept snapshots.
const HISTORY_S: f64 = 60.0;
const HISTORY_SPACING_S: f64 = 0.01;
/// Step of the silent warm-up before a mid-session start, seconds.
const WARMUP_STEP_S: f64 = 0.01;

/// One remembered moment of live driving, for replays.
#[derive(Clone, Debug)]
struct Snapshot {
    elapsed: f64,
    car: CarState,
    timing: TimingState,
}

/// The fake sim's world: one car, one track, a scripted scenario.
///
/// Deterministic: the same scenario, seed and sequence of `dt` give identical states (no wall
/// clock, no hash-map order). The book ([`World::truth`]) is kept from the same clock as the
/// published timing, so a lap engine reading the rendered pages can be checked against it.
#[derive(Clone, Debug)]
pub struct World {
    track: Track,
    driver: Driver,
    channels: Channels,
    timing: Timing,
    book: Book,
    state: WorldState,
    script: Vec<Stage>,
    stage: usize,
    /// World time at which the last stage fired.
    stage_time: f64,
    finished: bool,
    /// While replaying: the session time shown at the replay's start, and the world time the
    /// replay began at.
    replay: Option<(f64, f64)>,
    history: VecDeque<Snapshot>,
}

impl World {
    /// A world playing `scenario` with `seed` (per-lap pace and channel noise); [`World::state`]
    /// is the initial state (step 0): the car in its box, or mid-lap for `midsession`.
    pub fn new(scenario: Scenario, seed: u64) -> World {
        let track = Track::standard();
        let driver = Driver::new_in_box(&track, seed, 0.0);
        let channels = Channels::new(&track, &driver, seed);
        let timing = Timing::new(&SECTOR_STARTS, track.length, &driver);
        let session = WorldSession {
            index: 0,
            kind: SessionKind::Practice,
            elapsed_s: 0.0,
            time_left_s: SESSION_LENGTH_S,
            track_id: "ksana_ring".to_string(),
            track_name: "Ksana Ring".to_string(),
            track_length_m: track.length,
            sector_starts: SECTOR_STARTS.to_vec(),
            car_id: "ksana_gt3".to_string(),
            car_name: "Ksana GT3".to_string(),
            driver_name: "Ksana Driver".to_string(),
        };
        let state = WorldState {
            step: 0,
            time_s: 0.0,
            status: WorldStatus::Live,
            session,
            car: channels.car().clone(),
            timing: timing.state.clone(),
        };
        let mut world = World {
            track,
            driver,
            channels,
            timing,
            book: Book::default(),
            state,
            script: script(scenario),
            stage: 0,
            stage_time: 0.0,
            finished: false,
            replay: None,
            history: VecDeque::new(),
        };
        world.open_book(SessionKind::Practice);
        if scenario == Scenario::MidSession {
            world.warm_up();
        }
        world
    }

    /// Drives silently until the mid-session start point, then makes that step 0.
    fn warm_up(&mut self) {
        let (lap, pct) = MIDSESSION_START;
        while self.driver.lap() < lap || (self.driver.lap() == lap && self.driver.pct() < pct) {
            self.drive(WARMUP_STEP_S);
        }
        let now = self.state.session.elapsed_s;
        if let Some(s) = self.book.current() {
            s.seen_from = now;
        }
        self.history.clear();
    }

    /// The state of the latest step.
    pub fn state(&self) -> &WorldState {
        &self.state
    }

    /// The scenario's script is done (the world then stays in the menu). Never for `laps`.
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// The book so far: sessions and laps as scripted and driven (exact times, ms).
    pub fn truth(&self) -> Truth {
        self.book.truth(
            SECTOR_STARTS.len(),
            &self.state.session.track_name,
            &self.state.session.car_name,
        )
    }

    /// Advances world time by `dt_s` seconds (meant for `0 < dt_s <= 0.1`; larger steps are
    /// cut to 0.1 s, and zero, negative or non-finite ones advance nothing but the step count).
    pub fn step(&mut self, dt_s: f64) -> &WorldState {
        let dt = if dt_s.is_finite() {
            dt_s.clamp(0.0, MAX_STEP_S)
        } else {
            0.0
        };
        self.state.step += 1;
        self.state.time_s += dt;
        self.run_script();
        if dt > 0.0 {
            match self.state.status {
                WorldStatus::Live => self.drive(dt),
                WorldStatus::Replay => self.show_replay(),
                WorldStatus::Paused | WorldStatus::Menu => {}
            }
        }
        &self.state
    }

    /// One live step: the car drives, the session clock runs, timing and book follow.
    fn drive(&mut self, dt: f64) {
        let t0 = self.state.session.elapsed_s;
        let (d0, v0) = (self.driver.d, self.driver.v);
        self.driver.advance(&self.track, t0, dt);
        let session = &mut self.state.session;
        session.elapsed_s = t0 + dt;
        session.time_left_s = (SESSION_LENGTH_S - session.elapsed_s).max(0.0);
        let Some(book) = self.book.sessions.last_mut() else {
            return;
        };
        if self.driver.entered_pit {
            self.driver.entered_pit = false;
            if let Some(lap) = book.laps.last_mut() {
                lap.in_lap = true;
            }
        }
        self.timing.advance(&self.driver, d0, t0, dt, book);
        self.channels.update(&self.track, &self.driver, v0, dt);
        self.state.car.clone_from(self.channels.car());
        self.state.timing.clone_from(&self.timing.state);
        self.remember();
    }

    fn remember(&mut self) {
        let now = self.state.session.elapsed_s;
        if self
            .history
            .back()
            .is_some_and(|s| now - s.elapsed < HISTORY_SPACING_S)
        {
            return;
        }
        self.history.push_back(Snapshot {
            elapsed: now,
            car: self.state.car.clone(),
            timing: self.state.timing.clone(),
        });
        while self
            .history
            .front()
            .is_some_and(|s| s.elapsed < now - HISTORY_S)
        {
            self.history.pop_front();
        }
    }

    /// Replay: show the remembered state of the session time the replay has reached.
    fn show_replay(&mut self) {
        let Some((from, began)) = self.replay else {
            return;
        };
        let at = from + (self.state.time_s - began);
        let i = self.history.partition_point(|s| s.elapsed <= at);
        if let Some(s) = self.history.get(i.saturating_sub(1)) {
            self.state.car.clone_from(&s.car);
            self.state.timing.clone_from(&s.timing);
        }
    }

    fn run_script(&mut self) {
        while let Some(&(trigger, action)) = self.script.get(self.stage) {
            if !self.fires(trigger) {
                break;
            }
            self.stage += 1;
            self.stage_time = self.state.time_s;
            self.apply(action);
        }
    }

    fn fires(&self, trigger: Trigger) -> bool {
        let lap = self.driver.lap();
        match trigger {
            Trigger::AtLap { lap: n, pct } => lap > n || (lap == n && self.driver.pct() >= pct),
            Trigger::BeforeLine { lap: n, secs } => {
                lap > n || (lap == n && self.driver.secs_to_line() <= secs)
            }
            Trigger::IntoLap { lap: n, secs } => {
                let into = self.timing.state.current_lap_ms / 1000.0;
                lap > n || (lap == n && into >= secs)
            }
            Trigger::After { secs } => self.state.time_s - self.stage_time >= secs,
            Trigger::InBox => self.driver.in_box(),
        }
    }

    fn apply(&mut self, action: Action) {
        match action {
            Action::Nothing => {}
            Action::Pit { stop_s } => self.driver.plan_pit(stop_s),
            Action::OffTrackStart => {
                self.driver.off_track = true;
                if let Some(book) = self.book.current() {
                    self.timing.off_track(book);
                }
            }
            Action::OffTrackEnd => self.driver.off_track = false,
            Action::Pause => self.state.status = WorldStatus::Paused,
            Action::Resume | Action::ReplayEnd => {
                self.replay = None;
                self.state.status = WorldStatus::Live;
                self.state.car.clone_from(self.channels.car());
                self.state.timing.clone_from(&self.timing.state);
            }
            Action::ReplayStart { back_s } => {
                self.replay = Some((self.state.session.elapsed_s - back_s, self.state.time_s));
                self.state.status = WorldStatus::Replay;
            }
            Action::Menu => self.state.status = WorldStatus::Menu,
            Action::NewSession(kind) | Action::ChangeSession(kind) => self.new_session(kind),
            Action::Restart => self.new_session(self.state.session.kind),
            Action::Finish => {
                self.finished = true;
                self.state.status = WorldStatus::Menu;
            }
        }
    }

    /// A new session (restart, change, or out of the menu): next index, clock 0, car in box.
    fn new_session(&mut self, kind: SessionKind) {
        let s = &mut self.state.session;
        s.index += 1;
        s.kind = kind;
        s.elapsed_s = 0.0;
        s.time_left_s = SESSION_LENGTH_S;
        self.driver.reset_to_box(0.0);
        self.channels.reset_to_box(&self.track, &self.driver);
        self.timing = Timing::new(&SECTOR_STARTS, self.track.length, &self.driver);
        self.history.clear();
        self.replay = None;
        self.state.status = WorldStatus::Live;
        self.state.car.clone_from(self.channels.car());
        self.state.timing.clone_from(&self.timing.state);
        self.open_book(kind);
    }

    fn open_book(&mut self, kind: SessionKind) {
        self.book.sessions.push(BookSession {
            kind,
            laps: vec![BookLap::new(1, 0.0, true)],
            seen_from: 0.0,
        });
    }
}
