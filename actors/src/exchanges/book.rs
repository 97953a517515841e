//! Order-book helpers shared by every codec: choosing a subscription depth the exchange offers,
//! reading levels exactly, and checking that a snapshot is in best-first order.

use std::fmt;

use premia_events::Decimal;
use premia_events::marketdata::Level;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, SeqAccess, Visitor};

use super::json::{DecimalStr, Malformed};
use super::num::{self, NumError};
use super::scan::{self, Scanner};

/// The smallest depth in `offered` that is at least `requested`, or the largest offered when
/// none is (Upbit offers 1, 5, 15 and 30 levels: 10 gives 15, 50 gives 30). `offered` must be
/// ascending; an empty list gives `requested` back.
pub fn pick_depth(requested: usize, offered: &[usize]) -> usize {
    offered
        .iter()
        .copied()
        .find(|&depth| depth >= requested)
        .or_else(|| offered.last().copied())
        .unwrap_or(requested)
}

/// The depth a codec keeps: `depth` (already fitted to what the exchange offers) for a codec of
/// configured markets; every level for one in discovery mode (built from no markets, see
/// [`crate::exchanges::symbol_map::SymbolMap::with_discovery`]), which subscribes to nothing
/// and only decodes, so it shows books as the frames have them.
pub fn kept_depth(markets: &[premia_events::Market], depth: usize) -> usize {
    if markets.is_empty() {
        usize::MAX
    } else {
        depth
    }
}

/// A side of a book as sent by exchanges that write levels as `[price, quantity]` pairs of
/// decimal strings (`[["156.42000000","184.31400000"], ...]`: Binance, OKX, Bybit, Gate.io),
/// read straight into levels while deserializing, exactly and without an intermediate vector.
/// A pair that is not two decimal strings ([`DecimalStr`]) fails the frame, naming the level.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PairLevels(pub Vec<Level>);

/// Capacity reserved for a side before its length is known (the deepest partial books are 20).
const LEVELS_CAPACITY: usize = 20;

impl<'de> Deserialize<'de> for PairLevels {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PairLevels, D::Error> {
        deserializer.deserialize_seq(PairLevelsVisitor)
    }
}

struct PairLevelsVisitor;

impl<'de> Visitor<'de> for PairLevelsVisitor {
    type Value = PairLevels;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of [price, quantity] pairs")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PairLevels, A::Error> {
        let mut levels = Vec::with_capacity(seq.size_hint().unwrap_or(LEVELS_CAPACITY));
        while let Some(level) = seq.next_element_seed(PairSeed(levels.len()))? {
            levels.push(level);
        }
        Ok(PairLevels(levels))
    }
}

/// One `[price, quantity]` pair, the `.0`-th of its side.
struct PairSeed(usize);

