//! Criterion benches for the event log: the codec, durable appends (one appender and many,
//! group-committed) and checked replay. `premia bench log` measures the same paths against the
//! machine's limits in one run; see BENCHMARKS.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use premia_events::codec::{self, Header};
use premia_events::log::{EventLog, LogConfig};
use premia_events::sample::OrderFlow;
use premia_events::{ChainHash, EventId, Timestamp};

fn codec_bench(c: &mut Criterion) {
    let mut flow = OrderFlow::new(1, 0);
    let (event, _) = flow.next_event();
    let payload = codec::encode_payload(&event).unwrap();
    let header = Header {
        seq: 1,
        log: 7,
        at: Timestamp(1),
        causation: Some(EventId { log: 7, seq: 0 }),
    };
    let (record, _) = codec::seal(&ChainHash::GENESIS, &header, &payload).unwrap();
    let mut group = c.benchmark_group("codec");
    group.throughput(Throughput::Elements(1));
    group.bench_function("encode_payload", |b| {
        b.iter(|| codec::encode_payload(black_box(&event)))
    });
    group.bench_function("seal", |b| {
        b.iter(|| codec::seal(&ChainHash::GENESIS, &header, black_box(&payload)))
    });
    group.bench_function("decode", |b| b.iter(|| codec::decode(black_box(&record))));
    group.finish();
}

fn append_bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("append_durable");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    for appenders in [1u32, 64] {
        let per_iter = 64u64;
        group.throughput(Throughput::Elements(per_iter));
        group.bench_with_input(
            BenchmarkId::from_parameter(appenders),
            &appenders,
            |b, &appenders| {
                let dir = tempfile::tempdir().unwrap();
                let log = EventLog::open(LogConfig::new(dir.path())).unwrap();
                let rt = tokio::runtime::Builder::new_current_thread()
                    .build()
                    .unwrap();
                b.iter_custom(|iters| {
                    let started = Instant::now();
                    rt.block_on(async {
                        let tasks: Vec<_> = (0..appenders)
                            .map(|t| {
                                let log = log.clone();
                                tokio::task::spawn(async move {
                                    let mut flow = OrderFlow::new(2, t);
                                    for _ in 0..(iters * per_iter / u64::from(appenders)) {
                                        let (event, cause) = flow.next_event();
                                        let appended = log.append(&event, cause).await.unwrap();
                                        flow.appended(appended.id);
                                    }
                                })
                            })
                            .collect();
                        for task in tasks {
                            task.await.unwrap();
                        }
                    });
                    started.elapsed()
                });
            },
        );
    }
    group.finish();
}

fn replay_bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let events = 20_000u64;
    {
        let log = EventLog::open(LogConfig::new(dir.path())).unwrap();
        let mut flow = OrderFlow::new(3, 0);
        for _ in 0..events {
            let (event, cause) = flow.next_event();
            let appended = log.append_applied(&event, cause).wait().unwrap();
            flow.appended(appended.id);
        }
        log.sync().wait().unwrap();
        let reader = log.reader();
        let mut group = c.benchmark_group("replay");
        group
            .sample_size(10)
            .throughput(Throughput::Elements(events));
        group.bench_function("checked_replay_20k", |b| {
            b.iter(|| reader.replay_from(1).filter(|e| e.is_ok()).count())
        });
        group.finish();
    }
}

criterion_group!(benches, codec_bench, append_bench, replay_bench);
criterion_main!(benches);
