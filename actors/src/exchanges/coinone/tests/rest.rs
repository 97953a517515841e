//! REST: the requests the fallback poller sends and the bodies it decodes (HTTP-200 errors included).

use super::*;

#[test]
fn rest_requests_are_one_per_market() {
    let codec = codec();
    assert_eq!(
        codec.rest_ticker_requests(),
        [
            "/public/v2/ticker_new/KRW/ETH",
            "/public/v2/ticker_new/KRW/XRP",
            "/public/v2/ticker_new/KRW/SOL"
        ]
    );
    assert_eq!(
        codec.rest_book_requests(),
        [
            "/public/v2/orderbook/KRW/ETH?size=5",
            "/public/v2/orderbook/KRW/XRP?size=5",
            "/public/v2/orderbook/KRW/SOL?size=5"
        ]
    );
}

fn rest_eth_ticker() -> MarketData {
    MarketData::Ticker(Ticker {
        best_bid: Some(dec("3650500.0")),
        best_ask: Some(dec("3651000.0")),
        open_24h: Some(dec("3602000.0")),
        high_24h: Some(dec("3688000.0")),
        low_24h: Some(dec("3571000.0")),
        volume_24h: Some(dec("1021.403000100000000000001")),
        exchange_time: ms(1_749_619_397_418),
        ..ticker(Exchange::Coinone, "ETH/KRW", "3650500.0")
    })
}

fn rest_sol_book() -> MarketData {
    let MarketData::Book(mut snapshot) = MarketData::Book(book(
        Exchange::Coinone,
        "SOL/KRW",
        &[
            ("216300", "1.20300000"),
            ("216250", "0.5"),
            ("216200", "12.01"),
        ],
        &[
            ("216350", "0.81"),
            ("216400", "3"),
            ("216450", "0.00000001"),
        ],
    ))
    .with_time(1_749_619_399_420) else {
        unreachable!()
    };
    snapshot.seq = Some(1_749_619_399_420_001);
    MarketData::Book(snapshot)
}

#[test]
fn decodes_rest_bodies() {
    let cases = [
        Case::new(
            "ticker, lower-case currencies",
            REST_TICKER_KRW_ETH,
            Expect::data(vec![rest_eth_ticker()]),
        ),
        Case::new(
            "book",
            REST_BOOK_KRW_SOL,
            Expect::data(vec![rest_sol_book()]),
        ),
        Case::new(
            "error with HTTP 200",
            REST_ERROR,
            Expect::class(FrameClass::Error("107: Parameter value is wrong".into())),
        ),
        Case::new(
            "error with HTTP 200, in the camel-case spelling Coinone also documents",
            r#"{"result":"error","errorCode":"105","errorMsg":"Price is not correct"}"#,
            Expect::class(FrameClass::Error("105: Price is not correct".into())),
        ),
        Case::new(
            "ticker of a market not configured",
            REST_TICKER_KRW_ETH.replace("\"eth\"", "\"ada\""),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "book of a market not configured",
            REST_BOOK_KRW_SOL.replace("\"SOL\"", "\"ADA\""),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "bad ticker leaves nothing",
            r#"{"result":"success","tickers":[{"quote_currency":"krw","target_currency":"eth","last":"1"},{"quote_currency":"krw","target_currency":"xrp","last":"x"}]}"#,
            Expect::Rejected("tickers[1]: last"),
        ),
        Case::new(
            "no result",
            r#"{"tickers":[]}"#,
            Expect::Rejected("missing field result"),
        ),
        Case::new(
            "neither",
            r#"{"result":"success","error_code":"0"}"#,
            Expect::Rejected("neither tickers nor an order book"),
        ),
        Case::new("empty body", "", Expect::Rejected("empty body")),
        Case::new("HTML", "<html>", Expect::Rejected("expected a JSON object")),
    ];
    run_rest(&mut codec(), &cases);
}

#[test]
fn decode_rest_for_checks_the_kind_requested() {
    let mut codec = codec();
    let ticker = "/public/v2/ticker_new/KRW/ETH";
    let book = "/public/v2/orderbook/KRW/SOL?size=5";
    let requests = [ticker, book, ticker, book, "/public/v2/markets/KRW"];
    let cases = [
        Case::new(
            "ticker",
            REST_TICKER_KRW_ETH,
            Expect::data(vec![rest_eth_ticker()]),
        ),
        Case::new(
            "book",
            REST_BOOK_KRW_SOL,
            Expect::data(vec![rest_sol_book()]),
        ),
        Case::new(
            "book in a ticker response",
            REST_BOOK_KRW_SOL,
            Expect::Rejected("order book in a ticker response"),
        ),
        Case::new(
            "error",
            REST_ERROR,
            Expect::class(FrameClass::Error("107: Parameter value is wrong".into())),
        ),
        Case::new(
            "not our request",
            "{}",
            Expect::Rejected("not a Coinone ticker or order-book request"),
        ),
    ];
    run_cases(
        Exchange::Coinone,
        &mut |index, body, out| codec.decode_rest_for(requests[index], body, RECEIVED, out),
        &cases,
    );
}
