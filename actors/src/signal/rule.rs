//! The change-rate rule, pure: buy when the price fell by at least `buy_below_pct` over the
//! window, sell when it rose by at least `sell_above_pct`.
//!
//! Signal ids are deterministic: `<strategy>/<rule>/<BASE>-<QUOTE>/<side>/<bucket>`, where the
//! bucket is the data's time divided by the bucket length. Re-evaluating the same condition in the
//! same bucket (after a restart, for instance) gives the same id, which the order manager refuses
//! to act on twice.

use std::collections::VecDeque;

use premia_events::event::{Fact, SignalRaised};
use premia_events::{Exchange, Market, Side, SignalId, Timestamp};
use rust_decimal::Decimal;

/// A change-rate rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeRateRule {
    /// The rule's name (part of signal ids).
    pub name: String,
    /// The exchange whose data it watches.
    pub exchange: Exchange,
    /// The market.
    pub market: Market,
    /// The window the change is measured over, in seconds.
    pub window_s: u32,
    /// Buy when the change is at or below this percentage (negative, e.g. -1.5).
    pub buy_below_pct: Decimal,
    /// Sell when the change is at or above this percentage (e.g. 1.5).
    pub sell_above_pct: Decimal,
    /// At most one signal per side and market in each bucket of this many seconds.
    pub bucket_s: u32,
}

impl ChangeRateRule {
    /// Checks the rule's numbers; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        if self.window_s == 0 {
            return Err("window_s must be at least 1".into());
        }
        if self.bucket_s == 0 {
            return Err("bucket_s must be at least 1".into());
        }
        if self.buy_below_pct >= Decimal::ZERO {
            return Err(format!(
                "buy_below_pct must be negative, got {}",
                self.buy_below_pct
            ));
        }
        if self.sell_above_pct <= Decimal::ZERO {
            return Err(format!(
                "sell_above_pct must be positive, got {}",
                self.sell_above_pct
            ));
        }
        if SignalId::new(format!("s/{}/A-B/buy/1", self.name)).is_err() {
            return Err(format!(
                "name {:?} may only use A-Z a-z 0-9 _ . : -",
                self.name
            ));
        }
        Ok(())
    }
}

/// The rule's memory: recent prices and the ids it already fired.
#[derive(Clone, Debug)]
pub struct ChangeRate {
    rule: ChangeRateRule,
    strategy: String,
    prices: VecDeque<(Timestamp, Decimal)>,
    fired: VecDeque<SignalId>,
}

const NANOS_PER_SEC: i64 = 1_000_000_000;

impl ChangeRate {
    /// A fresh evaluator for `rule` within `strategy`.
    pub fn new(strategy: &str, rule: ChangeRateRule) -> ChangeRate {
        ChangeRate {
            rule,
            strategy: strategy.to_owned(),
            prices: VecDeque::new(),
            fired: VecDeque::new(),
        }
    }

    /// The rule.
    pub fn rule(&self) -> &ChangeRateRule {
        &self.rule
    }

    /// Whether this evaluator watches `exchange`/`market`.
    pub fn watches(&self, exchange: Exchange, market: &Market) -> bool {
        self.rule.exchange == exchange && &self.rule.market == market
    }

