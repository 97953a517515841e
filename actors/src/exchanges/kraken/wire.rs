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
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::exchanges::json::{DecimalStr, Malformed, Raw, RawBytes};
use crate::exchanges::scan::{Items, Scanner};

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
#[derive(Debug, Default)]
pub struct TickerItem<'a> {
    /// The symbol, `BTC/USD`.
    pub symbol: Option<&'a str>,
    /// Best bid price.
    pub bid: Option<RawBytes<'a>>,
    /// Best ask price.
    pub ask: Option<RawBytes<'a>>,
    /// Last trade price.
    pub last: Option<RawBytes<'a>>,
    /// 24 h volume in the base currency.
    pub volume: Option<RawBytes<'a>>,
    /// 24 h low.
    pub low: Option<RawBytes<'a>>,
    /// 24 h high.
    pub high: Option<RawBytes<'a>>,
    /// RFC 3339 time, `2023-09-25T09:04:31.742648Z` (newer messages only).
    pub timestamp: Option<&'a str>,
}

impl<'a> TickerItem<'a> {
    fn scan(s: &mut Scanner<'a>, item: &mut TickerItem<'a>) -> Result<(), Malformed> {
        s.object(|s, key| match key {
            b"symbol" => s.field(&mut item.symbol, "symbol", Scanner::str),
            b"bid" => s.field(&mut item.bid, "bid", Scanner::token),
            b"ask" => s.field(&mut item.ask, "ask", Scanner::token),
            b"last" => s.field(&mut item.last, "last", Scanner::token),
            b"volume" => s.field(&mut item.volume, "volume", Scanner::token),
            b"low" => s.field(&mut item.low, "low", Scanner::token),
            b"high" => s.field(&mut item.high, "high", Scanner::token),
            b"timestamp" => s.field(&mut item.timestamp, "timestamp", Scanner::str),
            _ => s.skip_value(),
        })
    }
}

/// One price level `{"price":0.5666,"qty":4831.75496356}`.
#[derive(Debug, Default)]
pub struct LevelItem<'a> {
    /// Price.
    pub price: Option<RawBytes<'a>>,
    /// Quantity (absolute; zero removes the level in an update).
    pub qty: Option<RawBytes<'a>>,
}

/// Capacity reserved for a side before its length is known (the deepest partial books are 25).
const LEVELS_CAPACITY: usize = 25;

/// A side of a book.
fn level_items<'a>(s: &mut Scanner<'a>) -> Result<Vec<LevelItem<'a>>, Malformed> {
    let mut items = Vec::with_capacity(LEVELS_CAPACITY);
    s.array(|s, _| {
        let mut level = LevelItem::default();
        s.object(|s, key| match key {
            b"price" => s.field(&mut level.price, "price", Scanner::token),
            b"qty" => s.field(&mut level.qty, "qty", Scanner::token),
            _ => s.skip_value(),
        })?;
        items.push(level);
        Ok(())
    })?;
    Ok(items)
}

/// One symbol's book snapshot or update.
#[derive(Debug, Default)]
pub struct BookItem<'a> {
    /// The symbol, `BTC/USD`.
    pub symbol: Option<&'a str>,
    /// Bids (best first in a snapshot).
    pub bids: Option<Vec<LevelItem<'a>>>,
    /// Asks (best first in a snapshot).
    pub asks: Option<Vec<LevelItem<'a>>>,
    /// CRC32 of the top 10 levels after this message.
    pub checksum: Option<u32>,
    /// RFC 3339 time.
    pub timestamp: Option<&'a str>,
}

impl<'a> BookItem<'a> {
    fn scan(s: &mut Scanner<'a>, item: &mut BookItem<'a>) -> Result<(), Malformed> {
        s.object(|s, key| match key {
            b"symbol" => s.field(&mut item.symbol, "symbol", Scanner::str),
            b"bids" => s.field(&mut item.bids, "bids", level_items),
            b"asks" => s.field(&mut item.asks, "asks", level_items),
            b"checksum" => s.field(&mut item.checksum, "checksum", Scanner::u32),
            b"timestamp" => s.field(&mut item.timestamp, "timestamp", Scanner::str),
            _ => s.skip_value(),
        })
    }
}

/// The `instrument` channel's data: what the codec reads of it is the pairs' precisions.
#[derive(Debug, Default)]
pub struct InstrumentData<'a> {
    /// Tradeable pairs.
    pub pairs: Option<Vec<PairInfo<'a>>>,
}

