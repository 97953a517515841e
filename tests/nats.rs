//! The NATS mirror against a real nats-server (each test starts its own on a free port): the
//! stream is created on an empty server and updated where it exists; every event reaches the
//! stream exactly once and in seq order across a daemon killed mid-mirror, and across the
//! server being killed for several seconds under load; `premia tail` and the README's Python
//! subscriber read them back.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use premia_actors::health::Health;
use premia_actors::metrics::Metrics;
use premia_actors::mirror::Mirror;
use premia_actors::nats::{NatsConfig, NatsMetrics};
use premia_events::SystemClock;
use premia_events::event::{Event, OperatorCommand};
use premia_events::log::{EventLog, LogConfig};
use support::nats::*;
use support::*;

/// A metric's value from a daemon's `/metrics` (0 when absent).
fn metric(daemon: &Daemon, name: &str) -> i64 {
    let (_, body) = daemon.get("/metrics");
    body.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
        .unwrap_or(0)
}

/// The stream against the log: one message per event, in seq order, with the event's id.
fn audit(url: &str, events: &[serde_json::Value], instance: &str) {
    let messages = stream_messages(url, "PREMIA_EVENTS");
    assert_eq!(
        messages.len(),
        events.len(),
        "the stream holds exactly one message per event"
    );
    for (n, ((subject, seq, json), event)) in messages.iter().zip(events).enumerate() {
        let want_seq = u64::try_from(n + 1).unwrap();
        assert_eq!(*seq, want_seq, "stream message {n} is seq {want_seq}");
        assert_eq!(json["seq"], event["seq"], "payload seq of {want_seq}");
        assert_eq!(json["id"], event["id"], "event id of {want_seq}");
        assert_eq!(json["hash"], event["hash"], "hash of {want_seq}");
        let kind = event["kind"].as_str().unwrap();
        assert_eq!(
            subject,
            &format!("premia.{instance}.events.{kind}"),
            "subject of {want_seq}"
        );
    }
}

fn stop(mut daemon: Daemon) {
    daemon.signal("TERM");
    let (code, _) = daemon.wait_exit(Duration::from_secs(15));
    assert_eq!(code, Some(0), "clean exit: {}", daemon.output());
}

#[test]
fn the_stream_is_created_on_an_empty_server_then_updated_where_it_exists() {
    let dir = tempfile::tempdir().unwrap();
    let server = NatsServer::start(dir.path());
    let data = dir.path().join("data");
    let config = demo_config(dir.path(), &nats_table(&server.url()));
    let daemon = Daemon::start(&config, &data);
    daemon.wait_for("ten events mirrored", Duration::from_secs(60), || {
        metric(&daemon, "premia_mirror_cursor_seq") >= 10
    });
    let (_, ready) = daemon.get("/readyz");
    assert!(
        ready.contains("\"nats_mirror\""),
        "/readyz shows the mirror: {ready}"
    );
    assert!(ready.contains("lag_seqs"), "/readyz shows the lag: {ready}");
    let output = daemon.output();
    assert!(
        output.contains("outcome=Created"),
        "created on an empty server: {output}"
    );
    stop(daemon);
    audit(&server.url(), &events(&data), "test");

    // Same server, the stream exists: another max age updates it, and nothing is sent twice.
    let config = demo_config(
        dir.path(),
        &format!(
            "{}\n[nats.mirror]\nmax_age_s = 3600\n",
            nats_table(&server.url())
        ),
    );
    let daemon = Daemon::start(&config, &data);
    let before = events(&data).len();
    daemon.wait_for("the restart mirrored", Duration::from_secs(60), || {
        metric(&daemon, "premia_mirror_cursor_seq") > i64::try_from(before).unwrap() + 2
    });
    assert!(
        daemon.output().contains("outcome=Updated"),
        "updated: {}",
        daemon.output()
    );
    stop(daemon);
    audit(&server.url(), &events(&data), "test");
}

#[test]
fn exactly_once_when_the_daemon_is_killed_mid_mirror() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // A backlog: 30k events that the daemon mirrors when it starts.
    let out = premia(
        &data,
        &[
            "bench",
            "log",
            "--events",
            "30000",
            "--appenders",
            "8",
            "--keep",
            "--json",
        ],
    );
    assert!(out.status.success(), "bench log: {}", stderr(&out));
    let server = NatsServer::start(dir.path());
    let config = demo_config(dir.path(), &nats_table(&server.url()));
    let mut daemon = Daemon::start(&config, &data);
    daemon.wait_for("the mirror under way", Duration::from_secs(60), || {
        metric(&daemon, "premia_mirror_cursor_seq") > 0
    });
    let cursor = metric(&daemon, "premia_mirror_cursor_seq");
    daemon.signal("KILL");
    let _ = daemon.wait_exit(Duration::from_secs(10));
    assert!(
        cursor < 30_000,
        "killed mid-mirror (cursor {cursor} of 30000+)"
    );

    let daemon = Daemon::start(&config, &data);
    daemon.wait_for("the mirror caught up", Duration::from_secs(120), || {
        let head = metric(&daemon, "premia_log_head_seq");
        head > 30_000 && metric(&daemon, "premia_mirror_cursor_seq") >= head
    });
    stop(daemon);
    audit(&server.url(), &events(&data), "test");
}

