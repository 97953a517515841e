//! Fake Upbit and Binance REST venues on loopback, with their real order semantics and an audit
//! record a test can read.
//!
//! - Auth: Upbit's JWT (HS256/HS512, `access_key`, `query_hash` of the parameters) and Binance's
//!   HMAC-SHA256 `signature` + `X-MBX-APIKEY` are verified; a wrong key gets the venue's 401 body.
//! - Client ids: Upbit never accepts an `identifier` twice, even after a failed request; Binance
//!   refuses a `newClientOrderId` of an open order (`-2010`).
//! - Fills arrive over time: an accepted order fills in `fill_steps` equal parts, one every
//!   `step` after it was placed; balances follow the fills (fee 0.05 % in the quote asset).
//! - Faults, per submit (a queue, or at random with a seeded rate): accept then answer after a
//!   delay; accept then drop the connection; drop before accepting; 500 before accepting; 429 with
//!   `Retry-After`.
//!
//! A plain HTTP/1.1 server on std threads (one per connection, `Connection: close`), so a fault
//! can drop the socket whenever it likes.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::float_arithmetic,
    reason = "test support: each test binary uses a different subset; a broken fake should panic"
)]

mod binance;
mod upbit;

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use premia_actors::venue::sign::{Secret, base64url, binance_signature, hmac_sha256, hmac_sha512};
use rust_decimal::Decimal;
use sha2::Digest;

/// Which venue the fake speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// Upbit's `/v1` API.
    Upbit,
    /// Binance's `/api/v3` API.
    Binance,
}

/// A fault applied to one submit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Accept the order, then answer only after this delay (past the client's timeout).
    DelayAfterAccept(Duration),
    /// Accept the order, then close the connection without answering.
    DropAfterAccept,
    /// Close the connection without accepting.
    DropBeforeAccept,
    /// Answer 500 without accepting.
    ServerError,
    /// Answer 429 with `Retry-After: n` without accepting.
    RateLimit(u64),
}

/// One submit the fake received.
#[derive(Clone, Debug)]
pub struct SubmitRecord {
    /// The client order id.
    pub client_id: String,
    /// Whether an order was created.
    pub accepted: bool,
    /// What happened (`ok`, a fault, `duplicate`).
    pub outcome: String,
}

/// An order the fake holds.
#[derive(Clone, Debug)]
pub struct FakeOrder {
    /// Client order id.
    pub client_id: String,
    /// Venue id.
    pub venue_id: String,
    /// `BASE/QUOTE` assets.
    pub base: String,
    /// Quote asset.
    pub quote: String,
    /// Buy?
    pub buy: bool,
    /// Price.
    pub price: Decimal,
    /// Quantity.
    pub volume: Decimal,
    /// Fills: (trade id, price, qty, fee).
    pub trades: Vec<(String, Decimal, Decimal, Decimal)>,
    /// Cancelled?
    pub cancelled: bool,
    placed: Instant,
}

impl FakeOrder {
    /// Executed quantity.
    pub fn executed(&self) -> Decimal {
        self.trades.iter().map(|t| t.2).sum()
    }
    fn done(&self) -> bool {
        self.cancelled || self.executed() >= self.volume
    }
}

/// The fake's whole state.
#[derive(Debug)]
pub struct Book {
    flavor: Flavor,
    key: String,
    secret: String,
    /// Every order ever accepted.
    pub orders: Vec<FakeOrder>,
    /// Every submit received.
    pub submits: Vec<SubmitRecord>,
    /// Balances (free + locked).
    pub balances: BTreeMap<String, Decimal>,
    /// Identifiers Upbit has seen (never reusable).
    seen_ids: std::collections::BTreeSet<String>,
    /// Faults for the next submits, in order.
    pub faults: VecDeque<Fault>,
    /// Random faults: (probability in 1/1000, rng state).
    chaos: Option<(u64, u64)>,
    /// Delay used by random `DelayAfterAccept`.
    pub chaos_delay: Duration,
    fill_steps: u32,
    step: Duration,
    next_id: u64,
    /// Give no fill lists (Upbit without `trades`, Binance without `myTrades`).
    pub hide_trades: bool,
}

/// A running fake venue.
pub struct FakeVenue {
    /// `http://127.0.0.1:port`.
    pub url: String,
    /// Its state.
    pub book: Arc<Mutex<Book>>,
}

