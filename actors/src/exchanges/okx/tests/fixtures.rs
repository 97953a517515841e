//! The shared fixtures (../shared/fixtures/exchanges) decode, when that folder exists.

use super::*;

/// The shared fixture file, if the shared folder is beside the workspace.
fn fixture(name: &str) -> Option<String> {
    let path = format!(
        "{}/../../shared/fixtures/exchanges/okx/{name}",
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
    let mut codec = OkxCodec::new(&markets(&["BTC/USDT"]), 5).unwrap();
    let fixture_bids = [
        ("8476.97", "256"),
        ("8475.55", "101"),
        ("8475.54", "100"),
        ("8475.3", "1"),
        ("8447.32", "6"),
        ("8447.02", "246"),
        ("8446.83", "24"),
        ("8446", "95"),
    ];
    let fixture_asks = [
        ("8476.98", "415"),
        ("8477", "7"),
        ("8477.34", "85"),
        ("8477.56", "1"),
        ("8505.84", "8"),
        ("8506.37", "85"),
        ("8506.49", "2"),
        ("8506.96", "100"),
    ];
    let btc_ticker = Ticker {
        best_bid: Some(dec("8888.88")),
        best_ask: Some(dec("9999.99")),
        open_24h: Some(dec("9000")),
        high_24h: Some(dec("10000")),
        low_24h: Some(dec("8888.88")),
        volume_24h: Some(dec("2222")),
        exchange_time: ms(1_597_026_383_085),
        ..ticker(Exchange::Okx, "BTC/USDT", "9999.99")
    };
    let ws_cases = [
        Case::new(
            "ws_ticker.json",
            ticker_frame,
            Expect::data(vec![MarketData::Ticker(btc_ticker.clone())]),
        ),
        Case::new(
            "ws_orderbook.json",
            fixture("ws_orderbook.json").unwrap(),
            Expect::data(vec![MarketData::Book(BookSnapshot {
                seq: Some(123_456),
                exchange_time: ms(1_597_026_383_085),
                ..book(Exchange::Okx, "BTC/USDT", &fixture_bids, &fixture_asks)
            })]),
        ),
        Case::new(
            "ws_orderbook_delta.json",
            fixture("ws_orderbook_delta.json").unwrap(),
            Expect::data(vec![MarketData::Delta(BookDelta {
                exchange: Exchange::Okx,
                market: market("BTC/USDT"),
                bids: levels(&fixture_bids),
                asks: levels(&fixture_asks),
                first_seq: None,
                seq: Some(123_457),
                prev_seq: Some(123_456),
                checksum: Some(u32::from_be_bytes((-855_196_043_i32).to_be_bytes())),
                exchange_time: ms(1_597_026_383_085),
                received: RECEIVED,
            })]),
        ),
    ];
    run_ws(&mut codec, &ws_cases);

    // The REST ticker example of OKX's docs is of BTC-USD-SWAP, a derivative: not a spot
    // market, so skipped; with the spot instrument it is BTC/USDT's ticker.
    let rest_ticker = fixture("rest_ticker.json").unwrap();
    let rest_book = fixture("rest_orderbook.json").unwrap();
    let rest_cases = [
        Case::new(
            "rest_ticker.json (a swap)",
            rest_ticker.clone(),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "rest_ticker.json as spot",
            rest_ticker
                .replace("BTC-USD-SWAP", "BTC-USDT")
                .replace("SWAP", "SPOT"),
            Expect::data(vec![MarketData::Ticker(Ticker {
                exchange_time: ms(1_597_026_383_085),
                ..btc_ticker
            })]),
        ),
        Case::new(
            "rest_orderbook.json",
            rest_book.clone(),
            Expect::data(vec![MarketData::Book(BookSnapshot {
                seq: Some(3_235_851_742),
                exchange_time: ms(1_629_966_436_396),
                ..book(
                    Exchange::Okx,
                    "BTC/USDT",
                    &[("41006.3", "0.30178218")],
                    &[("41006.8", "0.60038921")],
                )
            })]),
        ),
    ];
    run_rest(&mut codec, &rest_cases);
    let request = &codec.rest_book_requests()[0];
    let mut out = Vec::new();
    assert_eq!(
        codec.decode_rest_for(request, rest_book.as_bytes(), RECEIVED, &mut out),
        Ok(FrameClass::Data)
    );

    // Our subscribe frame has the shape of the shared request.
    let shared: Value = serde_json::from_str(&fixture("ws_subscribe.json").unwrap()).unwrap();
    let ours: Value = serde_json::from_str(&codec.subscribe(Timestamp::EPOCH)[0]).unwrap();
    assert_eq!(ours["op"], shared["op"]);
    assert_eq!(ours["args"], shared["args"]);
    assert!(ours["id"].is_string());
}
