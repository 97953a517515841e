//! The exchange test suite, for OKX spot: subscribe and connection settings, WebSocket frames
//! (tickers, books snapshot and update, events, `pong`), exact numbers, binary and text frames,
//! damaged input, REST bodies (HTTP-200 errors included), symbols, the book checksum, and the
//! shared fixtures. Frames were written for these tests from OKX's documented formats
//! (`actors/tests/data/okx/` and inline below), with other markets and values than the shared
//! fixtures; the books frames carry real checksums of their levels.

mod book;
mod fixtures;
mod rest;

use book::levels;

use std::time::Duration;

use premia_events::marketdata::{BookDelta, BookSnapshot, Level, MarketData, Ticker};
use premia_events::{Exchange, Timestamp};
use serde_json::{Value, json};

use super::symbols::{inst_id, parse_inst_id};
use super::{DEFAULT_WS_URL, MAX_MARKETS, OkxCodec, PING_INTERVAL, okx_checksum};
use crate::exchanges::testkit::{
    Case, Expect, RECEIVED, assert_binary_and_text_alike, assert_codec_for_refuses,
    assert_prefixes_rejected, book, dec, lv, market, markets, report_cost, run_cases, run_rest,
    run_ws, string_decimal_cases, ticker,
};
use crate::exchanges::{
    BookSync, CodecSetupError, ExchangeCodec, FrameClass, KeepAlive, codec_for,
};

const WS_TICKERS_ETH_USDT: &str =
    include_str!("../../../../tests/data/okx/ws_tickers_eth_usdt.json");
const WS_BOOKS_SNAPSHOT_SOL_USDT: &str =
    include_str!("../../../../tests/data/okx/ws_books_snapshot_sol_usdt.json");
const WS_BOOKS_UPDATE_SOL_USDT: &str =
    include_str!("../../../../tests/data/okx/ws_books_update_sol_usdt.json");
const REST_TICKER_ETH_USDT: &str =
    include_str!("../../../../tests/data/okx/rest_ticker_eth_usdt.json");
const REST_BOOKS_SOL_USDT: &str =
    include_str!("../../../../tests/data/okx/rest_books_sol_usdt.json");

const ACK: &str = r#"{"id":"7","event":"subscribe","arg":{"channel":"books","instId":"SOL-USDT"},"connId":"5e1a77c2"}"#;
const UNSUBSCRIBED: &str = r#"{"event":"unsubscribe","arg":{"channel":"tickers","instId":"ETH-USDT"},"connId":"5e1a77c2"}"#;
const ERROR_EVENT: &str = r#"{"id":"7","event":"error","code":"60018","msg":"Wrong URL or channel:books, instId:SOL-USDC doesn't exist.","connId":"5e1a77c2"}"#;
const NOTICE: &str = r#"{"event":"notice","code":"64008","msg":"The connection will soon be closed for a service upgrade. Please reconnect.","connId":"5e1a77c2"}"#;
const CONN_COUNT: &str =
    r#"{"event":"channel-conn-count","channel":"books","connCount":"2","connId":"5e1a77c2"}"#;
const TRADES_ETH_USDT: &str = r#"{"arg":{"channel":"trades","instId":"ETH-USDT"},"data":[{"instId":"ETH-USDT","tradeId":"130639474","px":"2754.28","sz":"0.0363","side":"buy","ts":"1749619397520","count":"1"}]}"#;
const HEARTBEAT_UPDATE: &str = r#"{"arg":{"channel":"books","instId":"ETH-BTC"},"action":"update","data":[{"asks":[],"bids":[],"ts":"1749619457512","checksum":-1204583113,"prevSeqId":1877243,"seqId":1877243}]}"#;
const REST_ERROR: &str = r#"{"code":"51001","msg":"Instrument ID does not exist","data":[]}"#;

/// The configured markets: ETH-USDT, SOL-USDT, ETH-BTC.
const MARKETS: [&str; 3] = ["ETH/USDT", "SOL/USDT", "ETH/BTC"];

