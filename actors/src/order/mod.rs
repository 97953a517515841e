//! The order manager: turns signals into orders without ever doubling one.
//!
//! For each signal, in order (handlers are `AtomicResponse`, so one order's steps never
//! interleave with another's):
//!
//! 1. a signal id already acted on (in the ledger, or by this manager since) is dropped;
//! 2. risk checks run against the ledger's balances; a refusal is recorded with the signal
//!    (`SignalRaised` → `IntentRefused`) and nothing is sent;
//! 3. the signal and its `OrderIntended` are appended as one chain and **flushed** before the
//!    venue hears of the order; the client order id derives from the intent id;
//! 4. the venue's breaker is asked; an open breaker is an `OrderRejected` naming it;
//! 5. `OrderSubmitted`, the venue call, then `OrderAccepted`, one `OrderFilled` per fill and
//!    `OrderCancelled` for an unfilled rest, or `OrderRejected`: each caused by the intent.
//!
//! At start, orders the log left non-terminal on the paper venue are closed as cancelled: the
//! paper venue keeps nothing across restarts, so they are not working anywhere.

pub mod live;
pub mod paper;
pub mod reconcile;
pub mod risk;

use std::collections::VecDeque;

use actix::{
    Actor, ActorFutureExt, Addr, AsyncContext, AtomicResponse, Context, Handler, Message,
    Recipient, Supervised, WrapFuture,
};
use premia_events::event::{
    Event, IntentRefused, OrderAccepted, OrderCancelled, OrderFilled, OrderIntended, OrderRejected,
    OrderSubmitted, RejectSource, SignalRaised,
};
use premia_events::{ClientOrderId, EventId, IntentId, OrderKind, SignalId, TimeInForce, Venue};
use sha2::{Digest, Sha256};

use crate::breaker::{BreakerBoard, Permit, breaker_key};
use crate::journal::Journal;
use crate::messages::{Drain, Level, MarketUpdate, Notify, SignalFired};
use crate::metrics::Metrics;
use paper::{PaperOrder, PaperOutcome, PaperVenue};
use risk::{Proposal, RiskChecks};

/// The client order id of an intent: `<instance>-<16 hex of SHA-256(intent id)>`, plus `-<n>`
/// for the n-th resubmission (n > 1). Deterministic, at most 36 characters, and it carries the
/// instance prefix, so orphans at a venue can be recognised as this instance's.
pub fn client_order_id(instance: &str, intent: &IntentId, attempt: u32) -> Option<ClientOrderId> {
    let digest = Sha256::digest(intent.as_str().as_bytes());
    let short: String = hex::encode(digest).chars().take(16).collect();
    let text = if attempt > 1 {
        format!("{instance}-{short}-{attempt}")
    } else {
        format!("{instance}-{short}")
    };
    ClientOrderId::new(text).ok()
}

