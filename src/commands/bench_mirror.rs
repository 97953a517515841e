//! `premia bench mirror`: events per second mirrored to JetStream (dedupe on, acks pipelined,
//! cursor kept), against the raw JetStream async publish rate of the same payloads in the same
//! run, and the mirror's lag at a steady event rate. Needs a nats-server with JetStream
//! (`--server`); it creates two scratch streams and deletes them afterwards.

#![allow(
    clippy::float_arithmetic,
    reason = "rates, percentiles and ratios of measurements, never money"
)]

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use async_nats::jetstream::{self, message::PublishMessage, stream};
use bytes::Bytes;
use premia_actors::health::{Health, Status};
use premia_actors::metrics::Metrics;
use premia_actors::mirror::{HEADER_ENCODING, HEADER_KIND, HEADER_SCHEMA, HEADER_SEQ, Mirror};
use premia_actors::nats::{NatsConfig, NatsMetrics};
use premia_events::json::EnvelopeJson;
use premia_events::log::{EventLog, LogConfig};
use premia_events::sample::OrderFlow;
use premia_events::{Clock, SystemClock, Timestamp};
use serde::Serialize;

use super::Context;
use crate::cli::BenchMirror;

#[derive(Debug, Serialize)]
struct Figures {
    events: u64,
    window: usize,
    payload_bytes_avg: f64,
    raw_per_sec: f64,
    mirror_per_sec: f64,
    mirror_vs_raw: f64,
    lag_rate_per_sec: u64,
    lag_events: u64,
    lag_ms_p50: f64,
    lag_ms_p99: f64,
    lag_ms_max: f64,
    lag_phase_flushes: u64,
    lag_phase_flush_ms_mean: f64,
    lag_phase_flushes_over_50ms: u64,
}

/// (flushes, total flush ns, flushes slower than 50 ms) so far.
fn flush_stats(log: &EventLog) -> (u64, u64, u64) {
    let stats = log.stats();
    let slow_from = premia_events::log::LogStats::FLUSH_BUCKETS_US
        .iter()
        .position(|us| *us > 50_000)
        .unwrap_or(usize::MAX);
    let slow = stats
        .flush_buckets
        .iter()
        .skip(slow_from)
        .map(|b| b.load(Ordering::Relaxed))
        .sum();
    (
        stats.flushes.load(Ordering::Relaxed),
        stats.flush_nanos.load(Ordering::Relaxed),
        slow,
    )
}