/// Every valid frame and body above, for the damage tests.
const FRAMES: [&str; 14] = [
    WS_TICKERS_ETH_USDT,
    WS_BOOKS_SNAPSHOT_SOL_USDT,
    WS_BOOKS_UPDATE_SOL_USDT,
    REST_TICKER_ETH_USDT,
    REST_BOOKS_SOL_USDT,
    ACK,
    UNSUBSCRIBED,
    ERROR_EVENT,
    NOTICE,
    CONN_COUNT,
    TRADES_ETH_USDT,
    HEARTBEAT_UPDATE,
    REST_ERROR,
    "pong",
];

/// REST books of 5 levels.
fn codec() -> OkxCodec {
    OkxCodec::new(&markets(&MARKETS), 5).unwrap()
}

fn ms(millis: i64) -> Option<Timestamp> {
    Some(Timestamp::from_millis(millis))
}

fn eth_ticker() -> MarketData {
    MarketData::Ticker(Ticker {
        best_bid: Some(dec("2754.28")),
        best_ask: Some(dec("2754.29")),
        open_24h: Some(dec("2713.01")),
        high_24h: Some(dec("2779.5")),
        low_24h: Some(dec("2690.55")),
        volume_24h: Some(dec("412337.668500")),
        exchange_time: ms(1_749_619_397_512),
        ..ticker(Exchange::Okx, "ETH/USDT", "2754.28")
    })
}

fn sol_bids() -> [(&'static str, &'static str); 6] {
    [
        ("156.42", "184.314"),
        ("156.41", "37.902"),
        ("156.4", "402.117"),
        ("156.39", "12.00"),
        ("156.38", "96.558"),
        ("156.35", "0.5"),
    ]
}

fn sol_asks() -> [(&'static str, &'static str); 6] {
    [
        ("156.43", "61.073"),
        ("156.44", "203.881"),
        ("156.45", "7.41"),
        ("156.46", "310.502"),
        ("156.47", "45"),
        ("156.5", "1.25"),
    ]
}

/// The snapshot keeps every level: the updates that follow are relative to the whole book.
fn sol_snapshot() -> MarketData {
    MarketData::Book(BookSnapshot {
        seq: Some(31_207_445_781),
        exchange_time: ms(1_749_619_397_512),
        ..book(Exchange::Okx, "SOL/USDT", &sol_bids(), &sol_asks())
    })
}

fn sol_update() -> MarketData {
    MarketData::Delta(BookDelta {
        exchange: Exchange::Okx,
        market: market("SOL/USDT"),
        bids: vec![lv("156.425", "3.3"), lv("156.35", "0")],
        asks: vec![lv("156.43", "0"), lv("156.44", "199.001")],
        first_seq: None,
        seq: Some(31_207_445_796),
        prev_seq: Some(31_207_445_781),
        checksum: Some(1_115_099_101),
        exchange_time: ms(1_749_619_397_612),
        received: RECEIVED,
    })
}

fn eth_btc_heartbeat() -> MarketData {
    MarketData::Delta(BookDelta {
        exchange: Exchange::Okx,
        market: market("ETH/BTC"),
        bids: vec![],
        asks: vec![],
        first_seq: None,
        seq: Some(1_877_243),
        prev_seq: Some(1_877_243),
        checksum: Some(u32::from_be_bytes((-1_204_583_113_i32).to_be_bytes())),
        exchange_time: ms(1_749_619_457_512),
        received: RECEIVED,
    })
}

/// The REST body has 7 levels a side; the codec keeps 5.
fn rest_sol_book() -> MarketData {
    MarketData::Book(BookSnapshot {
        seq: Some(31_207_445_802),
        exchange_time: ms(1_749_619_398_050),
        ..book(
            Exchange::Okx,
            "SOL/USDT",
            &[
                ("156.42", "190.114"),
                ("156.41", "37.902"),
                ("156.4", "398.001"),
                ("156.39", "12.00"),
                ("156.38", "96.558"),
            ],
            &[
                ("156.43", "55.073"),
                ("156.44", "203.881"),
                ("156.45", "7.41"),
                ("156.46", "310.502"),
                ("156.47", "45"),
            ],
        )
    })
}

