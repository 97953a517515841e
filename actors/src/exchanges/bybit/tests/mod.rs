//! The exchange test suite, for Bybit spot: subscribe and connection settings, WebSocket frames
//! (tickers, order-book snapshot and delta, replies, pongs), exact numbers, binary and text
//! frames, damaged input, REST bodies (HTTP-200 errors included), symbols and topics, and the
//! shared fixtures. Frames were written for these tests from Bybit's documented formats
//! (`actors/tests/data/bybit/` and inline below), with other markets and values than the shared
//! fixtures.

mod fixtures;
mod rest;

use std::time::Duration;

use premia_events::marketdata::{BookDelta, BookSnapshot, MarketData, Ticker};
use premia_events::{Exchange, Timestamp};
use serde_json::{Value, json};

use super::symbols::{Topic, orderbook_topic, split_topic, symbol, ticker_topic};
use super::{BybitCodec, DEFAULT_WS_URL, MAX_ARGS_CHARS};
use crate::exchanges::testkit::{
    Case, Expect, RECEIVED, assert_binary_and_text_alike, assert_codec_for_refuses,
    assert_prefixes_rejected, book, dec, lv, market, markets, report_cost, run_cases, run_rest,
    run_ws, string_decimal_cases, ticker,
};
use crate::exchanges::{
    BookSync, CodecSetupError, ExchangeCodec, FrameClass, KeepAlive, codec_for,
};

const WS_TICKERS_ETHUSDT: &str =
    include_str!("../../../../tests/data/bybit/ws_tickers_ethusdt.json");
const WS_BOOK_SNAPSHOT_SOLUSDT: &str =
    include_str!("../../../../tests/data/bybit/ws_orderbook_snapshot_solusdt.json");
const WS_BOOK_DELTA_SOLUSDT: &str =
    include_str!("../../../../tests/data/bybit/ws_orderbook_delta_solusdt.json");
const REST_TICKERS_ETHUSDT: &str =
    include_str!("../../../../tests/data/bybit/rest_tickers_ethusdt.json");
const REST_ORDERBOOK_SOLUSDT: &str =
    include_str!("../../../../tests/data/bybit/rest_orderbook_solusdt.json");

const ACK: &str = r#"{"success":true,"ret_msg":"subscribe","conn_id":"d30fdpbboasp1pjbe7r0","req_id":"a1","op":"subscribe"}"#;
const PONG: &str =
    r#"{"success":true,"ret_msg":"pong","conn_id":"d30fdpbboasp1pjbe7r0","op":"ping"}"#;
const PONG_OTHER_ENDPOINTS: &str =
    r#"{"req_id":"","op":"pong","args":["1749619397512"],"conn_id":"cfcb4ocsvfriu23r3er0"}"#;
const SUBSCRIBE_FAILED: &str = r#"{"success":false,"ret_msg":"Invalid topic :[orderbook.49.SOLUSDT]","conn_id":"d30fdpbboasp1pjbe7r0","req_id":"a2","op":"subscribe"}"#;
const TRADE_ETHUSDT: &str = r#"{"topic":"publicTrade.ETHUSDT","ts":1749619397520,"type":"snapshot","data":[{"i":"2290000000061666327","T":1749619397519,"p":"2754.28","v":"0.0363","S":"Buy","s":"ETHUSDT","BT":false}]}"#;
const REST_ERROR: &str = r#"{"retCode":10001,"retMsg":"Not supported symbols","result":{},"retExtInfo":{},"time":1749619398001}"#;

/// The configured markets: ETHUSDT, SOLUSDT, ETHBTC.
const MARKETS: [&str; 3] = ["ETH/USDT", "SOL/USDT", "ETH/BTC"];

/// Every valid frame and body above, for the damage tests.
const FRAMES: [&str; 11] = [
    WS_TICKERS_ETHUSDT,
    WS_BOOK_SNAPSHOT_SOLUSDT,
    WS_BOOK_DELTA_SOLUSDT,
    REST_TICKERS_ETHUSDT,
    REST_ORDERBOOK_SOLUSDT,
    ACK,
    PONG,
    PONG_OTHER_ENDPOINTS,
    SUBSCRIBE_FAILED,
    TRADE_ETHUSDT,
    REST_ERROR,
];

/// Asks for 20 levels: Bybit spot offers 1, 50, 200, 1000, so 50.
fn codec() -> BybitCodec {
    BybitCodec::new(&markets(&MARKETS), 20).unwrap()
}

fn ms(millis: i64) -> Option<Timestamp> {
    Some(Timestamp::from_millis(millis))
}

