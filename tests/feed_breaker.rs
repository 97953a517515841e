//! The feed's breaker (`upbit/kr/feed`) through the real daemon against a fake Upbit: data-quality
//! trips (two stale sockets) open it, no connect is attempted while it is open, and after the
//! open timeout one trial connect closes it again.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod support;

use std::time::Duration;

use support::fake_exchange::{Behaviour, FakeExchange};
use support::*;

#[test]
fn stale_sockets_open_the_feed_breaker_which_gates_connects_until_a_trial_succeeds() {
    let fake = FakeExchange::start(vec![Behaviour::Silent, Behaviour::Silent, Behaviour::Serve]);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feed.toml");
    std::fs::write(
        &config,
        format!(
            r#"
instance = "brk"

[http]
listen = "127.0.0.1:0"

[[feeds]]
exchange = "upbit"
url = "{url}"
markets = ["BTC/KRW"]
depth = 15
stale_after_ms = 1000
backoff_initial_ms = 100
backoff_max_ms = 300
rest_fallback = false

[[breaker.rules]]
pattern = "*/*/feed"
failures = 2
window_s = 60
open_s = 3
"#,
            url = fake.url
        ),
    )
    .unwrap();
    let data = dir.path().join("data");
    let mut daemon = Daemon::start(&config, &data);
    let transitions = || {
        events(&data)
            .into_iter()
            .filter(|e| e["kind"] == "breaker_transition")
            .map(|e| {
                (
                    e["payload"]["key"].as_str().unwrap().to_owned(),
                    e["payload"]["from"].as_str().unwrap().to_owned(),
                    e["payload"]["to"].as_str().unwrap().to_owned(),
                    e["payload"]["reason"].as_str().unwrap().to_owned(),
                )
            })
            .collect::<Vec<_>>()
    };
    daemon.wait_for("the breaker to open", Duration::from_secs(20), || {
        !transitions().is_empty()
    });
    let opened = transitions()[0].clone();
    assert_eq!(
        (opened.0.as_str(), opened.1.as_str(), opened.2.as_str()),
        ("upbit/kr/feed", "closed", "open")
    );
    assert!(
        opened.3.contains("2 failures within 60 s, last: stale"),
        "{opened:?}"
    );
    assert_eq!(fake.connections(), 2, "two stale sockets so far");
    // While open: reconnects are refused by the breaker, not attempted.
    daemon.wait_for("a refused connect", Duration::from_secs(5), || {
        daemon
            .output()
            .contains("breaker upbit/kr/feed refused the connect: open")
    });
    assert_eq!(
        fake.connections(),
        2,
        "no connect while the breaker is open"
    );
    // After open_s, one trial connect; the fake serves, so it closes.
    daemon.wait_for("the breaker to close", Duration::from_secs(20), || {
        transitions().iter().any(|t| t.2 == "closed")
    });
    let states: Vec<(String, String)> = transitions().into_iter().map(|t| (t.1, t.2)).collect();
    assert_eq!(
        states,
        vec![
            ("closed".to_owned(), "open".to_owned()),
            ("open".to_owned(), "half_open".to_owned()),
            ("half_open".to_owned(), "closed".to_owned()),
        ]
    );
    assert_eq!(fake.connections(), 3, "exactly one trial connect");
    let (_, metrics) = daemon.get("/metrics");
    assert!(
        metrics.contains("premia_feed_reconnects_total{exchange=\"upbit\",reason=\"breaker\"}"),
        "{metrics}"
    );
    daemon.stop_cleanly();
}
