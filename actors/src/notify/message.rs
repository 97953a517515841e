//! What a notification says, pure: the notifications derived from the events the log records
//! ([`Deriver`]), with the facts templates are filled with.

use std::collections::{BTreeMap, HashMap};

use premia_events::event::{BreakerState, Event, RejectSource};
use premia_events::{ClientOrderId, Timestamp};
use serde::Serialize;

use super::config::NotifySettings;
use crate::messages::Level;

/// One notification, ready for the channels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Notification {
    /// Severity.
    pub level: Level,
    /// What it is about: the event kind (`order_filled`, `breaker_transition`, …).
    pub topic: String,
    /// The text sent.
    pub text: String,
    /// The event's facts (`order`, `market`, `side`, `price`, `quantity`, `reason`, …).
    pub facts: BTreeMap<String, String>,
    /// When it happened.
    pub at: Timestamp,
}

/// The topics derived from events; direct `Notify` messages with these topics are not sent to
/// the chat channels again (the event is the source of truth).
pub const DERIVED_TOPICS: &[&str] = &[
    "daemon_started",
    "daemon_stopped",
    "order_filled",
    "order_rejected",
    "submit_outcome_unknown",
    "breaker_transition",
    "actor_gave_up",
    "feed_fallback_entered",
    "order_reconciled",
    "orphan_order_found",
    "operator_command",
];

#[derive(Clone, Debug)]
struct OrderFacts {
    market: String,
    side: String,
    venue: String,
}

/// Turns events into notifications. Remembers each order's market, side and venue from its
/// intent, so later events about the order can name them.
#[derive(Debug, Default)]
pub struct Deriver {
    orders: HashMap<ClientOrderId, OrderFacts>,
    settings: NotifySettings,
}

