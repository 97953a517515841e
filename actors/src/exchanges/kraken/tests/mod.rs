//! The exchange test suite, for Kraken spot: URL and subscribe, connection settings, WebSocket
//! v2 frames of every class, exact JSON numbers, binary and text frames, damaged input, REST
//! bodies (including errors with HTTP 200), symbols in their three spellings, the book checksum
//! (vectors computed independently, and the documented ones from the shared fixtures), and the
//! shared fixtures. Frames were written for these tests from Kraken's documented formats
//! (`actors/tests/data/kraken/` and inline below), with other markets and values than the
//! shared fixtures.

mod book;
mod fixtures;
mod rest;

use book::follow_book;

use std::collections::BTreeMap;
use std::time::Duration;

use premia_events::marketdata::{BookDelta, BookSnapshot, Level, MarketData, Ticker};
use premia_events::{Decimal, Exchange, Timestamp};
use proptest::prelude::*;
use serde_json::Value;

use super::symbols::{legacy_pair, rest_pair, ws_symbol};
use super::{DEFAULT_WS_URL, KrakenCodec, Precision, checksum};
use crate::exchanges::crc32::Crc32;

/// The CRC-32 of `bytes`.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = Crc32::new();
    crc.update(bytes);
    crc.finish()
}
use crate::exchanges::testkit::{
    Case, Expect, RECEIVED, apply_edits, assert_binary_and_text_alike, assert_codec_for_refuses,
    assert_prefixes_rejected, assert_total, book, dec, edits, lv, market, markets, report_cost,
    run_cases, run_rest, run_ws, ticker,
};
use crate::exchanges::{BookSync, ExchangeCodec, FrameClass, KeepAlive, codec_for};

const WS_TICKER_BTC_USD: &str =
    include_str!("../../../../tests/data/kraken/ws_ticker_btc_usd.json");
const WS_BOOK_SNAPSHOT_ETH_USD: &str =
    include_str!("../../../../tests/data/kraken/ws_book_snapshot_eth_usd.json");
const WS_BOOK_UPDATE_ETH_USD: &str =
    include_str!("../../../../tests/data/kraken/ws_book_update_eth_usd.json");
const REST_TICKER_XETHZUSD: &str =
    include_str!("../../../../tests/data/kraken/rest_ticker_xethzusd.json");
const REST_DEPTH_XXBTZEUR: &str =
    include_str!("../../../../tests/data/kraken/rest_depth_xxbtzeur.json");

/// The checksums of the snapshot and of the book after the update, at precision 2 / 8,
/// computed with Python's `zlib.crc32` from the levels. The update removes the best ask, so it
/// brings the 11th ask into the top 10, as Kraken does.
const SNAPSHOT_CHECKSUM: u32 = 604_198_119;
const UPDATE_CHECKSUM: u32 = 2_852_022_152;

const ACK: &str = r#"{"method":"subscribe","result":{"channel":"ticker","snapshot":true,"symbol":"BTC/USD"},"success":true,"time_in":"2025-06-11T05:23:10.000001Z","time_out":"2025-06-11T05:23:10.000101Z","req_id":1}"#;
const BOOK_ACK: &str = r#"{"method":"subscribe","result":{"channel":"book","depth":10,"snapshot":true,"symbol":"ETH/USD"},"success":true,"time_in":"2025-06-11T05:23:10.000002Z","time_out":"2025-06-11T05:23:10.000102Z","req_id":2}"#;
const ERROR_PAIR: &str = r#"{"error":"Currency pair not supported ETH/USDX","method":"subscribe","req_id":2,"success":false,"symbol":"ETH/USDX","time_in":"2025-06-11T05:23:10.000003Z","time_out":"2025-06-11T05:23:10.000103Z"}"#;
const PONG: &str = r#"{"method":"pong","req_id":101,"time_in":"2025-06-11T05:23:30.000001Z","time_out":"2025-06-11T05:23:30.000051Z"}"#;
const HEARTBEAT: &str = r#"{"channel":"heartbeat"}"#;
const STATUS: &str = r#"{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":12393906104898154338,"system":"online","version":"2.0.10"}]}"#;
const INSTRUMENT: &str = r#"{"channel":"instrument","type":"snapshot","data":{"assets":[{"id":"ETH","status":"enabled","precision":10,"precision_display":5,"borrowable":true,"collateral_value":1.0,"margin_rate":0.02}],"pairs":[{"symbol":"ETH/USD","base":"ETH","quote":"USD","status":"online","qty_precision":8,"qty_increment":0.00000001,"price_precision":2,"cost_precision":5,"marginable":true,"has_index":true,"cost_min":0.5,"tick_size":0.01,"price_increment":0.01,"qty_min":0.002},{"symbol":"ADA/USD","base":"ADA","quote":"USD","status":"online","qty_precision":8,"price_precision":6}]}}"#;
const TRADE_BTC_USD: &str = r#"{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":104027.2,"qty":0.0012,"ord_type":"market","trade_id":7710021,"timestamp":"2025-06-11T05:23:17.412345Z"}]}"#;
const REST_ERROR_UNKNOWN_PAIR: &str = r#"{"error":["EQuery:Unknown asset pair"]}"#;

