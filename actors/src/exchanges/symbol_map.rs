//! The two-way map between a codec's configured markets and the exchange's codes for them.
//!
//! Frames name markets in the exchange's spelling (`KRW-BTC`, `BTCUSDT`, `btcusdt@ticker`).
//! A code is only ever mapped back through the markets the codec was built for, never by
//! splitting text: `BTCUSDT` has no separator, and guessing where the base ends (by length, by a
//! list of quote assets) breaks on the first unusual listing. Codes that are not configured are
//! simply unknown.
//!
//! The one exception is **discovery mode**, for tools such as `premia decode` that read frames of
//! any market without a configuration: a map built by [`SymbolMap::with_discovery`] from an
//! empty market list accepts every code and parses it by the exchange's own convention (a
//! function in the exchange's `symbols.rs`). Codes without a separator (Binance and Bybit
//! `BTCUSDT`) are split by the longest known quote suffix ([`split_by_quote`], [`QUOTES`]);
//! that is a best effort for a debugging tool, which is why the daemon never uses it.

use std::borrow::Cow;
use std::collections::HashMap;

use premia_events::{Asset, Exchange, Market};

use super::CodecSetupError;
use super::json::Malformed;

/// Configured markets and their codes on one exchange, in the order given.
#[derive(Clone, Debug)]
pub struct SymbolMap {
    markets: Vec<Market>,
    codes: Vec<String>,
    /// Index into `markets` by code. foldhash, not SipHash: the keys are the configuration's
    /// codes (nothing from the network is inserted), and a lookup happens on every frame.
    by_code: HashMap<String, usize, foldhash::fast::RandomState>,
    /// Discovery mode: how to read any code as a market. `None`: configured mode.
    discover: Option<fn(&str) -> Option<Market>>,
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
            by_code: HashMap::with_capacity_and_hasher(markets.len(), Default::default()),
            discover: None,
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

    /// [`SymbolMap::new`] for a non-empty `markets`; for an empty one, a map in discovery mode
    /// that reads every code with `parse` (the exchange's convention, e.g. `KRW-BTC` is
    /// `BTC/KRW` on Upbit). A discovery map has no markets and no codes, so codecs built on it
    /// subscribe to nothing and request nothing; they only decode.
    pub fn with_discovery(
        exchange: Exchange,
        markets: &[Market],
        code: impl Fn(&Market) -> String,
        parse: fn(&str) -> Option<Market>,
    ) -> Result<SymbolMap, CodecSetupError> {
        let mut map = SymbolMap::new(exchange, markets, code)?;
        if markets.is_empty() {
            map.discover = Some(parse);
        }
        Ok(map)
    }

