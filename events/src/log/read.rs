//! Reading the log: checked replay with read-ahead, single records, and `verify`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use super::{
    Damage, DirLock, EVENTS_TREE, LogError, META_HEAD, META_LOG_ID, META_TREE, Problem, SLED_DIR,
};
use crate::codec;
use crate::envelope::{ChainHash, Envelope};

/// Read access to a log. Holds the data dir's lock for as long as it lives.
#[derive(Debug)]
pub struct LogReader {
    pub(crate) db: sled::Db,
    pub(crate) events: sled::Tree,
    pub(crate) meta: sled::Tree,
    dir: PathBuf,
    _lock: DirLock,
}

/// The result of a successful [`LogReader::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Records checked.
    pub events: u64,
    /// The last seq (0 for an empty log).
    pub head_seq: u64,
    /// The last record's hash ([`ChainHash::GENESIS`] for an empty log).
    pub head_hash: ChainHash,
}

impl LogReader {
    /// Opens an existing log for reading. Fails with [`LogError::Missing`] if the data dir has no
    /// log, and with [`LogError::Locked`] if another process (a running daemon) holds it.
    pub fn open(dir: &Path) -> Result<LogReader, LogError> {
        if !dir.join(SLED_DIR).join("db").exists() {
            return Err(LogError::Missing {
                dir: dir.to_path_buf(),
            });
        }
        let lock = DirLock::acquire(dir)?;
        LogReader::open_locked(dir, lock, 64 << 20)
    }

    pub(crate) fn open_locked(
        dir: &Path,
        lock: DirLock,
        cache_bytes: u64,
    ) -> Result<LogReader, LogError> {
        let config = sled::Config::new()
            .path(dir.join(SLED_DIR))
            .cache_capacity(cache_bytes)
            .mode(sled::Mode::HighThroughput);
        let db = open_when_released(&config).map_err(LogError::store)?;
        let events = db.open_tree(EVENTS_TREE).map_err(LogError::store)?;
        let meta = db.open_tree(META_TREE).map_err(LogError::store)?;
        let recovered = super::wal::recover(dir, &db, &events, &meta)?;
        if recovered.applied > 0 || recovered.dropped_bytes > 0 {
            tracing::warn!(
                applied = recovered.applied,
                already_stored = recovered.present,
                dropped_bytes = recovered.dropped_bytes,
                kept_as = ?recovered.kept_as,
                "event log recovered from its write-ahead file after an unclean stop"
            );
        }
        Ok(LogReader {
            db,
            events,
            meta,
            dir: dir.to_path_buf(),
            _lock: lock,
        })
    }

    /// The data dir.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Another named tree of the same database (snapshots, the mirror's cursor). The events and
    /// meta trees are the log's own and must not be written through this.
    pub fn tree(&self, name: &str) -> Result<sled::Tree, LogError> {
        self.db.open_tree(name).map_err(LogError::store)
    }

    /// Flushes trees written through [`LogReader::tree`].
    pub fn flush(&self) -> Result<(), LogError> {
        self.db.flush().map(|_| ()).map_err(LogError::store)
    }

    /// The log's id, once it has one.
    pub fn log_id(&self) -> Result<Option<u64>, LogError> {
        let value = self.meta.get(META_LOG_ID).map_err(LogError::store)?;
        Ok(value
            .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
            .map(u64::from_be_bytes))
    }

    /// The last record, decoded and hash-checked. `None` for an empty log.
    pub fn last(&self) -> Result<Option<Envelope>, LogError> {
        let Some((key, value)) = self.events.last().map_err(LogError::store)? else {
            return Ok(None);
        };
        let seq = key_seq(&key, 0)?;
        let envelope = decode_at(seq, &value)?;
        if envelope.seq != seq {
            return Err(damaged(
                seq,
                Problem::Misplaced {
                    claims: envelope.seq,
                },
            ));
        }
        Ok(Some(envelope))
    }

    /// The last seq (0 for an empty log), without decoding anything.
    pub fn last_seq(&self) -> Result<u64, LogError> {
        match self.events.last().map_err(LogError::store)? {
            Some((key, _)) => key_seq(&key, 0),
            None => Ok(0),
        }
    }

