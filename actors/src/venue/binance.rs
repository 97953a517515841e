//! Binance spot: HMAC-SHA256 signatures over the query string, the `X-MBX-APIKEY` header,
//! `timestamp` corrected by the server-time offset (`GET /api/v3/time`) and `recvWindow`;
//! `newClientOrderId`, `POST`/`GET`/`DELETE /api/v3/order`, fills from `GET /api/v3/myTrades`,
//! `GET /api/v3/account`, `GET /api/v3/allOrders`. Request weight is read from
//! `X-MBX-USED-WEIGHT-1M`; 429/418 hold every request for `Retry-After`.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use premia_events::{Asset, Market, OrderKind, Side, TimeInForce};
use rust_decimal::Decimal;
use serde_json::Value;

use super::ratelimit::RateGate;
use super::request::{Answer, decimal, missing, send, text};
use super::sign::{Secret, binance_signature, query_string};
use super::{
    OrderRequest, Venue, VenueBalance, VenueError, VenueFill, VenueFuture, VenueOrder,
    VenueOrderState, VenueRules,
};

/// Binance's REST base.
pub const DEFAULT_BASE_URL: &str = "https://api.binance.com";

const NAME: &str = "binance";

/// Used weight per minute above which requests pause (the IP limit is 6000).
const WEIGHT_CEILING: u64 = 5400;

/// The Binance spot venue.
#[derive(Debug, Clone)]
pub struct Binance {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    base: String,
    key: Secret,
    secret: Secret,
    http: reqwest::Client,
    gate: RateGate,
    poll: Duration,
    absent_after: Duration,
    recv_window: u64,
    /// Server time minus local time, in ms.
    offset_ms: AtomicI64,
}

/// Binance's symbol: `BTCUSDT` for BTC/USDT.
pub fn symbol(market: &Market) -> String {
    format!("{}{}", market.base, market.quote)
}

fn read_error(body: &Value) -> (String, String) {
    (
        text(body, "code").unwrap_or_default(),
        text(body, "msg").unwrap_or_default(),
    )
}

/// The parameters of an order, before `timestamp`, `recvWindow` and the signature.
pub fn order_params(order: &OrderRequest) -> Vec<(&'static str, String)> {
    let mut params = vec![
        ("symbol", symbol(&order.market)),
        (
            "side",
            match order.side {
                Side::Buy => "BUY".to_owned(),
                Side::Sell => "SELL".to_owned(),
            },
        ),
    ];
    match order.kind {
        OrderKind::Limit => {
            params.push(("type", "LIMIT".to_owned()));
            params.push((
                "timeInForce",
                match order.time_in_force {
                    TimeInForce::Ioc => "IOC",
                    TimeInForce::Fok => "FOK",
                    _ => "GTC",
                }
                .to_owned(),
            ));
            params.push(("quantity", order.quantity.normalize().to_string()));
            params.push((
                "price",
                order
                    .price
                    .unwrap_or(order.reference_price)
                    .normalize()
                    .to_string(),
            ));
        }
        OrderKind::Market => {
            params.push(("type", "MARKET".to_owned()));
            params.push(("quantity", order.quantity.normalize().to_string()));
        }
    }
    params.push(("newClientOrderId", order.client_order_id.to_string()));
    params.push(("newOrderRespType", "FULL".to_owned()));
    params
}

fn state_of(raw: &str) -> Option<VenueOrderState> {
    Some(match raw {
        "NEW" | "PARTIALLY_FILLED" | "PENDING_NEW" | "PENDING_CANCEL" => VenueOrderState::Open,
        "FILLED" => VenueOrderState::Filled,
        "CANCELED" => VenueOrderState::Cancelled,
        "EXPIRED" | "EXPIRED_IN_MATCH" => VenueOrderState::Expired,
        "REJECTED" => VenueOrderState::Rejected,
        _ => return None,
    })
}

/// Reads an order (the `FULL` submit answer carries `fills`; queries do not).
pub fn parse_order(body: &Value, request: &str) -> Result<VenueOrder, VenueError> {
    let venue_order_id = text(body, "orderId").ok_or_else(|| missing(NAME, request, "orderId"))?;
    let raw_state = text(body, "status").ok_or_else(|| missing(NAME, request, "status"))?;
    let state = state_of(&raw_state).ok_or_else(|| VenueError::Protocol {
        venue: NAME,
        request: request.to_owned(),
        detail: format!("unknown order status {raw_state:?}"),
    })?;
    let mut order = VenueOrder {
        client_order_id: text(body, "clientOrderId").unwrap_or_default(),
        venue_order_id,
        state,
        fills: Vec::new(),
        raw_state,
        total_fee: None,
        cumulative: None,
    };
    if let Some(fills) = body.get("fills").and_then(Value::as_array) {
        order.fills = parse_fills(fills, "tradeId", request)?;
    }
    Ok(order)
}

