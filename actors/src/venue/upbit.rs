//! Upbit's exchange API: JWT (HS256) with `query_hash` (SHA-512 of the parameters),
//! `identifier` as the client order id (never reusable, even after a failed request),
//! `POST /v1/orders`, `GET /v1/order?identifier=`, `DELETE /v1/order`, `GET /v1/accounts`,
//! `GET /v1/orders/open` and `/v1/orders/closed`. Orders are limited to 8/s, the rest to 30/s;
//! `Remaining-Req` and 429 hold the gate.

use std::sync::Arc;
use std::time::Duration;

use premia_events::{Asset, Market, OrderKind, Side, TimeInForce};
use rust_decimal::Decimal;
use serde_json::Value;

use super::ratelimit::{RateGate, upbit_remaining_sec};
use super::request::{Answer, decimal, missing, send, text};
use super::sign::{Secret, nonce, upbit_jwt};
use super::{
    OrderRequest, Venue, VenueBalance, VenueError, VenueFill, VenueFuture, VenueOrder,
    VenueOrderState, VenueRules,
};

/// Upbit's REST base.
pub const DEFAULT_BASE_URL: &str = "https://api.upbit.com";

const NAME: &str = "upbit";

/// The Upbit venue.
#[derive(Debug, Clone)]
pub struct Upbit {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    base: String,
    access: Secret,
    secret: Secret,
    http: reqwest::Client,
    orders: RateGate,
    default: RateGate,
    poll: Duration,
    absent_after: Duration,
}

/// Upbit's market code: `KRW-BTC` for BTC/KRW.
pub fn market_code(market: &Market) -> String {
    format!("{}-{}", market.quote, market.base)
}

fn read_error(body: &Value) -> (String, String) {
    let error = body.get("error");
    (
        error.and_then(|e| text(e, "name")).unwrap_or_default(),
        error.and_then(|e| text(e, "message")).unwrap_or_default(),
    )
}

/// The body parameters of an order, in the order they are sent and hashed.
pub fn order_params(order: &OrderRequest) -> Vec<(&'static str, String)> {
    let mut params = vec![
        ("market", market_code(&order.market)),
        (
            "side",
            match order.side {
                Side::Buy => "bid".to_owned(),
                Side::Sell => "ask".to_owned(),
            },
        ),
    ];
    match (order.kind, order.side) {
        (OrderKind::Limit, _) => {
            params.push(("volume", order.quantity.normalize().to_string()));
            params.push((
                "price",
                order
                    .price
                    .unwrap_or(order.reference_price)
                    .normalize()
                    .to_string(),
            ));
            params.push(("ord_type", "limit".to_owned()));
        }
        (OrderKind::Market, Side::Buy) => {
            // A market buy is sized in the quote asset.
            let funds = order
                .quantity
                .checked_mul(order.reference_price)
                .unwrap_or(Decimal::ZERO)
                .round_dp(0);
            params.push(("price", funds.normalize().to_string()));
            params.push(("ord_type", "price".to_owned()));
        }
        (OrderKind::Market, Side::Sell) => {
            params.push(("volume", order.quantity.normalize().to_string()));
            params.push(("ord_type", "market".to_owned()));
        }
    }
    params.push(("identifier", order.client_order_id.to_string()));
    if order.kind == OrderKind::Limit {
        match order.time_in_force {
            TimeInForce::Ioc => params.push(("time_in_force", "ioc".to_owned())),
            TimeInForce::Fok => params.push(("time_in_force", "fok".to_owned())),
            _ => {}
        }
    }
    params
}

