//! Binance spot frames as sent: combined-stream events `{"stream":..,"data":..}` carrying a
//! `24hrTicker` or a partial book (`lastUpdateId`, `bids`, `asks`), replies to requests
//! (`{"result":null,"id":1}`), errors (`{"code":..,"msg":..}` as documented, and
//! `{"error":{"code":..,"msg":..},"id":..}` as servers send them), `serverShutdown`, and the REST
//! `ticker/24hr` and `depth` bodies.
//!
//! A frame is read in one pass: Binance writes `stream` before `data`, so by the time the payload
//! comes the stream name has said what it is, and the payload is read straight into that
//! stream's type ([`TickerEvent`], [`DepthEvent`]), or skipped for a stream the codec does not
//! know. Should `data` come first, it is kept raw and read once the stream is known. Prices and
//! quantities are JSON strings ([`DecimalStr`]), converted exactly by the codec.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::exchanges::book::PairLevels;
use crate::exchanges::json::{DecimalStr, ObjectOr, Raw};

/// What one of the codec's streams carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamKind {
    /// `<symbol>@ticker`: [`TickerEvent`].
    Ticker,
    /// `<symbol>@depth<N>@100ms` (partial book) or `<symbol>@depth@100ms` (diff):
    /// [`DepthEvent`].
    Depth,
}

/// The `24hrTicker` event of `<symbol>@ticker`.
#[derive(Debug, Deserialize)]
pub struct TickerEvent<'a> {
    /// Event type, `24hrTicker` (or `serverShutdown`).
    #[serde(rename = "e")]
    pub event: Option<&'a str>,
    /// Event time, ms since the epoch.
    #[serde(rename = "E")]
    pub event_time: Option<i64>,
    /// Symbol, `BTCUSDT`.
    #[serde(rename = "s")]
    pub symbol: Option<&'a str>,
    /// Last price.
    #[serde(rename = "c")]
    pub last: Option<DecimalStr<'a>>,
    /// Best bid price.
    #[serde(rename = "b")]
    pub best_bid: Option<DecimalStr<'a>>,
    /// Best ask price.
    #[serde(rename = "a")]
    pub best_ask: Option<DecimalStr<'a>>,
    /// Price 24 h ago.
    #[serde(rename = "o")]
    pub open: Option<DecimalStr<'a>>,
    /// 24 h high.
    #[serde(rename = "h")]
    pub high: Option<DecimalStr<'a>>,
    /// 24 h low.
    #[serde(rename = "l")]
    pub low: Option<DecimalStr<'a>>,
    /// 24 h volume in the base asset.
    #[serde(rename = "v")]
    pub volume: Option<DecimalStr<'a>>,
}

/// A book event: the partial book of `<symbol>@depth<N>@100ms` (no event type, no symbol, no
/// time: `lastUpdateId`, `bids`, `asks`), or the `depthUpdate` of the diff-depth stream
/// `<symbol>@depth@100ms` (`E`, `s`, `U`, `u`, `b`, `a`). Their fields do not overlap.
#[derive(Debug, Deserialize)]
pub struct DepthEvent<'a> {
    /// `depthUpdate` for a diff; otherwise present only if the server sent an event
    /// (`serverShutdown`) on this stream.
    #[serde(rename = "e")]
    pub event: Option<&'a str>,
    /// Partial book: the book's update id.
    #[serde(rename = "lastUpdateId")]
    pub last_update_id: Option<u64>,
    /// Partial book: bids, best first.
    pub bids: Option<PairLevels>,
    /// Partial book: asks, best first.
    pub asks: Option<PairLevels>,
    /// Diff: event time, ms since the epoch.
    #[serde(rename = "E")]
    pub event_time: Option<i64>,
    /// Diff: symbol, `BNBBTC`.
    #[serde(rename = "s")]
    pub symbol: Option<&'a str>,
    /// Diff: the first update id in the event.
    #[serde(rename = "U")]
    pub first_update_id: Option<u64>,
    /// Diff: the last update id in the event.
    #[serde(rename = "u")]
    pub final_update_id: Option<u64>,
    /// Diff: changed bid levels (quantity zero: remove the level).
    #[serde(rename = "b")]
    pub bid_changes: Option<PairLevels>,
    /// Diff: changed ask levels.
    #[serde(rename = "a")]
    pub ask_changes: Option<PairLevels>,
}

