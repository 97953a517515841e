//! OKX v5 frames as sent: pushes `{"arg":{"channel":..,"instId":..},"action"?:..,"data":[..]}`
//! of the `tickers` and `books` channels, events (`subscribe` acknowledgements, `error`,
//! `notice`), and the REST envelope `{"code":"0","msg":"","data":[..]}` of
//! `/api/v5/market/ticker` and `/api/v5/market/books`. The text `pong` is not JSON; the codec
//! recognises it before parsing.
//!
//! One borrowed struct, [`Frame`], reads every JSON frame and REST body in a single pass, in
//! any key order; the items of `data` are read by [`Item`], whose ticker and book fields do not
//! overlap. Prices and sizes are JSON strings ([`ScannedStr`](crate::exchanges::json::ScannedStr), read by the scanner), converted exactly by the codec;
//! `checksum`, `seqId` and `prevSeqId` are JSON integers. Book levels are
//! `[price, size, "0", orders]` ([`OkxLevels`]).

use premia_events::marketdata::Level;
use serde::Serialize;

use crate::exchanges::book::scan_levels;
use crate::exchanges::json::{Malformed, Raw, ScannedStr};
use crate::exchanges::scan::{Items, Scanner};

/// Any JSON frame on the public WebSocket, or a REST body.
#[derive(Debug, Default)]
pub struct Frame<'a> {
    /// A push: the channel and instrument it belongs to.
    pub arg: Option<Arg<'a>>,
    /// A `books` push: `snapshot` or `update`.
    pub action: Option<&'a str>,
    /// A push or REST body: the items.
    pub data: Option<Items<Item<'a>>>,
    /// An event: `subscribe`, `unsubscribe`, `error`, `notice`, `channel-conn-count`, ...
    pub event: Option<&'a str>,
    /// An error event or REST body: the code, a string (`"60012"`; `"0"` is success in REST).
    pub code: Option<Raw<'a>>,
    /// An error event or REST body: the message.
    pub msg: Option<Raw<'a>>,
}

impl<'a> Frame<'a> {
    /// Reads a whole frame or REST body (a JSON object; nothing but whitespace after it) into
    /// `self` (a default frame) in place.
    pub fn scan(&mut self, frame: &'a [u8]) -> Result<(), Malformed> {
        Scanner::whole_into(frame, self, |s, out| {
            s.object(|s, key| match key {
                b"arg" => s.field(&mut out.arg, "arg", Arg::scan),
                b"action" => s.field(&mut out.action, "action", Scanner::str),
                b"data" => s.field_in(&mut out.data, "data", Items::default, |s, items| {
                    items.scan(s, Item::scan)
                }),
                b"event" => s.field(&mut out.event, "event", Scanner::str),
                b"code" => s.field(&mut out.code, "code", |s| s.raw().map(Raw)),
                b"msg" => s.field(&mut out.msg, "msg", |s| s.raw().map(Raw)),
                _ => s.skip_value(),
            })
        })
    }
}

/// The `arg` of a push or an acknowledgement.
#[derive(Debug, Default)]
pub struct Arg<'a> {
    /// `tickers`, `books`, ...
    pub channel: Option<&'a str>,
    /// `BTC-USDT`.
    pub inst_id: Option<&'a str>,
}

impl<'a> Arg<'a> {
    fn scan(s: &mut Scanner<'a>) -> Result<Arg<'a>, Malformed> {
        let mut arg = Arg::default();
        s.object(|s, key| match key {
            b"channel" => s.field(&mut arg.channel, "channel", Scanner::str),
            b"instId" => s.field(&mut arg.inst_id, "instId", Scanner::str),
            _ => s.skip_value(),
        })?;
        Ok(arg)
    }
}

/// One item of `data`: a ticker (`instId`, `last`, ...) or a book (`asks`, `bids`, `seqId`,
/// ...), WebSocket or REST.
#[derive(Debug, Default)]
pub struct Item<'a> {
    /// Ticker: instrument id, `BTC-USDT` (books do not name theirs).
    pub inst_id: Option<&'a str>,
    /// Ticker: instrument type, `SPOT`.
    pub inst_type: Option<&'a str>,
    /// Ticker: last traded price.
    pub last: Option<ScannedStr<'a>>,
    /// Ticker: best ask price.
    pub ask_px: Option<ScannedStr<'a>>,
    /// Ticker: best bid price.
    pub bid_px: Option<ScannedStr<'a>>,
    /// Ticker: price 24 h ago.
    pub open_24h: Option<ScannedStr<'a>>,
    /// Ticker: 24 h high.
    pub high_24h: Option<ScannedStr<'a>>,
    /// Ticker: 24 h low.
    pub low_24h: Option<ScannedStr<'a>>,
    /// Ticker: 24 h volume; for spot in the base currency (`volCcy24h` is the quote's).
    pub vol_24h: Option<ScannedStr<'a>>,
    /// Both: the exchange's time, ms since the epoch, as a string.
    pub ts: Option<ScannedStr<'a>>,
    /// Book: asks, best first (a snapshot) or changes (an update).
    pub asks: Option<OkxLevels>,
    /// Book: bids, best first (a snapshot) or changes (an update).
    pub bids: Option<OkxLevels>,
    /// Book: CRC32 of the top 25 levels after this push, as a signed 32-bit integer.
    pub checksum: Option<i64>,
    /// Book: the `seqId` of the previous push (`-1` on a snapshot).
    pub prev_seq_id: Option<i64>,
    /// Book: this push's sequence id.
    pub seq_id: Option<i64>,
}

impl<'a> Item<'a> {
    fn scan(s: &mut Scanner<'a>, item: &mut Item<'a>) -> Result<(), Malformed> {
        s.object(|s, key| match key {
            b"instId" => s.field(&mut item.inst_id, "instId", Scanner::str),
            b"instType" => s.field(&mut item.inst_type, "instType", Scanner::str),
            b"last" => s.field(&mut item.last, "last", Scanner::decimal_string),
            b"askPx" => s.field(&mut item.ask_px, "askPx", Scanner::decimal_string),
            b"bidPx" => s.field(&mut item.bid_px, "bidPx", Scanner::decimal_string),
            b"open24h" => s.field(&mut item.open_24h, "open24h", Scanner::decimal_string),
            b"high24h" => s.field(&mut item.high_24h, "high24h", Scanner::decimal_string),
            b"low24h" => s.field(&mut item.low_24h, "low24h", Scanner::decimal_string),
            b"vol24h" => s.field(&mut item.vol_24h, "vol24h", Scanner::decimal_string),
            b"ts" => s.field(&mut item.ts, "ts", Scanner::decimal_string),
            b"asks" => s.field(&mut item.asks, "asks", OkxLevels::scan),
            b"bids" => s.field(&mut item.bids, "bids", OkxLevels::scan),
            b"checksum" => s.field(&mut item.checksum, "checksum", Scanner::i64),
            b"prevSeqId" => s.field(&mut item.prev_seq_id, "prevSeqId", Scanner::i64),
            b"seqId" => s.field(&mut item.seq_id, "seqId", Scanner::i64),
            _ => s.skip_value(),
        })
    }
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

impl OkxLevels {
    fn scan(s: &mut Scanner<'_>) -> Result<OkxLevels, Malformed> {
        scan_levels(s, "size", LEVEL_FIELDS, LEVELS_CAPACITY).map(OkxLevels)
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
