//! Bybit spot symbols and topic names.
//!
//! A symbol is base and quote run together in upper case, `BTCUSDT` for `BTC/USDT` (the same
//! text names a linear contract; the spot endpoint and `category=spot` decide which). Topics add
//! the stream: `tickers.BTCUSDT`, `orderbook.50.BTCUSDT`. There is no separator in a symbol, so
//! it is mapped back to a market only through the codec's configured markets
//! ([`crate::exchanges::symbol_map::SymbolMap`]), never by splitting it.

use premia_events::Market;

/// Bybit's symbol for `market`: `BTC/USDT` is `BTCUSDT`.
pub fn symbol(market: &Market) -> String {
    format!("{}{}", market.base, market.quote)
}

/// The ticker topic: `tickers.BTCUSDT`.
pub fn ticker_topic(symbol: &str) -> String {
    format!("{TICKERS}.{symbol}")
}

/// The order-book topic of `depth` levels: `orderbook.50.BTCUSDT`.
pub fn orderbook_topic(symbol: &str, depth: usize) -> String {
    format!("{ORDERBOOK}.{depth}.{symbol}")
}

/// The first part of ticker topics.
pub const TICKERS: &str = "tickers";

/// The first part of order-book topics.
pub const ORDERBOOK: &str = "orderbook";

/// What a topic names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topic<'a> {
    /// `tickers.<symbol>`.
    Ticker(&'a str),
    /// `orderbook.<depth>.<symbol>`: the depth as written, and the symbol.
    Orderbook(&'a str, &'a str),
    /// Any other topic.
    Other,
}

/// Splits a topic name: `orderbook.50.BTCUSDT` is `Orderbook("50", "BTCUSDT")`.
pub fn split_topic(topic: &str) -> Topic<'_> {
    match topic.split_once('.') {
        Some((TICKERS, symbol)) => Topic::Ticker(symbol),
        Some((ORDERBOOK, rest)) => match rest.split_once('.') {
            Some((depth, symbol)) => Topic::Orderbook(depth, symbol),
            None => Topic::Other,
        },
        _ => Topic::Other,
    }
}
