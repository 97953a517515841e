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

use serde::Deserialize;

use crate::exchanges::book::PairLevels;
use crate::exchanges::json::{DecimalStr, Malformed, ObjectOr, Raw, ScannedStr};
use crate::exchanges::scan::{self, Scanner};

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
#[derive(Debug, Default, Deserialize)]
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
    pub last: Option<ScannedStr<'a>>,
    /// Best bid price.
    #[serde(rename = "b")]
    pub best_bid: Option<ScannedStr<'a>>,
    /// Best ask price.
    #[serde(rename = "a")]
    pub best_ask: Option<ScannedStr<'a>>,
    /// Price 24 h ago.
    #[serde(rename = "o")]
    pub open: Option<ScannedStr<'a>>,
    /// 24 h high.
    #[serde(rename = "h")]
    pub high: Option<ScannedStr<'a>>,
    /// 24 h low.
    #[serde(rename = "l")]
    pub low: Option<ScannedStr<'a>>,
    /// 24 h volume in the base asset.
    #[serde(rename = "v")]
    pub volume: Option<ScannedStr<'a>>,
}

/// A book event: the partial book of `<symbol>@depth<N>@100ms` (no event type, no symbol, no
/// time: `lastUpdateId`, `bids`, `asks`), or the `depthUpdate` of the diff-depth stream
/// `<symbol>@depth@100ms` (`E`, `s`, `U`, `u`, `b`, `a`). Their fields do not overlap.
#[derive(Debug, Default, Deserialize)]
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
#[derive(Debug, Default, Deserialize)]
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
    Deferred(&'a [u8]),
}

impl<'a> Payload<'a> {
    /// An empty payload of a stream of `kind` (`None`: not one the codec reads), for
    /// [`Payload::scan`] to fill.
    fn empty(kind: Option<StreamKind>) -> Payload<'a> {
        match kind {
            Some(StreamKind::Ticker) => Payload::Ticker(TickerEvent::default()),
            Some(StreamKind::Depth) => Payload::Depth(DepthEvent::default()),
            None => Payload::Other(ObjectOr::Object(AnyEvent::default())),
        }
    }

    /// Reads `data` into this payload (made by [`Payload::empty`]) in place.
    fn scan(&mut self, s: &mut Scanner<'a>) -> Result<(), Malformed> {
        match self {
            Payload::Ticker(event) => TickerEvent::scan(s, event),
            Payload::Depth(event) => DepthEvent::scan(s, event),
            Payload::Other(event) => s.object_or_into(event, AnyEvent::scan),
            Payload::Deferred(token) => s.raw_bytes().map(|raw| *token = raw),
        }
    }

    /// Reads the token of a [`Payload::Deferred`] for a stream of `kind`.
    pub fn read_deferred(
        kind: Option<StreamKind>,
        token: &'a [u8],
    ) -> Result<Payload<'a>, Malformed> {
        let mut payload = Payload::empty(kind);
        Scanner::whole_into(token, &mut payload, |s, payload| payload.scan(s))?;
        Ok(payload)
    }
}

/// Anything that arrives on a combined-stream connection, read by [`Frame::scan`]. `T` is what
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

impl<'a, T> Frame<'a, (T, StreamKind)> {
    /// Reads a whole frame in one pass, classifying its stream with `classify` (a stream name
    /// to the codec's market and [`StreamKind`], `None` for a stream it does not know): Binance
    /// writes `stream` before `data`, so the payload is read straight into that stream's type;
    /// should `data` come first, its token is kept and read once the stream is known. Reads
    /// into `self` (an [`Frame::empty`] one) in place.
    pub fn scan(
        &mut self,
        frame: &'a [u8],
        classify: impl Fn(&str) -> Option<(T, StreamKind)>,
    ) -> Result<(), Malformed> {
        Scanner::whole_into(frame, self, |s, out| {
            s.object(|s, key| match key {
                b"stream" => {
                    if out.stream.is_some() {
                        return Err(Malformed::new("unexpected shape: duplicate field stream"));
                    }
                    let stream = s.str().map_err(|e| scan::within("stream", e))?;
                    out.target = classify(stream);
                    out.stream = Some(stream);
                    Ok(())
                }
                b"data" => {
                    let kind = out
                        .stream
                        .map(|_| out.target.as_ref().map(|(_, kind)| *kind));
                    if out.data.is_some() {
                        return Err(Malformed::new("unexpected shape: duplicate field data"));
                    }
                    let payload = out.data.insert(match kind {
                        Some(kind) => Payload::empty(kind),
                        None => Payload::Deferred(&[]),
                    });
                    payload.scan(s)
                }
                b"result" => {
                    if out.result {
                        return Err(Malformed::new("unexpected shape: duplicate field result"));
                    }
                    out.result = true;
                    s.skip_value()
                }
                b"code" => s.field(&mut out.code, "code", |s| s.raw().map(Raw)),
                b"msg" => s.field(&mut out.msg, "msg", |s| s.raw().map(Raw)),
                b"error" => s.field(&mut out.error, "error", |s| s.raw().map(Raw)),
                b"e" => s.field(&mut out.event, "e", Scanner::str),
                _ => s.skip_value(),
            })
        })
    }
}

