//! State as a pure fold over events: `State::apply(&mut self, &Envelope)`.
//!
//! The fold is total: it never panics and never fails. An event that makes no sense against the
//! state (a fill for an unknown order, an overflow) is counted in [`State::anomalies`] and leaves
//! the rest of the state untouched, so replaying a log always yields a state and the anomaly says
//! where to look. Small maps are `BTreeMap`s; the two that grow with the log (orders, signals acted
//! on) are hash-keyed ([`KeyedMap`], [`KeyedSet`]) for the fold's lookups and list, print and
//! serialize in key order like the others, so output is deterministic.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use premia_events::event::{BreakerState, Event, OrderFilled, OrderIntended};
use premia_events::money::dec;
use premia_events::{
    Asset, ChainHash, ClientOrderId, Envelope, Exchange, IntentId, Market, OrderKind, Side,
    SignalId, TimeInForce, Timestamp, Venue,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::keyed::{KeyedMap, KeyedSet};

/// Everything premia knows after applying the log up to [`State::last_seq`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// The last seq applied (0: nothing yet).
    pub last_seq: u64,
    /// The hash of that record (the anchor a snapshot of this state carries).
    pub last_hash: ChainHash,
    /// The time of that record.
    pub last_at: Timestamp,
    /// Orders by client order id (listed in id order).
    pub orders: KeyedMap<ClientOrderId, Order>,
    /// Balances per venue and asset.
    pub balances: BTreeMap<Venue, BTreeMap<Asset, Amount>>,
    /// Trading positions per venue and market (average cost), with realised PnL.
    pub positions: BTreeMap<Venue, BTreeMap<Market, Position>>,
    /// Circuit breakers by key.
    pub breakers: BTreeMap<String, Breaker>,
    /// Signals already acted on (an intent or a refusal was recorded): never acted on again.
    pub acted_signals: KeyedSet<SignalId>,
    /// Orders found at a venue that the log did not know.
    pub orphans: BTreeSet<ClientOrderId>,
    /// Feed status per exchange.
    pub feeds: BTreeMap<Exchange, Feed>,
    /// Supervised actors that restarted or gave up.
    pub actors: BTreeMap<String, ActorHealth>,
    /// The daemon that wrote the log most recently.
    pub daemon: Option<Daemon>,
    /// Event counts.
    pub counts: Counts,
    /// Events that made no sense against the state (see the module docs).
    pub anomalies: u64,
    /// The most recent anomaly, with its seq.
    pub last_anomaly: Option<String>,
}

/// A decimal amount (a newtype so maps of it serialize exactly in every format).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Amount(#[serde(with = "dec")] pub Decimal);

/// An order and where it is in its lifecycle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// The intent's id.
    pub intent_id: IntentId,
    /// The signal that caused it.
    pub signal_id: Option<SignalId>,
    /// Where it went.
    pub venue: Venue,
    /// The market.
    pub market: Market,
    /// Buy or sell.
    pub side: Side,
    /// Limit or market.
    pub kind: OrderKind,
    /// Limit price.
    pub price: Option<Amount>,
    /// Ordered quantity.
    pub quantity: Amount,
    /// Time in force.
    pub time_in_force: TimeInForce,
    /// Lifecycle status.
    pub status: OrderStatus,
    /// Quantity filled so far.
    pub filled: Amount,
    /// Sum of price × quantity over fills.
    pub filled_notional: Amount,
    /// Fees paid, per asset (usually one).
    pub fees: Vec<Fee>,
    /// The venue's id, once accepted.
    pub venue_order_id: Option<String>,
    /// Submit attempts.
    pub attempts: u32,
    /// Trade ids already applied (fills are deduplicated by them). A list: orders have few fills.
    pub trade_ids: Vec<String>,
    /// The seq of the intent.
    pub intent_seq: u64,
    /// When the intent was written.
    pub intended_at: Timestamp,
    /// When the order last changed.
    pub updated_at: Timestamp,
    /// The last reason given by the venue (rejection, cancel, unknown outcome).
    pub note: Option<String>,
}

