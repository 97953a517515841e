//! Orders at live venues: submit, outcome unknown, resubmission by the venue's rules, and a
//! tracking task per order that polls until the order is terminal.
//!
//! The state machine (every step an event caused by the order's intent):
//! intended → submitted → accepted | rejected | unknown → partially filled → filled | cancelled |
//! expired. An unknown outcome (timeout, reset after sending, 5xx) is recorded as
//! `SubmitOutcomeUnknown`; the order is then queried by client order id with backoff. Found: its
//! acceptance and fills are recorded. Provably absent (the venue answers "no such order", or the
//! request was never sent or was rate limited): it is sent again as the venue allows — Binance
//! under the same `newClientOrderId` (attempt n+1), Upbit, whose identifiers are never reusable,
//! under a new id derived from the same intent (`<id>-<n>`): the old id is closed
//! (`OrderReconciled` found=false + `OrderRejected`) and a new `OrderIntended` with the same
//! intent id is flushed in the same chain before the new id is sent. Fills are recorded once per
//! venue trade id (the tracker remembers what it recorded; the fold deduplicates again).

use std::sync::Arc;
use std::time::Duration;

use actix::Recipient;
use premia_events::event::{
    Event, OrderAccepted, OrderCancelled, OrderExpired, OrderFilled, OrderIntended,
    OrderReconciled, OrderRejected, OrderSubmitted, RejectSource, SubmitOutcomeUnknown,
};
use premia_events::{ClientOrderId, EventId};
use rust_decimal::Decimal;

use crate::breaker::{BreakerBoard, breaker_key};
use crate::journal::Journal;
use crate::messages::{Level, Notify};
use crate::metrics::Metrics;
use crate::venue::{OrderRequest, Venue, VenueError, VenueOrder, VenueOrderState, new_fills};

/// Submits per intent, all ids together, before the order path gives up.
pub const MAX_ATTEMPTS: u32 = 4;

/// The first query after an unknown outcome waits this long, so a request still in flight lands.
const FIRST_QUERY_AFTER: Duration = Duration::from_millis(1000);

/// The longest wait between two queries of an unresolved order.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Handles the order path needs, cloned into each task.
#[derive(Clone)]
pub struct LiveContext {
    /// The client order id prefix.
    pub instance: String,
    /// The log.
    pub journal: Journal,
    /// Breakers, asked before every submit.
    pub breakers: BreakerBoard,
    /// Notifications.
    pub notify: Recipient<Notify>,
    /// Metrics.
    pub metrics: Metrics,
}

impl std::fmt::Debug for LiveContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveContext")
            .field("instance", &self.instance)
            .finish_non_exhaustive()
    }
}

/// What is known about one order while it is worked: its intent and id, and what was recorded.
#[derive(Clone, Debug)]
pub struct Tracked {
    /// The intent (its client order id is the one at the venue now).
    pub intent: OrderIntended,
    /// The event that caused this id's events (its `OrderIntended`).
    pub cause: Option<EventId>,
    /// Submits so far for this intent.
    pub attempt: u32,
    /// The price the signal saw.
    pub reference_price: Decimal,
    /// Trade ids recorded.
    pub trade_ids: Vec<String>,
    /// Quantity recorded as filled.
    pub filled: Decimal,
    /// Sum of price × quantity recorded.
    pub notional: Decimal,
    /// Fee recorded (in the fee asset of the venue's per-order fee).
    pub fee: Decimal,
    /// Whether `OrderAccepted` was recorded.
    pub accepted: bool,
    /// The last seq this order appended.
    pub last_seq: Option<u64>,
    /// When it was last sent (or, after a restart, when reconciliation began), in ns.
    pub sent_at: i64,
}

impl Tracked {
    /// The client order id now in use.
    pub fn id(&self) -> &ClientOrderId {
        &self.intent.client_order_id
    }

    fn request(&self) -> OrderRequest {
        OrderRequest {
            client_order_id: self.intent.client_order_id.clone(),
            market: self.intent.market.clone(),
            side: self.intent.side,
            kind: self.intent.kind,
            price: self.intent.price,
            quantity: self.intent.quantity,
            time_in_force: self.intent.time_in_force,
            reference_price: self.reference_price,
        }
    }
}

