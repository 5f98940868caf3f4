//! `ksana serve`: the lap history over HTTP. A JSON API under `/api/v1` (sessions with
//! filters and paging, one session with its analysis, personal bests, progress over time, a
//! lap's trace read from its recording, a live stream of laps as Server-Sent Events, and
//! uploads of recordings) and the web UI's static assets, embedded in the binary.
//!
//! The store is any [`ksana_store::LapStore`] (SQLite or PostgreSQL); its calls are blocking,
//! so every one runs on tokio's blocking pool ([`state::AppState::store`]), never on the async
//! runtime. docs/API.md documents every endpoint.

#![warn(missing_docs)]

mod assets;
mod auth;
mod error;
mod open;
mod params;
mod routes;
mod state;
mod trace;

use std::net::SocketAddr;

pub use error::ApiError;
pub use open::{OpenError, open_any};
pub use state::{AppState, ServerConfig, WritePolicy};
pub use trace::{TracePoint, lap_trace};

/// The whole application: the API routes and the embedded UI, on `state`.
pub fn router(state: AppState) -> axum::Router {
    routes::api().merge(assets::routes()).with_state(state)
}

/// Serves `router(state)` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// True when `addr` is reachable only from this machine (127.0.0.0/8 or ::1).
pub fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}
