//! Black-box tests of the log commands: the real `premia` binary on a log made by
//! `premia bench log --keep`, then altered the ways an auditor would alter it.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::{Command, Output};

fn premia(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_premia"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("PREMIA_CONFIG")
        .output()
        .expect("run premia")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A log of 1002 realistic events (2 opening balances, then order flows), made once by
/// `premia bench log --keep`; each test gets its own copy in `<tmp>/data`.
fn bench_log() -> tempfile::TempDir {
    static TEMPLATE: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let template = TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let out = premia(
            &data,
            &[
                "bench",
                "log",
                "--events",
                "1000",
                "--appenders",
                "4",
                "--keep",
                "--json",
            ],
        );
        assert!(out.status.success(), "bench failed: {}", stderr(&out));
        let figures: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(figures["durable_process"]["per_sec"].as_f64().unwrap() > 0.0);
        assert!(
            figures["ratios"]["replay_vs_raw_iteration"]
                .as_f64()
                .unwrap()
                > 0.0
        );
        dir
    });
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&template.path().join("data"), &copy.path().join("data"));
    copy
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn tamper(data: &Path, change: impl FnOnce(&sled::Tree)) {
    let db = sled::open(data.join("log")).unwrap();
    let events = db.open_tree("events").unwrap();
    change(&events);
    db.flush().unwrap();
}

fn record(tree: &sled::Tree, seq: u64) -> Vec<u8> {
    tree.get(seq.to_be_bytes()).unwrap().unwrap().to_vec()
}

#[test]
fn a_bench_log_reads_back_through_every_command() {
    let dir = bench_log();
    let data = dir.path().join("data");

    let verify = premia(&data, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", stderr(&verify));
    assert!(
        stdout(&verify).starts_with("ok: 1002 events, seq 1..=1002, head hash "),
        "{}",
        stdout(&verify)
    );

    let ls = premia(&data, &["events", "ls", "--from", "3", "--to", "8"]);
    assert!(ls.status.success(), "{}", stderr(&ls));
    let lines: Vec<String> = stdout(&ls).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 7, "header + 6 events: {lines:?}");
    assert!(lines[0].contains("KIND"));
    assert!(lines[1].contains("signal_raised"), "{}", lines[1]);

    let kinds = premia(&data, &["events", "ls", "--kind", "order_filled", "--json"]);
    let fills: Vec<serde_json::Value> = stdout(&kinds)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!fills.is_empty());
    for fill in &fills {
        assert_eq!(fill["kind"], "order_filled");
        assert!(
            fill["payload"]["price"].is_string(),
            "decimals are strings: {fill}"
        );
        assert!(fill["causation_seq"].as_u64().unwrap() < fill["seq"].as_u64().unwrap());
    }

    let intents = premia(
        &data,
        &["events", "ls", "--kind", "order_intended", "--json"],
    );
    let first: serde_json::Value =
        serde_json::from_str(stdout(&intents).lines().next().unwrap()).unwrap();
    let seq = first["seq"].to_string();
    let show = premia(&data, &["events", "show", &seq]);
    let event: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(event, first, "show and ls --json print the same envelope");
    assert_eq!(event["kind"], "order_intended");
    assert_eq!(event["payload"]["venue"], "paper");
    assert_eq!(event["payload"]["market"], "BTC/KRW");

    let export = premia(&data, &["events", "export", "--format", "jsonl"]);
    let rows: Vec<serde_json::Value> = stdout(&export)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1002);
    for (index, row) in rows.iter().enumerate() {
        assert_eq!(row["seq"], index as u64 + 1);
        assert!(
            row["time"].as_str().unwrap().ends_with('Z'),
            "RFC 3339 UTC: {row}"
        );
        if index > 0 {
            assert_eq!(
                row["prev_hash"],
                rows[index - 1]["hash"],
                "the chain shows in the export"
            );
        }
    }

    let csv_path = dir.path().join("events.csv");
    let csv = premia(
        &data,
        &[
            "events",
            "export",
            "--format",
            "csv",
            "--out",
            csv_path.to_str().unwrap(),
        ],
    );
    assert!(csv.status.success(), "{}", stderr(&csv));
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    assert_eq!(reader.headers().unwrap().get(0), Some("seq"));
    assert_eq!(reader.records().count(), 1002);

    let state = premia(&data, &["state", "--json"]);
    let state: serde_json::Value = serde_json::from_slice(&state.stdout).unwrap();
    assert_eq!(state["last_seq"], 1002);
    assert!(state["balances"]["paper"]["KRW"].is_string());

    let early = premia(&data, &["state", "--at", "2", "--json"]);
    let early: serde_json::Value = serde_json::from_slice(&early.stdout).unwrap();
    assert_eq!(early["last_seq"], 2);
    assert_eq!(early["balances"]["paper"]["KRW"], "100000000");
    let time = rows[9]["time"].as_str().unwrap();
    let at_time = premia(&data, &["state", "--at", time, "--json"]);
    let at_time: serde_json::Value = serde_json::from_slice(&at_time.stdout).unwrap();
    assert!(at_time["last_seq"].as_u64().unwrap() >= 10);

    let human = premia(&data, &["state"]);
    assert!(
        stdout(&human).starts_with("state at seq 1002"),
        "{}",
        stdout(&human)
    );

    // The bench left a snapshot at the end; create another and verify both.
    let create = premia(&data, &["snapshot", "create"]);
    assert!(create.status.success(), "{}", stderr(&create));
    let ls = premia(&data, &["snapshot", "ls", "--json"]);
    assert_eq!(
        stdout(&ls).lines().count(),
        1,
        "same seq: replaced: {}",
        stdout(&ls)
    );
    let check = premia(&data, &["snapshot", "verify"]);
    assert!(
        check.status.success(),
        "{}{}",
        stdout(&check),
        stderr(&check)
    );
}

