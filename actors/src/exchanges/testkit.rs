//! The shared half of the test suite every exchange codec runs (`exchanges/<name>/tests/`):
//! expected-value builders, a table runner for frames and REST bodies, the "never panics,
//! never leaves half a frame behind" checks, a proptest strategy that damages valid frames,
//! and a cost measurement against plain JSON validation.
//!
//! Expected market data is compared with `==` *and* by its `Debug` text, so a decimal must
//! also keep the scale the exchange wrote (`31883000.00000000` is not `31883000`).

use std::str::FromStr;
use std::time::{Duration, Instant};

use premia_events::marketdata::{BookSnapshot, Level, MarketData, Ticker};
use premia_events::{Decimal, Exchange, Market, Timestamp};
use proptest::prelude::*;
use serde::de::IgnoredAny;

use super::{CodecSetupError, DecodeError, ExchangeCodec, FrameClass, codec_for};

/// Checks that [`codec_for`] refuses each market list, naming the market it refuses and why.
/// Each case is (the markets listed, the market refused, the reason given).
pub fn assert_codec_for_refuses(exchange: Exchange, cases: &[(&[&str], &str, &str)]) {
    for (index, (listed, bad, reason)) in cases.iter().enumerate() {
        assert_eq!(
            codec_for(exchange, &markets(listed), 5).unwrap_err(),
            CodecSetupError::Market {
                exchange,
                market: market(bad),
                reason: (*reason).into(),
            },
            "TC{index}"
        );
    }
}

/// The receive time every test passes in.
pub const RECEIVED: Timestamp = Timestamp(1_763_700_000_123_456_789);

/// A decimal exactly as written, scale included.
pub fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

/// A market from `BASE/QUOTE`.
pub fn market(text: &str) -> Market {
    text.parse().unwrap()
}

/// Markets from `BASE/QUOTE` texts.
pub fn markets(texts: &[&str]) -> Vec<Market> {
    texts.iter().map(|text| market(text)).collect()
}

/// A level from price and quantity text.
pub fn lv(price: &str, quantity: &str) -> Level {
    Level::new(dec(price), dec(quantity))
}

/// A ticker with only the last price set, received at [`RECEIVED`]; fill in the rest with
/// struct update syntax.
pub fn ticker(exchange: Exchange, market_text: &str, last: &str) -> Ticker {
    Ticker {
        exchange,
        market: market(market_text),
        last: dec(last),
        best_bid: None,
        best_ask: None,
        open_24h: None,
        high_24h: None,
        low_24h: None,
        volume_24h: None,
        exchange_time: None,
        received: RECEIVED,
    }
}

/// A book received at [`RECEIVED`].
pub fn book(
    exchange: Exchange,
    market_text: &str,
    bids: &[(&str, &str)],
    asks: &[(&str, &str)],
) -> BookSnapshot {
    let levels = |side: &[(&str, &str)]| side.iter().map(|(p, q)| lv(p, q)).collect();
    BookSnapshot {
        exchange,
        market: market(market_text),
        bids: levels(bids),
        asks: levels(asks),
        seq: None,
        exchange_time: None,
        received: RECEIVED,
    }
}

/// Sets the exchange time of expected market data.
pub trait WithTime {
    /// The same data with the exchange time `millis` ms after the epoch.
    fn with_time(self, millis: i64) -> MarketData;
}

impl WithTime for MarketData {
    fn with_time(mut self, millis: i64) -> MarketData {
        let time = Some(Timestamp::from_millis(millis));
        match &mut self {
            MarketData::Ticker(t) => t.exchange_time = time,
            MarketData::Book(b) => b.exchange_time = time,
            MarketData::Delta(d) => d.exchange_time = time,
        }
        self
    }
}

/// What decoding one frame must give.
#[derive(Debug)]
pub enum Expect {
    /// This class, with exactly this market data appended.
    Decoded(FrameClass, Vec<MarketData>),
    /// A [`DecodeError`] whose reason contains this text, and nothing appended.
    Rejected(&'static str),
}

impl Expect {
    /// Benign or data-free traffic of this class.
    pub fn class(class: FrameClass) -> Expect {
        Expect::Decoded(class, Vec::new())
    }

