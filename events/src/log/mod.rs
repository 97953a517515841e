//! The event log: an append-only, hash-chained sequence of [`Envelope`]s in sled.
//!
//! Layout of a data dir:
//!
//! ```text
//! <data dir>/premia.lock   exclusive lock holding the owner's PID (taken before sled is opened)
//! <data dir>/log.wal       the write-ahead file: records appended since sled's last checkpoint
//! <data dir>/log/          the sled database
//!     tree "events"        key = seq as big-endian u64, value = a record (see crate::codec)
//!     tree "meta"          "log_id" (8 bytes), "head" (seq + hash after the last write batch)
//!     other trees          owned by other crates (snapshots, the NATS mirror's cursor)
//! ```
//!
//! - [`EventLog`] is the writing handle: one writer thread with group commit (see `writer`). An
//!   append is durable once its record is in the write-ahead file (`wal`): written in `process`
//!   mode, written and fdatasync'ed in `power` mode. sled is flushed at checkpoints, off every
//!   appender's path; every open first brings sled up to the end of the write-ahead file.
//!   Appends come in three strengths: [`EventLog::append`] answers after the flush that makes the
//!   event durable (order intents: nothing is sent to a venue before this returns),
//!   [`EventLog::append_applied`] answers once the event is stored but before it is flushed, and
//!   [`EventLog::emit`] does not answer at all.
//! - [`LogReader`] reads: [`LogReader::replay_from`] checks every record (decode, hash, seq
//!   continuity, chain link) and stops with [`LogError::Damaged`] at the first bad one;
//!   [`LogReader::verify`] walks everything and names the first bad seq.
//! - seq is premia's own counter: the next seq is the last key + 1 on open, never sled's
//!   `generate_id` (which jumps after a crash).

mod cursor;
mod error;
mod lock;
mod read;
mod wal;
mod writer;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, OnceLock, RwLock};
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::{oneshot, watch};

pub use cursor::CURSORS_TREE;
pub use error::{Damage, LogError, Problem};
pub use lock::{DirLock, LOCK_FILE};
pub use read::{LogReader, Replay, VerifyReport, check_head, replay_records};
pub use wal::{CHECKPOINT_BYTES, Recovered, WAL_FILE};

use crate::codec;
use crate::envelope::ChainHash;
use crate::event::Event;
use crate::ids::EventId;
use crate::time::{Clock, SystemClock, Timestamp};
use writer::{Flusher, Msg, Wait, Writer};

pub(crate) const EVENTS_TREE: &str = "events";
pub(crate) const META_TREE: &str = "meta";
pub(crate) const META_HEAD: &[u8] = b"head";
pub(crate) const META_LOG_ID: &[u8] = b"log_id";
/// Name of the sled directory inside the data dir.
pub const SLED_DIR: &str = "log";

/// What a completed append says about its event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Appended {
    /// The event's seq.
    pub seq: u64,
    /// The event's id (use it as the causation of what follows from it).
    pub id: EventId,
    /// The time the log gave it.
    pub at: Timestamp,
    /// Its hash in the chain.
    pub hash: ChainHash,
}

/// How much of a crash an acknowledged append survives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Durability {
    /// sled `flush()`: survives the process being killed, not necessarily a power cut
    /// (sled flushes with `sync_file_range`, which leaves the drive's cache and metadata).
    #[default]
    Process,
    /// `flush()` then `fdatasync` of sled's file: survives a power cut. The default whenever a
    /// live venue is configured.
    Power,
}

impl Durability {
    /// `process` or `power`.
    pub fn as_str(self) -> &'static str {
        match self {
            Durability::Process => "process",
            Durability::Power => "power",
        }
    }
}

/// How to open a log.
#[derive(Clone, Debug)]
pub struct LogConfig {
    /// The data dir (created if absent when opened for writing).
    pub dir: PathBuf,
    /// What an acknowledged durable append survives.
    pub durability: Durability,
    /// sled's page cache, in bytes (a soft cap).
    pub cache_bytes: u64,
    /// The most events one write batch takes.
    pub max_batch: usize,
    /// Where event times come from.
    pub clock: Arc<dyn Clock>,
}

