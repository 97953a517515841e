//! `[nats]` in the config: connection options named as the NATS tools name them, and the
//! settings of the mirror, the market-data publisher and the trading lease.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use crate::secret::SecretRef;

/// `[nats]`: present means NATS is used (mirror on, lease on); absent means no NATS at all.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatsConfig {
    /// Server URLs (`nats://host:4222`, `tls://host:4222`); the client picks one and fails over.
    #[serde(default = "default_servers")]
    pub servers: Vec<String>,
    /// The connection's name, as the server's monitoring shows it (default: `premia-<instance>`).
    #[serde(default)]
    pub name: Option<String>,
    /// User name for user/password authentication.
    #[serde(default)]
    pub user: Option<String>,
    /// The password: `{ env = "VAR" }` or `{ file = "path" }`.
    #[serde(default)]
    pub password: Option<SecretRef>,
    /// A token: `{ env = "VAR" }` or `{ file = "path" }`.
    #[serde(default)]
    pub token: Option<SecretRef>,
    /// An NKey seed (`SU…`): `{ env = "VAR" }` or `{ file = "path" }`.
    #[serde(default)]
    pub nkey: Option<SecretRef>,
    /// A credentials file (JWT + NKey seed, `.creds`).
    #[serde(default)]
    pub creds: Option<PathBuf>,
    /// Require TLS even for `nats://` URLs.
    #[serde(default)]
    pub tls_required: bool,
    /// CA certificate (PEM) to verify the server with.
    #[serde(default)]
    pub tls_ca: Option<PathBuf>,
    /// Client certificate (PEM), for mutual TLS; needs `tls_key`.
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,
    /// Client key (PEM), for mutual TLS; needs `tls_cert`.
    #[serde(default)]
    pub tls_key: Option<PathBuf>,
    /// Connect timeout, in milliseconds.
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// The events mirror to JetStream.
    #[serde(default)]
    pub mirror: MirrorConfig,
    /// Market data on core NATS.
    #[serde(default)]
    pub market_data: MarketDataConfig,
    /// One trader per account.
    #[serde(default)]
    pub lease: LeaseConfig,
}

fn default_servers() -> Vec<String> {
    vec!["nats://127.0.0.1:4222".into()]
}

fn default_connect_timeout_ms() -> u64 {
    5_000
}

/// How the mirror encodes an event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// The documented flat JSON form (`EnvelopeJson`): decimals as strings, times RFC 3339.
    #[default]
    Json,
    /// The log's own record bytes (`[version u16][bincode header+event][prev_hash][hash]`), for
    /// Rust consumers that decode with `premia_events::codec::decode` and check the hash.
    Bincode,
}

impl Encoding {
    /// `json` or `bincode`, as in the `Premia-Encoding` header.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Json => "json",
            Encoding::Bincode => "bincode",
        }
    }
}

/// The stream's retention policy, as JetStream names it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Retention {
    /// Keep messages up to the limits (`max_age`).
    #[default]
    Limits,
    /// Keep a message while a consumer has not acknowledged it.
    Interest,
    /// Keep a message until one consumer acknowledges it.
    Workqueue,
}

/// `[nats.mirror]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MirrorConfig {
    /// Mirror the log to JetStream (on by default when `[nats]` is present).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// `json` (default) or `bincode`.
    #[serde(default)]
    pub encoding: Encoding,
    /// The stream's name.
    #[serde(default = "default_stream")]
    pub stream: String,
    /// The stream's subjects; they must cover `premia.<instance>.events.>`.
    #[serde(default = "default_subjects")]
    pub subjects: Vec<String>,
    /// `limits`, `interest` or `workqueue`.
    #[serde(default)]
    pub retention: Retention,
    /// How long the stream keeps a message, in seconds (0 = forever).
    #[serde(default = "default_max_age_s")]
    pub max_age_s: u64,
    /// JetStream's duplicate window, in seconds: a message id seen within it is dropped.
    #[serde(default = "default_duplicate_window_s")]
    pub duplicate_window_s: u64,
    /// Publishes whose acks may be outstanding at once (below async-nats' limit of 5000).
    #[serde(default = "default_max_inflight")]
    pub max_inflight: usize,
    /// How long to wait for one ack, in milliseconds.
    #[serde(default = "default_ack_timeout_ms")]
    pub ack_timeout_ms: u64,
    /// First retry delay after a failure, in milliseconds (doubles up to `backoff_max_ms`).
    #[serde(default = "default_backoff_initial_ms")]
    pub backoff_initial_ms: u64,
    /// Longest retry delay, in milliseconds.
    #[serde(default = "default_backoff_max_ms")]
    pub backoff_max_ms: u64,
}

