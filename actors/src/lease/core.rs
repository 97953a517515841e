//! The lease's pure core: when to renew, and until when a renewal keeps the permit open.
//!
//! The lease is a key in a JetStream KV bucket whose `max_age` is the TTL (nats-server 2.9.10 has
//! no per-key TTL): the server removes the holder's entry `ttl` after its last write. Another
//! daemon can take the lease only after that. So the holder's permit must close before: it stays
//! open until `sent + ttl - ttl/3`, where `sent` is when the holder *sent* its last successful
//! renewal (before the server stamped it). Renewals go every `ttl/3`, so one missed renewal
//! still leaves a third of the TTL; two missed ones close the permit before anyone else can hold
//! the lease.

use std::time::Duration;

/// What the lease holder does next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeaseState {
    /// Not holding: try to create the key every `renew_every`.
    Standby,
    /// Holding at `revision`; the last renewal was sent at `sent_ns` (monotonic nanoseconds).
    Holding {
        /// The entry's revision, for the compare-and-set update.
        revision: u64,
        /// When the successful create or update was sent.
        sent_ns: u64,
    },
}

/// The lease's timing, from its TTL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeaseTiming {
    ttl: Duration,
}

impl LeaseTiming {
    /// From the bucket's TTL.
    pub fn new(ttl: Duration) -> LeaseTiming {
        LeaseTiming { ttl }
    }

    /// How often to renew (and how often a standby tries to take over).
    pub fn renew_every(&self) -> Duration {
        self.ttl / 3
    }

    /// Until when (monotonic ns) a renewal sent at `sent_ns` keeps the permit open.
    pub fn valid_until(&self, sent_ns: u64) -> u64 {
        let ttl = u64::try_from(self.ttl.as_nanos()).unwrap_or(u64::MAX);
        sent_ns.saturating_add(ttl.saturating_sub(ttl / 3))
    }

    /// Whether a holder whose last successful renewal was sent at `sent_ns` may still trade at
    /// `now_ns`.
    pub fn may_trade(&self, state: &LeaseState, now_ns: u64) -> bool {
        match state {
            LeaseState::Standby => false,
            LeaseState::Holding { sent_ns, .. } => now_ns < self.valid_until(*sent_ns),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_permit_closes_before_anyone_else_can_take_the_lease() {
        let timing = LeaseTiming::new(Duration::from_secs(15));
        assert_eq!(
            timing.renew_every(),
            Duration::from_secs(5),
            "TC0: renew every third"
        );
        let s = 1_000_000_000u64;
        let held = LeaseState::Holding {
            revision: 3,
            sent_ns: 100 * s,
        };
        let cases = [
            ("TC1 just renewed", 100 * s, true),
            ("TC2 one renewal missed", 105 * s + 1, true),
            ("TC3 two missed: closed", 110 * s, false),
            ("TC4 long after the server's expiry", 116 * s, false),
        ];
        for (name, now, want) in cases {
            assert_eq!(timing.may_trade(&held, now), want, "{name}");
        }
        assert!(
            !timing.may_trade(&LeaseState::Standby, 0),
            "TC5: standby never trades"
        );
        assert!(
            timing.valid_until(100 * s) < 100 * s + 15 * s,
            "TC6: closes before the server expires the entry"
        );
    }
}
