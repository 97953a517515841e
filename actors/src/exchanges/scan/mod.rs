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

use super::json::{Malformed, ObjectOr};

mod items;
mod numbers;

pub use self::items::Items;

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
#[inline]
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

    /// [`Scanner::whole`] reading into `out` in place: for the wire structs of hot frames, which
    /// run to hundreds of bytes and would otherwise be copied at every return on the way up.
    pub fn whole_into<T>(
        bytes: &'a [u8],
        out: &mut T,
        read: impl FnOnce(&mut Scanner<'a>, &mut T) -> Result<(), Malformed>,
    ) -> Result<(), Malformed> {
        let mut scanner = Scanner::new(bytes);
        read(&mut scanner, out)?;
        scanner.end()
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// The first byte of the next value, without reading it (`None` at the end).
    #[inline]
    pub fn peek_value(&mut self) -> Option<u8> {
        self.skip_ws();
        self.peek()
    }

    /// A grammar error at the cursor: `truncated JSON` when the frame has ended.
    #[cold]
    #[inline(never)]
    fn syntax(&self, what: &str) -> Malformed {
        if self.pos >= self.bytes.len() {
            Malformed(format!("truncated JSON: EOF while parsing {what}"))
        } else {
            Malformed(format!("not valid JSON: {what} at byte {}", self.pos))
        }
    }

    /// A shape error: the value at the cursor is not `expected`.
    #[cold]
    #[inline(never)]
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
    /// escapes. Checks escapes and refuses control characters, as JSON requires. The usual
    /// string (no escape) is read here, inline; the rest out of line, so the common path
    /// carries none of the slow path's registers and stack.
    #[inline]
    fn string_raw(&mut self) -> Result<(&'a [u8], bool), Malformed> {
        let start = self.pos + 1;
        let end = plain_run_end(self.bytes, start);
        if self.bytes.get(end) == Some(&b'"') {
            self.pos = end + 1;
            return Ok((self.bytes.get(start..end).unwrap_or_default(), false));
        }
        self.string_rest(start, end)
    }

    /// [`Scanner::string_raw`] of a string whose plain run from `start` ended at `at`, on
    /// something other than its closing quote.
    #[inline(never)]
    fn string_rest(&mut self, start: usize, mut at: usize) -> Result<(&'a [u8], bool), Malformed> {
        let mut escaped = false;
        loop {
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
            at = plain_run_end(self.bytes, at);
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
    #[inline]
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

    /// Reads `null` if it is next: `true` if it was.
    #[inline]
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

    /// Reads field `name` into `slot` with `read`: `null` leaves it empty; a second occurrence
    /// is an error (as serde's derive has it); a shape error names the field.
    #[inline]
    pub fn field<T>(
        &mut self,
        slot: &mut Option<T>,
        name: &str,
        read: impl FnOnce(&mut Scanner<'a>) -> Result<T, Malformed>,
    ) -> Result<(), Malformed> {
        if slot.is_some() {
            return Err(duplicate(name));
        }
        if self.null()? {
            return Ok(());
        }
        *slot = Some(read(self).map_err(|error| within(name, error))?);
        Ok(())
    }

    /// Reads field `name` in place: as [`Scanner::field`], but the value is made by `make`
    /// where it lies in `slot` and then filled by `read`. For wire structs of hundreds of bytes
    /// (a ticker's fields), which a by-value read would copy at every return on the way up.
    pub fn field_in<T>(
        &mut self,
        slot: &mut Option<T>,
        name: &str,
        make: impl FnOnce() -> T,
        read: impl FnOnce(&mut Scanner<'a>, &mut T) -> Result<(), Malformed>,
    ) -> Result<(), Malformed> {
        if slot.is_some() {
            return Err(duplicate(name));
        }
        if self.null()? {
            return Ok(());
        }
        read(self, slot.insert(make())).map_err(|error| within(name, error))
    }

    /// An object read into `value` in place, or [`ObjectOr::Other`] for any other value: an object is read into `value`'s `T` by `read` (a
    /// `value` that is [`ObjectOr::Other`] gets `T::default()` first); any other value is
    /// skipped and leaves [`ObjectOr::Other`].
    pub fn object_or_into<T: Default>(
        &mut self,
        value: &mut ObjectOr<T>,
        read: impl FnOnce(&mut Scanner<'a>, &mut T) -> Result<(), Malformed>,
    ) -> Result<(), Malformed> {
        if self.peek_value() != Some(b'{') {
            *value = ObjectOr::Other;
            return self.skip_value();
        }
        if let ObjectOr::Object(inner) = value {
            return read(self, inner);
        }
        let mut inner = T::default();
        read(self, &mut inner)?;
        *value = ObjectOr::Object(inner);
        Ok(())
    }

    /// Reads field `name`, an object or anything else, in place: [`Scanner::field_in`] with
    /// [`Scanner::object_or_into`].
    pub fn object_field<T: Default>(
        &mut self,
        slot: &mut Option<ObjectOr<T>>,
        name: &str,
        read: impl FnOnce(&mut Scanner<'a>, &mut T) -> Result<(), Malformed>,
    ) -> Result<(), Malformed> {
        self.field_in(
            slot,
            name,
            || ObjectOr::Object(T::default()),
            |s, value| s.object_or_into(value, read),
        )
    }
}

/// The error of a field met twice in one object (as serde's derive has it).
#[cold]
#[inline(never)]
fn duplicate(name: &str) -> Malformed {
    Malformed(format!("{SHAPE}duplicate field {name}"))
}

/// `error` with the field it happened in named, if it is a shape error.
#[cold]
#[inline(never)]
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
mod tests;
