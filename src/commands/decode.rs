//! `premia decode --exchange EX [FILE|-]`: raw frames in, one JSON line per frame out.
//!
//! For users adding markets or debugging a feed. Without `--market` the codec runs in discovery
//! mode (`codec_for(exchange, &[], depth)`): it accepts every market a frame names and reads the
//! exchange's code by its convention, so frames of any market decode. With `--market` it runs as
//! the daemon would for those markets, and frames of other markets come out `unknown`.
//!
//! Each input line is one frame (or, with `--rest`, one REST response body). Blank lines are
//! skipped. Each frame prints one JSON object with its `line` number; a frame that carries data
//! for several markets (a REST ticker list, for instance) prints one object per market, all with
//! the same `line`. A frame that cannot be decoded prints `kind: "error"` with the reason, and
//! the command goes on with the next line.

use std::io::{BufRead, BufReader, Write as _};

use anyhow::{Context as _, bail};
use premia_actors::exchanges::{DecodeError, ExchangeCodec, FrameClass, codec_for};
use premia_events::marketdata::{Level, MarketData};
use premia_events::{Exchange, Market, Timestamp};
use serde_json::{Map, Value, json};

use crate::cli::DecodeArgs;

/// Reads frames from the input and prints one JSON line per frame.
pub fn run(args: &DecodeArgs) -> anyhow::Result<()> {
    let exchange: Exchange = args
        .exchange
        .parse()
        .map_err(|_| anyhow::anyhow!("unknown exchange {:?}", args.exchange))?;
    let mut decoder = Decoder::new(exchange, &args.market, args.depth, args.rest)?;
    let input: Box<dyn BufRead> = match args.input.as_deref() {
        None => Box::new(BufReader::new(std::io::stdin().lock())),
        Some(path) if path.as_os_str() == "-" => Box::new(BufReader::new(std::io::stdin().lock())),
        Some(path) => Box::new(BufReader::new(
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
        )),
    };
    let mut out = super::stdout();
    for (index, line) in input.split(b'\n').enumerate() {
        let line = line.context("cannot read the input")?;
        let frame = line.strip_suffix(b"\r").unwrap_or(&line);
        if frame.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        for value in decoder.decode(index.saturating_add(1), frame) {
            if let Err(error) = writeln!(out, "{value}") {
                if error.kind() == std::io::ErrorKind::BrokenPipe {
                    return Ok(());
                }
                return Err(error.into());
            }
        }
    }
    match out.flush() {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(error.into()),
        _ => Ok(()),
    }
}

/// A codec and what it needs to turn frames into JSON lines.
pub struct Decoder {
    exchange: Exchange,
    codec: Box<dyn ExchangeCodec>,
    rest: bool,
    /// The configured markets (none: discovery mode).
    markets: Vec<Market>,
    data: Vec<MarketData>,
}

impl Decoder {
    /// A decoder for `exchange`: discovery mode without `markets`, else configured for them
    /// with books of `depth` levels (default 1000, which each codec fits to what it offers).
    pub fn new(
        exchange: Exchange,
        markets: &[String],
        depth: Option<usize>,
        rest: bool,
    ) -> anyhow::Result<Decoder> {
        let markets = markets
            .iter()
            .map(|text| {
                text.parse::<Market>()
                    .map_err(|error| anyhow::anyhow!("--market {text:?}: {error}"))
            })
            .collect::<anyhow::Result<Vec<Market>>>()?;
        if depth == Some(0) {
            bail!("--depth must be at least 1");
        }
        let codec = codec_for(exchange, &markets, depth.unwrap_or(1000))?;
        Ok(Decoder {
            exchange,
            codec,
            rest,
            markets,
            data: Vec::new(),
        })
    }

