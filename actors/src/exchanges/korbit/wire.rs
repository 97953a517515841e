//! Korbit frames as sent by the Open API v2: WebSocket messages
//! `{"type":..,"timestamp":..,"symbol":..,"snapshot":..,"data":{..}}` carrying a ticker or an
//! order book, control frames `{"status":"success"|"fail"|"error",..}`, and the REST bodies
//! `{"success":true,"data":..}` / `{"success":false,"error":..}`.
//!
//! Each frame is read once into borrowed structs whose fields are all optional; the codec
//! checks what each kind of message needs. A ticker's and a book's `data` share one struct
//! ([`Data`]), so the payload is read in the same pass whatever the order of `type` and `data`.
//! Prices and quantities are JSON strings, kept raw ([`Raw`], which also takes a JSON number)
//! until the codec converts them exactly; book levels `{"price":..,"qty":..}` are converted as
//! they are read ([`ObjectLevels`]).

use std::fmt;

use premia_events::marketdata::Level;
use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::exchanges::book::{level_json_error, level_missing, level_number_error};
use crate::exchanges::json::{Malformed, ObjectOr, Raw, RawBytes};
use crate::exchanges::scan::Scanner;

/// Any WebSocket message: data, or a control frame.
#[derive(Debug, Default, Deserialize)]
pub struct Message<'a> {
    /// `ticker`, `orderbook`, `trade`, ...
    #[serde(rename = "type")]
    pub kind: Option<&'a str>,
    /// A private channel's message names its channel here instead (`myOrder`, `myTrade`, on
    /// the private endpoint the feed never subscribes to).
    #[serde(rename = "channelType")]
    pub channel_type: Option<&'a str>,
    /// The server's send time, ms since the epoch.
    #[serde(borrow)]
    pub timestamp: Option<RawBytes<'a>>,
    /// The market, `btc_krw`.
    pub symbol: Option<&'a str>,
    /// The payload; an array (trades) or another value is skipped.
    #[serde(borrow)]
    pub data: Option<ObjectOr<Data<'a>>>,
    /// Control frame: `success`, `fail` or `error`.
    pub status: Option<&'a str>,
    /// Control frame: the request id, when the request had one.
    #[serde(rename = "requestId", borrow)]
    pub request_id: Option<Raw<'a>>,
    /// Control frame: the error code of a `fail`.
    #[serde(borrow)]
    pub code: Option<Raw<'a>>,
    /// Control frame: the message of an `error`.
    #[serde(borrow)]
    pub message: Option<Raw<'a>>,
}

/// The `data` of a ticker or an order book (WebSocket and REST), and a REST ticker element.
#[derive(Debug, Default, Deserialize)]
pub struct Data<'a> {
    /// REST ticker: the market, `btc_krw`.
    pub symbol: Option<&'a str>,
    /// Ticker: price 24 h ago.
    #[serde(borrow)]
    pub open: Option<RawBytes<'a>>,
    /// Ticker: 24 h high.
    #[serde(borrow)]
    pub high: Option<RawBytes<'a>>,
    /// Ticker: 24 h low.
    #[serde(borrow)]
    pub low: Option<RawBytes<'a>>,
    /// Ticker: last price.
    #[serde(borrow)]
    pub close: Option<RawBytes<'a>>,
    /// Ticker: 24 h volume in the base asset.
    #[serde(borrow)]
    pub volume: Option<RawBytes<'a>>,
    /// Ticker: best bid price.
    #[serde(rename = "bestBidPrice", borrow)]
    pub best_bid_price: Option<RawBytes<'a>>,
    /// Ticker: best ask price.
    #[serde(rename = "bestAskPrice", borrow)]
    pub best_ask_price: Option<RawBytes<'a>>,
    /// Ticker: time of the last trade, ms since the epoch.
    #[serde(rename = "lastTradedAt", borrow)]
    pub last_traded_at: Option<RawBytes<'a>>,
    /// Order book: the book's time, ms since the epoch.
    #[serde(borrow)]
    pub timestamp: Option<RawBytes<'a>>,
    /// Order book: bids, best (highest) first.
    pub bids: Option<ObjectLevels>,
    /// Order book: asks, best (lowest) first.
    pub asks: Option<ObjectLevels>,
}