/// The configured markets: BTC/USD, ETH/USD, BTC/EUR, SOL/USD.
const MARKETS: [&str; 4] = ["BTC/USD", "ETH/USD", "BTC/EUR", "SOL/USD"];

/// Every valid frame and body above, for the damage tests.
const FRAMES: [&str; 14] = [
    WS_TICKER_BTC_USD,
    WS_BOOK_SNAPSHOT_ETH_USD,
    WS_BOOK_UPDATE_ETH_USD,
    REST_TICKER_XETHZUSD,
    REST_DEPTH_XXBTZEUR,
    ACK,
    BOOK_ACK,
    ERROR_PAIR,
    PONG,
    HEARTBEAT,
    STATUS,
    INSTRUMENT,
    TRADE_BTC_USD,
    REST_ERROR_UNKNOWN_PAIR,
];

/// Asks for 10 levels: Kraken offers 10, 25, 100, 500, 1000.
fn codec() -> KrakenCodec {
    KrakenCodec::new(&markets(&MARKETS), 10).unwrap()
}

fn at(text: &str) -> Option<Timestamp> {
    Some(Timestamp::parse_rfc3339(text).unwrap())
}

fn btc_ticker() -> MarketData {
    MarketData::Ticker(Ticker {
        best_bid: Some(dec("104027.1")),
        best_ask: Some(dec("104027.2")),
        high_24h: Some(dec("104500.9")),
        low_24h: Some(dec("102001.0")),
        volume_24h: Some(dec("1523.00419350")),
        exchange_time: at("2025-06-11T05:23:17.512345Z"),
        ..ticker(Exchange::Kraken, "BTC/USD", "104027.2")
    })
}

/// The snapshot has 11 levels a side; the codec keeps 10.
fn eth_book() -> MarketData {
    MarketData::Book(BookSnapshot {
        exchange_time: at("2025-06-11T05:23:17.512345Z"),
        ..book(
            Exchange::Kraken,
            "ETH/USD",
            &[
                ("2754.27", "1.25"),
                ("2754.26", "0.03500000"),
                ("2754.2", "11.0"),
                ("2754.11", "0.5"),
                ("2754", "3.14159265"),
                ("2753.98", "0.00012"),
                ("2753.5", "7"),
                ("2753.41", "2.2"),
                ("2753.4", "0.9"),
                ("2753.01", "14.75"),
            ],
            &[
                ("2754.29", "4.5"),
                ("2754.3", "0.1"),
                ("2754.35", "2.75"),
                ("2754.4", "0.00000001"),
                ("2754.52", "9.9"),
                ("2754.6", "1.5"),
                ("2754.77", "0.33"),
                ("2754.8", "6"),
                ("2755", "12.5"),
                ("2755.01", "0.05"),
            ],
        )
    })
}

fn eth_delta() -> MarketData {
    MarketData::Delta(BookDelta {
        exchange: Exchange::Kraken,
        market: market("ETH/USD"),
        bids: vec![lv("2754.26", "1.5"), lv("2754.28", "0.75")],
        asks: vec![lv("2754.29", "0"), lv("2755.2", "3")],
        first_seq: None,
        seq: None,
        prev_seq: None,
        checksum: Some(UPDATE_CHECKSUM),
        exchange_time: at("2025-06-11T05:23:17.612345Z"),
        received: RECEIVED,
    })
}

