//! Two daemons share breaker states through a NATS JetStream KV bucket on a nats-server this
//! test starts on a free port: the kill switch thrown on one stops the other's orders too, and
//! closing it on the first resumes both.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod support;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use support::*;

struct NatsServer(Child);

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn nats_server(dir: &std::path::Path) -> (NatsServer, String) {
    // Debian installs it in /usr/sbin, which is not on every user's PATH.
    let sbin = std::path::PathBuf::from("/usr/sbin/nats-server");
    let binary = if sbin.is_file() {
        sbin
    } else {
        require_tool("nats-server", "nats-server")
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(binary)
        .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = NatsServer(child);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "nats-server did not come up"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, format!("nats://127.0.0.1:{port}"))
}

fn daemon_config(root: &std::path::Path, name: &str, nats: &str) -> std::path::PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let config = demo_config(
        &dir,
        &format!(
            "[breaker.shared]\nservers = \"{nats}\"\nbucket = \"premia_test\"\npoll_ms = 200\n"
        ),
    );
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("instance = \"test\"", &format!("instance = \"{name}\""));
    std::fs::write(&config, text).unwrap();
    config
}

#[test]
fn a_kill_switch_thrown_on_one_daemon_stops_the_other() {
    let root = tempfile::tempdir().unwrap();
    let (_server, nats) = nats_server(&root.path().join("js"));
    let (config_a, config_b) = (
        daemon_config(root.path(), "alpha", &nats),
        daemon_config(root.path(), "beta", &nats),
    );
    let (data_a, data_b) = (
        root.path().join("alpha/data"),
        root.path().join("beta/data"),
    );
    let mut a = Daemon::start(&config_a, &data_a);
    let mut b = Daemon::start(&config_b, &data_b);
    for daemon in [&a, &b] {
        daemon.wait_for("shared breakers connected", Duration::from_secs(20), || {
            daemon
                .output()
                .contains("Breaker states shared through NATS KV")
        });
    }

    let open = premia(&data_a, &["breaker", "open", "paper/local/order"]);
    assert!(open.status.success(), "{}", stderr(&open));
    b.wait_for(
        "the other daemon to follow",
        Duration::from_secs(15),
        || b.get("/readyz").0 == 503,
    );
    let (_, body) = b.get("/readyz");
    assert!(
        body.contains("forced open by an operator: paper/local/order"),
        "{body}"
    );
    let shared = events(&data_b)
        .into_iter()
        .find(|e| e["kind"] == "breaker_transition")
        .unwrap();
    assert!(
        shared["payload"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("shared state: breaker open by cli:"),
        "{shared}"
    );
    assert!(
        shared["payload"]["reason"]
            .as_str()
            .unwrap()
            .ends_with("(from alpha)"),
        "{shared}"
    );
    b.wait_for(
        "a breaker rejection on the other daemon",
        Duration::from_secs(30),
        || {
            events(&data_b).iter().any(|e| {
                e["kind"] == "order_rejected"
                    && e["payload"]["reason"]
                        .as_str()
                        .unwrap_or_default()
                        .starts_with("breaker paper/local/order refused the submit")
            })
        },
    );

    let close = premia(&data_a, &["breaker", "close", "paper/local/order"]);
    assert!(close.status.success(), "{}", stderr(&close));
    b.wait_for(
        "the other daemon to close it too",
        Duration::from_secs(15),
        || b.get("/readyz").0 == 200,
    );
    for daemon in [&mut a, &mut b] {
        daemon.stop_cleanly();
    }
}
