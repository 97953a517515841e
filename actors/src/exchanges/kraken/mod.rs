//! Kraken spot: ticker and order book over WebSocket v2, and the REST fallbacks.
//!
//! - WebSocket: the configured base *is* the URL (default [`DEFAULT_WS_URL`]). v2 takes one
//!   channel per request, each its own frame: `{"method":"subscribe","params":{"channel":
//!   "ticker","symbol":["BTC/USD",..]},"req_id":1}`, the same for `book` with `"depth":N`, and
//!   `instrument` (no symbols), whose snapshot gives each pair's price and quantity precision,
//!   which the book checksum needs. Kraken acknowledges once per symbol (`"success":true`,
//!   [`FrameClass::Ack`]; `false` with an `error` string is [`FrameClass::Error`]).
//! - Numbers are JSON numbers (`0.5666`, `740.0`), read exactly from their tokens, never through
//!   `f64`; timestamps are RFC 3339 strings with microseconds.
//! - Order book: a `snapshot` ([`MarketData::Book`], cut to the subscribed depth, one of 10, 25,
//!   100, 500, 1000), then `update`s of absolute quantities (`qty` 0 removes the level; several
//!   changes to one price apply in array order; after applying, each side is cut to the depth).
//!   There is no sequence number: an update is a [`MarketData::Delta`] with the `checksum` it
//!   carries, followed with [`BookSync::ChecksumOnly`] and [`KrakenCodec::book_checksum`]: CRC32
//!   over the top 10 asks then the top 10 bids, each price and quantity printed at the pair's
//!   precision without the point and leading zeros.
//! - Ticker: `last`, `bid`/`ask`, `high`/`low`, `volume` (24 h, base); v2 has no open price.
//! - `status` (on connect) and `heartbeat` (about every second while subscribed) are
//!   [`FrameClass::Status`], as is an `instrument` message once its precisions are recorded.
//! - Keep-alive: `{"method":"ping"}` every [`PING_INTERVAL`] (Kraken closes a connection after
//!   about a minute without traffic), answered by `{"method":"pong",..}`
//!   ([`FrameClass::Pong`]). No documented maximum connection lifetime.
//! - REST (relative to `https://api.kraken.com`): `/0/public/Ticker?pair=XBTUSD` and
//!   `/0/public/Depth?pair=XBTUSD&count=N`, one request per market. Bodies are
//!   `{"error":[..],"result":{"XXBTZUSD":{..}}}`, HTTP 200 even on errors (a non-empty `error`
//!   is [`FrameClass::Error`]), keyed by the legacy pair name; see [`symbols`] and
//!   [`KrakenCodec::decode_rest_for`].

mod checksum;
pub mod symbols;
pub mod wire;

pub use checksum::checksum;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

use std::collections::HashMap;
use std::time::Duration;

use premia_events::marketdata::{BookDelta, BookSnapshot, Level, MarketData, Ticker};
use premia_events::{Decimal, Exchange, Market, Timestamp};
use serde_json::Value;

use self::wire::{
    BookItem, Frame, InstrumentData, LevelItem, Payload, RestEnvelope, RestItem, RestLevel,
    TickerItem, channel_kind,
};
use super::book::{check_best_first, kept_depth, pick_depth, resting};
use super::json::{self, DecimalStr, Malformed, NumberText, decimal, decimal_opt, guarded};
use super::num;
use super::request;
use super::scan::Items;
use super::symbol_map::SymbolMap;
use super::{BookSync, CodecSetupError, DecodeError, ExchangeCodec, FrameClass, KeepAlive};

/// Kraken's public WebSocket v2 URL.
pub const DEFAULT_WS_URL: &str = "wss://ws.kraken.com/v2";

/// Kraken's REST base URL; the REST requests are relative to it (`/0/public/..`).
pub const DEFAULT_REST_URL: &str = "https://api.kraken.com";

/// The book depths Kraken offers, in levels per side.
pub const DEPTHS: [usize; 5] = [10, 25, 100, 500, 1000];

/// How many levels per side the checksum covers.
pub const CHECKSUM_LEVELS: usize = 10;

