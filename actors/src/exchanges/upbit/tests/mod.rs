//! The exchange test suite, for Upbit: subscribe frame, connection settings, WebSocket frames,
//! exact numbers, binary and text frames, damaged input, REST bodies and symbols. Frames were
//! written for these tests from Upbit's documented formats (`actors/tests/data/upbit/` and
//! inline below), with other markets and values than the shared fixtures.

mod rest;

use std::time::Duration;

use premia_events::marketdata::{MarketData, Ticker};
use premia_events::{Exchange, Timestamp};
use serde_json::Value;

use super::symbols::{market_code, orderbook_code, parse_market_code};
use super::{DEFAULT_WS_URL, UpbitCodec};
use crate::exchanges::testkit::{
    Case, Expect, RECEIVED, UPBIT_SIMPLE_KEYS, WithTime, assert_abbreviated_decode_alike,
    assert_codec_for_refuses, assert_lists_decode_as_their_messages, assert_prefixes_rejected,
    book, dec, market, markets, report_cost, run_cases, run_rest, run_ws, ticker,
};
use crate::exchanges::{ExchangeCodec, FrameClass, KeepAlive, codec_for};

const WS_TICKER_KRW_ETH: &str = include_str!("../../../../tests/data/upbit/ws_ticker_krw_eth.json");
const WS_BOOK_KRW_XRP: &str =
    include_str!("../../../../tests/data/upbit/ws_orderbook_krw_xrp.json");
const WS_BOOK_BTC_ETH: &str =
    include_str!("../../../../tests/data/upbit/ws_orderbook_btc_eth.json");
const WS_TRADE_KRW_ETH: &str = include_str!("../../../../tests/data/upbit/ws_trade_krw_eth.json");
const REST_TICKER: &str = include_str!("../../../../tests/data/upbit/rest_ticker.json");
const REST_BOOK_KRW_DOGE: &str =
    include_str!("../../../../tests/data/upbit/rest_orderbook_krw_doge.json");

const STATUS_UP: &str = r#"{"status":"UP"}"#;
const ERROR_NO_CODES: &str =
    r#"{"error":{"name":"NO_CODES","message":"요청에 codes 필드가 없습니다."}}"#;
const ERROR_WRONG_FORMAT: &str =
    r#"{"error":{"name":"WRONG_FORMAT","message":"Invalid request format: \"ticket\" field"}}"#;
const REST_ERROR_NOT_FOUND: &str = r#"{"error":{"name":404,"message":"Code not found"}}"#;
const REST_ERROR_RATE: &str =
    r#"{"error":{"message":"Too many API requests.","name":"too_many_requests"}}"#;

/// The configured markets: Upbit codes KRW-ETH, KRW-XRP, BTC-ETH, KRW-DOGE.
const MARKETS: [&str; 4] = ["ETH/KRW", "XRP/KRW", "ETH/BTC", "DOGE/KRW"];

/// Every valid frame and body above, for the damage tests.
const FRAMES: [&str; 11] = [
    WS_TICKER_KRW_ETH,
    WS_BOOK_KRW_XRP,
    WS_BOOK_BTC_ETH,
    WS_TRADE_KRW_ETH,
    REST_TICKER,
    REST_BOOK_KRW_DOGE,
    STATUS_UP,
    ERROR_NO_CODES,
    ERROR_WRONG_FORMAT,
    REST_ERROR_NOT_FOUND,
    REST_ERROR_RATE,
];

/// Asks for 4 levels: Upbit offers 1, 5, 15, 30, so the codec subscribes to 5.
fn codec() -> UpbitCodec {
    UpbitCodec::new(&markets(&MARKETS), 4).unwrap()
}

fn ms(millis: i64) -> Option<Timestamp> {
    Some(Timestamp::from_millis(millis))
}

fn eth_ticker() -> MarketData {
    MarketData::Ticker(Ticker {
        open_24h: Some(dec("4512000.00000000")),
        high_24h: Some(dec("4587000")),
        low_24h: Some(dec("4480000")),
        volume_24h: Some(dec("43812.55160287")),
        exchange_time: ms(1_749_619_397_247),
        ..ticker(Exchange::Upbit, "ETH/KRW", "4551000.0")
    })
}

