//! Schema version 1, frozen. Never edit these types: records written with them must stay
//! readable. Each differs from today's only where noted; the rest reuse today's payload types,
//! which have not changed since version 1.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::event::{
    ActorGaveUp, ActorRestarted, BalanceSet, BreakerTransition, DaemonStarted, DaemonStopped,
    Event, FeedStatus, IntentRefused, OperatorCommand, OrderAccepted, OrderCancelled, OrderExpired,
    OrderFilled, OrderIntended, OrderReconciled, OrderRejected, OrderSubmitted, OrphanOrderFound,
    SignalRaised, SubmitOutcomeUnknown,
};
use crate::ids::{ClientOrderId, IntentId, SignalId};
use crate::market::{Market, OrderKind, Side, TimeInForce, Venue};
use crate::money::{dec, dec_opt};

/// Version 1 of [`Event`]: the same variants in the same order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) enum EventV1 {
    DaemonStarted(DaemonStarted),
    DaemonStopped(DaemonStopped),
    SignalRaised(SignalRaised),
    OrderIntended(OrderIntendedV1),
    IntentRefused(IntentRefused),
    OrderSubmitted(OrderSubmitted),
    OrderAccepted(OrderAccepted),
    OrderRejected(OrderRejected),
    SubmitOutcomeUnknown(SubmitOutcomeUnknown),
    OrderFilled(OrderFilled),
    OrderCancelled(OrderCancelled),
    OrderExpired(OrderExpired),
    OrderReconciled(OrderReconciled),
    OrphanOrderFound(OrphanOrderFound),
    BalanceSet(BalanceSet),
    BreakerTransition(BreakerTransition),
    FeedConnected(FeedStatus),
    FeedDisconnected(FeedStatus),
    FeedFallbackEntered(FeedStatus),
    FeedFallbackLeft(FeedStatus),
    ActorRestarted(ActorRestarted),
    ActorGaveUp(ActorGaveUp),
    OperatorCommand(OperatorCommand),
}

/// Version 1 of [`OrderIntended`]: no `time_in_force` (every order was GTC).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct OrderIntendedV1 {
    pub intent_id: IntentId,
    pub client_order_id: ClientOrderId,
    pub signal_id: Option<SignalId>,
    pub venue: Venue,
    pub market: Market,
    pub side: Side,
    pub kind: OrderKind,
    #[serde(with = "dec_opt")]
    pub price: Option<Decimal>,
    #[serde(with = "dec")]
    pub quantity: Decimal,
}

impl From<EventV1> for Event {
    fn from(old: EventV1) -> Event {
        match old {
            EventV1::DaemonStarted(e) => Event::DaemonStarted(e),
            EventV1::DaemonStopped(e) => Event::DaemonStopped(e),
            EventV1::SignalRaised(e) => Event::SignalRaised(e),
            EventV1::OrderIntended(e) => Event::OrderIntended(OrderIntended {
                intent_id: e.intent_id,
                client_order_id: e.client_order_id,
                signal_id: e.signal_id,
                venue: e.venue,
                market: e.market,
                side: e.side,
                kind: e.kind,
                price: e.price,
                quantity: e.quantity,
                time_in_force: TimeInForce::Gtc,
            }),
            EventV1::IntentRefused(e) => Event::IntentRefused(e),
            EventV1::OrderSubmitted(e) => Event::OrderSubmitted(e),
            EventV1::OrderAccepted(e) => Event::OrderAccepted(e),
            EventV1::OrderRejected(e) => Event::OrderRejected(e),
            EventV1::SubmitOutcomeUnknown(e) => Event::SubmitOutcomeUnknown(e),
            EventV1::OrderFilled(e) => Event::OrderFilled(e),
            EventV1::OrderCancelled(e) => Event::OrderCancelled(e),
            EventV1::OrderExpired(e) => Event::OrderExpired(e),
            EventV1::OrderReconciled(e) => Event::OrderReconciled(e),
            EventV1::OrphanOrderFound(e) => Event::OrphanOrderFound(e),
            EventV1::BalanceSet(e) => Event::BalanceSet(e),
            EventV1::BreakerTransition(e) => Event::BreakerTransition(e),
            EventV1::FeedConnected(e) => Event::FeedConnected(e),
            EventV1::FeedDisconnected(e) => Event::FeedDisconnected(e),
            EventV1::FeedFallbackEntered(e) => Event::FeedFallbackEntered(e),
            EventV1::FeedFallbackLeft(e) => Event::FeedFallbackLeft(e),
            EventV1::ActorRestarted(e) => Event::ActorRestarted(e),
            EventV1::ActorGaveUp(e) => Event::ActorGaveUp(e),
            EventV1::OperatorCommand(e) => Event::OperatorCommand(e),
        }
    }
}

/// Writes a version-1 record, as premia did before version 2: only for the compatibility tests.
#[cfg(test)]
pub(crate) fn seal_v1(
    prev: &crate::envelope::ChainHash,
    header: &super::Header,
    event: &EventV1,
) -> (Vec<u8>, crate::envelope::ChainHash) {
    let mut payload = Vec::new();
    super::encode_into(event, &mut payload).unwrap();
    super::seal_version(1, prev, header, &payload).unwrap()
}
