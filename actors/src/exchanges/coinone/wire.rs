//! Coinone frames as sent: WebSocket messages `{"response_type":..,"channel":..,"data":{..}}`
//! (`DATA` on the `TICKER` and `ORDERBOOK` channels, `SUBSCRIBED`, `PONG`, `ERROR`, the
//! connect message), and the Public API v2 REST bodies `{"result":"success",..}` /
//! `{"result":"error","error_code":..,"error_msg":..}`.
//!
//! Each frame is read once into borrowed structs whose fields are all optional; the codec
//! checks what each kind of message needs. A ticker's and a book's `data` share one struct
//! ([`Data`]), so the payload is read in the same pass whatever the order of `channel` and
//! `data`. Prices and quantities are JSON strings, kept raw ([`Raw`], which also takes a JSON
//! number) until the codec converts them exactly; book levels `{"price":..,"qty":..}` are
//! converted as they are read ([`ObjectLevels`], shared with Korbit).
//!
//! Data frames in the `SHORT` format (abbreviated keys: `r`, `c`, `d`; in `d`: `qc`, `tc`, `t`,
//! `i`, `la`, `fi`, `hi`, `lo`, `tv`, `abp`, `bbp`, and `a`/`b` levels of `p`/`q`) read the same,
//! for frames recorded by other tools; premia itself subscribes in `DEFAULT`.

use serde::Deserialize;

use crate::exchanges::json::{Malformed, ObjectOr, Raw, RawBytes};
pub use crate::exchanges::korbit::wire::ObjectLevels;
use crate::exchanges::scan::Scanner;

/// Any WebSocket message.
#[derive(Debug, Default, Deserialize)]
pub struct Message<'a> {
    /// `DATA`, `SUBSCRIBED`, `PONG`, `ERROR`, `CONNECTED`, ...
    pub response_type: Option<&'a str>,
    /// `TICKER`, `ORDERBOOK`, `TRADE`, ...
    pub channel: Option<&'a str>,
    /// The payload; a value that is not an object is skipped.
    #[serde(borrow)]
    pub data: Option<ObjectOr<Data<'a>>>,
    /// Error: the code, e.g. `160012`.
    #[serde(borrow)]
    pub error_code: Option<Raw<'a>>,
    /// Error: the message, e.g. `Invalid Topic`.
    #[serde(borrow)]
    pub message: Option<Raw<'a>>,
}

/// The `data` of a ticker or an order book on the WebSocket, and a REST ticker element.
#[derive(Debug, Default, Deserialize)]
pub struct Data<'a> {
    /// The quote currency, `KRW` (`krw` in REST tickers).
    pub quote_currency: Option<&'a str>,
    /// The target (base) currency, `BTC`.
    pub target_currency: Option<&'a str>,
    /// The exchange's time, ms since the epoch.
    #[serde(borrow)]
    pub timestamp: Option<Raw<'a>>,
    /// An increasing id, a string `"<ms>001"`: larger is newer.
    #[serde(borrow)]
    pub id: Option<Raw<'a>>,
    /// Ticker: last price.
    #[serde(borrow)]
    pub last: Option<RawBytes<'a>>,
    /// Ticker: first price of the 24 h window.
    #[serde(borrow)]
    pub first: Option<RawBytes<'a>>,
    /// Ticker: 24 h high.
    #[serde(borrow)]
    pub high: Option<RawBytes<'a>>,
    /// Ticker: 24 h low.
    #[serde(borrow)]
    pub low: Option<RawBytes<'a>>,
    /// Ticker: 24 h volume in the target (base) currency.
    #[serde(borrow)]
    pub target_volume: Option<RawBytes<'a>>,
    /// WebSocket ticker: best ask price.
    #[serde(borrow)]
    pub ask_best_price: Option<RawBytes<'a>>,
    /// WebSocket ticker: best bid price.
    #[serde(borrow)]
    pub bid_best_price: Option<RawBytes<'a>>,
    /// REST ticker: the best asks.
    pub best_asks: Option<ObjectLevels>,
    /// REST ticker: the best bids.
    pub best_bids: Option<ObjectLevels>,
    /// Order book: asks, in whatever order Coinone sends them.
    pub asks: Option<ObjectLevels>,
    /// Order book: bids.
    pub bids: Option<ObjectLevels>,
}

