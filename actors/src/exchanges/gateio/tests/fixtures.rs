//! The shared fixtures (../shared/fixtures/exchanges) decode, when that folder exists.

use super::*;

/// The shared fixtures (`/work/shared/fixtures/exchanges/gateio`, or `PREMIA_FIXTURES`), read at
/// run time; skipped with a note where they are not checked out.
fn shared_fixture(name: &str) -> Option<String> {
    let dir = std::env::var("PREMIA_FIXTURES").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/fixtures/exchanges"
        )
        .to_string()
    });
    let path = format!("{dir}/gateio/{name}");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(error) => {
            eprintln!("shared fixture {path} not available ({error}); skipped");
            None
        }
    }
}

#[test]
fn decodes_the_shared_fixtures() {
    let mut codec = GateioCodec::new(&markets(&["BTC/USDT", "BTC3L/USDT"]), 100).unwrap();
    let ws = [
        (
            "ws_ticker.json",
            MarketData::Ticker(Ticker {
                best_bid: Some(dec("15743.5")),
                best_ask: Some(dec("15744.4")),
                high_24h: Some(dec("16280.9")),
                low_24h: Some(dec("15468.5")),
                volume_24h: Some(dec("9110.473081735")),
                exchange_time: ms(1_669_107_766_406),
                ..ticker(Exchange::Gateio, "BTC/USDT", "15743.4")
            }),
        ),
        (
            "ws_orderbook.json",
            MarketData::Book(BookSnapshot {
                seq: Some(48_791_820),
                exchange_time: ms(1_606_295_412_123),
                ..book(
                    Exchange::Gateio,
                    "BTC/USDT",
                    &[
                        ("19079.55", "0.0195"),
                        ("19079.07", "0.7341"),
                        ("19076.23", "0.00011808"),
                        ("19073.9", "0.105"),
                        ("19068.83", "0.1009"),
                    ],
                    &[
                        ("19080.24", "0.1638"),
                        ("19080.91", "0.1366"),
                        ("19080.92", "0.01"),
                        ("19081.29", "0.01"),
                        ("19083.8", "0.097"),
                    ],
                )
            }),
        ),
        (
            "ws_orderbook_update_full.json",
            MarketData::Book(BookSnapshot {
                seq: Some(48_776_306),
                exchange_time: ms(1_606_294_781_123),
                ..book(
                    Exchange::Gateio,
                    "BTC/USDT",
                    &[("19137.74", "0.0001")],
                    &[("19137.75", "0.6135")],
                )
            }),
        ),
        (
            "ws_orderbook_v2_full.json",
            MarketData::Book(BookSnapshot {
                seq: Some(73_777_715_168),
                exchange_time: ms(1_747_054_612_673),
                ..book(
                    Exchange::Gateio,
                    "BTC/USDT",
                    &[("104027.1", "509392"), ("104027", "477932")],
                    &[("104027.2", "44617"), ("104027.4", "39322")],
                )
            }),
        ),
        (
            "ws_orderbook_delta.json",
            MarketData::Delta(BookDelta {
                exchange: Exchange::Gateio,
                market: market("BTC/USDT"),
                bids: vec![lv("104024.5", "10343"), lv("104014.5", "509392")],
                asks: vec![lv("104027.2", "0"), lv("104027.4", "0")],
                first_seq: Some(73_777_715_169),
                seq: Some(73_777_715_212),
                prev_seq: None,
                checksum: None,
                exchange_time: ms(1_747_054_612_695),
                received: RECEIVED,
            }),
        ),
    ];
    for (name, expected) in ws {
        let Some(frame) = shared_fixture(name) else {
            return;
        };
        let mut out = Vec::new();
        assert_eq!(
            codec.decode(frame.as_bytes(), RECEIVED, &mut out),
            Ok(FrameClass::Data),
            "{name}"
        );
        assert_eq!(format!("{out:?}"), format!("{:?}", [expected]), "{name}");
    }

    let rest = [
        (
            "rest_ticker.json",
            "/api/v4/spot/tickers?currency_pair=BTC3L_USDT",
            MarketData::Ticker(Ticker {
                best_bid: Some(dec("2.4606821")),
                best_ask: Some(dec("2.477")),
                high_24h: Some(dec("2.7431")),
                low_24h: Some(dec("1.9863")),
                volume_24h: Some(dec("656614.0845820589")),
                ..ticker(Exchange::Gateio, "BTC3L/USDT", "2.46140352")
            }),
        ),
        (
            "rest_orderbook.json",
            "/api/v4/spot/order_book?currency_pair=BTC_USDT&limit=100&with_id=true",
            MarketData::Book(BookSnapshot {
                seq: Some(123_456),
                exchange_time: ms(1_623_898_993_123),
                ..book(
                    Exchange::Gateio,
                    "BTC/USDT",
                    &[("1.17", "201.863"), ("1.16", "725.464")],
                    &[("1.52", "1.151"), ("1.53", "1.218")],
                )
            }),
        ),
    ];
    for (name, request, expected) in rest {
        let Some(body) = shared_fixture(name) else {
            return;
        };
        let mut out = Vec::new();
        assert_eq!(
            codec.decode_rest_for(request, body.as_bytes(), RECEIVED, &mut out),
            Ok(FrameClass::Data),
            "{name}"
        );
        assert_eq!(
            format!("{out:?}"),
            format!("{:?}", std::slice::from_ref(&expected)),
            "{name}"
        );
        if name == "rest_ticker.json" {
            let mut out = Vec::new();
            assert_eq!(
                codec.decode_rest(body.as_bytes(), RECEIVED, &mut out),
                Ok(FrameClass::Data)
            );
            assert_eq!(out, [expected]);
        }
    }

    // Our subscribe frames have the shape of the shared request frames.
    let Some(subscribe) = shared_fixture("ws_subscribe.json") else {
        return;
    };
    let expected: Value = serde_json::from_str(&subscribe).unwrap();
    let single = GateioCodec::new(&markets(&["BTC/USDT"]), 100).unwrap();
    let ours: Vec<Value> = single
        .subscribe(Timestamp::from_secs(1_611_541_000))
        .iter()
        .map(|frame| serde_json::from_str(frame).unwrap())
        .collect();
    assert_eq!(Value::Array(ours), expected);
}
