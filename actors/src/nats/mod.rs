//! NATS: the connection shared by the mirror, the market-data publisher and the trading lease.
//!
//! - [`config`]: `[nats]`, with connection options named as the NATS tools name them.
//! - [`connect`]: builds the client. It reconnects **once** by itself and then gives up, so a
//!   client never resends, after a long outage, publishes queued before it: the mirror notices
//!   the closed client and starts a new session from its cursor (see `mirror`), which keeps the
//!   stream in seq order. Every new session counts in `premia_nats_reconnects_total`.
//! - [`market`]: market data on core NATS (off by default).
//! - [`NatsMetrics`]: connection and mirror metrics, in the daemon's registry.

pub mod config;
pub mod market;

use std::sync::Arc;

use prometheus::{IntCounterVec, IntGauge, Opts, Registry};
use thiserror::Error;

pub use config::{Encoding, LeaseConfig, MirrorConfig, NatsConfig, OnConflict, Retention};

use crate::secret::SecretError;

/// A NATS operation that failed; the variant says whether to retry.
#[derive(Debug, Error)]
pub enum NatsError {
    /// A secret could not be read. Terminal: fix the config or the environment.
    #[error("nats: {0}")]
    Secret(#[from] SecretError),
    /// The credentials file could not be read. Terminal.
    #[error("nats.creds {path}: {detail}")]
    Creds {
        /// The file.
        path: String,
        /// The OS error.
        detail: String,
    },
    /// No server answered, or the connection broke. Retry with backoff.
    #[error("cannot connect to NATS ({servers}): {detail}")]
    Connect {
        /// The configured servers.
        servers: String,
        /// What the client said.
        detail: String,
    },
    /// A JetStream call failed (stream, publish, ack, KV). Retry with backoff.
    #[error("JetStream: {0}")]
    JetStream(String),
    /// The server refused the stream's configuration. Terminal until the config or the server
    /// changes; the mirror keeps retrying slowly and says so in `/readyz`.
    #[error("stream {stream}: {detail}")]
    Stream {
        /// The stream.
        stream: String,
        /// The server's message.
        detail: String,
    },
}

impl NatsError {
    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            NatsError::Connect { .. } | NatsError::JetStream(_) | NatsError::Stream { .. }
        )
    }
}

/// NATS metrics (connection, mirror, market data, lease). Cheap to clone.
#[derive(Clone, Debug)]
pub struct NatsMetrics {
    /// Client connection events, by event (`connected`, `disconnected`, `closed`, …).
    pub client_events: IntCounterVec,
    /// New sessions after a failure (the client is rebuilt and the mirror resumes at its cursor).
    pub reconnects: IntCounterVec,
    /// 1 while the mirror's client is connected.
    pub connected: IntGauge,
    /// Events whose publish JetStream acknowledged, by outcome (`stored`, `duplicate`).
    pub mirrored: IntCounterVec,
    /// Mirror failures, by reason (`connect`, `stream`, `publish`, `ack`, `log`).
    pub mirror_errors: IntCounterVec,
    /// The mirror's cursor: the last seq acknowledged by JetStream, in seq order.
    pub mirror_cursor: IntGauge,
    /// Durable events not yet acknowledged by JetStream.
    pub mirror_lag_seqs: IntGauge,
    /// Age of the oldest event not yet acknowledged, in milliseconds (0 when caught up).
    pub mirror_lag_ms: IntGauge,
    /// Market data messages, by outcome (`published`, `dropped`).
    pub market_data: IntCounterVec,
    /// 1 while this daemon holds its account's trading lease.
    pub lease_held: IntGauge,
}

impl NatsMetrics {
    /// Creates the metrics and registers them in `registry`.
    pub fn new(registry: &Registry) -> Result<NatsMetrics, prometheus::Error> {
        let counter = |name: &str, help: &str, labels: &[&str]| {
            let c = IntCounterVec::new(Opts::new(name, help), labels)?;
            registry.register(Box::new(c.clone()))?;
            Ok::<_, prometheus::Error>(c)
        };
        let gauge = |name: &str, help: &str| {
            let g = IntGauge::new(name, help)?;
            registry.register(Box::new(g.clone()))?;
            Ok::<_, prometheus::Error>(g)
        };
        Ok(NatsMetrics {
            client_events: counter(
                "premia_nats_client_events_total",
                "NATS client connection events, by event.",
                &["event"],
            )?,
            reconnects: counter(
                "premia_nats_reconnects_total",
                "NATS sessions started again after a failure, by user (mirror, lease, market_data).",
                &["user"],
            )?,
            connected: gauge(
                "premia_nats_connected",
                "Whether the mirror's NATS client is connected (1) or not (0).",
            )?,
            mirrored: counter(
                "premia_mirror_events_total",
                "Events acknowledged by JetStream, by outcome (stored, duplicate).",
                &["outcome"],
            )?,
            mirror_errors: counter(
                "premia_mirror_errors_total",
                "Mirror failures, by reason.",
                &["reason"],
            )?,
            mirror_cursor: gauge(
                "premia_mirror_cursor_seq",
                "The last seq acknowledged by JetStream (the mirror's cursor).",
            )?,
            mirror_lag_seqs: gauge(
                "premia_mirror_lag_seqs",
                "Durable events not yet acknowledged by JetStream.",
            )?,
            mirror_lag_ms: gauge(
                "premia_mirror_lag_milliseconds",
                "Age of the oldest event not yet acknowledged by JetStream, in milliseconds.",
            )?,
            market_data: counter(
                "premia_nats_market_data_total",
                "Market data messages on core NATS, by outcome (published, dropped).",
                &["outcome"],
            )?,
            lease_held: gauge(
                "premia_lease_held",
                "Whether this daemon holds its account's trading lease (1) or not (0).",
            )?,
        })
    }
}

