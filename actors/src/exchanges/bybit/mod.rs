//! Bybit (v5 API) spot: `tickers` and `orderbook` topics over the public spot WebSocket, and the
//! REST fallbacks.
//!
//! - WebSocket: the configured base *is* the URL (default [`DEFAULT_WS_URL`]). Subscribe
//!   frames `{"req_id":..,"op":"subscribe","args":["tickers.BTCUSDT","orderbook.50.BTCUSDT",..]}`,
//!   at most [`ARGS_PER_REQUEST`] topics each (spot's limit), each answered by
//!   `{"success":true,"ret_msg":"subscribe",..}` ([`FrameClass::Ack`]) or `success:false` with
//!   the reason ([`FrameClass::Error`]).
//! - Order book `orderbook.<depth>.<symbol>`, depth the smallest of [`DEPTHS`] that covers the
//!   one asked for: a `snapshot` (a [`MarketData::Book`], `u` as its sequence number; any new
//!   snapshot replaces the book), then `delta`s (a [`MarketData::Delta`] with `seq` = `u`;
//!   size `"0"` deletes a price). `u` grows by one per message of a topic
//!   ([`BookSync::Consecutive`]); `u` = 1 means the service restarted. Bybit has no checksum.
//!   `ts` is the exchange time.
//! - Ticker `tickers.<symbol>`: `lastPrice`, `prevPrice24h` (the price 24 h ago),
//!   `highPrice24h`, `lowPrice24h`, `volume24h` (base). Spot tickers carry no best bid/ask.
//! - Keep-alive: `{"op":"ping"}` every [`PING_INTERVAL`] (the server cuts a silent connection
//!   after 10 min), answered by `{"success":true,"ret_msg":"pong","op":"ping"}`
//!   ([`FrameClass::Pong`]).
//! - REST (relative to `https://api.bybit.com`): `/v5/market/tickers?category=spot&symbol=..`
//!   and `/v5/market/orderbook?category=spot&symbol=..&limit=N`, one per market, in the
//!   envelope `{"retCode":0,"retMsg":"OK","result":{..},"time":..}`; a `retCode` other than 0 is
//!   an error sent with HTTP 200. Both bodies name their symbol.

pub mod symbols;
pub mod wire;

#[cfg(test)]
mod tests;

use std::time::Duration;

use premia_events::marketdata::{BookDelta, BookSnapshot, MarketData, Ticker};
use premia_events::{Exchange, Market, Timestamp};

use self::symbols::Topic;
use self::wire::{Data, Frame, RestBody, RestResult, Subscribe};
use super::book::{PairLevels, check_best_first, kept_depth, pick_depth, resting};
use super::json::{self, Malformed, ObjectOr, Raw, decimal, decimal_opt, guarded};
use super::request;
use super::symbol_map::{SymbolMap, split_by_quote};
use super::{BookSync, CodecSetupError, DecodeError, ExchangeCodec, FrameClass, KeepAlive};

/// Bybit's public spot WebSocket URL.
pub const DEFAULT_WS_URL: &str = "wss://stream.bybit.com/v5/public/spot";

/// Bybit's REST base URL; the REST requests are relative to it (`/v5/market/..`).
pub const DEFAULT_REST_URL: &str = "https://api.bybit.com";

/// The spot order-book depths Bybit offers, in levels per side.
pub const DEPTHS: [usize; 4] = [1, 50, 200, 1000];

/// How often to ping, as Bybit recommends.
pub const PING_INTERVAL: Duration = Duration::from_secs(20);

/// The most topics one spot subscribe request may carry.
pub const ARGS_PER_REQUEST: usize = 10;

/// The most characters of topics one connection may subscribe to.
pub const MAX_ARGS_CHARS: usize = 21_000;

/// The keep-alive request.
pub const PING: &str = r#"{"op":"ping"}"#;

const TICKERS_PATH: &str = "/v5/market/tickers";
const ORDERBOOK_PATH: &str = "/v5/market/orderbook";

/// What a REST body is expected to be.
#[derive(Clone, Copy, Debug)]
enum Expect<'m> {
    /// Whatever it is (the trait's `decode_rest`, which has no request).
    Any,
    /// A `market/tickers` response.
    Ticker,
    /// A `market/orderbook` response for this market.
    Book(&'m Market),
}

/// The Bybit spot codec for a fixed set of markets and a book depth.
#[derive(Clone, Debug)]
pub struct BybitCodec {
    /// `BTCUSDT` ↔ market.
    symbols: SymbolMap,
    depth: usize,
    /// The depth as written in topics, `50`.
    depth_text: String,
    /// Every topic, two per market in the order given.
    topics: Vec<String>,
}