    /// The market whose code is `code`: one of the configured markets, or in discovery mode any
    /// code the exchange's convention can read.
    pub fn market(&self, code: &str) -> Option<Cow<'_, Market>> {
        if let Some(market) = self
            .by_code
            .get(code)
            .and_then(|&index| self.markets.get(index))
        {
            return Some(Cow::Borrowed(market));
        }
        self.discover.and_then(|parse| parse(code)).map(Cow::Owned)
    }

    /// The one configured market, for a REST order-book body that does not name its own
    /// (Binance, OKX, Gate.io and Korbit send none) decoded without its request: unambiguous
    /// only with a single market. `body` names the body, `decode_for` the codec's
    /// `decode_rest_for`, in the error (which `premia decode` turns into a `--market` hint).
    pub fn only_market(&self, body: &str, decode_for: &str) -> Result<&Market, Malformed> {
        match self.markets.as_slice() {
            [market] => Ok(market),
            markets => Err(Malformed::new(format!(
                "{body} names no market and {} are configured; decode it with its request \
                 ({decode_for}) or name the market",
                markets.len()
            ))),
        }
    }

    /// Whether this map reads any code (built from no markets by [`SymbolMap::with_discovery`]).
    pub fn is_discovering(&self) -> bool {
        self.discover.is_some()
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

/// Quote assets that concatenated symbols (Binance and Bybit `BTCUSDT`) may end with, for
/// discovery mode. [`split_by_quote`] tries the longest first, so `BTCFDUSD` is `BTC/FDUSD` and
/// `BTCTUSD` is `BTC/TUSD`, not `BTCFD/USD` or `BTCT/USD`.
pub const QUOTES: [&str; 17] = [
    "FDUSD", "USDT", "USDC", "TUSD", "USDE", "DAI", "BTC", "ETH", "BNB", "EUR", "TRY", "BRL",
    "JPY", "KRW", "USD", "GBP", "AUD",
];

/// Splits a concatenated symbol (`BTCUSDT`, case-insensitive) into base and quote by the longest
/// quote in [`QUOTES`] it ends with; `None` if it ends with none of them or nothing is left for
/// the base. Only for discovery mode: it guesses.
pub fn split_by_quote(symbol: &str) -> Option<Market> {
    let upper = symbol.to_ascii_uppercase();
    let mut best: Option<&str> = None;
    for quote in QUOTES {
        let longer = best.is_none_or(|b| quote.len() > b.len());
        if longer && upper.len() > quote.len() && upper.ends_with(quote) {
            best = Some(quote);
        }
    }
    let quote = best?;
    let base = upper.strip_suffix(quote)?;
    Some(Market::new(Asset::new(base).ok()?, Asset::new(quote).ok()?))
}

/// Both parts of `text` split once at `separator`, as a market of `base` and `quote` in upper
/// case, if both are asset codes (letters and digits). For discovery mode.
pub fn split_at(text: &str, separator: char, base_first: bool) -> Option<Market> {
    let (first, second) = text.split_once(separator)?;
    let (base, quote) = if base_first {
        (first, second)
    } else {
        (second, first)
    };
    let is_part = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric());
    if !is_part(base) || !is_part(quote) {
        return None;
    }
    Some(Market::new(
        Asset::new(&base.to_ascii_uppercase()).ok()?,
        Asset::new(&quote.to_ascii_uppercase()).ok()?,
    ))
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
        assert_eq!(map.market("ETHBTC").as_deref(), Some(&markets[2]));
        assert_eq!(map.market("BTCUSDT"), None);
        assert_eq!(map.market("ethbtc"), None);
        assert!(!map.is_discovering());
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

    #[test]
    fn discovery_reads_any_code_and_configured_mode_does_not() {
        let configured = SymbolMap::with_discovery(
            Exchange::Binance,
            &["ETH/USDT".parse().unwrap()],
            concat,
            split_by_quote,
        )
        .unwrap();
        assert_eq!(configured.market("BTCUSDT"), None);
        let any =
            SymbolMap::with_discovery(Exchange::Binance, &[], concat, split_by_quote).unwrap();
        assert!(any.is_discovering());
        assert!(any.is_empty());
        let cases = [
            ("BTCUSDT", Some("BTC/USDT")),
            ("btcusdt", Some("BTC/USDT")),
            ("BTCFDUSD", Some("BTC/FDUSD")),
            ("BTCTUSD", Some("BTC/TUSD")),
            ("ETHBTC", Some("ETH/BTC")),
            ("BNBEUR", Some("BNB/EUR")),
            ("1000SATSUSDT", Some("1000SATS/USDT")),
            ("USDT", None),
            ("BTCXYZ", None),
            ("", None),
        ];
        for (index, (code, want)) in cases.into_iter().enumerate() {
            let want: Option<Market> = want.map(|m| m.parse().unwrap());
            assert_eq!(any.market(code).map(Cow::into_owned), want, "TC{index}");
        }
    }

    #[test]
    fn split_at_reads_both_orders() {
        let btc_krw: Market = "BTC/KRW".parse().unwrap();
        assert_eq!(split_at("KRW-BTC", '-', false), Some(btc_krw.clone()));
        assert_eq!(split_at("btc_krw", '_', true), Some(btc_krw));
        assert_eq!(split_at("BTC-USDT-SWAP", '-', true), None);
        assert_eq!(split_at("BTC", '-', true), None);
        assert_eq!(split_at("-BTC", '-', true), None);
    }
}
