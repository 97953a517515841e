//! Order-book sync, pure: keeps a market's book from the exchange's snapshots and deltas, checks
//! sequence numbers the way the exchange defines them ([`BookSync`]) and, where it offers one, the
//! checksum after each delta. A gap or a mismatch is a [`Resync`]: the caller drops the book,
//! counts it, and gets a fresh snapshot (by resubscribing). After every accepted update the book
//! is never crossed and holds at most `depth` levels per side.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use premia_events::marketdata::{BookDelta, BookSnapshot, Level};
use premia_events::{Exchange, Market, Timestamp};
use rust_decimal::Decimal;

use crate::exchanges::BookSync;

/// Why a book must be rebuilt from a new snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resync {
    /// A delta arrived before any snapshot.
    NoSnapshot,
    /// Sequence numbers do not follow (`expected` next, `got`).
    Gap {
        /// What the book expected.
        expected: u64,
        /// What the delta said.
        got: u64,
    },
    /// The exchange's checksum of the book after the delta differs from ours.
    Checksum {
        /// The exchange's.
        theirs: u32,
        /// Ours.
        ours: u32,
    },
    /// The book would be crossed (best bid at or above best ask).
    Crossed,
    /// The delta lacks the sequence fields its exchange always sends.
    MissingSeq,
}

impl std::fmt::Display for Resync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Resync::NoSnapshot => f.write_str("delta before any snapshot"),
            Resync::Gap { expected, got } => {
                write!(f, "sequence gap: expected {expected}, got {got}")
            }
            Resync::Checksum { theirs, ours } => {
                write!(f, "checksum mismatch: exchange {theirs}, ours {ours}")
            }
            Resync::Crossed => f.write_str("book crossed after update"),
            Resync::MissingSeq => f.write_str("delta without sequence numbers"),
        }
    }
}

/// One market's book.
#[derive(Clone, Debug)]
pub struct OrderBook {
    exchange: Exchange,
    market: Market,
    sync: BookSync,
    depth: usize,
    bids: BTreeMap<Reverse<Decimal>, Decimal>,
    asks: BTreeMap<Decimal, Decimal>,
    seq: Option<u64>,
    ready: bool,
    exchange_time: Option<Timestamp>,
    received: Timestamp,
}

impl OrderBook {
    /// An empty book that waits for a snapshot.
    pub fn new(exchange: Exchange, market: Market, sync: BookSync, depth: usize) -> OrderBook {
        OrderBook {
            exchange,
            market,
            sync,
            depth: depth.max(1),
            bids: BTreeMap::new(),
            asks: BTreeMap::new(),
            seq: None,
            ready: false,
            exchange_time: None,
            received: Timestamp::EPOCH,
        }
    }

    /// Whether a snapshot has been applied since the last resync.
    pub fn is_ready(&self) -> bool {
        self.ready
    }

    /// Forgets everything; the next snapshot starts over.
    pub fn reset(&mut self) {
        self.bids.clear();
        self.asks.clear();
        self.seq = None;
        self.ready = false;
    }

    /// Replaces the book with a snapshot.
    pub fn apply_snapshot(&mut self, snapshot: &BookSnapshot) -> Result<(), Resync> {
        self.reset();
        for level in &snapshot.bids {
            if level.quantity > Decimal::ZERO {
                self.bids.insert(Reverse(level.price), level.quantity);
            }
        }
        for level in &snapshot.asks {
            if level.quantity > Decimal::ZERO {
                self.asks.insert(level.price, level.quantity);
            }
        }
        self.seq = snapshot.seq;
        self.exchange_time = snapshot.exchange_time;
        self.received = snapshot.received;
        self.truncate();
        if self.is_crossed() {
            self.reset();
            return Err(Resync::Crossed);
        }
        self.ready = true;
        Ok(())
    }

