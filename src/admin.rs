//! The admin API behind `premia breaker …` (the kill switch):
//!
//! - `GET /api/v1/breakers`: every breaker (key, state, forced, open since).
//! - `POST /api/v1/breakers/open` `{"key": K, "reason": R?, "by": B?}`: forces `K` open; it stays
//!   open until an operator closes it, and `/readyz` reports not ready, naming it.
//! - `POST /api/v1/breakers/close` `{"key": K}`: closes it.
//! - `POST /api/v1/breakers/reset` `{"key": K}` or `{"all": true}`: closes it (or every breaker)
//!   and clears its counters.
//!
//! Each override is recorded as an `OperatorCommand` event (durably, before it takes effect is
//! answered) followed by the `BreakerTransition` it caused (`forced = true`), whose notification
//! goes out like any other. A token is required when one is configured, and the daemon refuses
//! to start bound beyond loopback without one (`http.admin_token_env` / `http.admin_token_file`);
//! it is compared in constant time.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use premia_actors::breaker::{BreakerBoard, BreakerInfo};
use premia_actors::health::Health;
use premia_actors::journal::Journal;
use premia_actors::secret::Secret;
use premia_events::event::{BreakerTransition, Event, OperatorCommand};
use serde::{Deserialize, Serialize};

/// What the admin handlers share.
#[derive(Clone, Debug)]
pub struct AdminState {
    /// The breakers.
    pub breakers: BreakerBoard,
    /// The log.
    pub journal: Journal,
    /// `/readyz`.
    pub health: Health,
    /// The token callers must present (`Authorization: Bearer …`), if any.
    pub token: Option<Secret>,
}

/// The admin routes.
pub fn router(state: AdminState) -> Router {
    Router::new()
        .route("/api/v1/breakers", get(list))
        .route("/api/v1/breakers/open", post(open))
        .route("/api/v1/breakers/close", post(close))
        .route("/api/v1/breakers/reset", post(reset))
        .with_state(state)
}

/// Body of the POST endpoints.
#[derive(Debug, Deserialize)]
struct Command {
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    all: bool,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    by: Option<String>,
}

/// Answer of the POST endpoints.
#[derive(Debug, Serialize)]
pub struct Outcome {
    /// The transitions the command caused (none if the breaker already was in that state).
    pub transitions: Vec<String>,
    /// Every breaker after the command.
    pub breakers: Vec<BreakerInfo>,
}

fn error(code: StatusCode, message: impl Into<String>) -> Response {
    (
        code,
        axum::Json(serde_json::json!({ "error": message.into() })),
    )
        .into_response()
}

/// `None` when the caller may proceed, else the 401 to answer.
fn unauthorized(state: &AdminState, headers: &HeaderMap) -> Option<Response> {
    let token = state.token.as_ref()?;
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    (!token.matches(presented)).then(|| {
        error(
            StatusCode::UNAUTHORIZED,
            "admin token missing or wrong (Authorization: Bearer <token>)",
        )
    })
}

/// A key is `exchange/region/request_type`, each part of a-z 0-9 _ -.
pub fn valid_key(key: &str) -> bool {
    let parts: Vec<&str> = key.split('/').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        })
}

async fn list(State(state): State<AdminState>, headers: HeaderMap) -> Response {
    if let Some(response) = unauthorized(&state, &headers) {
        return response;
    }
    axum::Json(state.breakers.infos()).into_response()
}

async fn open(state: State<AdminState>, headers: HeaderMap, body: axum::Json<Command>) -> Response {
    apply(state, headers, body, "breaker open").await
}

async fn close(
    state: State<AdminState>,
    headers: HeaderMap,
    body: axum::Json<Command>,
) -> Response {
    apply(state, headers, body, "breaker close").await
}

async fn reset(
    state: State<AdminState>,
    headers: HeaderMap,
    body: axum::Json<Command>,
) -> Response {
    apply(state, headers, body, "breaker reset").await
}

async fn apply(
    State(state): State<AdminState>,
    headers: HeaderMap,
    axum::Json(command): axum::Json<Command>,
    name: &'static str,
) -> Response {
    if let Some(response) = unauthorized(&state, &headers) {
        return response;
    }
    let target = match (&command.key, command.all, name) {
        (None, true, "breaker reset") => "--all".to_owned(),
        (Some(key), false, _) if valid_key(key) => key.clone(),
        (Some(key), false, _) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!(
                    "{key:?} is not a breaker key: exchange/region/request_type, e.g. paper/local/order"
                ),
            );
        }
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "give one breaker key (or, for reset, all: true)",
            );
        }
    };
    let known = state.breakers.states().iter().any(|(k, _, _)| *k == target);
    if name != "breaker open" && target != "--all" && !known {
        let keys: Vec<String> = state
            .breakers
            .states()
            .into_iter()
            .map(|(k, _, _)| k)
            .collect();
        return error(
            StatusCode::NOT_FOUND,
            format!("no breaker {target} (known: {})", keys.join(", ")),
        );
    }
    let by = command.by.clone().unwrap_or_else(|| "http".into());
    let recorded = state
        .journal
        .append(
            &Event::OperatorCommand(OperatorCommand {
                command: name.into(),
                target: target.clone(),
                by: by.clone(),
            }),
            None,
        )
        .await;
    let cause = match recorded {
        Ok(appended) => appended.id,
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("command not recorded, so not applied: {e}"),
            );
        }
    };
    let reason = command
        .reason
        .clone()
        .unwrap_or_else(|| format!("{name} by {by}"));
    let transitions: Vec<BreakerTransition> = match name {
        "breaker open" => state
            .breakers
            .force_open(&target, &reason)
            .into_iter()
            .collect(),
        "breaker close" => state
            .breakers
            .force_close(&target, &reason)
            .into_iter()
            .collect(),
        _ if target == "--all" => state.breakers.reset_all(&reason),
        _ => state
            .breakers
            .force_close(&target, &reason)
            .into_iter()
            .collect(),
    };
    let mut lines = Vec::new();
    for t in transitions {
        lines.push(format!(
            "{} {} -> {}",
            t.key,
            t.from.as_str(),
            t.to.as_str()
        ));
        if let Err(e) = state
            .journal
            .append(&Event::BreakerTransition(t), Some(cause))
            .await
        {
            tracing::error!(error = %e, "Breaker transition not recorded");
        }
    }
    state.breakers.sync_health(&state.health);
    tracing::warn!(command = name, %target, %by, "Operator command");
    axum::Json(Outcome {
        transitions: lines,
        breakers: state.breakers.infos(),
    })
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_three_plain_parts() {
        for (case, key, ok) in [
            ("TC1", "paper/local/order", true),
            ("TC2", "upbit/kr/feed", true),
            ("TC3", "upbit/kr", false),
            ("TC4", "Upbit/kr/order", false),
            ("TC5", "a//b", false),
            ("TC6", "a/b/c/d", false),
            ("TC7", "a/b/c d", false),
        ] {
            assert_eq!(valid_key(key), ok, "{case}: {key}");
        }
    }
}
