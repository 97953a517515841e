//! JSON plumbing shared by every codec: borrowed raw tokens and decimal strings, typed field
//! access with the field's name in the error, and the wrapper that turns a codec's
//! [`Malformed`] into a [`DecodeError`] without leaving half a frame in the output.
//!
//! Codecs read each frame once, into borrowed structs (`&str`, [`Raw`] and [`RawBytes`] for
//! JSON number tokens, [`DecimalStr`] and [`ScannedStr`] for decimals written as strings) whose
//! fields are all optional; they then check what the frame must contain and convert numbers
//! exactly ([`super::num`]). WebSocket data frames (tickers, books, deltas) are read with the
//! JSON scanner ([`super::scan`]); REST bodies and other cold frames with serde ([`parse`], and
//! a `DeserializeSeed` through [`parse_seed`] where the first fields decide how to read the
//! rest). Either way, fields a codec does not declare are skipped without being built.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use premia_events::marketdata::MarketData;
use premia_events::{Decimal, Exchange, Timestamp};
use serde::de::value::MapAccessDeserializer;
use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::value::RawValue;

use super::num::{self, NumError};
use super::{DecodeError, FrameClass};

/// Why a frame could not be decoded: the `reason` of the resulting [`DecodeError`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed(pub String);

impl Malformed {
    /// A reason.
    pub fn new(reason: impl Into<String>) -> Malformed {
        Malformed(reason.into())
    }

    /// `field` holds a bad number.
    pub fn number(field: &str, error: &NumError) -> Malformed {
        Malformed(format!("{field}: {error}"))
    }

    /// `field` is missing.
    pub fn missing(field: &str) -> Malformed {
        Malformed(format!("missing field {field}"))
    }
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<serde_json::Error> for Malformed {
    fn from(error: serde_json::Error) -> Malformed {
        let kind = match error.classify() {
            serde_json::error::Category::Syntax => "not valid JSON",
            serde_json::error::Category::Eof => "truncated JSON",
            serde_json::error::Category::Data => "unexpected shape",
            serde_json::error::Category::Io => "unreadable",
        };
        Malformed(format!("{kind}: {error}"))
    }
}

/// Runs `decode` on `frame`; on failure removes anything it appended to `out` and turns the
/// reason into a [`DecodeError`] for `exchange`. Every codec's `decode` and `decode_rest` go
/// through here, so a rejected frame never leaves partial market data behind.
pub fn guarded(
    exchange: Exchange,
    frame: &[u8],
    out: &mut Vec<MarketData>,
    decode: impl FnOnce(&mut Vec<MarketData>) -> Result<FrameClass, Malformed>,
) -> Result<FrameClass, DecodeError> {
    let start = out.len();
    decode(out).map_err(|Malformed(reason)| {
        out.truncate(start);
        DecodeError::new(exchange, reason, frame)
    })
}

/// Deserializes `frame` into `T`, borrowing from it.
pub fn parse<'a, T: Deserialize<'a>>(frame: &'a [u8]) -> Result<T, Malformed> {
    serde_json::from_slice(frame).map_err(Malformed::from)
}

/// Deserializes `frame` with `seed` (for frames whose first fields decide how to read the rest),
/// then checks that nothing but whitespace follows.
pub fn parse_seed<'a, S: DeserializeSeed<'a>>(
    seed: S,
    frame: &'a [u8],
) -> Result<S::Value, Malformed> {
    let mut deserializer = serde_json::Deserializer::from_slice(frame);
    let value = seed.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// The first byte of `frame` that is not JSON whitespace: tells an object (`{`) from an array
/// (`[`) before choosing what to deserialize into.
pub fn first_byte(frame: &[u8]) -> Option<u8> {
    frame
        .iter()
        .copied()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// Fails unless `frame` is a JSON object (serde would otherwise read a struct from an array).
pub fn expect_object(frame: &[u8]) -> Result<(), Malformed> {
    match first_byte(frame) {
        Some(b'{') => Ok(()),
        None => Err(Malformed::new("empty frame")),
        Some(_) => Err(Malformed::new("expected a JSON object")),
    }
}

/// One JSON value borrowed from the frame exactly as written (a number keeps its spelling, a
/// string its quotes and escapes). Deserializing it only finds where the value ends.
/// Read by serde through `&RawValue`, or by [`super::scan::Scanner::raw`].
#[derive(Clone, Copy)]
pub struct Raw<'a>(pub &'a str);

impl<'de: 'a, 'a> Deserialize<'de> for Raw<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Raw<'a>, D::Error> {
        <&'a RawValue>::deserialize(deserializer).map(|raw| Raw(raw.get()))
    }
}

