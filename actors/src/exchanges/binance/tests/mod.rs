//! The exchange test suite, for Binance spot: stream URL and subscribe, connection settings,
//! WebSocket frames, exact numbers, binary and text frames, damaged input, REST bodies and
//! symbols. Frames were written for these tests from Binance's documented formats
//! (`actors/tests/data/binance/` and inline below), with other markets and values than the
//! shared fixtures.

mod rest;

use std::time::Duration;

use premia_events::marketdata::{BookDelta, BookSnapshot, MarketData, Ticker};
use premia_events::{Exchange, Timestamp};

use super::symbols::{depth_stream, split_stream, stream_symbol, symbol, ticker_stream};
use super::{BinanceCodec, DEFAULT_WS_BASE, MAX_MARKETS};
use crate::exchanges::testkit::{
    Case, Expect, RECEIVED, assert_binary_and_text_alike, assert_codec_for_refuses,
    assert_prefixes_rejected, book, dec, lv, market, markets, report_cost, run_cases, run_rest,
    run_ws, string_decimal_cases, ticker,
};
use crate::exchanges::{CodecSetupError, ExchangeCodec, FrameClass, codec_for};

const WS_TICKER_ETHUSDT: &str =
    include_str!("../../../../tests/data/binance/ws_ticker_ethusdt.json");
const WS_DEPTH_SOLUSDT: &str = include_str!("../../../../tests/data/binance/ws_depth_solusdt.json");
const WS_DEPTH_ETHBTC: &str = include_str!("../../../../tests/data/binance/ws_depth_ethbtc.json");
const REST_TICKER_ETHUSDT: &str =
    include_str!("../../../../tests/data/binance/rest_ticker_ethusdt.json");
const REST_DEPTH_SOLUSDT: &str =
    include_str!("../../../../tests/data/binance/rest_depth_solusdt.json");

const ACK: &str = r#"{"result":null,"id":1}"#;
const LIST_REPLY: &str = r#"{"result":["ethusdt@ticker","ethusdt@depth5@100ms"],"id":"list-7"}"#;
const ERROR_INVALID_REQUEST: &str = r#"{"code":2,"msg":"Invalid request: unknown variant `SUBSCRIBEE`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY` at line 1 column 28","id":null}"#;
const ERROR_NESTED: &str =
    r#"{"error":{"code":2,"msg":"Invalid request: invalid stream","data":"ethusd@ticker"},"id":4}"#;
const SERVER_SHUTDOWN: &str = r#"{"e":"serverShutdown","E":1749625200000}"#;
const AGG_TRADE_ETHUSDT: &str = r#"{"stream":"ethusdt@aggTrade","data":{"e":"aggTrade","E":1749619397520,"s":"ETHUSDT","a":1028847231,"p":"2754.28000000","q":"0.03630000","f":2475018890,"l":2475018894,"T":1749619397519,"m":false,"M":true}}"#;
const REST_ERROR_INVALID_SYMBOL: &str = r#"{"code":-1121,"msg":"Invalid symbol."}"#;

/// The configured markets: ETHUSDT, SOLUSDT, ETHBTC.
const MARKETS: [&str; 3] = ["ETH/USDT", "SOL/USDT", "ETH/BTC"];

/// Every valid frame and body above, for the damage tests.
const FRAMES: [&str; 12] = [
    WS_TICKER_ETHUSDT,
    WS_DEPTH_SOLUSDT,
    WS_DEPTH_ETHBTC,
    REST_TICKER_ETHUSDT,
    REST_DEPTH_SOLUSDT,
    ACK,
    LIST_REPLY,
    ERROR_INVALID_REQUEST,
    ERROR_NESTED,
    SERVER_SHUTDOWN,
    AGG_TRADE_ETHUSDT,
    REST_ERROR_INVALID_SYMBOL,
];

/// Asks for 5 levels: Binance offers 5, 10, 20.
fn codec() -> BinanceCodec {
    BinanceCodec::new(&markets(&MARKETS), 5).unwrap()
}

fn ms(millis: i64) -> Option<Timestamp> {
    Some(Timestamp::from_millis(millis))
}

fn eth_ticker() -> MarketData {
    MarketData::Ticker(Ticker {
        best_bid: Some(dec("2754.27000000")),
        best_ask: Some(dec("2754.28000000")),
        open_24h: Some(dec("2713.01000000")),
        high_24h: Some(dec("2779.50000000")),
        low_24h: Some(dec("2690.55000000")),
        volume_24h: Some(dec("412337.66850000")),
        exchange_time: ms(1_749_619_397_512),
        ..ticker(Exchange::Binance, "ETH/USDT", "2754.28000000")
    })
}

