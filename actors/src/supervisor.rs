//! Restart budgets for supervised actors (OTP's intensity/period): at most `max` restarts within
//! `period`. An actor that exceeds its budget gives up instead of restarting forever: it records
//! `ActorGaveUp`, marks itself down in the health registry, and stays dormant, so it never takes
//! another actor down with it.
//!
//! actix's `Supervisor` restarts an actor that stops; it does not restart one that panics (a
//! panicking handler leaves a dead mailbox). Handlers therefore never panic: a fatal condition
//! stops the actor, and the budget decides whether it comes back.

use std::collections::VecDeque;
use std::time::Duration;

use premia_events::Timestamp;

/// A restart budget and its history.
#[derive(Clone, Debug)]
pub struct RestartBudget {
    max: usize,
    period: Duration,
    restarts: VecDeque<Timestamp>,
}

/// What the budget says about a restart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Restart; this is restart number `n` within the period.
    Restart(u32),
    /// The budget is spent: give up.
    GiveUp(u32),
}

impl RestartBudget {
    /// At most `max` restarts within `period`.
    pub fn new(max: usize, period: Duration) -> RestartBudget {
        RestartBudget {
            max,
            period,
            restarts: VecDeque::new(),
        }
    }

    /// Records a restart at `now` and says whether it may happen.
    pub fn on_restart(&mut self, now: Timestamp) -> Verdict {
        let period = i64::try_from(self.period.as_nanos()).unwrap_or(i64::MAX);
        let start = now.nanos().saturating_sub(period);
        while self.restarts.front().is_some_and(|t| t.nanos() < start) {
            self.restarts.pop_front();
        }
        self.restarts.push_back(now);
        let n = u32::try_from(self.restarts.len()).unwrap_or(u32::MAX);
        if self.restarts.len() > self.max {
            Verdict::GiveUp(n)
        } else {
            Verdict::Restart(n)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_counts_restarts_within_the_period() {
        let mut budget = RestartBudget::new(2, Duration::from_secs(10));
        let at = Timestamp::from_secs;
        assert_eq!(budget.on_restart(at(0)), Verdict::Restart(1));
        assert_eq!(budget.on_restart(at(5)), Verdict::Restart(2));
        assert_eq!(
            budget.on_restart(at(11)),
            Verdict::Restart(2),
            "the first restart left the period"
        );
        assert_eq!(budget.on_restart(at(12)), Verdict::GiveUp(3));
    }
}
