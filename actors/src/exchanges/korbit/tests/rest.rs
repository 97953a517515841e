//! REST: the requests the fallback poller sends and the bodies it decodes (HTTP-200 errors included).

use super::*;

#[test]
fn rest_requests() {
    let codec = codec();
    assert_eq!(
        codec.rest_ticker_requests(),
        ["/v2/tickers?symbol=eth_krw,xrp_krw,sol_krw"]
    );
    assert_eq!(
        codec.rest_book_requests(),
        [
            "/v2/orderbook?symbol=eth_krw",
            "/v2/orderbook?symbol=xrp_krw",
            "/v2/orderbook?symbol=sol_krw"
        ]
    );
    let empty = KorbitCodec::new(&[], 5).unwrap();
    assert!(empty.rest_ticker_requests().is_empty());
    assert!(empty.rest_book_requests().is_empty());
}

fn rest_tickers() -> Vec<MarketData> {
    vec![
        MarketData::Ticker(Ticker {
            best_bid: Some(dec("3650500")),
            best_ask: Some(dec("3651000")),
            open_24h: Some(dec("3602000")),
            high_24h: Some(dec("3688000")),
            low_24h: Some(dec("3571000")),
            volume_24h: Some(dec("1021.40300010")),
            exchange_time: ms(1_749_619_397_022),
            ..ticker(Exchange::Korbit, "ETH/KRW", "3650500")
        }),
        MarketData::Ticker(Ticker {
            best_bid: Some(dec("3105")),
            best_ask: Some(dec("3106")),
            open_24h: Some(dec("3087")),
            high_24h: Some(dec("3131")),
            low_24h: Some(dec("3071")),
            volume_24h: Some(dec("8812930.123456789012345678")),
            exchange_time: ms(1_749_619_398_046),
            ..ticker(Exchange::Korbit, "XRP/KRW", "3105")
        }),
    ]
}

fn rest_sol_book() -> MarketData {
    MarketData::Book(book(
        Exchange::Korbit,
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
    .with_time(1_749_619_399_420)
}

#[test]
fn decodes_rest_bodies() {
    let cases = [
        Case::new(
            "tickers, the unconfigured ada_krw skipped",
            REST_TICKERS,
            Expect::data(rest_tickers()),
        ),
        Case::new(
            "error with HTTP 200",
            REST_ERROR,
            Expect::class(FrameClass::Error(
                "TRY_AGAIN: please try again later".into(),
            )),
        ),
        Case::new(
            "error that is a string",
            r#"{"success":false,"error":"EXCEED_TIME_WINDOW"}"#,
            Expect::class(FrameClass::Error("EXCEED_TIME_WINDOW".into())),
        ),
        Case::new(
            "failure without an error",
            r#"{"success":false}"#,
            Expect::class(FrameClass::Error("success: false".into())),
        ),
        Case::new(
            "a book names no market and three are configured",
            REST_BOOK_SOL_KRW,
            Expect::Rejected("decode it with its request"),
        ),
        Case::new(
            "no tickers of ours",
            r#"{"success":true,"data":[]}"#,
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "bad element leaves nothing",
            r#"{"success":true,"data":[{"symbol":"eth_krw","close":"1"},{"symbol":"xrp_krw","close":"x"}]}"#,
            Expect::Rejected("data[1]: close"),
        ),
        Case::new(
            "ticker without symbol",
            r#"{"success":true,"data":[{"close":"1"}]}"#,
            Expect::Rejected("data[0]: missing field symbol"),
        ),
        Case::new(
            "no success",
            r#"{"data":[]}"#,
            Expect::Rejected("missing field success"),
        ),
        Case::new(
            "no data",
            r#"{"success":true}"#,
            Expect::Rejected("missing field data"),
        ),
        Case::new("empty body", "", Expect::Rejected("empty body")),
        Case::new(
            "HTML",
            "<html>502</html>",
            Expect::Rejected("expected a JSON object"),
        ),
    ];
    run_rest(&mut codec(), &cases);

    // With one market, a book body can only be that market's.
    let mut single = KorbitCodec::new(&markets(&["SOL/KRW"]), 5).unwrap();
    run_rest(
        &mut single,
        &[Case::new(
            "book of the only market",
            REST_BOOK_SOL_KRW,
            Expect::data(vec![rest_sol_book()]),
        )],
    );
}

#[test]
fn decode_rest_for_takes_the_market_from_the_request() {
    let mut codec = codec();
    let sol = "/v2/orderbook?symbol=sol_krw";
    let tickers = "/v2/tickers?symbol=eth_krw,xrp_krw,sol_krw";
    let requests = [
        sol,
        tickers,
        sol,
        tickers,
        sol,
        "/v2/orderbook?symbol=ada_krw",
        "/v2/orderbook",
        "/v2/time",
    ];
    let cases = [
        Case::new(
            "book",
            REST_BOOK_SOL_KRW,
            Expect::data(vec![rest_sol_book()]),
        ),
        Case::new("tickers", REST_TICKERS, Expect::data(rest_tickers())),
        Case::new(
            "error",
            REST_ERROR,
            Expect::class(FrameClass::Error(
                "TRY_AGAIN: please try again later".into(),
            )),
        ),
        Case::new(
            "a book in a ticker response",
            REST_BOOK_SOL_KRW,
            Expect::Rejected("an order book in a ticker response"),
        ),
        Case::new(
            "tickers in a book response",
            REST_TICKERS,
            Expect::Rejected("tickers in an order-book response"),
        ),
        Case::new(
            "a symbol not configured",
            REST_BOOK_SOL_KRW,
            Expect::Rejected("symbol ada_krw is not configured"),
        ),
        Case::new(
            "no symbol",
            REST_BOOK_SOL_KRW,
            Expect::Rejected("no symbol"),
        ),
        Case::new(
            "not our request",
            "{}",
            Expect::Rejected("not a Korbit ticker or order-book request"),
        ),
    ];
    run_cases(
        Exchange::Korbit,
        &mut |index, body, out| codec.decode_rest_for(requests[index], body, RECEIVED, out),
        &cases,
    );
}
