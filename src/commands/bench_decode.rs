//! `premia bench decode [--exchange EX] [--json]`: for each exchange and frame kind, how fast
//! the codec decodes a frame into `MarketData`, against the floor of merely validating the same
//! bytes with serde_json into `IgnoredAny`, in the same run on the same bytes.
//!
//! Frames are written here in each exchange's documented wire format: a ticker, a 20-level book
//! snapshot, and for exchanges that stream deltas a 20-level delta. Each codec is configured for
//! the frame's market, as the daemon's would be. Each measurement decodes the frame
//! `--iterations` times; decode and validation alternate over several rounds and the fastest
//! round of each counts, which keeps a noisy neighbour out of the ratio. The targets (issue 4):
//! ticker decode at most 2x validation, 20-level book decode at most 3x. The method is written
//! down in BENCHMARKS.md.

#![allow(
    clippy::float_arithmetic,
    reason = "rates and ratios of measurements, never money"
)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use premia_actors::exchanges::codec_for;
use premia_events::{Exchange, Market, Timestamp};
use serde::Serialize;
use serde::de::IgnoredAny;

use crate::cli::BenchDecode;

/// Rounds of (decode, validate); the fastest of each counts.
const ROUNDS: u32 = 5;
/// Levels per side in book frames.
const LEVELS: u32 = 20;

/// One exchange and frame kind.
#[derive(Debug, Serialize)]
struct Row {
    exchange: &'static str,
    kind: &'static str,
    frame_bytes: usize,
    decode_per_sec: f64,
    validate_per_sec: f64,
    /// Decode time over validation time.
    ratio: f64,
    /// The target ratio for this kind.
    target: f64,
    meets_target: bool,
}

#[derive(Debug, Serialize)]
struct Report {
    iterations: u32,
    rounds: u32,
    levels: u32,
    rows: Vec<Row>,
}