/// Fills `{name}` placeholders from `facts`; unknown names are left as they are.
pub fn fill(template: &str, facts: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        match after.find('}') {
            Some(close) => {
                let name = after.get(1..close).unwrap_or_default();
                match facts.get(name) {
                    Some(value) => out.push_str(value),
                    None => out.push_str(after.get(..=close).unwrap_or_default()),
                }
                rest = after.get(close + 1..).unwrap_or_default();
            }
            None => {
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

impl Deriver {
    /// A deriver applying `settings`' mutes, level overrides and templates.
    pub fn new(settings: NotifySettings) -> Deriver {
        Deriver {
            orders: HashMap::new(),
            settings,
        }
    }

    /// Applies mutes, level overrides and templates to a notification from any source.
    pub fn finish(&self, mut note: Notification) -> Option<Notification> {
        if self.settings.mute.contains(&note.topic) {
            return None;
        }
        if let Some(level) = self.settings.levels.get(&note.topic) {
            note.level = *level;
        }
        if let Some(template) = self.settings.templates.get(&note.topic) {
            let mut facts = note.facts.clone();
            facts.insert("text".into(), note.text.clone());
            facts.insert("level".into(), note.level.as_str().into());
            note.text = fill(template, &facts);
        }
        Some(note)
    }

    /// The notification an event calls for, if any.
    pub fn derive(&mut self, event: &Event, at: Timestamp) -> Option<Notification> {
        let mut facts = BTreeMap::new();
        let mut fact = |k: &str, v: String| {
            facts.insert(k.to_owned(), v);
        };
        let order_facts = |coid: &ClientOrderId| self.orders.get(coid).cloned();
        let (level, text) = match event {
            Event::OrderIntended(e) => {
                self.orders.insert(
                    e.client_order_id.clone(),
                    OrderFacts {
                        market: e.market.to_string(),
                        side: e.side.to_string(),
                        venue: e.venue.to_string(),
                    },
                );
                return None;
            }
            Event::DaemonStarted(e) => {
                fact("instance", e.instance.clone());
                (
                    Level::Info,
                    format!("premia {} {} started", e.instance, e.version),
                )
            }
            Event::DaemonStopped(e) => {
                fact("reason", e.reason.clone());
                let level = if e.clean { Level::Info } else { Level::Warning };
                (level, format!("premia stopped ({})", e.reason))
            }
            Event::OrderFilled(e) => {
                let o = order_facts(&e.client_order_id);
                fact("order", e.client_order_id.to_string());
                fact("price", e.price.to_string());
                fact("quantity", e.quantity.to_string());
                let (market, side, venue) =
                    o.map(|o| (o.market, o.side, o.venue)).unwrap_or_default();
                fact("market", market.clone());
                fact("side", side.clone());
                fact("venue", venue.clone());
                (
                    Level::Info,
                    format!(
                        "filled: {side} {} {market} at {} on {venue} ({})",
                        e.quantity, e.price, e.client_order_id
                    ),
                )
            }
            Event::OrderRejected(e) => {
                let o = order_facts(&e.client_order_id);
                let source = match e.source {
                    RejectSource::Venue => "venue",
                    RejectSource::Breaker => "breaker",
                };
                fact("order", e.client_order_id.to_string());
                fact("reason", e.reason.clone());
                fact("source", source.into());
                let (market, side, venue) =
                    o.map(|o| (o.market, o.side, o.venue)).unwrap_or_default();
                fact("market", market.clone());
                fact("side", side.clone());
                fact("venue", venue);
                (
                    Level::Error,
                    format!(
                        "rejected by the {source}: {side} {market} ({}): {}",
                        e.client_order_id, e.reason
                    ),
                )
            }
            Event::SubmitOutcomeUnknown(e) => {
                fact("order", e.client_order_id.to_string());
                fact("reason", e.error.clone());
                (
                    Level::Error,
                    format!("outcome unknown: {}: {}", e.client_order_id, e.error),
                )
            }
            Event::BreakerTransition(e) => {
                fact("key", e.key.clone());
                fact("reason", e.reason.clone());
                fact("state", e.to.as_str().into());
                let level = match e.to {
                    BreakerState::Open if e.forced => Level::Critical,
                    BreakerState::Open => Level::Error,
                    BreakerState::HalfOpen => Level::Warning,
                    BreakerState::Closed => Level::Info,
                };
                (
                    level,
                    format!(
                        "breaker {} {} -> {}{}: {}",
                        e.key,
                        e.from.as_str(),
                        e.to.as_str(),
                        if e.forced { " (operator)" } else { "" },
                        e.reason
                    ),
                )
            }
            Event::ActorGaveUp(e) => {
                fact("actor", e.actor.clone());
                fact("reason", e.reason.clone());
                (
                    Level::Critical,
                    format!(
                        "{} gave up after {} restarts: {}",
                        e.actor, e.restarts, e.reason
                    ),
                )
            }
            Event::FeedFallbackEntered(e) => {
                fact("exchange", e.exchange.to_string());
                fact("reason", e.detail.clone());
                (Level::Warning, format!("feed {}: {}", e.exchange, e.detail))
            }
            Event::OrderReconciled(e) => {
                fact("order", e.client_order_id.to_string());
                fact("reason", e.detail.clone());
                let level = if e.found { Level::Info } else { Level::Warning };
                (
                    level,
                    format!(
                        "reconciled {}: {} ({})",
                        e.client_order_id,
                        if e.found {
                            "found at the venue"
                        } else {
                            "not found at the venue"
                        },
                        e.detail
                    ),
                )
            }
            Event::OrphanOrderFound(e) => {
                fact("order", e.client_order_id.to_string());
                fact("venue", e.venue.to_string());
                fact("reason", e.detail.clone());
                (
                    Level::Critical,
                    format!(
                        "orphan order at {}: {} (venue id {}): {}",
                        e.venue, e.client_order_id, e.venue_order_id, e.detail
                    ),
                )
            }
            Event::OperatorCommand(e) => {
                fact("command", e.command.clone());
                fact("key", e.target.clone());
                (
                    Level::Warning,
                    format!("operator: {} {} (by {})", e.command, e.target, e.by),
                )
            }
            _ => return None,
        };
        self.finish(Notification {
            level,
            topic: event.kind().as_str().to_owned(),
            text,
            facts,
            at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use premia_events::event::{BreakerTransition, OrderFilled, OrderIntended};

    fn intent() -> Event {
        use premia_events::{Asset, IntentId, Market, OrderKind, Side, TimeInForce, Venue};
        Event::OrderIntended(OrderIntended {
            intent_id: IntentId::new("r/BTC-KRW/buy/1/paper").unwrap(),
            client_order_id: ClientOrderId::new("pm-0123456789abcdef").unwrap(),
            signal_id: None,
            venue: Venue::Paper,
            market: Market::new(Asset::new("BTC").unwrap(), Asset::new("KRW").unwrap()),
            side: Side::Buy,
            kind: OrderKind::Market,
            price: None,
            quantity: "0.002".parse().unwrap(),
            time_in_force: TimeInForce::Ioc,
        })
    }

    #[test]
    fn templates_fill_known_facts_and_keep_unknown_ones() {
        let facts: BTreeMap<String, String> = [
            ("order".to_owned(), "pm-1".to_owned()),
            ("price".to_owned(), "5".to_owned()),
        ]
        .into_iter()
        .collect();
        for (case, template, want) in [
            ("TC1", "{order} at {price}", "pm-1 at 5"),
            ("TC2", "{nope} {order}", "{nope} pm-1"),
            ("TC3", "open { brace", "open { brace"),
            ("TC4", "", ""),
        ] {
            assert_eq!(fill(template, &facts), want, "{case}");
        }
    }

    #[test]
    fn events_become_notifications_with_facts_levels_and_templates() {
        let mut settings = NotifySettings::default();
        settings.templates.insert(
            "order_filled".into(),
            "{side} {market} {quantity}@{price} [{order}]".into(),
        );
        settings.mute.push("daemon_started".into());
        let mut d = Deriver::new(settings);
        let at = Timestamp::from_secs(1);
        assert_eq!(
            d.derive(&intent(), at),
            None,
            "TC1: intents are remembered, not sent"
        );
        let fill_event = Event::OrderFilled(OrderFilled {
            client_order_id: ClientOrderId::new("pm-0123456789abcdef").unwrap(),
            trade_id: "t1".into(),
            price: "100".parse().unwrap(),
            quantity: "0.002".parse().unwrap(),
            fee: "0".parse().unwrap(),
            fee_asset: "KRW".parse().unwrap(),
        });
        let note = d.derive(&fill_event, at).unwrap();
        assert_eq!(
            note.text, "buy BTC/KRW 0.002@100 [pm-0123456789abcdef]",
            "TC2: template"
        );
        assert_eq!(note.level, Level::Info);
        let open = Event::BreakerTransition(BreakerTransition {
            key: "paper/local/order".into(),
            from: BreakerState::Closed,
            to: BreakerState::Open,
            reason: "kill switch".into(),
            forced: true,
        });
        let note = d.derive(&open, at).unwrap();
        assert_eq!(note.level, Level::Critical, "TC3: forced open is critical");
        assert!(
            note.text.contains("paper/local/order"),
            "TC4: {}",
            note.text
        );
        let started = Event::DaemonStarted(premia_events::event::DaemonStarted {
            instance: "x".into(),
            version: "1".into(),
            config_hash: "h".into(),
        });
        assert_eq!(d.derive(&started, at), None, "TC5: muted");
    }
}
