//! The writer and flusher threads: group commit off every actor's event loop.
//!
//! ```text
//! appenders ──Msg──► writer thread ──FlushJob──► flusher thread ──► replies
//!   (encode payload)   (seq, header, hash,          (write-ahead file: write
//!                       sled insert, WAL frame)       [+ fdatasync], then answer)
//! ```
//!
//! The writer takes everything queued (up to `max_batch`), gives each event the next seq, seals it
//! into the hash chain, inserts it into sled and frames the same bytes for the write-ahead file
//! (`wal`); then it hands the batch's frames and durable waiters to the flusher and goes on with the
//! next batch while the flusher writes. The flusher merges all jobs waiting for it into one write
//! (and one fdatasync in `power` mode), so concurrent appenders share it. A waiter is answered only
//! once the frames of its events are in the file. sled itself is flushed at checkpoints (see
//! `wal`), never while an appender waits.
//!
//! Fail-stop: once an insert or a write fails, every later append is refused with
//! [`LogError::Failed`]; what was already durable stays valid.

use std::fs::File;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, OnceLock};

use tokio::sync::{oneshot, watch};

use super::wal::{self, Wal};
use super::{Appended, LogError, LogStats, META_HEAD};
use crate::codec::{self, Header};
use crate::envelope::ChainHash;
use crate::ids::EventId;
use crate::time::Clock;

/// How an appender wants to be answered.
pub(crate) enum Wait<T> {
    /// After the flush that makes the events durable.
    Flushed(oneshot::Sender<Result<T, LogError>>),
    /// As soon as the events are in the store (not yet flushed).
    Applied(oneshot::Sender<Result<T, LogError>>),
    /// Not at all (fire and forget).
    Nothing,
}

/// A deferred answer, run by the flusher once the flush it waited for is done.
pub(crate) type Reply = Box<dyn FnOnce(Result<(), LogError>) + Send>;

impl<T: Send + 'static> Wait<T> {
    /// Answers now if the appender did not ask for durability; otherwise returns the answer to
    /// give after the next flush.
    fn settle(self, value: T) -> Option<Reply> {
        match self {
            Wait::Flushed(tx) => Some(Box::new(move |flushed: Result<(), LogError>| {
                let _ = tx.send(flushed.map(|()| value));
            })),
            Wait::Applied(tx) => {
                let _ = tx.send(Ok(value));
                None
            }
            Wait::Nothing => None,
        }
    }

    fn fail(self, error: LogError) {
        match self {
            Wait::Flushed(tx) | Wait::Applied(tx) => {
                let _ = tx.send(Err(error));
            }
            Wait::Nothing => {}
        }
    }
}

/// A message to the writer thread.
pub(crate) enum Msg {
    /// Append one encoded payload.
    Append {
        payload: Vec<u8>,
        causation: Option<EventId>,
        wait: Wait<Appended>,
    },
    /// Append several payloads at consecutive seqs, each caused by the one before it (the first
    /// by `causation`): a signal and the intent it led to, in one flush.
    Chain {
        payloads: Vec<Vec<u8>>,
        causation: Option<EventId>,
        wait: Wait<Vec<Appended>>,
    },
    /// Answer once everything sent before this is durable, with the head seq.
    Sync(oneshot::Sender<Result<u64, LogError>>),
}

/// What the flusher must write, and answer once it is written.
pub(crate) struct FlushJob {
    replies: Vec<Reply>,
    upto: u64,
    /// The batch's records, framed for the write-ahead file.
    frames: Vec<u8>,
}

/// What the writer owns.
pub(crate) struct Writer {
    pub events: sled::Tree,
    pub meta: sled::Tree,
    pub log_id: u64,
    pub next_seq: u64,
    pub prev_hash: ChainHash,
    pub clock: Arc<dyn Clock>,
    pub max_batch: usize,
    pub failed: Arc<OnceLock<LogError>>,
    pub stats: Arc<LogStats>,
    /// Publishes the last seq written after each batch, for followers (the daemon's ledger).
    pub head: watch::Sender<u64>,
    /// The current batch's records, framed for the write-ahead file.
    pub frames: Vec<u8>,
}

