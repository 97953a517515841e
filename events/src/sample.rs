//! Realistic, deterministic event streams: what benches, tests and `premia bench log` write.
//!
//! An [`OrderFlow`] produces, over and over, the events of one paper order on `BTC/KRW`:
//! signal → intent → submitted → accepted → partial fill → final fill, each caused by the one
//! before. Sides alternate, so positions stay bounded and balances stay positive.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::event::{
    BalanceSet, Event, Fact, OrderAccepted, OrderFilled, OrderIntended, OrderSubmitted,
    SignalRaised,
};
use crate::ids::{ClientOrderId, EventId, IntentId, SignalId};
use crate::market::{Asset, Exchange, Market, OrderKind, Side, TimeInForce, Venue};

/// A small deterministic generator (xorshift64*), so samples need no `rand`.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// Seeded generator (a zero seed is replaced by a fixed non-zero one).
    pub fn new(seed: u64) -> Rng {
        Rng(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// The starting balances an [`OrderFlow`] assumes: 100,000,000 KRW and 1 BTC on the paper venue.
pub fn opening_balances() -> Vec<Event> {
    let balance = |asset: &str, amount: i64| {
        Event::BalanceSet(BalanceSet {
            venue: Venue::Paper,
            asset: known(Asset::new(asset)),
            amount: Decimal::from(amount),
            reason: "initial balance from config".into(),
        })
    };
    vec![balance("KRW", 100_000_000), balance("BTC", 1)]
}

/// Unwraps an id or asset built here from literals and integers, which is always valid.
#[allow(
    clippy::expect_used,
    reason = "inputs are literals and formatted integers, valid by construction"
)]
fn known<T>(value: Result<T, crate::market::ParseError>) -> T {
    value.expect("sample ids and assets are valid by construction")
}

/// One stream of order lifecycles; see the module docs.
#[derive(Clone, Debug)]
pub struct OrderFlow {
    stream: u32,
    rng: Rng,
    order: u64,
    step: u8,
    price: i64,
    quantity: Decimal,
    side: Side,
    last_id: Option<EventId>,
    signal_id: Option<EventId>,
}

impl OrderFlow {
    /// Stream `stream` of a generator seeded with `seed`; streams have distinct order ids.
    pub fn new(seed: u64, stream: u32) -> OrderFlow {
        OrderFlow {
            stream,
            rng: Rng::new(seed ^ (u64::from(stream) << 32) ^ 0xA5A5),
            order: 0,
            step: 0,
            price: 95_000_000,
            quantity: Decimal::ZERO,
            side: Side::Buy,
            last_id: None,
            signal_id: None,
        }
    }

    fn market() -> Market {
        known(Market::from_str("BTC/KRW"))
    }

    fn coid(&self) -> ClientOrderId {
        known(ClientOrderId::new(format!(
            "pm-{}-{}",
            self.stream, self.order
        )))
    }

    /// The next event, and the id of the event that caused it (to pass as causation).
    /// Call [`OrderFlow::appended`] with the new event's id before asking for the next one.
    pub fn next_event(&mut self) -> (Event, Option<EventId>) {
        let cause = self.last_id;
        let event = match self.step {
            0 => {
                self.order += 1;
                self.side = if self.order % 2 == 1 {
                    Side::Buy
                } else {
                    Side::Sell
                };
                let jitter = i64::try_from(self.rng.below(200_001)).unwrap_or(0) - 100_000;
                self.price = (self.price + jitter).clamp(80_000_000, 110_000_000);
                self.quantity =
                    Decimal::new(i64::try_from(100 + self.rng.below(900)).unwrap_or(100), 5);
                let change = Decimal::new(i64::try_from(self.rng.below(400)).unwrap_or(0) + 100, 2);
                Event::SignalRaised(SignalRaised {
                    signal_id: self.signal_id(),
                    strategy: "bench".into(),
                    rule: "change_rate".into(),
                    exchange: Exchange::Upbit,
                    market: Self::market(),
                    side: self.side,
                    price: Decimal::from(self.price),
                    reason: vec![
                        Fact {
                            name: "change_pct".into(),
                            value: if self.side == Side::Buy {
                                -change
                            } else {
                                change
                            },
                        },
                        Fact {
                            name: "window_s".into(),
                            value: Decimal::from(60),
                        },
                    ],
                })
            }
            1 => Event::OrderIntended(OrderIntended {
                intent_id: known(IntentId::new(format!("{}/paper", self.signal_id()))),
                client_order_id: self.coid(),
                signal_id: Some(self.signal_id()),
                venue: Venue::Paper,
                market: Self::market(),
                side: self.side,
                kind: OrderKind::Limit,
                price: Some(Decimal::from(self.price)),
                quantity: self.quantity,
                time_in_force: TimeInForce::Gtc,
            }),
            2 => Event::OrderSubmitted(OrderSubmitted {
                client_order_id: self.coid(),
                attempt: 1,
            }),
            3 => Event::OrderAccepted(OrderAccepted {
                client_order_id: self.coid(),
                venue_order_id: format!("paper-{}-{}", self.stream, self.order),
            }),
            _ => {
                let first = self.step == 4;
                let half = (self.quantity / Decimal::TWO).round_dp(5);
                let quantity = if first { half } else { self.quantity - half };
                let price = Decimal::from(self.price);
                Event::OrderFilled(OrderFilled {
                    client_order_id: self.coid(),
                    trade_id: format!("t-{}-{}-{}", self.stream, self.order, self.step),
                    price,
                    quantity,
                    fee: (price * quantity * Decimal::new(5, 4)).round_dp(0),
                    fee_asset: known(Asset::new("KRW")),
                })
            }
        };
        (event, cause)
    }

    fn signal_id(&self) -> SignalId {
        known(SignalId::new(format!(
            "bench/change_rate/BTC-KRW/{}-{}",
            self.stream, self.order
        )))
    }

    /// Tells the flow the id its last event was given.
    pub fn appended(&mut self, id: EventId) {
        match self.step {
            0 => {
                self.signal_id = Some(id);
                self.last_id = Some(id);
            }
            5 => {
                // The final fill: the next order starts fresh (its signal has no cause).
                self.last_id = None;
                self.step = 0;
                return;
            }
            1 => self.last_id = Some(id),
            _ => {}
        }
        self.step += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flow_cycles_through_one_order_lifecycle() {
        let mut flow = OrderFlow::new(7, 1);
        let mut kinds = Vec::new();
        for seq in 1..=12 {
            let (event, _) = flow.next_event();
            kinds.push(event.kind().as_str());
            flow.appended(EventId { log: 1, seq });
        }
        assert_eq!(
            kinds[..6],
            [
                "signal_raised",
                "order_intended",
                "order_submitted",
                "order_accepted",
                "order_filled",
                "order_filled"
            ]
        );
        assert_eq!(kinds[6], "signal_raised");
    }

    #[test]
    fn flows_are_deterministic() {
        let run = || {
            let mut flow = OrderFlow::new(42, 3);
            (0..30)
                .map(|seq| {
                    let e = flow.next_event();
                    flow.appended(EventId { log: 1, seq });
                    e
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(), run());
    }
}
