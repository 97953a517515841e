//! The shared fixtures (../shared/fixtures/exchanges) decode, when that folder exists.

use super::*;

/// The shared fixture `name` of Bithumb, if the shared folder is beside the workspace.
pub(super) fn shared_fixture(name: &str) -> Option<String> {
    let path = format!(
        "{}/../../shared/fixtures/exchanges/bithumb/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).ok()
}

/// Every shared Bithumb fixture decodes, with the file's numbers.
#[test]
fn shared_fixtures_decode() {
    let mut codec = new(&markets(&["BTC/KRW"]), 30).unwrap();
    let Some(ws_ticker) = shared_fixture("ws_ticker.json") else {
        return;
    };
    let mut out = Vec::new();
    assert_eq!(
        codec.decode(ws_ticker.as_bytes(), RECEIVED, &mut out),
        Ok(FrameClass::Data)
    );
    assert_eq!(
        out,
        vec![MarketData::Ticker(Ticker {
            open_24h: Some(dec("484500")),
            high_24h: Some(dec("493100")),
            low_24h: Some(dec("472500")),
            volume_24h: Some(dec("13380.57687512")),
            exchange_time: ms(1_725_927_377_287),
            ..ticker(Exchange::Bithumb, "BTC/KRW", "493100")
        })]
    );

    let ws_book = shared_fixture("ws_orderbook.json").unwrap();
    out.clear();
    assert_eq!(
        codec.decode(ws_book.as_bytes(), RECEIVED, &mut out),
        Ok(FrameClass::Data)
    );
    let [MarketData::Book(snapshot)] = &out[..] else {
        panic!("{out:?}")
    };
    assert_eq!((snapshot.bids.len(), snapshot.asks.len()), (15, 15));
    assert_eq!(
        snapshot.bids[0],
        crate::exchanges::testkit::lv("478300", "5.6370")
    );
    assert_eq!(format!("{:?}", snapshot.bids[0].quantity), "5.6370");
    assert_eq!(
        snapshot.asks[0],
        crate::exchanges::testkit::lv("478800", "4.3478")
    );
    assert_eq!(
        snapshot.asks[14],
        crate::exchanges::testkit::lv("497900", "2.3299")
    );
    assert_eq!(
        snapshot.bids[14],
        crate::exchanges::testkit::lv("469000", "0.5723")
    );
    assert_eq!(snapshot.exchange_time, ms(1_725_930_007_672));

    let rest_ticker = shared_fixture("rest_ticker.json").unwrap();
    out.clear();
    assert_eq!(
        codec.decode_rest_for(
            "/v1/ticker?markets=KRW-BTC",
            rest_ticker.as_bytes(),
            RECEIVED,
            &mut out
        ),
        Ok(FrameClass::Data)
    );
    assert_eq!(
        out,
        vec![MarketData::Ticker(Ticker {
            open_24h: Some(dec("8450000")),
            high_24h: Some(dec("8679000")),
            low_24h: Some(dec("8445000")),
            volume_24h: Some(dec("27181.31137002")),
            exchange_time: ms(1_524_047_026_072),
            ..ticker(Exchange::Bithumb, "BTC/KRW", "8621000")
        })]
    );

    let rest_book = shared_fixture("rest_orderbook.json").unwrap();
    out.clear();
    assert_eq!(
        codec.decode_rest(rest_book.as_bytes(), RECEIVED, &mut out),
        Ok(FrameClass::Data)
    );
    assert_eq!(
        out,
        vec![
            MarketData::Book(book(
                Exchange::Bithumb,
                "BTC/KRW",
                &[("6954000", "0.00718341"), ("6953000", "0.11500074")],
                &[("6956000", "0.24078656"), ("6958000", "1.12919")],
            ))
            .with_time(1_529_910_247_984)
        ]
    );
}
