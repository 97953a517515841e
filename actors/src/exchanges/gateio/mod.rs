//! Gate.io spot (API v4): tickers and order book over the WebSocket, and the REST fallbacks.
//!
//! - WebSocket: the configured base *is* the URL (default [`DEFAULT_WS_URL`]). One request per
//!   channel, each its own frame: `{"time":<s>,"channel":"spot.tickers","event":"subscribe",
//!   "payload":["BTC_USDT",..]}`, then per market `{"time":<s>,"channel":
//!   "spot.order_book_update","event":"subscribe","payload":["BTC_USDT","100ms"]}`. Replies
//!   carry `"event":"subscribe"`, `"error":null` and `"result":{"status":"success"}`
//!   ([`FrameClass::Ack`]), or an error object ([`FrameClass::Error`]).
//! - Order book: `spot.order_book_update` at `20ms` (20 levels) or `100ms` (100 levels), the
//!   smallest that covers the depth asked for. Its first message (and any later resync) is a
//!   full snapshot (`"full":true`) emitted as [`MarketData::Book`] with `u` as its sequence;
//!   the rest are deltas covering update ids `U..=u` ([`MarketData::Delta`], `first_seq`/`seq`),
//!   followed with [`BookSync::Ranges`]: a delta must start at the previous `u` + 1. Quantity
//!   `"0"` deletes a level; delta levels are kept as sent (Gate does not sort them). The other
//!   two book channels decode too: `spot.obu` (Order Book V2, `s` = `ob.BTC_USDT.50`, same
//!   rules) and `spot.order_book` (every push a full top-N snapshot with `lastUpdateId`). No
//!   checksum on any spot book channel.
//! - Ticker `spot.tickers`: `last`, `highest_bid`/`lowest_ask`, `high_24h`/`low_24h`,
//!   `base_volume`; no open price. Numbers are JSON strings, read exactly.
//! - Keep-alive: WebSocket ping frames every [`PING_INTERVAL`] (Gate answers protocol pings;
//!   the application `spot.ping` would need the current time in the frame). A `spot.pong`
//!   reply is [`FrameClass::Pong`]. No documented maximum connection lifetime.
//! - REST (relative to `https://api.gateio.ws`): `/api/v4/spot/tickers?currency_pair=BTC_USDT`
//!   (an array) and `/api/v4/spot/order_book?currency_pair=BTC_USDT&limit=N&with_id=true`,
//!   one request per market. A book body does not name its market; see
//!   [`GateioCodec::decode_rest_for`]. Errors arrive as `{"label":..,"message":..}`.

pub mod symbols;
pub mod wire;

#[cfg(test)]
mod tests;

use std::time::Duration;

use premia_events::marketdata::{BookDelta, BookSnapshot, MarketData, Ticker};
use premia_events::{Exchange, Market, Timestamp};
use serde_json::Value;

use self::wire::{
    BookResult, ErrorBody, Frame, Payload, RestBook, StatusResult, TickerResult, data_kind,
};
use super::book::{PairLevels, check_best_first, kept_depth, pick_depth, resting};
use super::json::{self, Malformed, ObjectOr, Raw, decimal, decimal_opt, guarded};
use super::request;
use super::symbol_map::SymbolMap;
use super::{BookSync, CodecSetupError, DecodeError, ExchangeCodec, FrameClass, KeepAlive};

/// Gate.io's public spot WebSocket URL.
pub const DEFAULT_WS_URL: &str = "wss://api.gateio.ws/ws/v4/";

/// Gate.io's REST base URL; the REST requests are relative to it (`/api/v4/..`).
pub const DEFAULT_REST_URL: &str = "https://api.gateio.ws";

/// The depths of `spot.order_book_update`, in levels per side: 20 at `20ms`, 100 at `100ms`.
pub const DEPTHS: [usize; 2] = [20, 100];

/// How often to send a WebSocket ping.
pub const PING_INTERVAL: Duration = Duration::from_secs(10);

