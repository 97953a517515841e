//! The book checksum (CRC32 over the top 10 levels at the pair precision) and a book followed frame by frame.

use super::*;

#[test]
fn crc32_matches_the_standard_check_value() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(crc32(b""), 0);
}

/// A book kept the way the book-sync code keeps it: absolute quantities, zero removes, each
/// side cut to the depth after every message.
#[derive(Default)]
struct TestBook {
    bids: BTreeMap<Decimal, Decimal>,
    asks: BTreeMap<Decimal, Decimal>,
}

impl TestBook {
    fn apply(&mut self, bids: &[Level], asks: &[Level], depth: usize) {
        for (side, levels) in [(&mut self.bids, bids), (&mut self.asks, asks)] {
            for level in levels {
                if level.quantity.is_zero() {
                    side.remove(&level.price);
                } else {
                    side.insert(level.price, level.quantity);
                }
            }
        }
        while self.bids.len() > depth {
            self.bids.pop_first();
        }
        while self.asks.len() > depth {
            self.asks.pop_last();
        }
    }

    fn sides(&self) -> (Vec<Level>, Vec<Level>) {
        (
            self.bids
                .iter()
                .rev()
                .map(|(p, q)| Level::new(*p, *q))
                .collect(),
            self.asks.iter().map(|(p, q)| Level::new(*p, *q)).collect(),
        )
    }
}

/// Decodes a snapshot and then updates into a [`TestBook`], checking the checksum after each.
pub(super) fn follow_book(codec: &mut KrakenCodec, frames: &[(&str, u32)]) {
    let mut book = TestBook::default();
    for (index, (frame, expected)) in frames.iter().enumerate() {
        let mut out = Vec::new();
        assert_eq!(
            codec.decode(frame.as_bytes(), RECEIVED, &mut out),
            Ok(FrameClass::Data),
            "TC{index}"
        );
        let market = out[0].market().clone();
        match &out[0] {
            MarketData::Book(snapshot) => {
                book = TestBook::default();
                book.apply(&snapshot.bids, &snapshot.asks, codec.depth());
            }
            MarketData::Delta(delta) => {
                book.apply(&delta.bids, &delta.asks, codec.depth());
                assert_eq!(delta.checksum, Some(*expected), "TC{index}: delta checksum");
            }
            other => panic!("TC{index}: {other:?}"),
        }
        let (bids, asks) = book.sides();
        assert_eq!(
            codec.book_checksum(&market, &bids, &asks),
            Some(*expected),
            "TC{index}"
        );
    }
}

#[test]
fn checksum_follows_the_book_at_the_pair_precision() {
    let mut codec = codec();
    let eth = market("ETH/USD");
    // Unknown until the instrument channel (or configuration) gives the precision.
    assert_eq!(codec.book_checksum(&eth, &[], &[]), None);
    let mut out = Vec::new();
    assert_eq!(
        codec.decode(INSTRUMENT.as_bytes(), RECEIVED, &mut out),
        Ok(FrameClass::Status)
    );
    assert!(out.is_empty());
    assert_eq!(codec.precision(&eth), Some(Precision { price: 2, qty: 8 }));
    assert_eq!(codec.precision(&market("ADA/USD")), None);
    follow_book(
        &mut codec,
        &[
            (WS_BOOK_SNAPSHOT_ETH_USD, SNAPSHOT_CHECKSUM),
            (WS_BOOK_UPDATE_ETH_USD, UPDATE_CHECKSUM),
        ],
    );

    // The same book at another precision is another checksum.
    let mut other = codec.clone();
    other.set_precision(&eth, Precision { price: 3, qty: 8 });
    let MarketData::Book(snapshot) = eth_book() else {
        unreachable!()
    };
    assert_ne!(
        other.book_checksum(&eth, &snapshot.bids, &snapshot.asks),
        Some(SNAPSHOT_CHECKSUM)
    );
    // A market not configured gets no precision.
    other.set_precision(&market("ADA/USD"), Precision { price: 6, qty: 8 });
    assert_eq!(other.precision(&market("ADA/USD")), None);
}
