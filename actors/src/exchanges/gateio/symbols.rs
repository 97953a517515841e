//! Gate.io spot currency pairs and book stream names.
//!
//! A currency pair is base and quote in upper case joined by an underscore, `BTC_USDT` for
//! `BTC/USDT`; Order Book V2 (`spot.obu`) names its stream `ob.BTC_USDT.50`. Asset codes are
//! letters and digits only, so the underscore is never ambiguous; still, a pair is mapped back
//! to a market only through the codec's configured markets
//! ([`crate::exchanges::symbol_map::SymbolMap`]).

use premia_events::Market;

/// Gate.io's currency pair for `market`: `BTC/USDT` is `BTC_USDT`.
pub fn pair(market: &Market) -> String {
    format!("{}_{}", market.base, market.quote)
}

/// The Order Book V2 stream of `pair` at `level` levels: `ob.BTC_USDT.50`.
pub fn obu_stream(pair: &str, level: usize) -> String {
    format!("ob.{pair}.{level}")
}

/// The currency pair of an Order Book V2 stream name: `BTC_USDT` of `ob.BTC_USDT.50`. `None`
/// for a name not of that form.
pub fn obu_pair(stream: &str) -> Option<&str> {
    let (pair, level) = stream.strip_prefix("ob.")?.rsplit_once('.')?;
    (!level.is_empty() && level.bytes().all(|b| b.is_ascii_digit())).then_some(pair)
}

/// The market a currency pair names (`BTC_USDT` is `BTC/USDT`), for discovery mode; the codec
/// otherwise maps pairs back only through its configured markets.
pub fn parse_pair(pair: &str) -> Option<Market> {
    crate::exchanges::symbol_map::split_at(pair, '_', true)
}
