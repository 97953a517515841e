//! Korbit (Korea): public ticker and order book over the Open API v2 WebSocket, and the REST
//! fallbacks.
//!
//! - WebSocket: the configured base *is* the URL (default [`DEFAULT_WS_URL`]). One subscribe
//!   frame, a JSON array `[{"method":"subscribe","type":"ticker","symbols":[..]},
//!   {"method":"subscribe","type":"orderbook","symbols":[..]}]`. Without a `requestId` a
//!   successful subscription is silent; `{"status":"success",..}` is an acknowledgement and
//!   `{"status":"fail"|"error",..}` an error.
//! - Data frames `{"type":..,"timestamp":..,"symbol":"btc_krw","snapshot":..,"data":{..}}`, text;
//!   prices and quantities are JSON strings, read exactly.
//! - Order book: every frame is a complete book (up to 30 levels a side), snapshot or not;
//!   bids descending, asks ascending; cut to the configured depth. No sequence number, no
//!   checksum. Its time is `data.timestamp` (the book's), not the envelope's send time.
//! - Ticker: `close` last, `bestBidPrice`/`bestAskPrice`, `open`/`high`/`low` over 24 h,
//!   `volume` in the base asset; its time is the envelope `timestamp`.
//! - Keep-alive: Korbit documents no application ping; WebSocket ping frames every 30 s keep
//!   the connection (and the feed's silence watchdog) honest.
//! - REST (relative to `https://api.korbit.co.kr`): `/v2/tickers?symbol=btc_krw,eth_krw` (one
//!   request, elements name their symbol) and `/v2/orderbook?symbol=btc_krw` (one per market;
//!   the body names no market, see [`KorbitCodec::decode_rest_for`]). Bodies are
//!   `{"success":true,"data":..}`, or `{"success":false,"error":..}` (an error, whatever the
//!   HTTP status).

pub mod symbols;
pub mod wire;

#[cfg(test)]
mod tests;

use std::time::Duration;

use premia_events::marketdata::{BookSnapshot, MarketData, Ticker};
use premia_events::{Exchange, Market, Timestamp};
use serde_json::Value;

use self::wire::{Data, ErrorBody, Message, ObjectLevels, RestBody, RestData};
use super::book::{check_best_first, kept_depth, resting};
use super::json::{self, Malformed, ObjectOr, Raw, decimal, decimal_opt, guarded, millis_opt};
use super::request;
use super::symbol_map::SymbolMap;
use super::{CodecSetupError, DecodeError, ExchangeCodec, FrameClass, KeepAlive};

/// Korbit's public WebSocket URL.
pub const DEFAULT_WS_URL: &str = "wss://ws-api.korbit.co.kr/v2/public";

/// Korbit's REST base URL; the REST requests are relative to it (`/v2/tickers?..`).
pub const DEFAULT_REST_URL: &str = "https://api.korbit.co.kr";

/// The deepest book Korbit sends, in levels per side.
pub const MAX_DEPTH: usize = 30;

/// How often to send a WebSocket ping frame.
pub const PING_INTERVAL: Duration = Duration::from_secs(30);

const TICKER_PATH: &str = "/v2/tickers";
const ORDERBOOK_PATH: &str = "/v2/orderbook";

/// What a REST body is expected to be.
#[derive(Clone, Copy, Debug)]
enum Expect<'m> {
    /// Whatever it is (the trait's `decode_rest`, which has no request).
    Any,
    /// A `/v2/tickers` response.
    Tickers,
    /// A `/v2/orderbook` response for this market.
    Book(&'m Market),
}

/// The Korbit codec for a fixed set of markets and a book depth.
#[derive(Clone, Debug)]
pub struct KorbitCodec {
    symbols: SymbolMap,
    depth: usize,
}

