//! Risk checks before an intent is written, pure. A refused check is recorded as an
//! `IntentRefused` event with the check's name and the numbers.

use std::collections::{BTreeMap, VecDeque};

use premia_events::{Asset, Exchange, Market, Side, Timestamp};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::money::DecimalText;

/// Limits from config (`[risk]`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskLimits {
    /// Largest notional of one order, per quote asset (e.g. `{ KRW = "1000000" }`). A quote asset
    /// without an entry has no cap.
    #[serde(default)]
    pub max_notional_per_order: BTreeMap<Asset, DecimalText>,
    /// Most intents in any 60 s.
    #[serde(default = "default_per_minute")]
    pub max_orders_per_minute: u32,
    /// Overrides of the exchanges' minimum order notional, keyed `exchange:QUOTE`
    /// (e.g. `"upbit:KRW" = "5000"`).
    #[serde(default)]
    pub min_notional: BTreeMap<String, DecimalText>,
}

fn default_per_minute() -> u32 {
    30
}

impl Default for RiskLimits {
    fn default() -> RiskLimits {
        RiskLimits {
            max_notional_per_order: BTreeMap::new(),
            max_orders_per_minute: default_per_minute(),
            min_notional: BTreeMap::new(),
        }
    }
}

/// An exchange's documented minimum order notional in a quote asset: Upbit 5,000 KRW, Binance
/// 5 USDT (its `NOTIONAL` filter for the major pairs), Bithumb 5,000 KRW, …
pub fn exchange_min_notional(exchange: Exchange, quote: &Asset) -> Option<Decimal> {
    let q = quote.as_str();
    match (exchange, q) {
        (Exchange::Upbit | Exchange::Bithumb | Exchange::Coinone | Exchange::Korbit, "KRW") => {
            Some(Decimal::from(5000))
        }
        (Exchange::Upbit, "USDT") => Some(Decimal::new(5, 1)),
        (Exchange::Upbit, "BTC") => Some(Decimal::new(5, 5)),
        (
            Exchange::Binance
            | Exchange::Bybit
            | Exchange::Okx
            | Exchange::Gateio
            | Exchange::Kraken,
            "USDT" | "USDC" | "USD",
        ) => Some(Decimal::from(5)),
        _ => None,
    }
}

/// An order the manager would like to place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// The exchange whose rules (minimum notional) apply.
    pub exchange: Exchange,
    /// The market.
    pub market: Market,
    /// Buy or sell.
    pub side: Side,
    /// Quantity of the base asset.
    pub quantity: Decimal,
    /// The price used to value it (limit price, or the reference price for market orders).
    pub price: Decimal,
}

/// A refused check: its name and why, with the numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// `min_notional`, `max_notional`, `max_orders_per_minute` or `balance`.
    pub check: &'static str,
    /// The numbers.
    pub reason: String,
}

/// The checks, with the memory the rate limit needs.
#[derive(Clone, Debug)]
pub struct RiskChecks {
    limits: RiskLimits,
    fee_rate: Decimal,
    recent: VecDeque<Timestamp>,
}

impl RiskChecks {
    /// Checks with `limits`; `fee_rate` is reserved on top of a buy's notional.
    pub fn new(limits: RiskLimits, fee_rate: Decimal) -> RiskChecks {
        RiskChecks {
            limits,
            fee_rate,
            recent: VecDeque::new(),
        }
    }

    fn min_notional(&self, exchange: Exchange, quote: &Asset) -> Option<Decimal> {
        self.limits
            .min_notional
            .get(&format!("{exchange}:{quote}"))
            .map(|d| d.0)
            .or_else(|| exchange_min_notional(exchange, quote))
    }