impl<T> Frame<'_, T> {
    /// A frame with nothing read yet, for [`Frame::scan`].
    pub fn empty() -> Self {
        Frame {
            stream: None,
            target: None,
            data: None,
            result: false,
            code: None,
            msg: None,
            error: None,
            event: None,
        }
    }
}

impl<'a> TickerEvent<'a> {
    /// Reads a `24hrTicker` event into `out` (a default one) in place.
    pub fn scan(s: &mut Scanner<'a>, out: &mut TickerEvent<'a>) -> Result<(), Malformed> {
        if s.peek_value() != Some(b'{') {
            return Err(s.shape("struct TickerEvent"));
        }
        s.object(|s, key| match key {
            b"e" => s.field(&mut out.event, "e", Scanner::str),
            b"E" => s.field(&mut out.event_time, "E", Scanner::i64),
            b"s" => s.field(&mut out.symbol, "s", Scanner::str),
            b"c" => s.field(&mut out.last, "c", Scanner::decimal_string),
            b"b" => s.field(&mut out.best_bid, "b", Scanner::decimal_string),
            b"a" => s.field(&mut out.best_ask, "a", Scanner::decimal_string),
            b"o" => s.field(&mut out.open, "o", Scanner::decimal_string),
            b"h" => s.field(&mut out.high, "h", Scanner::decimal_string),
            b"l" => s.field(&mut out.low, "l", Scanner::decimal_string),
            b"v" => s.field(&mut out.volume, "v", Scanner::decimal_string),
            _ => s.skip_value(),
        })
    }
}

impl<'a> DepthEvent<'a> {
    /// Reads a partial book or a `depthUpdate` event into `out` (a default one) in place.
    pub fn scan(s: &mut Scanner<'a>, out: &mut DepthEvent<'a>) -> Result<(), Malformed> {
        if s.peek_value() != Some(b'{') {
            return Err(s.shape("struct DepthEvent"));
        }
        s.object(|s, key| match key {
            b"e" => s.field(&mut out.event, "e", Scanner::str),
            b"lastUpdateId" => s.field(&mut out.last_update_id, "lastUpdateId", Scanner::u64),
            b"bids" => s.field(&mut out.bids, "bids", PairLevels::scan),
            b"asks" => s.field(&mut out.asks, "asks", PairLevels::scan),
            b"E" => s.field(&mut out.event_time, "E", Scanner::i64),
            b"s" => s.field(&mut out.symbol, "s", Scanner::str),
            b"U" => s.field(&mut out.first_update_id, "U", Scanner::u64),
            b"u" => s.field(&mut out.final_update_id, "u", Scanner::u64),
            b"b" => s.field(&mut out.bid_changes, "b", PairLevels::scan),
            b"a" => s.field(&mut out.ask_changes, "a", PairLevels::scan),
            _ => s.skip_value(),
        })
    }
}

impl<'a> AnyEvent<'a> {
    fn scan(s: &mut Scanner<'a>, out: &mut AnyEvent<'a>) -> Result<(), Malformed> {
        s.object(|s, key| match key {
            b"e" => s.field(&mut out.event, "e", |s| s.raw().map(Raw)),
            _ => s.skip_value(),
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
    pub volume: Option<ScannedStr<'a>>,
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
