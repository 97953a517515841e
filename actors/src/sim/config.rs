//! The simulator's configuration: seed, pace, the KRW/USDT rate, and the markets to simulate.
//!
//! Every field has a default, so `{}` is a working config (Upbit BTC/KRW and Binance BTC/USDT
//! at real-time speed). Fractions are plain decimals (`0.03` = 3 %); "daily" volatilities are
//! the standard deviation of one simulated day's relative change. Decimals may be written as
//! numbers or strings.

use premia_events::{Exchange, Market};
use rust_decimal::Decimal;
use serde::Deserialize;

/// The whole simulated market.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SimConfig {
    /// Seed of every random draw: the same seed and the same sequence of `now` values give the
    /// same frames, byte for byte. Default 1.
    pub seed: u64,
    /// Real milliseconds between simulation steps (1 to 3,600,000). Default 100.
    pub tick_ms: u64,
    /// Simulated time per real time: 1 is real time, 8640 makes a simulated day pass in ten real
    /// seconds. One step may cover at most one simulated day. Default 1.
    pub speed: Decimal,
    /// KRW per USDT at the start. Default 1380.
    pub krw_per_usdt: Decimal,
    /// Daily volatility of the KRW/USDT rate; it stays within half and twice its start.
    /// Default 0.003.
    pub krw_per_usdt_volatility: Decimal,
    /// The markets to simulate, each `(exchange, market)` once. Default: Upbit BTC/KRW and
    /// Binance BTC/USDT.
    pub markets: Vec<MarketConfig>,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            seed: 1,
            tick_ms: 100,
            speed: Decimal::ONE,
            krw_per_usdt: Decimal::from(1380),
            krw_per_usdt_volatility: Decimal::new(3, 3),
            // Both codes are valid, so neither market is dropped.
            markets: [
                (Exchange::Upbit, "BTC/KRW"),
                (Exchange::Binance, "BTC/USDT"),
            ]
            .into_iter()
            .filter_map(|(exchange, market)| {
                Some(MarketConfig::new(exchange, market.parse().ok()?))
            })
            .collect(),
        }
    }
}

