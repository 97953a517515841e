//! Circuit breakers: one per key `exchange/region/request_type` (e.g. `upbit/kr/order`,
//! `binance/global/feed`), configured per key pattern ([`policy`]), asked before every order
//! submit (the order manager) and before every feed connect (the feed actor).
//!
//! - [`machine`]: the pure state machine (sliding-window failures, open timeout, half-open
//!   trials, success threshold, operator force open/close).
//! - [`BreakerBoard`]: every breaker by key, shared by the actors that ask them. It returns the
//!   transitions to the caller, which records them as `BreakerTransition` events (the notifier
//!   derives its notifications from those events), and tells its observers (the shared-state
//!   sync, [`shared`]).
//! - Operator overrides (`premia breaker open|close|reset`) go through the admin API to
//!   [`BreakerBoard::force_open`] and friends; a forced-open breaker stays open until an
//!   operator closes it, and shows in `/readyz` ([`BreakerBoard::sync_health`]).

pub mod machine;
pub mod nats;
pub mod policy;
pub mod shared;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use premia_events::event::{BreakerState, BreakerTransition};
use premia_events::{Clock, Exchange, SystemClock, Timestamp, Venue};
use serde::Serialize;

use crate::health::{Health, Status};
pub use machine::{Breaker, BreakerConfig, BreakerParams, Change, Permit};
pub use policy::BreakerPolicies;

/// The region part of a breaker key for an exchange.
pub fn region(exchange: Option<Exchange>) -> &'static str {
    match exchange {
        None => "local",
        Some(Exchange::Upbit | Exchange::Bithumb | Exchange::Korbit | Exchange::Coinone) => "kr",
        Some(Exchange::Okx | Exchange::Bybit | Exchange::Gateio) => "asia",
        Some(Exchange::Binance | Exchange::Kraken) => "global",
    }
}

/// The key of a venue's breaker for one kind of request (`paper/local/order`).
pub fn breaker_key(venue: Venue, request_type: &str) -> String {
    format!("{venue}/{}/{request_type}", region(venue.exchange()))
}

/// The key of an exchange feed's breaker (`upbit/kr/feed`): asked before every connect, tripped
/// by connect failures and data-quality faults.
pub fn feed_breaker_key(exchange: Exchange) -> String {
    format!("{exchange}/{}/feed", region(Some(exchange)))
}

/// How an error says whether it counts against a breaker: venue errors that mean "the venue is
/// in trouble" (timeouts, 5xx, 429, connection errors) do; errors that mean "this request was
/// wrong" (insufficient balance, a rejected price) do not, since the venue answered.
pub trait TripsBreaker {
    /// Whether this error counts as a breaker failure.
    fn trips_breaker(&self) -> bool;
}

/// One breaker as the admin API and the CLI show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BreakerInfo {
    /// Its key.
    pub key: String,
    /// `closed`, `open` or `half_open`.
    pub state: &'static str,
    /// Whether an operator forced it.
    pub forced: bool,
    /// Since when it is open (RFC 3339), if open or half-open.
    pub open_since: Option<String>,
}

/// A transition as observers (the shared-state sync) see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observed {
    /// The breaker.
    pub key: String,
    /// Its new state.
    pub state: BreakerState,
    /// When.
    pub at: Timestamp,
    /// Whether an operator forced it.
    pub forced: bool,
    /// Why.
    pub reason: String,
}

/// Every breaker, by key, shared between the actors that ask them. Cheap to clone.
#[derive(Clone, Debug)]
pub struct BreakerBoard {
    inner: Arc<Mutex<BTreeMap<String, Breaker>>>,
    policies: Arc<BreakerPolicies>,
    clock: Arc<dyn Clock>,
    observers: Arc<Mutex<Vec<tokio::sync::mpsc::UnboundedSender<Observed>>>>,
    gate: crate::lease::TradingPermit,
}

impl Default for BreakerBoard {
    fn default() -> BreakerBoard {
        BreakerBoard::new(BreakerConfig::default())
    }
}

impl BreakerBoard {
    /// A board whose breakers all use `config`.
    pub fn new(config: BreakerConfig) -> BreakerBoard {
        BreakerBoard::with_policies(BreakerPolicies::uniform(config), Arc::new(SystemClock))
    }

    /// A board whose breakers take their parameters from the first matching pattern.
    pub fn with_policies(policies: BreakerPolicies, clock: Arc<dyn Clock>) -> BreakerBoard {
        BreakerBoard {
            inner: Arc::default(),
            policies: Arc::new(policies),
            clock,
            observers: Arc::default(),
            gate: crate::lease::TradingPermit::default(),
        }
    }

    /// The trading permit every order submit needs besides its breaker (closed while another
    /// daemon holds this account's lease). Open unless the lease closes it. Feeds are not gated
    /// by it: a read-only daemon still watches the markets.
    pub fn gate(&self) -> &crate::lease::TradingPermit {
        &self.gate
    }