/// One pair of the `instrument` channel.
#[derive(Debug, Default)]
pub struct PairInfo<'a> {
    /// The symbol, `BTC/USD`.
    pub symbol: Option<&'a str>,
    /// Decimal places of prices.
    pub price_precision: Option<u32>,
    /// Decimal places of quantities.
    pub qty_precision: Option<u32>,
}

impl<'a> InstrumentData<'a> {
    fn scan(s: &mut Scanner<'a>) -> Result<InstrumentData<'a>, Malformed> {
        let mut data = InstrumentData::default();
        s.object(|s, key| match key {
            b"pairs" => s.field(&mut data.pairs, "pairs", |s| {
                let mut pairs = Vec::new();
                s.array(|s, _| {
                    let mut pair = PairInfo::default();
                    s.object(|s, key| match key {
                        b"symbol" => s.field(&mut pair.symbol, "symbol", Scanner::str),
                        b"price_precision" => {
                            s.field(&mut pair.price_precision, "price_precision", Scanner::u32)
                        }
                        b"qty_precision" => {
                            s.field(&mut pair.qty_precision, "qty_precision", Scanner::u32)
                        }
                        _ => s.skip_value(),
                    })?;
                    pairs.push(pair);
                    Ok(())
                })?;
                Ok(pairs)
            }),
            _ => s.skip_value(),
        })?;
        Ok(data)
    }
}

/// The `data` of a channel message.
#[derive(Debug)]
pub enum Payload<'a> {
    /// Of `ticker`.
    Ticker(Items<TickerItem<'a>>),
    /// Of `book`.
    Book(Items<BookItem<'a>>),
    /// Of `instrument`.
    Instrument(InstrumentData<'a>),
    /// Of a channel the codec does not read (`status`, `trade`, ...), skipped.
    Other,
    /// `data` came before `channel` (its token, checked as JSON): read it with
    /// [`Payload::read_deferred`] once the channel is known.
    Deferred(&'a [u8]),
}

impl<'a> Payload<'a> {
    /// An empty payload of a channel of `kind` (`None`: not one the codec reads), for
    /// [`Payload::scan`] to fill.
    fn empty(kind: Option<ChannelKind>) -> Payload<'a> {
        match kind {
            Some(ChannelKind::Ticker) => Payload::Ticker(Items::default()),
            Some(ChannelKind::Book) => Payload::Book(Items::default()),
            Some(ChannelKind::Instrument) => Payload::Instrument(InstrumentData::default()),
            None => Payload::Other,
        }
    }

    /// Reads `data` into this payload (made by [`Payload::empty`]) in place.
    fn scan(&mut self, s: &mut Scanner<'a>) -> Result<(), Malformed> {
        match self {
            Payload::Ticker(items) => items.scan(s, TickerItem::scan)?,
            Payload::Book(items) => items.scan(s, BookItem::scan)?,
            Payload::Instrument(data) => *data = InstrumentData::scan(s)?,
            Payload::Other => s.skip_value()?,
            Payload::Deferred(token) => *token = s.raw_bytes()?,
        }
        Ok(())
    }

    /// Reads the token of a [`Payload::Deferred`] for a channel of `kind`.
    pub fn read_deferred(
        kind: Option<ChannelKind>,
        token: &'a [u8],
    ) -> Result<Payload<'a>, Malformed> {
        let mut payload = Payload::empty(kind);
        Scanner::whole_into(token, &mut payload, |s, payload| payload.scan(s))?;
        Ok(payload)
    }
}

/// Anything that arrives on a Kraken WebSocket v2 connection, read by [`Frame::scan`].
#[derive(Debug, Default)]
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

impl<'a> Frame<'a> {
    /// Reads a whole frame in one pass: Kraken writes `channel` before `data`, so the data is
    /// read straight into that channel's type; should `data` come first, its token is kept and
    /// read once the channel is known. Reads into `self` (a default frame) in place.
    pub fn scan(&mut self, frame: &'a [u8]) -> Result<(), Malformed> {
        Scanner::whole_into(frame, self, |s, out| {
            s.object(|s, key| match key {
                b"channel" => s.field(&mut out.channel, "channel", Scanner::str),
                b"type" => s.field(&mut out.kind, "type", Scanner::str),
                b"data" => {
                    let channel = out.channel;
                    let make = || match channel {
                        Some(channel) => Payload::empty(channel_kind(channel)),
                        None => Payload::Deferred(&[]),
                    };
                    s.field_in(&mut out.data, "data", make, |s, data| data.scan(s))
                }
                b"method" => s.field(&mut out.method, "method", Scanner::str),
                b"success" => s.field(&mut out.success, "success", Scanner::bool),
                b"error" => s.field(&mut out.error, "error", |s| s.raw().map(Raw)),
                _ => s.skip_value(),
            })
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
