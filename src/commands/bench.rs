//! `premia bench log`: the event log against this machine's limits, in one run.
//!
//! Every figure is measured here, now, on the filesystem of the data dir, so ratios compare like
//! with like: the disk's fdatasync rate, sled's own insert and iteration rates, and premia's
//! group-committed appends, single-append latency (both durability modes), replay, and reopen.
//! The method is written down in BENCHMARKS.md.

#![allow(
    clippy::float_arithmetic,
    reason = "rates, percentiles and ratios of measurements, never money"
)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use premia_events::codec::{self, Header};
use premia_events::log::{Durability, EventLog, LogConfig, LogReader};
use premia_events::sample::{OrderFlow, opening_balances};
use premia_events::{ChainHash, Event, EventId, SystemClock, Timestamp};
use premia_snapshots::{SnapshotStore, rebuild};
use serde::Serialize;

use super::Context;
use crate::cli::BenchLog;

/// Appends timed one at a time for the latency figures.
const LATENCY_SAMPLES: usize = 2000;
/// fdatasync'ed writes for the disk's limit.
const FSYNC_SAMPLES: usize = 2000;

#[derive(Debug, Serialize)]
struct Latency {
    per_sec: f64,
    p50_us: f64,
    p99_us: f64,
}

#[derive(Debug, Serialize)]
struct Throughput {
    per_sec: f64,
    events_per_flush: f64,
    flush_us_avg: f64,
}

#[derive(Debug, Serialize)]
struct Ratios {
    durable_process_vs_sled_insert: f64,
    durable_power_vs_sled_insert: f64,
    replay_vs_raw_iteration: f64,
    single_process_p99_vs_fdatasync_p99: f64,
    single_power_p99_vs_fdatasync_p99: f64,
}

#[derive(Debug, Serialize)]
struct Figures {
    events: u64,
    appenders: u32,
    record_bytes_avg: f64,
    work_dir: String,
    fdatasync_256b: Latency,
    sled_insert_no_flush_per_sec: f64,
    durable_process: Throughput,
    durable_power: Throughput,
    single_appender_process: Latency,
    single_appender_power: Latency,
    sled_raw_iteration_per_sec: f64,
    replay_decode_fold_per_sec: f64,
    reopen_and_rebuild_from_snapshot_ms: f64,
    ratios: Ratios,
}

/// Runs the measurements and prints a table (or JSON).
pub fn log(ctx: &Context, args: &BenchLog) -> anyhow::Result<()> {
    if args.events < 1000 || args.appenders == 0 {
        bail!("--events must be at least 1000 and --appenders at least 1");
    }
    let (_guard, work) = work_dir(&ctx.data_dir, args.keep)?;
    let log_dir = if args.keep {
        ctx.data_dir.clone()
    } else {
        work.join("log")
    };
    let progress = |what: &str| {
        if !args.json {
            eprintln!("  measuring {what}…");
        }
    };
    if !args.json {
        eprintln!(
            "premia bench log: {} events, {} appenders, in {}",
            args.events,
            args.appenders,
            work.display()
        );
    }

    progress("fdatasync of 256-byte appends");
    let fsync = measure_fsync(&work.join("fsync.bin"))?;

    progress("sled inserts without flush");
    let records = sample_records(args.events, args.appenders)?;
    let record_bytes_avg =
        records.iter().map(Vec::len).sum::<usize>() as f64 / records.len() as f64;
    let sled_insert = measure_sled_insert(&work.join("sled-raw"), &records)?;
    drop(records);

    progress("durable appends, power mode");
    let power_dir = work.join("log-power");
    let durable_power =
        measure_durable(&power_dir, Durability::Power, args.events, args.appenders)?;
    remove(&power_dir);

    progress("durable appends, process mode");
    let durable_process =
        measure_durable(&log_dir, Durability::Process, args.events, args.appenders)?;

    progress("single-appender latency");
    let single_process = measure_single(&work.join("single-process"), Durability::Process)?;
    let single_power = measure_single(&work.join("single-power"), Durability::Power)?;

    progress("replay against raw iteration");
    let (raw_iter, replay) = measure_replay(&log_dir)?;

    progress("reopen + rebuild from a snapshot");
    let reopen_ms = measure_reopen(&log_dir)?;

    let figures = Figures {
        events: args.events,
        appenders: args.appenders,
        record_bytes_avg,
        work_dir: work.display().to_string(),
        ratios: Ratios {
            durable_process_vs_sled_insert: durable_process.per_sec / sled_insert,
            durable_power_vs_sled_insert: durable_power.per_sec / sled_insert,
            replay_vs_raw_iteration: replay / raw_iter,
            single_process_p99_vs_fdatasync_p99: single_process.p99_us / fsync.p99_us,
            single_power_p99_vs_fdatasync_p99: single_power.p99_us / fsync.p99_us,
        },
        fdatasync_256b: fsync,
        sled_insert_no_flush_per_sec: sled_insert,
        durable_process,
        durable_power,
        single_appender_process: single_process,
        single_appender_power: single_power,
        sled_raw_iteration_per_sec: raw_iter,
        replay_decode_fold_per_sec: replay,
        reopen_and_rebuild_from_snapshot_ms: reopen_ms,
    };
    let mut out = super::stdout();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &figures)?;
        writeln!(out)?;
    } else {
        out.write_all(table(&figures).as_bytes())?;
    }
    out.flush()?;
    if args.keep {
        eprintln!(
            "kept the {}-event log in {}",
            args.events + 2,
            ctx.data_dir.display()
        );
    }
    Ok(())
}

