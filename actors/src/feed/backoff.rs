//! Reconnect delays: capped exponential backoff with full jitter (AWS's "full jitter": a uniform
//! draw between zero and the capped exponential), pure and seeded.

use std::time::Duration;

use premia_events::sample::Rng;

/// Backoff state for one connection.
#[derive(Clone, Debug)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    attempt: u32,
    rng: Rng,
}

impl Backoff {
    /// Delays start at up to `initial` and double up to `max`.
    pub fn new(initial: Duration, max: Duration, seed: u64) -> Backoff {
        Backoff {
            initial: initial.max(Duration::from_millis(1)),
            max: max.max(initial),
            attempt: 0,
            rng: Rng::new(seed),
        }
    }

    /// The delay before the next attempt.
    pub fn next_delay(&mut self) -> Duration {
        let factor = 1u32.checked_shl(self.attempt.min(20)).unwrap_or(u32::MAX);
        let ceiling = self.initial.saturating_mul(factor).min(self.max);
        self.attempt = self.attempt.saturating_add(1);
        let ceiling_ms = u64::try_from(ceiling.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        Duration::from_millis(self.rng.below(ceiling_ms + 1))
    }

    /// After a healthy connection: start over.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// Attempts since the last reset.
    pub fn attempts(&self) -> u32 {
        self.attempt
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_are_jittered_below_a_doubling_capped_ceiling() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5), 7);
        let ceilings = [100u64, 200, 400, 800, 1600, 3200, 5000, 5000, 5000];
        let mut seen = Vec::new();
        for (index, ceiling) in ceilings.iter().enumerate() {
            let delay = backoff.next_delay();
            assert!(
                delay <= Duration::from_millis(*ceiling),
                "TC{index}: {delay:?} > {ceiling} ms"
            );
            seen.push(delay);
        }
        assert!(seen.windows(2).any(|w| w[0] != w[1]), "jittered");
        backoff.reset();
        assert!(backoff.next_delay() <= Duration::from_millis(100));
    }
}
