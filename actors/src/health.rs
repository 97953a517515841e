//! The health registry behind `/readyz`: each component reports its status; the daemon is ready
//! when the log is open, every feed is up (or polling in fallback), no actor gave up and no
//! breaker is forced open.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

/// One component's status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum Status {
    /// Starting up.
    Starting,
    /// Working.
    Ok,
    /// Working with a problem (e.g. a feed in REST fallback).
    Degraded(String),
    /// Not working.
    Down(String),
}

impl Status {
    /// Whether this status lets the daemon be ready.
    pub fn is_ready(&self) -> bool {
        matches!(self, Status::Ok | Status::Degraded(_))
    }
}

/// Component statuses by name (`log`, `feed/upbit`, `order_manager`, …). Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Health {
    inner: Arc<Mutex<BTreeMap<String, Status>>>,
    details: Arc<Mutex<BTreeMap<String, serde_json::Value>>>,
}

/// The `/readyz` body.
#[derive(Clone, Debug, Serialize)]
pub struct Readiness {
    /// `ready` or `not_ready`.
    pub status: &'static str,
    /// Each component.
    pub components: BTreeMap<String, Status>,
    /// Figures some components add (the NATS mirror's lag), by component.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, serde_json::Value>,
}

impl Health {
    /// Sets a component's status.
    pub fn set(&self, component: &str, status: Status) {
        if let Ok(mut map) = self.inner.lock() {
            map.insert(component.to_owned(), status);
        }
    }

    /// Sets a component's figures, shown under `details` in `/readyz`.
    pub fn set_detail(&self, component: &str, detail: serde_json::Value) {
        if let Ok(mut map) = self.details.lock() {
            map.insert(component.to_owned(), detail);
        }
    }

    /// A component's status.
    pub fn get(&self, component: &str) -> Option<Status> {
        self.inner
            .lock()
            .ok()
            .and_then(|m| m.get(component).cloned())
    }

    /// The readiness verdict and every component's status.
    pub fn readiness(&self) -> Readiness {
        let components = self.inner.lock().map(|m| m.clone()).unwrap_or_default();
        let ready = !components.is_empty() && components.values().all(Status::is_ready);
        Readiness {
            status: if ready { "ready" } else { "not_ready" },
            components,
            details: self.details.lock().map(|m| m.clone()).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_only_when_every_component_is() {
        let health = Health::default();
        assert_eq!(
            health.readiness().status,
            "not_ready",
            "nothing reported yet"
        );
        health.set("log", Status::Ok);
        health.set("feed/upbit", Status::Degraded("REST fallback".into()));
        assert_eq!(health.readiness().status, "ready");
        health.set("signal", Status::Down("gave up after 5 restarts".into()));
        assert_eq!(health.readiness().status, "not_ready");
        let json = serde_json::to_value(health.readiness()).unwrap();
        assert_eq!(json["components"]["signal"]["status"], "down");
    }
}
