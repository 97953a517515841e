//! Validation of `[[venues]]` (the table itself is `premia_actors::venue::VenueConfig`).

use premia_actors::venue::VenueConfig;

/// Checks the live venues: each at most once, a venue premia can trade on, sane timings, and
/// base URLs that are http(s). Errors are (dotted key, message).
pub fn validate(venues: &[VenueConfig]) -> Result<(), (&'static str, String)> {
    let mut seen = std::collections::BTreeSet::new();
    for venue in venues {
        if !matches!(
            venue.venue,
            premia_events::Venue::Upbit | premia_events::Venue::Binance
        ) {
            return Err((
                "venues.venue",
                format!(
                    "{} is not a live venue premia can trade on (upbit, binance)",
                    venue.venue
                ),
            ));
        }
        if !seen.insert(venue.venue) {
            return Err(("venues.venue", format!("{} is listed twice", venue.venue)));
        }
        if let Some(url) = &venue.base_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err((
                "venues.base_url",
                format!("{url:?} must start with http:// or https://"),
            ));
        }
        if !(100..=120_000).contains(&venue.timeout_ms) {
            return Err((
                "venues.timeout_ms",
                format!("{} is outside 100..=120000", venue.timeout_ms),
            ));
        }
        if !(100..=600_000).contains(&venue.poll_ms) {
            return Err((
                "venues.poll_ms",
                format!("{} is outside 100..=600000", venue.poll_ms),
            ));
        }
    }
    Ok(())
}