    /// Applies a delta after checking its sequence; then, if given, the checksum computed by
    /// `checksum` over the top levels. On any error the book is reset.
    pub fn apply_delta(
        &mut self,
        delta: &BookDelta,
        checksum: impl Fn(&[Level], &[Level]) -> Option<u32>,
    ) -> Result<(), Resync> {
        let result = self.try_apply(delta, checksum);
        if result.is_err() {
            self.reset();
        }
        result
    }

    fn try_apply(
        &mut self,
        delta: &BookDelta,
        checksum: impl Fn(&[Level], &[Level]) -> Option<u32>,
    ) -> Result<(), Resync> {
        if !self.ready {
            return Err(Resync::NoSnapshot);
        }
        match self.sync {
            BookSync::Snapshots | BookSync::ChecksumOnly => {}
            BookSync::PrevSeqChain => {
                let (Some(prev), Some(current)) = (delta.prev_seq, self.seq) else {
                    return Err(Resync::MissingSeq);
                };
                if prev != current {
                    return Err(Resync::Gap {
                        expected: current,
                        got: prev,
                    });
                }
            }
            BookSync::Consecutive => {
                let (Some(seq), Some(current)) = (delta.seq, self.seq) else {
                    return Err(Resync::MissingSeq);
                };
                if seq != current.saturating_add(1) {
                    return Err(Resync::Gap {
                        expected: current.saturating_add(1),
                        got: seq,
                    });
                }
            }
            BookSync::Ranges => {
                let (Some(first), Some(last), Some(current)) =
                    (delta.first_seq, delta.seq, self.seq)
                else {
                    return Err(Resync::MissingSeq);
                };
                if last <= current {
                    return Ok(()); // already covered by the snapshot: skip, not a gap
                }
                if first > current.saturating_add(1) {
                    return Err(Resync::Gap {
                        expected: current.saturating_add(1),
                        got: first,
                    });
                }
            }
        }
        for level in &delta.bids {
            if level.quantity.is_zero() {
                self.bids.remove(&Reverse(level.price));
            } else {
                self.bids.insert(Reverse(level.price), level.quantity);
            }
        }
        for level in &delta.asks {
            if level.quantity.is_zero() {
                self.asks.remove(&level.price);
            } else {
                self.asks.insert(level.price, level.quantity);
            }
        }
        if delta.seq.is_some() {
            self.seq = delta.seq;
        }
        self.exchange_time = delta.exchange_time.or(self.exchange_time);
        self.received = delta.received;
        if let Some(theirs) = delta.checksum {
            let (bids, asks) = self.levels();
            if let Some(ours) = checksum(&bids, &asks)
                && ours != theirs
            {
                return Err(Resync::Checksum { theirs, ours });
            }
        }
        self.truncate();
        if self.is_crossed() {
            return Err(Resync::Crossed);
        }
        Ok(())
    }

    fn truncate(&mut self) {
        while self.bids.len() > self.depth {
            self.bids.pop_last();
        }
        while self.asks.len() > self.depth {
            self.asks.pop_last();
        }
    }

    fn is_crossed(&self) -> bool {
        match (self.bids.keys().next(), self.asks.keys().next()) {
            (Some(Reverse(bid)), Some(ask)) => bid >= ask,
            _ => false,
        }
    }

    fn levels(&self) -> (Vec<Level>, Vec<Level>) {
        let bids = self
            .bids
            .iter()
            .map(|(Reverse(p), q)| Level::new(*p, *q))
            .collect();
        let asks = self.asks.iter().map(|(p, q)| Level::new(*p, *q)).collect();
        (bids, asks)
    }

