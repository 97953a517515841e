//! Time as integer nanoseconds since the Unix epoch, and an injectable clock.
//!
//! Nothing in premia reads the wall clock directly: every component that needs the time is
//! handed a [`Clock`], so replays and tests can run on a [`ManualClock`] and be deterministic.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use serde::{Deserialize, Serialize};

/// A point in time: nanoseconds since 1970-01-01T00:00:00Z (UTC).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The Unix epoch.
    pub const EPOCH: Timestamp = Timestamp(0);

    /// Nanoseconds since the epoch.
    pub fn nanos(self) -> i64 {
        self.0
    }

    /// From whole milliseconds since the epoch (exchange timestamps are often milliseconds).
    pub fn from_millis(ms: i64) -> Timestamp {
        Timestamp(ms.saturating_mul(1_000_000))
    }

    /// From whole seconds since the epoch.
    pub fn from_secs(s: i64) -> Timestamp {
        Timestamp(s.saturating_mul(1_000_000_000))
    }

    /// This time plus `nanos` nanoseconds, saturating at the ends of the range.
    pub fn plus_nanos(self, nanos: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(nanos))
    }

    /// As a chrono UTC date-time.
    pub fn to_datetime(self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp_nanos(self.0)
    }

    /// RFC 3339 with nanoseconds, e.g. `2026-11-22T01:40:00.123456789Z`.
    pub fn to_rfc3339(self) -> String {
        self.to_datetime()
            .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
    }

    /// Parses RFC 3339 (any offset) into a timestamp.
    ///
    /// The form exchanges send on every frame, `2023-09-25T09:04:31.742648Z` (UTC, up to nine
    /// fraction digits, years 1970 to 2199), is read directly; anything else goes through
    /// chrono, which gives the same answer for that form (property-tested).
    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        if let Some(nanos) = utc_rfc3339_nanos(text.as_bytes()) {
            return Some(Timestamp(nanos));
        }
        let dt = chrono::DateTime::parse_from_rfc3339(text).ok()?;
        dt.timestamp_nanos_opt().map(Timestamp)
    }
}

/// Nanoseconds since the epoch of `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` with a year from 1970 to
/// 2199 and a second below 60; `None` for anything else (including valid RFC 3339 in another
/// form, left to chrono).
fn utc_rfc3339_nanos(text: &[u8]) -> Option<i64> {
    let (head, rest) = text.split_at_checked(19)?;
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        head.get(range)?.iter().try_fold(0_i64, |value, &byte| {
            byte.is_ascii_digit()
                .then(|| value * 10 + i64::from(byte - b'0'))
        })
    };
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators
        .iter()
        .any(|&(at, expected)| head.get(at) != Some(&expected))
    {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1970..=2199).contains(&year)
        || !(1..=month_days).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let (fraction, zone) = match rest.split_first() {
        Some((b'.', after)) => {
            let count = after
                .iter()
                .take_while(|byte| byte.is_ascii_digit())
                .count();
            let (fraction, zone) = after.split_at_checked(count)?;
            if !(1..=9).contains(&count) {
                return None;
            }
            let value = fraction
                .iter()
                .fold(0_i64, |value, &byte| value * 10 + i64::from(byte - b'0'));
            (value * 10_i64.pow(9 - count as u32), zone)
        }
        _ => (0, rest),
    };
    if zone != b"Z" {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 24 + hour) * 60 + minute) * 60_000_000_000 + second * 1_000_000_000 + fraction)
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's
/// `days_from_civil`), for a valid date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

/// Where components get the time from.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The operating system's real-time clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let now = chrono::Utc::now();
        Timestamp(now.timestamp_nanos_opt().unwrap_or(i64::MAX))
    }
}

/// A clock that only moves when told to: for tests and deterministic replays.
#[derive(Clone, Debug, Default)]
pub struct ManualClock {
    nanos: Arc<AtomicI64>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: Timestamp) -> ManualClock {
        ManualClock {
            nanos: Arc::new(AtomicI64::new(start.0)),
        }
    }

    /// Moves the clock to `to`.
    pub fn set(&self, to: Timestamp) {
        self.nanos.store(to.0, Ordering::SeqCst);
    }

    /// Moves the clock forward by `nanos`.
    pub fn advance(&self, nanos: i64) {
        self.nanos.fetch_add(nanos, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.nanos.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips_nanoseconds() {
        let cases = [
            (0, "1970-01-01T00:00:00.000000000Z"),
            (1_763_700_000_123_456_789, "2025-11-21T04:40:00.123456789Z"),
        ];
        for (index, (nanos, text)) in cases.into_iter().enumerate() {
            assert_eq!(Timestamp(nanos).to_rfc3339(), text, "TC{index}");
            assert_eq!(
                Timestamp::parse_rfc3339(text),
                Some(Timestamp(nanos)),
                "TC{index}"
            );
        }
    }

    #[test]
    fn utc_fast_path_agrees_with_chrono_on_edges() {
        let cases = [
            "1970-01-01T00:00:00Z",
            "2000-02-29T23:59:59.999999999Z",
            "2001-02-29T00:00:00Z",
            "2100-02-29T00:00:00Z",
            "2023-09-25T09:04:31.742648Z",
            "2023-09-25T09:04:31.7Z",
            "2023-09-25T09:04:31.Z",
            "2023-09-25T09:04:31.1234567891Z",
            "2023-09-25T09:04:60Z",
            "2023-09-25T24:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-00-01T00:00:00Z",
            "2023-09-31T00:00:00Z",
            "2023-09-25t09:04:31z",
            "2023-09-25T09:04:31+09:00",
            "2023-09-25T09:04:31.5+00:00",
            "2023-09-25 09:04:31Z",
            "2199-12-31T23:59:59.999999999Z",
            "1969-12-31T23:59:59Z",
            "+2023-09-25T09:04:31Z",
            "2023-09-25T09:04:31Zjunk",
            "",
        ];
        for text in cases {
            assert_eq!(Timestamp::parse_rfc3339(text), chrono_only(text), "{text}");
        }
    }

    fn chrono_only(text: &str) -> Option<Timestamp> {
        let dt = chrono::DateTime::parse_from_rfc3339(text).ok()?;
        dt.timestamp_nanos_opt().map(Timestamp)
    }

    proptest::proptest! {
        #[test]
        fn utc_fast_path_agrees_with_chrono(
            nanos in 0_i64..7_258_118_400_000_000_000,
            digits in 0_usize..=10,
        ) {
            let full = Timestamp(nanos).to_rfc3339();
            // `...SS.fffffffffZ`: keep `digits` fraction digits (none: no point).
            let (head, _) = full.split_at(19);
            let fraction = full.get(20..20 + digits.min(9)).unwrap_or_default();
            let text = match digits {
                0 => format!("{head}Z"),
                10 => format!("{head}.{fraction}0Z"),
                _ => format!("{head}.{fraction}Z"),
            };
            proptest::prop_assert_eq!(Timestamp::parse_rfc3339(&text), chrono_only(&text), "{}", text);
        }

        #[test]
        fn any_text_parses_as_chrono_does(text in "[0-9TZ:.+-]{0,32}") {
            proptest::prop_assert_eq!(Timestamp::parse_rfc3339(&text), chrono_only(&text));
        }
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(Timestamp::from_secs(10));
        assert_eq!(clock.now(), Timestamp::from_secs(10));
        clock.advance(5);
        assert_eq!(clock.now(), Timestamp(10_000_000_005));
    }
}
