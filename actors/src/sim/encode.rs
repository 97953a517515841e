//! The seam between the simulated market and the exchanges' wire formats: one [`Encoder`] per
//! exchange turns a market's state into that exchange's ticker and order-book frames.
//!
//! To add an exchange: write `sim/<exchange>.rs` with a unit struct implementing [`Encoder`]
//! (frames exactly as the exchange's documented WebSocket messages), and list it in
//! [`encoder_for`]. Exchanges not listed there are refused by `Simulator::new` with
//! `SimError::NoEncoder`.

use std::fmt;

use premia_events::{Exchange, Market, Timestamp};

use super::FrameEncoding;
use super::binance::BinanceEncoder;
use super::book::Book;
use super::stats::Stats;
use super::upbit::UpbitEncoder;

/// What an encoder sees of one market when its frames are due.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MarketView<'a> {
    /// The market.
    pub(crate) market: &'a Market,
    /// Simulated time of the frames.
    pub(crate) now: Timestamp,
    /// Whether these are the market's first frames (a snapshot, for formats that say so).
    pub(crate) first: bool,
    /// The book, built for these frames.
    pub(crate) book: &'a Book,
    /// The trading history.
    pub(crate) stats: &'a Stats,
    /// Configured book levels per side.
    pub(crate) levels: usize,
    /// A book sequence number that grows with every book frame (Binance `lastUpdateId`).
    pub(crate) book_sequence: u64,
}

/// One exchange's wire format for the simulated frames.
pub(crate) trait Encoder: Sync + fmt::Debug {
    /// How the exchange sends its market-data frames (Upbit: binary).
    fn encoding(&self) -> FrameEncoding;

    /// Book levels per side when the config gives none.
    fn default_levels(&self) -> usize;

    /// Whether the exchange publishes books of `levels` levels; the reason if not.
    fn check_levels(&self, levels: usize) -> Result<(), String>;

    /// Decimal places of quantities.
    fn qty_dp(&self) -> u32;

    /// Offset of the exchange's trading day from UTC midnight, in nanoseconds (Upbit: KST, 9 h).
    fn day_offset_ns(&self) -> i64 {
        0
    }

    /// The ticker frame.
    fn ticker(&self, view: &MarketView<'_>) -> String;

    /// The order-book frame.
    fn book(&self, view: &MarketView<'_>) -> String;
}

/// The encoder for `exchange`, if premia can simulate it.
pub(crate) fn encoder_for(exchange: Exchange) -> Option<&'static dyn Encoder> {
    match exchange {
        Exchange::Upbit => Some(&UpbitEncoder),
        Exchange::Binance => Some(&BinanceEncoder),
        Exchange::Bithumb
        | Exchange::Korbit
        | Exchange::Coinone
        | Exchange::Okx
        | Exchange::Bybit
        | Exchange::Gateio
        | Exchange::Kraken => None,
    }
}

/// Milliseconds since the epoch, as exchanges stamp their frames.
pub(crate) fn millis(at: Timestamp) -> i64 {
    at.nanos().div_euclid(1_000_000)
}