/// A scratch dir on the data dir's filesystem (beside it), removed when the guard drops.
fn work_dir(data_dir: &Path, keep: bool) -> anyhow::Result<(tempfile::TempDir, PathBuf)> {
    if keep && data_dir.join(premia_events::log::SLED_DIR).exists() {
        bail!(
            "{} already holds a log; --keep needs a data dir without one",
            data_dir.display()
        );
    }
    let parent = match data_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let guard = tempfile::Builder::new()
        .prefix(".premia-bench-")
        .tempdir_in(&parent)
        .with_context(|| format!("cannot create a scratch dir in {}", parent.display()))?;
    let path = guard.path().to_path_buf();
    Ok((guard, path))
}

fn remove(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted.get(rank - 1).map_or(0.0, |d| d.as_secs_f64() * 1e6)
}

fn latency(mut samples: Vec<Duration>, elapsed: Duration) -> Latency {
    samples.sort_unstable();
    Latency {
        per_sec: samples.len() as f64 / elapsed.as_secs_f64(),
        p50_us: percentile(&samples, 0.50),
        p99_us: percentile(&samples, 0.99),
    }
}

fn measure_fsync(path: &Path) -> anyhow::Result<Latency> {
    let mut file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let block = [0xABu8; 256];
    let mut samples = Vec::with_capacity(FSYNC_SAMPLES);
    let started = Instant::now();
    for _ in 0..FSYNC_SAMPLES {
        let t = Instant::now();
        file.write_all(&block)?;
        file.sync_data()?;
        samples.push(t.elapsed());
    }
    let elapsed = started.elapsed();
    drop(file);
    let _ = std::fs::remove_file(path);
    Ok(latency(samples, elapsed))
}

/// Real records, sealed into a chain, from `streams` interleaved order flows.
fn sample_records(events: u64, streams: u32) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut flows: Vec<OrderFlow> = (0..streams).map(|s| OrderFlow::new(11, s)).collect();
    let mut prev = ChainHash::GENESIS;
    let mut out = Vec::with_capacity(usize::try_from(events)?);
    for seq in 1..=events {
        let index = usize::try_from(seq % u64::from(streams))?;
        let Some(flow) = flows.get_mut(index) else {
            continue;
        };
        let (event, causation) = flow.next_event();
        flow.appended(EventId { log: 1, seq });
        let header = Header {
            seq,
            log: 1,
            at: Timestamp(1_763_700_000_000_000_000 + i64::try_from(seq)?),
            causation,
        };
        let (record, hash) = codec::seal(&prev, &header, &codec::encode_payload(&event)?)?;
        prev = hash;
        out.push(record);
    }
    Ok(out)
}

fn measure_sled_insert(dir: &Path, records: &[Vec<u8>]) -> anyhow::Result<f64> {
    let db = sled::Config::new()
        .path(dir)
        .cache_capacity(128 << 20)
        .mode(sled::Mode::HighThroughput)
        .open()?;
    let tree = db.open_tree("events")?;
    let started = Instant::now();
    for (seq, record) in (1u64..).zip(records) {
        tree.insert(seq.to_be_bytes(), record.as_slice())?;
    }
    let rate = records.len() as f64 / started.elapsed().as_secs_f64();
    drop(tree);
    drop(db);
    remove(dir);
    Ok(rate)
}

fn open_log(dir: &Path, durability: Durability) -> anyhow::Result<EventLog> {
    Ok(EventLog::open(
        LogConfig::new(dir)
            .durability(durability)
            .clock(Arc::new(SystemClock)),
    )?)
}

