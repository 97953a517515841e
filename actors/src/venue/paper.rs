//! The paper venue behind the [`Venue`] trait: orders go to the `PaperVenueActor`, which fills
//! them immediately-or-cancel against the feeds' books. It keeps nothing, so lookups find
//! nothing, and it holds no keys or balances of its own (paper balances come from config).

use std::time::Duration;

use actix::Addr;
use premia_events::{Exchange, Market};
use rust_decimal::Decimal;

use super::{
    OrderRequest, Venue, VenueBalance, VenueError, VenueFill, VenueFuture, VenueOrder,
    VenueOrderState, VenueRules,
};
use crate::order::paper::{PaperOrder, PaperOutcome};
use crate::order::{PaperVenueActor, Submit};

const NAME: &str = "paper";

/// The paper venue for one exchange's books.
#[derive(Debug, Clone)]
pub struct PaperAdapter {
    addr: Addr<PaperVenueActor>,
    exchange: Exchange,
}

impl PaperAdapter {
    /// Orders through `addr`, filled against `exchange`'s books.
    pub fn new(addr: Addr<PaperVenueActor>, exchange: Exchange) -> PaperAdapter {
        PaperAdapter { addr, exchange }
    }
}

/// The paper venue's answer as a venue order (pure).
pub fn from_outcome(
    client_order_id: &str,
    outcome: PaperOutcome,
) -> Result<VenueOrder, VenueError> {
    match outcome {
        PaperOutcome::Rejected(reason) => Err(VenueError::Rejected {
            venue: NAME,
            request: "submit".into(),
            status: 400,
            code: "rejected".into(),
            message: reason,
        }),
        PaperOutcome::Filled {
            venue_order_id,
            fills,
            unfilled,
        } => Ok(VenueOrder {
            client_order_id: client_order_id.to_owned(),
            venue_order_id,
            state: if unfilled > Decimal::ZERO {
                VenueOrderState::Cancelled
            } else {
                VenueOrderState::Filled
            },
            raw_state: if unfilled > Decimal::ZERO {
                format!("{} unfilled: immediate-or-cancel", unfilled.normalize())
            } else {
                "filled".into()
            },
            fills: fills
                .into_iter()
                .map(|f| VenueFill {
                    trade_id: f.trade_id,
                    price: f.price,
                    quantity: f.quantity,
                    fee: f.fee,
                    fee_asset: f.fee_asset,
                })
                .collect(),
            total_fee: None,
            cumulative: None,
        }),
    }
}

impl Venue for PaperAdapter {
    fn name(&self) -> &'static str {
        NAME
    }

    fn rules(&self) -> VenueRules {
        VenueRules {
            reuse_client_order_id: true,
            poll_every: Duration::from_secs(1),
            absent_after: Duration::ZERO,
        }
    }

    fn check_keys(&self) -> VenueFuture<()> {
        Box::pin(async { Ok(()) })
    }

    fn submit(&self, order: &OrderRequest) -> VenueFuture<VenueOrder> {
        let addr = self.addr.clone();
        let id = order.client_order_id.to_string();
        let paper = PaperOrder {
            client_order_id: order.client_order_id.clone(),
            exchange: self.exchange,
            market: order.market.clone(),
            side: order.side,
            kind: order.kind,
            limit: order.price,
            quantity: order.quantity,
        };
        Box::pin(async move {
            match addr.send(Submit(paper)).await {
                Ok(outcome) => from_outcome(&id, outcome),
                Err(error) => Err(VenueError::OutcomeUnknown {
                    venue: NAME,
                    request: "submit".into(),
                    detail: error.to_string(),
                }),
            }
        })
    }

    fn query(&self, client_order_id: &str, _: &Market) -> VenueFuture<VenueOrder> {
        let id = client_order_id.to_owned();
        Box::pin(async move {
            Err(VenueError::NotFound {
                venue: NAME,
                client_order_id: id,
            })
        })
    }

    fn cancel(&self, client_order_id: &str, market: &Market) -> VenueFuture<VenueOrder> {
        self.query(client_order_id, market)
    }

    fn open_and_recent_orders(&self, _: &[Market]) -> VenueFuture<Vec<VenueOrder>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    fn balances(&self) -> VenueFuture<Vec<VenueBalance>> {
        Box::pin(async { Ok(Vec::new()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::paper::PaperFill;
    use premia_events::Asset;

    #[test]
    fn paper_outcomes_read_as_venue_orders() {
        let fill = PaperFill {
            trade_id: "paper-x-1".into(),
            price: Decimal::from(100),
            quantity: Decimal::ONE,
            fee: Decimal::ZERO,
            fee_asset: Asset::new("KRW").unwrap(),
        };
        let cases = [
            (Decimal::ZERO, VenueOrderState::Filled),
            (Decimal::ONE, VenueOrderState::Cancelled),
        ];
        for (index, (unfilled, state)) in cases.into_iter().enumerate() {
            let outcome = PaperOutcome::Filled {
                venue_order_id: "p1".into(),
                fills: vec![fill.clone()],
                unfilled,
            };
            let order = from_outcome("x", outcome).unwrap();
            assert_eq!(order.state, state, "TC{index}");
            assert_eq!(order.fills.len(), 1, "TC{index}");
        }
        let rejected = from_outcome("x", PaperOutcome::Rejected("no book".into())).unwrap_err();
        assert!(
            matches!(rejected, VenueError::Rejected { .. }),
            "TC2: {rejected}"
        );
        assert!(
            !rejected.outcome_unknown(),
            "TC2: a paper refusal is terminal"
        );
    }
}
