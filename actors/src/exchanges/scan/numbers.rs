//! The scanner's numbers: decimals read straight from a token's or a string's bytes, integers,
//! and the JSON number grammar.

use premia_events::Decimal;

use super::super::json::{Malformed, Parsed, RawBytes, ScannedStr};
use super::super::num::{self, NumError};
use super::{SHAPE, Scanner};

/// The value of an integer token (`-?[0-9]+`, no fraction or exponent), if it fits an `i128`.
fn integer_value(token: &[u8]) -> Option<i128> {
    let (negative, digits) = match token.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, token),
    };
    if digits.is_empty() {
        return None;
    }
    // Up to 18 digits (every millisecond time and update id) cannot overflow a u64.
    if digits.len() <= 18 {
        let mut value: u64 = 0;
        for &byte in digits {
            let digit = byte.wrapping_sub(b'0');
            if digit >= 10 {
                return None;
            }
            value = value * 10 + u64::from(digit);
        }
        let value = i128::from(value);
        return Some(if negative { -value } else { value });
    }
    let mut value: i128 = 0;
    for &byte in digits {
        let digit = byte.wrapping_sub(b'0');
        if digit >= 10 {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(i128::from(digit))?;
    }
    Some(if negative { -value } else { value })
}

impl<'a> Scanner<'a> {
    /// A decimal written as a JSON string (`"156.42000000"`): the JSON error, or the number's
    /// own (for the caller to name its field). The common plain number is read in one pass,
    /// inline, so the decimal stays in registers (it is read for every level of every book);
    /// anything else out of line.
    #[inline(always)]
    pub fn string_decimal(&mut self) -> Result<Result<Decimal, NumError>, Malformed> {
        self.skip_ws();
        if self.peek() == Some(b'"') {
            let rest = self.bytes.get(self.pos + 1..).unwrap_or_default();
            if let Some((value, len)) = num::scan_plain(rest)
                && rest.get(len) == Some(&b'"')
            {
                self.pos += len + 2;
                return Ok(Ok(value));
            }
        }
        self.string_decimal_general()
    }

    /// [`Scanner::string_decimal`] of anything but a plain number in a string.
    #[inline(never)]
    fn string_decimal_general(&mut self) -> Result<Result<Decimal, NumError>, Malformed> {
        let text = self.str_bytes("a decimal in a JSON string")?;
        Ok(num::parse_decimal_bytes(text))
    }

    /// A decimal written as a JSON number or as a JSON string holding one (the spelling a
    /// [`super::json::Raw`] token allows): the JSON error, or the number's own. A plain number,
    /// bare or quoted, is read inline in one pass (the decimal stays in registers: this runs
    /// for every level of Korbit's and Coinone's books); anything else out of line.
    #[inline(always)]
    pub fn decimal_token(&mut self) -> Result<Result<Decimal, NumError>, Malformed> {
        let quoted = match self.peek_value() {
            Some(b'"') => true,
            Some(b'-' | b'0'..=b'9') => false,
            _ => return self.decimal_token_general(),
        };
        let start = self.pos + usize::from(quoted);
        let rest = self.bytes.get(start..).unwrap_or_default();
        if let Some((value, len)) = num::scan_plain(rest) {
            let next = rest.get(len);
            let ends = if quoted {
                next == Some(&b'"')
            } else {
                !matches!(next, Some(b'0'..=b'9' | b'.' | b'e' | b'E'))
            };
            if ends {
                self.pos = start + len + usize::from(quoted);
                return Ok(Ok(value));
            }
        }
        self.decimal_token_general()
    }

    /// [`Scanner::decimal_token`] of anything but a plain number.
    #[inline(never)]
    fn decimal_token_general(&mut self) -> Result<Result<Decimal, NumError>, Malformed> {
        if let Some(b'-' | b'0'..=b'9') = self.peek_value() {
            return self.number_decimal();
        }
        let token = self.raw_bytes()?;
        Ok(num::parse_decimal_bytes(token))
    }