/// What the flusher owns.
pub(crate) struct Flusher {
    pub db: sled::Db,
    pub wal: Wal,
    /// `Some` in `power` mode: sled's data file, fdatasync'ed after each checkpoint's flush.
    pub power_file: Option<(File, std::path::PathBuf)>,
    pub failed: Arc<OnceLock<LogError>>,
    pub durable_head: Arc<AtomicU64>,
    pub stats: Arc<LogStats>,
}

impl Writer {
    pub(crate) fn run(mut self, rx: Receiver<Msg>, flush_tx: Sender<FlushJob>) {
        let mut batch: Vec<Msg> = Vec::with_capacity(self.max_batch);
        while let Ok(first) = rx.recv() {
            batch.push(first);
            while batch.len() < self.max_batch {
                match rx.try_recv() {
                    Ok(msg) => batch.push(msg),
                    Err(_) => break,
                }
            }
            let job = self.write_batch(&mut batch);
            let pending = !job.replies.is_empty() || !job.frames.is_empty();
            if pending && flush_tx.send(job).is_err() {
                break;
            }
        }
        // Channel closed: the flusher writes what it was given, checkpoints and ends.
    }

    /// Seals every append of the batch into the chain and inserts it. Inserting record by record
    /// measured faster than one `apply_batch` per batch (see BENCHMARKS.md); atomicity per batch
    /// is not needed, since sled recovers a prefix of its log and readers check continuity.
    fn write_batch(&mut self, batch: &mut Vec<Msg>) -> FlushJob {
        let mut replies = Vec::new();
        let first_seq = self.next_seq;
        let mut syncs = Vec::new();
        for msg in batch.drain(..) {
            if let Some(error) = self.failed.get().cloned() {
                match msg {
                    Msg::Append { wait, .. } => wait.fail(error),
                    Msg::Chain { wait, .. } => wait.fail(error),
                    Msg::Sync(tx) => {
                        let _ = tx.send(Err(error));
                    }
                }
                continue;
            }
            match msg {
                Msg::Sync(tx) => syncs.push(tx),
                Msg::Append {
                    payload,
                    causation,
                    wait,
                } => match self.write_one(&payload, causation) {
                    Ok(appended) => replies.extend(wait.settle(appended)),
                    Err(error) => wait.fail(error),
                },
                Msg::Chain {
                    payloads,
                    causation,
                    wait,
                } => {
                    let mut written = Vec::with_capacity(payloads.len());
                    let mut cause = causation;
                    let mut error = None;
                    for payload in &payloads {
                        match self.write_one(payload, cause) {
                            Ok(appended) => {
                                cause = Some(appended.id);
                                written.push(appended);
                            }
                            Err(e) => {
                                error = Some(e);
                                break;
                            }
                        }
                    }
                    match error {
                        None => replies.extend(wait.settle(written)),
                        Some(e) => wait.fail(e),
                    }
                }
            }
        }
        let last = self.next_seq.saturating_sub(1);
        if self.next_seq != first_seq {
            self.stats
                .appended
                .fetch_add(self.next_seq - first_seq, Ordering::Relaxed);
            self.stats.applied_head.store(last, Ordering::Release);
            self.stats.batches.fetch_add(1, Ordering::Relaxed);
            let mut head = Vec::with_capacity(40);
            head.extend_from_slice(&last.to_be_bytes());
            head.extend_from_slice(&self.prev_hash.0);
            if let Err(e) = self.meta.insert(META_HEAD, head) {
                self.fail(LogError::store(e));
            }
            self.head.send_replace(last);
        }
        for tx in syncs {
            replies.push(Box::new(move |flushed: Result<(), LogError>| {
                let _ = tx.send(flushed.map(|()| last));
            }));
        }
        let framed = self.frames.len();
        FlushJob {
            replies,
            upto: last,
            // The next batch starts with room for one like this, not with an empty buffer.
            frames: std::mem::replace(&mut self.frames, Vec::with_capacity(framed)),
        }
    }