impl LogConfig {
    /// Defaults for a data dir: `process` durability, 128 MiB cache, batches of up to 4096.
    pub fn new(dir: impl Into<PathBuf>) -> LogConfig {
        LogConfig {
            dir: dir.into(),
            durability: Durability::Process,
            cache_bytes: 128 << 20,
            max_batch: 4096,
            clock: Arc::new(SystemClock),
        }
    }

    /// Sets the durability.
    pub fn durability(mut self, durability: Durability) -> LogConfig {
        self.durability = durability;
        self
    }

    /// Sets the clock.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> LogConfig {
        self.clock = clock;
        self
    }
}

/// Counters kept by the writer and flusher threads.
#[derive(Debug, Default)]
pub struct LogStats {
    /// Events written.
    pub appended: AtomicU64,
    /// Write batches.
    pub batches: AtomicU64,
    /// Writes to the write-ahead file, each with an fdatasync in `power` mode (each may cover
    /// several batches). The "flush" an appender waits for.
    pub flushes: AtomicU64,
    /// Checkpoints: sled flushed and the write-ahead file emptied.
    pub checkpoints: AtomicU64,
    /// The highest seq written (maybe not yet flushed).
    pub applied_head: AtomicU64,
    /// Flush (write-ahead write) latency histogram: counts per bucket of
    /// [`LogStats::FLUSH_BUCKETS_US`] (plus +Inf).
    pub flush_buckets: [AtomicU64; 12],
    /// Sum of flush latencies in nanoseconds.
    pub flush_nanos: AtomicU64,
}

impl LogStats {
    /// Upper bounds (µs) of the flush latency buckets.
    pub const FLUSH_BUCKETS_US: [u64; 11] = [
        50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 50_000, 100_000, 1_000_000,
    ];

    pub(crate) fn record_flush(&self, elapsed: Duration) {
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        let index = Self::FLUSH_BUCKETS_US
            .iter()
            .position(|bound| micros <= *bound)
            .unwrap_or(Self::FLUSH_BUCKETS_US.len());
        if let Some(bucket) = self.flush_buckets.get(index) {
            bucket.fetch_add(1, Ordering::Relaxed);
        }
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.flush_nanos.fetch_add(nanos, Ordering::Relaxed);
    }
}

/// The answer to an append, to `.await` or to [`Ticket::wait`] for.
#[derive(Debug)]
#[must_use = "an append is only known to have succeeded once its ticket resolves"]
pub struct Ticket<T> {
    state: TicketState<T>,
}

#[derive(Debug)]
enum TicketState<T> {
    Waiting(oneshot::Receiver<Result<T, LogError>>),
    Ready(Option<Result<T, LogError>>),
}

impl<T: Unpin> Ticket<T> {
    fn ready(result: Result<T, LogError>) -> Ticket<T> {
        Ticket {
            state: TicketState::Ready(Some(result)),
        }
    }

    /// Blocks the calling thread until the answer arrives. Never call it on an actor's event loop.
    pub fn wait(self) -> Result<T, LogError> {
        futures::executor::block_on(self)
    }
}

impl<T: Unpin> Future for Ticket<T> {
    type Output = Result<T, LogError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().state {
            TicketState::Waiting(rx) => Pin::new(rx)
                .poll(cx)
                .map(|r| r.unwrap_or(Err(LogError::Closed))),
            TicketState::Ready(slot) => Poll::Ready(slot.take().unwrap_or(Err(LogError::Closed))),
        }
    }
}

/// The writing handle of the event log. Cheap to clone; the threads stop when the last clone is
/// dropped or [`EventLog::close`] is called, after a final flush.
#[derive(Clone, Debug)]
pub struct EventLog {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    reader: LogReader,
    tx: RwLock<Option<mpsc::Sender<Msg>>>,
    threads: std::sync::Mutex<Vec<JoinHandle<()>>>,
    failed: Arc<OnceLock<LogError>>,
    durable_head: Arc<AtomicU64>,
    stats: Arc<LogStats>,
    durability: Durability,
    head: watch::Receiver<u64>,
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Msg")
    }
}

