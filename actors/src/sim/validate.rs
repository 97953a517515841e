//! Checking a [`SimConfig`] before anything is simulated: global settings, each market, and the
//! process parameters an asset's markets must agree on.

use super::*;

/// Checks `value` is in `[low, high]`.
fn in_range(name: &str, value: Decimal, low: Decimal, high: Decimal) -> Result<(), String> {
    if value >= low && value <= high {
        Ok(())
    } else {
        Err(format!(
            "{name} must be between {low} and {high}, not {value}"
        ))
    }
}

/// Checks `value` is in `(0, high]`.
fn positive(name: &str, value: Decimal, high: Decimal) -> Result<(), String> {
    if value > Decimal::ZERO && value <= high {
        Ok(())
    } else {
        Err(format!(
            "{name} must be above 0 and at most {high}, not {value}"
        ))
    }
}

/// One process parameter for an asset: the value every market that sets it agrees on.
fn agreed(
    markets: &[&MarketConfig],
    name: &str,
    field: impl Fn(&MarketConfig) -> Option<Decimal>,
    default: Decimal,
) -> Result<Decimal, SimError> {
    let mut found: Option<Decimal> = None;
    for market in markets {
        if let Some(value) = field(market) {
            match found {
                Some(previous) if previous != value => {
                    return Err(SimError::Market {
                        exchange: market.exchange,
                        market: market.market.clone(),
                        reason: format!(
                            "{name} {value} differs from {previous} set on another {} market",
                            market.market.base
                        ),
                    });
                }
                _ => found = Some(value),
            }
        }
    }
    Ok(found.unwrap_or(default))
}

/// Upper bound for prices, quantities and durations in the config.
pub(super) const BIG: Decimal = Decimal::from_parts(0xA764_0000, 0x0DE0_B6B3, 0, false, 0); // 10^18

/// Checks the global settings; returns the real and simulated nanoseconds per step.
pub(super) fn check_globals(config: &SimConfig) -> Result<(i64, i64), SimError> {
    if !(1..=3_600_000).contains(&config.tick_ms) {
        return Err(SimError::Config(format!(
            "tick_ms must be between 1 and 3600000, not {}",
            config.tick_ms
        )));
    }
    positive("speed", config.speed, Decimal::from(1_000_000_000)).map_err(SimError::Config)?;
    positive(
        "krw_per_usdt",
        config.krw_per_usdt,
        Decimal::from(1_000_000),
    )
    .map_err(SimError::Config)?;
    in_range(
        "krw_per_usdt_volatility",
        config.krw_per_usdt_volatility,
        Decimal::ZERO,
        Decimal::ONE,
    )
    .map_err(SimError::Config)?;
    if config.markets.is_empty() {
        return Err(SimError::Config("no markets to simulate".into()));
    }
    let tick_ns = i64::try_from(config.tick_ms)
        .unwrap_or(1)
        .saturating_mul(1_000_000);
    let step_sim_ns = mul(Decimal::from(tick_ns), config.speed)
        .round()
        .to_i64()
        .unwrap_or(0);
    if !(1..=stats::DAY_NS).contains(&step_sim_ns) {
        return Err(SimError::Config(format!(
            "tick_ms x speed must cover between 1 ns and one day of simulated time, not {step_sim_ns} ns"
        )));
    }
    Ok((tick_ns, step_sim_ns))
}

