//! On start, before any new intent: every order the log left non-terminal at a live venue is
//! looked up there by client order id, and what happened while premia was down (acceptance,
//! fills, cancels) is recorded; then the venue's open and recent orders are listed, and any
//! whose client id carries this instance's prefix but that the log does not know is recorded as
//! an orphan with a CRITICAL notification. Orphans are never adopted.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use premia_events::event::{
    Event, OrderCancelled, OrderIntended, OrderReconciled, OrphanOrderFound,
};
use premia_events::{EventId, Market, Venue as VenueName};
use premia_snapshots::state::Order;
use rust_decimal::Decimal;

use super::live::{LiveContext, Next, Tracked};
use crate::messages::{Level, Notify};
use crate::venue::{Venue, VenueError};

/// An intent older than this that never reached its venue is not sent after a restart: the
/// market it was meant for has moved on. It is closed as cancelled, saying why.
pub const RESEND_WINDOW: Duration = Duration::from_secs(120);

/// A live venue the order manager trades on, with the markets its rules use.
#[derive(Clone, Debug)]
pub struct LiveVenue {
    /// The client.
    pub venue: Arc<dyn Venue>,
    /// Markets to scan for orphans.
    pub markets: Vec<Market>,
}

/// Live venues by name.
pub type LiveVenues = BTreeMap<VenueName, LiveVenue>;

/// Rebuilds what the order path knows about an order from the folded state (`now` in ns).
pub fn tracked_from_state(
    id: &premia_events::ClientOrderId,
    order: &Order,
    log_id: Option<u64>,
    now: i64,
) -> Tracked {
    let quote = &order.market.quote;
    let fee = order
        .fees
        .iter()
        .filter(|f| &f.asset == quote)
        .map(|f| f.amount.0)
        .sum::<Decimal>();
    let reference_price = match (order.price, order.filled.0.is_zero()) {
        (Some(price), _) => price.0,
        (None, false) => order
            .filled_notional
            .0
            .checked_div(order.filled.0)
            .unwrap_or_default(),
        (None, true) => Decimal::ZERO,
    };
    Tracked {
        intent: OrderIntended {
            intent_id: order.intent_id.clone(),
            client_order_id: id.clone(),
            signal_id: order.signal_id.clone(),
            venue: order.venue,
            market: order.market.clone(),
            side: order.side,
            kind: order.kind,
            price: order.price.map(|p| p.0),
            quantity: order.quantity.0,
            time_in_force: order.time_in_force,
        },
        cause: log_id.map(|log| EventId {
            log,
            seq: order.intent_seq,
        }),
        attempt: order.attempts.max(super::attempt_of(id)),
        reference_price,
        trade_ids: order.trade_ids.clone(),
        filled: order.filled.0,
        notional: order.filled_notional.0,
        fee,
        accepted: order.venue_order_id.is_some(),
        last_seq: None,
        // A send the log did not record may have happened up to the moment the last process
        // died: count from now.
        sent_at: now,
    }
}

