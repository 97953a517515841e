//! premia's configuration: TOML, validated on load, with errors that name the file, line and key.

use std::path::{Path, PathBuf};

use premia_events::log::Durability;
use serde::Deserialize;
use thiserror::Error;

/// A config file that could not be used. One line, naming the file and where in it.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read config: {detail}", path = .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        detail: String,
    },
    /// The file is not valid TOML for premia's schema.
    #[error("{path}:{line}:{column}: {message}", path = .path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong (names the key).
        message: String,
    },
    /// A value is out of range.
    #[error("{path}: {key}: {message}", path = .path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The dotted key.
        key: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// The whole config file. Every table rejects unknown keys.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// This daemon's name: the prefix of its client order ids (1-12 of a-z 0-9).
    #[serde(default = "default_instance")]
    pub instance: String,
    /// Where and how the event log is kept.
    #[serde(default)]
    pub storage: StorageConfig,
    /// The HTTP endpoint (health, metrics, admin).
    #[serde(default)]
    pub http: HttpConfig,
    /// Log output.
    #[serde(default)]
    pub logging: LoggingConfig,
    /// Restart budgets of supervised actors.
    #[serde(default)]
    pub supervisor: SupervisorConfig,
    /// Market data feeds, one per exchange.
    #[serde(default)]
    pub feeds: Vec<FeedConfig>,
    /// The simulated market, for feeds with `source = "sim"`.
    #[serde(default)]
    pub sim: Option<premia_actors::sim::SimConfig>,
    /// Trading rules.
    #[serde(default)]
    pub rules: Vec<RuleConfig>,
    /// Risk limits.
    #[serde(default)]
    pub risk: premia_actors::order::risk::RiskLimits,
    /// The paper venue.
    #[serde(default)]
    pub paper: premia_actors::order::paper::PaperConfig,
    /// Notifications.
    #[serde(default)]
    pub notify: NotifyConfig,
    /// Circuit breakers: parameters per key pattern, shared state.
    #[serde(default)]
    pub breaker: premia_actors::breaker::policy::BreakerSettings,
    /// NATS: the events mirror, market data, the trading lease (absent: no NATS).
    #[serde(default)]
    pub nats: Option<premia_actors::nats::NatsConfig>,
    /// Live venues (`[[venues]]`): base URL, where the keys come from, timeouts, poll rate.
    #[serde(default)]
    pub venues: Vec<premia_actors::venue::VenueConfig>,
}

fn default_instance() -> String {
    "premia".into()
}

/// `[http]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Address to listen on; loopback by default.
    #[serde(default = "default_listen")]
    pub listen: std::net::SocketAddr,
    /// Environment variable holding the admin API token (required beyond loopback).
    #[serde(default)]
    pub admin_token_env: Option<String>,
    /// File holding the admin API token.
    #[serde(default)]
    pub admin_token_file: Option<PathBuf>,
}

impl Default for HttpConfig {
    fn default() -> HttpConfig {
        HttpConfig {
            listen: default_listen(),
            admin_token_env: None,
            admin_token_file: None,
        }
    }
}

fn default_listen() -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], 9464))
}

/// `[logging]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoggingConfig {
    /// `human` or `json`.
    #[serde(default = "default_format")]
    pub format: LogFormat,
    /// A tracing filter, e.g. `info` or `info,premia_actors::feed=debug` (`RUST_LOG` overrides it).
    #[serde(default = "default_level")]
    pub level: String,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// For a terminal.
    Human,
    /// One JSON object per line, for log shippers.
    Json,
}

fn default_format() -> LogFormat {
    LogFormat::Human
}

fn default_level() -> String {
    "info".into()
}

impl Default for LoggingConfig {
    fn default() -> LoggingConfig {
        LoggingConfig {
            format: default_format(),
            level: default_level(),
        }
    }
}

/// `[supervisor]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupervisorConfig {
    /// Restarts an actor may use within `period_s` before it gives up.
    #[serde(default = "default_max_restarts")]
    pub max_restarts: usize,
    /// The budget's period, in seconds.
    #[serde(default = "default_period_s")]
    pub period_s: u64,
}

fn default_max_restarts() -> usize {
    5
}

fn default_period_s() -> u64 {
    60
}

impl Default for SupervisorConfig {
    fn default() -> SupervisorConfig {
        SupervisorConfig {
            max_restarts: default_max_restarts(),
            period_s: default_period_s(),
        }
    }
}

