//! Where and what premia trades: exchanges, venues, assets, markets, sides and order kinds.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

/// Something in the vocabulary that could not be parsed; names the text and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid {what} {text:?}: {expected}")]
pub struct ParseError {
    /// What was being parsed (e.g. "market").
    pub what: &'static str,
    /// The text that did not parse.
    pub text: String,
    /// What a valid value looks like.
    pub expected: &'static str,
}

impl ParseError {
    pub(crate) fn new(what: &'static str, text: &str, expected: &'static str) -> ParseError {
        ParseError {
            what,
            text: text.chars().take(64).collect(),
            expected,
        }
    }
}

/// Declares a fieldless enum that reads and writes as a fixed lowercase name.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The lowercase name used in config, CLI, logs and NATS subjects.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ParseError;

            fn from_str(text: &str) -> Result<Self, ParseError> {
                match text.to_ascii_lowercase().as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(ParseError::new($what, text, concat!("one of: ", $($text, " "),+))),
                }
            }
        }
    };
}

named_enum!(
    /// The nine exchanges premia knows.
    Exchange, "exchange" {
        /// Upbit (Korea).
        Upbit = "upbit",
        /// Bithumb (Korea).
        Bithumb = "bithumb",
        /// Korbit (Korea).
        Korbit = "korbit",
        /// Coinone (Korea).
        Coinone = "coinone",
        /// OKX.
        Okx = "okx",
        /// Bybit.
        Bybit = "bybit",
        /// Gate.io.
        Gateio = "gateio",
        /// Binance (spot).
        Binance = "binance",
        /// Kraken.
        Kraken = "kraken",
    }
);

named_enum!(
    /// Where orders go: one of the exchanges, or the simulated paper venue.
    Venue, "venue" {
        /// The paper venue: fills against the current book, no money moves.
        Paper = "paper",
        /// Upbit.
        Upbit = "upbit",
        /// Bithumb.
        Bithumb = "bithumb",
        /// Korbit.
        Korbit = "korbit",
        /// Coinone.
        Coinone = "coinone",
        /// OKX.
        Okx = "okx",
        /// Bybit.
        Bybit = "bybit",
        /// Gate.io.
        Gateio = "gateio",
        /// Binance.
        Binance = "binance",
        /// Kraken.
        Kraken = "kraken",
    }
);

impl Venue {
    /// The exchange behind a live venue; `None` for paper.
    pub fn exchange(self) -> Option<Exchange> {
        match self {
            Venue::Paper => None,
            Venue::Upbit => Some(Exchange::Upbit),
            Venue::Bithumb => Some(Exchange::Bithumb),
            Venue::Korbit => Some(Exchange::Korbit),
            Venue::Coinone => Some(Exchange::Coinone),
            Venue::Okx => Some(Exchange::Okx),
            Venue::Bybit => Some(Exchange::Bybit),
            Venue::Gateio => Some(Exchange::Gateio),
            Venue::Binance => Some(Exchange::Binance),
            Venue::Kraken => Some(Exchange::Kraken),
        }
    }

    /// Whether orders sent here move real money.
    pub fn is_live(self) -> bool {
        self != Venue::Paper
    }
}

named_enum!(
    /// Buy or sell.
    Side, "side" {
        /// Buy the base asset.
        Buy = "buy",
        /// Sell the base asset.
        Sell = "sell",
    }
);

named_enum!(
    /// How an order is priced.
    OrderKind, "order kind" {
        /// At a limit price or better.
        Limit = "limit",
        /// At whatever the book offers.
        Market = "market",
    }
);

named_enum!(
    /// How long an order stays on the book.
    TimeInForce, "time in force" {
        /// Good till cancelled.
        Gtc = "gtc",
        /// Immediate or cancel: what is not filled at once is cancelled.
        Ioc = "ioc",
        /// Fill or kill: all at once or nothing.
        Fok = "fok",
    }
);

/// The longest asset code, in bytes.
const ASSET_MAX: usize = 16;

