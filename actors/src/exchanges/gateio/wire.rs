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
//! ([`ScannedStr`](crate::exchanges::json::ScannedStr), read by the scanner), converted exactly by the codec.

use serde::Deserialize;

use crate::exchanges::book::PairLevels;
use crate::exchanges::json::{Malformed, ObjectOr, Raw, ScannedStr};
use crate::exchanges::scan::Scanner;

/// What a channel's `result` carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelKind {
    /// `spot.tickers`: [`TickerResult`].
    Ticker,
    /// `spot.order_book`, `spot.order_book_update`, `spot.obu`: [`BookResult`].
    Book,
}

/// The `result` of a `spot.tickers` update (and an element of the REST `spot/tickers` array).
#[derive(Debug, Default, Deserialize)]
pub struct TickerResult<'a> {
    /// Currency pair, `BTC_USDT`.
    pub currency_pair: Option<&'a str>,
    /// Last price.
    #[serde(borrow)]
    pub last: Option<ScannedStr<'a>>,
    /// Best ask price.
    #[serde(borrow)]
    pub lowest_ask: Option<ScannedStr<'a>>,
    /// Best bid price.
    #[serde(borrow)]
    pub highest_bid: Option<ScannedStr<'a>>,
    /// 24 h high.
    #[serde(borrow)]
    pub high_24h: Option<ScannedStr<'a>>,
    /// 24 h low.
    #[serde(borrow)]
    pub low_24h: Option<ScannedStr<'a>>,
    /// 24 h volume in the base currency.
    #[serde(borrow)]
    pub base_volume: Option<ScannedStr<'a>>,
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
#[derive(Debug, Default, Deserialize)]
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
#[derive(Debug, Default, Deserialize)]
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
    Deferred(&'a [u8]),
}

impl<'a> Payload<'a> {
    /// An empty payload of a channel of `kind` (`None`: not one the codec reads), for
    /// [`Payload::scan`] to fill.
    fn empty(kind: Option<ChannelKind>) -> Payload<'a> {
        match kind {
            Some(ChannelKind::Ticker) => Payload::Ticker(ObjectOr::Object(TickerResult::default())),
            Some(ChannelKind::Book) => Payload::Book(ObjectOr::Object(BookResult::default())),
            None => Payload::Other(ObjectOr::Object(StatusResult::default())),
        }
    }

    /// Reads `result` into this payload (made by [`Payload::empty`]) in place.
    fn scan(&mut self, s: &mut Scanner<'a>) -> Result<(), Malformed> {
        match self {
            Payload::Ticker(result) => s.object_or_into(result, TickerResult::scan),
            Payload::Book(result) => s.object_or_into(result, BookResult::scan),
            Payload::Other(result) => s.object_or_into(result, StatusResult::scan),
            Payload::Deferred(token) => s.raw_bytes().map(|raw| *token = raw),
        }
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

/// Anything that arrives on a Gate.io spot connection, read by [`Frame::scan`].
#[derive(Debug, Default)]
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

impl<'a> Frame<'a> {
    /// Reads a whole frame in one pass: Gate writes `channel` (and `event`) before `result`, so
    /// the result is read straight into that channel's type; should `result` come first, its
    /// token is kept and read once the channel is known. Reads into `self` (a default frame)
    /// in place.
    pub fn scan(&mut self, frame: &'a [u8]) -> Result<(), Malformed> {
        Scanner::whole_into(frame, self, |s, out| {
            s.object(|s, key| match key {
                b"time" => s.field(&mut out.time, "time", Scanner::i64),
                b"time_ms" => s.field(&mut out.time_ms, "time_ms", Scanner::i64),
                b"channel" => s.field(&mut out.channel, "channel", Scanner::str),
                b"event" => s.field(&mut out.event, "event", Scanner::str),
                b"error" => s.field(&mut out.error, "error", |s| s.raw().map(Raw)),
                b"result" => {
                    let kind = out.channel.map(|channel| data_kind(channel, out.event));
                    let make = || match kind {
                        Some(kind) => Payload::empty(kind),
                        None => Payload::Deferred(&[]),
                    };
                    s.field_in(&mut out.result, "result", make, |s, payload| {
                        payload.scan(s)
                    })
                }
                _ => s.skip_value(),
            })
        })
    }
}

impl<'a> TickerResult<'a> {
    fn scan(s: &mut Scanner<'a>, out: &mut TickerResult<'a>) -> Result<(), Malformed> {
        s.object(|s, key| match key {
            b"currency_pair" => s.field(&mut out.currency_pair, "currency_pair", Scanner::str),
            b"last" => s.field(&mut out.last, "last", Scanner::decimal_string),
            b"lowest_ask" => s.field(&mut out.lowest_ask, "lowest_ask", Scanner::decimal_string),
            b"highest_bid" => s.field(&mut out.highest_bid, "highest_bid", Scanner::decimal_string),
            b"high_24h" => s.field(&mut out.high_24h, "high_24h", Scanner::decimal_string),
            b"low_24h" => s.field(&mut out.low_24h, "low_24h", Scanner::decimal_string),
            b"base_volume" => s.field(&mut out.base_volume, "base_volume", Scanner::decimal_string),
            b"label" => s.field(&mut out.label, "label", |s| s.raw().map(Raw)),
            b"message" => s.field(&mut out.message, "message", |s| s.raw().map(Raw)),
            _ => s.skip_value(),
        })
    }
}

impl<'a> BookResult<'a> {
    fn scan(s: &mut Scanner<'a>, out: &mut BookResult<'a>) -> Result<(), Malformed> {
        s.object(|s, key| match key {
            b"t" => s.field(&mut out.t, "t", Scanner::i64),
            b"s" => s.field(&mut out.s, "s", Scanner::str),
            b"full" => s.field(&mut out.full, "full", Scanner::bool),
            b"U" => s.field(&mut out.first_id, "U", Scanner::u64),
            b"u" => s.field(&mut out.last_id, "u", Scanner::u64),
            b"lastUpdateId" => s.field(&mut out.last_update_id, "lastUpdateId", Scanner::u64),
            b"bids" => s.field(&mut out.bids, "bids", PairLevels::scan),
            b"asks" => s.field(&mut out.asks, "asks", PairLevels::scan),
            b"b" => s.field(&mut out.b, "b", PairLevels::scan),
            b"a" => s.field(&mut out.a, "a", PairLevels::scan),
            _ => s.skip_value(),
        })
    }
}

impl<'a> StatusResult<'a> {
    fn scan(s: &mut Scanner<'a>, out: &mut StatusResult<'a>) -> Result<(), Malformed> {
        s.object(|s, key| match key {
            b"status" => s.field(&mut out.status, "status", |s| s.raw().map(Raw)),
            _ => s.skip_value(),
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
