//! Bybit v5 frames as sent on the public spot WebSocket: topic pushes
//! `{"topic":..,"type":"snapshot"|"delta","ts":..,"data":{..},"cts"?:..}` of `tickers.*` and
//! `orderbook.*`, replies `{"success":..,"ret_msg":..,"op":..}` to subscribe and ping (a spot
//! pong is `{"success":true,"ret_msg":"pong","op":"ping"}`; other endpoints answer
//! `{"op":"pong","args":[..]}`), and the REST envelope `{"retCode":0,"retMsg":"OK",
//! "result":{..},"time":..}` of `/v5/market/tickers` and `/v5/market/orderbook`.
//!
//! [`Frame`] reads every WebSocket frame in one pass, in any key order (spot writes `ts` before
//! `type`); `data` is read by [`Data`], whose ticker and book fields do not overlap, or skipped
//! when it is not an object (the arrays of trade topics). Prices and sizes are JSON strings
//! ([`ScannedStr`](crate::exchanges::json::ScannedStr), read by the scanner), converted exactly by the codec; `ts`, `u`, `seq`, `cts` are numbers.

use serde::{Deserialize, Serialize};

use crate::exchanges::book::PairLevels;
use crate::exchanges::json::{Malformed, ObjectOr, Raw, ScannedStr};
use crate::exchanges::scan::Scanner;

/// Any frame on the public WebSocket.
#[derive(Debug, Default)]
pub struct Frame<'a> {
    /// A push: its topic, `tickers.BTCUSDT`.
    pub topic: Option<&'a str>,
    /// A push: `snapshot` or `delta`.
    pub kind: Option<&'a str>,
    /// A push: when the system generated it, ms since the epoch.
    pub ts: Option<i64>,
    /// A push: the payload.
    pub data: Option<ObjectOr<Data<'a>>>,
    /// A reply: whether the request succeeded.
    pub success: Option<bool>,
    /// A reply: `subscribe`, `pong`, or the reason of a failure.
    pub ret_msg: Option<Raw<'a>>,
    /// A reply: the request's `op` (`subscribe`, `ping`), or `pong`.
    pub op: Option<&'a str>,
}

/// The `data` of a push, or an item of a REST ticker list: a ticker (`symbol`, `lastPrice`,
/// ...) or a book (`s`, `b`, `a`, `u`, `seq`).
#[derive(Debug, Default, Deserialize)]
pub struct Data<'a> {
    /// Ticker: symbol, `BTCUSDT`.
    pub symbol: Option<&'a str>,
    /// Ticker: last traded price.
    #[serde(rename = "lastPrice", borrow)]
    pub last_price: Option<ScannedStr<'a>>,
    /// Ticker: best bid (REST and linear tickers; not in spot WebSocket tickers).
    #[serde(rename = "bid1Price", borrow)]
    pub bid1_price: Option<ScannedStr<'a>>,
    /// Ticker: best ask (as `bid1Price`).
    #[serde(rename = "ask1Price", borrow)]
    pub ask1_price: Option<ScannedStr<'a>>,
    /// Ticker: price 24 h ago.
    #[serde(rename = "prevPrice24h", borrow)]
    pub prev_price_24h: Option<ScannedStr<'a>>,
    /// Ticker: 24 h high.
    #[serde(rename = "highPrice24h", borrow)]
    pub high_price_24h: Option<ScannedStr<'a>>,
    /// Ticker: 24 h low.
    #[serde(rename = "lowPrice24h", borrow)]
    pub low_price_24h: Option<ScannedStr<'a>>,
    /// Ticker: 24 h volume in the base asset.
    #[serde(rename = "volume24h", borrow)]
    pub volume_24h: Option<ScannedStr<'a>>,
    /// Book: symbol.
    pub s: Option<&'a str>,
    /// Book: bids, best first (a snapshot) or changes (a delta).
    pub b: Option<PairLevels>,
    /// Book: asks, best first (a snapshot) or changes (a delta).
    pub a: Option<PairLevels>,
    /// Book: update id, one more per message of a topic (`1` after a service restart).
    pub u: Option<u64>,
    /// Book: cross sequence, comparable across depths and topics.
    pub seq: Option<u64>,
}