/// The attempt a client order id was made for: `<instance>-<hex>` is 1, `<instance>-<hex>-<n>`
/// is n. After a restart this is the least number of sends the id stands for, even if the log
/// lost its `OrderSubmitted`.
pub fn attempt_of(id: &ClientOrderId) -> u32 {
    id.as_str()
        .split('-')
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

/// The intent id of a signal acted on at a venue.
pub fn intent_id(signal: &SignalId, venue: Venue) -> Option<IntentId> {
    IntentId::new(format!("{signal}/{venue}")).ok()
}

/// Sends an order to the paper venue.
#[derive(Debug, Message)]
#[rtype(result = "PaperOutcome")]
pub struct Submit(pub PaperOrder);

/// The paper venue's actor shell: keeps books from the feeds and fills orders.
#[derive(Debug)]
pub struct PaperVenueActor {
    venue: PaperVenue,
    journal: Journal,
}

impl PaperVenueActor {
    /// A shell around `venue`.
    pub fn new(venue: PaperVenue, journal: Journal) -> PaperVenueActor {
        PaperVenueActor { venue, journal }
    }
}

impl Actor for PaperVenueActor {
    type Context = Context<Self>;
}

impl Supervised for PaperVenueActor {}

impl Handler<MarketUpdate> for PaperVenueActor {
    type Result = ();

    fn handle(&mut self, update: MarketUpdate, _: &mut Context<Self>) {
        if let premia_events::marketdata::MarketData::Book(book) = update.0.as_ref() {
            self.venue.update_book(book.clone());
        }
    }
}

impl Handler<Submit> for PaperVenueActor {
    type Result = actix::MessageResult<Submit>;

    fn handle(&mut self, Submit(order): Submit, _: &mut Context<Self>) -> Self::Result {
        actix::MessageResult(self.venue.execute(&order, self.journal.clock().now()))
    }
}

/// The order manager actor.
#[derive(Debug)]
pub struct OrderManager {
    instance: String,
    journal: Journal,
    risk: RiskChecks,
    breakers: BreakerBoard,
    paper: Addr<PaperVenueActor>,
    notify: Recipient<Notify>,
    metrics: Metrics,
    /// Signals acted on since the ledger last caught up (read-your-writes without waiting).
    acted: VecDeque<SignalId>,
    /// The last seq this manager appended.
    last_seq: u64,
    draining: bool,
    /// Live venues (empty: paper only).
    live: reconcile::LiveVenues,
}

impl OrderManager {
    /// A manager for `instance` (the client order id prefix).
    pub fn new(
        instance: String,
        journal: Journal,
        risk: RiskChecks,
        breakers: BreakerBoard,
        paper: Addr<PaperVenueActor>,
        notify: Recipient<Notify>,
        metrics: Metrics,
    ) -> OrderManager {
        OrderManager {
            instance,
            journal,
            risk,
            breakers,
            paper,
            notify,
            metrics,
            acted: VecDeque::new(),
            last_seq: 0,
            draining: false,
            live: reconcile::LiveVenues::new(),
        }
    }

    /// Trades on these live venues too; their open orders are reconciled at start.
    pub fn with_live_venues(mut self, live: reconcile::LiveVenues) -> OrderManager {
        self.live = live;
        self
    }

    fn live_context(&self) -> live::LiveContext {
        live::LiveContext {
            instance: self.instance.clone(),
            journal: self.journal.clone(),
            breakers: self.breakers.clone(),
            notify: self.notify.clone(),
            metrics: self.metrics.clone(),
        }
    }

    fn remember(&mut self, signal: &SignalId) {
        self.acted.push_back(signal.clone());
        if self.acted.len() > 1024 {
            self.acted.pop_front();
        }
    }
}

impl Actor for OrderManager {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        // Live orders the log left open are reconciled with their venues, and orphans looked
        // for, before any new signal is handled (`wait` holds the mailbox).
        if !self.live.is_empty() {
            let reconciled = reconcile::reconcile(self.live_context(), self.live.clone());
            ctx.wait(reconciled.into_actor(self));
        }
        // Close paper orders a previous run left open, before any new signal is handled.
        let journal = self.journal.clone();
        let stale: Vec<ClientOrderId> = journal
            .ledger()
            .read(|s| {
                s.open_orders()
                    .filter(|(_, o)| o.venue == Venue::Paper)
                    .map(|(id, _)| id.clone())
                    .collect()
            })
            .unwrap_or_default();
        if stale.is_empty() {
            return;
        }
        ctx.wait(
            async move {
                for id in stale {
                    let event = Event::OrderCancelled(OrderCancelled {
                        client_order_id: id.clone(),
                        reason: "paper venue restarted: the order is not working anywhere".into(),
                    });
                    if let Err(error) = journal.append(&event, None).await {
                        tracing::error!(%error, order = %id, "Could not close a stale paper order");
                    }
                }
            }
            .into_actor(self),
        );
    }
}

impl Supervised for OrderManager {}

