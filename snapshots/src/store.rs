//! The snapshot store: states written to the log's database, anchored to the log by seq and hash.
//!
//! Tree `snapshots`: key = seq (big-endian u64), value = `[version u16 LE][bincode(Snapshot)]`.
//! A snapshot is a cache, never a source of truth: one that does not decode, was written by a
//! different snapshot version, or whose hash differs from the log's record at its seq is ignored
//! (with a warning) and the state is rebuilt from further back.

use premia_events::log::{LogError, LogReader};
use premia_events::{ChainHash, Timestamp};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::state::State;

/// Name of the sled tree holding snapshots.
pub const SNAPSHOT_TREE: &str = "snapshots";

/// Layout version of stored snapshots. Bump it whenever [`State`] changes shape: older snapshots
/// are then ignored and state is rebuilt from the log.
pub const SNAPSHOT_VERSION: u16 = 1;

/// A stored state with its anchor in the log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The last seq the state includes.
    pub seq: u64,
    /// The log's hash at that seq.
    pub hash: ChainHash,
    /// When the snapshot was taken.
    pub created: Timestamp,
    /// The state.
    pub state: State,
}

/// A snapshot's listing entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SnapshotInfo {
    /// Its seq.
    pub seq: u64,
    /// Its anchor hash (hex).
    pub hash: String,
    /// When it was taken (RFC 3339).
    pub created: String,
    /// Its size in bytes.
    pub bytes: usize,
}

/// Why a snapshot could not be used.
#[derive(Debug, Clone, Error)]
pub enum SnapshotError {
    /// The store failed. Snapshots are optional: the caller can rebuild from the log alone.
    #[error(transparent)]
    Log(#[from] LogError),
    /// The snapshot's bytes are not a snapshot of this version.
    #[error("snapshot at seq {seq}: {reason}")]
    Undecodable {
        /// Its seq.
        seq: u64,
        /// What is wrong.
        reason: String,
    },
    /// Its anchor does not match the log.
    #[error("snapshot at seq {seq}: its hash {snapshot} does not match the log's {log}")]
    AnchorMismatch {
        /// Its seq.
        seq: u64,
        /// The hash in the snapshot.
        snapshot: String,
        /// The hash in the log ("missing" if the log has no record there).
        log: String,
    },
    /// The state is empty (nothing applied yet): there is nothing worth storing.
    #[error("nothing to snapshot: the log is empty")]
    Empty,
    /// There is no snapshot at that seq.
    #[error("no snapshot at seq {seq}")]
    NotFound {
        /// The seq asked for.
        seq: u64,
    },
}

/// Reads and writes snapshots in a log's database.
#[derive(Debug, Clone)]
pub struct SnapshotStore {
    tree: sled::Tree,
}

impl SnapshotStore {
    /// Opens the store of this log.
    pub fn open(reader: &LogReader) -> Result<SnapshotStore, SnapshotError> {
        Ok(SnapshotStore {
            tree: reader.tree(SNAPSHOT_TREE)?,
        })
    }

    /// Writes a snapshot of `state` and flushes it.
    pub fn save(&self, state: &State, created: Timestamp) -> Result<SnapshotInfo, SnapshotError> {
        if state.last_seq == 0 {
            return Err(SnapshotError::Empty);
        }
        let snapshot = Snapshot {
            seq: state.last_seq,
            hash: state.last_hash,
            created,
            state: state.clone(),
        };
        let mut bytes = SNAPSHOT_VERSION.to_le_bytes().to_vec();
        bincode::serde::encode_into_std_write(&snapshot, &mut bytes, bincode::config::standard())
            .map_err(|e| SnapshotError::Undecodable {
            seq: state.last_seq,
            reason: format!("cannot encode: {e}"),
        })?;
        let size = bytes.len();
        self.tree
            .insert(snapshot.seq.to_be_bytes(), bytes)
            .map_err(|e| LogError::Store {
                detail: e.to_string(),
            })?;
        self.tree.flush().map_err(|e| LogError::Store {
            detail: e.to_string(),
        })?;
        Ok(info(&snapshot, size))
    }

