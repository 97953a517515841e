//! Property: for any valid event sequence, snapshot + tail == full replay.
//!
//! Sequences are generated from a small model of premia's order flow (intents, submits,
//! acceptances, partial and final fills — sometimes repeated, as venues do —, cancels,
//! rejections, unknown outcomes, balance settings, breaker and feed transitions), so the fold sees
//! the mixtures it meets in real logs.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::str::FromStr;
use std::sync::Arc;

use premia_events::event::*;
use premia_events::log::{EventLog, LogConfig};
use premia_events::{
    Asset, ChainHash, ClientOrderId, Envelope, EventId, Exchange, IntentId, ManualClock, OrderKind,
    Side, SignalId, TimeInForce, Timestamp, Venue,
};
use premia_snapshots::{SnapshotStore, State, rebuild};
use proptest::prelude::*;
use rust_decimal::Decimal;

#[derive(Clone, Debug)]
enum Op {
    Intend {
        side: bool,
        quantity: u32,
        price: u32,
        venue: bool,
    },
    Submit(usize),
    Accept(usize),
    Fill {
        order: usize,
        part: u8,
        price: u32,
        repeat: bool,
    },
    Cancel(usize),
    Reject(usize),
    Unknown(usize),
    Balance {
        asset: u8,
        amount: i64,
    },
    Breaker {
        key: u8,
        to: u8,
    },
    Feed {
        exchange: u8,
        up: bool,
    },
    Signal,
    Started,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (any::<bool>(), 1u32..5_000, 1u32..200_000, any::<bool>())
            .prop_map(|(side, quantity, price, venue)| Op::Intend { side, quantity, price, venue }),
        2 => any::<usize>().prop_map(Op::Submit),
        2 => any::<usize>().prop_map(Op::Accept),
        5 => (any::<usize>(), 1u8..=100, 1u32..200_000, any::<bool>())
            .prop_map(|(order, part, price, repeat)| Op::Fill { order, part, price, repeat }),
        1 => any::<usize>().prop_map(Op::Cancel),
        1 => any::<usize>().prop_map(Op::Reject),
        1 => any::<usize>().prop_map(Op::Unknown),
        1 => (0u8..3, -1_000_000i64..1_000_000_000).prop_map(|(asset, amount)| Op::Balance { asset, amount }),
        1 => (0u8..3, 0u8..3).prop_map(|(key, to)| Op::Breaker { key, to }),
        1 => (0u8..9, any::<bool>()).prop_map(|(exchange, up)| Op::Feed { exchange, up }),
        1 => Just(Op::Signal),
        1 => Just(Op::Started),
    ]
}