    /// Runs every check against the proposal; `base` and `quote` are the available balances.
    /// On success the order counts toward the per-minute limit.
    pub fn check(
        &mut self,
        p: &Proposal,
        base: Decimal,
        quote: Decimal,
        now: Timestamp,
    ) -> Result<(), Refusal> {
        let notional = p.quantity.checked_mul(p.price).ok_or_else(|| Refusal {
            check: "notional",
            reason: format!("{} × {} overflows", p.quantity, p.price),
        })?;
        if p.quantity <= Decimal::ZERO || p.price <= Decimal::ZERO {
            return Err(Refusal {
                check: "notional",
                reason: format!(
                    "quantity {} and price {} must be positive",
                    p.quantity, p.price
                ),
            });
        }
        let q = &p.market.quote;
        if let Some(min) = self.min_notional(p.exchange, q)
            && notional < min
        {
            return Err(Refusal {
                check: "min_notional",
                reason: format!(
                    "notional {} {q} is below {}'s minimum of {min} {q}",
                    notional.normalize(),
                    p.exchange
                ),
            });
        }
        if let Some(max) = self.limits.max_notional_per_order.get(q)
            && notional > max.0
        {
            return Err(Refusal {
                check: "max_notional",
                reason: format!(
                    "notional {} {q} is above the limit of {} {q}",
                    notional.normalize(),
                    max.0
                ),
            });
        }
        let minute_ago = now.plus_nanos(-60_000_000_000);
        while self.recent.front().is_some_and(|t| *t <= minute_ago) {
            self.recent.pop_front();
        }
        let limit = usize::try_from(self.limits.max_orders_per_minute).unwrap_or(usize::MAX);
        if self.recent.len() >= limit {
            return Err(Refusal {
                check: "max_orders_per_minute",
                reason: format!(
                    "{} orders in the last 60 s (limit {limit})",
                    self.recent.len()
                ),
            });
        }
        match p.side {
            Side::Buy => {
                let needed = notional
                    .checked_mul(Decimal::ONE + self.fee_rate)
                    .unwrap_or(notional);
                if quote < needed {
                    return Err(Refusal {
                        check: "balance",
                        reason: format!(
                            "buy needs {} {q} with fees, {} {q} available",
                            needed.round_dp(8).normalize(),
                            quote.normalize()
                        ),
                    });
                }
            }
            Side::Sell => {
                if base < p.quantity {
                    let b = &p.market.base;
                    return Err(Refusal {
                        check: "balance",
                        reason: format!(
                            "sell needs {} {b}, {} {b} available",
                            p.quantity.normalize(),
                            base.normalize()
                        ),
                    });
                }
            }
        }
        self.recent.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn proposal(exchange: Exchange, market: &str, side: Side, qty: &str, price: &str) -> Proposal {
        Proposal {
            exchange,
            market: market.parse().unwrap(),
            side,
            quantity: d(qty),
            price: d(price),
        }
    }

    fn checks() -> RiskChecks {
        let mut limits = RiskLimits::default();
        limits
            .max_notional_per_order
            .insert(Asset::new("KRW").unwrap(), DecimalText(d("1000000")));
        limits.max_orders_per_minute = 2;
        RiskChecks::new(limits, d("0.0005"))
    }

    #[test]
    fn each_check_refuses_with_its_name() {
        let now = Timestamp::from_secs(1_000);
        let cases = [
            (
                "upbit minimum",
                proposal(Exchange::Upbit, "BTC/KRW", Side::Buy, "0.00001", "95000000"),
                d("1e9"),
                Some("min_notional"),
            ),
            (
                "binance minimum",
                proposal(Exchange::Binance, "BTC/USDT", Side::Buy, "0.00001", "60000"),
                d("1e9"),
                Some("min_notional"),
            ),
            (
                "max notional",
                proposal(Exchange::Upbit, "BTC/KRW", Side::Buy, "0.1", "95000000"),
                d("1e12"),
                Some("max_notional"),
            ),
            (
                "quote balance",
                proposal(Exchange::Upbit, "BTC/KRW", Side::Buy, "0.001", "95000000"),
                d("95000"),
                Some("balance"),
            ),
            (
                "quote balance with fees",
                proposal(Exchange::Upbit, "BTC/KRW", Side::Buy, "0.001", "95000000"),
                d("95050"),
                None,
            ),
            (
                "zero quantity",
                proposal(Exchange::Upbit, "BTC/KRW", Side::Buy, "0", "95000000"),
                d("1e9"),
                Some("notional"),
            ),
        ];
        for (index, (name, p, quote, expected)) in cases.into_iter().enumerate() {
            let result = checks().check(&p, Decimal::ZERO, quote, now);
            assert_eq!(result.err().map(|r| r.check), expected, "TC{index} {name}");
        }
    }

    #[test]
    fn sells_need_the_base_asset() {
        let p = proposal(Exchange::Upbit, "BTC/KRW", Side::Sell, "0.001", "95000000");
        let refusal = checks()
            .check(&p, d("0.0005"), Decimal::ZERO, Timestamp(0))
            .unwrap_err();
        assert_eq!(refusal.check, "balance");
        assert_eq!(refusal.reason, "sell needs 0.001 BTC, 0.0005 BTC available");
        assert!(
            checks()
                .check(&p, d("0.001"), Decimal::ZERO, Timestamp(0))
                .is_ok()
        );
    }

    #[test]
    fn the_rate_limit_counts_a_sliding_minute() {
        let mut checks = checks();
        let p = proposal(Exchange::Upbit, "BTC/KRW", Side::Buy, "0.001", "95000000");
        let at = |s: i64| Timestamp::from_secs(s);
        assert!(checks.check(&p, Decimal::ZERO, d("1e9"), at(0)).is_ok());
        assert!(checks.check(&p, Decimal::ZERO, d("1e9"), at(30)).is_ok());
        assert_eq!(
            checks
                .check(&p, Decimal::ZERO, d("1e9"), at(59))
                .unwrap_err()
                .check,
            "max_orders_per_minute"
        );
        assert!(
            checks.check(&p, Decimal::ZERO, d("1e9"), at(61)).is_ok(),
            "the first order left the window"
        );
    }

    #[test]
    fn config_overrides_exchange_minimums() {
        let mut limits = RiskLimits::default();
        limits
            .min_notional
            .insert("upbit:KRW".into(), DecimalText(d("10000")));
        let mut checks = RiskChecks::new(limits, Decimal::ZERO);
        let p = proposal(Exchange::Upbit, "BTC/KRW", Side::Buy, "0.0001", "95000000"); // 9500 KRW
        assert_eq!(
            checks
                .check(&p, Decimal::ZERO, d("1e9"), Timestamp(0))
                .unwrap_err()
                .check,
            "min_notional"
        );
    }
}
