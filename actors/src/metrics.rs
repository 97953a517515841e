//! The daemon's Prometheus metrics, in one registry. Names follow Prometheus conventions
//! (`premia_` prefix, `_total` counters, base units); the text output passes
//! `promtool check metrics`.

use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

/// Every metric premia exports. Cheap to clone (the collectors are reference-counted).
#[derive(Clone, Debug)]
pub struct Metrics {
    registry: Registry,
    /// Frames decoded into market data, by exchange and kind (`ticker`, `book`, `delta`).
    pub feed_messages: IntCounterVec,
    /// Frames that could not be decoded, by exchange.
    pub feed_decode_errors: IntCounterVec,
    /// Benign protocol frames (acks, pongs, status), by exchange and class.
    pub feed_control_frames: IntCounterVec,
    /// Reconnects, by exchange and reason.
    pub feed_reconnects: IntCounterVec,
    /// Order books dropped and resubscribed, by exchange and reason (`gap`, `checksum`, `crossed`).
    pub feed_book_resyncs: IntCounterVec,
    /// REST fallback polls, by exchange and outcome (`ok`, `error`).
    pub feed_rest_polls: IntCounterVec,
    /// Whether each feed is polling REST because its socket is down (1) or not (0).
    pub feed_fallback: IntGaugeVec,
    /// Whether each feed's socket is up (1) or not (0).
    pub feed_connected: IntGaugeVec,
    /// Signals raised, by rule and side.
    pub signals: IntCounterVec,
    /// Orders by venue and outcome (`filled`, `partially_filled`, `rejected`, `refused`, `unknown`).
    pub orders: IntCounterVec,
    /// Durable append latency as the appender sees it, in seconds.
    pub log_append_seconds: Histogram,
    /// The last seq written to the log.
    pub log_head_seq: IntGauge,
    /// Actor restarts, by actor.
    pub actor_restarts: IntCounterVec,
    /// Notifications, by channel and outcome.
    pub notifications: IntCounterVec,
    /// Notifications waiting in each chat channel's queue.
    pub notify_queue: IntGaugeVec,
    /// Each breaker's state: 0 closed, 1 half-open, 2 open, 3 forced open.
    pub breaker_state: IntGaugeVec,
}

impl Metrics {
    /// Creates and registers every metric.
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new();
        let counter =
            |name: &str, help: &str, labels: &[&str]| -> Result<IntCounterVec, prometheus::Error> {
                let c = IntCounterVec::new(Opts::new(name, help), labels)?;
                registry.register(Box::new(c.clone()))?;
                Ok(c)
            };
        let feed_messages = counter(
            "premia_feed_messages_total",
            "Market data messages decoded, by exchange and kind.",
            &["exchange", "kind"],
        )?;
        let feed_decode_errors = counter(
            "premia_feed_decode_errors_total",
            "Frames that could not be decoded, by exchange.",
            &["exchange"],
        )?;
        let feed_control_frames = counter(
            "premia_feed_control_frames_total",
            "Acks, pongs and status frames, by exchange and class.",
            &["exchange", "class"],
        )?;
        let feed_book_resyncs = counter(
            "premia_feed_book_resyncs_total",
            "Order books resynchronised, by exchange and reason.",
            &["exchange", "reason"],
        )?;
        let feed_rest_polls = counter(
            "premia_feed_rest_polls_total",
            "REST fallback requests, by exchange and outcome.",
            &["exchange", "outcome"],
        )?;
        let feed_reconnects = counter(
            "premia_feed_reconnects_total",
            "Feed reconnects, by exchange and reason.",
            &["exchange", "reason"],
        )?;
        let signals = counter(
            "premia_signals_total",
            "Signals raised, by rule and side.",
            &["rule", "side"],
        )?;
        let orders = counter(
            "premia_orders_total",
            "Orders by venue and outcome.",
            &["venue", "outcome"],
        )?;
        let actor_restarts = counter(
            "premia_actor_restarts_total",
            "Supervised actor restarts, by actor.",
            &["actor"],
        )?;
        let notifications = counter(
            "premia_notifications_total",
            "Notifications, by channel and outcome.",
            &["channel", "outcome"],
        )?;
        let feed_connected = IntGaugeVec::new(
            Opts::new(
                "premia_feed_connected",
                "Whether the feed's socket is up (1) or not (0).",
            ),
            &["exchange"],
        )?;
        let feed_fallback = IntGaugeVec::new(
            Opts::new(
                "premia_feed_fallback",
                "Whether the feed polls REST because its socket is down (1) or not (0).",
            ),
            &["exchange"],
        )?;
        registry.register(Box::new(feed_fallback.clone()))?;
        let notify_queue = IntGaugeVec::new(
            Opts::new(
                "premia_notify_queue_depth",
                "Notifications waiting in each chat channel's queue.",
            ),
            &["channel"],
        )?;
        registry.register(Box::new(notify_queue.clone()))?;
        let breaker_state = IntGaugeVec::new(
            Opts::new(
                "premia_breaker_state",
                "Each circuit breaker's state: 0 closed, 1 half-open, 2 open, 3 forced open.",
            ),
            &["key"],
        )?;
        registry.register(Box::new(breaker_state.clone()))?;
        registry.register(Box::new(feed_connected.clone()))?;
        let log_append_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "premia_log_append_seconds",
                "Durable event log append latency seen by the appender, in seconds.",
            )
            .buckets(vec![
                0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0,
            ]),
        )?;
        registry.register(Box::new(log_append_seconds.clone()))?;
        let log_head_seq = IntGauge::new(
            "premia_log_head_seq",
            "The last seq written to the event log.",
        )?;
        registry.register(Box::new(log_head_seq.clone()))?;
        Ok(Metrics {
            registry,
            feed_messages,
            feed_decode_errors,
            feed_control_frames,
            feed_reconnects,
            feed_book_resyncs,
            feed_rest_polls,
            feed_fallback,
            feed_connected,
            signals,
            orders,
            log_append_seconds,
            log_head_seq,
            actor_restarts,
            notifications,
            notify_queue,
            breaker_state,
        })
    }

    /// The registry, for modules that register their own metrics (NATS).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_help_type_and_samples() {
        let metrics = Metrics::new().unwrap();
        metrics
            .feed_messages
            .with_label_values(&["upbit", "ticker"])
            .inc();
        metrics.log_append_seconds.observe(0.0003);
        let text = metrics.render();
        assert!(
            text.contains("# TYPE premia_feed_messages_total counter"),
            "{text}"
        );
        assert!(
            text.contains("premia_feed_messages_total{exchange=\"upbit\",kind=\"ticker\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("premia_log_append_seconds_bucket{le=\"0.0005\"} 1"),
            "{text}"
        );
    }
}
