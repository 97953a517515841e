//! The scanner's tests: the grammar against serde_json (tables and properties), numbers,
//! strings, errors and their wording.

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