#[test]
fn nats_killed_for_seconds_under_load_then_every_event_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = NatsServer::start(dir.path());
    let log = EventLog::open(LogConfig::new(dir.path().join("data"))).unwrap();
    let config: NatsConfig = toml::from_str(&format!(
        "servers = [\"{}\"]\nconnect_timeout_ms = 1000\n[mirror]\nbackoff_max_ms = 500\nack_timeout_ms = 2000\n",
        server.url()
    ))
    .unwrap();
    let registry = Metrics::new().unwrap();
    let metrics = NatsMetrics::new(registry.registry()).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mirror = {
        let _guard = runtime.enter();
        Mirror {
            log: log.clone(),
            config,
            instance: "load".into(),
            metrics: metrics.clone(),
            health: Health::default(),
            clock: Arc::new(SystemClock),
            on_ack: None,
        }
        .start()
    };
    // About 1000 events/s for 9 s; the server is down from 2 s to 6 s.
    let started = Instant::now();
    let mut killed = false;
    let mut restarted = false;
    let mut n = 0u64;
    while started.elapsed() < Duration::from_secs(9) {
        for _ in 0..10 {
            n += 1;
            let event = Event::OperatorCommand(OperatorCommand {
                command: "load".into(),
                target: format!("event {n}"),
                by: "test".into(),
            });
            log.emit(&event, None).unwrap();
        }
        std::thread::sleep(Duration::from_millis(10));
        if !killed && started.elapsed() > Duration::from_secs(2) {
            server.kill();
            killed = true;
        }
        if !restarted && started.elapsed() > Duration::from_secs(6) {
            assert!(
                metrics.mirror_lag_seqs.get() > 0
                    || metrics.mirror_errors.with_label_values(&["connect"]).get() > 0,
                "the outage was noticed"
            );
            server.restart();
            restarted = true;
        }
    }
    let head = log.sync().wait().unwrap();
    assert_eq!(head, n, "every event appended");
    let deadline = Instant::now() + Duration::from_secs(60);
    while metrics.mirror_cursor.get() < i64::try_from(head).unwrap() {
        assert!(
            Instant::now() < deadline,
            "mirror caught up: cursor {} of {head}",
            metrics.mirror_cursor.get()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        metrics.reconnects.with_label_values(&["mirror"]).get() > 0,
        "the reconnect is counted"
    );
    runtime.block_on(mirror.stop(Duration::from_secs(5)));
    let events: Vec<serde_json::Value> = log
        .reader()
        .replay_from(1)
        .map(|e| serde_json::to_value(premia_events::json::EnvelopeJson(&e.unwrap())).unwrap())
        .collect();
    log.close();
    audit(&server.url(), &events, "load");
}

/// The Python subscriber in the README, exactly as written there.
fn readme_python() -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let after = readme
        .split_once("<!-- python-subscriber -->")
        .expect("README marks the Python subscriber")
        .1;
    let code = after.split_once("```python\n").expect("a python block").1;
    code.split_once("\n```")
        .expect("the block ends")
        .0
        .to_owned()
        + "\n"
}