/// Turns ops into events that make sense against the orders created so far.
fn events(ops: &[Op]) -> Vec<Event> {
    let mut orders: Vec<(ClientOrderId, Decimal)> = Vec::new();
    let mut last_trade: Option<(usize, String, Decimal, Decimal)> = None;
    let mut out = Vec::new();
    let pick = |orders: &[(ClientOrderId, Decimal)], n: usize| {
        (!orders.is_empty()).then(|| n % orders.len())
    };
    let assets = ["KRW", "BTC", "USDT"];
    for (step, op) in ops.iter().enumerate() {
        match op {
            Op::Intend {
                side,
                quantity,
                price,
                venue,
            } => {
                let n = orders.len();
                let coid = ClientOrderId::new(format!("pm-{n}")).unwrap();
                let quantity = Decimal::new(i64::from(*quantity), 4);
                orders.push((coid.clone(), quantity));
                out.push(Event::OrderIntended(OrderIntended {
                    intent_id: IntentId::new(format!("i-{n}")).unwrap(),
                    client_order_id: coid,
                    signal_id: Some(SignalId::new(format!("s-{n}")).unwrap()),
                    venue: if *venue { Venue::Paper } else { Venue::Upbit },
                    market: "BTC/KRW".parse().unwrap(),
                    side: if *side { Side::Buy } else { Side::Sell },
                    kind: OrderKind::Limit,
                    price: Some(Decimal::from(*price)),
                    quantity,
                    time_in_force: TimeInForce::Gtc,
                }));
            }
            Op::Submit(n) | Op::Accept(n) | Op::Cancel(n) | Op::Reject(n) | Op::Unknown(n) => {
                let Some(i) = pick(&orders, *n) else { continue };
                let client_order_id = orders[i].0.clone();
                out.push(match op {
                    Op::Submit(_) => Event::OrderSubmitted(OrderSubmitted {
                        client_order_id,
                        attempt: 1,
                    }),
                    Op::Accept(_) => Event::OrderAccepted(OrderAccepted {
                        client_order_id,
                        venue_order_id: format!("v{i}"),
                    }),
                    Op::Cancel(_) => Event::OrderCancelled(OrderCancelled {
                        client_order_id,
                        reason: "test".into(),
                    }),
                    Op::Reject(_) => Event::OrderRejected(OrderRejected {
                        client_order_id,
                        source: RejectSource::Venue,
                        reason: "insufficient funds".into(),
                    }),
                    _ => Event::SubmitOutcomeUnknown(SubmitOutcomeUnknown {
                        client_order_id,
                        error: "timeout".into(),
                    }),
                });
            }
            Op::Fill {
                order,
                part,
                price,
                repeat,
            } => {
                let (i, trade, quantity, price) = match (&last_trade, repeat) {
                    (Some(last), true) => last.clone(),
                    _ => {
                        let Some(i) = pick(&orders, *order) else {
                            continue;
                        };
                        let quantity =
                            (orders[i].1 * Decimal::from(*part) / Decimal::from(100)).round_dp(6);
                        (
                            i,
                            format!("t-{step}"),
                            quantity,
                            Decimal::new(i64::from(*price), 1),
                        )
                    }
                };
                last_trade = Some((i, trade.clone(), quantity, price));
                out.push(Event::OrderFilled(OrderFilled {
                    client_order_id: orders[i].0.clone(),
                    trade_id: trade,
                    price,
                    quantity,
                    fee: (price * quantity * Decimal::new(5, 4)).round_dp(2),
                    fee_asset: Asset::new(if step % 3 == 0 { "BTC" } else { "KRW" }).unwrap(),
                }));
            }
            Op::Balance { asset, amount } => out.push(Event::BalanceSet(BalanceSet {
                venue: Venue::Paper,
                asset: Asset::new(assets[usize::from(*asset)]).unwrap(),
                amount: Decimal::new(*amount, 2),
                reason: "test".into(),
            })),
            Op::Breaker { key, to } => {
                let to = [
                    BreakerState::Closed,
                    BreakerState::Open,
                    BreakerState::HalfOpen,
                ][usize::from(*to)];
                out.push(Event::BreakerTransition(BreakerTransition {
                    key: format!("upbit/kr/{key}"),
                    from: BreakerState::Closed,
                    to,
                    reason: "test".into(),
                    forced: false,
                }));
            }
            Op::Feed { exchange, up } => {
                let status = FeedStatus {
                    exchange: Exchange::ALL[usize::from(*exchange)],
                    detail: "test".into(),
                };
                out.push(if *up {
                    Event::FeedConnected(status)
                } else {
                    Event::FeedDisconnected(status)
                });
            }
            Op::Signal => out.push(Event::SignalRaised(SignalRaised {
                signal_id: SignalId::new(format!("sig-{step}")).unwrap(),
                strategy: "s".into(),
                rule: "r".into(),
                exchange: Exchange::Upbit,
                market: "BTC/KRW".parse().unwrap(),
                side: Side::Buy,
                price: Decimal::from_str("95000000.5").unwrap(),
                reason: vec![Fact {
                    name: "change_pct".into(),
                    value: Decimal::from_str("-2.50").unwrap(),
                }],
            })),
            Op::Started => out.push(Event::DaemonStarted(DaemonStarted {
                instance: "pm".into(),
                version: "0.1.0".into(),
                config_hash: "ab".into(),
            })),
        }
    }
    out
}

