//! A real nats-server for tests: each test starts its own on a free loopback port with
//! JetStream in a temp dir, and it is killed when the value drops. Never the system's server.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;

/// The nats-server binary: on PATH or in /usr/sbin (Debian's package). Fails with how to install
/// it; never skips.
pub fn nats_server_bin() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join("nats-server"))
        .find(|path| path.is_file());
    on_path
        .or_else(|| Some(PathBuf::from("/usr/sbin/nats-server")).filter(|p| p.is_file()))
        .unwrap_or_else(|| {
            panic!("this test needs `nats-server`: install it with `apt-get install -y nats-server` (CI's .ci/run does)")
        })
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A nats-server with JetStream, owned by one test.
pub struct NatsServer {
    child: Option<Child>,
    /// Its port.
    pub port: u16,
    /// Its JetStream store dir.
    pub store: PathBuf,
}

impl NatsServer {
    /// Starts a server on a free port, storing JetStream data under `dir`.
    pub fn start(dir: &Path) -> NatsServer {
        let mut server = NatsServer {
            child: None,
            port: free_port(),
            store: dir.join("jetstream"),
        };
        server.restart();
        server
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Kills the server (SIGKILL); its JetStream data stays.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and store, and waits until it accepts connections.
    pub fn restart(&mut self) {
        self.kill();
        let child = Command::new(nats_server_bin())
            .args([
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-js",
                "-sd",
            ])
            .arg(&self.store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nats-server");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nats-server did not come up on {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        // JetStream needs a moment after the port opens.
        std::thread::sleep(Duration::from_millis(300));
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The `[nats]` table for a test config.
pub fn nats_table(url: &str) -> String {
    format!("\n[nats]\nservers = [\"{url}\"]\n")
}

/// Every message of the stream, in stream order: (subject, headers Premia-Seq, payload JSON).
pub fn stream_messages(url: &str, stream: &str) -> Vec<(String, u64, serde_json::Value)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let client = async_nats::connect(url).await.expect("connect to nats");
        let js = async_nats::jetstream::new(client);
        let mut stream = js.get_stream(stream).await.expect("stream exists");
        let count = stream.info().await.expect("stream info").state.messages;
        let consumer = stream
            .create_consumer(async_nats::jetstream::consumer::pull::Config {
                ack_policy: async_nats::jetstream::consumer::AckPolicy::None,
                ..Default::default()
            })
            .await
            .expect("consumer");
        let mut messages = consumer.messages().await.expect("messages");
        let mut out = Vec::new();
        while (out.len() as u64) < count {
            let message = tokio::time::timeout(Duration::from_secs(10), messages.next())
                .await
                .expect("a stream message within 10 s")
                .expect("stream not ended")
                .expect("stream message");
            let seq = message
                .headers
                .as_ref()
                .and_then(|h| h.get("Premia-Seq"))
                .and_then(|v| v.as_str().parse().ok())
                .expect("Premia-Seq header");
            let json = serde_json::from_slice(&message.payload).expect("JSON payload");
            out.push((message.subject.to_string(), seq, json));
        }
        out
    })
}
