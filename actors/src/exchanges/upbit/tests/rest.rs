//! REST: the requests the fallback poller sends and the bodies it decodes (HTTP-200 errors included).

use super::*;

#[test]
fn rest_requests_cover_all_markets_at_once() {
    let codec = codec();
    assert_eq!(
        codec.rest_ticker_requests(),
        ["/v1/ticker?markets=KRW-ETH,KRW-XRP,BTC-ETH,KRW-DOGE"]
    );
    assert_eq!(
        codec.rest_book_requests(),
        ["/v1/orderbook?markets=KRW-ETH,KRW-XRP,BTC-ETH,KRW-DOGE"]
    );
    let empty = UpbitCodec::new(&[], 5).unwrap();
    assert!(empty.rest_ticker_requests().is_empty());
    assert!(empty.rest_book_requests().is_empty());
}

fn rest_tickers() -> Vec<MarketData> {
    vec![
        MarketData::Ticker(Ticker {
            open_24h: Some(dec("4512000")),
            high_24h: Some(dec("4587000")),
            low_24h: Some(dec("4480000")),
            volume_24h: Some(dec("43812.55160287")),
            exchange_time: ms(1_749_619_397_299),
            ..ticker(Exchange::Upbit, "ETH/KRW", "4551000")
        }),
        MarketData::Ticker(Ticker {
            open_24h: Some(dec("3087")),
            high_24h: Some(dec("3131")),
            low_24h: Some(dec("3071")),
            volume_24h: Some(dec("133210877.31")),
            exchange_time: ms(1_749_619_398_046),
            ..ticker(Exchange::Upbit, "XRP/KRW", "3105")
        }),
    ]
}

/// The REST body has 10 units; the codec keeps 5.
fn rest_doge_book() -> MarketData {
    MarketData::Book(book(
        Exchange::Upbit,
        "DOGE/KRW",
        &[
            ("301.2", "99512.3"),
            ("301.1", "301877.71203119"),
            ("301", "1203948.00000001"),
            ("300.9", "22090.1"),
            ("300.8", "30413.77351"),
        ],
        &[
            ("301.3", "182340.55918201"),
            ("301.4", "40211.01"),
            ("301.5", "512000"),
            ("301.6", "16.61"),
            ("301.7", "98213.44"),
        ],
    ))
    .with_time(1_749_619_399_420)
}

#[test]
fn decodes_rest_bodies() {
    let cases = [
        Case::new(
            "tickers, the unconfigured KRW-SOL skipped",
            REST_TICKER,
            Expect::data(rest_tickers()),
        ),
        Case::new(
            "book cut to depth",
            REST_BOOK_KRW_DOGE,
            Expect::data(vec![rest_doge_book()]),
        ),
        Case::new(
            "error with a numeric name",
            REST_ERROR_NOT_FOUND,
            Expect::class(FrameClass::Error("404: Code not found".into())),
        ),
        Case::new(
            "error",
            REST_ERROR_RATE,
            Expect::class(FrameClass::Error(
                "too_many_requests: Too many API requests.".into(),
            )),
        ),
        Case::new("empty array", "[]", Expect::class(FrameClass::Unknown)),
        Case::new(
            "only markets not configured",
            r#"[{"market":"KRW-SOL","trade_price":216350}]"#,
            Expect::class(FrameClass::Unknown),
        ),
        Case::new(
            "a single object is not a REST body",
            r#"{"market":"KRW-ETH","trade_price":4551000}"#,
            Expect::Rejected("expected an array"),
        ),
        Case::new(
            "element neither ticker nor book",
            r#"[{"market":"KRW-ETH","trade_price":4551000},{"market":"KRW-XRP"}]"#,
            Expect::Rejected("[1]: neither a ticker nor an order book"),
        ),
        Case::new(
            "bad element after a good one leaves nothing",
            r#"[{"market":"KRW-ETH","trade_price":4551000},{"market":"KRW-XRP","trade_price":"x"}]"#,
            Expect::Rejected("[1]: trade_price"),
        ),
        Case::new("empty body", "", Expect::Rejected("empty body")),
        Case::new(
            "HTML error page",
            "<html>502</html>",
            Expect::Rejected("expected a JSON"),
        ),
    ];
    run_rest(&mut codec(), &cases);
}

#[test]
fn decode_rest_for_checks_the_kind_requested() {
    let mut codec = codec();
    let tickers = codec.rest_ticker_requests().remove(0);
    let books = codec.rest_book_requests().remove(0);
    let requests = [&tickers, &books, &tickers, &books, "/v1/market/all"];
    let cases = [
        Case::new("tickers", REST_TICKER, Expect::data(rest_tickers())),
        Case::new(
            "book",
            REST_BOOK_KRW_DOGE,
            Expect::data(vec![rest_doge_book()]),
        ),
        Case::new(
            "book in a ticker response",
            REST_BOOK_KRW_DOGE,
            Expect::Rejected("order book in a ticker response"),
        ),
        Case::new(
            "error",
            REST_ERROR_NOT_FOUND,
            Expect::class(FrameClass::Error("404: Code not found".into())),
        ),
        Case::new(
            "not our request",
            "[]",
            Expect::Rejected("not an Upbit ticker"),
        ),
    ];
    run_cases(
        Exchange::Upbit,
        &mut |index, body, out| codec.decode_rest_for(requests[index], body, RECEIVED, out),
        &cases,
    );
}
