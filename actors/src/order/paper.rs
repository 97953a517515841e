//! The paper venue, pure: fills orders against the latest book of the market, with fees and
//! slippage from config. No money moves; the fills are real events in the log all the same.
//!
//! Orders are immediate-or-cancel: whatever the book can fill now (at the limit price or better
//! for limit orders) is filled level by level, the rest is cancelled. A missing or stale book
//! rejects the order rather than inventing a price.

use std::collections::HashMap;

use premia_events::marketdata::BookSnapshot;
use premia_events::{Asset, ClientOrderId, Exchange, Market, OrderKind, Side, Timestamp};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::money::DecimalText;

/// `[paper]` in config.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaperConfig {
    /// Fee per fill, in basis points of the notional, charged in the quote asset.
    #[serde(default = "default_fee_bps")]
    pub fee_bps: DecimalText,
    /// Slippage against the taker, in basis points of each level's price.
    #[serde(default)]
    pub slippage_bps: DecimalText,
    /// A book older than this many milliseconds is not traded against.
    #[serde(default = "default_max_book_age_ms")]
    pub max_book_age_ms: u64,
    /// Starting balances, written to the log on the first start only.
    #[serde(default)]
    pub balances: std::collections::BTreeMap<Asset, DecimalText>,
}

fn default_fee_bps() -> DecimalText {
    DecimalText(Decimal::from(5))
}

fn default_max_book_age_ms() -> u64 {
    10_000
}

impl Default for PaperConfig {
    fn default() -> PaperConfig {
        PaperConfig {
            fee_bps: default_fee_bps(),
            slippage_bps: DecimalText::default(),
            max_book_age_ms: default_max_book_age_ms(),
            balances: std::collections::BTreeMap::new(),
        }
    }
}

impl PaperConfig {
    /// The fee as a fraction (5 bps → 0.0005).
    pub fn fee_rate(&self) -> Decimal {
        self.fee_bps.0 / Decimal::from(10_000)
    }
}

/// An order sent to the paper venue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaperOrder {
    /// Its id.
    pub client_order_id: ClientOrderId,
    /// Whose book to fill against.
    pub exchange: Exchange,
    /// The market.
    pub market: Market,
    /// Buy or sell.
    pub side: Side,
    /// Limit or market.
    pub kind: OrderKind,
    /// Limit price.
    pub limit: Option<Decimal>,
    /// Quantity of the base asset.
    pub quantity: Decimal,
}

/// One paper fill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaperFill {
    /// `paper-<client order id>-<n>`.
    pub trade_id: String,
    /// Price after slippage.
    pub price: Decimal,
    /// Quantity.
    pub quantity: Decimal,
    /// Fee, in the quote asset.
    pub fee: Decimal,
    /// The quote asset.
    pub fee_asset: Asset,
}

/// What the paper venue did with an order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaperOutcome {
    /// Accepted; these fills happened; `unfilled` was cancelled (zero if none).
    Filled {
        /// The venue's order id.
        venue_order_id: String,
        /// The fills, best price first.
        fills: Vec<PaperFill>,
        /// Quantity left unfilled and cancelled.
        unfilled: Decimal,
    },
    /// Refused, with the reason.
    Rejected(String),
}

/// The paper venue's books and settings.
#[derive(Clone, Debug)]
pub struct PaperVenue {
    fee_rate: Decimal,
    slippage: Decimal,
    max_book_age_ns: i64,
    books: HashMap<(Exchange, Market), BookSnapshot>,
}

impl PaperVenue {
    /// A venue with the given settings and no books yet.
    pub fn new(config: &PaperConfig) -> PaperVenue {
        PaperVenue {
            fee_rate: config.fee_rate(),
            slippage: config.slippage_bps.0 / Decimal::from(10_000),
            max_book_age_ns: i64::try_from(config.max_book_age_ms)
                .unwrap_or(i64::MAX)
                .saturating_mul(1_000_000),
            books: HashMap::new(),
        }
    }

