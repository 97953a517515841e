//! One breaker's state machine, pure: no clock of its own, no I/O. Every call takes `now`.
//!
//! CLOSED → OPEN after `failures` failures within the sliding `window_ns`; OPEN → HALF_OPEN once
//! `open_for_ns` has passed (on the next permit asked); HALF_OPEN admits at most
//! `half_open_trials` calls at a time, closes after `successes` successful trials and reopens on
//! one failure. An operator can force it open (it then stays open until an operator closes or
//! resets it) or closed.

use std::collections::VecDeque;

use premia_events::Timestamp;
use premia_events::event::BreakerState;
use serde::Deserialize;

/// A breaker's parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Failures within `window_ns` that open it.
    pub failures: usize,
    /// The sliding window, in nanoseconds.
    pub window_ns: i64,
    /// How long it stays open before trial calls, in nanoseconds.
    pub open_for_ns: i64,
    /// Trial calls admitted at a time while half-open.
    pub half_open_trials: usize,
    /// Successful trials that close it again.
    pub successes: usize,
}

impl Default for BreakerConfig {
    fn default() -> BreakerConfig {
        BreakerConfig {
            failures: 5,
            window_ns: 60_000_000_000,
            open_for_ns: 30_000_000_000,
            half_open_trials: 1,
            successes: 1,
        }
    }
}

/// The same parameters as they are written in the config (seconds), see [`BreakerConfig`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakerParams {
    /// Failures within `window_s` that open it.
    #[serde(default = "d_failures")]
    pub failures: usize,
    /// The sliding window, seconds.
    #[serde(default = "d_window")]
    pub window_s: u64,
    /// Seconds open before trial calls.
    #[serde(default = "d_open")]
    pub open_s: u64,
    /// Trial calls admitted at a time while half-open.
    #[serde(default = "d_one")]
    pub half_open_trials: usize,
    /// Successful trials that close it.
    #[serde(default = "d_one")]
    pub successes: usize,
}

fn d_failures() -> usize {
    5
}
fn d_window() -> u64 {
    60
}
fn d_open() -> u64 {
    30
}
fn d_one() -> usize {
    1
}

impl Default for BreakerParams {
    fn default() -> BreakerParams {
        BreakerParams {
            failures: d_failures(),
            window_s: d_window(),
            open_s: d_open(),
            half_open_trials: d_one(),
            successes: d_one(),
        }
    }
}

impl BreakerParams {
    /// In nanoseconds, each count at least 1.
    pub fn to_config(self) -> BreakerConfig {
        let ns = |s: u64| {
            i64::try_from(s)
                .unwrap_or(i64::MAX / 2)
                .saturating_mul(1_000_000_000)
        };
        BreakerConfig {
            failures: self.failures.max(1),
            window_ns: ns(self.window_s),
            open_for_ns: ns(self.open_s),
            half_open_trials: self.half_open_trials.max(1),
            successes: self.successes.max(1),
        }
    }
}

/// A state change: (from, to, reason).
pub type Change = (BreakerState, BreakerState, String);

/// The answer to "may I call?".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Permit {
    /// Go ahead.
    Allowed,
    /// Refused; the text says why (names the breaker's state).
    Refused(String),
}

/// One breaker's state machine.
#[derive(Clone, Debug)]
pub struct Breaker {
    config: BreakerConfig,
    state: BreakerState,
    failures: VecDeque<Timestamp>,
    opened_at: Timestamp,
    trials_in_flight: usize,
    trial_successes: usize,
    forced: bool,
}

impl Breaker {
    /// A closed breaker.
    pub fn new(config: BreakerConfig) -> Breaker {
        Breaker {
            config,
            state: BreakerState::Closed,
            failures: VecDeque::new(),
            opened_at: Timestamp::EPOCH,
            trials_in_flight: 0,
            trial_successes: 0,
            forced: false,
        }
    }

    /// Its state.
    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// Whether an operator forced its current state.
    pub fn forced(&self) -> bool {
        self.forced
    }

    /// Its parameters.
    pub fn config(&self) -> BreakerConfig {
        self.config
    }

    /// Since when it is open (meaningful while open or half-open).
    pub fn opened_at(&self) -> Timestamp {
        self.opened_at
    }