/// A REST body.
#[derive(Debug, Deserialize)]
pub struct RestBody<'a> {
    /// `true` for data, `false` for an error.
    pub success: Option<bool>,
    /// Tickers (an array) or a book (an object).
    #[serde(borrow)]
    pub data: Option<RestData<'a>>,
    /// The error, normally an object; kept raw and read by [`ErrorBody`].
    #[serde(borrow)]
    pub error: Option<Raw<'a>>,
}

/// The `data` of a REST body: `/v2/tickers` gives an array, `/v2/orderbook` an object.
#[derive(Debug)]
pub enum RestData<'a> {
    /// Tickers, each naming its symbol.
    Tickers(Vec<Data<'a>>),
    /// One book, naming no market.
    Book(Box<Data<'a>>),
}

impl<'de: 'a, 'a> Deserialize<'de> for RestData<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RestData<'a>, D::Error> {
        deserializer.deserialize_any(RestDataVisitor(std::marker::PhantomData))
    }
}

struct RestDataVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for RestDataVisitor<'a> {
    type Value = RestData<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of tickers or an order-book object")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RestData<'a>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(4));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(RestData::Tickers(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RestData<'a>, A::Error> {
        Data::deserialize(MapAccessDeserializer::new(map))
            .map(|data| RestData::Book(Box::new(data)))
    }
}

/// The object of a REST error, e.g. `{"code":"TRY_AGAIN","message":".."}`.
#[derive(Debug, Deserialize)]
pub struct ErrorBody<'a> {
    /// The symbolic code.
    #[serde(borrow)]
    pub code: Option<Raw<'a>>,
    /// The message.
    #[serde(borrow)]
    pub message: Option<Raw<'a>>,
}

/// A side of a book written as `[{"price":"..","qty":".."},..]` (Korbit, Coinone), read
/// straight into levels while deserializing, exactly. Prices and quantities may be JSON strings
/// or numbers; other fields of a level (Korbit's `amt`) are skipped. A level without price or
/// quantity, or with a bad one, fails the frame, naming the level.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectLevels(pub Vec<Level>);

/// Capacity reserved for a side before its length is known (Korbit sends up to 30).
const LEVELS_CAPACITY: usize = 30;

impl<'a> Message<'a> {
    /// Reads a whole WebSocket frame with the scanner, into `self` (a default message) in place.
    pub fn scan(&mut self, frame: &'a [u8]) -> Result<(), Malformed> {
        Scanner::whole_into(frame, self, |s, out| {
            s.object(|s, key| match key {
                b"type" => s.field(&mut out.kind, "type", Scanner::str),
                b"channelType" => s.field(&mut out.channel_type, "channelType", Scanner::str),
                b"timestamp" => s.field(&mut out.timestamp, "timestamp", Scanner::token),
                b"symbol" => s.field(&mut out.symbol, "symbol", Scanner::str),
                b"data" => s.object_field(&mut out.data, "data", Data::scan),
                b"status" => s.field(&mut out.status, "status", Scanner::str),
                b"requestId" => s.field(&mut out.request_id, "requestId", |s| s.raw().map(Raw)),
                b"code" => s.field(&mut out.code, "code", |s| s.raw().map(Raw)),
                b"message" => s.field(&mut out.message, "message", |s| s.raw().map(Raw)),
                _ => s.skip_value(),
            })
        })
    }
}

impl<'a> Data<'a> {
    fn scan(s: &mut Scanner<'a>, out: &mut Data<'a>) -> Result<(), Malformed> {
        s.object(|s, key| match key {
            b"symbol" => s.field(&mut out.symbol, "symbol", Scanner::str),
            b"open" => s.field(&mut out.open, "open", Scanner::token),
            b"high" => s.field(&mut out.high, "high", Scanner::token),
            b"low" => s.field(&mut out.low, "low", Scanner::token),
            b"close" => s.field(&mut out.close, "close", Scanner::token),
            b"volume" => s.field(&mut out.volume, "volume", Scanner::token),
            b"bestBidPrice" => s.field(&mut out.best_bid_price, "bestBidPrice", Scanner::token),
            b"bestAskPrice" => s.field(&mut out.best_ask_price, "bestAskPrice", Scanner::token),
            b"lastTradedAt" => s.field(&mut out.last_traded_at, "lastTradedAt", Scanner::token),
            b"timestamp" => s.field(&mut out.timestamp, "timestamp", Scanner::token),
            b"bids" => s.field(&mut out.bids, "bids", ObjectLevels::scan),
            b"asks" => s.field(&mut out.asks, "asks", ObjectLevels::scan),
            _ => s.skip_value(),
        })
    }
}

