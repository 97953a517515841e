//! Live venues: the [`Venue`] trait, its order and fill types, and [`VenueError`], whose
//! variants say how the order path must react (terminal, retry after a delay, outcome unknown,
//! invalid keys).
//!
//! Implementations: [`upbit::Upbit`] (JWT with `query_hash`, `identifier`) and
//! [`binance::Binance`] (HMAC-SHA256, `newClientOrderId`, server-time offset), and
//! [`paper::PaperAdapter`] (the paper venue's actor behind the same trait). All are cheap to
//! clone (an `Arc` inside) and return `'static` boxed futures, so the order manager can hand an
//! order to a tracking task without borrowing the venue. Base URLs come from config.

pub mod binance;
pub mod config;
pub mod paper;
pub mod ratelimit;
pub mod request;
pub mod sign;
pub mod upbit;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use premia_events::{Asset, ClientOrderId, Market, OrderKind, Side, TimeInForce};
use rust_decimal::Decimal;
use thiserror::Error;

pub use config::{VenueConfig, build};
pub use sign::Secret;

/// A boxed future a venue returns.
pub type VenueFuture<T> = Pin<Box<dyn Future<Output = Result<T, VenueError>> + Send + 'static>>;

/// An order to place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRequest {
    /// The client order id (the venue's `identifier` / `newClientOrderId`).
    pub client_order_id: ClientOrderId,
    /// The market.
    pub market: Market,
    /// Buy or sell.
    pub side: Side,
    /// Limit or market.
    pub kind: OrderKind,
    /// The limit price (limit orders).
    pub price: Option<Decimal>,
    /// The quantity in the base asset.
    pub quantity: Decimal,
    /// Time in force (limit orders).
    pub time_in_force: TimeInForce,
    /// The price the signal saw: Upbit's market buys are sized in the quote asset with it.
    pub reference_price: Decimal,
}

/// Where a venue says an order is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VenueOrderState {
    /// Working (possibly partially filled).
    Open,
    /// Completely filled.
    Filled,
    /// Cancelled (possibly after partial fills).
    Cancelled,
    /// Expired (e.g. an IOC rest).
    Expired,
    /// Rejected after acceptance.
    Rejected,
}

impl VenueOrderState {
    /// Whether nothing more can happen to the order.
    pub fn is_terminal(self) -> bool {
        self != VenueOrderState::Open
    }
}

/// One fill, identified by the venue's trade id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VenueFill {
    /// The venue's trade id (fills are deduplicated by it).
    pub trade_id: String,
    /// Price.
    pub price: Decimal,
    /// Quantity in the base asset.
    pub quantity: Decimal,
    /// Fee paid for this fill.
    pub fee: Decimal,
    /// The fee's asset.
    pub fee_asset: Asset,
}

/// An order as the venue reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VenueOrder {
    /// The client order id the venue holds.
    pub client_order_id: String,
    /// The venue's own id.
    pub venue_order_id: String,
    /// Its state.
    pub state: VenueOrderState,
    /// Every fill so far.
    pub fills: Vec<VenueFill>,
    /// The venue's state word, for the log (`wait`, `done`, `FILLED`, ...).
    pub raw_state: String,
    /// The order's total fee so far, when the venue reports it per order rather than per fill
    /// (Upbit's `paid_fee`); its fills then carry a zero fee.
    pub total_fee: Option<Decimal>,
    /// Set when the venue gave no list of fills (a venue or proxy without Upbit's `trades` or
    /// Binance's `myTrades`): the cumulative executed quantity and, if known, quote amount. The
    /// order path then records the difference to what it already has as one fill whose id
    /// carries the cumulative quantity, so a repeat is deduplicated like any trade id.
    pub cumulative: Option<(Decimal, Option<Decimal>)>,
}

/// A balance at a venue: free plus locked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VenueBalance {
    /// The asset.
    pub asset: Asset,
    /// Free + locked.
    pub total: Decimal,
}

