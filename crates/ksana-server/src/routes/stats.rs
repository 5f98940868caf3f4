//! `GET /api/v1/bests` (personal and theoretical bests per sim + track + car) and
//! `GET /api/v1/progress` (per session over time: best and median counting lap).

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query as AxumQuery, State};
use ksana_store::{PersonalBest, SessionFilter};
use serde::Serialize;

use crate::{ApiError, AppState};

/// The bests' answer.
#[derive(Serialize)]
pub struct Bests {
    bests: Vec<PersonalBest>,
}

pub async fn bests(
    State(state): State<AppState>,
    q: Result<AxumQuery<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<Bests>, ApiError> {
    let mut q = super::query(q)?;
    let (sim, track, car) = (q.text("sim"), q.text("track"), q.text("car"));
    q.finish()?;
    let mut bests = state.store(|s| Ok(s.personal_bests()?)).await?;
    bests.retain(|b| {
        sim.as_ref().is_none_or(|x| *x == b.sim)
            && track.as_ref().is_none_or(|x| *x == b.track)
            && car.as_ref().is_none_or(|x| *x == b.car)
    });
    Ok(Json(Bests { bests }))
}

/// One session's point of the progress curve.
#[derive(Serialize, Debug, PartialEq)]
pub struct ProgressPoint {
    session_id: i64,
    /// `recorded_at`, else when it was stored.
    date: String,
    sim: String,
    track: String,
    car: String,
    best_lap_ms: Option<u32>,
    median_lap_ms: Option<u32>,
    /// Laps that count for bests.
    valid_laps: usize,
    /// Every lap stored.
    lap_count: usize,
}

/// The progress answer, oldest session first.
#[derive(Serialize)]
pub struct Progress {
    sessions: Vec<ProgressPoint>,
}

/// Most sessions one progress answer covers (the newest ones).
const MAX_SESSIONS: u32 = 2000;

pub async fn progress(
    State(state): State<AppState>,
    q: Result<AxumQuery<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<Progress>, ApiError> {
    let mut q = super::query(q)?;
    let filter = SessionFilter {
        sim: q.text("sim"),
        track: q.text("track"),
        car: q.text("car"),
        driver: q.text("driver"),
        from: q.time("from")?,
        to: q.time("to")?,
        limit: Some(MAX_SESSIONS),
        offset: 0,
    };
    q.finish()?;
    if filter.track.is_none() || filter.car.is_none() {
        return Err(ApiError::bad_request(
            "progress needs track and car (and sim when several sims share the names)",
        ));
    }
    let mut points = state
        .store(move |s| {
            let mut out = Vec::new();
            for summary in s.sessions(&filter)? {
                let Some(stored) = s.session(summary.id)? else {
                    continue; // deleted meanwhile
                };
                let mut times: Vec<u32> = stored
                    .session
                    .laps
                    .iter()
                    .filter(|l| l.counts_for_best())
                    .filter_map(|l| l.time_ms)
                    .collect();
                times.sort_unstable();
                out.push(ProgressPoint {
                    session_id: summary.id,
                    date: summary
                        .recorded_at
                        .clone()
                        .unwrap_or_else(|| summary.created_at.clone()),
                    sim: summary.sim,
                    track: summary.track,
                    car: summary.car,
                    best_lap_ms: times.first().copied(),
                    median_lap_ms: median(&times),
                    valid_laps: times.len(),
                    lap_count: stored.session.laps.len(),
                });
            }
            Ok(out)
        })
        .await?;
    points.reverse();
    Ok(Json(Progress { sessions: points }))
}

/// The median of sorted times (the mean of the middle two, rounded down, for an even count).
fn median(sorted: &[u32]) -> Option<u32> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some(((u64::from(sorted[n / 2 - 1]) + u64::from(sorted[n / 2])) / 2) as u32),
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[90_000]), Some(90_000));
        assert_eq!(median(&[1, 5, 9]), Some(5));
        assert_eq!(median(&[90_000, 90_001]), Some(90_000));
        assert_eq!(median(&[1, 2, 4, 100]), Some(3));
    }
}
