//! The fake's Upbit dialect.

use super::*;

fn error(status: u16, name: &str, message: &str) -> Reply {
    let body = serde_json::json!({"error": {"name": name, "message": message}}).to_string();
    Reply::Json(status, String::new(), body)
}

fn params_of(request: &Request) -> Vec<(String, String)> {
    if request.method == "POST" {
        let body: serde_json::Value = serde_json::from_str(&request.body).unwrap_or_default();
        body.as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        decode_query(&request.query)
    }
}

/// Verifies the JWT; `Err` is the venue's 401.
fn verify(book: &Book, request: &Request, params: &[(String, String)]) -> Result<(), Reply> {
    let invalid_key = || error(401, "invalid_access_key", "잘못된 엑세스 키입니다.");
    let failed = || error(401, "jwt_verification", "Jwt 토큰 검증에 실패했습니다.");
    let token = request
        .headers
        .get("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .ok_or_else(failed)?;
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, signature] = parts.as_slice() else {
        return Err(failed());
    };
    let header_json: serde_json::Value =
        serde_json::from_slice(&base64url_decode(header).ok_or_else(failed)?)
            .map_err(|_| failed())?;
    let payload_json: serde_json::Value =
        serde_json::from_slice(&base64url_decode(payload).ok_or_else(failed)?)
            .map_err(|_| failed())?;
    if payload_json["access_key"].as_str() != Some(book.key.as_str()) {
        return Err(invalid_key());
    }
    let input = format!("{header}.{payload}");
    let expected = match header_json["alg"].as_str() {
        Some("HS256") => base64url(&hmac_sha256(book.secret.as_bytes(), input.as_bytes())),
        Some("HS512") => base64url(&hmac_sha512(book.secret.as_bytes(), input.as_bytes())),
        _ => return Err(failed()),
    };
    if expected != *signature {
        return Err(failed());
    }
    if !params.is_empty() {
        let plain: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let hash = hex::encode(sha2::Sha512::digest(plain.join("&").as_bytes()));
        if payload_json["query_hash"].as_str() != Some(hash.as_str())
            || payload_json["query_hash_alg"].as_str() != Some("SHA512")
        {
            return Err(error(
                401,
                "invalid_query_payload",
                "Jwt 토큰의 쿼리 정보가 요청 쿼리와 다릅니다.",
            ));
        }
    }
    Ok(())
}

fn order_json(order: &FakeOrder, with_trades: bool) -> serde_json::Value {
    let executed = order.executed();
    let fee: Decimal = order.trades.iter().map(|t| t.3).sum();
    let state = if order.executed() >= order.volume {
        "done"
    } else if order.cancelled {
        "cancel"
    } else {
        "wait"
    };
    let mut json = serde_json::json!({
        "uuid": order.venue_id,
        "side": if order.buy { "bid" } else { "ask" },
        "ord_type": "limit",
        "price": order.price.to_string(),
        "state": state,
        "market": format!("{}-{}", order.quote, order.base),
        "created_at": "2026-01-01T00:00:00+09:00",
        "volume": order.volume.to_string(),
        "remaining_volume": (order.volume - executed).to_string(),
        "reserved_fee": "0",
        "remaining_fee": "0",
        "paid_fee": fee.to_string(),
        "locked": "0",
        "executed_volume": executed.to_string(),
        "executed_funds": order.trades.iter().map(|t| t.1 * t.2).sum::<Decimal>().to_string(),
        "trades_count": order.trades.len(),
        "identifier": order.client_id,
    });
    if with_trades {
        json["trades"] = order
            .trades
            .iter()
            .map(|(id, price, qty, _)| {
                serde_json::json!({
                    "market": format!("{}-{}", order.quote, order.base),
                    "uuid": id,
                    "price": price.to_string(),
                    "volume": qty.to_string(),
                    "funds": (price * qty).to_string(),
                    "side": if order.buy { "bid" } else { "ask" },
                    "created_at": "2026-01-01T00:00:00+09:00",
                })
            })
            .collect();
    }
    json
}