fn yes() -> bool {
    true
}
fn default_stream() -> String {
    "PREMIA_EVENTS".into()
}
fn default_subjects() -> Vec<String> {
    vec!["premia.*.events.>".into()]
}
fn default_max_age_s() -> u64 {
    30 * 24 * 3600
}
fn default_duplicate_window_s() -> u64 {
    120
}
fn default_max_inflight() -> usize {
    1024
}
fn default_ack_timeout_ms() -> u64 {
    5_000
}
fn default_backoff_initial_ms() -> u64 {
    200
}
fn default_backoff_max_ms() -> u64 {
    5_000
}

impl Default for MirrorConfig {
    fn default() -> MirrorConfig {
        MirrorConfig {
            enabled: true,
            encoding: Encoding::Json,
            stream: default_stream(),
            subjects: default_subjects(),
            retention: Retention::Limits,
            max_age_s: default_max_age_s(),
            duplicate_window_s: default_duplicate_window_s(),
            max_inflight: default_max_inflight(),
            ack_timeout_ms: default_ack_timeout_ms(),
            backoff_initial_ms: default_backoff_initial_ms(),
            backoff_max_ms: default_backoff_max_ms(),
        }
    }
}

/// `[nats.market_data]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketDataConfig {
    /// Publish tickers and books on core NATS (off by default).
    #[serde(default)]
    pub enabled: bool,
    /// The most messages per second per market and kind; the ones in between are dropped.
    #[serde(default = "default_md_rate")]
    pub max_per_second: u32,
}

fn default_md_rate() -> u32 {
    10
}

impl Default for MarketDataConfig {
    fn default() -> MarketDataConfig {
        MarketDataConfig {
            enabled: false,
            max_per_second: default_md_rate(),
        }
    }
}

/// What a daemon does when another one holds its account's lease.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnConflict {
    /// Keep running without trading; take over when the lease expires.
    #[default]
    ReadOnly,
    /// Exit with an error at start.
    Exit,
}

/// `[nats.lease]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaseConfig {
    /// Take a lease before trading (on by default when `[nats]` is present).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The account the lease is for (default: the instance name). Two daemons with the same
    /// account never trade at once.
    #[serde(default)]
    pub account: Option<String>,
    /// The KV bucket holding the leases.
    #[serde(default = "default_bucket")]
    pub bucket: String,
    /// The lease's time to live, in seconds; the holder renews it every third of that.
    #[serde(default = "default_ttl_s")]
    pub ttl_s: u64,
    /// `read_only` (default) or `exit`.
    #[serde(default)]
    pub on_conflict: OnConflict,
}

fn default_bucket() -> String {
    "PREMIA_LEASES".into()
}
fn default_ttl_s() -> u64 {
    15
}

impl Default for LeaseConfig {
    fn default() -> LeaseConfig {
        LeaseConfig {
            enabled: true,
            account: None,
            bucket: default_bucket(),
            ttl_s: default_ttl_s(),
            on_conflict: OnConflict::ReadOnly,
        }
    }
}

impl NatsConfig {
    /// Checks values that serde cannot: returns the dotted key and what is wrong.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.servers.is_empty() {
            return Err(("nats.servers", "give at least one server URL".into()));
        }
        for server in &self.servers {
            server
                .parse::<async_nats::ServerAddr>()
                .map_err(|e| ("nats.servers", format!("{server:?}: {e}")))?;
        }
        for (key, secret) in [
            ("nats.password", &self.password),
            ("nats.token", &self.token),
            ("nats.nkey", &self.nkey),
        ] {
            if let Some(secret) = secret {
                secret.check(key).map_err(|e| (key, e.to_string()))?;
            }
        }
        if self.password.is_some() != self.user.is_some() {
            return Err(("nats.user", "user and password go together".into()));
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err(("nats.tls_cert", "tls_cert and tls_key go together".into()));
        }
        let m = &self.mirror;
        if m.max_inflight == 0 || m.max_inflight > 4096 {
            return Err((
                "nats.mirror.max_inflight",
                "must be 1..=4096 (async-nats blocks past 5000 un-awaited acks)".into(),
            ));
        }
        if m.duplicate_window_s == 0 {
            return Err((
                "nats.mirror.duplicate_window_s",
                "must be at least 1".into(),
            ));
        }
        if m.max_age_s != 0 && m.duplicate_window_s > m.max_age_s {
            return Err((
                "nats.mirror.duplicate_window_s",
                "must not exceed max_age_s".into(),
            ));
        }
        if m.stream.is_empty() || m.stream.contains(['.', ' ', '*', '>']) {
            return Err((
                "nats.mirror.stream",
                "a stream name has no dots, spaces or wildcards".into(),
            ));
        }
        if self.lease.ttl_s < 3 {
            return Err(("nats.lease.ttl_s", "must be at least 3".into()));
        }
        if self.market_data.max_per_second == 0 {
            return Err((
                "nats.market_data.max_per_second",
                "must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }
}
