//! The daemon's NATS wiring (`[nats]`): the events mirror and the trading lease. Called from
//! `daemon::serve` with one line at start and one at shutdown.

use std::sync::Arc;
use std::time::Duration;

use anyhow::anyhow;
use premia_actors::breaker::BreakerBoard;
use premia_actors::health::Health;
use premia_actors::journal::Journal;
use premia_actors::lease::{FirstAttempt, Lease, LeaseHandle};
use premia_actors::messages::MarketUpdate;
use premia_actors::metrics::Metrics;
use premia_actors::mirror::{Mirror, MirrorHandle};
use premia_actors::nats::market::MarketDataPublisher;
use premia_actors::nats::{NatsMetrics, OnConflict};
use premia_events::Clock;

use crate::config::Config;

/// What runs for NATS while the daemon runs.
#[derive(Debug, Default)]
pub struct NatsRuntime {
    mirror: Option<MirrorHandle>,
    lease: Option<LeaseHandle>,
    market_data: Option<actix::Addr<MarketDataPublisher>>,
}

/// Starts the mirror and the lease when `[nats]` is configured. The mirror never waits for NATS
/// (the log keeps growing and the mirror catches up). The lease closes the breaker board's
/// trading permit until this daemon holds its account's lease; if another daemon holds it and
/// `nats.lease.on_conflict = "exit"`, this returns an error naming the holder.
pub async fn start(
    config: &Config,
    journal: &Journal,
    breakers: &BreakerBoard,
    metrics: &Metrics,
    health: &Health,
    clock: &Arc<dyn Clock>,
) -> anyhow::Result<NatsRuntime> {
    let log = journal.log();
    let Some(nats) = &config.nats else {
        return Ok(NatsRuntime::default());
    };
    let nats_metrics =
        NatsMetrics::new(metrics.registry()).map_err(|e| anyhow!("NATS metrics: {e}"))?;
    let mirror = nats.mirror.enabled.then(|| {
        Mirror {
            log: log.clone(),
            config: nats.clone(),
            instance: config.instance.clone(),
            metrics: nats_metrics.clone(),
            health: health.clone(),
            clock: clock.clone(),
            on_ack: None,
        }
        .start()
    });
    let mut lease = None;
    if nats.lease.enabled {
        let account = nats
            .lease
            .account
            .clone()
            .unwrap_or_else(|| config.instance.clone());
        let log_id = log.reader().log_id().ok().flatten().unwrap_or(0);
        let mut handle = Lease {
            config: nats.clone(),
            instance: config.instance.clone(),
            account: account.clone(),
            holder: format!(
                "{} (pid {}, log {log_id:016x})",
                config.instance,
                std::process::id()
            ),
            journal: journal.clone(),
            permit: breakers.gate().clone(),
            metrics: nats_metrics.clone(),
            health: health.clone(),
        }
        .start();
        let first = match handle.first.take() {
            Some(first) => {
                tokio::time::timeout(nats.connect_timeout() + Duration::from_secs(5), first)
                    .await
                    .ok()
                    .and_then(Result::ok)
            }
            None => None,
        };
        match first {
            Some(FirstAttempt::Acquired) => {}
            Some(FirstAttempt::HeldBy(holder)) if nats.lease.on_conflict == OnConflict::Exit => {
                handle.stop(Duration::from_secs(1)).await;
                if let Some(mirror) = mirror {
                    mirror.stop(Duration::from_secs(2)).await;
                }
                return Err(anyhow!(
                    "account {account} is traded by {holder}; exiting (nats.lease.on_conflict = \"exit\")"
                ));
            }
            Some(FirstAttempt::HeldBy(holder)) => tracing::warn!(
                %account, %holder,
                "Read-only: another daemon trades this account; taking over when its lease expires"
            ),
            Some(FirstAttempt::Unreachable(error)) => tracing::warn!(
                %error,
                "No trading until the lease is taken: NATS is unreachable"
            ),
            None => tracing::warn!("No trading until the lease is taken"),
        }
        lease = Some(handle);
    }
    let market_data = nats.market_data.enabled.then(|| {
        let (nats, instance, metrics) = (nats.clone(), config.instance.clone(), nats_metrics);
        actix::Supervisor::start(move |_| MarketDataPublisher::new(nats, instance, metrics))
    });
    Ok(NatsRuntime {
        mirror,
        lease,
        market_data,
    })
}

impl NatsRuntime {
    /// The market data publisher, to add to the feeds' subscribers (when enabled).
    pub fn market_data(&self) -> Option<actix::Recipient<MarketUpdate>> {
        self.market_data.clone().map(actix::Addr::recipient)
    }

    /// Releases the lease, publishes what the log holds now (at most `within` in all), saves the
    /// mirror's cursor, stops.
    pub async fn stop(self, within: Duration) {
        if let Some(lease) = self.lease {
            lease.stop(within / 2).await;
        }
        if let Some(mirror) = self.mirror {
            mirror.stop(within).await;
        }
    }
}