/// The most decimal places a `Decimal` holds.
pub(crate) const MAX_PLACES: u32 = 28;

/// How often to send `{"method":"ping"}`: well inside the minute after which Kraken closes a
/// silent connection.
pub const PING_INTERVAL: Duration = Duration::from_secs(20);

const TICKER_PATH: &str = "/0/public/Ticker";
const DEPTH_PATH: &str = "/0/public/Depth";

/// The decimal places Kraken prints a pair's prices and quantities with, for the checksum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Precision {
    /// Decimal places of prices (`price_precision`, AssetPairs `pair_decimals`).
    pub price: u32,
    /// Decimal places of quantities (`qty_precision`, AssetPairs `lot_decimals`).
    pub qty: u32,
}

/// What a REST body is expected to be.
#[derive(Clone, Copy, Debug)]
enum Expect<'m> {
    /// Whatever it is (the trait's `decode_rest`, which has no request).
    Any,
    /// A `Ticker` response for this market.
    Ticker(&'m Market),
    /// A `Depth` response for this market.
    Depth(&'m Market),
}

/// The Kraken spot codec for a fixed set of markets and a book depth.
#[derive(Clone, Debug)]
pub struct KrakenCodec {
    /// `BTC/USD` (WebSocket v2) ↔ market.
    symbols: SymbolMap,
    /// `XBTUSD` (REST request) ↔ market.
    rest_pairs: SymbolMap,
    /// `XXBTZUSD` (REST result key) ↔ market.
    legacy_pairs: SymbolMap,
    depth: usize,
    /// Each market's precisions, from the `instrument` channel or [`KrakenCodec::set_precision`].
    precisions: HashMap<Market, Precision>,
}

impl KrakenCodec {
    /// A codec for `markets` (`BTC/USD`, REST `XBTUSD`) with books of the smallest offered depth
    /// that covers `depth` (at most 1000). Refuses a market listed twice, and two markets with
    /// the same REST name (`BTC/USD` and `XBT/USD` are both `XBTUSD`).
    pub fn new(markets: &[Market], depth: usize) -> Result<KrakenCodec, CodecSetupError> {
        Ok(KrakenCodec {
            symbols: SymbolMap::with_discovery(
                Exchange::Kraken,
                markets,
                symbols::ws_symbol,
                symbols::parse_ws_symbol,
            )?,
            rest_pairs: SymbolMap::with_discovery(
                Exchange::Kraken,
                markets,
                symbols::rest_pair,
                symbols::parse_rest_pair,
            )?,
            legacy_pairs: SymbolMap::with_discovery(
                Exchange::Kraken,
                markets,
                symbols::legacy_pair,
                symbols::parse_rest_pair,
            )?,
            depth: kept_depth(markets, pick_depth(depth, &DEPTHS)),
            precisions: HashMap::new(),
        })
    }

    /// The subscribed book depth, in levels per side: one of [`DEPTHS`].
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Sets `market`'s precisions (as the `instrument` channel does), e.g. from configuration.
    /// Ignored for a market the codec was not built for.
    pub fn set_precision(&mut self, market: &Market, precision: Precision) {
        if self.symbols.markets().contains(market) {
            self.precisions.insert(market.clone(), precision);
        }
    }

    /// `market`'s precisions, once known.
    pub fn precision(&self, market: &Market) -> Option<Precision> {
        self.precisions.get(market).copied()
    }

    /// Decodes the body of `request`, one of this codec's REST requests. The request says what
    /// the body is and whose it is: the `pair` of `/0/public/Depth?pair=XBTUSD&count=10`. A body
    /// with a single result is that market's, whatever its key (Kraken answers `XBTUSD` with
    /// `XXBTZUSD`).
    pub fn decode_rest_for(
        &mut self,
        request: &str,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Kraken, body, out, |out| {
            let path = request::path(request);
            if path != TICKER_PATH && path != DEPTH_PATH {
                return Err(Malformed::new(format!(
                    "{path} is not a Kraken Ticker or Depth request"
                )));
            }
            let pair = request::query_param(request, "pair")
                .ok_or_else(|| Malformed::new(format!("{request}: no pair")))?;
            let market = self.rest_pairs.market(pair).ok_or_else(|| {
                Malformed::new(format!("{request}: pair {pair} is not configured"))
            })?;
            let expect = if path == TICKER_PATH {
                Expect::Ticker(&market)
            } else {
                Expect::Depth(&market)
            };
            self.rest(body, expect, received, out)
        })
    }

    /// A `ticker` message: one ticker per configured symbol.
    fn push_tickers(
        &self,
        items: &Items<TickerItem<'_>>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        let mut class = FrameClass::Unknown;
        for item in items.iter() {
            let symbol = item.symbol.ok_or_else(|| Malformed::missing("symbol"))?;
            let Some(market) = self.symbols.market(symbol) else {
                continue;
            };
            out.push(MarketData::Ticker(Ticker {
                exchange: Exchange::Kraken,
                market: (*market).clone(),
                last: decimal("last", item.last)?,
                best_bid: decimal_opt("bid", item.bid)?,
                best_ask: decimal_opt("ask", item.ask)?,
                open_24h: None,
                high_24h: decimal_opt("high", item.high)?,
                low_24h: decimal_opt("low", item.low)?,
                volume_24h: decimal_opt("volume", item.volume)?,
                exchange_time: time(item.timestamp)?,
                received,
            }));
            class = FrameClass::Data;
        }
        Ok(class)
    }

    /// A `book` message: a snapshot or an update per configured symbol.
    fn push_books(
        &self,
        kind: Option<&str>,
        items: &mut Items<BookItem<'_>>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        let snapshot = match kind {
            Some("snapshot") => true,
            Some("update") => false,
            Some(other) => return Err(Malformed::new(format!("book message of type {other}"))),
            None => return Err(Malformed::missing("type")),
        };
        let mut class = FrameClass::Unknown;
        for item in items.iter_mut() {
            let symbol = item.symbol.ok_or_else(|| Malformed::missing("symbol"))?;
            let Some(market) = self.symbols.market(symbol) else {
                continue;
            };
            let mut bids = levels("bids", item.bids.take())?;
            let mut asks = levels("asks", item.asks.take())?;
            let exchange_time = time(item.timestamp)?;
            if snapshot {
                resting(&mut bids, self.depth);
                resting(&mut asks, self.depth);
                check_best_first(&bids, &asks)?;
                out.push(MarketData::Book(BookSnapshot {
                    exchange: Exchange::Kraken,
                    market: (*market).clone(),
                    bids,
                    asks,
                    seq: None,
                    exchange_time,
                    received,
                }));
            } else {
                out.push(MarketData::Delta(BookDelta {
                    exchange: Exchange::Kraken,
                    market: (*market).clone(),
                    bids,
                    asks,
                    first_seq: None,
                    seq: None,
                    prev_seq: None,
                    checksum: Some(
                        item.checksum
                            .ok_or_else(|| Malformed::missing("checksum"))?,
                    ),
                    exchange_time,
                    received,
                }));
            }
            class = FrameClass::Data;
        }
        Ok(class)
    }

    /// Records the precisions of the configured pairs in an `instrument` message.
    fn record_precisions(&mut self, data: &InstrumentData<'_>) {
        for pair in data.pairs.iter().flatten() {
            let (Some(symbol), Some(price), Some(qty)) =
                (pair.symbol, pair.price_precision, pair.qty_precision)
            else {
                continue;
            };
            if let Some(market) = self.symbols.market(symbol) {
                self.precisions
                    .insert((*market).clone(), Precision { price, qty });
            }
        }
    }

    /// A channel message with data.
    fn channel_data(
        &mut self,
        channel: &str,
        kind: Option<&str>,
        payload: &mut Payload<'_>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        match payload {
            Payload::Ticker(items) => self.push_tickers(items, received, out),
            Payload::Book(items) => self.push_books(kind, items, received, out),
            Payload::Instrument(data) => {
                self.record_precisions(data);
                Ok(FrameClass::Status)
            }
            Payload::Other => Ok(FrameClass::Unknown),
            Payload::Deferred(raw) => {
                let mut payload = Payload::read_deferred(channel_kind(channel), raw)?;
                if let Payload::Deferred(_) = payload {
                    return Err(Malformed::new("data read twice"));
                }
                self.channel_data(channel, kind, &mut payload, received, out)
            }
        }
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
        let envelope: RestEnvelope<'_> = json::parse(body)?;
        let errors = envelope.error.ok_or_else(|| Malformed::missing("error"))?;
        if !errors.is_empty() {
            let texts: Vec<_> = errors.iter().map(|error| error.text()).collect();
            return Ok(FrameClass::Error(texts.join("; ")));
        }
        let wire::Entries(entries) = envelope
            .result
            .ok_or_else(|| Malformed::missing("result"))?;
        let single = entries.len() == 1;
        let mut class = FrameClass::Unknown;
        for (key, item) in entries {
            let market = match expect {
                Expect::Ticker(market) | Expect::Depth(market) if single => {
                    Some(Cow::Borrowed(market))
                }
                _ => self.rest_market(&key),
            };
            let Some(market) = market else {
                continue;
            };
            let is_book = item.asks.is_some() || item.bids.is_some();
            let book = match (expect, is_book) {
                (Expect::Ticker(_), true) => {
                    return Err(Malformed::new(format!(
                        "{key}: an order book in a Ticker response"
                    )));
                }
                (Expect::Depth(_), false) => {
                    return Err(Malformed::new(format!("{key}: missing field asks")));
                }
                (_, is_book) => is_book,
            };
            let data = if book {
                self.rest_book(&market, item, received)
            } else {
                rest_ticker(&market, &item, received)
            };
            out.push(data.map_err(|Malformed(reason)| Malformed(format!("{key}: {reason}")))?);
            class = FrameClass::Data;
        }
        Ok(class)
    }

    /// The market of a REST result key: the legacy name (`XXBTZUSD`), the altname (`XBTUSD`) or
    /// the WebSocket symbol, of a configured market.
    fn rest_market(&self, key: &str) -> Option<Cow<'_, Market>> {
        self.legacy_pairs
            .market(key)
            .or_else(|| self.rest_pairs.market(key))
            .or_else(|| self.symbols.market(key))
    }

    /// A REST `Depth` result, cut to the subscribed depth.
    fn rest_book(
        &self,
        market: &Market,
        item: RestItem<'_>,
        received: Timestamp,
    ) -> Result<MarketData, Malformed> {
        let mut bids = rest_levels("bids", item.bids)?;
        let mut asks = rest_levels("asks", item.asks)?;
        resting(&mut bids, self.depth);
        resting(&mut asks, self.depth);
        check_best_first(&bids, &asks)?;
        Ok(MarketData::Book(BookSnapshot {
            exchange: Exchange::Kraken,
            market: market.clone(),
            bids,
            asks,
            seq: None,
            exchange_time: None,
            received,
        }))
    }

    /// One subscribe request for `channel` with `params` besides the channel.
    fn request(channel: &str, params: Vec<(&str, Value)>, req_id: u64) -> String {
        let mut inner = serde_json::Map::new();
        inner.insert("channel".into(), Value::from(channel));
        for (name, value) in params {
            inner.insert(name.into(), value);
        }
        let mut frame = serde_json::Map::new();
        frame.insert("method".into(), Value::from("subscribe"));
        frame.insert("params".into(), Value::Object(inner));
        frame.insert("req_id".into(), Value::from(req_id));
        Value::Object(frame).to_string()
    }
}

