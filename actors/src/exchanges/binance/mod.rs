//! Binance spot: 24 h ticker and partial order book over the combined-stream WebSocket, and the
//! REST fallbacks.
//!
//! - WebSocket: `<base>/stream?streams=btcusdt@ticker/btcusdt@depth20@100ms/...` (default base
//!   [`DEFAULT_WS_BASE`]). The streams are named in the URL, so nothing is sent after
//!   connecting. Every event arrives wrapped as `{"stream":..,"data":..}`, which is what tells
//!   a partial book (it has no symbol of its own) from another market's.
//! - Partial book `@depth<5|10|20>@100ms`: a full top-N snapshot every 100 ms, `lastUpdateId` as
//!   its sequence number; depth is the smallest of 5, 10, 20 that covers the one asked for.
//! - Diff depth `@depth@100ms` (`depthUpdate`, update ids `U..=u`) decodes into book deltas,
//!   raw or wrapped, and follows a snapshot's `lastUpdateId` by [`BookSync::Ranges`]. The feed
//!   subscribes to the partial book, whose every frame is a whole top-N book; deltas are for
//!   tapes and `premia decode`.
//! - Ticker `24hrTicker`: `c` last, `b`/`a` best bid/ask, `o`/`h`/`l` 24 h open/high/low, `v`
//!   base volume, `E` event time. Prices and quantities are JSON strings, read exactly.
//! - Replies `{"result":..,"id":..}` are acknowledgements, `{"code":..,"msg":..}` (as documented)
//!   and `{"error":{"code":..,"msg":..},"id":..}` (as sent) errors, and a `serverShutdown` event
//!   a status (a reconnect is due).
//! - Keep-alive: none from us. The server pings every 20 s and the WebSocket layer pongs. A
//!   connection lives at most 24 h.
//! - REST (relative to `https://api.binance.com`): `/api/v3/ticker/24hr?symbol=BTCUSDT` and
//!   `/api/v3/depth?symbol=BTCUSDT&limit=20`, one request per market. A depth body does not
//!   name its market; see [`BinanceCodec::decode_rest_for`] and the `decode_rest` impl.

pub mod symbols;
pub mod wire;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

use std::time::Duration;

use premia_events::marketdata::{BookDelta, BookSnapshot, MarketData, Ticker};
use premia_events::{Exchange, Market, Timestamp};

use self::wire::{
    AnyEvent, DepthEvent, ErrorBody, Frame, Payload, RestBody, StreamKind, TickerEvent,
};
use super::book::{PairLevels, check_best_first, kept_depth, pick_depth, resting};
use super::json::{self, Malformed, ObjectOr, Raw, decimal, decimal_opt, guarded};
use super::request;
use super::scan::Scanner;
use super::symbol_map::{SymbolMap, split_by_quote};
use super::{BookSync, CodecSetupError, DecodeError, ExchangeCodec, FrameClass, KeepAlive};

/// Binance's spot market-stream base URL.
pub const DEFAULT_WS_BASE: &str = "wss://stream.binance.com:9443";

/// Binance's spot REST base URL; the REST requests are relative to it (`/api/v3/..`).
pub const DEFAULT_REST_URL: &str = "https://api.binance.com";

/// The partial-book depths Binance offers, in levels per side.
pub const DEPTHS: [usize; 3] = [5, 10, 20];

/// Binance closes every connection after 24 h.
pub const MAX_CONNECTION_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// The most markets one connection carries: two streams each, 1024 streams per connection.
pub const MAX_MARKETS: usize = 512;

/// The event type of the ticker stream.
const TICKER_EVENT: &str = "24hrTicker";

/// The event type of the diff-depth stream.
const DIFF_EVENT: &str = "depthUpdate";

/// The event Binance sends before closing connections for maintenance.
const SERVER_SHUTDOWN: &str = "serverShutdown";

const TICKER_PATH: &str = "/api/v3/ticker/24hr";
const DEPTH_PATH: &str = "/api/v3/depth";

/// What a REST body is expected to be.
#[derive(Clone, Copy, Debug)]
enum Expect<'m> {
    /// Whatever it is (the trait's `decode_rest`, which has no request).
    Any,
    /// A `ticker/24hr` response.
    Ticker,
    /// A `depth` response for this market.
    Depth(&'m Market),
}

