//! The exchange test suite, for Bithumb: subscribe frame, connection settings, WebSocket
//! frames, exact numbers, binary and text frames, damaged input, REST bodies, symbols and the
//! shared fixtures. Frames were written for these tests from Bithumb's documented formats
//! (`actors/tests/data/bithumb/` and inline below), with other markets and values than the
//! shared fixtures, which are decoded separately (`shared_fixtures_decode`).

mod fixtures;
mod rest;

use fixtures::shared_fixture;

use std::time::Duration;

use premia_events::marketdata::{MarketData, Ticker};
use premia_events::{Exchange, Timestamp};
use serde_json::Value;

use super::symbols::{market_code, orderbook_code, parse_market_code};
use super::{DEFAULT_WS_URL, new};
use crate::exchanges::testkit::{
    Case, Expect, RECEIVED, UPBIT_SIMPLE_KEYS, WithTime, assert_abbreviated_decode_alike,
    assert_codec_for_refuses, assert_lists_decode_as_their_messages, assert_prefixes_rejected,
    book, dec, market, markets, report_cost, run_cases, run_rest, run_ws, ticker,
};
use crate::exchanges::upbit::UpbitCodec;
use crate::exchanges::{BookSync, ExchangeCodec, FrameClass, KeepAlive, codec_for};

const WS_TICKER_KRW_ETH: &str =
    include_str!("../../../../tests/data/bithumb/ws_ticker_krw_eth.json");
const WS_BOOK_KRW_XRP: &str =
    include_str!("../../../../tests/data/bithumb/ws_orderbook_krw_xrp.json");
const WS_BOOK_BTC_ETH_MICROS: &str =
    include_str!("../../../../tests/data/bithumb/ws_orderbook_btc_eth_micros.json");
const REST_TICKER: &str = include_str!("../../../../tests/data/bithumb/rest_ticker.json");
const REST_BOOK_KRW_DOGE: &str =
    include_str!("../../../../tests/data/bithumb/rest_orderbook_krw_doge.json");

const STATUS_UP: &str = r#"{"status":"UP"}"#;
const WS_TRADE_KRW_ETH: &str = r#"{"type":"trade","code":"KRW-ETH","trade_price":3650500,"trade_volume":0.0411,"ask_bid":"BID","timestamp":1749619397290,"stream_type":"REALTIME"}"#;
const ERROR_NO_CODES: &str =
    r#"{"error":{"name":"NO_CODES","message":"요청에 codes 필드가 없습니다."}}"#;
const ERROR_WRONG_FORMAT: &str =
    r#"{"error":{"name":"WRONG_FORMAT","message":"Invalid request format: \"ticket\" field"}}"#;
const REST_ERROR_NUMERIC: &str = r#"{"error":{"name":404,"message":"Code not found"}}"#;
const REST_ERROR_INVALID: &str =
    r#"{"error":{"message":"Invalid parameter.","name":"invalid_parameter"}}"#;

/// The configured markets: Bithumb codes KRW-ETH, KRW-XRP, BTC-ETH, KRW-DOGE.
const MARKETS: [&str; 4] = ["ETH/KRW", "XRP/KRW", "ETH/BTC", "DOGE/KRW"];

/// Every valid frame and body above, for the damage tests.
const FRAMES: [&str; 11] = [
    WS_TICKER_KRW_ETH,
    WS_BOOK_KRW_XRP,
    WS_BOOK_BTC_ETH_MICROS,
    WS_TRADE_KRW_ETH,
    REST_TICKER,
    REST_BOOK_KRW_DOGE,
    STATUS_UP,
    ERROR_NO_CODES,
    ERROR_WRONG_FORMAT,
    REST_ERROR_NUMERIC,
    REST_ERROR_INVALID,
];

/// Books of 5 units.
fn codec() -> UpbitCodec {
    new(&markets(&MARKETS), 5).unwrap()
}

fn ms(millis: i64) -> Option<Timestamp> {
    Some(Timestamp::from_millis(millis))
}

fn eth_ticker() -> MarketData {
    MarketData::Ticker(Ticker {
        open_24h: Some(dec("3602000")),
        high_24h: Some(dec("3688000")),
        low_24h: Some(dec("3571000")),
        volume_24h: Some(dec("4021.77102933")),
        exchange_time: ms(1_749_619_397_287),
        ..ticker(Exchange::Bithumb, "ETH/KRW", "3650500")
    })
}