    /// The book as a snapshot (best levels first).
    pub fn snapshot(&self) -> BookSnapshot {
        let (bids, asks) = self.levels();
        BookSnapshot {
            exchange: self.exchange,
            market: self.market.clone(),
            bids,
            asks,
            seq: self.seq,
            exchange_time: self.exchange_time,
            received: self.received,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proptest::prelude::*;

    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn lv(p: &str, q: &str) -> Level {
        Level::new(d(p), d(q))
    }

    fn snapshot(seq: u64, bids: Vec<Level>, asks: Vec<Level>) -> BookSnapshot {
        BookSnapshot {
            exchange: Exchange::Okx,
            market: "BTC/USDT".parse().unwrap(),
            bids,
            asks,
            seq: Some(seq),
            exchange_time: None,
            received: Timestamp(seq as i64),
        }
    }

    fn delta(first: u64, seq: u64, prev: u64, bids: Vec<Level>, asks: Vec<Level>) -> BookDelta {
        BookDelta {
            exchange: Exchange::Okx,
            market: "BTC/USDT".parse().unwrap(),
            bids,
            asks,
            first_seq: Some(first),
            seq: Some(seq),
            prev_seq: Some(prev),
            checksum: None,
            exchange_time: None,
            received: Timestamp(seq as i64),
        }
    }

    fn book(sync: BookSync) -> OrderBook {
        let mut book = OrderBook::new(Exchange::Okx, "BTC/USDT".parse().unwrap(), sync, 3);
        book.apply_snapshot(&snapshot(
            10,
            vec![lv("99", "1"), lv("98", "2")],
            vec![lv("101", "1"), lv("102", "2")],
        ))
        .unwrap();
        book
    }

    #[test]
    fn sequence_rules_per_exchange_model() {
        let none = |_: &[Level], _: &[Level]| None;
        let cases = [
            (
                "prev-seq chain follows",
                BookSync::PrevSeqChain,
                delta(0, 11, 10, vec![], vec![]),
                Ok(()),
            ),
            (
                "prev-seq chain gap",
                BookSync::PrevSeqChain,
                delta(0, 12, 11, vec![], vec![]),
                Err(Resync::Gap {
                    expected: 10,
                    got: 11,
                }),
            ),
            (
                "consecutive follows",
                BookSync::Consecutive,
                delta(0, 11, 0, vec![], vec![]),
                Ok(()),
            ),
            (
                "consecutive gap",
                BookSync::Consecutive,
                delta(0, 13, 0, vec![], vec![]),
                Err(Resync::Gap {
                    expected: 11,
                    got: 13,
                }),
            ),
            (
                "range follows",
                BookSync::Ranges,
                delta(11, 15, 0, vec![], vec![]),
                Ok(()),
            ),
            (
                "range overlapping the snapshot",
                BookSync::Ranges,
                delta(8, 12, 0, vec![], vec![]),
                Ok(()),
            ),
            (
                "range already covered",
                BookSync::Ranges,
                delta(5, 9, 0, vec![], vec![]),
                Ok(()),
            ),
            (
                "range gap",
                BookSync::Ranges,
                delta(12, 15, 0, vec![], vec![]),
                Err(Resync::Gap {
                    expected: 11,
                    got: 12,
                }),
            ),
            (
                "checksum only needs no seq",
                BookSync::ChecksumOnly,
                delta(0, 0, 0, vec![], vec![]),
                Ok(()),
            ),
        ];
        for (index, (name, sync, d, expected)) in cases.into_iter().enumerate() {
            let mut b = book(sync);
            assert_eq!(b.apply_delta(&d, none), expected, "TC{index} {name}");
            assert_eq!(
                b.is_ready(),
                expected.is_ok(),
                "TC{index} {name}: a resync resets the book"
            );
        }
    }

    #[test]
    fn levels_are_set_removed_truncated_and_never_crossed() {
        let mut b = book(BookSync::Consecutive);
        let none = |_: &[Level], _: &[Level]| None;
        b.apply_delta(
            &delta(
                0,
                11,
                0,
                vec![lv("99", "0"), lv("97", "5"), lv("96", "1"), lv("95", "1")],
                vec![lv("101", "3")],
            ),
            none,
        )
        .unwrap();
        let s = b.snapshot();
        assert_eq!(
            s.bids,
            vec![lv("98", "2"), lv("97", "5"), lv("96", "1")],
            "99 removed, truncated to depth 3"
        );
        assert_eq!(s.asks, vec![lv("101", "3"), lv("102", "2")]);
        assert_eq!(
            b.apply_delta(&delta(0, 12, 0, vec![lv("103", "1")], vec![]), none),
            Err(Resync::Crossed)
        );
    }

    #[test]
    fn a_checksum_mismatch_resyncs() {
        let mut b = book(BookSync::ChecksumOnly);
        let mut d = delta(0, 0, 0, vec![lv("99", "2")], vec![]);
        d.checksum = Some(7);
        let sum = |bids: &[Level], _: &[Level]| Some(u32::try_from(bids.len()).unwrap());
        assert_eq!(
            b.apply_delta(&d, sum),
            Err(Resync::Checksum { theirs: 7, ours: 2 })
        );
        d.checksum = Some(2);
        let mut b = book(BookSync::ChecksumOnly);
        assert_eq!(b.apply_delta(&d, sum), Ok(()));
    }

    #[test]
    fn a_delta_before_any_snapshot_asks_for_one() {
        let mut b = OrderBook::new(
            Exchange::Okx,
            "BTC/USDT".parse().unwrap(),
            BookSync::PrevSeqChain,
            5,
        );
        assert_eq!(
            b.apply_delta(&delta(0, 1, 0, vec![], vec![]), |_, _| None),
            Err(Resync::NoSnapshot)
        );
    }

    /// A random walk of a book: each step sets or removes levels on both sides away from the
    /// touch, so the book stays uncrossed.
    fn steps() -> impl Strategy<Value = Vec<(bool, u8, u8)>> {
        proptest::collection::vec((any::<bool>(), 0u8..20, 0u8..5), 0..60)
    }

    proptest! {
        #[test]
        fn deltas_give_the_same_book_as_a_fresh_snapshot(steps in steps()) {
            let depth = 25;
            let mut full_bids: BTreeMap<Reverse<Decimal>, Decimal> = BTreeMap::new();
            let mut full_asks: BTreeMap<Decimal, Decimal> = BTreeMap::new();
            full_bids.insert(Reverse(Decimal::from(99)), Decimal::ONE);
            full_asks.insert(Decimal::from(101), Decimal::ONE);
            let mut b = OrderBook::new(Exchange::Bybit, "BTC/USDT".parse().unwrap(), BookSync::Consecutive, depth);
            b.apply_snapshot(&snapshot(1, vec![lv("99", "1")], vec![lv("101", "1")])).unwrap();
            for (seq, (bid_side, offset, qty)) in (2u64..).zip(steps) {
                let price = if bid_side { Decimal::from(99 - i64::from(offset)) } else { Decimal::from(101 + i64::from(offset)) };
                let quantity = Decimal::from(qty);
                let level = Level::new(price, quantity);
                let (bids, asks) = if bid_side { (vec![level], vec![]) } else { (vec![], vec![level]) };
                if bid_side {
                    if qty == 0 { full_bids.remove(&Reverse(price)); } else { full_bids.insert(Reverse(price), quantity); }
                } else if qty == 0 { full_asks.remove(&price); } else { full_asks.insert(price, quantity); }
                b.apply_delta(&delta(0, seq, 0, bids, asks), |_, _| None).unwrap();
            }
            let expected = snapshot(0,
                full_bids.iter().take(depth).map(|(Reverse(p), q)| Level::new(*p, *q)).collect(),
                full_asks.iter().take(depth).map(|(p, q)| Level::new(*p, *q)).collect());
            let mut fresh = OrderBook::new(Exchange::Bybit, "BTC/USDT".parse().unwrap(), BookSync::Consecutive, depth);
            fresh.apply_snapshot(&expected).unwrap();
            prop_assert_eq!(b.snapshot().bids, fresh.snapshot().bids);
            prop_assert_eq!(b.snapshot().asks, fresh.snapshot().asks);
        }
    }
}