    /// A decimal in a JSON string, kept as the string's content for the codec to convert (and
    /// name) later, with its value when it is a plain number read on the way: a JSON number or
    /// a string with escapes in its place is an error.
    #[inline]
    pub fn decimal_string(&mut self) -> Result<ScannedStr<'a>, Malformed> {
        self.skip_ws();
        if self.peek() == Some(b'"') {
            let rest = self.bytes.get(self.pos + 1..).unwrap_or_default();
            if let Some((value, len)) = num::scan_plain(rest)
                && rest.get(len) == Some(&b'"')
            {
                self.pos += len + 2;
                let text = rest.get(..len).unwrap_or_default();
                return Ok(ScannedStr {
                    text,
                    value: Parsed::known(value),
                });
            }
        }
        let text = self.str_bytes("a decimal in a JSON string")?;
        Ok(ScannedStr {
            text,
            value: Parsed::UNKNOWN,
        })
    }

    /// Any value's token as written, for the codec to convert as a number (and name) later,
    /// with its value when it is a plain number (a JSON number, or a JSON string holding one)
    /// read on the way.
    pub fn token(&mut self) -> Result<RawBytes<'a>, Malformed> {
        self.skip_ws();
        if let Some(b'-' | b'0'..=b'9') = self.peek() {
            let rest = self.bytes.get(self.pos..).unwrap_or_default();
            if let Some((value, len)) = num::scan_plain(rest)
                && !matches!(rest.get(len), Some(b'0'..=b'9' | b'.' | b'e' | b'E'))
            {
                self.pos += len;
                let text = rest.get(..len).unwrap_or_default();
                return Ok(RawBytes {
                    text,
                    value: Parsed::known(value),
                });
            }
        }
        if self.peek() == Some(b'"') {
            let start = self.pos;
            let rest = self.bytes.get(start + 1..).unwrap_or_default();
            if let Some((value, len)) = num::scan_plain(rest)
                && rest.get(len) == Some(&b'"')
            {
                self.pos += len + 2;
                let text = self.bytes.get(start..self.pos).unwrap_or_default();
                return Ok(RawBytes {
                    text,
                    value: Parsed::known(value),
                });
            }
        }
        let text = self.raw_bytes()?;
        Ok(RawBytes {
            text,
            value: Parsed::UNKNOWN,
        })
    }

    /// A JSON number's token as written (`64123.45`, `1.16539E8`), checked against the grammar.
    pub fn number(&mut self) -> Result<&'a [u8], Malformed> {
        self.skip_ws();
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => self.number_token(),
            _ => Err(self.shape("a number")),
        }
    }

    /// A decimal written as a JSON number (`31883000.00000000`, `1.16539E8`), exactly: the JSON
    /// error, or the number's own.
    pub fn number_decimal(&mut self) -> Result<Result<Decimal, NumError>, Malformed> {
        self.skip_ws();
        if let Some(b'-' | b'0'..=b'9') = self.peek() {
            let rest = self.bytes.get(self.pos..).unwrap_or_default();
            if let Some((value, len)) = num::scan_plain(rest)
                && !matches!(rest.get(len), Some(b'0'..=b'9' | b'.' | b'e' | b'E'))
            {
                self.pos += len;
                return Ok(Ok(value));
            }
        }
        let token = self.number()?;
        Ok(num::parse_decimal_bytes(token))
    }

    /// A JSON integer that fits an `i64`, as serde reads one: a fraction or an exponent is a
    /// shape error, as is a value out of range.
    pub fn i64(&mut self) -> Result<i64, Malformed> {
        self.integer("i64", |token| i64::try_from(integer_value(token)?).ok())
    }

    /// A JSON integer that fits a `u32`, as serde reads one.
    pub fn u32(&mut self) -> Result<u32, Malformed> {
        self.integer("u32", |token| u32::try_from(integer_value(token)?).ok())
    }

    /// `true` or `false`.
    pub fn bool(&mut self) -> Result<bool, Malformed> {
        self.skip_ws();
        match self.peek() {
            Some(b't') => self.literal(b"true").map(|()| true),
            Some(b'f') => self.literal(b"false").map(|()| false),
            _ => Err(self.shape("a boolean")),
        }
    }

    /// Any value's token exactly as written, as bytes: a number's (checked against the
    /// grammar) without more work, another value's after checking it as JSON (not as UTF-8:
    /// for tokens that are read as numbers, which are ASCII).
    pub fn raw_bytes(&mut self) -> Result<&'a [u8], Malformed> {
        self.skip_ws();
        if let Some(b'-' | b'0'..=b'9') = self.peek() {
            return self.number_token();
        }
        let start = self.pos;
        self.skip_value()?;
        Ok(self.bytes.get(start..self.pos).unwrap_or_default())
    }

    /// A JSON integer that fits a `u64`, as serde reads one.
    pub fn u64(&mut self) -> Result<u64, Malformed> {
        self.integer("u64", |token| u64::try_from(integer_value(token)?).ok())
    }

    pub(super) fn integer<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&[u8]) -> Option<T>,
    ) -> Result<T, Malformed> {
        self.skip_ws();
        if !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
            return Err(self.shape(name));
        }
        let token = self.number_token()?;
        if let Some(value) = parse(token) {
            return Ok(value);
        }
        if token.iter().any(|b| matches!(b, b'.' | b'e' | b'E')) {
            return Err(Malformed(format!(
                "{SHAPE}invalid type: floating point `{}`, expected {name}",
                String::from_utf8_lossy(token)
            )));
        }
        Err(Malformed(format!(
            "{SHAPE}invalid value: integer `{}`, expected {name}",
            String::from_utf8_lossy(token)
        )))
    }

    /// At the first byte of a number: reads it by the JSON grammar
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    pub(super) fn number_token(&mut self) -> Result<&'a [u8], Malformed> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.syntax("a number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.syntax("a number"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.syntax("a number"));
            }
            self.digits();
        }
        Ok(self.bytes.get(start..self.pos).unwrap_or_default())
    }

    pub(super) fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }
}
