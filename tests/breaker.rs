//! The kill switch through the CLI on a running daemon: `premia breaker open paper/local/order`
//! → the next signals are rejected naming the breaker → `/readyz` is not ready, naming it → the
//! state survives a restart (replay) → `premia breaker close` → trading resumes. The admin API
//! needs its token when one is configured, and a daemon bound beyond loopback refuses to start
//! without one.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use support::fake_chat::{Behaviour, FakeChat};
use support::*;

fn cli(config: &Path, data: &Path, args: &[&str]) -> Output {
    Command::new(premia_bin())
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .unwrap()
}

fn of_kind(data: &Path, kind: &str) -> Vec<serde_json::Value> {
    events(data)
        .into_iter()
        .filter(|e| e["kind"] == kind)
        .collect()
}

fn breaker_rejections(data: &Path) -> Vec<serde_json::Value> {
    of_kind(data, "order_rejected")
        .into_iter()
        .filter(|e| e["payload"]["source"] == "breaker")
        .collect()
}

#[test]
fn the_kill_switch_through_the_cli_gates_orders_survives_a_restart_and_closes() {
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("admin-token");
    std::fs::write(&token, "s3cret-admin-token\n").unwrap();
    // Every notification goes to a fake Telegram, so transitions can be checked as sent.
    let chat = FakeChat::start(Behaviour::Ok);
    let bot_token = dir.path().join("bot-token");
    std::fs::write(&bot_token, "42:KILL").unwrap();
    let config = demo_config(
        dir.path(),
        &format!(
            "[[notify.channels]]\nname = \"tg\"\nkind = \"telegram\"\nbase_url = \"{}\"\nchat_id = \"1\"\ntoken_file = \"{}\"\n",
            chat.url(),
            bot_token.display()
        ),
    );
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "[http]\n",
        &format!("[http]\nadmin_token_file = \"{}\"\n", token.display()),
    );
    std::fs::write(&config, text).unwrap();
    let data = dir.path().join("data");

    let mut daemon = Daemon::start(&config, &data);
    daemon.wait_for("a first fill", Duration::from_secs(30), || {
        !of_kind(&data, "order_filled").is_empty()
    });
    let (status, _) = daemon.get("/api/v1/breakers");
    assert_eq!(status, 401, "the admin API wants its token");

    let open = cli(
        &config,
        &data,
        &[
            "breaker",
            "open",
            "paper/local/order",
            "--reason",
            "test kill switch",
        ],
    );
    assert!(open.status.success(), "{}{}", stdout(&open), stderr(&open));
    assert_eq!(
        stdout(&open).trim(),
        "paper/local/order closed -> open (operator; recorded)"
    );
    let (status, body) = daemon.get("/readyz");
    assert_eq!(status, 503, "{body}");
    let ready: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["components"]["breakers"]["status"], "down", "{body}");
    assert!(
        ready["components"]["breakers"]["detail"]
            .as_str()
            .unwrap()
            .contains("paper/local/order"),
        "{body}"
    );
    daemon.wait_for(
        "the breaker state in /metrics",
        Duration::from_secs(10),
        || {
            daemon
                .get("/metrics")
                .1
                .contains("premia_breaker_state{key=\"paper/local/order\"} 3")
        },
    );
    let ls = cli(&config, &data, &["breaker", "ls"]);
    assert!(ls.status.success(), "{}", stderr(&ls));
    let row = stdout(&ls)
        .lines()
        .find(|l| l.starts_with("paper/local/order"))
        .unwrap()
        .to_owned();
    assert!(row.contains(" open ") && row.contains(" yes "), "{row}");

    // The next signals are refused by the breaker, and the refusal names it.
    daemon.wait_for("a breaker rejection", Duration::from_secs(30), || {
        breaker_rejections(&data).len() >= 2
    });
    let rejected = &breaker_rejections(&data)[0];
    assert!(
        rejected["payload"]["reason"].as_str().unwrap().starts_with(
            "breaker paper/local/order refused the submit: forced open by an operator"
        ),
        "{rejected}"
    );
    let first_rejection = rejected["seq"].as_u64().unwrap();
    let fills_after: Vec<_> = of_kind(&data, "order_filled")
        .into_iter()
        .filter(|e| e["seq"].as_u64().unwrap() > first_rejection)
        .collect();
    assert!(
        fills_after.is_empty(),
        "filled while forced open: {fills_after:?}"
    );
    let command = &of_kind(&data, "operator_command")[0];
    assert_eq!(command["payload"]["command"], "breaker open");
    assert_eq!(command["payload"]["target"], "paper/local/order");
    assert!(
        command["payload"]["by"]
            .as_str()
            .unwrap()
            .starts_with("cli:")
    );
    let transition = of_kind(&data, "breaker_transition")
        .into_iter()
        .find(|e| e["payload"]["forced"] == true)
        .unwrap();
    assert_eq!(transition["causation_seq"], command["seq"], "{transition}");
    assert_eq!(transition["payload"]["to"], "open");

    // Replay restores it: still forced open after a restart.
    daemon.signal("TERM");
    assert_eq!(daemon.wait_exit(Duration::from_secs(10)).0, Some(0));
    let mut daemon = Daemon::start(&config, &data);
    let (status, body) = daemon.get("/readyz");
    assert_eq!(status, 503, "forced open across a restart: {body}");
    let before = breaker_rejections(&data).len();
    daemon.wait_for(
        "a rejection after the restart",
        Duration::from_secs(30),
        || breaker_rejections(&data).len() > before,
    );

    // Closing it resumes trading.
    let close = cli(&config, &data, &["breaker", "close", "paper/local/order"]);
    assert!(close.status.success(), "{}", stderr(&close));
    assert_eq!(
        stdout(&close).trim(),
        "paper/local/order open -> closed (operator; recorded)"
    );
    let closed_at = events(&data).last().unwrap()["seq"].as_u64().unwrap();
    daemon.wait_for("/readyz ready again", Duration::from_secs(10), || {
        daemon.get("/readyz").0 == 200
    });
    daemon.wait_for("a fill after the close", Duration::from_secs(30), || {
        of_kind(&data, "order_filled")
            .iter()
            .any(|e| e["seq"].as_u64().unwrap() > closed_at)
    });
    let reset = cli(&config, &data, &["breaker", "reset", "--all"]);
    assert!(reset.status.success(), "{}", stderr(&reset));

    // Wrong or missing token, unknown keys: clear errors.
    std::fs::write(&token, "wrong").unwrap();
    let denied = cli(&config, &data, &["breaker", "ls"]);
    assert_eq!(denied.status.code(), Some(1));
    assert!(
        stderr(&denied).contains("401 Unauthorized: admin token missing or wrong"),
        "{}",
        stderr(&denied)
    );
    std::fs::write(&token, "s3cret-admin-token").unwrap();
    let unknown = cli(&config, &data, &["breaker", "close", "nope/x/order"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("no breaker nope/x/order"),
        "{}",
        stderr(&unknown)
    );
    let bad = cli(&config, &data, &["breaker", "open", "paper"]);
    assert!(
        stderr(&bad).contains("is not a breaker key"),
        "{}",
        stderr(&bad)
    );

    daemon.signal("TERM");
    assert_eq!(daemon.wait_exit(Duration::from_secs(10)).0, Some(0));
    let verify = premia(&data, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", stderr(&verify));

    // The transitions and the operator's commands were notified (derived from the events).
    let sent: Vec<String> = chat
        .hits()
        .iter()
        .map(|h| {
            serde_json::from_str::<serde_json::Value>(&h.body).unwrap()["text"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    for want in [
        "[INFO] premia test 0.1.0 started",
        "[CRITICAL] breaker paper/local/order closed -> open (operator): test kill switch",
        "[WARNING] operator: breaker open paper/local/order (by cli:",
        "[ERROR] rejected by the breaker: ",
        "[INFO] breaker paper/local/order open -> closed (operator): breaker close by cli:",
        "[INFO] premia stopped (SIGTERM)",
    ] {
        assert!(
            sent.iter().any(|t| t.starts_with(want)),
            "no notification starting {want:?} in {sent:#?}"
        );
    }
    assert!(verify.status.success(), "{}", stderr(&verify));
}

#[test]
fn beyond_loopback_the_admin_api_needs_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), "");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("listen = \"127.0.0.1:0\"", "listen = \"0.0.0.0:0\"");
    std::fs::write(&config, text).unwrap();
    let out = cli(&config, &dir.path().join("data"), &["run"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("http.admin_token_env: http.listen 0.0.0.0:0 is beyond loopback: the admin API needs a token"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn breaker_commands_need_a_running_daemon() {
    let dir = tempfile::tempdir().unwrap();
    let out = premia(&dir.path().join("data"), &["breaker", "ls"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no running daemon holds"),
        "{}",
        stderr(&out)
    );
}
