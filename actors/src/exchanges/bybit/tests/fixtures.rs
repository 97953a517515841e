//! The shared fixtures (../shared/fixtures/exchanges) decode, when that folder exists.

use super::*;

/// The shared fixture file, if the shared folder is beside the workspace.
fn fixture(name: &str) -> Option<String> {
    let path = format!(
        "{}/../../shared/fixtures/exchanges/bybit/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).ok()
}

#[test]
fn shared_fixtures_decode() {
    let Some(ticker_frame) = fixture("ws_ticker.json") else {
        eprintln!("shared fixtures not found; skipped");
        return;
    };
    let mut codec = BybitCodec::new(&markets(&["BTC/USDT"]), 50).unwrap();
    let ws_cases = [
        Case::new(
            "ws_ticker.json",
            ticker_frame,
            Expect::data(vec![MarketData::Ticker(Ticker {
                open_24h: Some(dec("20704.93")),
                high_24h: Some(dec("21426.99")),
                low_24h: Some(dec("20575")),
                volume_24h: Some(dec("6780.866843")),
                exchange_time: ms(1_673_853_746_003),
                ..ticker(Exchange::Bybit, "BTC/USDT", "21109.77")
            })]),
        ),
        Case::new(
            "ws_orderbook.json",
            fixture("ws_orderbook.json").unwrap(),
            Expect::data(vec![MarketData::Book(BookSnapshot {
                seq: Some(18_521_288),
                exchange_time: ms(1_672_304_484_978),
                ..book(
                    Exchange::Bybit,
                    "BTC/USDT",
                    &[("16493.50", "0.006"), ("16493.00", "0.100")],
                    &[("16611.00", "0.029"), ("16612.00", "0.213")],
                )
            })]),
        ),
        Case::new(
            "ws_orderbook_delta.json",
            fixture("ws_orderbook_delta.json").unwrap(),
            Expect::data(vec![MarketData::Delta(BookDelta {
                exchange: Exchange::Bybit,
                market: market("BTC/USDT"),
                bids: vec![
                    lv("30247.20", "30.028"),
                    lv("30245.40", "0.224"),
                    lv("30242.10", "1.593"),
                    lv("30240.30", "1.305"),
                    lv("30240.00", "0"),
                ],
                asks: vec![
                    lv("30248.70", "0"),
                    lv("30249.30", "0.892"),
                    lv("30249.50", "1.778"),
                    lv("30249.60", "0"),
                    lv("30251.90", "2.947"),
                    lv("30252.20", "0.659"),
                    lv("30252.50", "4.591"),
                ],
                first_seq: None,
                seq: Some(177_400_507),
                prev_seq: None,
                checksum: None,
                exchange_time: ms(1_687_940_967_466),
                received: RECEIVED,
            })]),
        ),
    ];
    run_ws(&mut codec, &ws_cases);

    let rest_cases = [
        Case::new(
            "rest_ticker.json",
            fixture("rest_ticker.json").unwrap(),
            Expect::data(vec![MarketData::Ticker(Ticker {
                best_bid: Some(dec("20517.96")),
                best_ask: Some(dec("20527.77")),
                open_24h: Some(dec("20393.48")),
                high_24h: Some(dec("21128.12")),
                low_24h: Some(dec("20318.89")),
                volume_24h: Some(dec("11801.27771")),
                exchange_time: ms(1_673_859_087_947),
                ..ticker(Exchange::Bybit, "BTC/USDT", "20533.13")
            })]),
        ),
        Case::new(
            "rest_orderbook.json",
            fixture("rest_orderbook.json").unwrap(),
            Expect::data(vec![MarketData::Book(BookSnapshot {
                seq: Some(230_704),
                exchange_time: ms(1_716_863_719_031),
                ..book(
                    Exchange::Bybit,
                    "BTC/USDT",
                    &[("65485.47", "47.081829")],
                    &[("65557.7", "16.606555")],
                )
            })]),
        ),
    ];
    run_rest(&mut codec, &rest_cases);
    let requests = [codec.rest_ticker_requests(), codec.rest_book_requests()];
    for (request, name) in requests
        .iter()
        .flatten()
        .zip(["rest_ticker.json", "rest_orderbook.json"])
    {
        let mut out = Vec::new();
        let body = fixture(name).unwrap();
        assert_eq!(
            codec.decode_rest_for(request, body.as_bytes(), RECEIVED, &mut out),
            Ok(FrameClass::Data),
            "{name}"
        );
    }

    // Our subscribe frame has the shape of the shared request.
    let shared: Value = serde_json::from_str(&fixture("ws_subscribe.json").unwrap()).unwrap();
    let ours: Value = serde_json::from_str(&codec.subscribe(Timestamp::EPOCH)[0]).unwrap();
    assert_eq!(ours["op"], shared["op"]);
    assert_eq!(ours["args"], shared["args"]);
    assert!(ours["req_id"].is_string());
}