/// Any event, for the type only: what is read of a stream the codec does not know.
#[derive(Debug, Deserialize)]
pub struct AnyEvent<'a> {
    /// Event type, if the payload has a string one.
    #[serde(rename = "e", borrow)]
    pub event: Option<Raw<'a>>,
}

/// The `data` of a combined-stream frame.
#[derive(Debug)]
pub enum Payload<'a> {
    /// Of a ticker stream.
    Ticker(TickerEvent<'a>),
    /// Of a partial-book stream.
    Depth(DepthEvent<'a>),
    /// Of a stream the codec did not subscribe to.
    Other(ObjectOr<AnyEvent<'a>>),
    /// `data` came before `stream`: read it with [`Payload::read`] once the stream is known.
    Deferred(&'a RawValue),
}

impl<'a> Payload<'a> {
    /// Reads `data` for a stream of `kind` (`None`: not one of ours).
    pub fn read<D: Deserializer<'a>>(
        kind: Option<StreamKind>,
        deserializer: D,
    ) -> Result<Payload<'a>, D::Error> {
        Ok(match kind {
            Some(StreamKind::Ticker) => Payload::Ticker(TickerEvent::deserialize(deserializer)?),
            Some(StreamKind::Depth) => Payload::Depth(DepthEvent::deserialize(deserializer)?),
            None => Payload::Other(ObjectOr::deserialize(deserializer)?),
        })
    }
}

/// Anything that arrives on a combined-stream connection, read by [`FrameSeed`]. `T` is what
/// the codec's classifier says about the stream (its market and [`StreamKind`]).
#[derive(Debug)]
pub struct Frame<'a, T> {
    /// The stream name of an event, e.g. `btcusdt@depth20@100ms`.
    pub stream: Option<&'a str>,
    /// The classifier's verdict on `stream` (`None`: not one of ours, or no stream).
    pub target: Option<T>,
    /// The event.
    pub data: Option<Payload<'a>>,
    /// A `result` field was present (`null` included): a reply to a request.
    pub result: bool,
    /// Error code, in the documented flat error `{"code":2,"msg":".."}`.
    pub code: Option<Raw<'a>>,
    /// Error message, in the flat error.
    pub msg: Option<Raw<'a>>,
    /// The error as servers send it, nested: `{"error":{"code":2,"msg":".."},"id":1}`; kept
    /// raw and read by [`ErrorBody`].
    pub error: Option<Raw<'a>>,
    /// The type of an event sent outside the stream wrapper (`serverShutdown`).
    pub event: Option<&'a str>,
}

/// Reads a [`Frame`], classifying its stream with `classify` (a stream name to the codec's
/// market and [`StreamKind`], `None` for a stream it does not know).
pub struct FrameSeed<F>(pub F);

