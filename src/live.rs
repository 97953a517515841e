//! The daemon's live venues: built from `[[venues]]`, their keys checked with a signed read-only
//! call before anything else starts, and their balances recorded on the first start.

use std::sync::Arc;

use anyhow::anyhow;
use premia_actors::journal::Journal;
use premia_actors::order::reconcile::{LiveVenue, LiveVenues};
use premia_actors::venue::{self, Venue, VenueError};
use premia_events::EventId;
use premia_events::event::{BalanceSet, Event};

use crate::config::Config;

/// Checks every live venue's keys on a short-lived runtime, before the log is opened, so a
/// wrong key leaves nothing behind but its one-line error.
pub fn check_keys_first(config: &Config) -> anyhow::Result<()> {
    if config.venues.is_empty() {
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow!("cannot start a runtime to check the API keys: {e}"))?;
    runtime.block_on(connect(config)).map(|_| ())
}

/// Builds every configured live venue and checks its keys. Invalid keys, a missing key or an
/// unreachable venue refuse the start with one line naming the venue and the reason.
pub async fn connect(config: &Config) -> anyhow::Result<LiveVenues> {
    let mut venues = LiveVenues::new();
    for entry in &config.venues {
        let client: Arc<dyn Venue> = venue::build(entry).map_err(|e| anyhow!("{e}"))?;
        let keys = format!(
            "check {} and {}",
            entry.api_key_source(),
            entry
                .secret_key_file
                .as_ref()
                .map(|p| p.display().to_string())
                .or_else(|| entry.secret_key_env.clone())
                .unwrap_or_else(|| entry.default_env().1.to_owned())
        );
        match client.check_keys().await {
            Ok(()) => {}
            Err(error @ VenueError::InvalidKeys { .. }) => {
                let text = error.to_string();
                let text = text.replacen(
                    " rejected the API key ",
                    " rejected the API key at start-up ",
                    1,
                );
                return Err(anyhow!("{text}; {keys}"));
            }
            Err(error) => {
                return Err(anyhow!(
                    "cannot check the {} API key at start-up: {error}; is [[venues]] base_url right?",
                    entry.venue
                ));
            }
        }
        let markets = config
            .rules
            .iter()
            .filter(|r| r.venue == entry.venue)
            .map(|r| r.market.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        tracing::info!(venue = %entry.venue, "API key accepted");
        venues.insert(
            entry.venue,
            LiveVenue {
                venue: client,
                markets,
            },
        );
    }
    Ok(venues)
}

/// On the first start with a venue (no balance in the log for it yet), records the venue's
/// balances. Afterwards balances follow fills only, so a difference means a fill was missed.
pub async fn record_initial_balances(
    journal: &Journal,
    venues: &LiveVenues,
    cause: EventId,
) -> anyhow::Result<()> {
    for (name, live) in venues {
        let known = journal
            .ledger()
            .read(|s| s.balances.contains_key(name))
            .unwrap_or(false);
        if known {
            continue;
        }
        let balances = live
            .venue
            .balances()
            .await
            .map_err(|e| anyhow!("cannot read the {name} balances at start-up: {e}"))?;
        for balance in balances {
            let event = Event::BalanceSet(BalanceSet {
                venue: *name,
                asset: balance.asset,
                amount: balance.total,
                reason: format!("initial balance from {name}"),
            });
            journal.append(&event, Some(cause)).await?;
        }
    }
    Ok(())
}