const TICKERS_CHANNEL: &str = "spot.tickers";
const BOOK_CHANNEL: &str = "spot.order_book_update";
const SNAPSHOT_CHANNEL: &str = "spot.order_book";
const OBU_CHANNEL: &str = "spot.obu";
const PONG_CHANNEL: &str = "spot.pong";

const TICKERS_PATH: &str = "/api/v4/spot/tickers";
const ORDER_BOOK_PATH: &str = "/api/v4/spot/order_book";

/// What a REST body is expected to be.
#[derive(Clone, Copy, Debug)]
enum Expect<'m> {
    /// Whatever it is (the trait's `decode_rest`, which has no request).
    Any,
    /// A `spot/tickers` response.
    Tickers,
    /// A `spot/order_book` response for this market.
    Book(&'m Market),
}

/// The Gate.io spot codec for a fixed set of markets and a book depth.
#[derive(Clone, Debug)]
pub struct GateioCodec {
    /// `BTC_USDT` ↔ market.
    symbols: SymbolMap,
    depth: usize,
}

impl GateioCodec {
    /// A codec for `markets` (pairs `BTC_USDT`, ...) with books of the smallest offered depth
    /// that covers `depth` (at most 100). A market listed twice is refused.
    pub fn new(markets: &[Market], depth: usize) -> Result<GateioCodec, CodecSetupError> {
        Ok(GateioCodec {
            symbols: SymbolMap::with_discovery(
                Exchange::Gateio,
                markets,
                symbols::pair,
                symbols::parse_pair,
            )?,
            depth: kept_depth(markets, pick_depth(depth, &DEPTHS)),
        })
    }