/// Runs the bench and prints a table (or JSON).
pub fn run(ctx: &Context, args: &BenchMirror) -> anyhow::Result<()> {
    if args.events < 1000 || args.window == 0 || args.window > 4096 {
        bail!("--events must be at least 1000 and --window 1..=4096");
    }
    let scratch = tempfile::Builder::new()
        .prefix(".premia-bench-mirror-")
        .tempdir()
        .context("scratch dir")?;
    let _ = ctx;
    let mut spawned = None;
    let server = match &args.server {
        Some(server) => server.clone(),
        None => {
            let (child, url) = spawn_server(scratch.path())?;
            spawned = Some(child);
            url
        }
    };
    let tag = format!("b{}", std::process::id());
    let say = |what: &str| {
        if !args.json {
            eprintln!("  {what}…");
        }
    };
    if !args.json {
        eprintln!(
            "premia bench mirror: {} events, window {}, server {server}",
            args.events, args.window
        );
    }
    say("writing the events to a scratch log");
    let log = EventLog::open(LogConfig::new(scratch.path().join("log")))?;
    let mut flow = OrderFlow::new(11, 0);
    for _ in 0..args.events {
        let (event, cause) = flow.next_event();
        let appended = log.append_applied(&event, cause).wait()?;
        flow.appended(appended.id);
    }
    log.sync().wait()?;
    let mut payloads = Vec::with_capacity(usize::try_from(args.events).unwrap_or(0));
    for envelope in log.reader().replay_from(1) {
        let envelope = envelope?;
        let json = serde_json::to_vec(&EnvelopeJson(&envelope))?;
        payloads.push((
            envelope.seq,
            envelope.id.to_string(),
            envelope.kind().as_str(),
            envelope.version,
            Bytes::from(json),
        ));
    }
    let payload_bytes_avg =
        payloads.iter().map(|p| p.4.len()).sum::<usize>() as f64 / payloads.len().max(1) as f64;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let config: NatsConfig = toml::from_str(&format!(
        "servers = [\"{server}\"]\n[mirror]\nstream = \"PREMIA_BENCH_{tag}\"\nsubjects = [\"premia.{tag}.events.>\"]\nmax_inflight = {}\n",
        args.window
    ))?;
    config
        .validate()
        .map_err(|(key, message)| anyhow!("{key}: {message}"))?;

    say("raw JetStream async publish of the same payloads");
    let raw_per_sec = runtime.block_on(raw_publish(&server, &tag, &payloads, args.window))?;

    say("the mirror, from an empty cursor");
    let acked = Arc::new(AtomicU64::new(0));
    let lags: Arc<Mutex<Vec<i64>>> = Arc::new(Mutex::new(Vec::new()));
    let backlog = args.events;
    let observer = {
        let (acked, lags) = (acked.clone(), lags.clone());
        Arc::new(move |seq: u64, at: Timestamp| {
            acked.store(seq, Ordering::Release);
            if seq > backlog {
                let lag = SystemClock.now().nanos().saturating_sub(at.nanos());
                if let Ok(mut lags) = lags.lock() {
                    lags.push(lag);
                }
            }
        })
    };
    let registry = Metrics::new().map_err(|e| anyhow!("metrics: {e}"))?;
    let metrics = NatsMetrics::new(registry.registry()).map_err(|e| anyhow!("metrics: {e}"))?;
    let health = Health::default();
    let started = Instant::now();
    let mirror = {
        let _guard = runtime.enter();
        Mirror {
            log: log.clone(),
            config: config.clone(),
            instance: tag.clone(),
            metrics,
            health: health.clone(),
            clock: Arc::new(SystemClock),
            on_ack: Some(observer),
        }
        .start()
    };
    let deadline = Instant::now() + Duration::from_secs(600);
    while acked.load(Ordering::Acquire) < backlog {
        if Instant::now() > deadline {
            bail!("the mirror did not finish within 10 minutes");
        }
        if started.elapsed() > Duration::from_secs(5)
            && let Some(Status::Degraded(why) | Status::Down(why)) = health.get("nats_mirror")
        {
            bail!("the mirror cannot publish: {why}");
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    let mirror_per_sec = backlog as f64 / started.elapsed().as_secs_f64();

    say(&format!(
        "lag at {} events/s for {} s",
        args.rate, args.seconds
    ));
    let flushes_before = flush_stats(&log);
    let total = args.rate.saturating_mul(args.seconds);
    let tick = Duration::from_millis(2);
    let per_tick = (args.rate / 500).max(1);
    let started = Instant::now();
    let mut written = 0u64;
    while written < total {
        let due = u64::try_from(started.elapsed().as_millis() / 2).unwrap_or(u64::MAX) + 1;
        while written < total && written < due.saturating_mul(per_tick) {
            let (event, cause) = flow.next_event();
            let appended = log.append_applied(&event, cause).wait()?;
            flow.appended(appended.id);
            written += 1;
        }
        std::thread::sleep(tick);
    }
    let last = backlog + written;
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.load(Ordering::Acquire) < last {
        if Instant::now() > deadline {
            bail!(
                "the mirror fell behind by more than 60 s at {} events/s",
                args.rate
            );
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let flushes_after = flush_stats(&log);
    runtime.block_on(mirror.stop(Duration::from_secs(5)));
    let lag_phase_flushes = flushes_after.0.saturating_sub(flushes_before.0);
    let lag_phase_flush_ms_mean = flushes_after.1.saturating_sub(flushes_before.1) as f64
        / 1e6
        / lag_phase_flushes.max(1) as f64;
    let mut lags = lags.lock().map(|l| l.clone()).unwrap_or_default();
    lags.sort_unstable();
    let pick = |p: f64| -> f64 {
        if lags.is_empty() {
            return 0.0;
        }
        let index = ((lags.len() - 1) as f64 * p).round() as usize;
        lags.get(index).copied().unwrap_or(0) as f64 / 1e6
    };
    let figures = Figures {
        events: args.events,
        window: args.window,
        payload_bytes_avg,
        raw_per_sec,
        mirror_per_sec,
        mirror_vs_raw: mirror_per_sec / raw_per_sec,
        lag_rate_per_sec: args.rate,
        lag_events: written,
        lag_ms_p50: pick(0.5),
        lag_ms_p99: pick(0.99),
        lag_ms_max: pick(1.0),
        lag_phase_flushes,
        lag_phase_flush_ms_mean,
        lag_phase_flushes_over_50ms: flushes_after.2.saturating_sub(flushes_before.2),
    };
    runtime.block_on(async {
        if let Ok(client) = async_nats::connect(server.as_str()).await {
            let js = jetstream::new(client);
            let _ = js.delete_stream(format!("PREMIA_BENCH_{tag}")).await;
            let _ = js.delete_stream(format!("PREMIA_BENCHRAW_{tag}")).await;
        }
    });
    log.close();
    drop(spawned);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&figures)?);
    } else {
        println!(
            "payload: JSON, {:.0} bytes on average; window {} acks",
            figures.payload_bytes_avg, figures.window
        );
        println!(
            "raw JetStream async publish   {:>10.0} msg/s",
            figures.raw_per_sec
        );
        println!(
            "mirror (log → JetStream)      {:>10.0} events/s  ({:.0}% of raw; target ≥ 50%)",
            figures.mirror_per_sec,
            figures.mirror_vs_raw * 100.0
        );
        println!(
            "lag at {} events/s ({} events): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (target < 100 ms)",
            figures.lag_rate_per_sec,
            figures.lag_events,
            figures.lag_ms_p50,
            figures.lag_ms_p99,
            figures.lag_ms_max
        );
        println!(
            "log flushes meanwhile: {} (mean {:.1} ms, {} over 50 ms); the mirror publishes only flushed events",
            figures.lag_phase_flushes,
            figures.lag_phase_flush_ms_mean,
            figures.lag_phase_flushes_over_50ms
        );
    }
    Ok(())
}

/// Publishes the payloads to a scratch stream with message ids, `window` acks outstanding;
/// returns messages per second.
async fn raw_publish(
    server: &str,
    tag: &str,
    payloads: &[(u64, String, &'static str, u16, Bytes)],
    window: usize,
) -> anyhow::Result<f64> {
    let client = async_nats::connect(server)
        .await
        .map_err(|e| anyhow!("cannot connect to {server}: {e}"))?;
    let js = jetstream::new(client);
    js.create_stream(stream::Config {
        name: format!("PREMIA_BENCHRAW_{tag}"),
        subjects: vec![format!("benchraw.{tag}.>")],
        duplicate_window: Duration::from_secs(120),
        storage: stream::StorageType::File,
        ..Default::default()
    })
    .await
    .map_err(|e| anyhow!("create the raw stream: {e}"))?;
    let started = Instant::now();
    let mut inflight: VecDeque<jetstream::context::PublishAckFuture> =
        VecDeque::with_capacity(window);
    for (seq, id, kind, version, payload) in payloads {
        if inflight.len() >= window
            && let Some(ack) = inflight.pop_front()
        {
            ack.await.map_err(|e| anyhow!("ack: {e}"))?;
        }
        let message = PublishMessage::build()
            .payload(payload.clone())
            .message_id(id)
            .header(HEADER_SEQ, seq.to_string().as_str())
            .header(HEADER_KIND, *kind)
            .header(HEADER_SCHEMA, version.to_string().as_str())
            .header(HEADER_ENCODING, "json");
        let ack = js
            .send_publish(format!("benchraw.{tag}.{kind}"), message)
            .await
            .map_err(|e| anyhow!("publish: {e}"))?;
        inflight.push_back(ack);
    }
    while let Some(ack) = inflight.pop_front() {
        ack.await.map_err(|e| anyhow!("ack: {e}"))?;
    }
    Ok(payloads.len() as f64 / started.elapsed().as_secs_f64())
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `nats-server -js` on a free loopback port with its store in `dir`.
fn spawn_server(dir: &std::path::Path) -> anyhow::Result<(KillOnDrop, String)> {
    let bin = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain([std::path::PathBuf::from("/usr/sbin")])
        .map(|d| d.join("nats-server"))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            anyhow!(
                "no nats-server: install it (apt-get install -y nats-server) or pass --server URL"
            )
        })?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = std::process::Command::new(&bin)
        .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"])
        .arg(dir.join("jetstream"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", bin.display()))?;
    let child = KillOnDrop(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            bail!("{} did not start on port {port}", bin.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    Ok((child, format!("nats://127.0.0.1:{port}")))
}
