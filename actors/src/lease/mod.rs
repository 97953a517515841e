//! One trader per account: a lease in a JetStream KV bucket (nats-server 2.9.10 compatible).
//!
//! - The bucket's `max_age` is the TTL; `create` (compare-and-set on "no entry") takes the lease;
//!   `update(revision)` renews it every TTL/3; a clean shutdown deletes it (at its revision) so a
//!   standby takes over at once.
//! - The [`TradingPermit`] (asked by the breaker board before every submit) is open only while
//!   this daemon holds the lease and its last renewal is recent enough ([`core::LeaseTiming`]):
//!   it closes before the server could let anyone else take the lease.
//! - A daemon that finds the lease held runs read-only (standby) and takes over when the holder's
//!   entry expires, or exits at start if `nats.lease.on_conflict = "exit"`.
//! - Every change is an event: `lease_acquired`, `lease_lost`, `lease_refused`.

pub mod core;
mod permit;

use std::time::{Duration, Instant};

use async_nats::jetstream::{self, kv, stream};
use bytes::Bytes;
use premia_events::event::{Event, LeaseChange};
use tokio::sync::{oneshot, watch};

pub use permit::TradingPermit;

use crate::health::{Health, Status};
use crate::journal::Journal;
use crate::nats::{self, NatsConfig, NatsError, NatsMetrics};
use core::{LeaseState, LeaseTiming};

/// How the first attempt at start went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FirstAttempt {
    /// This daemon holds the lease.
    Acquired,
    /// Another daemon holds it.
    HeldBy(String),
    /// NATS could not be reached; the lease task keeps trying (no trading meanwhile).
    Unreachable(String),
}

/// Everything the lease needs.
#[derive(Clone, Debug)]
pub struct Lease {
    /// `[nats]`.
    pub config: NatsConfig,
    /// The instance (for the connection name).
    pub instance: String,
    /// The account the lease is for.
    pub account: String,
    /// Who this daemon is, as stored in the lease.
    pub holder: String,
    /// Where the lease events go.
    pub journal: Journal,
    /// The gate it opens and closes.
    pub permit: TradingPermit,
    /// `premia_lease_held`, reconnects.
    pub metrics: NatsMetrics,
    /// `/readyz` component `lease`.
    pub health: Health,
}

/// A running lease task.
#[derive(Debug)]
pub struct LeaseHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    /// Resolves once with the outcome of the first attempt.
    pub first: Option<oneshot::Receiver<FirstAttempt>>,
}

impl LeaseHandle {
    /// Releases the lease if held (so a standby takes over at once) and stops.
    pub async fn stop(self, within: Duration) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(within, &mut task).await.is_err() {
            task.abort();
        }
    }
}

struct Run {
    lease: Lease,
    key: String,
    timing: LeaseTiming,
    origin: Instant,
    state: LeaseState,
    refused_by: Option<String>,
    first: Option<oneshot::Sender<FirstAttempt>>,
    /// Whether the last session failed (warn once per outage).
    failing: bool,
}

impl Lease {
    /// Closes the permit and starts the lease task.
    pub fn start(self) -> LeaseHandle {
        self.permit.close("waiting for the trading lease");
        self.health.set(
            "lease",
            Status::Degraded("waiting for the trading lease".into()),
        );
        let (stop, stop_rx) = watch::channel(false);
        let (first_tx, first_rx) = oneshot::channel();
        let key = nats::subject_token(&self.account);
        let timing = LeaseTiming::new(Duration::from_secs(self.config.lease.ttl_s));
        let run = Run {
            lease: self,
            key,
            timing,
            origin: Instant::now(),
            state: LeaseState::Standby,
            refused_by: None,
            first: Some(first_tx),
            failing: false,
        };
        let task = tokio::spawn(run.run(stop_rx));
        LeaseHandle {
            stop,
            task,
            first: Some(first_rx),
        }
    }
}

impl Run {
    fn now_ns(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    fn report_first(&mut self, outcome: FirstAttempt) {
        if let Some(tx) = self.first.take() {
            let _ = tx.send(outcome);
        }
    }

    async fn record(&self, event: Event) {
        if let Err(error) = self.lease.journal.append(&event, None).await {
            tracing::error!(%error, "Lease event not recorded");
        }
    }

    fn change(&self, holder: &str, detail: impl Into<String>) -> LeaseChange {
        LeaseChange {
            account: self.lease.account.clone(),
            holder: holder.to_owned(),
            detail: detail.into(),
        }
    }

    async fn lose(&mut self, detail: String) {
        self.state = LeaseState::Standby;
        self.lease
            .permit
            .close(format!("trading lease lost: {detail}"));
        self.lease.metrics.lease_held.set(0);
        self.lease.health.set(
            "lease",
            Status::Degraded(format!("read-only: lease lost ({detail})")),
        );
        tracing::error!(account = %self.lease.account, %detail, "Trading lease lost; no more orders");
        let event = Event::LeaseLost(self.change(&self.lease.holder, detail));
        self.record(event).await;
    }

    /// Closes the permit if the last renewal is too old (whatever NATS is doing).
    async fn check_deadline(&mut self) {
        if matches!(self.state, LeaseState::Holding { .. })
            && !self.timing.may_trade(&self.state, self.now_ns())
        {
            let ttl = self.lease.config.lease.ttl_s;
            self.lose(format!(
                "not renewed within {} of its {ttl} s TTL",
                "two thirds"
            ))
            .await;
        }
    }

    async fn run(mut self, mut stop: watch::Receiver<bool>) {
        let every = self.timing.renew_every();
        loop {
            self.check_deadline().await;
            let result = self.session(&mut stop).await;
            if *stop.borrow() {
                return;
            }
            if let Err(error) = result {
                if self.failing {
                    tracing::debug!(%error, "Lease: NATS still unavailable");
                } else {
                    tracing::warn!(%error, "Lease: NATS unavailable; retrying");
                }
                self.failing = true;
                self.report_first(FirstAttempt::Unreachable(error.to_string()));
                self.lease
                    .metrics
                    .reconnects
                    .with_label_values(&["lease"])
                    .inc();
            }
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                _ = stop.changed() => return,
            }
        }
    }

