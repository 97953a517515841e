use std::str::FromStr;

use premia_events::event::{
    BalanceSet, BreakerTransition, OrderAccepted, OrderCancelled, OrderSubmitted,
    SubmitOutcomeUnknown,
};
use premia_events::{EventId, OrderKind};

use super::*;

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn coid(n: u32) -> ClientOrderId {
    ClientOrderId::new(format!("pm-{n}")).unwrap()
}

fn intent(n: u32, side: Side, quantity: &str, price: &str) -> Event {
    Event::OrderIntended(OrderIntended {
        intent_id: IntentId::new(format!("i-{n}")).unwrap(),
        client_order_id: coid(n),
        signal_id: Some(SignalId::new(format!("s-{n}")).unwrap()),
        venue: Venue::Paper,
        market: "BTC/KRW".parse().unwrap(),
        side,
        kind: OrderKind::Limit,
        price: Some(d(price)),
        quantity: d(quantity),
        time_in_force: TimeInForce::Gtc,
    })
}

fn fill(n: u32, trade: &str, quantity: &str, price: &str, fee: &str) -> Event {
    Event::OrderFilled(OrderFilled {
        client_order_id: coid(n),
        trade_id: trade.into(),
        price: d(price),
        quantity: d(quantity),
        fee: d(fee),
        fee_asset: Asset::new("KRW").unwrap(),
    })
}

fn balance(asset: &str, amount: &str) -> Event {
    Event::BalanceSet(BalanceSet {
        venue: Venue::Paper,
        asset: Asset::new(asset).unwrap(),
        amount: d(amount),
        reason: "test".into(),
    })
}

fn fold(events: &[Event]) -> State {
    let mut state = State::default();
    for (index, event) in events.iter().enumerate() {
        let seq = index as u64 + 1;
        state.apply(Envelope {
            seq,
            id: EventId { log: 1, seq },
            at: Timestamp(seq as i64),
            version: 2,
            causation: None,
            event: event.clone(),
            prev_hash: ChainHash::GENESIS,
            hash: ChainHash([seq as u8; 32]),
        });
    }
    state
}

fn krw() -> Asset {
    Asset::new("KRW").unwrap()
}

fn btc() -> Asset {
    Asset::new("BTC").unwrap()
}

#[test]
fn an_order_walks_its_lifecycle() {
    let accepted = Event::OrderAccepted(OrderAccepted {
        client_order_id: coid(1),
        venue_order_id: "v1".into(),
    });
    let submitted = Event::OrderSubmitted(OrderSubmitted {
        client_order_id: coid(1),
        attempt: 1,
    });
    let cases: Vec<(&str, Vec<Event>, OrderStatus)> = vec![
        (
            "intended",
            vec![intent(1, Side::Buy, "1", "100")],
            OrderStatus::Intended,
        ),
        (
            "submitted",
            vec![intent(1, Side::Buy, "1", "100"), submitted.clone()],
            OrderStatus::Submitted,
        ),
        (
            "accepted",
            vec![
                intent(1, Side::Buy, "1", "100"),
                submitted.clone(),
                accepted.clone(),
            ],
            OrderStatus::Accepted,
        ),
        (
            "unknown",
            vec![
                intent(1, Side::Buy, "1", "100"),
                submitted.clone(),
                Event::SubmitOutcomeUnknown(SubmitOutcomeUnknown {
                    client_order_id: coid(1),
                    error: "timeout".into(),
                }),
            ],
            OrderStatus::Unknown,
        ),
        (
            "partial",
            vec![
                intent(1, Side::Buy, "1", "100"),
                accepted.clone(),
                fill(1, "t1", "0.4", "100", "0"),
            ],
            OrderStatus::PartiallyFilled,
        ),
        (
            "filled",
            vec![
                intent(1, Side::Buy, "1", "100"),
                accepted.clone(),
                fill(1, "t1", "0.4", "100", "0"),
                fill(1, "t2", "0.6", "100", "0"),
            ],
            OrderStatus::Filled,
        ),
        (
            "cancel after fill stays filled",
            vec![
                intent(1, Side::Buy, "1", "100"),
                fill(1, "t1", "1", "100", "0"),
                Event::OrderCancelled(OrderCancelled {
                    client_order_id: coid(1),
                    reason: "late".into(),
                }),
            ],
            OrderStatus::Filled,
        ),
        (
            "accept after submit race keeps accepted",
            vec![
                intent(1, Side::Buy, "1", "100"),
                accepted.clone(),
                submitted,
            ],
            OrderStatus::Accepted,
        ),
    ];
    for (index, (name, events, expected)) in cases.into_iter().enumerate() {
        let state = fold(&events);
        assert_eq!(state.orders[&coid(1)].status, expected, "TC{index} {name}");
        assert_eq!(state.anomalies, 0, "TC{index} {name}");
    }
}

