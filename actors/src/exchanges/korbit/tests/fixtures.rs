//! The shared fixtures (../shared/fixtures/exchanges) decode, when that folder exists.

use super::*;

/// The shared fixture `name` of Korbit, if the shared folder is beside the workspace.
pub(super) fn shared_fixture(name: &str) -> Option<String> {
    let path = format!(
        "{}/../../shared/fixtures/exchanges/korbit/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).ok()
}

/// Every shared Korbit fixture decodes, with the file's numbers.
#[test]
fn shared_fixtures_decode() {
    let Some(ws_ticker) = shared_fixture("ws_ticker.json") else {
        return;
    };
    let ws_book = shared_fixture("ws_orderbook.json").unwrap();
    let rest_ticker = shared_fixture("rest_ticker.json").unwrap();
    let rest_book = shared_fixture("rest_orderbook.json").unwrap();
    let mut codec = KorbitCodec::new(&markets(&["BTC/KRW", "ETH/KRW"]), 30).unwrap();
    let btc_ticker = |last: &str| ticker(Exchange::Korbit, "BTC/KRW", last);
    let ws = [
        Case::new(
            "ws ticker",
            ws_ticker,
            Expect::data(vec![MarketData::Ticker(Ticker {
                best_bid: Some(dec("99026000")),
                best_ask: Some(dec("99027000")),
                open_24h: Some(dec("94679000")),
                high_24h: Some(dec("111162000")),
                low_24h: Some(dec("93861000")),
                volume_24h: Some(dec("147.94385655")),
                exchange_time: ms(1_700_000_027_754),
                ..btc_ticker("99027000")
            })]),
        ),
        Case::new(
            "ws book",
            ws_book,
            Expect::data(vec![
                MarketData::Book(book(
                    Exchange::Korbit,
                    "BTC/KRW",
                    &[
                        ("99120000", "0.00363422"),
                        ("99119000", "0.00475577"),
                        ("99118000", "0.00389054"),
                    ],
                    &[
                        ("99131000", "0.00456677"),
                        ("99132000", "0.00616665"),
                        ("99133000", "0.00808569"),
                    ],
                ))
                .with_time(1_700_000_000_234),
            ]),
        ),
    ];
    run_ws(&mut codec, &ws);
    let requests = [
        "/v2/tickers?symbol=btc_krw,eth_krw",
        "/v2/orderbook?symbol=btc_krw",
    ];
    let rest = [
        Case::new(
            "rest tickers",
            rest_ticker,
            Expect::data(vec![
                MarketData::Ticker(Ticker {
                    best_bid: Some(dec("77136000")),
                    best_ask: Some(dec("77193000")),
                    open_24h: Some(dec("77060000")),
                    high_24h: Some(dec("79650000")),
                    low_24h: Some(dec("76550000")),
                    volume_24h: Some(dec("48.73739983")),
                    exchange_time: ms(1_725_525_721_041),
                    ..btc_ticker("77136000")
                }),
                MarketData::Ticker(Ticker {
                    best_bid: Some(dec("3251000")),
                    best_ask: Some(dec("3254000")),
                    open_24h: Some(dec("3259000")),
                    high_24h: Some(dec("3370000")),
                    low_24h: Some(dec("3222000")),
                    volume_24h: Some(dec("161.99278306")),
                    exchange_time: ms(1_725_525_545_630),
                    ..ticker(Exchange::Korbit, "ETH/KRW", "3250000")
                }),
            ]),
        ),
        Case::new(
            "rest book",
            rest_book,
            Expect::data(vec![
                MarketData::Book(book(
                    Exchange::Korbit,
                    "BTC/KRW",
                    &[
                        ("73303000", "0.00898326"),
                        ("73302000", "0.00790837"),
                        ("73301000", "0.00843099"),
                        ("73300000", "0.00054024"),
                        ("73299000", "0.00663446"),
                    ],
                    &[
                        ("73304000", "0.00985212"),
                        ("73305000", "0.00367505"),
                        ("73306000", "0.0096254"),
                        ("73307000", "0.00502544"),
                        ("73308000", "0.00640584"),
                    ],
                ))
                .with_time(1_708_057_740_895),
            ]),
        ),
    ];
    run_cases(
        Exchange::Korbit,
        &mut |index, body, out| codec.decode_rest_for(requests[index], body, RECEIVED, out),
        &rest,
    );
}
