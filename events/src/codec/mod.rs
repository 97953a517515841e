//! The record codec: how an [`Envelope`] is laid out in the log, versioned and hash-chained.
//!
//! A record is
//!
//! ```text
//! [version: u16 LE][body: bincode(Header) ++ bincode(Event)][prev_hash: 32][hash: 32]
//! hash = SHA-256(everything before it, prev_hash included)
//! ```
//!
//! bincode is used with one fixed configuration ([`config`]: `standard`, varint, 1 MiB limit)
//! and nowhere else. The payload is encoded apart from the header so the log's writer thread can
//! take bytes encoded by the appender's thread and only add the header and the hashes.
//!
//! **Versions.** [`SCHEMA_VERSION`] is what new records are written with. Every older version
//! stays readable: its layout is frozen in a submodule (`v1`) and upcast to today's types on read.
//! A record from a newer version than this build knows is an error, never a guess.
//!
//! **Reading fast.** Today's records of the order flow (signals, intents, submits, acceptances,
//! fills: nearly all of a log) are read by a direct reader of the same bytes (`fast`); anything
//! else, and anything it does not accept, goes through serde, whose answer is the reference. A
//! field changed in one of those events therefore needs `fast` changed too: the round-trip and
//! fuzz tests (`codec/tests.rs`) fail until it is.
//!
//! | version | change |
//! |---|---|
//! | 1 | first schema |
//! | 2 | `OrderIntended` gained `time_in_force` (v1 intents read as GTC) |

mod fast;
mod v1;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::envelope::{ChainHash, Envelope};
use crate::event::Event;
use crate::ids::EventId;
use crate::time::Timestamp;

/// The schema version new records are written with.
pub const SCHEMA_VERSION: u16 = 2;

/// The oldest schema version this build still reads.
pub const OLDEST_READABLE_VERSION: u16 = 1;

/// The largest record accepted (a corrupt length prefix must not become a giant allocation).
pub const MAX_RECORD_BYTES: usize = 1 << 20;

const HASH_LEN: usize = 32;
const TRAILER_LEN: usize = 2 * HASH_LEN;

/// The one bincode configuration used for everything premia persists.
pub fn config() -> bincode::config::Configuration<
    bincode::config::LittleEndian,
    bincode::config::Varint,
    bincode::config::Limit<MAX_RECORD_BYTES>,
> {
    bincode::config::standard().with_limit::<MAX_RECORD_BYTES>()
}

/// Why a record could not be encoded or decoded. Decoding errors mean the stored bytes are not
/// what premia wrote: they are never retried, and the reader stops at the record.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CodecError {
    /// Fewer bytes than the fixed parts of a record (it was truncated).
    #[error("record is {len} bytes, shorter than any valid record (truncated)")]
    Truncated {
        /// The record's length.
        len: usize,
    },
    /// Larger than [`MAX_RECORD_BYTES`].
    #[error("record is {len} bytes, more than the {MAX_RECORD_BYTES}-byte limit")]
    TooLarge {
        /// The record's length.
        len: usize,
    },
    /// Written by a newer premia (or the version bytes are corrupt).
    #[error(
        "schema version {version} is not readable by this build (it reads {OLDEST_READABLE_VERSION} to {SCHEMA_VERSION})"
    )]
    UnknownVersion {
        /// The version found.
        version: u16,
    },
    /// The stored hash does not match the record's bytes: the record was altered.
    #[error("hash mismatch: stored {stored}, computed {computed} (record altered)")]
    HashMismatch {
        /// The hash stored in the record.
        stored: ChainHash,
        /// The hash of the bytes as they are.
        computed: ChainHash,
    },
    /// The body is not a valid encoding of its version's types.
    #[error("undecodable body: {reason}")]
    Body {
        /// bincode's message.
        reason: String,
    },
    /// The body decoded but bytes were left over.
    #[error("{extra} unexpected bytes after the body")]
    TrailingBytes {
        /// How many.
        extra: usize,
    },
    /// A value could not be encoded (it would exceed the record limit).
    #[error("cannot encode event: {reason}")]
    Encode {
        /// bincode's message.
        reason: String,
    },
}

/// The envelope fields that precede the payload in a record body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// The record's seq.
    pub seq: u64,
    /// The log's id (the first half of every [`EventId`]).
    pub log: u64,
    /// When the log wrote it.
    pub at: Timestamp,
    /// The causing event.
    pub causation: Option<EventId>,
}

/// Encodes a payload on the appender's side, before it reaches the log's writer thread.
pub fn encode_payload(event: &Event) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::with_capacity(192);
    encode_into(event, &mut out)?;
    Ok(out)
}

fn encode_into<T: Serialize>(value: &T, out: &mut Vec<u8>) -> Result<(), CodecError> {
    bincode::serde::encode_into_std_write(value, out, config())
        .map(|_| ())
        .map_err(|e| CodecError::Encode {
            reason: e.to_string(),
        })
}

fn digest(bytes: &[u8]) -> ChainHash {
    ChainHash(Sha256::digest(bytes).into())
}

