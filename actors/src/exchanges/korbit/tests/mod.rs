//! The exchange test suite, for Korbit: subscribe frame, connection settings, WebSocket
//! frames, exact numbers, binary and text frames, damaged input, REST bodies, symbols and the
//! shared fixtures. Frames were written for these tests from Korbit's documented formats
//! (`actors/tests/data/korbit/` and inline below), with other markets and values than the
//! shared fixtures, which are decoded separately (`shared_fixtures_decode`).

mod fixtures;
mod rest;

use fixtures::shared_fixture;

use std::time::Duration;

use premia_events::marketdata::{MarketData, Ticker};
use premia_events::{Exchange, Timestamp};
use serde_json::Value;

use super::symbols::{parse_symbol, symbol};
use super::{DEFAULT_WS_URL, KorbitCodec};
use crate::exchanges::testkit::{
    Case, Expect, RECEIVED, WithTime, assert_codec_for_refuses, assert_prefixes_rejected, book,
    dec, market, markets, report_cost, run_cases, run_rest, run_ws, ticker,
};
use crate::exchanges::{BookSync, ExchangeCodec, FrameClass, KeepAlive, codec_for};

const WS_TICKER_ETH_KRW: &str =
    include_str!("../../../../tests/data/korbit/ws_ticker_eth_krw.json");
const WS_BOOK_XRP_KRW: &str =
    include_str!("../../../../tests/data/korbit/ws_orderbook_xrp_krw.json");
const REST_TICKERS: &str = include_str!("../../../../tests/data/korbit/rest_tickers.json");
const REST_BOOK_SOL_KRW: &str =
    include_str!("../../../../tests/data/korbit/rest_orderbook_sol_krw.json");

const ACK: &str = r#"{"status":"success","requestId":7}"#;
const FAIL: &str = r#"{"status":"fail","requestId":8,"code":"INVALID_SYMBOL"}"#;
const ERROR: &str = r#"{"status":"error","message":"invalid request format"}"#;
const WS_TRADE_ETH_KRW: &str = r#"{"type":"trade","timestamp":1749619397760,"symbol":"eth_krw","snapshot":false,"data":[{"timestamp":1749619397022,"price":"3650500","qty":"0.0411","isBuyerTaker":true,"tradeId":2231}]}"#;
const REST_ERROR: &str =
    r#"{"success":false,"error":{"code":"TRY_AGAIN","message":"please try again later"}}"#;

/// The configured markets: Korbit symbols eth_krw, xrp_krw, sol_krw.
const MARKETS: [&str; 3] = ["ETH/KRW", "XRP/KRW", "SOL/KRW"];

/// Every valid frame and body above, for the damage tests.
const FRAMES: [&str; 9] = [
    WS_TICKER_ETH_KRW,
    WS_BOOK_XRP_KRW,
    REST_TICKERS,
    REST_BOOK_SOL_KRW,
    ACK,
    FAIL,
    ERROR,
    WS_TRADE_ETH_KRW,
    REST_ERROR,
];

/// Books of 5 levels.
fn codec() -> KorbitCodec {
    KorbitCodec::new(&markets(&MARKETS), 5).unwrap()
}

fn ms(millis: i64) -> Option<Timestamp> {
    Some(Timestamp::from_millis(millis))
}

/// Timed by the envelope's send time.
fn eth_ticker() -> MarketData {
    MarketData::Ticker(Ticker {
        best_bid: Some(dec("3650500")),
        best_ask: Some(dec("3651000")),
        open_24h: Some(dec("3602000")),
        high_24h: Some(dec("3688000")),
        low_24h: Some(dec("3571000")),
        volume_24h: Some(dec("1021.40300010")),
        exchange_time: ms(1_749_619_397_754),
        ..ticker(Exchange::Korbit, "ETH/KRW", "3650500")
    })
}

