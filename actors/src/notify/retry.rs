//! Pure policies of the notifier: how long to wait before the next attempt ([`Backoff`]) and
//! how many notifications of one rule to let through ([`RateLimiter`]).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;

use premia_events::Timestamp;
use premia_events::sample::Rng;

use super::config::{BackoffKind, RateLimitConfig, RetryConfig};

/// The longest a server's Retry-After is honoured.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// Delays between attempts: exponential, linear or fixed from `initial_ms`, capped at `max_ms`,
/// optionally jittered (uniform between half and all of the delay).
#[derive(Clone, Debug)]
pub struct Backoff {
    config: RetryConfig,
    rng: Rng,
}

impl Backoff {
    /// A backoff for `config`, its jitter drawn from `seed`.
    pub fn new(config: RetryConfig, seed: u64) -> Backoff {
        Backoff {
            config,
            rng: Rng::new(seed),
        }
    }

    /// The delay after failed attempt `attempt` (1-based), or the server's `retry_after` when it
    /// gave one (honoured even above the cap, up to [`MAX_RETRY_AFTER`]).
    pub fn delay(&mut self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(after) = retry_after {
            return after.min(MAX_RETRY_AFTER);
        }
        let n = attempt.saturating_sub(1);
        let initial = self.config.initial_ms;
        let raw = match self.config.backoff {
            BackoffKind::Exponential => {
                initial.saturating_mul(1u64.checked_shl(n.min(32)).unwrap_or(u64::MAX))
            }
            BackoffKind::Linear => initial.saturating_mul(u64::from(n) + 1),
            BackoffKind::Fixed => initial,
        };
        let capped = raw.min(self.config.max_ms);
        let ms = if self.config.jitter && capped > 1 {
            let half = capped / 2;
            half + self.rng.below(capped - half + 1)
        } else {
            capped
        };
        Duration::from_millis(ms)
    }

    /// Attempts in all.
    pub fn attempts(&self) -> u32 {
        self.config.attempts.max(1)
    }
}

/// At most `max` notifications per topic within `per_s`; counts what it suppresses.
#[derive(Clone, Debug)]
pub struct RateLimiter {
    max: usize,
    per_ns: i64,
    sent: HashMap<String, VecDeque<Timestamp>>,
    suppressed: BTreeMap<String, u64>,
}

impl RateLimiter {
    /// A limiter for `config`.
    pub fn new(config: RateLimitConfig) -> RateLimiter {
        RateLimiter {
            max: config.max.max(1),
            per_ns: i64::try_from(config.per_s)
                .unwrap_or(i64::MAX / 2)
                .saturating_mul(1_000_000_000),
            sent: HashMap::new(),
            suppressed: BTreeMap::new(),
        }
    }

    /// Whether a notification of `topic` at `now` may go out (counted either way).
    pub fn allow(&mut self, topic: &str, now: Timestamp) -> bool {
        let window = self.sent.entry(topic.to_owned()).or_default();
        let start = now.nanos().saturating_sub(self.per_ns);
        while window.front().is_some_and(|t| t.nanos() <= start) {
            window.pop_front();
        }
        if window.len() < self.max {
            window.push_back(now);
            return true;
        }
        *self.suppressed.entry(topic.to_owned()).or_default() += 1;
        false
    }

    /// The summary of what was suppressed since the last call, if anything was.
    pub fn take_summary(&mut self) -> Option<String> {
        if self.suppressed.is_empty() {
            return None;
        }
        let parts: Vec<String> = std::mem::take(&mut self.suppressed)
            .into_iter()
            .map(|(topic, n)| format!("{n} {topic}"))
            .collect();
        Some(format!(
            "rate limit: suppressed {} (at most {} per topic per {} s)",
            parts.join(", "),
            self.max,
            self.per_ns / 1_000_000_000
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry(backoff: BackoffKind, jitter: bool) -> RetryConfig {
        RetryConfig {
            attempts: 5,
            backoff,
            initial_ms: 100,
            max_ms: 1000,
            jitter,
        }
    }

    #[test]
    fn delays_grow_as_configured_and_stop_at_the_cap() {
        for (case, kind, want) in [
            (
                "TC1: exponential",
                BackoffKind::Exponential,
                [100u64, 200, 400, 800, 1000, 1000],
            ),
            (
                "TC2: linear",
                BackoffKind::Linear,
                [100, 200, 300, 400, 500, 600],
            ),
            (
                "TC3: fixed",
                BackoffKind::Fixed,
                [100, 100, 100, 100, 100, 100],
            ),
        ] {
            let mut b = Backoff::new(retry(kind, false), 1);
            let got: Vec<u64> = (1..=6)
                .map(|a| b.delay(a, None).as_millis() as u64)
                .collect();
            assert_eq!(got, want, "{case}");
        }
        let mut b = Backoff::new(retry(BackoffKind::Exponential, true), 7);
        for attempt in 1u32..=10 {
            let ceiling = (100u64 << (attempt - 1)).min(1000);
            for _ in 0..20 {
                let d = b.delay(attempt, None).as_millis() as u64;
                assert!(
                    d >= ceiling / 2 && d <= ceiling,
                    "TC4: jitter within [half, all]: {d} of {ceiling}"
                );
            }
        }
        assert_eq!(
            b.delay(1, Some(Duration::from_secs(30))),
            Duration::from_secs(30),
            "TC5: Retry-After wins over the cap"
        );
    }

    #[test]
    fn the_rate_limit_suppresses_counts_and_sums_up() {
        let mut limiter = RateLimiter::new(RateLimitConfig {
            max: 2,
            per_s: 10,
            summary_every_s: 60,
        });
        let at = Timestamp::from_secs;
        assert!(limiter.allow("order_filled", at(0)), "TC1");
        assert!(limiter.allow("order_filled", at(1)), "TC2");
        assert!(
            !limiter.allow("order_filled", at(2)),
            "TC3: third within 10 s"
        );
        assert!(limiter.allow("breaker_transition", at(2)), "TC4: per topic");
        assert!(!limiter.allow("order_filled", at(9)), "TC5");
        assert!(
            limiter.allow("order_filled", at(10)),
            "TC6: the first left the window"
        );
        assert_eq!(
            limiter.take_summary().as_deref(),
            Some("rate limit: suppressed 2 order_filled (at most 2 per topic per 10 s)"),
            "TC7"
        );
        assert_eq!(limiter.take_summary(), None, "TC8: counts start over");
    }
}
