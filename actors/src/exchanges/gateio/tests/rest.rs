//! REST: the requests the fallback poller sends and the bodies it decodes (HTTP-200 errors included).

use super::*;

#[test]
fn rest_requests_are_one_per_market_and_unique() {
    let codec = codec();
    assert_eq!(
        codec.rest_ticker_requests(),
        [
            "/api/v4/spot/tickers?currency_pair=ETH_USDT",
            "/api/v4/spot/tickers?currency_pair=SOL_USDT",
            "/api/v4/spot/tickers?currency_pair=ETH_BTC",
        ]
    );
    assert_eq!(
        codec.rest_book_requests(),
        [
            "/api/v4/spot/order_book?currency_pair=ETH_USDT&limit=20&with_id=true",
            "/api/v4/spot/order_book?currency_pair=SOL_USDT&limit=20&with_id=true",
            "/api/v4/spot/order_book?currency_pair=ETH_BTC&limit=20&with_id=true",
        ]
    );
}

#[test]
fn decodes_rest_bodies() {
    let cases = [
        Case::new(
            "tickers",
            REST_TICKERS_ETH_USDT,
            Expect::data(vec![rest_eth_ticker()]),
        ),
        Case::new(
            "error",
            REST_ERROR_INVALID_PAIR,
            Expect::class(FrameClass::Error(
                "INVALID_CURRENCY_PAIR: Invalid currency pair XYZ_USDT".into(),
            )),
        ),
        Case::new(
            "all tickers, an unconfigured one skipped",
            format!(
                "[{},{}]",
                REST_TICKERS_ETH_USDT
                    .trim()
                    .trim_matches(['[', ']'])
                    .replace("ETH_USDT", "BNB_USDT"),
                REST_TICKERS_ETH_USDT.trim().trim_matches(['[', ']'])
            ),
            Expect::data(vec![rest_eth_ticker()]),
        ),
        Case::new(
            "tickers of a pair not configured",
            REST_TICKERS_ETH_USDT.replace("ETH_USDT", "BNB_USDT"),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "empty ticker array",
            "[]",
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "order book with several markets configured",
            REST_ORDER_BOOK_SOL_USDT,
            Expect::Rejected("names no market and 3 are configured"),
        ),
        Case::new(
            "ticker without last",
            r#"[{"currency_pair":"ETH_USDT","highest_bid":"1"}]"#,
            Expect::Rejected("[0]: missing field last"),
        ),
        Case::new("empty body", "", Expect::Rejected("empty body")),
        Case::new(
            "HTML error page",
            "<html>",
            Expect::Rejected("expected a JSON"),
        ),
    ];
    run_rest(&mut codec(), &cases);

    let mut single = GateioCodec::new(&markets(&["SOL/USDT"]), 20).unwrap();
    run_rest(
        &mut single,
        &[Case::new(
            "order book, one market",
            REST_ORDER_BOOK_SOL_USDT,
            Expect::data(vec![rest_sol_book()]),
        )],
    );
}

#[test]
fn decode_rest_for_takes_the_market_from_the_request() {
    let mut codec = codec();
    let sol_book = "/api/v4/spot/order_book?currency_pair=SOL_USDT&limit=20&with_id=true";
    let eth_ticker = "/api/v4/spot/tickers?currency_pair=ETH_USDT";
    let requests = [
        sol_book,
        eth_ticker,
        sol_book,
        eth_ticker,
        sol_book,
        "/api/v4/spot/order_book?currency_pair=BNB_USDT&limit=20",
        "/api/v4/spot/order_book?limit=20",
        "/api/v4/spot/currency_pairs",
    ];
    let cases = [
        Case::new(
            "order book",
            REST_ORDER_BOOK_SOL_USDT,
            Expect::data(vec![rest_sol_book()]),
        ),
        Case::new(
            "tickers",
            REST_TICKERS_ETH_USDT,
            Expect::data(vec![rest_eth_ticker()]),
        ),
        Case::new(
            "error",
            REST_ERROR_INVALID_PAIR,
            Expect::class(FrameClass::Error(
                "INVALID_CURRENCY_PAIR: Invalid currency pair XYZ_USDT".into(),
            )),
        ),
        Case::new(
            "a book in a tickers response",
            REST_ORDER_BOOK_SOL_USDT,
            Expect::Rejected("an object in a tickers response"),
        ),
        Case::new(
            "tickers in an order_book response",
            REST_TICKERS_ETH_USDT,
            Expect::Rejected("an array in an order_book response"),
        ),
        Case::new(
            "a pair not configured",
            REST_ORDER_BOOK_SOL_USDT,
            Expect::Rejected("pair BNB_USDT is not configured"),
        ),
        Case::new(
            "no pair",
            REST_ORDER_BOOK_SOL_USDT,
            Expect::Rejected("no currency_pair"),
        ),
        Case::new(
            "not our request",
            "{}",
            Expect::Rejected("not a Gate.io tickers or order_book request"),
        ),
    ];
    run_cases(
        Exchange::Gateio,
        &mut |index, body, out| codec.decode_rest_for(requests[index], body, RECEIVED, out),
        &cases,
    );
}
