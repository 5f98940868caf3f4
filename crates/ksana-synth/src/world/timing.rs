//! Lap and sector timing: line and sector-boundary crossings found by linear interpolation of the
//! lap coordinate within the step (`t = t0 + (b − d0)/(d1 − d0)·dt`, the way the lap engine
//! interpolates between samples), the published [`TimingState`], and the book entries.

use super::TimingState;
use super::book::{BookLap, BookSession};
use super::driver::Driver;

/// The timing of the session being driven.
#[derive(Clone, Debug)]
pub(crate) struct Timing {
    /// What the sim publishes.
    pub(crate) state: TimingState,
    /// Sector starts as fractions of the lap (first is 0).
    sector_starts: Vec<f64>,
    length: f64,
}

impl Timing {
    /// Timing of a new session with the car at `driver` (in its box).
    pub(crate) fn new(sector_starts: &[f64], length: f64, driver: &Driver) -> Timing {
        let mut t = Timing {
            state: TimingState {
                lap_valid: true,
                position: 1,
                ..TimingState::default()
            },
            sector_starts: sector_starts.to_vec(),
            length,
        };
        t.state.sector_index = t.sector_at(driver.pct());
        t.publish_position(driver, 0.0, 0.0);
        t
    }

    fn sector_at(&self, pct: f64) -> u32 {
        self.sector_starts
            .iter()
            .filter(|&&s| s <= pct)
            .count()
            .max(1) as u32
            - 1
    }

    /// Unwrapped coordinate of the next boundary: the end of the sector the car is in.
    fn next_boundary(&self, lap: u32) -> f64 {
        let base = f64::from(lap.saturating_sub(1)) * self.length;
        let next = self
            .sector_starts
            .get(self.state.sector_index as usize + 1)
            .copied()
            .unwrap_or(1.0);
        base + next * self.length
    }

    /// Records the crossings between `d0` and `d1` (session times `t0` .. `t0 + dt`) in the
    /// published timing and in `session`'s book, then publishes the car's position at `t0 + dt`.
    pub(crate) fn advance(
        &mut self,
        driver: &Driver,
        d0: f64,
        t0: f64,
        dt: f64,
        session: &mut BookSession,
    ) {
        let d1 = driver.d;
        loop {
            let lap_no = self.state.completed_laps + 1;
            let b = self.next_boundary(lap_no);
            if d1 <= d0 || b > d1 || b <= d0 {
                break;
            }
            let t = t0 + (b - d0) / (d1 - d0) * dt;
            let Some(lap) = session.laps.last_mut() else {
                break;
            };
            let prev_split = (lap.splits.len().checked_sub(1))
                .and_then(|i| lap.split_ms(i))
                .unwrap_or(0.0);
            if (self.state.sector_index as usize) + 1 < self.sector_starts.len() {
                lap.splits.push(t);
                let split = lap.split_ms(lap.splits.len() - 1).unwrap_or(0.0);
                self.state.last_split_ms = Some(split);
                self.state.last_sector_ms = Some(split - prev_split);
                self.state.sector_index += 1;
            } else {
                lap.end = Some(t);
                let time = lap.time_ms().unwrap_or(0.0);
                self.state.last_lap_ms = Some(time);
                self.state.last_sector_ms = Some(time - prev_split);
                self.state.last_split_ms = Some(time);
                if lap.counts_for_best() && self.state.best_lap_ms.is_none_or(|b| time < b) {
                    self.state.best_lap_ms = Some(time);
                }
                self.state.completed_laps += 1;
                self.state.sector_index = 0;
                self.state.lap_valid = true;
                let number = lap.number + 1;
                session
                    .laps
                    .push(BookLap::new(number, t, driver.in_pit_lane()));
            }
        }
        let start = session.laps.last().map_or(0.0, |l| l.start);
        self.publish_position(driver, t0 + dt, start);
    }

    /// The car left the track: the lap is invalid from now on, one incident.
    pub(crate) fn off_track(&mut self, session: &mut BookSession) {
        self.state.lap_valid = false;
        self.state.incidents += 1;
        if let Some(lap) = session.laps.last_mut() {
            lap.invalidated = true;
        }
    }

    fn publish_position(&mut self, driver: &Driver, now: f64, lap_start: f64) {
        let s = &mut self.state;
        s.current_lap_ms = (now - lap_start) * 1000.0;
        s.lap_dist_pct = driver.pct();
        s.lap_dist_m = s.lap_dist_pct * self.length;
        s.in_pit_lane = driver.in_pit_lane();
        s.in_pit_box = driver.in_box();
        s.off_track = driver.off_track;
    }
}