impl fmt::Debug for Raw<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl<'a> Raw<'a> {
    /// The token as written in the frame.
    pub fn token(self) -> &'a str {
        self.0
    }

    /// The exact decimal in this token (a number, or a string holding one).
    pub fn decimal(self) -> Result<Decimal, NumError> {
        num::parse_decimal(self.token())
    }

    /// The token as text for a message: a string's content, or any other value as written.
    pub fn text(self) -> Cow<'a, str> {
        let token = self.token();
        if token.starts_with('"') {
            match serde_json::from_str::<Cow<'a, str>>(token) {
                Ok(text) => text,
                Err(_) => Cow::Borrowed(token),
            }
        } else {
            Cow::Borrowed(token)
        }
    }
}

/// The content of a JSON string holding a decimal, e.g. `156.42000000` of `"156.42000000"`
/// (Binance, OKX, Bybit, Gate.io write prices so), borrowed as bytes: a decimal is ASCII, which
/// the decimal parser checks, so serde_json's UTF-8 check is not spent on it. A JSON number in
/// its place is an error (`expected a decimal in a JSON string`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecimalStr<'a>(pub &'a [u8]);

impl<'de: 'a, 'a> Deserialize<'de> for DecimalStr<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<DecimalStr<'a>, D::Error> {
        deserializer.deserialize_bytes(DecimalStrVisitor(PhantomData))
    }
}

struct DecimalStrVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for DecimalStrVisitor<'a> {
    type Value = DecimalStr<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal in a JSON string")
    }

    fn visit_borrowed_bytes<E: de::Error>(self, bytes: &'de [u8]) -> Result<DecimalStr<'a>, E> {
        Ok(DecimalStr(bytes))
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<DecimalStr<'a>, E> {
        Ok(DecimalStr(text.as_bytes()))
    }
}

/// A decimal the scanner's fast path has read, or not (then the codec reads the text).
///
/// Laid out as the decimal then a flag, not as `Option<Decimal>`: the option's tag comes first
/// and leaves the decimal straddling the 16-byte moves that copy a wire struct's fields, so
/// reading it back could not be served from the store buffer (measured: a stall per decimal,
/// several percent of a ticker's decode).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    value: Decimal,
    known: bool,
}

impl Parsed {
    /// Not read yet.
    pub const UNKNOWN: Parsed = Parsed {
        value: Decimal::ZERO,
        known: false,
    };

    /// Read: `value`.
    #[inline]
    pub fn known(value: Decimal) -> Parsed {
        Parsed { value, known: true }
    }

    /// The value, if read.
    #[inline]
    pub fn get(self) -> Option<Decimal> {
        self.known.then_some(self.value)
    }
}

/// Any JSON value's token exactly as written, as bytes ([`super::scan::Scanner::token`]): a
/// number, or a string holding one, with its quotes; with its value when the scanner's fast
/// path has already read it (a plain number), so it is not read twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawBytes<'a> {
    /// The token.
    pub text: &'a [u8],
    /// Its exact value, if already read.
    pub value: Parsed,
}

impl<'de: 'a, 'a> Deserialize<'de> for RawBytes<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RawBytes<'a>, D::Error> {
        <&'a RawValue>::deserialize(deserializer).map(|raw| RawBytes {
            text: raw.get().as_bytes(),
            value: Parsed::UNKNOWN,
        })
    }
}

impl NumberText for RawBytes<'_> {
    fn number_bytes(&self) -> &[u8] {
        self.text
    }

    #[inline]
    fn parsed(&self) -> Option<Decimal> {
        self.value.get()
    }
}

