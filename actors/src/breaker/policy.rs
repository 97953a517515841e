//! Which parameters a breaker gets: the first `[[breaker.rules]]` entry whose pattern matches its
//! key, else the defaults. A pattern has the key's three parts, each a name or `*`
//! (`*/kr/order`, `binance/*/*`).

use serde::Deserialize;

use super::machine::{BreakerConfig, BreakerParams};

/// One `[[breaker.rules]]` entry.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakerRule {
    /// `exchange/region/request_type`, each part a name or `*`.
    pub pattern: String,
    /// Failures within `window_s` that open it.
    #[serde(default)]
    pub failures: Option<usize>,
    /// The sliding window, seconds.
    #[serde(default)]
    pub window_s: Option<u64>,
    /// Seconds open before trial calls.
    #[serde(default)]
    pub open_s: Option<u64>,
    /// Trial calls admitted at a time while half-open.
    #[serde(default)]
    pub half_open_trials: Option<usize>,
    /// Successful trials that close it.
    #[serde(default)]
    pub successes: Option<usize>,
}

impl BreakerRule {
    /// Its parameters, the defaults filling what it leaves out.
    pub fn params(&self, default: BreakerParams) -> BreakerParams {
        BreakerParams {
            failures: self.failures.unwrap_or(default.failures),
            window_s: self.window_s.unwrap_or(default.window_s),
            open_s: self.open_s.unwrap_or(default.open_s),
            half_open_trials: self.half_open_trials.unwrap_or(default.half_open_trials),
            successes: self.successes.unwrap_or(default.successes),
        }
    }
}

/// Parameters per key pattern.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BreakerPolicies {
    rules: Vec<(Vec<String>, BreakerConfig)>,
    default: BreakerConfig,
}

/// A pattern that is not three `/`-separated parts.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("breaker pattern {0:?} must be exchange/region/request_type, each a name or *")]
pub struct BadPattern(pub String);

impl BreakerPolicies {
    /// Every breaker uses `config`.
    pub fn uniform(config: BreakerConfig) -> BreakerPolicies {
        BreakerPolicies {
            rules: Vec::new(),
            default: config,
        }
    }

    /// From the config's rules (first match wins) and defaults.
    pub fn new(
        rules: &[BreakerRule],
        default: BreakerParams,
    ) -> Result<BreakerPolicies, BadPattern> {
        let mut parsed = Vec::new();
        for rule in rules {
            let parts: Vec<String> = rule.pattern.split('/').map(str::to_owned).collect();
            if parts.len() != 3 || parts.iter().any(String::is_empty) {
                return Err(BadPattern(rule.pattern.clone()));
            }
            parsed.push((parts, rule.params(default).to_config()));
        }
        Ok(BreakerPolicies {
            rules: parsed,
            default: default.to_config(),
        })
    }

    /// The parameters of `key`'s breaker.
    pub fn config_for(&self, key: &str) -> BreakerConfig {
        let parts: Vec<&str> = key.split('/').collect();
        self.rules
            .iter()
            .find(|(pattern, _)| {
                pattern.len() == parts.len()
                    && pattern.iter().zip(&parts).all(|(p, k)| p == "*" || p == k)
            })
            .map_or(self.default, |(_, config)| *config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(pattern: &str, failures: usize) -> BreakerRule {
        BreakerRule {
            pattern: pattern.into(),
            failures: Some(failures),
            window_s: None,
            open_s: None,
            half_open_trials: None,
            successes: None,
        }
    }

    #[test]
    fn the_first_matching_pattern_wins() {
        let policies = BreakerPolicies::new(
            &[
                rule("upbit/kr/order", 1),
                rule("*/kr/*", 2),
                rule("*/*/feed", 3),
            ],
            BreakerParams::default(),
        )
        .unwrap();
        for (case, key, failures) in [
            ("TC1: exact", "upbit/kr/order", 1),
            ("TC2: region wildcard", "bithumb/kr/order", 2),
            ("TC3: earlier rule first", "upbit/kr/feed", 2),
            ("TC4: request wildcard", "binance/global/feed", 3),
            ("TC5: default", "paper/local/order", 5),
            ("TC6: not a key", "paper", 5),
        ] {
            assert_eq!(policies.config_for(key).failures, failures, "{case}");
        }
        assert_eq!(
            BreakerPolicies::new(&[rule("upbit/order", 1)], BreakerParams::default()),
            Err(BadPattern("upbit/order".into())),
            "TC7: two parts"
        );
    }
}

/// `[breaker]`: defaults, per-pattern rules and the optional shared store.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakerSettings {
    /// `[breaker.defaults]`: parameters of breakers no rule matches.
    #[serde(default)]
    pub defaults: BreakerParams,
    /// `[[breaker.rules]]`: parameters per key pattern, first match wins.
    #[serde(default)]
    pub rules: Vec<BreakerRule>,
    /// `[breaker.shared]`: share breaker states with other daemons through NATS JetStream KV.
    #[serde(default)]
    pub shared: Option<SharedSettings>,
}

/// `[breaker.shared]`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedSettings {
    /// NATS server URL(s), e.g. `nats://127.0.0.1:4222`.
    pub servers: String,
    /// The KV bucket (created if absent).
    #[serde(default = "default_bucket")]
    pub bucket: String,
    /// How often other daemons' states are read, ms.
    #[serde(default = "default_poll_ms")]
    pub poll_ms: u64,
}

fn default_bucket() -> String {
    "premia_breakers".into()
}

fn default_poll_ms() -> u64 {
    1000
}

impl BreakerSettings {
    /// The policies these settings describe.
    pub fn policies(&self) -> Result<BreakerPolicies, BadPattern> {
        BreakerPolicies::new(&self.rules, self.defaults)
    }
}