    /// All snapshots' seqs, newest first.
    pub fn seqs(&self) -> Result<Vec<u64>, SnapshotError> {
        let mut seqs = Vec::new();
        for item in self.tree.iter().keys().rev() {
            let key = item.map_err(|e| LogError::Store {
                detail: e.to_string(),
            })?;
            if let Ok(bytes) = <[u8; 8]>::try_from(key.as_ref()) {
                seqs.push(u64::from_be_bytes(bytes));
            }
        }
        Ok(seqs)
    }

    /// Reads one snapshot (not yet checked against the log).
    pub fn load(&self, seq: u64) -> Result<Snapshot, SnapshotError> {
        let bytes = self
            .tree
            .get(seq.to_be_bytes())
            .map_err(|e| LogError::Store {
                detail: e.to_string(),
            })?
            .ok_or(SnapshotError::NotFound { seq })?;
        decode(seq, &bytes)
    }

    /// Reads one snapshot and checks its anchor against the log.
    pub fn load_checked(&self, seq: u64, log: &LogReader) -> Result<Snapshot, SnapshotError> {
        let snapshot = self.load(seq)?;
        let at_log = log.get(seq)?;
        match at_log {
            Some(envelope) if envelope.hash == snapshot.hash && snapshot.state.last_seq == seq => {
                Ok(snapshot)
            }
            other => Err(SnapshotError::AnchorMismatch {
                seq,
                snapshot: snapshot.hash.to_hex(),
                log: other.map_or_else(|| "missing".to_owned(), |e| e.hash.to_hex()),
            }),
        }
    }

    /// Listing entries for every snapshot, newest first. Undecodable ones are listed with an
    /// empty hash.
    pub fn list(&self) -> Result<Vec<SnapshotInfo>, SnapshotError> {
        let mut out = Vec::new();
        for seq in self.seqs()? {
            let size = self
                .tree
                .get(seq.to_be_bytes())
                .map_err(|e| LogError::Store {
                    detail: e.to_string(),
                })?
                .map_or(0, |v| v.len());
            match self.load(seq) {
                Ok(snapshot) => out.push(info(&snapshot, size)),
                Err(_) => out.push(SnapshotInfo {
                    seq,
                    hash: String::new(),
                    created: String::new(),
                    bytes: size,
                }),
            }
        }
        Ok(out)
    }

    /// Deletes all but the `keep` newest snapshots.
    pub fn prune(&self, keep: usize) -> Result<usize, SnapshotError> {
        let mut removed = 0;
        for seq in self.seqs()?.into_iter().skip(keep) {
            self.tree
                .remove(seq.to_be_bytes())
                .map_err(|e| LogError::Store {
                    detail: e.to_string(),
                })?;
            removed += 1;
        }
        Ok(removed)
    }
}

fn info(snapshot: &Snapshot, bytes: usize) -> SnapshotInfo {
    SnapshotInfo {
        seq: snapshot.seq,
        hash: snapshot.hash.to_hex(),
        created: snapshot.created.to_rfc3339(),
        bytes,
    }
}

fn decode(seq: u64, bytes: &[u8]) -> Result<Snapshot, SnapshotError> {
    let undecodable = |reason: String| SnapshotError::Undecodable { seq, reason };
    let (version, body) = bytes.split_at(bytes.len().min(2));
    let version = <[u8; 2]>::try_from(version)
        .map(u16::from_le_bytes)
        .map_err(|_| undecodable("truncated".into()))?;
    if version != SNAPSHOT_VERSION {
        return Err(undecodable(format!(
            "snapshot version {version}, this build uses {SNAPSHOT_VERSION}"
        )));
    }
    let config = bincode::config::standard().with_limit::<{ 1 << 30 }>();
    let (snapshot, used): (Snapshot, usize) =
        bincode::serde::decode_from_slice(body, config).map_err(|e| undecodable(e.to_string()))?;
    if used != body.len() {
        return Err(undecodable(format!("{} trailing bytes", body.len() - used)));
    }
    if snapshot.seq != seq {
        return Err(undecodable(format!(
            "stored under seq {seq} but says seq {}",
            snapshot.seq
        )));
    }
    Ok(snapshot)
}