/// The KRW-XRP frame has 7 units; the codec keeps the 5 it subscribed to.
fn xrp_book() -> MarketData {
    MarketData::Book(book(
        Exchange::Bithumb,
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
    .with_time(1_749_619_398_031)
}

/// The BTC-ETH frame has 3 asks and 2 bids (zero padding), and a timestamp string in µs.
fn eth_btc_book() -> MarketData {
    let MarketData::Book(mut snapshot) = MarketData::Book(book(
        Exchange::Bithumb,
        "ETH/BTC",
        &[("0.02351", "0.91502833"), ("0.0235", "0.28497167")],
        &[
            ("0.02356", "1.5"),
            ("0.02357", "1.1"),
            ("0.0236", "0.00000001"),
        ],
    )) else {
        unreachable!()
    };
    snapshot.exchange_time = Some(Timestamp(1_749_619_390_112_345_000));
    MarketData::Book(snapshot)
}

/// A minimal ticker frame with `trade_price` spelled as `price`.
fn ticker_with_price(price: &str) -> String {
    format!(
        r#"{{"type":"ticker","code":"KRW-ETH","trade_price":{price},"timestamp":1749619397287}}"#
    )
}

fn price_only(price: &str) -> Expect {
    Expect::data(vec![
        MarketData::Ticker(ticker(Exchange::Bithumb, "ETH/KRW", price))
            .with_time(1_749_619_397_287),
    ])
}

#[test]
fn subscribe_is_one_array_with_ticket_types_and_format() {
    let codec = codec();
    let frames = codec.subscribe(Timestamp::EPOCH);
    assert_eq!(frames.len(), 1);
    let frame: Value = serde_json::from_str(&frames[0]).unwrap();
    let ticket = frame[0]["ticket"].as_str().unwrap();
    assert!(ticket.starts_with("premia-"), "{ticket}");
    assert_eq!(frame[0].as_object().unwrap().len(), 1);
    assert_eq!(
        frame[1],
        serde_json::json!({"type":"ticker","codes":["KRW-ETH","KRW-XRP","BTC-ETH","KRW-DOGE"]})
    );
    assert_eq!(
        frame[2],
        serde_json::json!({"type":"orderbook","codes":["KRW-ETH.5","KRW-XRP.5","BTC-ETH.5","KRW-DOGE.5"]})
    );
    assert_eq!(frame[3], serde_json::json!({"format":"DEFAULT"}));
    assert_eq!(frame.as_array().unwrap().len(), 4);

    assert_eq!(codec.ticket(), self::codec().ticket());
    let deeper = new(&markets(&MARKETS), 30).unwrap();
    assert_ne!(codec.ticket(), deeper.ticket());
    assert!(new(&[], 5).unwrap().subscribe(Timestamp::EPOCH).is_empty());
}

#[test]
fn subscribe_has_the_shape_of_the_shared_fixture() {
    let Some(text) = shared_fixture("ws_subscribe.json") else {
        return;
    };
    let fixture: Value = serde_json::from_str(&text).unwrap();
    let ours: Value = serde_json::from_str(
        &new(&markets(&["BTC/KRW"]), 15)
            .unwrap()
            .subscribe(Timestamp::EPOCH)[0],
    )
    .unwrap();
    let keys = |value: &Value| -> Vec<Vec<String>> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|object| object.as_object().unwrap().keys().cloned().collect())
            .collect()
    };
    assert_eq!(keys(&ours), keys(&fixture));
    assert_eq!(ours[1], fixture[1]);
    assert_eq!(ours[2]["type"], fixture[2]["type"]);
    assert_eq!(ours[2]["codes"], serde_json::json!(["KRW-BTC.15"]));
    assert_eq!(ours[3], fixture[3]);
}

#[test]
fn depth_is_clamped_to_what_bithumb_sends() {
    let cases = [(0, 1), (1, 1), (3, 3), (15, 15), (30, 30), (200, 30)];
    for (index, (requested, expected)) in cases.into_iter().enumerate() {
        let codec = new(&markets(&["BTC/KRW"]), requested).unwrap();
        assert_eq!(codec.depth(), expected, "TC{index}");
        let frame: Value = serde_json::from_str(&codec.subscribe(Timestamp::EPOCH)[0]).unwrap();
        assert_eq!(
            frame[2]["codes"][0],
            format!("KRW-BTC.{expected}"),
            "TC{index}"
        );
    }
}