    /// Market data.
    pub fn data(data: Vec<MarketData>) -> Expect {
        Expect::Decoded(FrameClass::Data, data)
    }
}

/// One row of a table: a named frame and what it must decode to.
#[derive(Debug)]
pub struct Case {
    /// What the row checks.
    pub name: &'static str,
    /// The frame or body.
    pub frame: Vec<u8>,
    /// The outcome.
    pub expect: Expect,
}

impl Case {
    /// A row.
    pub fn new(name: &'static str, frame: impl Into<Vec<u8>>, expect: Expect) -> Case {
        Case {
            name,
            frame: frame.into(),
            expect,
        }
    }
}

/// Decodes the frame of table row `index` into `out`: the codec's `decode`, `decode_rest`, or
/// `decode_rest_for` with that row's request.
pub type DecodeFn<'a> =
    dyn FnMut(usize, &[u8], &mut Vec<MarketData>) -> Result<FrameClass, DecodeError> + 'a;

/// A value no codec produces, put in `out` before decoding to check that codecs append and
/// that a rejected frame leaves `out` as it was.
fn sentinel() -> MarketData {
    MarketData::Ticker(Ticker {
        exchange: Exchange::Kraken,
        market: market("SENTINEL/ZZZ"),
        last: Decimal::ONE,
        best_bid: None,
        best_ask: None,
        open_24h: None,
        high_24h: None,
        low_24h: None,
        volume_24h: None,
        exchange_time: None,
        received: Timestamp::EPOCH,
    })
}

/// Runs a table: every row through `decode`, labelled `TC<index> <name>` in failures.
pub fn run_cases(exchange: Exchange, decode: &mut DecodeFn<'_>, cases: &[Case]) {
    for (index, case) in cases.iter().enumerate() {
        let label = format!("TC{index} {}", case.name);
        let mut out = vec![sentinel()];
        let result = decode(index, &case.frame, &mut out);
        assert_eq!(out.first(), Some(&sentinel()), "{label}: output replaced");
        let appended = out.get(1..).unwrap_or_default();
        match (&case.expect, result) {
            (Expect::Decoded(class, data), Ok(got)) => {
                assert_eq!(&got, class, "{label}: class");
                assert_eq!(appended, &data[..], "{label}: data");
                assert_eq!(
                    format!("{appended:?}"),
                    format!("{data:?}"),
                    "{label}: decimal scales"
                );
            }
            (Expect::Rejected(text), Err(error)) => {
                assert_eq!(error.exchange, exchange, "{label}: exchange");
                assert!(
                    error.reason.contains(text),
                    "{label}: reason {:?} does not mention {text:?}",
                    error.reason
                );
                assert!(appended.is_empty(), "{label}: data left after an error");
            }
            (expect, result) => panic!("{label}: expected {expect:?}, got {result:?}"),
        }
    }
}

/// Runs a table through the codec's WebSocket `decode`.
pub fn run_ws(codec: &mut dyn ExchangeCodec, cases: &[Case]) {
    let exchange = codec.exchange();
    run_cases(
        exchange,
        &mut |_, frame, out| codec.decode(frame, RECEIVED, out),
        cases,
    );
}

/// Runs a table through the codec's `decode_rest`.
pub fn run_rest(codec: &mut dyn ExchangeCodec, cases: &[Case]) {
    let exchange = codec.exchange();
    run_cases(
        exchange,
        &mut |_, frame, out| codec.decode_rest(frame, RECEIVED, out),
        cases,
    );
}

/// The shared half of every codec's "binary and text frames decode alike" test: `data` (a frame
/// of market data) decodes the same from a text and a binary frame; a frame of `prefix`, a string
/// holding invalid UTF-8 and `close` is rejected as JSON; a byte order mark before `ack` is
/// rejected; white space around `ack` is not.
pub fn assert_binary_and_text_alike(
    codec: &mut dyn ExchangeCodec,
    data: &str,
    prefix: &[u8],
    close: &[u8],
    ack: &str,
) {
    let text: String = data.to_string();
    let binary: Vec<u8> = data.as_bytes().to_vec();
    let (mut from_text, mut from_binary) = (Vec::new(), Vec::new());
    let a = codec.decode(text.as_bytes(), RECEIVED, &mut from_text);
    let b = codec.decode(&binary, RECEIVED, &mut from_binary);
    assert_eq!((a, b), (Ok(FrameClass::Data), Ok(FrameClass::Data)));
    assert_eq!(from_text, from_binary);

    let not_utf8 = [prefix, b"\"\xc3\x28\"", close].concat();
    let cases = [
        Case::new(
            "invalid UTF-8 in a string",
            not_utf8,
            Expect::Rejected("JSON"),
        ),
        Case::new(
            "byte order mark",
            [b"\xef\xbb\xbf".as_slice(), ack.as_bytes()].concat(),
            Expect::Rejected("expected a JSON object"),
        ),
        Case::new(
            "whitespace around a text frame",
            format!("\n {ack} \n"),
            Expect::class(FrameClass::Ack),
        ),
    ];
    run_ws(codec, &cases);
}

/// The two "never panics" proptests every codec's suite runs: arbitrary bytes, and damaged copies
/// of its valid `frames` (see [`edits`]), each through [`assert_total`] on a fresh `codec()`.
#[macro_export]
macro_rules! never_panics_suite {
    ($codec:ident, $frames:ident) => {
        proptest::proptest! {
            #[test]
            fn arbitrary_bytes_never_panic(
                bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)
            ) {
                $crate::exchanges::testkit::assert_total(&mut $codec(), &bytes);
            }

            #[test]
            fn damaged_frames_never_panic(
                index in 0..$frames.len(),
                edits in $crate::exchanges::testkit::edits(),
            ) {
                $crate::exchanges::testkit::assert_total(
                    &mut $codec(),
                    &$crate::exchanges::testkit::apply_edits($frames[index].as_bytes(), &edits),
                );
            }
        }
    };
}