/// The exchange time in optional RFC 3339 field `timestamp`.
fn time(timestamp: Option<&str>) -> Result<Option<Timestamp>, Malformed> {
    timestamp
        .map(|text| {
            Timestamp::parse_rfc3339(text)
                .ok_or_else(|| Malformed::new(format!("timestamp: {text:?} is not RFC 3339")))
        })
        .transpose()
}

/// The exact decimal of a level's price or quantity; `name` (built only on failure, since
/// books have many levels) names it in the error.
fn level_number<T: NumberText>(
    value: Option<T>,
    name: impl Fn() -> String,
) -> Result<Decimal, Malformed> {
    let value = value.ok_or_else(|| Malformed::missing(&name()))?;
    if let Some(parsed) = value.parsed() {
        return Ok(parsed);
    }
    num::parse_decimal_bytes(value.number_bytes()).map_err(|e| Malformed::number(&name(), &e))
}

/// The levels of WebSocket side `field`, exactly.
fn levels(field: &str, items: Option<Vec<LevelItem<'_>>>) -> Result<Vec<Level>, Malformed> {
    let items = items.ok_or_else(|| Malformed::missing(field))?;
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            Ok(Level::new(
                level_number(item.price, || format!("{field}[{index}].price"))?,
                level_number(item.qty, || format!("{field}[{index}].qty"))?,
            ))
        })
        .collect()
}

