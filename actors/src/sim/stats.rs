//! What a ticker reports besides the last price, tracked over simulated time: the rolling 24 h
//! window (open, high, low, volume, trade count), the exchange's trading day (Upbit's starts at
//! 00:00 KST), and the running high and low.

use std::collections::VecDeque;

use premia_events::Timestamp;
use rust_decimal::Decimal;

use super::process::{add, mul};

/// Nanoseconds per day.
pub(crate) const DAY_NS: i64 = 86_400_000_000_000;
/// Width of one rolling-window bucket: one simulated minute.
const BUCKET_NS: i64 = 60_000_000_000;

/// Who took liquidity in a trade.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Aggressor {
    /// A buyer lifted the ask.
    Buy,
    /// A seller hit the bid.
    Sell,
}

/// The trades of one simulation step, aggregated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StepTrades {
    /// When (simulated).
    pub(crate) at: Timestamp,
    /// Price of the last trade.
    pub(crate) price: Decimal,
    /// Quantity of the last trade, in the base asset.
    pub(crate) last_qty: Decimal,
    /// Who took liquidity in the last trade.
    pub(crate) aggressor: Aggressor,
    /// Total base volume of the step.
    pub(crate) volume: Decimal,
    /// Of which bought by takers.
    pub(crate) buy_volume: Decimal,
    /// Number of trades in the step (at least 1).
    pub(crate) count: u64,
}

/// One minute of the rolling window.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Bucket {
    index: i64,
    open: Decimal,
    high: Decimal,
    low: Decimal,
    close: Decimal,
    volume: Decimal,
    quote_volume: Decimal,
    count: u64,
}

/// The rolling 24 h window as a ticker reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    /// The price at the start of the window (the first trade in it).
    pub(crate) open: Decimal,
    /// Highest trade price in the window.
    pub(crate) high: Decimal,
    /// Lowest trade price in the window.
    pub(crate) low: Decimal,
    /// Base volume.
    pub(crate) volume: Decimal,
    /// Quote volume.
    pub(crate) quote_volume: Decimal,
    /// Number of trades.
    pub(crate) count: u64,
    /// The last trade price before the window (the first price ever while the simulation is
    /// younger than a day).
    pub(crate) before: Decimal,
}

/// The exchange's current trading day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Day {
    /// First trade price of the day (the previous close until the first trade).
    pub(crate) open: Decimal,
    /// Highest trade price of the day.
    pub(crate) high: Decimal,
    /// Lowest trade price of the day.
    pub(crate) low: Decimal,
    /// Last price of the previous day (the first price on the first day).
    pub(crate) prev_close: Decimal,
    /// Base volume of the day.
    pub(crate) volume: Decimal,
    /// Quote volume of the day.
    pub(crate) quote_volume: Decimal,
    /// Base volume bought by takers.
    pub(crate) buy_volume: Decimal,
    /// Base volume sold by takers.
    pub(crate) sell_volume: Decimal,
}

/// Everything a ticker needs about a market's trading history.
#[derive(Clone, Debug)]
pub(crate) struct Stats {
    /// The last trade.
    pub(crate) last: StepTrades,
    /// Id of the first trade ever (trade ids count up from here).
    first_trade_id: u64,
    /// Trades so far.
    total_trades: u64,
    /// Where the exchange's day starts: offset of its time zone from UTC, in nanoseconds.
    day_offset_ns: i64,
    day_index: i64,
    /// The current trading day.
    pub(crate) day: Day,
    buckets: VecDeque<Bucket>,
    before_window: Decimal,
    /// Highest price so far, and when.
    pub(crate) high_ever: (Decimal, Timestamp),
    /// Lowest price so far, and when.
    pub(crate) low_ever: (Decimal, Timestamp),
}