/// Fees an order paid in one asset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    /// The asset.
    pub asset: Asset,
    /// The total paid in it.
    pub amount: Amount,
}

/// Where an order is in its lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Written, not yet sent.
    Intended,
    /// Sent, no answer yet.
    Submitted,
    /// The venue has it.
    Accepted,
    /// The submit's outcome is unknown; must be reconciled before anything else.
    Unknown,
    /// Some of it filled.
    PartiallyFilled,
    /// All of it filled.
    Filled,
    /// Refused by the venue or a breaker.
    Rejected,
    /// Cancelled.
    Cancelled,
    /// Expired.
    Expired,
}

impl OrderStatus {
    /// Whether nothing more can happen to the order.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            OrderStatus::Filled
                | OrderStatus::Rejected
                | OrderStatus::Cancelled
                | OrderStatus::Expired
        )
    }

    /// The snake-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Intended => "intended",
            OrderStatus::Submitted => "submitted",
            OrderStatus::Accepted => "accepted",
            OrderStatus::Unknown => "unknown",
            OrderStatus::PartiallyFilled => "partially_filled",
            OrderStatus::Filled => "filled",
            OrderStatus::Rejected => "rejected",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Expired => "expired",
        }
    }
}

/// A position on one market, average-cost accounting, in the market's quote asset.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// Signed base quantity (negative: sold more than bought).
    #[serde(with = "dec")]
    pub quantity: Decimal,
    /// Average entry price of the open quantity.
    #[serde(with = "dec")]
    pub average_price: Decimal,
    /// Realised profit and loss, before fees.
    #[serde(with = "dec")]
    pub realised_pnl: Decimal,
    /// Fees paid in the quote asset (fees in the base asset are converted at the fill price).
    #[serde(with = "dec")]
    pub fees: Decimal,
    /// Fills applied.
    pub fills: u64,
}

/// A breaker's last known state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breaker {
    /// Its state.
    pub state: BreakerState,
    /// Since when.
    pub since: Timestamp,
    /// Whether an operator forced it.
    pub forced: bool,
    /// Why it changed.
    pub reason: String,
}

/// A feed's last known status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feed {
    /// Whether its socket is up.
    pub connected: bool,
    /// Whether it is polling REST instead.
    pub fallback: bool,
    /// Since when.
    pub since: Timestamp,
}

/// A supervised actor's restart history.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorHealth {
    /// Restarts recorded.
    pub restarts: u64,
    /// Whether it exhausted its budget.
    pub gave_up: bool,
    /// The last reason.
    pub reason: String,
}

/// The daemon that wrote the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Daemon {
    /// Its instance name.
    pub instance: String,
    /// Its config hash.
    pub config_hash: String,
    /// When it last started.
    pub started_at: Timestamp,
    /// Whether the log says it is running (no stop recorded after the start).
    pub running: bool,
    /// Starts recorded.
    pub starts: u64,
}

/// Event counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Signals raised.
    pub signals: u64,
    /// Orders intended.
    pub intents: u64,
    /// Intents refused by risk checks.
    pub refused: u64,
    /// Fills applied.
    pub fills: u64,
    /// Duplicate fills ignored (same trade id).
    pub duplicate_fills: u64,
    /// Operator commands.
    pub operator_commands: u64,
}

