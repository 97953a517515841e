//! Market data on core NATS (`[nats.market_data]`, off by default): tickers and whole books on
//! `premia.md.<exchange>.<BASE-QUOTE>.ticker|book`, at most `max_per_second` per market and kind.
//!
//! Core NATS is at-most-once: this is a live view for dashboards, not a record (the record is
//! the event log, mirrored to JetStream). A message over the rate is dropped, and so is one that
//! finds the publishing queue full; both count in `premia_nats_market_data_total{outcome}`.
//! Market names become subject tokens with `/` as `-` (`BTC/KRW` → `BTC-KRW`).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use actix::{Actor, Context, Handler, Supervised};
use bytes::Bytes;
use premia_events::marketdata::MarketData;
use premia_events::{Exchange, Market};
use tokio::sync::mpsc;

use super::{NatsConfig, NatsMetrics, subject_token};
use crate::feed::backoff::Backoff;
use crate::messages::MarketUpdate;

/// The subject of a market data message: `premia.md.<exchange>.<BASE-QUOTE>.<kind>`.
pub fn market_subject(exchange: Exchange, market: &Market, kind: &str) -> String {
    format!(
        "premia.md.{}.{}.{kind}",
        subject_token(exchange.as_str()),
        subject_token(&market.to_string())
    )
}

/// Lets through at most one message per `interval` per key.
#[derive(Debug)]
pub struct RateGate<K> {
    interval_ns: u64,
    last: HashMap<K, u64>,
}

impl<K: std::hash::Hash + Eq> RateGate<K> {
    /// At most `per_second` messages per second per key.
    pub fn new(per_second: u32) -> RateGate<K> {
        RateGate {
            interval_ns: 1_000_000_000 / u64::from(per_second.max(1)),
            last: HashMap::new(),
        }
    }

    /// Whether a message for `key` at `now_ns` may go.
    pub fn admit(&mut self, key: K, now_ns: u64) -> bool {
        match self.last.get_mut(&key) {
            Some(last) if now_ns < last.saturating_add(self.interval_ns) => false,
            Some(last) => {
                *last = now_ns;
                true
            }
            None => {
                self.last.insert(key, now_ns);
                true
            }
        }
    }
}

/// Receives the feeds' market data and hands admitted messages to the publishing task.
#[derive(Debug)]
pub struct MarketDataPublisher {
    gate: RateGate<(Exchange, Market, &'static str)>,
    origin: Instant,
    tx: mpsc::Sender<(String, Bytes)>,
    metrics: NatsMetrics,
}

impl MarketDataPublisher {
    /// Starts the publishing task (tokio) and returns the actor to start (on the System
    /// arbiter, where the feeds are).
    pub fn new(config: NatsConfig, instance: String, metrics: NatsMetrics) -> MarketDataPublisher {
        let (tx, rx) = mpsc::channel(4096);
        tokio::spawn(publish(config.clone(), instance, metrics.clone(), rx));
        MarketDataPublisher {
            gate: RateGate::new(config.market_data.max_per_second),
            origin: Instant::now(),
            tx,
            metrics,
        }
    }
}

impl Actor for MarketDataPublisher {
    type Context = Context<Self>;
}

impl Supervised for MarketDataPublisher {}

impl Handler<MarketUpdate> for MarketDataPublisher {
    type Result = ();

    fn handle(&mut self, update: MarketUpdate, _: &mut Context<Self>) {
        let data = update.0.as_ref();
        let kind = match data {
            MarketData::Ticker(_) => "ticker",
            MarketData::Book(_) => "book",
            MarketData::Delta(_) => return,
        };
        let now = u64::try_from(self.origin.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let key = (data.exchange(), data.market().clone(), kind);
        if !self.gate.admit(key, now) {
            self.metrics
                .market_data
                .with_label_values(&["dropped"])
                .inc();
            return;
        }
        let payload = match data {
            MarketData::Ticker(t) => serde_json::to_vec(t),
            MarketData::Book(b) => serde_json::to_vec(b),
            MarketData::Delta(d) => serde_json::to_vec(d),
        };
        let Ok(payload) = payload else {
            self.metrics
                .market_data
                .with_label_values(&["dropped"])
                .inc();
            return;
        };
        let subject = market_subject(data.exchange(), data.market(), kind);
        if self.tx.try_send((subject, Bytes::from(payload))).is_err() {
            self.metrics
                .market_data
                .with_label_values(&["dropped"])
                .inc();
        }
    }
}

async fn publish(
    config: NatsConfig,
    instance: String,
    metrics: NatsMetrics,
    mut rx: mpsc::Receiver<(String, Bytes)>,
) {
    let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(5), 7);
    loop {
        let client = match super::connect(&config, &instance, "market_data", None).await {
            Ok(client) => client,
            Err(error) => {
                tracing::debug!(%error, "Market data: NATS unreachable");
                // Drop what queues up meanwhile: market data is only worth it live.
                while let Ok(_stale) = rx.try_recv() {
                    metrics.market_data.with_label_values(&["dropped"]).inc();
                }
                tokio::time::sleep(backoff.next_delay()).await;
                metrics.reconnects.with_label_values(&["market_data"]).inc();
                continue;
            }
        };
        backoff.reset();
        while let Some((subject, payload)) = rx.recv().await {
            if client.publish(subject, payload).await.is_err() {
                metrics.market_data.with_label_values(&["dropped"]).inc();
                break;
            }
            metrics.market_data.with_label_values(&["published"]).inc();
        }
        if rx.is_closed() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_subject_safe() {
        let market: Market = "BTC/KRW".parse().unwrap();
        assert_eq!(
            market_subject(Exchange::Upbit, &market, "ticker"),
            "premia.md.upbit.BTC-KRW.ticker"
        );
    }

    #[test]
    fn the_gate_admits_one_per_interval_per_key() {
        let mut gate = RateGate::new(10); // 100 ms
        let ms = 1_000_000u64;
        let cases = [
            ("TC0 first", "a", 0, true),
            ("TC1 too soon", "a", 50 * ms, false),
            ("TC2 other key", "b", 50 * ms, true),
            ("TC3 interval passed", "a", 100 * ms, true),
            ("TC4 too soon again", "a", 150 * ms, false),
        ];
        for (name, key, now, want) in cases {
            assert_eq!(gate.admit(key, now), want, "{name}");
        }
    }
}
