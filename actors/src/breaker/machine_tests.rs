use super::*;
use BreakerState::{Closed, HalfOpen, Open};
use proptest::prelude::*;

fn secs(s: i64) -> Timestamp {
    Timestamp::from_secs(s)
}

fn config(
    failures: usize,
    window: i64,
    open: i64,
    trials: usize,
    successes: usize,
) -> BreakerConfig {
    BreakerConfig {
        failures,
        window_ns: window * 1_000_000_000,
        open_for_ns: open * 1_000_000_000,
        half_open_trials: trials,
        successes,
    }
}

/// One step of a scripted scenario.
#[derive(Clone, Debug)]
enum Step {
    /// Ask at second t; expect allowed or not.
    Permit(i64, bool),
    /// A failure at second t.
    Fail(i64),
    /// A success.
    Ok,
    /// Operator open at second t.
    ForceOpen(i64),
    /// Operator close.
    ForceClose,
}

#[test]
fn scripted_scenarios() {
    use Step::*;
    let cases: Vec<(&str, BreakerConfig, Vec<Step>, BreakerState)> = vec![
        (
            "TC1: failures outside the window do not count",
            config(3, 10, 5, 1, 1),
            vec![Fail(0), Fail(20), Fail(21), Permit(22, true)],
            Closed,
        ),
        (
            "TC2: F failures within W open it",
            config(3, 10, 5, 1, 1),
            vec![Fail(20), Fail(21), Fail(22), Permit(23, false)],
            Open,
        ),
        (
            "TC3: after T one trial passes, a second is refused",
            config(1, 10, 5, 1, 1),
            vec![Fail(0), Permit(4, false), Permit(5, true), Permit(5, false)],
            HalfOpen,
        ),
        (
            "TC4: H trials pass at once while half-open",
            config(1, 10, 5, 3, 3),
            vec![
                Fail(0),
                Permit(5, true),
                Permit(5, true),
                Permit(5, true),
                Permit(5, false),
            ],
            HalfOpen,
        ),
        (
            "TC5: S successes close it, fewer do not",
            config(1, 10, 5, 2, 2),
            vec![
                Fail(0),
                Permit(5, true),
                Ok,
                Permit(6, true),
                Ok,
                Permit(6, true),
            ],
            Closed,
        ),
        (
            "TC6: one failed trial reopens it and restarts the timeout",
            config(1, 10, 5, 2, 2),
            vec![
                Fail(0),
                Permit(5, true),
                Ok,
                Permit(6, true),
                Fail(6),
                Permit(10, false),
                Permit(11, true),
            ],
            HalfOpen,
        ),
        (
            "TC7: a forced-open breaker never half-opens by itself",
            config(1, 10, 5, 1, 1),
            vec![
                ForceOpen(0),
                Permit(10_000, false),
                Ok,
                Permit(20_000, false),
            ],
            Open,
        ),
        (
            "TC8: an operator close lets calls through and clears the window",
            config(2, 10, 5, 1, 1),
            vec![
                Fail(0),
                ForceOpen(1),
                ForceClose,
                Permit(2, true),
                Fail(3),
                Permit(3, true),
            ],
            Closed,
        ),
        (
            "TC9: successes while closed change nothing",
            config(2, 10, 5, 1, 1),
            vec![Ok, Fail(0), Ok, Fail(1), Permit(2, false)],
            Open,
        ),
    ];
    for (name, config, steps, end) in cases {
        let mut b = Breaker::new(config);
        for (i, step) in steps.iter().enumerate() {
            match step {
                Permit(t, allowed) => {
                    let (permit, _) = b.permit(secs(*t));
                    assert_eq!(
                        permit == super::Permit::Allowed,
                        *allowed,
                        "{name}: step {i} {step:?} got {permit:?}"
                    );
                }
                Fail(t) => {
                    b.failure(secs(*t), "boom");
                }
                Ok => {
                    b.success();
                }
                ForceOpen(t) => {
                    b.force_open(secs(*t), "kill switch");
                }
                ForceClose => {
                    b.force_close("operator");
                }
            }
        }
        assert_eq!(b.state(), end, "{name}: end state");
    }
}

