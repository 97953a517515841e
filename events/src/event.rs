//! The `Event` enum: every decision premia takes and every consequence of it.
//!
//! **Schema rule:** these types are persisted with bincode, which has no schema evolution. Adding a
//! variant at the end of [`Event`] is compatible; any other change (a field added, removed or
//! reordered, a variant moved) needs a new schema version in [`crate::codec`], with the old
//! layout kept there so old records stay readable.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::{ClientOrderId, IntentId, SignalId};
use crate::market::{Asset, Exchange, Market, OrderKind, Side, TimeInForce, Venue};
use crate::money::{dec, dec_opt};

/// One record's payload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// The daemon started.
    DaemonStarted(DaemonStarted),
    /// The daemon stopped.
    DaemonStopped(DaemonStopped),
    /// A strategy rule fired.
    SignalRaised(SignalRaised),
    /// premia decided to place an order; written durably before the venue is called.
    OrderIntended(OrderIntended),
    /// A signal did not become an order because a risk check refused it.
    IntentRefused(IntentRefused),
    /// The order was sent to the venue.
    OrderSubmitted(OrderSubmitted),
    /// The venue acknowledged the order.
    OrderAccepted(OrderAccepted),
    /// The venue (or a breaker) refused the order.
    OrderRejected(OrderRejected),
    /// The submit timed out or lost its response: the venue may or may not have the order.
    SubmitOutcomeUnknown(SubmitOutcomeUnknown),
    /// A fill (partial or final), identified by the venue's trade id.
    OrderFilled(OrderFilled),
    /// The order was cancelled.
    OrderCancelled(OrderCancelled),
    /// The order expired at the venue.
    OrderExpired(OrderExpired),
    /// An order was checked against its venue (after a restart or an unknown outcome).
    OrderReconciled(OrderReconciled),
    /// The venue has an order with this instance's prefix that the log does not know.
    OrphanOrderFound(OrphanOrderFound),
    /// A balance was set (starting balance from config, or a correction from the venue).
    BalanceSet(BalanceSet),
    /// A circuit breaker changed state.
    BreakerTransition(BreakerTransition),
    /// A feed's socket connected and subscribed.
    FeedConnected(FeedStatus),
    /// A feed's socket went down.
    FeedDisconnected(FeedStatus),
    /// A feed switched to REST polling.
    FeedFallbackEntered(FeedStatus),
    /// A feed returned from REST polling to its socket.
    FeedFallbackLeft(FeedStatus),
    /// A supervised actor was restarted.
    ActorRestarted(ActorRestarted),
    /// A supervised actor exhausted its restart budget and was not restarted.
    ActorGaveUp(ActorGaveUp),
    /// An operator command (manual breaker open, etc.).
    OperatorCommand(OperatorCommand),
    /// This daemon took its account's trading lease (NATS KV): it may trade.
    LeaseAcquired(LeaseChange),
    /// This daemon lost its account's trading lease (not renewed in time, or taken over): it
    /// stops trading.
    LeaseLost(LeaseChange),
    /// Another daemon holds this account's trading lease: this one does not trade.
    LeaseRefused(LeaseChange),
}

/// The payload of the lease events ([`Event::LeaseAcquired`], [`Event::LeaseLost`],
/// [`Event::LeaseRefused`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseChange {
    /// The account the lease is for.
    pub account: String,
    /// Who holds it now (this daemon for `acquired`, the other one for `refused`; empty if
    /// unknown).
    pub holder: String,
    /// Why (e.g. `not renewed within 10 s`).
    pub detail: String,
}

/// The payload of [`Event::DaemonStarted`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonStarted {
    /// The instance name from config (also the client order id prefix).
    pub instance: String,
    /// premia's version.
    pub version: String,
    /// SHA-256 of the config file's bytes, hex.
    pub config_hash: String,
}

/// The payload of [`Event::DaemonStopped`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonStopped {
    /// Why (e.g. "SIGTERM").
    pub reason: String,
    /// Whether in-flight work was finished or recorded before stopping.
    pub clean: bool,
}

/// A named number that made a signal fire (e.g. `change_pct = -2.31`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    /// What the number is.
    pub name: String,
    /// Its value.
    #[serde(with = "dec")]
    pub value: Decimal,
}