/// Where a feed's frames come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedSource {
    /// The exchange's public WebSocket.
    Websocket,
    /// The simulated market in `[sim]`, in the exchange's wire format.
    Sim,
    /// A tape recorded by `premia record`, replayed through the same codec.
    Tape,
}

/// `[[feeds]]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedConfig {
    /// The exchange.
    pub exchange: premia_events::Exchange,
    /// `websocket` (default) or `sim`.
    #[serde(default = "default_source")]
    pub source: FeedSource,
    /// WebSocket base URL (default: the exchange's public endpoint).
    #[serde(default)]
    pub url: Option<String>,
    /// Markets, as BASE/QUOTE.
    pub markets: Vec<premia_events::Market>,
    /// Order book levels to keep.
    #[serde(default = "default_depth")]
    pub depth: usize,
    /// No market data for this long → reconnect.
    #[serde(default = "default_stale_ms")]
    pub stale_after_ms: u64,
    /// Reconnect backoff: first ceiling, in ms.
    #[serde(default = "default_backoff_initial")]
    pub backoff_initial_ms: u64,
    /// Reconnect backoff: largest delay, in ms.
    #[serde(default = "default_backoff_max")]
    pub backoff_max_ms: u64,
    /// Reconnect after this many seconds connected (default: just under the exchange's cap).
    #[serde(default)]
    pub lifetime_s: Option<u64>,
    /// The tape to replay (`source = "tape"`).
    #[serde(default)]
    pub tape: Option<PathBuf>,
    /// Replay speed: 1 replays at the recorded pace, 10 ten times faster.
    #[serde(default = "default_tape_speed")]
    pub tape_speed: u32,
    /// Poll the exchange's REST API while the socket is down (WebSocket feeds only).
    #[serde(default = "default_true")]
    pub rest_fallback: bool,
    /// REST base URL (default: the exchange's public API).
    #[serde(default)]
    pub rest_url: Option<String>,
    /// Time between REST polls in fallback, in ms (one round of ticker and book requests for this
    /// feed's markets; keep it within the exchange's rate limits).
    #[serde(default = "default_rest_poll_ms")]
    pub rest_poll_ms: u64,
}

fn default_tape_speed() -> u32 {
    1
}

fn default_true() -> bool {
    true
}

fn default_rest_poll_ms() -> u64 {
    1000
}

fn default_source() -> FeedSource {
    FeedSource::Websocket
}

fn default_depth() -> usize {
    15
}

fn default_stale_ms() -> u64 {
    30_000
}

fn default_backoff_initial() -> u64 {
    500
}

fn default_backoff_max() -> u64 {
    30_000
}

/// `[[rules]]`: a change-rate rule and the order it places.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// The rule's name (part of its signal ids).
    pub name: String,
    /// The exchange whose ticker it watches.
    pub exchange: premia_events::Exchange,
    /// The market.
    pub market: premia_events::Market,
    /// The window the change is measured over, in seconds.
    pub window_s: u32,
    /// Buy when the change is at or below this percentage (negative).
    pub buy_below_pct: premia_actors::money::DecimalText,
    /// Sell when the change is at or above this percentage.
    pub sell_above_pct: premia_actors::money::DecimalText,
    /// At most one signal per side in each bucket of this many seconds.
    #[serde(default = "default_bucket_s")]
    pub bucket_s: u32,
    /// Where orders go: `paper` (live venues come with their own issue).
    #[serde(default = "default_venue")]
    pub venue: premia_events::Venue,
    /// Order quantity, in the base asset.
    pub quantity: premia_actors::money::DecimalText,
    /// `market` (default) or `limit` (priced at the signal's price, immediate-or-cancel).
    #[serde(default = "default_order_kind")]
    pub order_kind: premia_events::OrderKind,
}

fn default_bucket_s() -> u32 {
    60
}

fn default_venue() -> premia_events::Venue {
    premia_events::Venue::Paper
}

fn default_order_kind() -> premia_events::OrderKind {
    premia_events::OrderKind::Market
}