impl Handler<Drain> for OrderManager {
    type Result = ();

    fn handle(&mut self, _: Drain, _: &mut Context<Self>) {
        self.draining = true;
    }
}

/// An order ready to go: the events to record first, the venue order, the intent.
struct Planned {
    events: Vec<Event>,
    /// The price the signal saw.
    reference_price: rust_decimal::Decimal,
    order: PaperOrder,
    intent: OrderIntended,
}

/// What one signal led to, computed synchronously before any await.
enum Plan {
    Skip,
    Refuse(Vec<Event>),
    Order(Box<Planned>),
}

impl Handler<SignalFired> for OrderManager {
    type Result = AtomicResponse<Self, ()>;

    fn handle(&mut self, fired: SignalFired, _: &mut Context<Self>) -> Self::Result {
        let plan = self.plan(&fired);
        let journal = self.journal.clone();
        let breakers = self.breakers.clone();
        let paper = self.paper.clone();
        let notify = self.notify.clone();
        let metrics = self.metrics.clone();
        let wait_for = self.last_seq;
        let live = match &plan {
            Plan::Order(planned) => self
                .live
                .get(&planned.intent.venue)
                .map(|l| (l.venue.clone(), self.live_context())),
            _ => None,
        };
        let fut = async move {
            journal.caught_up(wait_for).await;
            match plan {
                Plan::Skip => None,
                Plan::Refuse(events) => {
                    metrics.orders.with_label_values(&["-", "refused"]).inc();
                    match journal.append_chain(&events, None).await {
                        Ok(appended) => appended.last().map(|a| a.seq),
                        Err(error) => {
                            tracing::error!(%error, "Refusal not recorded");
                            None
                        }
                    }
                }
                Plan::Order(planned) => {
                    let Planned {
                        events,
                        reference_price,
                        order,
                        intent,
                    } = *planned;
                    if let Some((venue, ctx)) = live {
                        return live::execute(ctx, venue, events, intent, reference_price).await;
                    }
                    if intent.venue.is_live() {
                        // Config validation prevents this; never trade a live intent on paper.
                        tracing::error!(venue = %intent.venue, "No client for this live venue: the signal is dropped");
                        return None;
                    }
                    execute(
                        journal, breakers, paper, notify, metrics, events, order, intent,
                    )
                    .await
                }
            }
        };
        AtomicResponse::new(Box::pin(fut.into_actor(self).map(|last, this, _| {
            if let Some(seq) = last {
                this.last_seq = this.last_seq.max(seq);
            }
        })))
    }
}