fn sol_book() -> MarketData {
    MarketData::Book(BookSnapshot {
        seq: Some(13_872_344_512),
        ..book(
            Exchange::Binance,
            "SOL/USDT",
            &[
                ("156.42000000", "184.31400000"),
                ("156.41000000", "37.90200000"),
                ("156.40000000", "402.11700000"),
                ("156.39000000", "12.00000000"),
                ("156.38000000", "96.55800000"),
            ],
            &[
                ("156.43000000", "61.07300000"),
                ("156.44000000", "203.88100000"),
                ("156.45000000", "7.41000000"),
                ("156.46000000", "310.50200000"),
                ("156.47000000", "45.00000000"),
            ],
        )
    })
}

fn eth_btc_book() -> MarketData {
    MarketData::Book(BookSnapshot {
        seq: Some(8_312_004_771),
        ..book(
            Exchange::Binance,
            "ETH/BTC",
            &[
                ("0.02351000", "12.42610000"),
                ("0.02350000", "40.01900000"),
                ("0.02349000", "3.10000000"),
            ],
            &[
                ("0.02352000", "0.98300000"),
                ("0.02353000", "17.20030000"),
                ("0.02354000", "55.00000000"),
                ("0.02355000", "2.33800000"),
                ("0.02356000", "9.91600000"),
            ],
        )
    })
}

/// The REST body has 7 levels a side; the codec keeps 5.
fn rest_sol_book() -> MarketData {
    MarketData::Book(BookSnapshot {
        seq: Some(13_872_344_590),
        ..book(
            Exchange::Binance,
            "SOL/USDT",
            &[
                ("156.42000000", "190.11400000"),
                ("156.41000000", "37.90200000"),
                ("156.40000000", "398.00100000"),
                ("156.39000000", "12.00000000"),
                ("156.38000000", "96.55800000"),
            ],
            &[
                ("156.43000000", "55.07300000"),
                ("156.44000000", "203.88100000"),
                ("156.45000000", "7.41000000"),
                ("156.46000000", "310.50200000"),
                ("156.47000000", "45.00000000"),
            ],
        )
    })
}

/// A minimal ETHUSDT ticker event with `c` spelled as `last`.
fn ticker_with_last(last: &str) -> String {
    format!(
        r#"{{"stream":"ethusdt@ticker","data":{{"e":"24hrTicker","E":1749619397512,"s":"ETHUSDT","c":{last}}}}}"#
    )
}

fn last_only(last: &str) -> Expect {
    Expect::data(vec![MarketData::Ticker(Ticker {
        exchange_time: ms(1_749_619_397_512),
        ..ticker(Exchange::Binance, "ETH/USDT", last)
    })])
}

#[test]
fn the_url_names_every_stream_and_nothing_is_sent() {
    let codec = codec();
    let expected = "wss://stream.binance.com:9443/stream?streams=ethusdt@ticker/\
                    ethusdt@depth5@100ms/solusdt@ticker/solusdt@depth5@100ms/ethbtc@ticker/\
                    ethbtc@depth5@100ms";
    assert_eq!(codec.ws_url(DEFAULT_WS_BASE), expected);
    assert_eq!(
        codec.ws_url("ws://127.0.0.1:9002/"),
        expected.replace("wss://stream.binance.com:9443", "ws://127.0.0.1:9002")
    );
    assert!(codec.subscribe(Timestamp::EPOCH).is_empty());
}

#[test]
fn depth_is_the_smallest_binance_offers_that_covers_the_request() {
    let cases = [
        (0, 5),
        (1, 5),
        (5, 5),
        (6, 10),
        (10, 10),
        (11, 20),
        (20, 20),
        (500, 20),
    ];
    for (index, (requested, expected)) in cases.into_iter().enumerate() {
        let codec = BinanceCodec::new(&markets(&["BTC/USDT"]), requested).unwrap();
        assert_eq!(codec.depth(), expected, "TC{index}");
        assert_eq!(
            codec.streams(),
            [
                "btcusdt@ticker".to_string(),
                format!("btcusdt@depth{expected}@100ms")
            ],
            "TC{index}"
        );
        assert_eq!(
            codec.rest_book_requests(),
            [format!("/api/v3/depth?symbol=BTCUSDT&limit={expected}")],
            "TC{index}"
        );
    }
}

