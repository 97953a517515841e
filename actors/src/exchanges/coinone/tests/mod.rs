//! The exchange test suite, for Coinone: subscribe frames, connection settings, WebSocket
//! frames, exact numbers, binary and text frames, damaged input, REST bodies, symbols and the
//! shared fixtures. Frames were written for these tests from Coinone's documented formats
//! (`actors/tests/data/coinone/` and inline below), with other markets and values than the
//! shared fixtures, which are decoded separately (`shared_fixtures_decode`).

mod fixtures;
mod rest;

use fixtures::shared_fixture;

use std::time::Duration;

use premia_events::marketdata::{MarketData, Ticker};
use premia_events::{Exchange, Timestamp};
use serde_json::Value;

use super::symbols::{frame_code, parse_currencies, path_code};
use super::{CoinoneCodec, DEFAULT_WS_URL};
use crate::exchanges::testkit::{
    Case, Expect, RECEIVED, WithTime, assert_abbreviated_decode_alike, assert_codec_for_refuses,
    assert_prefixes_rejected, book, dec, market, markets, report_cost, run_cases, run_rest, run_ws,
    ticker,
};
use crate::exchanges::{BookSync, ExchangeCodec, FrameClass, KeepAlive, codec_for};

const WS_TICKER_KRW_ETH: &str =
    include_str!("../../../../tests/data/coinone/ws_ticker_krw_eth.json");
const WS_BOOK_KRW_XRP: &str =
    include_str!("../../../../tests/data/coinone/ws_orderbook_krw_xrp.json");
const REST_TICKER_KRW_ETH: &str =
    include_str!("../../../../tests/data/coinone/rest_ticker_krw_eth.json");
const REST_BOOK_KRW_SOL: &str =
    include_str!("../../../../tests/data/coinone/rest_orderbook_krw_sol.json");

const SUBSCRIBED: &str = r#"{"response_type":"SUBSCRIBED","channel":"ORDERBOOK","data":{"quote_currency":"KRW","target_currency":"XRP"}}"#;
const PONG: &str = r#"{"response_type":"PONG"}"#;
const CONNECTED: &str = r#"{"response_type":"CONNECTED","data":{"session_id":"a1b2c3"}}"#;
const ERROR: &str = r#"{"response_type":"ERROR","error_code":160012,"message":"Invalid Topic"}"#;
const WS_TRADE_KRW_ETH: &str = r#"{"response_type":"DATA","channel":"TRADE","data":{"quote_currency":"KRW","target_currency":"ETH","id":"1749619397198001","timestamp":1749619397198,"price":"3650500","qty":"0.0411","is_seller_maker":false}}"#;
const REST_ERROR: &str =
    r#"{"result":"error","error_code":"107","error_msg":"Parameter value is wrong"}"#;

/// The configured markets: ETH, XRP and SOL in KRW.
const MARKETS: [&str; 3] = ["ETH/KRW", "XRP/KRW", "SOL/KRW"];

/// Every valid frame and body above, for the damage tests.
const FRAMES: [&str; 10] = [
    WS_TICKER_KRW_ETH,
    WS_BOOK_KRW_XRP,
    REST_TICKER_KRW_ETH,
    REST_BOOK_KRW_SOL,
    SUBSCRIBED,
    PONG,
    CONNECTED,
    ERROR,
    WS_TRADE_KRW_ETH,
    REST_ERROR,
];

/// Books of 5 levels.
fn codec() -> CoinoneCodec {
    CoinoneCodec::new(&markets(&MARKETS), 5).unwrap()
}

fn ms(millis: i64) -> Option<Timestamp> {
    Some(Timestamp::from_millis(millis))
}

fn eth_ticker() -> MarketData {
    MarketData::Ticker(Ticker {
        best_bid: Some(dec("3650500")),
        best_ask: Some(dec("3651000")),
        open_24h: Some(dec("3602000")),
        high_24h: Some(dec("3688000")),
        low_24h: Some(dec("3571000")),
        volume_24h: Some(dec("1021.40300010")),
        exchange_time: ms(1_749_619_397_198),
        ..ticker(Exchange::Coinone, "ETH/KRW", "3650500")
    })
}

