//! Money is [`rust_decimal::Decimal`], never a float.
//!
//! Decimals in persisted and published types go through [`dec`] (or [`dec_opt`]): in binary
//! formats (bincode, the event log) a `Decimal` is its exact 16-byte form, validated on the
//! way in; in human-readable formats (JSON) it is a string that keeps its scale
//! (`"64123.45000000"` stays as written). rust_decimal's own `Deserialize` cannot be used under
//! bincode at all (it calls `deserialize_any`; see ../shared/STACK.md §5).

pub use rust_decimal::Decimal;

/// The binary layout of a `Decimal` is `[flags(4, LE), lo(4), mid(4), hi(4)]`; in `flags` only
/// the scale (bits 16..=23) and the sign (bit 31) may be set, and the scale is at most 28.
pub(crate) fn decimal_from_bytes(bytes: [u8; 16]) -> Option<Decimal> {
    let [f0, f1, f2, f3, ..] = bytes;
    let flags = u32::from_le_bytes([f0, f1, f2, f3]);
    let scale = (flags >> 16) & 0xFF;
    if flags & 0x7F00_FFFF != 0 || scale > 28 {
        return None;
    }
    Some(Decimal::deserialize(bytes))
}

/// `#[serde(with = "premia_events::money::dec")]` for a `Decimal` field.
pub mod dec {
    use super::{Decimal, decimal_from_bytes};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    /// Serializes exactly: 16 bytes in binary formats, a string in human-readable ones.
    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(value)
        } else {
            serde::Serialize::serialize(&value.serialize(), serializer)
        }
    }

    /// Deserializes what [`serialize`] wrote; rejects malformed binary decimals.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        if deserializer.is_human_readable() {
            let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
            text.parse::<Decimal>()
                .or_else(|_| Decimal::from_scientific(&text))
                .map_err(|e| D::Error::custom(format!("invalid decimal {text:?}: {e}")))
        } else {
            let bytes = <[u8; 16]>::deserialize(deserializer)?;
            decimal_from_bytes(bytes).ok_or_else(|| D::Error::custom("malformed decimal bytes"))
        }
    }
}

/// `#[serde(with = "premia_events::money::dec_opt")]` for an `Option<Decimal>` field.
pub mod dec_opt {
    use super::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Wrap(#[serde(with = "super::dec")] Decimal);

    /// Serializes `None` as none and `Some` as [`super::dec`] does.
    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.map(Wrap).serialize(serializer)
    }

    /// Deserializes what [`serialize`] wrote.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        Ok(Option::<Wrap>::deserialize(deserializer)?.map(|w| w.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};
    use std::str::FromStr;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Row {
        #[serde(with = "dec")]
        price: Decimal,
        #[serde(with = "dec_opt")]
        fee: Option<Decimal>,
    }

    fn bincode_round_trip(row: &Row) -> Row {
        let cfg = bincode::config::standard();
        let bytes = bincode::serde::encode_to_vec(row, cfg).unwrap_or_default();
        let (back, _) = bincode::serde::decode_from_slice::<Row, _>(&bytes, cfg)
            .unwrap_or_else(|e| panic!("decode failed: {e}"));
        back
    }

    #[test]
    fn decimals_round_trip_exactly_with_scale() {
        let cases = [
            "64123.45000000",
            "-0.00000001",
            "0",
            "79228162514264337593543950335",
            "1.5E-27",
        ];
        for (index, text) in cases.into_iter().enumerate() {
            let value = Decimal::from_str(text).or_else(|_| Decimal::from_scientific(text));
            let value = value.unwrap_or_else(|e| panic!("TC{index}: {e}"));
            let row = Row {
                price: value,
                fee: Some(value),
            };
            let back = bincode_round_trip(&row);
            assert_eq!(back, row, "TC{index}");
            assert_eq!(
                back.price.to_string(),
                value.to_string(),
                "TC{index}: scale kept"
            );
            let json = serde_json::to_string(&row).unwrap_or_default();
            let from_json: Row =
                serde_json::from_str(&json).unwrap_or_else(|e| panic!("TC{index}: {e}"));
            assert_eq!(
                from_json.price.to_string(),
                value.to_string(),
                "TC{index}: json keeps scale"
            );
        }
    }

    #[test]
    fn json_writes_decimals_as_strings() {
        let row = Row {
            price: Decimal::new(6412345, 2),
            fee: None,
        };
        let json = serde_json::to_string(&row).unwrap_or_default();
        assert_eq!(json, r#"{"price":"64123.45","fee":null}"#);
    }

    #[test]
    fn malformed_binary_decimal_is_an_error_not_a_panic() {
        let mut bytes = vec![0x00]; // Option tag for `fee` comes after price; build price bytes
        bytes.clear();
        // flags with scale 29 (invalid), then zeros
        let mut price = [0u8; 16];
        price[2] = 29;
        bytes.extend_from_slice(&price);
        bytes.push(0); // fee: None
        let cfg = bincode::config::standard();
        let result = bincode::serde::decode_from_slice::<Row, _>(&bytes, cfg);
        assert!(result.is_err());
    }
}