/// The levels of REST side `field`, exactly.
fn rest_levels(field: &str, rows: Option<Vec<RestLevel<'_>>>) -> Result<Vec<Level>, Malformed> {
    let rows = rows.ok_or_else(|| Malformed::missing(field))?;
    rows.iter()
        .enumerate()
        .map(|(index, (price, volume, _))| {
            Ok(Level::new(
                level_number(Some(*price), || format!("{field}[{index}] price"))?,
                level_number(Some(*volume), || format!("{field}[{index}] volume"))?,
            ))
        })
        .collect()
}

/// Element `index` of REST ticker array `field`, if the array is there.
fn element(
    field: &str,
    values: Option<&Vec<DecimalStr<'_>>>,
    index: usize,
) -> Result<Option<Decimal>, Malformed> {
    match values {
        None => Ok(None),
        Some(values) => {
            let value = values
                .get(index)
                .ok_or_else(|| Malformed::new(format!("{field}: no element {index}")))?;
            decimal(&format!("{field}[{index}]"), Some(*value)).map(Some)
        }
    }
}

/// A REST `Ticker` result: `c[0]` last, `b[0]`/`a[0]` best bid/ask, `o` today's open, and the
/// last-24 h elements `h[1]`, `l[1]`, `v[1]`.
fn rest_ticker(
    market: &Market,
    item: &RestItem<'_>,
    received: Timestamp,
) -> Result<MarketData, Malformed> {
    let last = element("c", item.c.as_ref(), 0)?.ok_or_else(|| Malformed::missing("c"))?;
    Ok(MarketData::Ticker(Ticker {
        exchange: Exchange::Kraken,
        market: market.clone(),
        last,
        best_bid: element("b", item.b.as_ref(), 0)?,
        best_ask: element("a", item.a.as_ref(), 0)?,
        open_24h: decimal_opt("o", item.o)?,
        high_24h: element("h", item.h.as_ref(), 1)?,
        low_24h: element("l", item.l.as_ref(), 1)?,
        volume_24h: element("v", item.v.as_ref(), 1)?,
        exchange_time: None,
        received,
    }))
}

