//! A small zero-copy JSON pull scanner for the hot data frames of every codec (tickers, book
//! snapshots and deltas), in place of serde's derive: the codec asks for what it expects where
//! it expects it, keys are compared as bytes, decimals are read straight from the frame's bytes
//! ([`super::num`]), and nothing is built for what the codec skips.
//!
//! It is as strict as serde_json for what it accepts: every byte of the frame is checked against
//! the JSON grammar, skipped values included (strings: escapes and control characters; numbers:
//! the number grammar; literals; nesting), and only whitespace may follow the value. A string
//! turned into `&str` is checked as UTF-8; keys and decimal strings are not (keys are matched
//! against ASCII names, decimals are refused unless ASCII digits). A string with escapes where a
//! borrowed one is wanted is an error, as it is for serde's borrowed `&str`.
//!
//! Errors are [`Malformed`] reasons in the words serde_json's errors are reported with
//! ([`Malformed::from`] of a `serde_json::Error`): `not valid JSON: ..`, `truncated JSON: ..`
//! (the frame ends inside a value) and `unexpected shape: ..` (valid JSON, not what the codec
//! expects, naming the field with [`Scanner::field`]). Nothing here indexes or panics.

use premia_events::Decimal;

use super::json::{Malformed, ObjectOr, RawBytes, ScannedStr};
use super::num::{self, NumError};

/// The prefix of a reason for valid JSON of the wrong shape.
const SHAPE: &str = "unexpected shape: ";

