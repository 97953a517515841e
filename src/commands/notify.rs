//! `premia notify test [--channel NAME]`: sends a test message through each configured channel
//! (with the configured retry policy) and prints the outcome per channel; fails if any failed.

use anyhow::{Context as _, anyhow, bail};
use premia_actors::messages::Level;
use premia_actors::notify::channel::{Channel, deliver};
use premia_actors::notify::message::Notification;
use premia_actors::notify::retry::Backoff;
use premia_events::{Clock, SystemClock};

use super::Context;

/// Runs `premia notify test`.
pub fn test(ctx: &Context, only: Option<&str>) -> anyhow::Result<()> {
    let configured = &ctx.config.notify.channels;
    if configured.is_empty() {
        bail!("no [[notify.channels]] in the config: nothing to test (pass --config FILE)");
    }
    let chosen: Vec<_> = configured
        .iter()
        .filter(|c| only.is_none_or(|name| c.name == name))
        .collect();
    if chosen.is_empty() {
        let names: Vec<&str> = configured.iter().map(|c| c.name.as_str()).collect();
        bail!(
            "no channel named {:?} (configured: {})",
            only.unwrap_or_default(),
            names.join(", ")
        );
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")?;
    let mut failed = 0;
    for config in &chosen {
        let label = format!("{} ({})", config.name, config.kind.as_str());
        let channel = match Channel::from_config(config) {
            Ok(channel) => channel,
            Err(error) => {
                println!("{label}: FAILED: {error}");
                failed += 1;
                continue;
            }
        };
        let note = Notification {
            level: Level::Info,
            topic: "notify_test".into(),
            text: format!(
                "premia {}: test message from `premia notify test` (channel {})",
                ctx.config.instance, config.name
            ),
            facts: Default::default(),
            at: SystemClock.now(),
        };
        let mut backoff = Backoff::new(ctx.config.notify.retry, 1);
        let delivery = runtime.block_on(deliver(&channel, &note, &mut backoff, |why| {
            println!("{label}: retrying: {why}");
        }));
        if delivery.sent {
            println!(
                "{label}: sent ({} attempt{}, {} ms)",
                delivery.attempts,
                if delivery.attempts == 1 { "" } else { "s" },
                delivery.took.as_millis()
            );
        } else {
            failed += 1;
            println!(
                "{label}: FAILED: {}",
                delivery.error.unwrap_or_else(|| "unknown error".into())
            );
        }
    }
    if failed > 0 {
        return Err(anyhow!("{failed} of {} channel(s) failed", chosen.len()));
    }
    Ok(())
}
