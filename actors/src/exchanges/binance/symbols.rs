//! Binance spot symbols and stream names.
//!
//! A symbol is base and quote run together in upper case, `BTCUSDT` for `BTC/USDT`; stream
//! names use it in lower case, `btcusdt@ticker`, `btcusdt@depth20@100ms`. There is no
//! separator, so a symbol is mapped back to a market only through the codec's configured
//! markets ([`crate::exchanges::symbol_map::SymbolMap`]), never by splitting it.

use premia_events::Market;

/// Binance's symbol for `market`: `BTC/USDT` is `BTCUSDT`.
pub fn symbol(market: &Market) -> String {
    format!("{}{}", market.base, market.quote)
}

/// The symbol as written in stream names: `btcusdt`.
pub fn stream_symbol(market: &Market) -> String {
    symbol(market).to_ascii_lowercase()
}

/// The 24 h rolling ticker stream: `btcusdt@ticker`.
pub fn ticker_stream(market: &Market) -> String {
    format!("{}@{TICKER_STREAM}", stream_symbol(market))
}

/// The partial-book stream of `depth` levels (5, 10 or 20), pushed every 100 ms:
/// `btcusdt@depth20@100ms`.
pub fn depth_stream(market: &Market, depth: usize) -> String {
    format!("{}@{}", stream_symbol(market), depth_stream_kind(depth))
}

/// The part of a partial-book stream name after the symbol: `depth20@100ms`.
pub fn depth_stream_kind(depth: usize) -> String {
    format!("depth{depth}@100ms")
}

/// The part of a ticker stream name after the symbol.
pub const TICKER_STREAM: &str = "ticker";

/// A stream name split into its lower-case symbol and the rest: `btcusdt@depth20@100ms` gives
/// `("btcusdt", "depth20@100ms")`. `None` for a name without `@` (e.g. `!ticker@arr` gives
/// `("!ticker", "arr")`, whose symbol is then simply unknown).
pub fn split_stream(name: &str) -> Option<(&str, &str)> {
    name.split_once('@')
}
