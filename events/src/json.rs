//! The JSON form of an envelope: what `premia events … --json`, `export --format jsonl` and (later)
//! the NATS mirror publish. Flat, jq-friendly, decimals as strings, times as RFC 3339.
//!
//! ```json
//! {"seq":7,"id":"…","time":"2026-11-22T01:40:00.123456789Z","kind":"order_filled","version":2,
//!  "causation":"…","causation_seq":5,"payload":{"client_order_id":"pm-…","price":"95000000", …},
//!  "prev_hash":"…","hash":"…"}
//! ```

use serde::Serialize;

use crate::envelope::Envelope;

/// Serializes an [`Envelope`] in its documented JSON form.
#[derive(Debug)]
pub struct EnvelopeJson<'a>(pub &'a Envelope);

#[derive(Serialize)]
struct View<'a> {
    seq: u64,
    id: String,
    time: String,
    kind: &'static str,
    version: u16,
    causation: Option<String>,
    causation_seq: Option<u64>,
    payload: serde_json::Value,
    prev_hash: String,
    hash: String,
    #[serde(skip)]
    _envelope: std::marker::PhantomData<&'a ()>,
}

/// The payload alone, as a JSON object (the variant's fields, without the variant name).
pub fn payload_json(envelope: &Envelope) -> serde_json::Value {
    match serde_json::to_value(&envelope.event) {
        Ok(serde_json::Value::Object(map)) if map.len() == 1 => {
            map.into_iter().next().map(|(_, v)| v).unwrap_or_default()
        }
        Ok(other) => other,
        Err(e) => serde_json::json!({ "error": e.to_string() }),
    }
}

impl Serialize for EnvelopeJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let e = self.0;
        View {
            seq: e.seq,
            id: e.id.to_string(),
            time: e.at.to_rfc3339(),
            kind: e.kind().as_str(),
            version: e.version,
            causation: e.causation.map(|c| c.to_string()),
            causation_seq: e.causation.map(|c| c.seq),
            payload: payload_json(e),
            prev_hash: e.prev_hash.to_hex(),
            hash: e.hash.to_hex(),
            _envelope: std::marker::PhantomData,
        }
        .serialize(serializer)
    }
}