    /// Every later local transition is also sent to `tx` (not those applied from the shared store).
    pub fn observe(&self, tx: tokio::sync::mpsc::UnboundedSender<Observed>) {
        if let Ok(mut observers) = self.observers.lock() {
            observers.push(tx);
        }
    }

    fn with<T>(&self, key: &str, f: impl FnOnce(&mut Breaker) -> T) -> Option<T> {
        let mut map = self.inner.lock().ok()?;
        let breaker = map
            .entry(key.to_owned())
            .or_insert_with(|| Breaker::new(self.policies.config_for(key)));
        Some(f(breaker))
    }

    fn event(&self, key: &str, change: Option<Change>, forced: bool) -> Option<BreakerTransition> {
        let (from, to, reason) = change?;
        let observed = Observed {
            key: key.to_owned(),
            state: to,
            at: self.clock.now(),
            forced,
            reason: reason.clone(),
        };
        if let Ok(mut observers) = self.observers.lock() {
            observers.retain(|tx| tx.send(observed.clone()).is_ok());
        }
        Some(BreakerTransition {
            key: key.to_owned(),
            from,
            to,
            reason,
            forced,
        })
    }

    /// Asks the breaker of `key`; returns the permit and any transition to record.
    pub fn permit(&self, key: &str, now: Timestamp) -> (Permit, Option<BreakerTransition>) {
        if key.ends_with("/order")
            && let Some(why) = self.gate.refusal()
        {
            return (Permit::Refused(why), None);
        }
        match self.with(key, |b| b.permit(now)) {
            Some((permit, change)) => (permit, self.event(key, change, false)),
            None => (Permit::Refused("breaker board unavailable".into()), None),
        }
    }

    /// Records a success; returns any transition.
    pub fn success(&self, key: &str) -> Option<BreakerTransition> {
        let change = self.with(key, Breaker::success).flatten();
        self.event(key, change, false)
    }

    /// Records a failure; returns any transition.
    pub fn failure(&self, key: &str, now: Timestamp, what: &str) -> Option<BreakerTransition> {
        let change = self.with(key, |b| b.failure(now, what)).flatten();
        self.event(key, change, false)
    }

    /// Records a call's outcome: a breaker-worthy error is a failure; success or an error the
    /// venue answered deliberately is a success (the venue is healthy). Returns any transition.
    pub fn report<E: TripsBreaker + std::fmt::Display>(
        &self,
        key: &str,
        now: Timestamp,
        outcome: Result<(), &E>,
    ) -> Option<BreakerTransition> {
        match outcome {
            Err(error) if error.trips_breaker() => self.failure(key, now, &error.to_string()),
            _ => self.success(key),
        }
    }

    /// An operator opens `key` (the kill switch); it stays open until an operator closes it.
    pub fn force_open(&self, key: &str, reason: &str) -> Option<BreakerTransition> {
        let now = self.clock.now();
        let change = self.with(key, |b| b.force_open(now, reason)).flatten();
        self.event(key, change, true)
    }

    /// An operator closes `key` (or resets it: the same, with counters cleared).
    pub fn force_close(&self, key: &str, reason: &str) -> Option<BreakerTransition> {
        let change = self.with(key, |b| b.force_close(reason)).flatten();
        self.event(key, change, true)
    }

    /// Closes every breaker that is not closed.
    pub fn reset_all(&self, reason: &str) -> Vec<BreakerTransition> {
        let keys: Vec<String> = match self.inner.lock() {
            Ok(map) => map.keys().cloned().collect(),
            Err(_) => Vec::new(),
        };
        keys.iter()
            .filter_map(|k| self.force_close(k, reason))
            .collect()
    }

    /// Restores a state from a rebuilt `State` (forced-open breakers stay open across restarts).
    pub fn restore(&self, key: &str, state: BreakerState, since: Timestamp, forced: bool) {
        self.with(key, |b| b.restore(state, since, forced));
    }

    /// Applies a state another daemon recorded in the shared store; returns the transition to
    /// record locally if it changed anything. Not sent back to the observers.
    pub fn apply_remote(
        &self,
        key: &str,
        state: BreakerState,
        since: Timestamp,
        forced: bool,
        reason: &str,
    ) -> Option<BreakerTransition> {
        let from = self.with(key, |b| {
            let before = (b.state(), b.forced());
            if before == (state, forced) {
                return None;
            }
            b.restore(state, since, forced);
            Some(before.0)
        })??;
        Some(BreakerTransition {
            key: key.to_owned(),
            from,
            to: state,
            reason: format!("shared state: {reason}"),
            forced,
        })
    }

