//! The shared fixtures (../shared/fixtures/exchanges) decode, when that folder exists.

use super::*;

/// The shared fixture `name` of Coinone, if the shared folder is beside the workspace.
pub(super) fn shared_fixture(name: &str) -> Option<String> {
    let path = format!(
        "{}/../../shared/fixtures/exchanges/coinone/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).ok()
}

/// Every shared Coinone fixture decodes, with the file's numbers.
#[test]
fn shared_fixtures_decode() {
    let Some(ws_ticker) = shared_fixture("ws_ticker.json") else {
        return;
    };
    let ws_book = shared_fixture("ws_orderbook.json").unwrap();
    let rest_ticker = shared_fixture("rest_ticker.json").unwrap();
    let rest_book = shared_fixture("rest_orderbook.json").unwrap();
    let mut codec = CoinoneCodec::new(&markets(&["BTC/KRW", "XRP/KRW"]), 16).unwrap();

    let mut out = Vec::new();
    assert_eq!(
        codec.decode(ws_ticker.as_bytes(), RECEIVED, &mut out),
        Ok(FrameClass::Data)
    );
    assert_eq!(
        out,
        vec![MarketData::Ticker(Ticker {
            best_bid: Some(dec("58532000")),
            best_ask: Some(dec("58537000")),
            open_24h: Some(dec("57293000")),
            high_24h: Some(dec("58710000")),
            low_24h: Some(dec("57276000")),
            volume_24h: Some(dec("334.81445168")),
            exchange_time: ms(1_705_301_117_198),
            ..ticker(Exchange::Coinone, "BTC/KRW", "58532000")
        })]
    );

    // The documented XRP book: 16 levels a side, asks highest first in the file.
    out.clear();
    assert_eq!(
        codec.decode(ws_book.as_bytes(), RECEIVED, &mut out),
        Ok(FrameClass::Data)
    );
    let [MarketData::Book(snapshot)] = &out[..] else {
        panic!("{out:?}")
    };
    assert_eq!(snapshot.market, market("XRP/KRW"));
    assert_eq!((snapshot.bids.len(), snapshot.asks.len()), (16, 16));
    let lv = crate::exchanges::testkit::lv;
    assert_eq!(snapshot.asks[0], lv("687.5", "47022.8803"));
    assert_eq!(snapshot.asks[15], lv("695.5", "5000"));
    assert_eq!(snapshot.bids[0], lv("687.4", "6704.0994"));
    assert_eq!(snapshot.bids[2], lv("687.2", "71156.78279601"));
    assert_eq!(snapshot.bids[15], lv("685.2", "39610.424"));
    assert_eq!(snapshot.seq, Some(1_693_560_155_038_001));
    assert_eq!(snapshot.exchange_time, ms(1_693_560_155_038));

    let requests = [
        "/public/v2/ticker_new/KRW/BTC",
        "/public/v2/orderbook/KRW/BTC?size=16",
    ];
    let mut btc_book = book(
        Exchange::Coinone,
        "BTC/KRW",
        &[("50048000", "0.01080229")],
        &[("50058000", "0.00272592")],
    );
    btc_book.seq = Some(1_701_071_108_673_001);
    btc_book.exchange_time = ms(1_701_071_108_673);
    let rest = [
        Case::new(
            "rest ticker",
            rest_ticker,
            Expect::data(vec![MarketData::Ticker(Ticker {
                best_bid: Some(dec("50062000.0")),
                best_ask: Some(dec("50081000.0")),
                open_24h: Some(dec("50487000.0")),
                high_24h: Some(dec("50543000.0")),
                low_24h: Some(dec("49945000.0")),
                volume_24h: Some(dec("226.07268994")),
                exchange_time: ms(1_701_073_357_818),
                ..ticker(Exchange::Coinone, "BTC/KRW", "50062000.0")
            })]),
        ),
        Case::new(
            "rest book",
            rest_book,
            Expect::data(vec![MarketData::Book(btc_book)]),
        ),
    ];
    run_cases(
        Exchange::Coinone,
        &mut |index, body, out| codec.decode_rest_for(requests[index], body, RECEIVED, out),
        &rest,
    );
}