/// The Binance spot codec for a fixed set of markets and a book depth.
#[derive(Clone, Debug)]
pub struct BinanceCodec {
    /// `BTCUSDT` ↔ market.
    symbols: SymbolMap,
    /// `btcusdt` ↔ market, for stream names.
    streams: SymbolMap,
    depth: usize,
    /// `depth20@100ms`.
    depth_kind: String,
}

impl BinanceCodec {
    /// A codec for `markets` (symbols `BTCUSDT`, ...) with partial books of the smallest offered
    /// depth that covers `depth` (at most 20). Refuses a market listed twice, two markets with
    /// the same symbol (`BTC/USDT` and `BTCUSD/T`), and more than [`MAX_MARKETS`] markets.
    pub fn new(markets: &[Market], depth: usize) -> Result<BinanceCodec, CodecSetupError> {
        if let Some(market) = markets.get(MAX_MARKETS) {
            return Err(CodecSetupError::Market {
                exchange: Exchange::Binance,
                market: market.clone(),
                reason: format!(
                    "more than {MAX_MARKETS} markets on one connection (1024 streams at most)"
                ),
            });
        }
        let depth = kept_depth(markets, pick_depth(depth, &DEPTHS));
        Ok(BinanceCodec {
            symbols: SymbolMap::with_discovery(
                Exchange::Binance,
                markets,
                symbols::symbol,
                split_by_quote,
            )?,
            streams: SymbolMap::with_discovery(
                Exchange::Binance,
                markets,
                symbols::stream_symbol,
                split_by_quote,
            )?,
            depth,
            depth_kind: symbols::depth_stream_kind(depth),
        })
    }

    /// The subscribed book depth, in levels per side: one of [`DEPTHS`].
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The stream names, two per market in the order given: `btcusdt@ticker`,
    /// `btcusdt@depth20@100ms`, ...
    pub fn streams(&self) -> Vec<String> {
        self.symbols
            .markets()
            .iter()
            .flat_map(|market| {
                [
                    symbols::ticker_stream(market),
                    symbols::depth_stream(market, self.depth),
                ]
            })
            .collect()
    }