fn measure_durable(
    dir: &Path,
    durability: Durability,
    events: u64,
    appenders: u32,
) -> anyhow::Result<Throughput> {
    let log = open_log(dir, durability)?;
    for event in opening_balances() {
        log.append(&event, None).wait()?;
    }
    let flushes_before = log
        .stats()
        .flushes
        .load(std::sync::atomic::Ordering::Relaxed);
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let per_task = events / u64::from(appenders);
    let extra = events % u64::from(appenders);
    // The test data is made before the clock starts (as the sled-insert row's records are): each
    // appender's events, and whether each is caused by the one before it. Encoding, appending and
    // waiting for durability are timed; the causation is the id the previous append returned.
    let plans: Vec<Vec<(Event, bool)>> = (0..appenders)
        .map(|stream| {
            let count = per_task + u64::from(u64::from(stream) < extra);
            let mut flow = OrderFlow::new(7, stream);
            (0..count)
                .map(|seq| {
                    let (event, cause) = flow.next_event();
                    flow.appended(EventId { log: 0, seq });
                    (event, cause.is_some())
                })
                .collect()
        })
        .collect();
    let started = Instant::now();
    runtime.block_on(async {
        let tasks: Vec<_> = plans
            .into_iter()
            .map(|plan| {
                let log = log.clone();
                tokio::task::spawn(async move {
                    let mut previous: Option<EventId> = None;
                    for (event, caused) in plan {
                        let cause = if caused { previous } else { None };
                        previous = Some(log.append(&event, cause).await?.id);
                    }
                    Ok::<_, premia_events::log::LogError>(())
                })
            })
            .collect();
        for task in tasks {
            task.await??;
        }
        Ok::<_, anyhow::Error>(())
    })?;
    let elapsed = started.elapsed();
    let flushes = log
        .stats()
        .flushes
        .load(std::sync::atomic::Ordering::Relaxed)
        - flushes_before;
    let flush_nanos = log
        .stats()
        .flush_nanos
        .load(std::sync::atomic::Ordering::Relaxed);
    let all_flushes = log
        .stats()
        .flushes
        .load(std::sync::atomic::Ordering::Relaxed);
    log.close();
    Ok(Throughput {
        per_sec: events as f64 / elapsed.as_secs_f64(),
        events_per_flush: events as f64 / flushes.max(1) as f64,
        flush_us_avg: flush_nanos as f64 / all_flushes.max(1) as f64 / 1e3,
    })
}

fn measure_single(dir: &Path, durability: Durability) -> anyhow::Result<Latency> {
    let log = open_log(dir, durability)?;
    let mut flow = OrderFlow::new(3, 0);
    // Warm up: the first appends create sled's files.
    for _ in 0..50 {
        let (event, cause) = flow.next_event();
        flow.appended(log.append(&event, cause).wait()?.id);
    }
    let mut samples = Vec::with_capacity(LATENCY_SAMPLES);
    let started = Instant::now();
    for _ in 0..LATENCY_SAMPLES {
        let (event, cause) = flow.next_event();
        let t = Instant::now();
        let appended = log.append(&event, cause).wait()?;
        samples.push(t.elapsed());
        flow.appended(appended.id);
    }
    let elapsed = started.elapsed();
    log.close();
    drop(log);
    remove(dir);
    Ok(latency(samples, elapsed))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// Raw sled iteration and premia's checked replay + fold over the same log, each on a freshly
/// opened database (as on a restart: sled's cache empty, the OS page cache warm), alternated
/// three times; medians.
fn measure_replay(dir: &Path) -> anyhow::Result<(f64, f64)> {
    let (mut raw, mut replay) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        {
            let reader = LogReader::open(dir)?;
            let events = reader.tree("events")?;
            let started = Instant::now();
            let mut count = 0u64;
            let mut bytes = 0usize;
            for item in events.iter() {
                let (_, value) = item?;
                bytes += value.len();
                count += 1;
            }
            std::hint::black_box(bytes);
            raw.push(count as f64 / started.elapsed().as_secs_f64());
        }
        {
            let reader = LogReader::open(dir)?;
            let started = Instant::now();
            let rebuilt = rebuild(&reader, None, None)?;
            replay.push(rebuilt.replayed as f64 / started.elapsed().as_secs_f64());
        }
    }
    Ok((median(raw), median(replay)))
}

/// Snapshots the log's end, closes it, then times opening it again and rebuilding from the
/// snapshot (what a daemon restart costs).
fn measure_reopen(dir: &Path) -> anyhow::Result<f64> {
    {
        let reader = LogReader::open(dir)?;
        let store = SnapshotStore::open(&reader)?;
        let state = rebuild(&reader, None, None)?.state;
        store.save(&state, premia_events::Clock::now(&SystemClock))?;
    }
    let started = Instant::now();
    let log = open_log(dir, Durability::Process)?;
    let store = SnapshotStore::open(log.reader())?;
    let rebuilt = rebuild(log.reader(), Some(&store), None)?;
    let elapsed = started.elapsed();
    if rebuilt.snapshot.is_none() {
        bail!(
            "the snapshot just written was not used: {:?}",
            rebuilt.warnings
        );
    }
    log.close();
    Ok(elapsed.as_secs_f64() * 1e3)
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISSED" }
}

