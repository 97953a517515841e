//! Coinone (Korea): public ticker and order book over the WebSocket, and the Public API v2
//! REST fallbacks.
//!
//! - WebSocket: the configured base *is* the URL (default [`DEFAULT_WS_URL`]). One subscribe
//!   frame per channel and market, `{"request_type":"SUBSCRIBE","channel":"TICKER"|"ORDERBOOK",
//!   "topic":{"quote_currency":"KRW","target_currency":"BTC"}}`, each acknowledged by a
//!   `SUBSCRIBED` frame ([`FrameClass::Ack`]).
//! - Frames `{"response_type":"DATA","channel":..,"data":{..}}`, text; prices and quantities
//!   are JSON strings, read exactly. `PONG` answers our `PING`; `ERROR` frames carry
//!   `error_code` and `message`; the connect message is a [`FrameClass::Status`].
//! - Order book: every frame is a full book (15–16 levels a side), with no sequence or
//!   checksum; its increasing `id` (`"<ms>001"`) is kept as the snapshot's `seq` so that stale
//!   frames can be told. Asks have been documented highest first, so both sides are sorted
//!   best first before being cut to the depth.
//! - Ticker: `last`, `bid_best_price`/`ask_best_price`, `first`/`high`/`low` over 24 h,
//!   `target_volume` in the base asset, `timestamp`.
//! - Keep-alive: `{"request_type":"PING"}` every 60 s (Coinone closes a connection after 30
//!   minutes without one).
//! - REST (relative to `https://api.coinone.co.kr`): `/public/v2/ticker_new/KRW/BTC` and
//!   `/public/v2/orderbook/KRW/BTC?size=N`, one per market; both bodies name their market
//!   (tickers in lower case). `{"result":"error",..}` is an error whatever the HTTP status.

pub mod symbols;
pub mod wire;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

use std::time::Duration;

use premia_events::marketdata::{BookSnapshot, Level, MarketData, Ticker};
use premia_events::{Exchange, Market, Timestamp};
use serde_json::Value;

use self::wire::{Data, Message, ObjectLevels, RestBody};
use super::book::{check_best_first, kept_depth, pick_depth, resting};
use super::json::{
    self, Malformed, ObjectOr, Raw, RawBytes, decimal, decimal_opt, guarded, millis_opt,
};
use super::num;
use super::request;
use super::symbol_map::SymbolMap;
use super::{CodecSetupError, DecodeError, ExchangeCodec, FrameClass, KeepAlive};

/// Coinone's public WebSocket URL.
pub const DEFAULT_WS_URL: &str = "wss://stream.coinone.co.kr";

/// Coinone's REST base URL; the REST requests are relative to it (`/public/v2/..`).
pub const DEFAULT_REST_URL: &str = "https://api.coinone.co.kr";

/// The deepest book Coinone sends on the WebSocket, in levels per side.
pub const MAX_DEPTH: usize = 16;

/// The `size`s the REST order book offers.
pub const REST_DEPTHS: [usize; 4] = [5, 10, 15, 16];

/// How often to send `{"request_type":"PING"}`.
pub const PING_INTERVAL: Duration = Duration::from_secs(60);

/// The keep-alive request.
const PING: &str = r#"{"request_type":"PING"}"#;

const TICKER_PATH: &str = "/public/v2/ticker_new/";
const ORDERBOOK_PATH: &str = "/public/v2/orderbook/";

/// What a REST body is.
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

/// The Coinone codec for a fixed set of markets and a book depth.
#[derive(Clone, Debug)]
pub struct CoinoneCodec {
    /// `KRW/BTC` ↔ market.
    symbols: SymbolMap,
    depth: usize,
}

