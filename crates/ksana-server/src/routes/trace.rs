//! `GET /api/v1/sessions/{id}/laps/{number}/trace?points=N`: one lap's channels against lap
//! distance, read from the recording the session was detected in.

use std::collections::HashMap;
use std::path::PathBuf;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query as AxumQuery, State};
use axum::http::StatusCode;
use serde::Serialize;

use crate::params;
use crate::{ApiError, AppState, OpenError, TracePoint};

const DEFAULT_POINTS: i64 = 500;
const MAX_POINTS: i64 = 5000;

/// The trace's answer.
#[derive(Serialize)]
pub struct Trace {
    session_id: i64,
    lap: u32,
    time_ms: Option<u32>,
    recording: String,
    /// What `dist` measures: the fraction of the lap (0 at the line, 1 at the next).
    distance_unit: &'static str,
    steering_unit: &'static str,
    points: Vec<TracePoint>,
}

pub async fn lap_trace(
    State(state): State<AppState>,
    Path((id, number)): Path<(String, String)>,
    q: Result<AxumQuery<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<Trace>, ApiError> {
    let id = params::session_id(&id)?;
    let number = params::lap_number(&number)?;
    let mut q = super::query(q)?;
    let points = q.int("points", DEFAULT_POINTS, 2, MAX_POINTS)? as usize;
    q.finish()?;
    let stored = state
        .store(move |s| Ok(s.session(id)?))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no session {id}")))?;
    let lap = stored
        .session
        .laps
        .iter()
        .find(|l| l.number == number)
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("session {id} has no lap {number}")))?;
    // The stored source (an absolute path for `ksana laps --save`), else the name the
    // recording had when its laps were detected (live sessions: the file `ksana dump` wrote).
    let candidates: Vec<PathBuf> = [
        Some(stored.summary.source.clone()),
        stored.session.recording,
    ]
    .into_iter()
    .flatten()
    .filter(|p| p != "live" && !p.is_empty())
    .map(PathBuf::from)
    .collect();
    let Some(path) = candidates.iter().find(|p| p.is_file()).cloned() else {
        return Err(ApiError::not_found(format!(
            "the recording of session {id} is gone ({})",
            candidates
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    let (start_s, end_s) = (lap.start_s, lap.end_s);
    let shown = path.display().to_string();
    let (trace, steering_unit) = tokio::task::spawn_blocking(move || {
        let rec = crate::open_any(&path).map_err(|e| match e {
            OpenError::Io(m) => ApiError::not_found(format!("the recording is gone: {m}")),
            other => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, other.to_string()),
        })?;
        crate::lap_trace(&rec, start_s, end_s, points)
            .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))
    })
    .await
    .map_err(|e| ApiError::internal(format!("trace task failed: {e}")))??;
    Ok(Json(Trace {
        session_id: id,
        lap: number,
        time_ms: lap.time_ms,
        recording: shown,
        distance_unit: "fraction",
        steering_unit,
        points: trace,
    }))
}
