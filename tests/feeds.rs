//! The feed against a fake Upbit on loopback, through the real daemon: it subscribes in Upbit's
//! format, decodes binary frames, reconnects after a dropped socket, treats silence as a dead
//! feed, survives garbage, and reconnects on schedule before a connection-lifetime cap.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use support::fake_exchange::{Behaviour, FakeExchange};
use support::*;

fn feed_config(dir: &Path, url: &str, extra_feed: &str) -> PathBuf {
    // No REST fallback unless a test asks for it: it would poll the real exchange.
    let extra_feed = if extra_feed.contains("rest_") {
        extra_feed.to_owned()
    } else {
        format!("rest_fallback = false\n{extra_feed}")
    };
    let text = format!(
        r#"
instance = "feedtest"

[http]
listen = "127.0.0.1:0"

[[feeds]]
exchange = "upbit"
url = "{url}"
markets = ["BTC/KRW"]
depth = 15
stale_after_ms = 1500
backoff_initial_ms = 100
backoff_max_ms = 400
{extra_feed}
"#
    );
    let path = dir.join("feed.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn metric(daemon: &Daemon, name: &str) -> f64 {
    let (_, body) = daemon.get("/metrics");
    body.lines()
        .filter(|l| l.starts_with(name))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

fn feed_events(data: &Path) -> Vec<(String, String)> {
    events(data)
        .iter()
        .filter(|e| e["kind"].as_str().unwrap_or_default().starts_with("feed_"))
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_owned(),
                e["payload"]["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

fn run(
    script: Vec<Behaviour>,
    extra_feed: &str,
    check: impl FnOnce(&Daemon, &FakeExchange, &Path),
) {
    let fake = FakeExchange::start(script);
    let dir = tempfile::tempdir().unwrap();
    let config = feed_config(dir.path(), &fake.url, extra_feed);
    let data = dir.path().join("data");
    let mut daemon = Daemon::start(&config, &data);
    check(&daemon, &fake, &data);
    daemon.stop_cleanly();
}

#[test]
fn subscribes_in_upbits_format_and_decodes_binary_frames() {
    run(vec![Behaviour::Serve], "", |daemon, fake, _| {
        daemon.wait_for("ticker and book messages", Duration::from_secs(15), || {
            metric(
                daemon,
                "premia_feed_messages_total{exchange=\"upbit\",kind=\"ticker\"}",
            ) >= 3.0
                && metric(
                    daemon,
                    "premia_feed_messages_total{exchange=\"upbit\",kind=\"book\"}",
                ) >= 3.0
        });
        let subscription: serde_json::Value =
            serde_json::from_str(&fake.subscriptions()[0]).unwrap();
        let parts = subscription
            .as_array()
            .expect("Upbit subscribes with one JSON array");
        assert!(parts[0]["ticket"].is_string(), "{subscription}");
        let types: Vec<&str> = parts.iter().filter_map(|p| p["type"].as_str()).collect();
        assert_eq!(types, ["ticker", "orderbook"], "{subscription}");
        assert_eq!(parts[1]["codes"][0], "KRW-BTC");
        assert_eq!(metric(daemon, "premia_feed_decode_errors_total"), 0.0);
        let (_, ready) = daemon.get("/readyz");
        assert!(ready.contains(r#""feed/upbit":{"status":"ok"}"#), "{ready}");
    });
}

#[test]
fn reconnects_with_backoff_after_the_socket_drops() {
    run(
        vec![Behaviour::DropAfter(6), Behaviour::Serve],
        "",
        |daemon, fake, data| {
            daemon.wait_for("a second connection", Duration::from_secs(15), || {
                fake.connections() >= 2
            });
            daemon.wait_for(
                "data on the second connection",
                Duration::from_secs(15),
                || {
                    feed_events(data)
                        .iter()
                        .filter(|(k, _)| k == "feed_connected")
                        .count()
                        >= 2
                },
            );
            let events = feed_events(data);
            assert_eq!(events[0].0, "feed_connected", "{events:?}");
            assert_eq!(events[1].0, "feed_disconnected", "{events:?}");
            assert_eq!(events[2].0, "feed_connected", "{events:?}");
            assert!(metric(daemon, "premia_feed_reconnects_total") >= 1.0);
            assert_eq!(
                fake.subscriptions().len(),
                2,
                "it subscribes again on every connection"
            );
        },
    );
}

#[test]
fn a_silent_feed_is_declared_stale_and_replaced() {
    run(
        vec![Behaviour::Silent, Behaviour::Serve],
        "",
        |daemon, fake, data| {
            daemon.wait_for(
                "the stale socket to be replaced",
                Duration::from_secs(15),
                || fake.connections() >= 2,
            );
            daemon.wait_for("the stale event", Duration::from_secs(10), || {
                feed_events(data)
                    .iter()
                    .any(|(k, d)| k == "feed_disconnected" && d.starts_with("stale"))
            });
            assert!(
                metric(
                    daemon,
                    "premia_feed_reconnects_total{exchange=\"upbit\",reason=\"stale\"}"
                ) >= 1.0
            );
            daemon.wait_for("data again", Duration::from_secs(10), || {
                metric(daemon, "premia_feed_messages_total") >= 2.0
            });
        },
    );
}

#[test]
fn garbage_frames_are_counted_and_the_feed_goes_on() {
    run(vec![Behaviour::Garbage], "", |daemon, fake, _| {
        daemon.wait_for("garbage and data", Duration::from_secs(15), || {
            metric(
                daemon,
                "premia_feed_decode_errors_total{exchange=\"upbit\"}",
            ) >= 4.0
                && metric(daemon, "premia_feed_messages_total") >= 4.0
        });
        assert_eq!(
            fake.connections(),
            1,
            "garbage is not a reason to reconnect"
        );
        let (_, ready) = daemon.get("/readyz");
        assert!(ready.contains(r#""feed/upbit":{"status":"ok"}"#), "{ready}");
    });
}

#[test]
fn reconnects_on_schedule_before_the_connection_lifetime_cap() {
    run(
        vec![Behaviour::Serve],
        "lifetime_s = 2",
        |daemon, fake, data| {
            daemon.wait_for("a scheduled reconnect", Duration::from_secs(15), || {
                fake.connections() >= 2
            });
            daemon.wait_for("its event", Duration::from_secs(5), || {
                feed_events(data)
                    .iter()
                    .any(|(k, d)| k == "feed_disconnected" && d.starts_with("scheduled reconnect"))
            });
            assert!(
                metric(
                    daemon,
                    "premia_feed_reconnects_total{exchange=\"upbit\",reason=\"lifetime\"}"
                ) >= 1.0
            );
        },
    );
}

#[test]
fn a_feed_that_exhausts_its_restart_budget_gives_up_without_taking_others_down() {
    let fake = FakeExchange::start(vec![Behaviour::RejectSubscription]);
    let dir = tempfile::tempdir().unwrap();
    // The demo's simulated feeds plus a real-protocol Upbit feed that the exchange keeps refusing.
    let base = std::fs::read_to_string(demo_config(dir.path(), "")).unwrap();
    let text = base
        .replace(
            "[[feeds]]\nexchange = \"upbit\"\nsource = \"sim\"",
            &format!(
                "[[feeds]]\nexchange = \"upbit\"\nurl = \"{}\"\nrest_fallback = false",
                fake.url
            ),
        )
        .replace(
            "[[rules]]\nname = \"krw\"",
            "[[ignored_rule]]\nname = \"krw\"",
        )
        .replace(
            "[paper]",
            "[supervisor]\nmax_restarts = 2\nperiod_s = 60\n\n[paper]",
        );
    let text = drop_table(&text, "[[ignored_rule]]");
    let config = dir.path().join("giveup.toml");
    std::fs::write(&config, text).unwrap();
    let data = dir.path().join("data");
    let mut daemon = Daemon::start(&config, &data);
    daemon.wait_for("the upbit feed to give up", Duration::from_secs(30), || {
        events(&data).iter().any(|e| e["kind"] == "actor_gave_up")
    });
    let all = events(&data);
    let gave_up = all.iter().find(|e| e["kind"] == "actor_gave_up").unwrap();
    assert_eq!(gave_up["payload"]["actor"], "feed/upbit");
    assert_eq!(
        all.iter()
            .filter(|e| e["kind"] == "actor_restarted")
            .count(),
        2,
        "two restarts, then it gives up"
    );
    let (status, body) = daemon.get("/readyz");
    assert_eq!(status, 503, "{body}");
    let ready: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["components"]["feed/upbit"]["status"], "down");
    assert_eq!(
        ready["components"]["feed/binance"]["status"], "ok",
        "the other feed is untouched"
    );
    let connections = fake.connections();
    daemon.wait_for("binance trading on", Duration::from_secs(30), || {
        kinds(&events(&data))
            .iter()
            .filter(|k| *k == "order_filled")
            .count()
            >= 1
    });
    assert_eq!(
        fake.connections(),
        connections,
        "a feed that gave up stays down"
    );
    assert!(metric(&daemon, "premia_actor_restarts_total{actor=\"feed/upbit\"}") >= 2.0);
    daemon.stop_cleanly();
}

/// Removes a TOML table (from its header to the next blank line).
fn drop_table(text: &str, header: &str) -> String {
    let Some(start) = text.find(header) else {
        return text.to_owned();
    };
    let end = text[start..]
        .find("\n\n")
        .map_or(text.len(), |n| start + n + 2);
    format!("{}{}", &text[..start], &text[end..])
}

#[test]
fn binance_combined_streams_are_named_in_the_url_and_text_frames_decode() {
    let fake = FakeExchange::start_for(
        premia_events::Exchange::Binance,
        vec![Behaviour::DropAfter(8), Behaviour::Serve],
    );
    let dir = tempfile::tempdir().unwrap();
    let text = feed_config(dir.path(), &fake.url, "")
        .to_str()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .unwrap()
        .replace("exchange = \"upbit\"", "exchange = \"binance\"")
        .replace("markets = [\"BTC/KRW\"]", "markets = [\"BTC/USDT\"]")
        .replace("depth = 15", "depth = 20");
    let config = dir.path().join("binance.toml");
    std::fs::write(&config, text).unwrap();
    let data = dir.path().join("data");
    let mut daemon = Daemon::start(&config, &data);
    daemon.wait_for(
        "a reconnect and data after it",
        Duration::from_secs(20),
        || {
            fake.connections() >= 2
                && metric(
                    &daemon,
                    "premia_feed_messages_total{exchange=\"binance\",kind=\"ticker\"}",
                ) >= 6.0
        },
    );
    let path = &fake.subscriptions()[0];
    assert_eq!(
        path, "/stream?streams=btcusdt@ticker/btcusdt@depth20@100ms",
        "{path}"
    );
    assert!(
        metric(
            &daemon,
            "premia_feed_messages_total{exchange=\"binance\",kind=\"book\"}"
        ) >= 3.0
    );
    assert_eq!(metric(&daemon, "premia_feed_decode_errors_total"), 0.0);
    daemon.stop_cleanly();
}

#[test]
fn rest_fallback_polls_while_the_socket_is_down_and_stops_when_it_is_back() {
    let mut script = vec![Behaviour::DropAfter(6)];
    script.extend([Behaviour::Refuse; 12]);
    script.push(Behaviour::Serve);
    let fake = FakeExchange::start(script);
    let dir = tempfile::tempdir().unwrap();
    // 12 refused connects would open the feed's breaker (5 failures by default) and hold the
    // socket off for 30 s; this test is about the fallback, so the breaker is lenient here.
    let extra = format!(
        "rest_url = \"{}\"\nrest_poll_ms = 200\n[[breaker.rules]]\npattern = \"*/*/feed\"\nfailures = 100",
        fake.rest_url
    );
    let config = feed_config(dir.path(), &fake.url, &extra);
    let data = dir.path().join("data");
    let mut daemon = Daemon::start(&config, &data);
    daemon.wait_for(
        "fallback entered and REST data",
        Duration::from_secs(20),
        || {
            metric(
                &daemon,
                "premia_feed_rest_polls_total{exchange=\"upbit\",outcome=\"ok\"}",
            ) >= 2.0
        },
    );
    let requests = fake.rest_requests();
    assert!(
        requests.iter().any(|r| r == "/v1/ticker?markets=KRW-BTC"),
        "{requests:?}"
    );
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("/v1/orderbook?markets=KRW-BTC")),
        "{requests:?}"
    );
    let (status, ready) = daemon.get("/readyz");
    if metric(&daemon, "premia_feed_fallback{exchange=\"upbit\"}") == 1.0 {
        assert_eq!(
            status, 200,
            "a feed in fallback keeps the daemon ready: {ready}"
        );
    }
    daemon.wait_for(
        "the socket back and fallback left",
        Duration::from_secs(30),
        || {
            feed_events(&data)
                .iter()
                .any(|(k, _)| k == "feed_fallback_left")
        },
    );
    let events = feed_events(&data);
    let entered = events
        .iter()
        .position(|(k, _)| k == "feed_fallback_entered")
        .unwrap();
    let left = events
        .iter()
        .position(|(k, _)| k == "feed_fallback_left")
        .unwrap();
    assert!(entered < left, "{events:?}");
    assert_eq!(
        metric(&daemon, "premia_feed_fallback{exchange=\"upbit\"}"),
        0.0
    );
    let polls = fake.rest_requests().len();
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(
        fake.rest_requests().len(),
        polls,
        "no polling once the socket is healthy"
    );
    daemon.stop_cleanly();
}