impl BybitCodec {
    /// A codec for `markets` (symbols `BTCUSDT`, ...) with books of the smallest offered depth
    /// that covers `depth` (at most 1000). Refuses a market listed twice, two markets with the
    /// same symbol (`BTC/USDT` and `BTCUSD/T`), and markets beyond the 21,000 characters of
    /// topics a connection may carry.
    pub fn new(markets: &[Market], depth: usize) -> Result<BybitCodec, CodecSetupError> {
        let symbols =
            SymbolMap::with_discovery(Exchange::Bybit, markets, symbols::symbol, split_by_quote)?;
        let depth = kept_depth(markets, pick_depth(depth, &DEPTHS));
        let mut topics = Vec::with_capacity(2 * symbols.len());
        let mut chars = 0;
        for (market, symbol) in symbols.iter() {
            let pair = [
                symbols::ticker_topic(symbol),
                symbols::orderbook_topic(symbol, depth),
            ];
            chars += pair.iter().map(String::len).sum::<usize>();
            if chars > MAX_ARGS_CHARS {
                return Err(CodecSetupError::Market {
                    exchange: Exchange::Bybit,
                    market: market.clone(),
                    reason: format!(
                        "more than {MAX_ARGS_CHARS} characters of topics on one connection"
                    ),
                });
            }
            topics.extend(pair);
        }
        Ok(BybitCodec {
            symbols,
            depth,
            depth_text: depth.to_string(),
            topics,
        })
    }

    /// The subscribed book depth, in levels per side: one of [`DEPTHS`].
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The topics, two per market in the order given: `tickers.BTCUSDT`,
    /// `orderbook.50.BTCUSDT`, ...
    pub fn topics(&self) -> &[String] {
        &self.topics
    }