impl<'a> Message<'a> {
    /// Reads a whole WebSocket frame with the scanner, into `self` (a default message) in place.
    pub fn scan(&mut self, frame: &'a [u8]) -> Result<(), Malformed> {
        Scanner::whole_into(frame, self, |s, out| {
            s.object(|s, key| match key {
                b"response_type" | b"r" => {
                    s.field(&mut out.response_type, "response_type", Scanner::str)
                }
                b"channel" | b"c" => s.field(&mut out.channel, "channel", Scanner::str),
                b"data" | b"d" => s.object_field(&mut out.data, "data", Data::scan),
                b"error_code" => s.field(&mut out.error_code, "error_code", |s| s.raw().map(Raw)),
                b"message" => s.field(&mut out.message, "message", |s| s.raw().map(Raw)),
                _ => s.skip_value(),
            })
        })
    }
}

impl<'a> Data<'a> {
    fn scan(s: &mut Scanner<'a>, out: &mut Data<'a>) -> Result<(), Malformed> {
        s.object(|s, key| match key {
            b"quote_currency" | b"qc" => {
                s.field(&mut out.quote_currency, "quote_currency", Scanner::str)
            }
            b"target_currency" | b"tc" => {
                s.field(&mut out.target_currency, "target_currency", Scanner::str)
            }
            b"timestamp" | b"t" => s.field(&mut out.timestamp, "timestamp", |s| s.raw().map(Raw)),
            b"id" | b"i" => s.field(&mut out.id, "id", |s| s.raw().map(Raw)),
            b"last" | b"la" => s.field(&mut out.last, "last", Scanner::token),
            b"first" | b"fi" => s.field(&mut out.first, "first", Scanner::token),
            b"high" | b"hi" => s.field(&mut out.high, "high", Scanner::token),
            b"low" | b"lo" => s.field(&mut out.low, "low", Scanner::token),
            b"target_volume" | b"tv" => {
                s.field(&mut out.target_volume, "target_volume", Scanner::token)
            }
            b"ask_best_price" | b"abp" => {
                s.field(&mut out.ask_best_price, "ask_best_price", Scanner::token)
            }
            b"bid_best_price" | b"bbp" => {
                s.field(&mut out.bid_best_price, "bid_best_price", Scanner::token)
            }
            b"best_asks" => s.field(&mut out.best_asks, "best_asks", ObjectLevels::scan),
            b"best_bids" => s.field(&mut out.best_bids, "best_bids", ObjectLevels::scan),
            b"asks" | b"a" => s.field(&mut out.asks, "asks", ObjectLevels::scan),
            b"bids" | b"b" => s.field(&mut out.bids, "bids", ObjectLevels::scan),
            _ => s.skip_value(),
        })
    }
}

/// A REST body: a ticker list, an order book, or an error.
#[derive(Debug, Deserialize)]
pub struct RestBody<'a> {
    /// `success` or `error`.
    pub result: Option<&'a str>,
    /// `"0"` on success, the error's code otherwise (`errorCode` in some of Coinone's
    /// documented error bodies).
    #[serde(borrow, alias = "errorCode")]
    pub error_code: Option<Raw<'a>>,
    /// The error's message (`errorMsg` likewise).
    #[serde(borrow, alias = "errorMsg")]
    pub error_msg: Option<Raw<'a>>,
    /// `ticker_new`: the tickers.
    #[serde(borrow)]
    pub tickers: Option<Vec<Data<'a>>>,
    /// `orderbook`: the quote currency.
    pub quote_currency: Option<&'a str>,
    /// `orderbook`: the target currency.
    pub target_currency: Option<&'a str>,
    /// `orderbook`: the book's time, ms since the epoch.
    #[serde(borrow)]
    pub timestamp: Option<Raw<'a>>,
    /// `orderbook`: the book's id.
    #[serde(borrow)]
    pub id: Option<Raw<'a>>,
    /// `orderbook`: asks.
    pub asks: Option<ObjectLevels>,
    /// `orderbook`: bids.
    pub bids: Option<ObjectLevels>,
}