impl EventLog {
    /// Takes the data dir's lock, opens (or creates) the log, checks its last record and starts
    /// the writer. Fails if another process holds the dir, or if the last record is damaged
    /// (run `premia audit verify` to see where).
    pub fn open(config: LogConfig) -> Result<EventLog, LogError> {
        std::fs::create_dir_all(&config.dir)
            .map_err(|e| LogError::io("create data dir", &config.dir, &e))?;
        let lock = DirLock::acquire(&config.dir)?;
        let reader = LogReader::open_locked(&config.dir, lock, config.cache_bytes)?;
        let log_id = match reader.log_id()? {
            Some(id) => id,
            None => {
                let id = new_log_id(&config.dir);
                reader
                    .meta
                    .insert(META_LOG_ID, &id.to_be_bytes())
                    .map_err(LogError::store)?;
                id
            }
        };
        let (next_seq, prev_hash) = match reader.last()? {
            Some(last) => (last.seq + 1, last.hash),
            None => (1, ChainHash::GENESIS),
        };
        let power = config.durability == Durability::Power;
        let power_file = if power {
            let path = config.dir.join(SLED_DIR).join("db");
            let file = std::fs::File::open(&path)
                .map_err(|e| LogError::io("open for fdatasync", &path, &e))?;
            Some((file, path))
        } else {
            None
        };
        let wal = wal::Wal::open(&config.dir, power)?;
        let failed = Arc::new(OnceLock::new());
        let stats = Arc::new(LogStats::default());
        stats.applied_head.store(next_seq - 1, Ordering::Relaxed);
        let durable_head = Arc::new(AtomicU64::new(next_seq - 1));
        let (tx, rx) = mpsc::channel();
        let (flush_tx, flush_rx) = mpsc::channel();
        let (head_tx, head_rx) = watch::channel(next_seq - 1);
        let writer = Writer {
            events: reader.events.clone(),
            meta: reader.meta.clone(),
            log_id,
            next_seq,
            prev_hash,
            clock: config.clock.clone(),
            max_batch: config.max_batch.max(1),
            failed: failed.clone(),
            stats: stats.clone(),
            head: head_tx,
            frames: Vec::new(),
        };
        let flusher = Flusher {
            db: reader.db.clone(),
            wal,
            power_file,
            failed: failed.clone(),
            durable_head: durable_head.clone(),
            stats: stats.clone(),
        };
        let spawn = |name: &str, f: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new()
                .name(name.into())
                .spawn(f)
                .map_err(|e| LogError::io("spawn thread", PathBuf::from(name), &e))
        };
        let mut threads = vec![spawn(
            "premia-log-flush",
            Box::new(move || flusher.run(flush_rx)),
        )?];
        threads.push(spawn(
            "premia-log-write",
            Box::new(move || writer.run(rx, flush_tx)),
        )?);
        Ok(EventLog {
            inner: Arc::new(Inner {
                reader,
                tx: RwLock::new(Some(tx)),
                threads: std::sync::Mutex::new(threads),
                failed,
                durable_head,
                stats,
                durability: config.durability,
                head: head_rx,
            }),
        })
    }

    fn send(&self, msg: Msg) -> Result<(), LogError> {
        if let Some(error) = self.inner.failed.get() {
            return Err(error.clone());
        }
        let guard = self.inner.tx.read().map_err(|_| LogError::Closed)?;
        match guard.as_ref() {
            Some(tx) => tx.send(msg).map_err(|_| LogError::Closed),
            None => Err(LogError::Closed),
        }
    }

    /// Sends a message built around a reply channel, and returns the ticket for the reply.
    fn request<T: Unpin>(&self, durable: bool, message: impl FnOnce(Wait<T>) -> Msg) -> Ticket<T> {
        let (tx, rx) = oneshot::channel();
        let wait = if durable {
            Wait::Flushed(tx)
        } else {
            Wait::Applied(tx)
        };
        match self.send(message(wait)) {
            Ok(()) => Ticket {
                state: TicketState::Waiting(rx),
            },
            Err(error) => Ticket::ready(Err(error)),
        }
    }

    fn submit(&self, event: &Event, causation: Option<EventId>, durable: bool) -> Ticket<Appended> {
        match codec::encode_payload(event) {
            Ok(payload) => self.request(durable, |wait| Msg::Append {
                payload,
                causation,
                wait,
            }),
            Err(error) => Ticket::ready(Err(LogError::Encode(error))),
        }
    }

    /// Appends an event and answers once it is durable (flushed, per the log's [`Durability`]).
    /// Concurrent appends share one flush.
    pub fn append(&self, event: &Event, causation: Option<EventId>) -> Ticket<Appended> {
        self.submit(event, causation, true)
    }

    /// Appends an event and answers once it is stored, before it is flushed. It becomes durable
    /// with the next flush (any durable append's, or sled's own within 500 ms).
    pub fn append_applied(&self, event: &Event, causation: Option<EventId>) -> Ticket<Appended> {
        self.submit(event, causation, false)
    }

    /// Appends an event without waiting for anything. Fails only if the log is closed or failed,
    /// or the event cannot be encoded.
    pub fn emit(&self, event: &Event, causation: Option<EventId>) -> Result<(), LogError> {
        let payload = codec::encode_payload(event).map_err(LogError::Encode)?;
        self.send(Msg::Append {
            payload,
            causation,
            wait: Wait::Nothing,
        })
    }

    /// Appends several events at consecutive seqs, each caused by the one before it (the first by
    /// `causation`), and answers once all are durable: a signal and the intent it led to cost one
    /// flush, and the intent's causation is the signal's id.
    pub fn append_chain(
        &self,
        events: &[Event],
        causation: Option<EventId>,
    ) -> Ticket<Vec<Appended>> {
        self.submit_chain(events, causation, true)
    }

    /// Like [`EventLog::append_chain`], answering once the events are stored (not flushed).
    pub fn append_chain_applied(
        &self,
        events: &[Event],
        causation: Option<EventId>,
    ) -> Ticket<Vec<Appended>> {
        self.submit_chain(events, causation, false)
    }

    fn submit_chain(
        &self,
        events: &[Event],
        causation: Option<EventId>,
        durable: bool,
    ) -> Ticket<Vec<Appended>> {
        match events
            .iter()
            .map(codec::encode_payload)
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(payloads) => self.request(durable, |wait| Msg::Chain {
                payloads,
                causation,
                wait,
            }),
            Err(error) => Ticket::ready(Err(LogError::Encode(error))),
        }
    }

    /// The last seq written, updated after every write batch: followers `changed().await` on it
    /// and read the new records.
    pub fn watch_head(&self) -> watch::Receiver<u64> {
        self.inner.head.clone()
    }

    /// Answers, with the head seq, once everything appended before the call is durable.
    pub fn sync(&self) -> Ticket<u64> {
        let (tx, rx) = oneshot::channel();
        match self.send(Msg::Sync(tx)) {
            Ok(()) => Ticket {
                state: TicketState::Waiting(rx),
            },
            Err(error) => Ticket::ready(Err(error)),
        }
    }

    /// Stops taking appends, flushes what was appended, and joins the threads.
    pub fn close(&self) {
        if let Ok(mut guard) = self.inner.tx.write() {
            guard.take();
        }
        let threads = match self.inner.threads.lock() {
            Ok(mut guard) => std::mem::take(&mut *guard),
            Err(_) => Vec::new(),
        };
        for thread in threads.into_iter().rev() {
            let _ = thread.join();
        }
    }

    /// The reading side of this log.
    pub fn reader(&self) -> &LogReader {
        &self.inner.reader
    }

    /// The highest seq known to be durable.
    pub fn durable_head(&self) -> u64 {
        self.inner.durable_head.load(Ordering::Acquire)
    }

    /// The failure that stopped the log, if any.
    pub fn failure(&self) -> Option<&LogError> {
        self.inner.failed.get()
    }

    /// The writer's counters.
    pub fn stats(&self) -> &LogStats {
        &self.inner.stats
    }

    /// The configured durability.
    pub fn durability(&self) -> Durability {
        self.inner.durability
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Ok(mut guard) = self.tx.write() {
            guard.take();
        }
        if let Ok(mut guard) = self.threads.lock() {
            for thread in std::mem::take(&mut *guard).into_iter().rev() {
                let _ = thread.join();
            }
        }
    }
}

fn new_log_id(dir: &Path) -> u64 {
    let mut hasher = Sha256::new();
    hasher.update(SystemClock.now().0.to_le_bytes());
    hasher.update(std::process::id().to_le_bytes());
    hasher.update(dir.as_os_str().as_encoded_bytes());
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    for (dst, src) in first.iter_mut().zip(digest.iter()) {
        *dst = *src;
    }
    u64::from_be_bytes(first)
}

#[cfg(test)]
mod tests;
