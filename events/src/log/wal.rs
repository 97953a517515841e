//! The write-ahead file: what makes an append durable without waiting for sled's flush.
//!
//! ```text
//! <data dir>/log.wal   frames, appended in seq order:  [len: u32 LE][record (see crate::codec)]
//! ```
//!
//! The writer thread inserts each record into sled and adds the same bytes, framed, to the batch
//! it hands to the flusher. The flusher appends the batch to this file: in `process` mode that
//! `write(2)` is the durability point (the bytes are in the kernel, so a crash of the process
//! cannot lose them); in `power` mode an `fdatasync` of this file follows. sled is flushed in the
//! background (its own flusher, every 500 ms) and at each **checkpoint**: when the file has grown
//! past [`CHECKPOINT_BYTES`], or when the log closes, the flusher flushes sled (plus an
//! `fdatasync` of sled's file in `power` mode) and then empties this file. Every record in the
//! file was inserted into sled before the file received it, so after the checkpoint's flush the
//! file holds nothing sled does not.
//!
//! **Recovery** ([`recover`]), on every open: sled holds a prefix of the log (it recovers its own
//! log up to its last stable write, and the writer inserts in seq order), and this file holds
//! every record acknowledged since the last checkpoint. Frames whose seq sled already has are
//! skipped; the rest must continue sled's last record (next seq, chained to its hash) and are
//! inserted; then sled is flushed and the file emptied. A torn last frame (a crash in the middle
//! of a write that was never acknowledged) ends the recovery quietly; a bad frame with data after
//! it is kept for inspection as `log.wal.damaged-<unix seconds>`, and the open goes on with what
//! came before it. A frame that does not continue the log (a gap or a broken link: sled lost
//! records that were checkpointed) fails the open with [`LogError::Damaged`] naming the seq.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Damage, LogError, META_HEAD, Problem};
use crate::codec::{self, MAX_RECORD_BYTES};
use crate::envelope::ChainHash;

/// Name of the write-ahead file inside the data dir.
pub const WAL_FILE: &str = "log.wal";

/// The size past which the flusher checkpoints (flushes sled and empties the file). Bounds how
/// much a recovery reads back: 16 MiB is about 70 000 events, read in well under a second.
pub const CHECKPOINT_BYTES: u64 = 16 << 20;

const LEN_BYTES: usize = 4;

/// Appends one record, framed, to a batch of WAL bytes.
pub(crate) fn frame(record: &[u8], out: &mut Vec<u8>) {
    // Records are at most MAX_RECORD_BYTES (1 MiB), far below u32::MAX.
    let len = u32::try_from(record.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(record);
}

/// The open write-ahead file, owned by the flusher thread.
#[derive(Debug)]
pub(crate) struct Wal {
    file: File,
    path: PathBuf,
    /// `power` durability: fdatasync after each write.
    sync: bool,
    /// Bytes written since the last checkpoint.
    len: u64,
}

impl Wal {
    /// Opens (or creates) the file for appending. [`recover`] must have run first: the file is
    /// expected to be empty. In `power` mode the data dir is synced once so the file's entry
    /// survives a power cut.
    pub(crate) fn open(dir: &Path, sync: bool) -> Result<Wal, LogError> {
        let path = dir.join(WAL_FILE);
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| LogError::io("open write-ahead file", &path, &e))?;
        let len = file
            .metadata()
            .map_err(|e| LogError::io("stat write-ahead file", &path, &e))?
            .len();
        if sync {
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| LogError::io("sync data dir", dir, &e))?;
        }
        Ok(Wal {
            file,
            path,
            sync,
            len,
        })
    }

    /// Appends framed records; they are durable (per the mode) when this returns.
    pub(crate) fn append(&mut self, batches: &[&[u8]]) -> Result<(), LogError> {
        let mut wrote = false;
        for bytes in batches.iter().filter(|b| !b.is_empty()) {
            self.file
                .write_all(bytes)
                .map_err(|e| LogError::io("write", &self.path, &e))?;
            self.len += bytes.len() as u64;
            wrote = true;
        }
        if self.sync && wrote {
            self.file
                .sync_data()
                .map_err(|e| LogError::io("fdatasync", &self.path, &e))?;
        }
        Ok(())
    }

    /// Whether the file has grown past [`CHECKPOINT_BYTES`].
    pub(crate) fn wants_checkpoint(&self) -> bool {
        self.len >= CHECKPOINT_BYTES
    }

    /// Whether anything was written since the last checkpoint.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Empties the file. Call only once sled holds everything in it durably.
    pub(crate) fn truncate(&mut self) -> Result<(), LogError> {
        empty(&self.file, &self.path, self.sync)?;
        self.len = 0;
        Ok(())
    }
}