impl State {
    /// Applies one event. Total: see the module docs. Takes the envelope by value so that ids
    /// and strings move into the state instead of being copied.
    pub fn apply(&mut self, envelope: Envelope) {
        let Envelope {
            seq,
            at,
            hash,
            event,
            ..
        } = envelope;
        match event {
            Event::DaemonStarted(e) => {
                let starts = self.daemon.as_ref().map_or(0, |d| d.starts) + 1;
                self.daemon = Some(Daemon {
                    instance: e.instance,
                    config_hash: e.config_hash,
                    started_at: at,
                    running: true,
                    starts,
                });
            }
            Event::DaemonStopped(_) => {
                if let Some(daemon) = &mut self.daemon {
                    daemon.running = false;
                }
            }
            Event::SignalRaised(_) => self.counts.signals += 1,
            Event::OrderIntended(e) => self.intend(seq, at, e),
            Event::IntentRefused(e) => {
                self.counts.refused += 1;
                if let Some(signal) = e.signal_id {
                    self.acted_signals.insert(signal);
                }
            }
            Event::OrderSubmitted(e) => self.update(seq, at, &e.client_order_id, |order| {
                order.attempts = order.attempts.max(e.attempt);
                if !order.status.is_terminal() && order.status < OrderStatus::Accepted {
                    order.status = OrderStatus::Submitted;
                }
            }),
            Event::OrderAccepted(e) => self.update(seq, at, &e.client_order_id, |order| {
                order.venue_order_id = Some(e.venue_order_id);
                if matches!(
                    order.status,
                    OrderStatus::Intended | OrderStatus::Submitted | OrderStatus::Unknown
                ) {
                    order.status = OrderStatus::Accepted;
                }
            }),
            Event::OrderRejected(e) => self.update(seq, at, &e.client_order_id, |order| {
                order.status = OrderStatus::Rejected;
                order.note = Some(e.reason);
            }),
            Event::SubmitOutcomeUnknown(e) => self.update(seq, at, &e.client_order_id, |order| {
                if matches!(order.status, OrderStatus::Intended | OrderStatus::Submitted) {
                    order.status = OrderStatus::Unknown;
                }
                order.note = Some(e.error);
            }),
            Event::OrderFilled(e) => self.fill(seq, at, e),
            Event::OrderCancelled(e) => self.update(seq, at, &e.client_order_id, |order| {
                if !order.status.is_terminal() {
                    order.status = OrderStatus::Cancelled;
                }
                order.note = Some(e.reason);
            }),
            Event::OrderExpired(e) => self.update(seq, at, &e.client_order_id, |order| {
                if !order.status.is_terminal() {
                    order.status = OrderStatus::Expired;
                }
            }),
            Event::OrderReconciled(e) => self.update(seq, at, &e.client_order_id, |order| {
                order.note = Some(format!("reconciled: found={} {}", e.found, e.detail));
            }),
            Event::OrphanOrderFound(e) => {
                self.orphans.insert(e.client_order_id);
            }
            Event::BalanceSet(e) => {
                self.balances
                    .entry(e.venue)
                    .or_default()
                    .insert(e.asset, Amount(e.amount));
            }
            Event::BreakerTransition(e) => {
                self.breakers.insert(
                    e.key,
                    Breaker {
                        state: e.to,
                        since: at,
                        forced: e.forced,
                        reason: e.reason,
                    },
                );
            }
            Event::FeedConnected(e) => self.feed(e.exchange, at, Some(true), None),
            Event::FeedDisconnected(e) => self.feed(e.exchange, at, Some(false), None),
            Event::FeedFallbackEntered(e) => self.feed(e.exchange, at, None, Some(true)),
            Event::FeedFallbackLeft(e) => self.feed(e.exchange, at, None, Some(false)),
            Event::ActorRestarted(e) => {
                let actor = self.actors.entry(e.actor).or_default();
                actor.restarts += 1;
                actor.reason = e.reason;
            }
            Event::ActorGaveUp(e) => {
                let actor = self.actors.entry(e.actor).or_default();
                actor.gave_up = true;
                actor.reason = e.reason;
            }
            Event::OperatorCommand(_) => self.counts.operator_commands += 1,
            // Who may trade is the lease's business (NATS KV), not the ledger's.
            Event::LeaseAcquired(_) | Event::LeaseLost(_) | Event::LeaseRefused(_) => {}
        }
        self.last_seq = seq;
        self.last_hash = hash;
        self.last_at = at;
    }

    /// Orders that are not terminal.
    pub fn open_orders(&self) -> impl Iterator<Item = (&ClientOrderId, &Order)> {
        self.orders.filtered(|order| !order.status.is_terminal())
    }

    /// A balance (zero if never set).
    pub fn balance(&self, venue: Venue, asset: &Asset) -> Decimal {
        self.balances
            .get(&venue)
            .and_then(|b| b.get(asset))
            .map_or(Decimal::ZERO, |a| a.0)
    }

