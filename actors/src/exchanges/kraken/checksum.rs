//! Kraken's book checksum (WebSocket v2 `book` channel).

use premia_events::marketdata::Level;
use rust_decimal::Decimal;

use super::{CHECKSUM_LEVELS, MAX_PLACES, Precision};
use crate::exchanges::crc32::Crc32;

/// Kraken's book checksum: CRC32 (IEEE) over the top [`CHECKSUM_LEVELS`] asks (ascending)
/// then the top bids (descending), each level's price and quantity printed with `precision`'s
/// decimal places, the point removed and leading zeros stripped, all concatenated.
pub fn checksum(bids: &[Level], asks: &[Level], precision: Precision) -> u32 {
    let mut text = String::with_capacity(4 * CHECKSUM_LEVELS * 12);
    let mut push = |value: Decimal, places: u32| {
        let mut value = value;
        // A decimal holds at most 28 places (and prints no more); precisions come from frames.
        value.rescale(places.min(MAX_PLACES));
        let printed = value.to_string();
        let digits = printed.bytes().filter(u8::is_ascii_digit);
        let mut leading = true;
        for digit in digits {
            if leading && digit == b'0' {
                continue;
            }
            leading = false;
            text.push(char::from(digit));
        }
    };
    for level in asks
        .iter()
        .take(CHECKSUM_LEVELS)
        .chain(bids.iter().take(CHECKSUM_LEVELS))
    {
        push(level.price, precision.price);
        push(level.quantity, precision.qty);
    }
    let mut crc = Crc32::new();
    crc.update(text.as_bytes());
    crc.finish()
}