/// One simulated market on one exchange.
///
/// The price process belongs to the base asset and is shared by all its markets: a KRW market's
/// mid is the asset's USDT price × KRW/USDT × (1 + premium). The process parameters
/// (`volatility`, `jumps_per_day`, `jump_size`, `vol_half_life_s`, `vol_of_vol`) may be given on
/// any of the asset's markets, but must agree where given more than once.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketConfig {
    /// The exchange whose wire format the frames use.
    pub exchange: Exchange,
    /// `BASE/QUOTE`; the quote must be KRW or a USD stablecoin (USDT, USDC, ...).
    pub market: Market,
    /// Start price in the quote asset. The first USD-quoted market with one sets the asset's
    /// price; a KRW market's start price then sets its initial premium. Default: a built-in
    /// price for BTC, ETH, XRP, SOL, DOGE and ADA (others must set one).
    #[serde(default)]
    pub start_price: Option<Decimal>,
    /// Daily volatility of the base asset (0 < v <= 1). Default 0.03.
    #[serde(default)]
    pub volatility: Option<Decimal>,
    /// Expected jumps per simulated day (0 to 1000). Default 0.5.
    #[serde(default)]
    pub jumps_per_day: Option<Decimal>,
    /// Typical jump as a fraction of the price; actual jumps are 0.5x to 1.5x, up or down
    /// (0 to 0.2). Default 0.015.
    #[serde(default)]
    pub jump_size: Option<Decimal>,
    /// Half-life of a volatility shock, in simulated seconds (> 0). Default 3600.
    #[serde(default)]
    pub vol_half_life_s: Option<Decimal>,
    /// How strongly volatility reacts to shocks (0 to 0.9; 0 = constant volatility).
    /// Default 0.3.
    #[serde(default)]
    pub vol_of_vol: Option<Decimal>,
    /// Best ask minus best bid as a fraction of the mid (0 to 0.1), at least one tick.
    /// Default 0.0001 (1 basis point).
    #[serde(default = "default_spread")]
    pub spread: Decimal,
    /// Book levels per side. Default: the exchange's usual depth (Upbit 30, Binance 20; Binance
    /// allows 5, 10 or 20).
    #[serde(default)]
    pub levels: Option<usize>,
    /// Mean gap between neighbouring book levels as a fraction of the mid (0 to 0.01), at least
    /// one tick. Default 0.00002.
    #[serde(default = "default_level_spacing")]
    pub level_spacing: Decimal,
    /// Mean quantity per book level, in the base asset (> 0). Default: 3,000 USDT worth.
    #[serde(default)]
    pub level_qty: Option<Decimal>,
    /// Traded volume per simulated day, in the base asset (>= 0). Default: 50,000,000 USDT
    /// worth.
    #[serde(default)]
    pub daily_volume: Option<Decimal>,
    /// Trades per simulated day (>= 0; every step has at least one). Default 200,000.
    #[serde(default)]
    pub trades_per_day: Option<Decimal>,
    /// A fixed price tick; default: by quote and price (KRW: Upbit's table, 1,000 at BTC
    /// prices; USD stablecoins: 0.01 from 100 up).
    #[serde(default)]
    pub tick_size: Option<Decimal>,
    /// Emit frames every this many steps (>= 1). Default 1.
    #[serde(default = "default_every_ticks")]
    pub every_ticks: u32,
    /// The premium of this KRW market over the asset's USDT price (KRW markets only; they get
    /// the default premium when this is absent).
    #[serde(default)]
    pub premium: Option<PremiumConfig>,
}

impl MarketConfig {
    /// A market with every optional setting at its default.
    pub fn new(exchange: Exchange, market: Market) -> MarketConfig {
        MarketConfig {
            exchange,
            market,
            start_price: None,
            volatility: None,
            jumps_per_day: None,
            jump_size: None,
            vol_half_life_s: None,
            vol_of_vol: None,
            spread: default_spread(),
            levels: None,
            level_spacing: default_level_spacing(),
            level_qty: None,
            daily_volume: None,
            trades_per_day: None,
            tick_size: None,
            every_ticks: default_every_ticks(),
            premium: None,
        }
    }
}

fn default_spread() -> Decimal {
    Decimal::new(1, 4)
}

fn default_level_spacing() -> Decimal {
    Decimal::new(2, 5)
}

fn default_every_ticks() -> u32 {
    1
}

/// The "kimchi premium": how much more a KRW market costs than the asset's USDT price times
/// KRW/USDT. It reverts towards `mean` with a half-life, plus noise, within `[min, max]`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PremiumConfig {
    /// Long-run premium (fraction). Default 0.03.
    pub mean: Decimal,
    /// Premium at the start; default: implied by the market's `start_price` if it and a USD
    /// market's price are both given, else `mean`.
    pub start: Option<Decimal>,
    /// Half-life of a deviation from the mean, in simulated seconds (> 0). Default 21600 (6 h).
    pub half_life_s: Decimal,
    /// Daily volatility of the premium, in premium units (0 to 1). Default 0.01.
    pub volatility: Decimal,
    /// Lowest premium (> -1). Default -0.05.
    pub min: Decimal,
    /// Highest premium (> min, <= 10). Default 0.15.
    pub max: Decimal,
}

impl Default for PremiumConfig {
    fn default() -> PremiumConfig {
        PremiumConfig {
            mean: Decimal::new(3, 2),
            start: None,
            half_life_s: Decimal::from(21_600),
            volatility: Decimal::new(1, 2),
            min: Decimal::new(-5, 2),
            max: Decimal::new(15, 2),
        }
    }
}

