use super::request::classify;
use super::sign::*;
use super::*;
use premia_events::Asset;
use reqwest::header::HeaderMap;
use rust_decimal_macros_free::d;

mod rust_decimal_macros_free {
    pub fn d(text: &str) -> rust_decimal::Decimal {
        text.parse().unwrap()
    }
}

#[test]
fn binance_signature_matches_the_documented_example() {
    let secret = Secret::new("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j");
    let payload = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
    assert_eq!(
        binance_signature(&secret, payload),
        "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    );
}

#[test]
fn hmac_matches_rfc_4231_case_2() {
    let (key, data) = (
        b"Jefe".as_slice(),
        b"what do ya want for nothing?".as_slice(),
    );
    assert_eq!(
        hex::encode(hmac_sha256(key, data)),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        "TC0: SHA-256"
    );
    assert_eq!(
        hex::encode(hmac_sha512(key, data)),
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
        "TC1: SHA-512"
    );
}

#[test]
fn base64url_has_no_padding() {
    let cases = [
        ("", ""),
        ("f", "Zg"),
        ("fo", "Zm8"),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg"),
        ("\u{ff}\u{fe}", "w7_Dvg"),
    ];
    for (index, (input, want)) in cases.into_iter().enumerate() {
        assert_eq!(base64url(input.as_bytes()), want, "TC{index}");
    }
}

#[test]
fn upbit_jwt_carries_the_key_a_fresh_nonce_and_the_query_hash() {
    let (access, secret) = (Secret::new("ak"), Secret::new("sk"));
    let token = upbit_jwt(&access, &secret, "n-1", "market=KRW-BTC&side=bid");
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0], base64url(br#"{"alg":"HS256","typ":"JWT"}"#));
    let signature = base64url(&hmac_sha256(
        b"sk",
        format!("{}.{}", parts[0], parts[1]).as_bytes(),
    ));
    assert_eq!(parts[2], signature, "signed with the raw secret");
    let expected_hash = hex::encode(<sha2::Sha512 as sha2::Digest>::digest(
        b"market=KRW-BTC&side=bid",
    ));
    let payload = serde_json::json!({"access_key":"ak","nonce":"n-1","query_hash":expected_hash,"query_hash_alg":"SHA512"});
    assert_eq!(parts[1], base64url(payload.to_string().as_bytes()));
    let bare = upbit_jwt(&access, &secret, "n-2", "");
    assert!(
        !bare.contains(&base64url(b"query_hash")),
        "no hash without parameters"
    );
    assert_ne!(nonce(), nonce(), "nonces are never reused");
}

#[test]
fn secrets_never_print() {
    let secret = Secret::new("very-secret");
    assert_eq!(format!("{secret:?} {secret}"), "*** ***");
}

#[test]
fn http_answers_are_classified_by_how_to_react() {
    fn upbit_error(body: &serde_json::Value) -> (String, String) {
        (
            body["error"]["name"].as_str().unwrap_or_default().into(),
            body["error"]["message"].as_str().unwrap_or_default().into(),
        )
    }
    let mut retry = HeaderMap::new();
    retry.insert("Retry-After", "7".parse().unwrap());
    let invalid = serde_json::json!({"error":{"name":"invalid_access_key","message":"잘못된 엑세스 키입니다."}});
    let rejected = serde_json::json!({"error":{"name":"insufficient_funds_bid","message":"주문가능한 금액(KRW)이 부족합니다."}});
    let cases: Vec<(u16, HeaderMap, serde_json::Value, &str)> = vec![
        (401, HeaderMap::new(), invalid, "invalid_keys"),
        (400, HeaderMap::new(), rejected, "rejected"),
        (429, retry.clone(), serde_json::Value::Null, "rate_limited"),
        (418, retry, serde_json::Value::Null, "rate_limited"),
        (503, HeaderMap::new(), serde_json::Value::Null, "unknown"),
        (200, HeaderMap::new(), serde_json::Value::Null, "protocol"),
        (200, HeaderMap::new(), serde_json::json!({}), "ok"),
    ];
    for (index, (status, headers, body, want)) in cases.into_iter().enumerate() {
        let got = match classify(
            "upbit",
            "POST /v1/orders".into(),
            status,
            headers,
            body,
            "x",
            upbit_error,
        ) {
            Ok(_) => "ok",
            Err(VenueError::InvalidKeys { .. }) => "invalid_keys",
            Err(VenueError::Rejected { .. }) => "rejected",
            Err(e @ VenueError::RateLimited { .. }) => {
                assert!(
                    e.retry_after().unwrap() >= std::time::Duration::from_secs(7),
                    "TC{index}: {e}"
                );
                assert!(e.is_retryable() && !e.outcome_unknown(), "TC{index}");
                "rate_limited"
            }
            Err(e @ VenueError::OutcomeUnknown { .. }) => {
                assert!(e.outcome_unknown() && e.trips_breaker(), "TC{index}");
                "unknown"
            }
            Err(VenueError::Protocol { .. }) => "protocol",
            Err(other) => panic!("TC{index}: {other}"),
        };
        assert_eq!(got, want, "TC{index}: status {status}");
    }
}

#[test]
fn the_invalid_key_message_names_the_venue_the_call_and_the_reason() {
    let error = VenueError::InvalidKeys {
        venue: "upbit",
        request: "GET /v1/accounts".into(),
        status: 401,
        code: "invalid_access_key".into(),
        message: "잘못된 엑세스 키입니다.".into(),
    };
    assert_eq!(
        error.to_string(),
        "upbit rejected the API key (GET /v1/accounts → 401 invalid_access_key: 잘못된 엑세스 키입니다.)"
    );
}

#[test]
fn upbit_orders_are_parsed_with_their_trades_and_fee() {
    let market = premia_events::Market::new(Asset::new("BTC").unwrap(), Asset::new("KRW").unwrap());
    let body = serde_json::json!({
        "uuid": "9ca023a5-851b-4fec-9f0a-48cd83c2eaae", "side": "bid", "ord_type": "limit",
        "price": "100000000.0", "state": "wait", "market": "KRW-BTC",
        "volume": "0.002", "remaining_volume": "0.001", "executed_volume": "0.001",
        "paid_fee": "50.0", "identifier": "pm-abc",
        "trades": [{"market": "KRW-BTC", "uuid": "t-1", "price": "100000000.0", "volume": "0.001", "funds": "100000.0", "side": "bid"}]
    });
    let order = upbit::parse_order(&body, &market, "GET /v1/order").unwrap();
    assert_eq!(order.state, VenueOrderState::Open);
    assert_eq!(order.client_order_id, "pm-abc");
    assert_eq!(order.fills.len(), 1);
    assert_eq!(order.total_fee, Some(d("50")));
    let fresh = new_fills(&order, &[], d("0"));
    assert_eq!(
        fresh[0].fee,
        d("50"),
        "TC0: the unrecorded fee goes to the new fill"
    );
    assert!(
        new_fills(&order, &["t-1".into()], d("50")).is_empty(),
        "TC1: known trades are skipped"
    );
    let done =
        serde_json::json!({"uuid":"u","state":"cancel","volume":"0.002","executed_volume":"0.002"});
    assert_eq!(
        upbit::parse_order(&done, &market, "x").unwrap().state,
        VenueOrderState::Filled,
        "TC2: IOC fully filled then closed"
    );
}

#[test]
fn order_parameters_follow_each_venue() {
    let market = premia_events::Market::new(Asset::new("BTC").unwrap(), Asset::new("KRW").unwrap());
    let order = OrderRequest {
        client_order_id: premia_events::ClientOrderId::new("pm-0123456789abcdef").unwrap(),
        market,
        side: premia_events::Side::Buy,
        kind: premia_events::OrderKind::Market,
        price: None,
        quantity: d("0.002"),
        time_in_force: premia_events::TimeInForce::Gtc,
        reference_price: d("100000000"),
    };
    let upbit = upbit::order_params(&order);
    assert_eq!(
        sign::query_string(&upbit),
        "market=KRW-BTC&side=bid&price=200000&ord_type=price&identifier=pm-0123456789abcdef",
        "TC0: an Upbit market buy is sized in KRW"
    );
    let limit = OrderRequest {
        kind: premia_events::OrderKind::Limit,
        price: Some(d("68000.5")),
        time_in_force: premia_events::TimeInForce::Ioc,
        side: premia_events::Side::Sell,
        market: premia_events::Market::new(Asset::new("BTC").unwrap(), Asset::new("USDT").unwrap()),
        ..order
    };
    assert_eq!(
        sign::query_string(&binance::order_params(&limit)),
        "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=IOC&quantity=0.002&price=68000.5&newClientOrderId=pm-0123456789abcdef&newOrderRespType=FULL",
        "TC1: a Binance limit IOC"
    );
}