    /// Keys and states, for /readyz and metrics.
    pub fn states(&self) -> Vec<(String, BreakerState, bool)> {
        match self.inner.lock() {
            Ok(map) => map
                .iter()
                .map(|(k, b)| (k.clone(), b.state(), b.forced()))
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Every breaker, for the admin API.
    pub fn infos(&self) -> Vec<BreakerInfo> {
        match self.inner.lock() {
            Ok(map) => map
                .iter()
                .map(|(k, b)| BreakerInfo {
                    key: k.clone(),
                    state: b.state().as_str(),
                    forced: b.forced(),
                    open_since: (b.state() != BreakerState::Closed)
                        .then(|| b.opened_at().to_rfc3339()),
                })
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Sets `premia_breaker_state{key}` for every breaker.
    pub fn export(&self, metrics: &crate::metrics::Metrics) {
        for (key, state, forced) in self.states() {
            let value = match (state, forced) {
                (BreakerState::Closed, _) => 0,
                (BreakerState::HalfOpen, _) => 1,
                (BreakerState::Open, false) => 2,
                (BreakerState::Open, true) => 3,
            };
            metrics.breaker_state.with_label_values(&[&key]).set(value);
        }
    }

    /// Sets the `breakers` component of `/readyz`: down, naming the keys, while any breaker is
    /// forced open; ok otherwise.
    pub fn sync_health(&self, health: &Health) {
        let forced: Vec<String> = self
            .states()
            .into_iter()
            .filter(|(_, state, forced)| *forced && *state == BreakerState::Open)
            .map(|(key, _, _)| key)
            .collect();
        let status = if forced.is_empty() {
            Status::Ok
        } else {
            Status::Down(format!("forced open by an operator: {}", forced.join(", ")))
        };
        health.set("breakers", status);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_venue_region_and_request() {
        assert_eq!(breaker_key(Venue::Upbit, "order"), "upbit/kr/order");
        assert_eq!(
            breaker_key(Venue::Binance, "ticker"),
            "binance/global/ticker"
        );
        assert_eq!(breaker_key(Venue::Paper, "order"), "paper/local/order");
        assert_eq!(feed_breaker_key(Exchange::Okx), "okx/asia/feed");
    }

    #[derive(Debug)]
    struct VenueError(bool);

    impl std::fmt::Display for VenueError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(if self.0 {
                "HTTP 503"
            } else {
                "insufficient balance"
            })
        }
    }

    impl TripsBreaker for VenueError {
        fn trips_breaker(&self) -> bool {
            self.0
        }
    }

    #[test]
    fn only_breaker_worthy_errors_count() {
        let board = BreakerBoard::new(BreakerConfig {
            failures: 2,
            ..BreakerConfig::default()
        });
        let now = Timestamp::from_secs(1);
        let key = "upbit/kr/order";
        for (case, outcome, opens) in [
            (
                "TC1: a deliberate rejection is not a failure",
                Err(VenueError(false)),
                false,
            ),
            ("TC2: first 503", Err(VenueError(true)), false),
            ("TC3: success", Ok(()), false),
            (
                "TC4: second 503 within the window opens",
                Err(VenueError(true)),
                true,
            ),
        ] {
            let t = board.report(key, now, outcome.as_ref().map(|_| ()));
            assert_eq!(
                t.is_some_and(|t| t.to == BreakerState::Open),
                opens,
                "{case}"
            );
        }
    }

    #[test]
    fn the_board_forces_reports_observes_and_shows_health() {
        let board = BreakerBoard::default();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        board.observe(tx);
        let health = Health::default();
        let t = board
            .force_open("paper/local/order", "kill switch")
            .unwrap();
        assert!(t.forced && t.to == BreakerState::Open, "TC1: {t:?}");
        let (permit, _) = board.permit("paper/local/order", Timestamp::from_secs(1 << 40));
        assert_eq!(
            permit,
            Permit::Refused("forced open by an operator".into()),
            "TC2"
        );
        board.sync_health(&health);
        assert_eq!(health.readiness().status, "not_ready", "TC3");
        assert!(
            matches!(health.get("breakers"), Some(Status::Down(d)) if d.contains("paper/local/order")),
            "TC4: readiness names the key"
        );
        assert_eq!(
            rx.try_recv().map(|o| o.state).ok(),
            Some(BreakerState::Open),
            "TC5: observed"
        );
        let closed = board.reset_all("reset");
        assert_eq!(closed.len(), 1, "TC6");
        board.sync_health(&health);
        assert_eq!(health.readiness().status, "ready", "TC7");
        let remote = board
            .apply_remote(
                "upbit/kr/order",
                BreakerState::Open,
                Timestamp::EPOCH,
                false,
                "other",
            )
            .unwrap();
        assert_eq!(remote.to, BreakerState::Open, "TC8");
        assert!(rx.try_recv().is_ok(), "TC9: the reset was observed");
        assert!(
            rx.try_recv().is_err(),
            "TC10: remote states are not echoed to observers"
        );
        assert_eq!(
            board.apply_remote(
                "upbit/kr/order",
                BreakerState::Open,
                Timestamp::EPOCH,
                false,
                "x"
            ),
            None,
            "TC11: no change, no transition"
        );
    }
}
