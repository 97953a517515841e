//! Rebuild = newest valid snapshot + replay of the tail.

use premia_events::log::{LogError, LogReader};

use crate::state::State;
use crate::store::{SnapshotError, SnapshotStore};

/// A rebuilt state and how it was obtained.
#[derive(Debug, Clone)]
pub struct Rebuilt {
    /// The state.
    pub state: State,
    /// The snapshot it started from, if any.
    pub snapshot: Option<u64>,
    /// Events replayed on top of it.
    pub replayed: u64,
    /// Snapshots that were skipped, and why.
    pub warnings: Vec<String>,
}

/// The log is damaged: the state could only be rebuilt up to the record before the damage.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{error} (state is valid up to seq {valid_up_to})")]
pub struct RebuildError {
    /// What stopped the replay.
    pub error: LogError,
    /// The last seq applied.
    pub valid_up_to: u64,
}

/// Rebuilds the state at `upto` (or the log's end): starts from the newest snapshot at or before
/// it whose anchor matches the log, then replays the rest. Skipped snapshots are logged as
/// warnings and listed in [`Rebuilt::warnings`]. Stops at the first damaged record.
pub fn rebuild(
    log: &LogReader,
    store: Option<&SnapshotStore>,
    upto: Option<u64>,
) -> Result<Rebuilt, RebuildError> {
    let mut warnings = Vec::new();
    let mut start = None;
    if let Some(store) = store {
        let seqs = store.seqs().unwrap_or_else(|e| {
            warnings.push(format!("snapshots unreadable: {e}"));
            Vec::new()
        });
        for seq in seqs
            .into_iter()
            .filter(|seq| upto.is_none_or(|upto| *seq <= upto))
        {
            match store.load_checked(seq, log) {
                Ok(snapshot) => {
                    start = Some(snapshot);
                    break;
                }
                Err(error) => {
                    let note = match &error {
                        SnapshotError::Log(LogError::Damaged(_)) => format!(
                            "snapshot at seq {seq} ignored: the log is damaged there: {error}"
                        ),
                        _ => format!("snapshot ignored: {error}"),
                    };
                    tracing::warn!(seq, %error, "Snapshot ignored; replaying from further back");
                    warnings.push(note);
                }
            }
        }
    }
    let snapshot = start.as_ref().map(|s| s.seq);
    let mut state = start.map(|s| s.state).unwrap_or_default();
    let replay = log.replay_from(state.last_seq + 1);
    let replayed = fold(&mut state, replay, upto)?;
    if upto.is_none_or(|upto| upto > state.last_seq) {
        // The replay reached the end of the log: it must end where the writer last said it did.
        log.check_head(state.last_seq, state.last_hash)
            .map_err(|error| RebuildError {
                error,
                valid_up_to: state.last_seq,
            })?;
    }
    Ok(Rebuilt {
        state,
        snapshot,
        replayed,
        warnings,
    })
}

/// Folds a checked replay into `state`, up to `upto` (or its end); returns how many events were
/// applied. Stops at the first damaged record with the seq the state is valid up to.
pub fn fold(
    state: &mut State,
    replay: impl Iterator<Item = Result<premia_events::Envelope, LogError>>,
    upto: Option<u64>,
) -> Result<u64, RebuildError> {
    let mut replayed = 0;
    for envelope in replay {
        let envelope = envelope.map_err(|error| RebuildError {
            error,
            valid_up_to: state.last_seq,
        })?;
        if upto.is_some_and(|upto| envelope.seq > upto) {
            break;
        }
        state.apply(envelope);
        replayed += 1;
    }
    Ok(replayed)
}
