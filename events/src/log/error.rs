//! What can go wrong with the log, and how a caller should react to each.

use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

use crate::codec::CodecError;

/// An event log error. Every variant says how to react: see [`LogError::is_retryable`] and
/// [`LogError::halts_trading`].
#[derive(Debug, Clone, Error)]
pub enum LogError {
    /// Another process holds the data dir. Stop; nothing was opened.
    #[error("data dir {dir} is in use by another premia (pid {pid}); stop it or use another --data-dir", dir = .dir.display())]
    Locked {
        /// The data dir.
        dir: PathBuf,
        /// The holder's PID as written in its lock file.
        pid: String,
    },
    /// There is no log in the data dir (read commands do not create one).
    #[error("no event log in {dir} (start the daemon or `premia bench log --keep` to create one, or pass --data-dir)", dir = .dir.display())]
    Missing {
        /// The data dir.
        dir: PathBuf,
    },
    /// An operating-system error on a file of the data dir. Halts trading.
    #[error("{op} {path}: {detail}", path = .path.display())]
    Io {
        /// What premia was doing.
        op: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        detail: String,
    },
    /// sled reported an error. Halts trading: the log's state on disk is uncertain.
    #[error("event store: {detail}")]
    Store {
        /// sled's message.
        detail: String,
    },
    /// A stored record is damaged, missing or out of place. Readers stop at it.
    #[error("{0}")]
    Damaged(Damage),
    /// An event could not be encoded (too large). Nothing was written; the log goes on.
    #[error("event not written: {0}")]
    Encode(CodecError),
    /// An earlier write or flush failed, so the log takes no more appends (fail-stop).
    #[error("the event log has failed and takes no more appends: {reason}")]
    Failed {
        /// The first failure.
        reason: String,
    },
    /// The log was closed.
    #[error("the event log is closed")]
    Closed,
}

impl LogError {
    /// Whether the same call may succeed if simply tried again later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, LogError::Locked { .. })
    }

    /// Whether the daemon must stop placing orders: the log can no longer record what it does.
    pub fn halts_trading(&self) -> bool {
        !matches!(self, LogError::Encode(_) | LogError::Missing { .. })
    }

    pub(crate) fn store(error: sled::Error) -> LogError {
        LogError::Store {
            detail: error.to_string(),
        }
    }

    /// An I/O error on `path` while doing `op`.
    pub fn io(op: &'static str, path: impl Into<PathBuf>, error: &std::io::Error) -> LogError {
        LogError::Io {
            op,
            path: path.into(),
            detail: error.to_string(),
        }
    }
}

/// A damaged record: its seq and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// The first bad seq.
    pub seq: u64,
    /// What is wrong.
    pub problem: Problem,
}

/// What is wrong with a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// No record at this seq, though later ones exist (deleted).
    Missing {
        /// The next seq that does exist.
        next: u64,
    },
    /// The record stored at this seq says it belongs at another (reordered or moved).
    Misplaced {
        /// The seq written inside the record.
        claims: u64,
    },
    /// The record's `prev_hash` is not the previous record's hash (something before it changed).
    BrokenLink,
    /// The record's bytes are not a valid record (altered, truncated, or from a future schema).
    Undecodable(CodecError),
    /// A key in the events tree is not an 8-byte seq.
    BadKey {
        /// The key's length.
        len: usize,
    },
    /// The log ends before the head it recorded (records at the end were removed).
    TruncatedTail {
        /// The head seq recorded at the last write.
        head: u64,
    },
    /// The record at the recorded head has a different hash (the chain was rewritten).
    HeadMismatch,
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seq = self.seq;
        match &self.problem {
            Problem::Missing { next } => {
                write!(f, "seq {seq}: record missing (the log jumps to seq {next})")
            }
            Problem::Misplaced { claims } => {
                write!(
                    f,
                    "seq {seq}: record out of place (it is the record of seq {claims}; reordered?)"
                )
            }
            Problem::BrokenLink => write!(
                f,
                "seq {seq}: hash chain broken (its prev_hash is not the hash of seq {}; a record before it was altered or replaced)",
                seq.saturating_sub(1)
            ),
            Problem::Undecodable(error) => write!(f, "seq {seq}: {error}"),
            Problem::BadKey { len } => write!(
                f,
                "seq {seq}: malformed key of {len} bytes in the events tree"
            ),
            Problem::TruncatedTail { head } => {
                write!(
                    f,
                    "seq {seq}: record missing (the log ends at seq {} but its head was seq {head}; tail removed)",
                    seq.saturating_sub(1)
                )
            }
            Problem::HeadMismatch => write!(
                f,
                "seq {seq}: hash differs from the recorded head hash (chain rewritten)"
            ),
        }
    }
}
