//! Identifiers: events, signals, intents and client order ids.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::market::ParseError;

/// The globally unique id of an event: the id of the log it was written to plus its seq.
///
/// It is deterministic (a re-publication of the same record carries the same id), which is what
/// makes it usable as the NATS `Nats-Msg-Id`. Printed as 32 lowercase hex digits:
/// the log id (16) then the seq (16).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EventId {
    /// The random id given to the log when it was created.
    pub log: u64,
    /// The event's position in that log.
    pub seq: u64,
}

impl EventId {
    /// Parses the 32-hex-digit form.
    pub fn parse(text: &str) -> Result<EventId, ParseError> {
        let bad = || ParseError::new("event id", text, "32 hex digits");
        if text.len() != 32 || !text.is_ascii() {
            return Err(bad());
        }
        let (log, seq) = text.split_at(16);
        Ok(EventId {
            log: u64::from_str_radix(log, 16).map_err(|_| bad())?,
            seq: u64::from_str_radix(seq, 16).map_err(|_| bad())?,
        })
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}{:016x}", self.log, self.seq)
    }
}

/// Whether `byte` may appear in a string id: `[A-Za-z0-9_.:/-]`. One range test per byte (ids are
/// checked on every decode of a record, so this is on the replay's hot path).
fn is_id_byte(byte: u8) -> bool {
    matches!(byte, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b':' | b'/' | b'-')
}

/// Declares a validated string id: 1..=$max characters of `[A-Za-z0-9_.:/-]`.
macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident, $what:literal, $max:literal) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The longest id accepted.
            pub const MAX_LEN: usize = $max;

            /// Validates an id.
            pub fn new(text: impl Into<String>) -> Result<$name, ParseError> {
                let text = text.into();
                let ok = (1..=$max).contains(&text.len()) && text.bytes().all(is_id_byte);
                if ok {
                    Ok($name(text))
                } else {
                    Err(ParseError::new($what, &text, concat!("1-", $max, " characters of A-Z a-z 0-9 _ . : / -")))
                }
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = ParseError;
            fn from_str(text: &str) -> Result<$name, ParseError> {
                $name::new(text)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                let text = String::deserialize(deserializer)?;
                $name::new(text).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_id!(
    /// A signal's id, deterministic from (strategy, rule, market, time bucket), so that
    /// re-evaluating the same condition after a restart yields the same id.
    SignalId, "signal id", 128
);
string_id!(
    /// An order intent's id: one per decision to trade, derived from its signal.
    IntentId, "intent id", 128
);
string_id!(
    /// The id premia gives an order at the venue (its idempotency key). 36 characters at most,
    /// the tightest venue limit (Bybit `orderLinkId`).
    ClientOrderId, "client order id", 36
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_id_prints_and_parses_as_hex() {
        let id = EventId {
            log: 0xdead_beef,
            seq: 42,
        };
        let text = id.to_string();
        assert_eq!(text, "00000000deadbeef000000000000002a");
        assert_eq!(EventId::parse(&text), Ok(id));
        assert!(EventId::parse("xyz").is_err());
    }

    #[test]
    fn client_order_ids_are_validated() {
        let cases = [
            ("pm-1-abc", true),
            ("", false),
            ("has space", false),
            ("0123456789012345678901234567890123456", false), // 37 characters
            ("012345678901234567890123456789012345", true),   // 36 characters
        ];
        for (index, (text, ok)) in cases.into_iter().enumerate() {
            assert_eq!(ClientOrderId::new(text).is_ok(), ok, "TC{index}: {text:?}");
        }
    }

    #[test]
    fn invalid_ids_are_rejected_when_deserialized() {
        let result: Result<SignalId, _> = serde_json::from_str(r#""bad id""#);
        assert!(result.is_err());
    }
}