    fn anomaly(&mut self, seq: u64, what: String) {
        self.anomalies += 1;
        self.last_anomaly = Some(format!("seq {seq}: {what}"));
    }

    fn intend(&mut self, seq: u64, at: Timestamp, e: OrderIntended) {
        self.counts.intents += 1;
        if let Some(signal) = &e.signal_id {
            self.acted_signals.insert(signal.clone());
        }
        let slot = match self.orders.entry(e.client_order_id) {
            Entry::Vacant(slot) => slot,
            Entry::Occupied(taken) => {
                let what = format!("second intent for client order id {}", taken.key());
                self.anomaly(seq, what);
                return;
            }
        };
        slot.insert(Order {
            intent_id: e.intent_id,
            signal_id: e.signal_id,
            venue: e.venue,
            market: e.market,
            side: e.side,
            kind: e.kind,
            price: e.price.map(Amount),
            quantity: Amount(e.quantity),
            time_in_force: e.time_in_force,
            status: OrderStatus::Intended,
            filled: Amount::default(),
            filled_notional: Amount::default(),
            fees: Vec::new(),
            venue_order_id: None,
            attempts: 0,
            trade_ids: Vec::new(),
            intent_seq: seq,
            intended_at: at,
            updated_at: at,
            note: None,
        });
    }

    fn update(
        &mut self,
        seq: u64,
        at: Timestamp,
        id: &ClientOrderId,
        change: impl FnOnce(&mut Order),
    ) {
        match self.orders.get_mut(id) {
            Some(order) => {
                change(order);
                order.updated_at = at;
            }
            None => self.anomaly(seq, format!("event for unknown order {id}")),
        }
    }

    fn feed(
        &mut self,
        exchange: Exchange,
        at: Timestamp,
        connected: Option<bool>,
        fallback: Option<bool>,
    ) {
        let feed = self.feeds.entry(exchange).or_insert(Feed {
            connected: false,
            fallback: false,
            since: at,
        });
        if let Some(connected) = connected {
            feed.connected = connected;
        }
        if let Some(fallback) = fallback {
            feed.fallback = fallback;
        }
        feed.since = at;
    }

    fn fill(&mut self, seq: u64, at: Timestamp, e: OrderFilled) {
        let Some(order) = self.orders.get_mut(&e.client_order_id) else {
            self.anomaly(seq, format!("fill for unknown order {}", e.client_order_id));
            return;
        };
        if order.trade_ids.contains(&e.trade_id) {
            self.counts.duplicate_fills += 1;
            return;
        }
        let venue = order.venue;
        let position = self
            .positions
            .get(&venue)
            .and_then(|p| p.get(&order.market))
            .cloned()
            .unwrap_or_default();
        let Some(effects) = FillEffects::compute(order, &e, position, self.balances.get(&venue))
        else {
            let what = format!(
                "fill {} of {} overflows a decimal",
                e.trade_id, e.client_order_id
            );
            self.anomaly(seq, what);
            return;
        };
        order.trade_ids.push(e.trade_id);
        order.filled = Amount(effects.filled);
        order.filled_notional = Amount(effects.filled_notional);
        match order.fees.iter_mut().find(|f| f.asset == e.fee_asset) {
            Some(fee) => fee.amount = Amount(effects.order_fee),
            None => order.fees.push(Fee {
                asset: e.fee_asset,
                amount: Amount(effects.order_fee),
            }),
        }
        order.updated_at = at;
        if !order.status.is_terminal() || order.status == OrderStatus::Filled {
            order.status = if effects.filled >= order.quantity.0 {
                OrderStatus::Filled
            } else {
                OrderStatus::PartiallyFilled
            };
        }
        let market = &order.market;
        let balances = self.balances.entry(venue).or_default();
        set_balance(balances, &market.base, effects.base);
        set_balance(balances, &market.quote, effects.quote);
        if let Some((asset, amount)) = effects.other {
            balances.insert(asset, Amount(amount));
        }
        let positions = self.positions.entry(venue).or_default();
        match positions.get_mut(market) {
            Some(slot) => *slot = effects.position,
            None => {
                positions.insert(market.clone(), effects.position);
            }
        }
        self.counts.fills += 1;
    }
}

