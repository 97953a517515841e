//! The trading permit: may this daemon place orders right now? Shared by the lease (which opens
//! and closes it) and the breaker board (which the order manager asks before every submit).

use std::sync::{Arc, RwLock};

/// Open (trading allowed) or closed with a reason. Cheap to clone; every clone is the same gate.
/// The default is open: without NATS there is no lease and nothing to wait for.
#[derive(Clone, Debug, Default)]
pub struct TradingPermit {
    refusal: Arc<RwLock<Option<String>>>,
}

impl TradingPermit {
    /// A permit closed for `reason` (a daemon that must first take its lease).
    pub fn closed(reason: impl Into<String>) -> TradingPermit {
        TradingPermit {
            refusal: Arc::new(RwLock::new(Some(reason.into()))),
        }
    }

    /// Why trading is refused now; `None` when it is allowed. A poisoned lock refuses.
    pub fn refusal(&self) -> Option<String> {
        match self.refusal.read() {
            Ok(guard) => guard.clone(),
            Err(_) => Some("trading permit unavailable".into()),
        }
    }

    /// Allows trading.
    pub fn open(&self) {
        if let Ok(mut guard) = self.refusal.write() {
            *guard = None;
        }
    }

    /// Refuses trading from now on, for `reason`.
    pub fn close(&self, reason: impl Into<String>) {
        if let Ok(mut guard) = self.refusal.write() {
            *guard = Some(reason.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_gate() {
        let permit = TradingPermit::default();
        assert_eq!(permit.refusal(), None, "TC0: open by default");
        let other = permit.clone();
        other.close("no lease");
        assert_eq!(
            permit.refusal().as_deref(),
            Some("no lease"),
            "TC1: closed through a clone"
        );
        permit.open();
        assert_eq!(other.refusal(), None, "TC2: reopened");
    }
}