fn table(f: &Figures) -> String {
    let r = &f.ratios;
    let rate = |x: f64| format!("{:>10.0}/s", x);
    let mut s = String::new();
    s.push_str(&format!(
        "premia bench log: {} events (avg {:.0} B/record), {} appenders\n\n",
        f.events, f.record_bytes_avg, f.appenders
    ));
    s.push_str(&format!(
        "{:<46} {:>12} {:>9} {:>9}   {}\n",
        "measurement", "rate", "p50 µs", "p99 µs", "against the limit"
    ));
    let line =
        |s: &mut String, name: &str, rate_text: String, p50: String, p99: String, note: String| {
            s.push_str(&format!(
                "{name:<46} {rate_text:>12} {p50:>9} {p99:>9}   {note}\n"
            ));
        };
    line(
        &mut s,
        "disk: write 256 B + fdatasync",
        rate(f.fdatasync_256b.per_sec),
        format!("{:.0}", f.fdatasync_256b.p50_us),
        format!("{:.0}", f.fdatasync_256b.p99_us),
        "(the disk's limit)".into(),
    );
    line(
        &mut s,
        "sled: insert, no flush",
        rate(f.sled_insert_no_flush_per_sec),
        String::new(),
        String::new(),
        "(the engine's limit)".into(),
    );
    line(
        &mut s,
        &format!("premia: durable append ×{} (process)", f.appenders),
        rate(f.durable_process.per_sec),
        String::new(),
        String::new(),
        format!(
            "{:.0}% of sled insert (target ≥ 75%: {}), {:.1} events/flush of {:.0} µs",
            r.durable_process_vs_sled_insert * 100.0,
            verdict(r.durable_process_vs_sled_insert >= 0.75),
            f.durable_process.events_per_flush,
            f.durable_process.flush_us_avg
        ),
    );
    line(
        &mut s,
        &format!("premia: durable append ×{} (power)", f.appenders),
        rate(f.durable_power.per_sec),
        String::new(),
        String::new(),
        format!(
            "{:.0}% of sled insert, {:.1} events/flush of {:.0} µs",
            r.durable_power_vs_sled_insert * 100.0,
            f.durable_power.events_per_flush,
            f.durable_power.flush_us_avg
        ),
    );
    line(
        &mut s,
        "premia: one durable append (process)",
        rate(f.single_appender_process.per_sec),
        format!("{:.0}", f.single_appender_process.p50_us),
        format!("{:.0}", f.single_appender_process.p99_us),
        format!(
            "p99 {:.1}× fdatasync p99 (target ≤ 3×: {})",
            r.single_process_p99_vs_fdatasync_p99,
            verdict(r.single_process_p99_vs_fdatasync_p99 <= 3.0)
        ),
    );
    line(
        &mut s,
        "premia: one durable append (power)",
        rate(f.single_appender_power.per_sec),
        format!("{:.0}", f.single_appender_power.p50_us),
        format!("{:.0}", f.single_appender_power.p99_us),
        format!(
            "p99 {:.1}× fdatasync p99 (target ≤ 4×: {})",
            r.single_power_p99_vs_fdatasync_p99,
            verdict(r.single_power_p99_vs_fdatasync_p99 <= 4.0)
        ),
    );
    line(
        &mut s,
        "sled: raw iteration",
        rate(f.sled_raw_iteration_per_sec),
        String::new(),
        String::new(),
        "(the engine's limit)".into(),
    );
    line(
        &mut s,
        "premia: replay (decode + verify + fold)",
        rate(f.replay_decode_fold_per_sec),
        String::new(),
        String::new(),
        format!(
            "{:.0}% of raw iteration (target ≥ 80%: {})",
            r.replay_vs_raw_iteration * 100.0,
            verdict(r.replay_vs_raw_iteration >= 0.80)
        ),
    );
    s.push_str(&format!(
        "{:<46} {:>12.1} ms{:>19}   {}\n",
        "premia: reopen + rebuild from snapshot",
        f.reopen_and_rebuild_from_snapshot_ms,
        "",
        format_args!(
            "(target < 500 ms at 1M events: {})",
            verdict(f.reopen_and_rebuild_from_snapshot_ms < 500.0)
        )
    ));
    s
}
