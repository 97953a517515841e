//! The mirror's pure core: which seqs to publish next, and how the cursor moves.
//!
//! Publishes go out in seq order, at most `window` without an ack. Acks are taken oldest first,
//! so the cursor (the last seq JetStream acknowledged) only ever moves forward by one seq at a
//! time: it never skips an event whose ack is missing. After any failure everything past the
//! cursor is sent again; JetStream drops the ones it already has (same `Nats-Msg-Id`).

use std::collections::VecDeque;
use std::ops::RangeInclusive;

use thiserror::Error;

/// An ack or send that does not fit the order. A bug in the shell, never the network's doing.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum OutboxError {
    /// A send that is not the next seq.
    #[error("sent seq {got}, expected {expected}")]
    SentOutOfOrder {
        /// The seq the outbox expected.
        expected: u64,
        /// The seq sent.
        got: u64,
    },
    /// An ack that is not for the oldest publish in flight.
    #[error("ack for seq {got}, but the oldest publish in flight is {oldest:?}")]
    AckedOutOfOrder {
        /// The oldest seq in flight, if any.
        oldest: Option<u64>,
        /// The seq acknowledged.
        got: u64,
    },
}

/// The state of the outbox: the cursor, what is in flight, what comes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbox {
    cursor: u64,
    next: u64,
    inflight: VecDeque<u64>,
    window: usize,
}

impl Outbox {
    /// Starts after `cursor` (0: nothing mirrored yet), with at most `window` acks outstanding.
    pub fn new(cursor: u64, window: usize) -> Outbox {
        Outbox {
            cursor,
            next: cursor.saturating_add(1),
            inflight: VecDeque::with_capacity(window),
            window: window.max(1),
        }
    }

    /// The last seq acknowledged, in order.
    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    /// Publishes without an ack yet.
    pub fn inflight(&self) -> usize {
        self.inflight.len()
    }

    /// The seqs to publish now: from the next one, up to the durable head, as many as the window
    /// allows. `None` when there is nothing to send or no room.
    pub fn to_send(&self, durable_head: u64) -> Option<RangeInclusive<u64>> {
        let room = self.window.saturating_sub(self.inflight.len());
        if room == 0 || self.next > durable_head {
            return None;
        }
        let room = u64::try_from(room).unwrap_or(u64::MAX);
        let last = durable_head.min(self.next.saturating_add(room - 1));
        Some(self.next..=last)
    }

    /// Records that `seq` was handed to the client.
    pub fn sent(&mut self, seq: u64) -> Result<(), OutboxError> {
        if seq != self.next {
            return Err(OutboxError::SentOutOfOrder {
                expected: self.next,
                got: seq,
            });
        }
        self.inflight.push_back(seq);
        self.next = seq.saturating_add(1);
        Ok(())
    }

    /// Records JetStream's ack of `seq` (stored or duplicate); returns the new cursor.
    pub fn acked(&mut self, seq: u64) -> Result<u64, OutboxError> {
        match self.inflight.front() {
            Some(&oldest) if oldest == seq => {
                self.inflight.pop_front();
                self.cursor = seq;
                Ok(seq)
            }
            oldest => Err(OutboxError::AckedOutOfOrder {
                oldest: oldest.copied(),
                got: seq,
            }),
        }
    }

    /// A publish or ack failed: forget what is in flight and start again after the cursor.
    pub fn failed(&mut self) {
        self.inflight.clear();
        self.next = self.cursor.saturating_add(1);
    }

    /// Durable events not yet acknowledged.
    pub fn lag(&self, durable_head: u64) -> u64 {
        durable_head.saturating_sub(self.cursor)
    }
}

/// The subject an event is published on: `premia.<instance>.events.<kind>`.
pub fn event_subject(instance: &str, kind: &str) -> String {
    format!(
        "premia.{}.events.{kind}",
        crate::nats::subject_token(instance)
    )
}

/// Whether a stream subject (possibly with wildcards) matches a concrete subject.
pub fn subject_matches(pattern: &str, subject: &str) -> bool {
    let mut pattern = pattern.split('.');
    let mut subject = subject.split('.');
    loop {
        match (pattern.next(), subject.next()) {
            (Some(">"), Some(_)) => return true,
            (Some("*"), Some(_)) => {}
            (Some(p), Some(s)) if p == s => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sends_in_order_within_the_window() {
        let cases: Vec<(&str, u64, usize, usize, u64, Option<RangeInclusive<u64>>)> = vec![
            // name, cursor, window, already sent, durable head, expected range
            ("TC0 nothing durable", 0, 4, 0, 0, None),
            ("TC1 head within window", 0, 4, 0, 2, Some(1..=2)),
            ("TC2 window caps", 0, 4, 0, 100, Some(1..=4)),
            ("TC3 window full", 10, 2, 2, 100, None),
            ("TC4 partly full", 10, 3, 1, 100, Some(12..=13)),
            ("TC5 caught up", 7, 3, 0, 7, None),
        ];
        for (name, cursor, window, sent, head, want) in cases {
            let mut outbox = Outbox::new(cursor, window);
            for seq in cursor + 1..=cursor + sent as u64 {
                outbox.sent(seq).unwrap();
            }
            assert_eq!(outbox.to_send(head), want, "{name}");
        }
    }

    #[test]
    fn the_cursor_moves_only_in_order_and_rewinds_on_failure() {
        let mut outbox = Outbox::new(5, 8);
        for seq in 6..=9 {
            outbox.sent(seq).unwrap();
        }
        assert_eq!(
            outbox.sent(11),
            Err(OutboxError::SentOutOfOrder {
                expected: 10,
                got: 11
            }),
            "TC0: no gap in sends"
        );
        assert_eq!(
            outbox.acked(7),
            Err(OutboxError::AckedOutOfOrder {
                oldest: Some(6),
                got: 7
            }),
            "TC1: an ack past the oldest is refused"
        );
        assert_eq!(outbox.acked(6), Ok(6), "TC2: oldest first");
        assert_eq!(outbox.acked(7), Ok(7), "TC3: next");
        assert_eq!(outbox.lag(20), 13, "TC4: lag from the cursor");
        outbox.failed();
        assert_eq!(outbox.cursor(), 7, "TC5: the cursor survives a failure");
        assert_eq!(outbox.inflight(), 0, "TC6: in-flight forgotten");
        assert_eq!(
            outbox.to_send(9),
            Some(8..=9),
            "TC7: resend after the cursor"
        );
    }

    #[test]
    fn subjects() {
        assert_eq!(
            event_subject("desk1", "order_filled"),
            "premia.desk1.events.order_filled"
        );
        let cases = [
            (
                "TC0",
                "premia.*.events.>",
                "premia.a.events.order_filled",
                true,
            ),
            (
                "TC1",
                "premia.a.events.>",
                "premia.b.events.order_filled",
                false,
            ),
            ("TC2", "premia.a.events.>", "premia.a.events", false),
            ("TC3", "premia.a.events.x", "premia.a.events.x", true),
        ];
        for (name, pattern, subject, want) in cases {
            assert_eq!(subject_matches(pattern, subject), want, "{name}");
        }
    }
}
