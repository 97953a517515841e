//! The exchange test suite, for Gate.io spot: URL and subscribe, connection settings,
//! WebSocket frames of every class (ticker, the three book channels as snapshots and deltas),
//! exact numbers, binary and text frames, damaged input, REST bodies, symbols, and the shared
//! fixtures. Frames were written for these tests from Gate's documented formats
//! (`actors/tests/data/gateio/` and inline below), with other markets and values than the
//! shared fixtures.

mod fixtures;
mod rest;

use std::time::Duration;

use premia_events::marketdata::{BookDelta, BookSnapshot, MarketData, Ticker};
use premia_events::{Exchange, Timestamp};
use serde_json::Value;

use super::symbols::{obu_pair, obu_stream, pair};
use super::{DEFAULT_WS_URL, GateioCodec};
use crate::exchanges::testkit::{
    Case, Expect, RECEIVED, assert_binary_and_text_alike, assert_codec_for_refuses,
    assert_prefixes_rejected, book, dec, lv, market, markets, report_cost, run_cases, run_rest,
    run_ws, string_decimal_cases, ticker,
};
use crate::exchanges::{BookSync, ExchangeCodec, FrameClass, codec_for};

const WS_TICKER_ETH_USDT: &str =
    include_str!("../../../../tests/data/gateio/ws_ticker_eth_usdt.json");
const WS_BOOK_FULL_SOL_USDT: &str =
    include_str!("../../../../tests/data/gateio/ws_book_full_sol_usdt.json");
const WS_BOOK_DELTA_SOL_USDT: &str =
    include_str!("../../../../tests/data/gateio/ws_book_delta_sol_usdt.json");
const WS_OBU_DELTA_ETH_BTC: &str =
    include_str!("../../../../tests/data/gateio/ws_obu_delta_eth_btc.json");
const WS_ORDER_BOOK_ETH_USDT: &str =
    include_str!("../../../../tests/data/gateio/ws_order_book_eth_usdt.json");
const REST_TICKERS_ETH_USDT: &str =
    include_str!("../../../../tests/data/gateio/rest_tickers_eth_usdt.json");
const REST_ORDER_BOOK_SOL_USDT: &str =
    include_str!("../../../../tests/data/gateio/rest_order_book_sol_usdt.json");

const ACK: &str = r#"{"time":1749619390,"time_ms":1749619390101,"channel":"spot.tickers","event":"subscribe","error":null,"result":{"status":"success"}}"#;
const OBU_ACK: &str = r#"{"time":1749619390,"time_ms":1749619390102,"conn_id":"5e74253e9c793974","trace_id":"1bde5aaa0acf2f5f48edfd4392e1fa68","channel":"spot.obu","event":"subscribe","payload":["ob.ETH_BTC.50"],"error":null,"result":{"status":"success"}}"#;
const UNSUBSCRIBE_ACK: &str = r#"{"time":1749619390,"time_ms":1749619390103,"channel":"spot.order_book_update","event":"unsubscribe","error":null,"result":{"status":"success"}}"#;
const ERROR_INVALID_ARGUMENT: &str = r#"{"time":1749619390,"time_ms":1749619390104,"channel":"spot.order_book_update","event":"subscribe","error":{"code":2,"message":"invalid argument: interval 7ms"},"result":null}"#;
const OBU_FAIL: &str = r#"{"time":1749619390,"time_ms":1749619390105,"channel":"spot.obu","event":"subscribe","payload":["ob.ETH_BTC.50"],"error":{"code":2,"message":"Alert sub ob.ETH_BTC.50"},"result":{"status":"fail"}}"#;
const PONG: &str = r#"{"time":1749619391,"time_ms":1749619391000,"channel":"spot.pong","event":"","error":null,"result":null}"#;
const TRADES_ETH_USDT: &str = r#"{"time":1749619397,"time_ms":1749619397600,"channel":"spot.trades","event":"update","result":{"id":309143071,"create_time":1749619397,"create_time_ms":"1749619397598.0","side":"sell","currency_pair":"ETH_USDT","amount":"0.02","price":"2754.27","range":"2390902-2390902"}}"#;
const REST_ERROR_INVALID_PAIR: &str =
    r#"{"label":"INVALID_CURRENCY_PAIR","message":"Invalid currency pair XYZ_USDT"}"#;

