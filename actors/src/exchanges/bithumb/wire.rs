//! Bithumb frames as sent by its current (v1, "Upbit-compatible") public API: WebSocket
//! `ticker` and `orderbook` messages in the `DEFAULT` format, the `{"status":"UP"}` heartbeat,
//! `{"error":{"name":..,"message":..}}` frames, and the REST `/v1/ticker` and `/v1/orderbook`
//! bodies (arrays of objects with the same field names, `market` instead of `code`).
//!
//! The field names, the `orderbook_units` layout and the number encoding (JSON numbers, some
//! with more than 17 digits) are Upbit's, so the borrowed types that read Upbit frames in one
//! pass read Bithumb's too; they are re-exported here so that the Bithumb codec names its own
//! wire module. Two Bithumb differences are handled by the codec, not here: an order-book
//! `timestamp` that sometimes arrives as a string of microseconds (kept raw in
//! [`Quote::timestamp`]), and error names that may be numbers (kept raw in [`ErrorBody`]).

pub use crate::exchanges::upbit::wire::{ErrorBody, Quote, Units};
