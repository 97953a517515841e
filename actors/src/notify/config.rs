//! The notifier's settings as the config file writes them (`[notify]`, `[[notify.channels]]`,
//! `[notify.retry]`, `[notify.rate_limit]`). Secrets (bot tokens, webhook URLs with tokens,
//! HMAC keys) are named by variable or file, never written here.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::messages::Level;

/// Which chat API a channel speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// Telegram Bot API `sendMessage`.
    Telegram,
    /// A Slack incoming webhook.
    Slack,
    /// A Discord webhook.
    Discord,
    /// Any HTTP endpoint taking JSON, optionally HMAC-signed.
    Webhook,
}

impl ChannelKind {
    /// `telegram`, `slack`, `discord` or `webhook`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Telegram => "telegram",
            ChannelKind::Slack => "slack",
            ChannelKind::Discord => "discord",
            ChannelKind::Webhook => "webhook",
        }
    }
}

/// One `[[notify.channels]]` entry.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelConfig {
    /// Its name (metrics label, `premia notify test --channel NAME`).
    pub name: String,
    /// The API it speaks.
    pub kind: ChannelKind,
    /// Levels routed to it (default: all four).
    #[serde(default = "all_levels")]
    pub levels: Vec<Level>,
    /// Telegram: API base URL (default `https://api.telegram.org`; tests point it at a fake).
    #[serde(default)]
    pub base_url: Option<String>,
    /// Telegram: the chat to post to.
    #[serde(default)]
    pub chat_id: Option<String>,
    /// Telegram: environment variable holding the bot token.
    #[serde(default)]
    pub token_env: Option<String>,
    /// Telegram: file holding the bot token.
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    /// Slack/Discord/webhook: environment variable holding the URL (it embeds a token).
    #[serde(default)]
    pub url_env: Option<String>,
    /// Slack/Discord/webhook: file holding the URL.
    #[serde(default)]
    pub url_file: Option<PathBuf>,
    /// Webhook: a URL without a secret in it may be written here.
    #[serde(default)]
    pub url: Option<String>,
    /// Webhook: environment variable holding the HMAC-SHA256 key (signs the body).
    #[serde(default)]
    pub hmac_key_env: Option<String>,
    /// Webhook: file holding the HMAC-SHA256 key.
    #[serde(default)]
    pub hmac_key_file: Option<PathBuf>,
    /// Webhook: the signature header (default `X-Premia-Signature`, value `sha256=<hex>`).
    #[serde(default)]
    pub signature_header: Option<String>,
    /// Timeout of one request, ms (connect included).
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

fn all_levels() -> Vec<Level> {
    vec![Level::Info, Level::Warning, Level::Error, Level::Critical]
}

fn default_timeout_ms() -> u64 {
    10_000
}

/// How delays grow between attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackoffKind {
    /// initial × 2^n.
    Exponential,
    /// initial × (n + 1).
    Linear,
    /// initial, always.
    Fixed,
}

/// `[notify.retry]`: retries of retryable failures (timeouts, connection errors, 429, 5xx).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryConfig {
    /// Attempts in all, the first included.
    #[serde(default = "default_attempts")]
    pub attempts: u32,
    /// How delays grow.
    #[serde(default = "default_backoff")]
    pub backoff: BackoffKind,
    /// First delay, ms.
    #[serde(default = "default_initial_ms")]
    pub initial_ms: u64,
    /// Largest delay, ms (a server's Retry-After is honoured even above it, up to 1 hour).
    #[serde(default = "default_max_ms")]
    pub max_ms: u64,
    /// Whether delays are jittered (uniform between half and all of the delay).
    #[serde(default = "yes")]
    pub jitter: bool,
}

fn default_attempts() -> u32 {
    5
}
fn default_backoff() -> BackoffKind {
    BackoffKind::Exponential
}
fn default_initial_ms() -> u64 {
    500
}
fn default_max_ms() -> u64 {
    30_000
}
fn yes() -> bool {
    true
}

impl Default for RetryConfig {
    fn default() -> RetryConfig {
        RetryConfig {
            attempts: default_attempts(),
            backoff: default_backoff(),
            initial_ms: default_initial_ms(),
            max_ms: default_max_ms(),
            jitter: true,
        }
    }
}

/// `[notify.rate_limit]`: at most `max` notifications of one rule (topic) per `per_s`; the rest
/// are suppressed, counted, and summed up every `summary_every_s`. CRITICAL is never suppressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Notifications of one topic per window.
    #[serde(default = "default_max")]
    pub max: usize,
    /// The window, seconds.
    #[serde(default = "default_per_s")]
    pub per_s: u64,
    /// How often the summary of what was suppressed is sent, seconds.
    #[serde(default = "default_summary_s")]
    pub summary_every_s: u64,
}

fn default_max() -> usize {
    20
}
fn default_per_s() -> u64 {
    60
}
fn default_summary_s() -> u64 {
    300
}

impl Default for RateLimitConfig {
    fn default() -> RateLimitConfig {
        RateLimitConfig {
            max: default_max(),
            per_s: default_per_s(),
            summary_every_s: default_summary_s(),
        }
    }
}

/// Everything the chat channels need, gathered from `[notify]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NotifySettings {
    /// The channels.
    pub channels: Vec<ChannelConfig>,
    /// Retry policy.
    pub retry: RetryConfig,
    /// Per-rule rate limit.
    pub rate_limit: RateLimitConfig,
    /// Capacity of each channel's queue; when full the oldest is dropped (and counted).
    pub queue: usize,
    /// Topics (event kinds) not notified, e.g. `order_filled`.
    pub mute: Vec<String>,
    /// Level overrides by topic.
    pub levels: BTreeMap<String, Level>,
    /// Templates by topic: `{name}` is replaced by the event's fact `name` (`order`, `market`,
    /// `side`, `price`, `quantity`, `reason`, `venue`, `key`, …; `{text}` is the default text).
    pub templates: BTreeMap<String, String>,
}