#[test]
fn connection_settings() {
    let codec = codec();
    assert_eq!(codec.exchange(), Exchange::Bithumb);
    assert_eq!(codec.markets(), &markets(&MARKETS)[..]);
    assert_eq!(codec.ws_url(DEFAULT_WS_URL), DEFAULT_WS_URL);
    assert_eq!(
        codec.ws_url("ws://127.0.0.1:9001/ws"),
        "ws://127.0.0.1:9001/ws"
    );
    assert_eq!(
        codec.keep_alive(),
        Some((Duration::from_secs(60), KeepAlive::Text("PING".into())))
    );
    assert_eq!(codec.max_connection_lifetime(), None);
    assert_eq!(codec.book_sync(), BookSync::Snapshots);
    assert_eq!(codec.book_checksum(&market("ETH/KRW"), &[], &[]), None);
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
            "book cut to the subscribed depth, trailing zeros kept",
            WS_BOOK_KRW_XRP,
            Expect::data(vec![xrp_book()]),
        ),
        Case::new(
            "zero-price padding dropped, timestamp a string of microseconds",
            WS_BOOK_BTC_ETH_MICROS,
            Expect::data(vec![eth_btc_book()]),
        ),
        Case::new(
            // Bithumb lists a price emptied in the same instant with size 0 (seen live).
            "emptied level (size 0) dropped from the snapshot",
            r#"{"type":"orderbook","code":"KRW-XRP","total_ask_size":2.5,"total_bid_size":7.1,"orderbook_units":[{"ask_price":3010,"bid_price":3009,"ask_size":1.5,"bid_size":0.5},{"ask_price":3011,"bid_price":3008,"ask_size":1,"bid_size":2.5},{"ask_price":3015,"bid_price":3007,"ask_size":0,"bid_size":4.1}],"level":1,"timestamp":1790133505564,"stream_type":"SNAPSHOT"}"#,
            Expect::data(vec![
                MarketData::Book(book(
                    Exchange::Bithumb,
                    "XRP/KRW",
                    &[("3009", "0.5"), ("3008", "2.5"), ("3007", "4.1")],
                    &[("3010", "1.5"), ("3011", "1")],
                ))
                .with_time(1_790_133_505_564),
            ]),
        ),
        Case::new(
            "status heartbeat",
            STATUS_UP,
            Expect::class(FrameClass::Status),
        ),
        Case::new(
            "error",
            ERROR_NO_CODES,
            Expect::class(FrameClass::Error(
                "NO_CODES: 요청에 codes 필드가 없습니다.".into(),
            )),
        ),
        Case::new(
            "error message with escapes",
            ERROR_WRONG_FORMAT,
            Expect::class(FrameClass::Error(
                r#"WRONG_FORMAT: Invalid request format: "ticket" field"#.into(),
            )),
        ),
        Case::new(
            "error that is not an object",
            r#"{"error":"INVALID_AUTH"}"#,
            Expect::class(FrameClass::Error("INVALID_AUTH".into())),
        ),
        Case::new(
            "trade: a type we did not subscribe to",
            WS_TRADE_KRW_ETH,
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "ticker of a market not configured",
            WS_TICKER_KRW_ETH.replace("KRW-ETH", "KRW-SOL"),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "book of a market not configured",
            WS_BOOK_KRW_XRP.replace("KRW-XRP", "BTC-XRP"),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "ticker without the optional fields",
            r#"{"type":"ticker","code":"KRW-DOGE","trade_price":301.2}"#,
            Expect::data(vec![MarketData::Ticker(ticker(
                Exchange::Bithumb,
                "DOGE/KRW",
                "301.2",
            ))]),
        ),
        Case::new(
            "book with an empty side, timestamp a string of milliseconds",
            r#"{"type":"orderbook","code":"KRW-DOGE","timestamp":"1749619399420","orderbook_units":[{"ask_price":301.3,"bid_price":0,"ask_size":5,"bid_size":0}]}"#,
            Expect::data(vec![
                MarketData::Book(book(Exchange::Bithumb, "DOGE/KRW", &[], &[("301.3", "5")]))
                    .with_time(1_749_619_399_420),
            ]),
        ),
        Case::new(
            "whitespace around a text frame",
            format!(" \n{STATUS_UP}\r\n "),
            Expect::class(FrameClass::Status),
        ),
    ];
    run_ws(&mut codec(), &cases);
}