/// The payload of [`Event::SignalRaised`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignalRaised {
    /// Deterministic id: the same condition re-evaluated gives the same id.
    pub signal_id: SignalId,
    /// The strategy (config rule set) that raised it.
    pub strategy: String,
    /// The rule within the strategy.
    pub rule: String,
    /// The exchange whose data triggered it.
    pub exchange: Exchange,
    /// The market.
    pub market: Market,
    /// What it suggests doing.
    pub side: Side,
    /// The price the rule saw.
    #[serde(with = "dec")]
    pub price: Decimal,
    /// The numbers that triggered it.
    pub reason: Vec<Fact>,
}

/// The payload of [`Event::OrderIntended`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderIntended {
    /// The decision's id.
    pub intent_id: IntentId,
    /// The id sent to the venue as its idempotency key.
    pub client_order_id: ClientOrderId,
    /// The signal that caused it, if any.
    pub signal_id: Option<SignalId>,
    /// Where the order goes.
    pub venue: Venue,
    /// The market.
    pub market: Market,
    /// Buy or sell.
    pub side: Side,
    /// Limit or market.
    pub kind: OrderKind,
    /// Limit price (None for market orders).
    #[serde(with = "dec_opt")]
    pub price: Option<Decimal>,
    /// Quantity of the base asset.
    #[serde(with = "dec")]
    pub quantity: Decimal,
    /// How long the order rests (added in schema version 2; version 1 records read as GTC).
    pub time_in_force: TimeInForce,
}

/// The payload of [`Event::IntentRefused`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentRefused {
    /// The signal that was not acted on.
    pub signal_id: Option<SignalId>,
    /// The venue it would have gone to.
    pub venue: Venue,
    /// The market.
    pub market: Market,
    /// The side.
    pub side: Side,
    /// Which check refused it (e.g. "max_notional").
    pub check: String,
    /// Why, with the numbers.
    pub reason: String,
}

/// The payload of [`Event::OrderSubmitted`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSubmitted {
    /// The order.
    pub client_order_id: ClientOrderId,
    /// 1 for the first submit; higher for a resubmission under the same intent.
    pub attempt: u32,
}

/// The payload of [`Event::OrderAccepted`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderAccepted {
    /// The order.
    pub client_order_id: ClientOrderId,
    /// The venue's own id for it.
    pub venue_order_id: String,
}

/// Who refused an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectSource {
    /// The venue answered with a rejection.
    Venue,
    /// A circuit breaker was open.
    Breaker,
}

/// The payload of [`Event::OrderRejected`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRejected {
    /// The order.
    pub client_order_id: ClientOrderId,
    /// Who refused it.
    pub source: RejectSource,
    /// The venue's (or breaker's) reason.
    pub reason: String,
}

/// The payload of [`Event::SubmitOutcomeUnknown`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitOutcomeUnknown {
    /// The order.
    pub client_order_id: ClientOrderId,
    /// What went wrong (timeout, reset, 5xx).
    pub error: String,
}

/// The payload of [`Event::OrderFilled`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFilled {
    /// The order.
    pub client_order_id: ClientOrderId,
    /// The venue's trade id; fills are deduplicated by it.
    pub trade_id: String,
    /// Fill price.
    #[serde(with = "dec")]
    pub price: Decimal,
    /// Filled quantity of the base asset.
    #[serde(with = "dec")]
    pub quantity: Decimal,
    /// Fee charged.
    #[serde(with = "dec")]
    pub fee: Decimal,
    /// The asset the fee was charged in.
    pub fee_asset: Asset,
}

/// The payload of [`Event::OrderCancelled`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCancelled {
    /// The order.
    pub client_order_id: ClientOrderId,
    /// Why.
    pub reason: String,
}

/// The payload of [`Event::OrderExpired`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderExpired {
    /// The order.
    pub client_order_id: ClientOrderId,
}

/// The payload of [`Event::OrderReconciled`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderReconciled {
    /// The order.
    pub client_order_id: ClientOrderId,
    /// Whether the venue knows the order.
    pub found: bool,
    /// What the venue said.
    pub detail: String,
}

/// The payload of [`Event::OrphanOrderFound`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrphanOrderFound {
    /// Where it was found.
    pub venue: Venue,
    /// Its client order id (carries this instance's prefix).
    pub client_order_id: ClientOrderId,
    /// The venue's id for it.
    pub venue_order_id: String,
    /// What the venue said about it.
    pub detail: String,
}

/// The payload of [`Event::BalanceSet`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceSet {
    /// The account's venue.
    pub venue: Venue,
    /// The asset.
    pub asset: Asset,
    /// The new balance.
    #[serde(with = "dec")]
    pub amount: Decimal,
    /// Why (e.g. "initial balance from config").
    pub reason: String,
}

