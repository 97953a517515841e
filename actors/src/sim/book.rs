//! Order books around a mid price: tick sizes per quote asset, the top of book, and the levels
//! behind it with plausible quantities.
//!
//! Invariants (tested): prices are positive multiples of the tick, bids strictly descend, asks
//! strictly ascend, and the best bid is below the best ask.

use rust_decimal::Decimal;

use super::process::{Draws, add, div, mul, sub};

/// The price step for a market quoted in `quote` at about `price`.
///
/// KRW follows Upbit's KRW tick table (1,000 KRW at BTC prices); USD stablecoins follow
/// Upbit's USDT table (0.01 from 10 up); other quotes use 0.00000001.
pub(crate) fn tick_size(quote: &str, price: Decimal) -> Decimal {
    if quote == "KRW" {
        krw_tick(price)
    } else if is_usd_stable(quote) {
        usd_tick(price)
    } else {
        Decimal::new(1, 8)
    }
}

/// Whether `quote` is a USD stablecoin (or USD itself), valued at one USDT.
pub(crate) fn is_usd_stable(quote: &str) -> bool {
    matches!(
        quote,
        "USDT" | "USDC" | "USD" | "FDUSD" | "BUSD" | "TUSD" | "DAI"
    )
}

/// Upbit's KRW tick table (as of the 2025-07-31 change).
fn krw_tick(price: Decimal) -> Decimal {
    let table: [(i64, Decimal); 10] = [
        (2_000_000, Decimal::from(1000)),
        (1_000_000, Decimal::from(1000)),
        (500_000, Decimal::from(500)),
        (100_000, Decimal::from(100)),
        (50_000, Decimal::from(50)),
        (10_000, Decimal::from(10)),
        (5_000, Decimal::from(5)),
        (100, Decimal::ONE),
        (10, Decimal::new(1, 1)),
        (1, Decimal::new(1, 2)),
    ];
    for (threshold, tick) in table {
        if price >= Decimal::from(threshold) {
            return tick;
        }
    }
    if price >= Decimal::new(1, 1) {
        Decimal::new(1, 3)
    } else {
        Decimal::new(1, 4)
    }
}

/// USD-stable quotes: Upbit's USDT table (0.01 from 10 up, then one more place per decade down
/// to 0.00000001), which also matches Binance's majors (BTC, ETH, SOL 0.01; XRP, ADA 0.0001).
fn usd_tick(price: Decimal) -> Decimal {
    let mut threshold = Decimal::TEN;
    let mut tick = Decimal::new(1, 2);
    for _ in 0..6 {
        if price >= threshold {
            return tick;
        }
        threshold /= Decimal::TEN;
        tick /= Decimal::TEN;
    }
    Decimal::new(1, 8)
}

/// `price` rounded down to a multiple of `tick`.
pub(crate) fn floor_to(price: Decimal, tick: Decimal) -> Decimal {
    mul(div(price, tick).floor(), tick).normalize()
}

/// `price` rounded up to a multiple of `tick`.
pub(crate) fn ceil_to(price: Decimal, tick: Decimal) -> Decimal {
    mul(div(price, tick).ceil(), tick).normalize()
}

/// How a market's book is shaped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BookShape {
    /// Spread between best bid and ask as a fraction of the mid (at least one tick).
    pub(crate) spread: Decimal,
    /// Levels per side.
    pub(crate) levels: usize,
    /// Mean distance between neighbouring levels as a fraction of the mid (at least one tick).
    pub(crate) level_spacing: Decimal,
    /// Mean quantity per level, in the base asset.
    pub(crate) level_qty: Decimal,
    /// Decimal places of quantities.
    pub(crate) qty_dp: u32,
    /// A fixed tick, or `None` for the quote asset's tick table.
    pub(crate) tick: Option<Decimal>,
}

/// Best bid and ask for a mid price.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Top {
    /// Best bid.
    pub(crate) bid: Decimal,
    /// Best ask.
    pub(crate) ask: Decimal,
    /// The tick both are multiples of.
    pub(crate) tick: Decimal,
}

