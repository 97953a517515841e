//! Bithumb (Korea): public ticker and order book over the WebSocket, and the REST fallbacks,
//! on Bithumb's current v1 API, which follows Upbit's protocol.
//!
//! - WebSocket: the configured base *is* the URL (default [`DEFAULT_WS_URL`]). One subscribe
//!   frame, a JSON array `[{"ticket":..},{"type":"ticker","codes":[..]},
//!   {"type":"orderbook","codes":["KRW-BTC.15",..]},{"format":"DEFAULT"}]`. Bithumb never
//!   acknowledges it; a bad one gets `{"error":{"name":..,"message":..}}`.
//! - Frames: the frame type is not documented, so binary and text frames are both read as
//!   UTF-8 JSON. Numbers are JSON numbers, some with more than 17 digits or an exponent, read
//!   exactly ([`super::num`]).
//! - Order book: every frame is a full snapshot. `orderbook_units[i]` holds the `i`-th ask and
//!   the `i`-th bid; zero-price padding is dropped; books are cut to the subscribed depth (any
//!   count from 1 to [`MAX_DEPTH`] units, asked for with the `KRW-BTC.N` code). No sequence
//!   number, no checksum. The book `timestamp` is documented in milliseconds but has been seen
//!   as a string of microseconds: both are accepted, normalised by digit count.
//! - Ticker: `trade_price` last, `opening_price`/`high_price`/`low_price` the day's (KST),
//!   `acc_trade_volume_24h` the 24 h base volume; no best bid/ask.
//! - Keep-alive: the text `PING` every 60 s (idle close ~120 s); `{"status":"UP"}` answers it.
//! - REST (relative to `https://api.bithumb.com`): `/v1/ticker?markets=KRW-BTC,KRW-ETH` and
//!   `/v1/orderbook?markets=..` (15 units per market when several are asked for), answered by
//!   arrays of objects named like the WebSocket ones, or an `{"error":..}` object, possibly with
//!   HTTP 200.

pub mod symbols;

#[cfg(test)]
mod tests;

use premia_events::{Exchange, Market};

use super::upbit::{Dialect, UpbitCodec};
use super::{CodecSetupError, ExchangeCodec};

/// Bithumb's public WebSocket URL.
pub const DEFAULT_WS_URL: &str = "wss://ws-api.bithumb.com/websocket/v1";

/// Bithumb's REST base URL; the REST requests are relative to it (`/v1/ticker?..`).
pub const DEFAULT_REST_URL: &str = "https://api.bithumb.com";

/// The deepest book Bithumb sends, in units (one ask and one bid each).
pub const MAX_DEPTH: usize = 30;

/// Bithumb's dialect of Upbit's protocol: books of any depth from 1 to [`MAX_DEPTH`] units.
pub const BITHUMB: Dialect = Dialect {
    exchange: Exchange::Bithumb,
    name: "a Bithumb",
    depth: |depth| depth.clamp(1, MAX_DEPTH),
    market_code: symbols::market_code,
    parse_market_code: symbols::parse_market_code,
    orderbook_code: symbols::orderbook_code,
};

/// The Bithumb codec for `markets` (codes `KRW-BTC`, ...) with books of `depth` units, at least
/// 1 and at most [`MAX_DEPTH`]: Upbit's codec in [`BITHUMB`]'s dialect. Refuses a market listed
/// twice and a market quoted in an asset Bithumb has no market in ([`symbols::QUOTES`]).
pub fn new(markets: &[Market], depth: usize) -> Result<UpbitCodec, CodecSetupError> {
    if let Some(market) = markets.iter().find(|m| !symbols::is_listed_quote(m)) {
        return Err(CodecSetupError::Market {
            exchange: Exchange::Bithumb,
            market: market.clone(),
            reason: format!(
                "Bithumb lists markets only in {}",
                symbols::QUOTES.join(", ")
            ),
        });
    }
    UpbitCodec::with_dialect(BITHUMB, markets, depth)
}

/// Builds the Bithumb codec for `markets` with books of `depth` levels.
pub fn codec(markets: &[Market], depth: usize) -> Result<Box<dyn ExchangeCodec>, CodecSetupError> {
    Ok(Box::new(new(markets, depth)?))
}