impl<'a> Frame<'a> {
    /// Reads a whole WebSocket frame with the scanner, into `self` (a default frame) in place.
    pub fn scan(&mut self, frame: &'a [u8]) -> Result<(), Malformed> {
        Scanner::whole_into(frame, self, |s, out| {
            s.object(|s, key| match key {
                b"topic" => s.field(&mut out.topic, "topic", Scanner::str),
                b"type" => s.field(&mut out.kind, "type", Scanner::str),
                b"ts" => s.field(&mut out.ts, "ts", Scanner::i64),
                b"data" => s.object_field(&mut out.data, "data", Data::scan),
                b"success" => s.field(&mut out.success, "success", Scanner::bool),
                b"ret_msg" => s.field(&mut out.ret_msg, "ret_msg", |s| s.raw().map(Raw)),
                b"op" => s.field(&mut out.op, "op", Scanner::str),
                _ => s.skip_value(),
            })
        })
    }
}

impl<'a> Data<'a> {
    fn scan(s: &mut Scanner<'a>, data: &mut Data<'a>) -> Result<(), Malformed> {
        s.object(|s, key| match key {
            b"symbol" => s.field(&mut data.symbol, "symbol", Scanner::str),
            b"lastPrice" => s.field(&mut data.last_price, "lastPrice", Scanner::decimal_string),
            b"bid1Price" => s.field(&mut data.bid1_price, "bid1Price", Scanner::decimal_string),
            b"ask1Price" => s.field(&mut data.ask1_price, "ask1Price", Scanner::decimal_string),
            b"prevPrice24h" => s.field(
                &mut data.prev_price_24h,
                "prevPrice24h",
                Scanner::decimal_string,
            ),
            b"highPrice24h" => s.field(
                &mut data.high_price_24h,
                "highPrice24h",
                Scanner::decimal_string,
            ),
            b"lowPrice24h" => s.field(
                &mut data.low_price_24h,
                "lowPrice24h",
                Scanner::decimal_string,
            ),
            b"volume24h" => s.field(&mut data.volume_24h, "volume24h", Scanner::decimal_string),
            b"s" => s.field(&mut data.s, "s", Scanner::str),
            b"b" => s.field(&mut data.b, "b", PairLevels::scan),
            b"a" => s.field(&mut data.a, "a", PairLevels::scan),
            b"u" => s.field(&mut data.u, "u", Scanner::u64),
            b"seq" => s.field(&mut data.seq, "seq", Scanner::u64),
            _ => s.skip_value(),
        })
    }
}

/// A REST body.
#[derive(Debug, Deserialize)]
pub struct RestBody<'a> {
    /// `0` on success; anything else is an error, usually sent with HTTP 200.
    #[serde(rename = "retCode", borrow)]
    pub ret_code: Option<Raw<'a>>,
    /// `OK`, or the error's message.
    #[serde(rename = "retMsg", borrow)]
    pub ret_msg: Option<Raw<'a>>,
    /// The answer (`{}` on an error).
    #[serde(borrow)]
    pub result: Option<RestResult<'a>>,
    /// The server's time, ms since the epoch.
    pub time: Option<i64>,
}

/// The `result` of a REST body: a ticker list (`category`, `list`) or a book (`s`, `b`, `a`,
/// `ts`, `u`, `seq`, `cts`).
#[derive(Debug, Deserialize)]
pub struct RestResult<'a> {
    /// Tickers: the items.
    #[serde(borrow)]
    pub list: Option<Vec<Data<'a>>>,
    /// Book: symbol.
    pub s: Option<&'a str>,
    /// Book: bids, best first.
    pub b: Option<PairLevels>,
    /// Book: asks, best first.
    pub a: Option<PairLevels>,
    /// Book: when the data was generated, ms since the epoch.
    pub ts: Option<i64>,
    /// Book: update id (that of the 1000-level stream).
    pub u: Option<u64>,
}

/// A subscribe request: `{"req_id":..,"op":"subscribe","args":["tickers.BTCUSDT",..]}`.
#[derive(Debug, Serialize)]
pub struct Subscribe<'a> {
    /// A client id, echoed in the reply.
    pub req_id: &'a str,
    /// `subscribe`.
    pub op: &'a str,
    /// Topics, at most ten per request on spot.
    pub args: &'a [String],
}
