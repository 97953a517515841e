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

use serde::Deserialize;

use crate::exchanges::json::{ObjectOr, Raw};
pub use crate::exchanges::korbit::wire::ObjectLevels;

/// Any WebSocket message.
#[derive(Debug, Deserialize)]
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
#[derive(Debug, Deserialize)]
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
    pub last: Option<Raw<'a>>,
    /// Ticker: first price of the 24 h window.
    #[serde(borrow)]
    pub first: Option<Raw<'a>>,
    /// Ticker: 24 h high.
    #[serde(borrow)]
    pub high: Option<Raw<'a>>,
    /// Ticker: 24 h low.
    #[serde(borrow)]
    pub low: Option<Raw<'a>>,
    /// Ticker: 24 h volume in the target (base) currency.
    #[serde(borrow)]
    pub target_volume: Option<Raw<'a>>,
    /// WebSocket ticker: best ask price.
    #[serde(borrow)]
    pub ask_best_price: Option<Raw<'a>>,
    /// WebSocket ticker: best bid price.
    #[serde(borrow)]
    pub bid_best_price: Option<Raw<'a>>,
    /// REST ticker: the best asks.
    pub best_asks: Option<ObjectLevels>,
    /// REST ticker: the best bids.
    pub best_bids: Option<ObjectLevels>,
    /// Order book: asks, in whatever order Coinone sends them.
    pub asks: Option<ObjectLevels>,
    /// Order book: bids.
    pub bids: Option<ObjectLevels>,
}

/// A REST body: a ticker list, an order book, or an error.
#[derive(Debug, Deserialize)]
pub struct RestBody<'a> {
    /// `success` or `error`.
    pub result: Option<&'a str>,
    /// `"0"` on success, the error's code otherwise.
    #[serde(borrow)]
    pub error_code: Option<Raw<'a>>,
    /// The error's message.
    #[serde(borrow)]
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