/// An asset code such as `BTC` or `KRW`: 1 to 16 characters, uppercase ASCII letters and digits.
///
/// Held inline (the bytes and a length, no heap allocation), so that cloning a [`Market`] into
/// every decoded ticker and book is a copy of 34 bytes rather than two allocations. It reads and
/// writes exactly as the string it is (a JSON string, a bincode string), and compares, orders and
/// hashes as that string.
#[derive(Clone, PartialEq, Eq)]
pub struct Asset {
    /// The code's bytes, zero past `len`.
    bytes: [u8; ASSET_MAX],
    /// How many bytes of `bytes` are the code (1 to 16).
    len: u8,
}

impl Asset {
    /// Validates and normalises (uppercases) an asset code.
    pub fn new(code: &str) -> Result<Asset, ParseError> {
        let ok = (1..=ASSET_MAX).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_alphanumeric());
        if !ok {
            return Err(ParseError::new(
                "asset",
                code,
                "1-16 ASCII letters or digits, e.g. BTC",
            ));
        }
        let mut bytes = [0; ASSET_MAX];
        for (slot, byte) in bytes.iter_mut().zip(code.bytes()) {
            *slot = byte.to_ascii_uppercase();
        }
        Ok(Asset {
            bytes,
            len: code.len() as u8,
        })
    }

    /// The code, e.g. `BTC`.
    pub fn as_str(&self) -> &str {
        // Always ASCII (checked in `new`), so neither fallback is ever taken.
        let bytes = self.bytes.get(..usize::from(self.len)).unwrap_or_default();
        std::str::from_utf8(bytes).unwrap_or_default()
    }
}

impl Asset {
    /// Validates and uppercases an owned code (the same as [`Asset::new`]).
    pub fn from_string(code: String) -> Result<Asset, ParseError> {
        Asset::new(&code)
    }
}

impl fmt::Debug for Asset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Asset").field(&self.as_str()).finish()
    }
}

impl PartialOrd for Asset {
    fn partial_cmp(&self, other: &Asset) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The order of the codes as strings, computed on the zero-padded bytes as one big-endian integer:
/// padding sorts before every letter and digit, so a code sorts before its extensions, as text
/// does. (Assets key the balance and position maps the fold updates on every fill.)
impl Ord for Asset {
    fn cmp(&self, other: &Asset) -> std::cmp::Ordering {
        u128::from_be_bytes(self.bytes).cmp(&u128::from_be_bytes(other.bytes))
    }
}

impl std::hash::Hash for Asset {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl Serialize for Asset {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Asset {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Asset, D::Error> {
        /// Takes the code however the format hands it over; a borrowing format (the log's
        /// decoder) then allocates nothing.
        struct CodeVisitor;

        impl serde::de::Visitor<'_> for CodeVisitor {
            type Value = Asset;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an asset code")
            }

            fn visit_str<E: serde::de::Error>(self, code: &str) -> Result<Asset, E> {
                Asset::new(code).map_err(E::custom)
            }
        }