/// Builds a complete record at [`SCHEMA_VERSION`] from a header and an already encoded payload
/// (from [`encode_payload`]), chained to `prev`. Returns the record and its hash.
pub fn seal(
    prev: &ChainHash,
    header: &Header,
    payload: &[u8],
) -> Result<(Vec<u8>, ChainHash), CodecError> {
    seal_version(SCHEMA_VERSION, prev, header, payload)
}

fn seal_version(
    version: u16,
    prev: &ChainHash,
    header: &Header,
    payload: &[u8],
) -> Result<(Vec<u8>, ChainHash), CodecError> {
    let mut out = Vec::with_capacity(2 + 40 + payload.len() + TRAILER_LEN);
    out.extend_from_slice(&version.to_le_bytes());
    encode_into(header, &mut out)?;
    out.extend_from_slice(payload);
    out.extend_from_slice(&prev.0);
    if out.len() + HASH_LEN > MAX_RECORD_BYTES {
        return Err(CodecError::Encode {
            reason: format!("record of {} bytes exceeds the limit", out.len() + HASH_LEN),
        });
    }
    let hash = digest(&out);
    out.extend_from_slice(&hash.0);
    Ok((out, hash))
}

/// Reads a record: checks its length, version and hash, decodes (and upcasts) its body.
///
/// It does not know the record's neighbours: seq continuity and `prev_hash` linkage are the
/// reader's checks (see the log's `verify`).
pub fn decode(bytes: &[u8]) -> Result<Envelope, CodecError> {
    check_hash(bytes)?;
    decode_checked(bytes)
}

/// Checks a record's length, version and hash without decoding its body: the first half of
/// [`decode`], so a reader can spread the work over two threads.
pub fn check_hash(bytes: &[u8]) -> Result<(), CodecError> {
    let (sealed, stored, _) = split(bytes)?;
    let stored = ChainHash(to_hash(stored));
    let computed = digest(sealed);
    if stored != computed {
        return Err(CodecError::HashMismatch { stored, computed });
    }
    Ok(())
}

/// Splits a record into (bytes covered by the hash, stored hash, version), checking length and
/// version.
fn split(bytes: &[u8]) -> Result<(&[u8], &[u8], u16), CodecError> {
    let len = bytes.len();
    if len > MAX_RECORD_BYTES {
        return Err(CodecError::TooLarge { len });
    }
    if len < 2 + TRAILER_LEN + 1 {
        return Err(CodecError::Truncated { len });
    }
    let (sealed, stored) = bytes.split_at(len - HASH_LEN);
    let version = u16::from_le_bytes([
        sealed.first().copied().unwrap_or_default(),
        sealed.get(1).copied().unwrap_or_default(),
    ]);
    if !(OLDEST_READABLE_VERSION..=SCHEMA_VERSION).contains(&version) {
        return Err(CodecError::UnknownVersion { version });
    }
    Ok((sealed, stored, version))
}

/// The second half of [`decode`]: decodes a record whose hash [`check_hash`] accepted.
/// Called on a record that was not checked, it still never panics, but an altered record may
/// then decode into wrong values.
pub fn decode_checked(bytes: &[u8]) -> Result<Envelope, CodecError> {
    let (sealed, stored, version) = split(bytes)?;
    let (front, prev) = sealed.split_at(sealed.len() - HASH_LEN);
    let body = front.get(2..).unwrap_or_default();
    let stored = ChainHash(to_hash(stored));
    let (header, event, used) = match version {
        1 => {
            let ((header, event), used) = decode_body::<(Header, v1::EventV1)>(body)?;
            (header, Event::from(event), used)
        }
        _ => {
            let ((header, event), used) = match fast::decode_body(body) {
                Some(decoded) => decoded,
                None => decode_body::<(Header, Event)>(body)?,
            };
            (header, event, used)
        }
    };
    if used != body.len() {
        return Err(CodecError::TrailingBytes {
            extra: body.len() - used,
        });
    }
    Ok(Envelope {
        seq: header.seq,
        id: EventId {
            log: header.log,
            seq: header.seq,
        },
        at: header.at,
        version,
        causation: header.causation,
        event,
        prev_hash: ChainHash(to_hash(prev)),
        hash: stored,
    })
}

/// Decodes with bincode's borrowing decoder: strings are handed to the types as slices of the
/// record, so those that keep no `String` (asset codes) allocate nothing. Same bytes, same checks.
fn decode_body<'de, T: Deserialize<'de>>(body: &'de [u8]) -> Result<(T, usize), CodecError> {
    bincode::serde::borrow_decode_from_slice::<T, _>(body, config()).map_err(|e| CodecError::Body {
        reason: e.to_string(),
    })
}

fn to_hash(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (dst, src) in out.iter_mut().zip(bytes) {
        *dst = *src;
    }
    out
}

/// Reads only the seq, hash and prev_hash of a record without decoding its payload: what the
/// log needs on open to continue the chain. Checks the version and the hash like [`decode`].
pub fn decode_head(bytes: &[u8]) -> Result<(Header, ChainHash, ChainHash), CodecError> {
    let envelope = decode(bytes)?;
    let header = Header {
        seq: envelope.seq,
        log: envelope.id.log,
        at: envelope.at,
        causation: envelope.causation,
    };
    Ok((header, envelope.prev_hash, envelope.hash))
}

pub mod fuzzing;

#[cfg(test)]
mod tests;
