//! The two-way map between a codec's configured markets and the exchange's codes for them.
//!
//! Frames name markets in the exchange's spelling (`KRW-BTC`, `BTCUSDT`, `btcusdt@ticker`).
//! A code is only ever mapped back through the markets the codec was built for, never by
//! splitting text: `BTCUSDT` has no separator, and guessing where the base ends (by length, by a
//! list of quote assets) breaks on the first unusual listing. Codes that are not configured are
//! simply unknown.

use std::collections::HashMap;

use premia_events::{Exchange, Market};

use super::CodecSetupError;

/// Configured markets and their codes on one exchange, in the order given.
#[derive(Clone, Debug)]
pub struct SymbolMap {
    markets: Vec<Market>,
    codes: Vec<String>,
    by_code: HashMap<String, usize>,
}

impl SymbolMap {
    /// Maps each of `markets` to `code(market)`. A market listed twice, or two markets with the
    /// same code (`BTC/USDT` and `BTCUSD/T` are both `BTCUSDT` on Binance), cannot be told apart
    /// in frames and is refused.
    pub fn new(
        exchange: Exchange,
        markets: &[Market],
        code: impl Fn(&Market) -> String,
    ) -> Result<SymbolMap, CodecSetupError> {
        let mut map = SymbolMap {
            markets: Vec::with_capacity(markets.len()),
            codes: Vec::with_capacity(markets.len()),
            by_code: HashMap::with_capacity(markets.len()),
        };
        for market in markets {
            let text = code(market);
            if let Some(&earlier) = map.by_code.get(&text) {
                let reason = match map.markets.get(earlier) {
                    Some(other) if other == market => "listed twice".to_string(),
                    Some(other) => format!("same exchange code {text} as {other}"),
                    None => format!("duplicate exchange code {text}"),
                };
                return Err(CodecSetupError::Market {
                    exchange,
                    market: market.clone(),
                    reason,
                });
            }
            map.by_code.insert(text.clone(), map.markets.len());
            map.markets.push(market.clone());
            map.codes.push(text);
        }
        Ok(map)
    }

    /// The market whose code is `code`, if it is one of the configured markets.
    pub fn market(&self, code: &str) -> Option<&Market> {
        self.by_code
            .get(code)
            .and_then(|&index| self.markets.get(index))
    }

    /// The configured markets, in the order given.
    pub fn markets(&self) -> &[Market] {
        &self.markets
    }

    /// The codes of the configured markets, in the same order.
    pub fn codes(&self) -> &[String] {
        &self.codes
    }

    /// `(market, code)` pairs, in the order given.
    pub fn iter(&self) -> impl Iterator<Item = (&Market, &str)> {
        self.markets
            .iter()
            .zip(self.codes.iter().map(String::as_str))
    }

    /// How many markets.
    pub fn len(&self) -> usize {
        self.markets.len()
    }

    /// Whether there are no markets.
    pub fn is_empty(&self) -> bool {
        self.markets.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concat(market: &Market) -> String {
        format!("{}{}", market.base, market.quote)
    }

    #[test]
    fn maps_both_ways_in_order() {
        let markets: Vec<Market> = ["ETH/USDT", "SOL/USDT", "ETH/BTC"]
            .iter()
            .map(|m| m.parse().unwrap())
            .collect();
        let map = SymbolMap::new(Exchange::Binance, &markets, concat).unwrap();
        assert_eq!(map.codes(), ["ETHUSDT", "SOLUSDT", "ETHBTC"]);
        assert_eq!(map.markets(), &markets[..]);
        assert_eq!(map.market("ETHBTC"), Some(&markets[2]));
        assert_eq!(map.market("BTCUSDT"), None);
        assert_eq!(map.market("ethbtc"), None);
        assert_eq!(map.len(), 3);
        assert_eq!(map.iter().nth(1), Some((&markets[1], "SOLUSDT")));
    }

    #[test]
    fn ambiguous_and_duplicate_markets_are_refused() {
        let cases = [
            (
                ["BTC/USDT", "BTCUSD/T"],
                "same exchange code BTCUSDT as BTC/USDT",
            ),
            (["BTC/USDT", "btc/usdt"], "listed twice"),
        ];
        for (index, (markets, reason)) in cases.into_iter().enumerate() {
            let markets: Vec<Market> = markets.iter().map(|m| m.parse().unwrap()).collect();
            let error = SymbolMap::new(Exchange::Binance, &markets, concat).unwrap_err();
            assert_eq!(
                error,
                CodecSetupError::Market {
                    exchange: Exchange::Binance,
                    market: markets[1].clone(),
                    reason: reason.to_string(),
                },
                "TC{index}"
            );
        }
    }
}
