//! The `/api/v1` routes, one module per group of endpoints.

mod live;
mod sessions;
mod stats;
mod trace;
mod upload;

use std::collections::HashMap;

use axum::Router;
use axum::extract::Query as AxumQuery;
use axum::extract::rejection::QueryRejection;
use axum::routing::{get, post};

use crate::params::Query;
use crate::{ApiError, AppState};

/// Every API route.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/sessions", get(sessions::list))
        .route("/api/v1/sessions/{id}", get(sessions::detail))
        .route(
            "/api/v1/sessions/{id}/laps/{number}/trace",
            get(trace::lap_trace),
        )
        .route("/api/v1/bests", get(stats::bests))
        .route("/api/v1/progress", get(stats::progress))
        .route("/api/v1/live", get(live::live))
        .route("/api/v1/recordings", post(upload::upload))
        .fallback(not_found)
}

/// 404 in the API's JSON form for any other path.
async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no such endpoint: {}", uri.path()))
}

/// The query pairs, or 400 when the query string cannot be decoded.
fn query(q: Result<AxumQuery<HashMap<String, String>>, QueryRejection>) -> Result<Query, ApiError> {
    q.map(|AxumQuery(m)| Query::new(m))
        .map_err(|e| ApiError::bad_request(format!("malformed query string: {e}")))
}
