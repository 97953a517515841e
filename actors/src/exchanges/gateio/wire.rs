//! Gate.io spot frames as sent: channel messages `{"time","time_ms","channel","event","result"}`
//! carrying a `spot.tickers` update or a book (`spot.order_book` snapshots,
//! `spot.order_book_update` and `spot.obu` snapshots and deltas), subscription replies
//! (`"event":"subscribe"`, `"error":null`, `"result":{"status":"success"}`), errors
//! (`"error":{"code":..,"message":..}`), `spot.pong`, and the REST `spot/tickers` and
//! `spot/order_book` bodies.
//!
//! A frame is read in one pass: Gate writes `channel` (and `event`) before `result`, so by the
//! time the result comes the channel has said what it is, and it is read straight into that
//! channel's type ([`TickerResult`], [`BookResult`]). Should `result` come first, it is kept raw
//! and read once the channel is known. Prices and quantities are JSON strings
//! ([`DecimalStr`]), converted exactly by the codec.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::exchanges::book::PairLevels;
use crate::exchanges::json::{DecimalStr, ObjectOr, Raw};

/// What a channel's `result` carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelKind {
    /// `spot.tickers`: [`TickerResult`].
    Ticker,
    /// `spot.order_book`, `spot.order_book_update`, `spot.obu`: [`BookResult`].
    Book,
}

/// The `result` of a `spot.tickers` update (and an element of the REST `spot/tickers` array).
#[derive(Debug, Deserialize)]
pub struct TickerResult<'a> {
    /// Currency pair, `BTC_USDT`.
    pub currency_pair: Option<&'a str>,
    /// Last price.
    #[serde(borrow)]
    pub last: Option<DecimalStr<'a>>,
    /// Best ask price.
    #[serde(borrow)]
    pub lowest_ask: Option<DecimalStr<'a>>,
    /// Best bid price.
    #[serde(borrow)]
    pub highest_bid: Option<DecimalStr<'a>>,
    /// 24 h high.
    #[serde(borrow)]
    pub high_24h: Option<DecimalStr<'a>>,
    /// 24 h low.
    #[serde(borrow)]
    pub low_24h: Option<DecimalStr<'a>>,
    /// 24 h volume in the base currency.
    #[serde(borrow)]
    pub base_volume: Option<DecimalStr<'a>>,
    /// REST error label, e.g. `INVALID_CURRENCY_PAIR` (only in an error body).
    #[serde(borrow)]
    pub label: Option<Raw<'a>>,
    /// REST error message (only in an error body).
    #[serde(borrow)]
    pub message: Option<Raw<'a>>,
}

/// The `result` of any of the three book channels; their fields differ only in which are
/// present: `spot.order_book` has `lastUpdateId`, `bids`, `asks`; `spot.order_book_update`
/// has `U`, `u`, `b`, `a` and `full` on a snapshot; `spot.obu` the same with `s` naming the
/// stream (`ob.BTC_USDT.50`).
#[derive(Debug, Deserialize)]
pub struct BookResult<'a> {
    /// Book time, ms since the epoch.
    pub t: Option<i64>,
    /// The pair (`BTC_USDT`), or for `spot.obu` the stream (`ob.BTC_USDT.50`).
    pub s: Option<&'a str>,
    /// `true` on a full snapshot of a delta channel.
    pub full: Option<bool>,
    /// First update id a delta covers.
    #[serde(rename = "U")]
    pub first_id: Option<u64>,
    /// Last update id a delta (or delta-channel snapshot) covers.
    #[serde(rename = "u")]
    pub last_id: Option<u64>,
    /// `spot.order_book`: the snapshot's update id.
    #[serde(rename = "lastUpdateId")]
    pub last_update_id: Option<u64>,
    /// `spot.order_book`: bids, best first.
    pub bids: Option<PairLevels>,
    /// `spot.order_book`: asks, best first.
    pub asks: Option<PairLevels>,
    /// Delta channels: bid levels (in a delta, not necessarily sorted).
    pub b: Option<PairLevels>,
    /// Delta channels: ask levels.
    pub a: Option<PairLevels>,
}

/// The `result` of a reply: `{"status":"success"}` or `{"status":"fail"}`.
#[derive(Debug, Deserialize)]
pub struct StatusResult<'a> {
    /// `success` or `fail`.
    #[serde(borrow)]
    pub status: Option<Raw<'a>>,
}

/// An error object `{"code":2,"message":"invalid argument"}`.
#[derive(Debug, Deserialize)]
pub struct ErrorBody<'a> {
    /// Error code.
    #[serde(borrow)]
    pub code: Option<Raw<'a>>,
    /// Error message.
    #[serde(borrow)]
    pub message: Option<Raw<'a>>,
}