/// The configured markets: ETH_USDT, SOL_USDT, ETH_BTC.
const MARKETS: [&str; 3] = ["ETH/USDT", "SOL/USDT", "ETH/BTC"];

/// Every valid frame and body above, for the damage tests.
const FRAMES: [&str; 15] = [
    WS_TICKER_ETH_USDT,
    WS_BOOK_FULL_SOL_USDT,
    WS_BOOK_DELTA_SOL_USDT,
    WS_OBU_DELTA_ETH_BTC,
    WS_ORDER_BOOK_ETH_USDT,
    REST_TICKERS_ETH_USDT,
    REST_ORDER_BOOK_SOL_USDT,
    ACK,
    OBU_ACK,
    UNSUBSCRIBE_ACK,
    ERROR_INVALID_ARGUMENT,
    OBU_FAIL,
    PONG,
    TRADES_ETH_USDT,
    REST_ERROR_INVALID_PAIR,
];

const CLOCK: i64 = 1_749_619_390;

/// Asks for 10 levels: Gate offers 20 (at 20 ms) and 100 (at 100 ms).
fn codec() -> GateioCodec {
    GateioCodec::new(&markets(&MARKETS), 10).unwrap()
}

fn ms(millis: i64) -> Option<Timestamp> {
    Some(Timestamp::from_millis(millis))
}

fn eth_ticker() -> MarketData {
    MarketData::Ticker(Ticker {
        best_bid: Some(dec("2754.27")),
        best_ask: Some(dec("2754.29")),
        high_24h: Some(dec("2779.5")),
        low_24h: Some(dec("2690.55")),
        volume_24h: Some(dec("41233.7665")),
        exchange_time: ms(1_749_619_397_512),
        ..ticker(Exchange::Gateio, "ETH/USDT", "2754.28")
    })
}

/// The `full` snapshot: the zero-quantity bid is dropped.
fn sol_full_book() -> MarketData {
    MarketData::Book(BookSnapshot {
        seq: Some(88_120_044),
        exchange_time: ms(1_749_619_397_501),
        ..book(
            Exchange::Gateio,
            "SOL/USDT",
            &[
                ("156.42", "184.314"),
                ("156.41", "37.902"),
                ("156.39", "12.00"),
            ],
            &[
                ("156.43", "61.073"),
                ("156.44", "203.881"),
                ("156.45", "7.41"),
            ],
        )
    })
}

/// Levels as sent, unsorted, zeros kept (they delete).
fn sol_delta() -> MarketData {
    MarketData::Delta(BookDelta {
        exchange: Exchange::Gateio,
        market: market("SOL/USDT"),
        bids: vec![lv("156.38", "96.558"), lv("156.42", "0")],
        asks: vec![lv("156.46", "310.502"), lv("156.43", "55.073")],
        first_seq: Some(88_120_045),
        seq: Some(88_120_051),
        prev_seq: None,
        checksum: None,
        exchange_time: ms(1_749_619_397_601),
        received: RECEIVED,
    })
}

fn eth_btc_obu_delta() -> MarketData {
    MarketData::Delta(BookDelta {
        exchange: Exchange::Gateio,
        market: market("ETH/BTC"),
        bids: vec![lv("0.02351", "12.4261")],
        asks: vec![lv("0.02352", "0"), lv("0.02353", "17.2003")],
        first_seq: Some(5_120_033),
        seq: Some(5_120_035),
        prev_seq: None,
        checksum: None,
        exchange_time: ms(1_749_619_397_702),
        received: RECEIVED,
    })
}

fn eth_order_book() -> MarketData {
    MarketData::Book(BookSnapshot {
        seq: Some(9_917_731),
        exchange_time: ms(1_749_619_397_800),
        ..book(
            Exchange::Gateio,
            "ETH/USDT",
            &[("2754.27", "1.2"), ("2754.26", "0.0035"), ("2754.2", "11")],
            &[("2754.29", "4.5"), ("2754.3", "0.10")],
        )
    })
}