impl BookShape {
    /// The tick at `mid` for a market quoted in `quote`.
    pub(crate) fn tick(&self, quote: &str, mid: Decimal) -> Decimal {
        self.tick.unwrap_or_else(|| tick_size(quote, mid))
    }

    /// Best bid and ask around `mid`: the spread split evenly, rounded outwards to the tick, at
    /// least one tick apart, the bid at least one tick above zero.
    pub(crate) fn top(&self, quote: &str, mid: Decimal) -> Top {
        let tick = self.tick(quote, mid);
        let half = mul(mid, self.spread) / Decimal::TWO;
        let bid = floor_to(sub(mid, half), tick).max(tick);
        let mut ask = ceil_to(add(mid, half), tick);
        if ask <= bid {
            ask = add(bid, tick);
        }
        Top { bid, ask, tick }
    }

    /// A full book around `mid`: `levels` bids and asks (fewer bids if they would reach zero).
    pub(crate) fn build(&self, quote: &str, mid: Decimal, draws: &mut Draws) -> Book {
        let top = self.top(quote, mid);
        let gap_ticks = div(mul(mid, self.level_spacing), top.tick)
            .round()
            .max(Decimal::ONE);
        // Gaps are uniform in 1..=2g-1 ticks: mean g.
        let gap_span = u64::try_from(
            rust_decimal::prelude::ToPrimitive::to_i64(&gap_ticks)
                .unwrap_or(1)
                .saturating_mul(2)
                .saturating_sub(1),
        )
        .unwrap_or(1)
        .clamp(1, 1_000_000);
        let mut bids = Vec::with_capacity(self.levels);
        let mut asks = Vec::with_capacity(self.levels);
        let mut bid = top.bid;
        let mut ask = top.ask;
        for index in 0..self.levels {
            if index > 0 {
                let gap = mul(Decimal::from(1 + draws.below(gap_span)), top.tick);
                bid = sub(bid, gap);
                let gap = mul(Decimal::from(1 + draws.below(gap_span)), top.tick);
                ask = add(ask, gap);
            }
            let bid_qty = self.quantity(draws);
            let ask_qty = self.quantity(draws);
            if bid > Decimal::ZERO {
                bids.push((bid, bid_qty));
            }
            asks.push((ask, ask_qty));
        }
        Book { bids, asks }
    }

    /// A level's quantity: mostly small, skewed (mean `level_qty`), with an occasional wall ten
    /// times larger; never zero.
    fn quantity(&self, draws: &mut Draws) -> Decimal {
        let u = draws.uniform();
        // 4·u³ has mean 1 and a long right tail; 0.05 keeps the smallest levels non-trivial.
        let mut factor = add(mul(mul(mul(u, u), u), Decimal::from(4)), Decimal::new(5, 2));
        if draws.below(20) == 0 {
            factor = mul(factor, Decimal::TEN);
        }
        let smallest = Decimal::new(1, self.qty_dp.min(28));
        mul(self.level_qty, factor)
            .round_dp(self.qty_dp)
            .max(smallest)
    }
}

/// One snapshot of a book: `(price, quantity)` levels, best first.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct Book {
    /// Bids, highest first.
    pub(crate) bids: Vec<(Decimal, Decimal)>,
    /// Asks, lowest first.
    pub(crate) asks: Vec<(Decimal, Decimal)>,
}

impl Book {
    /// The best bid level.
    pub(crate) fn best_bid(&self) -> Option<(Decimal, Decimal)> {
        self.bids.first().copied()
    }