impl KorbitCodec {
    /// A codec for `markets` (symbols `btc_krw`, ...) with books of `depth` levels, at least 1
    /// and at most [`MAX_DEPTH`]. Refuses a market listed twice and a market quoted in an asset
    /// Korbit has no market in ([`symbols::QUOTES`]).
    pub fn new(markets: &[Market], depth: usize) -> Result<KorbitCodec, CodecSetupError> {
        if let Some(market) = markets.iter().find(|m| !symbols::is_listed_quote(m)) {
            return Err(CodecSetupError::Market {
                exchange: Exchange::Korbit,
                market: market.clone(),
                reason: format!(
                    "Korbit lists markets only in {}",
                    symbols::QUOTES.join(", ")
                ),
            });
        }
        Ok(KorbitCodec {
            symbols: SymbolMap::with_discovery(
                Exchange::Korbit,
                markets,
                symbols::symbol,
                symbols::parse_symbol,
            )?,
            depth: kept_depth(markets, depth.clamp(1, MAX_DEPTH)),
        })
    }

    /// The book depth kept, in levels per side.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Decodes the body of `request`, one of this codec's REST requests. The request says what
    /// the body is and, for an order book (which names no market), whose book it is: the
    /// `symbol` of `/v2/orderbook?symbol=btc_krw`. This is how REST bodies should be decoded;
    /// [`ExchangeCodec::decode_rest`] has no request to go by.
    pub fn decode_rest_for(
        &mut self,
        request: &str,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Korbit, body, out, |out| {
            let market;
            let expect = match request::path(request) {
                TICKER_PATH => Expect::Tickers,
                ORDERBOOK_PATH => {
                    let symbol = request::query_param(request, "symbol")
                        .ok_or_else(|| Malformed::new(format!("{request}: no symbol")))?;
                    market = self.symbols.market(symbol).ok_or_else(|| {
                        Malformed::new(format!("{request}: symbol {symbol} is not configured"))
                    })?;
                    Expect::Book(&market)
                }
                other => {
                    return Err(Malformed::new(format!(
                        "{other} is not a Korbit ticker or order-book request"
                    )));
                }
            };
            self.rest(body, expect, received, out)
        })
    }

    /// A ticker of `market` from `data`, timed `time`.
    fn ticker(
        market: &Market,
        data: &Data<'_>,
        time: Option<Timestamp>,
        received: Timestamp,
    ) -> Result<MarketData, Malformed> {
        Ok(MarketData::Ticker(Ticker {
            exchange: Exchange::Korbit,
            market: market.clone(),
            last: decimal("close", data.close)?,
            best_bid: decimal_opt("bestBidPrice", data.best_bid_price)?,
            best_ask: decimal_opt("bestAskPrice", data.best_ask_price)?,
            open_24h: decimal_opt("open", data.open)?,
            high_24h: decimal_opt("high", data.high)?,
            low_24h: decimal_opt("low", data.low)?,
            volume_24h: decimal_opt("volume", data.volume)?,
            exchange_time: time,
            received,
        }))
    }

    /// A book of `market` from `data`, cut to the depth; timed by `data.timestamp`, else
    /// `fallback`.
    fn book(
        &self,
        market: &Market,
        data: &mut Data<'_>,
        fallback: Option<Timestamp>,
        received: Timestamp,
    ) -> Result<MarketData, Malformed> {
        let ObjectLevels(mut bids) = data.bids.take().ok_or_else(|| Malformed::missing("bids"))?;
        let ObjectLevels(mut asks) = data.asks.take().ok_or_else(|| Malformed::missing("asks"))?;
        resting(&mut bids, self.depth);
        resting(&mut asks, self.depth);
        check_best_first(&bids, &asks)?;
        let time = millis_opt("data.timestamp", data.timestamp)?.or(fallback);
        Ok(MarketData::Book(BookSnapshot {
            exchange: Exchange::Korbit,
            market: market.clone(),
            bids,
            asks,
            seq: None,
            exchange_time: time,
            received,
        }))
    }

    /// A data message of `kind` (`ticker` or `orderbook`).
    fn data_message(
        &self,
        kind: &str,
        message: &mut Message<'_>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        let symbol = message.symbol.ok_or_else(|| Malformed::missing("symbol"))?;
        let Some(market) = self.symbols.market(symbol) else {
            return Ok(FrameClass::Unknown);
        };
        let data = match &mut message.data {
            Some(ObjectOr::Object(data)) => data,
            Some(ObjectOr::Other) => return Err(Malformed::new("data is not an object")),
            None => return Err(Malformed::missing("data")),
        };
        let sent = millis_opt("timestamp", message.timestamp)?;
        let decoded = if kind == "ticker" {
            Self::ticker(&market, data, sent, received)?
        } else {
            self.book(&market, data, sent, received)?
        };
        out.push(decoded);
        Ok(FrameClass::Data)
    }

    /// A REST body of the `expect`ed kind.
    fn rest(
        &self,
        body: &[u8],
        expect: Expect<'_>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        match json::first_byte(body) {
            Some(b'{') => {}
            None => return Err(Malformed::new("empty body")),
            Some(_) => return Err(Malformed::new("expected a JSON object")),
        }
        let parsed: RestBody<'_> = json::parse(body)?;
        if let Some(error) = parsed.error {
            return Ok(FrameClass::Error(error_text(error)));
        }
        match parsed.success {
            Some(true) => {}
            Some(false) => return Ok(FrameClass::Error("success: false".into())),
            None => return Err(Malformed::missing("success")),
        }
        match (
            parsed.data.ok_or_else(|| Malformed::missing("data"))?,
            expect,
        ) {
            (RestData::Tickers(items), Expect::Tickers | Expect::Any) => {
                let mut class = FrameClass::Unknown;
                for (index, item) in items.iter().enumerate() {
                    let at = |Malformed(reason)| Malformed(format!("data[{index}]: {reason}"));
                    let symbol = item
                        .symbol
                        .ok_or_else(|| Malformed::missing("symbol"))
                        .map_err(at)?;
                    let Some(market) = self.symbols.market(symbol) else {
                        continue;
                    };
                    let time = millis_opt("lastTradedAt", item.last_traded_at).map_err(at)?;
                    out.push(Self::ticker(&market, item, time, received).map_err(at)?);
                    class = FrameClass::Data;
                }
                Ok(class)
            }
            (RestData::Tickers(_), Expect::Book(_)) => {
                Err(Malformed::new("tickers in an order-book response"))
            }
            (RestData::Book(_), Expect::Tickers) => {
                Err(Malformed::new("an order book in a ticker response"))
            }
            (RestData::Book(mut data), Expect::Book(market)) => {
                out.push(self.book(market, &mut data, None, received)?);
                Ok(FrameClass::Data)
            }
            (RestData::Book(mut data), Expect::Any) => {
                out.push(self.book(self.only_market()?, &mut data, None, received)?);
                Ok(FrameClass::Data)
            }
        }
    }

    /// The market of an order-book body decoded without its request: only unambiguous with a
    /// single configured market.
    fn only_market(&self) -> Result<&Market, Malformed> {
        self.symbols
            .only_market("an order-book body", "KorbitCodec::decode_rest_for")
    }
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