impl ExchangeCodec for KrakenCodec {
    fn decode_rest_for(
        &mut self,
        request: &str,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        KrakenCodec::decode_rest_for(self, request, body, received, out)
    }

    fn exchange(&self) -> Exchange {
        Exchange::Kraken
    }

    fn markets(&self) -> &[Market] {
        self.symbols.markets()
    }

    /// `base` unchanged: the configured base is the full WebSocket URL.
    fn ws_url(&self, base: &str) -> String {
        base.to_string()
    }

    /// Three frames: `ticker` and `book` (at [`KrakenCodec::depth`]) for all markets, then
    /// `instrument` for the precisions the checksum needs. Nothing when there are no markets.
    fn subscribe(&self, _now: Timestamp) -> Vec<String> {
        if self.symbols.is_empty() {
            return Vec::new();
        }
        let symbols = || {
            Value::Array(
                self.symbols
                    .codes()
                    .iter()
                    .map(|symbol| Value::from(symbol.as_str()))
                    .collect(),
            )
        };
        vec![
            Self::request("ticker", vec![("symbol", symbols())], 1),
            Self::request(
                "book",
                vec![("symbol", symbols()), ("depth", Value::from(self.depth))],
                2,
            ),
            Self::request("instrument", vec![("snapshot", Value::from(true))], 3),
        ]
    }