/// The `result` of a frame.
#[derive(Debug)]
pub enum Payload<'a> {
    /// Of a ticker update.
    Ticker(ObjectOr<TickerResult<'a>>),
    /// Of a book update.
    Book(ObjectOr<BookResult<'a>>),
    /// Of a reply, or of a channel the codec does not read.
    Other(ObjectOr<StatusResult<'a>>),
    /// `result` came before `channel`: read it with [`Payload::read`] once the channel is known.
    Deferred(&'a RawValue),
}

impl<'a> Payload<'a> {
    /// Reads `result` for a message of `kind` (`None`: a reply, or not one of ours).
    pub fn read<D: Deserializer<'a>>(
        kind: Option<ChannelKind>,
        deserializer: D,
    ) -> Result<Payload<'a>, D::Error> {
        Ok(match kind {
            Some(ChannelKind::Ticker) => Payload::Ticker(ObjectOr::deserialize(deserializer)?),
            Some(ChannelKind::Book) => Payload::Book(ObjectOr::deserialize(deserializer)?),
            None => Payload::Other(ObjectOr::deserialize(deserializer)?),
        })
    }
}

/// The kind of `channel`'s data, `None` for a channel the codec does not read.
pub fn channel_kind(channel: &str) -> Option<ChannelKind> {
    match channel {
        "spot.tickers" => Some(ChannelKind::Ticker),
        "spot.order_book" | "spot.order_book_update" | "spot.obu" => Some(ChannelKind::Book),
        _ => None,
    }
}

/// The kind of data in a message of `channel` with `event` (`None` for `spot.obu`, which sends
/// none); `None` for replies and channels the codec does not read.
pub fn data_kind(channel: &str, event: Option<&str>) -> Option<ChannelKind> {
    match event {
        None | Some("update") => channel_kind(channel),
        Some(_) => None,
    }
}

/// Anything that arrives on a Gate.io spot connection, read by [`FrameSeed`].
#[derive(Debug)]
pub struct Frame<'a> {
    /// Send time, s since the epoch.
    pub time: Option<i64>,
    /// Send time, ms since the epoch.
    pub time_ms: Option<i64>,
    /// Channel, e.g. `spot.tickers`.
    pub channel: Option<&'a str>,
    /// `update`, `subscribe`, `unsubscribe`; absent on `spot.obu` data.
    pub event: Option<&'a str>,
    /// The error of a reply; `null` (read as `None`) on success.
    pub error: Option<Raw<'a>>,
    /// The result.
    pub result: Option<Payload<'a>>,
}

/// Reads a [`Frame`] in one pass.
pub struct FrameSeed;

impl<'de> DeserializeSeed<'de> for FrameSeed {
    type Value = Frame<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Frame<'de>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FrameSeed {
    type Value = Frame<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Gate.io channel message or reply object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Frame<'de>, A::Error> {
        let mut frame = Frame {
            time: None,
            time_ms: None,
            channel: None,
            event: None,
            error: None,
            result: None,
        };
        let mut seen = [false; Key::COUNT];
        while let Some(key) = map.next_key::<Key>()? {
            if key != Key::Other
                && let Some(slot) = seen.get_mut(key as usize)
            {
                if *slot {
                    return Err(de::Error::custom(format!("duplicate field {}", key.name())));
                }
                *slot = true;
            }
            match key {
                Key::Time => frame.time = map.next_value()?,
                Key::TimeMs => frame.time_ms = map.next_value()?,
                Key::Channel => frame.channel = map.next_value()?,
                Key::Event => frame.event = map.next_value()?,
                Key::Error => frame.error = map.next_value()?,
                Key::Result => {
                    frame.result = Some(match frame.channel {
                        Some(channel) => {
                            map.next_value_seed(PayloadSeed(data_kind(channel, frame.event)))?
                        }
                        None => Payload::Deferred(map.next_value()?),
                    });
                }
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(frame)
    }
}

/// Reads `result` for a known kind.
struct PayloadSeed(Option<ChannelKind>);

impl<'de> DeserializeSeed<'de> for PayloadSeed {
    type Value = Payload<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Payload<'de>, D::Error> {
        Payload::read(self.0, deserializer)
    }
}

/// The top-level keys of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    Time,
    TimeMs,
    Channel,
    Event,
    Error,
    Result,
    Other,
}

impl Key {
    const COUNT: usize = 7;

    fn name(self) -> &'static str {
        match self {
            Key::Time => "time",
            Key::TimeMs => "time_ms",
            Key::Channel => "channel",
            Key::Event => "event",
            Key::Error => "error",
            Key::Result => "result",
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
            "time" => Key::Time,
            "time_ms" => Key::TimeMs,
            "channel" => Key::Channel,
            "event" => Key::Event,
            "error" => Key::Error,
            "result" => Key::Result,
            _ => Key::Other,
        })
    }
}

/// A REST `spot/order_book` body `{"id","current","update","asks","bids"}`, or an error body
/// `{"label":..,"message":..}` (their fields do not overlap, so one struct reads both).
#[derive(Debug, Deserialize)]
pub struct RestBook<'a> {
    /// The book's update id (with `with_id=true`).
    pub id: Option<u64>,
    /// When the response was generated, ms since the epoch.
    pub current: Option<i64>,
    /// When the book last changed, ms since the epoch.
    pub update: Option<i64>,
    /// Asks, best first.
    pub asks: Option<PairLevels>,
    /// Bids, best first.
    pub bids: Option<PairLevels>,
    /// Error label, e.g. `INVALID_CURRENCY_PAIR`.
    #[serde(borrow)]
    pub label: Option<Raw<'a>>,
    /// Error message.
    #[serde(borrow)]
    pub message: Option<Raw<'a>>,
}
