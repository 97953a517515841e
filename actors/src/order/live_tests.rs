//! Properties of the fill bookkeeping: whatever order, repetition or staleness the venue's
//! answers come in, each trade is recorded once, and the recorded quantity and fees end equal
//! to the venue's.

use super::*;
use crate::venue::{VenueFill, VenueOrder, VenueOrderState};
use premia_events::{Asset, ClientOrderId, IntentId, Market, OrderKind, Side, TimeInForce, Venue};
use proptest::prelude::*;

fn tracked() -> Tracked {
    Tracked {
        intent: OrderIntended {
            intent_id: IntentId::new("s/upbit").unwrap(),
            client_order_id: ClientOrderId::new("pm-0123456789abcdef").unwrap(),
            signal_id: None,
            venue: Venue::Upbit,
            market: Market::new(Asset::new("BTC").unwrap(), Asset::new("KRW").unwrap()),
            side: Side::Buy,
            kind: OrderKind::Limit,
            price: Some(Decimal::from(100)),
            quantity: Decimal::from(1000),
            time_in_force: TimeInForce::Gtc,
        },
        cause: None,
        attempt: 1,
        reference_price: Decimal::from(100),
        trade_ids: Vec::new(),
        filled: Decimal::ZERO,
        notional: Decimal::ZERO,
        fee: Decimal::ZERO,
        accepted: true,
        last_seq: None,
        sent_at: 0,
    }
}

/// The venue's view after `n` of `parts` trades.
fn view(parts: &[(u32, u32, u32)], n: usize, listed: bool) -> VenueOrder {
    let fills: Vec<VenueFill> = parts
        .iter()
        .take(n)
        .enumerate()
        .map(|(i, (qty, price, fee))| VenueFill {
            trade_id: format!("t{i}"),
            price: Decimal::from(*price),
            quantity: Decimal::from(*qty),
            fee: Decimal::from(*fee),
            fee_asset: Asset::new("KRW").unwrap(),
        })
        .collect();
    let executed: Decimal = fills.iter().map(|f| f.quantity).sum();
    let quote: Decimal = fills.iter().map(|f| f.price * f.quantity).sum();
    let fee: Decimal = fills.iter().map(|f| f.fee).sum();
    VenueOrder {
        client_order_id: "pm-0123456789abcdef".into(),
        venue_order_id: "v1".into(),
        state: VenueOrderState::Open,
        fills: if listed { fills } else { Vec::new() },
        raw_state: "wait".into(),
        total_fee: Some(fee),
        cumulative: (!listed).then_some((executed, Some(quote))),
    }
}

proptest! {
    #[test]
    fn trades_are_recorded_once_whatever_the_order_of_answers(
        parts in prop::collection::vec((1u32..50, 90u32..110, 0u32..5), 1..8),
        answers in prop::collection::vec(0usize..9, 1..30),
        listed in any::<bool>(),
    ) {
        let mut tracked = tracked();
        let mut recorded = 0usize;
        // Answers in any order (stale views included), then the final one.
        for n in answers.iter().map(|a| a % (parts.len() + 1)).chain([parts.len()]) {
            let order = view(&parts, n, listed);
            for fill in fresh_fills(&tracked, &order) {
                recorded += 1;
                note_fill(&mut tracked, fill, true);
            }
        }
        let last = view(&parts, parts.len(), true);
        let executed: Decimal = last.fills.iter().map(|f| f.quantity).sum();
        prop_assert_eq!(tracked.filled, executed, "filled equals the venue's executed quantity");
        prop_assert_eq!(Some(tracked.fee), last.total_fee, "fees add up to the venue's total");
        let unique: std::collections::BTreeSet<&String> = tracked.trade_ids.iter().collect();
        prop_assert_eq!(unique.len(), tracked.trade_ids.len(), "no trade id twice");
        if listed {
            prop_assert_eq!(recorded, parts.len(), "one record per venue trade");
        }
    }
}
