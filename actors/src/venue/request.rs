//! One HTTP round trip to a venue, with its failure classified once for both venues:
//! connect errors were never sent; a timeout or reset after sending is an unknown outcome; 5xx is
//! an unknown outcome; 401/403 are invalid keys; 429/418 are rate limits (with `Retry-After`);
//! any other 4xx is the venue's refusal with its code.

use std::time::Duration;

use rust_decimal::Decimal;
use serde_json::Value;

use super::VenueError;
use super::ratelimit::retry_after;

/// A venue's answer with a success status.
#[derive(Debug)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The response headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body, parsed.
    pub body: Value,
}

/// The venue's error code and message from an error body.
pub type ErrorReader = fn(&Value) -> (String, String);

/// Sends `request` and classifies the outcome. `what` is "METHOD /path" for messages.
pub async fn send(
    venue: &'static str,
    what: String,
    request: reqwest::RequestBuilder,
    read_error: ErrorReader,
) -> Result<Answer, VenueError> {
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => return Err(transport(venue, what, &error)),
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = match response.text().await {
        Ok(text) => text,
        Err(error) => return Err(transport(venue, what, &error)),
    };
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    classify(venue, what, status, headers, body, &text, read_error)
}

fn transport(venue: &'static str, request: String, error: &reqwest::Error) -> VenueError {
    let detail = one_line(error);
    if error.is_connect() {
        VenueError::NotSent {
            venue,
            request,
            detail,
        }
    } else if error.is_timeout() {
        VenueError::OutcomeUnknown {
            venue,
            request,
            detail: format!("timed out: {detail}"),
        }
    } else {
        VenueError::OutcomeUnknown {
            venue,
            request,
            detail,
        }
    }
}

fn one_line(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

/// Classifies a status and body (pure; unit-tested).
pub fn classify(
    venue: &'static str,
    request: String,
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
    text: &str,
    read_error: ErrorReader,
) -> Result<Answer, VenueError> {
    match status {
        200..=299 => {
            if body.is_null() {
                Err(VenueError::Protocol {
                    venue,
                    request,
                    detail: format!("not JSON: {}", snippet(text)),
                })
            } else {
                Ok(Answer {
                    status,
                    headers,
                    body,
                })
            }
        }
        429 | 418 => Err(VenueError::RateLimited {
            venue,
            request,
            retry_after: retry_after(
                headers
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok()),
            )
            .max(if status == 418 {
                Duration::from_secs(120)
            } else {
                Duration::ZERO
            }),
        }),
        500..=599 => Err(VenueError::OutcomeUnknown {
            venue,
            request,
            detail: format!("HTTP {status}: {}", snippet(text)),
        }),
        _ => {
            let (code, message) = read_error(&body);
            let (code, message) = if code.is_empty() && message.is_empty() {
                (format!("HTTP {status}"), snippet(text))
            } else {
                (code, message)
            };
            if status == 401 || status == 403 {
                Err(VenueError::InvalidKeys {
                    venue,
                    request,
                    status,
                    code,
                    message,
                })
            } else {
                Err(VenueError::Rejected {
                    venue,
                    request,
                    status,
                    code,
                    message,
                })
            }
        }
    }
}

fn snippet(text: &str) -> String {
    let line = text.replace(['\n', '\r'], " ");
    match line.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", line.get(..cut).unwrap_or_default()),
        None => line,
    }
}

/// A decimal field that may be a JSON string or number; `None` when absent or null.
pub fn decimal(value: &Value, field: &str) -> Option<Decimal> {
    match value.get(field)? {
        Value::String(s) => crate::exchanges::num::parse_decimal(s).ok(),
        Value::Number(n) => crate::exchanges::num::parse_decimal(&n.to_string()).ok(),
        _ => None,
    }
}

/// A string field (numbers are printed).
pub fn text(value: &Value, field: &str) -> Option<String> {
    match value.get(field)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A protocol error for a missing or bad field.
pub fn missing(venue: &'static str, request: &str, field: &str) -> VenueError {
    VenueError::Protocol {
        venue,
        request: request.to_owned(),
        detail: format!("no usable `{field}`"),
    }
}
