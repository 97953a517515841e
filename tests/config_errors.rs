//! Broken configurations get one clear line each, naming what is wrong and where, and exit 1.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod support;

use std::process::Command;
use std::time::Duration;

use support::*;

fn run_with(config: &std::path::Path, data: &std::path::Path) -> (Option<i32>, String) {
    let mut child = Command::new(premia_bin())
        .args(["run", "--config"])
        .arg(config)
        .arg("--data-dir")
        .arg(data)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("premia run did not exit on a broken config");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    (output.status.code(), stderr(&output))
}

#[test]
fn each_broken_config_gets_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(demo_config(dir.path(), "")).unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "unknown key",
            good.replace("[paper]\n", "[paper]\nfees = 1\n"),
            "unknown field `fees`",
        ),
        (
            "wrong type",
            good.replace("snapshot_every = 50", "snapshot_every = \"often\""),
            "invalid type: string \"often\", expected u64",
        ),
        (
            "bad market",
            good.replace("markets = [\"BTC/KRW\"]", "markets = [\"BTCKRW\"]"),
            "invalid market \"BTCKRW\"",
        ),
        (
            "rule without a feed",
            good.replace(
                "market = \"BTC/USDT\"\nwindow_s",
                "market = \"ETH/USDT\"\nwindow_s",
            ),
            "which no feed subscribes to",
        ),
    ];
    for (index, (name, text, expected)) in cases.into_iter().enumerate() {
        let path = dir.path().join(format!("case{index}.toml"));
        std::fs::write(&path, text).unwrap();
        let (code, message) = run_with(&path, &dir.path().join(format!("data{index}")));
        assert_eq!(code, Some(1), "TC{index} {name}: {message}");
        assert!(message.contains(expected), "TC{index} {name}: {message}");
        assert!(
            message.contains(&format!("case{index}.toml")),
            "TC{index} {name}: names the file: {message}"
        );
        assert_eq!(
            message.trim().lines().count(),
            1,
            "TC{index} {name}: one line: {message}"
        );
    }
}

#[test]
fn a_missing_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (code, message) = run_with(&dir.path().join("nope.toml"), &dir.path().join("data"));
    assert_eq!(code, Some(1));
    assert!(
        message.contains("nope.toml: cannot read config"),
        "{message}"
    );
    assert_eq!(message.trim().lines().count(), 1, "{message}");
}

#[test]
fn a_port_in_use_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let config = demo_config(dir.path(), "");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("127.0.0.1:0", &format!("127.0.0.1:{port}"));
    std::fs::write(&config, text).unwrap();
    let (code, message) = run_with(&config, &dir.path().join("data"));
    assert_eq!(code, Some(1));
    assert!(
        message.contains(&format!("cannot listen on 127.0.0.1:{port} (http.listen)")),
        "{message}"
    );
    assert!(
        message.to_lowercase().contains("address already in use") || message.contains("in use"),
        "{message}"
    );
    assert_eq!(message.trim().lines().count(), 1, "{message}");
}

#[test]
fn a_data_dir_held_by_another_premia_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), "");
    let data = dir.path().join("data");
    let _first = Daemon::start(&config, &data);
    let (code, message) = run_with(&config, &data);
    assert_eq!(code, Some(1));
    assert!(
        message.contains("is in use by another premia (pid "),
        "{message}"
    );
    assert_eq!(message.trim().lines().count(), 1, "{message}");
}
