//! Korbit symbols (Open API v2): `{base}_{quote}` in lower case, e.g. `btc_krw` for `BTC/KRW`
//! (the reverse order of Upbit's `KRW-BTC`). The same symbol names markets on the WebSocket
//! and in REST.

use premia_events::{Asset, Market};

/// The quote assets Korbit lists markets in; any other quote cannot be expressed.
pub const QUOTES: [&str; 1] = ["KRW"];

/// Korbit's symbol for `market`: `BTC/KRW` is `btc_krw`.
pub fn symbol(market: &Market) -> String {
    format!("{}_{}", market.base, market.quote).to_ascii_lowercase()
}

/// Whether Korbit lists markets quoted in `market`'s quote asset ([`QUOTES`]).
pub fn is_listed_quote(market: &Market) -> bool {
    QUOTES.contains(&market.quote.as_str())
}

/// The market a Korbit symbol names (`btc_krw` is `BTC/KRW`), if the text is of that form. The
/// codec itself maps symbols back only through its configured markets; this is the inverse of
/// [`symbol`] for logs, config checks and tests.
pub fn parse_symbol(text: &str) -> Option<Market> {
    let (base, quote) = text.split_once('_')?;
    if !is_symbol_part(base) || !is_symbol_part(quote) {
        return None;
    }
    Some(Market::new(Asset::new(base).ok()?, Asset::new(quote).ok()?))
}

/// Korbit symbols are lower case; upper-case text is not a symbol Korbit sends.
fn is_symbol_part(part: &str) -> bool {
    !part.is_empty()
        && part
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}
