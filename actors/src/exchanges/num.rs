//! Exact numbers from exchange JSON, for every codec.
//!
//! Exchanges write prices and quantities either as JSON strings (`"0.00241000"`, Binance, OKX)
//! or as JSON numbers (`31883000.00000000`, `1.16539E8`, Upbit). Both are read here from the
//! token exactly as it appears in the frame (see [`super::json::Raw`]), never through `f64`:
//!
//! - plain tokens go through [`Decimal::from_str_exact`] (the exact form of `Decimal::from_str`),
//!   which keeps the scale (`31883000.00000000` stays scale 8); those of at most 19 digits, i.e.
//!   nearly all prices and quantities, take a shorter road to the same result ([`scan_plain`]:
//!   digits straight into the mantissa, a proptest holds it equal to `from_str_exact`);
//! - a fraction longer than a `Decimal` holds (28 digits) is accepted when the excess digits are
//!   trailing zeros, since dropping them does not change the value;
//! - exponent tokens (`1.16539E8`, `7.9276E-4`) fall back to [`Decimal::from_scientific`], after
//!   checking that their mantissa is exact (`from_scientific` would silently round a long one);
//! - anything a `Decimal` cannot hold exactly (more than 28–29 significant digits, a magnitude
//!   beyond ±7.9e28, a value needing more than 28 fractional digits) is an error, never rounded.
//!
//! Text is held to the JSON number grammar, also inside strings: `"1_000"`, `"+1"`, `".5"`,
//! `" 1"` and `"1."` are rejected although `rust_decimal` alone would take them.

use std::fmt;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// The largest number of characters of a bad token kept in a [`NumError`].
const EXCERPT: usize = 40;

/// A token that is not an exact number of the wanted kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumError {
    /// The token (its first 40 characters), as it appeared in the frame.
    pub token: String,
    /// What is wrong with it.
    pub problem: &'static str,
}

impl NumError {
    fn new(token: &str, problem: &'static str) -> NumError {
        NumError {
            token: token.chars().take(EXCERPT).collect(),
            problem,
        }
    }
}

impl fmt::Display for NumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.token, self.problem)
    }
}

impl std::error::Error for NumError {}

/// The number in `token`: a JSON number (`64123.45`, `1.16539E8`) or a JSON string holding one
/// (`"64123.45"`), converted exactly (see the module documentation).
pub fn parse_decimal(token: &str) -> Result<Decimal, NumError> {
    parse_decimal_bytes(token.as_bytes())
}

/// [`parse_decimal`] on bytes, for string contents read without UTF-8 validation (a number is
/// ASCII, so anything else is rejected here anyway).
pub fn parse_decimal_bytes(token: &[u8]) -> Result<Decimal, NumError> {
    if let Some(value) = fast_plain(unquoted(token)) {
        return Ok(value);
    }
    let token = utf8(token)?;
    let text = number_text(token)?;
    match text.split_once(['e', 'E']) {
        None => exact_plain(text).ok_or_else(|| NumError::new(token, "not exact as a decimal")),
        Some((mantissa, _)) => {
            if exact_plain(mantissa).is_none() {
                return Err(NumError::new(token, "mantissa not exact as a decimal"));
            }
            Decimal::from_scientific(text)
                .map_err(|_| NumError::new(token, "exponent out of decimal range"))
        }
    }
}

/// The integer in `token` (a JSON number or a string holding one), e.g. a millisecond
/// timestamp or an update id. An exponent form is accepted when its value is integral
/// (`1.7466E12`); a fraction or a value out of range is an error.
pub fn parse_i64(token: &str) -> Result<i64, NumError> {
    if let Some(value) = fast_integer(unquoted(token.as_bytes())) {
        return Ok(value);
    }
    slow_i64(token)
}

/// [`parse_i64`] past its fast path: any exponent form, or an error.
fn slow_i64(token: &str) -> Result<i64, NumError> {
    let text = number_text(token)?;
    if let Ok(value) = text.parse::<i64>() {
        return Ok(value);
    }
    integral(token)?
        .to_i64()
        .ok_or_else(|| NumError::new(token, "out of integer range"))
}

/// [`parse_i64`] on bytes.
pub fn parse_i64_bytes(token: &[u8]) -> Result<i64, NumError> {
    if let Some(value) = fast_integer(unquoted(token)) {
        return Ok(value);
    }
    slow_i64(utf8(token)?)
}

