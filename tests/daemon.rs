//! End to end: the real `premia run` on a fast simulated market — it trades, serves health and
//! metrics, stops cleanly on SIGTERM with a log that verifies, and a restart rebuilds the same
//! state without acting on any signal twice.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod support;

use std::collections::HashSet;
use std::time::Duration;

use support::*;

fn fills(data: &std::path::Path) -> usize {
    kinds(&events(data))
        .iter()
        .filter(|k| *k == "order_filled")
        .count()
}

#[test]
fn the_daemon_trades_reports_and_stops_cleanly_then_restarts_without_repeating_itself() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), "");
    let data = dir.path().join("data");

    // First run: trade on the simulated market.
    let mut daemon = Daemon::start(&config, &data);
    daemon.wait_for("fills", Duration::from_secs(30), || fills(&data) >= 2);

    let (status, body) = daemon.get("/healthz");
    assert_eq!(status, 200);
    assert_eq!(body.trim(), "ok");
    let (status, body) = daemon.get("/readyz");
    assert_eq!(status, 200, "{body}");
    let ready: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["components"]["feed/upbit"]["status"], "ok");
    assert_eq!(ready["components"]["order_manager"]["status"], "ok");

    let (status, metrics) = daemon.get("/metrics");
    assert_eq!(status, 200);
    for name in [
        "premia_feed_messages_total{exchange=\"upbit\",kind=\"ticker\"}",
        "premia_feed_messages_total{exchange=\"binance\",kind=\"book\"}",
        "premia_signals_total",
        "premia_orders_total{outcome=\"filled\",venue=\"paper\"}",
        "premia_log_append_seconds_bucket",
        "premia_log_head_seq",
        "premia_feed_connected{exchange=\"upbit\"} 1",
    ] {
        assert!(
            metrics.contains(name),
            "{name} missing from /metrics:\n{metrics}"
        );
    }
    let promtool = require_tool("promtool", "prometheus");
    let mut check = std::process::Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(check.stdin.as_mut().unwrap(), metrics.as_bytes()).unwrap();
    let checked = check.wait_with_output().unwrap();
    assert!(
        checked.status.success(),
        "promtool check metrics: {}{}",
        stdout(&checked),
        stderr(&checked)
    );

    // Read commands work while the daemon holds the data dir, through its API.
    let verify = premia(&data, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", stderr(&verify));
    assert!(stdout(&verify).starts_with("ok: "), "{}", stdout(&verify));
    let state = premia(&data, &["state", "--json"]);
    assert!(state.status.success(), "{}", stderr(&state));

    daemon.signal("TERM");
    let (code, took) = daemon.wait_exit(Duration::from_secs(10));
    assert_eq!(
        code,
        Some(0),
        "exit status after SIGTERM; output:\n{}",
        daemon.output()
    );
    assert!(took < Duration::from_secs(5), "shutdown took {took:?}");

    let first = events(&data);
    let seen = kinds(&first);
    for kind in [
        "daemon_started",
        "balance_set",
        "feed_connected",
        "signal_raised",
        "order_intended",
        "order_submitted",
        "order_accepted",
        "order_filled",
        "daemon_stopped",
    ] {
        assert!(
            seen.iter().any(|k| k == kind),
            "no {kind} in the log: {seen:?}"
        );
    }
    assert_eq!(seen.last().map(String::as_str), Some("daemon_stopped"));
    // Causation: every fill points at its intent, every intent at its signal.
    for event in &first {
        let cause = event["causation_seq"].as_u64();
        match event["kind"].as_str().unwrap() {
            "order_filled" | "order_accepted" | "order_submitted" => {
                let intent = &first[usize::try_from(cause.unwrap()).unwrap() - 1];
                assert_eq!(intent["kind"], "order_intended", "{event}");
                assert_eq!(
                    intent["payload"]["client_order_id"],
                    event["payload"]["client_order_id"]
                );
            }
            "order_intended" => {
                let signal = &first[usize::try_from(cause.unwrap()).unwrap() - 1];
                assert_eq!(signal["kind"], "signal_raised");
                assert_eq!(
                    signal["payload"]["signal_id"],
                    event["payload"]["signal_id"]
                );
            }
            _ => {}
        }
    }
    let verify = premia(&data, &["audit", "verify"]);
    assert!(
        verify.status.success(),
        "audit verify after SIGTERM: {}",
        stderr(&verify)
    );
    let stopped_seq = first.last().unwrap()["seq"].as_u64().unwrap();
    let before: serde_json::Value =
        serde_json::from_slice(&premia(&data, &["state", "--json"]).stdout).unwrap();

    // Second run: state comes back from the log; balances are not reset; no signal acted on twice.
    let mut daemon = Daemon::start(&config, &data);
    daemon.wait_for(
        "the restart to be recorded",
        Duration::from_secs(20),
        || {
            kinds(&events(&data))
                .iter()
                .filter(|k| *k == "daemon_started")
                .count()
                == 2
        },
    );
    std::thread::sleep(Duration::from_secs(3));
    daemon.stop_cleanly();

    let all = events(&data);
    let restart_seq = all
        .iter()
        .filter(|e| e["kind"] == "daemon_started")
        .nth(1)
        .unwrap()["seq"]
        .as_u64()
        .unwrap();
    assert_eq!(restart_seq, stopped_seq + 1);
    let at_restart: serde_json::Value = serde_json::from_slice(
        &premia(
            &data,
            &["state", "--at", &restart_seq.to_string(), "--json"],
        )
        .stdout,
    )
    .unwrap();
    for key in ["orders", "balances", "positions", "acted_signals"] {
        assert_eq!(
            at_restart[key], before[key],
            "{key} changed across the restart"
        );
    }
    let balances_set = all.iter().filter(|e| e["kind"] == "balance_set").count();
    assert_eq!(
        balances_set, 3,
        "starting balances are written on the first start only"
    );
    let mut signals = HashSet::new();
    let mut orders = HashSet::new();
    for intent in all.iter().filter(|e| e["kind"] == "order_intended") {
        assert!(
            signals.insert(intent["payload"]["signal_id"].to_string()),
            "signal acted on twice: {intent}"
        );
        assert!(
            orders.insert(intent["payload"]["client_order_id"].to_string()),
            "client order id reused: {intent}"
        );
    }
    let verify = premia(&data, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", stderr(&verify));
}