    /// Decodes the body of `request`, one of this codec's REST requests, checking that it is
    /// of the kind requested and, for a book, of the market requested.
    pub fn decode_rest_for(
        &mut self,
        request: &str,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Bybit, body, out, |out| {
            let market;
            let expect = match request::path(request) {
                TICKERS_PATH => Expect::Ticker,
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
                        "{other} is not a Bybit tickers or orderbook request"
                    )));
                }
            };
            self.rest(body, expect, received, out)
        })
    }

    /// A push of `topic`.
    fn push(
        &self,
        topic: &str,
        frame: &mut Frame<'_>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        let (symbol, is_book) = match symbols::split_topic(topic) {
            Topic::Ticker(symbol) => (symbol, false),
            Topic::Orderbook(depth, symbol)
                if depth == self.depth_text || self.symbols.is_discovering() =>
            {
                (symbol, true)
            }
            Topic::Orderbook(..) | Topic::Other => return Ok(FrameClass::Unknown),
        };
        let Some(market) = self.symbols.market(symbol) else {
            return Ok(FrameClass::Unknown);
        };
        let data = match &mut frame.data {
            Some(ObjectOr::Object(data)) => data,
            Some(ObjectOr::Other) => {
                return Err(Malformed::new(format!("{topic}: data is not an object")));
            }
            None => return Err(Malformed::missing("data")),
        };
        let exchange_time = frame.ts.map(Timestamp::from_millis);
        if !is_book {
            check_symbol(topic, data.symbol, symbol)?;
            out.push(MarketData::Ticker(ticker(
                &market,
                data,
                exchange_time,
                received,
            )?));
            return Ok(FrameClass::Data);
        }
        check_symbol(topic, data.s, symbol)?;
        let update_id = data.u.ok_or_else(|| Malformed::missing("u"))?;
        let PairLevels(mut bids) = data.b.take().ok_or_else(|| Malformed::missing("b"))?;
        let PairLevels(mut asks) = data.a.take().ok_or_else(|| Malformed::missing("a"))?;
        match frame.kind {
            Some("snapshot") => {
                resting(&mut bids, self.depth);
                resting(&mut asks, self.depth);
                check_best_first(&bids, &asks)?;
                out.push(MarketData::Book(BookSnapshot {
                    exchange: Exchange::Bybit,
                    market: (*market).clone(),
                    bids,
                    asks,
                    seq: Some(update_id),
                    exchange_time,
                    received,
                }));
            }
            Some("delta") => out.push(MarketData::Delta(BookDelta {
                exchange: Exchange::Bybit,
                market: (*market).clone(),
                bids,
                asks,
                first_seq: None,
                seq: Some(update_id),
                prev_seq: None,
                checksum: None,
                exchange_time,
                received,
            })),
            Some(other) => return Err(Malformed::new(format!("{topic}: unknown type {other}"))),
            None => return Err(Malformed::missing("type")),
        }
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
        let body: RestBody<'_> = json::parse(body)?;
        let code = body.ret_code.ok_or_else(|| Malformed::missing("retCode"))?;
        if code.text() != "0" {
            return Ok(FrameClass::Error(error_text(code, body.ret_msg)));
        }
        let result = body.result.ok_or_else(|| Malformed::missing("result"))?;
        let is_book = result.b.is_some() || result.a.is_some();
        match (expect, result.list.is_some(), is_book) {
            (_, true, true) => Err(Malformed::new("both a ticker list and a book")),
            (Expect::Book(_), true, false) => {
                Err(Malformed::new("a ticker list in an orderbook response"))
            }
            (Expect::Ticker, false, true) => {
                Err(Malformed::new("an order book in a tickers response"))
            }
            (Expect::Ticker | Expect::Any, true, false) => {
                let time = body.time.map(Timestamp::from_millis);
                self.rest_tickers(result, time, received, out)
            }
            (Expect::Book(_) | Expect::Any, false, true) => {
                self.rest_book(result, expect, received, out)
            }
            (Expect::Ticker, false, false) => Err(Malformed::missing("result.list")),
            (Expect::Book(_), false, false) => Err(Malformed::missing("result.b")),
            (Expect::Any, false, false) => Err(Malformed::new("neither a ticker list nor a book")),
        }
    }

    fn rest_tickers(
        &self,
        result: RestResult<'_>,
        time: Option<Timestamp>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        let mut class = FrameClass::Unknown;
        for (index, item) in result.list.into_iter().flatten().enumerate() {
            let symbol = item
                .symbol
                .ok_or_else(|| Malformed::new(format!("list[{index}]: missing field symbol")))?;
            let Some(market) = self.symbols.market(symbol) else {
                continue;
            };
            let ticker = ticker(&market, &item, time, received)
                .map_err(|Malformed(reason)| Malformed(format!("list[{index}]: {reason}")))?;
            out.push(MarketData::Ticker(ticker));
            class = FrameClass::Data;
        }
        Ok(class)
    }

    fn rest_book(
        &self,
        result: RestResult<'_>,
        expect: Expect<'_>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        let symbol = result.s.ok_or_else(|| Malformed::missing("result.s"))?;
        let market = match (self.symbols.market(symbol), expect) {
            (Some(market), Expect::Book(expected)) if *market != *expected => {
                return Err(Malformed::new(format!(
                    "a book of {symbol} in a response for {expected}"
                )));
            }
            (Some(market), _) => market,
            (None, Expect::Book(expected)) => {
                return Err(Malformed::new(format!(
                    "a book of {symbol} in a response for {expected}"
                )));
            }
            (None, _) => return Ok(FrameClass::Unknown),
        };
        let PairLevels(mut bids) = result.b.ok_or_else(|| Malformed::missing("result.b"))?;
        let PairLevels(mut asks) = result.a.ok_or_else(|| Malformed::missing("result.a"))?;
        resting(&mut bids, self.depth);
        resting(&mut asks, self.depth);
        check_best_first(&bids, &asks)?;
        out.push(MarketData::Book(BookSnapshot {
            exchange: Exchange::Bybit,
            market: (*market).clone(),
            bids,
            asks,
            seq: result.u,
            exchange_time: result.ts.map(Timestamp::from_millis),
            received,
        }));
        Ok(FrameClass::Data)
    }
}

/// Fails unless the symbol a payload names (if it names one) is its topic's.
fn check_symbol(topic: &str, named: Option<&str>, expected: &str) -> Result<(), Malformed> {
    match named {
        Some(symbol) if symbol != expected => {
            Err(Malformed::new(format!("{topic}: data of {symbol}")))
        }
        _ => Ok(()),
    }
}

/// A ticker of `market` from a WebSocket payload or REST list item.
fn ticker(
    market: &Market,
    data: &Data<'_>,
    exchange_time: Option<Timestamp>,
    received: Timestamp,
) -> Result<Ticker, Malformed> {
    Ok(Ticker {
        exchange: Exchange::Bybit,
        market: market.clone(),
        last: decimal("lastPrice", data.last_price)?,
        best_bid: decimal_opt("bid1Price", data.bid1_price.filter(|v| !v.text.is_empty()))?,
        best_ask: decimal_opt("ask1Price", data.ask1_price.filter(|v| !v.text.is_empty()))?,
        open_24h: decimal_opt("prevPrice24h", data.prev_price_24h)?,
        high_24h: decimal_opt("highPrice24h", data.high_price_24h)?,
        low_24h: decimal_opt("lowPrice24h", data.low_price_24h)?,
        volume_24h: decimal_opt("volume24h", data.volume_24h)?,
        exchange_time,
        received,
    })
}