fn rest_eth_ticker() -> MarketData {
    MarketData::Ticker(Ticker {
        best_bid: Some(dec("2754.3")),
        best_ask: Some(dec("2754.32")),
        high_24h: Some(dec("2779.5")),
        low_24h: Some(dec("2690.55")),
        volume_24h: Some(dec("41240.0113")),
        ..ticker(Exchange::Gateio, "ETH/USDT", "2754.31")
    })
}

fn rest_sol_book() -> MarketData {
    MarketData::Book(BookSnapshot {
        seq: Some(88_120_100),
        exchange_time: ms(1_749_619_398_123),
        ..book(
            Exchange::Gateio,
            "SOL/USDT",
            &[("156.42", "190.114"), ("156.41", "37.902")],
            &[
                ("156.43", "55.073"),
                ("156.44", "203.881"),
                ("156.45", "7.41"),
            ],
        )
    })
}

/// A minimal ETH_USDT ticker update with `last` spelled as given.
fn ticker_with_last(last: &str) -> String {
    format!(
        r#"{{"time":1749619397,"time_ms":1749619397512,"channel":"spot.tickers","event":"update","result":{{"currency_pair":"ETH_USDT","last":{last}}}}}"#
    )
}

fn last_only(last: &str) -> Expect {
    Expect::data(vec![MarketData::Ticker(Ticker {
        exchange_time: ms(1_749_619_397_512),
        ..ticker(Exchange::Gateio, "ETH/USDT", last)
    })])
}

#[test]
fn subscribe_frames_have_the_documented_shape() {
    let codec = codec();
    assert_eq!(codec.ws_url(DEFAULT_WS_URL), "wss://api.gateio.ws/ws/v4/");
    assert_eq!(codec.ws_url("ws://127.0.0.1:9002/"), "ws://127.0.0.1:9002/");
    let frames: Vec<Value> = codec
        .subscribe(Timestamp::from_secs(CLOCK))
        .iter()
        .map(|frame| serde_json::from_str(frame).unwrap())
        .collect();
    let expected: Vec<Value> = [
        r#"{"time":1749619390,"channel":"spot.tickers","event":"subscribe","payload":["ETH_USDT","SOL_USDT","ETH_BTC"]}"#,
        r#"{"time":1749619390,"channel":"spot.order_book_update","event":"subscribe","payload":["ETH_USDT","20ms"]}"#,
        r#"{"time":1749619390,"channel":"spot.order_book_update","event":"subscribe","payload":["SOL_USDT","20ms"]}"#,
        r#"{"time":1749619390,"channel":"spot.order_book_update","event":"subscribe","payload":["ETH_BTC","20ms"]}"#,
    ]
    .iter()
    .map(|frame| serde_json::from_str(frame).unwrap())
    .collect();
    assert_eq!(frames, expected);
    assert!(
        GateioCodec::new(&[], 10)
            .unwrap()
            .subscribe(Timestamp::EPOCH)
            .is_empty()
    );
    // `time` is whole seconds of the time given, rounded down.
    let late = codec.subscribe(Timestamp::from_secs(CLOCK).plus_nanos(999_999_999));
    let frame: Value = serde_json::from_str(&late[0]).unwrap();
    assert_eq!(frame["time"].as_i64(), Some(CLOCK));
}

#[test]
fn depth_is_the_smallest_gate_offers_that_covers_the_request() {
    let cases = [
        (0, 20, "20ms"),
        (5, 20, "20ms"),
        (20, 20, "20ms"),
        (21, 100, "100ms"),
        (100, 100, "100ms"),
        (400, 100, "100ms"),
    ];
    for (index, (requested, depth, interval)) in cases.into_iter().enumerate() {
        let codec = GateioCodec::new(&markets(&["BTC/USDT"]), requested).unwrap();
        assert_eq!(codec.depth(), depth, "TC{index}");
        assert_eq!(codec.interval(), interval, "TC{index}");
        assert!(
            codec.subscribe(Timestamp::EPOCH)[1].contains(interval),
            "TC{index}"
        );
        assert_eq!(
            codec.rest_book_requests(),
            [format!(
                "/api/v4/spot/order_book?currency_pair=BTC_USDT&limit={depth}&with_id=true"
            )],
            "TC{index}"
        );
    }
}

