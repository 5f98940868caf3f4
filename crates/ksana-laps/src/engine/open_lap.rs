//! The lap in progress: what has been observed of it (validity, pits, sector ends) until it
//! is closed into a [`Lap`].

use std::collections::BTreeMap;

use super::interp;
use crate::model::Lap;
use crate::sample::TimingSample;

/// How long after a sector change the sim's split may still arrive, seconds.
const SPLIT_WAIT_S: f64 = 0.5;

/// When a sample was taken: recording time, and the sim's clock when it has one.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stamp {
    /// Recording time, seconds.
    pub rec: f64,
    /// Sim time, seconds, when present and finite.
    pub sim: Option<f64>,
}

impl Stamp {
    /// The stamp of a sample.
    pub fn of(s: &TimingSample) -> Stamp {
        Stamp {
            rec: s.rec_time_s,
            sim: s.sim_time_s.filter(|t| t.is_finite()),
        }
    }

    /// Seconds from `earlier` to `self`: sim time when both have it, else recording time.
    pub fn since(&self, earlier: &Stamp) -> f64 {
        match (self.sim, earlier.sim) {
            (Some(a), Some(b)) => a - b,
            _ => self.rec - earlier.rec,
        }
    }
}

/// What the previous Live sample of the session said (for crossings and drops).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Prev {
    /// When.
    pub stamp: Stamp,
    /// Lap timer, ms.
    pub current_ms: Option<f64>,
    /// Lap distance fraction.
    pub pct: Option<f64>,
    /// In the pit lane.
    pub pit: bool,
    /// The sim's cumulative split, ms.
    pub split: Option<f64>,
}

/// A sector change seen, the sim's split not yet.
#[derive(Clone, Copy, Debug)]
struct SplitWait {
    /// The sector whose end split is awaited.
    sector: u32,
    /// The split before the change.
    base: Option<f64>,
    /// The change sample.
    at: Stamp,
}

/// A lap being observed.
#[derive(Clone, Debug)]
pub(crate) struct OpenLap {
    /// The sim's lap number.
    pub number: u32,
    /// First sample of the lap.
    pub start: Stamp,
    /// Recording time of the lap's last sample so far.
    pub last_rec: f64,
    /// The start of the lap was not observed.
    pub start_partial: bool,
    /// The lap began at a line crossing (so a line crossing by distance may be its start).
    pub by_line: bool,
    /// The sim's lap timer still showed the previous lap at the first sample: its first drop
    /// is the timer catching up, not a crossing.
    pub stale_timer: bool,
    /// In the pit lane or box at the first sample.
    pub out_lap: bool,
    /// Entered the pit lane during the lap.
    pub in_lap: bool,
    /// Out of the pit lane at some sample of the lap.
    seen_out_of_pit: bool,
    /// In the pit lane at the latest sample.
    pub last_in_pit_lane: bool,
    /// First invalidation seen (latched).
    pub invalid_reason: Option<&'static str>,
    /// Sector index at the latest sample.
    last_sector: Option<u32>,
    /// Cumulative sim split at the end of sector k (None: the change was seen, the split not).
    splits: BTreeMap<u32, Option<f64>>,
    /// The split being waited for.
    split_wait: Option<SplitWait>,
    /// The sim gives sector indices and splits for this lap (source 1).
    uses_sim_splits: bool,
    /// Interpolated sim time (s) of the crossing of sector_starts[k], k ≥ 1 (None: rejected).
    dist: BTreeMap<usize, Option<f64>>,
    /// Interpolated sim time (s) of the line crossing that began the lap: outer None = not
    /// seen yet, inner None = seen but rejected.
    pub start_line: Option<Option<f64>>,
    /// Sim time (s) at which the sim's lap timer started, from its first sample (sim time −
    /// current lap time): the lap's start when no line crossing began it (a session's first
    /// lap, a lap that began in the pit lane). `None` when the timer still showed the
    /// previous lap.
    timer_start: Option<f64>,
}

