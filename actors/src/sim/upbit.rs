//! Upbit's WebSocket `ticker` and `orderbook` messages in the DEFAULT format, as in
//! `shared/fixtures/exchanges/upbit/ws_ticker.json` and `ws_orderbook.json`: JSON numbers, market
//! code `{QUOTE}-{BASE}`, millisecond timestamps, `stream_type` SNAPSHOT then REALTIME, sent as
//! binary WebSocket frames.
//!
//! Ticker statistics: `opening_price`, `high_price`, `low_price`, `prev_closing_price`,
//! `acc_trade_*` and `change*` cover the trading day since 00:00 KST, as on Upbit; `*_24h` the
//! rolling 24 h; the "52-week" high and low cover the run so far. Every book unit holds the i-th
//! ask and the i-th bid.

use rust_decimal::Decimal;

use super::FrameEncoding;
use super::encode::{Encoder, MarketView, millis};
use super::json::JsonWriter;
use super::process::{div, sub};
use super::stats::{Aggressor, civil};

/// Korea Standard Time, UTC+9, in nanoseconds: Upbit's trading day starts at 00:00 KST.
const KST_NS: i64 = 9 * 3_600_000_000_000;
/// Quantity decimals.
const QTY_DP: u32 = 8;

/// Upbit's encoder.
#[derive(Clone, Copy, Debug)]
pub(crate) struct UpbitEncoder;

/// `KRW-BTC` for BTC/KRW.
fn code(view: &MarketView<'_>) -> String {
    format!("{}-{}", view.market.quote, view.market.base)
}

fn stream_type(view: &MarketView<'_>) -> &'static str {
    if view.first { "SNAPSHOT" } else { "REALTIME" }
}

/// `YYYY-MM-DD` of `at` in Korea.
fn kst_date(at: premia_events::Timestamp) -> String {
    let (year, month, day, ..) = civil(at, KST_NS);
    format!("{year:04}-{month:02}-{day:02}")
}

impl Encoder for UpbitEncoder {
    fn encoding(&self) -> FrameEncoding {
        FrameEncoding::Binary
    }

    fn default_levels(&self) -> usize {
        30
    }

    fn check_levels(&self, levels: usize) -> Result<(), String> {
        if (1..=30).contains(&levels) {
            Ok(())
        } else {
            Err(format!("upbit books have 1 to 30 units, not {levels}"))
        }
    }

    fn qty_dp(&self) -> u32 {
        QTY_DP
    }

    fn day_offset_ns(&self) -> i64 {
        KST_NS
    }

    fn ticker(&self, view: &MarketView<'_>) -> String {
        let stats = view.stats;
        let day = &stats.day;
        let last = &stats.last;
        let window = stats.window();
        let signed_change = sub(last.price, day.prev_close);
        let signed_rate = div(signed_change, day.prev_close).round_dp(10);
        let change = if signed_change.is_sign_positive() && !signed_change.is_zero() {
            "RISE"
        } else if signed_change.is_zero() {
            "EVEN"
        } else {
            "FALL"
        };
        let (year, month, date, hour, minute, second) = civil(last.at, 0);
        let vol = |v: Decimal| v.round_dp(QTY_DP);

        let mut w = JsonWriter::with_capacity(1024);
        w.begin_object();
        w.key("type").string("ticker");
        w.key("code").string(&code(view));
        w.key("opening_price").number(day.open);
        w.key("high_price").number(day.high);
        w.key("low_price").number(day.low);
        w.key("trade_price").number(last.price);
        w.key("prev_closing_price").number(day.prev_close);
        w.key("acc_trade_price").number(vol(day.quote_volume));
        w.key("change").string(change);
        w.key("change_price").number(signed_change.abs());
        w.key("signed_change_price").number(signed_change);
        w.key("change_rate").number(signed_rate.abs());
        w.key("signed_change_rate").number(signed_rate);
        w.key("ask_bid").string(match last.aggressor {
            Aggressor::Buy => "BID",
            Aggressor::Sell => "ASK",
        });
        w.key("trade_volume").number(vol(last.last_qty));
        w.key("acc_trade_volume").number(vol(day.volume));
        w.key("trade_date")
            .string(&format!("{year:04}{month:02}{date:02}"));
        w.key("trade_time")
            .string(&format!("{hour:02}{minute:02}{second:02}"));
        w.key("trade_timestamp").int(millis(last.at));
        w.key("acc_ask_volume").number(vol(day.sell_volume));
        w.key("acc_bid_volume").number(vol(day.buy_volume));
        w.key("highest_52_week_price").number(stats.high_ever.0);
        w.key("highest_52_week_date")
            .string(&kst_date(stats.high_ever.1));
        w.key("lowest_52_week_price").number(stats.low_ever.0);
        w.key("lowest_52_week_date")
            .string(&kst_date(stats.low_ever.1));
        w.key("market_state").string("ACTIVE");
        w.key("is_trading_suspended").bool(false);
        w.key("delisting_date").null();
        w.key("market_warning").string("NONE");
        w.key("timestamp").int(millis(view.now));
        w.key("acc_trade_price_24h")
            .number(vol(window.quote_volume));
        w.key("acc_trade_volume_24h").number(vol(window.volume));
        w.key("stream_type").string(stream_type(view));
        w.end_object();
        w.finish()
    }

    fn book(&self, view: &MarketView<'_>) -> String {
        let book = view.book;
        let total = |side: &[(Decimal, Decimal)]| {
            side.iter().fold(Decimal::ZERO, |sum, (_, qty)| {
                super::process::add(sum, *qty)
            })
        };
        let mut w = JsonWriter::with_capacity(256 + 120 * book.asks.len());
        w.begin_object();
        w.key("type").string("orderbook");
        w.key("code").string(&code(view));
        w.key("timestamp").int(millis(view.now));
        w.key("total_ask_size").number(total(&book.asks));
        w.key("total_bid_size").number(total(&book.bids));
        w.key("orderbook_units").begin_array();
        // Each unit holds the i-th ask and the i-th bid; a shorter side is padded with zeros, as
        // Upbit does.
        let units = book.asks.len().max(book.bids.len());
        let zero = (Decimal::ZERO, Decimal::ZERO);
        for index in 0..units {
            let (ask_price, ask_size) = book.asks.get(index).copied().unwrap_or(zero);
            let (bid_price, bid_size) = book.bids.get(index).copied().unwrap_or(zero);
            w.begin_object();
            w.key("ask_price").number(ask_price);
            w.key("bid_price").number(bid_price);
            w.key("ask_size").number(ask_size);
            w.key("bid_size").number(bid_size);
            w.end_object();
        }
        w.end_array();
        w.key("stream_type").string(stream_type(view));
        w.key("level").int(0);
        w.end_object();
        w.finish()
    }
}