impl FakeVenue {
    /// Starts a fake with these keys and balances.
    pub fn start(flavor: Flavor, key: &str, secret: &str, balances: &[(&str, &str)]) -> FakeVenue {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind fake venue");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let book = Arc::new(Mutex::new(Book {
            flavor,
            key: key.into(),
            secret: secret.into(),
            orders: Vec::new(),
            submits: Vec::new(),
            balances: balances
                .iter()
                .map(|(a, v)| ((*a).to_owned(), v.parse().expect("balance")))
                .collect(),
            seen_ids: Default::default(),
            faults: VecDeque::new(),
            chaos: None,
            chaos_delay: Duration::from_secs(3),
            fill_steps: 3,
            step: Duration::from_millis(300),
            next_id: 1,
            hide_trades: false,
        }));
        let shared = book.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let book = shared.clone();
                std::thread::spawn(move || serve(stream, &book));
            }
        });
        FakeVenue { url, book }
    }

    /// Queues faults for the next submits.
    pub fn fault(&self, fault: Fault) {
        self.book.lock().unwrap().faults.push_back(fault);
    }

    /// Random faults on `per_mille` of submits, from `seed`.
    pub fn chaos(&self, per_mille: u64, seed: u64, delay: Duration) {
        let mut book = self.book.lock().unwrap();
        book.chaos = Some((per_mille, seed | 1));
        book.chaos_delay = delay;
    }

    /// Answers without fill lists from now on, as a proxy or a minimal venue might.
    pub fn hide_trades(&self) {
        self.book.lock().unwrap().hide_trades = true;
    }

    /// Fills in `steps` parts, one every `step`.
    pub fn fills(&self, steps: u32, step: Duration) {
        let mut book = self.book.lock().unwrap();
        book.fill_steps = steps.max(1);
        book.step = step;
    }

    /// The audit record, with fills brought up to now.
    pub fn audit(&self) -> (Vec<FakeOrder>, Vec<SubmitRecord>, BTreeMap<String, Decimal>) {
        let mut book = self.book.lock().unwrap();
        book.advance();
        (
            book.orders.clone(),
            book.submits.clone(),
            book.balances.clone(),
        )
    }
}

impl Book {
    fn advance(&mut self) {
        let (steps, step) = (Decimal::from(self.fill_steps), self.step);
        let mut changes = Vec::new();
        for order in &mut self.orders {
            if order.done() {
                continue;
            }
            let elapsed = order.placed.elapsed().as_millis() / step.as_millis().max(1);
            let due = u32::try_from(elapsed)
                .unwrap_or(u32::MAX)
                .min(self.fill_steps) as usize;
            while order.trades.len() < due && !order.done() {
                let part = (order.volume / steps).round_dp(8);
                let left = order.volume - order.executed();
                let qty = if order.trades.len() + 1 == self.fill_steps as usize {
                    left
                } else {
                    part.min(left)
                };
                let funds = qty * order.price;
                let fee = (funds * Decimal::new(5, 4)).round_dp(8);
                let trade_id = match self.flavor {
                    Flavor::Upbit => format!("{}-t{}", order.venue_id, order.trades.len() + 1),
                    // Binance's trade ids are numbers.
                    Flavor::Binance => (order.venue_id.parse::<u64>().unwrap_or(0) * 100
                        + order.trades.len() as u64)
                        .to_string(),
                };
                order.trades.push((trade_id, order.price, qty, fee));
                changes.push((
                    order.base.clone(),
                    order.quote.clone(),
                    order.buy,
                    qty,
                    funds,
                    fee,
                ));
            }
        }
        for (base, quote, buy, qty, funds, fee) in changes {
            let b = self.balances.entry(base).or_default();
            *b += if buy { qty } else { -qty };
            let q = self.balances.entry(quote).or_default();
            *q += if buy { -funds } else { funds };
            *q -= fee;
        }
    }

    fn next_fault(&mut self) -> Option<Fault> {
        if let Some(fault) = self.faults.pop_front() {
            return Some(fault);
        }
        let (per_mille, state) = self.chaos.as_mut()?;
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        if *state % 1000 >= *per_mille {
            return None;
        }
        Some(match (*state / 1000) % 5 {
            0 => Fault::DelayAfterAccept(self.chaos_delay),
            1 => Fault::DropAfterAccept,
            2 => Fault::DropBeforeAccept,
            3 => Fault::ServerError,
            _ => Fault::RateLimit(1),
        })
    }
}