/// `retCode: retMsg` of a REST error.
fn error_text(code: Raw<'_>, msg: Option<Raw<'_>>) -> String {
    match msg {
        Some(msg) if !msg.text().is_empty() => format!("{}: {}", code.text(), msg.text()),
        _ => code.text().into_owned(),
    }
}

impl ExchangeCodec for BybitCodec {
    fn decode_rest_for(
        &mut self,
        request: &str,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        BybitCodec::decode_rest_for(self, request, body, received, out)
    }

    fn exchange(&self) -> Exchange {
        Exchange::Bybit
    }

    fn markets(&self) -> &[Market] {
        self.symbols.markets()
    }

    /// `base` unchanged: the configured base is the full WebSocket URL.
    fn ws_url(&self, base: &str) -> String {
        base.to_string()
    }

    /// [`BybitCodec::topics`] in requests of at most [`ARGS_PER_REQUEST`] topics, each with a
    /// `req_id` hashed from its topics (the same on every connection). Nothing without markets.
    fn subscribe(&self, _now: Timestamp) -> Vec<String> {
        self.topics
            .chunks(ARGS_PER_REQUEST)
            .filter_map(|args| {
                let req_id = request::stable_id(args.iter().map(String::as_str));
                serde_json::to_string(&Subscribe {
                    req_id: &req_id,
                    op: "subscribe",
                    args,
                })
                .ok()
            })
            .collect()
    }

    /// [`PING`] every [`PING_INTERVAL`].
    fn keep_alive(&self) -> Option<(Duration, KeepAlive)> {
        Some((PING_INTERVAL, KeepAlive::Text(PING.to_string())))
    }

    /// Bybit documents no maximum for public connections.
    fn max_connection_lifetime(&self) -> Option<Duration> {
        None
    }

    /// A `tickers` or subscribed-depth `orderbook` push of a configured symbol is
    /// [`FrameClass::Data`]; another topic or symbol [`FrameClass::Unknown`]; the reply to a
    /// ping (or `{"op":"pong"}`) [`FrameClass::Pong`]; another successful reply
    /// [`FrameClass::Ack`]; a failed one [`FrameClass::Error`] with its `ret_msg`.
    fn decode(
        &mut self,
        frame: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Bybit, frame, out, |out| {
            json::expect_object(frame)?;
            let mut parsed = Frame::default();
            parsed.scan(frame)?;
            if let Some(topic) = parsed.topic {
                return self.push(topic, &mut parsed, received, out);
            }
            let ret_msg = parsed.ret_msg.map(|msg| msg.text());
            match (parsed.success, parsed.op) {
                (_, Some("pong")) => Ok(FrameClass::Pong),
                (Some(true), Some("ping")) => Ok(FrameClass::Pong),
                (Some(true), _) if ret_msg.as_deref() == Some("pong") => Ok(FrameClass::Pong),
                (Some(true), _) => Ok(FrameClass::Ack),
                (Some(false), _) => Ok(FrameClass::Error(
                    ret_msg.map(|msg| msg.into_owned()).unwrap_or_default(),
                )),
                (None, _) => Err(Malformed::new("neither a topic push, a reply nor a pong")),
            }
        })
    }

    /// One request per market: `/v5/market/tickers?category=spot&symbol=BTCUSDT`.
    fn rest_ticker_requests(&self) -> Vec<String> {
        self.symbols
            .codes()
            .iter()
            .map(|symbol| format!("{TICKERS_PATH}?category=spot&symbol={symbol}"))
            .collect()
    }

    /// One request per market at the subscribed depth, so REST and stream books agree:
    /// `/v5/market/orderbook?category=spot&symbol=BTCUSDT&limit=50`.
    fn rest_book_requests(&self) -> Vec<String> {
        self.symbols
            .codes()
            .iter()
            .map(|symbol| {
                format!(
                    "{ORDERBOOK_PATH}?category=spot&symbol={symbol}&limit={}",
                    self.depth
                )
            })
            .collect()
    }

    /// Bybit REST bodies name their symbol (tickers of other symbols are skipped), so no
    /// request is needed; `retCode` other than 0 is [`FrameClass::Error`] `retCode: retMsg`.
    fn decode_rest(
        &mut self,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Bybit, body, out, |out| {
            self.rest(body, Expect::Any, received, out)
        })
    }

    /// [`BookSync::Consecutive`]: each delta's `u` is the previous one plus one.
    fn book_sync(&self) -> BookSync {
        BookSync::Consecutive
    }
}

/// Builds the Bybit codec for `markets` with books of `depth` levels.
pub fn codec(markets: &[Market], depth: usize) -> Result<Box<dyn ExchangeCodec>, CodecSetupError> {
    Ok(Box::new(BybitCodec::new(markets, depth)?))
}
