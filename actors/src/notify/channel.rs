//! The chat channels: Telegram (Bot API `sendMessage`), Slack (incoming webhook), Discord
//! (webhook) and a generic JSON webhook (optionally HMAC-SHA256 signed). What each request looks
//! like and how each answer is classified are pure functions; [`deliver`] sends one
//! notification with classified retry: timeouts, connection errors, 429 (honouring
//! `Retry-After` and Telegram's/Discord's `retry_after`) and 5xx are retried with backoff; any
//! other 4xx fails at once.

use std::time::{Duration, Instant};

use super::config::{ChannelConfig, ChannelKind};
use super::message::Notification;
use super::retry::Backoff;
use crate::messages::Level;
use crate::secret::{self, Secret, SecretError};

/// The default Telegram Bot API base URL.
pub const TELEGRAM_API: &str = "https://api.telegram.org";

/// A channel that cannot be used as configured. Names the channel and the key.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    /// A required key is missing.
    #[error("notify channel {channel}: {key} is required for kind {kind}")]
    Missing {
        /// The channel.
        channel: String,
        /// The key.
        key: &'static str,
        /// The kind.
        kind: &'static str,
    },
    /// A secret could not be read.
    #[error("notify channel {channel}: {source}")]
    Secret {
        /// The channel.
        channel: String,
        /// Why.
        source: SecretError,
    },
    /// The HTTP client could not be built.
    #[error("notify channel {channel}: HTTP client: {detail}")]
    Client {
        /// The channel.
        channel: String,
        /// Why.
        detail: String,
    },
}

/// A configured channel, secrets loaded.
#[derive(Clone, Debug)]
pub struct Channel {
    /// Its name.
    pub name: String,
    /// Its API.
    pub kind: ChannelKind,
    /// Levels routed to it.
    pub levels: Vec<Level>,
    /// Where requests go (secret: it embeds a token).
    url: Secret,
    chat_id: Option<String>,
    hmac_key: Option<Secret>,
    signature_header: String,
    client: reqwest::Client,
}

/// The outcome of one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// Delivered.
    Sent,
    /// Failed in a way worth retrying (timeout, connection, 429, 5xx), maybe after a given delay.
    Retry {
        /// What happened.
        why: String,
        /// The server's requested delay.
        after: Option<Duration>,
    },
    /// Failed for good (any other 4xx, a bad request).
    Fail(String),
}

/// The outcome of a delivery (all its attempts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// Whether it was delivered.
    pub sent: bool,
    /// Attempts made.
    pub attempts: u32,
    /// The last failure, if any.
    pub error: Option<String>,
    /// Whether it gave up because the failure was not retryable.
    pub fatal: bool,
    /// Time taken.
    pub took: Duration,
}