#[test]
fn changes_name_from_to_and_why() {
    let mut b = Breaker::new(config(2, 10, 5, 1, 1));
    assert_eq!(b.failure(secs(0), "500"), None);
    let (from, to, why) = b.failure(secs(1), "timeout").unwrap();
    assert_eq!((from, to), (Closed, Open), "TC1: opening");
    assert!(
        why.contains("2 failures within 10 s, last: timeout"),
        "TC1: {why}"
    );
    let (_, change) = b.permit(secs(6));
    assert_eq!(
        change.map(|c| (c.0, c.1)),
        Some((Open, HalfOpen)),
        "TC2: half-open"
    );
    assert_eq!(
        b.success().map(|c| (c.0, c.1)),
        Some((HalfOpen, Closed)),
        "TC3: closed"
    );
    assert_eq!(
        b.force_open(secs(7), "kill").map(|c| (c.0, c.1)),
        Some((Closed, Open)),
        "TC4"
    );
    assert_eq!(
        b.force_open(secs(8), "kill"),
        None,
        "TC5: already forced open"
    );
    assert_eq!(
        b.force_close("ok").map(|c| (c.0, c.1)),
        Some((Open, Closed)),
        "TC6"
    );
    assert_eq!(b.force_close("ok"), None, "TC7: already closed");
}

#[test]
fn restore_brings_back_a_forced_open_breaker() {
    let mut b = Breaker::new(BreakerConfig::default());
    b.restore(Open, secs(0), true);
    assert!(b.forced());
    assert_eq!(
        b.permit(secs(10_000)).0,
        super::Permit::Refused("forced open by an operator".into())
    );
    let mut b = Breaker::new(config(1, 10, 5, 1, 1));
    b.restore(Open, secs(100), false);
    assert!(
        matches!(b.permit(secs(104)).0, super::Permit::Refused(_)),
        "still open"
    );
    assert_eq!(
        b.permit(secs(105)).0,
        super::Permit::Allowed,
        "timeout counts from the restored time"
    );
}

#[derive(Clone, Debug)]
enum Op {
    Permit(u8),
    Fail(u8),
    Ok,
    ForceOpen,
    ForceClose,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..20).prop_map(Op::Permit),
        4 => (0u8..20).prop_map(Op::Fail),
        3 => Just(Op::Ok),
        1 => Just(Op::ForceOpen),
        1 => Just(Op::ForceClose),
    ]
}

proptest! {
    /// Invariants over any sequence of calls: a forced breaker is open and refuses; an open
    /// breaker never admits before its timeout; half-open never has more than H trials in
    /// flight; every reported change starts at the state the breaker was in.
    #[test]
    fn invariants_hold_for_any_sequence(
        ops in proptest::collection::vec(op(), 0..200),
        failures in 1usize..5,
        trials in 1usize..4,
        successes in 1usize..4,
    ) {
        let cfg = config(failures, 10, 5, trials, successes);
        let mut b = Breaker::new(cfg);
        let mut now = 0i64;
        for op in ops {
            let before = b.state();
            let change = match op {
                Op::Permit(dt) => {
                    now += i64::from(dt);
                    let (permit, change) = b.permit(secs(now));
                    if before == Open && b.forced() {
                        prop_assert!(matches!(permit, super::Permit::Refused(_)));
                    }
                    if before == Open && now * 1_000_000_000 - b.opened_at().nanos() < cfg.open_for_ns {
                        prop_assert!(matches!(permit, super::Permit::Refused(_)), "admitted before the timeout");
                    }
                    change
                }
                Op::Fail(dt) => {
                    now += i64::from(dt);
                    b.failure(secs(now), "x")
                }
                Op::Ok => b.success(),
                Op::ForceOpen => b.force_open(secs(now), "op"),
                Op::ForceClose => b.force_close("op"),
            };
            if let Some((from, to, _)) = change {
                prop_assert_eq!(from, before);
                prop_assert_eq!(to, b.state());
            } else {
                prop_assert_eq!(before, b.state(), "a state change went unreported");
            }
            if b.forced() {
                prop_assert_eq!(b.state(), Open);
            }
            prop_assert!(b.trials_in_flight <= cfg.half_open_trials);
        }
    }
}
