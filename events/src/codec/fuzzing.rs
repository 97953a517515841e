//! The body of the envelope decoder's fuzz target (`events/fuzz/fuzz_targets/envelope.rs`), kept
//! in the library so the ordinary test suite runs the same checks on stable Rust (see the tests in
//! `codec/tests.rs`), and cargo-fuzz only adds the coverage-guided search.
//!
//! The input is read as a stored record. The checks, each a panic the fuzzer reports:
//!
//! - [`decode`] and [`decode_checked`] return; they never panic;
//! - [`decode`] accepts only what [`decode_checked`] accepts, with the same result;
//! - whatever decodes can be written back: sealing its header and event again gives a record that
//!   decodes to the same envelope (the version becomes today's, the hashes are new);
//! - whatever decodes has a JSON form ([`EnvelopeJson`]) that serialises;
//! - the fast reader of today's bodies (`codec::fast`) accepts nothing serde rejects, and reads
//!   what it accepts to the same values and length.
//!
//! The stored hash makes almost every random input fail at the hash check, so the body also
//! decodes the input with a correct hash appended ([`decode_checked`] already skips the check):
//! both halves of the decoder get exercised.

use sha2::{Digest, Sha256};

use super::{Header, decode, decode_checked, encode_payload, fast, seal, split};
use crate::envelope::Envelope;
use crate::json::EnvelopeJson;

/// Runs one fuzz input through the record decoder. Panics on a broken invariant.
pub fn run(input: &[u8]) {
    fast_agrees_with_serde(input);
    let mut sealed = input.to_vec();
    sealed.extend_from_slice(&Sha256::digest(input));
    fast_agrees_with_serde(&sealed);
    let checked = decode_checked(input);
    if let Ok(envelope) = decode(input) {
        assert_eq!(
            Ok(&envelope),
            checked.as_ref(),
            "decode and decode_checked disagree"
        );
    }
    if let Ok(envelope) = checked {
        round_trip(&envelope);
    }
    if let Ok(envelope) = decode(&sealed) {
        round_trip(&envelope);
    }
}

fn round_trip(envelope: &Envelope) {
    let header = Header {
        seq: envelope.seq,
        log: envelope.id.log,
        at: envelope.at,
        causation: envelope.causation,
    };
    let payload = match encode_payload(&envelope.event) {
        Ok(payload) => payload,
        Err(error) => panic!("a decoded event does not encode: {error}"),
    };
    // A record at the size limit may not grow; anything smaller must seal and read back.
    if let Ok((record, hash)) = seal(&envelope.prev_hash, &header, &payload) {
        match decode(&record) {
            Ok(back) => {
                assert_eq!(
                    back.event, envelope.event,
                    "the event changed on a round trip"
                );
                assert_eq!(back.seq, envelope.seq);
                assert_eq!(back.causation, envelope.causation);
                assert_eq!(back.hash, hash);
            }
            Err(error) => panic!("a re-sealed record does not decode: {error}"),
        }
    }
    if let Err(error) = serde_json::to_string(&EnvelopeJson(envelope)) {
        panic!("a decoded envelope has no JSON form: {error}");
    }
}

/// The fast reader against serde on the body of `record`, read as today's version whatever its
/// version bytes say: when the fast reader accepts, serde must accept with the same values and
/// length.
fn fast_agrees_with_serde(record: &[u8]) {
    let Ok((sealed, _, _)) = split(record) else {
        return;
    };
    let front = sealed
        .get(..sealed.len().saturating_sub(32))
        .unwrap_or_default();
    let body = front.get(2..).unwrap_or_default();
    if let Some(fast) = fast::decode_body(body) {
        let serde = super::decode_body::<(Header, crate::event::Event)>(body);
        assert_eq!(
            Ok(&fast),
            serde.as_ref(),
            "the fast reader accepted a body serde reads differently"
        );
    }
}