/// `[notify]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// JSON-lines file the `log` channel appends to, relative to the data dir ("" to disable).
    #[serde(default = "default_notify_file")]
    pub file: String,
    /// `[[notify.channels]]`: Telegram, Slack, Discord, webhook.
    #[serde(default)]
    pub channels: Vec<premia_actors::notify::config::ChannelConfig>,
    /// `[notify.retry]`.
    #[serde(default)]
    pub retry: premia_actors::notify::config::RetryConfig,
    /// `[notify.rate_limit]`.
    #[serde(default)]
    pub rate_limit: premia_actors::notify::config::RateLimitConfig,
    /// Capacity of each channel's queue (the oldest is dropped when full).
    #[serde(default = "default_notify_queue")]
    pub queue: usize,
    /// Topics (event kinds) not sent to the chat channels, e.g. `["order_filled"]`.
    #[serde(default)]
    pub mute: Vec<String>,
    /// Level overrides by topic, e.g. `{ order_filled = "WARNING" }`.
    #[serde(default)]
    pub levels: std::collections::BTreeMap<String, premia_actors::messages::Level>,
    /// Message templates by topic, e.g. `{ order_filled = "{side} {quantity} {market} @ {price}" }`.
    #[serde(default)]
    pub templates: std::collections::BTreeMap<String, String>,
}

fn default_notify_queue() -> usize {
    256
}

fn default_notify_file() -> String {
    "notifications.jsonl".into()
}

impl Default for NotifyConfig {
    fn default() -> NotifyConfig {
        NotifyConfig {
            file: default_notify_file(),
            channels: Vec::new(),
            retry: Default::default(),
            rate_limit: Default::default(),
            queue: default_notify_queue(),
            mute: Vec::new(),
            levels: Default::default(),
            templates: Default::default(),
        }
    }
}

/// `[storage]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    /// The data dir (relative paths are relative to the working directory).
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// `process` or `power`; default `power` when a live venue is configured, else `process`.
    #[serde(default)]
    pub durability: Option<Durability>,
    /// sled's cache in MiB.
    #[serde(default = "default_cache_mib")]
    pub cache_mib: u64,
    /// The daemon snapshots its state every this many events (0: never).
    #[serde(default = "default_snapshot_every")]
    pub snapshot_every: u64,
}

fn default_snapshot_every() -> u64 {
    10_000
}

impl Default for StorageConfig {
    fn default() -> StorageConfig {
        StorageConfig {
            data_dir: default_data_dir(),
            durability: None,
            cache_mib: default_cache_mib(),
            snapshot_every: default_snapshot_every(),
        }
    }
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("./data")
}