fn rest_eth_ticker() -> MarketData {
    MarketData::Ticker(Ticker {
        best_bid: Some(dec("2754.29000")),
        best_ask: Some(dec("2754.30000")),
        open_24h: Some(dec("2713.01000")),
        high_24h: Some(dec("2781.00000")),
        low_24h: Some(dec("2690.55000")),
        volume_24h: Some(dec("20456.78900000")),
        ..ticker(Exchange::Kraken, "ETH/USD", "2754.28000")
    })
}

fn rest_btc_eur_book() -> MarketData {
    MarketData::Book(book(
        Exchange::Kraken,
        "BTC/EUR",
        &[("91230.00000", "2.500"), ("91229.90000", "0.010")],
        &[
            ("91234.50000", "0.120"),
            ("91235.00000", "1.000"),
            ("91240.10000", "0.004"),
        ],
    ))
}

/// A minimal BTC/USD ticker with `last` spelled as given.
fn ticker_with_last(last: &str) -> String {
    format!(
        r#"{{"channel":"ticker","type":"update","data":[{{"symbol":"BTC/USD","last":{last}}}]}}"#
    )
}

fn last_only(last: &str) -> Expect {
    Expect::data(vec![MarketData::Ticker(ticker(
        Exchange::Kraken,
        "BTC/USD",
        last,
    ))])
}

#[test]
fn subscribe_frames_have_the_documented_shape() {
    let codec = codec();
    assert_eq!(codec.ws_url(DEFAULT_WS_URL), "wss://ws.kraken.com/v2");
    assert_eq!(codec.ws_url("ws://127.0.0.1:9002/"), "ws://127.0.0.1:9002/");
    let frames: Vec<Value> = codec
        .subscribe(Timestamp::EPOCH)
        .iter()
        .map(|frame| serde_json::from_str(frame).unwrap())
        .collect();
    let expected: Vec<Value> = [
        r#"{"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD","ETH/USD","BTC/EUR","SOL/USD"]},"req_id":1}"#,
        r#"{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD","ETH/USD","BTC/EUR","SOL/USD"],"depth":10},"req_id":2}"#,
        r#"{"method":"subscribe","params":{"channel":"instrument","snapshot":true},"req_id":3}"#,
    ]
    .iter()
    .map(|frame| serde_json::from_str(frame).unwrap())
    .collect();
    assert_eq!(frames, expected);
    assert!(
        KrakenCodec::new(&[], 10)
            .unwrap()
            .subscribe(Timestamp::EPOCH)
            .is_empty()
    );
}

