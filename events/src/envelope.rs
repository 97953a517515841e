//! The envelope around every event: position, identity, time, causation and the hash chain.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::event::{Event, EventKind};
use crate::ids::EventId;
use crate::time::Timestamp;

/// A SHA-256 digest linking a record to everything before it.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChainHash(pub [u8; 32]);

impl ChainHash {
    /// The `prev_hash` of the first record of every log.
    pub const GENESIS: ChainHash = ChainHash([0; 32]);

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex digits.
    pub fn from_hex(text: &str) -> Option<ChainHash> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(text, &mut out).ok()?;
        Some(ChainHash(out))
    }
}

impl fmt::Display for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChainHash({})", self.to_hex())
    }
}

/// One record of the event log, decoded.
#[derive(Clone, Debug, PartialEq)]
pub struct Envelope {
    /// Position in the log: starts at 1, gapless, monotonic.
    pub seq: u64,
    /// Globally unique id (the log's id plus `seq`); the NATS `Nats-Msg-Id`.
    pub id: EventId,
    /// When the log wrote it.
    pub at: Timestamp,
    /// The schema version the record was written with.
    pub version: u16,
    /// The event that caused this one (a fill's order intent, an intent's signal).
    pub causation: Option<EventId>,
    /// The payload.
    pub event: Event,
    /// The previous record's hash ([`ChainHash::GENESIS`] for seq 1).
    pub prev_hash: ChainHash,
    /// SHA-256 over this record's bytes, `prev_hash` included.
    pub hash: ChainHash,
}

impl Envelope {
    /// The payload's kind.
    pub fn kind(&self) -> EventKind {
        self.event.kind()
    }
}