#[test]
fn timestamps_are_normalised_by_size() {
    let frame = |time: &str| {
        format!(r#"{{"type":"ticker","code":"KRW-ETH","trade_price":1,"timestamp":{time}}}"#)
    };
    let at = |nanos: i64| {
        let MarketData::Ticker(mut t) =
            MarketData::Ticker(ticker(Exchange::Bithumb, "ETH/KRW", "1"))
        else {
            unreachable!()
        };
        t.exchange_time = Some(Timestamp(nanos));
        Expect::data(vec![MarketData::Ticker(t)])
    };
    let cases = [
        Case::new(
            "ms number",
            frame("1749619397287"),
            at(1_749_619_397_287_000_000),
        ),
        Case::new(
            "ms string",
            frame(r#""1749619397287""#),
            at(1_749_619_397_287_000_000),
        ),
        Case::new(
            "µs string",
            frame(r#""1749619397287654""#),
            at(1_749_619_397_287_654_000),
        ),
        Case::new(
            "µs number",
            frame("1749619397287654"),
            at(1_749_619_397_287_654_000),
        ),
        Case::new(
            "ns number",
            frame("1749619397287654321"),
            at(1_749_619_397_287_654_321),
        ),
        Case::new(
            "fraction",
            frame("1749619397287.5"),
            Expect::Rejected("timestamp"),
        ),
        Case::new(
            "beyond i64",
            frame("17496193972876543210"),
            Expect::Rejected("timestamp"),
        ),
        Case::new("text", frame(r#""soon""#), Expect::Rejected("timestamp")),
    ];
    run_ws(&mut codec(), &cases);
}

#[test]
fn numbers_are_exact() {
    let cases = [
        Case::new(
            "trailing zeros keep their scale",
            ticker_with_price("3650500.00000000"),
            price_only("3650500.00000000"),
        ),
        Case::new(
            "exponent",
            ticker_with_price("3.6505E6"),
            price_only("3650500"),
        ),
        Case::new(
            "negative exponent",
            ticker_with_price("7.9276E-4"),
            price_only("0.00079276"),
        ),
        Case::new(
            "more digits than f64 holds",
            ticker_with_price("14620118315.77120411"),
            price_only("14620118315.77120411"),
        ),
        Case::new(
            "over-long fraction of zeros",
            ticker_with_price("3650500.000000000000000000000000000000"),
            price_only("3650500"),
        ),
        Case::new(
            "a string holding a number",
            ticker_with_price(r#""3650500.5""#),
            price_only("3650500.5"),
        ),
        Case::new(
            "over-long significant digits",
            ticker_with_price("3650500.12345678901234567890123"),
            Expect::Rejected("trade_price"),
        ),
        Case::new(
            "out of decimal range",
            ticker_with_price("1E29"),
            Expect::Rejected("trade_price"),
        ),
        Case::new(
            "null is not a price",
            ticker_with_price("null"),
            Expect::Rejected("missing field trade_price"),
        ),
    ];
    run_ws(&mut codec(), &cases);
}

#[test]
fn simple_format_frames_decode_as_default_ones() {
    let frames = [
        WS_TICKER_KRW_ETH,
        WS_BOOK_KRW_XRP,
        WS_BOOK_BTC_ETH_MICROS,
        WS_TRADE_KRW_ETH,
    ];
    assert_abbreviated_decode_alike(&mut codec(), &frames, &UPBIT_SIMPLE_KEYS);
}

#[test]
fn list_format_frames_decode_as_their_messages() {
    assert_lists_decode_as_their_messages(
        &mut codec(),
        [WS_TICKER_KRW_ETH, WS_BOOK_KRW_XRP],
        WS_TRADE_KRW_ETH,
    );
}

#[test]
fn binary_and_text_frames_decode_alike() {
    let mut codec = codec();
    let text: String = WS_BOOK_KRW_XRP.to_string();
    let binary: Vec<u8> = WS_BOOK_KRW_XRP.as_bytes().to_vec();
    let (mut from_text, mut from_binary) = (Vec::new(), Vec::new());
    let a = codec.decode(text.as_bytes(), RECEIVED, &mut from_text);
    let b = codec.decode(&binary, RECEIVED, &mut from_binary);
    assert_eq!((a, b), (Ok(FrameClass::Data), Ok(FrameClass::Data)));
    assert_eq!(from_text, from_binary);
    assert_eq!(from_text, vec![xrp_book()]);

    let cases = [
        Case::new(
            "invalid UTF-8 in a string read",
            [
                br#"{"type":"ticker","code":"KRW-"#.as_slice(),
                b"\xff",
                br#"","trade_price":1}"#,
            ]
            .concat(),
            Expect::Rejected("JSON"),
        ),
        Case::new(
            "byte order mark",
            [b"\xef\xbb\xbf".as_slice(), STATUS_UP.as_bytes()].concat(),
            Expect::Rejected("expected a JSON object"),
        ),
    ];
    run_ws(&mut codec, &cases);
}

#[test]
fn malformed_frames_are_decode_errors() {
    let cases = [
        Case::new("empty", "", Expect::Rejected("empty frame")),
        Case::new(
            "PING echoed",
            "PING",
            Expect::Rejected("expected a JSON object"),
        ),
        Case::new(
            "not JSON",
            "{type:ticker}",
            Expect::Rejected("not valid JSON"),
        ),
        Case::new(
            "truncated",
            "{\"type\":\"tick",
            Expect::Rejected("truncated JSON"),
        ),
        Case::new(
            "trailing garbage",
            "{\"status\":\"UP\"}x",
            Expect::Rejected("not valid JSON"),
        ),
        Case::new(
            "a list (JSON_LIST format) holding a status",
            "[{\"status\":\"UP\"}]",
            Expect::class(FrameClass::Status),
        ),
        Case::new(
            "a list holding a number",
            "[1]",
            Expect::Rejected("[0]: unexpected shape"),
        ),
        Case::new(
            "empty object",
            "{}",
            Expect::Rejected("no type, status or error"),
        ),
        Case::new(
            "ticker without code",
            r#"{"type":"ticker","trade_price":1}"#,
            Expect::Rejected("missing field code"),
        ),
        Case::new(
            "ticker without trade_price",
            r#"{"type":"ticker","code":"KRW-ETH","opening_price":1}"#,
            Expect::Rejected("missing field trade_price"),
        ),
        Case::new(
            "bad optional number",
            r#"{"type":"ticker","code":"KRW-ETH","trade_price":1,"low_price":"n/a"}"#,
            Expect::Rejected("low_price"),
        ),
        Case::new(
            "book without units",
            r#"{"type":"orderbook","code":"KRW-ETH","timestamp":1}"#,
            Expect::Rejected("missing field orderbook_units"),
        ),
        Case::new(
            "unit without bid size",
            r#"{"type":"orderbook","code":"KRW-ETH","orderbook_units":[{"ask_price":2,"bid_price":1,"ask_size":1}]}"#,
            Expect::Rejected("missing field orderbook_units[0].bid_size"),
        ),
        Case::new(
            "bids out of order",
            r#"{"type":"orderbook","code":"KRW-ETH","orderbook_units":[{"ask_price":3,"bid_price":1,"ask_size":1,"bid_size":1},{"ask_price":4,"bid_price":2,"ask_size":1,"bid_size":1}]}"#,
            Expect::Rejected("bids are not in descending price order"),
        ),
    ];
    run_ws(&mut codec(), &cases);
}

#[test]
fn every_truncation_is_rejected() {
    let mut codec = codec();
    for frame in [
        WS_TICKER_KRW_ETH,
        WS_BOOK_KRW_XRP,
        WS_BOOK_BTC_ETH_MICROS,
        STATUS_UP,
        ERROR_NO_CODES,
    ] {
        assert_prefixes_rejected(&mut codec, frame.as_bytes(), false);
    }
    for body in [REST_TICKER, REST_BOOK_KRW_DOGE, REST_ERROR_NUMERIC] {
        assert_prefixes_rejected(&mut codec, body.as_bytes(), true);
    }
}

crate::never_panics_suite!(codec, FRAMES);

#[test]
fn symbols_map_both_ways() {
    let cases = [
        ("BTC/KRW", "KRW-BTC"),
        ("ETH/BTC", "BTC-ETH"),
        ("XRP/USDT", "USDT-XRP"),
        ("1INCH/KRW", "KRW-1INCH"),
    ];
    for (index, (text, code)) in cases.into_iter().enumerate() {
        assert_eq!(market_code(&market(text)), code, "TC{index}");
        assert_eq!(parse_market_code(code), Some(market(text)), "TC{index}");
    }
    assert_eq!(orderbook_code(&market("BTC/KRW"), 15), "KRW-BTC.15");
    for (index, code) in ["krw-btc", "KRWBTC", "KRW-", "-BTC", "KRW-BTC.15", ""]
        .into_iter()
        .enumerate()
    {
        assert_eq!(parse_market_code(code), None, "TC{index}: {code}");
    }
}

#[test]
fn codec_for_builds_bithumb_and_refuses_what_it_cannot_express() {
    let codec = codec_for(Exchange::Bithumb, &markets(&MARKETS), 10).unwrap();
    assert_eq!(codec.exchange(), Exchange::Bithumb);
    assert_eq!(codec.markets().len(), 4);
    assert_codec_for_refuses(
        Exchange::Bithumb,
        &[
            (
                &["BTC/KRW", "ETH/KRW", "BTC/KRW"],
                "BTC/KRW",
                "listed twice",
            ),
            (
                &["BTC/KRW", "BTC/EUR"],
                "BTC/EUR",
                "Bithumb lists markets only in KRW, BTC, USDT",
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
            ("rest tickers", REST_TICKER.as_bytes(), true),
        ],
    );
}
