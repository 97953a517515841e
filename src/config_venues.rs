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

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use std::path::Path;

    #[test]
    fn venue_errors_name_the_key() {
        let rule = "[[feeds]]\nexchange = \"upbit\"\nsource = \"sim\"\nmarkets = [\"BTC/KRW\"]\n[sim]\n[[rules]]\nname = \"r\"\nexchange = \"upbit\"\nmarket = \"BTC/KRW\"\nwindow_s = 60\nbuy_below_pct = -1\nsell_above_pct = 1\nquantity = \"0.001\"\nvenue = \"upbit\"\n";
        let cases = [
            (
                rule.to_owned(),
                "cfg.toml: rules.venue: rule \"r\" trades on upbit, which has no [[venues]] entry",
            ),
            (
                "[[venues]]\nvenue = \"kraken\"\n".to_owned(),
                "cfg.toml: venues.venue: kraken is not a live venue premia can trade on (upbit, binance)",
            ),
            (
                "[[venues]]\nvenue = \"upbit\"\n[[venues]]\nvenue = \"upbit\"\n".to_owned(),
                "cfg.toml: venues.venue: upbit is listed twice",
            ),
            (
                "[[venues]]\nvenue = \"binance\"\nbase_url = \"ftp://x\"\n".to_owned(),
                "cfg.toml: venues.base_url: \"ftp://x\" must start with http:// or https://",
            ),
            (
                "[[venues]]\nvenue = \"upbit\"\ntimeout_ms = 5\n".to_owned(),
                "cfg.toml: venues.timeout_ms: 5 is outside 100..=120000",
            ),
            (
                "[[venues]]\nvenue = \"upbit\"\napi_key = \"x\"\n".to_owned(),
                "cfg.toml:3:1: unknown field `api_key`",
            ),
        ];
        for (index, (text, expected)) in cases.iter().enumerate() {
            let err = Config::parse(Path::new("cfg.toml"), text)
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(expected), "TC{index}: {err}");
        }
        let ok = format!("{rule}[[venues]]\nvenue = \"upbit\"\n");
        let config = Config::parse(Path::new("cfg.toml"), &ok).unwrap();
        assert_eq!(
            config.durability(),
            premia_events::log::Durability::Power,
            "a live venue defaults to power durability"
        );
    }
}