    /// `{"method":"ping"}` every [`PING_INTERVAL`].
    fn keep_alive(&self) -> Option<(Duration, KeepAlive)> {
        Some((
            PING_INTERVAL,
            KeepAlive::Text(r#"{"method":"ping"}"#.to_string()),
        ))
    }

    /// Kraken documents no maximum.
    fn max_connection_lifetime(&self) -> Option<Duration> {
        None
    }

    /// A `ticker` or `book` message of a configured symbol is [`FrameClass::Data`]; of other
    /// symbols or channels [`FrameClass::Unknown`]; `status`, `heartbeat` and `instrument`
    /// [`FrameClass::Status`]; a successful `subscribe`/`unsubscribe` reply [`FrameClass::Ack`],
    /// a failed one [`FrameClass::Error`]; `pong` [`FrameClass::Pong`].
    fn decode(
        &mut self,
        frame: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Kraken, frame, out, |out| {
            json::expect_object(frame)?;
            let mut parsed = Frame::default();
            parsed.scan(frame)?;
            let failed = parsed.success == Some(false) || parsed.error.is_some();
            if let Some(method) = parsed.method {
                if failed {
                    let text = parsed
                        .error
                        .map_or_else(|| format!("{method} failed"), |e| e.text().into_owned());
                    return Ok(FrameClass::Error(text));
                }
                return Ok(match method {
                    "pong" => FrameClass::Pong,
                    "subscribe" | "unsubscribe" => FrameClass::Ack,
                    _ => FrameClass::Unknown,
                });
            }
            if let Some(channel) = parsed.channel {
                return match channel {
                    "heartbeat" | "status" => Ok(FrameClass::Status),
                    _ => match &mut parsed.data {
                        Some(payload) => {
                            self.channel_data(channel, parsed.kind, payload, received, out)
                        }
                        None if channel_kind(channel).is_some() => Err(Malformed::missing("data")),
                        None => Ok(FrameClass::Unknown),
                    },
                };
            }
            match parsed.error {
                Some(error) => Ok(FrameClass::Error(error.text().into_owned())),
                None => Err(Malformed::new(
                    "neither a channel message nor a method reply",
                )),
            }
        })
    }

    /// One request per market: `/0/public/Ticker?pair=XBTUSD`.
    fn rest_ticker_requests(&self) -> Vec<String> {
        self.rest_pairs
            .codes()
            .iter()
            .map(|pair| format!("{TICKER_PATH}?pair={pair}"))
            .collect()
    }

    /// One request per market, at the subscribed depth: `/0/public/Depth?pair=XBTUSD&count=10`.
    fn rest_book_requests(&self) -> Vec<String> {
        self.rest_pairs
            .codes()
            .iter()
            .map(|pair| format!("{DEPTH_PATH}?pair={pair}&count={}", self.depth))
            .collect()
    }

    /// Bodies name their pairs by result key, read as the legacy name (`XXBTZUSD`), the altname
    /// (`XBTUSD`) or the WebSocket symbol of a configured market; results under any other key
    /// are skipped ([`FrameClass::Unknown`] if none is left). A non-empty `error` is
    /// [`FrameClass::Error`]. Prefer [`KrakenCodec::decode_rest_for`], which does not depend on
    /// guessing legacy names.
    fn decode_rest(
        &mut self,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Kraken, body, out, |out| {
            self.rest(body, Expect::Any, received, out)
        })
    }

    /// [`checksum`] at `market`'s precision; `None` until the precision is known (from the
    /// `instrument` channel or [`KrakenCodec::set_precision`]).
    fn book_checksum(&self, market: &Market, bids: &[Level], asks: &[Level]) -> Option<u32> {
        self.precision(market)
            .map(|precision| checksum(bids, asks, precision))
    }

    /// No sequence numbers: integrity by checksum only.
    fn book_sync(&self) -> BookSync {
        BookSync::ChecksumOnly
    }
}

/// Builds the Kraken codec for `markets` with books of `depth` levels.
pub fn codec(markets: &[Market], depth: usize) -> Result<Box<dyn ExchangeCodec>, CodecSetupError> {
    Ok(Box::new(KrakenCodec::new(markets, depth)?))
}