/// The content of a JSON string token, or the token itself when it is not a whole string.
fn unquoted(token: &[u8]) -> &[u8] {
    token
        .strip_prefix(b"\"")
        .and_then(|rest| rest.strip_suffix(b"\""))
        .unwrap_or(token)
}

/// The common integer (a millisecond time, an update id): all of `text` is
/// `-?(0|[1-9][0-9]*)` with at most 18 digits, which always fits an `i64`. Anything else
/// (`None`) goes the general way, which gives the same value for the same text.
fn fast_integer(text: &[u8]) -> Option<i64> {
    const MAX_DIGITS: usize = 18;
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    if digits.is_empty()
        || digits.len() > MAX_DIGITS
        || (digits.len() > 1 && digits.first() == Some(&b'0'))
    {
        return None;
    }
    let mut value: i64 = 0;
    for &byte in digits {
        let digit = byte.wrapping_sub(b'0');
        if digit >= 10 {
            return None;
        }
        value = value * 10 + i64::from(digit);
    }
    Some(if negative { -value } else { value })
}

/// The text of `token`; a number is ASCII, so bytes that are not UTF-8 are not one.
fn utf8(token: &[u8]) -> Result<&str, NumError> {
    std::str::from_utf8(token)
        .map_err(|_| NumError::new(&String::from_utf8_lossy(token), "not a number"))
}

/// The non-negative integer in `token`, as [`parse_i64`] reads it.
pub fn parse_u64(token: &str) -> Result<u64, NumError> {
    let text = number_text(token)?;
    if let Ok(value) = text.parse::<u64>() {
        return Ok(value);
    }
    integral(token)?
        .to_u64()
        .ok_or_else(|| NumError::new(token, "out of range for an unsigned integer"))
}

/// The value of `token` if it is an integral decimal.
fn integral(token: &str) -> Result<Decimal, NumError> {
    let value = parse_decimal(token)?;
    if value.fract().is_zero() {
        Ok(value)
    } else {
        Err(NumError::new(token, "not an integer"))
    }
}

/// The number text of a token: the token itself, or the content of a JSON string; either way it
/// must follow the JSON number grammar.
fn number_text(token: &str) -> Result<&str, NumError> {
    let text = match token.strip_prefix('"') {
        Some(rest) => rest
            .strip_suffix('"')
            .ok_or_else(|| NumError::new(token, "unterminated string"))?,
        None => token,
    };
    if is_json_number(text) {
        Ok(text)
    } else {
        Err(NumError::new(token, "not a number"))
    }
}

/// The common case, without going through `rust_decimal`'s parser: all of `text` is a plain
/// JSON number (see [`scan_plain`]).
fn fast_plain(text: &[u8]) -> Option<Decimal> {
    match scan_plain(text)? {
        (value, len) if len == text.len() => Some(value),
        _ => None,
    }
}

/// Reads a plain JSON number (`-?(0|[1-9][0-9]*)(\.[0-9]+)?`) of at most 19 digits, which fits
/// a `u64` mantissa, from the start of `text`; returns it and how many bytes it took. Reading
/// stops at the first byte that cannot continue the number; whatever follows is the caller's
/// business. `None` for no number, a longer one, or one the caller must hand to the general
/// path (an exponent follows). Gives exactly what [`Decimal::from_str_exact`] gives, scale
/// included.
#[inline(always)]
pub fn scan_plain(text: &[u8]) -> Option<(Decimal, usize)> {
    const MAX_DIGITS: usize = 19;
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    // The integer part, then the fraction, each in a tight loop of its own: this runs for
    // every price and quantity of every frame. More than 19 digits are refused below, so the
    // wrapping arithmetic never wraps for a value that is returned.
    let mut mantissa: u64 = 0;
    let mut end = 0;
    while let Some(digit) = digits.get(end).map(|byte| byte.wrapping_sub(b'0'))
        && digit < 10
    {
        mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(digit));
        end += 1;
    }
    let integer_digits = end;
    // At least one integer digit, and no leading zero before another digit.
    if integer_digits == 0 || (integer_digits > 1 && digits.first() == Some(&b'0')) {
        return None;
    }
    let mut scale = 0;
    if digits.get(end) == Some(&b'.') {
        end += 1;
        while let Some(digit) = digits.get(end).map(|byte| byte.wrapping_sub(b'0'))
            && digit < 10
        {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(digit));
            end += 1;
            scale += 1;
        }
        // Digits on both sides of a point.
        if scale == 0 {
            return None;
        }
    }
    if integer_digits + scale > MAX_DIGITS || matches!(digits.get(end), Some(b'e' | b'E')) {
        return None;
    }
    let lo = (mantissa & 0xFFFF_FFFF) as u32;
    let mid = (mantissa >> 32) as u32;
    let value = Decimal::from_parts(lo, mid, 0, negative && mantissa != 0, scale as u32);
    Some((value, end + usize::from(negative)))
}

