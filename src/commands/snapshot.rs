//! `premia snapshot create|ls|verify`.

use std::io::Write;

use anyhow::bail;
use premia_events::{Clock, SystemClock};
use premia_snapshots::{SnapshotStore, State, rebuild};

use super::{Context, stdout};

/// Snapshots the state at the end of the log.
pub fn create(ctx: &Context) -> anyhow::Result<()> {
    let source = ctx.source()?;
    let reader = source.local()?;
    let store = SnapshotStore::open(reader)?;
    let rebuilt = rebuild(reader, Some(&store), None)?;
    let info = store.save(&rebuilt.state, SystemClock.now())?;
    println!(
        "snapshot at seq {} (hash {}), {} bytes",
        info.seq, info.hash, info.bytes
    );
    Ok(())
}

/// Lists snapshots, newest first.
pub fn ls(ctx: &Context, json: bool) -> anyhow::Result<()> {
    let source = ctx.source()?;
    let reader = source.local()?;
    let store = SnapshotStore::open(reader)?;
    let mut out = stdout();
    if !json {
        writeln!(
            out,
            "{:>10}  {:<30}  {:>10}  HASH",
            "SEQ", "CREATED", "BYTES"
        )?;
    }
    for info in store.list()? {
        if json {
            serde_json::to_writer(&mut out, &info)?;
            writeln!(out)?;
        } else {
            let hash = if info.hash.is_empty() {
                "(undecodable)"
            } else {
                &info.hash
            };
            writeln!(
                out,
                "{:>10}  {:<30}  {:>10}  {hash}",
                info.seq, info.created, info.bytes
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Checks every snapshot against the log: its anchor hash, and its state against a replay.
pub fn verify(ctx: &Context) -> anyhow::Result<()> {
    let source = ctx.source()?;
    let reader = source.local()?;
    let store = SnapshotStore::open(reader)?;
    let mut seqs = store.seqs()?;
    seqs.sort_unstable();
    let mut state = State::default();
    let mut replay = reader.replay_from(1);
    let mut bad = 0;
    for seq in &seqs {
        let verdict = match store.load_checked(*seq, reader) {
            Err(error) => Err(error.to_string()),
            Ok(snapshot) => {
                while state.last_seq < *seq {
                    match replay.next() {
                        Some(Ok(envelope)) => state.apply(envelope),
                        Some(Err(error)) => bail!("{error}"),
                        None => break,
                    }
                }
                if snapshot.state == state {
                    Ok(())
                } else {
                    Err("its state differs from a replay of the log to that seq".to_owned())
                }
            }
        };
        match verdict {
            Ok(()) => println!("seq {seq}: ok"),
            Err(reason) => {
                bad += 1;
                println!("seq {seq}: BAD: {reason}");
            }
        }
    }
    if bad > 0 {
        bail!(
            "{bad} of {} snapshots are bad (they are ignored on rebuild)",
            seqs.len()
        );
    }
    println!("{} snapshots ok", seqs.len());
    Ok(())
}
