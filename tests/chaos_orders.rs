//! Crash test of the order path: the real daemon trades against a fake Upbit that injects
//! faults (timeouts after accepting, dropped connections, 5xx, 429) and is SIGKILLed at random
//! moments, then restarted, `PREMIA_CHAOS_CYCLES` times (default 30; seed from
//! `PREMIA_CHAOS_SEED`, printed; `PREMIA_CHAOS_KEEP=1` keeps the data dir). Then a last run with no rules settles every open order.
//!
//! Asserts: the venue never held two orders for one intent; every order the venue accepted is in
//! the log, with exactly the venue's fills; `premia audit verify` passes after every kill; the
//! final balances in premia's state equal the venue's.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use support::fake_venue::{FakeVenue, Flavor, live_config};
use support::*;

const KEY: &str = "chaos-access-key";
const SECRET: &str = "chaos-secret-key";

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low)
    }
}

fn state(data: &std::path::Path) -> serde_json::Value {
    let out = premia(data, &["state", "--json"]);
    assert!(out.status.success(), "state: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("state json")
}

fn decimal(value: &serde_json::Value) -> Decimal {
    match value {
        serde_json::Value::String(s) => s.parse().unwrap(),
        serde_json::Value::Number(n) => n.to_string().parse().unwrap(),
        serde_json::Value::Null => Decimal::ZERO,
        other => panic!("not a decimal: {other}"),
    }
}

fn open_orders(state: &serde_json::Value) -> usize {
    state["orders"]
        .as_object()
        .map(|m| {
            m.values()
                .filter(|o| {
                    !matches!(
                        o["status"].as_str(),
                        Some("filled" | "rejected" | "cancelled" | "expired")
                    )
                })
                .count()
        })
        .unwrap_or(0)
}

fn timeline(events: &[serde_json::Value], id: &str) -> String {
    events
        .iter()
        .filter(|e| e["payload"]["client_order_id"].as_str() == Some(id))
        .map(|e| format!("{} {} {}", e["seq"], e["kind"], e["payload"]))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn orders_are_never_doubled_or_lost_through_kill_9() {
    let cycles: usize = std::env::var("PREMIA_CHAOS_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    chaos(Flavor::Upbit, cycles);
}

/// The same against a fake Binance, whose client order ids may be sent again once absent
/// (a third of the cycles).
#[test]
fn binance_orders_are_never_doubled_or_lost_through_kill_9() {
    let cycles: usize = std::env::var("PREMIA_CHAOS_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    chaos(Flavor::Binance, cycles.div_ceil(3));
}

fn chaos(flavor: Flavor, cycles: usize) {
    let (venue, quote) = match flavor {
        Flavor::Upbit => ("upbit", ("KRW", "1000000000")),
        Flavor::Binance => ("binance", ("USDT", "10000000")),
    };
    let seed: u64 = std::env::var("PREMIA_CHAOS_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        })
        | 1;
    println!("chaos: {venue}: {cycles} cycles, seed {seed} (PREMIA_CHAOS_SEED={seed} repeats it)");
    let started = Instant::now();
    let mut rng = Rng(seed);

    let fake = FakeVenue::start(flavor, KEY, SECRET, &[quote, ("BTC", "10")]);
    // A fifth of submits meet a fault; a delayed answer comes after the client's 1 s timeout.
    fake.chaos(200, seed, Duration::from_millis(1500));
    fake.fills(3, Duration::from_millis(250));
    let dir = tempfile::tempdir().unwrap();
    let config = live_config(dir.path(), flavor, &fake.url, KEY, SECRET, "");
    let data = dir.path().join("data");

    for cycle in 0..cycles {
        let mut daemon = Daemon::start(&config, &data);
        std::thread::sleep(Duration::from_millis(rng.between(50, 2500)));
        daemon.signal("KILL");
        let _ = daemon.wait_exit(Duration::from_secs(10));
        let verify = premia(&data, &["audit", "verify"]);
        assert!(
            verify.status.success(),
            "cycle {cycle} (seed {seed}): audit verify failed after kill -9: {}{}",
            stdout(&verify),
            stderr(&verify)
        );
    }

    // Settle: no rules, so no new intents; reconciliation and tracking finish every open order.
    let text = std::fs::read_to_string(&config).unwrap();
    let start = text.find("[[rules]]").unwrap();
    let end = text.find("[risk]").unwrap();
    let settle_text = format!("{}{}", &text[..start], &text[end..]);
    let settle = dir.path().join("settle.toml");
    std::fs::write(&settle, settle_text).unwrap();
    let mut daemon = Daemon::start(&settle, &data);
    daemon.wait_for("every order settled", Duration::from_secs(60), || {
        let (orders, _, _) = fake.audit();
        orders
            .iter()
            .all(|o| o.executed() >= o.volume || o.cancelled)
            && open_orders(&state(&data)) == 0
    });
    daemon.signal("TERM");
    let (code, _) = daemon.wait_exit(Duration::from_secs(10));
    assert_eq!(code, Some(0), "settling run: {}", daemon.output());
    let verify = premia(&data, &["audit", "verify"]);
    assert!(
        verify.status.success(),
        "final audit verify: {}",
        stderr(&verify)
    );

    let (orders, submits, balances) = fake.audit();
    let events = events(&data);
    let state = state(&data);

    // Which intent each client order id belongs to, from the log.
    let mut intent_of: BTreeMap<String, String> = BTreeMap::new();
    for event in events.iter().filter(|e| e["kind"] == "order_intended") {
        intent_of.insert(
            event["payload"]["client_order_id"]
                .as_str()
                .unwrap()
                .to_owned(),
            event["payload"]["intent_id"].as_str().unwrap().to_owned(),
        );
    }
    assert!(
        !orders.is_empty(),
        "seed {seed}: the venue received no order"
    );

    // 1. Never two orders at the venue for one intent.
    let mut per_intent: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for order in &orders {
        let intent = intent_of.get(&order.client_id).unwrap_or_else(|| {
            panic!(
                "seed {seed}: the venue holds {} but the log has no intent for it (lost)",
                order.client_id
            )
        });
        per_intent.entry(intent).or_default().push(&order.client_id);
    }
    for (intent, ids) in &per_intent {
        assert_eq!(
            ids.len(),
            1,
            "seed {seed}: intent {intent} has two orders at the venue: {ids:?}"
        );
    }

    // Every order the venue holds was recorded as submitted (durably) before it was sent.
    let submitted: BTreeSet<&str> = events
        .iter()
        .filter(|e| e["kind"] == "order_submitted")
        .filter_map(|e| e["payload"]["client_order_id"].as_str())
        .collect();
    for order in &orders {
        assert!(
            submitted.contains(order.client_id.as_str()),
            "seed {seed}: {} is at the venue but no order_submitted names it",
            order.client_id
        );
    }

    // 2. Every accepted order is in the log with exactly its fills.
    for order in &orders {
        let logged = &state["orders"][&order.client_id];
        assert!(
            !logged.is_null(),
            "seed {seed}: {} not in the state",
            order.client_id
        );
        let venue_trades: BTreeSet<String> = order.trades.iter().map(|t| t.0.clone()).collect();
        let logged_trades: BTreeSet<String> = logged["trade_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            logged_trades,
            venue_trades,
            "seed {seed}: fills of {}; its events:\n{}",
            order.client_id,
            timeline(&events, &order.client_id)
        );
        assert_eq!(
            decimal(&logged["filled"]),
            order.executed(),
            "seed {seed}: filled of {}",
            order.client_id
        );
        assert_eq!(
            logged["venue_order_id"].as_str(),
            Some(order.venue_id.as_str()),
            "seed {seed}: {}",
            order.client_id
        );
    }
    let orphans = events
        .iter()
        .filter(|e| e["kind"] == "orphan_order_found")
        .count();
    assert_eq!(
        orphans, 0,
        "seed {seed}: no orphans expected: every intent is flushed before its send"
    );

    // 3. Balances follow the fills.
    for (asset, amount) in &balances {
        let ours = decimal(&state["balances"][venue][asset]);
        assert_eq!(
            ours, *amount,
            "seed {seed}: {asset} balance: premia {ours}, venue {amount}"
        );
    }

    let mut histogram: BTreeMap<String, usize> = BTreeMap::new();
    for event in &events {
        *histogram
            .entry(event["kind"].as_str().unwrap_or("?").to_owned())
            .or_default() += 1;
    }
    println!("chaos: events by kind: {histogram:?}");
    let faults = submits.iter().filter(|s| s.outcome != "ok").count();
    if std::env::var_os("PREMIA_CHAOS_KEEP").is_some() {
        println!("chaos: data kept in {}", dir.keep().display());
    }
    println!(
        "chaos: {venue}: {cycles} cycles in {:.1} s: {} orders at the venue, {} submits ({faults} with a fault), {} intents, seed {seed}",
        started.elapsed().as_secs_f64(),
        orders.len(),
        submits.len(),
        intent_of.len(),
    );
}