/// `code: message`, or whichever of the two there is.
fn code_message(code: Option<Raw<'_>>, message: Option<Raw<'_>>) -> Option<String> {
    match (code, message) {
        (Some(code), Some(message)) => Some(format!("{}: {}", code.text(), message.text())),
        (Some(text), None) | (None, Some(text)) => Some(text.text().into_owned()),
        (None, None) => None,
    }
}

/// The text of a REST `error` value: `code: message` of an object, or the value as written.
fn error_text(error: Raw<'_>) -> String {
    serde_json::from_str::<ErrorBody<'_>>(error.token())
        .ok()
        .and_then(|body| code_message(body.code, body.message))
        .unwrap_or_else(|| error.text().into_owned())
}

impl ExchangeCodec for KorbitCodec {
    fn decode_rest_for(
        &mut self,
        request: &str,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        KorbitCodec::decode_rest_for(self, request, body, received, out)
    }

    fn exchange(&self) -> Exchange {
        Exchange::Korbit
    }

    fn markets(&self) -> &[Market] {
        self.symbols.markets()
    }

    /// `base` unchanged: Korbit's configured base is the full WebSocket URL.
    fn ws_url(&self, base: &str) -> String {
        base.to_string()
    }

    /// One frame, an array of two requests: ticker and order book for every market. Nothing
    /// when there are no markets.
    fn subscribe(&self, _now: Timestamp) -> Vec<String> {
        if self.symbols.is_empty() {
            return Vec::new();
        }
        let symbols = || {
            Value::Array(
                self.symbols
                    .codes()
                    .iter()
                    .map(|code| Value::String(code.clone()))
                    .collect(),
            )
        };
        let request = |kind: &str| {
            object([
                ("method", Value::from("subscribe")),
                ("type", Value::from(kind)),
                ("symbols", symbols()),
            ])
        };
        vec![Value::Array(vec![request("ticker"), request("orderbook")]).to_string()]
    }

