//! Breaker state shared across daemons (DESIGN §9: the distributed replacement for a Redis
//! breaker), behind [`SharedBreakerStore`]: a key-value store with compare-and-set. The NATS
//! JetStream KV implementation is in [`super::nats`]; [`MemoryStore`] is for tests.
//!
//! [`run_sync`] is the glue: every local transition (observed on the [`BreakerBoard`]) is
//! written with compare-and-set (load the revision, update expecting it, retry on conflict), so
//! concurrent writers never lose a transition; every `poll` the store is listed and states
//! written by other daemons are applied to the local board (and recorded as events by the
//! caller's `on_remote`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use premia_events::Timestamp;
use premia_events::event::{BreakerState, BreakerTransition};
use serde::{Deserialize, Serialize};

use super::{BreakerBoard, Observed};

/// One breaker's shared record (JSON in the store).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedRecord {
    /// `closed`, `open` or `half_open`.
    pub state: BreakerState,
    /// Since when, ns since the epoch.
    pub since_ns: i64,
    /// Whether an operator forced it.
    pub forced: bool,
    /// Why it changed.
    pub reason: String,
    /// The instance that wrote it.
    pub by: String,
}

/// What went wrong with the shared store, and how to react.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SharedError {
    /// Someone else wrote first: reload and retry.
    #[error("compare-and-set conflict on {key}")]
    Conflict {
        /// The key.
        key: String,
    },
    /// The store is unreachable or failed: retryable later; local breakers keep working.
    #[error("shared breaker store unavailable: {0}")]
    Unavailable(String),
    /// A record that does not decode: skipped, counted, named.
    #[error("shared breaker record {key} is not valid: {detail}")]
    Corrupt {
        /// The key.
        key: String,
        /// The decode error.
        detail: String,
    },
}

/// A key-value store with compare-and-set, holding one [`SharedRecord`] per breaker key.
pub trait SharedBreakerStore: Send + Sync + std::fmt::Debug + 'static {
    /// The record of `key` and its revision.
    fn load<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<(SharedRecord, u64)>, SharedError>>;
    /// Writes `record` if the current revision is `expected` (`None`: the key must not exist);
    /// answers the new revision, or [`SharedError::Conflict`].
    fn cas<'a>(
        &'a self,
        key: &'a str,
        record: &'a SharedRecord,
        expected: Option<u64>,
    ) -> BoxFuture<'a, Result<u64, SharedError>>;
    /// Every record with its key and revision.
    fn list(&self) -> BoxFuture<'_, Result<Vec<(String, SharedRecord, u64)>, SharedError>>;
}

/// How many times a write is retried on conflict before it is given up (and logged).
pub const CAS_ATTEMPTS: u64 = 50;

/// Writes `record` under `key` with compare-and-set, retrying on conflict. Answers the revision.
pub async fn write(
    store: &dyn SharedBreakerStore,
    key: &str,
    record: &SharedRecord,
) -> Result<u64, SharedError> {
    let mut last = SharedError::Conflict {
        key: key.to_owned(),
    };
    // Jittered pauses between conflicting attempts, so contending writers spread out.
    let mut rng = premia_events::sample::Rng::new(
        std::ptr::from_ref(record) as u64 ^ u64::from(std::process::id()),
    );
    for attempt in 0..CAS_ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_micros(rng.below(500 * attempt.min(20)) + 1)).await;
        }
        let expected = match store.load(key).await {
            Ok(current) => current.map(|(_, rev)| rev),
            Err(SharedError::Corrupt { .. }) => None,
            Err(error) => return Err(error),
        };
        match store.cas(key, record, expected).await {
            Ok(rev) => return Ok(rev),
            Err(conflict @ SharedError::Conflict { .. }) => last = conflict,
            Err(error) => return Err(error),
        }
    }
    Err(last)
}

/// An in-memory store (tests, and a single daemon without NATS). Keeps every revision written,
/// so tests can count them.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<(
        u64,
        BTreeMap<String, (SharedRecord, u64)>,
        Vec<(String, SharedRecord)>,
    )>,
}

impl MemoryStore {
    /// Every record ever written, in order.
    pub fn history(&self) -> Vec<(String, SharedRecord)> {
        self.inner.lock().map(|g| g.2.clone()).unwrap_or_default()
    }
}

impl SharedBreakerStore for MemoryStore {
    fn load<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<(SharedRecord, u64)>, SharedError>> {
        let result = self
            .inner
            .lock()
            .map(|g| g.1.get(key).cloned())
            .map_err(|_| SharedError::Unavailable("poisoned".into()));
        Box::pin(async move {
            // Yield, so concurrent writers interleave between load and cas as they would remotely.
            tokio::task::yield_now().await;
            result
        })
    }