/// Asks arrive highest first and are sorted; 6 levels a side cut to 5; `id` is the seq.
fn xrp_book() -> MarketData {
    let MarketData::Book(mut snapshot) = MarketData::Book(book(
        Exchange::Coinone,
        "XRP/KRW",
        &[
            ("3105", "12044.3900"),
            ("3104", "8721.4"),
            ("3103", "3099.21"),
            ("3102", "5121.041"),
            ("3101", "931.2"),
        ],
        &[
            ("3106", "4821.1530"),
            ("3107", "1539.02"),
            ("3108", "10293.4778"),
            ("3109", "4200"),
            ("3110", "23184.5602"),
        ],
    ))
    .with_time(1_749_619_398_038) else {
        unreachable!()
    };
    snapshot.seq = Some(1_749_619_398_038_002);
    MarketData::Book(snapshot)
}

fn ticker_with_last(last: &str) -> String {
    format!(
        r#"{{"response_type":"DATA","channel":"TICKER","data":{{"quote_currency":"KRW","target_currency":"ETH","timestamp":1749619397198,"last":{last}}}}}"#
    )
}

fn last_only(last: &str) -> Expect {
    Expect::data(vec![
        MarketData::Ticker(ticker(Exchange::Coinone, "ETH/KRW", last)).with_time(1_749_619_397_198),
    ])
}

#[test]
fn subscribe_is_one_frame_per_channel_and_market() {
    let frames = codec().subscribe(Timestamp::EPOCH);
    let frames: Vec<Value> = frames
        .iter()
        .map(|frame| serde_json::from_str(frame).unwrap())
        .collect();
    let request = |channel: &str, target: &str| serde_json::json!({"request_type":"SUBSCRIBE","channel":channel,"topic":{"quote_currency":"KRW","target_currency":target}});
    assert_eq!(
        frames,
        [
            request("TICKER", "ETH"),
            request("ORDERBOOK", "ETH"),
            request("TICKER", "XRP"),
            request("ORDERBOOK", "XRP"),
            request("TICKER", "SOL"),
            request("ORDERBOOK", "SOL"),
        ]
    );
    assert!(
        CoinoneCodec::new(&[], 5)
            .unwrap()
            .subscribe(Timestamp::EPOCH)
            .is_empty()
    );
}

#[test]
fn subscribe_is_the_shared_fixture_for_btc() {
    let Some(text) = shared_fixture("ws_subscribe.json") else {
        return;
    };
    let fixture: Value = serde_json::from_str(&text).unwrap();
    let codec = CoinoneCodec::new(&markets(&["BTC/KRW"]), 15).unwrap();
    let ours: Vec<Value> = codec
        .subscribe(Timestamp::EPOCH)
        .iter()
        .map(|frame| serde_json::from_str(frame).unwrap())
        .collect();
    assert_eq!(Value::Array(ours), fixture);
}