/// Where an order stands after a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// Terminal: nothing more to do.
    Done,
    /// Working at the venue: poll it.
    Poll,
    /// The outcome is unknown: query it.
    Resolve,
    /// Provably not at the venue: send it again (after this delay) as the venue allows.
    Resend(Duration),
}

impl LiveContext {
    async fn record(&self, tracked: &mut Tracked, event: Event) -> bool {
        match self.journal.append_applied(&event, tracked.cause).await {
            Ok(appended) => {
                tracked.last_seq = Some(appended.seq);
                true
            }
            Err(error) => {
                tracing::error!(%error, kind = %event.kind(), order = %tracked.id(), "Order event not recorded");
                false
            }
        }
    }

    fn count(&self, tracked: &Tracked, outcome: &str) {
        self.metrics
            .orders
            .with_label_values(&[tracked.intent.venue.as_str(), outcome])
            .inc();
    }

    /// Records what the venue says about an order: acceptance, new fills, a terminal state.
    pub async fn apply(&self, tracked: &mut Tracked, order: &VenueOrder) -> Next {
        if !tracked.accepted {
            let event = Event::OrderAccepted(OrderAccepted {
                client_order_id: tracked.id().clone(),
                venue_order_id: order.venue_order_id.clone(),
            });
            tracked.accepted = self.record(tracked, event).await;
        }
        for fill in fresh_fills(tracked, order) {
            let event = Event::OrderFilled(OrderFilled {
                client_order_id: tracked.id().clone(),
                trade_id: fill.trade_id.clone(),
                price: fill.price,
                quantity: fill.quantity,
                fee: fill.fee,
                fee_asset: fill.fee_asset.clone(),
            });
            if self.record(tracked, event).await {
                note_fill(tracked, fill, order.total_fee.is_some());
            }
        }
        let id = tracked.id().clone();
        let rest = tracked
            .intent
            .quantity
            .checked_sub(tracked.filled)
            .unwrap_or_default();
        match order.state {
            VenueOrderState::Open => Next::Poll,
            VenueOrderState::Filled if rest > Decimal::ZERO => {
                // Done at the venue short of the intent's quantity (an Upbit market buy is
                // sized in KRW): close it, so the log does not keep it open.
                self.count(tracked, "partially_filled");
                let reason = format!(
                    "{} at the venue with {} of {} filled; the rest will not fill",
                    order.raw_state,
                    tracked.filled.normalize(),
                    tracked.intent.quantity.normalize()
                );
                let event = Event::OrderCancelled(OrderCancelled {
                    client_order_id: id,
                    reason,
                });
                self.record(tracked, event).await;
                Next::Done
            }
            VenueOrderState::Filled => {
                self.count(tracked, "filled");
                self.notify.do_send(Notify {
                    level: Level::Info,
                    topic: "order_filled".into(),
                    text: format!(
                        "{} {} {} on {} {} ({id})",
                        tracked.intent.side,
                        tracked.filled.normalize(),
                        tracked.intent.market.base,
                        tracked.intent.venue,
                        tracked.intent.market,
                    ),
                });
                Next::Done
            }
            VenueOrderState::Cancelled | VenueOrderState::Rejected => {
                self.count(tracked, "cancelled");
                let reason = format!(
                    "{} at the venue; {} unfilled",
                    order.raw_state,
                    rest.normalize()
                );
                let event = Event::OrderCancelled(OrderCancelled {
                    client_order_id: id,
                    reason,
                });
                self.record(tracked, event).await;
                Next::Done
            }
            VenueOrderState::Expired => {
                self.count(tracked, "expired");
                let event = Event::OrderExpired(OrderExpired {
                    client_order_id: id,
                });
                self.record(tracked, event).await;
                Next::Done
            }
        }
    }

    async fn reject(&self, tracked: &mut Tracked, source: RejectSource, reason: String) -> Next {
        self.count(tracked, "rejected");
        self.notify.do_send(Notify {
            level: Level::Error,
            topic: "order_rejected".into(),
            text: format!(
                "{} {} {} on {} rejected: {reason}",
                tracked.id(),
                tracked.intent.side,
                tracked.intent.market,
                tracked.intent.venue
            ),
        });
        let event = Event::OrderRejected(OrderRejected {
            client_order_id: tracked.id().clone(),
            source,
            reason,
        });
        self.record(tracked, event).await;
        Next::Done
    }

