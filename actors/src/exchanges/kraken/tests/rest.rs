//! REST: the requests the fallback poller sends and the bodies it decodes (HTTP-200 errors included).

use super::*;

#[test]
fn rest_requests_are_one_per_market_and_unique() {
    let codec = codec();
    assert_eq!(
        codec.rest_ticker_requests(),
        [
            "/0/public/Ticker?pair=XBTUSD",
            "/0/public/Ticker?pair=ETHUSD",
            "/0/public/Ticker?pair=XBTEUR",
            "/0/public/Ticker?pair=SOLUSD",
        ]
    );
    assert_eq!(
        codec.rest_book_requests(),
        [
            "/0/public/Depth?pair=XBTUSD&count=10",
            "/0/public/Depth?pair=ETHUSD&count=10",
            "/0/public/Depth?pair=XBTEUR&count=10",
            "/0/public/Depth?pair=SOLUSD&count=10",
        ]
    );
}

#[test]
fn decodes_rest_bodies() {
    let cases = [
        Case::new(
            "ticker under its legacy key",
            REST_TICKER_XETHZUSD,
            Expect::data(vec![rest_eth_ticker()]),
        ),
        Case::new(
            "depth under its legacy key",
            REST_DEPTH_XXBTZEUR,
            Expect::data(vec![rest_btc_eur_book()]),
        ),
        Case::new(
            "ticker under its altname",
            REST_TICKER_XETHZUSD.replace("XETHZUSD", "ETHUSD"),
            Expect::data(vec![rest_eth_ticker()]),
        ),
        Case::new(
            "error with HTTP 200",
            REST_ERROR_UNKNOWN_PAIR,
            Expect::class(FrameClass::Error("EQuery:Unknown asset pair".into())),
        ),
        Case::new(
            "several errors",
            r#"{"error":["EGeneral:Too many requests","EAPI:Rate limit exceeded"],"result":{}}"#,
            Expect::class(FrameClass::Error(
                "EGeneral:Too many requests; EAPI:Rate limit exceeded".into(),
            )),
        ),
        Case::new(
            "a pair not configured",
            REST_TICKER_XETHZUSD.replace("XETHZUSD", "XLTCZUSD"),
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "ticker without c",
            r#"{"error":[],"result":{"XETHZUSD":{"a":["1","1","1.000"]}}}"#,
            Expect::Rejected("XETHZUSD: missing field c"),
        ),
        Case::new(
            "ticker array too short",
            r#"{"error":[],"result":{"XETHZUSD":{"c":["1"],"h":["2"]}}}"#,
            Expect::Rejected("XETHZUSD: h: no element 1"),
        ),
        Case::new(
            "depth row of two",
            r#"{"error":[],"result":{"XXBTZEUR":{"asks":[["1","2"]],"bids":[]}}}"#,
            Expect::Rejected("invalid length 2"),
        ),
        Case::new(
            "depth row with a number",
            r#"{"error":[],"result":{"XXBTZEUR":{"asks":[[1,"2",3]],"bids":[]}}}"#,
            Expect::Rejected("expected a decimal in a JSON string"),
        ),
        Case::new(
            "no error field",
            r#"{"result":{}}"#,
            Expect::Rejected("missing field error"),
        ),
        Case::new(
            "no result",
            r#"{"error":[]}"#,
            Expect::Rejected("missing field result"),
        ),
        Case::new("empty body", "", Expect::Rejected("empty body")),
        Case::new(
            "HTML error page",
            "<html>",
            Expect::Rejected("expected a JSON object"),
        ),
    ];
    run_rest(&mut codec(), &cases);
}

#[test]
fn decode_rest_for_takes_the_market_from_the_request() {
    let mut codec = codec();
    let eth_ticker = "/0/public/Ticker?pair=ETHUSD";
    let btc_eur_depth = "/0/public/Depth?pair=XBTEUR&count=10";
    let requests = [
        eth_ticker,
        btc_eur_depth,
        eth_ticker,
        eth_ticker,
        btc_eur_depth,
        "/0/public/Depth?pair=XBTJPY&count=10",
        "/0/public/Depth?count=10",
        "/0/public/AssetPairs",
    ];
    let cases = [
        Case::new(
            "ticker",
            REST_TICKER_XETHZUSD,
            Expect::data(vec![rest_eth_ticker()]),
        ),
        Case::new(
            "depth",
            REST_DEPTH_XXBTZEUR,
            Expect::data(vec![rest_btc_eur_book()]),
        ),
        Case::new(
            "a single result under a key the codec cannot spell",
            REST_TICKER_XETHZUSD.replace("XETHZUSD", "ETH.USD"),
            Expect::data(vec![rest_eth_ticker()]),
        ),
        Case::new(
            "a book in a ticker response",
            REST_DEPTH_XXBTZEUR,
            Expect::Rejected("an order book in a Ticker response"),
        ),
        Case::new(
            "a ticker in a depth response",
            REST_TICKER_XETHZUSD,
            Expect::Rejected("missing field asks"),
        ),
        Case::new(
            "a pair not configured",
            REST_DEPTH_XXBTZEUR,
            Expect::Rejected("pair XBTJPY is not configured"),
        ),
        Case::new("no pair", REST_DEPTH_XXBTZEUR, Expect::Rejected("no pair")),
        Case::new(
            "not our request",
            "{}",
            Expect::Rejected("not a Kraken Ticker or Depth request"),
        ),
    ];
    run_cases(
        Exchange::Kraken,
        &mut |index, body, out| codec.decode_rest_for(requests[index], body, RECEIVED, out),
        &cases,
    );
}