impl OpenLap {
    /// A lap whose first sample is `s`.
    pub fn new(number: u32, s: &TimingSample, start_partial: bool, by_line: bool) -> OpenLap {
        let in_pits = s.in_pit_lane || s.in_pit_box;
        let stale_timer = s.current_lap_ms.is_some_and(|c| c > 1000.0);
        let timer_start = match (s.sim_time_s, s.current_lap_ms) {
            (Some(t), Some(c)) if !stale_timer && c.is_finite() && c >= 0.0 => Some(t - c / 1000.0),
            _ => None,
        };
        OpenLap {
            number,
            start: Stamp::of(s),
            last_rec: s.rec_time_s,
            start_partial,
            by_line,
            stale_timer,
            out_lap: in_pits,
            in_lap: false,
            seen_out_of_pit: false,
            last_in_pit_lane: s.in_pit_lane,
            invalid_reason: None,
            last_sector: None,
            splits: BTreeMap::new(),
            split_wait: None,
            uses_sim_splits: false,
            dist: BTreeMap::new(),
            start_line: None,
            timer_start,
        }
    }

    /// Takes in one Live sample that belongs to this lap.
    pub fn observe(
        &mut self,
        s: &TimingSample,
        prev: Option<&Prev>,
        incident_up: bool,
        starts: &[f64],
    ) {
        let stamp = Stamp::of(s);
        self.last_rec = s.rec_time_s;
        if !s.in_pit_lane {
            self.seen_out_of_pit = true;
        } else if self.seen_out_of_pit {
            self.in_lap = true;
        }
        self.last_in_pit_lane = s.in_pit_lane;
        if self.invalid_reason.is_none() {
            self.invalid_reason = if s.lap_invalid {
                Some("sim")
            } else if s.off_track {
                Some("off_track")
            } else if incident_up {
                Some("incident")
            } else {
                None
            };
        }
        self.poll_split(s);
        if let Some(si) = s.sector_index {
            if s.sim_split_ms.is_some() {
                self.uses_sim_splits = true;
            }
            match self.last_sector {
                Some(k) if si == k.wrapping_add(1) => {
                    if let Some(w) = self.split_wait.take() {
                        self.splits.insert(w.sector, None);
                    }
                    self.split_wait = Some(SplitWait {
                        sector: k,
                        base: prev.and_then(|p| p.split),
                        at: stamp,
                    });
                    self.poll_split(s);
                }
                Some(k) if si > k => {
                    // Skipped a sector: the splits of the ones jumped over are unknown.
                    for j in k..si {
                        self.splits.insert(j, None);
                    }
                }
                _ => {}
            }
            self.last_sector = Some(si);
        }
        self.observe_distance(s, prev, starts);
    }

    /// Records the sector boundary crossings between the previous sample and `s`.
    fn observe_distance(&mut self, s: &TimingSample, prev: Option<&Prev>, starts: &[f64]) {
        let (Some(p), Some(p1), Some(t1)) = (prev, s.lap_dist_pct, Stamp::of(s).sim) else {
            return;
        };
        let (Some(p0), Some(t0)) = (p.pct, p.stamp.sim) else {
            return;
        };
        if p1.partial_cmp(&p0) != Some(std::cmp::Ordering::Greater) {
            return;
        }
        let rejected = p1 - p0 > 0.2 || p.pit || s.in_pit_lane;
        for (k, &b) in starts.iter().enumerate().skip(1) {
            if p0 < b && b <= p1 {
                let t = if rejected {
                    None
                } else {
                    interp::crossing_time(p0, t0, p1, t1, b)
                };
                self.dist.entry(k).or_insert(t);
            }
        }
    }