/// A circuit breaker's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    /// Calls pass.
    Closed,
    /// Calls are refused.
    Open,
    /// A few trial calls pass.
    HalfOpen,
}

impl BreakerState {
    /// `closed`, `open` or `half_open`.
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }
}

/// The payload of [`Event::BreakerTransition`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakerTransition {
    /// `exchange/region/request_type`, e.g. `upbit/kr/order`.
    pub key: String,
    /// State before.
    pub from: BreakerState,
    /// State after.
    pub to: BreakerState,
    /// What caused it.
    pub reason: String,
    /// Whether an operator forced it.
    pub forced: bool,
}

/// The payload of the feed status events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedStatus {
    /// The feed's exchange.
    pub exchange: Exchange,
    /// What happened (e.g. the disconnect reason).
    pub detail: String,
}

/// The payload of [`Event::ActorRestarted`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorRestarted {
    /// The actor's name (e.g. `feed/upbit`).
    pub actor: String,
    /// Restarts within the current budget period.
    pub restarts: u32,
    /// Why it stopped.
    pub reason: String,
}

/// The payload of [`Event::ActorGaveUp`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorGaveUp {
    /// The actor's name.
    pub actor: String,
    /// Restarts used.
    pub restarts: u32,
    /// The last reason it stopped.
    pub reason: String,
}

/// The payload of [`Event::OperatorCommand`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorCommand {
    /// The command (e.g. `breaker open`).
    pub command: String,
    /// What it applies to (e.g. a breaker key).
    pub target: String,
    /// Who issued it (e.g. `cli`, `http`).
    pub by: String,
}

/// Declares [`EventKind`] and [`Event::kind`] from one list, so they cannot drift apart.
macro_rules! kinds {
    ($($variant:ident = $text:literal),+ $(,)?) => {
        /// The kind of an event: the variant's name in snake case. Used in `--kind` filters,
        /// NATS subjects and exports.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum EventKind {
            $(
                #[doc = concat!("`", $text, "`")]
                $variant
            ),+
        }

        impl EventKind {
            /// Every kind, in schema order.
            pub const ALL: &'static [EventKind] = &[$(EventKind::$variant),+];

            /// The snake-case name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventKind::$variant => $text),+
                }
            }
        }

        impl Event {
            /// This event's kind.
            pub fn kind(&self) -> EventKind {
                match self {
                    $(Event::$variant(_) => EventKind::$variant),+
                }
            }
        }
    };
}

kinds! {
    DaemonStarted = "daemon_started",
    DaemonStopped = "daemon_stopped",
    SignalRaised = "signal_raised",
    OrderIntended = "order_intended",
    IntentRefused = "intent_refused",
    OrderSubmitted = "order_submitted",
    OrderAccepted = "order_accepted",
    OrderRejected = "order_rejected",
    SubmitOutcomeUnknown = "submit_outcome_unknown",
    OrderFilled = "order_filled",
    OrderCancelled = "order_cancelled",
    OrderExpired = "order_expired",
    OrderReconciled = "order_reconciled",
    OrphanOrderFound = "orphan_order_found",
    BalanceSet = "balance_set",
    BreakerTransition = "breaker_transition",
    FeedConnected = "feed_connected",
    FeedDisconnected = "feed_disconnected",
    FeedFallbackEntered = "feed_fallback_entered",
    FeedFallbackLeft = "feed_fallback_left",
    ActorRestarted = "actor_restarted",
    ActorGaveUp = "actor_gave_up",
    OperatorCommand = "operator_command",
    LeaseAcquired = "lease_acquired",
    LeaseLost = "lease_lost",
    LeaseRefused = "lease_refused",
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for EventKind {
    type Err = crate::market::ParseError;
    fn from_str(text: &str) -> Result<EventKind, Self::Err> {
        EventKind::ALL
            .iter()
            .copied()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| {
                crate::market::ParseError::new(
                    "event kind",
                    text,
                    "a snake_case kind such as order_filled",
                )
            })
    }
}

