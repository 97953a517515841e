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

use premia_events::{Asset, Market};

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

/// The market a WebSocket v2 symbol names (`BTC/USD` is `BTC/USD`), for discovery mode.
pub fn parse_ws_symbol(symbol: &str) -> Option<Market> {
    crate::exchanges::symbol_map::split_at(symbol, '/', true)
}

/// Kraken's legacy REST asset codes (those of [`LEGACY_CRYPTO`] and [`LEGACY_FIAT`] with their
/// prefix), and the old `XBT`/`XDG`, as premia writes them.
const REST_ASSETS: [(&str, &str); 18] = [
    ("XXBT", "BTC"),
    ("XXDG", "DOGE"),
    ("XETH", "ETH"),
    ("XLTC", "LTC"),
    ("XXRP", "XRP"),
    ("XXLM", "XLM"),
    ("XXMR", "XMR"),
    ("XETC", "ETC"),
    ("XMLN", "MLN"),
    ("XREP", "REP"),
    ("XZEC", "ZEC"),
    ("ZUSD", "USD"),
    ("ZEUR", "EUR"),
    ("ZGBP", "GBP"),
    ("ZCAD", "CAD"),
    ("ZJPY", "JPY"),
    ("XBT", "BTC"),
    ("XDG", "DOGE"),
];

/// Quote assets of Kraken REST altnames, for splitting `SOLUSD`, `XBTUSDT` by the longest one a
/// name ends with.
const REST_QUOTES: [&str; 14] = [
    "USDT", "USDC", "PYUSD", "USD", "EUR", "GBP", "CAD", "JPY", "CHF", "AUD", "DAI", "XBT", "ETH",
    "DOT",
];

fn premia_asset(code: &str) -> &str {
    REST_ASSETS
        .iter()
        .find(|(rest, _)| *rest == code)
        .map_or(code, |(_, asset)| asset)
}

fn market_of(base: &str, quote: &str) -> Option<Market> {
    Some(Market::new(
        Asset::new(premia_asset(base)).ok()?,
        Asset::new(premia_asset(quote)).ok()?,
    ))
}

/// The market a REST pair names, for discovery mode: a legacy result key (`XXBTZUSD` is
/// `BTC/USD`, `XETHXXBT` is `ETH/BTC`: two prefixed four-letter codes) or an altname (`XBTUSD`,
/// `SOLUSD`, `XTZUSD`, `XDGUSDT`), split by the longest known quote it ends with, with Kraken's
/// old asset codes translated.
pub fn parse_rest_pair(pair: &str) -> Option<Market> {
    if pair.contains('/') {
        return parse_ws_symbol(pair);
    }
    if let (Some(base), Some(quote)) = (pair.get(..4), pair.get(4..))
        && pair.len() == 8
        && base.len() == 4
        && REST_ASSETS.iter().any(|(rest, _)| *rest == base)
        && REST_ASSETS.iter().any(|(rest, _)| *rest == quote)
    {
        return market_of(base, quote);
    }
    let quote = REST_QUOTES
        .iter()
        .filter(|quote| pair.len() > quote.len() && pair.ends_with(*quote))
        .max_by_key(|quote| quote.len())?;
    market_of(pair.strip_suffix(quote)?, quote)
}
