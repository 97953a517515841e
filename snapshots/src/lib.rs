//! premia-snapshots: premia's state as a pure fold over its events, and the snapshot store that
//! makes restarts fast.
//!
//! - [`state`]: [`State`] and `State::apply(&mut self, &Envelope)`: orders by client order id with
//!   their lifecycle, balances and positions per venue, realised PnL, breakers, signals already
//!   acted on. Pure: no I/O, no clock, no randomness, never panics.
//! - [`store`]: snapshots in the log's database, anchored by (seq, hash).
//! - [`rebuild()`]: newest valid snapshot + replay of the tail. A snapshot whose anchor does not
//!   match the log is ignored with a warning.
//!
//! The property that holds it together, tested with proptest: for any event sequence, snapshot +
//! tail equals a full replay.

#![forbid(unsafe_code)]

pub mod keyed;
pub mod rebuild;
pub mod state;
pub mod store;

pub use rebuild::{RebuildError, Rebuilt, fold, rebuild};
pub use state::{Order, OrderStatus, Position, State};
pub use store::{Snapshot, SnapshotError, SnapshotInfo, SnapshotStore};