    /// The best ask level.
    pub(crate) fn best_ask(&self) -> Option<(Decimal, Decimal)> {
        self.asks.first().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn ticks_follow_the_quote_tables() {
        let cases = [
            ("KRW", "137002000", "1000"),
            ("KRW", "1500000", "1000"),
            ("KRW", "4500000", "1000"),
            ("KRW", "700000", "500"),
            ("KRW", "250000", "100"),
            ("KRW", "3000", "1"),
            ("KRW", "850", "1"),
            ("KRW", "0.5", "0.001"),
            ("USDT", "65000", "0.01"),
            ("USDT", "3000", "0.01"),
            ("USDC", "50", "0.01"),
            ("USDT", "10", "0.01"),
            ("USDT", "9.99", "0.001"),
            ("USDT", "0.52", "0.0001"),
            ("USDT", "0.15", "0.0001"),
            ("USDT", "0.0005", "0.0000001"),
            ("USDT", "0.00005", "0.00000001"),
            ("BTC", "0.05", "0.00000001"),
        ];
        for (index, (quote, price, tick)) in cases.into_iter().enumerate() {
            assert_eq!(
                tick_size(quote, d(price)),
                d(tick),
                "TC{index}: {quote} {price}"
            );
        }
    }

    #[test]
    fn rounding_to_the_tick() {
        assert_eq!(floor_to(d("137001999"), d("1000")), d("137001000"));
        assert_eq!(ceil_to(d("137001001"), d("1000")), d("137002000"));
        assert_eq!(ceil_to(d("137002000"), d("1000")), d("137002000"));
        assert_eq!(floor_to(d("64123.456"), d("0.01")), d("64123.45"));
    }

    fn shape(spread: &str, levels: usize) -> BookShape {
        BookShape {
            spread: d(spread),
            levels,
            level_spacing: d("0.00002"),
            level_qty: d("0.1"),
            qty_dp: 8,
            tick: None,
        }
    }

    #[test]
    fn top_of_book_is_never_crossed() {
        let cases = [
            ("KRW", "137001500", "0"),
            ("KRW", "137001500", "0.0001"),
            ("USDT", "65000.005", "0"),
            ("USDT", "65000", "0.001"),
            ("USDT", "0.000000001", "0.01"),
        ];
        for (index, (quote, mid, spread)) in cases.into_iter().enumerate() {
            let top = shape(spread, 5).top(quote, d(mid));
            assert!(top.bid < top.ask, "TC{index}: {top:?}");
            assert!(top.bid > Decimal::ZERO, "TC{index}: {top:?}");
            assert!(top.ask - top.bid >= top.tick, "TC{index}: {top:?}");
        }
    }

    #[test]
    fn books_are_sorted_positive_and_on_the_tick() {
        let mut draws = Draws::new(3, 3);
        for (quote, mid) in [("KRW", "137001500"), ("USDT", "65000.123"), ("USDT", "0.5")] {
            let book = shape("0.0002", 20).build(quote, d(mid), &mut draws);
            assert_eq!(book.bids.len(), 20);
            assert_eq!(book.asks.len(), 20);
            let tick = tick_size(quote, d(mid));
            for side in [&book.bids, &book.asks] {
                for (price, qty) in side {
                    assert!(*price > Decimal::ZERO && *qty > Decimal::ZERO);
                    assert_eq!((*price / tick).fract(), Decimal::ZERO, "{price} on {tick}");
                }
            }
            assert!(book.bids.windows(2).all(|w| w[0].0 > w[1].0));
            assert!(book.asks.windows(2).all(|w| w[0].0 < w[1].0));
            assert!(book.best_bid().unwrap().0 < book.best_ask().unwrap().0);
        }
    }

    #[test]
    fn bids_stop_before_zero() {
        let mut draws = Draws::new(1, 1);
        let mut shape = shape("0", 30);
        shape.tick = Some(Decimal::ONE);
        shape.level_spacing = d("0.5");
        let book = shape.build("XYZ", d("10"), &mut draws);
        assert!(book.bids.len() < 30 && !book.bids.is_empty());
        assert_eq!(book.asks.len(), 30);
        assert!(book.bids.iter().all(|(p, _)| *p > Decimal::ZERO));
    }
}