    /// Decodes the body of `request`, one of this codec's REST requests. The request says what
    /// the body is and, for a depth body (which names no market), whose book it is: the
    /// `symbol` of `/api/v3/depth?symbol=BTCUSDT&limit=20`. This is how REST bodies should be
    /// decoded; [`ExchangeCodec::decode_rest`] has no request to go by.
    pub fn decode_rest_for(
        &mut self,
        request: &str,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Binance, body, out, |out| {
            let market;
            let expect = match request::path(request) {
                TICKER_PATH => Expect::Ticker,
                DEPTH_PATH => {
                    let symbol = request::query_param(request, "symbol")
                        .ok_or_else(|| Malformed::new(format!("{request}: no symbol")))?;
                    market = self.symbols.market(symbol).ok_or_else(|| {
                        Malformed::new(format!("{request}: symbol {symbol} is not configured"))
                    })?;
                    Expect::Depth(&market)
                }
                other => {
                    return Err(Malformed::new(format!(
                        "{other} is not a Binance ticker or depth request"
                    )));
                }
            };
            self.rest(body, expect, received, out)
        })
    }

    /// The market and kind of one of our streams; `None` for any other stream name.
    fn classify(&self, stream: &str) -> Option<(Cow<'_, Market>, StreamKind)> {
        let (symbol, kind) = symbols::split_stream(stream)?;
        let market = self.streams.market(symbol)?;
        if kind == symbols::TICKER_STREAM {
            Some((market, StreamKind::Ticker))
        } else if kind == self.depth_kind
            || is_diff_depth_kind(kind)
            || (self.symbols.is_discovering() && is_partial_depth_kind(kind))
        {
            Some((market, StreamKind::Depth))
        } else {
            None
        }
    }

    /// An event of `stream`.
    fn stream_event(
        &self,
        stream: &str,
        target: Option<(Cow<'_, Market>, StreamKind)>,
        data: &mut Option<Payload<'_>>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        let data = data.as_mut().ok_or_else(|| Malformed::missing("data"))?;
        if let Payload::Deferred(raw) = *data {
            *data = Payload::read_deferred(target.as_ref().map(|(_, kind)| *kind), raw)?;
        }
        let shutdown = |event: Option<&str>| event == Some(SERVER_SHUTDOWN);
        match (data, target) {
            (Payload::Ticker(event), _) if shutdown(event.event) => Ok(FrameClass::Status),
            (Payload::Depth(event), _) if shutdown(event.event) => Ok(FrameClass::Status),
            (Payload::Ticker(event), Some((market, _))) => {
                self.push_ticker(stream, &market, event, received, out)
            }
            (Payload::Depth(event), Some((market, _))) if event.event == Some(DIFF_EVENT) => {
                out.push(MarketData::Delta(diff(&market, event, received)?));
                Ok(FrameClass::Data)
            }
            (Payload::Depth(event), Some((market, _))) => {
                out.push(MarketData::Book(self.book(
                    &market,
                    event.last_update_id,
                    event.bids.take(),
                    event.asks.take(),
                    received,
                )?));
                Ok(FrameClass::Data)
            }
            (Payload::Other(ObjectOr::Object(AnyEvent { event: Some(event) })), _)
                if event.text() == SERVER_SHUTDOWN =>
            {
                Ok(FrameClass::Status)
            }
            // Another stream; payloads of our kinds always come with their target.
            _ => Ok(FrameClass::Unknown),
        }
    }

    fn push_ticker(
        &self,
        stream: &str,
        market: &Market,
        event: &TickerEvent<'_>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        if let Some(kind) = event.event.filter(|&kind| kind != TICKER_EVENT) {
            return Err(Malformed::new(format!("{stream}: a {kind} event")));
        }
        if let Some(symbol) = event
            .symbol
            .filter(|&symbol| self.symbols.market(symbol).as_deref() != Some(market))
        {
            return Err(Malformed::new(format!("{stream}: an event for {symbol}")));
        }
        out.push(MarketData::Ticker(Ticker {
            exchange: Exchange::Binance,
            market: market.clone(),
            last: decimal("c", event.last)?,
            best_bid: decimal_opt("b", event.best_bid)?,
            best_ask: decimal_opt("a", event.best_ask)?,
            open_24h: decimal_opt("o", event.open)?,
            high_24h: decimal_opt("h", event.high)?,
            low_24h: decimal_opt("l", event.low)?,
            volume_24h: decimal_opt("v", event.volume)?,
            exchange_time: event.event_time.map(Timestamp::from_millis),
            received,
        }));
        Ok(FrameClass::Data)
    }

    /// A `24hrTicker` event on a raw stream (`/ws/<symbol>@ticker`, no `stream` wrapper): its
    /// market is its `s`; one not configured is [`FrameClass::Unknown`].
    fn raw_ticker(
        &self,
        frame: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        let mut event = TickerEvent::default();
        Scanner::whole_into(frame, &mut event, TickerEvent::scan)?;
        let symbol = event.symbol.ok_or_else(|| Malformed::missing("s"))?;
        let Some(market) = self.symbols.market(symbol) else {
            return Ok(FrameClass::Unknown);
        };
        self.push_ticker(symbol, &market, &event, received, out)
    }

    /// A `depthUpdate` on a raw stream (`/ws/<symbol>@depth@100ms`): its market is its `s`;
    /// one not configured is [`FrameClass::Unknown`].
    fn raw_diff(
        &self,
        frame: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        let mut event = DepthEvent::default();
        Scanner::whole_into(frame, &mut event, DepthEvent::scan)?;
        let symbol = event.symbol.ok_or_else(|| Malformed::missing("s"))?;
        let Some(market) = self.symbols.market(symbol) else {
            return Ok(FrameClass::Unknown);
        };
        out.push(MarketData::Delta(diff(&market, &mut event, received)?));
        Ok(FrameClass::Data)
    }

    /// A frame of no stream and no event in discovery mode: a partial book on a raw stream
    /// (`/ws/<symbol>@depth20@100ms`) names no market, so it cannot be attributed; another
    /// object naming a symbol (`s`) is a raw stream the codec does not read (`@bookTicker`,
    /// whose frames carry no event type) and is [`FrameClass::Unknown`]; anything else is not
    /// a Binance frame.
    fn raw_depth(&self, frame: &[u8]) -> Result<FrameClass, Malformed> {
        let mut keys = (false, false);
        Scanner::whole_into(frame, &mut keys, |s, (partial_book, symbol)| {
            s.object(|s, key| {
                *partial_book |= key == b"lastUpdateId";
                *symbol |= key == b"s";
                s.skip_value()
            })
        })?;
        if keys.0 {
            // Its levels' own errors first, as for any book.
            let mut event = DepthEvent::default();
            Scanner::whole_into(frame, &mut event, DepthEvent::scan)?;
        }
        match keys {
            (true, _) => Err(Malformed::new(
                "a partial book on a raw stream does not name its market; decode the combined \
                 stream ({\"stream\":..,\"data\":..}), which does",
            )),
            (false, true) => Ok(FrameClass::Unknown),
            (false, false) => Err(Malformed::new(
                "neither a stream event, a reply, an error nor an event",
            )),
        }
    }

    /// A top-N book (stream or REST), cut to the subscribed depth.
    fn book(
        &self,
        market: &Market,
        last_update_id: Option<u64>,
        bids: Option<PairLevels>,
        asks: Option<PairLevels>,
        received: Timestamp,
    ) -> Result<BookSnapshot, Malformed> {
        let seq = last_update_id.ok_or_else(|| Malformed::missing("lastUpdateId"))?;
        let PairLevels(mut bids) = bids.ok_or_else(|| Malformed::missing("bids"))?;
        let PairLevels(mut asks) = asks.ok_or_else(|| Malformed::missing("asks"))?;
        resting(&mut bids, self.depth);
        resting(&mut asks, self.depth);
        check_best_first(&bids, &asks)?;
        Ok(BookSnapshot {
            exchange: Exchange::Binance,
            market: market.clone(),
            bids,
            asks,
            seq: Some(seq),
            exchange_time: None,
            received,
        })
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
            Some(b'[') => {
                // All tickers (a request without `symbol`): an array of ticker objects.
                if let Expect::Depth(_) = expect {
                    return Err(Malformed::new("an array in a depth response"));
                }
                let items: Vec<RestBody<'_>> = json::parse(body)?;
                let mut class = FrameClass::Unknown;
                for (index, item) in items.iter().enumerate() {
                    let decoded = self
                        .push_rest_ticker(item, expect, received, out)
                        .map_err(|Malformed(reason)| Malformed(format!("[{index}]: {reason}")))?;
                    if decoded == FrameClass::Data {
                        class = FrameClass::Data;
                    }
                }
                return Ok(class);
            }
            None => return Err(Malformed::new("empty body")),
            Some(_) => return Err(Malformed::new("expected a JSON object or array")),
        }
        let item: RestBody<'_> = json::parse(body)?;
        if item.code.is_some() || item.msg.is_some() {
            return Ok(FrameClass::Error(error_text(item.code, item.msg)));
        }
        let is_book = item.last_update_id.is_some();
        let market = match (expect, is_book) {
            (Expect::Ticker | Expect::Any, false) => {
                return self.push_rest_ticker(&item, expect, received, out);
            }
            (Expect::Ticker, true) => {
                return Err(Malformed::new("an order book in a ticker response"));
            }
            (Expect::Depth(_), false) => {
                return Err(Malformed::missing("lastUpdateId"));
            }
            (Expect::Depth(market), true) => market,
            (Expect::Any, true) => self.only_market()?,
        };
        out.push(MarketData::Book(self.book(
            market,
            item.last_update_id,
            item.bids,
            item.asks,
            received,
        )?));
        Ok(FrameClass::Data)
    }

    /// The market of a depth body decoded without its request: only unambiguous with a single
    /// configured market.
    fn only_market(&self) -> Result<&Market, Malformed> {
        self.symbols
            .only_market("a depth body", "BinanceCodec::decode_rest_for")
    }

    /// A `ticker/24hr` object. Decoded without its request, a `ticker/bookTicker` object (best
    /// bid and ask, no last price) is another endpoint's body, [`FrameClass::Unknown`]; in a
    /// `ticker/24hr` response it is an error.
    fn push_rest_ticker(
        &self,
        item: &RestBody<'_>,
        expect: Expect<'_>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        // Best prices and none of a 24 h ticker's own fields.
        let book_ticker = (item.bid_price.is_some() || item.ask_price.is_some())
            && item.last_price.is_none()
            && item.open_price.is_none()
            && item.volume.is_none()
            && item.close_time.is_none();
        if book_ticker && matches!(expect, Expect::Any) {
            return Ok(FrameClass::Unknown);
        }
        let symbol = item.symbol.ok_or_else(|| Malformed::missing("symbol"))?;
        let Some(market) = self.symbols.market(symbol) else {
            return Ok(FrameClass::Unknown);
        };
        out.push(MarketData::Ticker(Ticker {
            exchange: Exchange::Binance,
            market: (*market).clone(),
            last: decimal("lastPrice", item.last_price)?,
            best_bid: decimal_opt("bidPrice", item.bid_price)?,
            best_ask: decimal_opt("askPrice", item.ask_price)?,
            open_24h: decimal_opt("openPrice", item.open_price)?,
            high_24h: decimal_opt("highPrice", item.high_price)?,
            low_24h: decimal_opt("lowPrice", item.low_price)?,
            volume_24h: decimal_opt("volume", item.volume)?,
            exchange_time: item.close_time.map(Timestamp::from_millis),
            received,
        }));
        Ok(FrameClass::Data)
    }
}

