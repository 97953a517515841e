//! OKX instrument ids: `{BASE}-{QUOTE}` in upper case, e.g. `BTC-USDT` for `BTC/USDT`. Spot
//! ids have exactly one dash; derivatives add a suffix (`BTC-USDT-SWAP`, `BTC-USD-250328`),
//! which no `Market` produces, so they are never mistaken for a configured spot market.
//!
//! Ids are mapped back to markets only through the codec's configured markets
//! ([`crate::exchanges::symbol_map::SymbolMap`]); [`parse_inst_id`] is the inverse of
//! [`inst_id`] for logs, config checks and tests.

use premia_events::{Asset, Market};

/// OKX's instrument id for `market`: `BTC/USDT` is `BTC-USDT`.
pub fn inst_id(market: &Market) -> String {
    format!("{}-{}", market.base, market.quote)
}

/// The spot market an OKX instrument id names (`ETH-BTC` is `ETH/BTC`), if the text is a spot
/// id: two upper-case parts, one dash. `BTC-USDT-SWAP` and `btc-usdt` are not.
pub fn parse_inst_id(id: &str) -> Option<Market> {
    let (base, quote) = id.split_once('-')?;
    if !is_id_part(base) || !is_id_part(quote) {
        return None;
    }
    Some(Market::new(Asset::new(base).ok()?, Asset::new(quote).ok()?))
}

/// OKX ids are upper case letters and digits.
fn is_id_part(part: &str) -> bool {
    !part.is_empty()
        && part
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The public ticker channel.
pub const TICKERS_CHANNEL: &str = "tickers";

/// The public order-book channel: a 400-level snapshot, then incremental updates chained by
/// `prevSeqId` → `seqId`, each with a CRC32 checksum of the top 25 levels.
pub const BOOKS_CHANNEL: &str = "books";
