//! Kraken spot frames as sent: WebSocket v2 channel messages `{"channel","type","data":[..]}`
//! (`ticker`, `book`, `instrument`, and the unsolicited `status` and `heartbeat`), method replies
//! `{"method":"subscribe"|"pong",..,"success":..,"error":..}`, and the REST envelope
//! `{"error":[..],"result":{<pair key>:{..}}}` of `Ticker` and `Depth`.
//!
//! A frame is read in one pass: Kraken writes `channel` (and `type`) before `data`, so the data
//! is read straight into that channel's type ([`TickerItem`], [`BookItem`], [`InstrumentData`]).
//! Should `data` come first, it is kept raw and read once the channel is known. WebSocket v2
//! writes prices and quantities as JSON numbers (`0.5666`, `740.0`), kept as raw tokens
//! ([`Raw`]) and converted exactly by the codec; REST writes them as strings.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::exchanges::json::{DecimalStr, Raw};

/// The channels whose data the codec reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelKind {
    /// `ticker`: [`TickerItem`]s.
    Ticker,
    /// `book`: [`BookItem`]s.
    Book,
    /// `instrument`: [`InstrumentData`], for the pairs' precisions.
    Instrument,
}

/// The kind of `channel`, `None` for one the codec does not read.
pub fn channel_kind(channel: &str) -> Option<ChannelKind> {
    match channel {
        "ticker" => Some(ChannelKind::Ticker),
        "book" => Some(ChannelKind::Book),
        "instrument" => Some(ChannelKind::Instrument),
        _ => None,
    }
}

/// One symbol's ticker.
#[derive(Debug, Deserialize)]
pub struct TickerItem<'a> {
    /// The symbol, `BTC/USD`.
    pub symbol: Option<&'a str>,
    /// Best bid price.
    #[serde(borrow)]
    pub bid: Option<Raw<'a>>,
    /// Best ask price.
    #[serde(borrow)]
    pub ask: Option<Raw<'a>>,
    /// Last trade price.
    #[serde(borrow)]
    pub last: Option<Raw<'a>>,
    /// 24 h volume in the base currency.
    #[serde(borrow)]
    pub volume: Option<Raw<'a>>,
    /// 24 h low.
    #[serde(borrow)]
    pub low: Option<Raw<'a>>,
    /// 24 h high.
    #[serde(borrow)]
    pub high: Option<Raw<'a>>,
    /// RFC 3339 time, `2023-09-25T09:04:31.742648Z` (newer messages only).
    pub timestamp: Option<&'a str>,
}

/// One price level `{"price":0.5666,"qty":4831.75496356}`.
#[derive(Debug, Deserialize)]
pub struct LevelItem<'a> {
    /// Price.
    #[serde(borrow)]
    pub price: Option<Raw<'a>>,
    /// Quantity (absolute; zero removes the level in an update).
    #[serde(borrow)]
    pub qty: Option<Raw<'a>>,
}

/// One symbol's book snapshot or update.
#[derive(Debug, Deserialize)]
pub struct BookItem<'a> {
    /// The symbol, `BTC/USD`.
    pub symbol: Option<&'a str>,
    /// Bids (best first in a snapshot).
    #[serde(borrow)]
    pub bids: Option<Vec<LevelItem<'a>>>,
    /// Asks (best first in a snapshot).
    #[serde(borrow)]
    pub asks: Option<Vec<LevelItem<'a>>>,
    /// CRC32 of the top 10 levels after this message.
    pub checksum: Option<u32>,
    /// RFC 3339 time.
    pub timestamp: Option<&'a str>,
}

/// The `instrument` channel's data: what the codec reads of it is the pairs' precisions.
#[derive(Debug, Deserialize)]
pub struct InstrumentData<'a> {
    /// Tradeable pairs.
    #[serde(borrow)]
    pub pairs: Option<Vec<PairInfo<'a>>>,
}

/// One pair of the `instrument` channel.
#[derive(Debug, Deserialize)]
pub struct PairInfo<'a> {
    /// The symbol, `BTC/USD`.
    pub symbol: Option<&'a str>,
    /// Decimal places of prices.
    pub price_precision: Option<u32>,
    /// Decimal places of quantities.
    pub qty_precision: Option<u32>,
}