/// Runs the benchmark and prints a table or a JSON object.
pub fn run(args: &BenchDecode) -> anyhow::Result<()> {
    if args.iterations == 0 {
        bail!("--iterations must be at least 1");
    }
    let exchanges: Vec<Exchange> = match &args.exchange {
        Some(text) => vec![
            text.parse()
                .map_err(|_| anyhow::anyhow!("unknown exchange {text:?}"))?,
        ],
        None => Exchange::ALL.to_vec(),
    };
    let mut rows = Vec::new();
    for exchange in exchanges {
        let frames = frames(exchange);
        let market: Market = frames.market.parse().context("bench market")?;
        for (kind, frame, target) in frames.kinds() {
            if args.kind.as_deref().is_some_and(|wanted| wanted != kind) {
                continue;
            }
            rows.push(measure(
                exchange,
                &market,
                kind,
                &frame,
                target,
                args.iterations,
            )?);
        }
    }
    let report = Report {
        iterations: args.iterations,
        rounds: ROUNDS,
        levels: LEVELS,
        rows,
    };
    let mut out = super::stdout();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{:<8} {:<6} {:>6} {:>14} {:>14} {:>6} {:>7}",
            "exchange", "kind", "bytes", "decode/s", "validate/s", "ratio", "target"
        )?;
        for row in &report.rows {
            writeln!(
                out,
                "{:<8} {:<6} {:>6} {:>14.0} {:>14.0} {:>5.2}x {:>5.1}x {}",
                row.exchange,
                row.kind,
                row.frame_bytes,
                row.decode_per_sec,
                row.validate_per_sec,
                row.ratio,
                row.target,
                if row.meets_target { "ok" } else { "MISSED" }
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Times `iterations` decodes and as many validations of `frame`, over [`ROUNDS`] rounds.
fn measure(
    exchange: Exchange,
    market: &Market,
    kind: &'static str,
    frame: &str,
    target: f64,
    iterations: u32,
) -> anyhow::Result<Row> {
    let mut codec = codec_for(exchange, std::slice::from_ref(market), LEVELS as usize)?;
    let bytes = frame.as_bytes();
    let mut out = Vec::with_capacity(4);
    // Check once that the frame decodes to data, so the figures are of real work.
    let class = codec
        .decode(bytes, Timestamp::EPOCH, &mut out)
        .map_err(|error| anyhow::anyhow!("{exchange} {kind}: {error}"))?;
    if out.is_empty() {
        bail!("{exchange} {kind}: the bench frame decoded to no data ({class:?})");
    }
    serde_json::from_slice::<IgnoredAny>(bytes)
        .with_context(|| format!("{exchange} {kind}: not JSON"))?;
    let mut decode_best = Duration::MAX;
    let mut validate_best = Duration::MAX;
    for _ in 0..ROUNDS {
        let start = Instant::now();
        for _ in 0..iterations {
            out.clear();
            let result = codec.decode(std::hint::black_box(bytes), Timestamp::EPOCH, &mut out);
            std::hint::black_box(&result);
        }
        decode_best = decode_best.min(start.elapsed());
        let start = Instant::now();
        for _ in 0..iterations {
            let result = serde_json::from_slice::<IgnoredAny>(std::hint::black_box(bytes));
            std::hint::black_box(&result);
        }
        validate_best = validate_best.min(start.elapsed());
    }
    let per_sec = |elapsed: Duration| f64::from(iterations) / elapsed.as_secs_f64().max(1e-9);
    let decode_per_sec = per_sec(decode_best);
    let validate_per_sec = per_sec(validate_best);
    let ratio = validate_per_sec / decode_per_sec;
    Ok(Row {
        exchange: exchange.as_str(),
        kind,
        frame_bytes: bytes.len(),
        decode_per_sec,
        validate_per_sec,
        ratio,
        target,
        meets_target: ratio <= target,
    })
}

/// One exchange's bench frames.
struct Frames {
    market: &'static str,
    ticker: String,
    book: String,
    delta: Option<String>,
}

impl Frames {
    /// `(kind, frame, target ratio)` for each kind.
    fn kinds(self) -> Vec<(&'static str, String, f64)> {
        let mut kinds = vec![("ticker", self.ticker, 2.0), ("book", self.book, 3.0)];
        if let Some(delta) = self.delta {
            kinds.push(("delta", delta, 3.0));
        }
        kinds
    }
}

/// A price or quantity as a decimal string: `whole + i / 100`, two decimals.
fn dec(whole: u32, hundredths: u32) -> String {
    format!(
        "{}.{:02}",
        whole.saturating_add(hundredths / 100),
        hundredths % 100
    )
}

/// `LEVELS` levels per side around `mid`, each written by `level(price, qty)` and joined by
/// commas: (bids best first, asks best first).
fn sides(mid: u32, level: impl Fn(&str, &str) -> String) -> (String, String) {
    let mut bids = String::new();
    let mut asks = String::new();
    for i in 0..LEVELS {
        let sep = if i == 0 { "" } else { "," };
        let qty = dec(i % 7, 1234 + 37 * i);
        let _ = write!(
            bids,
            "{sep}{}",
            level(&dec(mid.saturating_sub(1 + i), 50), &qty)
        );
        let _ = write!(
            asks,
            "{sep}{}",
            level(&dec(mid.saturating_add(i), 75), &qty)
        );
    }
    (bids, asks)
}

fn pair(price: &str, qty: &str) -> String {
    format!(r#"["{price}","{qty}"]"#)
}

fn object(price: &str, qty: &str) -> String {
    format!(r#"{{"price":"{price}","qty":"{qty}"}}"#)
}

fn number_object(price: &str, qty: &str) -> String {
    format!(r#"{{"price":{price},"qty":{qty}}}"#)
}

/// Upbit and Bithumb units: `{"ask_price":..,"bid_price":..,"ask_size":..,"bid_size":..}`.
fn units(mid: u32) -> String {
    let mut units = String::new();
    for i in 0..LEVELS {
        let sep = if i == 0 { "" } else { "," };
        let qty = dec(i % 7, 1234 + 37 * i);
        let _ = write!(
            units,
            r#"{sep}{{"ask_price":{},"bid_price":{},"ask_size":{qty},"bid_size":{qty}}}"#,
            mid.saturating_add(1000 * (i + 1)),
            mid.saturating_sub(1000 * (i + 1)),
        );
    }
    units
}

/// The bench frames of `exchange`, in its documented wire format.
fn frames(exchange: Exchange) -> Frames {
    match exchange {
        Exchange::Upbit | Exchange::Bithumb => Frames {
            market: "ETH/KRW",
            ticker: r#"{"type":"ticker","code":"KRW-ETH","opening_price":3000000,"high_price":3100000,"low_price":2950000,"trade_price":3050000,"prev_closing_price":3000000,"acc_trade_price":78039261076.5124,"change":"RISE","change_price":50000,"signed_change_price":50000,"change_rate":0.0166666667,"signed_change_rate":0.0166666667,"ask_bid":"ASK","trade_volume":0.03103806,"acc_trade_volume":2429.58834336,"trade_date":"20231114","trade_time":"221320","trade_timestamp":1700000000000,"acc_ask_volume":1146.25573608,"acc_bid_volume":1283.33260728,"highest_52_week_price":5767800,"highest_52_week_date":"2023-03-28","lowest_52_week_price":2070000,"lowest_52_week_date":"2023-01-30","market_state":"ACTIVE","is_trading_suspended":false,"delisting_date":null,"market_warning":"NONE","timestamp":1700000000123,"acc_trade_price_24h":228646597607.4,"acc_trade_volume_24h":7213.94311,"stream_type":"REALTIME"}"#.to_string(),
            book: format!(
                r#"{{"type":"orderbook","code":"KRW-ETH","timestamp":1700000000456,"total_ask_size":30.5,"total_bid_size":12.25,"orderbook_units":[{}],"stream_type":"REALTIME","level":0}}"#,
                units(3_050_000)
            ),
            delta: None,
        },
        Exchange::Korbit => {
            let (bids, asks) = sides(3_050_000, object);
            Frames {
                market: "ETH/KRW",
                ticker: r#"{"type":"ticker","timestamp":1700000000123,"symbol":"eth_krw","snapshot":true,"data":{"open":"3000000","high":"3100000","low":"2950000","close":"3050000","prevClose":"3000000","priceChange":"50000","priceChangePercent":"1.67","volume":"123.456","quoteVolume":"376540800","bestAskPrice":"3051000","bestBidPrice":"3049000","lastTradedAt":1700000000000}}"#.to_string(),
                book: format!(
                    r#"{{"type":"orderbook","timestamp":1700000000456,"symbol":"eth_krw","snapshot":true,"data":{{"timestamp":1700000000400,"asks":[{asks}],"bids":[{bids}]}}}}"#
                ),
                delta: None,
            }
        }
        Exchange::Coinone => {
            let (bids, asks) = sides(3_050_000, object);
            Frames {
                market: "ETH/KRW",
                ticker: r#"{"response_type":"DATA","channel":"TICKER","data":{"quote_currency":"KRW","target_currency":"ETH","timestamp":1700000000123,"quote_volume":"1000000","target_volume":"321.5","high":"3100000","low":"2950000","first":"3000000","last":"3050000","volume_power":"100","ask_best_price":"3051000","ask_best_qty":"0.5","bid_best_price":"3049000","bid_best_qty":"1.25","id":"1700000000123001","yesterday_high":"3100000","yesterday_low":"2900000","yesterday_first":"2950000","yesterday_last":"3000000","yesterday_quote_volume":"900000","yesterday_target_volume":"300"}}"#.to_string(),
                book: format!(
                    r#"{{"response_type":"DATA","channel":"ORDERBOOK","data":{{"quote_currency":"KRW","target_currency":"ETH","timestamp":1700000000456,"id":"1700000000456001","asks":[{asks}],"bids":[{bids}]}}}}"#
                ),
                delta: None,
            }
        }
        Exchange::Okx => {
            let level = |p: &str, q: &str| format!(r#"["{p}","{q}","0","3"]"#);
            let (bids, asks) = sides(2001, level);
            Frames {
                market: "ETH/USDT",
                ticker: r#"{"arg":{"channel":"tickers","instId":"ETH-USDT"},"data":[{"instType":"SPOT","instId":"ETH-USDT","last":"2001.5","lastSz":"0.1","askPx":"2001.6","askSz":"11","bidPx":"2001.4","bidSz":"5","open24h":"1990","high24h":"2050","low24h":"1980.25","volCcy24h":"2469135.6","vol24h":"1234.5678","sodUtc0":"1995","sodUtc8":"1996","ts":"1700000000123"}]}"#.to_string(),
                book: format!(
                    r#"{{"arg":{{"channel":"books","instId":"ETH-USDT"}},"action":"snapshot","data":[{{"asks":[{asks}],"bids":[{bids}],"ts":"1700000000456","checksum":-123456,"prevSeqId":-1,"seqId":1000}}]}}"#
                ),
                delta: Some(format!(
                    r#"{{"arg":{{"channel":"books","instId":"ETH-USDT"}},"action":"update","data":[{{"asks":[{asks}],"bids":[{bids}],"ts":"1700000000500","checksum":987654,"prevSeqId":1000,"seqId":1001}}]}}"#
                )),
            }
        }
        Exchange::Bybit => {
            let (bids, asks) = sides(2001, pair);
            Frames {
                market: "ETH/USDT",
                ticker: r#"{"topic":"tickers.ETHUSDT","ts":1700000000123,"type":"snapshot","cs":2588407389,"data":{"symbol":"ETHUSDT","lastPrice":"2001.5","highPrice24h":"2050","lowPrice24h":"1980.25","prevPrice24h":"1990","volume24h":"1234.5678","turnover24h":"2469135.6","price24hPcnt":"0.0058","usdIndexPrice":"2001.4"}}"#.to_string(),
                book: format!(
                    r#"{{"topic":"orderbook.50.ETHUSDT","type":"snapshot","ts":1700000000456,"data":{{"s":"ETHUSDT","b":[{bids}],"a":[{asks}],"u":1,"seq":555}},"cts":1700000000450}}"#
                ),
                delta: Some(format!(
                    r#"{{"topic":"orderbook.50.ETHUSDT","type":"delta","ts":1700000000500,"data":{{"s":"ETHUSDT","b":[{bids}],"a":[{asks}],"u":2,"seq":556}},"cts":1700000000490}}"#
                )),
            }
        }
        Exchange::Gateio => {
            let (bids, asks) = sides(2001, pair);
            Frames {
                market: "ETH/USDT",
                ticker: r#"{"time":1700000000,"time_ms":1700000000123,"channel":"spot.tickers","event":"update","result":{"currency_pair":"ETH_USDT","last":"2001.5","lowest_ask":"2001.6","highest_bid":"2001.4","change_percentage":"0.58","base_volume":"1234.5678","quote_volume":"2469135.6","high_24h":"2050","low_24h":"1980.25"}}"#.to_string(),
                book: format!(
                    r#"{{"channel":"spot.obu","result":{{"t":1700000000456,"full":true,"s":"ob.ETH_USDT.50","u":1000,"b":[{bids}],"a":[{asks}]}},"time_ms":1700000000460}}"#
                ),
                delta: Some(format!(
                    r#"{{"channel":"spot.obu","result":{{"t":1700000000500,"s":"ob.ETH_USDT.50","U":1001,"u":1002,"b":[{bids}],"a":[{asks}]}},"time_ms":1700000000510}}"#
                )),
            }
        }
        Exchange::Binance => {
            let (bids, asks) = sides(2001, pair);
            Frames {
                market: "ETH/USDT",
                ticker: r#"{"stream":"ethusdt@ticker","data":{"e":"24hrTicker","E":1700000000000,"s":"ETHUSDT","p":"1.5","P":"0.07","w":"2010","x":"2000.10","c":"2001.60","Q":"0.5","b":"2001.59","B":"3","a":"2001.61","A":"2","o":"2000.10","h":"2050.00","l":"1980.25","v":"123456.7890","q":"248000000.12","O":1699913600000,"C":1700000000000,"F":1000,"L":2000,"n":1001}}"#.to_string(),
                book: format!(
                    r#"{{"stream":"ethusdt@depth20@100ms","data":{{"lastUpdateId":42,"bids":[{bids}],"asks":[{asks}]}}}}"#
                ),
                delta: None,
            }
        }
        Exchange::Kraken => {
            let (bids, asks) = sides(2001, number_object);
            Frames {
                market: "ETH/USD",
                ticker: r#"{"channel":"ticker","type":"update","data":[{"symbol":"ETH/USD","bid":2001.4,"bid_qty":1.5,"ask":2001.6,"ask_qty":2.25,"last":2001.5,"volume":12345.6789,"vwap":2010.1,"low":1980.25,"high":2050.0,"change":10.5,"change_pct":0.57,"timestamp":"2023-11-14T22:13:20.123456Z"}]}"#.to_string(),
                book: format!(
                    r#"{{"channel":"book","type":"snapshot","data":[{{"symbol":"ETH/USD","bids":[{bids}],"asks":[{asks}],"checksum":123456789,"timestamp":"2023-11-14T22:13:20.456Z"}}]}}"#
                ),
                delta: Some(format!(
                    r#"{{"channel":"book","type":"update","data":[{{"symbol":"ETH/USD","bids":[{bids}],"asks":[{asks}],"checksum":987654321,"timestamp":"2023-11-14T22:13:20.500Z"}}]}}"#
                )),
            }
        }
    }
}