impl Channel {
    /// Builds a channel from its config, reading its secrets.
    pub fn from_config(config: &ChannelConfig) -> Result<Channel, ChannelError> {
        let kind = config.kind.as_str();
        let missing = |key| ChannelError::Missing {
            channel: config.name.clone(),
            key,
            kind,
        };
        let secret_error = |source| ChannelError::Secret {
            channel: config.name.clone(),
            source,
        };
        let url = match config.kind {
            ChannelKind::Telegram => {
                let token = secret::load(
                    "token",
                    config.token_env.as_deref(),
                    config.token_file.as_deref(),
                )
                .map_err(secret_error)?;
                if config.chat_id.is_none() {
                    return Err(missing("chat_id"));
                }
                let base = config.base_url.as_deref().unwrap_or(TELEGRAM_API);
                Secret::new(format!(
                    "{}/bot{}/sendMessage",
                    base.trim_end_matches('/'),
                    token.expose()
                ))
            }
            ChannelKind::Slack | ChannelKind::Discord | ChannelKind::Webhook => {
                match (&config.url, config.kind) {
                    (Some(url), ChannelKind::Webhook) => Secret::new(url.clone()),
                    _ if config.url_env.is_some() || config.url_file.is_some() => {
                        secret::load("url", config.url_env.as_deref(), config.url_file.as_deref())
                            .map_err(secret_error)?
                    }
                    _ => return Err(missing("url_env or url_file")),
                }
            }
        };
        let hmac_key = if config.hmac_key_env.is_some() || config.hmac_key_file.is_some() {
            Some(
                secret::load(
                    "hmac_key",
                    config.hmac_key_env.as_deref(),
                    config.hmac_key_file.as_deref(),
                )
                .map_err(secret_error)?,
            )
        } else {
            None
        };
        let timeout = Duration::from_millis(config.timeout_ms.max(1));
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| ChannelError::Client {
                channel: config.name.clone(),
                detail: e.without_url().to_string(),
            })?;
        Ok(Channel {
            name: config.name.clone(),
            kind: config.kind,
            levels: config.levels.clone(),
            url,
            chat_id: config.chat_id.clone(),
            hmac_key,
            signature_header: config
                .signature_header
                .clone()
                .unwrap_or_else(|| "X-Premia-Signature".into()),
            client,
        })
    }

    /// Whether `level` is routed to this channel.
    pub fn wants(&self, level: Level) -> bool {
        self.levels.contains(&level)
    }

    /// One attempt to send `note`.
    pub async fn send_once(&self, note: &Notification) -> Attempt {
        let body = body(self.kind, self.chat_id.as_deref(), note);
        let mut request = self
            .client
            .post(self.url.expose())
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        if let Some(key) = &self.hmac_key {
            let signature = hex::encode(hmac_sha256(key.expose().as_bytes(), &body));
            request = request.header(
                self.signature_header.as_str(),
                format!("sha256={signature}"),
            );
        }
        match request.body(body).send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let bytes = response.bytes().await.unwrap_or_default();
                classify(status, retry_after.as_deref(), &bytes)
            }
            Err(error) if error.is_timeout() => Attempt::Retry {
                why: format!("timed out: {}", describe(error)),
                after: None,
            },
            Err(error) if error.is_builder() => Attempt::Fail(describe(error)),
            Err(error) => Attempt::Retry {
                why: format!("connection: {}", describe(error)),
                after: None,
            },
        }
    }
}

/// The error and its causes on one line, never the URL (it holds the token).
fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The JSON body a channel's API expects.
pub fn body(kind: ChannelKind, chat_id: Option<&str>, note: &Notification) -> Vec<u8> {
    let text = format!("[{}] {}", note.level.as_str(), note.text);
    let value = match kind {
        ChannelKind::Telegram => serde_json::json!({
            "chat_id": chat_id.unwrap_or_default(),
            "text": text,
            "disable_web_page_preview": true,
        }),
        ChannelKind::Slack => serde_json::json!({ "text": text }),
        ChannelKind::Discord => serde_json::json!({ "content": text }),
        ChannelKind::Webhook => serde_json::json!({
            "level": note.level,
            "topic": note.topic,
            "text": note.text,
            "facts": note.facts,
            "time": note.at.to_rfc3339(),
        }),
    };
    value.to_string().into_bytes()
}

/// Classifies an HTTP answer: 2xx sent; 429 and 5xx retried (429 after `Retry-After` or the
/// body's `retry_after`, Telegram's `parameters.retry_after` included); any other status fails.
pub fn classify(status: u16, retry_after: Option<&str>, body: &[u8]) -> Attempt {
    let detail = || {
        let text = String::from_utf8_lossy(body);
        let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let description = json
            .as_ref()
            .and_then(|j| j.get("description").or_else(|| j.get("message")))
            .and_then(|d| d.as_str())
            .map(str::to_owned);
        description.unwrap_or_else(|| text.chars().take(200).collect())
    };
    match status {
        200..=299 => Attempt::Sent,
        429 => {
            let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
            let from_body = json.as_ref().and_then(|j| {
                j.pointer("/parameters/retry_after")
                    .or_else(|| j.get("retry_after"))
                    .and_then(seconds)
            });
            let from_header = retry_after
                .and_then(|h| h.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            Attempt::Retry {
                why: format!("HTTP 429: {}", detail()),
                after: from_body.or(from_header),
            }
        }
        500..=599 => Attempt::Retry {
            why: format!("HTTP {status}: {}", detail()),
            after: None,
        },
        _ => Attempt::Fail(format!("HTTP {status}: {}", detail())),
    }
}

fn seconds(value: &serde_json::Value) -> Option<Duration> {
    match value.as_u64() {
        Some(s) => Some(Duration::from_secs(s)),
        None => value
            .as_f64()
            .and_then(|s| Duration::try_from_secs_f64(s).ok()),
    }
}

/// Sends `note` on `channel`, retrying what is retryable up to the policy's attempts.
/// `on_retry` is told of each retry (for metrics).
pub async fn deliver(
    channel: &Channel,
    note: &Notification,
    backoff: &mut Backoff,
    mut on_retry: impl FnMut(&str),
) -> Delivery {
    let started = Instant::now();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let (why, after) = match channel.send_once(note).await {
            Attempt::Sent => {
                return Delivery {
                    sent: true,
                    attempts,
                    error: None,
                    fatal: false,
                    took: started.elapsed(),
                };
            }
            Attempt::Fail(why) => {
                return Delivery {
                    sent: false,
                    attempts,
                    error: Some(format!("{why} (not retried)")),
                    fatal: true,
                    took: started.elapsed(),
                };
            }
            Attempt::Retry { why, after } => (why, after),
        };
        if attempts >= backoff.attempts() {
            return Delivery {
                sent: false,
                attempts,
                error: Some(format!("{why} (gave up after {attempts} attempts)")),
                fatal: false,
                took: started.elapsed(),
            };
        }
        on_retry(&why);
        let delay = backoff.delay(attempts, after);
        tracing::debug!(channel = %channel.name, %why, delay_ms = delay.as_millis() as u64, "Notification retry");
        tokio::time::sleep(delay).await;
    }
}