#[test]
fn audit_names_the_seq_of_an_altered_deleted_or_reordered_record() {
    type Change = Box<dyn FnOnce(&sled::Tree)>;
    let cases: Vec<(&str, Change, &str)> = vec![
        (
            "altered",
            Box::new(|t| {
                let mut v = record(t, 500);
                let middle = v.len() / 2;
                v[middle] ^= 0x10;
                t.insert(500u64.to_be_bytes(), v).unwrap();
            }),
            "seq 500: hash mismatch",
        ),
        (
            "deleted",
            Box::new(|t| {
                t.remove(321u64.to_be_bytes()).unwrap();
            }),
            "seq 321: record missing",
        ),
        (
            "reordered",
            Box::new(|t| {
                let (a, b) = (record(t, 700), record(t, 701));
                t.insert(700u64.to_be_bytes(), b).unwrap();
                t.insert(701u64.to_be_bytes(), a).unwrap();
            }),
            "seq 700: record out of place",
        ),
        (
            "tail cut",
            Box::new(|t| {
                t.remove(1002u64.to_be_bytes()).unwrap();
            }),
            "seq 1002: record missing",
        ),
    ];
    for (index, (name, change, expected)) in cases.into_iter().enumerate() {
        let dir = bench_log();
        let data = dir.path().join("data");
        tamper(&data, change);
        let verify = premia(&data, &["audit", "verify"]);
        assert_eq!(verify.status.code(), Some(1), "TC{index} {name}");
        let message = stderr(&verify);
        assert!(message.contains(expected), "TC{index} {name}: {message}");
        assert_eq!(
            message.trim().lines().count(),
            1,
            "TC{index} {name}: one line: {message}"
        );

        let json = premia(&data, &["audit", "verify", "--json"]);
        let verdict: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(verdict["ok"], false, "TC{index}");

        if name != "tail cut" {
            // Readers report the damage and stop there; they never skip it.
            let ls = premia(&data, &["events", "ls", "--json"]);
            assert_eq!(ls.status.code(), Some(1), "TC{index} {name}");
            let seq: u64 = expected
                .split(' ')
                .nth(1)
                .unwrap()
                .trim_end_matches(':')
                .parse()
                .unwrap();
            assert_eq!(
                stdout(&ls).lines().count() as u64,
                seq - 1,
                "TC{index} {name}: events before the damage"
            );
            assert!(
                stderr(&ls).contains(expected),
                "TC{index} {name}: {}",
                stderr(&ls)
            );
        }
        let state = premia(&data, &["state"]);
        {
            assert_eq!(
                state.status.code(),
                Some(1),
                "TC{index} {name}: {}",
                stdout(&state)
            );
            assert!(
                stderr(&state).contains(expected),
                "TC{index} {name}: {}",
                stderr(&state)
            );
        }
    }
}

#[test]
fn errors_are_one_line_with_the_right_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let missing = premia(&data, &["audit", "verify"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("no event log in"),
        "{}",
        stderr(&missing)
    );
    assert_eq!(stderr(&missing).trim().lines().count(), 1);

    let usage = premia(&data, &["events", "ls", "--from", "x"]);
    assert_eq!(usage.status.code(), Some(2));

    let bad_kind = premia(&data, &["events", "ls", "--kind", "nonsense"]);
    assert_eq!(bad_kind.status.code(), Some(1));
    assert!(
        stderr(&bad_kind).contains("invalid event kind"),
        "{}",
        stderr(&bad_kind)
    );

    let config = dir.path().join("premia.toml");
    std::fs::write(&config, "[storage]\ndata_dir = \"x\"\nflush = true\n").unwrap();
    let bad_config = Command::new(env!("CARGO_BIN_EXE_premia"))
        .args(["--config", config.to_str().unwrap(), "state"])
        .output()
        .unwrap();
    assert_eq!(bad_config.status.code(), Some(1));
    let message = stderr(&bad_config);
    assert!(
        message.contains("premia.toml:3:1: unknown field `flush`"),
        "{message}"
    );
}

#[test]
fn a_held_data_dir_is_refused_naming_the_holder() {
    let dir = bench_log();
    let data = dir.path().join("data");
    let _held = premia_events::log::LogReader::open(&data).unwrap();
    let out = premia(&data, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let message = stderr(&out);
    assert!(
        message.contains(&format!(
            "in use by another premia (pid {})",
            std::process::id()
        )),
        "{message}"
    );
}