#[test]
fn connection_settings() {
    let codec = codec();
    assert_eq!(codec.exchange(), Exchange::Gateio);
    assert_eq!(codec.markets(), &markets(&MARKETS)[..]);
    assert_eq!(
        codec.keep_alive(),
        Some((
            Duration::from_secs(10),
            crate::exchanges::KeepAlive::PingFrame
        ))
    );
    assert_eq!(codec.max_connection_lifetime(), None);
    assert_eq!(codec.book_sync(), BookSync::Ranges);
    assert_eq!(codec.book_checksum(&market("ETH/USDT"), &[], &[]), None);
}

#[test]
fn decodes_websocket_frames() {
    let cases = [
        Case::new(
            "ticker",
            WS_TICKER_ETH_USDT,
            Expect::data(vec![eth_ticker()]),
        ),
        Case::new(
            "full snapshot on the delta channel",
            WS_BOOK_FULL_SOL_USDT,
            Expect::data(vec![sol_full_book()]),
        ),
        Case::new(
            "delta",
            WS_BOOK_DELTA_SOL_USDT,
            Expect::data(vec![sol_delta()]),
        ),
        Case::new(
            "order book V2 delta, no event or time",
            WS_OBU_DELTA_ETH_BTC,
            Expect::data(vec![eth_btc_obu_delta()]),
        ),
        Case::new(
            "limited-level snapshot channel",
            WS_ORDER_BOOK_ETH_USDT,
            Expect::data(vec![eth_order_book()]),
        ),
        Case::new(
            "result before channel",
            r#"{"result":{"currency_pair":"ETH_USDT","last":"2754.28"},"time_ms":1749619397512,"event":"update","channel":"spot.tickers"}"#,
            last_only("2754.28"),
        ),
        Case::new(
            "only time in seconds",
            r#"{"time":1749619397,"channel":"spot.tickers","event":"update","result":{"currency_pair":"ETH_USDT","last":"1"}}"#,
            Expect::data(vec![MarketData::Ticker(Ticker {
                exchange_time: ms(1_749_619_397_000),
                ..ticker(Exchange::Gateio, "ETH/USDT", "1")
            })]),
        ),
        Case::new("subscribe ack", ACK, Expect::class(FrameClass::Ack)),
        Case::new("V2 subscribe ack", OBU_ACK, Expect::class(FrameClass::Ack)),
        Case::new(
            "unsubscribe ack",
            UNSUBSCRIBE_ACK,
            Expect::class(FrameClass::Ack),
        ),
        Case::new(
            "error",
            ERROR_INVALID_ARGUMENT,
            Expect::class(FrameClass::Error(
                "2: invalid argument: interval 7ms".into(),
            )),
        ),
        Case::new(
            "V2 failure",
            OBU_FAIL,
            Expect::class(FrameClass::Error("2: Alert sub ob.ETH_BTC.50".into())),
        ),
        Case::new(
            "failure status without an error object",
            r#"{"channel":"spot.obu","event":"subscribe","result":{"status":"fail"}}"#,
            Expect::class(FrameClass::Error("spot.obu: fail".into())),
        ),
        Case::new("pong", PONG, Expect::class(FrameClass::Pong)),
        Case::new(
            "a channel we did not ask for",
            TRADES_ETH_USDT,
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "a pair not configured",
            WS_TICKER_ETH_USDT.replace("ETH_USDT", "BTC_USDT"),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "a book of a pair not configured",
            WS_OBU_DELTA_ETH_BTC.replace("ETH_BTC", "DOGE_BTC"),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "another event on our channel",
            r#"{"channel":"spot.tickers","event":"all","result":[]}"#,
            Expect::class(FrameClass::Unknown),
        ),
    ];
    run_ws(&mut codec(), &cases);
}