/// Built-in start prices in USDT, for configs that give none.
pub(crate) fn default_usdt_price(base: &str) -> Option<Decimal> {
    Some(match base {
        "BTC" => Decimal::from(65_000),
        "ETH" => Decimal::from(3_000),
        "SOL" => Decimal::from(150),
        "XRP" => Decimal::new(5, 1),
        "ADA" => Decimal::new(45, 2),
        "DOGE" => Decimal::new(15, 2),
        _ => return None,
    })
}

/// Process parameter defaults.
pub(crate) mod defaults {
    use rust_decimal::Decimal;

    /// Daily volatility.
    pub(crate) const VOLATILITY: Decimal = Decimal::from_parts(3, 0, 0, false, 2);
    /// Jumps per day.
    pub(crate) const JUMPS_PER_DAY: Decimal = Decimal::from_parts(5, 0, 0, false, 1);
    /// Jump size.
    pub(crate) const JUMP_SIZE: Decimal = Decimal::from_parts(15, 0, 0, false, 3);
    /// Volatility half-life, seconds.
    pub(crate) const VOL_HALF_LIFE_S: Decimal = Decimal::from_parts(3600, 0, 0, false, 0);
    /// Volatility of volatility.
    pub(crate) const VOL_OF_VOL: Decimal = Decimal::from_parts(3, 0, 0, false, 1);
    /// Book level quantity, in USDT.
    pub(crate) const LEVEL_NOTIONAL_USDT: Decimal = Decimal::from_parts(3000, 0, 0, false, 0);
    /// Daily volume, in USDT.
    pub(crate) const DAILY_VOLUME_USDT: Decimal = Decimal::from_parts(50_000_000, 0, 0, false, 0);
    /// Trades per day.
    pub(crate) const TRADES_PER_DAY: Decimal = Decimal::from_parts(200_000, 0, 0, false, 0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_config_is_the_default() {
        let config: SimConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(config, SimConfig::default());
        assert_eq!(config.markets.len(), 2);
    }

    #[test]
    fn configs_parse_with_numbers_or_strings_and_refuse_unknown_fields() {
        let cases = [
            (
                r#"{"seed":7,"speed":8640,"markets":[{"exchange":"upbit","market":"BTC/KRW",
                   "volatility":0.05,"premium":{"mean":"0.025"}}]}"#,
                true,
            ),
            (
                r#"{"markets":[{"exchange":"binance","market":"ETH/USDT","start_price":"3100.5",
                   "levels":10,"spread":0.0002}]}"#,
                true,
            ),
            (r#"{"seed":1,"sped":2}"#, false),
            (
                r#"{"markets":[{"exchange":"upbit","market":"BTC/KRW","colour":1}]}"#,
                false,
            ),
            (
                r#"{"markets":[{"exchange":"upbit","market":"BTC/KRW","premium":{"avg":1}}]}"#,
                false,
            ),
            (
                r#"{"markets":[{"exchange":"ftx","market":"BTC/USD"}]}"#,
                false,
            ),
            (r#"{"markets":[{"market":"BTC/USD"}]}"#, false),
        ];
        for (index, (text, ok)) in cases.into_iter().enumerate() {
            let parsed = serde_json::from_str::<SimConfig>(text);
            assert_eq!(parsed.is_ok(), ok, "TC{index}: {parsed:?}");
        }
        let config: SimConfig = serde_json::from_str(cases[0].0).unwrap();
        assert_eq!(config.speed, Decimal::from(8640));
        assert_eq!(config.tick_ms, 100);
        let market = &config.markets[0];
        assert_eq!(market.volatility, Some(Decimal::new(5, 2)));
        assert_eq!(market.spread, Decimal::new(1, 4));
        let premium = market.premium.as_ref().unwrap();
        assert_eq!(premium.mean, Decimal::new(25, 3));
        assert_eq!(premium.max, Decimal::new(15, 2));
    }
}