impl Event {
    /// The client order id this event is about, for order lifecycle events.
    pub fn client_order_id(&self) -> Option<&ClientOrderId> {
        match self {
            Event::OrderIntended(e) => Some(&e.client_order_id),
            Event::OrderSubmitted(e) => Some(&e.client_order_id),
            Event::OrderAccepted(e) => Some(&e.client_order_id),
            Event::OrderRejected(e) => Some(&e.client_order_id),
            Event::SubmitOutcomeUnknown(e) => Some(&e.client_order_id),
            Event::OrderFilled(e) => Some(&e.client_order_id),
            Event::OrderCancelled(e) => Some(&e.client_order_id),
            Event::OrderExpired(e) => Some(&e.client_order_id),
            Event::OrderReconciled(e) => Some(&e.client_order_id),
            Event::OrphanOrderFound(e) => Some(&e.client_order_id),
            _ => None,
        }
    }

    /// A one-line human summary, for `premia events ls`.
    pub fn summary(&self) -> String {
        match self {
            Event::DaemonStarted(e) => format!(
                "instance={} version={} config={}",
                e.instance,
                e.version,
                e.config_hash.get(..12).unwrap_or(&e.config_hash)
            ),
            Event::DaemonStopped(e) => format!("reason={} clean={}", e.reason, e.clean),
            Event::SignalRaised(e) => {
                let facts: Vec<String> = e
                    .reason
                    .iter()
                    .map(|f| format!("{}={}", f.name, f.value))
                    .collect();
                format!(
                    "{} {} {} {} @ {} [{}] ({})",
                    e.signal_id,
                    e.exchange,
                    e.market,
                    e.side,
                    e.price,
                    facts.join(" "),
                    e.rule
                )
            }
            Event::OrderIntended(e) => format!(
                "{} {} {} {} {} {} @ {}",
                e.client_order_id,
                e.venue,
                e.market,
                e.side,
                e.kind,
                e.quantity,
                e.price
                    .map_or_else(|| "market".to_owned(), |p| p.to_string())
            ),
            Event::IntentRefused(e) => format!(
                "{} {} {} by {}: {}",
                e.venue, e.market, e.side, e.check, e.reason
            ),
            Event::OrderSubmitted(e) => format!("{} attempt {}", e.client_order_id, e.attempt),
            Event::OrderAccepted(e) => {
                format!("{} venue id {}", e.client_order_id, e.venue_order_id)
            }
            Event::OrderRejected(e) => {
                let source = match e.source {
                    RejectSource::Venue => "venue",
                    RejectSource::Breaker => "breaker",
                };
                format!("{} by {source}: {}", e.client_order_id, e.reason)
            }
            Event::SubmitOutcomeUnknown(e) => format!("{}: {}", e.client_order_id, e.error),
            Event::OrderFilled(e) => format!(
                "{} trade {} {} @ {} fee {} {}",
                e.client_order_id, e.trade_id, e.quantity, e.price, e.fee, e.fee_asset
            ),
            Event::OrderCancelled(e) => format!("{}: {}", e.client_order_id, e.reason),
            Event::OrderExpired(e) => e.client_order_id.to_string(),
            Event::OrderReconciled(e) => {
                format!("{} found={} {}", e.client_order_id, e.found, e.detail)
            }
            Event::OrphanOrderFound(e) => format!(
                "{} {} venue id {}: {}",
                e.venue, e.client_order_id, e.venue_order_id, e.detail
            ),
            Event::BalanceSet(e) => {
                format!("{} {} = {} ({})", e.venue, e.asset, e.amount, e.reason)
            }
            Event::BreakerTransition(e) => format!(
                "{} {} -> {}{}: {}",
                e.key,
                e.from.as_str(),
                e.to.as_str(),
                if e.forced { " (forced)" } else { "" },
                e.reason
            ),
            Event::FeedConnected(e)
            | Event::FeedDisconnected(e)
            | Event::FeedFallbackEntered(e)
            | Event::FeedFallbackLeft(e) => format!("{}: {}", e.exchange, e.detail),
            Event::ActorRestarted(e) => format!("{} restart {}: {}", e.actor, e.restarts, e.reason),
            Event::ActorGaveUp(e) => {
                format!("{} after {} restarts: {}", e.actor, e.restarts, e.reason)
            }
            Event::OperatorCommand(e) => format!("{} {} by {}", e.command, e.target, e.by),
            Event::LeaseAcquired(e) | Event::LeaseLost(e) | Event::LeaseRefused(e) => {
                format!("account {} holder {}: {}", e.account, e.holder, e.detail)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_name_parses_back() {
        for kind in EventKind::ALL {
            assert_eq!(kind.as_str().parse::<EventKind>().ok(), Some(*kind));
        }
        assert!("order-filled".parse::<EventKind>().is_err());
    }
}
