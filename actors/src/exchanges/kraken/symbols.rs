//! Kraken spot symbols, which differ by API.
//!
//! - WebSocket v2 names a market `BTC/USD`: base and quote as premia writes them.
//! - REST requests take the pair's "altname", where a few assets keep Kraken's old codes:
//!   `XBTUSD` for `BTC/USD`, `XDGUSD` for `DOGE/USD` ([`rest_pair`]).
//! - REST responses key their results by the legacy pair name, `XXBTZUSD` for `XBTUSD`: assets
//!   listed before 2018 carry an `X` (crypto) or `Z` (fiat) prefix, newer ones none
//!   ([`legacy_pair`]). That rule is Kraken's history, not a formula, so the codec attributes a
//!   REST body by its request wherever it can and uses these names only to read bodies
//!   decoded without one.
//!
//! Codes map back to markets only through the codec's configured markets
//! ([`crate::exchanges::symbol_map::SymbolMap`]).

use premia_events::Market;

/// Kraken's WebSocket v2 symbol for `market`: `BTC/USD`.
pub fn ws_symbol(market: &Market) -> String {
    format!("{}/{}", market.base, market.quote)
}

/// Kraken's REST code of an asset: `XBT` for `BTC`, `XDG` for `DOGE`, others unchanged.
pub fn rest_asset(asset: &str) -> &str {
    match asset {
        "BTC" => "XBT",
        "DOGE" => "XDG",
        other => other,
    }
}

/// The REST altname of `market`, as requests take it: `XBTUSD` for `BTC/USD`.
pub fn rest_pair(market: &Market) -> String {
    format!(
        "{}{}",
        rest_asset(market.base.as_str()),
        rest_asset(market.quote.as_str())
    )
}

/// Assets whose legacy REST code carries an `X` prefix (`XXBT`, `XETH`).
const LEGACY_CRYPTO: [&str; 10] = [
    "XBT", "ETH", "LTC", "XRP", "XLM", "XMR", "ETC", "MLN", "REP", "ZEC",
];

/// Assets whose legacy REST code carries a `Z` prefix (`ZUSD`).
const LEGACY_FIAT: [&str; 5] = ["USD", "EUR", "GBP", "CAD", "JPY"];

/// The legacy prefixed code of an asset: `XXBT`, `ZUSD`; `None` for an asset without one.
fn legacy_asset(asset: &str) -> Option<String> {
    if LEGACY_CRYPTO.contains(&asset) {
        Some(format!("X{asset}"))
    } else if LEGACY_FIAT.contains(&asset) {
        Some(format!("Z{asset}"))
    } else {
        None
    }
}

/// The key REST results use for `market`: `XXBTZUSD` for `BTC/USD`, `XETHXXBT` for `ETH/BTC`,
/// where both assets have legacy codes and the base is a legacy crypto asset; otherwise the
/// altname (`SOLUSD`).
pub fn legacy_pair(market: &Market) -> String {
    let base = rest_asset(market.base.as_str());
    let quote = rest_asset(market.quote.as_str());
    match (LEGACY_CRYPTO.contains(&base), legacy_asset(quote)) {
        (true, Some(quote)) => format!("X{base}{quote}"),
        _ => format!("{base}{quote}"),
    }
}
