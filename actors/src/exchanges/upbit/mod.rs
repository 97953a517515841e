//! Upbit (Korea): public ticker and order book over the WebSocket, and the REST fallbacks.
//!
//! - WebSocket: the configured base *is* the URL (default [`DEFAULT_WS_URL`]). One subscribe
//!   frame, a JSON array `[{"ticket":..},{"type":"ticker","codes":[..]},
//!   {"type":"orderbook","codes":["KRW-BTC.15",..]},{"format":"DEFAULT"}]`. Upbit never
//!   acknowledges it; a bad one gets `{"error":{"name":..,"message":..}}` and a close.
//! - Data arrives in *binary* frames holding UTF-8 JSON; numbers are JSON numbers, sometimes
//!   spelled `31883000.00000000` or `1.16539E8`, read exactly ([`super::num`]).
//! - Order book: every frame is a full snapshot. `orderbook_units[i]` holds the `i`-th ask and
//!   the `i`-th bid; a shorter side is padded with zero prices, which are dropped. Books are cut
//!   to the subscribed depth (1, 5, 15 or 30 units). No sequence number.
//! - Ticker: `trade_price` is the last price; `opening_price`, `high_price` and `low_price` are
//!   the day's (KST); `acc_trade_volume_24h` the 24 h base volume. Upbit's ticker has no best
//!   bid/ask.
//! - Keep-alive: the text `PING` every 60 s (the server closes after ~120 s of silence) is
//!   answered by `{"status":"UP"}` ([`FrameClass::Status`]).
//! - REST (relative to `https://api.upbit.com`): `/v1/ticker?markets=KRW-BTC,KRW-ETH` and
//!   `/v1/orderbook?markets=..`, answered by arrays of objects named like the WebSocket ones.

pub mod symbols;
pub mod wire;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

use std::time::Duration;

use premia_events::marketdata::{BookSnapshot, MarketData, Ticker};
use premia_events::{Exchange, Market, Timestamp};
use serde_json::Value;

use self::wire::{ErrorBody, Quote, Units};
use super::book::{check_best_first, kept_depth, pick_depth, resting};
use super::json::{self, Malformed, Raw, RawBytes, decimal, decimal_opt, guarded};
use super::num;
use super::request;
use super::scan::Scanner;
use super::symbol_map::SymbolMap;
use super::{CodecSetupError, DecodeError, ExchangeCodec, FrameClass, KeepAlive};

/// Upbit's public WebSocket URL.
pub const DEFAULT_WS_URL: &str = "wss://api.upbit.com/websocket/v1";

/// Upbit's REST base URL; the REST requests are relative to it (`/v1/ticker?..`).
pub const DEFAULT_REST_URL: &str = "https://api.upbit.com";

/// The order-book depths Upbit offers on the WebSocket, in units (one ask and one bid each).
pub const DEPTHS: [usize; 4] = [1, 5, 15, 30];

/// How often to send `PING`: well inside the ~120 s after which Upbit closes a silent socket.
pub const PING_INTERVAL: Duration = Duration::from_secs(60);

const TICKER_PATH: &str = "/v1/ticker";
const ORDERBOOK_PATH: &str = "/v1/orderbook";

/// What a REST array element is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Ticker,
    Book,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Ticker => "ticker",
            Kind::Book => "order book",
        }
    }
}

/// What differs between exchanges that speak Upbit's protocol (Upbit itself and Bithumb's v1
/// API): everything else, frames, REST bodies and subscriptions, is the same code.
#[derive(Clone, Copy, Debug)]
pub struct Dialect {
    /// The exchange.
    pub exchange: Exchange,
    /// Its name in messages ("an Upbit request").
    pub name: &'static str,
    /// The book depth subscribed for a requested depth.
    pub depth: fn(usize) -> usize,
    /// The exchange's code of a market (`KRW-BTC`).
    pub market_code: fn(&Market) -> String,
    /// The market a code names, for discovery.
    pub parse_market_code: fn(&str) -> Option<Market>,
    /// The order-book subscription code (`KRW-BTC.15`).
    pub orderbook_code: fn(&Market, usize) -> String,
}

/// Upbit's dialect: books of 1, 5, 15 or 30 units.
pub const UPBIT: Dialect = Dialect {
    exchange: Exchange::Upbit,
    name: "an Upbit",
    depth: |depth| pick_depth(depth, &DEPTHS),
    market_code: symbols::market_code,
    parse_market_code: symbols::parse_market_code,
    orderbook_code: symbols::orderbook_code,
};