    /// Looks for the sim's split after a sector change.
    pub fn poll_split(&mut self, s: &TimingSample) {
        let Some(w) = self.split_wait else { return };
        let stamp = Stamp::of(s);
        let floor = if w.sector == 0 {
            Some(0.0)
        } else {
            self.splits.get(&(w.sector - 1)).copied().flatten()
        };
        match s.sim_split_ms {
            Some(v)
                if Some(v) != w.base
                    && v.is_finite()
                    && floor.is_none_or(|f| v > f)
                    && stamp.since(&w.at) <= SPLIT_WAIT_S =>
            {
                self.splits.insert(w.sector, Some(v));
                self.split_wait = None;
            }
            _ if stamp.since(&w.at) > SPLIT_WAIT_S => {
                self.splits.insert(w.sector, None);
                self.split_wait = None;
            }
            _ => {}
        }
    }

    /// Per-sector times in ms (f64, not rounded). `lap_ms`: the lap time, `lap_from_sim`: it is
    /// the sim's; `end_line`: interpolated line crossing that ended the lap (sim s);
    /// `end_observed`: the lap's end was seen (not a jump or an abandon).
    pub fn sectors(
        &self,
        n: usize,
        lap_ms: Option<f64>,
        lap_from_sim: bool,
        end_line: Option<f64>,
        end_observed: bool,
    ) -> Vec<Option<f64>> {
        if n == 0 {
            return Vec::new();
        }
        let lap_ms = lap_ms.filter(|_| end_observed);
        if self.uses_sim_splits {
            let split = |k: usize| -> Option<f64> {
                let k = u32::try_from(k).ok()?;
                if self.split_wait.is_some_and(|w| w.sector == k) {
                    return None;
                }
                self.splits.get(&k).copied().flatten()
            };
            return (0..n)
                .map(|k| {
                    let start = if k == 0 {
                        (!self.start_partial).then_some(0.0)
                    } else {
                        split(k - 1)
                    };
                    let end = if k + 1 == n { lap_ms } else { split(k) };
                    Some(end? - start?).filter(|d| *d >= 0.0)
                })
                .collect();
        }
        if !self.dist.is_empty() || self.start_line.flatten().is_some() {
            let boundary = |k: usize| -> Option<f64> {
                if k == 0 {
                    self.start_line
                        .flatten()
                        .or(self.timer_start)
                        .filter(|_| !self.start_partial)
                } else if k == n {
                    end_line.filter(|_| end_observed)
                } else {
                    self.dist.get(&k).copied().flatten()
                }
            };
            let mut out: Vec<Option<f64>> = (0..n.saturating_sub(1))
                .map(|k| Some((boundary(k + 1)? - boundary(k)?) * 1000.0).filter(|d| *d >= 0.0))
                .collect();
            let last = match (
                lap_ms,
                lap_from_sim,
                out.iter().copied().sum::<Option<f64>>(),
            ) {
                (Some(t), true, Some(sum)) => Some(t - sum),
                _ => boundary(n)
                    .zip(boundary(n - 1))
                    .map(|(b, a)| (b - a) * 1000.0),
            };
            out.push(last.filter(|d| *d >= 0.0));
            return out;
        }
        vec![None; n]
    }

    /// The lap as the model has it, times rounded to integer ms.
    pub fn to_lap(
        &self,
        time_ms: Option<f64>,
        sectors: &[Option<f64>],
        partial: bool,
        end_s: f64,
    ) -> Lap {
        Lap {
            number: self.number,
            time_ms: time_ms.and_then(round_ms),
            sectors_ms: sectors.iter().map(|s| s.and_then(round_ms)).collect(),
            // A lap that never reached the line cannot be valid.
            valid: self.invalid_reason.is_none() && time_ms.is_some(),
            out_lap: self.out_lap,
            in_lap: self.in_lap || (self.last_in_pit_lane && !self.out_lap),
            partial: partial || self.start_partial,
            invalid_reason: self.invalid_reason.map(str::to_owned),
            start_s: self.start.rec,
            end_s,
        }
    }
}

/// A time in ms rounded to the nearest integer; `None` when negative, not finite or too large.
pub(crate) fn round_ms(x: f64) -> Option<u32> {
    (x.is_finite() && x >= 0.0 && x < f64::from(u32::MAX)).then(|| x.round() as u32)
}
