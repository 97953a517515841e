//! A tape replays through the real daemon and the exchange's own codec, deterministically.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod support;

use std::time::Duration;

use premia_actors::feed::tape::TapeFrame;
use premia_actors::sim::{FrameEncoding, MarketConfig, SimConfig, Simulator};
use premia_events::{Exchange, Timestamp};
use support::*;

/// 20 simulated Upbit steps (a ticker and a book each), 50 ms apart.
fn tape() -> Vec<TapeFrame> {
    let config = SimConfig {
        seed: 3,
        tick_ms: 50,
        markets: vec![MarketConfig::new(
            Exchange::Upbit,
            "BTC/KRW".parse().unwrap(),
        )],
        ..SimConfig::default()
    };
    let start = Timestamp::from_secs(1_763_700_000);
    let mut sim = Simulator::new(&config, start).unwrap();
    let mut frames = Vec::new();
    for step in 0..20i64 {
        let now = start.plus_nanos(step * 50_000_000);
        for frame in sim.frames(now) {
            frames.push(TapeFrame {
                at: now.nanos(),
                binary: frame.encoding == FrameEncoding::Binary,
                frame: String::from_utf8(frame.bytes).unwrap(),
            });
        }
    }
    frames
}

fn messages(daemon: &Daemon) -> f64 {
    let (_, body) = daemon.get("/metrics");
    body.lines()
        .filter(|l| l.starts_with("premia_feed_messages_total{exchange=\"upbit\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[test]
fn a_tape_replays_every_frame_through_the_codec() {
    let frames = tape();
    assert_eq!(frames.len(), 40);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("upbit.tape");
    let lines: Vec<String> = frames.iter().map(TapeFrame::to_line).collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let config = dir.path().join("tape.toml");
    std::fs::write(
        &config,
        format!(
            "instance = \"tape\"\n[http]\nlisten = \"127.0.0.1:0\"\n[[feeds]]\nexchange = \"upbit\"\nsource = \"tape\"\ntape = \"{}\"\ntape_speed = 4\nmarkets = [\"BTC/KRW\"]\n",
            path.display()
        ),
    )
    .unwrap();
    for run in 0..2 {
        let data = dir.path().join(format!("data{run}"));
        let mut daemon = Daemon::start(&config, &data);
        daemon.wait_for("the whole tape", Duration::from_secs(20), || {
            messages(&daemon) >= 40.0
        });
        daemon.wait_for("the end of the tape", Duration::from_secs(5), || {
            events(&data).iter().any(|e| {
                e["kind"] == "feed_disconnected"
                    && e["payload"]["detail"]
                        .as_str()
                        .unwrap_or_default()
                        .contains("end of tape")
            })
        });
        assert_eq!(
            messages(&daemon),
            40.0,
            "every frame decoded once, run {run}"
        );
        let (_, metrics) = daemon.get("/metrics");
        assert!(
            !metrics.contains("premia_feed_decode_errors_total"),
            "{metrics}"
        );
        daemon.stop_cleanly();
    }
}

#[test]
fn premia_record_writes_a_tape_that_replays() {
    let fake =
        support::fake_exchange::FakeExchange::start(vec![support::fake_exchange::Behaviour::Serve]);
    let dir = tempfile::tempdir().unwrap();
    let tape = dir.path().join("recorded.tape");
    let out = std::process::Command::new(premia_bin())
        .args([
            "record",
            "--exchange",
            "upbit",
            "--market",
            "BTC/KRW",
            "--duration-ms",
            "1500",
            "--url",
            &fake.url,
            "--out",
        ])
        .arg(&tape)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("recorded "), "{}", stdout(&out));
    println!("{}{}", stderr(&out), stdout(&out));
    let frames = premia_actors::feed::tape::read_tape(&tape).unwrap();
    assert!(frames.len() >= 10, "{} frames", frames.len());
    assert!(frames.iter().all(|f| f.binary), "Upbit sends binary frames");
    assert!(
        frames.windows(2).all(|w| w[0].at <= w[1].at),
        "receive times in order"
    );
    assert_eq!(fake.subscriptions().len(), 1);

    let config = dir.path().join("replay.toml");
    std::fs::write(
        &config,
        format!(
            "instance = \"tape\"\n[http]\nlisten = \"127.0.0.1:0\"\n[[feeds]]\nexchange = \"upbit\"\nsource = \"tape\"\ntape = \"{}\"\ntape_speed = 10\nmarkets = [\"BTC/KRW\"]\n",
            tape.display()
        ),
    )
    .unwrap();
    let data = dir.path().join("data");
    let mut daemon = Daemon::start(&config, &data);
    let expected = frames.len() as f64;
    daemon.wait_for("the recorded tape", Duration::from_secs(20), || {
        messages(&daemon) >= expected
    });
    assert_eq!(messages(&daemon), expected);
    daemon.stop_cleanly();
}
