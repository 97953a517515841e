//! A direct reader of today's record body for the events of the order flow, which are nearly all
//! of a log: the header, then `SignalRaised`, `OrderIntended`, `OrderSubmitted`, `OrderAccepted`
//! and `OrderFilled`.
//!
//! It reads exactly the bytes bincode's serde path writes with [`super::config`] (varints, zigzag
//! for signed, `u8` tags for options, `u32` variant indexes, length-prefixed strings, decimals as
//! 16 raw bytes) and builds the values with the same constructors the `Deserialize` impls use
//! (id and asset validation included), about four times faster than going through serde, which
//! reads a decimal one byte at a time through a visitor.
//!
//! It is only a fast path: it answers `None` for any other event, any older version and anything
//! it does not accept, and the caller then decodes with serde, whose result (value or error) is
//! the reference. So this reader must never accept what serde rejects, nor read a different
//! value; the fuzz body ([`super::fuzzing`]) checks both on every input it decodes.

use rust_decimal::Decimal;

use super::Header;
use crate::event::{
    Event, Fact, OrderAccepted, OrderFilled, OrderIntended, OrderSubmitted, SignalRaised,
};
use crate::ids::{ClientOrderId, EventId, IntentId, SignalId};
use crate::market::{Asset, Exchange, Market, OrderKind, Side, TimeInForce, Venue};
use crate::money::decimal_from_bytes;
use crate::time::Timestamp;

/// Decodes a version-[`super::SCHEMA_VERSION`] body (header then event) if its event is one of
/// the order flow's; returns the values and the bytes used. `None`: let serde decide.
pub(super) fn decode_body(body: &[u8]) -> Option<((Header, Event), usize)> {
    let mut r = Reader { rest: body };
    let header = Header {
        seq: r.u64()?,
        log: r.u64()?,
        at: Timestamp(r.i64()?),
        causation: match r.tag()? {
            false => None,
            true => Some(EventId {
                log: r.u64()?,
                seq: r.u64()?,
            }),
        },
    };
    let event = match r.u32()? {
        2 => Event::SignalRaised(SignalRaised {
            signal_id: SignalId::new(r.string()?).ok()?,
            strategy: r.string()?,
            rule: r.string()?,
            exchange: r.variant(Exchange::ALL)?,
            market: r.market()?,
            side: r.variant(Side::ALL)?,
            price: r.decimal()?,
            reason: r.facts()?,
        }),
        3 => Event::OrderIntended(OrderIntended {
            intent_id: IntentId::new(r.string()?).ok()?,
            client_order_id: r.client_order_id()?,
            signal_id: match r.tag()? {
                false => None,
                true => Some(SignalId::new(r.string()?).ok()?),
            },
            venue: r.variant(Venue::ALL)?,
            market: r.market()?,
            side: r.variant(Side::ALL)?,
            kind: r.variant(OrderKind::ALL)?,
            price: match r.tag()? {
                false => None,
                true => Some(r.decimal()?),
            },
            quantity: r.decimal()?,
            time_in_force: r.variant(TimeInForce::ALL)?,
        }),
        5 => Event::OrderSubmitted(OrderSubmitted {
            client_order_id: r.client_order_id()?,
            attempt: r.u32()?,
        }),
        6 => Event::OrderAccepted(OrderAccepted {
            client_order_id: r.client_order_id()?,
            venue_order_id: r.string()?,
        }),
        9 => Event::OrderFilled(OrderFilled {
            client_order_id: r.client_order_id()?,
            trade_id: r.string()?,
            price: r.decimal()?,
            quantity: r.decimal()?,
            fee: r.decimal()?,
            fee_asset: Asset::new(r.str()?).ok()?,
        }),
        _ => return None,
    };
    Some(((header, event), body.len() - r.rest.len()))
}

/// The unread rest of a body. Every read checks its length; nothing here can panic.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.rest.len() {
            return None;
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    fn byte(&mut self) -> Option<u8> {
        let (&first, tail) = self.rest.split_first()?;
        self.rest = tail;
        Some(first)
    }

    /// bincode's varint: one byte below 251, else a marker (251: u16, 252: u32, 253: u64 follow,
    /// little endian). Like bincode, a wider encoding than needed is accepted.
    fn u64(&mut self) -> Option<u64> {
        match self.byte()? {
            small @ 0..=250 => Some(u64::from(small)),
            251 => Some(u64::from(u16::from_le_bytes(self.array()?))),
            252 => Some(u64::from(u32::from_le_bytes(self.array()?))),
            253 => Some(u64::from_le_bytes(self.array()?)),
            _ => None,
        }
    }

    /// A `u32` varint: as [`Reader::u64`], without the 8-byte form (bincode rejects it).
    fn u32(&mut self) -> Option<u32> {
        match self.byte()? {
            small @ 0..=250 => Some(u32::from(small)),
            251 => Some(u32::from(u16::from_le_bytes(self.array()?))),
            252 => Some(u32::from_le_bytes(self.array()?)),
            _ => None,
        }
    }

    /// A zigzag varint.
    fn i64(&mut self) -> Option<i64> {
        let n = self.u64()?;
        let magnitude = i64::try_from(n >> 1).ok()?;
        Some(if n & 1 == 0 { magnitude } else { !magnitude })
    }

    /// An option's (or a bool's) tag: 0 or 1, anything else is invalid.
    fn tag(&mut self) -> Option<bool> {
        match self.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    /// A unit variant of a fieldless enum, by its index in declaration order.
    fn variant<T: Copy>(&mut self, all: &[T]) -> Option<T> {
        let index = usize::try_from(self.u32()?).ok()?;
        all.get(index).copied()
    }

    fn str(&mut self) -> Option<&'a str> {
        let len = usize::try_from(self.u64()?).ok()?;
        std::str::from_utf8(self.take(len)?).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.str().map(String::from)
    }

    fn client_order_id(&mut self) -> Option<ClientOrderId> {
        ClientOrderId::new(self.string()?).ok()
    }

    fn market(&mut self) -> Option<Market> {
        let base = Asset::new(self.str()?).ok()?;
        let quote = Asset::new(self.str()?).ok()?;
        Some(Market::new(base, quote))
    }

    fn decimal(&mut self) -> Option<Decimal> {
        decimal_from_bytes(self.array()?)
    }

    fn facts(&mut self) -> Option<Vec<Fact>> {
        let len = usize::try_from(self.u64()?).ok()?;
        // Each fact takes at least 17 bytes: a claimed length beyond the body is invalid.
        if len > self.rest.len() / 17 {
            return None;
        }
        let mut facts = Vec::with_capacity(len);
        for _ in 0..len {
            facts.push(Fact {
                name: self.string()?,
                value: self.decimal()?,
            });
        }
        Some(facts)
    }
}