#[test]
fn the_readme_python_subscriber_prints_every_event_in_order() {
    let python = require_tool("python3", "python3");
    let check = std::process::Command::new(&python)
        .args(["-c", "import nats"])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "this test needs nats-py: install it with `pip install nats-py` (CI's .ci/run does)"
    );
    let dir = tempfile::tempdir().unwrap();
    let server = NatsServer::start(dir.path());
    let data = dir.path().join("data");
    let config = demo_config(dir.path(), &nats_table(&server.url()));
    let daemon = Daemon::start(&config, &data);
    daemon.wait_for("ten events mirrored", Duration::from_secs(60), || {
        metric(&daemon, "premia_mirror_cursor_seq") >= 10
    });
    stop(daemon);
    let events = events(&data);

    // premia tail prints the same events.
    let out = premia(
        &data,
        &[
            "tail",
            "--server",
            &server.url(),
            "--instance",
            "test",
            "--count",
            &events.len().to_string(),
        ],
    );
    assert!(out.status.success(), "premia tail: {}", stderr(&out));
    let tailed: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        tailed, events,
        "premia tail prints the events as `events ls --json` does"
    );
    let out = premia(
        &data,
        &[
            "tail",
            "--server",
            &server.url(),
            "--instance",
            "test",
            "--kind",
            "daemon_stopped",
            "--count",
            "1",
        ],
    );
    assert!(
        stdout(&out).contains("\"kind\":\"daemon_stopped\""),
        "--kind: {}",
        stdout(&out)
    );
    for (run, first) in [(1, 1), (2, 3)] {
        let out = premia(
            &data,
            &[
                "tail",
                "--server",
                &server.url(),
                "--instance",
                "test",
                "--durable",
                "t",
                "--count",
                "2",
            ],
        );
        let seqs: Vec<u64> = stdout(&out)
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["seq"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        assert_eq!(seqs, vec![first, first + 1], "durable run {run} resumes");
    }

    let script = dir.path().join("subscriber.py");
    std::fs::write(&script, readme_python()).unwrap();
    let mut child = std::process::Command::new(&python)
        .arg(&script)
        .env("NATS_URL", server.url())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines() {
            if tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while lines.len() < events.len() && Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            lines.push(line);
        }
    }
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        lines.len(),
        events.len(),
        "the subscriber printed every event; stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    for (line, event) in lines.iter().zip(&events) {
        let want = format!("{} {} ", event["seq"], event["kind"].as_str().unwrap());
        assert!(line.starts_with(&want), "{line:?} starts with {want:?}");
        let payload: serde_json::Value =
            serde_json::from_str(line.splitn(3, ' ').nth(2).unwrap()).unwrap();
        assert_eq!(payload, event["payload"], "payload of {want}");
    }
}

fn lease_config(dir: &std::path::Path, url: &str, extra: &str) -> std::path::PathBuf {
    demo_config(
        dir,
        &format!("{}\n[nats.lease]\nttl_s = 6\n{extra}", nats_table(url)),
    )
}

