//! Coinone markets: a market is addressed by its quote and target currencies, `KRW` and `BTC`
//! for `BTC/KRW` (WebSocket topics `{"quote_currency":"KRW","target_currency":"BTC"}`, REST
//! paths `/{quote}/{target}`). Frames name both currencies, upper case on the WebSocket and
//! lower case in some REST bodies; the codec's key for a market is the path form `KRW/BTC`.

use premia_events::{Asset, Market};

/// The quote assets Coinone lists markets in; any other quote cannot be expressed.
pub const QUOTES: [&str; 1] = ["KRW"];

/// The codec's key for `market`, as in REST paths: `BTC/KRW` is `KRW/BTC`.
pub fn path_code(market: &Market) -> String {
    format!("{}/{}", market.quote, market.base)
}

/// The key of the market a frame names by its currencies, in any case: `krw`, `btc` give
/// `KRW/BTC`.
pub fn frame_code(quote: &str, target: &str) -> String {
    let mut code = String::with_capacity(quote.len() + target.len() + 1);
    code.push_str(quote);
    code.push('/');
    code.push_str(target);
    code.make_ascii_uppercase();
    code
}

/// Whether Coinone lists markets quoted in `market`'s quote asset ([`QUOTES`]).
pub fn is_listed_quote(market: &Market) -> bool {
    QUOTES.contains(&market.quote.as_str())
}

/// The market of a quote and a target currency (`KRW`, `BTC` is `BTC/KRW`), if both are asset
/// codes. The codec itself maps currencies back only through its configured markets; this is
/// for logs, config checks and tests.
pub fn parse_currencies(quote: &str, target: &str) -> Option<Market> {
    Some(Market::new(
        Asset::new(target).ok()?,
        Asset::new(quote).ok()?,
    ))
}

/// The market of a codec key (`KRW/BTC` is `BTC/KRW`), for discovery mode.
pub fn parse_path_code(code: &str) -> Option<Market> {
    crate::exchanges::symbol_map::split_at(code, '/', false)
}