    /// One submit of `tracked` (its current id and attempt + 1), the breaker asked first.
    pub async fn submit(&self, venue: &Arc<dyn Venue>, tracked: &mut Tracked) -> Next {
        let key = breaker_key(tracked.intent.venue, "order");
        let now = self.journal.clock().now();
        let (permit, transition) = self.breakers.permit(&key, now);
        if let Some(t) = transition {
            self.journal.emit(&Event::BreakerTransition(t), None);
        }
        if let crate::breaker::Permit::Refused(why) = permit {
            let reason = format!("breaker {key} refused the submit: {why}");
            return self.reject(tracked, RejectSource::Breaker, reason).await;
        }
        tracked.attempt = tracked.attempt.saturating_add(1);
        tracked.sent_at = self.journal.clock().now().nanos();
        let event = Event::OrderSubmitted(OrderSubmitted {
            client_order_id: tracked.id().clone(),
            attempt: tracked.attempt,
        });
        // Durable before the venue hears of it, so the log names every attempt a venue may
        // hold, even after kill -9 (one more group-committed flush per submit).
        match self.journal.append(&event, tracked.cause).await {
            Ok(appended) => tracked.last_seq = Some(appended.seq),
            Err(error) => {
                tracing::error!(%error, order = %tracked.id(), "Submit not recorded: not sent");
                return Next::Resolve;
            }
        }
        let result = venue.submit(&tracked.request()).await;
        let now = self.journal.clock().now();
        if let Some(t) = self.breakers.report(&key, now, result.as_ref().map(|_| ())) {
            self.journal.emit(&Event::BreakerTransition(t), None);
        }
        match result {
            Ok(order) => self.apply(tracked, &order).await,
            Err(error) => self.submit_failed(tracked, error).await,
        }
    }

    async fn submit_failed(&self, tracked: &mut Tracked, error: VenueError) -> Next {
        match error {
            VenueError::NotSent { .. } | VenueError::RateLimited { .. } => {
                tracing::warn!(order = %tracked.id(), %error, "Submit not taken; sending again after a pause");
                Next::Resend(error.retry_after().unwrap_or(Duration::from_secs(1)))
            }
            VenueError::Rejected {
                ref code,
                ref message,
                ..
            } if is_duplicate(code, message) => {
                // The venue already has this id: a previous send got through. Find it.
                self.unknown(tracked, error.to_string()).await
            }
            VenueError::InvalidKeys { .. } => {
                self.notify.do_send(Notify {
                    level: Level::Critical,
                    topic: "venue_keys".into(),
                    text: error.to_string(),
                });
                self.reject(tracked, RejectSource::Venue, error.to_string())
                    .await
            }
            VenueError::Rejected { .. } | VenueError::NotFound { .. } => {
                self.reject(tracked, RejectSource::Venue, error.to_string())
                    .await
            }
            VenueError::OutcomeUnknown { .. } | VenueError::Protocol { .. } => {
                self.unknown(tracked, error.to_string()).await
            }
        }
    }

    async fn unknown(&self, tracked: &mut Tracked, error: String) -> Next {
        self.count(tracked, "unknown");
        tracing::warn!(order = %tracked.id(), %error, "Submit outcome unknown; querying the venue");
        let event = Event::SubmitOutcomeUnknown(SubmitOutcomeUnknown {
            client_order_id: tracked.id().clone(),
            error,
        });
        self.record(tracked, event).await;
        Next::Resolve
    }

