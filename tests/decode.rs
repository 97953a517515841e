//! Black-box tests of `premia decode` and `premia bench decode`: the real binary on frames of
//! all nine exchanges written from their documented formats (`tests/data/decode/`), in markets
//! and with values the shared fixtures do not use: tickers, books, deltas, acknowledgements,
//! pongs, status and error frames, and garbage.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/decode")
        .join(name)
}

fn premia(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_premia"))
        .args(args)
        .env_remove("PREMIA_CONFIG")
        .output()
        .expect("run premia")
}

/// The JSON lines `premia decode` prints for `file` with `extra` arguments.
fn decode(exchange: &str, file: &str, extra: &[&str]) -> Vec<Value> {
    let path = data(file);
    let mut args = vec!["decode", "--exchange", exchange];
    args.extend_from_slice(extra);
    args.push(path.to_str().unwrap());
    let output = premia(&args);
    assert!(
        output.status.success(),
        "{exchange}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect(line))
        .collect()
}

/// Asserts that `got` has every field of `want` with the same value.
fn assert_fields(context: &str, got: &Value, want: &Value) {
    for (key, value) in want.as_object().unwrap() {
        assert_eq!(got.get(key), Some(value), "{context}: field {key} of {got}");
    }
}

/// Asserts the output line by line: `want[i]` is a subset of output `i`, and the line count
/// matches.
fn assert_output(exchange: &str, got: &[Value], want: &[Value]) {
    assert_eq!(
        got.len(),
        want.len(),
        "{exchange}: {}",
        got.iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    for (index, (got, want)) in got.iter().zip(want).enumerate() {
        assert_fields(&format!("{exchange} output {index}"), got, want);
        assert_eq!(got["exchange"], json!(exchange), "{got}");
    }
}

/// Output lines that are kind "error" must be exactly these input lines.
fn assert_errors_only_at(exchange: &str, got: &[Value], lines: &[u64]) {
    let errors: Vec<u64> = got
        .iter()
        .filter(|v| v["kind"] == "error")
        .map(|v| v["line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        errors, lines,
        "{exchange}: benign frames must never be errors"
    );
}

#[test]
fn upbit_frames_of_any_market() {
    let got = decode("upbit", "upbit.txt", &[]);
    assert_output(
        "upbit",
        &got,
        &[
            json!({"line": 1, "kind": "ticker", "market": "ETH/USDT", "last": "3150.75",
                   "open_24h": "3100.5", "high_24h": "3200.25", "low_24h": "3050",
                   "volume_24h": "1234.56789"}),
            json!({"line": 2, "kind": "book_snapshot", "market": "XRP/KRW",
                   "bids": [["850.1", "2.25"], ["849.9", "10"]],
                   "asks": [["850.5", "10.5"], ["851", "20"]]}),
            json!({"line": 3, "kind": "status"}),
            json!({"line": 4, "kind": "error", "source": "exchange",
                   "reason": "INVALID_PARAM: 잘못된 요청입니다."}),
            json!({"line": 5, "kind": "error", "source": "decode"}),
            json!({"line": 6, "kind": "ticker", "market": "DOGE/KRW", "last": "102.5"}),
        ],
    );
    assert!(
        got[0].get("best_bid").is_none(),
        "Upbit tickers have no best bid"
    );
    assert_errors_only_at("upbit", &got, &[4, 5]);
}

#[test]
fn bithumb_frames_of_any_market() {
    let got = decode("bithumb", "bithumb.txt", &[]);
    assert_output(
        "bithumb",
        &got,
        &[
            json!({"line": 1, "kind": "ticker", "market": "SOL/KRW", "last": "208500",
                   "open_24h": "205000", "high_24h": "210000", "low_24h": "201500",
                   "volume_24h": "5432.1098"}),
            json!({"line": 2, "kind": "book_snapshot", "market": "ETH/BTC",
                   "bids": [["0.052", "2"], ["0.0519", "2"]],
                   "asks": [["0.0521", "1.5"], ["0.0522", "1.5"]]}),
            json!({"line": 3, "kind": "status"}),
            json!({"line": 4, "kind": "error", "source": "exchange"}),
            json!({"line": 5, "kind": "error", "source": "decode"}),
            json!({"line": 6, "kind": "ticker", "market": "ADA/KRW", "last": "711"}),
        ],
    );
    assert_errors_only_at("bithumb", &got, &[4, 5]);
}

#[test]
fn korbit_frames_of_any_market() {
    let got = decode("korbit", "korbit.txt", &[]);
    assert_output(
        "korbit",
        &got,
        &[
            json!({"line": 1, "kind": "ticker", "market": "ETH/KRW", "last": "3050000",
                   "best_bid": "3049000", "best_ask": "3051000", "open_24h": "3000000",
                   "high_24h": "3100000", "low_24h": "2950000", "volume_24h": "123.456"}),
            json!({"line": 2, "kind": "book_snapshot", "market": "XRP/KRW",
                   "bids": [["850.1", "5.5"], ["849", "1"]],
                   "asks": [["850.5", "100.25"], ["851", "10"]]}),
            json!({"line": 3, "kind": "ack"}),
            json!({"line": 4, "kind": "error", "source": "exchange"}),
            json!({"line": 5, "kind": "error", "source": "decode"}),
            json!({"line": 6, "kind": "ticker", "market": "SOL/KRW", "last": "205000"}),
        ],
    );
    assert_errors_only_at("korbit", &got, &[4, 5]);
}

#[test]
fn coinone_frames_of_any_market() {
    let got = decode("coinone", "coinone.txt", &[]);
    assert_output(
        "coinone",
        &got,
        &[
            json!({"line": 1, "kind": "ticker", "market": "ETH/KRW", "last": "3050000",
                   "best_bid": "3049000", "best_ask": "3051000", "open_24h": "3000000",
                   "high_24h": "3100000", "low_24h": "2950000", "volume_24h": "321.5"}),
            // Asks arrive worst first on Coinone; the output is best first.
            json!({"line": 2, "kind": "book_snapshot", "market": "XRP/KRW",
                   "bids": [["850.1", "5.5"], ["849", "1"]],
                   "asks": [["850.5", "100.25"], ["851", "10"]]}),
            json!({"line": 3, "kind": "ack"}),
            json!({"line": 4, "kind": "pong"}),
            json!({"line": 5, "kind": "status"}),
            json!({"line": 6, "kind": "error", "source": "exchange",
                   "reason": "160012: Invalid topic"}),
            json!({"line": 7, "kind": "error", "source": "decode"}),
            json!({"line": 8, "kind": "ticker", "market": "SOL/KRW", "last": "205000"}),
        ],
    );
    assert_errors_only_at("coinone", &got, &[6, 7]);
}

#[test]
fn okx_frames_of_any_market() {
    let got = decode("okx", "okx.txt", &[]);
    assert_output(
        "okx",
        &got,
        &[
            json!({"line": 1, "kind": "ticker", "market": "ETH/BTC", "last": "0.05213",
                   "best_bid": "0.05212", "best_ask": "0.05214", "open_24h": "0.05100",
                   "high_24h": "0.05300", "low_24h": "0.05050", "volume_24h": "1918.5"}),
            json!({"line": 2, "kind": "book_snapshot", "market": "SOL/USDC", "seq": 1000,
                   "bids": [["101.59", "4"], ["101.5", "0.25"]],
                   "asks": [["101.61", "2.5"], ["101.62", "1"]]}),
            json!({"line": 3, "kind": "book_delta", "market": "SOL/USDC", "seq": 1001,
                   "prev_seq": 1000, "bids": [["101.6", "3"]], "asks": [["101.61", "0"]]}),
            json!({"line": 4, "kind": "ack"}),
            json!({"line": 5, "kind": "pong"}),
            json!({"line": 6, "kind": "error", "source": "exchange"}),
            json!({"line": 7, "kind": "status"}),
            json!({"line": 8, "kind": "error", "source": "decode"}),
            json!({"line": 9, "kind": "ticker", "market": "DOGE/USDT", "last": "0.0712"}),
        ],
    );
    assert_errors_only_at("okx", &got, &[6, 8]);
}

#[test]
fn bybit_frames_of_any_market() {
    let got = decode("bybit", "bybit.txt", &[]);
    assert_output(
        "bybit",
        &got,
        &[
            json!({"line": 1, "kind": "ticker", "market": "ETH/USDC", "last": "2001.5",
                   "open_24h": "1990", "high_24h": "2050", "low_24h": "1980.25",
                   "volume_24h": "1234.5678"}),
            json!({"line": 2, "kind": "book_snapshot", "market": "SOL/USDT", "seq": 1,
                   "bids": [["101.50", "2.000"], ["101.40", "1"]],
                   "asks": [["101.60", "0.5"], ["101.70", "7"]]}),
            json!({"line": 3, "kind": "book_delta", "market": "SOL/USDT", "seq": 2,
                   "bids": [["101.50", "0"]], "asks": [["101.65", "3"]]}),
            json!({"line": 4, "kind": "ack"}),
            json!({"line": 5, "kind": "pong"}),
            json!({"line": 6, "kind": "error", "source": "exchange",
                   "reason": "Invalid topic: tickers.NOPE"}),
            json!({"line": 7, "kind": "error", "source": "decode"}),
            json!({"line": 8, "kind": "ticker", "market": "BTC/EUR", "last": "34000.1"}),
        ],
    );
    assert_errors_only_at("bybit", &got, &[6, 7]);
}

#[test]
fn gateio_frames_of_any_market() {
    let got = decode("gateio", "gateio.txt", &[]);
    assert_output(
        "gateio",
        &got,
        &[
            json!({"line": 1, "kind": "ticker", "market": "ETH/BTC", "last": "0.05213",
                   "best_bid": "0.05212", "best_ask": "0.05214", "high_24h": "0.053",
                   "low_24h": "0.0505", "volume_24h": "1918.5"}),
            json!({"line": 2, "kind": "book_snapshot", "market": "SOL/USDT", "seq": 1000,
                   "bids": [["101.5", "2"], ["101.4", "1"]],
                   "asks": [["101.6", "0.5"], ["101.7", "7"]]}),
            json!({"line": 3, "kind": "book_delta", "market": "SOL/USDT", "seq": 1002,
                   "first_seq": 1001, "bids": [["101.5", "0"]], "asks": [["101.65", "3"]]}),
            json!({"line": 4, "kind": "ack"}),
            json!({"line": 5, "kind": "pong"}),
            json!({"line": 6, "kind": "error", "source": "exchange",
                   "reason": "2: unknown currency pair NOPE_USDT"}),
            json!({"line": 7, "kind": "error", "source": "decode"}),
            json!({"line": 8, "kind": "ticker", "market": "DOGE/USDT", "last": "0.0712"}),
        ],
    );
    assert_errors_only_at("gateio", &got, &[6, 7]);
}

#[test]
fn kraken_frames_of_any_market() {
    let got = decode("kraken", "kraken.txt", &[]);
    assert_output(
        "kraken",
        &got,
        &[
            json!({"line": 1, "kind": "ticker", "market": "ETH/EUR", "last": "1850.5",
                   "best_bid": "1850.25", "best_ask": "1850.75", "high_24h": "1900.5",
                   "low_24h": "1800.0", "volume_24h": "12345.6789"}),
            json!({"line": 2, "kind": "book_snapshot", "market": "SOL/USD",
                   "bids": [["101.5", "2.0"], ["101.4", "1.25"]],
                   "asks": [["101.6", "0.5"], ["101.7", "7"]]}),
            json!({"line": 3, "kind": "book_delta", "market": "SOL/USD",
                   "checksum": 987_654_321, "bids": [["101.5", "0"]],
                   "asks": [["101.65", "3"]]}),
            json!({"line": 4, "kind": "ack"}),
            json!({"line": 5, "kind": "pong"}),
            json!({"line": 6, "kind": "status"}),
            json!({"line": 7, "kind": "status"}),
            json!({"line": 8, "kind": "error", "source": "exchange",
                   "reason": "Currency pair not supported NOPE/USD"}),
            json!({"line": 9, "kind": "error", "source": "decode"}),
            json!({"line": 10, "kind": "ticker", "market": "DOGE/USD", "last": "0.0712"}),
        ],
    );
    assert_errors_only_at("kraken", &got, &[8, 9]);
}

#[test]
fn binance_frames_of_any_market() {
    let got = decode("binance", "binance.txt", &[]);
    assert_output(
        "binance",
        &got,
        &[
            json!({"line": 1, "kind": "ticker", "market": "ETH/USDT", "last": "2001.60",
                   "best_bid": "2001.59", "best_ask": "2001.61", "open_24h": "2000.10",
                   "high_24h": "2050.00", "low_24h": "1980.25", "volume_24h": "123456.7890"}),
            json!({"line": 2, "kind": "book_snapshot", "market": "SOL/FDUSD", "seq": 42,
                   "bids": [["101.50", "2.000"], ["101.40", "1"]],
                   "asks": [["101.60", "0.5"]]}),
            // Diff depth: a delta covering update ids U..=u.
            json!({"line": 3, "kind": "book_delta", "market": "BNB/EUR", "seq": 160,
                   "first_seq": 157, "bids": [["250.1", "0"]], "asks": [["251.2", "3.5"]]}),
            json!({"line": 4, "kind": "ticker", "market": "XRP/TRY", "last": "18.25"}),
            // Diff depth on a raw stream: its `s` names the market.
            json!({"line": 5, "kind": "book_delta", "market": "BTC/BRL", "seq": 160,
                   "first_seq": 157}),
            json!({"line": 6, "kind": "ack"}),
            json!({"line": 7, "kind": "error", "source": "exchange",
                   "reason": "2: Invalid request: unknown variant"}),
            json!({"line": 8, "kind": "status"}),
            // A raw partial book names no market.
            json!({"line": 9, "kind": "error", "source": "decode"}),
            json!({"line": 10, "kind": "error", "source": "decode"}),
            json!({"line": 11, "kind": "error", "source": "decode"}),
            json!({"line": 12, "kind": "ticker", "market": "ETH/BTC", "last": "0.05"}),
        ],
    );
    assert!(
        got[8]["reason"]
            .as_str()
            .unwrap()
            .contains("does not name its market"),
        "{}",
        got[8]
    );
    assert_errors_only_at("binance", &got, &[7, 9, 10, 11]);
}

#[test]
fn configured_mode_ignores_other_markets() {
    let got = decode(
        "binance",
        "binance.txt",
        &["--market", "ETH/USDT", "--depth", "5"],
    );
    assert_eq!(got[0]["market"], "ETH/USDT");
    assert_eq!(got[1]["kind"], "unknown", "SOL/FDUSD is not configured");
    assert_eq!(got[3]["kind"], "unknown", "XRP/TRY is not configured");
    // Raw (unwrapped) streams are read only in discovery mode, as the daemon does not use them.
    assert_eq!(got[3]["kind"], "unknown");
    assert_eq!(got[8]["kind"], "error");
}

#[test]
fn rest_bodies() {
    let upbit = decode("upbit", "upbit_rest.txt", &["--rest"]);
    assert_output(
        "upbit",
        &upbit,
        &[
            json!({"line": 1, "kind": "ticker", "market": "ETH/KRW", "last": "3050000"}),
            json!({"line": 1, "kind": "ticker", "market": "BTC/USDT", "last": "37000.5",
                   "low_24h": "35900.25", "volume_24h": "12.75"}),
            json!({"line": 2, "kind": "book_snapshot", "market": "XRP/KRW",
                   "bids": [["850.1", "2.25"]], "asks": [["850.5", "10.5"]]}),
            json!({"line": 3, "kind": "error", "source": "exchange"}),
        ],
    );
    let kraken = decode("kraken", "kraken_rest.txt", &["--rest"]);
    assert_output(
        "kraken",
        &kraken,
        &[
            json!({"line": 1, "kind": "ticker", "market": "ETH/EUR", "last": "1850.50000",
                   "best_bid": "1850.25000", "best_ask": "1850.75000", "open_24h": "1820.00",
                   "high_24h": "1900.50", "low_24h": "1800.00", "volume_24h": "12345.6789"}),
            json!({"line": 2, "kind": "book_snapshot", "market": "SOL/USD",
                   "bids": [["101.50000", "2.000"]],
                   "asks": [["101.60000", "0.500"], ["101.70000", "7.000"]]}),
            json!({"line": 3, "kind": "error", "source": "exchange",
                   "reason": "EQuery:Unknown asset pair"}),
        ],
    );
    let bybit = decode("bybit", "bybit_rest.txt", &["--rest"]);
    assert_output(
        "bybit",
        &bybit,
        &[
            json!({"line": 1, "kind": "ticker", "market": "ETH/USDC", "last": "2001.5",
                   "best_bid": "2001.4", "best_ask": "2001.6"}),
            json!({"line": 2, "kind": "book_snapshot", "market": "SOL/USDT",
                   "bids": [["101.5", "2"]], "asks": [["101.6", "0.5"]]}),
            json!({"line": 3, "kind": "error", "source": "exchange"}),
        ],
    );
}

#[test]
fn binance_rest_depth_needs_a_market() {
    let without = decode("binance", "binance_rest.txt", &["--rest"]);
    assert_eq!(without[0]["market"], "ETH/USDT");
    assert_eq!(without[0]["last"], "2001.60");
    assert_eq!(without[1]["kind"], "error");
    assert!(
        without[1]["reason"].as_str().unwrap().contains("--market"),
        "{}",
        without[1]
    );
    let with = decode(
        "binance",
        "binance_rest.txt",
        &["--rest", "--market", "SOL/USDT"],
    );
    assert_fields(
        "binance --market",
        &with[1],
        &json!({"kind": "book_snapshot", "market": "SOL/USDT", "seq": 42,
                "bids": [["101.50", "2.000"]], "asks": [["101.60", "0.5"]]}),
    );
}

#[test]
fn reads_standard_input_and_skips_blank_lines() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_premia"))
        .args(["decode", "--exchange", "okx", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"pong\r\n\n{\"event\":\"subscribe\",\"arg\":{\"channel\":\"tickers\"}}\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_fields("stdin", &lines[0], &json!({"line": 1, "kind": "pong"}));
    assert_fields("stdin", &lines[1], &json!({"line": 3, "kind": "ack"}));
}

#[test]
fn bad_arguments_fail() {
    let output = premia(&["decode", "--exchange", "ftx", "-"]);
    assert!(!output.status.success());
    let output = premia(&["decode", "--exchange", "okx", "--market", "BTCUSDT", "-"]);
    assert!(!output.status.success());
}

#[test]
fn bench_decode_smoke() {
    let output = premia(&[
        "bench",
        "decode",
        "--exchange",
        "okx",
        "--iterations",
        "20",
        "--json",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["iterations"], 20);
    let rows = report["rows"].as_array().unwrap();
    let kinds: Vec<&str> = rows.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["ticker", "book", "delta"]);
    for row in rows {
        assert_eq!(row["exchange"], "okx");
        for field in ["decode_per_sec", "validate_per_sec", "ratio"] {
            assert!(row[field].as_f64().unwrap() > 0.0, "{field} of {row}");
        }
        assert!(row["frame_bytes"].as_u64().unwrap() > 0);
        assert!(row["meets_target"].is_boolean());
        assert!(row["target"].as_f64().unwrap() >= 2.0);
    }
    // Every exchange's bench frames decode (the command fails otherwise).
    let all = premia(&["bench", "decode", "--iterations", "1"]);
    assert!(
        all.status.success(),
        "{}",
        String::from_utf8_lossy(&all.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&all.stdout).lines().count(), 23);
}