/// What one fill changes, computed with checked arithmetic before anything is written.
struct FillEffects {
    filled: Decimal,
    filled_notional: Decimal,
    order_fee: Decimal,
    /// The new balance of the market's base asset.
    base: Decimal,
    /// The new balance of its quote asset.
    quote: Decimal,
    /// The new balance of the fee's asset when it is neither.
    other: Option<(Asset, Decimal)>,
    position: Position,
}

/// Sets a balance, copying the asset code only when the venue has no balance in it yet.
fn set_balance(balances: &mut BTreeMap<Asset, Amount>, asset: &Asset, amount: Decimal) {
    match balances.get_mut(asset) {
        Some(slot) => *slot = Amount(amount),
        None => {
            balances.insert(asset.clone(), Amount(amount));
        }
    }
}

impl FillEffects {
    fn compute(
        order: &Order,
        e: &OrderFilled,
        mut position: Position,
        balances: Option<&BTreeMap<Asset, Amount>>,
    ) -> Option<FillEffects> {
        let balance = |asset: &Asset| {
            balances
                .and_then(|b| b.get(asset))
                .map_or(Decimal::ZERO, |a| a.0)
        };
        let notional = e.price.checked_mul(e.quantity)?;
        let (base, quote) = (&order.market.base, &order.market.quote);
        let (base_delta, quote_delta) = match order.side {
            Side::Buy => (e.quantity, -notional),
            Side::Sell => (-e.quantity, notional),
        };
        let mut new_base = balance(base).checked_add(base_delta)?;
        let mut new_quote = balance(quote).checked_add(quote_delta)?;
        let mut other = None;
        if &e.fee_asset == base {
            new_base = new_base.checked_sub(e.fee)?;
        } else if &e.fee_asset == quote {
            new_quote = new_quote.checked_sub(e.fee)?;
        } else {
            other = Some((
                e.fee_asset.clone(),
                balance(&e.fee_asset).checked_sub(e.fee)?,
            ));
        }
        let fee_in_quote = if &e.fee_asset == base {
            e.fee.checked_mul(e.price)?
        } else if &e.fee_asset == quote {
            e.fee
        } else {
            Decimal::ZERO
        };

        // Average-cost position: adding to it moves the average, reducing it realises PnL.
        let signed = match order.side {
            Side::Buy => e.quantity,
            Side::Sell => -e.quantity,
        };
        let held = position.quantity;
        if held.is_zero() || held.is_sign_positive() == signed.is_sign_positive() {
            let total = held.abs().checked_add(e.quantity)?;
            if !total.is_zero() {
                let cost = position
                    .average_price
                    .checked_mul(held.abs())?
                    .checked_add(notional)?;
                position.average_price = cost.checked_div(total)?;
            }
            position.quantity = held.checked_add(signed)?;
        } else {
            let closed = e.quantity.min(held.abs());
            let per_unit = if held.is_sign_positive() {
                e.price.checked_sub(position.average_price)?
            } else {
                position.average_price.checked_sub(e.price)?
            };
            position.realised_pnl = position
                .realised_pnl
                .checked_add(per_unit.checked_mul(closed)?)?;
            position.quantity = held.checked_add(signed)?;
            if position.quantity.is_zero() {
                position.average_price = Decimal::ZERO;
            } else if e.quantity > closed {
                position.average_price = e.price; // flipped sides: the rest opened at this price
            }
        }
        position.fees = position.fees.checked_add(fee_in_quote)?;
        position.fills += 1;

        let order_fee = order
            .fees
            .iter()
            .find(|f| f.asset == e.fee_asset)
            .map_or(Decimal::ZERO, |f| f.amount.0)
            .checked_add(e.fee)?;
        Some(FillEffects {
            filled: order.filled.0.checked_add(e.quantity)?,
            filled_notional: order.filled_notional.0.checked_add(notional)?,
            order_fee,
            base: new_base,
            quote: new_quote,
            other,
            position,
        })
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
