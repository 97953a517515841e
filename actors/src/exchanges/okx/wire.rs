//! OKX v5 frames as sent: pushes `{"arg":{"channel":..,"instId":..},"action"?:..,"data":[..]}`
//! of the `tickers` and `books` channels, events (`subscribe` acknowledgements, `error`,
//! `notice`), and the REST envelope `{"code":"0","msg":"","data":[..]}` of
//! `/api/v5/market/ticker` and `/api/v5/market/books`. The text `pong` is not JSON; the codec
//! recognises it before parsing.
//!
//! One borrowed struct, [`Frame`], reads every JSON frame and REST body in a single pass, in
//! any key order; the items of `data` are read by [`Item`], whose ticker and book fields do not
//! overlap. Prices and sizes are JSON strings ([`DecimalStr`]), converted exactly by the codec;
//! `checksum`, `seqId` and `prevSeqId` are JSON integers. Book levels are
//! `[price, size, "0", orders]` ([`OkxLevels`]).

use std::fmt;

use premia_events::marketdata::Level;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::exchanges::json::{DecimalStr, Raw};
use crate::exchanges::num;

/// Any JSON frame on the public WebSocket, or a REST body.
#[derive(Debug, Deserialize)]
pub struct Frame<'a> {
    /// A push: the channel and instrument it belongs to.
    #[serde(borrow)]
    pub arg: Option<Arg<'a>>,
    /// A `books` push: `snapshot` or `update`.
    pub action: Option<&'a str>,
    /// A push or REST body: the items.
    #[serde(borrow)]
    pub data: Option<Vec<Item<'a>>>,
    /// An event: `subscribe`, `unsubscribe`, `error`, `notice`, `channel-conn-count`, ...
    pub event: Option<&'a str>,
    /// An error event or REST body: the code, a string (`"60012"`; `"0"` is success in REST).
    #[serde(borrow)]
    pub code: Option<Raw<'a>>,
    /// An error event or REST body: the message.
    #[serde(borrow)]
    pub msg: Option<Raw<'a>>,
}

/// The `arg` of a push or an acknowledgement.
#[derive(Debug, Deserialize)]
pub struct Arg<'a> {
    /// `tickers`, `books`, ...
    pub channel: Option<&'a str>,
    /// `BTC-USDT`.
    #[serde(rename = "instId")]
    pub inst_id: Option<&'a str>,
}

/// One item of `data`: a ticker (`instId`, `last`, ...) or a book (`asks`, `bids`, `seqId`,
/// ...), WebSocket or REST.
#[derive(Debug, Deserialize)]
pub struct Item<'a> {
    /// Ticker: instrument id, `BTC-USDT` (books do not name theirs).
    #[serde(rename = "instId")]
    pub inst_id: Option<&'a str>,
    /// Ticker: instrument type, `SPOT`.
    #[serde(rename = "instType")]
    pub inst_type: Option<&'a str>,
    /// Ticker: last traded price.
    #[serde(borrow)]
    pub last: Option<DecimalStr<'a>>,
    /// Ticker: best ask price.
    #[serde(rename = "askPx", borrow)]
    pub ask_px: Option<DecimalStr<'a>>,
    /// Ticker: best bid price.
    #[serde(rename = "bidPx", borrow)]
    pub bid_px: Option<DecimalStr<'a>>,
    /// Ticker: price 24 h ago.
    #[serde(rename = "open24h", borrow)]
    pub open_24h: Option<DecimalStr<'a>>,
    /// Ticker: 24 h high.
    #[serde(rename = "high24h", borrow)]
    pub high_24h: Option<DecimalStr<'a>>,
    /// Ticker: 24 h low.
    #[serde(rename = "low24h", borrow)]
    pub low_24h: Option<DecimalStr<'a>>,
    /// Ticker: 24 h volume; for spot in the base currency (`volCcy24h` is the quote's).
    #[serde(rename = "vol24h", borrow)]
    pub vol_24h: Option<DecimalStr<'a>>,
    /// Both: the exchange's time, ms since the epoch, as a string.
    #[serde(borrow)]
    pub ts: Option<DecimalStr<'a>>,
    /// Book: asks, best first (a snapshot) or changes (an update).
    pub asks: Option<OkxLevels>,
    /// Book: bids, best first (a snapshot) or changes (an update).
    pub bids: Option<OkxLevels>,
    /// Book: CRC32 of the top 25 levels after this push, as a signed 32-bit integer.
    pub checksum: Option<i64>,
    /// Book: the `seqId` of the previous push (`-1` on a snapshot).
    #[serde(rename = "prevSeqId")]
    pub prev_seq_id: Option<i64>,
    /// Book: this push's sequence id.
    #[serde(rename = "seqId")]
    pub seq_id: Option<i64>,
}

/// A side of an OKX book: `[price, size, "0", orders]` arrays (the deprecated liquidated-orders
/// field and the order count are skipped; `books-full` sends three elements), read straight into
/// levels, exactly. A level that is not at least two decimal strings fails the frame.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OkxLevels(pub Vec<Level>);

/// The most elements a level array has.
const LEVEL_FIELDS: usize = 4;

/// Capacity reserved for a side before its length is known (a ticker-sized update).
const LEVELS_CAPACITY: usize = 16;

impl<'de> Deserialize<'de> for OkxLevels {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<OkxLevels, D::Error> {
        deserializer.deserialize_seq(LevelsVisitor)
    }
}

struct LevelsVisitor;

impl<'de> Visitor<'de> for LevelsVisitor {
    type Value = OkxLevels;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of [price, size, ..] levels")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OkxLevels, A::Error> {
        let mut levels = Vec::with_capacity(seq.size_hint().unwrap_or(LEVELS_CAPACITY));
        while let Some(level) = seq.next_element_seed(LevelSeed(levels.len()))? {
            levels.push(level);
        }
        Ok(OkxLevels(levels))
    }
}

/// Level number `.0` of its side.
struct LevelSeed(usize);

impl<'de> DeserializeSeed<'de> for LevelSeed {
    type Value = Level;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Level, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for LevelSeed {
    type Value = Level;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "level {} as [price, size, ..]", self.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Level, A::Error> {
        let index = self.0;
        let mut next = |what: &str| -> Result<_, A::Error> {
            let DecimalStr(text) = seq
                .next_element()?
                .ok_or_else(|| de::Error::custom(format!("level {index}: no {what}")))?;
            num::parse_decimal_bytes(text)
                .map_err(|e| de::Error::custom(format!("level {index} {what}: {e}")))
        };
        let price = next("price")?;
        let size = next("size")?;
        let mut extra = 2;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            extra += 1;
            if extra > LEVEL_FIELDS {
                return Err(de::Error::custom(format!(
                    "level {index}: more than {LEVEL_FIELDS} fields"
                )));
            }
        }
        Ok(Level::new(price, size))
    }
}

/// The subscribe request: `{"id":..,"op":"subscribe","args":[{"channel":..,"instId":..},..]}`.
#[derive(Debug, Serialize)]
pub struct Subscribe<'a> {
    /// A client id (at most 32 letters and digits), echoed in the acknowledgements.
    pub id: &'a str,
    /// `subscribe`.
    pub op: &'a str,
    /// One per channel and instrument.
    pub args: Vec<SubscribeArg<'a>>,
}

/// One channel of a [`Subscribe`] request.
#[derive(Debug, Serialize)]
pub struct SubscribeArg<'a> {
    /// `tickers` or `books`.
    pub channel: &'a str,
    /// `BTC-USDT`.
    #[serde(rename = "instId")]
    pub inst_id: &'a str,
}
