//! The feed's circuit breaker (`<exchange>/<region>/feed`): asked before every socket connect;
//! tripped by connect failures and by data-quality faults (a stale feed, a sequence gap, a
//! checksum mismatch, a crossed book, a REST 429); a successful connect counts as a success.
//! While it is open the feed does not connect (it stays in REST fallback if it has one) and
//! retries after its backoff, when the breaker may admit a trial connect.

use premia_events::event::{BreakerTransition, Event};

use super::FeedActor;
use crate::breaker::{BreakerBoard, Permit, feed_breaker_key};

impl FeedActor {
    /// Gates this feed's connects with `board` (key `<exchange>/<region>/feed`).
    pub fn with_breakers(mut self, board: BreakerBoard) -> FeedActor {
        self.breakers = Some(board);
        self
    }

    fn record_transition(&self, transition: Option<BreakerTransition>) {
        if let Some(t) = transition {
            tracing::warn!(key = %t.key, from = t.from.as_str(), to = t.to.as_str(), reason = %t.reason, "Breaker transition");
            self.journal.emit(&Event::BreakerTransition(t), None);
        }
    }

    /// Whether the breaker lets this feed connect now; `Err` says why not.
    pub(super) fn connect_permitted(&mut self) -> Result<(), String> {
        let Some(board) = &self.breakers else {
            return Ok(());
        };
        let key = feed_breaker_key(self.exchange);
        let (permit, transition) = board.permit(&key, self.journal.clock().now());
        self.record_transition(transition);
        match permit {
            Permit::Allowed => Ok(()),
            Permit::Refused(why) => Err(format!("breaker {key} refused the connect: {why}")),
        }
    }

    /// A fault that counts against the feed's breaker.
    pub(super) fn trip(&self, what: &str) {
        if let Some(board) = &self.breakers {
            let key = feed_breaker_key(self.exchange);
            let transition = board.failure(&key, self.journal.clock().now(), what);
            self.record_transition(transition);
        }
    }

    /// A healthy connect.
    pub(super) fn breaker_success(&self) {
        if let Some(board) = &self.breakers {
            let transition = board.success(&feed_breaker_key(self.exchange));
            self.record_transition(transition);
        }
    }
}
