//! Upbit frames as sent, in the `DEFAULT` format: WebSocket `ticker` and `orderbook` messages,
//! the `{"status":"UP"}` answer to `PING`, `{"error":{..}}` frames, and the REST ticker and
//! order-book bodies (arrays of objects with the same field names, `market` instead of `code`).
//! WebSocket frames in the `SIMPLE` format (abbreviated keys: `ty`, `cd`, `tp`, `op`, `hp`,
//! `lp`, `atv24h`, `tms`, `obu` with `ap`, `as`, `bp`, `bs`) read the same, for frames recorded
//! by other tools, as do frames in the list formats (`JSON_LIST`, `SIMPLE_LIST`: messages in an
//! array, each read by [`Quote::read`]); premia itself subscribes in `DEFAULT`.
//!
//! One borrowed struct, [`Quote`], reads all of them in a single pass (WebSocket frames with
//! the scanner, [`Quote::scan`]; REST bodies with serde); every field is optional
//! and the codec checks what each kind of message needs. Numbers stay raw tokens until the codec
//! converts the ones it uses (Upbit writes JSON numbers such as `31883000.00000000` and
//! `1.16539E8`). Fields not declared here are skipped.

use std::fmt;

use premia_events::Decimal;
use premia_events::marketdata::Level;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::exchanges::json::{Malformed, Raw, RawBytes};
use crate::exchanges::scan::{self, Scanner};

/// Any Upbit WebSocket message or REST array element.
#[derive(Debug, Default, Deserialize)]
pub struct Quote<'a> {
    /// The message type on the WebSocket: `ticker`, `orderbook`, `trade`, ... (absent in REST).
    #[serde(rename = "type")]
    pub kind: Option<&'a str>,
    /// The market code, `KRW-BTC` (`code` on the WebSocket, `market` in REST bodies).
    #[serde(alias = "market")]
    pub code: Option<&'a str>,
    /// Ticker: last trade price.
    #[serde(borrow)]
    pub trade_price: Option<RawBytes<'a>>,
    /// Ticker: the day's opening price (00:00 KST).
    #[serde(borrow)]
    pub opening_price: Option<RawBytes<'a>>,
    /// Ticker: the day's high.
    #[serde(borrow)]
    pub high_price: Option<RawBytes<'a>>,
    /// Ticker: the day's low.
    #[serde(borrow)]
    pub low_price: Option<RawBytes<'a>>,
    /// Ticker: volume over the last 24 h, in the base asset.
    #[serde(borrow)]
    pub acc_trade_volume_24h: Option<RawBytes<'a>>,
    /// Ticker and order book: the exchange's time for the message, ms since the epoch.
    #[serde(borrow)]
    pub timestamp: Option<RawBytes<'a>>,
    /// Order book: unit `i` holds the `i`-th best ask and the `i`-th best bid, read into
    /// levels.
    pub orderbook_units: Option<Units>,
    /// Status frame: `UP`.
    #[serde(borrow)]
    pub status: Option<Raw<'a>>,
    /// Error frame: normally `{"name":..,"message":..}`, kept raw and read by [`ErrorBody`].
    #[serde(borrow)]
    pub error: Option<Raw<'a>>,
}

impl<'a> Quote<'a> {
    /// Reads a whole WebSocket frame with the scanner, into `self` (a default quote) in place.
    pub fn scan(&mut self, frame: &'a [u8]) -> Result<(), Malformed> {
        Scanner::whole_into(frame, self, |s, out| out.read(s))
    }

    /// Reads one message object at the scanner into `self` (a default quote) in place: a whole
    /// frame, or an element of a `JSON_LIST`/`SIMPLE_LIST` frame.
    pub fn read(&mut self, s: &mut Scanner<'a>) -> Result<(), Malformed> {
        let out = self;
        s.object(|s, key| match key {
            b"type" | b"ty" => s.field(&mut out.kind, "type", Scanner::str),
            b"code" | b"market" | b"cd" => s.field(&mut out.code, "code", Scanner::str),
            b"trade_price" | b"tp" => s.field(&mut out.trade_price, "trade_price", Scanner::token),
            b"opening_price" | b"op" => {
                s.field(&mut out.opening_price, "opening_price", Scanner::token)
            }
            b"high_price" | b"hp" => s.field(&mut out.high_price, "high_price", Scanner::token),
            b"low_price" | b"lp" => s.field(&mut out.low_price, "low_price", Scanner::token),
            b"acc_trade_volume_24h" | b"atv24h" => s.field(
                &mut out.acc_trade_volume_24h,
                "acc_trade_volume_24h",
                Scanner::token,
            ),
            b"timestamp" | b"tms" => s.field(&mut out.timestamp, "timestamp", Scanner::token),
            b"orderbook_units" | b"obu" => {
                s.field(&mut out.orderbook_units, "orderbook_units", Units::scan)
            }
            b"status" => s.field(&mut out.status, "status", |s| s.raw().map(Raw)),
            b"error" => s.field(&mut out.error, "error", |s| s.raw().map(Raw)),
            _ => s.skip_value(),
        })
    }
}

/// The `orderbook_units` of a book, read straight into levels: unit `i` holds the `i`-th ask
/// and the `i`-th bid, so `asks[i]` and `bids[i]` come from the same unit (zero-price padding
/// included; the codec cuts to depth and drops it). Numbers are converted exactly as they are
/// read; a missing or bad one fails the frame, naming it (`orderbook_units[3].bid_size`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Units {
    /// Asks, unit by unit.
    pub asks: Vec<Level>,
    /// Bids, unit by unit.
    pub bids: Vec<Level>,
}