impl<'de, T, F: Fn(&str) -> Option<(T, StreamKind)>> DeserializeSeed<'de> for FrameSeed<F> {
    type Value = Frame<'de, (T, StreamKind)>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T, F: Fn(&str) -> Option<(T, StreamKind)>> Visitor<'de> for FrameSeed<F> {
    type Value = Frame<'de, (T, StreamKind)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Binance stream event, reply or error object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut frame = Frame {
            stream: None,
            target: None,
            data: None,
            result: false,
            code: None,
            msg: None,
            error: None,
            event: None,
        };
        let mut seen = [false; Key::COUNT];
        while let Some(key) = map.next_key::<Key>()? {
            if let Some(slot) = seen.get_mut(key as usize) {
                if *slot && key != Key::Other {
                    return Err(de::Error::custom(format!("duplicate field {}", key.name())));
                }
                *slot = true;
            }
            match key {
                Key::Stream => {
                    let stream: &'de str = map.next_value()?;
                    frame.target = (self.0)(stream);
                    frame.stream = Some(stream);
                }
                Key::Data => {
                    frame.data = Some(match frame.stream {
                        Some(_) => {
                            let kind = frame.target.as_ref().map(|(_, kind)| *kind);
                            map.next_value_seed(PayloadSeed(kind))?
                        }
                        None => Payload::Deferred(map.next_value()?),
                    });
                }
                Key::Result => {
                    map.next_value::<IgnoredAny>()?;
                    frame.result = true;
                }
                Key::Code => frame.code = map.next_value()?,
                Key::Msg => frame.msg = map.next_value()?,
                Key::Error => frame.error = map.next_value()?,
                Key::Event => frame.event = map.next_value()?,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(frame)
    }
}

/// Reads `data` for a known stream kind.
struct PayloadSeed(Option<StreamKind>);

impl<'de> DeserializeSeed<'de> for PayloadSeed {
    type Value = Payload<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Payload<'de>, D::Error> {
        Payload::read(self.0, deserializer)
    }
}

/// The top-level keys of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    Stream,
    Data,
    Result,
    Code,
    Msg,
    Error,
    Event,
    Other,
}

impl Key {
    const COUNT: usize = 8;

    fn name(self) -> &'static str {
        match self {
            Key::Stream => "stream",
            Key::Data => "data",
            Key::Result => "result",
            Key::Code => "code",
            Key::Msg => "msg",
            Key::Error => "error",
            Key::Event => "e",
            Key::Other => "other",
        }
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(match key {
            "stream" => Key::Stream,
            "data" => Key::Data,
            "result" => Key::Result,
            "code" => Key::Code,
            "msg" => Key::Msg,
            "error" => Key::Error,
            "e" => Key::Event,
            _ => Key::Other,
        })
    }
}

/// The object of a nested error reply.
#[derive(Debug, Deserialize)]
pub struct ErrorBody<'a> {
    /// Error code.
    #[serde(borrow)]
    pub code: Option<Raw<'a>>,
    /// Error message.
    #[serde(borrow)]
    pub msg: Option<Raw<'a>>,
}

/// A REST body: a `ticker/24hr` object, a `depth` object, or an error (their fields do not
/// overlap, so one struct reads all three).
#[derive(Debug, Deserialize)]
pub struct RestBody<'a> {
    /// Ticker: symbol, `BTCUSDT`.
    pub symbol: Option<&'a str>,
    /// Ticker: last price.
    #[serde(rename = "lastPrice")]
    pub last_price: Option<DecimalStr<'a>>,
    /// Ticker: best bid price.
    #[serde(rename = "bidPrice")]
    pub bid_price: Option<DecimalStr<'a>>,
    /// Ticker: best ask price.
    #[serde(rename = "askPrice")]
    pub ask_price: Option<DecimalStr<'a>>,
    /// Ticker: price 24 h ago.
    #[serde(rename = "openPrice")]
    pub open_price: Option<DecimalStr<'a>>,
    /// Ticker: 24 h high.
    #[serde(rename = "highPrice")]
    pub high_price: Option<DecimalStr<'a>>,
    /// Ticker: 24 h low.
    #[serde(rename = "lowPrice")]
    pub low_price: Option<DecimalStr<'a>>,
    /// Ticker: 24 h volume in the base asset.
    pub volume: Option<DecimalStr<'a>>,
    /// Ticker: end of the 24 h window, ms since the epoch.
    #[serde(rename = "closeTime")]
    pub close_time: Option<i64>,
    /// Depth: the book's update id.
    #[serde(rename = "lastUpdateId")]
    pub last_update_id: Option<u64>,
    /// Depth: bids, best first.
    pub bids: Option<PairLevels>,
    /// Depth: asks, best first.
    pub asks: Option<PairLevels>,
    /// Error code, e.g. `-1121`.
    #[serde(borrow)]
    pub code: Option<Raw<'a>>,
    /// Error message, e.g. `Invalid symbol.`.
    #[serde(borrow)]
    pub msg: Option<Raw<'a>>,
}