/// Whether `byte` ends the fast walk through a string: the quote, the backslash and the
/// control characters JSON does not allow in a string.
fn stops_string(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Where the run of plain string bytes (see [`stops_string`]) from `at` ends: the first byte
/// that stops it, or the end of `bytes`. Eight bytes at a time while eight are left (the usual
/// price or key ends inside the first word), then byte by byte.
fn plain_run_end(bytes: &[u8], mut at: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        // A byte's high bit is set in `zero(x)` if that byte of `x` is zero; bits above the
        // lowest one may be false alarms (borrows), so only the lowest is used.
        let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
        let quote = zero(word ^ (ONES * u64::from(b'"')));
        let backslash = zero(word ^ (ONES * u64::from(b'\\')));
        let control = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
        let stops = quote | backslash | control;
        if stops != 0 {
            return at + (stops.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while bytes.get(at).is_some_and(|&byte| !stops_string(byte)) {
        at += 1;
    }
    at
}

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

/// A cursor over one frame. Each reading method first skips whitespace, then reads exactly one
/// value (or fails without promising where the cursor is).
#[derive(Clone, Debug)]
pub struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// What kind of value starts at a byte, for shape errors.
fn kind_of(byte: Option<u8>) -> &'static str {
    match byte {
        Some(b'"') => "a string",
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        Some(b'-' | b'0'..=b'9') => "a number",
        Some(_) => "not a value",
        None => "the end of the frame",
    }
}

impl<'a> Scanner<'a> {
    /// A scanner at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Scanner<'a> {
        Scanner { bytes, pos: 0 }
    }

    /// Reads the whole of `bytes` with `read`, then checks that only whitespace follows.
    pub fn whole<T>(
        bytes: &'a [u8],
        read: impl FnOnce(&mut Scanner<'a>) -> Result<T, Malformed>,
    ) -> Result<T, Malformed> {
        let mut scanner = Scanner::new(bytes);
        let value = read(&mut scanner)?;
        scanner.end()?;
        Ok(value)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// The first byte of the next value, without reading it (`None` at the end).
    pub fn peek_value(&mut self) -> Option<u8> {
        self.skip_ws();
        self.peek()
    }

    /// A grammar error at the cursor: `truncated JSON` when the frame has ended.
    fn syntax(&self, what: &str) -> Malformed {
        if self.pos >= self.bytes.len() {
            Malformed(format!("truncated JSON: EOF while parsing {what}"))
        } else {
            Malformed(format!("not valid JSON: {what} at byte {}", self.pos))
        }
    }

    /// A shape error: the value at the cursor is not `expected`.
    pub fn shape(&self, expected: &str) -> Malformed {
        match self.peek() {
            None => self.syntax("a value"),
            found => Malformed(format!(
                "{SHAPE}invalid type: {}, expected {expected}",
                kind_of(found)
            )),
        }
    }

    /// Checks that only whitespace is left.
    pub fn end(&mut self) -> Result<(), Malformed> {
        self.skip_ws();
        if self.pos < self.bytes.len() {
            return Err(self.syntax("trailing characters"));
        }
        Ok(())
    }

    /// Reads an object, calling `field` with each key (its raw bytes between the quotes) and
    /// the scanner at the key's value, which `field` must read or skip.
    pub fn object(
        &mut self,
        mut field: impl FnMut(&mut Scanner<'a>, &'a [u8]) -> Result<(), Malformed>,
    ) -> Result<(), Malformed> {
        self.skip_ws();
        if self.peek() != Some(b'{') {
            return Err(self.shape("an object"));
        }
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.syntax("an object key"));
            }
            let (key, _) = self.string_raw()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.syntax("a colon"));
            }
            self.pos += 1;
            field(self, key)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.syntax("an object")),
            }
        }
    }

    /// Reads an array, calling `element` with each element's index and the scanner at it,
    /// which `element` must read or skip.
    pub fn array(
        &mut self,
        mut element: impl FnMut(&mut Scanner<'a>, usize) -> Result<(), Malformed>,
    ) -> Result<(), Malformed> {
        self.skip_ws();
        if self.peek() != Some(b'[') {
            return Err(self.shape("an array"));
        }
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        let mut index = 0;
        loop {
            element(self, index)?;
            index += 1;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.syntax("a list")),
            }
        }
    }

    /// In an array being read with [`Scanner::array`]: whether another element follows the one
    /// just read (consuming the comma), for arrays of a known shape read element by element.
    /// `false` leaves the cursor before the closing bracket, for [`Scanner::close_array`].
    pub fn next_element(&mut self) -> Result<bool, Malformed> {
        self.skip_ws();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b']') => Ok(false),
            _ => Err(self.syntax("a list")),
        }
    }

    /// Opens an array for reading element by element: `Ok(false)` if it is empty (and then
    /// already closed).
    pub fn open_array(&mut self) -> Result<bool, Malformed> {
        self.skip_ws();
        if self.peek() != Some(b'[') {
            return Err(self.shape("an array"));
        }
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// Closes an array opened with [`Scanner::open_array`] after [`Scanner::next_element`]
    /// said no element follows.
    pub fn close_array(&mut self) -> Result<(), Malformed> {
        self.skip_ws();
        if self.peek() != Some(b']') {
            return Err(self.syntax("a list"));
        }
        self.pos += 1;
        Ok(())
    }

    /// At a string's opening quote: its raw content (escapes not decoded) and whether it has
    /// escapes. Checks escapes and refuses control characters, as JSON requires.
    fn string_raw(&mut self) -> Result<(&'a [u8], bool), Malformed> {
        let start = self.pos + 1;
        let mut at = start;
        let mut escaped = false;
        loop {
            at = plain_run_end(self.bytes, at);
            let Some(&byte) = self.bytes.get(at) else {
                self.pos = self.bytes.len();
                return Err(self.syntax("a string"));
            };
            match byte {
                b'"' => {
                    self.pos = at + 1;
                    let content = self.bytes.get(start..at).unwrap_or_default();
                    return Ok((content, escaped));
                }
                b'\\' => {
                    escaped = true;
                    at = self.escape_end(at + 1)?;
                }
                _ => {
                    self.pos = at;
                    return Err(self.syntax("a string (control character)"));
                }
            }
        }
    }

    /// Where the escape whose letter is at `at` ends.
    fn escape_end(&mut self, at: usize) -> Result<usize, Malformed> {
        match self.bytes.get(at) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(at + 1),
            Some(b'u') => {
                for offset in 1..=4 {
                    match self.bytes.get(at + offset) {
                        Some(byte) if byte.is_ascii_hexdigit() => {}
                        _ => {
                            self.pos = (at + offset).min(self.bytes.len());
                            return Err(self.syntax("a string (bad \\u escape)"));
                        }
                    }
                }
                Ok(at + 5)
            }
            _ => {
                self.pos = at.min(self.bytes.len());
                Err(self.syntax("a string (bad escape)"))
            }
        }
    }

    /// A string's content as text, borrowed: an error for another value, for a string with
    /// escapes (as for serde's `&str`) and for bytes that are not UTF-8.
    pub fn str(&mut self) -> Result<&'a str, Malformed> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return Err(self.shape("a borrowed string"));
        }
        let (content, escaped) = self.string_raw()?;
        if escaped {
            return Err(Malformed(format!(
                "{SHAPE}invalid type: a string with escapes, expected a borrowed string"
            )));
        }
        std::str::from_utf8(content)
            .map_err(|_| Malformed::new("not valid JSON: invalid unicode code point in a string"))
    }

    /// A string's content as raw bytes (no UTF-8 check): an error for another value and for a
    /// string with escapes. `expected` names what the string holds, for the error.
    pub fn str_bytes(&mut self, expected: &str) -> Result<&'a [u8], Malformed> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return Err(self.shape(expected));
        }
        let (content, escaped) = self.string_raw()?;
        if escaped {
            return Err(Malformed(format!(
                "{SHAPE}invalid type: a string with escapes, expected {expected}"
            )));
        }
        Ok(content)
    }

    /// A decimal written as a JSON string (`"156.42000000"`): the JSON error, or the number's
    /// own (for the caller to name its field). The common plain number is read in one pass.
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
        let text = self.str_bytes("a decimal in a JSON string")?;
        Ok(num::parse_decimal_bytes(text))
    }

    /// A decimal written as a JSON number or as a JSON string holding one (the spelling a
    /// [`super::json::Raw`] token allows): the JSON error, or the number's own.
    pub fn decimal_token(&mut self) -> Result<Result<Decimal, NumError>, Malformed> {
        if let Some(b'-' | b'0'..=b'9') = self.peek_value() {
            return self.number_decimal();
        }
        let token = self.raw_bytes()?;
        Ok(num::parse_decimal_bytes(token))
    }

    /// A decimal in a JSON string, kept as the string's content for the codec to convert (and
    /// name) later, with its value when it is a plain number read on the way: a JSON number or
    /// a string with escapes in its place is an error.
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
                    value: Some(value),
                });
            }
        }
        let text = self.str_bytes("a decimal in a JSON string")?;
        Ok(ScannedStr { text, value: None })
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
                    value: Some(value),
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
                    value: Some(value),
                });
            }
        }
        let text = self.raw_bytes()?;
        Ok(RawBytes { text, value: None })
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

    fn integer<T>(
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
    fn number_token(&mut self) -> Result<&'a [u8], Malformed> {
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

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    /// Reads `null` if it is next: `true` if it was.
    pub fn null(&mut self) -> Result<bool, Malformed> {
        self.skip_ws();
        if self.peek() == Some(b'n') {
            self.literal(b"null")?;
            return Ok(true);
        }
        Ok(false)
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), Malformed> {
        for &expected in word {
            if self.peek() != Some(expected) {
                return Err(self.syntax("a literal"));
            }
            self.pos += 1;
        }
        Ok(())
    }

    /// Any value's token exactly as written (a string with its quotes and escapes), checked
    /// as JSON and as UTF-8.
    pub fn raw(&mut self) -> Result<&'a str, Malformed> {
        self.skip_ws();
        let start = self.pos;
        self.skip_value()?;
        let token = self.bytes.get(start..self.pos).unwrap_or_default();
        std::str::from_utf8(token)
            .map_err(|_| Malformed::new("not valid JSON: invalid unicode code point in a value"))
    }

    /// Skips one value of any kind, checking it all. Nesting is followed with a stack of bits
    /// (not recursion), so no depth of nesting can exhaust the thread's stack.
    pub fn skip_value(&mut self) -> Result<(), Malformed> {
        self.skip_ws();
        match self.peek() {
            Some(b'{' | b'[') => self.skip_nested(),
            _ => self.skip_scalar(),
        }
    }

    fn skip_scalar(&mut self) -> Result<(), Malformed> {
        match self.peek() {
            Some(b'"') => self.string_raw().map(drop),
            Some(b'-' | b'0'..=b'9') => self.number_token().map(drop),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            _ => Err(self.syntax("a value")),
        }
    }

    /// At `{` or `[`: skips to the end of the matching bracket.
    fn skip_nested(&mut self) -> Result<(), Malformed> {
        let mut stack = BitStack::default();
        // Whether the cursor is at a value to read (else after one, at `,` or a bracket).
        let mut at_value = true;
        loop {
            if at_value {
                self.skip_ws();
                match self.peek() {
                    Some(open @ (b'{' | b'[')) => {
                        self.pos += 1;
                        let object = open == b'{';
                        stack.push(object);
                        self.skip_ws();
                        let close = if object { b'}' } else { b']' };
                        if self.peek() == Some(close) {
                            self.pos += 1;
                            stack.pop();
                            at_value = false;
                        } else if object {
                            self.key()?;
                        }
                        continue;
                    }
                    _ => {
                        self.skip_scalar()?;
                        at_value = false;
                    }
                }
            }
            let Some(object) = stack.top() else {
                return Ok(());
            };
            self.skip_ws();
            match (self.peek(), object) {
                (Some(b','), _) => {
                    self.pos += 1;
                    if object {
                        self.skip_ws();
                        self.key()?;
                    }
                    at_value = true;
                }
                (Some(b'}'), true) | (Some(b']'), false) => {
                    self.pos += 1;
                    stack.pop();
                }
                _ => return Err(self.syntax(if object { "an object" } else { "a list" })),
            }
        }
    }

    /// At an object key: reads it and its colon.
    fn key(&mut self) -> Result<(), Malformed> {
        if self.peek() != Some(b'"') {
            return Err(self.syntax("an object key"));
        }
        self.string_raw()?;
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.syntax("a colon"));
        }
        self.pos += 1;
        Ok(())
    }

    /// An object read with `read`, or [`ObjectOr::Other`] for any other value (skipped).
    pub fn object_or<T>(
        &mut self,
        read: impl FnOnce(&mut Scanner<'a>) -> Result<T, Malformed>,
    ) -> Result<ObjectOr<T>, Malformed> {
        if self.peek_value() == Some(b'{') {
            read(self).map(ObjectOr::Object)
        } else {
            self.skip_value().map(|()| ObjectOr::Other)
        }
    }

    /// Reads field `name` into `slot` with `read`: `null` leaves it empty; a second occurrence
    /// is an error (as serde's derive has it); a shape error names the field.
    pub fn field<T>(
        &mut self,
        slot: &mut Option<T>,
        name: &str,
        read: impl FnOnce(&mut Scanner<'a>) -> Result<T, Malformed>,
    ) -> Result<(), Malformed> {
        if slot.is_some() {
            return Err(Malformed(format!("{SHAPE}duplicate field {name}")));
        }
        if self.null()? {
            return Ok(());
        }
        *slot = Some(read(self).map_err(|error| within(name, error))?);
        Ok(())
    }
}

/// `error` with the field it happened in named, if it is a shape error.
pub fn within(name: &str, Malformed(reason): Malformed) -> Malformed {
    match reason.strip_prefix(SHAPE) {
        Some(rest) => Malformed(format!("{SHAPE}{name}: {rest}")),
        None => Malformed(reason),
    }
}

/// Which containers the skipper is inside, innermost last (`true`: an object), as bits: 128
/// levels inline, deeper ones spilled.
#[derive(Default)]
struct BitStack {
    inline: u128,
    len: usize,
    spill: Vec<u128>,
}

impl BitStack {
    fn push(&mut self, bit: bool) {
        if self.len > 0 && self.len.is_multiple_of(128) {
            self.spill.push(self.inline);
            self.inline = 0;
        }
        self.inline = (self.inline << 1) | u128::from(bit);
        self.len += 1;
    }

    fn pop(&mut self) {
        if self.len == 0 {
            return;
        }
        self.len -= 1;
        self.inline >>= 1;
        if self.len > 0
            && self.len.is_multiple_of(128)
            && let Some(outer) = self.spill.pop()
        {
            self.inline = outer;
        }
    }

    fn top(&self) -> Option<bool> {
        (self.len > 0).then_some(self.inline & 1 == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::IgnoredAny;

    fn skips(frame: &[u8]) -> bool {
        Scanner::whole(frame, Scanner::skip_value).is_ok()
    }

    #[test]
    fn skipping_agrees_with_serde_on_a_table() {
        let cases: [&[u8]; 34] = [
            b"{}",
            b" [ ] ",
            b"{\"a\":[1,-2.5e+3,\"x\\u00e9\\n\",true,false,null,{}]}",
            b"{\"a\":1,}",
            b"[1,]",
            b"[1 2]",
            b"{\"a\" 1}",
            b"{1:1}",
            b"\"\\x\"",
            b"\"\\u12G4\"",
            b"\"a\x01b\"",
            b"01",
            b"1.",
            b"-",
            b"1e",
            b"1e+",
            b".5",
            b"+1",
            b"tru",
            b"nul",
            b"[",
            b"{\"a\":",
            b"\"abc",
            b"[[[[]]]]",
            b"[[[[]]]",
            b"[{]}",
            b"{\"a\":1}x",
            b"{\"a\":1} \n",
            b"",
            b"  ",
            b"1 2",
            b"[\"\xff\"]",
            b"[0.5E-07, -0, 1E400]",
            b"{\"a\":{\"b\":[{\"c\":[]}]},\"d\":\"e\"}",
        ];
        for (index, frame) in cases.into_iter().enumerate() {
            let serde = serde_json::from_slice::<IgnoredAny>(frame).is_ok();
            assert_eq!(
                skips(frame),
                serde,
                "TC{index} {:?}",
                String::from_utf8_lossy(frame)
            );
        }
    }

    #[test]
    fn deep_nesting_is_followed_without_recursion() {
        for depth in [1, 127, 128, 129, 300, 5000] {
            let mut frame = vec![b'['; depth];
            frame.extend(std::iter::repeat_n(b']', depth));
            assert!(skips(&frame), "depth {depth}");
            frame.pop();
            assert!(!skips(&frame), "unbalanced depth {depth}");
        }
        let mut mixed = Vec::new();
        for _ in 0..200 {
            mixed.extend_from_slice(b"{\"k\":[");
        }
        for _ in 0..200 {
            mixed.extend_from_slice(b"]}");
        }
        assert!(skips(&mixed));
    }

    #[test]
    fn typed_reads() {
        let frame = br#"{"s":"BTC","d":"1.50","n":31883000.00000000,"e":1.16539E8,"i":-42,
            "f":1.5,"big":18446744073709551615,"esc":"a\"b","z":null}"#;
        let mut seen = Vec::new();
        Scanner::whole(frame, |s| {
            s.object(|s, key| {
                let got = match key {
                    b"s" => s.str()?.to_string(),
                    b"d" => s.string_decimal()?.unwrap().to_string(),
                    b"n" | b"e" => s.number_decimal()?.unwrap().to_string(),
                    b"i" => s.i64()?.to_string(),
                    b"f" => s.i64().unwrap_err().0,
                    b"big" => s.u64()?.to_string(),
                    b"esc" => s.str().unwrap_err().0,
                    _ => {
                        let mut slot: Option<&str> = None;
                        s.field(&mut slot, "z", Scanner::str)?;
                        format!("{slot:?}")
                    }
                };
                seen.push(got);
                Ok(())
            })
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(seen.first().map(String::as_str), Some("BTC"));
        assert_eq!(seen.get(1).map(String::as_str), Some("1.50"));
        assert_eq!(seen.get(2).map(String::as_str), Some("31883000.00000000"));
        assert_eq!(seen.get(3).map(String::as_str), Some("116539000"));
        assert_eq!(seen.get(4).map(String::as_str), Some("-42"));
        assert!(seen.get(5).is_some_and(|e| e.contains("expected i64")));
        assert_eq!(
            seen.get(6).map(String::as_str),
            Some("18446744073709551615")
        );
        assert!(
            seen.get(7)
                .is_some_and(|e| e.contains("string with escapes"))
        );
        assert_eq!(seen.get(8).map(String::as_str), Some("None"));
    }

    #[test]
    fn integers_as_serde_reads_them() {
        let cases: [(&[u8], Result<i64, &str>); 8] = [
            (b"0", Ok(0)),
            (b"-0", Ok(0)),
            (b"1700000000123", Ok(1_700_000_000_123)),
            (b"-9223372036854775808", Ok(i64::MIN)),
            (b"9223372036854775808", Err("invalid value")),
            (
                b"123456789012345678901234567890123456789012",
                Err("invalid value"),
            ),
            (b"1.0", Err("floating point")),
            (b"1e3", Err("floating point")),
        ];
        for (index, (token, expected)) in cases.into_iter().enumerate() {
            let got = Scanner::whole(token, Scanner::i64);
            match expected {
                Ok(value) => assert_eq!(got, Ok(value), "TC{index}"),
                Err(text) => assert!(got.is_err_and(|e| e.0.contains(text)), "TC{index}"),
            }
        }
        assert!(Scanner::whole(b"-1", Scanner::u64).is_err());
        assert_eq!(Scanner::whole(b"4294967295", Scanner::u32), Ok(u32::MAX));
        assert!(Scanner::whole(b"4294967296", Scanner::u32).is_err());
    }

    #[test]
    fn errors_say_what_kind_of_problem() {
        let shape = Scanner::whole(b"{\"a\":1}", |s| {
            s.object(|s, _| {
                let mut slot = None;
                s.field(&mut slot, "a", Scanner::str)
            })
        });
        assert_eq!(
            shape.unwrap_err().0,
            "unexpected shape: a: invalid type: a number, expected a borrowed string"
        );
        let truncated = Scanner::whole(b"{\"a\":", Scanner::skip_value);
        assert!(truncated.unwrap_err().0.starts_with("truncated JSON"));
        let invalid = Scanner::whole(b"{a:1}", Scanner::skip_value);
        assert!(invalid.unwrap_err().0.starts_with("not valid JSON"));
        let duplicate = Scanner::whole(b"{\"a\":\"x\",\"a\":\"y\"}", |s| {
            let mut slot = None;
            s.object(|s, _| s.field(&mut slot, "a", Scanner::str))
        });
        assert_eq!(
            duplicate.unwrap_err().0,
            "unexpected shape: duplicate field a"
        );
    }

    proptest! {
        #[test]
        fn word_scan_finds_the_first_stop(
            bytes in prop::collection::vec(
                prop::sample::select(b"ab\"\\\x00\x1f\x20\x7f\x80\xff\xc3\xa9019".to_vec()),
                0..40,
            ),
            from in 0usize..40,
        ) {
            let expected = bytes
                .iter()
                .enumerate()
                .skip(from)
                .find(|(_, byte)| stops_string(**byte))
                .map_or(bytes.len().max(from), |(index, _)| index);
            prop_assert_eq!(plain_run_end(&bytes, from), expected);
        }

        #[test]
        fn skipping_agrees_with_serde_on_any_bytes(
            frame in prop::collection::vec(
                prop::sample::select(b"{}[]\",:0123456789.-+eEtrufalsn\\u /x\t\n\x01\xc3\xa9".to_vec()),
                0..40,
            )
        ) {
            let serde = serde_json::from_slice::<IgnoredAny>(&frame).is_ok();
            prop_assert_eq!(skips(&frame), serde, "{:?}", String::from_utf8_lossy(&frame));
        }

        #[test]
        fn skipping_agrees_with_serde_on_damaged_json(
            value in any::<u32>(),
            cut in 0usize..60,
            byte in any::<u8>(),
        ) {
            let text = format!(
                r#"{{"a":[{value},"s\u00e9",{{"b":null,"c":[true,false]}}],"d":-{value}.5e-3}}"#
            );
            let mut frame = text.into_bytes();
            if let Some(slot) = frame.get_mut(cut) {
                *slot = byte;
            }
            let serde = serde_json::from_slice::<IgnoredAny>(&frame).is_ok();
            prop_assert_eq!(skips(&frame), serde, "{:?}", String::from_utf8_lossy(&frame));
        }
    }
}