/// 6 levels a side cut to 5; timed by the book's own time, not the envelope's.
fn xrp_book() -> MarketData {
    MarketData::Book(book(
        Exchange::Korbit,
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
    .with_time(1_749_619_398_034)
}

fn ticker_with_close(close: &str) -> String {
    format!(
        r#"{{"type":"ticker","timestamp":1749619397754,"symbol":"eth_krw","data":{{"close":{close}}}}}"#
    )
}

fn close_only(close: &str) -> Expect {
    Expect::data(vec![
        MarketData::Ticker(ticker(Exchange::Korbit, "ETH/KRW", close)).with_time(1_749_619_397_754),
    ])
}

#[test]
fn subscribe_is_one_array_of_two_requests() {
    let frames = codec().subscribe(Timestamp::EPOCH);
    assert_eq!(frames.len(), 1);
    let frame: Value = serde_json::from_str(&frames[0]).unwrap();
    assert_eq!(
        frame,
        serde_json::json!([
            {"method":"subscribe","type":"ticker","symbols":["eth_krw","xrp_krw","sol_krw"]},
            {"method":"subscribe","type":"orderbook","symbols":["eth_krw","xrp_krw","sol_krw"]}
        ])
    );
    assert!(
        KorbitCodec::new(&[], 5)
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
    let codec = KorbitCodec::new(&markets(&["BTC/KRW"]), 30).unwrap();
    let ours: Value = serde_json::from_str(&codec.subscribe(Timestamp::EPOCH)[0]).unwrap();
    assert_eq!(ours, fixture);
}

#[test]
fn connection_settings() {
    let codec = codec();
    assert_eq!(codec.exchange(), Exchange::Korbit);
    assert_eq!(codec.markets(), &markets(&MARKETS)[..]);
    assert_eq!(codec.ws_url(DEFAULT_WS_URL), DEFAULT_WS_URL);
    assert_eq!(
        codec.ws_url("ws://127.0.0.1:9001/x"),
        "ws://127.0.0.1:9001/x"
    );
    assert_eq!(
        codec.keep_alive(),
        Some((Duration::from_secs(30), KeepAlive::PingFrame))
    );
    assert_eq!(codec.max_connection_lifetime(), None);
    assert_eq!(codec.book_sync(), BookSync::Snapshots);
    assert_eq!(codec.book_checksum(&market("ETH/KRW"), &[], &[]), None);
    for (requested, kept) in [(0, 1), (5, 5), (30, 30), (100, 30)] {
        assert_eq!(
            KorbitCodec::new(&markets(&MARKETS), requested)
                .unwrap()
                .depth(),
            kept
        );
    }
}

#[test]
fn decodes_websocket_frames() {
    let cases = [
        Case::new(
            "ticker",
            WS_TICKER_ETH_KRW,
            Expect::data(vec![eth_ticker()]),
        ),
        Case::new(
            "book cut to depth, timed by data.timestamp",
            WS_BOOK_XRP_KRW,
            Expect::data(vec![xrp_book()]),
        ),
        Case::new("ack", ACK, Expect::class(FrameClass::Ack)),
        Case::new(
            "fail",
            FAIL,
            Expect::class(FrameClass::Error("INVALID_SYMBOL".into())),
        ),
        Case::new(
            "error",
            ERROR,
            Expect::class(FrameClass::Error("invalid request format".into())),
        ),
        Case::new(
            "fail without a code",
            r#"{"status":"fail","requestId":9}"#,
            Expect::class(FrameClass::Error("fail".into())),
        ),
        Case::new(
            "trade: a type we did not subscribe to",
            WS_TRADE_ETH_KRW,
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "ticker of a market not configured",
            WS_TICKER_ETH_KRW.replace("eth_krw", "ada_krw"),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "data before type, snapshot null, grouped levels with amt",
            r#"{"data":{"asks":[{"price":"216350","qty":"0.5","amt":"108175"}],"bids":[]},"snapshot":null,"symbol":"sol_krw","type":"orderbook","timestamp":1749619399001}"#,
            Expect::data(vec![
                MarketData::Book(book(Exchange::Korbit, "SOL/KRW", &[], &[("216350", "0.5")]))
                    .with_time(1_749_619_399_001),
            ]),
        ),
        Case::new(
            "emptied level (qty 0) dropped from the snapshot",
            r#"{"type":"orderbook","symbol":"sol_krw","timestamp":1749619399001,"data":{"asks":[{"price":"216350","qty":"0"},{"price":"216400","qty":"0.5"}],"bids":[{"price":"216300","qty":"1"}]}}"#,
            Expect::data(vec![
                MarketData::Book(book(
                    Exchange::Korbit,
                    "SOL/KRW",
                    &[("216300", "1")],
                    &[("216400", "0.5")],
                ))
                .with_time(1_749_619_399_001),
            ]),
        ),
        Case::new(
            "private channel message (channelType, no type): not one the feed reads",
            r#"{"symbol":"btc_krw","timestamp":1700000000000,"channelType":"myOrder","order":{"orders":[]}}"#,
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "ticker without the optional fields or time",
            r#"{"type":"ticker","symbol":"sol_krw","data":{"close":"216350"}}"#,
            Expect::data(vec![MarketData::Ticker(ticker(
                Exchange::Korbit,
                "SOL/KRW",
                "216350",
            ))]),
        ),
    ];
    run_ws(&mut codec(), &cases);
}

#[test]
fn numbers_are_exact() {
    let cases = [
        Case::new(
            "trailing zeros keep their scale",
            ticker_with_close(r#""3650500.00000000""#),
            close_only("3650500.00000000"),
        ),
        Case::new(
            "exponent",
            ticker_with_close(r#""3.6505E6""#),
            close_only("3650500"),
        ),
        Case::new(
            "more digits than f64 holds",
            ticker_with_close(r#""3728291000.120000000001""#),
            close_only("3728291000.120000000001"),
        ),
        Case::new(
            "a JSON number",
            ticker_with_close("3650500.5"),
            close_only("3650500.5"),
        ),
        Case::new(
            "over-long significant digits",
            ticker_with_close(r#""3650500.12345678901234567890123""#),
            Expect::Rejected("close"),
        ),
        Case::new(
            "text",
            ticker_with_close(r#""3,650,500""#),
            Expect::Rejected("close"),
        ),
        Case::new(
            "null",
            ticker_with_close("null"),
            Expect::Rejected("missing field close"),
        ),
    ];
    run_ws(&mut codec(), &cases);
}

#[test]
fn binary_and_text_frames_decode_alike() {
    let mut codec = codec();
    // A text frame arrives as the bytes of its string, a binary one as bytes.
    let text: String = WS_BOOK_XRP_KRW.to_string();
    let binary: Vec<u8> = WS_BOOK_XRP_KRW.as_bytes().to_vec();
    let (mut from_text, mut from_binary) = (Vec::new(), Vec::new());
    let a = codec.decode(text.as_bytes(), RECEIVED, &mut from_text);
    let b = codec.decode(&binary, RECEIVED, &mut from_binary);
    assert_eq!((a, b), (Ok(FrameClass::Data), Ok(FrameClass::Data)));
    assert_eq!(from_text, from_binary);
}

#[test]
fn malformed_frames_are_decode_errors() {
    let cases = [
        Case::new("empty", "", Expect::Rejected("empty frame")),
        Case::new("array", "[]", Expect::Rejected("expected a JSON object")),
        Case::new("not JSON", "{type:1}", Expect::Rejected("not valid JSON")),
        Case::new(
            "truncated",
            "{\"type\":\"tick",
            Expect::Rejected("truncated JSON"),
        ),
        Case::new("empty object", "{}", Expect::Rejected("no type or status")),
        Case::new(
            "ticker without symbol",
            r#"{"type":"ticker","data":{"close":"1"}}"#,
            Expect::Rejected("missing field symbol"),
        ),
        Case::new(
            "ticker without data",
            r#"{"type":"ticker","symbol":"eth_krw"}"#,
            Expect::Rejected("missing field data"),
        ),
        Case::new(
            "data not an object",
            r#"{"type":"ticker","symbol":"eth_krw","data":[]}"#,
            Expect::Rejected("data is not an object"),
        ),
        Case::new(
            "book without asks",
            r#"{"type":"orderbook","symbol":"eth_krw","data":{"bids":[]}}"#,
            Expect::Rejected("missing field asks"),
        ),
        Case::new(
            "level without qty",
            r#"{"type":"orderbook","symbol":"eth_krw","data":{"bids":[{"price":"1"}],"asks":[]}}"#,
            Expect::Rejected("level 0: no qty"),
        ),
        Case::new(
            "bad price",
            r#"{"type":"orderbook","symbol":"eth_krw","data":{"bids":[],"asks":[{"price":"1","qty":"1"},{"price":"x","qty":"1"}]}}"#,
            Expect::Rejected("level 1 price"),
        ),
        Case::new(
            "duplicate price",
            r#"{"type":"orderbook","symbol":"eth_krw","data":{"bids":[{"price":"1","price":"2","qty":"1"}],"asks":[]}}"#,
            Expect::Rejected("level 0: duplicate field price"),
        ),
        Case::new(
            "level not an object",
            r#"{"type":"orderbook","symbol":"eth_krw","data":{"bids":[["1","1"]],"asks":[]}}"#,
            Expect::Rejected("level 0 as an object"),
        ),
        Case::new(
            "asks out of order",
            r#"{"type":"orderbook","symbol":"eth_krw","data":{"bids":[],"asks":[{"price":"2","qty":"1"},{"price":"1","qty":"1"}]}}"#,
            Expect::Rejected("asks are not in ascending price order"),
        ),
        Case::new(
            "bad timestamp",
            r#"{"type":"ticker","timestamp":"soon","symbol":"eth_krw","data":{"close":"1"}}"#,
            Expect::Rejected("timestamp"),
        ),
    ];
    run_ws(&mut codec(), &cases);
}

#[test]
fn every_truncation_is_rejected() {
    let mut codec = codec();
    for frame in [WS_TICKER_ETH_KRW, WS_BOOK_XRP_KRW, ACK, FAIL] {
        assert_prefixes_rejected(&mut codec, frame.as_bytes(), false);
    }
    for body in [REST_TICKERS, REST_ERROR] {
        assert_prefixes_rejected(&mut codec, body.as_bytes(), true);
    }
    let mut single = KorbitCodec::new(&markets(&["SOL/KRW"]), 5).unwrap();
    assert_prefixes_rejected(&mut single, REST_BOOK_SOL_KRW.as_bytes(), true);
}

crate::never_panics_suite!(codec, FRAMES);

#[test]
fn symbols_map_both_ways() {
    let cases = [
        ("BTC/KRW", "btc_krw"),
        ("ETH/KRW", "eth_krw"),
        ("1INCH/KRW", "1inch_krw"),
        ("USDT/KRW", "usdt_krw"),
    ];
    for (index, (text, code)) in cases.into_iter().enumerate() {
        assert_eq!(symbol(&market(text)), code, "TC{index}");
        assert_eq!(parse_symbol(code), Some(market(text)), "TC{index}");
    }
    for (index, code) in [
        "BTC_KRW",
        "btckrw",
        "btc_",
        "_krw",
        "krw-btc",
        "btc_krw_x",
        "",
    ]
    .into_iter()
    .enumerate()
    {
        assert_eq!(parse_symbol(code), None, "TC{index}: {code}");
    }
}

#[test]
fn codec_for_builds_korbit_and_refuses_what_it_cannot_express() {
    let codec = codec_for(Exchange::Korbit, &markets(&MARKETS), 10).unwrap();
    assert_eq!(codec.exchange(), Exchange::Korbit);
    assert_eq!(codec.markets().len(), 3);
    assert_codec_for_refuses(
        Exchange::Korbit,
        &[
            (&["BTC/KRW", "BTC/KRW"], "BTC/KRW", "listed twice"),
            (
                &["BTC/KRW", "ETH/BTC"],
                "ETH/BTC",
                "Korbit lists markets only in KRW",
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
            ("ws ticker", WS_TICKER_ETH_KRW.as_bytes(), false),
            ("ws book", WS_BOOK_XRP_KRW.as_bytes(), false),
            ("rest tickers", REST_TICKERS.as_bytes(), true),
        ],
    );
}