    /// Feeds one price observed at `at`; returns a signal when the rule fires (at most once per
    /// side and bucket).
    pub fn observe(&mut self, at: Timestamp, price: Decimal) -> Option<SignalRaised> {
        if price <= Decimal::ZERO {
            return None;
        }
        if self.prices.back().is_some_and(|(last, _)| *last > at) {
            return None; // out-of-order data: ignore rather than corrupt the window
        }
        self.prices.push_back((at, price));
        let window = i64::from(self.rule.window_s).saturating_mul(NANOS_PER_SEC);
        let start = at.nanos().saturating_sub(window);
        // Keep exactly one observation at or before the window's start: the reference.
        while self.prices.len() > 2 && self.prices.get(1).is_some_and(|(t, _)| t.nanos() <= start) {
            self.prices.pop_front();
        }
        let (first_at, reference) = *self.prices.front()?;
        if first_at.nanos() > start {
            return None; // not a full window of data yet
        }
        let change = (price.checked_sub(reference)?)
            .checked_mul(Decimal::ONE_HUNDRED)?
            .checked_div(reference)?;
        let side = if change <= self.rule.buy_below_pct {
            Side::Buy
        } else if change >= self.rule.sell_above_pct {
            Side::Sell
        } else {
            return None;
        };
        let bucket =
            at.nanos() / (i64::from(self.rule.bucket_s).saturating_mul(NANOS_PER_SEC)).max(1);
        let id = SignalId::new(format!(
            "{}/{}/{}-{}/{}/{bucket}",
            self.strategy, self.rule.name, self.rule.market.base, self.rule.market.quote, side
        ))
        .ok()?;
        if self.fired.contains(&id) {
            return None;
        }
        self.fired.push_back(id.clone());
        if self.fired.len() > 64 {
            self.fired.pop_front();
        }
        let threshold = if side == Side::Buy {
            self.rule.buy_below_pct
        } else {
            self.rule.sell_above_pct
        };
        Some(SignalRaised {
            signal_id: id,
            strategy: self.strategy.clone(),
            rule: self.rule.name.clone(),
            exchange: self.rule.exchange,
            market: self.rule.market.clone(),
            side,
            price,
            reason: vec![
                Fact {
                    name: "change_pct".into(),
                    value: change.round_dp(4),
                },
                Fact {
                    name: "threshold_pct".into(),
                    value: threshold,
                },
                Fact {
                    name: "reference_price".into(),
                    value: reference,
                },
                Fact {
                    name: "window_s".into(),
                    value: Decimal::from(self.rule.window_s),
                },
            ],
        })
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn rule() -> ChangeRateRule {
        ChangeRateRule {
            name: "dip".into(),
            exchange: Exchange::Upbit,
            market: "BTC/KRW".parse().unwrap(),
            window_s: 10,
            buy_below_pct: Decimal::from_str("-1").unwrap(),
            sell_above_pct: Decimal::from_str("2").unwrap(),
            bucket_s: 60,
        }
    }

    fn secs(s: i64) -> Timestamp {
        Timestamp::from_secs(1_700_000_000 + s)
    }

    /// Feeds (second, price) pairs; returns the sides fired at each step.
    fn run(points: &[(i64, i64)]) -> Vec<Option<Side>> {
        let mut rule = ChangeRate::new("s", rule());
        points
            .iter()
            .map(|(t, p)| rule.observe(secs(*t), Decimal::from(*p)).map(|s| s.side))
            .collect()
    }

    #[test]
    fn fires_on_thresholds_once_the_window_is_full() {
        let cases: Vec<(&str, Vec<(i64, i64)>, Vec<Option<Side>>)> = vec![
            (
                "no full window yet",
                vec![(0, 100), (5, 90)],
                vec![None, None],
            ),
            (
                "drop of 1% buys",
                vec![(0, 100), (10, 99)],
                vec![None, Some(Side::Buy)],
            ),
            (
                "drop of 0.5% does nothing",
                vec![(0, 1000), (10, 995)],
                vec![None, None],
            ),
            (
                "rise of 2% sells",
                vec![(0, 100), (10, 102)],
                vec![None, Some(Side::Sell)],
            ),
            (
                "once per bucket and side",
                vec![(0, 100), (10, 98), (11, 97)],
                vec![None, Some(Side::Buy), None],
            ),
            (
                "reference slides with the window",
                vec![(0, 100), (10, 100), (20, 99)],
                vec![None, None, Some(Side::Buy)],
            ),
            (
                "out of order data is ignored",
                vec![(0, 100), (10, 100), (5, 50)],
                vec![None, None, None],
            ),
            (
                "zero price is ignored",
                vec![(0, 100), (10, 0)],
                vec![None, None],
            ),
        ];
        for (index, (name, points, expected)) in cases.into_iter().enumerate() {
            assert_eq!(run(&points), expected, "TC{index} {name}");
        }
    }

    #[test]
    fn signals_carry_their_reason_and_a_deterministic_id() {
        let mut rule = ChangeRate::new("strat", rule());
        rule.observe(secs(0), Decimal::from(100));
        let signal = rule.observe(secs(10), Decimal::from(98)).unwrap();
        let bucket = secs(10).nanos() / (60 * NANOS_PER_SEC);
        assert_eq!(
            signal.signal_id.as_str(),
            format!("strat/dip/BTC-KRW/buy/{bucket}")
        );
        assert_eq!(signal.reason[0].name, "change_pct");
        assert_eq!(signal.reason[0].value, Decimal::from(-2));
        assert_eq!(signal.reason[2].value, Decimal::from(100));
        let mut again = ChangeRate::new("strat", rule.rule().clone());
        again.observe(secs(0), Decimal::from(100));
        assert_eq!(
            again
                .observe(secs(10), Decimal::from(98))
                .unwrap()
                .signal_id,
            signal.signal_id,
            "a restart re-derives the same id"
        );
    }

    #[test]
    fn validation_names_the_field() {
        let mut bad = rule();
        bad.buy_below_pct = Decimal::ONE;
        assert!(bad.validate().unwrap_err().starts_with("buy_below_pct"));
        let mut bad = rule();
        bad.window_s = 0;
        assert!(bad.validate().unwrap_err().starts_with("window_s"));
        assert!(rule().validate().is_ok());
    }
}