fn rest_eth_ticker() -> MarketData {
    MarketData::Ticker(Ticker {
        best_bid: Some(dec("2754.31")),
        best_ask: Some(dec("2754.32")),
        open_24h: Some(dec("2713.01")),
        high_24h: Some(dec("2779.5")),
        low_24h: Some(dec("2690.55")),
        volume_24h: Some(dec("412338.0011")),
        exchange_time: ms(1_749_619_398_001),
        ..ticker(Exchange::Okx, "ETH/USDT", "2754.31")
    })
}

/// A minimal ETH-USDT tickers push with `last` spelled as given.
fn ticker_with_last(last: &str) -> String {
    format!(
        r#"{{"arg":{{"channel":"tickers","instId":"ETH-USDT"}},"data":[{{"instId":"ETH-USDT","last":{last},"ts":"1749619397512"}}]}}"#
    )
}

fn last_only(last: &str) -> Expect {
    Expect::data(vec![MarketData::Ticker(Ticker {
        exchange_time: ms(1_749_619_397_512),
        ..ticker(Exchange::Okx, "ETH/USDT", last)
    })])
}

#[test]
fn subscribe_is_one_frame_with_both_channels_per_market() {
    let codec = codec();
    let frames = codec.subscribe(Timestamp::EPOCH);
    assert_eq!(frames.len(), 1);
    let frame: Value = serde_json::from_str(&frames[0]).unwrap();
    let id = codec.request_id();
    assert_eq!(id.len(), 16);
    assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(
        frame,
        json!({
            "id": id,
            "op": "subscribe",
            "args": [
                {"channel": "tickers", "instId": "ETH-USDT"},
                {"channel": "books", "instId": "ETH-USDT"},
                {"channel": "tickers", "instId": "SOL-USDT"},
                {"channel": "books", "instId": "SOL-USDT"},
                {"channel": "tickers", "instId": "ETH-BTC"},
                {"channel": "books", "instId": "ETH-BTC"},
            ]
        })
    );
    // Fields in the documented order, and the same id on every connection.
    assert!(frames[0].starts_with(r#"{"id":""#), "{}", frames[0]);
    assert_eq!(codec.subscribe(Timestamp::EPOCH), frames);
    assert!(
        OkxCodec::new(&[], 5)
            .unwrap()
            .subscribe(Timestamp::EPOCH)
            .is_empty()
    );
}

#[test]
fn connection_settings() {
    let codec = codec();
    assert_eq!(codec.exchange(), Exchange::Okx);
    assert_eq!(codec.markets(), &markets(&MARKETS)[..]);
    assert_eq!(codec.ws_url(DEFAULT_WS_URL), DEFAULT_WS_URL);
    assert_eq!(
        codec.ws_url("ws://127.0.0.1:9002/okx"),
        "ws://127.0.0.1:9002/okx"
    );
    assert_eq!(
        codec.keep_alive(),
        Some((Duration::from_secs(20), KeepAlive::Text("ping".into())))
    );
    assert!(PING_INTERVAL < Duration::from_secs(30));
    assert_eq!(codec.max_connection_lifetime(), None);
    assert_eq!(codec.book_sync(), BookSync::PrevSeqChain);
}

#[test]
fn decodes_websocket_frames() {
    let cases = [
        Case::new(
            "ticker",
            WS_TICKERS_ETH_USDT,
            Expect::data(vec![eth_ticker()]),
        ),
        Case::new(
            "books snapshot, every level kept",
            WS_BOOKS_SNAPSHOT_SOL_USDT,
            Expect::data(vec![sol_snapshot()]),
        ),
        Case::new(
            "books update with deletions and the checksum",
            WS_BOOKS_UPDATE_SOL_USDT,
            Expect::data(vec![sol_update()]),
        ),
        Case::new(
            "heartbeat update, negative checksum",
            HEARTBEAT_UPDATE,
            Expect::data(vec![eth_btc_heartbeat()]),
        ),
        Case::new(
            "checksum 0 means none",
            HEARTBEAT_UPDATE.replace("-1204583113", "0"),
            Expect::data(vec![match eth_btc_heartbeat() {
                MarketData::Delta(delta) => MarketData::Delta(BookDelta {
                    checksum: None,
                    ..delta
                }),
                other => other,
            }]),
        ),
        Case::new(
            "sequence reset after maintenance (seqId below prevSeqId)",
            HEARTBEAT_UPDATE.replace(r#""seqId":1877243"#, r#""seqId":15"#),
            Expect::data(vec![match eth_btc_heartbeat() {
                MarketData::Delta(delta) => MarketData::Delta(BookDelta {
                    seq: Some(15),
                    ..delta
                }),
                other => other,
            }]),
        ),
        Case::new(
            "keys in another order",
            r#"{"data":[{"ts":"1749619397512","last":"2754.28","instId":"ETH-USDT"}],"arg":{"instId":"ETH-USDT","channel":"tickers"}}"#,
            last_only("2754.28"),
        ),
        Case::new(
            "empty best bid (no bids)",
            r#"{"arg":{"channel":"tickers","instId":"ETH-USDT"},"data":[{"instId":"ETH-USDT","last":"2754.28","bidPx":"","ts":"1749619397512"}]}"#,
            last_only("2754.28"),
        ),
        Case::new("pong", "pong", Expect::class(FrameClass::Pong)),
        Case::new(
            "pong with a newline",
            "pong\n",
            Expect::class(FrameClass::Pong),
        ),
        Case::new("subscribe ack", ACK, Expect::class(FrameClass::Ack)),
        Case::new(
            "unsubscribe ack",
            UNSUBSCRIBED,
            Expect::class(FrameClass::Ack),
        ),
        Case::new(
            "error",
            ERROR_EVENT,
            Expect::class(FrameClass::Error(
                "60018: Wrong URL or channel:books, instId:SOL-USDC doesn't exist.".into(),
            )),
        ),
        Case::new("notice", NOTICE, Expect::class(FrameClass::Status)),
        Case::new(
            "connection count",
            CONN_COUNT,
            Expect::class(FrameClass::Status),
        ),
        Case::new(
            "an event not known",
            r#"{"event":"login","code":"0","msg":""}"#,
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "a channel we did not ask for",
            TRADES_ETH_USDT,
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "books5 (not subscribed)",
            WS_BOOKS_SNAPSHOT_SOL_USDT.replace(r#""books""#, r#""books5""#),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "an instrument not configured",
            WS_TICKERS_ETH_USDT.replace("ETH-USDT", "BTC-USDT"),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "a derivative of a configured pair",
            WS_TICKERS_ETH_USDT.replace("ETH-USDT", "ETH-USDT-SWAP"),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "push with no items",
            r#"{"arg":{"channel":"tickers","instId":"ETH-USDT"},"data":[]}"#,
            Expect::class(FrameClass::Unknown),
        ),
    ];
    run_ws(&mut codec(), &cases);
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
        WS_BOOKS_SNAPSHOT_SOL_USDT,
        br#"{"arg":{"channel":"tickers","instId":"ETH-USDT"},"data":[{"last":"1","instType":"#,
        b"}]}",
        ACK,
    );
}

#[test]
fn malformed_frames_are_decode_errors() {
    let books = |action: &str, item: &str| {
        format!(
            r#"{{"arg":{{"channel":"books","instId":"SOL-USDT"}},"action":"{action}","data":[{item}]}}"#
        )
    };
    let cases = [
        Case::new("empty", "", Expect::Rejected("empty frame")),
        Case::new(
            "not JSON",
            "ping",
            Expect::Rejected("expected a JSON object"),
        ),
        Case::new(
            "truncated",
            r#"{"arg":{"channel":"tick"#,
            Expect::Rejected("truncated JSON"),
        ),
        Case::new(
            "trailing garbage",
            format!("{ACK}}}"),
            Expect::Rejected("not valid JSON"),
        ),
        Case::new("array", "[]", Expect::Rejected("expected a JSON object")),
        Case::new("empty object", "{}", Expect::Rejected("neither a push")),
        Case::new(
            "push without data",
            r#"{"arg":{"channel":"tickers","instId":"ETH-USDT"}}"#,
            Expect::Rejected("missing field data"),
        ),
        Case::new(
            "push without channel",
            r#"{"arg":{"instId":"ETH-USDT"},"data":[]}"#,
            Expect::Rejected("missing field arg.channel"),
        ),
        Case::new(
            "data not an array",
            r#"{"arg":{"channel":"tickers","instId":"ETH-USDT"},"data":{"last":"1"}}"#,
            Expect::Rejected("unexpected shape"),
        ),
        Case::new(
            "ticker without last",
            r#"{"arg":{"channel":"tickers","instId":"ETH-USDT"},"data":[{"instId":"ETH-USDT","bidPx":"1"}]}"#,
            Expect::Rejected("data[0]: missing field last"),
        ),
        Case::new(
            "ticker of another instrument than its arg",
            r#"{"arg":{"channel":"tickers","instId":"ETH-USDT"},"data":[{"instId":"SOL-USDT","last":"1"}]}"#,
            Expect::Rejected("a ticker of SOL-USDT on ETH-USDT"),
        ),
        Case::new(
            "bad ts",
            r#"{"arg":{"channel":"tickers","instId":"ETH-USDT"},"data":[{"last":"1","ts":"soon"}]}"#,
            Expect::Rejected("ts: soon (not a number)"),
        ),
        Case::new(
            "books without action",
            WS_BOOKS_SNAPSHOT_SOL_USDT.replace(r#""action": "snapshot","#, ""),
            Expect::Rejected("missing field action"),
        ),
        Case::new(
            "unknown action",
            books("partial", r#"{"asks":[],"bids":[],"seqId":1}"#),
            Expect::Rejected("unknown books action partial"),
        ),
        Case::new(
            "update without prevSeqId",
            books("update", r#"{"asks":[],"bids":[],"seqId":2}"#),
            Expect::Rejected("missing field prevSeqId"),
        ),
        Case::new(
            "update with a negative prevSeqId",
            books(
                "update",
                r#"{"asks":[],"bids":[],"prevSeqId":-1,"seqId":2}"#,
            ),
            Expect::Rejected("prevSeqId: negative"),
        ),
        Case::new(
            "snapshot without seqId",
            books("snapshot", r#"{"asks":[],"bids":[],"prevSeqId":-1}"#),
            Expect::Rejected("missing field seqId"),
        ),
        Case::new(
            "snapshot without bids",
            books("snapshot", r#"{"asks":[],"prevSeqId":-1,"seqId":1}"#),
            Expect::Rejected("missing field bids"),
        ),
        Case::new(
            "checksum beyond 32 bits",
            books(
                "update",
                r#"{"asks":[],"bids":[],"checksum":4294967296,"prevSeqId":1,"seqId":2}"#,
            ),
            Expect::Rejected("checksum: 4294967296 is not a 32-bit integer"),
        ),
        Case::new(
            "level with one element",
            books("snapshot", r#"{"asks":[["156.43"]],"bids":[],"seqId":1}"#),
            Expect::Rejected("level 0: no size"),
        ),
        Case::new(
            "level with five elements",
            books(
                "snapshot",
                r#"{"asks":[["156.43","1","0","1","x"]],"bids":[],"seqId":1}"#,
            ),
            Expect::Rejected("level 0: more than 4 fields"),
        ),
        Case::new(
            "bad size",
            books(
                "snapshot",
                r#"{"asks":[["156.43","1","0","1"],["156.44","lots","0","1"]],"bids":[],"seqId":1}"#,
            ),
            Expect::Rejected("level 1 size: lots (not a number)"),
        ),
        Case::new(
            "asks out of order",
            books(
                "snapshot",
                r#"{"asks":[["156.44","1","0","1"],["156.43","1","0","1"]],"bids":[],"seqId":1}"#,
            ),
            Expect::Rejected("asks are not in ascending price order"),
        ),
    ];
    run_ws(&mut codec(), &cases);
}

#[test]
fn every_truncation_is_rejected() {
    let mut codec = codec();
    for frame in [
        WS_TICKERS_ETH_USDT,
        WS_BOOKS_SNAPSHOT_SOL_USDT,
        WS_BOOKS_UPDATE_SOL_USDT,
        ACK,
        ERROR_EVENT,
        NOTICE,
    ] {
        assert_prefixes_rejected(&mut codec, frame.as_bytes(), false);
    }
    for body in [REST_TICKER_ETH_USDT, REST_ERROR] {
        assert_prefixes_rejected(&mut codec, body.as_bytes(), true);
    }
    let mut single = OkxCodec::new(&markets(&["SOL/USDT"]), 5).unwrap();
    assert_prefixes_rejected(&mut single, REST_BOOKS_SOL_USDT.as_bytes(), true);
}

crate::never_panics_suite!(codec, FRAMES);

#[test]
fn symbols_map_both_ways() {
    let cases = [
        ("BTC/USDT", "BTC-USDT"),
        ("ETH/BTC", "ETH-BTC"),
        ("1INCH/USDC", "1INCH-USDC"),
    ];
    for (index, (text, id)) in cases.into_iter().enumerate() {
        assert_eq!(inst_id(&market(text)), id, "TC{index}");
        assert_eq!(parse_inst_id(id), Some(market(text)), "TC{index}");
    }
    for id in [
        "BTC-USDT-SWAP",
        "BTC-USD-250328",
        "btc-usdt",
        "BTCUSDT",
        "-USDT",
        "",
    ] {
        assert_eq!(parse_inst_id(id), None, "{id}");
    }
}

#[test]
fn codec_for_builds_okx_and_refuses_what_it_cannot_carry() {
    let codec = codec_for(Exchange::Okx, &markets(&MARKETS), 20).unwrap();
    assert_eq!(codec.exchange(), Exchange::Okx);
    assert_eq!(codec.markets(), &markets(&MARKETS)[..]);
    assert_eq!(codec.book_sync(), BookSync::PrevSeqChain);

    assert_codec_for_refuses(
        Exchange::Okx,
        &[(&["BTC/USDT", "btc/usdt"], "BTC/USDT", "listed twice")],
    );
    let many: Vec<_> = (0..=MAX_MARKETS)
        .map(|n| market(&format!("A{n}/USDT")))
        .collect();
    assert!(OkxCodec::new(&many[..MAX_MARKETS], 5).is_ok());
    assert_eq!(
        OkxCodec::new(&many, 5).unwrap_err(),
        CodecSetupError::Market {
            exchange: Exchange::Okx,
            market: market(&format!("A{MAX_MARKETS}/USDT")),
            reason: "more than 29 markets on one connection (OKX asks for fewer than 30 books \
                     channels)"
                .into(),
        }
    );
}

/// `cargo test --release -p premia-actors -- --ignored decode_cost --nocapture`
#[test]
#[ignore = "timing; run in release"]
fn decode_cost() {
    let mut single = OkxCodec::new(&markets(&["SOL/USDT"]), 5).unwrap();
    report_cost(
        &mut codec(),
        &[
            ("ws ticker", WS_TICKERS_ETH_USDT.as_bytes(), false),
            (
                "ws books snapshot",
                WS_BOOKS_SNAPSHOT_SOL_USDT.as_bytes(),
                false,
            ),
            (
                "ws books update",
                WS_BOOKS_UPDATE_SOL_USDT.as_bytes(),
                false,
            ),
            ("rest ticker", REST_TICKER_ETH_USDT.as_bytes(), true),
        ],
    );
    report_cost(
        &mut single,
        &[("rest books", REST_BOOKS_SOL_USDT.as_bytes(), true)],
    );
}