fn empty(file: &File, path: &Path, sync: bool) -> Result<(), LogError> {
    file.set_len(0)
        .map_err(|e| LogError::io("truncate", path, &e))?;
    if sync {
        file.sync_data()
            .map_err(|e| LogError::io("fdatasync", path, &e))?;
    }
    Ok(())
}

/// What a recovery found in the write-ahead file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// Records sled did not have, now inserted.
    pub applied: u64,
    /// Records sled already had.
    pub present: u64,
    /// Bytes at the end that were not a whole, valid frame (a torn write, or damage).
    pub dropped_bytes: u64,
    /// Where the file was kept because a bad frame had data after it.
    pub kept_as: Option<PathBuf>,
}

/// Brings sled up to the end of the write-ahead file, then empties the file. See the module
/// docs. sled's data file is synced after the flush, so the recovered records survive a power cut
/// before the file is emptied.
pub(crate) fn recover(
    dir: &Path,
    db: &sled::Db,
    events: &sled::Tree,
    meta: &sled::Tree,
) -> Result<Recovered, LogError> {
    let path = dir.join(WAL_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Recovered::default()),
        Err(e) => return Err(LogError::io("read write-ahead file", &path, &e)),
    };
    if bytes.is_empty() {
        return Ok(Recovered::default());
    }
    let (mut last_seq, mut last_hash) = match events.last().map_err(LogError::store)? {
        Some((key, value)) => {
            let seq = <[u8; 8]>::try_from(key.as_ref()).map_or(0, u64::from_be_bytes);
            let envelope = codec::decode(&value).map_err(|e| {
                LogError::Damaged(Damage {
                    seq,
                    problem: Problem::Undecodable(e),
                })
            })?;
            (envelope.seq, envelope.hash)
        }
        None => (0, ChainHash::GENESIS),
    };
    let mut report = Recovered::default();
    let mut at = 0usize;
    while let Some(record) = next_frame(&bytes, at) {
        let Ok(envelope) = codec::decode(record) else {
            break;
        };
        at += LEN_BYTES + record.len();
        if envelope.seq <= last_seq {
            report.present += 1;
            continue;
        }
        if envelope.seq != last_seq + 1 {
            return Err(LogError::Damaged(Damage {
                seq: last_seq + 1,
                problem: Problem::Missing { next: envelope.seq },
            }));
        }
        if envelope.prev_hash != last_hash {
            return Err(LogError::Damaged(Damage {
                seq: envelope.seq,
                problem: Problem::BrokenLink,
            }));
        }
        events
            .insert(envelope.seq.to_be_bytes(), record)
            .map_err(LogError::store)?;
        last_seq = envelope.seq;
        last_hash = envelope.hash;
        report.applied += 1;
    }
    report.dropped_bytes = (bytes.len() - at.min(bytes.len())) as u64;
    if report.applied > 0 {
        let mut head = Vec::with_capacity(40);
        head.extend_from_slice(&last_seq.to_be_bytes());
        head.extend_from_slice(&last_hash.0);
        meta.insert(META_HEAD, head).map_err(LogError::store)?;
    }
    db.flush().map_err(LogError::store)?;
    let sled_file = dir.join(super::SLED_DIR).join("db");
    File::open(&sled_file)
        .and_then(|f| f.sync_data())
        .map_err(|e| LogError::io("fdatasync", &sled_file, &e))?;
    if is_torn_tail(&bytes, at) {
        let file = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|e| LogError::io("open write-ahead file", &path, &e))?;
        empty(&file, &path, true)?;
    } else {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let kept = dir.join(format!("{WAL_FILE}.damaged-{secs}"));
        std::fs::rename(&path, &kept)
            .map_err(|e| LogError::io("keep damaged write-ahead file", &path, &e))?;
        report.kept_as = Some(kept);
    }
    Ok(report)
}

/// The record of the frame at `at`, if a whole frame is there.
fn next_frame(bytes: &[u8], at: usize) -> Option<&[u8]> {
    let len_bytes: [u8; LEN_BYTES] = bytes.get(at..at + LEN_BYTES)?.try_into().ok()?;
    let len = u32::from_le_bytes(len_bytes) as usize;
    if len > MAX_RECORD_BYTES {
        return None;
    }
    bytes.get(at + LEN_BYTES..at + LEN_BYTES + len)
}

/// Whether what is left from `at` can only be a write cut short: nothing, or a single frame whose
/// stated length runs past the end of the file. Anything else (a whole frame that does not
/// decode) is damage.
fn is_torn_tail(bytes: &[u8], at: usize) -> bool {
    let Some(rest) = bytes.get(at..) else {
        return true;
    };
    if rest.len() < LEN_BYTES {
        return true;
    }
    let len = rest
        .get(..LEN_BYTES)
        .and_then(|b| <[u8; LEN_BYTES]>::try_from(b).ok())
        .map_or(0, |b| u32::from_le_bytes(b) as usize);
    len <= MAX_RECORD_BYTES && rest.len() < LEN_BYTES + len
}