struct Request {
    method: String,
    path: String,
    query: String,
    headers: BTreeMap<String, String>,
    body: String,
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = BTreeMap::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    Some(Request {
        method,
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn respond(mut stream: &TcpStream, status: u16, extra: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

/// What a handler wants done with the connection.
enum Reply {
    Json(u16, String, String),
    Drop,
    Later(Duration, u16, String),
}

fn serve(stream: TcpStream, book: &Arc<Mutex<Book>>) {
    let Some(request) = read_request(&stream) else {
        return;
    };
    let reply = {
        let mut book = book.lock().unwrap();
        book.advance();
        match book.flavor {
            Flavor::Upbit => upbit::handle(&mut book, &request),
            Flavor::Binance => binance::handle(&mut book, &request),
        }
    };
    match reply {
        Reply::Json(status, extra, body) => respond(&stream, status, &extra, &body),
        Reply::Drop => {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        Reply::Later(delay, status, body) => {
            std::thread::sleep(delay);
            respond(&stream, status, "", &body);
        }
    }
}

fn decode_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), percent_decode(v))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(Ok(b)) = text.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16))
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes() {
        let v = alphabet.iter().position(|&a| a == c)? as u32;
        bits = (bits << 6) | v;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

impl Book {
    fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Creates an order (and records the accepted submit).
    fn accept(&mut self, order: FakeOrder, outcome: &str) -> usize {
        self.submits.push(SubmitRecord {
            client_id: order.client_id.clone(),
            accepted: true,
            outcome: outcome.into(),
        });
        self.orders.push(order);
        self.orders.len() - 1
    }

    fn refuse(&mut self, client_id: &str, outcome: &str) {
        self.submits.push(SubmitRecord {
            client_id: client_id.into(),
            accepted: false,
            outcome: outcome.into(),
        });
    }
}

impl FakeOrder {
    fn new(
        client_id: String,
        venue_id: String,
        base: &str,
        quote: &str,
        buy: bool,
        price: Decimal,
        volume: Decimal,
    ) -> FakeOrder {
        FakeOrder {
            client_id,
            venue_id,
            base: base.into(),
            quote: quote.into(),
            buy,
            price,
            volume,
            trades: Vec::new(),
            cancelled: false,
            placed: Instant::now(),
        }
    }
}

/// The reply to a submit the fake accepted, after its fault.
fn accepted_reply(fault: Option<Fault>, status: u16, body: String) -> Reply {
    match fault {
        Some(Fault::DelayAfterAccept(delay)) => Reply::Later(delay, status, body),
        Some(Fault::DropAfterAccept) => Reply::Drop,
        _ => Reply::Json(status, String::new(), body),
    }
}

/// A config that trades on the simulated market's BTC/KRW (Upbit) or BTC/USDT (Binance) at a
/// fake venue, with the keys in files. `extra` is appended.
pub fn live_config(
    dir: &std::path::Path,
    flavor: Flavor,
    url: &str,
    key: &str,
    secret: &str,
    extra: &str,
) -> std::path::PathBuf {
    let (venue, market, quantity) = match flavor {
        Flavor::Upbit => ("upbit", "BTC/KRW", "0.001"),
        Flavor::Binance => ("binance", "BTC/USDT", "0.001"),
    };
    std::fs::write(dir.join("api.key"), key).expect("key file");
    std::fs::write(dir.join("secret.key"), secret).expect("secret file");
    let text = format!(
        r#"
instance = "chaos"

[storage]
data_dir = "{data}"
durability = "process"
snapshot_every = 200

[http]
listen = "127.0.0.1:0"

[logging]
level = "info"

[sim]
seed = 11
tick_ms = 50
speed = 120

[[sim.markets]]
exchange = "{venue}"
market = "{market}"
volatility = 0.3

[[feeds]]
exchange = "{venue}"
source = "sim"
markets = ["{market}"]
stale_after_ms = 5000

[[rules]]
name = "live"
exchange = "{venue}"
market = "{market}"
window_s = 60
buy_below_pct = -0.02
sell_above_pct = 0.02
bucket_s = 10
quantity = "{quantity}"
venue = "{venue}"
order_kind = "limit"

[risk]
max_orders_per_minute = 600

[[venues]]
venue = "{venue}"
base_url = "{url}"
api_key_file = "{api}"
secret_key_file = "{secret_file}"
timeout_ms = 1000
poll_ms = 200
{extra}
"#,
        data = dir.join("data").display(),
        api = dir.join("api.key").display(),
        secret_file = dir.join("secret.key").display(),
    );
    let path = dir.join("premia.toml");
    std::fs::write(&path, text).expect("write config");
    path
}