/// `code: msg` of an error reply.
fn error_text(code: Option<Raw<'_>>, msg: Option<Raw<'_>>) -> String {
    match (code, msg) {
        (Some(code), Some(msg)) => format!("{}: {}", code.text(), msg.text()),
        (Some(text), None) | (None, Some(text)) => text.text().into_owned(),
        (None, None) => String::new(),
    }
}

/// The text of a nested error `{"code":..,"msg":..}`, or the value as written if it is not one.
fn nested_error_text(error: Raw<'_>) -> String {
    match serde_json::from_str::<ErrorBody<'_>>(error.token()) {
        Ok(ErrorBody {
            code: None,
            msg: None,
        })
        | Err(_) => error.text().into_owned(),
        Ok(ErrorBody { code, msg }) => error_text(code, msg),
    }
}

impl ExchangeCodec for BinanceCodec {
    fn decode_rest_for(
        &mut self,
        request: &str,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        BinanceCodec::decode_rest_for(self, request, body, received, out)
    }

    fn exchange(&self) -> Exchange {
        Exchange::Binance
    }

    fn markets(&self) -> &[Market] {
        self.symbols.markets()
    }

    /// The combined-stream URL naming every stream: `<base>/stream?streams=btcusdt@ticker/
    /// btcusdt@depth20@100ms/...`.
    fn ws_url(&self, base: &str) -> String {
        format!(
            "{}/stream?streams={}",
            base.trim_end_matches('/'),
            self.streams().join("/")
        )
    }