impl<'de> de::DeserializeSeed<'de> for PairSeed {
    type Value = Level;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Level, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for PairSeed {
    type Value = Level;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "level {} as [price, quantity]", self.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Level, A::Error> {
        let index = self.0;
        let mut next = |what: &str| -> Result<_, A::Error> {
            let DecimalStr(text) = seq
                .next_element()?
                .ok_or_else(|| de::Error::custom(format!("level {index}: no {what}")))?;
            num::parse_decimal_bytes(text)
                .map_err(|e| de::Error::custom(format!("level {index} {what}: {e}")))
        };
        let price = next("price")?;
        let quantity = next("quantity")?;
        if seq.next_element::<IgnoredAny>()?.is_some() {
            return Err(de::Error::custom(format!(
                "level {index}: more than price and quantity"
            )));
        }
        Ok(Level::new(price, quantity))
    }
}

impl PairLevels {
    /// Reads a side with the scanner (the hot path of WebSocket books).
    pub fn scan(s: &mut Scanner<'_>) -> Result<PairLevels, Malformed> {
        scan_levels(s, "quantity", 2, LEVELS_CAPACITY).map(PairLevels)
    }
}

/// A side of a book written as arrays `[price, quantity, ..]` of decimal strings, with at most
/// `max_fields` elements a level (the ones after the first two are skipped), read straight
/// into levels with the scanner, exactly. `quantity` is how the errors name the second element.
pub fn scan_levels(
    s: &mut Scanner<'_>,
    quantity: &str,
    max_fields: usize,
    capacity: usize,
) -> Result<Vec<Level>, Malformed> {
    let mut levels = Vec::with_capacity(capacity);
    s.array(|s, index| {
        levels.push(scan_level(s, index, quantity, max_fields)?);
        Ok(())
    })?;
    Ok(levels)
}

/// Level number `index` of its side: `[price, quantity, ..]`. Errors are built out of line
/// (the `level_*` functions), so this loop, run for every level, carries none of their cost.
fn scan_level(
    s: &mut Scanner<'_>,
    index: usize,
    quantity: &str,
    max_fields: usize,
) -> Result<Level, Malformed> {
    // Element by element rather than with a closure: the decimals then stay in registers
    // instead of going through slots on the stack, whose reload stalled on every level.
    if !s.open_array()? {
        return Err(level_missing(index, "price"));
    }
    let price = level_decimal(s, index, "price")?;
    if !s.next_element()? {
        s.close_array()?;
        return Err(level_missing(index, quantity));
    }
    let size = level_decimal(s, index, quantity)?;
    let mut fields = 2;
    while s.next_element()? {
        if fields >= max_fields {
            return Err(level_too_long(index, quantity, max_fields));
        }
        s.skip_value()?;
        fields += 1;
    }
    s.close_array()?;
    Ok(Level::new(price, size))
}

/// The decimal string `what` of level `index`.
#[inline(always)]
fn level_decimal(s: &mut Scanner<'_>, index: usize, what: &str) -> Result<Decimal, Malformed> {
    s.string_decimal()
        .map_err(|e| level_json_error(index, what, e))?
        .map_err(|e| level_number_error(index, what, &e))
}

#[cold]
#[inline(never)]
fn level_too_long(index: usize, quantity: &str, max_fields: usize) -> Malformed {
    Malformed::new(if max_fields == 2 {
        format!("level {index}: more than price and {quantity}")
    } else {
        format!("level {index}: more than {max_fields} fields")
    })
}

/// The JSON error `error` of element `what` of level `index`, naming it (built out of line,
/// for every codec's level reader).
#[cold]
#[inline(never)]
pub fn level_json_error(index: usize, what: &str, error: Malformed) -> Malformed {
    scan::within(&format!("level {index} {what}"), error)
}

/// Element `what` of level `index` is not an exact decimal.
#[cold]
#[inline(never)]
pub fn level_number_error(index: usize, what: &str, error: &NumError) -> Malformed {
    Malformed::new(format!("level {index} {what}: {error}"))
}

/// Level `index` has no `what`.
#[cold]
#[inline(never)]
pub fn level_missing(index: usize, what: &str) -> Malformed {
    Malformed::new(format!("level {index}: no {what}"))
}

/// One side of a full book as it rests, cut to `depth` levels: levels of zero quantity (a
/// price emptied in the same instant, which Bithumb and others still list) and of zero price
/// (Upbit's and Bithumb's padding of a short side) are dropped first, so a snapshot holds only
/// liquidity that is there and `depth` counts real levels. Every codec's snapshots go through
/// this; deltas keep their zeros, which remove levels.
pub fn resting(levels: &mut Vec<Level>, depth: usize) {
    levels.retain(|level| !level.price.is_zero() && !level.quantity.is_zero());
    levels.truncate(depth);
}

/// Checks that bids descend and asks ascend strictly in price, so that the first level of each
/// side is the best. An exchange that breaks this has sent something else than a book.
pub fn check_best_first(bids: &[Level], asks: &[Level]) -> Result<(), Malformed> {
    if !bids.is_sorted_by(|a, b| a.price > b.price) {
        return Err(Malformed::new("bids are not in descending price order"));
    }
    if !asks.is_sorted_by(|a, b| a.price < b.price) {
        return Err(Malformed::new("asks are not in ascending price order"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn lv(price: &str, quantity: &str) -> Level {
        Level::new(
            Decimal::from_str(price).unwrap(),
            Decimal::from_str(quantity).unwrap(),
        )
    }

    #[test]
    fn resting_drops_emptied_levels_and_padding_before_the_cut() {
        let cases = [
            (vec![], 5, vec![]),
            (
                vec![lv("10", "1"), lv("9", "2")],
                5,
                vec![lv("10", "1"), lv("9", "2")],
            ),
            (
                vec![lv("10", "0"), lv("9", "2"), lv("8", "1")],
                1,
                vec![lv("9", "2")],
            ),
            (
                vec![lv("10", "1"), lv("0", "0"), lv("0", "0")],
                5,
                vec![lv("10", "1")],
            ),
            (
                vec![lv("10", "1"), lv("9", "0.000"), lv("8", "3")],
                2,
                vec![lv("10", "1"), lv("8", "3")],
            ),
        ];
        for (index, (mut levels, depth, expected)) in cases.into_iter().enumerate() {
            resting(&mut levels, depth);
            assert_eq!(levels, expected, "TC{index}");
        }
    }

    #[test]
    fn depth_is_the_smallest_offered_that_suffices() {
        let upbit = [1, 5, 15, 30];
        let cases = [
            (0, 1),
            (1, 1),
            (2, 5),
            (10, 15),
            (15, 15),
            (16, 30),
            (30, 30),
            (500, 30),
        ];
        for (index, (requested, expected)) in cases.into_iter().enumerate() {
            assert_eq!(pick_depth(requested, &upbit), expected, "TC{index}");
        }
        assert_eq!(pick_depth(7, &[]), 7);
    }

    #[test]
    fn best_first_order_is_checked() {
        let good_bids = [lv("101", "1"), lv("100", "2")];
        let good_asks = [lv("102", "1"), lv("103", "2")];
        let cases = [
            (&good_bids[..], &good_asks[..], true),
            (&[][..], &[][..], true),
            (&[lv("100", "1"), lv("101", "1")][..], &good_asks[..], false),
            (&good_bids[..], &[lv("103", "1"), lv("102", "1")][..], false),
            (&[lv("100", "1"), lv("100", "2")][..], &good_asks[..], false),
        ];
        for (index, (bids, asks, ok)) in cases.into_iter().enumerate() {
            assert_eq!(check_best_first(bids, asks).is_ok(), ok, "TC{index}");
        }
    }

    #[test]
    fn pair_levels_are_read_exactly() {
        let cases: [(&str, Result<Vec<Level>, &str>); 8] = [
            (
                r#"[["156.42000000","184.31400000"],["156.41","37.9"]]"#,
                Ok(vec![
                    lv("156.42000000", "184.31400000"),
                    lv("156.41", "37.9"),
                ]),
            ),
            (" [ [ \"1.5\" , \"2E1\" ] ]", Ok(vec![lv("1.5", "20")])),
            ("[]", Ok(vec![])),
            (r#"[["1.5"]]"#, Err("level 0: no quantity")),
            (
                r#"[["1.5","2","3"]]"#,
                Err("level 0: more than price and quantity"),
            ),
            (
                r#"[["1.5","2"],["x","2"]]"#,
                Err("level 1 price: x (not a number)"),
            ),
            (r#"[[1.5,"2"]]"#, Err("expected a decimal in a JSON string")),
            (
                r#"{"1.5":"2"}"#,
                Err("expected an array of [price, quantity] pairs"),
            ),
        ];
        for (index, (text, expected)) in cases.into_iter().enumerate() {
            match (serde_json::from_str::<PairLevels>(text), expected) {
                (Ok(PairLevels(got)), Ok(want)) => {
                    assert_eq!(format!("{got:?}"), format!("{want:?}"), "TC{index}");
                }
                (Err(error), Err(text)) => {
                    assert!(error.to_string().contains(text), "TC{index}: {error}");
                }
                (got, want) => panic!("TC{index}: got {got:?}, expected {want:?}"),
            }
        }
    }
}
