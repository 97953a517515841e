//! Circuit breakers, minimal: one per key `exchange/region/request_type` (e.g. `upbit/kr/order`),
//! asked before every submit. CLOSED → OPEN after `failures` failures within `window`; OPEN →
//! HALF_OPEN after `open_for`; HALF_OPEN lets one trial call through, closes on its success and
//! reopens on its failure. The pure state machine is [`Breaker`]; [`BreakerBoard`] holds one per
//! key and is shared by the actors that ask it. Transitions are returned to the caller, which
//! records them as events.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use premia_events::event::{BreakerState, BreakerTransition};
use premia_events::{Exchange, Timestamp, Venue};

/// The key of a venue's or feed's breaker for one kind of request.
pub fn breaker_key(venue: Venue, request_type: &str) -> String {
    let region = match venue.exchange() {
        None => "local",
        Some(Exchange::Upbit | Exchange::Bithumb | Exchange::Korbit | Exchange::Coinone) => "kr",
        Some(Exchange::Okx | Exchange::Bybit | Exchange::Gateio) => "asia",
        Some(Exchange::Binance | Exchange::Kraken) => "global",
    };
    format!("{venue}/{region}/{request_type}")
}

/// A breaker's parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Failures within `window_ns` that open it.
    pub failures: usize,
    /// The sliding window, in nanoseconds.
    pub window_ns: i64,
    /// How long it stays open before a trial, in nanoseconds.
    pub open_for_ns: i64,
}

impl Default for BreakerConfig {
    fn default() -> BreakerConfig {
        BreakerConfig {
            failures: 5,
            window_ns: 60_000_000_000,
            open_for_ns: 30_000_000_000,
        }
    }
}

/// One breaker's state machine.
#[derive(Clone, Debug)]
pub struct Breaker {
    config: BreakerConfig,
    state: BreakerState,
    failures: VecDeque<Timestamp>,
    opened_at: Timestamp,
    trial_in_flight: bool,
    forced: bool,
}

/// The answer to "may I call?".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Permit {
    /// Go ahead.
    Allowed,
    /// Refused; the text says why (names the breaker's state).
    Refused(String),
}

impl Breaker {
    /// A closed breaker.
    pub fn new(config: BreakerConfig) -> Breaker {
        Breaker {
            config,
            state: BreakerState::Closed,
            failures: VecDeque::new(),
            opened_at: Timestamp::EPOCH,
            trial_in_flight: false,
            forced: false,
        }
    }

    /// Its state.
    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// Asks before a call; may move OPEN → HALF_OPEN (returned as a transition).
    pub fn permit(
        &mut self,
        now: Timestamp,
    ) -> (Permit, Option<(BreakerState, BreakerState, String)>) {
        match self.state {
            BreakerState::Closed => (Permit::Allowed, None),
            BreakerState::Open
                if !self.forced
                    && now.nanos().saturating_sub(self.opened_at.nanos())
                        >= self.config.open_for_ns =>
            {
                self.state = BreakerState::HalfOpen;
                self.trial_in_flight = true;
                (
                    Permit::Allowed,
                    Some((
                        BreakerState::Open,
                        BreakerState::HalfOpen,
                        "open timeout elapsed: one trial call".into(),
                    )),
                )
            }
            BreakerState::Open => (
                Permit::Refused(if self.forced {
                    "forced open by an operator".into()
                } else {
                    "open".into()
                }),
                None,
            ),
            BreakerState::HalfOpen if !self.trial_in_flight => {
                self.trial_in_flight = true;
                (Permit::Allowed, None)
            }
            BreakerState::HalfOpen => (
                Permit::Refused("half-open, trial call in flight".into()),
                None,
            ),
        }
    }

    /// Records a successful call.
    pub fn success(&mut self) -> Option<(BreakerState, BreakerState, String)> {
        self.trial_in_flight = false;
        if self.state == BreakerState::HalfOpen {
            self.state = BreakerState::Closed;
            self.failures.clear();
            return Some((
                BreakerState::HalfOpen,
                BreakerState::Closed,
                "trial call succeeded".into(),
            ));
        }
        None
    }

    /// Records a failed call.
    pub fn failure(
        &mut self,
        now: Timestamp,
        what: &str,
    ) -> Option<(BreakerState, BreakerState, String)> {
        self.trial_in_flight = false;
        match self.state {
            BreakerState::HalfOpen => {
                self.state = BreakerState::Open;
                self.opened_at = now;
                Some((
                    BreakerState::HalfOpen,
                    BreakerState::Open,
                    format!("trial call failed: {what}"),
                ))
            }
            BreakerState::Open => None,
            BreakerState::Closed => {
                self.failures.push_back(now);
                let start = now.nanos().saturating_sub(self.config.window_ns);
                while self.failures.front().is_some_and(|t| t.nanos() < start) {
                    self.failures.pop_front();
                }
                if self.failures.len() >= self.config.failures {
                    self.state = BreakerState::Open;
                    self.opened_at = now;
                    let count = self.failures.len();
                    self.failures.clear();
                    return Some((
                        BreakerState::Closed,
                        BreakerState::Open,
                        format!(
                            "{count} failures within {} s, last: {what}",
                            self.config.window_ns / 1_000_000_000
                        ),
                    ));
                }
                None
            }
        }
    }