#[test]
fn connection_settings() {
    let codec = codec();
    assert_eq!(codec.exchange(), Exchange::Coinone);
    assert_eq!(codec.markets(), &markets(&MARKETS)[..]);
    assert_eq!(codec.ws_url(DEFAULT_WS_URL), DEFAULT_WS_URL);
    assert_eq!(codec.ws_url("ws://127.0.0.1:9001"), "ws://127.0.0.1:9001");
    assert_eq!(
        codec.keep_alive(),
        Some((
            Duration::from_secs(60),
            KeepAlive::Text(r#"{"request_type":"PING"}"#.into())
        ))
    );
    assert_eq!(codec.max_connection_lifetime(), None);
    assert_eq!(codec.book_sync(), BookSync::Snapshots);
    assert_eq!(codec.book_checksum(&market("ETH/KRW"), &[], &[]), None);
    for (requested, kept, size) in [
        (0, 1, 5),
        (5, 5, 5),
        (12, 12, 15),
        (16, 16, 16),
        (50, 16, 16),
    ] {
        let codec = CoinoneCodec::new(&markets(&["BTC/KRW"]), requested).unwrap();
        assert_eq!(codec.depth(), kept);
        assert_eq!(
            codec.rest_book_requests(),
            [format!("/public/v2/orderbook/KRW/BTC?size={size}")]
        );
    }
}

#[test]
fn decodes_websocket_frames() {
    let cases = [
        Case::new(
            "ticker",
            WS_TICKER_KRW_ETH,
            Expect::data(vec![eth_ticker()]),
        ),
        Case::new(
            "book sorted best first and cut to depth",
            WS_BOOK_KRW_XRP,
            Expect::data(vec![xrp_book()]),
        ),
        Case::new("subscribed", SUBSCRIBED, Expect::class(FrameClass::Ack)),
        Case::new("pong", PONG, Expect::class(FrameClass::Pong)),
        Case::new("connected", CONNECTED, Expect::class(FrameClass::Status)),
        Case::new(
            "error",
            ERROR,
            Expect::class(FrameClass::Error("160012: Invalid Topic".into())),
        ),
        Case::new(
            "trade: a channel we did not subscribe to",
            WS_TRADE_KRW_ETH,
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "ticker of a market not configured",
            WS_TICKER_KRW_ETH.replace("\"ETH\"", "\"ADA\""),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "a response type not known",
            r#"{"response_type":"NOTICE","message":"maintenance"}"#,
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "data before channel, lower-case currencies, a side empty",
            r#"{"data":{"quote_currency":"krw","target_currency":"sol","timestamp":1749619399001,"asks":[],"bids":[{"price":"216300","qty":"1"}]},"channel":"ORDERBOOK","response_type":"DATA"}"#,
            Expect::data(vec![
                MarketData::Book(book(Exchange::Coinone, "SOL/KRW", &[("216300", "1")], &[]))
                    .with_time(1_749_619_399_001),
            ]),
        ),
    ];
    run_ws(&mut codec(), &cases);
}

#[test]
fn numbers_are_exact() {
    let cases = [
        Case::new(
            "trailing zeros keep their scale",
            ticker_with_last(r#""3650500.0""#),
            last_only("3650500.0"),
        ),
        Case::new(
            "exponent",
            ticker_with_last(r#""3.6505E6""#),
            last_only("3650500"),
        ),
        Case::new(
            "more digits than f64 holds",
            ticker_with_last(r#""3650500.000000000000000001""#),
            last_only("3650500.000000000000000001"),
        ),
        Case::new(
            "a JSON number",
            ticker_with_last("3650500.5"),
            last_only("3650500.5"),
        ),
        Case::new(
            "over-long significant digits",
            ticker_with_last(r#""3650500.12345678901234567890123""#),
            Expect::Rejected("last"),
        ),
        Case::new(
            "text",
            ticker_with_last(r#""n/a""#),
            Expect::Rejected("last"),
        ),
        Case::new(
            "null",
            ticker_with_last("null"),
            Expect::Rejected("missing field last"),
        ),
    ];
    run_ws(&mut codec(), &cases);
}

/// Coinone's `SHORT` format: each `DEFAULT` key premia reads and its abbreviation, as the
/// exchange documents them.
const SHORT_KEYS: [(&str, &str); 18] = [
    ("response_type", "r"),
    ("channel", "c"),
    ("data", "d"),
    ("quote_currency", "qc"),
    ("target_currency", "tc"),
    ("timestamp", "t"),
    ("id", "i"),
    ("last", "la"),
    ("first", "fi"),
    ("high", "hi"),
    ("low", "lo"),
    ("target_volume", "tv"),
    ("ask_best_price", "abp"),
    ("bid_best_price", "bbp"),
    ("asks", "a"),
    ("bids", "b"),
    ("price", "p"),
    ("qty", "q"),
];

#[test]
fn short_format_frames_decode_as_default_ones() {
    let frames = [WS_TICKER_KRW_ETH, WS_BOOK_KRW_XRP, WS_TRADE_KRW_ETH];
    assert_abbreviated_decode_alike(&mut codec(), &frames, &SHORT_KEYS);
}

#[test]
fn binary_and_text_frames_decode_alike() {
    let mut codec = codec();
    // A text frame arrives as the bytes of its string, a binary one as bytes.
    let text: String = WS_BOOK_KRW_XRP.to_string();
    let binary: Vec<u8> = WS_BOOK_KRW_XRP.as_bytes().to_vec();
    let (mut from_text, mut from_binary) = (Vec::new(), Vec::new());
    let a = codec.decode(text.as_bytes(), RECEIVED, &mut from_text);
    let b = codec.decode(&binary, RECEIVED, &mut from_binary);
    assert_eq!((a, b), (Ok(FrameClass::Data), Ok(FrameClass::Data)));
    assert_eq!(from_text, from_binary);
}

#[test]
fn malformed_frames_are_decode_errors() {
    let book = |data: &str| {
        format!(
            r#"{{"response_type":"DATA","channel":"ORDERBOOK","data":{{"quote_currency":"KRW","target_currency":"XRP",{data}}}}}"#
        )
    };
    let cases = [
        Case::new("empty", "", Expect::Rejected("empty frame")),
        Case::new("array", "[]", Expect::Rejected("expected a JSON object")),
        Case::new("not JSON", "{a:1}", Expect::Rejected("not valid JSON")),
        Case::new(
            "truncated",
            "{\"response_type\":\"DA",
            Expect::Rejected("truncated JSON"),
        ),
        Case::new(
            "empty object",
            "{}",
            Expect::Rejected("missing field response_type"),
        ),
        Case::new(
            "data without channel",
            r#"{"response_type":"DATA","data":{}}"#,
            Expect::Rejected("missing field channel"),
        ),
        Case::new(
            "data without data",
            r#"{"response_type":"DATA","channel":"TICKER"}"#,
            Expect::Rejected("missing field data"),
        ),
        Case::new(
            "data not an object",
            r#"{"response_type":"DATA","channel":"TICKER","data":"x"}"#,
            Expect::Rejected("data is not an object"),
        ),
        Case::new(
            "no target currency",
            r#"{"response_type":"DATA","channel":"TICKER","data":{"quote_currency":"KRW","last":"1"}}"#,
            Expect::Rejected("missing field target_currency"),
        ),
        Case::new(
            "book without bids",
            book(r#""asks":[]"#),
            Expect::Rejected("missing field bids"),
        ),
        Case::new(
            "two levels at one price",
            book(r#""asks":[{"price":"1","qty":"1"},{"price":"1","qty":"2"}],"bids":[]"#),
            Expect::Rejected("asks are not in ascending price order"),
        ),
        Case::new(
            "bad id",
            book(r#""id":"abc","asks":[],"bids":[]"#),
            Expect::Rejected("id"),
        ),
        Case::new(
            "bad qty",
            book(r#""asks":[{"price":"1","qty":"-"}],"bids":[]"#),
            Expect::Rejected("level 0 qty"),
        ),
    ];
    run_ws(&mut codec(), &cases);
}

#[test]
fn every_truncation_is_rejected() {
    let mut codec = codec();
    for frame in [WS_TICKER_KRW_ETH, WS_BOOK_KRW_XRP, SUBSCRIBED, PONG, ERROR] {
        assert_prefixes_rejected(&mut codec, frame.as_bytes(), false);
    }
    for body in [REST_TICKER_KRW_ETH, REST_BOOK_KRW_SOL, REST_ERROR] {
        assert_prefixes_rejected(&mut codec, body.as_bytes(), true);
    }
}

crate::never_panics_suite!(codec, FRAMES);

#[test]
fn symbols_map_both_ways() {
    let cases = [("BTC/KRW", "KRW/BTC"), ("1INCH/KRW", "KRW/1INCH")];
    for (index, (text, code)) in cases.into_iter().enumerate() {
        assert_eq!(path_code(&market(text)), code, "TC{index}");
        let (quote, target) = code.split_once('/').unwrap();
        assert_eq!(
            parse_currencies(quote, target),
            Some(market(text)),
            "TC{index}"
        );
        assert_eq!(
            frame_code(&quote.to_lowercase(), &target.to_lowercase()),
            code
        );
    }
    assert_eq!(parse_currencies("KRW", ""), None);
    assert_eq!(parse_currencies("KRW", "B-TC"), None);
}

#[test]
fn codec_for_builds_coinone_and_refuses_what_it_cannot_express() {
    let codec = codec_for(Exchange::Coinone, &markets(&MARKETS), 10).unwrap();
    assert_eq!(codec.exchange(), Exchange::Coinone);
    assert_eq!(codec.markets().len(), 3);
    assert_codec_for_refuses(
        Exchange::Coinone,
        &[
            (&["BTC/KRW", "BTC/KRW"], "BTC/KRW", "listed twice"),
            (
                &["BTC/KRW", "ETH/USDT"],
                "ETH/USDT",
                "Coinone lists markets only in KRW",
            ),
        ],
    );
}

/// `cargo test --release -p premia-actors -- --ignored decode_cost --nocapture`
#[test]
#[ignore = "timing; run in release"]
fn decode_cost() {
    report_cost(
        &mut codec(),
        &[
            ("ws ticker", WS_TICKER_KRW_ETH.as_bytes(), false),
            ("ws book", WS_BOOK_KRW_XRP.as_bytes(), false),
            ("rest ticker", REST_TICKER_KRW_ETH.as_bytes(), true),
        ],
    );
}
