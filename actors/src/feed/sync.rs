//! Keeping each market's book in the feed: snapshots replace it, deltas are checked and applied
//! (see [`super::book`]), and subscribers always get whole books.

use premia_events::marketdata::MarketData;

use super::FeedActor;
use super::book::{OrderBook, Resync};
use crate::exchanges::BookSync;

impl FeedActor {
    /// Keeps the market's book: a snapshot replaces it, a delta is checked and applied and the
    /// whole book is passed on. A gap or checksum mismatch drops the book, is counted, and asks
    /// the watchdog for a fresh connection (which brings a fresh snapshot).
    pub(super) fn sync_book(&mut self, item: MarketData) -> Option<MarketData> {
        let (sync, depth, exchange) = (self.codec.book_sync(), self.depth, self.exchange);
        match item {
            MarketData::Book(snapshot) => {
                if sync != BookSync::Snapshots {
                    let book = self
                        .books
                        .entry(snapshot.market.clone())
                        .or_insert_with(|| {
                            OrderBook::new(exchange, snapshot.market.clone(), sync, depth)
                        });
                    if let Err(resync) = book.apply_snapshot(&snapshot) {
                        self.resync(&snapshot.market.to_string(), &resync);
                        return None;
                    }
                }
                if snapshot.is_crossed() {
                    self.trip(&format!("crossed book ({})", snapshot.market));
                    self.metrics
                        .feed_book_resyncs
                        .with_label_values(&[exchange.as_str(), "crossed"])
                        .inc();
                    return None;
                }
                Some(MarketData::Book(snapshot))
            }
            MarketData::Delta(delta) => {
                let market = delta.market.clone();
                let book = self
                    .books
                    .entry(market.clone())
                    .or_insert_with(|| OrderBook::new(exchange, market.clone(), sync, depth));
                let codec = &self.codec;
                let result = book.apply_delta(&delta, |bids, asks| {
                    codec.book_checksum(&market, bids, asks)
                });
                match result {
                    Ok(()) => Some(MarketData::Book(book.snapshot())),
                    Err(resync) => {
                        self.resync(&market.to_string(), &resync);
                        None
                    }
                }
            }
            ticker @ MarketData::Ticker(_) => Some(ticker),
        }
    }

    fn resync(&mut self, market: &str, resync: &Resync) {
        let reason = match resync {
            Resync::Gap { .. } | Resync::MissingSeq | Resync::NoSnapshot => "gap",
            Resync::Checksum { .. } => "checksum",
            Resync::Crossed => "crossed",
        };
        self.metrics
            .feed_book_resyncs
            .with_label_values(&[self.exchange.as_str(), reason])
            .inc();
        tracing::warn!(exchange = %self.exchange, market, %resync, "Order book out of sync; resubscribing");
        self.trip(&format!("book {reason} ({market}): {resync}"));
        self.resubscribe = Some(format!("book resync ({market}): {resync}"));
    }
}
