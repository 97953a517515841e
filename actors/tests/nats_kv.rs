//! The shared breaker store on a real NATS JetStream KV bucket: a nats-server started here on a
//! free loopback port (never the system one on 4222). Concurrent compare-and-set writers lose no
//! transition, a stale revision conflicts, and two daemons' boards share a kill switch.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use premia_actors::breaker::nats::NatsBreakerStore;
use premia_actors::breaker::shared::{
    SharedBreakerStore, SharedError, SharedRecord, run_sync, write,
};
use premia_actors::breaker::{BreakerBoard, Permit};
use premia_events::Timestamp;
use premia_events::event::BreakerState;

struct NatsServer {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nats_server() -> NatsServer {
    let binary = [
        "/usr/sbin/nats-server",
        "/usr/bin/nats-server",
        "/usr/local/bin/nats-server",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).is_file())
    .unwrap_or_else(|| {
        panic!("this test needs nats-server: install it with `apt-get install -y nats-server`")
    });
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(binary)
        .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nats-server");
    let url = format!("nats://127.0.0.1:{port}");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "nats-server did not come up on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    NatsServer {
        child,
        url,
        _dir: dir,
    }
}

fn record(state: BreakerState, by: &str) -> SharedRecord {
    SharedRecord {
        state,
        since_ns: 1,
        forced: false,
        reason: "test".into(),
        by: by.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jetstream_kv_compare_and_set_loses_no_transition_and_shares_a_kill_switch() {
    let server = nats_server();
    let a = NatsBreakerStore::connect(&server.url, "premia_breakers")
        .await
        .unwrap();
    let b = NatsBreakerStore::connect(&server.url, "premia_breakers")
        .await
        .unwrap();

    // TC1: create, then a stale expected revision conflicts.
    let r = record(BreakerState::Open, "a");
    let first = a.cas("upbit/kr/order", &r, None).await.unwrap();
    assert!(
        matches!(
            b.cas("upbit/kr/order", &r, None).await,
            Err(SharedError::Conflict { .. })
        ),
        "TC1: create twice"
    );
    let second = b.cas("upbit/kr/order", &r, Some(first)).await.unwrap();
    assert!(
        matches!(
            a.cas("upbit/kr/order", &r, Some(first)).await,
            Err(SharedError::Conflict { .. })
        ),
        "TC2: stale revision"
    );
    assert_eq!(
        a.load("upbit/kr/order").await.unwrap().unwrap().1,
        second,
        "TC3"
    );

    // TC4: 4 writers on two connections, 10 transitions each, on one key: all 40 land.
    let stores: Vec<Arc<NatsBreakerStore>> = vec![Arc::new(a.clone()), Arc::new(b.clone())];
    let before = a.load("upbit/kr/order").await.unwrap().unwrap().1;
    let mut tasks = Vec::new();
    for writer in 0..4 {
        let store = stores[writer % 2].clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..10 {
                let state = if i % 2 == 0 {
                    BreakerState::Closed
                } else {
                    BreakerState::Open
                };
                write(
                    store.as_ref(),
                    "upbit/kr/order",
                    &record(state, &format!("w{writer}")),
                )
                .await
                .unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let after = a.load("upbit/kr/order").await.unwrap().unwrap().1;
    // Each successful write is one new message in the bucket's stream, with no other key written.
    assert_eq!(
        after - before,
        40,
        "TC4: 40 compare-and-set writes, none lost"
    );
    assert!(
        a.list()
            .await
            .unwrap()
            .iter()
            .any(|(k, _, _)| k == "upbit/kr/order"),
        "TC5: list"
    );

    // TC6: two daemons' boards share a kill switch through the bucket.
    let (one, two) = (BreakerBoard::default(), BreakerBoard::default());
    let (seen_tx, mut seen_rx) = tokio::sync::mpsc::unbounded_channel();
    let store_a: Arc<dyn SharedBreakerStore> = Arc::new(a);
    let store_b: Arc<dyn SharedBreakerStore> = Arc::new(b);
    tokio::spawn(run_sync(
        one.clone(),
        store_a,
        "one".into(),
        Duration::from_millis(100),
        |_| {},
    ));
    tokio::spawn(run_sync(
        two.clone(),
        store_b,
        "two".into(),
        Duration::from_millis(100),
        move |t| {
            let _ = seen_tx.send(t);
        },
    ));
    // The shared upbit/kr/order record (written by w0..w3) reaches `two` first; skip it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    while seen_rx.try_recv().is_ok() {}
    one.force_open("paper/local/order", "kill switch");
    let t = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let t = seen_rx.recv().await.unwrap();
            if t.key == "paper/local/order" {
                return t;
            }
        }
    })
    .await
    .expect("the other daemon saw the kill switch");
    assert_eq!((t.to, t.forced), (BreakerState::Open, true), "TC6: {t:?}");
    let (permit, _) = two.permit("paper/local/order", Timestamp::from_secs(1 << 40));
    assert!(
        matches!(permit, Permit::Refused(_)),
        "TC7: the other daemon refuses too"
    );
}