fn eth_ticker() -> MarketData {
    MarketData::Ticker(Ticker {
        open_24h: Some(dec("2713.01")),
        high_24h: Some(dec("2779.50")),
        low_24h: Some(dec("2690.55")),
        volume_24h: Some(dec("412337.6685")),
        exchange_time: ms(1_749_619_397_512),
        ..ticker(Exchange::Bybit, "ETH/USDT", "2754.28")
    })
}

fn sol_snapshot() -> MarketData {
    MarketData::Book(BookSnapshot {
        seq: Some(4_470_219),
        exchange_time: ms(1_749_619_397_530),
        ..book(
            Exchange::Bybit,
            "SOL/USDT",
            &[
                ("156.42", "184.314"),
                ("156.41", "37.902"),
                ("156.40", "402.117"),
                ("156.39", "12.000"),
            ],
            &[
                ("156.43", "61.073"),
                ("156.44", "203.881"),
                ("156.45", "7.410"),
            ],
        )
    })
}

fn sol_delta() -> MarketData {
    MarketData::Delta(BookDelta {
        exchange: Exchange::Bybit,
        market: market("SOL/USDT"),
        bids: vec![lv("156.42", "0"), lv("156.38", "96.558")],
        asks: vec![lv("156.43", "58.001")],
        first_seq: None,
        seq: Some(4_470_220),
        prev_seq: None,
        checksum: None,
        exchange_time: ms(1_749_619_397_550),
        received: RECEIVED,
    })
}

fn rest_eth_ticker() -> MarketData {
    MarketData::Ticker(Ticker {
        best_bid: Some(dec("2754.30")),
        best_ask: Some(dec("2754.31")),
        open_24h: Some(dec("2713.01")),
        high_24h: Some(dec("2779.50")),
        low_24h: Some(dec("2690.55")),
        volume_24h: Some(dec("412338.0011")),
        exchange_time: ms(1_749_619_398_001),
        ..ticker(Exchange::Bybit, "ETH/USDT", "2754.31")
    })
}

fn rest_sol_book() -> MarketData {
    MarketData::Book(BookSnapshot {
        seq: Some(4_470_301),
        exchange_time: ms(1_749_619_398_050),
        ..book(
            Exchange::Bybit,
            "SOL/USDT",
            &[
                ("156.42", "190.114"),
                ("156.41", "37.902"),
                ("156.40", "398.001"),
            ],
            &[
                ("156.43", "55.073"),
                ("156.44", "203.881"),
                ("156.45", "7.410"),
            ],
        )
    })
}

/// A minimal ETHUSDT ticker push with `lastPrice` spelled as given.
fn ticker_with_last(last: &str) -> String {
    format!(
        r#"{{"topic":"tickers.ETHUSDT","ts":1749619397512,"type":"snapshot","data":{{"symbol":"ETHUSDT","lastPrice":{last}}}}}"#
    )
}

fn last_only(last: &str) -> Expect {
    Expect::data(vec![MarketData::Ticker(Ticker {
        exchange_time: ms(1_749_619_397_512),
        ..ticker(Exchange::Bybit, "ETH/USDT", last)
    })])
}