impl OrderManager {
    fn plan(&mut self, fired: &SignalFired) -> Plan {
        let signal: &SignalRaised = &fired.signal;
        if self.draining {
            return Plan::Skip;
        }
        let id = &signal.signal_id;
        let known = self.acted.contains(id)
            || self
                .journal
                .ledger()
                .read(|s| s.acted_signals.contains(id))
                .unwrap_or(false);
        if known {
            tracing::debug!(signal = %id, "Signal already acted on");
            return Plan::Skip;
        }
        self.remember(id);
        let spec = &fired.order;
        let market = &signal.market;
        let (base, quote) = self
            .journal
            .ledger()
            .read(|s| {
                (
                    s.balance(spec.venue, &market.base),
                    s.balance(spec.venue, &market.quote),
                )
            })
            .unwrap_or_default();
        let proposal = Proposal {
            exchange: spec.exchange,
            market: market.clone(),
            side: signal.side,
            quantity: spec.quantity,
            price: signal.price,
        };
        let raised = Event::SignalRaised(signal.clone());
        if let Err(refusal) = self
            .risk
            .check(&proposal, base, quote, self.journal.clock().now())
        {
            tracing::info!(signal = %id, check = refusal.check, reason = %refusal.reason, "Intent refused by a risk check");
            return Plan::Refuse(vec![
                raised,
                Event::IntentRefused(IntentRefused {
                    signal_id: Some(id.clone()),
                    venue: spec.venue,
                    market: market.clone(),
                    side: signal.side,
                    check: refusal.check.into(),
                    reason: refusal.reason,
                }),
            ]);
        }
        let (Some(intent_id), Some(coid)) = (
            intent_id(id, spec.venue),
            intent_id(id, spec.venue).and_then(|i| client_order_id(&self.instance, &i, 1)),
        ) else {
            tracing::error!(signal = %id, "Cannot derive ids for this signal");
            return Plan::Skip;
        };
        let intent = OrderIntended {
            intent_id,
            client_order_id: coid.clone(),
            signal_id: Some(id.clone()),
            venue: spec.venue,
            market: market.clone(),
            side: signal.side,
            kind: spec.kind,
            price: (spec.kind == OrderKind::Limit).then_some(signal.price),
            quantity: spec.quantity,
            time_in_force: if spec.kind == OrderKind::Limit {
                TimeInForce::Ioc
            } else {
                TimeInForce::Gtc
            },
        };
        let order = PaperOrder {
            client_order_id: coid,
            exchange: spec.exchange,
            market: market.clone(),
            side: signal.side,
            kind: spec.kind,
            limit: intent.price,
            quantity: spec.quantity,
        };
        Plan::Order(Box::new(Planned {
            events: vec![raised, Event::OrderIntended(intent.clone())],
            reference_price: signal.price,
            order,
            intent,
        }))
    }
}

