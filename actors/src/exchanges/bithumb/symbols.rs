//! Bithumb market codes (the v1 API, Upbit-compatible): `{QUOTE}-{BASE}` in upper case, e.g.
//! `KRW-BTC` for `BTC/KRW`, `BTC-ETH` for `ETH/BTC`; an order-book subscription may add the
//! number of units, `KRW-BTC.15`.

use premia_events::{Asset, Market};

/// The quote assets Bithumb lists markets in; any other quote cannot be expressed.
pub const QUOTES: [&str; 3] = ["KRW", "BTC", "USDT"];

/// Bithumb's code for `market`: `BTC/KRW` is `KRW-BTC`.
pub fn market_code(market: &Market) -> String {
    format!("{}-{}", market.quote, market.base)
}

/// The order-book subscription code for `market` with `depth` units: `KRW-BTC.15`.
pub fn orderbook_code(market: &Market, depth: usize) -> String {
    format!("{}-{}.{depth}", market.quote, market.base)
}

/// Whether Bithumb lists markets quoted in `market`'s quote asset ([`QUOTES`]).
pub fn is_listed_quote(market: &Market) -> bool {
    QUOTES.contains(&market.quote.as_str())
}

/// The market a Bithumb code names (`KRW-BTC` is `BTC/KRW`), if the text is of that form. The
/// codec itself maps codes back only through its configured markets; this is the inverse of
/// [`market_code`] for logs, config checks and tests.
pub fn parse_market_code(code: &str) -> Option<Market> {
    let (quote, base) = code.split_once('-')?;
    if !is_code_part(quote) || !is_code_part(base) {
        return None;
    }
    Some(Market::new(Asset::new(base).ok()?, Asset::new(quote).ok()?))
}

/// Bithumb codes are upper case; lower-case text is not a code Bithumb sends.
fn is_code_part(part: &str) -> bool {
    !part.is_empty()
        && part
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}