    /// One record, decoded and hash-checked; `None` if there is no record at `seq`.
    pub fn get(&self, seq: u64) -> Result<Option<Envelope>, LogError> {
        let Some(value) = self
            .events
            .get(seq.to_be_bytes())
            .map_err(LogError::store)?
        else {
            return Ok(None);
        };
        let envelope = decode_at(seq, &value)?;
        if envelope.seq != seq {
            return Err(damaged(
                seq,
                Problem::Misplaced {
                    claims: envelope.seq,
                },
            ));
        }
        Ok(Some(envelope))
    }

    /// Every record from `from` on, checked: each must decode, carry its own seq, hash correctly
    /// and link to the one before; the first that does not ends the iteration with
    /// [`LogError::Damaged`]. Records are read ahead on a second thread, so decoding overlaps
    /// sled's iteration.
    pub fn replay_from(&self, from: u64) -> Replay {
        let from = from.max(1);
        Replay {
            source: Source::Ahead(ReadAhead::start(self.events.clone(), from)),
            expect: from,
            prev: self.hash_before(from),
            done: false,
        }
    }

    /// The hash a replay from `from` links its first record to: genesis for seq 1, else the
    /// previous record's when it is readable (a damaged predecessor is `verify`'s to report).
    fn hash_before(&self, from: u64) -> Option<ChainHash> {
        if from <= 1 {
            Some(ChainHash::GENESIS)
        } else {
            self.get(from - 1).ok().flatten().map(|e| e.hash)
        }
    }

    /// Like [`LogReader::replay_from`] but on the calling thread only: for short tails (a
    /// follower catching up with the last few appends), where starting a thread would cost more
    /// than it saves.
    pub fn replay_inline_from(&self, from: u64) -> Replay {
        let from = from.max(1);
        Replay {
            source: Source::Inline(Box::new(self.events.range(from.to_be_bytes()..))),
            expect: from,
            prev: self.hash_before(from),
            done: false,
        }
    }

    /// Walks the whole log and checks every record and the recorded head. Returns the first
    /// problem as [`LogError::Damaged`] naming its seq.
    pub fn verify(&self) -> Result<VerifyReport, LogError> {
        let mut report = VerifyReport {
            events: 0,
            head_seq: 0,
            head_hash: ChainHash::GENESIS,
        };
        for envelope in self.replay_from(1) {
            let envelope = envelope?;
            report.events += 1;
            report.head_seq = envelope.seq;
            report.head_hash = envelope.hash;
        }
        self.check_head(report.head_seq, report.head_hash)?;
        Ok(report)
    }
}

impl LogReader {
    /// The head the writer recorded after its last batch: (seq, hash).
    pub fn head_marker(&self) -> Result<Option<(u64, ChainHash)>, LogError> {
        let Some(marker) = self.meta.get(META_HEAD).map_err(LogError::store)? else {
            return Ok(None);
        };
        let (seq_bytes, hash_bytes) = marker.split_at(marker.len().min(8));
        let seq = <[u8; 8]>::try_from(seq_bytes).map(u64::from_be_bytes).ok();
        let hash = <[u8; 32]>::try_from(hash_bytes).ok().map(ChainHash);
        Ok(seq.zip(hash))
    }

    /// Checks a replay that reached the end of the log (last seq `last_seq` with hash `last_hash`)
    /// against the head the writer recorded: the log must not end before it (tail removed), and
    /// the record at the head must carry the recorded hash (chain rewritten). Records appended
    /// while this runs are not mistaken for damage.
    pub fn check_head(&self, last_seq: u64, last_hash: ChainHash) -> Result<(), LogError> {
        check_head(self.head_marker()?, last_seq, last_hash, |seq| {
            Ok(self.get(seq)?.map(|e| e.hash))
        })
    }
}

/// [`LogReader::check_head`] for any source: `marker` is the recorded head, `hash_at` looks up the
/// hash of a record (None if absent).
pub fn check_head(
    marker: Option<(u64, ChainHash)>,
    last_seq: u64,
    last_hash: ChainHash,
    hash_at: impl Fn(u64) -> Result<Option<ChainHash>, LogError>,
) -> Result<(), LogError> {
    let Some((head, hash)) = marker else {
        return Ok(());
    };
    let at_head = if head == last_seq {
        Some(last_hash)
    } else if head > last_seq {
        match hash_at(head)? {
            // Appended after the replay ended: not damage.
            Some(hash) => Some(hash),
            None => return Err(damaged(last_seq + 1, Problem::TruncatedTail { head })),
        }
    } else {
        hash_at(head)?
    };
    if at_head.is_some_and(|h| h != hash) {
        return Err(damaged(head, Problem::HeadMismatch));
    }
    Ok(())
}