/// The codec of Upbit's protocol (Upbit, and Bithumb through [`Dialect`]) for a fixed set of
/// markets and a book depth.
#[derive(Clone, Debug)]
pub struct UpbitCodec {
    dialect: Dialect,
    symbols: SymbolMap,
    depth: usize,
}

impl UpbitCodec {
    /// A codec for `markets` (codes `KRW-BTC`, ...) with books of the smallest offered depth
    /// that covers `depth` (at most 30). A market listed twice is refused.
    pub fn new(markets: &[Market], depth: usize) -> Result<UpbitCodec, CodecSetupError> {
        UpbitCodec::with_dialect(UPBIT, markets, depth)
    }

    /// A codec of another exchange that speaks Upbit's protocol.
    pub fn with_dialect(
        dialect: Dialect,
        markets: &[Market],
        depth: usize,
    ) -> Result<UpbitCodec, CodecSetupError> {
        Ok(UpbitCodec {
            dialect,
            symbols: SymbolMap::with_discovery(
                dialect.exchange,
                markets,
                dialect.market_code,
                dialect.parse_market_code,
            )?,
            depth: kept_depth(markets, (dialect.depth)(depth)),
        })
    }

    /// The subscribed book depth, in units per side: one of [`DEPTHS`].
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The subscription ticket: `premia-` and a hash of the subscription, the same on every
    /// connection with the same markets and depth.
    pub fn ticket(&self) -> String {
        let depth = self.depth.to_string();
        let parts = self
            .symbols
            .codes()
            .iter()
            .map(String::as_str)
            .chain([depth.as_str()]);
        format!("premia-{}", request::stable_id(parts))
    }

    /// Decodes the body of `request` (one of this codec's REST requests). Upbit bodies name
    /// their markets, so this is [`ExchangeCodec::decode_rest`] plus a check that the body is
    /// of the kind requested (tickers for `/v1/ticker`, books for `/v1/orderbook`).
    pub fn decode_rest_for(
        &mut self,
        request: &str,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(self.dialect.exchange, body, out, |out| {
            let kind = match request::path(request) {
                TICKER_PATH => Kind::Ticker,
                ORDERBOOK_PATH => Kind::Book,
                other => {
                    return Err(Malformed::new(format!(
                        "{other} is not {} ticker or order-book request",
                        self.dialect.name
                    )));
                }
            };
            self.rest(body, Some(kind), received, out)
        })
    }

    /// A REST body: an array of tickers or books (of `expect`ed kind, if given), or an error.
    fn rest(
        &self,
        body: &[u8],
        expect: Option<Kind>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        match json::first_byte(body) {
            Some(b'[') => {}
            Some(b'{') => {
                let quote: Quote<'_> = json::parse(body)?;
                return match quote.error {
                    Some(error) => Ok(FrameClass::Error(error_text(error))),
                    None => Err(Malformed::new(
                        "expected an array of tickers or order books, or an error",
                    )),
                };
            }
            None => return Err(Malformed::new("empty body")),
            Some(_) => return Err(Malformed::new("expected a JSON array or object")),
        }
        let quotes: Vec<Quote<'_>> = json::parse(body)?;
        let mut class = FrameClass::Unknown;
        for (index, mut quote) in quotes.into_iter().enumerate() {
            let kind = if quote.orderbook_units.is_some() {
                Kind::Book
            } else if quote.trade_price.is_some() {
                Kind::Ticker
            } else {
                return Err(Malformed::new(format!(
                    "[{index}]: neither a ticker nor an order book"
                )));
            };
            if let Some(expected) = expect.filter(|&expected| expected != kind) {
                return Err(Malformed::new(format!(
                    "[{index}]: {} in a {} response",
                    kind.name(),
                    expected.name()
                )));
            }
            let decoded = match kind {
                Kind::Ticker => self.push_ticker(&quote, received, out),
                Kind::Book => self.push_book(&mut quote, received, out),
            };
            let decoded =
                decoded.map_err(|Malformed(reason)| Malformed(format!("[{index}]: {reason}")))?;
            if decoded == FrameClass::Data {
                class = FrameClass::Data;
            }
        }
        Ok(class)
    }

    /// `path?markets=KRW-BTC,KRW-ETH`, or nothing without markets.
    fn rest_requests(&self, path: &str) -> Vec<String> {
        if self.symbols.is_empty() {
            return Vec::new();
        }
        vec![format!("{path}?markets={}", self.symbols.codes().join(","))]
    }

