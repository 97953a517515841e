//! A fake exchange on loopback: a real WebSocket server that speaks Upbit's public protocol (a
//! JSON array subscribe frame; binary frames of DEFAULT-format JSON; `PING` answered with
//! `{"status":"UP"}`) or Binance's (combined streams named in the URL path, text frames wrapped
//! as `{"stream":…,"data":…}`), fed by the seeded simulated market. Each connection follows the
//! next behaviour of a script, so tests can make it drop the socket, go silent or send garbage.

use std::net::TcpListener as StdListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use premia_actors::sim::{FrameEncoding, MarketConfig, SimConfig, Simulator};
use premia_events::{Clock, Exchange, SystemClock};
use tokio_tungstenite::tungstenite::Message;

/// What one connection does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Serve market data until the client leaves.
    Serve,
    /// Serve this many frames, then drop the TCP connection without a close frame.
    DropAfter(usize),
    /// Accept and subscribe, then send nothing at all.
    Silent,
    /// Serve, with a garbage frame after every market frame.
    Garbage,
    /// Answer the subscription with Upbit's error frame, then close (as Upbit does).
    RejectSubscription,
    /// Close the TCP connection before the WebSocket handshake (the exchange is unreachable).
    Refuse,
}

/// A running fake exchange.
#[derive(Debug)]
pub struct FakeExchange {
    /// `ws://127.0.0.1:<port>`: the feed's `url`.
    pub url: String,
    /// `http://127.0.0.1:<port>`: the feed's `rest_url` (Upbit's REST ticker and order book).
    pub rest_url: String,
    connections: Arc<AtomicUsize>,
    subscriptions: Arc<Mutex<Vec<String>>>,
    rest_requests: Arc<Mutex<Vec<String>>>,
}

impl FakeExchange {
    /// Starts a fake Upbit; connection n follows `script[n]` (the last entry repeats).
    pub fn start(script: Vec<Behaviour>) -> FakeExchange {
        FakeExchange::start_for(Exchange::Upbit, script)
    }

    /// Starts a fake of `exchange` (Upbit or Binance).
    pub fn start_for(exchange: Exchange, script: Vec<Behaviour>) -> FakeExchange {
        let listener = StdListener::bind("127.0.0.1:0").expect("bind fake exchange");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("ws://{}", listener.local_addr().expect("addr"));
        let connections = Arc::new(AtomicUsize::new(0));
        let subscriptions = Arc::new(Mutex::new(Vec::new()));
        let (count, subs) = (connections.clone(), subscriptions.clone());
        let rest_listener = StdListener::bind("127.0.0.1:0").expect("bind fake REST");
        rest_listener.set_nonblocking(true).expect("nonblocking");
        let rest_url = format!("http://{}", rest_listener.local_addr().expect("addr"));
        let rest_requests = Arc::new(Mutex::new(Vec::new()));
        let rest_log = rest_requests.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                tokio::spawn(serve_rest(rest_listener, rest_log));
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let n = count.fetch_add(1, Ordering::SeqCst);
                    let behaviour = script
                        .get(n)
                        .or(script.last())
                        .copied()
                        .unwrap_or(Behaviour::Serve);
                    if behaviour == Behaviour::Refuse {
                        drop(stream);
                        continue;
                    }
                    let subs = subs.clone();
                    tokio::spawn(async move {
                        let _ = serve(exchange, stream, behaviour, subs).await;
                    });
                }
            });
        });
        FakeExchange {
            url,
            rest_url,
            connections,
            subscriptions,
            rest_requests,
        }
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// REST requests (paths) received so far.
    pub fn rest_requests(&self) -> Vec<String> {
        self.rest_requests
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    /// Subscribe frames received so far.
    pub fn subscriptions(&self) -> Vec<String> {
        self.subscriptions
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }
}

