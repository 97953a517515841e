//! The signal evaluator: applies the configured rules to market data and sends what fires to the
//! order manager. It runs on the same arbiter as the feeds and the order manager, so the hot path
//! (frame → decode → rule → intent) has no cross-thread round trip.

pub mod rule;

use actix::{Actor, Addr, Context, Handler, Supervised};
use premia_events::Timestamp;
use premia_events::marketdata::MarketData;

use crate::messages::{Drain, MarketUpdate, OrderSpec, SignalFired};
use crate::metrics::Metrics;
use crate::order::OrderManager;
pub use rule::{ChangeRate, ChangeRateRule};

/// The evaluator actor.
#[derive(Debug)]
pub struct SignalEvaluator {
    rules: Vec<(ChangeRate, OrderSpec)>,
    orders: Addr<OrderManager>,
    metrics: Metrics,
    draining: bool,
}

impl SignalEvaluator {
    /// An evaluator for `rules` (each with the order it asks for) that sends to `orders`.
    pub fn new(
        rules: Vec<(ChangeRate, OrderSpec)>,
        orders: Addr<OrderManager>,
        metrics: Metrics,
    ) -> SignalEvaluator {
        SignalEvaluator {
            rules,
            orders,
            metrics,
            draining: false,
        }
    }
}

impl Actor for SignalEvaluator {
    type Context = Context<Self>;
}

impl Supervised for SignalEvaluator {}

impl Handler<MarketUpdate> for SignalEvaluator {
    type Result = ();

    fn handle(&mut self, update: MarketUpdate, _: &mut Context<Self>) {
        if self.draining {
            return;
        }
        let MarketData::Ticker(ticker) = update.0.as_ref() else {
            return;
        };
        // Rules run on the exchange's clock when it has one, so replays and simulations are
        // bucketed by market time.
        let at: Timestamp = ticker.exchange_time.unwrap_or(ticker.received);
        for (rule, spec) in &mut self.rules {
            if !rule.watches(ticker.exchange, &ticker.market) {
                continue;
            }
            if let Some(signal) = rule.observe(at, ticker.last) {
                self.metrics
                    .signals
                    .with_label_values(&[&signal.rule, signal.side.as_str()])
                    .inc();
                tracing::info!(signal = %signal.signal_id, side = %signal.side, price = %signal.price, "Signal raised");
                self.orders.do_send(SignalFired {
                    signal,
                    order: spec.clone(),
                });
            }
        }
    }
}

impl Handler<Drain> for SignalEvaluator {
    type Result = ();

    fn handle(&mut self, _: Drain, _: &mut Context<Self>) {
        self.draining = true;
    }
}