/// What went wrong talking to a venue. Each variant says how to react.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum VenueError {
    /// The request may or may not have taken effect (timeout, connection reset after the request
    /// was sent, 5xx): query by client order id before anything else.
    #[error("{venue} {request}: outcome unknown: {detail}")]
    OutcomeUnknown {
        /// The venue.
        venue: &'static str,
        /// Method and path.
        request: String,
        /// What happened.
        detail: String,
    },
    /// The request surely never reached the venue (connection refused, DNS): safe to retry.
    #[error("{venue} {request}: not sent: {detail}")]
    NotSent {
        /// The venue.
        venue: &'static str,
        /// Method and path.
        request: String,
        /// What happened.
        detail: String,
    },
    /// The venue refused the request with an error code (terminal for that request).
    #[error("{venue} {request} → {status} {code}: {message}")]
    Rejected {
        /// The venue.
        venue: &'static str,
        /// Method and path.
        request: String,
        /// HTTP status.
        status: u16,
        /// The venue's error code or name.
        code: String,
        /// The venue's message.
        message: String,
    },
    /// The venue has no order with that client order id.
    #[error("{venue}: no order {client_order_id}")]
    NotFound {
        /// The venue.
        venue: &'static str,
        /// The id asked for.
        client_order_id: String,
    },
    /// 429 / 418 / a local limit: wait this long before the next request.
    #[error("{venue} {request}: rate limited, retry after {} ms", retry_after.as_millis())]
    RateLimited {
        /// The venue.
        venue: &'static str,
        /// Method and path.
        request: String,
        /// How long to wait.
        retry_after: Duration,
    },
    /// 401 / 403: the API key or secret is wrong, expired or lacks a permission.
    #[error("{venue} rejected the API key ({request} → {status} {code}: {message})")]
    InvalidKeys {
        /// The venue.
        venue: &'static str,
        /// Method and path.
        request: String,
        /// HTTP status.
        status: u16,
        /// The venue's error code or name.
        code: String,
        /// The venue's message.
        message: String,
    },
    /// The venue answered something premia cannot read.
    #[error("{venue} {request}: unreadable answer: {detail}")]
    Protocol {
        /// The venue.
        venue: &'static str,
        /// Method and path.
        request: String,
        /// What is wrong.
        detail: String,
    },
}

impl VenueError {
    /// Whether the same request may simply be tried again later.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            VenueError::NotSent { .. } | VenueError::RateLimited { .. }
        )
    }

    /// Whether a submit that failed this way may have placed the order.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            VenueError::OutcomeUnknown { .. } | VenueError::Protocol { .. }
        )
    }

    /// Whether this counts as a venue failure for its circuit breaker.
    pub fn trips_breaker(&self) -> bool {
        matches!(
            self,
            VenueError::OutcomeUnknown { .. }
                | VenueError::NotSent { .. }
                | VenueError::RateLimited { .. }
                | VenueError::InvalidKeys { .. }
                | VenueError::Protocol { .. }
        )
    }

    /// How long to wait before the next request, when the venue said so.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            VenueError::RateLimited { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }
}

/// Rules of a venue that the order path must follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VenueRules {
    /// Whether a client order id may be sent again after a request that provably did not place
    /// an order (Binance: yes; Upbit: never, even after a failure).
    pub reuse_client_order_id: bool,
    /// How often to poll an open order.
    pub poll_every: Duration,
    /// How long after its last send an order must stay unknown to the venue before it counts
    /// as absent: a request can sit in a queue past the client's timeout (or outlive a killed
    /// process) and still be placed.
    pub absent_after: Duration,
}

/// A live venue. Methods return `'static` futures; implementations are cheap to clone.
pub trait Venue: Send + Sync + std::fmt::Debug {
    /// The venue's name (`upbit`, `binance`).
    fn name(&self) -> &'static str;
    /// Its order rules.
    fn rules(&self) -> VenueRules;
    /// A signed read-only call that proves the keys work (and syncs the clock where needed).
    fn check_keys(&self) -> VenueFuture<()>;
    /// Places an order.
    fn submit(&self, order: &OrderRequest) -> VenueFuture<VenueOrder>;
    /// Looks an order up by client order id (`VenueError::NotFound` when it has none).
    fn query(&self, client_order_id: &str, market: &Market) -> VenueFuture<VenueOrder>;
    /// Cancels an order by client order id.
    fn cancel(&self, client_order_id: &str, market: &Market) -> VenueFuture<VenueOrder>;
    /// Open and recent orders on `markets` (for orphan detection).
    fn open_and_recent_orders(&self, markets: &[Market]) -> VenueFuture<Vec<VenueOrder>>;
    /// Every balance (free + locked).
    fn balances(&self) -> VenueFuture<Vec<VenueBalance>>;
}

/// The fills of `order` not yet in `known` (trade ids already recorded). When the venue reports
/// fees per order, the fee not yet recorded (`total_fee - recorded_fee`) goes to the last new
/// fill, so the recorded fills always add up to the venue's total.
pub fn new_fills(order: &VenueOrder, known: &[String], recorded_fee: Decimal) -> Vec<VenueFill> {
    let mut fresh: Vec<VenueFill> = order
        .fills
        .iter()
        .filter(|f| !known.contains(&f.trade_id))
        .cloned()
        .collect();
    if let Some(total) = order.total_fee {
        for fill in &mut fresh {
            fill.fee = Decimal::ZERO;
        }
        if let Some(last) = fresh.last_mut() {
            let rest = total.checked_sub(recorded_fee).unwrap_or(Decimal::ZERO);
            if rest > Decimal::ZERO {
                last.fee = rest;
            }
        }
    }
    fresh
}

#[cfg(test)]
mod tests;

impl crate::breaker::TripsBreaker for VenueError {
    fn trips_breaker(&self) -> bool {
        VenueError::trips_breaker(self)
    }
}