#[allow(
    clippy::result_large_err,
    reason = "the handshake callback's error type is tungstenite's"
)]
async fn serve(
    exchange: Exchange,
    stream: tokio::net::TcpStream,
    behaviour: Behaviour,
    subs: Arc<Mutex<Vec<String>>>,
) -> Result<(), Box<dyn std::error::Error>> {
    let path = Arc::new(Mutex::new(String::new()));
    let seen = path.clone();
    let ws = tokio_tungstenite::accept_hdr_async(
        stream,
        move |request: &tokio_tungstenite::tungstenite::handshake::server::Request, response| {
            if let Ok(mut path) = seen.lock() {
                *path = request.uri().to_string();
            }
            Ok(response)
        },
    )
    .await?;
    let (mut tx, mut rx) = ws.split();
    if exchange == Exchange::Binance {
        // Binance's combined streams are named in the URL: the path is the subscription.
        let path = path.lock().map_err(|_| "poisoned")?.clone();
        subs.lock().map_err(|_| "poisoned")?.push(path);
    } else {
        // Upbit sends nothing until it has the subscription.
        loop {
            match tokio::time::timeout(Duration::from_secs(10), rx.next()).await? {
                Some(Ok(Message::Text(text))) => {
                    subs.lock().map_err(|_| "poisoned")?.push(text.to_string());
                    break;
                }
                Some(Ok(_)) => {}
                _ => return Ok(()),
            }
        }
    }
    if behaviour == Behaviour::RejectSubscription {
        let error = r#"{"error":{"name":"INVALID_PARAM","message":"Invalid parameter"}}"#;
        tx.send(Message::Binary(error.as_bytes().to_vec().into()))
            .await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        return Ok(());
    }
    let config = SimConfig {
        seed: 11,
        tick_ms: 50,
        speed: 120.into(),
        markets: vec![MarketConfig::new(
            exchange,
            if exchange == Exchange::Binance {
                "BTC/USDT"
            } else {
                "BTC/KRW"
            }
            .parse()?,
        )],
        ..SimConfig::default()
    };
    let mut simulator = Simulator::new(&config, SystemClock.now())?;
    let mut sent = 0usize;
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    loop {
        tokio::select! {
            incoming = rx.next() => match incoming {
                Some(Ok(Message::Text(text))) if text.as_str() == "PING" => {
                    tx.send(Message::Binary(br#"{"status":"UP"}"#.to_vec().into())).await?;
                }
                Some(Ok(Message::Ping(payload))) => tx.send(Message::Pong(payload)).await?,
                Some(Ok(_)) => {}
                _ => return Ok(()),
            },
            _ = tick.tick() => {
                if behaviour == Behaviour::Silent {
                    continue;
                }
                for frame in simulator.frames(SystemClock.now()) {
                    if let Behaviour::DropAfter(limit) = behaviour
                        && sent >= limit
                    {
                        return Ok(()); // drops the TCP connection, no close frame
                    }
                    tx.send(match frame.encoding {
                        FrameEncoding::Binary => Message::Binary(frame.bytes.into()),
                        FrameEncoding::Text => Message::Text(String::from_utf8(frame.bytes)?.into()),
                    })
                    .await?;
                    sent += 1;
                    if behaviour == Behaviour::Garbage {
                        tx.send(Message::Text("{\"type\":\"ticker\",\"code\":".into())).await?;
                        tx.send(Message::Binary(vec![0xff, 0xfe, 0x00].into())).await?;
                    }
                }
            }
        }
    }
}

/// A minimal HTTP/1.1 server with Upbit's REST ticker and order book (`/v1/ticker?markets=…`,
/// `/v1/orderbook?markets=…`), fed by its own simulated BTC/KRW market.
async fn serve_rest(listener: StdListener, log: Arc<Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    let config = SimConfig {
        seed: 5,
        tick_ms: 50,
        speed: 120.into(),
        markets: vec![MarketConfig::new(
            Exchange::Upbit,
            "BTC/KRW".parse().expect("market"),
        )],
        ..SimConfig::default()
    };
    let Ok(mut simulator) = Simulator::new(&config, SystemClock.now()) else {
        return;
    };
    let mut latest: (Vec<u8>, Vec<u8>) = (Vec::new(), Vec::new());
    while latest.0.is_empty() || latest.1.is_empty() {
        for frame in simulator.frames(SystemClock.now()) {
            match frame.kind {
                premia_actors::sim::FrameKind::Ticker => latest.0 = frame.bytes,
                premia_actors::sim::FrameKind::OrderBook => latest.1 = frame.bytes,
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // REST elements are the WebSocket messages with `market` instead of `code`.
    let rest = |ws: &[u8]| {
        format!(
            "[{}]",
            String::from_utf8_lossy(ws).replacen("\"code\":", "\"market\":", 1)
        )
    };
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(buf.get(..n).unwrap_or_default()),
            }
        }
        let text = String::from_utf8_lossy(&head).into_owned();
        let path = text
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        if let Ok(mut log) = log.lock() {
            log.push(path.clone());
        }
        for frame in simulator.frames(SystemClock.now()) {
            match frame.kind {
                premia_actors::sim::FrameKind::Ticker => latest.0 = frame.bytes,
                premia_actors::sim::FrameKind::OrderBook => latest.1 = frame.bytes,
            }
        }
        let (status, body) = if path.starts_with("/v1/ticker") {
            ("200 OK", rest(&latest.0))
        } else if path.starts_with("/v1/orderbook") {
            ("200 OK", rest(&latest.1))
        } else {
            (
                "404 Not Found",
                r#"{"error":{"name":"404","message":"not found"}}"#.to_owned(),
            )
        };
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    }
}