/// Connects with every option of `config`. `user` names the caller in metrics.
pub async fn connect(
    config: &NatsConfig,
    instance: &str,
    user: &'static str,
    metrics: Option<NatsMetrics>,
) -> Result<async_nats::Client, NatsError> {
    let mut options = async_nats::ConnectOptions::new()
        .name(
            config
                .name
                .clone()
                .unwrap_or_else(|| format!("premia-{instance}-{user}")),
        )
        .connection_timeout(config.connect_timeout())
        .max_reconnects(1)
        .require_tls(config.tls_required);
    if let (Some(user_name), Some(password)) = (&config.user, &config.password) {
        let password = password.load("nats.password")?;
        options = options.user_and_password(user_name.clone(), password.expose().to_owned());
    }
    if let Some(token) = &config.token {
        options = options.token(token.load("nats.token")?.expose().to_owned());
    }
    if let Some(nkey) = &config.nkey {
        options = options.nkey(nkey.load("nats.nkey")?.expose().to_owned());
    }
    if let Some(path) = &config.creds {
        options = options
            .credentials_file(path)
            .await
            .map_err(|e| NatsError::Creds {
                path: path.display().to_string(),
                detail: e.to_string(),
            })?;
    }
    if let Some(ca) = &config.tls_ca {
        options = options.add_root_certificates(ca.clone());
    }
    if let (Some(cert), Some(key)) = (&config.tls_cert, &config.tls_key) {
        options = options.add_client_certificate(cert.clone(), key.clone());
    }
    if let Some(metrics) = metrics {
        let metrics = Arc::new(metrics);
        options = options.event_callback(move |event| {
            let metrics = metrics.clone();
            async move {
                let name = match &event {
                    async_nats::Event::Connected => "connected",
                    async_nats::Event::Disconnected => "disconnected",
                    async_nats::Event::LameDuckMode => "lame_duck",
                    async_nats::Event::Draining => "draining",
                    async_nats::Event::Closed => "closed",
                    async_nats::Event::SlowConsumer(_) => "slow_consumer",
                    async_nats::Event::ServerError(_) => "server_error",
                    async_nats::Event::ClientError(_) => "client_error",
                };
                metrics.client_events.with_label_values(&[name]).inc();
                tracing::debug!(%event, user, "NATS client event");
            }
        });
    }
    options
        .connect(config.servers.as_slice())
        .await
        .map_err(|e| NatsError::Connect {
            servers: config.servers.join(","),
            detail: e.to_string(),
        })
}

/// A subject token from free text: characters NATS gives meaning to (`.`, `*`, `>`, white space)
/// and `/` become `-`, so `BTC/KRW` is `BTC-KRW`.
pub fn subject_token(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '.' | '*' | '>' | '/' | ' ' | '\t' | '\r' | '\n' => '-',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_tokens_are_safe() {
        let cases = [
            ("TC0", "BTC/KRW", "BTC-KRW"),
            ("TC1", "a.b*c>d e", "a-b-c-d-e"),
            ("TC2", "order_filled", "order_filled"),
        ];
        for (name, input, want) in cases {
            assert_eq!(subject_token(input), want, "{name}");
        }
    }

    #[test]
    fn config_defaults_and_checks() {
        let ok: NatsConfig = toml::from_str("").unwrap();
        assert_eq!(ok.validate(), Ok(()), "TC0: defaults are valid");
        assert_eq!(ok.mirror.stream, "PREMIA_EVENTS", "TC1: stream name");
        assert!(!ok.market_data.enabled, "TC2: market data off by default");
        let cases = [
            (
                "TC3",
                "[mirror]\nmax_inflight = 5000",
                "nats.mirror.max_inflight",
            ),
            ("TC4", "user = \"u\"", "nats.user"),
            (
                "TC5",
                "password = { env = \"P\", file = \"f\" }\nuser = \"u\"",
                "nats.password",
            ),
            (
                "TC6",
                "[mirror]\nmax_age_s = 10\nduplicate_window_s = 20",
                "nats.mirror.duplicate_window_s",
            ),
            ("TC7", "servers = []", "nats.servers"),
            ("TC8", "[lease]\nttl_s = 1", "nats.lease.ttl_s"),
            ("TC10", "servers = [\"http://x:1\"]", "nats.servers"),
        ];
        for (name, text, key) in cases {
            let config: NatsConfig = toml::from_str(text).unwrap();
            assert_eq!(config.validate().map_err(|e| e.0), Err(key), "{name}");
        }
        assert!(
            toml::from_str::<NatsConfig>("password = \"plain\"").is_err(),
            "TC9: a secret is never written in the config"
        );
    }
}