    /// Asks before a call; may move OPEN → HALF_OPEN (returned as a change).
    pub fn permit(&mut self, now: Timestamp) -> (Permit, Option<Change>) {
        match self.state {
            BreakerState::Closed => (Permit::Allowed, None),
            BreakerState::Open if self.forced => {
                (Permit::Refused("forced open by an operator".into()), None)
            }
            BreakerState::Open => {
                let waited = now.nanos().saturating_sub(self.opened_at.nanos());
                if waited < self.config.open_for_ns {
                    let left_ms = (self.config.open_for_ns - waited) / 1_000_000;
                    return (
                        Permit::Refused(format!("open, trial calls in {left_ms} ms")),
                        None,
                    );
                }
                self.state = BreakerState::HalfOpen;
                self.trials_in_flight = 1;
                self.trial_successes = 0;
                (
                    Permit::Allowed,
                    Some((
                        BreakerState::Open,
                        BreakerState::HalfOpen,
                        format!(
                            "open timeout elapsed: up to {} trial call(s)",
                            self.config.half_open_trials
                        ),
                    )),
                )
            }
            BreakerState::HalfOpen if self.trials_in_flight < self.config.half_open_trials => {
                self.trials_in_flight += 1;
                (Permit::Allowed, None)
            }
            BreakerState::HalfOpen => (
                Permit::Refused(format!(
                    "half-open, {} trial call(s) in flight",
                    self.trials_in_flight
                )),
                None,
            ),
        }
    }

    /// Records a successful call.
    pub fn success(&mut self) -> Option<Change> {
        if self.state != BreakerState::HalfOpen {
            return None;
        }
        self.trials_in_flight = self.trials_in_flight.saturating_sub(1);
        self.trial_successes += 1;
        if self.trial_successes < self.config.successes {
            return None;
        }
        self.close();
        Some((
            BreakerState::HalfOpen,
            BreakerState::Closed,
            format!("{} trial call(s) succeeded", self.config.successes),
        ))
    }

    /// Records a failed call.
    pub fn failure(&mut self, now: Timestamp, what: &str) -> Option<Change> {
        match self.state {
            BreakerState::HalfOpen => {
                self.open(now);
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
                if self.failures.len() < self.config.failures {
                    return None;
                }
                let count = self.failures.len();
                self.open(now);
                Some((
                    BreakerState::Closed,
                    BreakerState::Open,
                    format!(
                        "{count} failures within {} s, last: {what}",
                        self.config.window_ns / 1_000_000_000
                    ),
                ))
            }
        }
    }

    /// An operator opens it; it stays open until an operator closes or resets it.
    pub fn force_open(&mut self, now: Timestamp, reason: &str) -> Option<Change> {
        if self.state == BreakerState::Open && self.forced {
            return None;
        }
        let from = self.state;
        self.open(now);
        self.forced = true;
        Some((from, BreakerState::Open, reason.to_owned()))
    }

    /// An operator closes it (clearing its counters).
    pub fn force_close(&mut self, reason: &str) -> Option<Change> {
        let change = (self.state != BreakerState::Closed || self.forced)
            .then(|| (self.state, BreakerState::Closed, reason.to_owned()));
        self.close();
        change
    }

    /// Sets a state recorded elsewhere (the log at start-up, or another daemon's through the
    /// shared store), without producing a change.
    pub fn restore(&mut self, state: BreakerState, since: Timestamp, forced: bool) {
        match state {
            BreakerState::Closed => self.close(),
            BreakerState::Open => {
                self.open(since);
                self.forced = forced;
            }
            BreakerState::HalfOpen => {
                self.open(since);
                self.state = BreakerState::HalfOpen;
            }
        }
    }

    fn open(&mut self, now: Timestamp) {
        self.state = BreakerState::Open;
        self.opened_at = now;
        self.failures.clear();
        self.trials_in_flight = 0;
        self.trial_successes = 0;
        self.forced = false;
    }

    fn close(&mut self) {
        self.state = BreakerState::Closed;
        self.failures.clear();
        self.trials_in_flight = 0;
        self.trial_successes = 0;
        self.forced = false;
    }
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