impl Stats {
    /// Statistics for a market whose first price is `price` at `at`, with no trades yet.
    pub(crate) fn new(
        price: Decimal,
        at: Timestamp,
        day_offset_ns: i64,
        first_trade_id: u64,
    ) -> Stats {
        Stats {
            last: StepTrades {
                at,
                price,
                last_qty: Decimal::ZERO,
                aggressor: Aggressor::Buy,
                volume: Decimal::ZERO,
                buy_volume: Decimal::ZERO,
                count: 0,
            },
            first_trade_id,
            total_trades: 0,
            day_offset_ns,
            day_index: day_index(at, day_offset_ns),
            day: Day {
                open: price,
                high: price,
                low: price,
                prev_close: price,
                volume: Decimal::ZERO,
                quote_volume: Decimal::ZERO,
                buy_volume: Decimal::ZERO,
                sell_volume: Decimal::ZERO,
            },
            buckets: VecDeque::new(),
            before_window: price,
            high_ever: (price, at),
            low_ever: (price, at),
        }
    }

    /// Records one step's trades (times never go backwards).
    pub(crate) fn record(&mut self, trades: StepTrades) {
        let price = trades.price;
        let quote_volume = mul(trades.volume, price);

        let index = day_index(trades.at, self.day_offset_ns);
        if index != self.day_index {
            self.day_index = index;
            self.day = Day {
                open: price,
                high: price,
                low: price,
                prev_close: self.last.price,
                volume: Decimal::ZERO,
                quote_volume: Decimal::ZERO,
                buy_volume: Decimal::ZERO,
                sell_volume: Decimal::ZERO,
            };
        }
        let day = &mut self.day;
        day.high = day.high.max(price);
        day.low = day.low.min(price);
        day.volume = add(day.volume, trades.volume);
        day.quote_volume = add(day.quote_volume, quote_volume);
        day.buy_volume = add(day.buy_volume, trades.buy_volume);
        day.sell_volume = add(day.sell_volume, trades.volume - trades.buy_volume);

        let bucket = trades.at.nanos().div_euclid(BUCKET_NS);
        match self.buckets.back_mut() {
            Some(last) if last.index == bucket => {
                last.high = last.high.max(price);
                last.low = last.low.min(price);
                last.close = price;
                last.volume = add(last.volume, trades.volume);
                last.quote_volume = add(last.quote_volume, quote_volume);
                last.count = last.count.saturating_add(trades.count);
            }
            _ => self.buckets.push_back(Bucket {
                index: bucket,
                open: price,
                high: price,
                low: price,
                close: price,
                volume: trades.volume,
                quote_volume,
                count: trades.count,
            }),
        }
        self.evict(trades.at);

        if price > self.high_ever.0 {
            self.high_ever = (price, trades.at);
        }
        if price < self.low_ever.0 {
            self.low_ever = (price, trades.at);
        }
        self.total_trades = self.total_trades.saturating_add(trades.count);
        self.last = trades;
    }

    /// Drops buckets that ended more than a day before `now`.
    fn evict(&mut self, now: Timestamp) {
        let oldest = now.nanos().saturating_sub(DAY_NS).div_euclid(BUCKET_NS);
        while let Some(front) = self.buckets.front() {
            if front.index >= oldest {
                break;
            }
            self.before_window = front.close;
            self.buckets.pop_front();
        }
    }

    /// The rolling 24 h window.
    pub(crate) fn window(&self) -> Window {
        let last = self.last.price;
        let mut window = Window {
            open: self.buckets.front().map_or(last, |b| b.open),
            high: last,
            low: last,
            volume: Decimal::ZERO,
            quote_volume: Decimal::ZERO,
            count: 0,
            before: self.before_window,
        };
        for bucket in &self.buckets {
            window.high = window.high.max(bucket.high);
            window.low = window.low.min(bucket.low);
            window.volume = add(window.volume, bucket.volume);
            window.quote_volume = add(window.quote_volume, bucket.quote_volume);
            window.count = window.count.saturating_add(bucket.count);
        }
        window
    }

    /// Id of the last trade (the first id minus one before any trade).
    pub(crate) fn last_trade_id(&self) -> u64 {
        (self.first_trade_id.saturating_add(self.total_trades)).saturating_sub(1)
    }
}

