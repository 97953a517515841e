//! The HTTP endpoint, on 127.0.0.1 by default:
//!
//! - `GET /healthz`: 200 while the process serves requests (liveness).
//! - `GET /readyz`: 200 or 503 with a JSON body giving each component's status.
//! - `GET /metrics`: Prometheus text format.
//! - `GET /api/v1/records?from=SEQ&limit=N`: raw log records, for read commands run while the
//!   daemon holds the data dir. The body is a sequence of `[seq u64 BE][length u32 BE][record]`;
//!   the command decodes and checks them exactly as it would read the data dir itself, so the
//!   output is the same either way.
//! - `GET /api/v1/head`: the head the writer recorded (`{"seq":…,"hash":"…"}`), for `verify`.

use std::path::PathBuf;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use premia_actors::health::Health;
use premia_actors::journal::Journal;
use premia_actors::metrics::Metrics;
use serde::Deserialize;

/// What the handlers share.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Component statuses.
    pub health: Health,
    /// The metrics registry.
    pub metrics: Metrics,
    /// The log and ledger.
    pub journal: Journal,
    /// The data dir.
    pub data_dir: PathBuf,
}

/// The routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/api/v1/records", get(records))
        .route("/api/v1/head", get(head))
        .with_state(state)
}

async fn readyz(State(state): State<AppState>) -> Response {
    let readiness = state.health.readiness();
    let code = if readiness.status == "ready" {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, axum::Json(readiness)).into_response()
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// Query of `/api/v1/records`.
#[derive(Debug, Deserialize)]
struct RecordsQuery {
    #[serde(default)]
    from: u64,
    #[serde(default = "default_limit")]
    limit: usize,
}

fn default_limit() -> usize {
    10_000
}

/// Raw records from `from` on, at most `limit` (capped at 100,000).
async fn records(State(state): State<AppState>, Query(query): Query<RecordsQuery>) -> Response {
    let journal = state.journal.clone();
    let body = tokio::task::spawn_blocking(move || {
        let tree = journal.log().reader().tree("events")?;
        let mut out = Vec::new();
        for item in tree
            .range(query.from.max(1).to_be_bytes()..)
            .take(query.limit.min(100_000))
        {
            let (key, value) = item.map_err(|e| premia_events::log::LogError::Store {
                detail: e.to_string(),
            })?;
            out.extend_from_slice(&key);
            out.extend_from_slice(&u32::try_from(value.len()).unwrap_or(u32::MAX).to_be_bytes());
            out.extend_from_slice(&value);
        }
        Ok::<_, premia_events::log::LogError>(out)
    })
    .await;
    match body {
        Ok(Ok(bytes)) => {
            ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response()
        }
        Ok(Err(error)) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}

async fn head(State(state): State<AppState>) -> Response {
    let journal = state.journal.clone();
    let result = tokio::task::spawn_blocking(move || journal.log().reader().head_marker()).await;
    match result {
        Ok(Ok(Some((seq, hash)))) => {
            axum::Json(serde_json::json!({ "seq": seq, "hash": hash.to_hex() })).into_response()
        }
        Ok(Ok(None)) => axum::Json(serde_json::json!({ "seq": 0, "hash": null })).into_response(),
        Ok(Err(error)) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}
