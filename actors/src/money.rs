//! Decimals in config: written as strings (`"0.001"`) or numbers, kept exact.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

/// A decimal read from config. TOML numbers are read from their text, never through a float, so
/// `0.1` stays exactly `0.1`; strings are accepted too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct DecimalText(pub Decimal);

impl fmt::Display for DecimalText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<'de> Deserialize<'de> for DecimalText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<DecimalText, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = DecimalText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal number, as a string (\"0.001\") or an integer")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DecimalText, E> {
                Decimal::from_str(v)
                    .or_else(|_| Decimal::from_scientific(v))
                    .map(DecimalText)
                    .map_err(|_| E::custom(format!("invalid decimal {v:?}")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<DecimalText, E> {
                Ok(DecimalText(Decimal::from(v)))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<DecimalText, E> {
                Ok(DecimalText(Decimal::from(v)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<DecimalText, E> {
                // TOML floats arrive as f64; their shortest text form is what the user wrote.
                self.visit_str(&v.to_string())
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Row {
        a: DecimalText,
        b: DecimalText,
        c: DecimalText,
    }

    #[test]
    fn strings_integers_and_floats_are_exact() {
        let row: Row = toml::from_str("a = \"0.001\"\nb = 5000\nc = 0.1\n").unwrap();
        assert_eq!(row.a.0.to_string(), "0.001");
        assert_eq!(row.b.0, Decimal::from(5000));
        assert_eq!(row.c.0.to_string(), "0.1");
    }
}
