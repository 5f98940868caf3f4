//! `POST /api/v1/recordings`: a recording (or a sim's own file, or an old ksana file) in the
//! body, written to the upload directory under a generated name, opened as a hostile file,
//! its laps detected and stored. Anything that is not a readable recording is refused with
//! nothing stored and the file removed.

use std::io::Write;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use futures_util::StreamExt;
use ksana_store::SessionMeta;
use serde::Serialize;

use crate::{ApiError, AppState, OpenError, auth};

/// The upload's answer.
#[derive(Serialize)]
pub struct Uploaded {
    /// Where the server keeps the file.
    path: String,
    /// The sim it is a recording of.
    sim: String,
    /// Ids of the sessions stored.
    session_ids: Vec<i64>,
    /// Laps stored, over all sessions.
    laps: usize,
}

pub async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Uploaded>), ApiError> {
    auth::check_write(&state.config.writes, &headers)?;
    let max = state.config.max_upload_bytes;
    if let Some(len) = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > max
    {
        return Err(too_large(max));
    }
    let dir = state.config.upload_dir.clone();
    // A generated name in the upload dir; removed on drop unless kept.
    let file = tokio::task::spawn_blocking(move || {
        tempfile::Builder::new()
            .prefix("upload-")
            .suffix(".part")
            .tempfile_in(&dir)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
    .map_err(|e| ApiError::internal(format!("creating the upload file: {e}")))?;
    let (std_file, tmp_path) = file.into_parts();
    let mut out = tokio::fs::File::from_std(std_file);
    let mut written: u64 = 0;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request(format!("reading the body: {e}")))?;
        written += chunk.len() as u64;
        if written > max {
            return Err(too_large(max));
        }
        tokio::io::AsyncWriteExt::write_all(&mut out, &chunk)
            .await
            .map_err(|e| ApiError::internal(format!("writing the upload: {e}")))?;
    }
    let mut std_file = out.into_std().await;
    std_file
        .flush()
        .and_then(|()| std_file.sync_all())
        .map_err(|e| ApiError::internal(format!("writing the upload: {e}")))?;
    drop(std_file);
    if written == 0 {
        return Err(ApiError::bad_request("the body is empty: send a recording"));
    }
    let detected = tokio::task::spawn_blocking(move || {
        let rec = crate::open_any(&tmp_path).map_err(|e| match e {
            OpenError::Unknown(_) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "not a ksana recording, and no sim recognises it as its own file",
            ),
            OpenError::Invalid(m) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("the file is damaged or malformed: {m}"),
            ),
            OpenError::Io(m) => ApiError::internal(m),
        })?;
        // Every chunk decoded and checked before anything is stored.
        rec.verify().map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("the file is damaged or malformed: {e}"),
            )
        })?;
        // The kept name: the generated one, without `.part`.
        let kept = tmp_path.with_extension("rec");
        let name = kept.display().to_string();
        let sessions = ksana_engine::detect_laps(&rec, &name).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("detecting laps: {e}"),
            )
        })?;
        let recorded_at = ksana_engine::rfc3339(rec.header().start_unix_ns);
        let sim = rec.header().sim.clone();
        Ok::<_, ApiError>((tmp_path, kept, sessions, recorded_at, sim, rec))
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))??;
    let (tmp_path, kept, sessions, recorded_at, sim, rec) = detected;
    if sessions.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no laps in this recording: nothing stored",
        ));
    }
    // Kept as sent (traces open it like any file, converting a sim's own file again).
    let meta = SessionMeta {
        source: kept.display().to_string(),
        recorded_at,
    };
    let laps: usize = sessions.iter().map(|s| s.laps.len()).sum();
    drop(rec);
    tmp_path
        .persist(&kept)
        .map_err(|e| ApiError::internal(format!("keeping the upload: {e}")))?;
    let stored = state
        .store(move |s| {
            sessions
                .iter()
                .map(|session| Ok(s.save_session(session, &meta)?))
                .collect::<Result<Vec<_>, ApiError>>()
        })
        .await;
    let session_ids = match stored {
        Ok(ids) => ids,
        Err(e) => {
            let _ = std::fs::remove_file(&kept);
            return Err(e);
        }
    };
    Ok((
        StatusCode::CREATED,
        Json(Uploaded {
            path: kept.display().to_string(),
            sim,
            session_ids,
            laps,
        }),
    ))
}

fn too_large(max: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the upload is larger than the limit of {max} bytes (--max-upload-mb)"),
    )
}