impl CoinoneCodec {
    /// A codec for `markets` with books of `depth` levels, at least 1 and at most
    /// [`MAX_DEPTH`]. Refuses a market listed twice and a market quoted in an asset Coinone has
    /// no market in ([`symbols::QUOTES`]).
    pub fn new(markets: &[Market], depth: usize) -> Result<CoinoneCodec, CodecSetupError> {
        if let Some(market) = markets.iter().find(|m| !symbols::is_listed_quote(m)) {
            return Err(CodecSetupError::Market {
                exchange: Exchange::Coinone,
                market: market.clone(),
                reason: format!(
                    "Coinone lists markets only in {}",
                    symbols::QUOTES.join(", ")
                ),
            });
        }
        Ok(CoinoneCodec {
            symbols: SymbolMap::with_discovery(
                Exchange::Coinone,
                markets,
                symbols::path_code,
                symbols::parse_path_code,
            )?,
            depth: kept_depth(markets, depth.clamp(1, MAX_DEPTH)),
        })
    }

    /// The book depth kept, in levels per side.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Decodes the body of `request` (one of this codec's REST requests). Coinone bodies name
    /// their market, so this is [`ExchangeCodec::decode_rest`] plus a check that the body is
    /// of the kind requested.
    pub fn decode_rest_for(
        &mut self,
        request: &str,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Coinone, body, out, |out| {
            let path = request::path(request);
            let kind = if path.starts_with(TICKER_PATH) {
                Kind::Ticker
            } else if path.starts_with(ORDERBOOK_PATH) {
                Kind::Book
            } else {
                return Err(Malformed::new(format!(
                    "{path} is not a Coinone ticker or order-book request"
                )));
            };
            self.rest(body, Some(kind), received, out)
        })
    }

    /// The configured market of a quote and a target currency; `None` for another market.
    fn market(
        &self,
        quote: Option<&str>,
        target: Option<&str>,
    ) -> Result<Option<Cow<'_, Market>>, Malformed> {
        let quote = quote.ok_or_else(|| Malformed::missing("quote_currency"))?;
        let target = target.ok_or_else(|| Malformed::missing("target_currency"))?;
        Ok(self.symbols.market(&symbols::frame_code(quote, target)))
    }

    /// A book of `market`: both sides sorted best first and cut to the depth.
    fn book(
        &self,
        market: &Market,
        bids: Option<ObjectLevels>,
        asks: Option<ObjectLevels>,
        timestamp: Option<Raw<'_>>,
        id: Option<Raw<'_>>,
        received: Timestamp,
    ) -> Result<MarketData, Malformed> {
        let ObjectLevels(mut bids) = bids.ok_or_else(|| Malformed::missing("bids"))?;
        let ObjectLevels(mut asks) = asks.ok_or_else(|| Malformed::missing("asks"))?;
        bids.sort_unstable_by_key(|level| std::cmp::Reverse(level.price));
        asks.sort_unstable_by_key(|level| level.price);
        resting(&mut bids, self.depth);
        resting(&mut asks, self.depth);
        // Sorted, so this only fails on two levels at one price.
        check_best_first(&bids, &asks)?;
        let seq = id
            .map(|id| num::parse_u64(id.token()).map_err(|e| Malformed::number("id", &e)))
            .transpose()?;
        Ok(MarketData::Book(BookSnapshot {
            exchange: Exchange::Coinone,
            market: market.clone(),
            bids,
            asks,
            seq,
            exchange_time: millis_opt("timestamp", timestamp)?,
            received,
        }))
    }

    /// A ticker of `market` from `data` (WebSocket or REST).
    fn ticker(
        market: &Market,
        data: &Data<'_>,
        received: Timestamp,
    ) -> Result<MarketData, Malformed> {
        let best = |field: &str, price: Option<RawBytes<'_>>, levels: &Option<ObjectLevels>| match (
            decimal_opt(field, price)?,
            levels,
        ) {
            (Some(price), _) => Ok(Some(price)),
            (None, Some(ObjectLevels(levels))) => Ok(levels.first().map(|l: &Level| l.price)),
            (None, None) => Ok::<_, Malformed>(None),
        };
        Ok(MarketData::Ticker(Ticker {
            exchange: Exchange::Coinone,
            market: market.clone(),
            last: decimal("last", data.last)?,
            best_bid: best("bid_best_price", data.bid_best_price, &data.best_bids)?,
            best_ask: best("ask_best_price", data.ask_best_price, &data.best_asks)?,
            open_24h: decimal_opt("first", data.first)?,
            high_24h: decimal_opt("high", data.high)?,
            low_24h: decimal_opt("low", data.low)?,
            volume_24h: decimal_opt("target_volume", data.target_volume)?,
            exchange_time: millis_opt("timestamp", data.timestamp)?,
            received,
        }))
    }

    /// A `DATA` message on `channel`.
    fn data_message(
        &self,
        channel: Option<&str>,
        data: &mut Option<ObjectOr<Data<'_>>>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        let channel = channel.ok_or_else(|| Malformed::missing("channel"))?;
        if channel != "TICKER" && channel != "ORDERBOOK" {
            return Ok(FrameClass::Unknown);
        }
        let data = match data {
            Some(ObjectOr::Object(data)) => data,
            Some(ObjectOr::Other) => return Err(Malformed::new("data is not an object")),
            None => return Err(Malformed::missing("data")),
        };
        let Some(market) = self.market(data.quote_currency, data.target_currency)? else {
            return Ok(FrameClass::Unknown);
        };
        let decoded = if channel == "TICKER" {
            Self::ticker(&market, data, received)?
        } else {
            self.book(
                &market,
                data.bids.take(),
                data.asks.take(),
                data.timestamp,
                data.id,
                received,
            )?
        };
        out.push(decoded);
        Ok(FrameClass::Data)
    }

    /// A REST body (of the `expect`ed kind, if given).
    fn rest(
        &self,
        body: &[u8],
        expect: Option<Kind>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        match json::first_byte(body) {
            Some(b'{') => {}
            None => return Err(Malformed::new("empty body")),
            Some(_) => return Err(Malformed::new("expected a JSON object")),
        }
        let parsed: RestBody<'_> = json::parse(body)?;
        match parsed.result {
            Some("success") => {}
            Some(_) => {
                return Ok(FrameClass::Error(error_text(
                    parsed.error_code,
                    parsed.error_msg,
                )));
            }
            None => return Err(Malformed::missing("result")),
        }
        let kind = if parsed.tickers.is_some() {
            Kind::Ticker
        } else if parsed.bids.is_some() || parsed.asks.is_some() {
            Kind::Book
        } else {
            return Err(Malformed::new("neither tickers nor an order book"));
        };
        if let Some(expected) = expect.filter(|&expected| expected != kind) {
            return Err(Malformed::new(format!(
                "{} in a {} response",
                kind.name(),
                expected.name()
            )));
        }
        if let Some(tickers) = parsed.tickers {
            let mut class = FrameClass::Unknown;
            for (index, item) in tickers.iter().enumerate() {
                let at = |Malformed(reason)| Malformed(format!("tickers[{index}]: {reason}"));
                let Some(market) = self
                    .market(item.quote_currency, item.target_currency)
                    .map_err(at)?
                else {
                    continue;
                };
                out.push(Self::ticker(&market, item, received).map_err(at)?);
                class = FrameClass::Data;
            }
            return Ok(class);
        }
        let Some(market) = self.market(parsed.quote_currency, parsed.target_currency)? else {
            return Ok(FrameClass::Unknown);
        };
        out.push(self.book(
            &market,
            parsed.bids,
            parsed.asks,
            parsed.timestamp,
            parsed.id,
            received,
        )?);
        Ok(FrameClass::Data)
    }

    /// One subscribe request.
    fn request(channel: &str, market: &Market) -> String {
        let topic = object([
            ("quote_currency", Value::from(market.quote.as_str())),
            ("target_currency", Value::from(market.base.as_str())),
        ]);
        object([
            ("request_type", Value::from("SUBSCRIBE")),
            ("channel", Value::from(channel)),
            ("topic", topic),
        ])
        .to_string()
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

/// `code: message` of an error, or whichever of the two there is.
fn error_text(code: Option<Raw<'_>>, message: Option<Raw<'_>>) -> String {
    match (code, message) {
        (Some(code), Some(message)) => format!("{}: {}", code.text(), message.text()),
        (Some(text), None) | (None, Some(text)) => text.text().into_owned(),
        (None, None) => "error".to_string(),
    }
}

impl ExchangeCodec for CoinoneCodec {
    fn decode_rest_for(
        &mut self,
        request: &str,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        CoinoneCodec::decode_rest_for(self, request, body, received, out)
    }

    fn exchange(&self) -> Exchange {
        Exchange::Coinone
    }

    fn markets(&self) -> &[Market] {
        self.symbols.markets()
    }

    /// `base` unchanged: Coinone's configured base is the full WebSocket URL.
    fn ws_url(&self, base: &str) -> String {
        base.to_string()
    }

    /// Two frames per market, in the order given: `TICKER`, then `ORDERBOOK`.
    fn subscribe(&self, _now: Timestamp) -> Vec<String> {
        self.symbols
            .markets()
            .iter()
            .flat_map(|market| {
                [
                    Self::request("TICKER", market),
                    Self::request("ORDERBOOK", market),
                ]
            })
            .collect()
    }

    /// `{"request_type":"PING"}` every [`PING_INTERVAL`].
    fn keep_alive(&self) -> Option<(Duration, KeepAlive)> {
        Some((PING_INTERVAL, KeepAlive::Text(PING.to_string())))
    }

    /// Coinone documents no maximum.
    fn max_connection_lifetime(&self) -> Option<Duration> {
        None
    }

    /// `DATA` of a subscribed market on `TICKER` or `ORDERBOOK` is [`FrameClass::Data`]; of
    /// another market or channel [`FrameClass::Unknown`]; `SUBSCRIBED`/`UNSUBSCRIBED`
    /// [`FrameClass::Ack`]; `PONG` [`FrameClass::Pong`]; `ERROR` [`FrameClass::Error`];
    /// `CONNECTED` [`FrameClass::Status`]; any other type [`FrameClass::Unknown`].
    fn decode(
        &mut self,
        frame: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Coinone, frame, out, |out| {
            json::expect_object(frame)?;
            let mut message = Message::default();
            message.scan(frame)?;
            match message.response_type {
                Some("DATA") => {
                    self.data_message(message.channel, &mut message.data, received, out)
                }
                Some("SUBSCRIBED" | "UNSUBSCRIBED") => Ok(FrameClass::Ack),
                Some("PONG") => Ok(FrameClass::Pong),
                Some("ERROR") => Ok(FrameClass::Error(error_text(
                    message.error_code,
                    message.message,
                ))),
                Some("CONNECTED") => Ok(FrameClass::Status),
                Some(_) => Ok(FrameClass::Unknown),
                None => Err(Malformed::missing("response_type")),
            }
        })
    }

    /// One request per market: `/public/v2/ticker_new/KRW/BTC`.
    fn rest_ticker_requests(&self) -> Vec<String> {
        self.symbols
            .codes()
            .iter()
            .map(|code| format!("{TICKER_PATH}{code}"))
            .collect()
    }

    /// One request per market, of the smallest `size` that covers the depth:
    /// `/public/v2/orderbook/KRW/BTC?size=15`.
    fn rest_book_requests(&self) -> Vec<String> {
        let size = pick_depth(self.depth, &REST_DEPTHS);
        self.symbols
            .codes()
            .iter()
            .map(|code| format!("{ORDERBOOK_PATH}{code}?size={size}"))
            .collect()
    }

    /// Coinone REST bodies name their market (`quote_currency`, `target_currency`, any case):
    /// `{"result":"success","tickers":[..]}` or `{"result":"success",..,"bids":..,"asks":..}`;
    /// `{"result":"error",..}` is [`FrameClass::Error`]. Markets not configured are skipped.
    fn decode_rest(
        &mut self,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Coinone, body, out, |out| {
            self.rest(body, None, received, out)
        })
    }
}

/// Builds the Coinone codec for `markets` with books of `depth` levels.
pub fn codec(markets: &[Market], depth: usize) -> Result<Box<dyn ExchangeCodec>, CodecSetupError> {
    Ok(Box::new(CoinoneCodec::new(markets, depth)?))
}