    /// Restores a state from the log (replay), e.g. a breaker an operator forced open.
    pub fn restore(&mut self, state: BreakerState, since: Timestamp, forced: bool) {
        self.state = state;
        self.opened_at = since;
        self.forced = forced && state == BreakerState::Open;
    }
}

/// Every breaker, by key, shared between the actors that ask them.
#[derive(Clone, Debug, Default)]
pub struct BreakerBoard {
    inner: Arc<Mutex<BTreeMap<String, Breaker>>>,
    config: BreakerConfig,
    gate: crate::lease::TradingPermit,
}

impl BreakerBoard {
    /// A board whose breakers use `config`.
    pub fn new(config: BreakerConfig) -> BreakerBoard {
        BreakerBoard {
            inner: Arc::default(),
            config,
            gate: crate::lease::TradingPermit::default(),
        }
    }

    /// The trading permit every submit needs besides its breaker (closed while another daemon
    /// holds this account's lease). Open unless the lease closes it.
    pub fn gate(&self) -> &crate::lease::TradingPermit {
        &self.gate
    }

    fn with<T>(&self, key: &str, f: impl FnOnce(&mut Breaker) -> T) -> Option<T> {
        let mut map = self.inner.lock().ok()?;
        let breaker = map
            .entry(key.to_owned())
            .or_insert_with(|| Breaker::new(self.config));
        Some(f(breaker))
    }

    fn event(
        key: &str,
        change: Option<(BreakerState, BreakerState, String)>,
    ) -> Option<BreakerTransition> {
        change.map(|(from, to, reason)| BreakerTransition {
            key: key.to_owned(),
            from,
            to,
            reason,
            forced: false,
        })
    }

    /// Asks the breaker of `key`; returns the permit and any transition to record.
    pub fn permit(&self, key: &str, now: Timestamp) -> (Permit, Option<BreakerTransition>) {
        if let Some(why) = self.gate.refusal() {
            return (Permit::Refused(why), None);
        }
        match self.with(key, |b| b.permit(now)) {
            Some((permit, change)) => (permit, Self::event(key, change)),
            None => (Permit::Refused("breaker board unavailable".into()), None),
        }
    }

    /// Records a success; returns any transition.
    pub fn success(&self, key: &str) -> Option<BreakerTransition> {
        Self::event(key, self.with(key, Breaker::success).flatten())
    }

    /// Records a failure; returns any transition.
    pub fn failure(&self, key: &str, now: Timestamp, what: &str) -> Option<BreakerTransition> {
        Self::event(key, self.with(key, |b| b.failure(now, what)).flatten())
    }

    /// Restores states from a rebuilt `State` (forced-open breakers stay open across restarts).
    pub fn restore(&self, key: &str, state: BreakerState, since: Timestamp, forced: bool) {
        self.with(key, |b| b.restore(state, since, forced));
    }

    /// Keys and states, for /readyz and metrics.
    pub fn states(&self) -> Vec<(String, BreakerState, bool)> {
        match self.inner.lock() {
            Ok(map) => map
                .iter()
                .map(|(k, b)| (k.clone(), b.state, b.forced))
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: i64) -> Timestamp {
        Timestamp::from_secs(s)
    }

    #[test]
    fn opens_after_failures_in_the_window_and_recovers_through_a_trial() {
        let mut b = Breaker::new(BreakerConfig {
            failures: 3,
            window_ns: 10_000_000_000,
            open_for_ns: 5_000_000_000,
        });
        assert_eq!(b.failure(secs(0), "500"), None);
        assert_eq!(
            b.failure(secs(20), "500"),
            None,
            "the first failure left the window"
        );
        assert_eq!(b.failure(secs(21), "500"), None);
        let opened = b.failure(secs(22), "timeout").unwrap();
        assert_eq!(
            (opened.0, opened.1),
            (BreakerState::Closed, BreakerState::Open)
        );
        assert_eq!(b.permit(secs(23)).0, Permit::Refused("open".into()));
        let (permit, change) = b.permit(secs(27));
        assert_eq!(permit, Permit::Allowed);
        assert_eq!(change.unwrap().1, BreakerState::HalfOpen);
        assert!(
            matches!(b.permit(secs(27)).0, Permit::Refused(_)),
            "one trial at a time"
        );
        assert_eq!(b.success().unwrap().1, BreakerState::Closed);
        assert_eq!(b.permit(secs(28)).0, Permit::Allowed);
    }

    #[test]
    fn a_failed_trial_reopens() {
        let mut b = Breaker::new(BreakerConfig {
            failures: 1,
            window_ns: 10_000_000_000,
            open_for_ns: 1_000_000_000,
        });
        b.failure(secs(0), "x");
        b.permit(secs(2));
        assert_eq!(b.failure(secs(2), "y").unwrap().1, BreakerState::Open);
    }

    #[test]
    fn a_forced_breaker_stays_open() {
        let mut b = Breaker::new(BreakerConfig::default());
        b.restore(BreakerState::Open, secs(0), true);
        assert_eq!(
            b.permit(secs(10_000)).0,
            Permit::Refused("forced open by an operator".into())
        );
    }

    #[test]
    fn keys_name_venue_region_and_request() {
        assert_eq!(breaker_key(Venue::Upbit, "order"), "upbit/kr/order");
        assert_eq!(
            breaker_key(Venue::Binance, "ticker"),
            "binance/global/ticker"
        );
        assert_eq!(breaker_key(Venue::Paper, "order"), "paper/local/order");
    }
}
