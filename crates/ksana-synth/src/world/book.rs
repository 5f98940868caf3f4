//! The world's own book of sessions and laps, kept by the session clock (seconds), turned into
//! the [`Truth`] the lap engine's tests compare against.

use super::{Truth, TruthLap, TruthSession};

/// One lap as the world drove it. Times are session-clock seconds.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct BookLap {
    pub(crate) number: u32,
    pub(crate) start: f64,
    /// Session time of the sector-boundary crossings inside the lap (one fewer than sectors).
    pub(crate) splits: Vec<f64>,
    pub(crate) end: Option<f64>,
    pub(crate) invalidated: bool,
    pub(crate) out_lap: bool,
    pub(crate) in_lap: bool,
}

impl BookLap {
    /// A lap starting at `start`.
    pub(crate) fn new(number: u32, start: f64, out_lap: bool) -> BookLap {
        BookLap {
            number,
            start,
            splits: Vec::new(),
            end: None,
            invalidated: false,
            out_lap,
            in_lap: false,
        }
    }

    /// Lap time, ms (exactly what the timing publishes as `last_lap_ms`).
    pub(crate) fn time_ms(&self) -> Option<f64> {
        self.end.map(|e| (e - self.start) * 1000.0)
    }

    /// Cumulative split at the end of sector `i` (0-based), ms from the lap start.
    pub(crate) fn split_ms(&self, i: usize) -> Option<f64> {
        self.splits.get(i).map(|s| (s - self.start) * 1000.0)
    }

    /// Counts the lap for the best lap: finished, valid, neither out- nor in-lap.
    pub(crate) fn counts_for_best(&self) -> bool {
        self.end.is_some() && !self.invalidated && !self.out_lap && !self.in_lap
    }

    /// The truth row; `seen_from` is the session time the sim started at (sectors that began
    /// before it are unknown, and a lap that began before it is partial).
    fn truth(&self, sectors: usize, seen_from: f64) -> TruthLap {
        let mut sectors_ms = Vec::with_capacity(sectors);
        let mut prev_ms = 0.0;
        let mut prev_t = self.start;
        for i in 0..sectors {
            let (end_t, end_ms) = if i + 1 < sectors {
                (self.splits.get(i).copied(), self.split_ms(i))
            } else {
                (self.end, self.time_ms())
            };
            let value = match (end_t, end_ms) {
                (Some(_), Some(ms)) if prev_t >= seen_from => Some(ms - prev_ms),
                _ => None,
            };
            sectors_ms.push(value);
            if let (Some(t), Some(ms)) = (end_t, end_ms) {
                prev_t = t;
                prev_ms = ms;
            } else {
                prev_t = f64::INFINITY;
            }
        }
        TruthLap {
            number: self.number,
            time_ms: self.time_ms(),
            sectors_ms,
            valid: self.end.is_some() && !self.invalidated,
            out_lap: self.out_lap,
            in_lap: self.in_lap,
            partial: self.start < seen_from || self.end.is_none(),
        }
    }
}

/// One session of the book.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct BookSession {
    pub(crate) kind: super::SessionKind,
    pub(crate) laps: Vec<BookLap>,
    /// Session time the sim started at (0 unless the sim started mid-session).
    pub(crate) seen_from: f64,
}

/// The whole book.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Book {
    pub(crate) sessions: Vec<BookSession>,
}

impl Book {
    /// The truth in `ksana laps --json`'s shape. Laps that ended before the sim started are
    /// left out (the sim never showed them).
    pub(crate) fn truth(&self, sectors: usize, track: &str, car: &str) -> Truth {
        Truth {
            sessions: self
                .sessions
                .iter()
                .map(|s| TruthSession {
                    session_type: s.kind.name().to_string(),
                    track: track.to_string(),
                    car: car.to_string(),
                    laps: s
                        .laps
                        .iter()
                        .filter(|l| l.end.is_none_or(|e| e > s.seen_from))
                        .map(|l| l.truth(sectors, s.seen_from))
                        .collect(),
                })
                .collect(),
        }
    }

    /// The session being driven.
    pub(crate) fn current(&mut self) -> Option<&mut BookSession> {
        self.sessions.last_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sectors_of_a_finished_lap_sum_to_its_time_and_unseen_sectors_are_none() {
        let lap = BookLap {
            number: 3,
            start: 10.0,
            splits: vec![40.0, 70.0],
            end: Some(101.5),
            invalidated: false,
            out_lap: false,
            in_lap: false,
        };
        let t = lap.truth(3, 0.0);
        assert_eq!(t.time_ms, Some(91_500.0));
        assert_eq!(
            t.sectors_ms,
            vec![Some(30_000.0), Some(30_000.0), Some(31_500.0)]
        );
        assert!(t.valid && !t.partial);
        let t = lap.truth(3, 55.0);
        assert_eq!(t.sectors_ms, vec![None, None, Some(31_500.0)]);
        assert!(t.partial && t.valid);
        let unfinished = BookLap::new(1, 0.0, true);
        let t = unfinished.truth(3, 0.0);
        assert_eq!(t.time_ms, None);
        assert_eq!(t.sectors_ms, vec![None, None, None]);
        assert!(t.partial && !t.valid && t.out_lap);
    }
}
