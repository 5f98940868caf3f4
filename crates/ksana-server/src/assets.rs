//! The web UI's static files, embedded from `crates/ksana-server/ui/` at build time (no file
//! is read at run time, nothing is fetched from elsewhere): `GET /` is `ui/index.html`,
//! `GET /assets/{path}` any file of `ui/`.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use include_dir::{Dir, include_dir};

use crate::AppState;

static UI: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/ui");

/// `/` and `/assets/*`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { file("index.html") }))
        .route(
            "/assets/{*path}",
            get(|Path(p): Path<String>| async move { file(&p) }),
        )
}

/// The embedded file at `path` with its content type, or 404.
fn file(path: &str) -> Response {
    match UI.get_file(path) {
        Some(f) => ([(header::CONTENT_TYPE, content_type(path))], f.contents()).into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, e)| e) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}