/// Which trading day `at` falls on, for a time zone `offset_ns` ahead of UTC.
fn day_index(at: Timestamp, offset_ns: i64) -> i64 {
    at.nanos().saturating_add(offset_ns).div_euclid(DAY_NS)
}

/// The UTC (or offset) calendar date and time of `at`: `(year, month, day, hour, minute, second)`.
pub(crate) fn civil(at: Timestamp, offset_ns: i64) -> (i64, u32, u32, u32, u32, u32) {
    let nanos = at.nanos().saturating_add(offset_ns);
    let days = nanos.div_euclid(DAY_NS);
    let secs = nanos.rem_euclid(DAY_NS) / 1_000_000_000;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let small = |v: i64| u32::try_from(v).unwrap_or(0);
    (
        year,
        small(month),
        small(day),
        small(secs / 3600),
        small(secs / 60 % 60),
        small(secs % 60),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_match_known_instants() {
        let cases = [
            (0, 0, (1970, 1, 1, 0, 0, 0)),
            (1_676_965_262_139, 0, (2023, 2, 21, 7, 41, 2)),
            (1_709_164_800_000, 0, (2024, 2, 29, 0, 0, 0)),
            // 15:00 UTC is midnight the next day in Korea.
            (1_676_991_600_000, 9 * 3_600_000, (2023, 2, 22, 0, 0, 0)),
            (-1, 0, (1969, 12, 31, 23, 59, 59)),
        ];
        for (index, (ms, offset_ms, expected)) in cases.into_iter().enumerate() {
            let got = civil(Timestamp::from_millis(ms), offset_ms * 1_000_000);
            assert_eq!(got, expected, "TC{index}: {ms}");
        }
    }

    fn step(at_secs: i64, price: i64, volume: i64) -> StepTrades {
        StepTrades {
            at: Timestamp::from_secs(at_secs),
            price: Decimal::from(price),
            last_qty: Decimal::ONE,
            aggressor: Aggressor::Buy,
            volume: Decimal::from(volume),
            buy_volume: Decimal::from(volume),
            count: 2,
        }
    }

    #[test]
    fn the_window_forgets_what_is_older_than_a_day() {
        let mut stats = Stats::new(Decimal::from(100), Timestamp::from_secs(0), 0, 1000);
        stats.record(step(600, 150, 1));
        stats.record(step(3600, 90, 2));
        let window = stats.window();
        assert_eq!(
            (
                window.open,
                window.high,
                window.low,
                window.volume,
                window.count
            ),
            (
                Decimal::from(150),
                Decimal::from(150),
                Decimal::from(90),
                Decimal::from(3),
                4
            )
        );
        assert_eq!(window.before, Decimal::from(100));
        assert_eq!(stats.last_trade_id(), 1003);

        // A day and a bit later only the new trade is in the window.
        stats.record(step(86_400 + 3700, 120, 5));
        let window = stats.window();
        assert_eq!(
            (window.open, window.high, window.low, window.volume),
            (
                Decimal::from(120),
                Decimal::from(120),
                Decimal::from(120),
                Decimal::from(5)
            )
        );
        assert_eq!(window.before, Decimal::from(90));
    }

    #[test]
    fn the_trading_day_rolls_at_the_exchange_midnight() {
        let kst = 9 * 3_600_000_000_000;
        // 2023-02-21 14:00 UTC = 23:00 KST.
        let start = 1_676_988_000;
        let mut stats = Stats::new(Decimal::from(100), Timestamp::from_secs(start), kst, 1);
        stats.record(step(start + 60, 110, 1));
        assert_eq!(stats.day.open, Decimal::from(100));
        assert_eq!(stats.day.high, Decimal::from(110));
        // 15:00 UTC: a new Korean day.
        stats.record(step(start + 3600, 105, 2));
        assert_eq!(stats.day.prev_close, Decimal::from(110));
        assert_eq!(stats.day.open, Decimal::from(105));
        assert_eq!(stats.day.volume, Decimal::from(2));
        assert_eq!(stats.high_ever.0, Decimal::from(110));
        assert_eq!(stats.low_ever.0, Decimal::from(100));
    }
}
