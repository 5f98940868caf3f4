//! Sample streams for the lap engine's tests.
#![allow(dead_code)]

use std::sync::Arc;

use ksana_laps::{LapEvent, LapTracker, Session, SessionIdent, SimState, TimingSample};

/// A session ident of the given type.
pub fn ident(session_type: &str) -> Arc<SessionIdent> {
    Arc::new(SessionIdent {
        sim: "acc".into(),
        key: format!("key-{session_type}"),
        session_type: session_type.into(),
        track: "monza".into(),
        car: "bmw_m4_gt3".into(),
        driver: "Test Driver".into(),
    })
}

/// A car at constant speed per lap: lap `j` lasts `laps[j]` seconds. Samples every `dt`
/// seconds of sim time from `from` (sim time = rec time + `sim_offset`).
pub struct Drive {
    pub laps: Vec<f64>,
    pub dt: f64,
    /// Sector starts as lap fractions (first 0.0).
    pub starts: Vec<f64>,
    /// Publish sector index + cumulative splits (else only distance + sector_starts).
    pub sim_splits: bool,
    pub ident: Arc<SessionIdent>,
    pub sim_offset: f64,
    /// The lap count (and last lap time) follow the lap timer's reset this late, seconds (ACC).
    pub count_lag: f64,
}

impl Drive {
    pub fn new(laps: &[f64]) -> Drive {
        Drive {
            laps: laps.to_vec(),
            dt: 0.1,
            starts: vec![0.0, 0.3, 0.65],
            sim_splits: true,
            ident: ident("practice"),
            sim_offset: 0.0,
            count_lag: 0.0,
        }
    }

    /// Sample at sim time `t` (None past the last lap's end).
    pub fn at(&self, t: f64) -> Option<TimingSample> {
        let mut start = 0.0;
        for (j, &len) in self.laps.iter().enumerate() {
            if t < start + len {
                let pct = (t - start) / len;
                let sector = self.starts.iter().rposition(|&b| b <= pct).unwrap_or(0);
                let split = if sector >= 1 {
                    Some(self.starts[sector] * len * 1000.0)
                } else if j >= 1 {
                    Some(self.starts[self.starts.len() - 1] * self.laps[j - 1] * 1000.0)
                } else {
                    None
                };
                let shown = if j >= 1 && t - start < self.count_lag {
                    j - 1
                } else {
                    j
                };
                return Some(TimingSample {
                    rec_time_s: t,
                    sim_time_s: Some(t + self.sim_offset),
                    state: SimState::Live,
                    session: self.ident.clone(),
                    completed_laps: Some(shown as u32),
                    current_lap_ms: Some((t - start) * 1000.0),
                    last_lap_ms: (shown >= 1).then(|| self.laps[shown - 1] * 1000.0),
                    lap_dist_pct: Some(pct),
                    sector_index: self.sim_splits.then_some(sector as u32),
                    sector_count: Some(self.starts.len() as u32),
                    sector_starts: if self.sim_splits {
                        Arc::from(Vec::new())
                    } else {
                        Arc::from(self.starts.clone())
                    },
                    sim_split_ms: if self.sim_splits { split } else { None },
                    ..TimingSample::default()
                });
            }
            start += len;
        }
        None
    }

    /// Samples from sim time `from` (inclusive) to `to` (exclusive).
    pub fn range(&self, from: f64, to: f64) -> Vec<TimingSample> {
        let mut out = Vec::new();
        let mut i = 0u32;
        loop {
            let t = from + f64::from(i) * self.dt;
            if t >= to {
                break;
            }
            match self.at(t) {
                Some(s) => out.push(s),
                None => break,
            }
            i += 1;
        }
        out
    }

    /// The whole drive.
    pub fn all(&self) -> Vec<TimingSample> {
        self.range(0.0, f64::INFINITY)
    }
}

/// Feeds every sample, returns the events and the sessions.
pub fn run(samples: &[TimingSample]) -> (Vec<LapEvent>, Vec<Session>) {
    let mut t = LapTracker::new();
    let mut ev = Vec::new();
    for s in samples {
        ev.extend(t.push(s));
    }
    (ev, t.finish())
}

/// (number, time_ms) of each lap.
pub fn times(s: &Session) -> Vec<(u32, Option<u32>)> {
    s.laps.iter().map(|l| (l.number, l.time_ms)).collect()
}