#[test]
fn subscribe_sends_both_topics_per_market_ten_to_a_request() {
    let codec = codec();
    assert_eq!(codec.depth(), 50);
    let frames = codec.subscribe(Timestamp::EPOCH);
    assert_eq!(frames.len(), 1);
    let frame: Value = serde_json::from_str(&frames[0]).unwrap();
    assert_eq!(frame["op"], "subscribe");
    assert_eq!(
        frame["args"],
        json!([
            "tickers.ETHUSDT",
            "orderbook.50.ETHUSDT",
            "tickers.SOLUSDT",
            "orderbook.50.SOLUSDT",
            "tickers.ETHBTC",
            "orderbook.50.ETHBTC",
        ])
    );
    assert_eq!(frame["req_id"].as_str().map(str::len), Some(16));
    assert!(frames[0].starts_with(r#"{"req_id":""#), "{}", frames[0]);
    assert_eq!(codec.subscribe(Timestamp::EPOCH), frames);

    // Eleven markets are 22 topics: requests of 10, 10 and 2, in order.
    let many: Vec<_> = (0..11).map(|n| market(&format!("A{n}/USDT"))).collect();
    let frames = BybitCodec::new(&many, 1)
        .unwrap()
        .subscribe(Timestamp::EPOCH);
    let args: Vec<Vec<Value>> = frames
        .iter()
        .map(|f| {
            let v: Value = serde_json::from_str(f).unwrap();
            v["args"].as_array().unwrap().clone()
        })
        .collect();
    assert_eq!(args.iter().map(Vec::len).collect::<Vec<_>>(), [10, 10, 2]);
    assert_eq!(args[0][0], "tickers.A0USDT");
    assert_eq!(args[0][1], "orderbook.1.A0USDT");
    assert_eq!(args[2][1], "orderbook.1.A10USDT");
    assert!(
        BybitCodec::new(&[], 1)
            .unwrap()
            .subscribe(Timestamp::EPOCH)
            .is_empty()
    );
}

#[test]
fn depth_is_the_smallest_bybit_offers_that_covers_the_request() {
    let cases = [
        (0, 1),
        (1, 1),
        (2, 50),
        (50, 50),
        (51, 200),
        (201, 1000),
        (5000, 1000),
    ];
    for (index, (requested, expected)) in cases.into_iter().enumerate() {
        let codec = BybitCodec::new(&markets(&["BTC/USDT"]), requested).unwrap();
        assert_eq!(codec.depth(), expected, "TC{index}");
        assert_eq!(
            codec.topics(),
            [
                "tickers.BTCUSDT".to_string(),
                format!("orderbook.{expected}.BTCUSDT")
            ],
            "TC{index}"
        );
        assert_eq!(
            codec.rest_book_requests(),
            [format!(
                "/v5/market/orderbook?category=spot&symbol=BTCUSDT&limit={expected}"
            )],
            "TC{index}"
        );
    }
}

#[test]
fn connection_settings() {
    let codec = codec();
    assert_eq!(codec.exchange(), Exchange::Bybit);
    assert_eq!(codec.markets(), &markets(&MARKETS)[..]);
    assert_eq!(codec.ws_url(DEFAULT_WS_URL), DEFAULT_WS_URL);
    assert_eq!(
        codec.ws_url("ws://127.0.0.1:9002/spot"),
        "ws://127.0.0.1:9002/spot"
    );
    assert_eq!(
        codec.keep_alive(),
        Some((
            Duration::from_secs(20),
            KeepAlive::Text(r#"{"op":"ping"}"#.into())
        ))
    );
    assert_eq!(codec.max_connection_lifetime(), None);
    assert_eq!(codec.book_sync(), BookSync::Consecutive);
    assert_eq!(
        codec.book_checksum(&market("SOL/USDT"), &[lv("1", "1")], &[]),
        None
    );
}

#[test]
fn decodes_websocket_frames() {
    let cases = [
        Case::new(
            "ticker (no best bid/ask on spot)",
            WS_TICKERS_ETHUSDT,
            Expect::data(vec![eth_ticker()]),
        ),
        Case::new(
            "order-book snapshot",
            WS_BOOK_SNAPSHOT_SOLUSDT,
            Expect::data(vec![sol_snapshot()]),
        ),
        Case::new(
            "order-book delta with a deletion",
            WS_BOOK_DELTA_SOLUSDT,
            Expect::data(vec![sol_delta()]),
        ),
        Case::new(
            "snapshot after a restart (u = 1)",
            WS_BOOK_SNAPSHOT_SOLUSDT.replace(r#""u": 4470219"#, r#""u": 1"#),
            Expect::data(vec![match sol_snapshot() {
                MarketData::Book(b) => MarketData::Book(BookSnapshot { seq: Some(1), ..b }),
                other => other,
            }]),
        ),
        Case::new(
            "keys in another order",
            r#"{"data":{"lastPrice":"2754.28","symbol":"ETHUSDT"},"type":"snapshot","ts":1749619397512,"topic":"tickers.ETHUSDT"}"#,
            last_only("2754.28"),
        ),
        Case::new("subscribe ack", ACK, Expect::class(FrameClass::Ack)),
        Case::new("pong", PONG, Expect::class(FrameClass::Pong)),
        Case::new(
            "pong of other endpoints",
            PONG_OTHER_ENDPOINTS,
            Expect::class(FrameClass::Pong),
        ),
        Case::new(
            "linear-style ack",
            r#"{"success":true,"ret_msg":"","conn_id":"x","op":"subscribe"}"#,
            Expect::class(FrameClass::Ack),
        ),
        Case::new(
            "failed subscription",
            SUBSCRIBE_FAILED,
            Expect::class(FrameClass::Error(
                "Invalid topic :[orderbook.49.SOLUSDT]".into(),
            )),
        ),
        Case::new(
            "a topic we did not ask for (array data)",
            TRADE_ETHUSDT,
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "another depth than subscribed",
            WS_BOOK_SNAPSHOT_SOLUSDT.replace("orderbook.50", "orderbook.200"),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "a symbol not configured",
            WS_TICKERS_ETHUSDT.replace("ETHUSDT", "BTCUSDT"),
            Expect::class(FrameClass::Unknown),
        ),
    ];
    run_ws(&mut codec(), &cases);
}

#[test]
fn numbers_are_exact() {
    run_ws(
        &mut codec(),
        &string_decimal_cases("lastPrice: ", ticker_with_last, last_only),
    );
}

#[test]
fn binary_and_text_frames_decode_alike() {
    assert_binary_and_text_alike(
        &mut codec(),
        WS_BOOK_SNAPSHOT_SOLUSDT,
        br#"{"topic":"tickers.ETHUSDT","data":{"lastPrice":"1","symbol":"#,
        b"}}",
        ACK,
    );
}

#[test]
fn malformed_frames_are_decode_errors() {
    let book = |kind: &str, data: &str| {
        format!(
            r#"{{"topic":"orderbook.50.SOLUSDT","type":"{kind}","ts":1749619397530,"data":{data}}}"#
        )
    };
    let cases = [
        Case::new("empty", "", Expect::Rejected("empty frame")),
        Case::new(
            "not JSON",
            "pong",
            Expect::Rejected("expected a JSON object"),
        ),
        Case::new(
            "truncated",
            r#"{"topic":"tickers.ETH"#,
            Expect::Rejected("truncated JSON"),
        ),
        Case::new(
            "trailing garbage",
            format!("{ACK}}}"),
            Expect::Rejected("not valid JSON"),
        ),
        Case::new("array", "[]", Expect::Rejected("expected a JSON object")),
        Case::new(
            "empty object",
            "{}",
            Expect::Rejected("neither a topic push, a reply nor a pong"),
        ),
        Case::new(
            "push without data",
            r#"{"topic":"tickers.ETHUSDT","type":"snapshot"}"#,
            Expect::Rejected("missing field data"),
        ),
        Case::new(
            "our topic with array data",
            r#"{"topic":"tickers.ETHUSDT","type":"snapshot","data":[]}"#,
            Expect::Rejected("data is not an object"),
        ),
        Case::new(
            "ticker without lastPrice",
            r#"{"topic":"tickers.ETHUSDT","data":{"symbol":"ETHUSDT"}}"#,
            Expect::Rejected("missing field lastPrice"),
        ),
        Case::new(
            "ticker of another symbol than its topic",
            r#"{"topic":"tickers.ETHUSDT","data":{"symbol":"SOLUSDT","lastPrice":"1"}}"#,
            Expect::Rejected("tickers.ETHUSDT: data of SOLUSDT"),
        ),
        Case::new(
            "bad ts",
            r#"{"topic":"tickers.ETHUSDT","ts":"soon","data":{"lastPrice":"1"}}"#,
            Expect::Rejected("expected i64"),
        ),
        Case::new(
            "book without type",
            r#"{"topic":"orderbook.50.SOLUSDT","data":{"s":"SOLUSDT","b":[],"a":[],"u":1}}"#,
            Expect::Rejected("missing field type"),
        ),
        Case::new(
            "book of an unknown type",
            book("partial", r#"{"b":[],"a":[],"u":1}"#),
            Expect::Rejected("unknown type partial"),
        ),
        Case::new(
            "book without u",
            book("delta", r#"{"b":[],"a":[]}"#),
            Expect::Rejected("missing field u"),
        ),
        Case::new(
            "negative u",
            book("delta", r#"{"b":[],"a":[],"u":-1}"#),
            Expect::Rejected("expected u64"),
        ),
        Case::new(
            "book without asks",
            book("snapshot", r#"{"b":[],"u":1}"#),
            Expect::Rejected("missing field a"),
        ),
        Case::new(
            "book of another symbol than its topic",
            book("snapshot", r#"{"s":"ETHUSDT","b":[],"a":[],"u":1}"#),
            Expect::Rejected("data of ETHUSDT"),
        ),
        Case::new(
            "level with three elements",
            book("snapshot", r#"{"b":[["156.42","1","x"]],"a":[],"u":1}"#),
            Expect::Rejected("level 0: more than price and quantity"),
        ),
        Case::new(
            "bad quantity",
            book(
                "delta",
                r#"{"b":[["156.42","1"],["156.41","lots"]],"a":[],"u":1}"#,
            ),
            Expect::Rejected("level 1 quantity: lots (not a number)"),
        ),
        Case::new(
            "bids out of order in a snapshot",
            book(
                "snapshot",
                r#"{"b":[["156.41","1"],["156.42","1"]],"a":[],"u":1}"#,
            ),
            Expect::Rejected("bids are not in descending price order"),
        ),
    ];
    run_ws(&mut codec(), &cases);
}

#[test]
fn every_truncation_is_rejected() {
    let mut codec = codec();
    for frame in [
        WS_TICKERS_ETHUSDT,
        WS_BOOK_SNAPSHOT_SOLUSDT,
        WS_BOOK_DELTA_SOLUSDT,
        ACK,
        PONG,
        SUBSCRIBE_FAILED,
    ] {
        assert_prefixes_rejected(&mut codec, frame.as_bytes(), false);
    }
    for body in [REST_TICKERS_ETHUSDT, REST_ORDERBOOK_SOLUSDT, REST_ERROR] {
        assert_prefixes_rejected(&mut codec, body.as_bytes(), true);
    }
}

crate::never_panics_suite!(codec, FRAMES);

#[test]
fn symbols_and_topics() {
    let cases = [
        ("BTC/USDT", "BTCUSDT"),
        ("ETH/BTC", "ETHBTC"),
        ("1000PEPE/USDT", "1000PEPEUSDT"),
    ];
    for (index, (text, expected)) in cases.into_iter().enumerate() {
        let code = symbol(&market(text));
        assert_eq!(code, expected, "TC{index}");
        assert_eq!(
            ticker_topic(&code),
            format!("tickers.{expected}"),
            "TC{index}"
        );
        assert_eq!(
            orderbook_topic(&code, 200),
            format!("orderbook.200.{expected}"),
            "TC{index}"
        );
    }
    assert_eq!(split_topic("tickers.BTCUSDT"), Topic::Ticker("BTCUSDT"));
    assert_eq!(
        split_topic("orderbook.50.BTCUSDT"),
        Topic::Orderbook("50", "BTCUSDT")
    );
    assert_eq!(split_topic("orderbook.BTCUSDT"), Topic::Other);
    assert_eq!(split_topic("publicTrade.BTCUSDT"), Topic::Other);
    assert_eq!(split_topic("tickers"), Topic::Other);
}

#[test]
fn codec_for_builds_bybit_and_refuses_what_cannot_be_told_apart() {
    let codec = codec_for(Exchange::Bybit, &markets(&MARKETS), 20).unwrap();
    assert_eq!(codec.exchange(), Exchange::Bybit);
    assert_eq!(codec.markets(), &markets(&MARKETS)[..]);
    assert_eq!(codec.book_sync(), BookSync::Consecutive);

    assert_codec_for_refuses(
        Exchange::Bybit,
        &[(
            &["BTC/USDT", "BTCUSD/T"],
            "BTCUSD/T",
            "same exchange code BTCUSDT as BTC/USDT",
        )],
    );

    // `tickers.A0000USDT` and `orderbook.1000.A0000USDT` are 41 characters a market.
    let many: Vec<_> = (0..600).map(|n| market(&format!("A{n:04}/USDT"))).collect();
    let per_market: usize = BybitCodec::new(&many[..1], 1000)
        .unwrap()
        .topics()
        .iter()
        .map(String::len)
        .sum();
    assert_eq!(per_market, 41);
    let fits = MAX_ARGS_CHARS / per_market;
    assert!(BybitCodec::new(&many[..fits], 1000).is_ok());
    assert_eq!(
        BybitCodec::new(&many, 1000).unwrap_err(),
        CodecSetupError::Market {
            exchange: Exchange::Bybit,
            market: many[fits].clone(),
            reason: "more than 21000 characters of topics on one connection".into(),
        }
    );
}

/// `cargo test --release -p premia-actors -- --ignored decode_cost --nocapture`
#[test]
#[ignore = "timing; run in release"]
fn decode_cost() {
    report_cost(
        &mut codec(),
        &[
            ("ws ticker", WS_TICKERS_ETHUSDT.as_bytes(), false),
            (
                "ws book snapshot",
                WS_BOOK_SNAPSHOT_SOLUSDT.as_bytes(),
                false,
            ),
            ("ws book delta", WS_BOOK_DELTA_SOLUSDT.as_bytes(), false),
            ("rest tickers", REST_TICKERS_ETHUSDT.as_bytes(), true),
            ("rest book", REST_ORDERBOOK_SOLUSDT.as_bytes(), true),
        ],
    );
}
