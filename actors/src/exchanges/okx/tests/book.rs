//! The book checksum (CRC32 over the top 25 levels) and a snapshot followed by updates.

use super::*;

pub(super) fn levels(side: &[(&str, &str)]) -> Vec<Level> {
    side.iter().map(|(p, q)| lv(p, q)).collect()
}

#[test]
fn checksum_follows_the_documented_algorithm() {
    // (bids, asks, checksum as OKX sends it). The first two are the examples of OKX's docs
    // ("3366.1:7:3366.8:9:3366:6:3368:8", and a shorter bid side continuing with asks only);
    // CRC32 values computed independently (Python zlib.crc32).
    let cases: [(&[(&str, &str)], &[(&str, &str)], i32); 5] = [
        (
            &[("3366.1", "7"), ("3366", "6")],
            &[("3366.8", "9"), ("3368", "8")],
            -1_881_014_294,
        ),
        (
            &[("3366.1", "7")],
            &[("3366.8", "9"), ("3368", "8"), ("3372", "8")],
            831_078_360,
        ),
        // The shared fixture's levels (its frame's checksum is illustrative, see its README).
        (
            &[
                ("8476.97", "256"),
                ("8475.55", "101"),
                ("8475.54", "100"),
                ("8475.3", "1"),
                ("8447.32", "6"),
                ("8447.02", "246"),
                ("8446.83", "24"),
                ("8446", "95"),
            ],
            &[
                ("8476.98", "415"),
                ("8477", "7"),
                ("8477.34", "85"),
                ("8477.56", "1"),
                ("8505.84", "8"),
                ("8506.37", "85"),
                ("8506.49", "2"),
                ("8506.96", "100"),
            ],
            -2_102_840_145,
        ),
        (&sol_bids(), &sol_asks(), 1_646_420_714),
        // An empty book is the CRC32 of the empty text.
        (&[], &[], 0),
    ];
    let codec = codec();
    for (index, (bids, asks, expected)) in cases.into_iter().enumerate() {
        let expected = u32::from_be_bytes(expected.to_be_bytes());
        let (bids, asks) = (levels(bids), levels(asks));
        assert_eq!(okx_checksum(&bids, &asks), expected, "TC{index}");
        assert_eq!(
            codec.book_checksum(&market("SOL/USDT"), &bids, &asks),
            Some(expected),
            "TC{index}"
        );
    }
}

#[test]
fn checksum_covers_only_the_top_25_levels() {
    let side = |start: u32, step: i64| -> Vec<Level> {
        (0..30)
            .map(|i| {
                let price = i64::from(start) + step * i;
                lv(&price.to_string(), "1.5")
            })
            .collect()
    };
    let (bids, asks) = (side(1000, -1), side(1001, 1));
    let full = okx_checksum(&bids, &asks);
    assert_eq!(full, okx_checksum(&bids[..25], &asks[..25]));
    assert_ne!(full, okx_checksum(&bids[..24], &asks[..25]));
    // Prices are written as received: a different scale is a different text.
    let mut rescaled = bids.clone();
    rescaled[0] = lv("1000.0", "1.5");
    assert_ne!(full, okx_checksum(&rescaled, &asks));
}

/// Applies a delta to a book the way the book-sync code does: size 0 deletes, else set.
fn apply(book: &mut Vec<Level>, changes: &[Level], bids: bool) {
    for change in changes {
        book.retain(|level| level.price != change.price);
        if !change.quantity.is_zero() {
            book.push(*change);
        }
    }
    if bids {
        book.sort_by_key(|level| std::cmp::Reverse(level.price));
    } else {
        book.sort_by_key(|level| level.price);
    }
}

#[test]
fn snapshot_then_update_chain_and_checksum() {
    let mut codec = codec();
    let mut out = Vec::new();
    for frame in [WS_BOOKS_SNAPSHOT_SOL_USDT, WS_BOOKS_UPDATE_SOL_USDT] {
        assert_eq!(
            codec.decode(frame.as_bytes(), RECEIVED, &mut out),
            Ok(FrameClass::Data)
        );
    }
    let [MarketData::Book(snapshot), MarketData::Delta(delta)] = &out[..] else {
        panic!("{out:?}");
    };
    assert_eq!(delta.prev_seq, snapshot.seq);
    let market = market("SOL/USDT");
    let (mut bids, mut asks) = (snapshot.bids.clone(), snapshot.asks.clone());
    assert_eq!(
        codec.book_checksum(&market, &bids, &asks),
        Some(1_646_420_714)
    );
    apply(&mut bids, &delta.bids, true);
    apply(&mut asks, &delta.asks, false);
    assert_eq!(codec.book_checksum(&market, &bids, &asks), delta.checksum);
}