/// Reads fills (`fills` of a submit answer: `tradeId`; `myTrades`: `id`).
pub fn parse_fills(
    list: &[Value],
    id_field: &str,
    request: &str,
) -> Result<Vec<VenueFill>, VenueError> {
    list.iter()
        .map(|fill| {
            let (Some(trade_id), Some(price), Some(quantity), Some(fee), Some(asset)) = (
                text(fill, id_field),
                decimal(fill, "price"),
                decimal(fill, "qty"),
                decimal(fill, "commission"),
                text(fill, "commissionAsset").and_then(|a| Asset::new(&a).ok()),
            ) else {
                return Err(missing(NAME, request, "fills[].price/qty/commission"));
            };
            Ok(VenueFill {
                trade_id,
                price,
                quantity,
                fee,
                fee_asset: asset,
            })
        })
        .collect()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Binance {
    /// A client for `base` with these keys.
    pub fn new(
        base: String,
        key: Secret,
        secret: Secret,
        http: reqwest::Client,
        poll: Duration,
        timeout: Duration,
        recv_window: u64,
    ) -> Binance {
        Binance {
            inner: Arc::new(Inner {
                base: base.trim_end_matches('/').to_owned(),
                key,
                secret,
                http,
                gate: RateGate::per_second(10),
                poll,
                absent_after: (timeout * 3).max(Duration::from_secs(3)),
                recv_window: recv_window.clamp(1, 60_000),
                offset_ms: AtomicI64::new(0),
            }),
        }
    }
}

impl Inner {
    async fn sync_time(&self) -> Result<(), VenueError> {
        self.gate.wait().await;
        let before = now_ms();
        let what = "GET /api/v3/time".to_owned();
        let answer = send(
            NAME,
            what.clone(),
            self.http.get(format!("{}/api/v3/time", self.base)),
            read_error,
        )
        .await?;
        let after = now_ms();
        let server = answer
            .body
            .get("serverTime")
            .and_then(Value::as_i64)
            .ok_or_else(|| missing(NAME, &what, "serverTime"))?;
        let local = before.saturating_add(after.saturating_sub(before) / 2);
        self.offset_ms
            .store(server.saturating_sub(local), Ordering::Relaxed);
        Ok(())
    }

    async fn signed(
        &self,
        method: reqwest::Method,
        path: &str,
        mut params: Vec<(&'static str, String)>,
    ) -> Result<Answer, VenueError> {
        self.gate.wait().await;
        let timestamp = now_ms().saturating_add(self.offset_ms.load(Ordering::Relaxed));
        params.push(("recvWindow", self.recv_window.to_string()));
        params.push(("timestamp", timestamp.to_string()));
        let query = query_string(&params);
        let signature = binance_signature(&self.secret, &query);
        let url = format!("{}{path}?{query}&signature={signature}", self.base);
        let what = format!("{method} {path}");
        let request = self
            .http
            .request(method, url)
            .header("X-MBX-APIKEY", self.key.expose());
        let result = send(NAME, what, request, read_error).await;
        match &result {
            Ok(answer) => {
                let used = answer
                    .headers
                    .get("X-MBX-USED-WEIGHT-1M")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok());
                if used.is_some_and(|u| u >= WEIGHT_CEILING) {
                    self.gate.back_off(Duration::from_secs(10));
                }
            }
            Err(error) => {
                if let Some(delay) = error.retry_after() {
                    self.gate.back_off(delay);
                }
            }
        }
        result.map_err(|error| match error {
            VenueError::Rejected {
                venue,
                request,
                status,
                code,
                message,
            } if matches!(code.as_str(), "-2014" | "-2015" | "-1022" | "-2008") => {
                VenueError::InvalidKeys {
                    venue,
                    request,
                    status,
                    code,
                    message,
                }
            }
            // Outside recvWindow: the request was refused, not executed; resync and retry.
            VenueError::Rejected {
                venue,
                request,
                code,
                message,
                ..
            } if code == "-1021" => VenueError::NotSent {
                venue,
                request,
                detail: format!("{code}: {message}"),
            },
            other => other,
        })
    }

    async fn trades(&self, market: &Market, order_id: &str) -> Result<Vec<VenueFill>, VenueError> {
        let answer = self
            .signed(
                reqwest::Method::GET,
                "/api/v3/myTrades",
                vec![("symbol", symbol(market)), ("orderId", order_id.to_owned())],
            )
            .await?;
        let list = answer.body.as_array().cloned().unwrap_or_default();
        parse_fills(&list, "id", "GET /api/v3/myTrades")
    }

    async fn order_with_fills(
        &self,
        method: reqwest::Method,
        id: &str,
        market: &Market,
    ) -> Result<VenueOrder, VenueError> {
        let what = format!("{method} /api/v3/order");
        let answer = self
            .signed(
                method,
                "/api/v3/order",
                vec![
                    ("symbol", symbol(market)),
                    ("origClientOrderId", id.to_owned()),
                ],
            )
            .await
            .map_err(|error| match error {
                VenueError::Rejected { code, .. } if code == "-2013" || code == "-2011" => {
                    VenueError::NotFound {
                        venue: NAME,
                        client_order_id: id.to_owned(),
                    }
                }
                other => other,
            })?;
        let mut order = parse_order(&answer.body, &what)?;
        let executed = decimal(&answer.body, "executedQty").unwrap_or(Decimal::ZERO);
        if executed > Decimal::ZERO {
            match self.trades(market, &order.venue_order_id).await {
                Ok(fills) => order.fills = fills,
                // No myTrades at this base URL (a proxy or test venue answers 4xx, not an
                // auth or rate error, which propagate): cumulative quantities.
                Err(VenueError::Rejected { .. }) => {
                    order.cumulative =
                        Some((executed, decimal(&answer.body, "cummulativeQuoteQty")));
                }
                Err(error) => return Err(error),
            }
        }
        Ok(order)
    }
}

impl Venue for Binance {
    fn name(&self) -> &'static str {
        NAME
    }

    fn rules(&self) -> VenueRules {
        VenueRules {
            reuse_client_order_id: true,
            poll_every: self.inner.poll,
            absent_after: self.inner.absent_after,
        }
    }

    fn check_keys(&self) -> VenueFuture<()> {
        let inner = self.inner.clone();
        Box::pin(async move {
            inner.sync_time().await?;
            inner
                .signed(reqwest::Method::GET, "/api/v3/account", Vec::new())
                .await
                .map(|_| ())
        })
    }

    fn submit(&self, order: &OrderRequest) -> VenueFuture<VenueOrder> {
        let inner = self.inner.clone();
        let params = order_params(order);
        Box::pin(async move {
            let answer = inner
                .signed(reqwest::Method::POST, "/api/v3/order", params.clone())
                .await;
            let answer = match answer {
                Err(VenueError::NotSent { .. }) => {
                    // Clock drift: resync once and send again (nothing was placed).
                    inner.sync_time().await?;
                    inner
                        .signed(reqwest::Method::POST, "/api/v3/order", params)
                        .await?
                }
                other => other?,
            };
            parse_order(&answer.body, "POST /api/v3/order")
        })
    }

    fn query(&self, client_order_id: &str, market: &Market) -> VenueFuture<VenueOrder> {
        let inner = self.inner.clone();
        let (id, market) = (client_order_id.to_owned(), market.clone());
        Box::pin(async move {
            inner
                .order_with_fills(reqwest::Method::GET, &id, &market)
                .await
        })
    }

    fn cancel(&self, client_order_id: &str, market: &Market) -> VenueFuture<VenueOrder> {
        let inner = self.inner.clone();
        let (id, market) = (client_order_id.to_owned(), market.clone());
        Box::pin(async move {
            inner
                .order_with_fills(reqwest::Method::DELETE, &id, &market)
                .await
        })
    }

    fn open_and_recent_orders(&self, markets: &[Market]) -> VenueFuture<Vec<VenueOrder>> {
        let inner = self.inner.clone();
        let markets = markets.to_vec();
        Box::pin(async move {
            let mut orders = Vec::new();
            for market in &markets {
                let answer = inner
                    .signed(
                        reqwest::Method::GET,
                        "/api/v3/allOrders",
                        vec![("symbol", symbol(market)), ("limit", "500".into())],
                    )
                    .await?;
                for item in answer.body.as_array().cloned().unwrap_or_default() {
                    orders.push(parse_order(&item, "GET /api/v3/allOrders")?);
                }
            }
            Ok(orders)
        })
    }

    fn balances(&self) -> VenueFuture<Vec<VenueBalance>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let what = "GET /api/v3/account";
            let answer = inner
                .signed(reqwest::Method::GET, "/api/v3/account", Vec::new())
                .await?;
            let list = answer
                .body
                .get("balances")
                .and_then(Value::as_array)
                .ok_or_else(|| missing(NAME, what, "balances"))?;
            let mut balances = Vec::new();
            for item in list {
                let (Some(asset), Some(free)) = (text(item, "asset"), decimal(item, "free")) else {
                    return Err(missing(NAME, what, "balances[].asset/free"));
                };
                let locked = decimal(item, "locked").unwrap_or(Decimal::ZERO);
                let Ok(asset) = Asset::new(&asset) else {
                    continue;
                };
                balances.push(VenueBalance {
                    asset,
                    total: free.checked_add(locked).unwrap_or(free),
                });
            }
            Ok(balances)
        })
    }
}
