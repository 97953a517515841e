//! Normalised market data: what every exchange codec decodes into, and what feeds hand to the
//! signal evaluator and the paper venue (and, later, publish on NATS `premia.md.*`).
//!
//! Market data is never written to the event log (its volume would drown the decisions); it is
//! passed between actors as these typed values. Every message keeps both times: the exchange's
//! own timestamp when the frame has one, and the local receive time.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::market::{Exchange, Market};
use crate::money::{dec, dec_opt};
use crate::time::Timestamp;

/// One price level of a book.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    /// Price.
    #[serde(with = "dec")]
    pub price: Decimal,
    /// Quantity at that price (in a delta, zero removes the level).
    #[serde(with = "dec")]
    pub quantity: Decimal,
}

impl Level {
    /// A level.
    pub fn new(price: Decimal, quantity: Decimal) -> Level {
        Level { price, quantity }
    }
}

/// A ticker: last trade price and, where the exchange sends them, best bid/ask and 24 h stats.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticker {
    /// Where it came from.
    pub exchange: Exchange,
    /// The market.
    pub market: Market,
    /// Last trade price.
    #[serde(with = "dec")]
    pub last: Decimal,
    /// Best bid, if the frame has it.
    #[serde(with = "dec_opt")]
    pub best_bid: Option<Decimal>,
    /// Best ask, if the frame has it.
    #[serde(with = "dec_opt")]
    pub best_ask: Option<Decimal>,
    /// Price 24 h ago (or at the exchange's day open).
    #[serde(with = "dec_opt")]
    pub open_24h: Option<Decimal>,
    /// 24 h high.
    #[serde(with = "dec_opt")]
    pub high_24h: Option<Decimal>,
    /// 24 h low.
    #[serde(with = "dec_opt")]
    pub low_24h: Option<Decimal>,
    /// 24 h volume in the base asset.
    #[serde(with = "dec_opt")]
    pub volume_24h: Option<Decimal>,
    /// The exchange's timestamp for this data.
    pub exchange_time: Option<Timestamp>,
    /// When premia received the frame.
    pub received: Timestamp,
}

/// A full order book (top N levels): replaces whatever the receiver had.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookSnapshot {
    /// Where it came from.
    pub exchange: Exchange,
    /// The market.
    pub market: Market,
    /// Bids, best (highest) first.
    pub bids: Vec<Level>,
    /// Asks, best (lowest) first.
    pub asks: Vec<Level>,
    /// The exchange's sequence / update id, where it has one.
    pub seq: Option<u64>,
    /// The exchange's timestamp.
    pub exchange_time: Option<Timestamp>,
    /// When premia received the frame.
    pub received: Timestamp,
}

impl BookSnapshot {
    /// Best bid price.
    pub fn best_bid(&self) -> Option<Decimal> {
        self.bids.first().map(|l| l.price)
    }

    /// Best ask price.
    pub fn best_ask(&self) -> Option<Decimal> {
        self.asks.first().map(|l| l.price)
    }

    /// Whether the best bid is at or above the best ask (a book that cannot be right).
    pub fn is_crossed(&self) -> bool {
        matches!((self.best_bid(), self.best_ask()), (Some(bid), Some(ask)) if bid >= ask)
    }
}

/// Changes to a book: each level sets the quantity at its price (zero removes it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookDelta {
    /// Where it came from.
    pub exchange: Exchange,
    /// The market.
    pub market: Market,
    /// Bid changes.
    pub bids: Vec<Level>,
    /// Ask changes.
    pub asks: Vec<Level>,
    /// The first update id this delta covers, where the exchange says (Binance `U`).
    pub first_seq: Option<u64>,
    /// The last update id this delta covers (Binance `u`, OKX `seqId`).
    pub seq: Option<u64>,
    /// The update id this delta follows (OKX `prevSeqId`).
    pub prev_seq: Option<u64>,
    /// The exchange's checksum of the book after applying it (OKX, Kraken).
    pub checksum: Option<u32>,
    /// The exchange's timestamp.
    pub exchange_time: Option<Timestamp>,
    /// When premia received the frame.
    pub received: Timestamp,
}

/// One decoded piece of market data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarketData {
    /// A ticker.
    Ticker(Ticker),
    /// A full book.
    Book(BookSnapshot),
    /// A book delta.
    Delta(BookDelta),
}

impl MarketData {
    /// The market it is about.
    pub fn market(&self) -> &Market {
        match self {
            MarketData::Ticker(t) => &t.market,
            MarketData::Book(b) => &b.market,
            MarketData::Delta(d) => &d.market,
        }
    }

    /// The exchange it came from.
    pub fn exchange(&self) -> Exchange {
        match self {
            MarketData::Ticker(t) => t.exchange,
            MarketData::Book(b) => b.exchange,
            MarketData::Delta(d) => d.exchange,
        }
    }
}