/// Reconciles every non-terminal live order, then looks for orphans. Orders still working, or
/// whose venue could not be asked, are handed to tracking tasks.
pub async fn reconcile(ctx: LiveContext, venues: LiveVenues) {
    let log_id = ctx.journal.log().reader().log_id().ok().flatten();
    let now = ctx.journal.clock().now().nanos();
    let open: Vec<Tracked> = ctx
        .journal
        .ledger()
        .read(|s| {
            s.open_orders()
                .filter(|(_, o)| venues.contains_key(&o.venue))
                .map(|(id, o)| tracked_from_state(id, o, log_id, now))
                .collect()
        })
        .unwrap_or_default();
    let ages: BTreeMap<String, i64> = ctx
        .journal
        .ledger()
        .read(|s| {
            s.open_orders()
                .map(|(id, o)| (id.to_string(), o.intended_at.nanos()))
                .collect()
        })
        .unwrap_or_default();
    if !open.is_empty() {
        tracing::info!(orders = open.len(), "Reconciling orders the log left open");
    }
    for mut tracked in open {
        let Some(live) = venues.get(&tracked.intent.venue) else {
            continue;
        };
        let venue = live.venue.clone();
        let next = match venue
            .query(tracked.id().as_str(), &tracked.intent.market)
            .await
        {
            Ok(order) => {
                let detail = format!(
                    "{} at {} after a restart, {} fill(s)",
                    order.raw_state,
                    venue.name(),
                    order.fills.len()
                );
                record(&ctx, &mut tracked, true, detail).await;
                ctx.apply(&mut tracked, &order).await
            }
            Err(VenueError::NotFound { .. }) if tracked.accepted => {
                record(
                    &ctx,
                    &mut tracked,
                    false,
                    "accepted earlier, now unknown to the venue".into(),
                )
                .await;
                tracing::error!(order = %tracked.id(), "An accepted order is no longer at its venue");
                Next::Done
            }
            Err(VenueError::NotFound { .. }) => {
                let age_ns = ages
                    .get(tracked.id().as_str())
                    .map_or(0, |at| now.saturating_sub(*at));
                let age = Duration::from_nanos(u64::try_from(age_ns).unwrap_or(0));
                if age > RESEND_WINDOW {
                    record(
                        &ctx,
                        &mut tracked,
                        false,
                        format!("not at {}", venue.name()),
                    )
                    .await;
                    let event = Event::OrderCancelled(OrderCancelled {
                        client_order_id: tracked.id().clone(),
                        reason: format!(
                            "never reached {}; not sent after the restart: the intent is {} s old",
                            venue.name(),
                            age.as_secs()
                        ),
                    });
                    if let Err(error) = ctx.journal.append_applied(&event, tracked.cause).await {
                        tracing::error!(%error, "Cancel not recorded");
                    }
                    Next::Done
                } else {
                    ctx.resend(&venue, &mut tracked, "not at the venue after a restart")
                        .await
                }
            }
            Err(error) => {
                tracing::warn!(order = %tracked.id(), %error, "Cannot reconcile now; will keep asking");
                Next::Resolve
            }
        };
        if next != Next::Done {
            actix::spawn(ctx.clone().track(venue, tracked, next));
        }
    }
    if let Ok(last) = ctx.journal.log().reader().last_seq() {
        ctx.journal.caught_up(last).await;
    }
    orphans(&ctx, &venues).await;
}

async fn record(ctx: &LiveContext, tracked: &mut Tracked, found: bool, detail: String) {
    let event = Event::OrderReconciled(OrderReconciled {
        client_order_id: tracked.id().clone(),
        found,
        detail,
    });
    match ctx.journal.append_applied(&event, tracked.cause).await {
        Ok(appended) => tracked.last_seq = Some(appended.seq),
        Err(error) => tracing::error!(%error, "Reconciliation not recorded"),
    }
}

async fn orphans(ctx: &LiveContext, venues: &LiveVenues) {
    let prefix = format!("{}-", ctx.instance);
    for (name, live) in venues {
        let listed = match live.venue.open_and_recent_orders(&live.markets).await {
            Ok(listed) => listed,
            Err(error) => {
                tracing::warn!(venue = %name, %error, "Cannot list the venue's orders; orphan check skipped");
                continue;
            }
        };
        for order in listed {
            if !order.client_order_id.starts_with(&prefix) {
                continue;
            }
            let Ok(id) = premia_events::ClientOrderId::new(order.client_order_id.clone()) else {
                continue;
            };
            let known = ctx
                .journal
                .ledger()
                .read(|s| s.orders.contains_key(&id) || s.orphans.contains(&id))
                .unwrap_or(true);
            if known {
                continue;
            }
            let detail = format!(
                "{} at {} with this instance's prefix, unknown to the log; not adopted",
                order.raw_state, name
            );
            tracing::error!(order = %id, venue = %name, "Orphan order found");
            let event = Event::OrphanOrderFound(OrphanOrderFound {
                venue: *name,
                client_order_id: id.clone(),
                venue_order_id: order.venue_order_id.clone(),
                detail: detail.clone(),
            });
            if let Err(error) = ctx.journal.append(&event, None).await {
                tracing::error!(%error, "Orphan not recorded");
            }
            ctx.notify.do_send(Notify {
                level: Level::Critical,
                topic: "orphan_order".into(),
                text: format!("{id} ({} at {name}): {detail}", order.venue_order_id),
            });
        }
    }
}
