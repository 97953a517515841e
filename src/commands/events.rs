//! `premia events ls|show|export`.

use std::io::Write;

use anyhow::{Context as _, bail};
use premia_events::json::EnvelopeJson;
use premia_events::log::LogError;
use premia_events::{Envelope, EventKind};

use super::{Context, stdout};
use crate::cli::{EventsExport, EventsLs, ExportFormat, Range};

/// Which events a range selects.
struct Filter {
    from: u64,
    to: Option<u64>,
    kinds: Vec<EventKind>,
}

impl Filter {
    fn new(range: &Range) -> anyhow::Result<Filter> {
        let kinds = range
            .kind
            .iter()
            .flat_map(|k| k.split(','))
            .map(|k| k.trim().parse::<EventKind>())
            .collect::<Result<Vec<_>, _>>()?;
        if let (Some(from), Some(to)) = (range.from, range.to)
            && from > to
        {
            bail!("--from {from} is after --to {to}");
        }
        Ok(Filter {
            from: range.from.unwrap_or(1),
            to: range.to,
            kinds,
        })
    }

    /// Visits the selected events in order; stops at the first damaged record with its error.
    fn each(
        &self,
        ctx: &Context,
        mut visit: impl FnMut(&Envelope) -> std::io::Result<()>,
    ) -> anyhow::Result<()> {
        let source = ctx.source()?;
        for envelope in source.replay_from(self.from)? {
            let envelope = envelope.map_err(damaged)?;
            if self.to.is_some_and(|to| envelope.seq > to) {
                break;
            }
            if self.kinds.is_empty() || self.kinds.contains(&envelope.kind()) {
                visit(&envelope)?;
            }
        }
        Ok(())
    }
}

fn damaged(error: LogError) -> anyhow::Error {
    match error {
        LogError::Damaged(damage) => {
            anyhow::anyhow!("the log is damaged at {damage}; run `premia audit verify`")
        }
        other => other.into(),
    }
}

/// `premia events ls`
pub fn ls(ctx: &Context, args: &EventsLs) -> anyhow::Result<()> {
    let filter = Filter::new(&args.range)?;
    let mut out = stdout();
    if !args.json {
        writeln!(
            out,
            "{:>8}  {:<24}  {:<22}  {:>8}  SUMMARY",
            "SEQ", "TIME", "KIND", "CAUSE"
        )?;
    }
    let result = filter.each(ctx, |e| {
        if args.json {
            serde_json::to_writer(&mut out, &EnvelopeJson(e))?;
            writeln!(out)
        } else {
            let time = e.at.to_datetime().format("%Y-%m-%dT%H:%M:%S%.3fZ");
            let cause = e.causation.map_or(String::new(), |c| c.seq.to_string());
            writeln!(
                out,
                "{:>8}  {time:<24}  {:<22}  {cause:>8}  {}",
                e.seq,
                e.kind().as_str(),
                e.event.summary()
            )
        }
    });
    out.flush()?;
    result
}

/// `premia events show SEQ`
pub fn show(ctx: &Context, seq: u64) -> anyhow::Result<()> {
    let source = ctx.source()?;
    let envelope = source
        .get(seq)
        .map_err(|e| match e.downcast::<LogError>() {
            Ok(error) => damaged(error),
            Err(other) => other,
        })?;
    let Some(envelope) = envelope else {
        let last = source.last_seq()?;
        bail!("no event at seq {seq} (the log holds seqs 1..={last})");
    };
    let mut out = stdout();
    serde_json::to_writer_pretty(&mut out, &EnvelopeJson(&envelope))?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// `premia events export`
pub fn export(ctx: &Context, args: &EventsExport) -> anyhow::Result<()> {
    let filter = Filter::new(&args.range)?;
    let sink: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::with_capacity(
            1 << 16,
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(stdout()),
    };
    match args.format {
        ExportFormat::Jsonl => {
            let mut out = sink;
            filter.each(ctx, |e| {
                serde_json::to_writer(&mut out, &EnvelopeJson(e))?;
                writeln!(out)
            })?;
            out.flush()?;
        }
        ExportFormat::Csv => {
            let mut out = csv::Writer::from_writer(sink);
            out.write_record([
                "seq",
                "id",
                "time",
                "kind",
                "version",
                "causation",
                "causation_seq",
                "prev_hash",
                "hash",
                "payload",
            ])?;
            filter.each(ctx, |e| {
                let payload = premia_events::json::payload_json(e).to_string();
                out.write_record([
                    e.seq.to_string(),
                    e.id.to_string(),
                    e.at.to_rfc3339(),
                    e.kind().as_str().to_owned(),
                    e.version.to_string(),
                    e.causation.map_or(String::new(), |c| c.to_string()),
                    e.causation.map_or(String::new(), |c| c.seq.to_string()),
                    e.prev_hash.to_hex(),
                    e.hash.to_hex(),
                    payload,
                ])
                .map_err(std::io::Error::other)
            })?;
            out.flush()?;
        }
    }
    if let Some(path) = &args.out {
        eprintln!("exported to {}", path.display());
    }
    Ok(())
}