/// Checks that `decode` and `decode_rest` return (never panic) on `bytes`, and that an error
/// leaves the output as it was.
pub fn assert_total(codec: &mut dyn ExchangeCodec, bytes: &[u8]) {
    for rest in [false, true] {
        let mut out = vec![sentinel()];
        let result = if rest {
            codec.decode_rest(bytes, RECEIVED, &mut out)
        } else {
            codec.decode(bytes, RECEIVED, &mut out)
        };
        if let Err(error) = result {
            assert_eq!(out, vec![sentinel()], "data left after {error}");
            assert_eq!(error.exchange, codec.exchange());
        }
    }
}

/// Upbit's and Bithumb's `SIMPLE` WebSocket format: each `DEFAULT` key premia reads and its
/// abbreviation, as the exchanges document them.
pub const UPBIT_SIMPLE_KEYS: [(&str, &str); 13] = [
    ("type", "ty"),
    ("code", "cd"),
    ("opening_price", "op"),
    ("high_price", "hp"),
    ("low_price", "lp"),
    ("trade_price", "tp"),
    ("acc_trade_volume_24h", "atv24h"),
    ("timestamp", "tms"),
    ("orderbook_units", "obu"),
    ("ask_price", "ap"),
    ("bid_price", "bp"),
    ("ask_size", "as"),
    ("bid_size", "bs"),
];

/// Checks that each of `frames` (in a `DEFAULT` format) decodes exactly as it does with its keys
/// abbreviated by `keys` (`(default, short)` pairs, replaced where they stand as keys), so a
/// frame recorded in the exchange's short format reads the same.
pub fn assert_abbreviated_decode_alike(
    codec: &mut dyn ExchangeCodec,
    frames: &[&str],
    keys: &[(&str, &str)],
) {
    for frame in frames {
        let short = keys
            .iter()
            .fold((*frame).to_string(), |text, (long, short)| {
                text.replace(&format!("\"{long}\":"), &format!("\"{short}\":"))
            });
        assert_ne!(&short, frame, "no key of {frame} was abbreviated");
        let mut expected = Vec::new();
        let class = codec.decode(frame.as_bytes(), RECEIVED, &mut expected);
        let mut got = Vec::new();
        let short_class = codec.decode(short.as_bytes(), RECEIVED, &mut got);
        assert_eq!(short_class, class, "{short}");
        assert_eq!(got, expected, "{short}");
    }
}