/// The KRW-XRP frame has 8 units; the codec keeps the 5 it subscribed to.
fn xrp_book() -> MarketData {
    MarketData::Book(book(
        Exchange::Upbit,
        "XRP/KRW",
        &[
            ("3105", "120443.90818722"),
            ("3104", "87214.00211"),
            ("3103", "30992.1"),
            ("3102", "51210.41"),
            ("3101", "9312.00000001"),
        ],
        &[
            ("3106", "48211.53049171"),
            ("3107", "15390.2"),
            ("3108", "102934.77881003"),
            ("3109", "42000"),
            ("3110", "231845.60021842"),
        ],
    ))
    .with_time(1_749_619_398_031)
}

/// The BTC-ETH frame has 5 asks and 3 bids, the bid side padded with zero units.
fn eth_btc_book() -> MarketData {
    MarketData::Book(book(
        Exchange::Upbit,
        "ETH/BTC",
        &[
            ("0.02351", "0.91502833"),
            ("0.0235", "2.80371"),
            ("0.02345", "0.00079276"),
        ],
        &[
            ("0.02356", "1.48210337"),
            ("0.02357", "0.00521"),
            ("0.02359", "12.05"),
            ("0.02361", "0.35"),
            ("0.0237", "3.1"),
        ],
    ))
    .with_time(1_749_619_390_112)
}

/// A minimal ticker frame with `trade_price` spelled as `price`.
fn ticker_with_price(price: &str) -> String {
    format!(
        r#"{{"type":"ticker","code":"KRW-ETH","trade_price":{price},"timestamp":1749619397247}}"#
    )
}