#[test]
fn depth_is_the_smallest_kraken_offers_that_covers_the_request() {
    let cases = [
        (0, 10),
        (10, 10),
        (11, 25),
        (25, 25),
        (26, 100),
        (500, 500),
        (5000, 1000),
    ];
    for (index, (requested, expected)) in cases.into_iter().enumerate() {
        let codec = KrakenCodec::new(&markets(&["BTC/USD"]), requested).unwrap();
        assert_eq!(codec.depth(), expected, "TC{index}");
        assert!(
            codec.subscribe(Timestamp::EPOCH)[1].contains(&format!(r#""depth":{expected}"#)),
            "TC{index}"
        );
        assert_eq!(
            codec.rest_book_requests(),
            [format!("/0/public/Depth?pair=XBTUSD&count={expected}")],
            "TC{index}"
        );
    }
}

#[test]
fn connection_settings() {
    let codec = codec();
    assert_eq!(codec.exchange(), Exchange::Kraken);
    assert_eq!(codec.markets(), &markets(&MARKETS)[..]);
    assert_eq!(
        codec.keep_alive(),
        Some((
            Duration::from_secs(20),
            KeepAlive::Text(r#"{"method":"ping"}"#.into())
        ))
    );
    assert_eq!(codec.max_connection_lifetime(), None);
    assert_eq!(codec.book_sync(), BookSync::ChecksumOnly);
}

#[test]
fn decodes_websocket_frames() {
    let cases = [
        Case::new(
            "ticker",
            WS_TICKER_BTC_USD,
            Expect::data(vec![btc_ticker()]),
        ),
        Case::new(
            "book snapshot, cut to depth",
            WS_BOOK_SNAPSHOT_ETH_USD,
            Expect::data(vec![eth_book()]),
        ),
        Case::new(
            "book update with its checksum",
            WS_BOOK_UPDATE_ETH_USD,
            Expect::data(vec![eth_delta()]),
        ),
        Case::new(
            "data before channel",
            r#"{"data":[{"symbol":"BTC/USD","last":104027.2}],"type":"update","channel":"ticker"}"#,
            last_only("104027.2"),
        ),
        Case::new(
            "two symbols in one message, one not configured",
            r#"{"channel":"ticker","type":"snapshot","data":[{"symbol":"ADA/USD","last":0.7},{"symbol":"BTC/USD","last":1E5}]}"#,
            last_only("100000"),
        ),
        Case::new(
            "a snapshot's zero levels dropped",
            r#"{"channel":"book","type":"snapshot","data":[{"symbol":"SOL/USD","bids":[{"price":156.42,"qty":0},{"price":156.41,"qty":2.5}],"asks":[],"checksum":1}]}"#,
            Expect::data(vec![MarketData::Book(book(
                Exchange::Kraken,
                "SOL/USD",
                &[("156.41", "2.5")],
                &[],
            ))]),
        ),
        Case::new("subscribe ack", ACK, Expect::class(FrameClass::Ack)),
        Case::new(
            "book subscribe ack",
            BOOK_ACK,
            Expect::class(FrameClass::Ack),
        ),
        Case::new(
            "unsubscribe ack",
            r#"{"method":"unsubscribe","result":{"channel":"book","symbol":"ETH/USD"},"success":true}"#,
            Expect::class(FrameClass::Ack),
        ),
        Case::new(
            "subscribe error",
            ERROR_PAIR,
            Expect::class(FrameClass::Error(
                "Currency pair not supported ETH/USDX".into(),
            )),
        ),
        Case::new(
            "failure without a message",
            r#"{"method":"subscribe","success":false}"#,
            Expect::class(FrameClass::Error("subscribe failed".into())),
        ),
        Case::new(
            "bare error",
            r#"{"error":"Exceeded msg rate"}"#,
            Expect::class(FrameClass::Error("Exceeded msg rate".into())),
        ),
        Case::new("pong", PONG, Expect::class(FrameClass::Pong)),
        Case::new("heartbeat", HEARTBEAT, Expect::class(FrameClass::Status)),
        Case::new("status", STATUS, Expect::class(FrameClass::Status)),
        Case::new("instrument", INSTRUMENT, Expect::class(FrameClass::Status)),
        Case::new(
            "a channel we did not ask for",
            TRADE_BTC_USD,
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "a symbol not configured",
            WS_TICKER_BTC_USD.replace("BTC/USD", "BTC/USDT"),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "another method's reply",
            r#"{"method":"add_order","success":true}"#,
            Expect::class(FrameClass::Unknown),
        ),
    ];
    run_ws(&mut codec(), &cases);
}

#[test]
fn numbers_are_exact() {
    let cases = [
        Case::new(
            "trailing zeros keep their scale",
            ticker_with_last("0.00000100"),
            last_only("0.00000100"),
        ),
        Case::new(
            "integral float",
            ticker_with_last("740.0"),
            last_only("740.0"),
        ),
        Case::new(
            "more digits than f64 holds",
            ticker_with_last("98765432.123456789012"),
            last_only("98765432.123456789012"),
        ),
        Case::new(
            "exponent",
            ticker_with_last("1.16539E8"),
            last_only("116539000"),
        ),
        Case::new(
            "negative exponent",
            ticker_with_last("7.9276e-4"),
            last_only("0.00079276"),
        ),
        Case::new(
            "over-long fraction of zeros",
            ticker_with_last("0.1000000000000000000000000000000000"),
            last_only("0.1"),
        ),
        Case::new(
            "a string is read exactly too",
            ticker_with_last(r#""104027.20""#),
            last_only("104027.20"),
        ),
        Case::new(
            "over-long significant digits",
            ticker_with_last("1.23456789012345678901234567891"),
            Expect::Rejected("last: "),
        ),
        Case::new(
            "out of decimal range",
            ticker_with_last("1E30"),
            Expect::Rejected("last: "),
        ),
        Case::new(
            "null",
            ticker_with_last("null"),
            Expect::Rejected("missing field last"),
        ),
        Case::new(
            "boolean",
            ticker_with_last("true"),
            Expect::Rejected("not a number"),
        ),
    ];
    run_ws(&mut codec(), &cases);
}

#[test]
fn binary_and_text_frames_decode_alike() {
    assert_binary_and_text_alike(
        &mut codec(),
        WS_BOOK_UPDATE_ETH_USD,
        br#"{"channel":"ticker","type":"update","data":[{"last":1,"symbol":"#,
        b"}]}",
        ACK,
    );
}

#[test]
fn malformed_frames_are_decode_errors() {
    let book =
        |kind: &str, item: &str| format!(r#"{{"channel":"book","type":"{kind}","data":[{item}]}}"#);
    let cases = [
        Case::new("empty", "", Expect::Rejected("empty frame")),
        Case::new(
            "not JSON",
            "pong",
            Expect::Rejected("expected a JSON object"),
        ),
        Case::new(
            "truncated",
            r#"{"channel":"tick"#,
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
            Expect::Rejected("neither a channel message"),
        ),
        Case::new(
            "duplicate data",
            r#"{"channel":"heartbeat","data":[],"data":[]}"#,
            Expect::Rejected("duplicate field data"),
        ),
        Case::new(
            "ticker without data",
            r#"{"channel":"ticker","type":"update"}"#,
            Expect::Rejected("missing field data"),
        ),
        Case::new(
            "ticker data not an array",
            r#"{"channel":"ticker","type":"update","data":{"symbol":"BTC/USD"}}"#,
            Expect::Rejected("unexpected shape"),
        ),
        Case::new(
            "deferred data not an array",
            r#"{"data":{},"channel":"book","type":"update"}"#,
            Expect::Rejected("invalid type"),
        ),
        Case::new(
            "ticker without symbol",
            r#"{"channel":"ticker","type":"update","data":[{"last":1}]}"#,
            Expect::Rejected("missing field symbol"),
        ),
        Case::new(
            "bad timestamp",
            r#"{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","last":1,"timestamp":"yesterday"}]}"#,
            Expect::Rejected("is not RFC 3339"),
        ),
        Case::new(
            "book without type",
            r#"{"channel":"book","data":[]}"#,
            Expect::Rejected("missing field type"),
        ),
        Case::new(
            "book of another type",
            book("delta", r#"{"symbol":"ETH/USD","bids":[],"asks":[]}"#),
            Expect::Rejected("book message of type delta"),
        ),
        Case::new(
            "update without checksum",
            book("update", r#"{"symbol":"ETH/USD","bids":[],"asks":[]}"#),
            Expect::Rejected("missing field checksum"),
        ),
        Case::new(
            "checksum beyond 32 bits",
            book(
                "update",
                r#"{"symbol":"ETH/USD","bids":[],"asks":[],"checksum":4294967296}"#,
            ),
            Expect::Rejected("u32"),
        ),
        Case::new(
            "book without asks",
            book("snapshot", r#"{"symbol":"ETH/USD","bids":[]}"#),
            Expect::Rejected("missing field asks"),
        ),
        Case::new(
            "level without qty",
            book(
                "update",
                r#"{"symbol":"ETH/USD","bids":[{"price":1}],"asks":[],"checksum":1}"#,
            ),
            Expect::Rejected("missing field bids[0].qty"),
        ),
        Case::new(
            "bad price",
            book(
                "update",
                r#"{"symbol":"ETH/USD","bids":[{"price":1,"qty":1}],"asks":[{"price":"x","qty":1}],"checksum":1}"#,
            ),
            Expect::Rejected("asks[0].price: \"x\" (not a number)"),
        ),
        Case::new(
            "snapshot out of order",
            book(
                "snapshot",
                r#"{"symbol":"ETH/USD","bids":[{"price":1,"qty":1},{"price":2,"qty":1}],"asks":[]}"#,
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
        WS_TICKER_BTC_USD,
        WS_BOOK_SNAPSHOT_ETH_USD,
        WS_BOOK_UPDATE_ETH_USD,
        ACK,
        ERROR_PAIR,
        PONG,
        HEARTBEAT,
        STATUS,
    ] {
        assert_prefixes_rejected(&mut codec, frame.as_bytes(), false);
    }
    for body in [
        REST_TICKER_XETHZUSD,
        REST_DEPTH_XXBTZEUR,
        REST_ERROR_UNKNOWN_PAIR,
    ] {
        assert_prefixes_rejected(&mut codec, body.as_bytes(), true);
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        assert_total(&mut codec(), &bytes);
    }

    #[test]
    fn damaged_frames_never_panic(index in 0..FRAMES.len(), edits in edits()) {
        assert_total(&mut codec(), &apply_edits(FRAMES[index].as_bytes(), &edits));
    }

    /// Any book gives a checksum without panicking, at any precision.
    #[test]
    fn checksum_is_total(
        levels in prop::collection::vec((any::<i64>(), 0u32..28, any::<i64>(), 0u32..28), 0..25),
        price in 0u32..40,
        qty in 0u32..40,
    ) {
        let side: Vec<Level> = levels
            .iter()
            .map(|&(p, ps, q, qs)| Level::new(Decimal::new(p, ps), Decimal::new(q, qs)))
            .collect();
        checksum(&side, &side, Precision { price, qty });
    }
}

#[test]
fn symbols_in_their_three_spellings() {
    let cases = [
        ("BTC/USD", "BTC/USD", "XBTUSD", "XXBTZUSD"),
        ("ETH/USD", "ETH/USD", "ETHUSD", "XETHZUSD"),
        ("ETH/BTC", "ETH/BTC", "ETHXBT", "XETHXXBT"),
        ("BTC/EUR", "BTC/EUR", "XBTEUR", "XXBTZEUR"),
        ("DOGE/USD", "DOGE/USD", "XDGUSD", "XDGUSD"),
        ("SOL/USD", "SOL/USD", "SOLUSD", "SOLUSD"),
        ("USDT/USD", "USDT/USD", "USDTUSD", "USDTUSD"),
        ("BTC/USDT", "BTC/USDT", "XBTUSDT", "XBTUSDT"),
    ];
    for (index, (text, ws, rest, legacy)) in cases.into_iter().enumerate() {
        let market = market(text);
        assert_eq!(ws_symbol(&market), ws, "TC{index}");
        assert_eq!(rest_pair(&market), rest, "TC{index}");
        assert_eq!(legacy_pair(&market), legacy, "TC{index}");
    }

    // `BTC/USD` and `XBT/USD` are the same REST pair and cannot be told apart.
    assert_codec_for_refuses(
        Exchange::Kraken,
        &[(
            &["BTC/USD", "XBT/USD"],
            "XBT/USD",
            "same exchange code XBTUSD as BTC/USD",
        )],
    );
    let codec = codec_for(Exchange::Kraken, &markets(&MARKETS), 10).unwrap();
    assert_eq!(codec.exchange(), Exchange::Kraken);
    assert_eq!(codec.markets(), &markets(&MARKETS)[..]);
}

fn book_of(market_text: &str, bids: &[(&str, &str)], asks: &[(&str, &str)]) -> BookSnapshot {
    book(Exchange::Kraken, market_text, bids, asks)
}

/// `cargo test --release -p premia-actors -- --ignored decode_cost --nocapture`
#[test]
#[ignore = "timing; run in release"]
fn decode_cost() {
    report_cost(
        &mut codec(),
        &[
            ("ws ticker", WS_TICKER_BTC_USD.as_bytes(), false),
            (
                "ws book snapshot",
                WS_BOOK_SNAPSHOT_ETH_USD.as_bytes(),
                false,
            ),
            ("ws book update", WS_BOOK_UPDATE_ETH_USD.as_bytes(), false),
            ("rest ticker", REST_TICKER_XETHZUSD.as_bytes(), true),
            ("rest depth", REST_DEPTH_XXBTZEUR.as_bytes(), true),
        ],
    );
}
