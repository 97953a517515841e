//! REST: the requests the fallback poller sends and the bodies it decodes (HTTP-200 errors included).

use super::*;

#[test]
fn rest_requests_are_one_per_market_and_unique() {
    let codec = codec();
    assert_eq!(
        codec.rest_ticker_requests(),
        [
            "/api/v3/ticker/24hr?symbol=ETHUSDT",
            "/api/v3/ticker/24hr?symbol=SOLUSDT",
            "/api/v3/ticker/24hr?symbol=ETHBTC",
        ]
    );
    assert_eq!(
        codec.rest_book_requests(),
        [
            "/api/v3/depth?symbol=ETHUSDT&limit=5",
            "/api/v3/depth?symbol=SOLUSDT&limit=5",
            "/api/v3/depth?symbol=ETHBTC&limit=5",
        ]
    );
}

fn rest_eth_ticker() -> MarketData {
    MarketData::Ticker(Ticker {
        exchange_time: ms(1_749_619_397_512),
        ..match eth_ticker() {
            MarketData::Ticker(t) => t,
            other => panic!("{other:?}"),
        }
    })
}

#[test]
fn decodes_rest_bodies() {
    let cases = [
        Case::new(
            "ticker",
            REST_TICKER_ETHUSDT,
            Expect::data(vec![rest_eth_ticker()]),
        ),
        Case::new(
            "error",
            REST_ERROR_INVALID_SYMBOL,
            Expect::class(FrameClass::Error("-1121: Invalid symbol.".into())),
        ),
        Case::new(
            "all tickers, an unconfigured one skipped",
            format!(
                "[{},{REST_TICKER_ETHUSDT}]",
                REST_TICKER_ETHUSDT.replace("ETHUSDT", "BNBUSDT")
            ),
            Expect::data(vec![rest_eth_ticker()]),
        ),
        Case::new(
            "ticker of a market not configured",
            REST_TICKER_ETHUSDT.replace("ETHUSDT", "BNBUSDT"),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "depth body with several markets configured",
            REST_DEPTH_SOLUSDT,
            Expect::Rejected("names no market and 3 are configured"),
        ),
        Case::new(
            "ticker/bookTicker body (best bid and ask, no last price): another endpoint's",
            r#"{"symbol":"ETHUSDT","bidPrice":"2754.27000000","bidQty":"14.06430000","askPrice":"2754.28000000","askQty":"0.02020000"}"#,
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "ticker without lastPrice or best prices",
            r#"{"symbol":"ETHUSDT","volume":"1"}"#,
            Expect::Rejected("missing field lastPrice"),
        ),
        Case::new(
            "neither ticker, book nor error",
            r#"{"serverTime":1749619397512}"#,
            Expect::Rejected("missing field symbol"),
        ),
        Case::new("empty body", "", Expect::Rejected("empty body")),
        Case::new(
            "HTML error page",
            "<html>",
            Expect::Rejected("expected a JSON"),
        ),
    ];
    run_rest(&mut codec(), &cases);

    // With a single market a depth body is unambiguous.
    let mut single = BinanceCodec::new(&markets(&["SOL/USDT"]), 5).unwrap();
    run_rest(
        &mut single,
        &[Case::new(
            "depth body, one market, cut to depth",
            REST_DEPTH_SOLUSDT,
            Expect::data(vec![rest_sol_book()]),
        )],
    );
}

#[test]
fn decode_rest_for_takes_the_market_from_the_request() {
    let mut codec = codec();
    let sol_depth = "/api/v3/depth?symbol=SOLUSDT&limit=5";
    let eth_ticker = "/api/v3/ticker/24hr?symbol=ETHUSDT";
    let requests = [
        sol_depth,
        eth_ticker,
        sol_depth,
        eth_ticker,
        sol_depth,
        "/api/v3/depth?symbol=BNBUSDT&limit=5",
        "/api/v3/depth?limit=5",
        "/api/v3/exchangeInfo",
        eth_ticker,
    ];
    let cases = [
        Case::new(
            "depth",
            REST_DEPTH_SOLUSDT,
            Expect::data(vec![rest_sol_book()]),
        ),
        Case::new(
            "ticker",
            REST_TICKER_ETHUSDT,
            Expect::data(vec![rest_eth_ticker()]),
        ),
        Case::new(
            "error",
            REST_ERROR_INVALID_SYMBOL,
            Expect::class(FrameClass::Error("-1121: Invalid symbol.".into())),
        ),
        Case::new(
            "a book in a ticker response",
            REST_DEPTH_SOLUSDT,
            Expect::Rejected("order book in a ticker response"),
        ),
        Case::new(
            "a ticker in a depth response",
            REST_TICKER_ETHUSDT,
            Expect::Rejected("missing field lastUpdateId"),
        ),
        Case::new(
            "a symbol not configured",
            REST_DEPTH_SOLUSDT,
            Expect::Rejected("symbol BNBUSDT is not configured"),
        ),
        Case::new(
            "no symbol",
            REST_DEPTH_SOLUSDT,
            Expect::Rejected("no symbol"),
        ),
        Case::new(
            "not our request",
            "{}",
            Expect::Rejected("not a Binance ticker or depth"),
        ),
        Case::new(
            "a ticker/24hr response without lastPrice",
            r#"{"symbol":"ETHUSDT","bidPrice":"1"}"#,
            Expect::Rejected("missing field lastPrice"),
        ),
    ];
    run_cases(
        Exchange::Binance,
        &mut |index, body, out| codec.decode_rest_for(requests[index], body, RECEIVED, out),
        &cases,
    );
}