#[test]
fn snapshots_are_cut_to_the_subscribed_depth() {
    let levels = |start: u32, step: i32| -> String {
        (0..25)
            .map(|i| {
                let price = i64::from(start) + i64::from(step) * i64::from(i);
                format!(r#"["{price}.5","1.{i}"]"#)
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let frame = format!(
        r#"{{"channel":"spot.obu","result":{{"t":1749619397000,"full":true,"s":"ob.SOL_USDT.50","u":7,"b":[{}],"a":[{}]}},"time_ms":1749619397001}}"#,
        levels(150, -1),
        levels(151, 1)
    );
    let mut codec = codec();
    let mut out = Vec::new();
    assert_eq!(
        codec.decode(frame.as_bytes(), RECEIVED, &mut out),
        Ok(FrameClass::Data)
    );
    let MarketData::Book(book) = &out[0] else {
        panic!("{out:?}")
    };
    assert_eq!((book.bids.len(), book.asks.len()), (20, 20));
    assert_eq!(book.bids[0], lv("150.5", "1.0"));
    assert_eq!(book.bids[19], lv("131.5", "1.19"));
    assert_eq!(book.asks[19], lv("170.5", "1.19"));
    assert_eq!(book.seq, Some(7));
    assert_eq!(book.received, RECEIVED);
}

#[test]
fn numbers_are_exact() {
    run_ws(
        &mut codec(),
        &string_decimal_cases("last: ", ticker_with_last, last_only),
    );
}

#[test]
fn binary_and_text_frames_decode_alike() {
    assert_binary_and_text_alike(
        &mut codec(),
        WS_BOOK_DELTA_SOL_USDT,
        br#"{"channel":"spot.tickers","event":"update","result":{"last":"1","currency_pair":"#,
        b"}}",
        ACK,
    );
}

#[test]
fn malformed_frames_are_decode_errors() {
    let update = |result: &str| {
        format!(r#"{{"channel":"spot.order_book_update","event":"update","result":{result}}}"#)
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
            r#"{"channel":"spot.tick"#,
            Expect::Rejected("truncated JSON"),
        ),
        Case::new(
            "trailing garbage",
            format!("{ACK}}}"),
            Expect::Rejected("not valid JSON"),
        ),
        Case::new("array", "[]", Expect::Rejected("expected a JSON object")),
        Case::new("empty object", "{}", Expect::Rejected("no channel field")),
        Case::new(
            "duplicate channel",
            r#"{"channel":"spot.tickers","channel":"spot.obu"}"#,
            Expect::Rejected("duplicate field channel"),
        ),
        Case::new(
            "update without result",
            r#"{"channel":"spot.tickers","event":"update"}"#,
            Expect::Rejected("missing field result"),
        ),
        Case::new(
            "result not an object",
            r#"{"channel":"spot.tickers","event":"update","result":"2754.28"}"#,
            Expect::Rejected("result is not an object"),
        ),
        Case::new(
            "deferred result not an object",
            r#"{"result":[1],"channel":"spot.obu"}"#,
            Expect::Rejected("result is not an object"),
        ),
        Case::new(
            "ticker without last",
            r#"{"channel":"spot.tickers","event":"update","result":{"currency_pair":"ETH_USDT"}}"#,
            Expect::Rejected("missing field last"),
        ),
        Case::new(
            "ticker without pair",
            r#"{"channel":"spot.tickers","event":"update","result":{"last":"1"}}"#,
            Expect::Rejected("missing field currency_pair"),
        ),
        Case::new(
            "bad time",
            r#"{"channel":"spot.tickers","time_ms":"soon","event":"update","result":{}}"#,
            Expect::Rejected("expected i64"),
        ),
        Case::new(
            "book without s",
            update(r#"{"U":1,"u":2,"b":[],"a":[]}"#),
            Expect::Rejected("missing field s"),
        ),
        Case::new(
            "obu stream of another form",
            r#"{"channel":"spot.obu","result":{"s":"SOL_USDT","u":2,"b":[],"a":[]}}"#,
            Expect::Rejected("is not an ob.<pair>.<level> stream"),
        ),
        Case::new(
            "delta without u",
            update(r#"{"s":"SOL_USDT","U":1,"b":[],"a":[]}"#),
            Expect::Rejected("missing field u"),
        ),
        Case::new(
            "delta without U",
            update(r#"{"s":"SOL_USDT","u":1,"b":[],"a":[]}"#),
            Expect::Rejected("missing field U"),
        ),
        Case::new(
            "delta running backwards",
            update(r#"{"s":"SOL_USDT","U":5,"u":4,"b":[],"a":[]}"#),
            Expect::Rejected("update ids run backwards"),
        ),
        Case::new(
            "delta without asks",
            update(r#"{"s":"SOL_USDT","U":1,"u":1,"b":[]}"#),
            Expect::Rejected("missing field a"),
        ),
        Case::new(
            "negative update id",
            update(r#"{"s":"SOL_USDT","U":-1,"u":1,"b":[],"a":[]}"#),
            Expect::Rejected("expected u64"),
        ),
        Case::new(
            "snapshot channel without lastUpdateId",
            r#"{"channel":"spot.order_book","event":"update","result":{"s":"ETH_USDT","bids":[],"asks":[]}}"#,
            Expect::Rejected("missing field lastUpdateId"),
        ),
        Case::new(
            "level with one element",
            update(r#"{"s":"SOL_USDT","U":1,"u":1,"b":[["156.42"]],"a":[]}"#),
            Expect::Rejected("level 0: no quantity"),
        ),
        Case::new(
            "bad quantity",
            update(r#"{"s":"SOL_USDT","U":1,"u":1,"b":[["156.42","1"],["156.41","lots"]],"a":[]}"#),
            Expect::Rejected("level 1 quantity: lots (not a number)"),
        ),
        Case::new(
            "full snapshot out of order",
            update(
                r#"{"s":"SOL_USDT","full":true,"u":1,"b":[["156.41","1"],["156.42","1"]],"a":[]}"#,
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
        WS_TICKER_ETH_USDT,
        WS_BOOK_FULL_SOL_USDT,
        WS_BOOK_DELTA_SOL_USDT,
        WS_OBU_DELTA_ETH_BTC,
        ACK,
        ERROR_INVALID_ARGUMENT,
        PONG,
    ] {
        assert_prefixes_rejected(&mut codec, frame.as_bytes(), false);
    }
    for body in [REST_TICKERS_ETH_USDT, REST_ERROR_INVALID_PAIR] {
        assert_prefixes_rejected(&mut codec, body.as_bytes(), true);
    }
    let mut single = GateioCodec::new(&markets(&["SOL/USDT"]), 20).unwrap();
    assert_prefixes_rejected(&mut single, REST_ORDER_BOOK_SOL_USDT.as_bytes(), true);
}

crate::never_panics_suite!(codec, FRAMES);

#[test]
fn symbols_and_stream_names() {
    let cases = [
        ("BTC/USDT", "BTC_USDT"),
        ("ETH/BTC", "ETH_BTC"),
        ("BTC3L/USDT", "BTC3L_USDT"),
        ("1000SATS/USDT", "1000SATS_USDT"),
    ];
    for (index, (text, code)) in cases.into_iter().enumerate() {
        assert_eq!(pair(&market(text)), code, "TC{index}");
        assert_eq!(obu_pair(&obu_stream(code, 50)), Some(code), "TC{index}");
    }
    assert_eq!(obu_pair("ob.BTC_USDT.400"), Some("BTC_USDT"));
    assert_eq!(obu_pair("BTC_USDT"), None);
    assert_eq!(obu_pair("ob.BTC_USDT"), None);
    assert_eq!(obu_pair("ob.BTC_USDT.x"), None);

    assert_codec_for_refuses(
        Exchange::Gateio,
        &[(&["ETH/USDT", "eth/usdt"], "ETH/USDT", "listed twice")],
    );
    let codec = codec_for(Exchange::Gateio, &markets(&MARKETS), 20).unwrap();
    assert_eq!(codec.exchange(), Exchange::Gateio);
    assert_eq!(codec.markets(), &markets(&MARKETS)[..]);
}

/// `cargo test --release -p premia-actors -- --ignored decode_cost --nocapture`
#[test]
#[ignore = "timing; run in release"]
fn decode_cost() {
    report_cost(
        &mut codec(),
        &[
            ("ws ticker", WS_TICKER_ETH_USDT.as_bytes(), false),
            ("ws book full", WS_BOOK_FULL_SOL_USDT.as_bytes(), false),
            ("ws book delta", WS_BOOK_DELTA_SOL_USDT.as_bytes(), false),
            ("rest tickers", REST_TICKERS_ETH_USDT.as_bytes(), true),
        ],
    );
}