/// Checks records that came from elsewhere (a running daemon's API) exactly as
/// [`LogReader::replay_from`] checks the data dir's: `records` are (seq, record bytes) in key
/// order from `from`; `prev` is the hash of the record before `from`, when known.
pub fn replay_records(
    records: impl Iterator<Item = Result<(u64, Vec<u8>), LogError>> + Send + 'static,
    from: u64,
    prev: Option<ChainHash>,
) -> Replay {
    let from = from.max(1);
    Replay {
        source: Source::External(Box::new(records)),
        expect: from,
        prev: if from == 1 {
            Some(ChainHash::GENESIS)
        } else {
            prev
        },
        done: false,
    }
}

fn damaged(seq: u64, problem: Problem) -> LogError {
    LogError::Damaged(Damage { seq, problem })
}

fn key_seq(key: &[u8], expected: u64) -> Result<u64, LogError> {
    <[u8; 8]>::try_from(key)
        .map(u64::from_be_bytes)
        .map_err(|_| damaged(expected, Problem::BadKey { len: key.len() }))
}

fn decode_at(seq: u64, bytes: &[u8]) -> Result<Envelope, LogError> {
    codec::decode(bytes).map_err(|e| damaged(seq, Problem::Undecodable(e)))
}

/// Where a replay's records come from.
enum Source {
    Ahead(ReadAhead),
    Inline(Box<sled::Iter>),
    External(Box<dyn ExternalRecords>),
}

/// Records from outside the data dir, as (seq, bytes).
trait ExternalRecords: Iterator<Item = Result<(u64, Vec<u8>), LogError>> + Send {}

impl<T: Iterator<Item = Result<(u64, Vec<u8>), LogError>> + Send> ExternalRecords for T {}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Source::Ahead(_) => "ReadAhead",
            Source::Inline(_) => "Inline",
            Source::External(_) => "External",
        })
    }
}

impl Source {
    fn next(&mut self) -> Option<Result<Record, LogError>> {
        match self {
            Source::Ahead(ahead) => ahead.next(),
            Source::Inline(iter) => Some(match iter.next()? {
                Ok((key, value)) => Ok(Record {
                    key,
                    value,
                    hash: None,
                }),
                Err(error) => Err(LogError::store(error)),
            }),
            Source::External(records) => Some(records.next()?.map(|(seq, value)| Record {
                key: sled::IVec::from(&seq.to_be_bytes()[..]),
                value: sled::IVec::from(value),
                hash: None,
            })),
        }
    }
}

/// A checked iteration over the log; see [`LogReader::replay_from`].
#[derive(Debug)]
pub struct Replay {
    source: Source,
    expect: u64,
    prev: Option<ChainHash>,
    done: bool,
}

impl Replay {
    fn check(&mut self, record: Record) -> Result<Envelope, LogError> {
        let seq = key_seq(&record.key, self.expect)?;
        if seq != self.expect {
            return Err(damaged(self.expect, Problem::Missing { next: seq }));
        }
        record
            .hash
            .unwrap_or_else(|| codec::check_hash(&record.value))
            .map_err(|e| damaged(seq, Problem::Undecodable(e)))?;
        let envelope = codec::decode_checked(&record.value)
            .map_err(|e| damaged(seq, Problem::Undecodable(e)))?;
        if envelope.seq != seq {
            return Err(damaged(
                seq,
                Problem::Misplaced {
                    claims: envelope.seq,
                },
            ));
        }
        if self.prev.is_some_and(|prev| prev != envelope.prev_hash) {
            return Err(damaged(seq, Problem::BrokenLink));
        }
        self.prev = Some(envelope.hash);
        self.expect += 1;
        Ok(envelope)
    }
}

impl Iterator for Replay {
    type Item = Result<Envelope, LogError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = match self.source.next()? {
            Ok(record) => self.check(record),
            Err(error) => Err(error),
        };
        if item.is_err() {
            self.done = true;
        }
        Some(item)
    }
}

