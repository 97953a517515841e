//! The systemd unit in deploy/ passes `systemd-analyze verify` (with the binary where the unit
//! expects it: the test points ExecStart at the binary under test).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

#[test]
fn the_systemd_unit_verifies() {
    let analyze = support::require_tool("systemd-analyze", "systemd");
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/deploy/premia.service"
    ))
    .unwrap();
    assert!(
        unit.contains("Restart=on-failure"),
        "the partner of panic = \"abort\""
    );
    assert!(unit.contains("User=premia"), "runs unprivileged");
    assert!(unit.contains("TimeoutStopSec="), "gives SIGTERM time");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("premia.service");
    std::fs::write(
        &path,
        unit.replace("/usr/local/bin/premia", support::premia_bin()),
    )
    .unwrap();
    let out = std::process::Command::new(analyze)
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "systemd-analyze verify: {}{}",
        support::stdout(&out),
        support::stderr(&out)
    );
    assert!(
        support::stderr(&out).trim().is_empty(),
        "warnings: {}",
        support::stderr(&out)
    );
}