/// Reads an Upbit order (`GET /v1/order` shape; list shapes have no `trades`).
pub fn parse_order(body: &Value, market: &Market, request: &str) -> Result<VenueOrder, VenueError> {
    let venue_order_id = text(body, "uuid").ok_or_else(|| missing(NAME, request, "uuid"))?;
    let raw_state = text(body, "state").ok_or_else(|| missing(NAME, request, "state"))?;
    let volume = decimal(body, "volume");
    let executed = decimal(body, "executed_volume").unwrap_or(Decimal::ZERO);
    let state = match raw_state.as_str() {
        "wait" | "watch" => VenueOrderState::Open,
        "done" => VenueOrderState::Filled,
        "cancel" if volume.is_some_and(|v| executed >= v) => VenueOrderState::Filled,
        "cancel" => VenueOrderState::Cancelled,
        other => {
            return Err(VenueError::Protocol {
                venue: NAME,
                request: request.to_owned(),
                detail: format!("unknown order state {other:?}"),
            });
        }
    };
    let mut fills = Vec::new();
    if let Some(trades) = body.get("trades").and_then(Value::as_array) {
        for trade in trades {
            let (Some(trade_id), Some(price), Some(quantity)) = (
                text(trade, "uuid"),
                decimal(trade, "price"),
                decimal(trade, "volume"),
            ) else {
                return Err(missing(NAME, request, "trades[].uuid/price/volume"));
            };
            fills.push(VenueFill {
                trade_id,
                price,
                quantity,
                fee: Decimal::ZERO,
                fee_asset: market.quote.clone(),
            });
        }
    }
    // `GET /v1/order` lists its trades; without the list, fall back to cumulative quantities.
    let cumulative = (body.get("trades").is_none() && request == "GET /v1/order")
        .then(|| (executed, decimal(body, "executed_funds")));
    Ok(VenueOrder {
        client_order_id: text(body, "identifier").unwrap_or_default(),
        venue_order_id,
        state,
        fills,
        raw_state,
        total_fee: decimal(body, "paid_fee"),
        cumulative,
    })
}

impl Upbit {
    /// A client for `base` with these keys.
    pub fn new(
        base: String,
        access: Secret,
        secret: Secret,
        http: reqwest::Client,
        poll: Duration,
        timeout: Duration,
    ) -> Upbit {
        Upbit {
            inner: Arc::new(Inner {
                base: base.trim_end_matches('/').to_owned(),
                access,
                secret,
                http,
                orders: RateGate::per_second(8),
                default: RateGate::per_second(30),
                poll,
                absent_after: (timeout * 3).max(Duration::from_secs(3)),
            }),
        }
    }
}

impl Inner {
    async fn call(
        self: Arc<Self>,
        method: reqwest::Method,
        path: &str,
        params: Vec<(&'static str, String)>,
        order_group: bool,
    ) -> Result<Answer, VenueError> {
        let gate = if order_group {
            &self.orders
        } else {
            &self.default
        };
        gate.wait().await;
        // Sorted by key: a JSON body's keys come out sorted, and the hash must list the
        // parameters in the order the body has them.
        let mut params = params;
        params.sort_by(|a, b| a.0.cmp(b.0));
        // Upbit hashes the unescaped `k=v&...` form of the parameters.
        let plain: String = params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        let token = upbit_jwt(&self.access, &self.secret, &nonce(), &plain);
        let what = format!("{method} {path}");
        let url = format!("{}{path}", self.base);
        let builder = if method == reqwest::Method::POST {
            let body: serde_json::Map<String, Value> = params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::String(v.clone())))
                .collect();
            self.http.post(url).json(&body)
        } else {
            let query = super::sign::query_string(&params);
            let url = if query.is_empty() {
                url
            } else {
                format!("{url}?{query}")
            };
            self.http.request(method, url)
        };
        let builder = builder.header("Authorization", format!("Bearer {token}"));
        let result = send(NAME, what, builder, read_error).await;
        match &result {
            Ok(answer) => {
                let left = answer
                    .headers
                    .get("Remaining-Req")
                    .and_then(|v| v.to_str().ok())
                    .and_then(upbit_remaining_sec);
                if left == Some(0) {
                    gate.back_off(Duration::from_secs(1));
                }
            }
            Err(error) => {
                if let Some(delay) = error.retry_after() {
                    gate.back_off(delay);
                }
            }
        }
        result
    }
}

