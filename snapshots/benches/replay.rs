//! Criterion benches for rebuilding state: the fold alone, and checked replay + fold from a real
//! log. `premia bench log` compares the latter with raw sled iteration; see BENCHMARKS.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use premia_events::log::{EventLog, LogConfig};
use premia_events::sample::{OrderFlow, opening_balances};
use premia_snapshots::{State, rebuild};

const EVENTS: u64 = 20_000;

fn replay_bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let log = EventLog::open(LogConfig::new(dir.path())).unwrap();
    for event in opening_balances() {
        log.append_applied(&event, None).wait().unwrap();
    }
    let mut flow = OrderFlow::new(5, 0);
    for _ in 0..EVENTS {
        let (event, cause) = flow.next_event();
        let appended = log.append_applied(&event, cause).wait().unwrap();
        flow.appended(appended.id);
    }
    log.sync().wait().unwrap();
    let envelopes: Vec<_> = log
        .reader()
        .replay_from(1)
        .collect::<Result<_, _>>()
        .unwrap();

    let mut group = c.benchmark_group("state");
    group
        .sample_size(20)
        .throughput(Throughput::Elements(envelopes.len() as u64));
    group.bench_function("fold_only", |b| {
        b.iter(|| {
            let mut state = State::default();
            for envelope in &envelopes {
                state.apply(envelope.clone());
            }
            state.last_seq
        })
    });
    group.bench_function("replay_and_fold", |b| {
        b.iter(|| rebuild(log.reader(), None, None).unwrap().state.last_seq)
    });
    group.finish();
}

criterion_group!(benches, replay_bench);
criterion_main!(benches);
