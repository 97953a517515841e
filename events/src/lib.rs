//! premia-events: the vocabulary every other part of premia speaks, and (with the default `log`
//! feature) the hash-chained event log it is written to.
//!
//! - [`market`], [`ids`], [`money`], [`time`]: exchanges and venues, `BASE/QUOTE` markets, ids,
//!   exact decimals, integer-nanosecond time and an injectable clock.
//! - [`event`]: the [`Event`] enum, one variant per kind of decision or consequence.
//! - [`envelope`] and [`codec`]: the record around each event (seq, id, time, causation, hash chain)
//!   and its versioned bincode layout. Old schema versions stay readable.
//! - [`json`]: the documented JSON form used by exports and downstream consumers.
//! - [`log`] (feature `log`): the sled log with one writer thread and group commit.
//!
//! Without the `log` feature the crate does no I/O at all, so a downstream program that only
//! reads premia's events (for example from NATS) can depend on the vocabulary alone:
//! `premia-events = { default-features = false }`.

#![forbid(unsafe_code)]

pub mod codec;
pub mod envelope;
pub mod event;
pub mod ids;
pub mod json;
#[cfg(feature = "log")]
pub mod log;
pub mod market;
pub mod marketdata;
pub mod money;
pub mod sample;
pub mod time;

pub use envelope::{ChainHash, Envelope};
pub use event::{Event, EventKind};
pub use ids::{ClientOrderId, EventId, IntentId, SignalId};
pub use market::{Asset, Exchange, Market, OrderKind, Side, TimeInForce, Venue};
pub use money::Decimal;
pub use time::{Clock, ManualClock, SystemClock, Timestamp};