    /// Nothing: the streams are named in the URL ([`ExchangeCodec::ws_url`]), which subscribes
    /// on connect, with no acknowledgement to wait for, and without spending any of the five
    /// messages a second Binance allows a connection.
    fn subscribe(&self, _now: Timestamp) -> Vec<String> {
        Vec::new()
    }

    /// None: Binance pings every 20 s and the WebSocket layer answers.
    fn keep_alive(&self) -> Option<(Duration, KeepAlive)> {
        None
    }

    /// Update-id ranges: a partial book (or a REST depth body) is a snapshot at its
    /// `lastUpdateId`; a `depthUpdate` covering `U..=u` applies when it reaches past the book
    /// and starts no later than the book's id + 1, and is a gap otherwise.
    fn book_sync(&self) -> BookSync {
        BookSync::Ranges
    }

    /// 24 h.
    fn max_connection_lifetime(&self) -> Option<Duration> {
        Some(MAX_CONNECTION_LIFETIME)
    }

    /// An event of one of our streams is [`FrameClass::Data`]; of another stream
    /// [`FrameClass::Unknown`]; a reply `{"result":..,"id":..}` [`FrameClass::Ack`];
    /// `{"code":..,"msg":..}` or `{"error":{"code":..,"msg":..}}` [`FrameClass::Error`];
    /// `serverShutdown` [`FrameClass::Status`].
    fn decode(
        &mut self,
        frame: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Binance, frame, out, |out| {
            json::expect_object(frame)?;
            let mut parsed = Frame::empty();
            parsed.scan(frame, |stream: &str| self.classify(stream))?;
            if let Some(stream) = parsed.stream {
                return self.stream_event(stream, parsed.target, &mut parsed.data, received, out);
            }
            if let Some(error) = parsed.error {
                return Ok(FrameClass::Error(nested_error_text(error)));
            }
            if parsed.code.is_some() || parsed.msg.is_some() {
                return Ok(FrameClass::Error(error_text(parsed.code, parsed.msg)));
            }
            if parsed.result {
                return Ok(FrameClass::Ack);
            }
            match parsed.event {
                Some(SERVER_SHUTDOWN) => Ok(FrameClass::Status),
                // Raw (unwrapped) streams are read only in discovery mode, for `premia decode`;
                // the daemon uses combined streams, which name their stream.
                Some(TICKER_EVENT) if self.symbols.is_discovering() => {
                    self.raw_ticker(frame, received, out)
                }
                Some(DIFF_EVENT) if self.symbols.is_discovering() => {
                    self.raw_diff(frame, received, out)
                }
                Some(_) => Ok(FrameClass::Unknown),
                None if self.symbols.is_discovering() => self.raw_depth(frame),
                None => Err(Malformed::new(
                    "neither a stream event, a reply, an error nor an event",
                )),
            }
        })
    }

    /// One request per market: `/api/v3/ticker/24hr?symbol=BTCUSDT`.
    fn rest_ticker_requests(&self) -> Vec<String> {
        self.symbols
            .codes()
            .iter()
            .map(|symbol| format!("{TICKER_PATH}?symbol={symbol}"))
            .collect()
    }

    /// One request per market, at the subscribed depth so REST and stream books agree:
    /// `/api/v3/depth?symbol=BTCUSDT&limit=20`. Each names its market, so each is unique.
    fn rest_book_requests(&self) -> Vec<String> {
        self.symbols
            .codes()
            .iter()
            .map(|symbol| format!("{DEPTH_PATH}?symbol={symbol}&limit={}", self.depth))
            .collect()
    }

    /// Ticker bodies (an object, or an array of them) name their symbol, and error bodies
    /// `{"code":-1121,"msg":"Invalid symbol."}` need no market, so both decode here. A depth
    /// body `{"lastUpdateId":..,"bids":..,"asks":..}` names no market: with a single configured
    /// market it is that market's book; with several it is refused with a [`DecodeError`]
    /// rather than guessed (attributing bodies by the order of requests would put one
    /// market's book on another as soon as a request failed or the bodies came back out of
    /// order). Decode depth bodies with [`BinanceCodec::decode_rest_for`], which takes the
    /// request; the trait should pass it too.
    fn decode_rest(
        &mut self,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Binance, body, out, |out| {
            self.rest(body, Expect::Any, received, out)
        })
    }
}