    async fn session(&mut self, stop: &mut watch::Receiver<bool>) -> Result<(), NatsError> {
        let config = &self.lease.config;
        let client = nats::connect(config, &self.lease.instance, "lease", None).await?;
        let mut js = jetstream::new(client);
        js.set_timeout(Duration::from_secs(2));
        let bucket = &config.lease.bucket;
        let store = match js.get_key_value(bucket).await {
            Ok(store) => store,
            Err(_) => {
                // async-nats' create_key_value first asks for the account's info, whose answer
                // from nats-server 2.9.10 it cannot parse; so the bucket's stream is created
                // here, exactly as a KV bucket's (history 1, max_age = the TTL), and opened.
                js.create_stream(kv_stream(bucket, config.lease.ttl_s))
                    .await
                    .map_err(|e| NatsError::JetStream(format!("lease bucket {bucket}: {e}")))?;
                js.get_key_value(bucket)
                    .await
                    .map_err(|e| NatsError::JetStream(format!("lease bucket {bucket}: {e}")))?
            }
        };
        loop {
            self.check_deadline().await;
            self.step(&store).await?;
            self.failing = false;
            tokio::select! {
                () = tokio::time::sleep(self.timing.renew_every()) => {}
                _ = stop.changed() => {
                    if let LeaseState::Holding { revision, .. } = self.state {
                        let _ = store.delete_expect_revision(&self.key, Some(revision)).await;
                        self.lease.permit.close("daemon stopping");
                        self.lease.metrics.lease_held.set(0);
                        let event = Event::LeaseLost(self.change(&self.lease.holder, "released at shutdown"));
                        self.record(event).await;
                    }
                    return Ok(());
                }
            }
        }
    }

    fn value(&self) -> Bytes {
        Bytes::from(
            serde_json::json!({ "holder": self.lease.holder, "account": self.lease.account })
                .to_string(),
        )
    }

    async fn step(&mut self, store: &kv::Store) -> Result<(), NatsError> {
        let sent_ns = self.now_ns();
        match self.state.clone() {
            LeaseState::Holding { revision, .. } => {
                match store.update(&self.key, self.value(), revision).await {
                    Ok(revision) => {
                        self.state = LeaseState::Holding { revision, sent_ns };
                        Ok(())
                    }
                    Err(e) if e.kind() == kv::UpdateErrorKind::WrongLastRevision => {
                        let holder = self.current_holder(store).await;
                        self.lose(format!("taken over by {holder}")).await;
                        Ok(())
                    }
                    Err(e) => Err(NatsError::JetStream(format!("lease renewal: {e}"))),
                }
            }
            LeaseState::Standby => match store.create(&self.key, self.value()).await {
                Ok(revision) => {
                    self.state = LeaseState::Holding { revision, sent_ns };
                    self.refused_by = None;
                    self.lease.permit.open();
                    self.lease.metrics.lease_held.set(1);
                    self.lease.health.set("lease", Status::Ok);
                    tracing::info!(account = %self.lease.account, holder = %self.lease.holder, "Trading lease acquired");
                    let ttl = self.lease.config.lease.ttl_s;
                    let event = Event::LeaseAcquired(
                        self.change(&self.lease.holder, format!("ttl {ttl} s")),
                    );
                    self.record(event).await;
                    self.report_first(FirstAttempt::Acquired);
                    Ok(())
                }
                Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => {
                    let holder = self.current_holder(store).await;
                    if self.refused_by.as_deref() != Some(holder.as_str()) {
                        tracing::warn!(account = %self.lease.account, %holder, "Another daemon trades this account; read-only");
                        self.lease.health.set(
                            "lease",
                            Status::Degraded(format!("read-only: the lease is held by {holder}")),
                        );
                        self.lease.permit.close(format!(
                            "read-only: {holder} holds this account's trading lease"
                        ));
                        let event =
                            Event::LeaseRefused(self.change(&holder, "held by another daemon"));
                        self.record(event).await;
                        self.refused_by = Some(holder.clone());
                    }
                    self.report_first(FirstAttempt::HeldBy(holder));
                    Ok(())
                }
                Err(e) => Err(NatsError::JetStream(format!("lease: {e}"))),
            },
        }
    }

    async fn current_holder(&self, store: &kv::Store) -> String {
        match store.entry(&self.key).await {
            Ok(Some(entry)) => serde_json::from_slice::<serde_json::Value>(&entry.value)
                .ok()
                .and_then(|v| v.get("holder").and_then(|h| h.as_str()).map(str::to_owned))
                .unwrap_or_else(|| "an unknown holder".into()),
            _ => "an unknown holder".into(),
        }
    }
}

/// The stream behind a KV bucket with one value per key that expires `ttl_s` after its last
/// write (what `create_key_value` would create).
fn kv_stream(bucket: &str, ttl_s: u64) -> stream::Config {
    stream::Config {
        name: format!("KV_{bucket}"),
        subjects: vec![format!("$KV.{bucket}.>")],
        max_messages_per_subject: 1,
        max_age: Duration::from_secs(ttl_s),
        storage: stream::StorageType::File,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        discard: stream::DiscardPolicy::New,
        num_replicas: 1,
        ..Default::default()
    }
}
