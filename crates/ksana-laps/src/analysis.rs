//! Bests of a session: best lap, best sector times, theoretical best (sum of the best
//! sectors), and each lap's delta to the best lap. Only laps for which
//! [`Lap::counts_for_best`] holds take part (not invalid, out, in, partial or unfinished).

use serde::Serialize;

use crate::model::{Lap, Session};

/// What [`analyse`] finds in one session.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SessionAnalysis {
    /// The fastest counting lap: (lap number, ms). The earliest wins a tie.
    pub best_lap: Option<(u32, u32)>,
    /// Per sector, the fastest counting time: (lap number, ms).
    pub best_sectors: Vec<Option<(u32, u32)>>,
    /// Sum of the best sectors, when every sector has one.
    pub theoretical_best_ms: Option<u32>,
    /// Per lap (in the session's order), its time minus the best lap's, ms.
    pub deltas_ms: Vec<Option<i64>>,
    /// How many laps counted.
    pub counted_laps: usize,
}

/// Bests of `s` from its counting laps.
pub fn analyse(s: &Session) -> SessionAnalysis {
    let counted: Vec<&Lap> = s.laps.iter().filter(|l| l.counts_for_best()).collect();
    let mut best_lap: Option<(u32, u32)> = None;
    for l in &counted {
        if let Some(t) = l.time_ms
            && best_lap.is_none_or(|(_, b)| t < b)
        {
            best_lap = Some((l.number, t));
        }
    }
    let n = s
        .sector_count
        .map(|c| c as usize)
        .unwrap_or_else(|| {
            counted
                .iter()
                .map(|l| l.sectors_ms.len())
                .max()
                .unwrap_or(0)
        })
        .min(64);
    let best_sectors: Vec<Option<(u32, u32)>> = (0..n)
        .map(|k| {
            let mut best: Option<(u32, u32)> = None;
            for l in &counted {
                if let Some(Some(t)) = l.sectors_ms.get(k)
                    && best.is_none_or(|(_, b)| *t < b)
                {
                    best = Some((l.number, *t));
                }
            }
            best
        })
        .collect();
    let theoretical_best_ms = if n == 0 {
        None
    } else {
        best_sectors
            .iter()
            .try_fold(0u32, |acc, b| acc.checked_add(b.map(|(_, t)| t)?))
    };
    SessionAnalysis {
        best_lap,
        best_sectors,
        theoretical_best_ms,
        deltas_ms: deltas(s, best_lap.map(|(_, t)| t)),
        counted_laps: counted.len(),
    }
}

/// Each lap's time minus `best_ms` (ms), `None` for a lap without time or when there is no best.
pub fn deltas(s: &Session, best_ms: Option<u32>) -> Vec<Option<i64>> {
    s.laps
        .iter()
        .map(|l| Some(i64::from(l.time_ms?) - i64::from(best_ms?)))
        .collect()
}