fn price_only(price: &str) -> Expect {
    Expect::data(vec![
        MarketData::Ticker(ticker(Exchange::Upbit, "ETH/KRW", price)).with_time(1_749_619_397_247),
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

    // The ticket is deterministic, and differs when the subscription does.
    assert_eq!(codec.ticket(), self::codec().ticket());
    let deeper = UpbitCodec::new(&markets(&MARKETS), 30).unwrap();
    assert_ne!(codec.ticket(), deeper.ticket());

    // No markets: nothing to send (Upbit would answer NO_CODES).
    assert!(
        UpbitCodec::new(&[], 5)
            .unwrap()
            .subscribe(Timestamp::EPOCH)
            .is_empty()
    );
}

#[test]
fn depth_is_the_smallest_upbit_offers_that_covers_the_request() {
    let cases = [
        (0, 1),
        (1, 1),
        (2, 5),
        (5, 5),
        (10, 15),
        (15, 15),
        (20, 30),
        (200, 30),
    ];
    for (index, (requested, expected)) in cases.into_iter().enumerate() {
        let codec = UpbitCodec::new(&markets(&["BTC/KRW"]), requested).unwrap();
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
    assert_eq!(codec.exchange(), Exchange::Upbit);
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
            "book cut to the subscribed depth",
            WS_BOOK_KRW_XRP,
            Expect::data(vec![xrp_book()]),
        ),
        Case::new(
            "zero-price padding dropped",
            WS_BOOK_BTC_ETH,
            Expect::data(vec![eth_btc_book()]),
        ),
        Case::new(
            "status answer to PING",
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
            WS_BOOK_KRW_XRP.replace("KRW-XRP", "USDT-XRP"),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "ticker without the optional fields",
            r#"{"type":"ticker","code":"KRW-DOGE","trade_price":301.2}"#,
            Expect::data(vec![MarketData::Ticker(ticker(
                Exchange::Upbit,
                "DOGE/KRW",
                "301.2",
            ))]),
        ),
        Case::new(
            "book with an empty side",
            r#"{"type":"orderbook","code":"KRW-DOGE","timestamp":1749619399420,"orderbook_units":[{"ask_price":301.3,"bid_price":0,"ask_size":5,"bid_size":0}]}"#,
            Expect::data(vec![
                MarketData::Book(book(Exchange::Upbit, "DOGE/KRW", &[], &[("301.3", "5")]))
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
fn numbers_are_exact() {
    let cases = [
        Case::new(
            "trailing zeros keep their scale",
            ticker_with_price("31883000.00000000"),
            price_only("31883000.00000000"),
        ),
        Case::new(
            "exponent",
            ticker_with_price("1.16539E8"),
            price_only("116539000"),
        ),
        Case::new(
            "negative exponent",
            ticker_with_price("7.9276E-4"),
            price_only("0.00079276"),
        ),
        Case::new(
            "exponent with sign and lower case",
            ticker_with_price("4.551e+6"),
            price_only("4551000"),
        ),
        Case::new(
            "more digits than f64 holds",
            ticker_with_price("1522334455.12345678"),
            price_only("1522334455.12345678"),
        ),
        Case::new(
            "over-long fraction of zeros",
            ticker_with_price("4551000.000000000000000000000000000000"),
            price_only("4551000"),
        ),
        Case::new(
            "a string holding a number",
            ticker_with_price(r#""4551000.5""#),
            price_only("4551000.5"),
        ),
        Case::new(
            "over-long significant digits",
            ticker_with_price("4551000.12345678901234567890123"),
            Expect::Rejected("trade_price"),
        ),
        Case::new(
            "out of decimal range",
            ticker_with_price("1E29"),
            Expect::Rejected("trade_price"),
        ),
        Case::new(
            "over-long mantissa with exponent",
            ticker_with_price("4.55100000000000000000000000001E6"),
            Expect::Rejected("mantissa"),
        ),
        Case::new(
            "null is not a price",
            ticker_with_price("null"),
            Expect::Rejected("missing field trade_price"),
        ),
        Case::new(
            "text is not a price",
            ticker_with_price(r#""4,551,000""#),
            Expect::Rejected("trade_price"),
        ),
    ];
    run_ws(&mut codec(), &cases);
}

#[test]
fn simple_format_frames_decode_as_default_ones() {
    let frames = [
        WS_TICKER_KRW_ETH,
        WS_BOOK_KRW_XRP,
        WS_BOOK_BTC_ETH,
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
    // Upbit sends binary frames; a text frame arrives as the bytes of its string.
    let text: String = WS_TICKER_KRW_ETH.to_string();
    let binary: Vec<u8> = WS_TICKER_KRW_ETH.as_bytes().to_vec();
    let (mut from_text, mut from_binary) = (Vec::new(), Vec::new());
    let a = codec.decode(text.as_bytes(), RECEIVED, &mut from_text);
    let b = codec.decode(&binary, RECEIVED, &mut from_binary);
    assert_eq!((a, b), (Ok(FrameClass::Data), Ok(FrameClass::Data)));
    assert_eq!(from_text, from_binary);

    // Strings the codec reads must be UTF-8; strings it skips are not checked (as with
    // serde_json validating into `IgnoredAny`).
    let with_bytes = |code: &[u8], skipped: &[u8]| {
        [
            br#"{"type":"ticker","code":""#.as_slice(),
            code,
            br#"","trade_price":4551000,"change":""#,
            skipped,
            br#""}"#,
        ]
        .concat()
    };
    let cases = [
        Case::new(
            "invalid UTF-8 in a string read",
            with_bytes(b"KRW-\xff", b"RISE"),
            Expect::Rejected("JSON"),
        ),
        Case::new(
            "invalid UTF-8 in a string skipped",
            with_bytes(b"KRW-ETH", b"\xff\xfe"),
            Expect::data(vec![MarketData::Ticker(ticker(
                Exchange::Upbit,
                "ETH/KRW",
                "4551000",
            ))]),
        ),
        Case::new(
            "byte order mark",
            [b"\xef\xbb\xbf".as_slice(), STATUS_UP.as_bytes()].concat(),
            Expect::Rejected("expected a JSON object"),
        ),
        Case::new(
            "UTF-16",
            STATUS_UP
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect::<Vec<u8>>(),
            Expect::Rejected("JSON"),
        ),
    ];
    run_ws(&mut codec, &cases);
}

#[test]
fn malformed_frames_are_decode_errors() {
    let cases = [
        Case::new("empty", "", Expect::Rejected("empty frame")),
        Case::new("blank", " \n ", Expect::Rejected("empty frame")),
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
        Case::new("null", "null", Expect::Rejected("expected a JSON object")),
        Case::new("number", "42", Expect::Rejected("expected a JSON object")),
        Case::new(
            "empty object",
            "{}",
            Expect::Rejected("no type, status or error"),
        ),
        Case::new(
            "type not a string",
            r#"{"type":7,"code":"KRW-ETH"}"#,
            Expect::Rejected("unexpected shape"),
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
            r#"{"type":"ticker","code":"KRW-ETH","trade_price":1,"high_price":"n/a"}"#,
            Expect::Rejected("high_price"),
        ),
        Case::new(
            "bad timestamp",
            r#"{"type":"ticker","code":"KRW-ETH","trade_price":1,"timestamp":1.5}"#,
            Expect::Rejected("timestamp"),
        ),
        Case::new(
            "book without units",
            r#"{"type":"orderbook","code":"KRW-ETH","timestamp":1}"#,
            Expect::Rejected("missing field orderbook_units"),
        ),
        Case::new(
            "units not an array",
            r#"{"type":"orderbook","code":"KRW-ETH","orderbook_units":{}}"#,
            Expect::Rejected("unexpected shape"),
        ),
        Case::new(
            "unit without bid size",
            r#"{"type":"orderbook","code":"KRW-ETH","orderbook_units":[{"ask_price":2,"bid_price":1,"ask_size":1}]}"#,
            Expect::Rejected("missing field orderbook_units[0].bid_size"),
        ),
        Case::new(
            "bad number in a unit",
            r#"{"type":"orderbook","code":"KRW-ETH","orderbook_units":[{"ask_price":2,"bid_price":1,"ask_size":1,"bid_size":1},{"ask_price":"x","bid_price":1,"ask_size":1,"bid_size":1}]}"#,
            Expect::Rejected("orderbook_units[1].ask_price"),
        ),
        Case::new(
            "duplicate number in a unit",
            r#"{"type":"orderbook","code":"KRW-ETH","orderbook_units":[{"ask_price":2,"ask_price":3,"bid_price":1,"ask_size":1,"bid_size":1}]}"#,
            Expect::Rejected("orderbook_units[0]: duplicate field ask_price"),
        ),
        Case::new(
            "unit not an object",
            r#"{"type":"orderbook","code":"KRW-ETH","orderbook_units":[[2,1,1,1]]}"#,
            Expect::Rejected("order-book unit 0 as an object"),
        ),
        Case::new(
            "asks out of order",
            r#"{"type":"orderbook","code":"KRW-ETH","orderbook_units":[{"ask_price":3,"bid_price":1,"ask_size":1,"bid_size":1},{"ask_price":2,"bid_price":0.5,"ask_size":1,"bid_size":1}]}"#,
            Expect::Rejected("asks are not in ascending price order"),
        ),
        Case::new(
            "duplicate field",
            r#"{"type":"ticker","code":"KRW-ETH","market":"KRW-ETH","trade_price":1}"#,
            Expect::Rejected("duplicate field"),
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
        WS_BOOK_BTC_ETH,
        STATUS_UP,
        ERROR_NO_CODES,
    ] {
        assert_prefixes_rejected(&mut codec, frame.as_bytes(), false);
    }
    for body in [REST_TICKER, REST_BOOK_KRW_DOGE, REST_ERROR_NOT_FOUND] {
        assert_prefixes_rejected(&mut codec, body.as_bytes(), true);
    }
}

crate::never_panics_suite!(codec, FRAMES);

#[test]
fn symbols_map_both_ways() {
    let cases = [
        ("BTC/KRW", "KRW-BTC"),
        ("ETH/USDT", "USDT-ETH"),
        ("ETH/BTC", "BTC-ETH"),
        ("1INCH/KRW", "KRW-1INCH"),
    ];
    for (index, (text, code)) in cases.into_iter().enumerate() {
        assert_eq!(market_code(&market(text)), code, "TC{index}");
        assert_eq!(parse_market_code(code), Some(market(text)), "TC{index}");
    }
    assert_eq!(orderbook_code(&market("BTC/KRW"), 15), "KRW-BTC.15");
    for (index, code) in [
        "krw-btc",
        "KRWBTC",
        "KRW-",
        "-BTC",
        "KRW-BTC.15",
        "KRW-BTC-X",
        "",
    ]
    .into_iter()
    .enumerate()
    {
        assert_eq!(parse_market_code(code), None, "TC{index}: {code}");
    }
}

#[test]
fn codec_for_builds_upbit_and_refuses_duplicates() {
    let codec = codec_for(Exchange::Upbit, &markets(&MARKETS), 10).unwrap();
    assert_eq!(codec.exchange(), Exchange::Upbit);
    assert_eq!(codec.markets().len(), 4);
    assert_codec_for_refuses(
        Exchange::Upbit,
        &[(
            &["BTC/KRW", "ETH/KRW", "BTC/KRW"],
            "BTC/KRW",
            "listed twice",
        )],
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
