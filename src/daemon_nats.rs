//! The daemon's NATS wiring (`[nats]`): the events mirror, and later the lease and market data.
//! Called from `daemon::serve` with one line at start and one at shutdown.

use std::sync::Arc;
use std::time::Duration;

use anyhow::anyhow;
use premia_actors::health::Health;
use premia_actors::metrics::Metrics;
use premia_actors::mirror::{Mirror, MirrorHandle};
use premia_actors::nats::NatsMetrics;
use premia_events::Clock;
use premia_events::log::EventLog;

use crate::config::Config;

/// What runs for NATS while the daemon runs.
#[derive(Debug, Default)]
pub struct NatsRuntime {
    mirror: Option<MirrorHandle>,
}

/// Starts the mirror when `[nats]` is configured. Never waits for NATS: an unreachable server
/// only delays the mirror (the log keeps growing and the mirror catches up).
pub fn start(
    config: &Config,
    log: &EventLog,
    metrics: &Metrics,
    health: &Health,
    clock: &Arc<dyn Clock>,
) -> anyhow::Result<NatsRuntime> {
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
    Ok(NatsRuntime { mirror })
}

impl NatsRuntime {
    /// Publishes what the log holds now (at most `within`), saves the cursor, stops.
    pub async fn stop(self, within: Duration) {
        if let Some(mirror) = self.mirror {
            mirror.stop(within).await;
        }
    }
}
