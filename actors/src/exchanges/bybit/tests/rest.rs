//! REST: the requests the fallback poller sends and the bodies it decodes (HTTP-200 errors included).

use super::*;

#[test]
fn rest_requests_are_one_per_market() {
    let codec = codec();
    assert_eq!(
        codec.rest_ticker_requests(),
        [
            "/v5/market/tickers?category=spot&symbol=ETHUSDT",
            "/v5/market/tickers?category=spot&symbol=SOLUSDT",
            "/v5/market/tickers?category=spot&symbol=ETHBTC",
        ]
    );
    assert_eq!(
        codec.rest_book_requests(),
        [
            "/v5/market/orderbook?category=spot&symbol=ETHUSDT&limit=50",
            "/v5/market/orderbook?category=spot&symbol=SOLUSDT&limit=50",
            "/v5/market/orderbook?category=spot&symbol=ETHBTC&limit=50",
        ]
    );
}

#[test]
fn decodes_rest_bodies() {
    let cases = [
        Case::new(
            "tickers",
            REST_TICKERS_ETHUSDT,
            Expect::data(vec![rest_eth_ticker()]),
        ),
        Case::new(
            "order book",
            REST_ORDERBOOK_SOLUSDT,
            Expect::data(vec![rest_sol_book()]),
        ),
        Case::new(
            "error with HTTP 200",
            REST_ERROR,
            Expect::class(FrameClass::Error("10001: Not supported symbols".into())),
        ),
        Case::new(
            "all tickers, an unconfigured one skipped",
            REST_TICKERS_ETHUSDT.replace(
                r#""list": ["#,
                r#""list": [{"symbol":"BNBUSDT","lastPrice":"601.2"},"#,
            ),
            Expect::data(vec![rest_eth_ticker()]),
        ),
        Case::new(
            "tickers of a symbol not configured",
            REST_TICKERS_ETHUSDT.replace("ETHUSDT", "BNBUSDT"),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "book of a symbol not configured",
            REST_ORDERBOOK_SOLUSDT.replace("SOLUSDT", "BNBUSDT"),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "no retCode",
            r#"{"retMsg":"OK","result":{}}"#,
            Expect::Rejected("missing field retCode"),
        ),
        Case::new(
            "empty result",
            r#"{"retCode":0,"retMsg":"OK","result":{}}"#,
            Expect::Rejected("neither a ticker list nor a book"),
        ),
        Case::new(
            "ticker without lastPrice",
            r#"{"retCode":0,"result":{"list":[{"symbol":"ETHUSDT"}]}}"#,
            Expect::Rejected("list[0]: missing field lastPrice"),
        ),
        Case::new(
            "ticker without symbol",
            r#"{"retCode":0,"result":{"list":[{"lastPrice":"1"}]}}"#,
            Expect::Rejected("list[0]: missing field symbol"),
        ),
        Case::new(
            "book without symbol",
            r#"{"retCode":0,"result":{"b":[],"a":[],"u":1}}"#,
            Expect::Rejected("missing field result.s"),
        ),
        Case::new("empty body", "", Expect::Rejected("empty body")),
        Case::new(
            "HTML error page",
            "<html>",
            Expect::Rejected("expected a JSON object"),
        ),
    ];
    run_rest(&mut codec(), &cases);

    // A depth-1 codec cuts the REST book to one level.
    let mut top = BybitCodec::new(&markets(&["SOL/USDT"]), 1).unwrap();
    run_rest(
        &mut top,
        &[Case::new(
            "book cut to depth",
            REST_ORDERBOOK_SOLUSDT,
            Expect::data(vec![MarketData::Book(BookSnapshot {
                seq: Some(4_470_301),
                exchange_time: ms(1_749_619_398_050),
                ..book(
                    Exchange::Bybit,
                    "SOL/USDT",
                    &[("156.42", "190.114")],
                    &[("156.43", "55.073")],
                )
            })]),
        )],
    );
}

#[test]
fn decode_rest_for_checks_the_kind_and_market_requested() {
    let mut codec = codec();
    let sol_book = "/v5/market/orderbook?category=spot&symbol=SOLUSDT&limit=50";
    let eth_book = "/v5/market/orderbook?category=spot&symbol=ETHUSDT&limit=50";
    let eth_tickers = "/v5/market/tickers?category=spot&symbol=ETHUSDT";
    let requests = [
        sol_book,
        eth_tickers,
        sol_book,
        eth_tickers,
        sol_book,
        eth_book,
        "/v5/market/orderbook?category=spot&symbol=BNBUSDT&limit=50",
        "/v5/market/orderbook?category=spot",
        "/v5/market/time",
    ];
    let cases = [
        Case::new(
            "book",
            REST_ORDERBOOK_SOLUSDT,
            Expect::data(vec![rest_sol_book()]),
        ),
        Case::new(
            "tickers",
            REST_TICKERS_ETHUSDT,
            Expect::data(vec![rest_eth_ticker()]),
        ),
        Case::new(
            "error",
            REST_ERROR,
            Expect::class(FrameClass::Error("10001: Not supported symbols".into())),
        ),
        Case::new(
            "a book in a tickers response",
            REST_ORDERBOOK_SOLUSDT,
            Expect::Rejected("order book in a tickers response"),
        ),
        Case::new(
            "tickers in an orderbook response",
            REST_TICKERS_ETHUSDT,
            Expect::Rejected("a ticker list in an orderbook response"),
        ),
        Case::new(
            "the book of another market",
            REST_ORDERBOOK_SOLUSDT,
            Expect::Rejected("a book of SOLUSDT in a response for ETH/USDT"),
        ),
        Case::new(
            "a symbol not configured",
            REST_ORDERBOOK_SOLUSDT,
            Expect::Rejected("symbol BNBUSDT is not configured"),
        ),
        Case::new(
            "no symbol",
            REST_ORDERBOOK_SOLUSDT,
            Expect::Rejected("no symbol"),
        ),
        Case::new(
            "not our request",
            "{}",
            Expect::Rejected("not a Bybit tickers or orderbook request"),
        ),
    ];
    run_cases(
        Exchange::Bybit,
        &mut |index, body, out| codec.decode_rest_for(requests[index], body, RECEIVED, out),
        &cases,
    );
}
