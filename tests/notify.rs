//! Notifications against fake chat APIs on loopback: `premia notify test` reports each
//! channel's outcome (a Telegram that hangs past the client timeout, one that answers 429 with
//! `retry_after`, one that answers 400, one that flaps, Slack, Discord, a signed webhook), and a
//! daemon whose Telegram stalls keeps trading on schedule.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::fake_chat::{Behaviour, FakeChat};
use support::*;

fn telegram(name: &str, fake: &FakeChat, token_file: &Path, timeout_ms: u64) -> String {
    format!(
        r#"
[[notify.channels]]
name = "{name}"
kind = "telegram"
base_url = "{url}"
chat_id = "-100123"
token_file = "{token}"
timeout_ms = {timeout_ms}
"#,
        url = fake.url(),
        token = token_file.display()
    )
}

fn notify_test(
    config: &Path,
    data: &Path,
    extra: &[&str],
) -> (Option<i32>, String, String, Duration) {
    let started = Instant::now();
    let out = Command::new(premia_bin())
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data)
        .args(["notify", "test"])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code(),
        stdout(&out),
        stderr(&out),
        started.elapsed(),
    )
}

#[test]
fn notify_test_reports_each_channel_and_retries_only_what_is_retryable() {
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("bot-token");
    std::fs::write(&token, "123456:TEST-TOKEN\n").unwrap();
    let hmac = dir.path().join("hmac-key");
    std::fs::write(&hmac, "webhook-secret").unwrap();
    let ok = FakeChat::start(Behaviour::Ok);
    let hang = FakeChat::start(Behaviour::Hang(Duration::from_secs(30)));
    let limited = FakeChat::start(Behaviour::RateLimited {
        n: 1,
        retry_after: 1,
    });
    let bad = FakeChat::start(Behaviour::BadRequest);
    let flaps = FakeChat::start(Behaviour::Flaps);
    let slack = FakeChat::start(Behaviour::Ok);
    let discord = FakeChat::start(Behaviour::Ok);
    let hook = FakeChat::start(Behaviour::Ok);
    let slack_url = dir.path().join("slack-url");
    std::fs::write(&slack_url, format!("{}/services/T0/B0/XXXX", slack.url())).unwrap();
    let discord_url = dir.path().join("discord-url");
    std::fs::write(
        &discord_url,
        format!("{}/api/webhooks/1/abc", discord.url()),
    )
    .unwrap();
    let mut extra = String::from(
        "[notify.retry]\nattempts = 3\nbackoff = \"exponential\"\ninitial_ms = 100\nmax_ms = 400\n",
    );
    extra += &telegram("tg-ok", &ok, &token, 2000);
    extra += &telegram("tg-hang", &hang, &token, 300);
    extra += &telegram("tg-429", &limited, &token, 2000);
    extra += &telegram("tg-400", &bad, &token, 2000);
    extra += &telegram("tg-flaps", &flaps, &token, 2000);
    extra += &format!(
        "\n[[notify.channels]]\nname = \"slack\"\nkind = \"slack\"\nurl_file = \"{}\"\n",
        slack_url.display()
    );
    extra += &format!(
        "\n[[notify.channels]]\nname = \"discord\"\nkind = \"discord\"\nurl_file = \"{}\"\n",
        discord_url.display()
    );
    extra += &format!(
        "\n[[notify.channels]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{}/premia\"\nhmac_key_file = \"{}\"\n",
        hook.url(),
        hmac.display()
    );
    let config = demo_config(dir.path(), &extra);
    let data = dir.path().join("data");

    let (code, out, err, took) = notify_test(&config, &data, &[]);
    assert_eq!(
        code,
        Some(1),
        "a failed channel fails the command: {out}{err}"
    );
    let line = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{name} (")) && !l.contains("retrying"))
            .unwrap_or_else(|| panic!("no line for {name}: {out}"))
            .to_owned()
    };
    assert!(
        line("tg-ok").starts_with("tg-ok (telegram): sent (1 attempt, "),
        "{out}"
    );
    assert!(line("tg-hang").contains("FAILED: timed out"), "{out}");
    assert!(
        line("tg-hang").contains("gave up after 3 attempts"),
        "{out}"
    );
    assert!(line("tg-429").contains("sent (2 attempts"), "{out}");
    assert!(
        line("tg-400").contains("FAILED: HTTP 400: Bad Request: chat not found (not retried)"),
        "{out}"
    );
    assert!(line("tg-flaps").contains("sent (2 attempts"), "{out}");
    assert!(line("slack").starts_with("slack (slack): sent"), "{out}");
    assert!(
        line("discord").starts_with("discord (discord): sent"),
        "{out}"
    );
    assert!(line("hook").starts_with("hook (webhook): sent"), "{out}");
    assert!(err.contains("2 of 8 channel(s) failed"), "{err}");
    assert!(
        !out.contains("TEST-TOKEN") && !err.contains("TEST-TOKEN"),
        "the bot token leaked: {out}{err}"
    );
    assert!(took < Duration::from_secs(20), "took {took:?}");

    // Delivery counts at the fakes.
    assert_eq!(ok.count(), 1, "TC ok");
    assert_eq!(hang.count(), 3, "TC hang: 3 attempts, each timed out");
    assert_eq!(limited.count(), 2, "TC 429: one 429 then the retry");
    let gap = limited.hits()[1].at - limited.hits()[0].at;
    assert!(
        gap >= Duration::from_millis(950),
        "retry_after 1 s honoured: {gap:?}"
    );
    assert_eq!(bad.count(), 1, "TC 400: never retried");
    assert_eq!(flaps.count(), 2, "TC flaps: 502 then 200");
    let hit = &ok.hits()[0];
    assert_eq!(hit.path, "/bot123456:TEST-TOKEN/sendMessage");
    let body: serde_json::Value = serde_json::from_str(&hit.body).unwrap();
    assert_eq!(body["chat_id"], "-100123");
    assert!(
        body["text"]
            .as_str()
            .unwrap()
            .starts_with("[INFO] premia test: test message"),
        "{body}"
    );
    assert_eq!(slack.hits()[0].path, "/services/T0/B0/XXXX");
    assert!(
        serde_json::from_str::<serde_json::Value>(&slack.hits()[0].body).unwrap()["text"]
            .is_string()
    );
    assert!(
        serde_json::from_str::<serde_json::Value>(&discord.hits()[0].body).unwrap()["content"]
            .is_string()
    );
    let signed = &hook.hits()[0];
    let signature = signed
        .headers
        .iter()
        .find(|(n, _)| n == "x-premia-signature")
        .map(|(_, v)| v.clone())
        .expect("signature header");
    let want = premia_actors::venue::sign::hmac_sha256(b"webhook-secret", signed.body.as_bytes());
    assert_eq!(signature, format!("sha256={}", hex::encode(want)));

    // One channel only.
    let (code, out, err, _) = notify_test(&config, &data, &["--channel", "tg-ok"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert_eq!(ok.count(), 2);
    let (code, _, err, _) = notify_test(&config, &data, &["--channel", "nope"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("no channel named \"nope\" (configured: tg-ok, tg-hang"),
        "{err}"
    );
}

fn intents(data: &Path) -> Vec<serde_json::Value> {
    events(data)
        .into_iter()
        .filter(|e| e["kind"] == "order_intended" || e["kind"] == "order_filled")
        .collect()
}

/// What one trading window measured.
struct Window {
    /// Intents recorded in the window.
    intents: usize,
    /// Tick → intent latencies, ms: from the signal evaluator's "Signal raised" log line (it
    /// evaluates each tick as it arrives) to the log time of the intent for that signal.
    latencies: Vec<i64>,
}

fn percentile(sorted: &[i64], p: usize) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[(sorted.len() - 1) * p / 100]
}

fn millis(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_micros()
        / 1000
}

/// Trades for `window` after the first fill.
fn trade_for(config: &Path, data: &Path, window: Duration) -> (Window, Daemon) {
    let daemon = Daemon::start(config, data);
    daemon.wait_for("a first fill", Duration::from_secs(30), || {
        intents(data).iter().any(|e| e["kind"] == "order_filled")
    });
    let before = intents(data)
        .iter()
        .filter(|e| e["kind"] == "order_intended")
        .count();
    std::thread::sleep(window);
    let all: Vec<_> = intents(data)
        .into_iter()
        .filter(|e| e["kind"] == "order_intended")
        .collect();
    let output = daemon.output();
    let raised: std::collections::HashMap<String, i64> = output
        .lines()
        .filter(|l| l.contains("Signal raised signal="))
        .filter_map(|l| {
            let time = l.split_whitespace().next()?;
            let signal = l.split("signal=").nth(1)?.split_whitespace().next()?;
            Some((signal.to_owned(), millis(time)))
        })
        .collect();
    let mut latencies: Vec<i64> = all
        .iter()
        .filter_map(|intent| {
            let signal = intent["payload"]["signal_id"].as_str()?;
            Some(millis(intent["time"].as_str()?) - raised.get(signal)?)
        })
        .collect();
    latencies.sort_unstable();
    (
        Window {
            intents: all.len() - before,
            latencies,
        },
        daemon,
    )
}

#[test]
fn a_stalled_telegram_does_not_slow_trading() {
    // Baseline: no chat channel.
    let dir = tempfile::tempdir().unwrap();
    // No risk cap on the order rate, so the count of orders measures the schedule.
    let unlimited = "[risk]\nmax_orders_per_minute = 100000\n";
    let baseline_config = demo_config(dir.path(), unlimited);
    let (baseline, mut daemon) = trade_for(
        &baseline_config,
        &dir.path().join("data"),
        Duration::from_secs(12),
    );
    daemon.signal("TERM");
    daemon.wait_exit(Duration::from_secs(10));

    // The same market with a Telegram channel that stalls for the whole run.
    let dir = tempfile::tempdir().unwrap();
    let stall = std::env::var("PREMIA_STALL_S")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    let stalled = FakeChat::start(Behaviour::StallFor(Duration::from_secs(stall + 30)));
    let token = dir.path().join("bot-token");
    std::fs::write(&token, "1:T").unwrap();
    let extra = format!(
        "{unlimited}[notify]\nqueue = 8\n[notify.retry]\nattempts = 2\ninitial_ms = 200\nmax_ms = 1000\n{}",
        telegram("tg", &stalled, &token, 2000)
    );
    let config = demo_config(dir.path(), &extra);
    let data = dir.path().join("data");
    let (window, mut daemon) = trade_for(&config, &data, Duration::from_secs(stall));
    let per_12s = window.intents * 12 / usize::try_from(stall).unwrap();
    let (p50, p90) = (
        percentile(&window.latencies, 50),
        percentile(&window.latencies, 90),
    );
    let (base50, base90) = (
        percentile(&baseline.latencies, 50),
        percentile(&baseline.latencies, 90),
    );
    eprintln!(
        "orders per 12 s: {} without notifications, {per_12s} with Telegram stalled {stall} s; \
         tick -> intent p50/p90: {base50}/{base90} ms without, {p50}/{p90} ms stalled \
         ({} and {} samples); Telegram attempts: {}",
        baseline.intents,
        baseline.latencies.len(),
        window.latencies.len(),
        stalled.count()
    );
    assert!(stalled.count() >= 1, "the daemon tried Telegram");
    assert!(
        per_12s * 10 >= baseline.intents * 7,
        "orders per 12 s with Telegram stalled: {per_12s}, without notifications: {}",
        baseline.intents
    );
    assert!(
        window.latencies.len() >= 5 && baseline.latencies.len() >= 5,
        "too few samples"
    );
    assert!(
        p50 <= (base50 * 3).max(50) && p90 <= (base90 * 3).max(100),
        "tick -> intent p50/p90 {p50}/{p90} ms with Telegram stalled, {base50}/{base90} ms without"
    );
    let (_, metrics) = daemon.get("/metrics");
    assert!(
        metrics.contains("premia_notifications_total{channel=\"tg\",outcome=\"dropped\"}"),
        "the bounded queue dropped the oldest and counted it:\n{metrics}"
    );
    assert!(
        metrics.contains("premia_notify_queue_depth{channel=\"tg\"}"),
        "{metrics}"
    );
    let (status, _) = daemon.get("/readyz");
    assert_eq!(
        status, 200,
        "a chat outage does not make the daemon unready"
    );
    daemon.signal("TERM");
    let (code, took) = daemon.wait_exit(Duration::from_secs(10));
    assert_eq!(code, Some(0), "{}", daemon.output());
    assert!(
        took < Duration::from_secs(5),
        "shutdown with Telegram stalled took {took:?}"
    );
}