/// A plain (exponent-free) number, exactly; trailing fractional zeros beyond what a `Decimal`
/// holds are dropped, since that does not change the value.
fn exact_plain(text: &str) -> Option<Decimal> {
    if let Ok(value) = Decimal::from_str_exact(text) {
        return Some(value);
    }
    if !text.contains('.') {
        return None;
    }
    let trimmed = text.trim_end_matches('0');
    let trimmed = trimmed.strip_suffix('.').unwrap_or(trimmed);
    if trimmed.len() == text.len() {
        return None;
    }
    Decimal::from_str_exact(trimmed).ok()
}

/// Whether `text` is a JSON number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
pub fn is_json_number(text: &str) -> bool {
    let mut bytes = text.bytes().peekable();
    if bytes.peek() == Some(&b'-') {
        bytes.next();
    }
    match bytes.next() {
        Some(b'0') => {}
        Some(b'1'..=b'9') => while bytes.next_if(u8::is_ascii_digit).is_some() {},
        _ => return false,
    }
    if bytes.next_if_eq(&b'.').is_some() {
        if bytes.next_if(u8::is_ascii_digit).is_none() {
            return false;
        }
        while bytes.next_if(u8::is_ascii_digit).is_some() {}
    }
    if bytes.next_if(|b| *b == b'e' || *b == b'E').is_some() {
        bytes.next_if(|b| *b == b'+' || *b == b'-');
        if bytes.next_if(u8::is_ascii_digit).is_none() {
            return false;
        }
        while bytes.next_if(u8::is_ascii_digit).is_some() {}
    }
    bytes.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn decimals_are_exact_with_their_scale() {
        // (token, expected value as written by `Decimal`'s Display, i.e. with its scale)
        let cases = [
            ("31883000.00000000", Some("31883000.00000000")),
            ("\"31883000.00000000\"", Some("31883000.00000000")),
            ("0.0024", Some("0.0024")),
            ("\"0.00241000\"", Some("0.00241000")),
            ("-576000", Some("-576000")),
            ("0", Some("0")),
            ("-0", Some("0")),
            ("1.16539E8", Some("116539000")),
            ("7.9276E-4", Some("0.00079276")),
            ("1E+8", Some("100000000")),
            ("2.5e0", Some("2.5")),
            ("\"4.5125E6\"", Some("4512500")),
            ("1522334455.12345678", Some("1522334455.12345678")),
            ("0.1000000000000000000000000000000000", Some("0.1")),
            (
                "12345678901234567890.123456789",
                Some("12345678901234567890.123456789"),
            ),
            (
                "79228162514264337593543950335",
                Some("79228162514264337593543950335"),
            ),
            // Not exact: too many significant digits, out of range, or too small.
            ("1.23456789012345678901234567891", None),
            ("79228162514264337593543950336", None),
            ("0.00000000000000000000000000001", None),
            ("1.2345678901234567890123456789012E3", None),
            ("1E29", None),
            ("5E-29", None),
            ("1E99999999999", None),
            // Not JSON numbers.
            ("", None),
            ("\"\"", None),
            ("\"1_000\"", None),
            ("\"+1\"", None),
            ("\".5\"", None),
            ("\"1.\"", None),
            ("\" 1\"", None),
            ("\"01\"", None),
            ("\"1e\"", None),
            ("\"0x10\"", None),
            ("\"NaN\"", None),
            ("\"1\\u0030\"", None),
            ("\"12", None),
            ("null", None),
            ("true", None),
            ("[1]", None),
        ];
        for (index, (token, expected)) in cases.into_iter().enumerate() {
            let got = parse_decimal(token).ok().map(|v| v.to_string());
            assert_eq!(got.as_deref(), expected, "TC{index}: {token}");
        }
    }

    #[test]
    fn scale_is_kept_and_values_compare_equal() {
        let value = parse_decimal("31883000.00000000").unwrap();
        assert_eq!(value.scale(), 8);
        assert_eq!(value, d("31883000"));
        assert_eq!(parse_decimal("1.16539E8").unwrap(), d("116539000"));
    }

    #[test]
    fn integers() {
        let cases = [
            ("1746601573804", Some(1_746_601_573_804_i64)),
            ("\"1746601573804\"", Some(1_746_601_573_804)),
            ("1.746601573804E12", Some(1_746_601_573_804)),
            ("-5", Some(-5)),
            ("1.5", None),
            ("9223372036854775808", None),
            ("\"12a\"", None),
            ("null", None),
        ];
        for (index, (token, expected)) in cases.into_iter().enumerate() {
            assert_eq!(parse_i64(token).ok(), expected, "TC{index}: {token}");
        }
        assert_eq!(parse_u64("18446744073709551615").ok(), Some(u64::MAX));
        assert_eq!(parse_u64("-1").ok(), None);
        assert_eq!(parse_u64("1.60E2").ok(), Some(160));
    }

    #[test]
    fn scanning_stops_where_the_number_does() {
        let cases: [(&[u8], Option<(&str, usize)>); 7] = [
            (b"156.42000000\",", Some(("156.42000000", 12))),
            (b"-0.5]", Some(("-0.5", 4))),
            (b"7}", Some(("7", 1))),
            (b"1.5e3", None),
            (b"01", None),
            (b"1.", None),
            (b"12345678901234567890", None),
        ];
        for (index, (text, expected)) in cases.into_iter().enumerate() {
            let got = scan_plain(text).map(|(value, len)| (value.to_string(), len));
            assert_eq!(
                got,
                expected.map(|(value, len)| (value.to_string(), len)),
                "TC{index}"
            );
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_are_not_numbers() {
        assert_eq!(parse_decimal_bytes(b"12.5"), Ok(Decimal::new(125, 1)));
        assert_eq!(
            parse_decimal_bytes(b"\"1\xff\"").unwrap_err().problem,
            "not a number"
        );
        assert!(parse_decimal_bytes(b"1\\u0030").is_err());
    }

    #[test]
    fn errors_name_the_token_and_problem() {
        let error = parse_decimal("\"abc\"").unwrap_err();
        assert_eq!(error.to_string(), "\"abc\" (not a number)");
        let long = format!("\"{}\"", "9".repeat(100));
        assert_eq!(parse_decimal(&long).unwrap_err().token.chars().count(), 40);
    }

    proptest! {
        /// The fast path gives what `Decimal::from_str_exact` gives, value and scale, and
        /// rejects what it cannot represent.
        #[test]
        fn fast_path_agrees_with_rust_decimal(
            text in "-?(0|[1-9][0-9]{0,21})(\\.[0-9]{1,12})?",
            quoted in any::<bool>(),
        ) {
            let token = if quoted { format!("\"{text}\"") } else { text.clone() };
            let ours = parse_decimal(&token);
            prop_assert_eq!(&ours, &parse_decimal_bytes(token.as_bytes()));
            match Decimal::from_str_exact(&text) {
                Ok(expected) => {
                    let ours = ours.unwrap();
                    prop_assert_eq!(ours, expected);
                    prop_assert_eq!(ours.scale(), expected.scale());
                }
                // Too long for a decimal: refused, unless only trailing zeros were too many.
                Err(_) => {
                    if let Ok(value) = ours {
                        let trimmed = text.trim_end_matches('0').trim_end_matches('.');
                        prop_assert!(text.contains('.'), "{token} gave {value}");
                        prop_assert_eq!(Ok(value), Decimal::from_str_exact(trimmed));
                    }
                }
            }
        }

        /// The integer fast path gives what the general path and `i64::from_str` give.
        #[test]
        fn integer_fast_path_agrees_with_the_general_path(
            text in "-?(0|[1-9][0-9]{0,20})",
            quoted in any::<bool>(),
        ) {
            let token = if quoted { format!("\"{text}\"") } else { text.clone() };
            let ours = parse_i64_bytes(token.as_bytes()).ok();
            prop_assert_eq!(ours, parse_i64(&token).ok());
            prop_assert_eq!(ours, slow_i64(&token).ok());
            prop_assert_eq!(ours, text.parse::<i64>().ok());
        }
    }
}
