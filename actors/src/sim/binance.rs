//! Binance spot's combined-stream messages: `{"stream":"btcusdt@ticker","data":{24hrTicker}}`
//! and `{"stream":"btcusdt@depth<N>@100ms","data":{"lastUpdateId",bids,asks}}`, as in
//! `shared/fixtures/exchanges/binance/ws_ticker.json` and `ws_orderbook.json` (there unwrapped).
//! Decimals are strings with eight places, as Binance sends them; frames are text.
//!
//! Ticker statistics cover the rolling 24 h (`O` = `C` − 24 h); `x` is the last price before the
//! window, `F`..`L` the trade ids in it (−1 before the first trade). `lastUpdateId` grows by a
//! random amount with every book frame.

use rust_decimal::Decimal;

use super::FrameEncoding;
use super::encode::{Encoder, MarketView, millis};
use super::json::JsonWriter;
use super::process::{div, mul, sub};
use super::stats::DAY_NS;

/// Decimal places of prices and quantities on the wire.
const DP: u32 = 8;
/// Decimal places of quantities in the simulated book (Binance BTCUSDT's lot step is 0.00001).
const QTY_DP: u32 = 5;

/// Binance's encoder.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BinanceEncoder;

/// `BTCUSDT` for BTC/USDT.
fn symbol(view: &MarketView<'_>) -> String {
    format!("{}{}", view.market.base, view.market.quote)
}

impl Encoder for BinanceEncoder {
    fn encoding(&self) -> FrameEncoding {
        FrameEncoding::Text
    }

    fn default_levels(&self) -> usize {
        20
    }

    fn check_levels(&self, levels: usize) -> Result<(), String> {
        if matches!(levels, 5 | 10 | 20) {
            Ok(())
        } else {
            Err(format!(
                "binance partial-depth streams have 5, 10 or 20 levels, not {levels}"
            ))
        }
    }

    fn qty_dp(&self) -> u32 {
        QTY_DP
    }

    fn ticker(&self, view: &MarketView<'_>) -> String {
        let stats = view.stats;
        let last = &stats.last;
        let window = stats.window();
        let change = sub(last.price, window.open);
        let change_pct = mul(div(change, window.open), Decimal::ONE_HUNDRED);
        let weighted = if window.volume.is_zero() {
            last.price
        } else {
            div(window.quote_volume, window.volume)
        };
        let (bid, bid_qty) = view.book.best_bid().unwrap_or_default();
        let (ask, ask_qty) = view.book.best_ask().unwrap_or_default();
        let close_time = millis(view.now);
        let (first_id, last_id) = if window.count == 0 {
            (-1, -1)
        } else {
            let last_id = i64::try_from(stats.last_trade_id()).unwrap_or(i64::MAX);
            let count = i64::try_from(window.count).unwrap_or(0);
            (last_id.saturating_sub(count).saturating_add(1), last_id)
        };

        let mut w = JsonWriter::with_capacity(640);
        w.begin_object();
        w.key("stream")
            .string(&format!("{}@ticker", symbol(view).to_ascii_lowercase()));
        w.key("data").begin_object();
        w.key("e").string("24hrTicker");
        w.key("E").int(close_time);
        w.key("s").string(&symbol(view));
        w.key("p").fixed_string(change, DP);
        w.key("P").fixed_string(change_pct, 3);
        w.key("w").fixed_string(weighted, DP);
        w.key("x").fixed_string(window.before, DP);
        w.key("c").fixed_string(last.price, DP);
        w.key("Q").fixed_string(last.last_qty, DP);
        w.key("b").fixed_string(bid, DP);
        w.key("B").fixed_string(bid_qty, DP);
        w.key("a").fixed_string(ask, DP);
        w.key("A").fixed_string(ask_qty, DP);
        w.key("o").fixed_string(window.open, DP);
        w.key("h").fixed_string(window.high, DP);
        w.key("l").fixed_string(window.low, DP);
        w.key("v").fixed_string(window.volume, DP);
        w.key("q").fixed_string(window.quote_volume, DP);
        w.key("O")
            .int(close_time.saturating_sub(DAY_NS / 1_000_000));
        w.key("C").int(close_time);
        w.key("F").int(first_id);
        w.key("L").int(last_id);
        w.key("n")
            .int(i64::try_from(window.count).unwrap_or(i64::MAX));
        w.end_object();
        w.end_object();
        w.finish()
    }

    fn book(&self, view: &MarketView<'_>) -> String {
        let book = view.book;
        let mut w = JsonWriter::with_capacity(128 + 80 * (book.bids.len() + book.asks.len()));
        w.begin_object();
        w.key("stream").string(&format!(
            "{}@depth{}@100ms",
            symbol(view).to_ascii_lowercase(),
            view.levels
        ));
        w.key("data").begin_object();
        w.key("lastUpdateId")
            .int(i64::try_from(view.book_sequence).unwrap_or(i64::MAX));
        for (key, side) in [("bids", &book.bids), ("asks", &book.asks)] {
            w.key(key).begin_array();
            for (price, qty) in side {
                w.begin_array()
                    .fixed_string(*price, DP)
                    .fixed_string(*qty, DP)
                    .end_array();
            }
            w.end_array();
        }
        w.end_object();
        w.end_object();
        w.finish()
    }
}
