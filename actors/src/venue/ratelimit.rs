//! Client-side rate limits: a gate per request group that spaces requests evenly and honours
//! the venue's "slow down" (429/418 `Retry-After`, Upbit's `Remaining-Req`, Binance's used
//! weight), so a 429 never turns into a loop that earns a ban.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Spaces requests at least `interval` apart and holds every request while a back-off runs.
#[derive(Debug, Clone)]
pub struct RateGate {
    interval: Duration,
    next: Arc<Mutex<Instant>>,
}

impl RateGate {
    /// A gate allowing `per_second` requests a second.
    pub fn per_second(per_second: u32) -> RateGate {
        let interval = Duration::from_secs(1)
            .checked_div(per_second.max(1))
            .unwrap_or(Duration::from_secs(1));
        RateGate {
            interval,
            next: Arc::new(Mutex::new(Instant::now())),
        }
    }

    /// Reserves the next slot; returns how long to wait for it.
    pub fn reserve(&self) -> Duration {
        let now = Instant::now();
        let Ok(mut next) = self.next.lock() else {
            return self.interval;
        };
        let slot = (*next).max(now);
        *next = slot + self.interval;
        slot.saturating_duration_since(now)
    }

    /// Waits for the next slot.
    pub async fn wait(&self) {
        let delay = self.reserve();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    }

    /// Holds every request for `delay` from now (a 429's `Retry-After`, a spent quota).
    pub fn back_off(&self, delay: Duration) {
        let until = Instant::now() + delay;
        if let Ok(mut next) = self.next.lock() {
            *next = (*next).max(until);
        }
    }
}

/// Reads Upbit's `Remaining-Req: group=order; min=59; sec=7`: the requests left this second.
pub fn upbit_remaining_sec(header: &str) -> Option<u32> {
    header
        .split(';')
        .filter_map(|part| part.trim().split_once('='))
        .find(|(k, _)| *k == "sec")
        .and_then(|(_, v)| v.trim().parse().ok())
}

/// A `Retry-After` header in seconds (default 1 s when absent or unreadable; at most 10 min).
pub fn retry_after(header: Option<&str>) -> Duration {
    let secs = header
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .clamp(1, 600);
    Duration::from_secs(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_read_with_safe_defaults() {
        let cases = [
            ("group=order; min=59; sec=7", Some(7)),
            ("group=default; min=1799; sec=0", Some(0)),
            ("garbage", None),
        ];
        for (index, (header, want)) in cases.into_iter().enumerate() {
            assert_eq!(upbit_remaining_sec(header), want, "TC{index}: {header}");
        }
        assert_eq!(retry_after(Some("3")), Duration::from_secs(3), "TC3");
        assert_eq!(retry_after(None), Duration::from_secs(1), "TC4");
        assert_eq!(retry_after(Some("99999")), Duration::from_secs(600), "TC5");
    }

    #[test]
    fn the_gate_spaces_requests_and_honours_a_back_off() {
        let gate = RateGate::per_second(8);
        assert!(gate.reserve().is_zero(), "TC0: first slot is now");
        let second = gate.reserve();
        assert!(second > Duration::from_millis(100), "TC1: {second:?}");
        gate.back_off(Duration::from_secs(2));
        assert!(gate.reserve() > Duration::from_millis(1900), "TC2");
    }
}