/// Checks one market's settings; returns its encoder.
pub(super) fn check_market(m: &MarketConfig) -> Result<&'static dyn Encoder, SimError> {
    let fail = |reason: String| SimError::Market {
        exchange: m.exchange,
        market: m.market.clone(),
        reason,
    };
    let encoder = encoder_for(m.exchange).ok_or(SimError::NoEncoder {
        exchange: m.exchange,
    })?;
    let quote = m.market.quote.as_str();
    if quote != "KRW" && !is_usd_stable(quote) {
        return Err(fail(format!(
            "quote {quote} cannot be simulated (KRW or a USD stablecoin)"
        )));
    }
    if m.market.base == m.market.quote {
        return Err(fail("base and quote are the same asset".into()));
    }
    if m.premium.is_some() && quote != "KRW" {
        return Err(fail("premium applies to KRW markets only".into()));
    }
    if m.every_ticks == 0 {
        return Err(fail("every_ticks must be at least 1".into()));
    }
    encoder
        .check_levels(m.levels.unwrap_or(encoder.default_levels()))
        .map_err(fail)?;
    let (zero, one) = (Decimal::ZERO, Decimal::ONE);
    let checks = [
        m.start_price.map(|v| positive("start_price", v, BIG)),
        m.volatility.map(|v| positive("volatility", v, one)),
        m.jumps_per_day
            .map(|v| in_range("jumps_per_day", v, zero, Decimal::from(1000))),
        m.jump_size
            .map(|v| in_range("jump_size", v, zero, Decimal::new(2, 1))),
        m.vol_half_life_s
            .map(|v| positive("vol_half_life_s", v, BIG)),
        m.vol_of_vol
            .map(|v| in_range("vol_of_vol", v, zero, Decimal::new(9, 1))),
        Some(in_range("spread", m.spread, zero, Decimal::new(1, 1))),
        Some(in_range(
            "level_spacing",
            m.level_spacing,
            zero,
            Decimal::new(1, 2),
        )),
        m.level_qty.map(|v| positive("level_qty", v, BIG)),
        m.daily_volume
            .map(|v| in_range("daily_volume", v, zero, BIG)),
        m.trades_per_day
            .map(|v| in_range("trades_per_day", v, zero, BIG)),
        m.tick_size.map(|v| positive("tick_size", v, BIG)),
    ];
    for check in checks.into_iter().flatten() {
        check.map_err(fail)?;
    }
    if let Some(p) = &m.premium {
        let checks = [
            Some(in_range(
                "premium.min",
                p.min,
                Decimal::new(-99, 2),
                Decimal::TEN,
            )),
            Some(in_range("premium.max", p.max, p.min, Decimal::TEN)),
            Some(in_range("premium.mean", p.mean, p.min, p.max)),
            p.start.map(|v| in_range("premium.start", v, p.min, p.max)),
            Some(positive("premium.half_life_s", p.half_life_s, BIG)),
            Some(in_range("premium.volatility", p.volatility, zero, one)),
        ];
        for check in checks.into_iter().flatten() {
            check.map_err(fail)?;
        }
    }
    Ok(encoder)
}

/// The USDT start price of `base`, and whether the config set it (rather than the built-in
/// table): a USD market's `start_price`, else a KRW market's backed out through its premium,
/// else the built-in price. USD stablecoins are worth one USDT.
pub(super) fn start_price(
    base: &Asset,
    group: &[&MarketConfig],
    fx: Decimal,
) -> Result<(Decimal, bool), SimError> {
    if is_usd_stable(base.as_str()) {
        return Ok((Decimal::ONE, true));
    }
    let usd = group
        .iter()
        .filter(|m| is_usd_stable(m.market.quote.as_str()))
        .find_map(|m| m.start_price);
    if let Some(price) = usd {
        return Ok((price, true));
    }
    let krw = group.iter().find_map(|m| {
        let price = m.start_price?;
        let premium = m.premium.clone().unwrap_or_default();
        let premium = premium.start.unwrap_or(premium.mean);
        Some(div(price, mul(fx, add(Decimal::ONE, premium))))
    });
    if let Some(price) = krw.filter(|p| *p > Decimal::ZERO) {
        return Ok((price, true));
    }
    default_usdt_price(base.as_str())
        .map(|price| (price, false))
        .ok_or_else(|| {
            SimError::Config(format!(
                "no start price for {base}: set start_price on one of its markets"
            ))
        })
}

/// The process parameters of `base`, agreed by its markets.
pub(super) fn asset_params(group: &[&MarketConfig]) -> Result<AssetParams, SimError> {
    Ok(AssetParams {
        volatility: agreed(group, "volatility", |m| m.volatility, defaults::VOLATILITY)?,
        jumps_per_day: agreed(
            group,
            "jumps_per_day",
            |m| m.jumps_per_day,
            defaults::JUMPS_PER_DAY,
        )?,
        jump_size: agreed(group, "jump_size", |m| m.jump_size, defaults::JUMP_SIZE)?,
        vol_half_life_secs: agreed(
            group,
            "vol_half_life_s",
            |m| m.vol_half_life_s,
            defaults::VOL_HALF_LIFE_S,
        )?,
        vol_of_vol: agreed(group, "vol_of_vol", |m| m.vol_of_vol, defaults::VOL_OF_VOL)?,
    })
}