use crate::venue::sign::hmac_sha256;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn answers_are_classified() {
        let telegram_429 =
            br#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}"#;
        let cases: Vec<(&str, u16, Option<&str>, &[u8], Attempt)> = vec![
            ("TC1: ok", 200, None, b"{\"ok\":true}", Attempt::Sent),
            ("TC2: slack ok", 200, None, b"ok", Attempt::Sent),
            (
                "TC3: telegram 429 retry_after",
                429,
                None,
                telegram_429,
                Attempt::Retry {
                    why: "HTTP 429: Too Many Requests: retry after 3".into(),
                    after: Some(Duration::from_secs(3)),
                },
            ),
            (
                "TC4: Retry-After header",
                429,
                Some("7"),
                b"slow down",
                Attempt::Retry {
                    why: "HTTP 429: slow down".into(),
                    after: Some(Duration::from_secs(7)),
                },
            ),
            (
                "TC5: discord float retry_after",
                429,
                None,
                br#"{"message":"You are being rate limited.","retry_after":0.5}"#,
                Attempt::Retry {
                    why: "HTTP 429: You are being rate limited.".into(),
                    after: Some(Duration::from_millis(500)),
                },
            ),
            (
                "TC6: 502 retried",
                502,
                None,
                b"bad gateway",
                Attempt::Retry {
                    why: "HTTP 502: bad gateway".into(),
                    after: None,
                },
            ),
            (
                "TC7: 400 fails fast",
                400,
                None,
                br#"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#,
                Attempt::Fail("HTTP 400: Bad Request: chat not found".into()),
            ),
            (
                "TC8: 404 fails fast",
                404,
                None,
                b"",
                Attempt::Fail("HTTP 404: ".into()),
            ),
        ];
        for (case, status, header, body, want) in cases {
            assert_eq!(classify(status, header, body), want, "{case}");
        }
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            "TC2 of RFC 4231"
        );
        let long_key = [0xaau8; 131];
        assert_eq!(
            hex::encode(hmac_sha256(
                &long_key,
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            "TC6 of RFC 4231"
        );
    }

    #[test]
    fn bodies_speak_each_api() {
        let note = Notification {
            level: Level::Error,
            topic: "order_rejected".into(),
            text: "no".into(),
            facts: BTreeMap::new(),
            at: premia_events::Timestamp::EPOCH,
        };
        let json = |kind, chat| -> serde_json::Value {
            serde_json::from_slice(&body(kind, chat, &note)).unwrap()
        };
        assert_eq!(
            json(ChannelKind::Telegram, Some("42"))["chat_id"],
            "42",
            "TC1"
        );
        assert_eq!(
            json(ChannelKind::Telegram, Some("42"))["text"],
            "[ERROR] no",
            "TC2"
        );
        assert_eq!(json(ChannelKind::Slack, None)["text"], "[ERROR] no", "TC3");
        assert_eq!(
            json(ChannelKind::Discord, None)["content"],
            "[ERROR] no",
            "TC4"
        );
        assert_eq!(
            json(ChannelKind::Webhook, None)["topic"],
            "order_rejected",
            "TC5"
        );
        assert_eq!(json(ChannelKind::Webhook, None)["level"], "ERROR", "TC6");
    }
}