/// Capacity reserved before the number of units is known (Upbit sends at most 30).
const UNITS_CAPACITY: usize = 30;

impl Units {
    /// Reads `orderbook_units` with the scanner: each unit's four numbers straight into levels.
    fn scan(s: &mut Scanner<'_>) -> Result<Units, Malformed> {
        const NAMES: [&str; 4] = ["ask_price", "ask_size", "bid_price", "bid_size"];
        let mut units = Units {
            asks: Vec::with_capacity(UNITS_CAPACITY),
            bids: Vec::with_capacity(UNITS_CAPACITY),
        };
        s.array(|s, index| {
            let mut values: [Option<Decimal>; 4] = [None; 4];
            if s.peek_value() != Some(b'{') {
                return Err(s.shape(&format!("order-book unit {index} as an object")));
            }
            s.object(|s, key| {
                let slot = match key {
                    b"ask_price" | b"ap" => 0,
                    b"ask_size" | b"as" => 1,
                    b"bid_price" | b"bp" => 2,
                    b"bid_size" | b"bs" => 3,
                    _ => return s.skip_value(),
                };
                let name = NAMES.get(slot).copied().unwrap_or_default();
                let value = s
                    .decimal_token()
                    .map_err(|e| scan::within(&format!("orderbook_units[{index}].{name}"), e))?
                    .map_err(|e| Malformed::new(format!("orderbook_units[{index}].{name}: {e}")))?;
                if values
                    .get_mut(slot)
                    .and_then(|v| v.replace(value))
                    .is_some()
                {
                    return Err(Malformed::new(format!(
                        "orderbook_units[{index}]: duplicate field {name}"
                    )));
                }
                Ok(())
            })?;
            let mut take = |slot: usize| {
                values.get_mut(slot).and_then(Option::take).ok_or_else(|| {
                    let name = NAMES.get(slot).copied().unwrap_or_default();
                    Malformed::new(format!("missing field orderbook_units[{index}].{name}"))
                })
            };
            let ask = Level::new(take(0)?, take(1)?);
            let bid = Level::new(take(2)?, take(3)?);
            units.asks.push(ask);
            units.bids.push(bid);
            Ok(())
        })?;
        Ok(units)
    }
}

impl<'de> Deserialize<'de> for Units {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Units, D::Error> {
        deserializer.deserialize_seq(UnitsVisitor)
    }
}

struct UnitsVisitor;

impl<'de> Visitor<'de> for UnitsVisitor {
    type Value = Units;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of order-book units")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Units, A::Error> {
        let capacity = seq.size_hint().unwrap_or(UNITS_CAPACITY);
        let mut units = Units {
            asks: Vec::with_capacity(capacity),
            bids: Vec::with_capacity(capacity),
        };
        while let Some((ask, bid)) = seq.next_element_seed(UnitSeed(units.asks.len()))? {
            units.asks.push(ask);
            units.bids.push(bid);
        }
        Ok(units)
    }
}

/// Unit number `.0`, as its ask and bid.
struct UnitSeed(usize);

impl<'de> DeserializeSeed<'de> for UnitSeed {
    type Value = (Level, Level);

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<(Level, Level), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for UnitSeed {
    type Value = (Level, Level);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "order-book unit {} as an object", self.0)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(Level, Level), A::Error> {
        const NAMES: [&str; 4] = ["ask_price", "ask_size", "bid_price", "bid_size"];
        let index = self.0;
        let mut values: [Option<Decimal>; 4] = [None; 4];
        while let Some(key) = map.next_key::<UnitKey>()? {
            let UnitKey(Some(slot)) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let name = NAMES.get(slot).copied().unwrap_or_default();
            let raw: Raw<'de> = map.next_value()?;
            let value = raw
                .decimal()
                .map_err(|e| de::Error::custom(format!("orderbook_units[{index}].{name}: {e}")))?;
            if values
                .get_mut(slot)
                .and_then(|v| v.replace(value))
                .is_some()
            {
                return Err(de::Error::custom(format!(
                    "orderbook_units[{index}]: duplicate field {name}"
                )));
            }
        }
        let mut take = |slot: usize| {
            values.get_mut(slot).and_then(Option::take).ok_or_else(|| {
                let name = NAMES.get(slot).copied().unwrap_or_default();
                de::Error::custom(format!("missing field orderbook_units[{index}].{name}"))
            })
        };
        let ask = Level::new(take(0)?, take(1)?);
        let bid = Level::new(take(2)?, take(3)?);
        Ok((ask, bid))
    }
}

/// A key of a unit: the index of one of the four numbers read, or `None` for any other.
struct UnitKey(Option<usize>);

impl<'de> Deserialize<'de> for UnitKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<UnitKey, D::Error> {
        deserializer.deserialize_identifier(UnitKeyVisitor)
    }
}

struct UnitKeyVisitor;

impl Visitor<'_> for UnitKeyVisitor {
    type Value = UnitKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<UnitKey, E> {
        Ok(UnitKey(match key {
            "ask_price" => Some(0),
            "ask_size" => Some(1),
            "bid_price" => Some(2),
            "bid_size" => Some(3),
            _ => None,
        }))
    }
}

/// The object of an error frame, e.g. `{"name":"INVALID_PARAM","message":"..."}`; REST errors
/// may carry a numeric name (`404`).
#[derive(Debug, Deserialize)]
pub struct ErrorBody<'a> {
    /// Error name or code.
    #[serde(borrow)]
    pub name: Option<Raw<'a>>,
    /// Human-readable message.
    #[serde(borrow)]
    pub message: Option<Raw<'a>>,
}