    /// The JSON lines for one frame (at least one).
    pub fn decode(&mut self, line: usize, frame: &[u8]) -> Vec<Value> {
        self.data.clear();
        let received = Timestamp::EPOCH;
        let result = if self.rest {
            self.codec.decode_rest(frame, received, &mut self.data)
        } else {
            self.codec.decode(frame, received, &mut self.data)
        };
        let exchange = self.exchange.as_str();
        let base = |kind: &str| {
            let mut object = Map::new();
            object.insert("line".into(), json!(line));
            object.insert("kind".into(), json!(kind));
            object.insert("exchange".into(), json!(exchange));
            object
        };
        match result {
            Ok(FrameClass::Data) if !self.data.is_empty() => {
                self.data.iter().map(|data| data_json(line, data)).collect()
            }
            Ok(FrameClass::Data | FrameClass::Unknown) => vec![Value::Object(base("unknown"))],
            Ok(FrameClass::Ack) => vec![Value::Object(base("ack"))],
            Ok(FrameClass::Pong) => vec![Value::Object(base("pong"))],
            Ok(FrameClass::Status) => vec![Value::Object(base("status"))],
            Ok(FrameClass::Error(message)) => {
                let mut object = base("error");
                object.insert("source".into(), json!("exchange"));
                object.insert("reason".into(), json!(message));
                vec![Value::Object(object)]
            }
            Err(error) => {
                let mut object = base("error");
                object.insert("source".into(), json!("decode"));
                object.insert("reason".into(), json!(self.reason(&error)));
                vec![Value::Object(object)]
            }
        }
    }

    /// The reason a frame failed, with a hint where the user can do something about it.
    fn reason(&self, error: &DecodeError) -> String {
        if self.markets.is_empty() && error.reason.contains("names no market") {
            let what = if self.rest { "REST body" } else { "frame" };
            return format!(
                "this {} {what} names no market; pass --market BASE/QUOTE to attribute it",
                self.exchange
            );
        }
        error.reason.clone()
    }
}

/// One decoded item as a JSON object.
fn data_json(line: usize, data: &MarketData) -> Value {
    let mut object = Map::new();
    object.insert("line".into(), json!(line));
    let mut put = |key: &str, value: Value| {
        object.insert(key.into(), value);
    };
    let opt = |object: &mut Map<String, Value>, key: &str, value: Option<String>| {
        if let Some(value) = value {
            object.insert(key.into(), Value::String(value));
        }
    };
    match data {
        MarketData::Ticker(ticker) => {
            put("kind", json!("ticker"));
            put("exchange", json!(ticker.exchange.as_str()));
            put("market", json!(ticker.market.to_string()));
            put("last", json!(ticker.last.to_string()));
            opt(
                &mut object,
                "best_bid",
                ticker.best_bid.map(|d| d.to_string()),
            );
            opt(
                &mut object,
                "best_ask",
                ticker.best_ask.map(|d| d.to_string()),
            );
            opt(
                &mut object,
                "open_24h",
                ticker.open_24h.map(|d| d.to_string()),
            );
            opt(
                &mut object,
                "high_24h",
                ticker.high_24h.map(|d| d.to_string()),
            );
            opt(
                &mut object,
                "low_24h",
                ticker.low_24h.map(|d| d.to_string()),
            );
            opt(
                &mut object,
                "volume_24h",
                ticker.volume_24h.map(|d| d.to_string()),
            );
            time(&mut object, ticker.exchange_time);
        }
        MarketData::Book(book) => {
            put("kind", json!("book_snapshot"));
            put("exchange", json!(book.exchange.as_str()));
            put("market", json!(book.market.to_string()));
            put("bids", levels(&book.bids));
            put("asks", levels(&book.asks));
            if let Some(seq) = book.seq {
                put("seq", json!(seq));
            }
            time(&mut object, book.exchange_time);
        }
        MarketData::Delta(delta) => {
            put("kind", json!("book_delta"));
            put("exchange", json!(delta.exchange.as_str()));
            put("market", json!(delta.market.to_string()));
            put("bids", levels(&delta.bids));
            put("asks", levels(&delta.asks));
            if let Some(seq) = delta.seq {
                put("seq", json!(seq));
            }
            if let Some(first) = delta.first_seq {
                put("first_seq", json!(first));
            }
            if let Some(prev) = delta.prev_seq {
                put("prev_seq", json!(prev));
            }
            if let Some(checksum) = delta.checksum {
                put("checksum", json!(checksum));
            }
            time(&mut object, delta.exchange_time);
        }
    }
    Value::Object(object)
}

/// `[[price, qty], ...]`, decimals as strings, in the order given (best first).
fn levels(levels: &[Level]) -> Value {
    Value::Array(
        levels
            .iter()
            .map(|level| json!([level.price.to_string(), level.quantity.to_string()]))
            .collect(),
    )
}

/// The exchange's own time of the data, RFC 3339, where the frame has one.
fn time(object: &mut Map<String, Value>, at: Option<Timestamp>) {
    if let Some(at) = at {
        object.insert("exchange_time".into(), json!(at.to_rfc3339()));
    }
}
