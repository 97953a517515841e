//! `premia audit verify`.

use std::io::Write;

use anyhow::anyhow;
use premia_events::log::LogError;

use super::{Context, stdout};

/// Walks the log; prints a one-line summary, or fails naming the first bad seq.
pub fn verify(ctx: &Context, json: bool) -> anyhow::Result<()> {
    let source = ctx.source()?;
    let mut out = stdout();
    match source.verify().map_err(|e| e.downcast::<LogError>()) {
        Ok(report) => {
            if json {
                let value = serde_json::json!({
                    "ok": true,
                    "events": report.events,
                    "head_seq": report.head_seq,
                    "head_hash": report.head_hash.to_hex(),
                });
                writeln!(out, "{value}")?;
            } else {
                writeln!(
                    out,
                    "ok: {} events, seq 1..={}, head hash {}",
                    report.events,
                    report.head_seq,
                    report.head_hash.to_hex()
                )?;
            }
            out.flush()?;
            Ok(())
        }
        Err(Ok(LogError::Damaged(damage))) => {
            if json {
                let value = serde_json::json!({ "ok": false, "seq": damage.seq, "problem": damage.to_string() });
                writeln!(out, "{value}")?;
                out.flush()?;
            }
            Err(anyhow!("audit failed at {damage}"))
        }
        Err(Ok(other)) => Err(other.into()),
        Err(Err(other)) => Err(other),
    }
}
