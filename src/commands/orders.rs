//! `premia orders [--open] [--json]` and `premia audit orders [CLIENT_ORDER_ID]`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use anyhow::bail;
use premia_events::Envelope;
use premia_events::event::Event;
use premia_snapshots::state::Order;

use super::{Context, stdout};

/// Lists orders from the state rebuilt from the log (verified on the way).
pub fn list(ctx: &Context, open: bool, json: bool) -> anyhow::Result<()> {
    let rebuilt = ctx.source()?.rebuild(None, false)?;
    let mut out = stdout();
    let orders = rebuilt
        .state
        .orders
        .iter()
        .filter(|(_, o)| !open || !o.status.is_terminal());
    if json {
        for (id, order) in orders {
            let mut value = serde_json::to_value(order)?;
            if let Some(map) = value.as_object_mut() {
                map.insert("client_order_id".into(), id.as_str().into());
            }
            writeln!(out, "{value}")?;
        }
    } else {
        writeln!(
            out,
            "{:<28} {:<8} {:<10} {:<4} {:<6} {:>12} {:>12} {:>14} {:<16} {:>3}",
            "CLIENT ORDER ID",
            "VENUE",
            "MARKET",
            "SIDE",
            "KIND",
            "QUANTITY",
            "FILLED",
            "AVG PRICE",
            "STATUS",
            "TRY"
        )?;
        for (id, order) in orders {
            writeln!(out, "{}", row(id.as_str(), order))?;
        }
    }
    out.flush()?;
    Ok(())
}

fn row(id: &str, order: &Order) -> String {
    let average = if order.filled.0.is_zero() {
        "-".to_owned()
    } else {
        order
            .filled_notional
            .0
            .checked_div(order.filled.0)
            .map_or_else(|| "-".into(), |a| a.round_dp(8).normalize().to_string())
    };
    format!(
        "{:<28} {:<8} {:<10} {:<4} {:<6} {:>12} {:>12} {:>14} {:<16} {:>3}",
        id,
        order.venue.as_str(),
        order.market.to_string(),
        order.side.as_str(),
        order.kind.as_str(),
        order.quantity.0.normalize().to_string(),
        order.filled.0.normalize().to_string(),
        average,
        order.status.as_str(),
        order.attempts,
    )
}

/// Prints the lifecycle of one order (every id of its intent), or of every order.
pub fn timeline(ctx: &Context, id: Option<&str>) -> anyhow::Result<()> {
    let source = ctx.source()?;
    let mut events: Vec<Envelope> = Vec::new();
    for envelope in source.replay_from(1)? {
        events.push(envelope?);
    }
    // Client order ids by intent, in order of appearance.
    let mut ids_of_intent: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut intent_of: BTreeMap<String, String> = BTreeMap::new();
    for envelope in &events {
        if let Event::OrderIntended(e) = &envelope.event {
            let ids = ids_of_intent.entry(e.intent_id.to_string()).or_default();
            if !ids.contains(&e.client_order_id.to_string()) {
                ids.push(e.client_order_id.to_string());
            }
            intent_of.insert(e.client_order_id.to_string(), e.intent_id.to_string());
        }
    }
    let intents: Vec<String> = match id {
        Some(id) => match intent_of.get(id) {
            Some(intent) => vec![intent.clone()],
            None => bail!("no order {id} in the log (premia orders lists them)"),
        },
        None => {
            let mut seen = BTreeSet::new();
            events
                .iter()
                .filter_map(|e| match &e.event {
                    Event::OrderIntended(i) => Some(i.intent_id.to_string()),
                    _ => None,
                })
                .filter(|i| seen.insert(i.clone()))
                .collect()
        }
    };
    let by_seq: BTreeMap<u64, &Envelope> = events.iter().map(|e| (e.seq, e)).collect();
    let mut out = stdout();
    for (n, intent) in intents.iter().enumerate() {
        let ids: BTreeSet<&str> = ids_of_intent
            .get(intent)
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default();
        if n > 0 {
            writeln!(out)?;
        }
        writeln!(
            out,
            "intent {intent}: {}",
            ids.iter().copied().collect::<Vec<_>>().join(" → ")
        )?;
        // The signal: what caused the first intent.
        let mut shown = BTreeSet::new();
        for envelope in &events {
            let mine = envelope
                .event
                .client_order_id()
                .is_some_and(|c| ids.contains(c.as_str()));
            if !mine {
                continue;
            }
            if let (Event::OrderIntended(_), Some(cause)) = (&envelope.event, envelope.causation)
                && let Some(signal) = by_seq.get(&cause.seq)
                && matches!(signal.event, Event::SignalRaised(_))
                && shown.insert(signal.seq)
            {
                writeln!(out, "{}", line(signal))?;
            }
            if shown.insert(envelope.seq) {
                writeln!(out, "{}", line(envelope))?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn line(envelope: &Envelope) -> String {
    let cause = envelope
        .causation
        .map_or_else(String::new, |c| format!("  ← #{}", c.seq));
    format!(
        "  #{:<6} {}  {:<22} {}{cause}",
        envelope.seq,
        envelope.at.to_rfc3339(),
        envelope.event.kind().as_str(),
        envelope.event.summary()
    )
}