/// The `data` of a channel message.
#[derive(Debug)]
pub enum Payload<'a> {
    /// Of `ticker`.
    Ticker(Vec<TickerItem<'a>>),
    /// Of `book`.
    Book(Vec<BookItem<'a>>),
    /// Of `instrument`.
    Instrument(InstrumentData<'a>),
    /// Of a channel the codec does not read (`status`, `trade`, ...), skipped.
    Other,
    /// `data` came before `channel`: read it with [`Payload::read`] once the channel is known.
    Deferred(&'a RawValue),
}

impl<'a> Payload<'a> {
    /// Reads `data` for a channel of `kind` (`None`: not one the codec reads).
    pub fn read<D: Deserializer<'a>>(
        kind: Option<ChannelKind>,
        deserializer: D,
    ) -> Result<Payload<'a>, D::Error> {
        Ok(match kind {
            Some(ChannelKind::Ticker) => Payload::Ticker(Vec::deserialize(deserializer)?),
            Some(ChannelKind::Book) => Payload::Book(Vec::deserialize(deserializer)?),
            Some(ChannelKind::Instrument) => {
                Payload::Instrument(InstrumentData::deserialize(deserializer)?)
            }
            None => {
                IgnoredAny::deserialize(deserializer)?;
                Payload::Other
            }
        })
    }
}

/// Anything that arrives on a Kraken WebSocket v2 connection, read by [`FrameSeed`].
#[derive(Debug)]
pub struct Frame<'a> {
    /// Channel of a data message: `ticker`, `book`, `status`, `heartbeat`, ...
    pub channel: Option<&'a str>,
    /// `snapshot` or `update`.
    pub kind: Option<&'a str>,
    /// The data.
    pub data: Option<Payload<'a>>,
    /// Method of a reply: `subscribe`, `unsubscribe`, `pong`.
    pub method: Option<&'a str>,
    /// Whether the request succeeded.
    pub success: Option<bool>,
    /// The error of a failed request.
    pub error: Option<Raw<'a>>,
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
        f.write_str("a Kraken channel message or method reply object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Frame<'de>, A::Error> {
        let mut frame = Frame {
            channel: None,
            kind: None,
            data: None,
            method: None,
            success: None,
            error: None,
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
                Key::Channel => frame.channel = map.next_value()?,
                Key::Type => frame.kind = map.next_value()?,
                Key::Data => {
                    frame.data = Some(match frame.channel {
                        Some(channel) => {
                            map.next_value_seed(PayloadSeed(channel_kind(channel), PhantomData))?
                        }
                        None => Payload::Deferred(map.next_value()?),
                    });
                }
                Key::Method => frame.method = map.next_value()?,
                Key::Success => frame.success = map.next_value()?,
                Key::Error => frame.error = map.next_value()?,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(frame)
    }
}

/// Reads `data` for a known kind.
struct PayloadSeed<'a>(Option<ChannelKind>, PhantomData<&'a ()>);

impl<'de> DeserializeSeed<'de> for PayloadSeed<'de> {
    type Value = Payload<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Payload<'de>, D::Error> {
        Payload::read(self.0, deserializer)
    }
}

/// The top-level keys of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    Channel,
    Type,
    Data,
    Method,
    Success,
    Error,
    Other,
}

impl Key {
    const COUNT: usize = 7;

    fn name(self) -> &'static str {
        match self {
            Key::Channel => "channel",
            Key::Type => "type",
            Key::Data => "data",
            Key::Method => "method",
            Key::Success => "success",
            Key::Error => "error",
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
            "channel" => Key::Channel,
            "type" => Key::Type,
            "data" => Key::Data,
            "method" => Key::Method,
            "success" => Key::Success,
            "error" => Key::Error,
            _ => Key::Other,
        })
    }
}

/// The REST envelope `{"error":[..],"result":{<pair key>:{..}}}`.
#[derive(Debug, Deserialize)]
pub struct RestEnvelope<'a> {
    /// Error strings, e.g. `EQuery:Unknown asset pair`; empty on success.
    #[serde(borrow)]
    pub error: Option<Vec<Raw<'a>>>,
    /// Results by pair key, in the order sent.
    #[serde(borrow)]
    pub result: Option<Entries<RestItem<'a>>>,
}

/// A `Ticker` or `Depth` result for one pair (their fields do not overlap).
#[derive(Debug, Deserialize)]
pub struct RestItem<'a> {
    /// Ticker: best ask `[price, whole lot volume, lot volume]`.
    #[serde(borrow)]
    pub a: Option<Vec<DecimalStr<'a>>>,
    /// Ticker: best bid `[price, whole lot volume, lot volume]`.
    #[serde(borrow)]
    pub b: Option<Vec<DecimalStr<'a>>>,
    /// Ticker: last trade `[price, lot volume]`.
    #[serde(borrow)]
    pub c: Option<Vec<DecimalStr<'a>>>,
    /// Ticker: volume `[today, last 24 h]`.
    #[serde(borrow)]
    pub v: Option<Vec<DecimalStr<'a>>>,
    /// Ticker: low `[today, last 24 h]`.
    #[serde(borrow)]
    pub l: Option<Vec<DecimalStr<'a>>>,
    /// Ticker: high `[today, last 24 h]`.
    #[serde(borrow)]
    pub h: Option<Vec<DecimalStr<'a>>>,
    /// Ticker: today's opening price.
    #[serde(borrow)]
    pub o: Option<DecimalStr<'a>>,
    /// Depth: asks `[price, volume, unix seconds]`, best first.
    #[serde(borrow)]
    pub asks: Option<Vec<RestLevel<'a>>>,
    /// Depth: bids, best first.
    #[serde(borrow)]
    pub bids: Option<Vec<RestLevel<'a>>>,
}

/// A REST depth row `["30384.10000","2.059",1688671659]`: price, volume, time.
pub type RestLevel<'a> = (DecimalStr<'a>, DecimalStr<'a>, IgnoredAny);

/// A JSON object read as its `(key, value)` pairs in the order sent.
#[derive(Debug)]
pub struct Entries<T>(pub Vec<(String, T)>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Entries<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Entries<T>, D::Error> {
        deserializer.deserialize_map(EntriesVisitor(PhantomData))
    }
}

struct EntriesVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for EntriesVisitor<T> {
    type Value = Entries<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of results by pair")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<T>, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(1));
        while let Some(key) = map.next_key::<String>()? {
            entries.push((key, map.next_value()?));
        }
        Ok(Entries(entries))
    }
}