fn not_found(error: VenueError, id: &str) -> VenueError {
    match error {
        VenueError::Rejected { status, code, .. } if status == 404 || code == "order_not_found" => {
            VenueError::NotFound {
                venue: NAME,
                client_order_id: id.to_owned(),
            }
        }
        other => other,
    }
}

impl Upbit {
    /// `GET` (query) or `DELETE` (cancel) `/v1/order?identifier=`: one order by its client id.
    /// A DELETE counts against the order rate limit.
    fn by_identifier(
        &self,
        method: reqwest::Method,
        client_order_id: &str,
        market: &Market,
    ) -> VenueFuture<VenueOrder> {
        let inner = self.inner.clone();
        let id = client_order_id.to_owned();
        let market = market.clone();
        let what = format!("{method} /v1/order");
        let is_order = method == reqwest::Method::DELETE;
        Box::pin(async move {
            let answer = inner
                .call(
                    method,
                    "/v1/order",
                    vec![("identifier", id.clone())],
                    is_order,
                )
                .await
                .map_err(|e| not_found(e, &id))?;
            parse_order(&answer.body, &market, &what)
        })
    }
}

impl Venue for Upbit {
    fn name(&self) -> &'static str {
        NAME
    }

    fn rules(&self) -> VenueRules {
        VenueRules {
            reuse_client_order_id: false,
            poll_every: self.inner.poll,
            absent_after: self.inner.absent_after,
        }
    }

    fn check_keys(&self) -> VenueFuture<()> {
        let inner = self.inner.clone();
        Box::pin(async move {
            inner
                .call(reqwest::Method::GET, "/v1/accounts", Vec::new(), false)
                .await
                .map(|_| ())
        })
    }

    fn submit(&self, order: &OrderRequest) -> VenueFuture<VenueOrder> {
        let inner = self.inner.clone();
        let params = order_params(order);
        let market = order.market.clone();
        Box::pin(async move {
            let answer = inner
                .call(reqwest::Method::POST, "/v1/orders", params, true)
                .await?;
            parse_order(&answer.body, &market, "POST /v1/orders")
        })
    }

    fn query(&self, client_order_id: &str, market: &Market) -> VenueFuture<VenueOrder> {
        self.by_identifier(reqwest::Method::GET, client_order_id, market)
    }

    fn cancel(&self, client_order_id: &str, market: &Market) -> VenueFuture<VenueOrder> {
        self.by_identifier(reqwest::Method::DELETE, client_order_id, market)
    }

    fn open_and_recent_orders(&self, markets: &[Market]) -> VenueFuture<Vec<VenueOrder>> {
        let inner = self.inner.clone();
        let markets = markets.to_vec();
        Box::pin(async move {
            let mut orders = Vec::new();
            for market in &markets {
                for path in ["/v1/orders/open", "/v1/orders/closed"] {
                    let params = vec![("market", market_code(market)), ("limit", "100".into())];
                    let answer = inner
                        .clone()
                        .call(reqwest::Method::GET, path, params, false)
                        .await?;
                    let list = answer.body.as_array().cloned().unwrap_or_default();
                    for item in &list {
                        orders.push(parse_order(item, market, path)?);
                    }
                }
            }
            Ok(orders)
        })
    }

    fn balances(&self) -> VenueFuture<Vec<VenueBalance>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let request = "GET /v1/accounts";
            let answer = inner
                .call(reqwest::Method::GET, "/v1/accounts", Vec::new(), false)
                .await?;
            let list = answer
                .body
                .as_array()
                .ok_or_else(|| missing(NAME, request, "[accounts]"))?;
            let mut balances = Vec::new();
            for account in list {
                let (Some(currency), Some(balance)) =
                    (text(account, "currency"), decimal(account, "balance"))
                else {
                    return Err(missing(NAME, request, "currency/balance"));
                };
                let locked = decimal(account, "locked").unwrap_or(Decimal::ZERO);
                let Ok(asset) = Asset::new(&currency) else {
                    continue;
                };
                balances.push(VenueBalance {
                    asset,
                    total: balance.checked_add(locked).unwrap_or(balance),
                });
            }
            Ok(balances)
        })
    }
}