    fn cas<'a>(
        &'a self,
        key: &'a str,
        record: &'a SharedRecord,
        expected: Option<u64>,
    ) -> BoxFuture<'a, Result<u64, SharedError>> {
        let result = match self.inner.lock() {
            Ok(mut guard) => {
                let (revision, map, history) = &mut *guard;
                let current = map.get(key).map(|(_, rev)| *rev);
                if current == expected {
                    *revision += 1;
                    map.insert(key.to_owned(), (record.clone(), *revision));
                    history.push((key.to_owned(), record.clone()));
                    Ok(*revision)
                } else {
                    Err(SharedError::Conflict {
                        key: key.to_owned(),
                    })
                }
            }
            Err(_) => Err(SharedError::Unavailable("poisoned".into())),
        };
        Box::pin(async move { result })
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<(String, SharedRecord, u64)>, SharedError>> {
        let result = self
            .inner
            .lock()
            .map(|g| {
                g.1.iter()
                    .map(|(k, (r, rev))| (k.clone(), r.clone(), *rev))
                    .collect()
            })
            .map_err(|_| SharedError::Unavailable("poisoned".into()));
        Box::pin(async move { result })
    }
}

/// Keeps `board` and `store` in step until the board's observers are dropped: local
/// transitions are written (compare-and-set), other daemons' records are applied every `poll`
/// and handed to `on_remote` (which records them as events).
pub async fn run_sync(
    board: BreakerBoard,
    store: Arc<dyn SharedBreakerStore>,
    instance: String,
    poll: Duration,
    on_remote: impl Fn(BreakerTransition) + Send + 'static,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Observed>();
    board.observe(tx);
    // Revisions already seen (written by us or applied), by key.
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    let mut ticker = tokio::time::interval(poll);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            observed = rx.recv() => {
                let Some(observed) = observed else { return };
                let record = SharedRecord {
                    state: observed.state,
                    since_ns: observed.at.nanos(),
                    forced: observed.forced,
                    reason: observed.reason.clone(),
                    by: instance.clone(),
                };
                match write(store.as_ref(), &observed.key, &record).await {
                    Ok(rev) => {
                        seen.insert(observed.key, rev);
                    }
                    Err(error) => tracing::warn!(%error, key = %observed.key, "Breaker state not shared"),
                }
            }
            _ = ticker.tick() => {
                let records = match store.list().await {
                    Ok(records) => records,
                    Err(error) => {
                        tracing::debug!(%error, "Shared breaker states not read");
                        continue;
                    }
                };
                for (key, record, rev) in records {
                    if seen.get(&key).is_some_and(|s| *s >= rev) {
                        continue;
                    }
                    seen.insert(key.clone(), rev);
                    if record.by == instance {
                        continue;
                    }
                    let reason = format!("{} (from {})", record.reason, record.by);
                    if let Some(t) = board.apply_remote(
                        &key,
                        record.state,
                        Timestamp(record.since_ns),
                        record.forced,
                        &reason,
                    ) {
                        on_remote(t);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(state: BreakerState, by: &str) -> SharedRecord {
        SharedRecord {
            state,
            since_ns: 0,
            forced: false,
            reason: "test".into(),
            by: by.into(),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writers_never_lose_a_transition() {
        let store = Arc::new(MemoryStore::default());
        let mut tasks = Vec::new();
        for writer in 0..4 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..25 {
                    let state = if i % 2 == 0 {
                        BreakerState::Open
                    } else {
                        BreakerState::Closed
                    };
                    write(
                        store.as_ref(),
                        "upbit/kr/order",
                        &record(state, &format!("d{writer}")),
                    )
                    .await
                    .unwrap();
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(
            store.history().len(),
            100,
            "every one of 4x25 writes landed"
        );
        assert_eq!(store.load("upbit/kr/order").await.unwrap().unwrap().1, 100);
    }

    #[tokio::test]
    async fn a_stale_expected_revision_conflicts() {
        let store = MemoryStore::default();
        let r = record(BreakerState::Open, "a");
        assert_eq!(store.cas("k/k/k", &r, None).await, Ok(1), "TC1: create");
        assert!(
            matches!(
                store.cas("k/k/k", &r, None).await,
                Err(SharedError::Conflict { .. })
            ),
            "TC2"
        );
        assert_eq!(store.cas("k/k/k", &r, Some(1)).await, Ok(2), "TC3: update");
        assert!(
            matches!(
                store.cas("k/k/k", &r, Some(1)).await,
                Err(SharedError::Conflict { .. })
            ),
            "TC4"
        );
    }

    #[tokio::test]
    async fn two_daemons_share_a_kill_switch() {
        let store: Arc<dyn SharedBreakerStore> = Arc::new(MemoryStore::default());
        let (a, b) = (BreakerBoard::default(), BreakerBoard::default());
        let (seen_tx, mut seen_rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(run_sync(
            a.clone(),
            store.clone(),
            "a".into(),
            Duration::from_millis(20),
            |_| {},
        ));
        tokio::spawn(run_sync(
            b.clone(),
            store.clone(),
            "b".into(),
            Duration::from_millis(20),
            move |t| {
                let _ = seen_tx.send(t);
            },
        ));
        tokio::time::sleep(Duration::from_millis(50)).await;
        a.force_open("paper/local/order", "kill switch");
        let t = tokio::time::timeout(Duration::from_secs(5), seen_rx.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (t.key.as_str(), t.to, t.forced),
            ("paper/local/order", BreakerState::Open, true)
        );
        let (permit, _) = b.permit("paper/local/order", Timestamp::from_secs(1 << 40));
        assert!(
            matches!(permit, super::super::Permit::Refused(_)),
            "b refuses too"
        );
        a.force_close("paper/local/order", "operator");
        let t = tokio::time::timeout(Duration::from_secs(5), seen_rx.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(t.to, BreakerState::Closed);
    }
}
