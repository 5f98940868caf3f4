//! `GET /api/v1/sessions` (filtered, paged list) and `GET /api/v1/sessions/{id}` (one session
//! with laps, sectors and its analysis).

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query as AxumQuery, State};
use ksana_laps::{Lap, SessionAnalysis};
use ksana_store::{SessionFilter, SessionSummary};
use serde::Serialize;

use crate::params::{self};
use crate::{ApiError, AppState};

/// Default and largest page size.
const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 500;

/// The list's answer: the page and how it was asked for.
#[derive(Serialize)]
pub struct SessionList {
    sessions: Vec<SessionSummary>,
    limit: i64,
    offset: i64,
}

pub async fn list(
    State(state): State<AppState>,
    q: Result<AxumQuery<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<SessionList>, ApiError> {
    let mut q = super::query(q)?;
    let limit = q.int("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)?;
    let offset = q.int("offset", 0, 0, i64::from(u32::MAX))?;
    let filter = SessionFilter {
        sim: q.text("sim"),
        track: q.text("track"),
        car: q.text("car"),
        driver: q.text("driver"),
        from: q.time("from")?,
        to: q.time("to")?,
        limit: Some(limit as u32),
        offset: offset as u32,
    };
    q.finish()?;
    let sessions = state.store(move |s| Ok(s.sessions(&filter)?)).await?;
    Ok(Json(SessionList {
        sessions,
        limit,
        offset,
    }))
}

/// A lap as the API shows it.
#[derive(Serialize)]
pub struct LapView {
    #[serde(flatten)]
    lap: Lap,
    counts_for_best: bool,
    /// Time minus the session's best lap, ms.
    delta_ms: Option<i64>,
}

/// A best (lap or sector): which lap, and its time.
#[derive(Serialize)]
pub struct Best {
    lap: u32,
    time_ms: u32,
}

/// The analysis, with named fields instead of tuples.
#[derive(Serialize)]
pub struct AnalysisView {
    best_lap: Option<Best>,
    best_sectors: Vec<Option<Best>>,
    theoretical_best_ms: Option<u32>,
    counted_laps: usize,
}

impl From<&SessionAnalysis> for AnalysisView {
    fn from(a: &SessionAnalysis) -> Self {
        let best = |b: &Option<(u32, u32)>| b.map(|(lap, time_ms)| Best { lap, time_ms });
        Self {
            best_lap: best(&a.best_lap),
            best_sectors: a.best_sectors.iter().map(best).collect(),
            theoretical_best_ms: a.theoretical_best_ms,
            counted_laps: a.counted_laps,
        }
    }
}

/// One session's answer.
#[derive(Serialize)]
pub struct SessionDetail {
    #[serde(flatten)]
    summary: SessionSummary,
    sector_count: Option<u32>,
    recording: Option<String>,
    start_s: f64,
    end_s: f64,
    end_reason: String,
    laps: Vec<LapView>,
    analysis: AnalysisView,
}

pub async fn detail(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<SessionDetail>, ApiError> {
    let id = params::session_id(&id)?;
    let stored = state
        .store(move |s| Ok(s.session(id)?))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no session {id}")))?;
    let analysis = ksana_laps::analyse(&stored.session);
    let s = stored.session;
    let laps = s
        .laps
        .into_iter()
        .zip(
            analysis
                .deltas_ms
                .iter()
                .copied()
                .chain(std::iter::repeat(None)),
        )
        .map(|(lap, delta_ms)| LapView {
            counts_for_best: lap.counts_for_best(),
            lap,
            delta_ms,
        })
        .collect();
    Ok(Json(SessionDetail {
        summary: stored.summary,
        sector_count: s.sector_count,
        recording: s.recording,
        start_s: s.start_s,
        end_s: s.end_s,
        end_reason: s.end_reason,
        laps,
        analysis: AnalysisView::from(&analysis),
    }))
}
