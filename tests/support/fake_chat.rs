//! Fake chat APIs on loopback (Telegram Bot API, Slack/Discord webhooks, a generic webhook):
//! each answers every POST according to its [`Behaviour`] and records what it got, so tests can
//! count deliveries and look at bodies and headers.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the fake answers.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// 200 `{"ok":true}`.
    Ok,
    /// Reads the request and answers nothing for this long (past any client timeout), then 200.
    Hang(Duration),
    /// Hangs every request that arrives before `until` elapsed since start; 200 afterwards.
    StallFor(Duration),
    /// The first `n` requests get Telegram's 429 with `parameters.retry_after` seconds; then 200.
    RateLimited { n: usize, retry_after: u64 },
    /// Telegram's 400 "chat not found", always.
    BadRequest,
    /// Odd requests get 502, even ones 200.
    Flaps,
}

/// One request the fake received.
#[derive(Clone, Debug)]
pub struct Hit {
    /// The request path.
    pub path: String,
    /// Header lines, lower-cased names.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
    /// When it arrived.
    pub at: Instant,
}

/// A running fake.
pub struct FakeChat {
    /// host:port.
    pub addr: String,
    hits: Arc<Mutex<Vec<Hit>>>,
    stop: Arc<AtomicBool>,
}

impl FakeChat {
    /// Starts a fake on a free loopback port.
    pub fn start(behaviour: Behaviour) -> FakeChat {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind fake chat");
        let addr = listener.local_addr().expect("addr").to_string();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (h, s) = (hits.clone(), stop.clone());
        let started = Instant::now();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::Relaxed) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let (h, behaviour, s) = (h.clone(), behaviour.clone(), s.clone());
                std::thread::spawn(move || serve(stream, &h, &behaviour, started, &s));
            }
        });
        FakeChat { addr, hits, stop }
    }

    /// `http://host:port`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests received so far.
    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().expect("hits").clone()
    }

    /// How many requests arrived.
    pub fn count(&self) -> usize {
        self.hits.lock().expect("hits").len()
    }
}

impl Drop for FakeChat {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(&self.addr);
    }
}

fn serve(
    stream: TcpStream,
    hits: &Mutex<Vec<Hit>>,
    behaviour: &Behaviour,
    started: Instant,
    stop: &AtomicBool,
) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut headers = Vec::new();
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 {
            return;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let (name, value) = (name.trim().to_ascii_lowercase(), value.trim().to_owned());
            if name == "content-length" {
                length = value.parse().unwrap_or(0);
            }
            headers.push((name, value));
        }
    }
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    let index = {
        let mut hits = hits.lock().expect("hits");
        hits.push(Hit {
            path,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            at: Instant::now(),
        });
        hits.len()
    };
    let hang = |for_how_long: Duration| {
        let until = Instant::now() + for_how_long;
        while Instant::now() < until && !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let ok = (200, r#"{"ok":true,"result":{}}"#.to_owned(), None);
    let (status, text, retry_after) = match behaviour {
        Behaviour::Ok => ok,
        Behaviour::Hang(d) => {
            hang(*d);
            ok
        }
        Behaviour::StallFor(d) => {
            if started.elapsed() < *d {
                hang(d.saturating_sub(started.elapsed()));
            }
            ok
        }
        Behaviour::RateLimited { n, retry_after } if index <= *n => (
            429,
            format!(
                r#"{{"ok":false,"error_code":429,"description":"Too Many Requests: retry after {retry_after}","parameters":{{"retry_after":{retry_after}}}}}"#
            ),
            Some(*retry_after),
        ),
        Behaviour::RateLimited { .. } => ok,
        Behaviour::BadRequest => (
            400,
            r#"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#
                .to_owned(),
            None,
        ),
        Behaviour::Flaps if index % 2 == 1 => (502, "bad gateway".to_owned(), None),
        Behaviour::Flaps => ok,
    };
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        429 => "Too Many Requests",
        _ => "Bad Gateway",
    };
    let mut stream = stream;
    let extra = retry_after.map_or_else(String::new, |s| format!("Retry-After: {s}\r\n"));
    let _ = write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = stream.flush();
}