    /// Sends an order that is provably not at the venue again, as the venue's rules allow.
    pub async fn resend(&self, venue: &Arc<dyn Venue>, tracked: &mut Tracked, why: &str) -> Next {
        if tracked.attempt >= MAX_ATTEMPTS {
            let reason = format!("not placed after {} attempts: {why}", tracked.attempt);
            return self.reject(tracked, RejectSource::Venue, reason).await;
        }
        if !venue.rules().reuse_client_order_id {
            let next = tracked
                .attempt
                .max(super::attempt_of(tracked.id()))
                .saturating_add(1);
            let Some(new_id) =
                super::client_order_id(&self.instance, &tracked.intent.intent_id, next)
            else {
                return self
                    .reject(
                        tracked,
                        RejectSource::Venue,
                        "cannot derive a new id".into(),
                    )
                    .await;
            };
            let old = tracked.id().clone();
            let mut intent = tracked.intent.clone();
            intent.client_order_id = new_id.clone();
            let chain = [
                Event::OrderReconciled(OrderReconciled {
                    client_order_id: old.clone(),
                    found: false,
                    detail: format!("not at {}: {why}", venue.name()),
                }),
                Event::OrderRejected(OrderRejected {
                    client_order_id: old.clone(),
                    source: RejectSource::Venue,
                    reason: format!(
                        "never placed; {} ids are not reusable, so the intent goes on as {new_id}",
                        venue.name()
                    ),
                }),
                Event::OrderIntended(intent.clone()),
            ];
            // Flushed before the new id is sent, like every intent.
            match self.journal.append_chain(&chain, tracked.cause).await {
                Ok(appended) => {
                    tracked.last_seq = appended.last().map(|a| a.seq);
                    tracked.cause = appended.last().map(|a| a.id);
                }
                Err(error) => {
                    tracing::error!(%error, order = %old, "Resubmission not recorded: not sent");
                    return Next::Done;
                }
            }
            tracing::info!(order = %old, new = %new_id, "Order not at the venue; sending it under a new id");
            tracked.intent = intent;
            tracked.accepted = false;
        } else {
            let event = Event::OrderReconciled(OrderReconciled {
                client_order_id: tracked.id().clone(),
                found: false,
                detail: format!(
                    "not at {}: {why}; sending it again under the same id",
                    venue.name()
                ),
            });
            self.record(tracked, event).await;
        }
        self.submit(venue, tracked).await
    }

    /// Whether the order was last sent long enough ago for "not found" to mean absent.
    fn long_enough(&self, venue: &Arc<dyn Venue>, tracked: &Tracked) -> bool {
        let waited = self
            .journal
            .clock()
            .now()
            .nanos()
            .saturating_sub(tracked.sent_at);
        let needed = i64::try_from(venue.rules().absent_after.as_nanos()).unwrap_or(i64::MAX);
        waited >= needed
    }

