//! `GET /api/v1/live`: Server-Sent Events, one `lap` event per lap stored after the
//! connection opened, by any process (`ksana dump` on this machine, or many drivers on a
//! PostgreSQL server): the store is polled for laps with a higher id every 500 ms.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use ksana_store::StoredLap;

use crate::{ApiError, AppState};

/// How often the store is asked for new laps.
const POLL: Duration = Duration::from_millis(500);
/// Most laps fetched per poll (more wait for the next poll).
const BATCH: u32 = 200;

pub async fn live(
    State(state): State<AppState>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let start = state.store(|s| Ok(s.last_lap_id()?)).await?;
    let events = stream::unfold(
        (state, start, Vec::<StoredLap>::new()),
        |(state, mut last, mut pending)| async move {
            loop {
                if !pending.is_empty() {
                    let lap = pending.remove(0);
                    last = last.max(lap.lap_id);
                    let event = Event::default()
                        .event("lap")
                        .id(lap.lap_id.to_string())
                        .json_data(&lap)
                        .unwrap_or_else(|e| Event::default().event("error").data(e.to_string()));
                    return Some((Ok(event), (state, last, pending)));
                }
                tokio::time::sleep(POLL).await;
                match state.store(move |s| Ok(s.laps_since(last, BATCH)?)).await {
                    Ok(new) => pending = new,
                    Err(e) => {
                        let event = Event::default().event("error").data(e.message);
                        return Some((Ok(event), (state, last, pending)));
                    }
                }
            }
        },
    );
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