/// Upbit's and Bithumb's list formats (`JSON_LIST`, `SIMPLE_LIST`: messages in an array): a
/// list of the `data` frames (a ticker and a book, say) decodes as those frames do one by one,
/// a list of `other` (a message of a type not read) is unknown, an empty list is unknown, and a
/// list with a bad message is refused naming its index.
pub fn assert_lists_decode_as_their_messages(
    codec: &mut dyn ExchangeCodec,
    data: [&str; 2],
    other: &str,
) {
    let mut expected = Vec::new();
    for frame in data {
        let class = codec.decode(frame.as_bytes(), RECEIVED, &mut expected);
        assert_eq!(class.ok(), Some(FrameClass::Data), "{frame}");
    }
    let [first, second] = data;
    let cases = [
        Case::new(
            "two messages in one list",
            format!("[{first},{second}]"),
            Expect::data(expected),
        ),
        Case::new(
            "a message of a type not read, in a list",
            format!("[{other}]"),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new("empty list", "[]", Expect::class(FrameClass::Unknown)),
        Case::new(
            "a list with a bad message",
            r#"[{"type":"ticker","code":"KRW-ETH"}]"#,
            Expect::Rejected("[0]: "),
        ),
    ];
    run_ws(codec, &cases);
}

/// Checks that every strict prefix of `frame` (a valid JSON object or array without trailing
/// whitespace) is rejected by `decode` or `decode_rest`, as chosen, without appending anything.
pub fn assert_prefixes_rejected(codec: &mut dyn ExchangeCodec, frame: &[u8], rest: bool) {
    let frame = frame.trim_ascii_end();
    for end in 0..frame.len() {
        let prefix = &frame[..end];
        let mut out = Vec::new();
        let result = if rest {
            codec.decode_rest(prefix, RECEIVED, &mut out)
        } else {
            codec.decode(prefix, RECEIVED, &mut out)
        };
        assert!(
            result.is_err(),
            "prefix of {end} bytes accepted: {:?}",
            String::from_utf8_lossy(prefix)
        );
        assert!(out.is_empty(), "prefix of {end} bytes left data");
    }
}

/// One edit of a frame: replace, insert or delete a byte at a position (taken modulo the
/// frame's length), or cut the frame there.
#[derive(Clone, Debug)]
pub enum Edit {
    /// Overwrite a byte.
    Replace(usize, u8),
    /// Insert a byte.
    Insert(usize, u8),
    /// Delete a byte.
    Delete(usize),
    /// Cut the frame at a position.
    Truncate(usize),
}

/// Applies `edits` to `frame`.
pub fn apply_edits(frame: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut bytes = frame.to_vec();
    for edit in edits {
        let len = bytes.len().max(1);
        match *edit {
            Edit::Replace(at, byte) => {
                if let Some(slot) = bytes.get_mut(at % len) {
                    *slot = byte;
                }
            }
            Edit::Insert(at, byte) => bytes.insert(at % (bytes.len() + 1), byte),
            Edit::Delete(at) => {
                if !bytes.is_empty() {
                    bytes.remove(at % len);
                }
            }
            Edit::Truncate(at) => bytes.truncate(at % len),
        }
    }
    bytes
}

/// One to eight random edits. Bytes favour JSON punctuation, digits and quotes, which reach
/// deeper into a decoder than random noise.
pub fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let byte = prop_oneof![
        any::<u8>(),
        prop::sample::select(b"{}[]:,\"\\0123456789.eE-+ n".to_vec()),
    ];
    let edit = prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(at, b)| Edit::Replace(at, b)),
        (any::<usize>(), byte).prop_map(|(at, b)| Edit::Insert(at, b)),
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Truncate),
    ];
    prop::collection::vec(edit, 1..8)
}

