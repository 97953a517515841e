//! The fake's Binance dialect.

use super::*;

fn error(status: u16, code: i64, msg: &str) -> Reply {
    Reply::Json(
        status,
        String::new(),
        serde_json::json!({"code": code, "msg": msg}).to_string(),
    )
}

fn split_symbol(symbol: &str) -> (String, String) {
    for quote in ["USDT", "USDC", "BTC", "KRW"] {
        if let Some(base) = symbol.strip_suffix(quote)
            && !base.is_empty()
        {
            return (base.to_owned(), quote.to_owned());
        }
    }
    (symbol.to_owned(), String::new())
}

fn status_of(order: &FakeOrder) -> &'static str {
    if order.executed() >= order.volume {
        "FILLED"
    } else if order.cancelled {
        "CANCELED"
    } else if order.trades.is_empty() {
        "NEW"
    } else {
        "PARTIALLY_FILLED"
    }
}

fn order_json(order: &FakeOrder) -> serde_json::Value {
    let executed = order.executed();
    let quote: Decimal = order.trades.iter().map(|t| t.1 * t.2).sum();
    serde_json::json!({
        "symbol": format!("{}{}", order.base, order.quote),
        "orderId": order.venue_id.parse::<u64>().unwrap_or(0),
        "orderListId": -1,
        "clientOrderId": order.client_id,
        "price": order.price.to_string(),
        "origQty": order.volume.to_string(),
        "executedQty": executed.to_string(),
        "cummulativeQuoteQty": quote.to_string(),
        "status": status_of(order),
        "timeInForce": "GTC",
        "type": "LIMIT",
        "side": if order.buy { "BUY" } else { "SELL" },
    })
}

fn get<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Handles one request.
pub(super) fn handle(book: &mut Book, request: &Request) -> Reply {
    let ok = |json: serde_json::Value| {
        Reply::Json(200, "X-MBX-USED-WEIGHT-1M: 10\r\n".into(), json.to_string())
    };
    if request.path == "/api/v3/time" {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        return ok(serde_json::json!({"serverTime": now}));
    }
    if request.headers.get("x-mbx-apikey").map(String::as_str) != Some(book.key.as_str()) {
        return error(
            401,
            -2015,
            "Invalid API-key, IP, or permissions for action.",
        );
    }
    let Some((payload, signature)) = request.query.rsplit_once("&signature=") else {
        return error(
            400,
            -1102,
            "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
        );
    };
    let signed = format!("{payload}{}", request.body);
    if binance_signature(&Secret::new(book.secret.clone()), &signed) != signature {
        return error(400, -1022, "Signature for this request is not valid.");
    }
    let params = decode_query(payload);
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/api/v3/account") => ok(serde_json::json!({
            "canTrade": true,
            "balances": book.balances.iter().map(|(asset, amount)| {
                serde_json::json!({"asset": asset, "free": amount.to_string(), "locked": "0.00000000"})
            }).collect::<Vec<_>>(),
        })),
        ("POST", "/api/v3/order") => {
            let client_id = get(&params, "newClientOrderId")
                .unwrap_or_default()
                .to_owned();
            if book
                .orders
                .iter()
                .any(|o| o.client_id == client_id && !o.done())
            {
                book.refuse(&client_id, "duplicate");
                return error(400, -2010, "Duplicate order sent.");
            }
            let fault = book.next_fault();
            match fault {
                Some(Fault::DropBeforeAccept) => {
                    book.refuse(&client_id, "dropped before accepting");
                    return Reply::Drop;
                }
                Some(Fault::ServerError) => {
                    book.refuse(&client_id, "500");
                    return Reply::Json(
                        500,
                        String::new(),
                        "<html>Internal Server Error</html>".into(),
                    );
                }
                Some(Fault::RateLimit(secs)) => {
                    book.refuse(&client_id, "429");
                    return Reply::Json(
                        429,
                        format!("Retry-After: {secs}\r\n"),
                        r#"{"code":-1003,"msg":"Too many requests."}"#.into(),
                    );
                }
                _ => {}
            }
            let (base, quote) = split_symbol(get(&params, "symbol").unwrap_or_default());
            let number = |k: &str| get(&params, k).and_then(|v| v.parse::<Decimal>().ok());
            let price = number("price").unwrap_or(Decimal::from(68_000));
            let Some(volume) = number("quantity") else {
                book.refuse(&client_id, "invalid");
                return error(400, -1102, "Mandatory parameter 'quantity' was not sent.");
            };
            let id = book.new_id();
            let outcome = fault.map_or("ok".to_owned(), |f| format!("{f:?}"));
            let buy = get(&params, "side") == Some("BUY");
            let order =
                FakeOrder::new(client_id, id.to_string(), &base, &quote, buy, price, volume);
            let index = book.accept(order, &outcome);
            let mut body = order_json(&book.orders[index]);
            body["fills"] = serde_json::json!([]);
            accepted_reply(fault, 200, body.to_string())
        }
        ("GET", "/api/v3/order") | ("DELETE", "/api/v3/order") => {
            let id = get(&params, "origClientOrderId").unwrap_or_default();
            let cancel = request.method == "DELETE";
            let Some(order) = book.orders.iter_mut().rev().find(|o| o.client_id == id) else {
                return if cancel {
                    error(400, -2011, "Unknown order sent.")
                } else {
                    error(400, -2013, "Order does not exist.")
                };
            };
            if cancel {
                if order.done() {
                    return error(400, -2011, "Unknown order sent.");
                }
                order.cancelled = true;
            }
            ok(order_json(order))
        }
        ("GET", "/api/v3/myTrades") if book.hide_trades => error(404, -1000, "no such endpoint"),
        ("GET", "/api/v3/myTrades") => {
            let order_id = get(&params, "orderId").unwrap_or_default();
            let trades: Vec<serde_json::Value> = book
                .orders
                .iter()
                .filter(|o| o.venue_id == order_id)
                .flat_map(|o| {
                    o.trades
                        .iter()
                        .enumerate()
                        .map(move |(k, (_, price, qty, fee))| {
                            serde_json::json!({
                                "symbol": format!("{}{}", o.base, o.quote),
                                "id": o.venue_id.parse::<u64>().unwrap_or(0) * 100 + k as u64,
                                "orderId": o.venue_id.parse::<u64>().unwrap_or(0),
                                "price": price.to_string(), "qty": qty.to_string(),
                                "quoteQty": (price * qty).to_string(),
                                "commission": fee.to_string(), "commissionAsset": o.quote,
                                "isBuyer": o.buy,
                            })
                        })
                })
                .collect();
            ok(trades.into())
        }
        ("GET", "/api/v3/allOrders") | ("GET", "/api/v3/openOrders") => {
            let symbol = get(&params, "symbol").unwrap_or_default();
            let open_only = request.path.ends_with("openOrders");
            let list: Vec<serde_json::Value> = book
                .orders
                .iter()
                .filter(|o| format!("{}{}", o.base, o.quote) == symbol && (!open_only || !o.done()))
                .map(order_json)
                .collect();
            ok(list.into())
        }
        _ => error(404, -1000, "no such endpoint"),
    }
}
