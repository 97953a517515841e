//! A tiny JSON writer, so frames come out byte for byte as the exchanges write them: keys in
//! their order, decimals as exact JSON numbers (Upbit) or fixed-scale strings (Binance).
//! Writing to a `String` cannot fail, so encoders cannot either.

use rust_decimal::Decimal;

/// Appends JSON tokens to a string, inserting commas where they belong.
#[derive(Debug, Default)]
pub(crate) struct JsonWriter {
    out: String,
    need_comma: bool,
}

impl JsonWriter {
    /// An empty writer with room for `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> JsonWriter {
        JsonWriter {
            out: String::with_capacity(capacity),
            need_comma: false,
        }
    }

    /// The text written so far.
    pub(crate) fn finish(self) -> String {
        self.out
    }

    fn value_start(&mut self) {
        if self.need_comma {
            self.out.push(',');
        }
        self.need_comma = true;
    }

    /// `{`
    pub(crate) fn begin_object(&mut self) -> &mut Self {
        self.value_start();
        self.out.push('{');
        self.need_comma = false;
        self
    }

    /// `}`
    pub(crate) fn end_object(&mut self) -> &mut Self {
        self.out.push('}');
        self.need_comma = true;
        self
    }

    /// `[`
    pub(crate) fn begin_array(&mut self) -> &mut Self {
        self.value_start();
        self.out.push('[');
        self.need_comma = false;
        self
    }

    /// `]`
    pub(crate) fn end_array(&mut self) -> &mut Self {
        self.out.push(']');
        self.need_comma = true;
        self
    }

    /// An object key; the next call writes its value.
    pub(crate) fn key(&mut self, key: &str) -> &mut Self {
        self.value_start();
        push_string(&mut self.out, key);
        self.out.push(':');
        self.need_comma = false;
        self
    }

    /// A string value.
    pub(crate) fn string(&mut self, value: &str) -> &mut Self {
        self.value_start();
        push_string(&mut self.out, value);
        self
    }

    /// A decimal as a JSON number, in its shortest exact form (`137002000`, `0.0134662`).
    pub(crate) fn number(&mut self, value: Decimal) -> &mut Self {
        self.value_start();
        if value.is_zero() {
            self.out.push('0');
        } else {
            self.out.push_str(&value.normalize().to_string());
        }
        self
    }

    /// A decimal as a JSON string with exactly `dp` decimal places (`"64123.45000000"`).
    pub(crate) fn fixed_string(&mut self, value: Decimal, dp: u32) -> &mut Self {
        self.value_start();
        self.out.push('"');
        self.out.push_str(&fixed(value, dp));
        self.out.push('"');
        self
    }

    /// An integer.
    pub(crate) fn int(&mut self, value: i64) -> &mut Self {
        self.value_start();
        self.out.push_str(&value.to_string());
        self
    }

    /// `true` or `false`.
    pub(crate) fn bool(&mut self, value: bool) -> &mut Self {
        self.value_start();
        self.out.push_str(if value { "true" } else { "false" });
        self
    }

    /// `null`.
    pub(crate) fn null(&mut self) -> &mut Self {
        self.value_start();
        self.out.push_str("null");
        self
    }
}

/// `value` rounded to `dp` places and written with exactly that many (no `-0`).
pub(crate) fn fixed(value: Decimal, dp: u32) -> String {
    let dp = dp.min(28);
    let mut rounded = value.round_dp(dp);
    if rounded.is_zero() {
        rounded = Decimal::ZERO;
    }
    rounded.rescale(dp);
    rounded.to_string()
}

/// Appends `text` as a JSON string literal.
fn push_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn writes_valid_json_in_order() {
        let mut w = JsonWriter::with_capacity(64);
        w.begin_object();
        w.key("a")
            .number(Decimal::from_str("137002000.000").unwrap());
        w.key("b")
            .fixed_string(Decimal::from_str("0.0024").unwrap(), 8);
        w.key("c").begin_array();
        w.begin_array().string("x\"y").int(-3).end_array();
        w.bool(true).null().end_array();
        w.key("d").begin_object().end_object();
        w.end_object();
        let text = w.finish();
        assert_eq!(
            text,
            r#"{"a":137002000,"b":"0.00240000","c":[["x\"y",-3],true,null],"d":{}}"#
        );
        assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
    }

    #[test]
    fn decimals_are_exact_and_never_negative_zero() {
        let cases = [
            ("0.0134662", 8, "0.0134662", "0.01346620"),
            ("-0.000000001", 8, "-0.000000001", "0.00000000"),
            ("-1.5", 3, "-1.5", "-1.500"),
            ("0.00", 2, "0", "0.00"),
            ("123.4565", 3, "123.4565", "123.456"),
        ];
        for (index, (input, dp, number, fixed_text)) in cases.into_iter().enumerate() {
            let value = Decimal::from_str(input).unwrap();
            let mut w = JsonWriter::default();
            w.number(value);
            assert_eq!(w.finish(), number, "TC{index}");
            assert_eq!(fixed(value, dp), fixed_text, "TC{index}");
        }
    }
}
