//! `premia state [--at SEQ|TIME] [--json]`.

use std::fmt::Write as _;
use std::io::Write;

use anyhow::{anyhow, bail};
use premia_events::Timestamp;
use premia_snapshots::State;

use super::source::LogSource;

use super::{Context, stdout};

/// Where in history `--at` points.
fn resolve_at(reader: &LogSource, at: Option<&str>) -> anyhow::Result<Option<u64>> {
    let Some(at) = at else { return Ok(None) };
    if let Ok(seq) = at.parse::<u64>() {
        let last = reader.last_seq()?;
        if seq > last {
            bail!("--at {seq} is past the end of the log (last seq {last})");
        }
        return Ok(Some(seq));
    }
    let time = Timestamp::parse_rfc3339(at).ok_or_else(|| {
        anyhow!("--at {at:?} is neither a seq nor an RFC 3339 time (e.g. 2026-11-22T01:40:00Z)")
    })?;
    let mut seq = 0;
    for envelope in reader.replay_from(1)? {
        let envelope = envelope?;
        if envelope.at > time {
            break;
        }
        seq = envelope.seq;
    }
    Ok(Some(seq))
}

/// Prints the state at the end of the log or at `--at`. By default every record up to there is
/// replayed and checked, so damage anywhere before that point is reported; `from_snapshot`
/// starts from the newest valid snapshot instead.
pub fn show(
    ctx: &Context,
    at: Option<&str>,
    json: bool,
    from_snapshot: bool,
) -> anyhow::Result<()> {
    let source = ctx.source()?;
    let upto = resolve_at(&source, at)?;
    let rebuilt = source.rebuild(upto, from_snapshot)?;
    for warning in &rebuilt.warnings {
        eprintln!("warning: {warning}");
    }
    let mut out = stdout();
    if json {
        serde_json::to_writer_pretty(&mut out, &rebuilt.state)?;
        writeln!(out)?;
    } else {
        out.write_all(summary(&rebuilt.state).as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

/// The human summary of a state.
pub fn summary(state: &State) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "state at seq {} ({}), hash {}",
        state.last_seq,
        state.last_at.to_datetime().format("%Y-%m-%dT%H:%M:%S%.3fZ"),
        state.last_hash.to_hex()
    );
    if let Some(d) = &state.daemon {
        let _ = writeln!(
            s,
            "daemon      instance {}, last started {}, {} ({} starts)",
            d.instance,
            d.started_at.to_datetime().format("%Y-%m-%dT%H:%M:%SZ"),
            if d.running {
                "running (no stop recorded)"
            } else {
                "stopped"
            },
            d.starts
        );
    }
    let open: Vec<_> = state.open_orders().collect();
    let mut by_status = std::collections::BTreeMap::<&str, usize>::new();
    for (_, order) in &open {
        *by_status.entry(order.status.as_str()).or_default() += 1;
    }
    let open_detail: Vec<String> = by_status.iter().map(|(k, v)| format!("{v} {k}")).collect();
    let _ = writeln!(
        s,
        "orders      {} ({} open{}), {} fills ({} duplicates ignored)",
        state.orders.len(),
        open.len(),
        if open_detail.is_empty() {
            String::new()
        } else {
            format!(": {}", open_detail.join(", "))
        },
        state.counts.fills,
        state.counts.duplicate_fills
    );
    let _ = writeln!(
        s,
        "signals     {} raised, {} acted on, {} refused by risk checks",
        state.counts.signals,
        state.acted_signals.len(),
        state.counts.refused
    );
    if !state.balances.is_empty() {
        let _ = writeln!(s, "balances");
        for (venue, assets) in &state.balances {
            let list: Vec<String> = assets
                .iter()
                .map(|(a, v)| format!("{a} {}", v.0.normalize()))
                .collect();
            let _ = writeln!(s, "  {venue:<9} {}", list.join("  "));
        }
    }
    if !state.positions.is_empty() {
        let _ = writeln!(s, "positions");
        for (venue, markets) in &state.positions {
            for (market, p) in markets {
                let _ = writeln!(
                    s,
                    "  {venue:<9} {market:<10} qty {}  avg {}  realised {}  fees {}  ({} fills)",
                    p.quantity.normalize(),
                    p.average_price.round_dp(8).normalize(),
                    p.realised_pnl.round_dp(8).normalize(),
                    p.fees.round_dp(8).normalize(),
                    p.fills
                );
            }
        }
    }
    for (key, b) in &state.breakers {
        let _ = writeln!(
            s,
            "breaker     {key} {}{} since {}: {}",
            b.state.as_str(),
            if b.forced { " (forced)" } else { "" },
            b.since.to_datetime().format("%Y-%m-%dT%H:%M:%SZ"),
            b.reason
        );
    }
    for (exchange, f) in &state.feeds {
        let _ = writeln!(
            s,
            "feed        {exchange} {}{}",
            if f.connected {
                "connected"
            } else {
                "disconnected"
            },
            if f.fallback { " (REST fallback)" } else { "" }
        );
    }
    for (actor, a) in &state.actors {
        let _ = writeln!(
            s,
            "actor       {actor}: {} restarts{}",
            a.restarts,
            if a.gave_up { ", gave up" } else { "" }
        );
    }
    if !state.orphans.is_empty() {
        let list: Vec<&str> = state.orphans.iter().map(|o| o.as_str()).collect();
        let _ = writeln!(s, "orphans     {}", list.join(" "));
    }
    if state.anomalies > 0 {
        let _ = writeln!(
            s,
            "anomalies   {} (last: {})",
            state.anomalies,
            state.last_anomaly.as_deref().unwrap_or("")
        );
    }
    s
}
