//! The typed messages between actors. Never JSON strings.

use std::sync::Arc;

use actix::Message;
use premia_events::event::SignalRaised;
use premia_events::marketdata::MarketData;
use premia_events::{Exchange, OrderKind, Venue};
use rust_decimal::Decimal;

/// Market data from a feed, shared by every subscriber without copying books.
#[derive(Clone, Debug, Message)]
#[rtype(result = "()")]
pub struct MarketUpdate(pub Arc<MarketData>);

/// What to order when a rule fires (from the rule's config).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderSpec {
    /// Where the order goes.
    pub venue: Venue,
    /// The exchange whose book and rules apply (for paper orders: whose book fills them).
    pub exchange: Exchange,
    /// Quantity of the base asset.
    pub quantity: Decimal,
    /// Market or limit (limit orders are priced at the signal's price).
    pub kind: OrderKind,
}

/// A rule fired: the signal and what to order. Not yet in the log: the order manager records the
/// signal together with its consequence (an intent or a refusal) in one append.
#[derive(Clone, Debug, Message)]
#[rtype(result = "()")]
pub struct SignalFired {
    /// The signal.
    pub signal: SignalRaised,
    /// The order it asks for.
    pub order: OrderSpec,
}

/// Severity of a notification.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    /// Routine (an order filled).
    Info,
    /// Needs a look (a feed fell back to REST).
    Warning,
    /// Something failed (an order was rejected).
    Error,
    /// Act now (an orphan order, an actor gave up).
    Critical,
}

/// A notification for the operator.
#[derive(Clone, Debug, Message, serde::Serialize)]
#[rtype(result = "()")]
pub struct Notify {
    /// Severity.
    pub level: Level,
    /// What it is about (an event kind, e.g. `order_filled`).
    pub topic: String,
    /// The message, filled with the event's facts.
    pub text: String,
}

/// Asks an actor to finish its work and stop taking more (graceful shutdown).
#[derive(Clone, Copy, Debug, Message)]
#[rtype(result = "()")]
pub struct Drain;

impl Level {
    /// `INFO`, `WARNING`, `ERROR` or `CRITICAL`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
            Level::Critical => "CRITICAL",
        }
    }
}