#[test]
fn fills_move_balances_and_positions_with_average_cost() {
    let state = fold(&[
        balance("KRW", "1000000"),
        intent(1, Side::Buy, "2", "100"),
        fill(1, "t1", "1", "100", "1"),
        fill(1, "t2", "1", "200", "1"),
        intent(2, Side::Sell, "1", "300"),
        fill(2, "t3", "1", "300", "2"),
    ]);
    assert_eq!(
        state.balance(Venue::Paper, &krw()),
        d("1000000") - d("300") - d("2") + d("300") - d("2")
    );
    assert_eq!(state.balance(Venue::Paper, &btc()), d("1"));
    let position = &state.positions[&Venue::Paper][&"BTC/KRW".parse::<Market>().unwrap()];
    assert_eq!(position.quantity, d("1"));
    assert_eq!(position.average_price, d("150"));
    assert_eq!(
        position.realised_pnl,
        d("150"),
        "sold 1 at 300 against an average of 150"
    );
    assert_eq!(position.fees, d("4"));
    assert_eq!(position.fills, 3);
}

#[test]
fn a_repeated_trade_id_is_applied_once() {
    let state = fold(&[
        intent(1, Side::Buy, "2", "100"),
        fill(1, "t1", "1", "100", "0"),
        fill(1, "t1", "1", "100", "0"),
    ]);
    assert_eq!(state.orders[&coid(1)].filled.0, d("1"));
    assert_eq!(state.counts.duplicate_fills, 1);
    assert_eq!(state.balance(Venue::Paper, &btc()), d("1"));
}

#[test]
fn signals_acted_on_are_remembered() {
    let state = fold(&[intent(1, Side::Buy, "1", "1")]);
    assert!(state.acted_signals.contains(&SignalId::new("s-1").unwrap()));
}

#[test]
fn nonsense_is_counted_not_fatal() {
    let state = fold(&[
        fill(9, "t", "1", "1", "0"),
        intent(1, Side::Buy, "1", "1"),
        intent(1, Side::Buy, "1", "1"),
    ]);
    assert_eq!(state.anomalies, 2);
    assert_eq!(state.last_seq, 3);
    assert!(state.last_anomaly.unwrap().starts_with("seq 3:"));
}

#[test]
fn an_overflowing_fill_is_an_anomaly_not_a_panic() {
    let huge = Decimal::MAX.to_string();
    let state = fold(&[
        intent(1, Side::Buy, "2", "1"),
        fill(1, "t", &huge, &huge, "0"),
    ]);
    assert_eq!(state.anomalies, 1);
    assert_eq!(state.orders[&coid(1)].filled.0, Decimal::ZERO);
}

#[test]
fn breakers_keep_their_last_transition() {
    let state = fold(&[Event::BreakerTransition(BreakerTransition {
        key: "upbit/kr/order".into(),
        from: BreakerState::Closed,
        to: BreakerState::Open,
        reason: "5 failures in 60s".into(),
        forced: false,
    })]);
    assert_eq!(state.breakers["upbit/kr/order"].state, BreakerState::Open);
}
