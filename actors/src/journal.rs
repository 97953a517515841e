//! The journal: the actors' face of the event log, and the ledger that follows it.
//!
//! - Appends go straight to the log's writer thread ([`premia_events::log::EventLog`] is
//!   thread-safe and its answers are futures), so no actor's event loop ever waits on a flush;
//!   durable appends are timed into `premia_log_append_seconds`.
//! - The [`Ledger`] is the daemon's current [`State`]: a follower thread wakes on every write
//!   batch, replays the new records (checked, in seq order) and folds them. It is exactly what
//!   `premia state` would compute from the log at that seq. Writers that need to read their own
//!   writes wait with [`Journal::caught_up`].
//! - Every `snapshot_every` events the follower saves a snapshot (on its own thread).

use std::sync::{Arc, RwLock};
use std::time::Instant;

use premia_events::log::{Appended, EventLog, LogError};
use premia_events::{Clock, Event, EventId};
use premia_snapshots::{SnapshotStore, State};
use tokio::sync::watch;

use crate::health::{Health, Status};
use crate::metrics::Metrics;

/// The shared, in-order state of the log.
#[derive(Clone, Debug)]
pub struct Ledger {
    state: Arc<RwLock<State>>,
    applied: watch::Receiver<u64>,
}

impl Ledger {
    /// Runs `f` on the current state.
    pub fn read<T>(&self, f: impl FnOnce(&State) -> T) -> Option<T> {
        self.state.read().ok().map(|s| f(&s))
    }

    /// A copy of the current state.
    pub fn snapshot(&self) -> State {
        self.read(Clone::clone).unwrap_or_default()
    }

    /// The last seq folded into the state.
    pub fn applied(&self) -> u64 {
        *self.applied.borrow()
    }
}

/// Appends to the log and keeps the ledger. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Journal {
    log: EventLog,
    ledger: Ledger,
    metrics: Metrics,
    clock: Arc<dyn Clock>,
}

impl Journal {
    /// Starts the follower from `state` (rebuilt from the log up to its current end).
    pub fn start(
        log: EventLog,
        state: State,
        metrics: Metrics,
        health: Health,
        clock: Arc<dyn Clock>,
        snapshot_every: u64,
    ) -> Result<Journal, LogError> {
        let last = state.last_seq;
        let shared = Arc::new(RwLock::new(state));
        let (applied_tx, applied_rx) = watch::channel(last);
        let follower = Follower {
            log: log.clone(),
            state: shared.clone(),
            applied: applied_tx,
            metrics: metrics.clone(),
            health,
            snapshot_every,
            last_snapshot: last,
            clock: clock.clone(),
        };
        std::thread::Builder::new()
            .name("premia-ledger".into())
            .spawn(move || follower.run())
            .map_err(|e| LogError::io("spawn thread", "premia-ledger", &e))?;
        Ok(Journal {
            log,
            ledger: Ledger {
                state: shared,
                applied: applied_rx,
            },
            metrics,
            clock,
        })
    }

    /// The ledger.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// The log.
    pub fn log(&self) -> &EventLog {
        &self.log
    }

    /// The clock events are stamped with.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Appends durably (answers after the flush).
    pub async fn append(
        &self,
        event: &Event,
        causation: Option<EventId>,
    ) -> Result<Appended, LogError> {
        let started = Instant::now();
        let result = self.log.append(event, causation).await;
        self.metrics
            .log_append_seconds
            .observe(started.elapsed().as_secs_f64());
        result
    }

    /// Appends a chain durably: consecutive seqs, each caused by the one before.
    pub async fn append_chain(
        &self,
        events: &[Event],
        causation: Option<EventId>,
    ) -> Result<Vec<Appended>, LogError> {
        let started = Instant::now();
        let result = self.log.append_chain(events, causation).await;
        self.metrics
            .log_append_seconds
            .observe(started.elapsed().as_secs_f64());
        result
    }

    /// Appends without waiting for the flush; answers once stored.
    pub async fn append_applied(
        &self,
        event: &Event,
        causation: Option<EventId>,
    ) -> Result<Appended, LogError> {
        self.log.append_applied(event, causation).await
    }

    /// Appends without waiting at all. A failure is logged, never fatal to the caller.
    pub fn emit(&self, event: &Event, causation: Option<EventId>) {
        if let Err(error) = self.log.emit(event, causation) {
            tracing::error!(%error, kind = %event.kind(), "Event not recorded");
        }
    }

    /// Waits until the ledger has folded everything up to `seq`.
    pub async fn caught_up(&self, seq: u64) {
        let mut applied = self.ledger.applied.clone();
        let _ = applied.wait_for(|applied| *applied >= seq).await;
    }
}

struct Follower {
    log: EventLog,
    state: Arc<RwLock<State>>,
    applied: watch::Sender<u64>,
    metrics: Metrics,
    health: Health,
    snapshot_every: u64,
    last_snapshot: u64,
    clock: Arc<dyn Clock>,
}

impl Follower {
    fn run(mut self) {
        let mut head = self.log.watch_head();
        let store = SnapshotStore::open(self.log.reader()).ok();
        loop {
            let target = *head.borrow_and_update();
            if let Err(error) = self.catch_up(target) {
                tracing::error!(%error, "The ledger stopped following the log");
                self.health.set("ledger", Status::Down(error.to_string()));
                return;
            }
            self.maybe_snapshot(store.as_ref());
            if futures::executor::block_on(head.changed()).is_err() {
                // The log closed: fold what is left, then stop.
                let last = *head.borrow();
                let _ = self.catch_up(last);
                return;
            }
        }
    }

    fn catch_up(&mut self, target: u64) -> Result<(), LogError> {
        let from = self
            .state
            .read()
            .map(|s| s.last_seq)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        if from > target {
            return Ok(());
        }
        let mut envelopes = Vec::new();
        for envelope in self.log.reader().replay_inline_from(from) {
            let envelope = envelope?;
            let done = envelope.seq >= target;
            envelopes.push(envelope);
            if done {
                break;
            }
        }
        let last = envelopes.last().map(|e| e.seq);
        if let Ok(mut state) = self.state.write() {
            for envelope in envelopes {
                state.apply(envelope);
            }
        }
        if let Some(last) = last {
            self.metrics
                .log_head_seq
                .set(i64::try_from(last).unwrap_or(i64::MAX));
            self.applied.send_replace(last);
        }
        Ok(())
    }

    fn maybe_snapshot(&mut self, store: Option<&SnapshotStore>) {
        let Some(store) = store else { return };
        let applied = *self.applied.borrow();
        if self.snapshot_every == 0
            || applied < self.last_snapshot.saturating_add(self.snapshot_every)
        {
            return;
        }
        let state = match self.state.read() {
            Ok(state) => state.clone(),
            Err(_) => return,
        };
        match store.save(&state, self.clock.now()) {
            Ok(info) => {
                self.last_snapshot = info.seq;
                let _ = store.prune(3);
                tracing::debug!(seq = info.seq, bytes = info.bytes, "Snapshot saved");
            }
            Err(error) => tracing::warn!(%error, "Snapshot not saved"),
        }
    }
}