    /// Works an order until it is terminal: polls it, resolves an unknown outcome, resends it
    /// when provably absent. Runs as its own task; never blocks the order manager.
    pub async fn track(self, venue: Arc<dyn Venue>, mut tracked: Tracked, mut next: Next) {
        let poll = venue.rules().poll_every;
        let mut backoff = FIRST_QUERY_AFTER;
        loop {
            let delay = match &next {
                Next::Done => return,
                Next::Poll => poll,
                Next::Resolve => backoff,
                Next::Resend(after) => {
                    tokio::time::sleep(*after).await;
                    next = self
                        .resend(&venue, &mut tracked, "the submit was not taken")
                        .await;
                    continue;
                }
            };
            tokio::time::sleep(delay).await;
            match venue
                .query(tracked.id().as_str(), &tracked.intent.market)
                .await
            {
                Ok(order) => {
                    backoff = FIRST_QUERY_AFTER;
                    if next == Next::Resolve {
                        let event = Event::OrderReconciled(OrderReconciled {
                            client_order_id: tracked.id().clone(),
                            found: true,
                            detail: format!(
                                "{} at {} after an unknown outcome",
                                order.raw_state,
                                venue.name()
                            ),
                        });
                        self.record(&mut tracked, event).await;
                    }
                    next = self.apply(&mut tracked, &order).await;
                }
                Err(VenueError::NotFound { .. })
                    if (next == Next::Resolve || !tracked.accepted)
                        && !self.long_enough(&venue, &tracked) =>
                {
                    // Not there yet: a request may still be queued at the venue. Ask again.
                    next = Next::Resolve;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
                Err(VenueError::NotFound { .. }) if next == Next::Resolve || !tracked.accepted => {
                    next = self
                        .resend(&venue, &mut tracked, "the venue has no order with this id")
                        .await;
                }
                Err(error) => {
                    tracing::warn!(order = %tracked.id(), %error, "Order query failed; backing off");
                    let wait = error.retry_after().unwrap_or(backoff);
                    backoff = (wait * 2).min(MAX_BACKOFF);
                    if next == Next::Poll {
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        }
    }
}

/// The fills of a venue's view of an order that are not recorded yet (pure).
pub fn fresh_fills(tracked: &Tracked, order: &VenueOrder) -> Vec<crate::venue::VenueFill> {
    let mut fresh = new_fills(order, &tracked.trade_ids, tracked.fee);
    if let Some(fill) = cumulative_fill(tracked, order) {
        fresh.push(fill);
    }
    fresh
}

/// Notes a recorded fill in what the order path knows (pure).
pub fn note_fill(tracked: &mut Tracked, fill: crate::venue::VenueFill, per_order_fee: bool) {
    tracked.filled = tracked
        .filled
        .checked_add(fill.quantity)
        .unwrap_or(tracked.filled);
    let notional = fill.price.checked_mul(fill.quantity).unwrap_or_default();
    tracked.notional = tracked
        .notional
        .checked_add(notional)
        .unwrap_or(tracked.notional);
    if per_order_fee {
        tracked.fee = tracked.fee.checked_add(fill.fee).unwrap_or(tracked.fee);
    }
    tracked.trade_ids.push(fill.trade_id);
}

/// The fill a venue without a fill list implies: its cumulative quantity less what is recorded.
fn cumulative_fill(tracked: &Tracked, order: &VenueOrder) -> Option<crate::venue::VenueFill> {
    let (executed, quote) = order.cumulative?;
    let quantity = executed.checked_sub(tracked.filled)?;
    if quantity <= Decimal::ZERO {
        return None;
    }
    let fallback = tracked.intent.price.unwrap_or(tracked.reference_price);
    let price = quote
        .and_then(|q| q.checked_sub(tracked.notional))
        .and_then(|q| q.checked_div(quantity))
        .filter(|p| *p > Decimal::ZERO)
        .unwrap_or(fallback);
    let fee = order
        .total_fee
        .and_then(|t| t.checked_sub(tracked.fee))
        .filter(|f| *f > Decimal::ZERO)
        .unwrap_or_default();
    Some(crate::venue::VenueFill {
        trade_id: format!("{}:cum:{}", order.venue_order_id, executed.normalize()),
        price,
        quantity,
        fee,
        fee_asset: tracked.intent.market.quote.clone(),
    })
}

/// Whether a venue's refusal says the client order id is already taken.
pub fn is_duplicate(code: &str, message: &str) -> bool {
    let text = format!("{code} {message}").to_ascii_lowercase();
    code == "-2010" && text.contains("duplicate")
        || text.contains("duplicate") && (text.contains("identifier") || text.contains("order"))
}

/// Steps 3 to 5 of the order path for a live venue: the intent chain flushed, then the submit;
/// an order that is not terminal goes on in its own tracking task. Returns the last seq appended.
pub async fn execute(
    ctx: LiveContext,
    venue: Arc<dyn Venue>,
    events: Vec<Event>,
    intent: OrderIntended,
    reference_price: Decimal,
) -> Option<u64> {
    let appended = match ctx.journal.append_chain(&events, None).await {
        Ok(appended) => appended,
        Err(error) => {
            tracing::error!(%error, order = %intent.client_order_id, "Intent not recorded: the order is not sent");
            return None;
        }
    };
    let mut tracked = Tracked {
        intent,
        cause: appended.last().map(|a| a.id),
        attempt: 0,
        reference_price,
        trade_ids: Vec::new(),
        filled: Decimal::ZERO,
        notional: Decimal::ZERO,
        fee: Decimal::ZERO,
        accepted: false,
        last_seq: appended.last().map(|a| a.seq),
        sent_at: ctx.journal.clock().now().nanos(),
    };
    let next = ctx.submit(&venue, &mut tracked).await;
    let last = tracked.last_seq;
    if next != Next::Done {
        actix::spawn(ctx.track(venue, tracked, next));
    }
    last
}

#[cfg(test)]
#[path = "live_tests.rs"]
mod tests;
