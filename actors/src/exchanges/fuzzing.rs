//! The body of every codec fuzz target (`actors/fuzz/fuzz_targets/<exchange>.rs`), kept in the
//! library so that the ordinary test suite runs the same checks on stable Rust over the shared
//! fixtures and damaged copies of them (see the tests below), and cargo-fuzz only adds the
//! coverage-guided search.
//!
//! One input is a sequence of frames separated by the byte `0x1E` (ASCII record separator; an
//! input without one is a single frame, so fixture files seed the fuzzer as they are). Each frame
//! goes through the exchange's WebSocket decoder and then its REST decoder, and every book and
//! delta decoded goes through the feed's [`OrderBook`] with the exchange's sync rule and
//! checksum, as a live feed would. The checks, each a panic the fuzzer reports:
//!
//! - decoding returns, and an error leaves the output as it was;
//! - a decoded item belongs to the exchange that decoded it;
//! - a decoded snapshot lists no emptied level or padding (no zero price or quantity);
//! - a book the [`OrderBook`] accepted is never crossed, never deeper than [`DEPTH`], and its
//!   levels are strictly ordered best first with positive quantities.

use premia_events::marketdata::{Level, MarketData};
use premia_events::{Decimal, Exchange, Timestamp};

use super::{ExchangeCodec, codec_for};
use crate::feed::book::OrderBook;

/// The book depth the fuzz codecs are built with.
pub const DEPTH: usize = 10;

/// The byte that separates frames in one fuzz input.
pub const FRAME_SEPARATOR: u8 = 0x1E;

/// Runs one fuzz input through `exchange`'s codec (built in discovery mode, so any market code
/// the exchange's convention allows is read) and its book sync. Panics on a broken invariant.
pub fn run(exchange: Exchange, input: &[u8]) {
    let Ok(mut codec) = codec_for(exchange, &[], DEPTH) else {
        return;
    };
    let mut books = std::collections::BTreeMap::new();
    for (index, frame) in input.split(|byte| *byte == FRAME_SEPARATOR).enumerate() {
        let received = Timestamp(i64::try_from(index).unwrap_or(i64::MAX));
        for rest in [false, true] {
            for item in decode(codec.as_mut(), frame, received, rest) {
                assert_eq!(item.exchange(), exchange, "an item of another exchange");
                if let MarketData::Book(snapshot) = &item {
                    let empty = snapshot
                        .bids
                        .iter()
                        .chain(&snapshot.asks)
                        .find(|level| level.price.is_zero() || level.quantity.is_zero());
                    assert!(empty.is_none(), "a snapshot with the level {empty:?}");
                }
                follow(codec.as_ref(), &mut books, item);
            }
        }
    }
}

fn decode(
    codec: &mut dyn ExchangeCodec,
    frame: &[u8],
    received: Timestamp,
    rest: bool,
) -> Vec<MarketData> {
    let mut out = Vec::new();
    let result = if rest {
        codec.decode_rest(frame, received, &mut out)
    } else {
        codec.decode(frame, received, &mut out)
    };
    if let Err(error) = result {
        assert!(out.is_empty(), "{error}, yet {} items were left", out.len());
        assert_eq!(
            error.exchange,
            codec.exchange(),
            "an error naming another exchange"
        );
    }
    out
}

fn follow(
    codec: &dyn ExchangeCodec,
    books: &mut std::collections::BTreeMap<premia_events::Market, OrderBook>,
    item: MarketData,
) {
    let exchange = codec.exchange();
    let sync = codec.book_sync();
    let (market, accepted) = match &item {
        MarketData::Ticker(_) => return,
        MarketData::Book(snapshot) => {
            let book = books
                .entry(snapshot.market.clone())
                .or_insert_with(|| OrderBook::new(exchange, snapshot.market.clone(), sync, DEPTH));
            (
                snapshot.market.clone(),
                book.apply_snapshot(snapshot).is_ok(),
            )
        }
        MarketData::Delta(delta) => {
            let book = books
                .entry(delta.market.clone())
                .or_insert_with(|| OrderBook::new(exchange, delta.market.clone(), sync, DEPTH));
            let result = book.apply_delta(delta, |bids, asks| {
                codec.book_checksum(&delta.market, bids, asks)
            });
            (delta.market.clone(), result.is_ok())
        }
    };
    if accepted && let Some(book) = books.get(&market) {
        let snapshot = book.snapshot();
        check_side(&snapshot.bids, |better, worse| better > worse, "bids");
        check_side(&snapshot.asks, |better, worse| better < worse, "asks");
        assert!(
            !snapshot.is_crossed(),
            "an accepted book is crossed: {snapshot:?}"
        );
    }
}

fn check_side(levels: &[Level], ordered: impl Fn(Decimal, Decimal) -> bool, side: &str) {
    assert!(
        levels.len() <= DEPTH,
        "{side}: {} levels, depth {DEPTH}",
        levels.len()
    );
    for level in levels {
        assert!(
            level.quantity > Decimal::ZERO,
            "{side}: a level without quantity"
        );
    }
    for pair in levels.windows(2) {
        if let [better, worse] = pair {
            assert!(
                ordered(better.price, worse.price),
                "{side} out of order: {pair:?}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use proptest::prelude::*;

    use super::*;
    use crate::exchanges::testkit::{apply_edits, edits};

    /// Every file of the shared fixtures, per exchange, or nothing when `../shared` is absent.
    fn fixtures(exchange: Exchange) -> Vec<Vec<u8>> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/fixtures/exchanges")
            .join(exchange.as_str());
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|path| std::fs::read(path).unwrap())
            .collect()
    }

    /// The whole fixture set of one exchange as one input: subscribe, snapshot, delta, ticker and
    /// REST bodies in a row, so deltas meet the snapshot before them.
    fn joined(exchange: Exchange) -> Vec<u8> {
        fixtures(exchange).join(&[FRAME_SEPARATOR][..])
    }

    #[test]
    fn every_fixture_passes_the_fuzz_checks() {
        for &exchange in Exchange::ALL {
            for fixture in fixtures(exchange) {
                run(exchange, &fixture);
            }
            run(exchange, &joined(exchange));
        }
    }

    #[test]
    fn empty_and_separator_only_inputs_pass() {
        for &exchange in Exchange::ALL {
            for input in [
                &b""[..],
                &[FRAME_SEPARATOR],
                &[FRAME_SEPARATOR; 3],
                b"{}",
                b"[]",
            ] {
                run(exchange, input);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn damaged_fixture_sequences_pass_the_fuzz_checks(
            which in 0..Exchange::ALL.len(),
            damage in edits(),
        ) {
            let exchange = Exchange::ALL[which];
            run(exchange, &apply_edits(&joined(exchange), &damage));
        }
    }
}