/// A stored record as a source hands it over, with its hash check when the source did it
/// (`None`: the consumer checks).
#[derive(Debug)]
struct Record {
    key: sled::IVec,
    value: sled::IVec,
    hash: Option<Result<(), codec::CodecError>>,
}

type Chunk = Vec<Record>;

/// Iterates a sled tree on a helper thread, handing over chunks; decoding and the chain checks
/// happen on the consumer's thread. The hash checks go to whichever thread has time: the reader
/// checks a record's hash when the consumer is behind (chunks are waiting for it), and leaves it
/// to the consumer when the consumer is waiting for chunks. Which side is slower depends on the
/// machine and the records (sled's iteration against decode + fold), so the split balances
/// itself, and both cores stay busy during a replay (BENCHMARKS.md).
#[derive(Debug)]
struct ReadAhead {
    rx: Receiver<Result<Chunk, LogError>>,
    current: std::vec::IntoIter<Record>,
    /// Chunks sent and not yet taken: the reader's measure of how far behind the consumer is.
    waiting: Arc<AtomicUsize>,
    finished: bool,
}

const CHUNK: usize = 512;

/// With this many chunks waiting for the consumer, the reader checks hashes itself.
const BEHIND: usize = 2;

impl ReadAhead {
    fn start(tree: sled::Tree, from: u64) -> ReadAhead {
        let (tx, rx) = sync_channel(8);
        let waiting = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&waiting);
        let spawned = std::thread::Builder::new()
            .name("premia-log-read".into())
            .spawn(move || read_ahead(&tree, from, &tx, &counter));
        if let Err(e) = spawned {
            let (tx, failed) = sync_channel(1);
            let _ = tx.send(Err(LogError::io("spawn thread", "premia-log-read", &e)));
            return ReadAhead {
                rx: failed,
                current: Vec::new().into_iter(),
                waiting,
                finished: false,
            };
        }
        ReadAhead {
            rx,
            current: Vec::new().into_iter(),
            waiting,
            finished: false,
        }
    }

    fn next(&mut self) -> Option<Result<Record, LogError>> {
        loop {
            if let Some(pair) = self.current.next() {
                return Some(Ok(pair));
            }
            if self.finished {
                return None;
            }
            match self.rx.recv() {
                Ok(Ok(chunk)) => {
                    self.waiting.fetch_sub(1, Ordering::Relaxed);
                    self.current = chunk.into_iter();
                }
                Ok(Err(error)) => {
                    self.finished = true;
                    return Some(Err(error));
                }
                Err(_) => {
                    self.finished = true;
                    return None;
                }
            }
        }
    }
}

fn read_ahead(
    tree: &sled::Tree,
    from: u64,
    tx: &SyncSender<Result<Chunk, LogError>>,
    waiting: &AtomicUsize,
) {
    let mut chunk = Vec::with_capacity(CHUNK);
    for item in tree.range(from.to_be_bytes()..) {
        match item {
            Ok((key, value)) => {
                let hash =
                    (waiting.load(Ordering::Relaxed) >= BEHIND).then(|| codec::check_hash(&value));
                chunk.push(Record { key, value, hash });
                if chunk.len() == CHUNK {
                    waiting.fetch_add(1, Ordering::Relaxed);
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                    if tx.send(Ok(full)).is_err() {
                        return;
                    }
                }
            }
            Err(error) => {
                let _ = tx.send(Err(LogError::store(error)));
                return;
            }
        }
    }
    if !chunk.is_empty() {
        waiting.fetch_add(1, Ordering::Relaxed);
        let _ = tx.send(Ok(chunk));
    }
}

/// How long [`open_when_released`] waits for sled's file lock.
const SLED_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Opens sled, waiting a little for its file lock. Whoever calls this holds premia's own lock
/// ([`DirLock`]), so no other premia process has the database; a lock held anyway belongs to a
/// sled instance of this process that was just dropped, whose background thread lets go of the
/// file a moment after the drop (a log closed and reopened in one process: tests, `bench log`).
pub(crate) fn open_when_released(config: &sled::Config) -> sled::Result<sled::Db> {
    let started = std::time::Instant::now();
    loop {
        match config.open() {
            Err(sled::Error::Io(error))
                if error.to_string().contains("could not acquire lock")
                    && started.elapsed() < SLED_LOCK_WAIT =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            result => return result,
        }
    }
}
