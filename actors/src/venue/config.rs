//! `[[venues]]`: a live venue's base URL, where its keys come from, timeouts and poll rate.
//! Keys are never in the config file: only the names of the environment variables or files
//! that hold them.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use super::sign::Secret;
use super::{Venue, binance::Binance, upbit::Upbit};

/// `[[venues]]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VenueConfig {
    /// `upbit` or `binance`.
    pub venue: premia_events::Venue,
    /// REST base URL (default: the venue's public API). Testnets, proxies and tests set it.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Environment variable holding the API (access) key (default `UPBIT_ACCESS_KEY` /
    /// `BINANCE_API_KEY`).
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// File holding the API key (wins over the environment variable).
    #[serde(default)]
    pub api_key_file: Option<PathBuf>,
    /// Environment variable holding the secret key (default `UPBIT_SECRET_KEY` /
    /// `BINANCE_SECRET_KEY`).
    #[serde(default)]
    pub secret_key_env: Option<String>,
    /// File holding the secret key (wins over the environment variable).
    #[serde(default)]
    pub secret_key_file: Option<PathBuf>,
    /// Per-request timeout, in ms. A submit that times out has an unknown outcome.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// How often an open order is polled, in ms.
    #[serde(default = "default_poll_ms")]
    pub poll_ms: u64,
    /// Binance's `recvWindow`, in ms.
    #[serde(default = "default_recv_window_ms")]
    pub recv_window_ms: u64,
}

fn default_timeout_ms() -> u64 {
    5000
}

fn default_poll_ms() -> u64 {
    1000
}

fn default_recv_window_ms() -> u64 {
    5000
}

/// Why a venue could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum VenueSetupError {
    /// The venue has no live implementation.
    #[error("{0} is not a live venue premia can trade on (upbit, binance)")]
    Unsupported(premia_events::Venue),
    /// A key is missing or unreadable.
    #[error("{venue}: {what}")]
    Key {
        /// The venue.
        venue: premia_events::Venue,
        /// What is missing, naming the variable or file.
        what: String,
    },
    /// The HTTP client could not be built.
    #[error("{venue}: cannot build the HTTP client: {detail}")]
    Client {
        /// The venue.
        venue: premia_events::Venue,
        /// Why.
        detail: String,
    },
}

impl VenueConfig {
    /// The variable names used when none are configured: (api key, secret key).
    pub fn default_env(&self) -> (&'static str, &'static str) {
        match self.venue {
            premia_events::Venue::Binance => ("BINANCE_API_KEY", "BINANCE_SECRET_KEY"),
            _ => ("UPBIT_ACCESS_KEY", "UPBIT_SECRET_KEY"),
        }
    }

    /// Where the API key comes from, for messages (`UPBIT_ACCESS_KEY`, or the file).
    pub fn api_key_source(&self) -> String {
        match (&self.api_key_file, &self.api_key_env) {
            (Some(file), _) => file.display().to_string(),
            (None, Some(env)) => env.clone(),
            (None, None) => self.default_env().0.to_owned(),
        }
    }

    fn secret(
        &self,
        file: Option<&PathBuf>,
        env: Option<&String>,
        default_env: &str,
        what: &str,
    ) -> Result<Secret, VenueSetupError> {
        let key = |what: String| VenueSetupError::Key {
            venue: self.venue,
            what,
        };
        let value = match file {
            Some(path) => std::fs::read_to_string(path).map_err(|e| {
                key(format!(
                    "cannot read the {what} from {}: {e}",
                    path.display()
                ))
            })?,
            None => {
                let name = env.map_or(default_env, String::as_str);
                let file_key = if what == "API key" {
                    "api_key_file"
                } else {
                    "secret_key_file"
                };
                std::env::var(name).map_err(|_| {
                    key(format!(
                        "the {what} is not set: export {name} (or name a file in [[venues]] {file_key})"
                    ))
                })?
            }
        };
        let value = value.trim();
        if value.is_empty() {
            return Err(key(format!("the {what} is empty")));
        }
        Ok(Secret::new(value))
    }

    /// Reads the keys: (api key, secret key).
    pub fn keys(&self) -> Result<(Secret, Secret), VenueSetupError> {
        let (api_env, secret_env) = self.default_env();
        let api = self.secret(
            self.api_key_file.as_ref(),
            self.api_key_env.as_ref(),
            api_env,
            "API key",
        )?;
        let secret = self.secret(
            self.secret_key_file.as_ref(),
            self.secret_key_env.as_ref(),
            secret_env,
            "secret key",
        )?;
        Ok((api, secret))
    }

    /// The request timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}

/// Builds the venue a `[[venues]]` entry describes (reads its keys; no request yet).
pub fn build(config: &VenueConfig) -> Result<Arc<dyn Venue>, VenueSetupError> {
    let (api, secret) = config.keys()?;
    let http = reqwest::Client::builder()
        .timeout(config.timeout())
        .connect_timeout(config.timeout())
        .build()
        .map_err(|e| VenueSetupError::Client {
            venue: config.venue,
            detail: e.to_string(),
        })?;
    let poll = Duration::from_millis(config.poll_ms);
    match config.venue {
        premia_events::Venue::Upbit => Ok(Arc::new(Upbit::new(
            config
                .base_url
                .clone()
                .unwrap_or_else(|| upbit::DEFAULT_BASE_URL.into()),
            api,
            secret,
            http,
            poll,
            config.timeout(),
        ))),
        premia_events::Venue::Binance => Ok(Arc::new(Binance::new(
            config
                .base_url
                .clone()
                .unwrap_or_else(|| binance::DEFAULT_BASE_URL.into()),
            api,
            secret,
            http,
            poll,
            config.timeout(),
            config.recv_window_ms,
        ))),
        other => Err(VenueSetupError::Unsupported(other)),
    }
}

use super::{binance, upbit};
