//! premia-actors: the daemon's moving parts.
//!
//! Each actor module has a pure core (parsing, state machines, rules: plain types and functions,
//! unit-tested without a runtime) and a thin actix shell (mailbox, timers, I/O).
//!
//! - [`exchanges`]: one folder per exchange (codec, symbols, wire types), driven through the
//!   [`exchanges::ExchangeCodec`] trait.
//! - [`sim`]: a seeded simulated market that speaks the exchanges' real wire formats.

#![forbid(unsafe_code)]

pub mod breaker;
pub mod exchanges;
pub mod feed;
pub mod health;
pub mod journal;
pub mod lease;
pub mod messages;
pub mod metrics;
pub mod mirror;
pub mod money;
pub mod nats;
pub mod notify;
pub mod order;
pub mod secret;
pub mod signal;
pub mod sim;
pub mod supervisor;
pub mod venue;