    /// The configured market named by the message's code; `None` for a market not subscribed.
    fn market(&self, quote: &Quote<'_>) -> Result<Option<Cow<'_, Market>>, Malformed> {
        let code = quote.code.ok_or_else(|| Malformed::missing("code"))?;
        Ok(self.symbols.market(code))
    }

    fn push_ticker(
        &self,
        quote: &Quote<'_>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        let Some(market) = self.market(quote)? else {
            return Ok(FrameClass::Unknown);
        };
        out.push(MarketData::Ticker(Ticker {
            exchange: self.dialect.exchange,
            market: (*market).clone(),
            last: decimal("trade_price", quote.trade_price)?,
            best_bid: None,
            best_ask: None,
            open_24h: decimal_opt("opening_price", quote.opening_price)?,
            high_24h: decimal_opt("high_price", quote.high_price)?,
            low_24h: decimal_opt("low_price", quote.low_price)?,
            volume_24h: decimal_opt("acc_trade_volume_24h", quote.acc_trade_volume_24h)?,
            exchange_time: exchange_time("timestamp", quote.timestamp)?,
            received,
        }));
        Ok(FrameClass::Data)
    }

    /// One WebSocket message, read: an error, a status, a ticker, a book or another type.
    fn message(
        &self,
        quote: &mut Quote<'_>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        if let Some(error) = quote.error {
            return Ok(FrameClass::Error(error_text(error)));
        }
        if quote.status.is_some() {
            return Ok(FrameClass::Status);
        }
        match quote.kind {
            Some("ticker") => self.push_ticker(quote, received, out),
            Some("orderbook") => self.push_book(quote, received, out),
            Some(_) => Ok(FrameClass::Unknown),
            None => Err(Malformed::new("no type, status or error field")),
        }
    }

    /// A frame in the `JSON_LIST` or `SIMPLE_LIST` format: an array of messages, each read as
    /// a frame of its own. Data if any message was; otherwise the first message's class.
    fn decode_list(
        &self,
        frame: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        let mut class: Option<FrameClass> = None;
        Scanner::whole_into(frame, &mut class, |s, class| {
            s.array(|s, index| {
                let mut quote = Quote::default();
                let read = quote
                    .read(s)
                    .and_then(|()| self.message(&mut quote, received, out));
                let message =
                    read.map_err(|Malformed(reason)| Malformed(format!("[{index}]: {reason}")))?;
                if class.is_none() || message == FrameClass::Data {
                    *class = Some(message);
                }
                Ok(())
            })
        })?;
        Ok(class.unwrap_or(FrameClass::Unknown))
    }

    fn push_book(
        &self,
        quote: &mut Quote<'_>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        let Some(market) = self.market(quote)? else {
            return Ok(FrameClass::Unknown);
        };
        let Units { mut asks, mut bids } = quote
            .orderbook_units
            .take()
            .ok_or_else(|| Malformed::missing("orderbook_units"))?;
        resting(&mut asks, self.depth);
        resting(&mut bids, self.depth);
        check_best_first(&bids, &asks)?;
        out.push(MarketData::Book(BookSnapshot {
            exchange: self.dialect.exchange,
            market: (*market).clone(),
            bids,
            asks,
            seq: None,
            exchange_time: exchange_time("timestamp", quote.timestamp)?,
            received,
        }));
        Ok(FrameClass::Data)
    }
}

/// Below this a timestamp counts as milliseconds (13 digits now, 14 until the year 5138).
const MICROS_FROM: i64 = 100_000_000_000_000;

/// From here on a timestamp counts as nanoseconds (19 digits now).
const NANOS_FROM: i64 = 100_000_000_000_000_000;

/// The time in optional field `field`: a number or a string of milliseconds, microseconds or
/// nanoseconds since the epoch, told apart by size (Upbit sends milliseconds; Bithumb's book `timestamp`,
/// documented in milliseconds, has been seen as a 16-digit string of microseconds).
fn exchange_time(field: &str, value: Option<RawBytes<'_>>) -> Result<Option<Timestamp>, Malformed> {
    let Some(value) = value else {
        return Ok(None);
    };
    let units = num::parse_i64_bytes(value.text).map_err(|e| Malformed::number(field, &e))?;
    let magnitude = units.unsigned_abs();
    Ok(Some(if magnitude < MICROS_FROM.unsigned_abs() {
        Timestamp::from_millis(units)
    } else if magnitude < NANOS_FROM.unsigned_abs() {
        Timestamp(units.saturating_mul(1_000))
    } else {
        Timestamp(units)
    }))
}