/// A decimal in a JSON string as [`DecimalStr`] reads it (a JSON number in its place is an
/// error), read by the scanner ([`super::scan::Scanner::decimal_string`]): the string's content,
/// with its value when the scanner's fast path has already read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScannedStr<'a> {
    /// The string's content.
    pub text: &'a [u8],
    /// Its exact value, if already read.
    pub value: Parsed,
}

impl<'de: 'a, 'a> Deserialize<'de> for ScannedStr<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ScannedStr<'a>, D::Error> {
        DecimalStr::deserialize(deserializer).map(|DecimalStr(text)| ScannedStr {
            text,
            value: Parsed::UNKNOWN,
        })
    }
}

impl NumberText for ScannedStr<'_> {
    fn number_bytes(&self) -> &[u8] {
        self.text
    }

    #[inline]
    fn parsed(&self) -> Option<Decimal> {
        self.value.get()
    }
}

/// A number as found in a frame: a raw token ([`Raw`], a JSON number or a string with its
/// quotes), or the content of a JSON string ([`DecimalStr`], or a `&str`).
pub trait NumberText {
    /// The bytes, as [`num::parse_decimal_bytes`] takes them.
    fn number_bytes(&self) -> &[u8];

    /// The decimal, when it was already read exactly (what [`num::parse_decimal_bytes`] gives
    /// for the bytes).
    fn parsed(&self) -> Option<Decimal> {
        None
    }
}

impl NumberText for Raw<'_> {
    fn number_bytes(&self) -> &[u8] {
        self.token().as_bytes()
    }
}

impl NumberText for &str {
    fn number_bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl NumberText for DecimalStr<'_> {
    fn number_bytes(&self) -> &[u8] {
        self.0
    }
}

/// The decimal in required field `field`.
#[inline]
pub fn decimal<T: NumberText>(field: &str, value: Option<T>) -> Result<Decimal, Malformed> {
    let value = value.ok_or_else(|| Malformed::missing(field))?;
    if let Some(parsed) = value.parsed() {
        return Ok(parsed);
    }
    num::parse_decimal_bytes(value.number_bytes()).map_err(|e| Malformed::number(field, &e))
}

/// The decimal in optional field `field` (absent or `null`: `None`).
#[inline]
pub fn decimal_opt<T: NumberText>(
    field: &str,
    value: Option<T>,
) -> Result<Option<Decimal>, Malformed> {
    value
        .map(|v| match v.parsed() {
            Some(parsed) => Ok(parsed),
            None => {
                num::parse_decimal_bytes(v.number_bytes()).map_err(|e| Malformed::number(field, &e))
            }
        })
        .transpose()
}

/// The time in optional field `field`, given in milliseconds since the epoch.
pub fn millis_opt<T: NumberText>(
    field: &str,
    value: Option<T>,
) -> Result<Option<Timestamp>, Malformed> {
    value
        .map(|v| {
            num::parse_i64_bytes(v.number_bytes())
                .map(Timestamp::from_millis)
                .map_err(|e| Malformed::number(field, &e))
        })
        .transpose()
}

/// A value that is `T` when it is a JSON object, and [`ObjectOr::Other`] (skipped, not an error)
/// when it is anything else: for payloads whose shape depends on a stream the codec may not
/// know, read in the same pass as the envelope around them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectOr<T> {
    /// The value was an object, read as `T`.
    Object(T),
    /// The value was an array, string, number, boolean or null.
    Other,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOr<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ObjectOr<T>, D::Error> {
        deserializer.deserialize_any(ObjectOrVisitor(PhantomData))
    }
}