#[test]
fn connection_settings() {
    let codec = codec();
    assert_eq!(codec.exchange(), Exchange::Binance);
    assert_eq!(codec.markets(), &markets(&MARKETS)[..]);
    assert_eq!(codec.keep_alive(), None);
    assert_eq!(
        codec.max_connection_lifetime(),
        Some(Duration::from_secs(86_400))
    );
}

#[test]
fn decodes_websocket_frames() {
    let cases = [
        Case::new(
            "ticker",
            WS_TICKER_ETHUSDT,
            Expect::data(vec![eth_ticker()]),
        ),
        Case::new(
            "partial book",
            WS_DEPTH_SOLUSDT,
            Expect::data(vec![sol_book()]),
        ),
        Case::new(
            "partial book, another market, a short side",
            WS_DEPTH_ETHBTC,
            Expect::data(vec![eth_btc_book()]),
        ),
        Case::new(
            "data before stream",
            r#"{"data":{"e":"24hrTicker","E":1749619397512,"s":"ETHUSDT","c":"2754.28000000"},"stream":"ethusdt@ticker"}"#,
            last_only("2754.28000000"),
        ),
        Case::new("subscribe ack", ACK, Expect::class(FrameClass::Ack)),
        Case::new("list reply", LIST_REPLY, Expect::class(FrameClass::Ack)),
        Case::new(
            "error",
            ERROR_INVALID_REQUEST,
            Expect::class(FrameClass::Error(
                "2: Invalid request: unknown variant `SUBSCRIBEE`, expected one of `SUBSCRIBE`, \
                 `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY` at line 1 \
                 column 28"
                    .into(),
            )),
        ),
        Case::new(
            "error as servers send it",
            ERROR_NESTED,
            Expect::class(FrameClass::Error(
                "2: Invalid request: invalid stream".into(),
            )),
        ),
        Case::new(
            "nested error of another shape",
            r#"{"error":"throttled","id":5}"#,
            Expect::class(FrameClass::Error("throttled".into())),
        ),
        Case::new(
            "server shutdown",
            SERVER_SHUTDOWN,
            Expect::class(FrameClass::Status),
        ),
        Case::new(
            "server shutdown inside a stream",
            format!(r#"{{"stream":"ethusdt@ticker","data":{SERVER_SHUTDOWN}}}"#),
            Expect::class(FrameClass::Status),
        ),
        Case::new(
            "a stream we did not ask for",
            AGG_TRADE_ETHUSDT,
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "a stream whose data is an array",
            r#"{"stream":"!ticker@arr","data":[{"e":"24hrTicker","s":"BTCUSDT","c":"1"}]}"#,
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "a market not configured",
            WS_TICKER_ETHUSDT
                .replace("ethusdt", "btcusdt")
                .replace("ETHUSDT", "BTCUSDT"),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "another depth than subscribed",
            WS_DEPTH_SOLUSDT.replace("depth5", "depth20"),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "an unwrapped event (raw /ws stream)",
            r#"{"e":"24hrTicker","E":1749619397512,"s":"ETHUSDT","c":"2754.28000000"}"#,
            Expect::class(FrameClass::Unknown),
        ),
    ];
    run_ws(&mut codec(), &cases);
}

#[test]
fn numbers_are_exact() {
    run_ws(
        &mut codec(),
        &string_decimal_cases("c: ", ticker_with_last, last_only),
    );
}

#[test]
fn binary_and_text_frames_decode_alike() {
    assert_binary_and_text_alike(
        &mut codec(),
        WS_DEPTH_SOLUSDT,
        br#"{"stream":"ethusdt@ticker","data":{"c":"1","s":"#,
        b"}}",
        ACK,
    );
}

#[test]
fn malformed_frames_are_decode_errors() {
    let depth = |data: &str| format!(r#"{{"stream":"solusdt@depth5@100ms","data":{data}}}"#);
    let cases = [
        Case::new("empty", "", Expect::Rejected("empty frame")),
        Case::new(
            "not JSON",
            "pong",
            Expect::Rejected("expected a JSON object"),
        ),
        Case::new(
            "truncated",
            r#"{"stream":"ethusdt@tic"#,
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
            Expect::Rejected("neither a stream event"),
        ),
        Case::new(
            "stream without data",
            r#"{"stream":"ethusdt@ticker"}"#,
            Expect::Rejected("missing field data"),
        ),
        Case::new(
            "our stream with non-object data",
            r#"{"stream":"ethusdt@ticker","data":"2754.28"}"#,
            Expect::Rejected("expected struct TickerEvent"),
        ),
        Case::new(
            "stream not a string",
            r#"{"stream":1,"data":{}}"#,
            Expect::Rejected("unexpected shape"),
        ),
        Case::new(
            "ticker without c",
            r#"{"stream":"ethusdt@ticker","data":{"e":"24hrTicker","s":"ETHUSDT","b":"1"}}"#,
            Expect::Rejected("missing field c"),
        ),
        Case::new(
            "ticker stream carrying another event",
            r#"{"stream":"ethusdt@ticker","data":{"e":"24hrMiniTicker","s":"ETHUSDT","c":"1"}}"#,
            Expect::Rejected("a 24hrMiniTicker event"),
        ),
        Case::new(
            "ticker stream carrying another symbol",
            r#"{"stream":"ethusdt@ticker","data":{"e":"24hrTicker","s":"SOLUSDT","c":"156.42"}}"#,
            Expect::Rejected("an event for SOLUSDT"),
        ),
        Case::new(
            "bad event time",
            r#"{"stream":"ethusdt@ticker","data":{"e":"24hrTicker","E":"soon","c":"1"}}"#,
            Expect::Rejected("expected i64"),
        ),
        Case::new(
            "book without lastUpdateId",
            depth(r#"{"bids":[],"asks":[]}"#),
            Expect::Rejected("missing field lastUpdateId"),
        ),
        Case::new(
            "negative lastUpdateId",
            depth(r#"{"lastUpdateId":-1,"bids":[],"asks":[]}"#),
            Expect::Rejected("expected u64"),
        ),
        Case::new(
            "book without asks",
            depth(r#"{"lastUpdateId":1,"bids":[]}"#),
            Expect::Rejected("missing field asks"),
        ),
        Case::new(
            "level with one element",
            depth(r#"{"lastUpdateId":1,"bids":[["156.42"]],"asks":[]}"#),
            Expect::Rejected("level 0: no quantity"),
        ),
        Case::new(
            "level with three elements",
            depth(r#"{"lastUpdateId":1,"bids":[["156.42","1","x"]],"asks":[]}"#),
            Expect::Rejected("level 0: more than price and quantity"),
        ),
        Case::new(
            "bad quantity",
            depth(r#"{"lastUpdateId":1,"bids":[["156.42","1"],["156.41","lots"]],"asks":[]}"#),
            Expect::Rejected("level 1 quantity: lots (not a number)"),
        ),
        Case::new(
            "bids out of order",
            depth(r#"{"lastUpdateId":1,"bids":[["156.41","1"],["156.42","1"]],"asks":[]}"#),
            Expect::Rejected("bids are not in descending price order"),
        ),
    ];
    run_ws(&mut codec(), &cases);
}

#[test]
fn every_truncation_is_rejected() {
    let mut codec = codec();
    for frame in [
        WS_TICKER_ETHUSDT,
        WS_DEPTH_SOLUSDT,
        ACK,
        ERROR_INVALID_REQUEST,
        SERVER_SHUTDOWN,
    ] {
        assert_prefixes_rejected(&mut codec, frame.as_bytes(), false);
    }
    for body in [REST_TICKER_ETHUSDT, REST_ERROR_INVALID_SYMBOL] {
        assert_prefixes_rejected(&mut codec, body.as_bytes(), true);
    }
    let mut single = BinanceCodec::new(&markets(&["SOL/USDT"]), 5).unwrap();
    assert_prefixes_rejected(&mut single, REST_DEPTH_SOLUSDT.as_bytes(), true);
}

crate::never_panics_suite!(codec, FRAMES);

#[test]
fn symbols_and_stream_names() {
    let cases = [
        ("BTC/USDT", "BTCUSDT", "btcusdt"),
        ("ETH/BTC", "ETHBTC", "ethbtc"),
        ("1000SATS/USDT", "1000SATSUSDT", "1000satsusdt"),
    ];
    for (index, (text, upper, lower)) in cases.into_iter().enumerate() {
        let market = market(text);
        assert_eq!(symbol(&market), upper, "TC{index}");
        assert_eq!(stream_symbol(&market), lower, "TC{index}");
        assert_eq!(
            ticker_stream(&market),
            format!("{lower}@ticker"),
            "TC{index}"
        );
        assert_eq!(
            depth_stream(&market, 10),
            format!("{lower}@depth10@100ms"),
            "TC{index}"
        );
    }
    assert_eq!(
        split_stream("btcusdt@depth20@100ms"),
        Some(("btcusdt", "depth20@100ms"))
    );
    assert_eq!(split_stream("btcusdt"), None);

    // Symbols map back only through the configured markets: `ETHBTC` is ETH/BTC because it is
    // configured, and `BTCUSDT` is unknown because it is not (see "a market not configured").
    let mut codec = codec();
    let mut out = Vec::new();
    let decoded = codec.decode(WS_DEPTH_ETHBTC.as_bytes(), RECEIVED, &mut out);
    assert_eq!(decoded, Ok(FrameClass::Data));
    assert_eq!(out[0].market(), &market("ETH/BTC"));
}

#[test]
fn codec_for_builds_binance_and_refuses_what_cannot_be_told_apart() {
    let codec = codec_for(Exchange::Binance, &markets(&MARKETS), 20).unwrap();
    assert_eq!(codec.exchange(), Exchange::Binance);
    assert_eq!(codec.markets(), &markets(&MARKETS)[..]);

    assert_codec_for_refuses(
        Exchange::Binance,
        &[(
            &["BTC/USDT", "BTCUSD/T"],
            "BTCUSD/T",
            "same exchange code BTCUSDT as BTC/USDT",
        )],
    );

    let many: Vec<_> = (0..=MAX_MARKETS)
        .map(|n| market(&format!("A{n}/USDT")))
        .collect();
    assert!(BinanceCodec::new(&many[..MAX_MARKETS], 5).is_ok());
    assert_eq!(
        BinanceCodec::new(&many, 5).unwrap_err(),
        CodecSetupError::Market {
            exchange: Exchange::Binance,
            market: market(&format!("A{MAX_MARKETS}/USDT")),
            reason: "more than 512 markets on one connection (1024 streams at most)".into(),
        }
    );
}

/// `cargo test --release -p premia-actors -- --ignored decode_cost --nocapture`
#[test]
#[ignore = "timing; run in release"]
fn decode_cost() {
    let mut single = BinanceCodec::new(&markets(&["SOL/USDT"]), 5).unwrap();
    report_cost(
        &mut codec(),
        &[
            ("ws ticker", WS_TICKER_ETHUSDT.as_bytes(), false),
            ("ws book", WS_DEPTH_SOLUSDT.as_bytes(), false),
            ("rest ticker", REST_TICKER_ETHUSDT.as_bytes(), true),
        ],
    );
    report_cost(
        &mut single,
        &[("rest depth", REST_DEPTH_SOLUSDT.as_bytes(), true)],
    );
}

/// A diff-depth event for ETHUSDT covering update ids `first..=last`.
fn eth_diff(first: u64, last: u64, bids: &str, asks: &str) -> String {
    format!(
        r#"{{"e":"depthUpdate","E":1749619397600,"s":"ETHUSDT","U":{first},"u":{last},"b":{bids},"a":{asks}}}"#
    )
}

fn eth_delta(first: u64, last: u64, bids: &[(&str, &str)], asks: &[(&str, &str)]) -> MarketData {
    let levels = |side: &[(&str, &str)]| side.iter().map(|(p, q)| lv(p, q)).collect();
    MarketData::Delta(BookDelta {
        exchange: Exchange::Binance,
        market: market("ETH/USDT"),
        bids: levels(bids),
        asks: levels(asks),
        first_seq: Some(first),
        seq: Some(last),
        prev_seq: None,
        checksum: None,
        exchange_time: ms(1749619397600),
        received: RECEIVED,
    })
}

#[test]
fn decodes_diff_depth_events() {
    let diff = eth_diff(
        2001,
        2003,
        r#"[["2754.27000000","0.00000000"]]"#,
        r#"[["2754.29000000","1.50000000"]]"#,
    );
    let expected = eth_delta(
        2001,
        2003,
        &[("2754.27000000", "0.00000000")],
        &[("2754.29000000", "1.50000000")],
    );
    let cases = [
        Case::new(
            "diff depth, combined stream",
            format!(r#"{{"stream":"ethusdt@depth@100ms","data":{diff}}}"#),
            Expect::data(vec![expected.clone()]),
        ),
        Case::new(
            "diff depth at 1000 ms",
            format!(r#"{{"stream":"ethusdt@depth","data":{diff}}}"#),
            Expect::data(vec![expected.clone()]),
        ),
        Case::new(
            "an empty side",
            format!(
                r#"{{"stream":"ethusdt@depth@100ms","data":{}}}"#,
                eth_diff(7, 7, "[]", r#"[["2754.29000000","1.50000000"]]"#)
            ),
            Expect::data(vec![eth_delta(
                7,
                7,
                &[],
                &[("2754.29000000", "1.50000000")],
            )]),
        ),
        Case::new(
            "U after u",
            format!(
                r#"{{"stream":"ethusdt@depth@100ms","data":{}}}"#,
                eth_diff(9, 8, "[]", "[]")
            ),
            Expect::Rejected("U 9 is after u 8"),
        ),
        Case::new(
            "no bids",
            r#"{"stream":"ethusdt@depth@100ms","data":{"e":"depthUpdate","s":"ETHUSDT","U":1,"u":2,"a":[]}}"#,
            Expect::Rejected("missing field b"),
        ),
        Case::new(
            "another symbol on the stream",
            format!(
                r#"{{"stream":"solusdt@depth@100ms","data":{}}}"#,
                eth_diff(1, 2, "[]", "[]")
            ),
            Expect::Rejected("a depthUpdate for ETHUSDT on SOL/USDT's stream"),
        ),
    ];
    run_ws(&mut codec(), &cases);
    // Unwrapped (a raw /ws/<symbol>@depth stream) in discovery mode, as `premia decode` reads it.
    let mut discovering = BinanceCodec::new(&[], 20).unwrap();
    run_ws(
        &mut discovering,
        &[
            Case::new("raw diff depth", diff, Expect::data(vec![expected])),
            Case::new(
                "raw @bookTicker stream (no event type): not one the codec reads",
                r#"{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}"#,
                Expect::class(FrameClass::Unknown),
            ),
        ],
    );
}

#[test]
fn diff_depth_follows_a_rest_snapshot_by_update_id() {
    use crate::feed::book::{OrderBook, Resync};

    let mut codec = codec();
    let sync = codec.book_sync();
    assert_eq!(sync, crate::exchanges::BookSync::Ranges);
    let mut decode = |frame: String| {
        let mut out = Vec::new();
        codec.decode(frame.as_bytes(), RECEIVED, &mut out).unwrap();
        out.pop().unwrap()
    };
    let wrap = |diff: String| format!(r#"{{"stream":"ethusdt@depth@100ms","data":{diff}}}"#);
    let mut book = OrderBook::new(Exchange::Binance, market("ETH/USDT"), sync, 5);
    let mut snapshot = crate::exchanges::testkit::book(
        Exchange::Binance,
        "ETH/USDT",
        &[("2754.27", "2"), ("2754.20", "1")],
        &[("2754.30", "3")],
    );
    snapshot.seq = Some(2000);
    book.apply_snapshot(&snapshot).unwrap();
    let apply = |book: &mut OrderBook, data: MarketData| match data {
        MarketData::Delta(delta) => book.apply_delta(&delta, |_, _| None),
        other => panic!("not a delta: {other:?}"),
    };
    // TC0: an event wholly before the snapshot is dropped; TC1: one straddling it applies.
    apply(
        &mut book,
        decode(wrap(eth_diff(1990, 2000, r#"[["2754.27","0"]]"#, "[]"))),
    )
    .unwrap();
    assert_eq!(
        book.snapshot().bids.len(),
        2,
        "TC0: an old event changed the book"
    );
    apply(
        &mut book,
        decode(wrap(eth_diff(1995, 2003, r#"[["2754.27","0"]]"#, "[]"))),
    )
    .unwrap();
    assert_eq!(book.snapshot().bids, vec![lv("2754.20", "1")], "TC1");
    // TC2: the next must start at 2004.
    apply(
        &mut book,
        decode(wrap(eth_diff(2004, 2004, "[]", r#"[["2754.29","1"]]"#))),
    )
    .unwrap();
    assert_eq!(
        book.snapshot().asks.first(),
        Some(&lv("2754.29", "1")),
        "TC2"
    );
    // TC3: a skipped id is a gap.
    assert_eq!(
        apply(&mut book, decode(wrap(eth_diff(2006, 2007, "[]", "[]")))),
        Err(Resync::Gap {
            expected: 2005,
            got: 2006
        }),
        "TC3"
    );
}