/// Steps 3 to 5 for one order; returns the last seq appended.
#[allow(
    clippy::too_many_arguments,
    reason = "the handler's captured handles, passed once"
)]
async fn execute(
    journal: Journal,
    breakers: BreakerBoard,
    paper: Addr<PaperVenueActor>,
    notify: Recipient<Notify>,
    metrics: Metrics,
    events: Vec<Event>,
    order: PaperOrder,
    intent: OrderIntended,
) -> Option<u64> {
    let venue = intent.venue.as_str();
    let coid = intent.client_order_id.clone();
    // The intent is durable before the venue hears of the order.
    let appended = match journal.append_chain(&events, None).await {
        Ok(appended) => appended,
        Err(error) => {
            tracing::error!(%error, order = %coid, "Intent not recorded: the order is not sent");
            return None;
        }
    };
    let intent_event: EventId = appended.last()?.id;
    let mut last = appended.last().map(|a| a.seq);
    let record = |event: Event| {
        let journal = journal.clone();
        async move {
            match journal.append_applied(&event, Some(intent_event)).await {
                Ok(a) => Some(a.seq),
                Err(error) => {
                    tracing::error!(%error, kind = %event.kind(), "Order event not recorded");
                    None
                }
            }
        }
    };
    let key = breaker_key(intent.venue, "order");
    let now = journal.clock().now();
    let (permit, transition) = breakers.permit(&key, now);
    if let Some(t) = transition {
        journal.emit(&Event::BreakerTransition(t), None);
    }
    if let Permit::Refused(why) = permit {
        metrics.orders.with_label_values(&[venue, "rejected"]).inc();
        let reason = format!("breaker {key} refused the submit: {why}");
        notify.do_send(Notify {
            level: Level::Error,
            topic: "order_rejected".into(),
            text: format!("{coid} rejected: {reason}"),
        });
        return record(Event::OrderRejected(OrderRejected {
            client_order_id: coid,
            source: RejectSource::Breaker,
            reason,
        }))
        .await
        .or(last);
    }
    last = record(Event::OrderSubmitted(OrderSubmitted {
        client_order_id: coid.clone(),
        attempt: 1,
    }))
    .await
    .or(last);
    let outcome = match paper.send(Submit(order)).await {
        Ok(outcome) => outcome,
        Err(error) => {
            // The paper venue's mailbox is gone: its outcome is unknown to us.
            if let Some(t) = breakers.failure(&key, journal.clock().now(), &error.to_string()) {
                journal.emit(&Event::BreakerTransition(t), None);
            }
            metrics.orders.with_label_values(&[venue, "unknown"]).inc();
            let event = Event::SubmitOutcomeUnknown(premia_events::event::SubmitOutcomeUnknown {
                client_order_id: coid,
                error: error.to_string(),
            });
            return record(event).await.or(last);
        }
    };
    if let Some(t) = breakers.success(&key) {
        journal.emit(&Event::BreakerTransition(t), None);
    }
    match outcome {
        PaperOutcome::Rejected(reason) => {
            metrics.orders.with_label_values(&[venue, "rejected"]).inc();
            notify.do_send(Notify {
                level: Level::Error,
                topic: "order_rejected".into(),
                text: format!(
                    "{coid} {} {} rejected: {reason}",
                    intent.side, intent.market
                ),
            });
            record(Event::OrderRejected(OrderRejected {
                client_order_id: coid,
                source: RejectSource::Venue,
                reason,
            }))
            .await
            .or(last)
        }
        PaperOutcome::Filled {
            venue_order_id,
            fills,
            unfilled,
        } => {
            last = record(Event::OrderAccepted(OrderAccepted {
                client_order_id: coid.clone(),
                venue_order_id,
            }))
            .await
            .or(last);
            let mut filled = rust_decimal::Decimal::ZERO;
            let mut notional = rust_decimal::Decimal::ZERO;
            for fill in fills {
                filled += fill.quantity;
                notional += fill.price * fill.quantity;
                last = record(Event::OrderFilled(OrderFilled {
                    client_order_id: coid.clone(),
                    trade_id: fill.trade_id,
                    price: fill.price,
                    quantity: fill.quantity,
                    fee: fill.fee,
                    fee_asset: fill.fee_asset,
                }))
                .await
                .or(last);
            }
            let outcome = if unfilled > rust_decimal::Decimal::ZERO {
                "partially_filled"
            } else {
                "filled"
            };
            metrics.orders.with_label_values(&[venue, outcome]).inc();
            if unfilled > rust_decimal::Decimal::ZERO {
                last = record(Event::OrderCancelled(OrderCancelled {
                    client_order_id: coid.clone(),
                    reason: format!("{unfilled} unfilled: immediate-or-cancel"),
                }))
                .await
                .or(last);
            }
            let average = if filled.is_zero() {
                notional
            } else {
                (notional / filled).round_dp(8).normalize()
            };
            notify.do_send(Notify {
                level: Level::Info,
                topic: "order_filled".into(),
                text: format!(
                    "{} {} {} on {} at {} {} ({}, {coid})",
                    if intent.side == premia_events::Side::Buy {
                        "bought"
                    } else {
                        "sold"
                    },
                    filled.normalize(),
                    intent.market.base,
                    intent.market,
                    average,
                    intent.market.quote,
                    intent.venue
                ),
            });
            last
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_order_ids_are_deterministic_prefixed_and_short() {
        let intent = IntentId::new("dip/rule/BTC-KRW/buy/29333333/paper").unwrap();
        let first = client_order_id("pm", &intent, 1).unwrap();
        assert_eq!(first, client_order_id("pm", &intent, 1).unwrap());
        assert!(first.as_str().starts_with("pm-"));
        assert_eq!(first.as_str().len(), 3 + 16);
        let retry = client_order_id("pm", &intent, 2).unwrap();
        assert_eq!(retry.as_str(), format!("{first}-2"));
        assert_eq!(attempt_of(&first), 1, "TC0: the first id");
        assert_eq!(attempt_of(&retry), 2, "TC1: a resubmission's id");
        let long = client_order_id("abcdefghijkl", &intent, 12).unwrap();
        assert!(long.as_str().len() <= ClientOrderId::MAX_LEN);
        assert_ne!(
            client_order_id("pm", &IntentId::new("other/paper").unwrap(), 1),
            Some(first)
        );
    }
}