struct ObjectOrVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOrVisitor<T> {
    type Value = ObjectOr<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ObjectOr<T>, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(ObjectOr::Object)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ObjectOr<T>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(ObjectOr::Other)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<ObjectOr<T>, E> {
        Ok(ObjectOr::Other)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<ObjectOr<T>, E> {
        Ok(ObjectOr::Other)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<ObjectOr<T>, E> {
        Ok(ObjectOr::Other)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<ObjectOr<T>, E> {
        Ok(ObjectOr::Other)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<ObjectOr<T>, E> {
        Ok(ObjectOr::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<ObjectOr<T>, E> {
        Ok(ObjectOr::Other)
    }

    fn visit_none<E: de::Error>(self) -> Result<ObjectOr<T>, E> {
        Ok(ObjectOr::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Probe<'a> {
        #[serde(borrow)]
        n: Option<Raw<'a>>,
        #[serde(borrow)]
        data: Option<ObjectOr<Inner<'a>>>,
    }

    #[derive(Deserialize, Debug, PartialEq, Eq)]
    struct Inner<'a> {
        s: Option<&'a str>,
    }

    #[test]
    fn raw_tokens_keep_their_spelling() {
        let probe: Probe<'_> = parse(br#"{"n": 1.16539E8 }"#).unwrap();
        assert_eq!(probe.n.unwrap().token(), "1.16539E8");
        let probe: Probe<'_> = parse(br#"{"n":"a\"b"}"#).unwrap();
        assert_eq!(probe.n.unwrap().token(), r#""a\"b""#);
        assert_eq!(probe.n.unwrap().text(), "a\"b");
        let probe: Probe<'_> = parse(br#"{"n":404}"#).unwrap();
        assert_eq!(probe.n.unwrap().text(), "404");
    }

    #[test]
    fn object_or_other() {
        let cases: [(&[u8], Option<ObjectOr<Inner<'_>>>); 5] = [
            (
                br#"{"data":{"s":"x","t":[1]}}"#,
                Some(ObjectOr::Object(Inner { s: Some("x") })),
            ),
            (br#"{"data":[{"s":1}]}"#, Some(ObjectOr::Other)),
            (br#"{"data":"text"}"#, Some(ObjectOr::Other)),
            (br#"{"data":1.5}"#, Some(ObjectOr::Other)),
            (br#"{"data":null}"#, None),
        ];
        for (index, (frame, expected)) in cases.into_iter().enumerate() {
            let probe: Probe<'_> = parse(frame).unwrap();
            assert_eq!(probe.data, expected, "TC{index}");
        }
        // An object of the wrong shape is still an error.
        assert!(parse::<Probe<'_>>(br#"{"data":{"s":1}}"#).is_err());
    }

    #[test]
    fn serde_errors_say_what_kind_of_problem() {
        let cases: [(&[u8], &str); 3] = [
            (b"{\"n\":1", "truncated JSON"),
            (b"{n:1}", "not valid JSON"),
            (br#"{"data":{"s":1}}"#, "unexpected shape"),
        ];
        for (index, (frame, prefix)) in cases.into_iter().enumerate() {
            let Err(Malformed(reason)) = parse::<Probe<'_>>(frame) else {
                panic!("TC{index}: parsed");
            };
            assert!(reason.starts_with(prefix), "TC{index}: {reason}");
        }
    }

    #[test]
    fn fields_are_named_in_errors() {
        let probe: Probe<'_> = parse(br#"{"n":"abc"}"#).unwrap();
        assert_eq!(
            decimal("trade_price", probe.n).unwrap_err().0,
            "trade_price: \"abc\" (not a number)"
        );
        assert_eq!(
            decimal::<&str>("c", None).unwrap_err().0,
            "missing field c".to_string()
        );
        assert_eq!(decimal_opt::<&str>("o", None), Ok(None));
        assert_eq!(decimal("c", Some("2754.28000000")).unwrap().scale(), 8);
        assert_eq!(
            millis_opt("E", Some(Raw("1672515782136"))),
            Ok(Some(Timestamp::from_millis(1_672_515_782_136)))
        );
    }

    #[test]
    fn first_byte_skips_whitespace() {
        assert_eq!(first_byte(b" \r\n\t[1]"), Some(b'['));
        assert_eq!(first_byte(b"  "), None);
        assert!(expect_object(b"[]").is_err());
        assert!(expect_object(b"").is_err());
        assert!(expect_object(b" {}").is_ok());
    }
}
