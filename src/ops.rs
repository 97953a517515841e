//! The daemon's operations wiring for breakers and notifications, called from `daemon.rs` in a
//! few lines: the breaker board (per-pattern parameters), the chat channels' dispatcher and the
//! log follower that derives notifications from events, the shared breaker store sync (NATS
//! JetStream KV), breaker states in `/metrics` (every second), and the bounded flush of
//! notifications at shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use premia_actors::breaker::BreakerBoard;
use premia_actors::breaker::nats::NatsBreakerStore;
use premia_actors::breaker::shared::{SharedBreakerStore, run_sync};
use premia_actors::health::Health;
use premia_actors::journal::Journal;
use premia_actors::metrics::Metrics;
use premia_actors::notify::dispatch::{Dispatcher, follow_log};
use premia_events::Clock;
use premia_events::event::Event;
use premia_events::log::EventLog;

use crate::config::Config;

/// The breaker board the config describes.
pub fn breaker_board(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<BreakerBoard> {
    let policies = config
        .breaker
        .policies()
        .map_err(|e| anyhow!("breaker.rules: {e}"))?;
    Ok(BreakerBoard::with_policies(policies, clock))
}

/// What `start` started.
#[derive(Debug)]
pub struct Ops {
    /// The chat channels (none configured: `None`).
    pub dispatcher: Option<Dispatcher>,
    handled: Option<Arc<AtomicU64>>,
}

/// Starts the chat channels and the event follower (from `from_seq`), and the shared breaker
/// sync when `[breaker.shared]` is configured. Runs inside the tokio runtime.
#[allow(
    clippy::too_many_arguments,
    reason = "the daemon's handles, passed once"
)]
pub fn start(
    config: &Config,
    log: &EventLog,
    journal: &Journal,
    breakers: &BreakerBoard,
    health: &Health,
    metrics: &Metrics,
    clock: Arc<dyn Clock>,
    from_seq: u64,
) -> anyhow::Result<Ops> {
    let settings = config.notify.settings();
    let (dispatcher, handled) = if settings.channels.is_empty() {
        (None, None)
    } else {
        let dispatcher =
            Dispatcher::start(settings, metrics.clone(), clock).context("notification channels")?;
        let handled = follow_log(log.clone(), from_seq, dispatcher.clone());
        tracing::info!(channels = ?dispatcher.channel_names(), "Notification channels ready");
        (Some(dispatcher), Some(handled))
    };
    {
        let (board, metrics) = (breakers.clone(), metrics.clone());
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(Duration::from_secs(1));
            loop {
                ticker.tick().await;
                board.export(&metrics);
            }
        });
    }
    if let Some(shared) = config.breaker.shared.clone() {
        let (board, journal, health) = (breakers.clone(), journal.clone(), health.clone());
        let instance = config.instance.clone();
        tokio::spawn(async move {
            let store = loop {
                match tokio::time::timeout(
                    Duration::from_secs(10),
                    NatsBreakerStore::connect(&shared.servers, &shared.bucket),
                )
                .await
                {
                    Ok(Ok(store)) => break store,
                    Ok(Err(error)) => {
                        tracing::warn!(%error, "Shared breaker store not reachable; retrying in 5 s")
                    }
                    Err(_) => {
                        tracing::warn!(servers = %shared.servers, "Shared breaker store: connect timed out; retrying in 5 s")
                    }
                }
                tokio::time::sleep(Duration::from_secs(5)).await;
            };
            tracing::info!(bucket = %shared.bucket, "Breaker states shared through NATS KV");
            let store: Arc<dyn SharedBreakerStore> = Arc::new(store);
            let health_board = board.clone();
            run_sync(
                board,
                store,
                instance,
                Duration::from_millis(shared.poll_ms.max(50)),
                move |transition| {
                    journal.emit(&Event::BreakerTransition(transition), None);
                    health_board.sync_health(&health);
                },
            )
            .await;
        });
    }
    Ok(Ops {
        dispatcher,
        handled,
    })
}

impl Ops {
    /// At shutdown: lets the follower reach the log's head (the `daemon_stopped` record) and
    /// the channels send what is queued, for at most `within`.
    pub async fn flush(&self, log: &EventLog, within: Duration) {
        let (Some(dispatcher), Some(handled)) = (&self.dispatcher, &self.handled) else {
            return;
        };
        let head = *log.watch_head().borrow();
        let deadline = tokio::time::Instant::now() + within;
        while handled.load(Ordering::Acquire) < head && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        dispatcher
            .flush(deadline.saturating_duration_since(tokio::time::Instant::now()))
            .await;
    }
}