/// A `depthUpdate` as a delta covering update ids `U..=u`. The levels are absolute quantities,
/// zero removing a level; either side may be empty. Followed as [`BookSync::Ranges`] from a REST
/// snapshot's `lastUpdateId` (Binance's "how to manage a local order book").
fn diff(
    market: &Market,
    event: &mut DepthEvent<'_>,
    received: Timestamp,
) -> Result<BookDelta, Malformed> {
    let first = event
        .first_update_id
        .ok_or_else(|| Malformed::missing("U"))?;
    let last = event
        .final_update_id
        .ok_or_else(|| Malformed::missing("u"))?;
    if first > last {
        return Err(Malformed::new(format!("U {first} is after u {last}")));
    }
    if let Some(symbol) = event.symbol
        && symbols::symbol(market) != symbol
    {
        return Err(Malformed::new(format!(
            "a depthUpdate for {symbol} on {market}'s stream"
        )));
    }
    let PairLevels(bids) = event
        .bid_changes
        .take()
        .ok_or_else(|| Malformed::missing("b"))?;
    let PairLevels(asks) = event
        .ask_changes
        .take()
        .ok_or_else(|| Malformed::missing("a"))?;
    Ok(BookDelta {
        exchange: Exchange::Binance,
        market: market.clone(),
        bids,
        asks,
        first_seq: Some(first),
        seq: Some(last),
        prev_seq: None,
        checksum: None,
        exchange_time: event.event_time.map(Timestamp::from_millis),
        received,
    })
}

/// Whether `kind` is the diff-depth stream at either speed: `depth`, `depth@100ms`.
fn is_diff_depth_kind(kind: &str) -> bool {
    matches!(kind, "depth" | "depth@100ms" | "depth@1000ms")
}

/// Whether `kind` (the part of a stream name after the symbol) is a partial-book stream of any
/// depth and speed: `depth5`, `depth20@100ms`, `depth10@1000ms`. Discovery mode reads them all.
fn is_partial_depth_kind(kind: &str) -> bool {
    let (depth, speed) = kind.split_once('@').unwrap_or((kind, "ms"));
    depth
        .strip_prefix("depth")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        && speed.ends_with("ms")
}