#[test]
fn a_second_daemon_for_the_same_account_stays_read_only_then_takes_over() {
    let dir = tempfile::tempdir().unwrap();
    let server = NatsServer::start(dir.path());
    let (dir_a, dir_b, dir_c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let mut a = Daemon::start(
        &lease_config(dir_a.path(), &server.url(), ""),
        &dir_a.path().join("data"),
    );
    a.wait_for("A holds the lease", Duration::from_secs(30), || {
        metric(&a, "premia_lease_held") == 1
    });
    let data_b = dir_b.path().join("data");
    let b = Daemon::start(&lease_config(dir_b.path(), &server.url(), ""), &data_b);
    b.wait_for("B refused", Duration::from_secs(30), || {
        b.get("/readyz").1.contains("read-only")
    });
    // B keeps running read-only while A trades.
    a.wait_for("A trades", Duration::from_secs(60), || {
        metric(
            &a,
            "premia_orders_total{outcome=\"filled\",venue=\"paper\"}",
        ) > 0
    });
    assert_eq!(
        metric(&b, "premia_lease_held"),
        0,
        "B does not hold the lease"
    );

    // A C configured to exit on conflict exits at start, naming the holder.
    let out = std::process::Command::new(premia_bin())
        .args(["run", "--config"])
        .arg(lease_config(
            dir_c.path(),
            &server.url(),
            "on_conflict = \"exit\"\n",
        ))
        .arg("--data-dir")
        .arg(dir_c.path().join("data"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "C exits: {}", stderr(&out));
    assert!(
        stderr(&out).contains("is traded by test (pid"),
        "C names the holder: {}",
        stderr(&out)
    );

    // A dies without releasing: B takes over once A's entry expires.
    a.signal("KILL");
    let _ = a.wait_exit(Duration::from_secs(10));
    b.wait_for("B takes over", Duration::from_secs(60), || {
        metric(&b, "premia_lease_held") == 1
    });
    b.wait_for("B trades", Duration::from_secs(60), || {
        metric(
            &b,
            "premia_orders_total{outcome=\"filled\",venue=\"paper\"}",
        ) > 0
    });
    stop(b);
    let kinds = kinds(&events(&data_b));
    let refused = kinds
        .iter()
        .position(|k| k == "lease_refused")
        .expect("lease_refused recorded");
    let acquired = kinds
        .iter()
        .position(|k| k == "lease_acquired")
        .expect("lease_acquired recorded");
    let first_fill = kinds
        .iter()
        .position(|k| k == "order_filled")
        .expect("B filled orders");
    assert!(refused < acquired, "refused, then acquired: {kinds:?}");
    assert!(acquired < first_fill, "no fill before the lease: {kinds:?}");
    assert!(
        kinds.last().is_some_and(|k| k == "lease_lost"),
        "released at shutdown: {kinds:?}"
    );
}

#[test]
fn market_data_goes_to_core_nats_rate_limited_per_market() {
    let dir = tempfile::tempdir().unwrap();
    let server = NatsServer::start(dir.path());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mut subscription = runtime.block_on(async {
        let client = async_nats::connect(server.url()).await.unwrap();
        let subscription = client.subscribe("premia.md.>").await.unwrap();
        client.flush().await.unwrap();
        (client, subscription)
    });
    let config = demo_config(
        dir.path(),
        &format!(
            "{}\n[nats.market_data]\nenabled = true\nmax_per_second = 2\n",
            nats_table(&server.url())
        ),
    );
    let daemon = Daemon::start(&config, &dir.path().join("data"));
    let window = Duration::from_secs(4);
    let mut counts = std::collections::BTreeMap::<String, u32>::new();
    runtime.block_on(async {
        use futures::StreamExt;
        let deadline = tokio::time::Instant::now() + window;
        while let Ok(Some(message)) = tokio::time::timeout_at(deadline, subscription.1.next()).await
        {
            let json: serde_json::Value = serde_json::from_slice(&message.payload).unwrap();
            assert!(json["market"].is_string(), "a market data message: {json}");
            *counts.entry(message.subject.to_string()).or_default() += 1;
        }
    });
    for subject in [
        "premia.md.upbit.BTC-KRW.ticker",
        "premia.md.upbit.BTC-KRW.book",
        "premia.md.binance.BTC-USDT.ticker",
        "premia.md.binance.BTC-USDT.book",
    ] {
        let n = counts.get(subject).copied().unwrap_or(0);
        assert!(n > 0, "{subject} published: {counts:?}");
        assert!(n <= 2 * 4 + 2, "{subject} at most 2/s: {counts:?}");
    }
    stop(daemon);
}

#[test]
fn a_lost_cursor_after_the_duplicate_window_does_not_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let server = NatsServer::start(dir.path());
    let log = EventLog::open(LogConfig::new(dir.path().join("data"))).unwrap();
    for n in 0..200 {
        let event = Event::OperatorCommand(OperatorCommand {
            command: "load".into(),
            target: format!("event {n}"),
            by: "test".into(),
        });
        log.emit(&event, None).unwrap();
    }
    let head = log.sync().wait().unwrap();
    let config: NatsConfig = toml::from_str(&format!(
        "servers = [\"{}\"]\n[mirror]\nduplicate_window_s = 1\n",
        server.url()
    ))
    .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let registry = Metrics::new().unwrap();
    let metrics = NatsMetrics::new(registry.registry()).unwrap();
    let mirror = || Mirror {
        log: log.clone(),
        config: config.clone(),
        instance: "lost".into(),
        metrics: metrics.clone(),
        health: Health::default(),
        clock: Arc::new(SystemClock),
        on_ack: None,
    };
    let wait_caught_up = || {
        let deadline = Instant::now() + Duration::from_secs(30);
        while metrics.mirror_cursor.get() < i64::try_from(head).unwrap() {
            assert!(Instant::now() < deadline, "caught up");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let first = {
        let _guard = runtime.enter();
        mirror().start()
    };
    wait_caught_up();
    runtime.block_on(first.stop(Duration::from_secs(5)));
    // The cursor is lost, and the duplicate window has passed: dedupe cannot help any more.
    log.reader().set_cursor("nats_mirror", 0).unwrap();
    metrics.mirror_cursor.set(0);
    std::thread::sleep(Duration::from_millis(2500));
    let second = {
        let _guard = runtime.enter();
        mirror().start()
    };
    wait_caught_up();
    runtime.block_on(second.stop(Duration::from_secs(5)));
    assert_eq!(
        metrics.mirrored.with_label_values(&["stored"]).get(),
        head,
        "nothing stored twice"
    );
    let events: Vec<serde_json::Value> = log
        .reader()
        .replay_from(1)
        .map(|e| serde_json::to_value(premia_events::json::EnvelopeJson(&e.unwrap())).unwrap())
        .collect();
    log.close();
    audit(&server.url(), &events, "lost");
}

#[test]
fn bincode_encoding_publishes_the_records_and_tail_decodes_them() {
    let dir = tempfile::tempdir().unwrap();
    let server = NatsServer::start(dir.path());
    let data = dir.path().join("data");
    let config = demo_config(
        dir.path(),
        &format!(
            "{}\n[nats.mirror]\nencoding = \"bincode\"\n",
            nats_table(&server.url())
        ),
    );
    let daemon = Daemon::start(&config, &data);
    daemon.wait_for("ten events mirrored", Duration::from_secs(60), || {
        metric(&daemon, "premia_mirror_cursor_seq") >= 10
    });
    stop(daemon);
    let events = events(&data);
    let out = premia(
        &data,
        &[
            "tail",
            "--server",
            &server.url(),
            "--instance",
            "test",
            "--count",
            &events.len().to_string(),
        ],
    );
    assert!(out.status.success(), "premia tail: {}", stderr(&out));
    let tailed: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(tailed, events, "tail decodes and checks the records");
}
