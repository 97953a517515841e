//! Named cursors beside the log: how far a follower outside the daemon's state (the NATS mirror)
//! has got, in the same sled database as the events, so a cursor can never point into another
//! log.
//!
//! A cursor is one key in the tree `cursors`: its name → the last seq handled, as a big-endian
//! u64. A sled insert of one key is atomic, so a cursor is always a seq that was really stored.
//! It is not flushed here: the log's own flushes (and sled's background flusher) carry it to disk.
//! A follower must therefore be idempotent for a short tail after a crash (the mirror is: its
//! messages carry the event id as `Nats-Msg-Id`, and JetStream drops duplicates).

use super::{LogError, LogReader};

/// The sled tree holding every cursor.
pub const CURSORS_TREE: &str = "cursors";

impl LogReader {
    /// The cursor `name`: the last seq its follower handled. `None` if it was never set.
    pub fn cursor(&self, name: &str) -> Result<Option<u64>, LogError> {
        let tree = self.tree(CURSORS_TREE)?;
        let value = tree.get(name.as_bytes()).map_err(LogError::store)?;
        match value {
            None => Ok(None),
            Some(bytes) => match <[u8; 8]>::try_from(bytes.as_ref()) {
                Ok(raw) => Ok(Some(u64::from_be_bytes(raw))),
                Err(_) => Err(LogError::Store {
                    detail: format!(
                        "cursor {name:?} in tree {CURSORS_TREE:?} is {} bytes long, not 8",
                        bytes.len()
                    ),
                }),
            },
        }
    }

    /// Sets the cursor `name` to `seq` (atomically; not flushed).
    pub fn set_cursor(&self, name: &str, seq: u64) -> Result<(), LogError> {
        let tree = self.tree(CURSORS_TREE)?;
        tree.insert(name.as_bytes(), &seq.to_be_bytes())
            .map(|_| ())
            .map_err(LogError::store)
    }
}

impl LogReader {
    /// The stored bytes of the record at `seq`, unchecked (what the mirror publishes with
    /// `encoding = "bincode"`; a consumer checks them with `codec::decode`).
    pub fn record(&self, seq: u64) -> Result<Option<Vec<u8>>, LogError> {
        Ok(self
            .events
            .get(seq.to_be_bytes())
            .map_err(LogError::store)?
            .map(|v| v.to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{EventLog, LogConfig};

    #[test]
    fn a_cursor_survives_reopening_the_log() {
        let dir = tempfile::tempdir().unwrap();
        {
            let log = EventLog::open(LogConfig::new(dir.path())).unwrap();
            assert_eq!(log.reader().cursor("mirror").unwrap(), None, "TC0: unset");
            log.reader().set_cursor("mirror", 41).unwrap();
            log.reader().set_cursor("mirror", 42).unwrap();
            assert_eq!(
                log.reader().cursor("mirror").unwrap(),
                Some(42),
                "TC1: last write wins"
            );
            log.close();
        }
        let reader = LogReader::open(dir.path()).unwrap();
        assert_eq!(
            reader.cursor("mirror").unwrap(),
            Some(42),
            "TC2: after reopen"
        );
        assert_eq!(
            reader.cursor("other").unwrap(),
            None,
            "TC3: cursors are by name"
        );
    }
}