    /// Seals one payload into the chain and inserts it; the seq advances only if the insert worked.
    fn write_one(
        &mut self,
        payload: &[u8],
        causation: Option<EventId>,
    ) -> Result<Appended, LogError> {
        let seq = self.next_seq;
        let header = Header {
            seq,
            log: self.log_id,
            at: self.clock.now(),
            causation,
        };
        let (record, hash) =
            codec::seal(&self.prev_hash, &header, payload).map_err(LogError::Encode)?;
        let framed_from = self.frames.len();
        wal::frame(&record, &mut self.frames);
        if let Err(e) = self.events.insert(seq.to_be_bytes(), record) {
            self.frames.truncate(framed_from);
            let error = LogError::store(e);
            self.fail(error.clone());
            return Err(error);
        }
        self.next_seq += 1;
        self.prev_hash = hash;
        Ok(Appended {
            seq,
            id: EventId {
                log: self.log_id,
                seq,
            },
            at: header.at,
            hash,
        })
    }

    fn fail(&self, error: LogError) {
        let _ = self.failed.set(LogError::Failed {
            reason: error.to_string(),
        });
    }
}

impl Flusher {
    /// Takes flush jobs until the writer closes the queue, merging all that wait into one write;
    /// checkpoints when the write-ahead file has grown, and once more at the end.
    pub(crate) fn run(mut self, rx: Receiver<FlushJob>) {
        let mut jobs = Vec::new();
        while let Ok(job) = rx.recv() {
            jobs.push(job);
            while let Ok(more) = rx.try_recv() {
                jobs.push(more);
            }
            let upto = jobs.iter().map(|j| j.upto).max().unwrap_or(0);
            let result = match self.failed.get() {
                Some(error) => Err(error.clone()),
                None => self.write(&jobs),
            };
            if result.is_ok() {
                self.durable_head.fetch_max(upto, Ordering::AcqRel);
            }
            for job in jobs.drain(..) {
                for reply in job.replies {
                    reply(result.clone());
                }
            }
            if result.is_ok() && self.wal.wants_checkpoint() {
                self.checkpoint();
            }
        }
        if self.failed.get().is_none() {
            self.checkpoint();
        }
    }

    /// Appends the jobs' frames to the write-ahead file (and fdatasyncs it in `power` mode).
    fn write(&mut self, jobs: &[FlushJob]) -> Result<(), LogError> {
        let started = std::time::Instant::now();
        let frames: Vec<&[u8]> = jobs.iter().map(|j| j.frames.as_slice()).collect();
        let result = self.wal.append(&frames);
        if let Err(error) = &result {
            self.fail(error);
        }
        self.stats.flushes.fetch_add(1, Ordering::Relaxed);
        self.stats.record_flush(started.elapsed());
        result
    }

    /// Flushes sled (and fdatasyncs its file in `power` mode), then empties the write-ahead file:
    /// everything in the file was inserted before the file received it, so the flush covers it.
    fn checkpoint(&mut self) {
        if self.wal.is_empty() {
            return;
        }
        let result = self
            .db
            .flush()
            .map(|_| ())
            .map_err(LogError::store)
            .and_then(|()| match &self.power_file {
                Some((file, path)) => file
                    .sync_data()
                    .map_err(|e| LogError::io("fdatasync", path, &e)),
                None => Ok(()),
            })
            .and_then(|()| self.wal.truncate());
        match result {
            Ok(()) => {
                self.stats.checkpoints.fetch_add(1, Ordering::Relaxed);
            }
            Err(error) => self.fail(&error),
        }
    }

    fn fail(&self, error: &LogError) {
        let _ = self.failed.set(LogError::Failed {
            reason: error.to_string(),
        });
    }
}