fn default_cache_mib() -> u64 {
    128
}

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        Config::parse(path, &text)
    }

    /// Parses and validates config text; `path` is only used in messages.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((1, 1), |span| line_column(text, span.start));
            ConfigError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                message: e.message().trim().replace('\n', " "),
            }
        })?;
        config.validate(path)?;
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |key: &'static str, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            key,
            message,
        };
        if !(8..=65_536).contains(&self.storage.cache_mib) {
            return Err(invalid(
                "storage.cache_mib",
                format!("{} is outside 8..=65536", self.storage.cache_mib),
            ));
        }
        let instance_ok = (1..=12).contains(&self.instance.len())
            && self
                .instance
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !instance_ok {
            return Err(invalid(
                "instance",
                format!(
                    "{:?} must be 1-12 characters of a-z 0-9 (it prefixes client order ids)",
                    self.instance
                ),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for feed in &self.feeds {
            if !seen.insert(feed.exchange) {
                return Err(invalid(
                    "feeds.exchange",
                    format!(
                        "{} has two feeds; list all its markets in one",
                        feed.exchange
                    ),
                ));
            }
            if feed.markets.is_empty() {
                return Err(invalid(
                    "feeds.markets",
                    format!("the {} feed has no markets", feed.exchange),
                ));
            }
            if !(1..=500).contains(&feed.depth) {
                return Err(invalid(
                    "feeds.depth",
                    format!("{} is outside 1..=500", feed.depth),
                ));
            }
            if let Err(error) =
                premia_actors::exchanges::codec_for(feed.exchange, &feed.markets, feed.depth)
            {
                return Err(invalid("feeds.exchange", error.to_string()));
            }
            if feed.source == FeedSource::Sim && self.sim.is_none() {
                return Err(invalid(
                    "sim",
                    format!(
                        "the {} feed has source = \"sim\" but there is no [sim] table",
                        feed.exchange
                    ),
                ));
            }
            if feed.source == FeedSource::Tape && feed.tape.is_none() {
                return Err(invalid(
                    "feeds.tape",
                    format!(
                        "the {} feed has source = \"tape\" but no tape file",
                        feed.exchange
                    ),
                ));
            }
            if feed.rest_poll_ms < 100 {
                return Err(invalid(
                    "feeds.rest_poll_ms",
                    format!("{} ms is too short (at least 100)", feed.rest_poll_ms),
                ));
            }
            if feed.stale_after_ms < 100 {
                return Err(invalid(
                    "feeds.stale_after_ms",
                    format!("{} ms is too short (at least 100)", feed.stale_after_ms),
                ));
            }
        }
        let mut names = std::collections::BTreeSet::new();
        for rule in &self.rules {
            if !names.insert(rule.name.clone()) {
                return Err(invalid(
                    "rules.name",
                    format!("two rules are named {:?}", rule.name),
                ));
            }
            rule.change_rate()
                .validate()
                .map_err(|message| invalid("rules", format!("rule {:?}: {message}", rule.name)))?;
            let fed = self
                .feeds
                .iter()
                .any(|f| f.exchange == rule.exchange && f.markets.contains(&rule.market));
            if !fed {
                return Err(invalid(
                    "rules.market",
                    format!(
                        "rule {:?} watches {} on {}, which no feed subscribes to",
                        rule.name, rule.market, rule.exchange
                    ),
                ));
            }
            if rule.venue.is_live() && !self.venues.iter().any(|v| v.venue == rule.venue) {
                return Err(invalid(
                    "rules.venue",
                    format!(
                        "rule {:?} trades on {}, which has no [[venues]] entry",
                        rule.name, rule.venue
                    ),
                ));
            }
            if rule.quantity.0 <= rust_decimal::Decimal::ZERO {
                return Err(invalid(
                    "rules.quantity",
                    format!("rule {:?}: quantity must be positive", rule.name),
                ));
            }
        }
        crate::config_ops::validate(self, path)?;
        if let Some(nats) = &self.nats {
            nats.validate()
                .map_err(|(key, message)| invalid(key, message))?;
        }
        crate::config_venues::validate(&self.venues)
            .map_err(|(key, message)| invalid(key, message))?;
        Ok(())
    }

    /// The durability to use: as configured, else `power` when a live venue is configured.
    pub fn durability(&self) -> Durability {
        let live = self.rules.iter().any(|r| r.venue.is_live()) || !self.venues.is_empty();
        self.storage.durability.unwrap_or(if live {
            Durability::Power
        } else {
            Durability::Process
        })
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

impl RuleConfig {
    /// The rule's signal part.
    pub fn change_rate(&self) -> premia_actors::signal::ChangeRateRule {
        premia_actors::signal::ChangeRateRule {
            name: self.name.clone(),
            exchange: self.exchange,
            market: self.market.clone(),
            window_s: self.window_s,
            buy_below_pct: self.buy_below_pct.0,
            sell_above_pct: self.sell_above_pct.0,
            bucket_s: self.bucket_s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_file_line_and_key() {
        let cases = [
            (
                "[storage]\ndata_dir = \"x\"\nbogus = 1\n",
                "cfg.toml:3:1: unknown field `bogus`",
            ),
            (
                "[storage]\ncache_mib = \"big\"\n",
                "cfg.toml:2:13: invalid type: string \"big\", expected u64",
            ),
            (
                "[storage]\ndurability = \"disk\"\n",
                "cfg.toml:2:14: unknown variant `disk`",
            ),
            (
                "[storage]\ncache_mib = 1\n",
                "cfg.toml: storage.cache_mib: 1 is outside 8..=65536",
            ),
            ("[storag]\n", "cfg.toml:1:2: unknown field `storag`"),
        ];
        for (index, (text, expected)) in cases.into_iter().enumerate() {
            let err = Config::parse(Path::new("cfg.toml"), text)
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(expected), "TC{index}: {err}");
            assert!(!err.contains('\n'), "TC{index}: one line: {err}");
        }
    }

    #[test]
    fn an_empty_file_is_all_defaults() {
        let config = Config::parse(Path::new("x"), "").unwrap();
        assert_eq!(config.storage.data_dir, PathBuf::from("./data"));
        assert_eq!(config.durability(), Durability::Process);
    }
}