/// How long `decode` takes on `frame` against validating the same bytes with serde_json into
/// `IgnoredAny`, as (decode, validate) per frame, best of a few rounds.
pub fn cost_against_validation(
    codec: &mut dyn ExchangeCodec,
    frame: &[u8],
    rest: bool,
) -> (Duration, Duration) {
    const ITERATIONS: u32 = 20_000;
    let mut out = Vec::with_capacity(4);
    let mut best = (Duration::MAX, Duration::MAX);
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..ITERATIONS {
            out.clear();
            let result = if rest {
                codec.decode_rest(std::hint::black_box(frame), RECEIVED, &mut out)
            } else {
                codec.decode(std::hint::black_box(frame), RECEIVED, &mut out)
            };
            assert_eq!(result, Ok(FrameClass::Data));
        }
        let decode = start.elapsed() / ITERATIONS;
        let start = Instant::now();
        for _ in 0..ITERATIONS {
            let value: IgnoredAny = serde_json::from_slice(std::hint::black_box(frame)).unwrap();
            std::hint::black_box(value);
        }
        let validate = start.elapsed() / ITERATIONS;
        best = (best.0.min(decode), best.1.min(validate));
    }
    best
}

/// The target for decoding: at most twice the cost of validating the same bytes.
pub const TARGET_PERCENT: u128 = 200;

/// What an optimised build must stay under, so that a slowdown shows: the typed serde decode
/// measured 240–440% of validation (see the codecs' `decode_cost` tests), short of the target.
pub const REGRESSION_PERCENT: u128 = 600;

/// Prints the cost of decoding each named frame relative to validating it, against
/// [`TARGET_PERCENT`], and in an optimised build fails above [`REGRESSION_PERCENT`].
pub fn report_cost(codec: &mut dyn ExchangeCodec, frames: &[(&str, &[u8], bool)]) {
    let mut over = Vec::new();
    for (name, frame, rest) in frames {
        let (decode, validate) = cost_against_validation(codec, frame, *rest);
        let percent = decode.as_nanos() * 100 / validate.as_nanos().max(1);
        println!(
            "{} {name}: {} bytes, decode {decode:?}, validate {validate:?}: {percent}% \
             (target {TARGET_PERCENT}%)",
            codec.exchange(),
            frame.len()
        );
        if percent > REGRESSION_PERCENT {
            over.push(format!("{name}: {percent}%"));
        }
    }
    if !cfg!(debug_assertions) {
        assert!(over.is_empty(), "decode got slower: {over:?}");
    }
}

/// The exact-number table every exchange that sends decimals as JSON strings shares (Binance,
/// OKX, Bybit, Gate.io): scale kept, more digits than f64, exponents, over-long zeros accepted;
/// a bare JSON number, over-long significant digits, out-of-range values and text that is not
/// JSON number grammar refused. `field` is how the errors name the last-price field (`"c: "`);
/// `ticker_with_last` builds a ticker frame with the given raw `last` token and `last_only` the
/// ticker it must decode to.
pub fn string_decimal_cases(
    field: &'static str,
    ticker_with_last: fn(&str) -> String,
    last_only: fn(&str) -> Expect,
) -> Vec<Case> {
    vec![
        Case::new(
            "trailing zeros keep their scale",
            ticker_with_last(r#""0.00000100""#),
            last_only("0.00000100"),
        ),
        Case::new(
            "more digits than f64 holds",
            ticker_with_last(r#""98765432.12345678""#),
            last_only("98765432.12345678"),
        ),
        Case::new(
            "exponent in a string",
            ticker_with_last(r#""2.75428E3""#),
            last_only("2754.28"),
        ),
        Case::new(
            "a JSON number instead of a string",
            ticker_with_last("2754.28"),
            Expect::Rejected("expected a decimal in a JSON string"),
        ),
        Case::new(
            "over-long fraction of zeros",
            ticker_with_last(r#""2754.280000000000000000000000000000""#),
            last_only("2754.28"),
        ),
        Case::new(
            "over-long significant digits",
            ticker_with_last(r#""2754.281234567890123456789012345""#),
            Expect::Rejected(field),
        ),
        Case::new(
            "out of decimal range",
            ticker_with_last(r#""1E30""#),
            Expect::Rejected(field),
        ),
        Case::new(
            "empty string",
            ticker_with_last(r#""""#),
            Expect::Rejected("not a number"),
        ),
        Case::new(
            "not JSON number grammar",
            ticker_with_last(r#""1_000.5""#),
            Expect::Rejected("not a number"),
        ),
        Case::new(
            "sign JSON does not allow",
            ticker_with_last(r#""+2754.28""#),
            Expect::Rejected("not a number"),
        ),
    ]
}