    /// Replaces the book of a market.
    pub fn update_book(&mut self, book: BookSnapshot) {
        self.books
            .insert((book.exchange, book.market.clone()), book);
    }

    /// The current book of a market.
    pub fn book(&self, exchange: Exchange, market: &Market) -> Option<&BookSnapshot> {
        self.books.get(&(exchange, market.clone()))
    }

    /// Fills `order` against the book as it is at `now`.
    pub fn execute(&self, order: &PaperOrder, now: Timestamp) -> PaperOutcome {
        let Some(book) = self.books.get(&(order.exchange, order.market.clone())) else {
            return PaperOutcome::Rejected(format!(
                "no {} book for {} yet",
                order.exchange, order.market
            ));
        };
        let age = now.nanos().saturating_sub(book.received.nanos());
        if age > self.max_book_age_ns {
            return PaperOutcome::Rejected(format!(
                "the {} book for {} is {} ms old",
                order.exchange,
                order.market,
                age / 1_000_000
            ));
        }
        if order.quantity <= Decimal::ZERO {
            return PaperOutcome::Rejected("quantity must be positive".into());
        }
        let (levels, sign) = match order.side {
            Side::Buy => (&book.asks, Decimal::ONE),
            Side::Sell => (&book.bids, -Decimal::ONE),
        };
        let limit = match order.kind {
            OrderKind::Limit => order.limit,
            OrderKind::Market => None,
        };
        let mut remaining = order.quantity;
        let mut fills = Vec::new();
        for level in levels {
            if remaining <= Decimal::ZERO {
                break;
            }
            let crosses = match (order.side, limit) {
                (_, None) => true,
                (Side::Buy, Some(l)) => level.price <= l,
                (Side::Sell, Some(l)) => level.price >= l,
            };
            if !crosses || level.quantity <= Decimal::ZERO {
                break;
            }
            let quantity = remaining.min(level.quantity);
            let Some(price) = level.price.checked_mul(Decimal::ONE + sign * self.slippage) else {
                break;
            };
            let Some(fee) = price
                .checked_mul(quantity)
                .and_then(|n| n.checked_mul(self.fee_rate))
            else {
                break;
            };
            remaining -= quantity;
            fills.push(PaperFill {
                trade_id: format!("paper-{}-{}", order.client_order_id, fills.len() + 1),
                price: price.round_dp(8).normalize(),
                quantity,
                fee: fee.round_dp(8).normalize(),
                fee_asset: order.market.quote.clone(),
            });
        }
        if fills.is_empty() {
            return PaperOutcome::Rejected(match limit {
                Some(l) => format!("nothing in the book at {l} or better"),
                None => "the book is empty on that side".into(),
            });
        }
        PaperOutcome::Filled {
            venue_order_id: format!("paper-{}", order.client_order_id),
            fills,
            unfilled: remaining.normalize(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use premia_events::marketdata::Level;

    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn venue(slippage_bps: &str) -> PaperVenue {
        let mut v = PaperVenue::new(&PaperConfig {
            fee_bps: DecimalText(d("5")),
            slippage_bps: DecimalText(d(slippage_bps)),
            max_book_age_ms: 1000,
            balances: Default::default(),
        });
        v.update_book(BookSnapshot {
            exchange: Exchange::Upbit,
            market: "BTC/KRW".parse().unwrap(),
            bids: vec![Level::new(d("99"), d("1")), Level::new(d("98"), d("2"))],
            asks: vec![Level::new(d("101"), d("1")), Level::new(d("102"), d("2"))],
            seq: None,
            exchange_time: None,
            received: Timestamp::from_secs(10),
        });
        v
    }

    fn order(side: Side, kind: OrderKind, qty: &str, limit: Option<&str>) -> PaperOrder {
        PaperOrder {
            client_order_id: ClientOrderId::new("pm-1").unwrap(),
            exchange: Exchange::Upbit,
            market: "BTC/KRW".parse().unwrap(),
            side,
            kind,
            limit: limit.map(d),
            quantity: d(qty),
        }
    }

    /// (price, qty) of each fill and the unfilled rest, or the rejection.
    fn run(
        v: &PaperVenue,
        o: &PaperOrder,
        at: i64,
    ) -> Result<(Vec<(String, String)>, String), String> {
        match v.execute(o, Timestamp::from_secs(at)) {
            PaperOutcome::Filled {
                fills, unfilled, ..
            } => Ok((
                fills
                    .iter()
                    .map(|f| (f.price.to_string(), f.quantity.to_string()))
                    .collect(),
                unfilled.to_string(),
            )),
            PaperOutcome::Rejected(reason) => Err(reason),
        }
    }

    #[test]
    fn orders_walk_the_book() {
        let v = venue("0");
        let pair = |p: &str, q: &str| (p.to_owned(), q.to_owned());
        let cases = vec![
            (
                "market buy inside one level",
                order(Side::Buy, OrderKind::Market, "0.5", None),
                Ok((vec![pair("101", "0.5")], "0".to_owned())),
            ),
            (
                "market buy across levels",
                order(Side::Buy, OrderKind::Market, "2", None),
                Ok((vec![pair("101", "1"), pair("102", "1")], "0".to_owned())),
            ),
            (
                "market sell hits bids",
                order(Side::Sell, OrderKind::Market, "1.5", None),
                Ok((vec![pair("99", "1"), pair("98", "0.5")], "0".to_owned())),
            ),
            (
                "more than the book: rest cancelled",
                order(Side::Buy, OrderKind::Market, "4", None),
                Ok((vec![pair("101", "1"), pair("102", "2")], "1".to_owned())),
            ),
            (
                "limit stops at its price",
                order(Side::Buy, OrderKind::Limit, "2", Some("101")),
                Ok((vec![pair("101", "1")], "1".to_owned())),
            ),
            (
                "limit that does not cross",
                order(Side::Buy, OrderKind::Limit, "1", Some("100")),
                Err("nothing in the book at 100 or better".to_owned()),
            ),
        ];
        for (index, (name, o, expected)) in cases.into_iter().enumerate() {
            assert_eq!(run(&v, &o, 10), expected, "TC{index} {name}");
        }
    }

    #[test]
    fn fees_and_slippage_come_from_config() {
        let v = venue("10"); // 0.1 %
        let PaperOutcome::Filled { fills, .. } = v.execute(
            &order(Side::Buy, OrderKind::Market, "1", None),
            Timestamp::from_secs(10),
        ) else {
            panic!("not filled");
        };
        assert_eq!(fills[0].price, d("101.101"));
        assert_eq!(fills[0].fee, d("0.0505505"), "5 bps of 101.101");
        assert_eq!(fills[0].fee_asset.as_str(), "KRW");
        assert_eq!(fills[0].trade_id, "paper-pm-1-1");
        let PaperOutcome::Filled { fills, .. } = v.execute(
            &order(Side::Sell, OrderKind::Market, "1", None),
            Timestamp::from_secs(10),
        ) else {
            panic!("not filled");
        };
        assert_eq!(
            fills[0].price,
            d("98.901"),
            "slippage works against the seller too"
        );
    }

    #[test]
    fn missing_or_stale_books_reject() {
        let v = venue("0");
        assert_eq!(
            run(&v, &order(Side::Buy, OrderKind::Market, "1", None), 12),
            Err("the upbit book for BTC/KRW is 2000 ms old".to_owned())
        );
        let mut other = order(Side::Buy, OrderKind::Market, "1", None);
        other.exchange = Exchange::Binance;
        assert_eq!(
            run(&v, &other, 10),
            Err("no binance book for BTC/KRW yet".to_owned())
        );
    }
}