impl ObjectLevels {
    /// Reads a side with the scanner, converting each level as it is read. Errors are built
    /// out of line (`level_*`), so the loop run for every level carries none of their cost.
    pub fn scan(s: &mut Scanner<'_>) -> Result<ObjectLevels, Malformed> {
        let mut levels = Vec::with_capacity(LEVELS_CAPACITY);
        s.array(|s, index| {
            let mut price = None;
            let mut qty = None;
            if s.peek_value() != Some(b'{') {
                return Err(level_not_object(s, index));
            }
            s.object(|s, key| {
                let (slot, name) = match key {
                    // `p`, `q`: Coinone's SHORT format.
                    b"price" | b"p" => (&mut price, "price"),
                    b"qty" | b"q" => (&mut qty, "qty"),
                    _ => return s.skip_value(),
                };
                let value = s
                    .decimal_token()
                    .map_err(|e| level_json_error(index, name, e))?
                    .map_err(|e| level_number_error(index, name, &e))?;
                if slot.replace(value).is_some() {
                    return Err(level_duplicate(index, name));
                }
                Ok(())
            })?;
            levels.push(match (price, qty) {
                (Some(price), Some(qty)) => Level::new(price, qty),
                (None, _) => return Err(level_missing(index, "price")),
                (_, None) => return Err(level_missing(index, "qty")),
            });
            Ok(())
        })?;
        Ok(ObjectLevels(levels))
    }
}

#[cold]
#[inline(never)]
fn level_not_object(s: &Scanner<'_>, index: usize) -> Malformed {
    s.shape(&format!("level {index} as an object"))
}

#[cold]
#[inline(never)]
fn level_duplicate(index: usize, name: &str) -> Malformed {
    Malformed::new(format!("level {index}: duplicate field {name}"))
}

impl<'de> Deserialize<'de> for ObjectLevels {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ObjectLevels, D::Error> {
        deserializer.deserialize_seq(ObjectLevelsVisitor)
    }
}

struct ObjectLevelsVisitor;

impl<'de> Visitor<'de> for ObjectLevelsVisitor {
    type Value = ObjectLevels;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of {price, qty} levels")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ObjectLevels, A::Error> {
        let mut levels = Vec::with_capacity(seq.size_hint().unwrap_or(LEVELS_CAPACITY));
        while let Some(level) = seq.next_element_seed(LevelSeed(levels.len()))? {
            levels.push(level);
        }
        Ok(ObjectLevels(levels))
    }
}

/// Level number `.0` of its side.
struct LevelSeed(usize);

impl<'de> DeserializeSeed<'de> for LevelSeed {
    type Value = Level;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Level, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for LevelSeed {
    type Value = Level;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "level {} as an object", self.0)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Level, A::Error> {
        let index = self.0;
        let mut price = None;
        let mut qty = None;
        while let Some(key) = map.next_key::<LevelKey>()? {
            let (slot, name) = match key {
                LevelKey::Price => (&mut price, "price"),
                LevelKey::Qty => (&mut qty, "qty"),
                LevelKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            let raw: Raw<'de> = map.next_value()?;
            let value = raw
                .decimal()
                .map_err(|e| de::Error::custom(format!("level {index} {name}: {e}")))?;
            if slot.replace(value).is_some() {
                return Err(de::Error::custom(format!(
                    "level {index}: duplicate field {name}"
                )));
            }
        }
        match (price, qty) {
            (Some(price), Some(qty)) => Ok(Level::new(price, qty)),
            (None, _) => Err(de::Error::custom(format!("level {index}: no price"))),
            (_, None) => Err(de::Error::custom(format!("level {index}: no qty"))),
        }
    }
}

/// A key of a level.
enum LevelKey {
    Price,
    Qty,
    Other,
}

impl<'de> Deserialize<'de> for LevelKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<LevelKey, D::Error> {
        deserializer.deserialize_identifier(LevelKeyVisitor)
    }
}

struct LevelKeyVisitor;

impl Visitor<'_> for LevelKeyVisitor {
    type Value = LevelKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<LevelKey, E> {
        Ok(match key {
            "price" => LevelKey::Price,
            "qty" => LevelKey::Qty,
            _ => LevelKey::Other,
        })
    }
}