/// A JSON object of `fields`.
fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    Value::Object(
        fields
            .into_iter()
            .map(|(key, value)| (key.to_string(), value))
            .collect(),
    )
}

/// `name: message` of an error frame's `error` value.
fn error_text(error: Raw<'_>) -> String {
    match serde_json::from_str::<ErrorBody<'_>>(error.token()) {
        Ok(ErrorBody {
            name: Some(name),
            message: Some(message),
        }) => format!("{}: {}", name.text(), message.text()),
        Ok(ErrorBody {
            name: Some(text), ..
        })
        | Ok(ErrorBody {
            message: Some(text),
            ..
        }) => text.text().into_owned(),
        _ => error.text().into_owned(),
    }
}

impl ExchangeCodec for UpbitCodec {
    fn decode_rest_for(
        &mut self,
        request: &str,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        UpbitCodec::decode_rest_for(self, request, body, received, out)
    }

    fn exchange(&self) -> Exchange {
        self.dialect.exchange
    }

    fn markets(&self) -> &[Market] {
        self.symbols.markets()
    }

    /// `base` unchanged: Upbit's configured base is the full WebSocket URL.
    fn ws_url(&self, base: &str) -> String {
        base.to_string()
    }

    /// One frame for every market: ticker, and order book at [`UpbitCodec::depth`] units, in the
    /// `DEFAULT` format. Nothing when there are no markets (Upbit would answer `NO_CODES` and
    /// close). A new subscribe frame replaces the previous subscription on Upbit, so this frame
    /// is always the complete list.
    fn subscribe(&self, _now: Timestamp) -> Vec<String> {
        if self.symbols.is_empty() {
            return Vec::new();
        }
        let codes =
            |codes: Vec<String>| Value::Array(codes.into_iter().map(Value::String).collect());
        let books = self
            .symbols
            .markets()
            .iter()
            .map(|market| (self.dialect.orderbook_code)(market, self.depth))
            .collect();
        let frame = Value::Array(vec![
            object([("ticket", Value::String(self.ticket()))]),
            object([
                ("type", Value::from("ticker")),
                ("codes", codes(self.symbols.codes().to_vec())),
            ]),
            object([("type", Value::from("orderbook")), ("codes", codes(books))]),
            object([("format", Value::from("DEFAULT"))]),
        ]);
        vec![frame.to_string()]
    }

    /// The text `PING` every [`PING_INTERVAL`].
    fn keep_alive(&self) -> Option<(Duration, KeepAlive)> {
        Some((PING_INTERVAL, KeepAlive::Text("PING".to_string())))
    }

    /// Upbit documents no maximum.
    fn max_connection_lifetime(&self) -> Option<Duration> {
        None
    }

    /// A `ticker` or `orderbook` message of a subscribed market is [`FrameClass::Data`]; one of
    /// a market not subscribed, or another message type, is [`FrameClass::Unknown`];
    /// `{"status":..}` is [`FrameClass::Status`]; `{"error":..}` is [`FrameClass::Error`].
    fn decode(
        &mut self,
        frame: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(self.dialect.exchange, frame, out, |out| {
            if json::first_byte(frame) == Some(b'[') {
                return self.decode_list(frame, received, out);
            }
            json::expect_object(frame)?;
            let mut quote = Quote::default();
            quote.scan(frame)?;
            self.message(&mut quote, received, out)
        })
    }

    /// One request for all markets: `/v1/ticker?markets=KRW-BTC,KRW-ETH`.
    fn rest_ticker_requests(&self) -> Vec<String> {
        self.rest_requests(TICKER_PATH)
    }

    /// One request for all markets: `/v1/orderbook?markets=KRW-BTC,KRW-ETH` (30 units each, cut
    /// to [`UpbitCodec::depth`] when decoded).
    fn rest_book_requests(&self) -> Vec<String> {
        self.rest_requests(ORDERBOOK_PATH)
    }

    /// Upbit REST bodies are self-describing: an array whose elements name their market
    /// (`market`) and are tickers (with `trade_price`) or books (with `orderbook_units`), or
    /// `{"error":{..}}`. Elements of markets not configured are skipped; a body with none of
    /// ours is [`FrameClass::Unknown`]. No request context is needed (compare
    /// [`UpbitCodec::decode_rest_for`]).
    fn decode_rest(
        &mut self,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(self.dialect.exchange, body, out, |out| {
            self.rest(body, None, received, out)
        })
    }
}
