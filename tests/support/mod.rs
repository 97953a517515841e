//! Helpers for black-box tests of the real `premia` binary: a daemon under test, its HTTP API,
//! and the commands run against its data dir.
#![allow(dead_code, reason = "each test binary uses a different subset")]

pub mod fake_chat;
pub mod fake_exchange;
pub mod fake_venue;
pub mod nats;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary under test.
pub fn premia_bin() -> &'static str {
    env!("CARGO_BIN_EXE_premia")
}

/// Runs a premia command against `data_dir` and waits for it.
pub fn premia(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(premia_bin())
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("PREMIA_CONFIG")
        .env_remove("RUST_LOG")
        .output()
        .expect("run premia")
}

/// stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fast demo config: the simulated market at high speed, rules that fire within seconds, HTTP
/// on a port the OS picks. `extra` is appended (more tables).
pub fn demo_config(dir: &Path, extra: &str) -> PathBuf {
    let text = format!(
        r#"
instance = "test"

[storage]
data_dir = "{data}"
snapshot_every = 50

[http]
listen = "127.0.0.1:0"

[logging]
level = "info"

[sim]
seed = 7
tick_ms = 50
speed = 120

[[sim.markets]]
exchange = "binance"
market = "BTC/USDT"
start_price = 68000
volatility = 0.05

[[sim.markets]]
exchange = "upbit"
market = "BTC/KRW"
levels = 15

[[feeds]]
exchange = "upbit"
source = "sim"
markets = ["BTC/KRW"]
stale_after_ms = 5000

[[feeds]]
exchange = "binance"
source = "sim"
markets = ["BTC/USDT"]
depth = 20
stale_after_ms = 5000

[[rules]]
name = "krw"
exchange = "upbit"
market = "BTC/KRW"
window_s = 60
buy_below_pct = -0.1
sell_above_pct = 0.1
bucket_s = 120
quantity = "0.001"

[[rules]]
name = "usdt"
exchange = "binance"
market = "BTC/USDT"
window_s = 60
buy_below_pct = -0.1
sell_above_pct = 0.1
bucket_s = 120
quantity = "0.001"

[paper]
balances = {{ KRW = "10000000", USDT = "10000", BTC = "0.1" }}
{extra}
"#,
        data = dir.join("data").display()
    );
    let path = dir.join("premia.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

/// A daemon started by a test; killed if the test ends without stopping it.
pub struct Daemon {
    child: Option<Child>,
    /// Its data dir.
    pub data_dir: PathBuf,
    /// Its HTTP address (host:port).
    pub http: String,
    /// Where its stdout and stderr go.
    pub log_path: PathBuf,
}

impl Daemon {
    /// Starts `premia run --config config` and waits until its HTTP endpoint answers.
    pub fn start(config: &Path, data_dir: &Path) -> Daemon {
        let log_path = data_dir.with_extension(format!("log{}", std::process::id()));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .expect("daemon log");
        let child = Command::new(premia_bin())
            .args(["run", "--config"])
            .arg(config)
            .arg("--data-dir")
            .arg(data_dir)
            .env_remove("RUST_LOG")
            .stdout(Stdio::from(log.try_clone().expect("log")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start premia run");
        let mut daemon = Daemon {
            child: Some(child),
            data_dir: data_dir.to_path_buf(),
            http: String::new(),
            log_path,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(addr) = std::fs::read_to_string(data_dir.join("premia.http")) {
                let addr = addr.trim().to_owned();
                if !addr.is_empty() && http_get(&addr, "/healthz").is_some() {
                    daemon.http = addr;
                    break;
                }
            }
            if let Some(status) = daemon
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("premia run exited early with {status}: {}", daemon.output());
            }
            assert!(
                Instant::now() < deadline,
                "premia run did not come up: {}",
                daemon.output()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        daemon
    }

    /// What the daemon printed so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// GET on the daemon's HTTP endpoint: (status, body).
    pub fn get(&self, path: &str) -> (u16, String) {
        http_get(&self.http, path)
            .unwrap_or_else(|| panic!("GET {path} failed; daemon output: {}", self.output()))
    }

    /// Waits until `check` holds, polling; panics with the daemon's output after `timeout`.
    pub fn wait_for(&self, what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
        let deadline = Instant::now() + timeout;
        while !check() {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; daemon output:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sends a signal (`TERM`, `INT`, `KILL`) to the daemon.
    pub fn signal(&self, name: &str) {
        if let Some(child) = &self.child {
            let status = Command::new("kill")
                .arg(format!("-{name}"))
                .arg(child.id().to_string())
                .status()
                .expect("kill");
            assert!(status.success());
        }
    }

    /// Stops the daemon with SIGTERM and asserts that it exits 0 within 10 s (its output is in
    /// the failure message).
    pub fn stop_cleanly(&mut self) {
        self.signal("TERM");
        let (code, took) = self.wait_exit(Duration::from_secs(10));
        assert_eq!(
            code,
            Some(0),
            "exit after SIGTERM ({took:?}); output:\n{}",
            self.output()
        );
    }

    /// Waits for the daemon to exit; returns its exit code and how long that took.
    pub fn wait_exit(&mut self, timeout: Duration) -> (Option<i32>, Duration) {
        let started = Instant::now();
        let Some(child) = self.child.as_mut() else {
            return (None, Duration::ZERO);
        };
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                self.child = None;
                return (status.code(), started.elapsed());
            }
            if started.elapsed() > timeout {
                let _ = child.kill();
                let _ = child.wait();
                self.child = None;
                return (None, started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A minimal HTTP/1.1 GET over loopback: (status, body), or None if nothing answers.
pub fn http_get(addr: &str, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, body.to_owned()))
}

/// Every event of the log as JSON (through the daemon if it holds the dir).
pub fn events(data_dir: &Path) -> Vec<serde_json::Value> {
    let out = premia(data_dir, &["events", "ls", "--json"]);
    assert!(out.status.success(), "events ls failed: {}", stderr(&out));
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("event json"))
        .collect()
}

/// The seqs of the events of `kind`.
pub fn kinds(events: &[serde_json::Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Fails with an install hint when a tool the test needs is missing. Never skips.
pub fn require_tool(tool: &str, package: &str) -> PathBuf {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(tool))
        .find(|path| path.is_file());
    found.unwrap_or_else(|| panic!("this test needs `{tool}`: install it with `apt-get install -y {package}` (CI's .ci/run does)"))
}