    /// The subscribed book depth, in levels per side: one of [`DEPTHS`].
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The `spot.order_book_update` interval that gives [`GateioCodec::depth`] levels.
    pub fn interval(&self) -> &'static str {
        if self.depth <= 20 { "20ms" } else { "100ms" }
    }

    /// Decodes the body of `request`, one of this codec's REST requests. The request says what
    /// the body is and, for an order book (which names no market), whose book it is: the
    /// `currency_pair` of `/api/v4/spot/order_book?currency_pair=BTC_USDT&..`.
    pub fn decode_rest_for(
        &mut self,
        request: &str,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Gateio, body, out, |out| {
            let market;
            let expect = match request::path(request) {
                TICKERS_PATH => Expect::Tickers,
                ORDER_BOOK_PATH => {
                    let pair = request::query_param(request, "currency_pair")
                        .ok_or_else(|| Malformed::new(format!("{request}: no currency_pair")))?;
                    market = self.symbols.market(pair).ok_or_else(|| {
                        Malformed::new(format!("{request}: pair {pair} is not configured"))
                    })?;
                    Expect::Book(&market)
                }
                other => {
                    return Err(Malformed::new(format!(
                        "{other} is not a Gate.io tickers or order_book request"
                    )));
                }
            };
            self.rest(body, expect, received, out)
        })
    }

    /// A channel message with data.
    fn channel_data(
        &self,
        channel: &str,
        payload: &mut Payload<'_>,
        time: Option<Timestamp>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        match payload {
            Payload::Ticker(ObjectOr::Object(result)) => {
                self.push_ticker(result, time, received, out)
            }
            Payload::Book(ObjectOr::Object(result)) => {
                self.push_book(channel, result, time, received, out)
            }
            Payload::Ticker(ObjectOr::Other) | Payload::Book(ObjectOr::Other) => Err(
                Malformed::new(format!("{channel}: result is not an object")),
            ),
            Payload::Other(_) => Ok(FrameClass::Unknown),
            Payload::Deferred(raw) => {
                let mut payload = Payload::read_deferred(data_kind(channel, Some("update")), raw)?;
                if let Payload::Deferred(_) = payload {
                    return Err(Malformed::new("result read twice"));
                }
                self.channel_data(channel, &mut payload, time, received, out)
            }
        }
    }

    /// A ticker (stream or REST). A pair not configured is skipped ([`FrameClass::Unknown`]).
    fn push_ticker(
        &self,
        result: &TickerResult<'_>,
        time: Option<Timestamp>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        let pair = result
            .currency_pair
            .ok_or_else(|| Malformed::missing("currency_pair"))?;
        let Some(market) = self.symbols.market(pair) else {
            return Ok(FrameClass::Unknown);
        };
        out.push(MarketData::Ticker(Ticker {
            exchange: Exchange::Gateio,
            market: (*market).clone(),
            last: decimal("last", result.last)?,
            best_bid: decimal_opt("highest_bid", result.highest_bid)?,
            best_ask: decimal_opt("lowest_ask", result.lowest_ask)?,
            open_24h: None,
            high_24h: decimal_opt("high_24h", result.high_24h)?,
            low_24h: decimal_opt("low_24h", result.low_24h)?,
            volume_24h: decimal_opt("base_volume", result.base_volume)?,
            exchange_time: time,
            received,
        }));
        Ok(FrameClass::Data)
    }

    /// A book message of one of the three book channels.
    fn push_book(
        &self,
        channel: &str,
        result: &mut BookResult<'_>,
        time: Option<Timestamp>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        let s = result.s.ok_or_else(|| Malformed::missing("s"))?;
        let pair = if channel == OBU_CHANNEL {
            symbols::obu_pair(s).ok_or_else(|| {
                Malformed::new(format!("s: {s} is not an ob.<pair>.<level> stream"))
            })?
        } else {
            s
        };
        let Some(market) = self.symbols.market(pair) else {
            return Ok(FrameClass::Unknown);
        };
        let exchange_time = result.t.map(Timestamp::from_millis).or(time);
        if channel == SNAPSHOT_CHANNEL {
            let seq = result
                .last_update_id
                .ok_or_else(|| Malformed::missing("lastUpdateId"))?;
            out.push(MarketData::Book(self.snapshot(
                &market,
                result.bids.take(),
                result.asks.take(),
                Some(seq),
                exchange_time,
                received,
                ("bids", "asks"),
            )?));
            return Ok(FrameClass::Data);
        }
        let last_id = result.last_id.ok_or_else(|| Malformed::missing("u"))?;
        if result.full == Some(true) {
            out.push(MarketData::Book(self.snapshot(
                &market,
                result.b.take(),
                result.a.take(),
                Some(last_id),
                exchange_time,
                received,
                ("b", "a"),
            )?));
            return Ok(FrameClass::Data);
        }
        let first_id = result.first_id.ok_or_else(|| Malformed::missing("U"))?;
        if first_id > last_id {
            return Err(Malformed::new(format!(
                "update ids run backwards: U {first_id} > u {last_id}"
            )));
        }
        let PairLevels(bids) = result.b.take().ok_or_else(|| Malformed::missing("b"))?;
        let PairLevels(asks) = result.a.take().ok_or_else(|| Malformed::missing("a"))?;
        out.push(MarketData::Delta(BookDelta {
            exchange: Exchange::Gateio,
            market: (*market).clone(),
            bids,
            asks,
            first_seq: Some(first_id),
            seq: Some(last_id),
            prev_seq: None,
            checksum: None,
            exchange_time,
            received,
        }));
        Ok(FrameClass::Data)
    }

    /// A full book: zero-quantity levels dropped, best first, cut to the subscribed depth.
    #[allow(clippy::too_many_arguments)]
    fn snapshot(
        &self,
        market: &Market,
        bids: Option<PairLevels>,
        asks: Option<PairLevels>,
        seq: Option<u64>,
        exchange_time: Option<Timestamp>,
        received: Timestamp,
        (bids_name, asks_name): (&str, &str),
    ) -> Result<BookSnapshot, Malformed> {
        let PairLevels(mut bids) = bids.ok_or_else(|| Malformed::missing(bids_name))?;
        let PairLevels(mut asks) = asks.ok_or_else(|| Malformed::missing(asks_name))?;
        resting(&mut bids, self.depth);
        resting(&mut asks, self.depth);
        check_best_first(&bids, &asks)?;
        Ok(BookSnapshot {
            exchange: Exchange::Gateio,
            market: market.clone(),
            bids,
            asks,
            seq,
            exchange_time,
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
                if let Expect::Book(_) = expect {
                    return Err(Malformed::new("an array in an order_book response"));
                }
                let items: Vec<TickerResult<'_>> = json::parse(body)?;
                let mut class = FrameClass::Unknown;
                for (index, item) in items.iter().enumerate() {
                    let decoded = self
                        .push_ticker(item, None, received, out)
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
        let item: RestBook<'_> = json::parse(body)?;
        if item.label.is_some() || item.message.is_some() {
            return Ok(FrameClass::Error(error_text(item.label, item.message)));
        }
        let market = match expect {
            Expect::Tickers => {
                return Err(Malformed::new("an object in a tickers response"));
            }
            Expect::Book(market) => market,
            Expect::Any => self.only_market()?,
        };
        let exchange_time = item.current.or(item.update).map(Timestamp::from_millis);
        out.push(MarketData::Book(self.snapshot(
            market,
            item.bids,
            item.asks,
            item.id,
            exchange_time,
            received,
            ("bids", "asks"),
        )?));
        Ok(FrameClass::Data)
    }

    /// The market of an order-book body decoded without its request: only unambiguous with a
    /// single configured market.
    fn only_market(&self) -> Result<&Market, Malformed> {
        self.symbols
            .only_market("an order_book body", "GateioCodec::decode_rest_for")
    }

    /// One subscribe request sent at `now` (Gate requires its `time`, in seconds, within 60 s
    /// of its own clock).
    fn request(channel: &str, payload: Vec<Value>, now: Timestamp) -> String {
        let mut frame = serde_json::Map::new();
        let secs = now.nanos().div_euclid(1_000_000_000);
        frame.insert("time".into(), Value::from(secs));
        frame.insert("channel".into(), Value::from(channel));
        frame.insert("event".into(), Value::from("subscribe"));
        frame.insert("payload".into(), Value::Array(payload));
        Value::Object(frame).to_string()
    }
}

/// `code: message` of an error.
fn error_text(code: Option<Raw<'_>>, message: Option<Raw<'_>>) -> String {
    match (code, message) {
        (Some(code), Some(message)) => format!("{}: {}", code.text(), message.text()),
        (Some(text), None) | (None, Some(text)) => text.text().into_owned(),
        (None, None) => String::new(),
    }
}

/// The text of an error object `{"code":..,"message":..}`, or the value as written if it is
/// not one.
fn reply_error_text(error: Raw<'_>) -> String {
    match serde_json::from_str::<ErrorBody<'_>>(error.token()) {
        Ok(ErrorBody {
            code: None,
            message: None,
        })
        | Err(_) => error.text().into_owned(),
        Ok(ErrorBody { code, message }) => error_text(code, message),
    }
}

impl ExchangeCodec for GateioCodec {
    fn decode_rest_for(
        &mut self,
        request: &str,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        GateioCodec::decode_rest_for(self, request, body, received, out)
    }

    fn exchange(&self) -> Exchange {
        Exchange::Gateio
    }

    fn markets(&self) -> &[Market] {
        self.symbols.markets()
    }

    /// `base` unchanged: the configured base is the full WebSocket URL.
    fn ws_url(&self, base: &str) -> String {
        base.to_string()
    }

    /// `spot.tickers` for all markets in one frame, then `spot.order_book_update` for each
    /// market at [`GateioCodec::interval`] (that channel takes one pair per request). Nothing
    /// when there are no markets.
    fn subscribe(&self, now: Timestamp) -> Vec<String> {
        if self.symbols.is_empty() {
            return Vec::new();
        }
        let pairs = self
            .symbols
            .codes()
            .iter()
            .map(|pair| Value::from(pair.as_str()));
        let mut frames = vec![Self::request(TICKERS_CHANNEL, pairs.collect(), now)];
        frames.extend(self.symbols.codes().iter().map(|pair| {
            Self::request(
                BOOK_CHANNEL,
                vec![Value::from(pair.as_str()), Value::from(self.interval())],
                now,
            )
        }));
        frames
    }

    /// WebSocket ping frames every [`PING_INTERVAL`].
    fn keep_alive(&self) -> Option<(Duration, KeepAlive)> {
        Some((PING_INTERVAL, KeepAlive::PingFrame))
    }

    /// Gate.io documents no maximum.
    fn max_connection_lifetime(&self) -> Option<Duration> {
        None
    }

    /// A ticker or book message of a configured pair is [`FrameClass::Data`] (books of all
    /// three book channels); of another pair or channel [`FrameClass::Unknown`]; a reply with
    /// `"error":null` [`FrameClass::Ack`], with an error object (or `status` `fail`)
    /// [`FrameClass::Error`]; `spot.pong` [`FrameClass::Pong`].
    fn decode(
        &mut self,
        frame: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Gateio, frame, out, |out| {
            json::expect_object(frame)?;
            let mut parsed = Frame::default();
            parsed.scan(frame)?;
            if let Some(error) = parsed.error {
                return Ok(FrameClass::Error(reply_error_text(error)));
            }
            let channel = parsed
                .channel
                .ok_or_else(|| Malformed::new("no channel field"))?;
            if channel == PONG_CHANNEL {
                return Ok(FrameClass::Pong);
            }
            match parsed.event {
                None | Some("update") => {}
                Some("subscribe" | "unsubscribe") => {
                    return Ok(match parsed.result {
                        Some(Payload::Other(ObjectOr::Object(StatusResult {
                            status: Some(status),
                        }))) if status.text() != "success" => {
                            FrameClass::Error(format!("{channel}: {}", status.text()))
                        }
                        _ => FrameClass::Ack,
                    });
                }
                Some(_) => return Ok(FrameClass::Unknown),
            }
            if data_kind(channel, parsed.event).is_none() {
                return Ok(FrameClass::Unknown);
            }
            let time = parsed
                .time_ms
                .map(Timestamp::from_millis)
                .or(parsed.time.map(Timestamp::from_secs));
            let payload = parsed
                .result
                .as_mut()
                .ok_or_else(|| Malformed::missing("result"))?;
            self.channel_data(channel, payload, time, received, out)
        })
    }

    /// One request per market: `/api/v4/spot/tickers?currency_pair=BTC_USDT`.
    fn rest_ticker_requests(&self) -> Vec<String> {
        self.symbols
            .codes()
            .iter()
            .map(|pair| format!("{TICKERS_PATH}?currency_pair={pair}"))
            .collect()
    }

    /// One request per market, at the subscribed depth, with the book's update id:
    /// `/api/v4/spot/order_book?currency_pair=BTC_USDT&limit=20&with_id=true`.
    fn rest_book_requests(&self) -> Vec<String> {
        self.symbols
            .codes()
            .iter()
            .map(|pair| {
                format!(
                    "{ORDER_BOOK_PATH}?currency_pair={pair}&limit={}&with_id=true",
                    self.depth
                )
            })
            .collect()
    }

    /// Ticker bodies (an array of objects naming their `currency_pair`) and error bodies
    /// `{"label":..,"message":..}` decode here. An order-book body names no market: with a
    /// single configured market it is that market's book; with several it is refused rather
    /// than guessed. Decode those with [`GateioCodec::decode_rest_for`].
    fn decode_rest(
        &mut self,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Gateio, body, out, |out| {
            self.rest(body, Expect::Any, received, out)
        })
    }

    /// Deltas cover `U..=u`; the next must start at the previous `u` + 1.
    fn book_sync(&self) -> BookSync {
        BookSync::Ranges
    }
}

/// Builds the Gate.io codec for `markets` with books of `depth` levels.
pub fn codec(markets: &[Market], depth: usize) -> Result<Box<dyn ExchangeCodec>, CodecSetupError> {
    Ok(Box::new(GateioCodec::new(markets, depth)?))
}