    /// A WebSocket ping frame every [`PING_INTERVAL`].
    fn keep_alive(&self) -> Option<(Duration, KeepAlive)> {
        Some((PING_INTERVAL, KeepAlive::PingFrame))
    }

    /// Korbit documents no maximum.
    fn max_connection_lifetime(&self) -> Option<Duration> {
        None
    }

    /// A `ticker` or `orderbook` message of a subscribed market is [`FrameClass::Data`]; of a
    /// market not subscribed, or another type (`trade`), [`FrameClass::Unknown`];
    /// `{"status":"success",..}` [`FrameClass::Ack`]; `{"status":"fail"|"error",..}`
    /// [`FrameClass::Error`].
    fn decode(
        &mut self,
        frame: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Korbit, frame, out, |out| {
            json::expect_object(frame)?;
            let mut message = Message::default();
            message.scan(frame)?;
            if let Some(status) = message.status {
                return Ok(match status {
                    "success" => FrameClass::Ack,
                    _ => FrameClass::Error(
                        code_message(message.code, message.message)
                            .unwrap_or_else(|| status.to_string()),
                    ),
                });
            }
            match message.kind {
                Some(kind @ ("ticker" | "orderbook")) => {
                    self.data_message(kind, &mut message, received, out)
                }
                Some(_) => Ok(FrameClass::Unknown),
                // A private channel's message (`myOrder`, `myAsset`): not one the feed reads.
                None if message.channel_type.is_some() => Ok(FrameClass::Unknown),
                None => Err(Malformed::new("no type or status field")),
            }
        })
    }

    /// One request for all markets: `/v2/tickers?symbol=btc_krw,eth_krw`.
    fn rest_ticker_requests(&self) -> Vec<String> {
        if self.symbols.is_empty() {
            return Vec::new();
        }
        vec![format!(
            "{TICKER_PATH}?symbol={}",
            self.symbols.codes().join(",")
        )]
    }

    /// One request per market: `/v2/orderbook?symbol=btc_krw`.
    fn rest_book_requests(&self) -> Vec<String> {
        self.symbols
            .codes()
            .iter()
            .map(|symbol| format!("{ORDERBOOK_PATH}?symbol={symbol}"))
            .collect()
    }

    /// Ticker bodies name their symbols and error bodies need no market, so both decode here.
    /// An order-book body names no market: with a single configured market it is that
    /// market's book; with several it is refused rather than guessed. Decode order-book bodies
    /// with [`KorbitCodec::decode_rest_for`].
    fn decode_rest(
        &mut self,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Korbit, body, out, |out| {
            self.rest(body, Expect::Any, received, out)
        })
    }
}

/// Builds the Korbit codec for `markets` with books of `depth` levels.
pub fn codec(markets: &[Market], depth: usize) -> Result<Box<dyn ExchangeCodec>, CodecSetupError> {
    Ok(Box::new(KorbitCodec::new(markets, depth)?))
}