fn envelopes(events: &[Event]) -> Vec<Envelope> {
    events
        .iter()
        .enumerate()
        .map(|(index, event)| {
            let seq = index as u64 + 1;
            Envelope {
                seq,
                id: EventId { log: 9, seq },
                at: Timestamp(seq as i64 * 1000),
                version: 2,
                causation: None,
                event: event.clone(),
                prev_hash: ChainHash::GENESIS,
                hash: ChainHash([(seq % 251) as u8; 32]),
            }
        })
        .collect()
}

fn fold(envelopes: &[Envelope]) -> State {
    let mut state = State::default();
    for envelope in envelopes {
        state.apply(envelope.clone());
    }
    state
}

/// What a snapshot store does to a state: bincode out and back in.
fn through_bincode(state: &State) -> State {
    let bytes = bincode::serde::encode_to_vec(state, bincode::config::standard()).unwrap();
    bincode::serde::decode_from_slice(&bytes, bincode::config::standard())
        .unwrap()
        .0
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn snapshot_plus_tail_equals_full_replay(ops in proptest::collection::vec(op(), 1..120), cut in any::<prop::sample::Index>()) {
        let envelopes = envelopes(&events(&ops));
        let full = fold(&envelopes);
        let k = cut.index(envelopes.len() + 1);
        let (head, tail) = envelopes.split_at(k);
        let mut resumed = through_bincode(&fold(head));
        for envelope in tail {
            resumed.apply(envelope.clone());
        }
        prop_assert_eq!(resumed, full);
    }

    #[test]
    fn the_fold_is_deterministic(ops in proptest::collection::vec(op(), 1..80)) {
        let envelopes = envelopes(&events(&ops));
        prop_assert_eq!(fold(&envelopes), fold(&envelopes));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// The same property end to end: a real log, a real snapshot in the store, a real rebuild.
    #[test]
    fn rebuild_from_a_stored_snapshot_equals_full_replay(ops in proptest::collection::vec(op(), 1..60), cut in any::<prop::sample::Index>()) {
        let events = events(&ops);
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(Timestamp::from_secs(1_700_000_000)));
        let log = EventLog::open(LogConfig::new(dir.path()).clock(clock)).unwrap();
        let k = cut.index(events.len() + 1);
        let store = SnapshotStore::open(log.reader()).unwrap();
        for (index, event) in events.iter().enumerate() {
            if index == k && k > 0 {
                let at_k = rebuild(log.reader(), None, None).unwrap().state;
                store.save(&at_k, Timestamp(0)).unwrap();
            }
            log.append_applied(event, None).wait().unwrap();
        }
        log.sync().wait().unwrap();
        let full = rebuild(log.reader(), None, None).unwrap();
        let fast = rebuild(log.reader(), Some(&store), None).unwrap();
        let snapshotted = k > 0 && k < events.len();
        prop_assert_eq!(fast.snapshot, snapshotted.then_some(k as u64));
        prop_assert_eq!(fast.replayed + if snapshotted { k as u64 } else { 0 }, full.replayed);
        prop_assert_eq!(fast.state, full.state);
    }
}

#[test]
fn a_snapshot_that_does_not_match_the_log_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let log = EventLog::open(LogConfig::new(dir.path())).unwrap();
    let evs = events(&[Op::Started, Op::Signal, Op::Signal, Op::Started]);
    for event in &evs {
        log.append(event, None).wait().unwrap();
    }
    let store = SnapshotStore::open(log.reader()).unwrap();
    let mut forged = rebuild(log.reader(), None, None).unwrap().state;
    forged.counts.signals = 1000;
    forged.last_hash = ChainHash([7; 32]);
    store.save(&forged, Timestamp(0)).unwrap();
    let rebuilt = rebuild(log.reader(), Some(&store), None).unwrap();
    assert_eq!(rebuilt.snapshot, None);
    assert_eq!(rebuilt.state.counts.signals, 2);
    assert_eq!(rebuilt.warnings.len(), 1, "{:?}", rebuilt.warnings);
    assert!(
        rebuilt.warnings[0].contains("does not match the log"),
        "{:?}",
        rebuilt.warnings
    );
}
