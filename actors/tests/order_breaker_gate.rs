//! The order manager asks the breaker before every submit: while `paper/local/order` is OPEN (an
//! automatic open, after a venue failure) the submit is refused, the refusal is an
//! `OrderRejected` from the breaker naming it, and nothing reaches the venue; after the open
//! timeout one trial goes through and closes it.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use actix::Actor;
use premia_actors::breaker::{BreakerBoard, BreakerConfig};
use premia_actors::health::Health;
use premia_actors::journal::Journal;
use premia_actors::messages::{OrderSpec, SignalFired};
use premia_actors::metrics::Metrics;
use premia_actors::notify::Notifier;
use premia_actors::order::paper::{PaperConfig, PaperVenue};
use premia_actors::order::risk::{RiskChecks, RiskLimits};
use premia_actors::order::{OrderManager, PaperVenueActor};
use premia_events::event::{BalanceSet, BreakerState, Event, RejectSource, SignalRaised};
use premia_events::log::{EventLog, LogConfig};
use premia_events::{
    Asset, Clock, Exchange, ManualClock, Market, OrderKind, Side, SignalId, Timestamp, Venue,
};
use premia_snapshots::State;

fn signal(n: u32) -> SignalFired {
    SignalFired {
        signal: SignalRaised {
            signal_id: SignalId::new(format!("gate/rule/BTC-KRW/buy/{n}")).unwrap(),
            strategy: "gate".into(),
            rule: "rule".into(),
            exchange: Exchange::Upbit,
            market: Market::new(Asset::new("BTC").unwrap(), Asset::new("KRW").unwrap()),
            side: Side::Buy,
            price: "96000000".parse().unwrap(),
            reason: Vec::new(),
        },
        order: OrderSpec {
            venue: Venue::Paper,
            exchange: Exchange::Upbit,
            quantity: "0.001".parse().unwrap(),
            kind: OrderKind::Market,
        },
    }
}

#[test]
fn a_submit_is_refused_while_the_breaker_is_open_and_the_rejection_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let manual = Arc::new(ManualClock::new(Timestamp::from_secs(1_790_000_000)));
    let clock: Arc<dyn Clock> = manual.clone();
    let log = EventLog::open(LogConfig::new(dir.path()).clock(clock.clone())).unwrap();
    let metrics = Metrics::new().unwrap();
    let journal = Journal::start(
        log.clone(),
        State::default(),
        metrics.clone(),
        Health::default(),
        clock.clone(),
        0,
    )
    .unwrap();
    let board = BreakerBoard::new(BreakerConfig {
        failures: 1,
        window_ns: 60_000_000_000,
        open_for_ns: 30_000_000_000,
        half_open_trials: 1,
        successes: 1,
    });
    let opened = board
        .failure("paper/local/order", clock.now(), "venue answered 503")
        .unwrap();
    assert_eq!(opened.to, BreakerState::Open, "TC0: one failure opens it");

    actix::System::new().block_on(async move {
        for (asset, amount) in [("KRW", "10000000"), ("BTC", "1")] {
            let event = Event::BalanceSet(BalanceSet {
                venue: Venue::Paper,
                asset: Asset::new(asset).unwrap(),
                amount: amount.parse().unwrap(),
                reason: "test".into(),
            });
            let appended = journal.append(&event, None).await.unwrap();
            journal.caught_up(appended.seq).await;
        }
        let paper_config = PaperConfig::default();
        let paper = PaperVenueActor::new(PaperVenue::new(&paper_config), journal.clone()).start();
        let notifier = Notifier::new(None, metrics.clone(), clock.clone()).start();
        let manager = OrderManager::new(
            "gate".into(),
            journal.clone(),
            RiskChecks::new(RiskLimits::default(), paper_config.fee_rate()),
            board.clone(),
            paper,
            notifier.recipient(),
            metrics.clone(),
        )
        .start();

        // While open: refused by the breaker, named, and never submitted.
        manager.send(signal(1)).await.unwrap();
        let events: Vec<Event> = log
            .reader()
            .replay_from(1)
            .map(|e| e.unwrap().event)
            .collect();
        let rejected = events
            .iter()
            .find_map(|e| match e {
                Event::OrderRejected(r) => Some(r.clone()),
                _ => None,
            })
            .expect("TC1: a rejection event");
        assert_eq!(rejected.source, RejectSource::Breaker, "TC2");
        assert_eq!(
            rejected.reason,
            "breaker paper/local/order refused the submit: open, trial calls in 30000 ms",
            "TC3: the reason names the breaker"
        );
        assert!(
            events
                .iter()
                .all(|e| !matches!(e, Event::OrderSubmitted(_))),
            "TC4: nothing was submitted while open: {events:?}"
        );
        assert!(
            events.iter().any(|e| matches!(e, Event::OrderIntended(_))),
            "TC5: the intent was recorded before the breaker was asked"
        );

        // After the open timeout: one trial goes to the venue, and its answer closes the breaker.
        manual.advance(31_000_000_000);
        manager.send(signal(2)).await.unwrap();
        let events: Vec<Event> = log
            .reader()
            .replay_from(1)
            .map(|e| e.unwrap().event)
            .collect();
        assert_eq!(
            events
                .iter()
                .filter(|e| matches!(e, Event::OrderSubmitted(_)))
                .count(),
            1,
            "TC6: the trial was submitted"
        );
        let transitions: Vec<(BreakerState, BreakerState)> = events
            .iter()
            .filter_map(|e| match e {
                Event::BreakerTransition(t) => Some((t.from, t.to)),
                _ => None,
            })
            .collect();
        assert_eq!(
            transitions,
            vec![
                (BreakerState::Open, BreakerState::HalfOpen),
                (BreakerState::HalfOpen, BreakerState::Closed)
            ],
            "TC7: recorded transitions"
        );
        assert_eq!(board.states()[0].1, BreakerState::Closed, "TC8");
        actix::System::current().stop();
    });
}
