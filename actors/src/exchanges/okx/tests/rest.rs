//! REST: the requests the fallback poller sends and the bodies it decodes (HTTP-200 errors included).

use super::*;

#[test]
fn rest_requests_are_one_per_market() {
    let codec = codec();
    assert_eq!(
        codec.rest_ticker_requests(),
        [
            "/api/v5/market/ticker?instId=ETH-USDT",
            "/api/v5/market/ticker?instId=SOL-USDT",
            "/api/v5/market/ticker?instId=ETH-BTC",
        ]
    );
    assert_eq!(
        codec.rest_book_requests(),
        [
            "/api/v5/market/books?instId=ETH-USDT&sz=5",
            "/api/v5/market/books?instId=SOL-USDT&sz=5",
            "/api/v5/market/books?instId=ETH-BTC&sz=5",
        ]
    );
    for (requested, expected) in [(0, 1), (20, 20), (400, 400), (5000, 400)] {
        let codec = OkxCodec::new(&markets(&["BTC/USDT"]), requested).unwrap();
        assert_eq!(codec.depth(), expected, "depth {requested}");
    }
}

#[test]
fn decodes_rest_bodies() {
    let cases = [
        Case::new(
            "ticker",
            REST_TICKER_ETH_USDT,
            Expect::data(vec![rest_eth_ticker()]),
        ),
        Case::new(
            "error with HTTP 200",
            REST_ERROR,
            Expect::class(FrameClass::Error(
                "51001: Instrument ID does not exist".into(),
            )),
        ),
        Case::new(
            "error code as a number, no message",
            r#"{"code":50011,"msg":"","data":[]}"#,
            Expect::class(FrameClass::Error("50011".into())),
        ),
        Case::new(
            "ticker of an instrument not configured",
            REST_TICKER_ETH_USDT.replace("ETH-USDT", "BTC-USDT"),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "books body with several markets configured",
            REST_BOOKS_SOL_USDT,
            Expect::Rejected("names no market and 3 are configured"),
        ),
        Case::new(
            "no code",
            r#"{"msg":"","data":[]}"#,
            Expect::Rejected("missing field code"),
        ),
        Case::new(
            "no data",
            r#"{"code":"0","msg":""}"#,
            Expect::Rejected("missing field data"),
        ),
        Case::new(
            "ticker without last",
            r#"{"code":"0","msg":"","data":[{"instId":"ETH-USDT","bidPx":"1"}]}"#,
            Expect::Rejected("data[0]: missing field last"),
        ),
        Case::new("empty body", "", Expect::Rejected("empty body")),
        Case::new(
            "HTML error page",
            "<html>",
            Expect::Rejected("expected a JSON object"),
        ),
    ];
    run_rest(&mut codec(), &cases);

    // With a single market a books body is unambiguous.
    let mut single = OkxCodec::new(&markets(&["SOL/USDT"]), 5).unwrap();
    run_rest(
        &mut single,
        &[Case::new(
            "books body, one market, cut to depth",
            REST_BOOKS_SOL_USDT,
            Expect::data(vec![rest_sol_book()]),
        )],
    );
}

#[test]
fn decode_rest_for_takes_the_market_from_the_request() {
    let mut codec = codec();
    let sol_books = "/api/v5/market/books?instId=SOL-USDT&sz=5";
    let eth_ticker = "/api/v5/market/ticker?instId=ETH-USDT";
    let requests = [
        sol_books,
        eth_ticker,
        sol_books,
        eth_ticker,
        sol_books,
        "/api/v5/market/books?instId=BTC-USDT&sz=5",
        "/api/v5/market/books?sz=5",
        "/api/v5/public/time",
    ];
    let cases = [
        Case::new(
            "books",
            REST_BOOKS_SOL_USDT,
            Expect::data(vec![rest_sol_book()]),
        ),
        Case::new(
            "ticker",
            REST_TICKER_ETH_USDT,
            Expect::data(vec![rest_eth_ticker()]),
        ),
        Case::new(
            "error",
            REST_ERROR,
            Expect::class(FrameClass::Error(
                "51001: Instrument ID does not exist".into(),
            )),
        ),
        Case::new(
            "a book in a ticker response",
            REST_BOOKS_SOL_USDT,
            Expect::Rejected("order book in a ticker response"),
        ),
        Case::new(
            "a ticker in a books response",
            REST_TICKER_ETH_USDT,
            Expect::Rejected("missing field asks"),
        ),
        Case::new(
            "an instrument not configured",
            REST_BOOKS_SOL_USDT,
            Expect::Rejected("instId BTC-USDT is not configured"),
        ),
        Case::new(
            "no instrument",
            REST_BOOKS_SOL_USDT,
            Expect::Rejected("no instId"),
        ),
        Case::new(
            "not our request",
            "{}",
            Expect::Rejected("not an OKX ticker or books request"),
        ),
    ];
    run_cases(
        Exchange::Okx,
        &mut |index, body, out| codec.decode_rest_for(requests[index], body, RECEIVED, out),
        &cases,
    );
}