fn get<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Handles one request.
pub(super) fn handle(book: &mut Book, request: &Request) -> Reply {
    let params = params_of(request);
    if let Err(reply) = verify(book, request, &params) {
        return reply;
    }
    let ok = |status: u16, json: serde_json::Value| {
        Reply::Json(
            status,
            "Remaining-Req: group=default; min=1800; sec=29\r\n".into(),
            json.to_string(),
        )
    };
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/v1/accounts") => ok(
            200,
            book.balances
                .iter()
                .map(|(asset, amount)| {
                    serde_json::json!({"currency": asset, "balance": amount.to_string(), "locked": "0",
                        "avg_buy_price": "0", "avg_buy_price_modified": false, "unit_currency": "KRW"})
                })
                .collect(),
        ),
        ("POST", "/v1/orders") => {
            let Some(identifier) = get(&params, "identifier").map(str::to_owned) else {
                return error(400, "validation_error", "identifier required");
            };
            if book.seen(&identifier) {
                book.refuse(&identifier, "duplicate");
                return error(400, "duplicated_identifier", "identifier는 중복될 수 없습니다.");
            }
            let fault = book.next_fault();
            match fault {
                Some(Fault::DropBeforeAccept) => {
                    book.refuse(&identifier, "dropped before accepting");
                    return Reply::Drop;
                }
                Some(Fault::ServerError) => {
                    book.refuse(&identifier, "500");
                    return error(500, "server_error", "internal error");
                }
                Some(Fault::RateLimit(secs)) => {
                    book.refuse(&identifier, "429");
                    return Reply::Json(
                        429,
                        format!("Retry-After: {secs}\r\n"),
                        r#"{"error":{"name":"too_many_requests","message":"Too many API requests."}}"#.into(),
                    );
                }
                _ => {}
            }
            let market = get(&params, "market").unwrap_or("KRW-BTC");
            let (quote, base) = market.split_once('-').unwrap_or(("KRW", "BTC"));
            let buy = get(&params, "side") == Some("bid");
            let number = |k: &str| get(&params, k).and_then(|v| v.parse::<Decimal>().ok());
            let mark = Decimal::from(100_000_000);
            let (price, volume) = match get(&params, "ord_type") {
                Some("limit") => (number("price"), number("volume")),
                Some("price") => (Some(mark), number("price").map(|f| (f / mark).round_dp(8))),
                Some("market") => (Some(mark), number("volume")),
                _ => (None, None),
            };
            let (Some(price), Some(volume)) = (price, volume) else {
                book.refuse(&identifier, "invalid");
                return error(400, "invalid_parameter", "price/volume");
            };
            let id = book.new_id();
            let uuid = format!("{id:08x}-0000-4000-8000-{id:012x}");
            let outcome = fault.map_or("ok".to_owned(), |f| format!("{f:?}"));
            let order = FakeOrder::new(identifier, uuid, base, quote, buy, price, volume);
            let index = book.accept(order, &outcome);
            let body = order_json(&book.orders[index], false).to_string();
            accepted_reply(fault, 201, body)
        }
        ("GET", "/v1/order") | ("DELETE", "/v1/order") => {
            let id = get(&params, "identifier").unwrap_or_default();
            let Some(order) = book.orders.iter_mut().find(|o| o.client_id == id) else {
                return error(404, "order_not_found", "주문을 찾지 못했습니다.");
            };
            if request.method == "DELETE" {
                if order.done() {
                    return error(400, "order_not_cancellable", "이미 체결되었거나 취소된 주문입니다.");
                }
                order.cancelled = true;
            }
            let json = order_json(order, !book.hide_trades);
            ok(200, json)
        }
        ("GET", "/v1/orders/open") | ("GET", "/v1/orders/closed") => {
            let open = request.path.ends_with("open");
            let market = get(&params, "market").unwrap_or_default().to_owned();
            let list: Vec<serde_json::Value> = book
                .orders
                .iter()
                .filter(|o| format!("{}-{}", o.quote, o.base) == market && o.done() != open)
                .map(|o| order_json(o, false))
                .collect();
            ok(200, list.into())
        }
        _ => error(404, "not_found", "no such endpoint"),
    }
}

impl Book {
    fn seen(&mut self, id: &str) -> bool {
        !self.seen_ids.insert(id.to_owned())
    }
}
