//! The shared fixtures (../shared/fixtures/exchanges) decode, when that folder exists.

use super::*;

/// The shared fixtures (`/work/shared/fixtures/exchanges/kraken`, or `PREMIA_FIXTURES`), read at
/// run time; skipped with a note where they are not checked out.
fn shared_fixture(name: &str) -> Option<String> {
    let dir = std::env::var("PREMIA_FIXTURES").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/fixtures/exchanges"
        )
        .to_string()
    });
    let path = format!("{dir}/kraken/{name}");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(error) => {
            eprintln!("shared fixture {path} not available ({error}); skipped");
            None
        }
    }
}

/// The documented checksum vectors: MATIC/USD at precision 4 / 8 gives 2439117997 for the
/// snapshot and 2114181697 after the update.
#[test]
fn checksum_matches_the_documented_vectors() {
    let (Some(snapshot), Some(update)) = (
        shared_fixture("ws_orderbook.json"),
        shared_fixture("ws_orderbook_delta.json"),
    ) else {
        return;
    };
    let mut codec = KrakenCodec::new(&markets(&["MATIC/USD"]), 10).unwrap();
    codec.set_precision(&market("MATIC/USD"), Precision { price: 4, qty: 8 });
    follow_book(
        &mut codec,
        &[(&snapshot, 2_439_117_997), (&update, 2_114_181_697)],
    );
}

#[test]
fn decodes_the_shared_fixtures() {
    let mut codec = KrakenCodec::new(&markets(&["BTC/USD", "ALGO/USD", "MATIC/USD"]), 10).unwrap();
    let Some(ticker_frame) = shared_fixture("ws_ticker.json") else {
        return;
    };
    let ws = [
        (
            ticker_frame,
            MarketData::Ticker(Ticker {
                best_bid: Some(dec("0.10025")),
                best_ask: Some(dec("0.10036")),
                high_24h: Some(dec("0.10285")),
                low_24h: Some(dec("0.09979")),
                volume_24h: Some(dec("997038.98383185")),
                exchange_time: at("2023-09-25T09:04:31.742648Z"),
                ..ticker(Exchange::Kraken, "ALGO/USD", "0.10035")
            }),
        ),
        (
            shared_fixture("ws_orderbook_delta.json").unwrap(),
            MarketData::Delta(BookDelta {
                exchange: Exchange::Kraken,
                market: market("MATIC/USD"),
                bids: vec![lv("0.5657", "1098.3947558")],
                asks: vec![],
                first_seq: None,
                seq: None,
                prev_seq: None,
                checksum: Some(2_114_181_697),
                exchange_time: at("2023-10-06T17:35:55.440295Z"),
                received: RECEIVED,
            }),
        ),
    ];
    for (index, (frame, expected)) in ws.into_iter().enumerate() {
        let mut out = Vec::new();
        assert_eq!(
            codec.decode(frame.as_bytes(), RECEIVED, &mut out),
            Ok(FrameClass::Data),
            "TC{index}"
        );
        assert_eq!(format!("{out:?}"), format!("{:?}", [expected]), "TC{index}");
    }

    // The snapshot: 10 levels a side, exactly as written (`0.566` keeps its three places).
    let snapshot = shared_fixture("ws_orderbook.json").unwrap();
    let mut out = Vec::new();
    assert_eq!(
        codec.decode(snapshot.as_bytes(), RECEIVED, &mut out),
        Ok(FrameClass::Data)
    );
    let MarketData::Book(book) = &out[0] else {
        panic!("{out:?}")
    };
    assert_eq!((book.bids.len(), book.asks.len()), (10, 10));
    assert_eq!(
        format!("{:?}", book.bids[0]),
        format!("{:?}", lv("0.5666", "4831.75496356"))
    );
    assert_eq!(
        format!("{:?}", book.bids[6]),
        format!("{:?}", lv("0.566", "18097.1547"))
    );
    assert_eq!(
        format!("{:?}", book.asks[9]),
        format!("{:?}", lv("0.5677", "36304.0847022"))
    );
    assert_eq!(book.exchange_time, at("2023-10-06T17:35:55.440295Z"));

    let rest_ticker = MarketData::Ticker(Ticker {
        best_bid: Some(dec("30300.00000")),
        best_ask: Some(dec("30300.10000")),
        open_24h: Some(dec("30502.80000")),
        high_24h: Some(dec("31631.00000")),
        low_24h: Some(dec("29868.30000")),
        volume_24h: Some(dec("4412.73601799")),
        ..ticker(Exchange::Kraken, "BTC/USD", "30303.20000")
    });
    let rest_book = MarketData::Book(book_of(
        "BTC/USD",
        &[
            ("30297.00000", "1.115"),
            ("30296.70000", "2.002"),
            ("30289.80000", "5.001"),
        ],
        &[
            ("30384.10000", "2.059"),
            ("30387.90000", "1.500"),
            ("30393.70000", "9.871"),
        ],
    ));
    for (name, request, expected) in [
        (
            "rest_ticker.json",
            "/0/public/Ticker?pair=XBTUSD",
            rest_ticker,
        ),
        (
            "rest_orderbook.json",
            "/0/public/Depth?pair=XBTUSD&count=10",
            rest_book,
        ),
    ] {
        let body = shared_fixture(name).unwrap();
        for with_request in [true, false] {
            let mut out = Vec::new();
            let class = if with_request {
                codec.decode_rest_for(request, body.as_bytes(), RECEIVED, &mut out)
            } else {
                codec.decode_rest(body.as_bytes(), RECEIVED, &mut out)
            };
            assert_eq!(class, Ok(FrameClass::Data), "{name}");
            assert_eq!(
                format!("{out:?}"),
                format!("{:?}", std::slice::from_ref(&expected)),
                "{name}"
            );
        }
    }

    // Our subscribe frames have the shape of the shared request frames (plus `instrument`).
    let expected: Value =
        serde_json::from_str(&shared_fixture("ws_subscribe.json").unwrap()).unwrap();
    let single = KrakenCodec::new(&markets(&["BTC/USD"]), 10).unwrap();
    let ours: Vec<Value> = single
        .subscribe(Timestamp::EPOCH)
        .iter()
        .map(|frame| serde_json::from_str(frame).unwrap())
        .collect();
    assert_eq!(Value::Array(ours[..2].to_vec()), expected);
}