        deserializer.deserialize_str(CodeVisitor)
    }
}

impl FromStr for Asset {
    type Err = ParseError;
    fn from_str(text: &str) -> Result<Asset, ParseError> {
        Asset::new(text)
    }
}

impl fmt::Display for Asset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A market: base asset priced in a quote asset, written `BASE/QUOTE` (e.g. `BTC/KRW`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Market {
    /// What is bought and sold (e.g. BTC).
    pub base: Asset,
    /// What it is priced in (e.g. KRW).
    pub quote: Asset,
}

impl Market {
    /// A market from its two assets.
    pub fn new(base: Asset, quote: Asset) -> Market {
        Market { base, quote }
    }
}

impl FromStr for Market {
    type Err = ParseError;
    fn from_str(text: &str) -> Result<Market, ParseError> {
        let bad = || ParseError::new("market", text, "BASE/QUOTE, e.g. BTC/KRW");
        let (base, quote) = text.split_once('/').ok_or_else(bad)?;
        Ok(Market {
            base: Asset::new(base).map_err(|_| bad())?,
            quote: Asset::new(quote).map_err(|_| bad())?,
        })
    }
}

impl fmt::Display for Market {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.width().is_some() {
            f.pad(&format!("{}/{}", self.base, self.quote))
        } else {
            write!(f, "{}/{}", self.base, self.quote)
        }
    }
}

/// `BTC/KRW` in human-readable formats; the two assets in binary ones.
impl Serialize for Market {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(self)
        } else {
            (&self.base, &self.quote).serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for Market {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Market, D::Error> {
        if deserializer.is_human_readable() {
            let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
            text.parse().map_err(serde::de::Error::custom)
        } else {
            let (base, quote) = <(Asset, Asset)>::deserialize(deserializer)?;
            Ok(Market { base, quote })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markets_parse_and_print() {
        let cases = [
            ("BTC/KRW", Some("BTC/KRW")),
            ("btc/usdt", Some("BTC/USDT")),
            ("BTCKRW", None),
            ("BTC/", None),
            ("/KRW", None),
            ("BTC/KR W", None),
            ("A/B/C", None),
        ];
        for (index, (text, expected)) in cases.into_iter().enumerate() {
            let got = text.parse::<Market>().ok().map(|m| m.to_string());
            assert_eq!(got.as_deref(), expected, "TC{index}: {text}");
        }
    }

    #[test]
    fn names_round_trip_for_every_enum_value() {
        for exchange in Exchange::ALL {
            assert_eq!(exchange.as_str().parse::<Exchange>().ok(), Some(*exchange));
            let venue: Venue = exchange.as_str().parse().unwrap();
            assert_eq!(venue.exchange(), Some(*exchange));
        }
        assert_eq!("paper".parse::<Venue>().ok(), Some(Venue::Paper));
        assert!("ftx".parse::<Exchange>().is_err());
    }

    #[test]
    fn market_is_a_string_in_json_and_two_assets_in_bincode() {
        let market: Market = "ETH/BTC".parse().unwrap();
        assert_eq!(serde_json::to_string(&market).unwrap(), r#""ETH/BTC""#);
        let cfg = bincode::config::standard();
        let bytes = bincode::serde::encode_to_vec(&market, cfg).unwrap();
        assert_eq!(bytes, b"\x03ETH\x03BTC");
        let (back, _): (Market, _) = bincode::serde::decode_from_slice(&bytes, cfg).unwrap();
        assert_eq!(back, market);
    }

    #[test]
    fn inline_assets_behave_as_their_strings() {
        let codes = [
            "BTC",
            "krw",
            "A",
            "1INCH",
            "ABCDEFGHIJKLMNOP",
            "USDT",
            "USD",
        ];
        for (index, code) in codes.into_iter().enumerate() {
            let asset = Asset::new(code).unwrap();
            let upper = code.to_ascii_uppercase();
            assert_eq!(asset.as_str(), upper, "TC{index}: text");
            assert_eq!(
                format!("{asset:?}"),
                format!("Asset({upper:?})"),
                "TC{index}: debug"
            );
            assert_eq!(
                format!("{asset:>8}"),
                format!("{upper:>8}"),
                "TC{index}: padding"
            );
            let json = serde_json::to_string(&asset).unwrap();
            assert_eq!(
                json,
                serde_json::to_string(&upper).unwrap(),
                "TC{index}: json"
            );
            assert_eq!(
                serde_json::from_str::<Asset>(&json).unwrap(),
                asset,
                "TC{index}"
            );
            let cfg = bincode::config::standard();
            let bytes = bincode::serde::encode_to_vec(&asset, cfg).unwrap();
            assert_eq!(
                bytes,
                bincode::serde::encode_to_vec(&upper, cfg).unwrap(),
                "TC{index}"
            );
        }
        assert!(Asset::new("ABCDEFGHIJKLMNOPQ").is_err(), "17 characters");
        assert!(Asset::new("").is_err(), "empty");
        // Ordered and hashed as the strings are.
        let mut assets: Vec<Asset> = codes.iter().map(|c| Asset::new(c).unwrap()).collect();
        let mut strings: Vec<String> = codes.iter().map(|c| c.to_ascii_uppercase()).collect();
        assets.sort();
        strings.sort();
        let sorted: Vec<&str> = assets.iter().map(Asset::as_str).collect();
        assert_eq!(sorted, strings);
        let hash = |value: &dyn Fn(&mut std::collections::hash_map::DefaultHasher)| {
            use std::hash::Hasher as _;
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            value(&mut hasher);
            hasher.finish()
        };
        use std::hash::Hash as _;
        let asset = Asset::new("ETH").unwrap();
        assert_eq!(hash(&|h| asset.hash(h)), hash(&|h| "ETH".hash(h)));
    }
}
