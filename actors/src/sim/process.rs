//! The stochastic processes behind the simulated market, all in exact decimals.
//!
//! - [`AssetProcess`]: one underlying asset's USDT price. A multiplicative random walk
//!   `price · (1 + ε)` whose per-step variance follows GARCH(1,1)
//!   (`h = ω + α·shock² + β·h`), so quiet and wild stretches cluster, plus rare jumps.
//! - [`MeanReverting`]: a value pulled back towards its mean (the kimchi premium).
//! - [`GeometricWalk`]: a plain random walk with clamps (the KRW/USDT rate).
//!
//! Normal draws are the sum of twelve uniforms minus six (Irwin–Hall), computed on integers and
//! turned into one decimal; square roots use `u128::isqrt` on a scaled integer. No floats.

use premia_events::sample::Rng;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Bits per uniform draw (the top bits of the generator's output).
const UNIFORM_BITS: u32 = 30;
/// `2^UNIFORM_BITS`.
const UNIFORM_ONE: i64 = 1 << UNIFORM_BITS;
/// Seconds in a day: rates and volatilities in the config are per day.
pub(crate) const DAY_SECS: i64 = 86_400;
/// ln 2, to turn half-lives into per-step decay rates.
const LN_2: Decimal = Decimal::from_parts(693_147_181, 0, 0, false, 9);
/// Decimal places kept in process state (keeps arithmetic cheap and results reproducible).
const STATE_DP: u32 = 16;

/// `a · b`, saturating at `Decimal::MAX` / `Decimal::MIN` instead of panicking.
pub(crate) fn mul(a: Decimal, b: Decimal) -> Decimal {
    a.checked_mul(b)
        .unwrap_or(if a.is_sign_negative() == b.is_sign_negative() {
            Decimal::MAX
        } else {
            Decimal::MIN
        })
}

/// `a / b`; zero when `b` is zero, saturating on overflow.
pub(crate) fn div(a: Decimal, b: Decimal) -> Decimal {
    if b.is_zero() {
        return Decimal::ZERO;
    }
    a.checked_div(b)
        .unwrap_or(if a.is_sign_negative() == b.is_sign_negative() {
            Decimal::MAX
        } else {
            Decimal::MIN
        })
}

/// `a + b`, saturating.
pub(crate) fn add(a: Decimal, b: Decimal) -> Decimal {
    a.checked_add(b).unwrap_or(if a.is_sign_negative() {
        Decimal::MIN
    } else {
        Decimal::MAX
    })
}

/// `a - b`, saturating.
pub(crate) fn sub(a: Decimal, b: Decimal) -> Decimal {
    a.checked_sub(b).unwrap_or(if a.is_sign_negative() {
        Decimal::MIN
    } else {
        Decimal::MAX
    })
}

/// The square root of `v` (zero for `v <= 0`), to 14 decimal places below 1 and 8 above;
/// inputs above 10^12 are treated as 10^12.
pub(crate) fn sqrt(v: Decimal) -> Decimal {
    if v <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    // sqrt(v) = isqrt(v · 10^(2k)) / 10^k, with v · 10^(2k) < 10^28 (fits Decimal and u128).
    let (k, v) = if v < Decimal::ONE {
        (14u32, v)
    } else {
        (8u32, v.min(Decimal::from(1_000_000_000_000i64)))
    };
    let scaled = mul(v, Decimal::from_i128_with_scale(10i128.pow(2 * k), 0)).trunc();
    let root = scaled.to_u128().unwrap_or(0).isqrt();
    let root = i128::try_from(root).unwrap_or(0);
    Decimal::try_from_i128_with_scale(root, k).unwrap_or(Decimal::ZERO)
}

/// `1 - 2^(-dt/half_life)`, the share of a gap closed in one step, approximated without `exp`
/// as `x / (1 + x)` with `x = ln2 · dt / half_life` (exact to first order, always in `[0, 1)`).
pub(crate) fn decay_per_step(dt_secs: Decimal, half_life_secs: Decimal) -> Decimal {
    let x = div(mul(LN_2, dt_secs), half_life_secs).max(Decimal::ZERO);
    div(x, add(Decimal::ONE, x)).round_dp(STATE_DP)
}

/// Random draws in decimals from the workspace's xorshift generator.
#[derive(Clone, Debug)]
pub(crate) struct Draws(Rng);

impl Draws {
    /// A generator for stream `stream` of seed `seed`: streams are independent of each other, so
    /// adding a market does not change the paths of the others.
    pub(crate) fn new(seed: u64, stream: u64) -> Draws {
        Draws(Rng::new(splitmix(splitmix(seed) ^ splitmix(stream))))
    }

    /// `UNIFORM_BITS` random bits as an integer in `0..UNIFORM_ONE`.
    fn bits(&mut self) -> i64 {
        i64::try_from(self.0.next_u64() >> (64 - UNIFORM_BITS)).unwrap_or(0)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn uniform(&mut self) -> Decimal {
        Decimal::from(self.bits()) / Decimal::from(UNIFORM_ONE)
    }

    /// Approximately standard normal, in `[-6, 6]`: the sum of twelve uniforms minus six.
    pub(crate) fn normal(&mut self) -> Decimal {
        let sum: i64 = (0..12).map(|_| self.bits()).sum();
        Decimal::from(sum - 6 * UNIFORM_ONE) / Decimal::from(UNIFORM_ONE)
    }

    /// Uniform integer in `0..n` (`0` when `n` is 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.0.below(n) }
    }

    /// True with probability `p` (clamped to `[0, 1]`).
    pub(crate) fn chance(&mut self, p: Decimal) -> bool {
        self.uniform() < p
    }
}

/// SplitMix64's finaliser: spreads seeds so neighbouring seeds give unrelated streams.
fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The parameters of one asset's price process, per simulated day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AssetParams {
    /// Long-run daily volatility (standard deviation of a day's return), e.g. 0.03.
    pub(crate) volatility: Decimal,
    /// Expected number of jumps per simulated day.
    pub(crate) jumps_per_day: Decimal,
    /// Typical jump size as a fraction of the price (actual jumps: 0.5x to 1.5x this, either sign).
    pub(crate) jump_size: Decimal,
    /// Half-life of a volatility shock, in simulated seconds.
    pub(crate) vol_half_life_secs: Decimal,
    /// How strongly variance reacts to shocks, in `[0, 0.9]`: 0 gives constant volatility.
    pub(crate) vol_of_vol: Decimal,
}

/// One asset's USDT price: GARCH(1,1) variance, jumps, multiplicative random walk.
#[derive(Clone, Debug)]
pub(crate) struct AssetProcess {
    price: Decimal,
    floor: Decimal,
    ceiling: Decimal,
    /// Current per-step variance.
    variance: Decimal,
    /// Long-run per-step variance.
    long_run: Decimal,
    /// Its square root.
    long_run_sigma: Decimal,
    omega: Decimal,
    alpha: Decimal,
    beta: Decimal,
    jump_probability: Decimal,
    jump_size: Decimal,
    /// The last step's shock (winsorised), which feeds the next variance.
    last_shock: Decimal,
    /// The last step's return.
    last_return: Decimal,
}

impl AssetProcess {
    /// A process starting at `price` (USDT), stepping `dt_secs` simulated seconds at a time.
    /// The price is kept within 1/100 and 100 times its start.
    pub(crate) fn new(price: Decimal, params: &AssetParams, dt_secs: Decimal) -> AssetProcess {
        let day_share = div(dt_secs, Decimal::from(DAY_SECS));
        let long_run = mul(mul(params.volatility, params.volatility), day_share).round_dp(24);
        let kappa = decay_per_step(dt_secs, params.vol_half_life_secs);
        let persistence = Decimal::ONE - kappa;
        // Variance of the variance grows with alpha^2 / (1 - persistence^2) ~ alpha^2 / (2 kappa):
        // alpha = sqrt(vol_of_vol * kappa) keeps clustering equally visible at any step size.
        let alpha = sqrt(mul(params.vol_of_vol, kappa)).min(persistence / Decimal::TWO);
        let beta = persistence - alpha;
        let omega = mul(long_run, kappa).round_dp(28);
        AssetProcess {
            price,
            floor: price / Decimal::ONE_HUNDRED,
            ceiling: mul(price, Decimal::ONE_HUNDRED),
            variance: long_run,
            long_run,
            long_run_sigma: sqrt(long_run),
            omega,
            alpha,
            beta,
            jump_probability: mul(params.jumps_per_day, day_share).min(Decimal::ONE),
            jump_size: params.jump_size,
            last_shock: Decimal::ZERO,
            last_return: Decimal::ZERO,
        }
    }

    /// The current price in USDT.
    pub(crate) fn price(&self) -> Decimal {
        self.price
    }

    /// The current per-step volatility relative to the long run (1 = normal).
    #[cfg(test)]
    pub(crate) fn variance_ratio(&self) -> Decimal {
        div(self.variance, self.long_run)
    }

    /// The last step's return.
    #[cfg(test)]
    pub(crate) fn last_return(&self) -> Decimal {
        self.last_return
    }

    /// The size of the last step's move relative to a typical one (about 0.8 on average, at most
    /// 10): busy markets trade more.
    pub(crate) fn shock_ratio(&self) -> Decimal {
        div(self.last_return.abs(), self.long_run_sigma).min(Decimal::TEN)
    }

    /// Advances one step.
    pub(crate) fn step(&mut self, draws: &mut Draws) {
        let shock_sq = mul(self.last_shock, self.last_shock);
        let variance = add(
            add(self.omega, mul(self.alpha, shock_sq)),
            mul(self.beta, self.variance),
        );
        // Keep volatility within 1/5 and 5 times its long-run level.
        let low = self.long_run / Decimal::from(25);
        let high = mul(self.long_run, Decimal::from(25));
        self.variance = variance.clamp(low, high).round_dp(28);

        let sigma = sqrt(self.variance);
        let diffusion = mul(sigma, draws.normal());
        let mut jump = Decimal::ZERO;
        if draws.chance(self.jump_probability) {
            let size = mul(self.jump_size, add(Decimal::new(5, 1), draws.uniform()));
            jump = if draws.below(2) == 0 { size } else { -size };
        }
        let limit = Decimal::new(3, 1);
        let ret = add(diffusion, jump).clamp(-limit, limit).round_dp(STATE_DP);
        // A jump feeds the variance as a 4-sigma shock at most: it raises volatility for a while
        // without blowing it up.
        let cap = mul(Decimal::from(4), sigma);
        self.last_shock = ret.clamp(-cap, cap);
        self.last_return = ret;
        self.price = mul(self.price, add(Decimal::ONE, ret))
            .round_dp(STATE_DP)
            .clamp(self.floor, self.ceiling);
    }
}

/// A value pulled towards `mean` with a half-life, plus noise, kept within `[min, max]`.
#[derive(Clone, Debug)]
pub(crate) struct MeanReverting {
    value: Decimal,
    mean: Decimal,
    kappa: Decimal,
    sigma: Decimal,
    min: Decimal,
    max: Decimal,
}

impl MeanReverting {
    /// Starts at `start`; `daily_volatility` is the standard deviation the noise adds in one
    /// simulated day (ignoring the pull back).
    pub(crate) fn new(
        start: Decimal,
        mean: Decimal,
        half_life_secs: Decimal,
        daily_volatility: Decimal,
        min: Decimal,
        max: Decimal,
        dt_secs: Decimal,
    ) -> MeanReverting {
        let day_share = div(dt_secs, Decimal::from(DAY_SECS));
        MeanReverting {
            value: start.clamp(min, max),
            mean,
            kappa: decay_per_step(dt_secs, half_life_secs),
            sigma: mul(daily_volatility, sqrt(day_share)).round_dp(STATE_DP),
            min,
            max,
        }
    }

    /// The current value.
    pub(crate) fn value(&self) -> Decimal {
        self.value
    }

    /// Advances one step.
    pub(crate) fn step(&mut self, draws: &mut Draws) {
        let pull = mul(self.kappa, sub(self.mean, self.value));
        let noise = mul(self.sigma, draws.normal());
        self.value = add(add(self.value, pull), noise)
            .round_dp(STATE_DP)
            .clamp(self.min, self.max);
    }
}

/// A multiplicative random walk kept within half and twice its start.
#[derive(Clone, Debug)]
pub(crate) struct GeometricWalk {
    value: Decimal,
    sigma: Decimal,
    min: Decimal,
    max: Decimal,
}

impl GeometricWalk {
    /// Starts at `start` with `daily_volatility` per simulated day.
    pub(crate) fn new(
        start: Decimal,
        daily_volatility: Decimal,
        dt_secs: Decimal,
    ) -> GeometricWalk {
        let day_share = div(dt_secs, Decimal::from(DAY_SECS));
        GeometricWalk {
            value: start,
            sigma: mul(daily_volatility, sqrt(day_share)).round_dp(STATE_DP),
            min: start / Decimal::TWO,
            max: mul(start, Decimal::TWO),
        }
    }

    /// The current value.
    pub(crate) fn value(&self) -> Decimal {
        self.value
    }

    /// Advances one step.
    pub(crate) fn step(&mut self, draws: &mut Draws) {
        let ret = mul(self.sigma, draws.normal());
        self.value = mul(self.value, add(Decimal::ONE, ret))
            .round_dp(STATE_DP)
            .clamp(self.min, self.max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn sqrt_is_accurate_across_magnitudes() {
        let cases = [
            ("0", "0"),
            ("-4", "0"),
            ("0.25", "0.5"),
            ("1", "1"),
            ("2", "1.41421356"),
            ("0.000000001", "0.00003162277660"),
            ("1e-20", "0.0000000001"),
            ("144", "12"),
            ("1e13", "1000000"),
        ];
        for (index, (input, expected)) in cases.into_iter().enumerate() {
            let input = Decimal::from_scientific(input).unwrap_or_else(|_| d(input));
            assert_eq!(sqrt(input), d(expected), "TC{index}: sqrt({input})");
        }
    }

    #[test]
    fn decay_matches_the_half_life_to_first_order() {
        // One half-life in one step: exact is 0.5, the approximation gives ln2/(1+ln2) ~ 0.409.
        let cases = [
            ("1", "3600", "0.000192", "0.000193"),
            ("3600", "3600", "0.40", "0.42"),
            ("1000000", "1", "0.99", "1"),
        ];
        for (index, (dt, half_life, low, high)) in cases.into_iter().enumerate() {
            let k = decay_per_step(d(dt), d(half_life));
            assert!(k >= d(low) && k < d(high), "TC{index}: {k}");
        }
    }

    #[test]
    fn normal_draws_have_mean_zero_and_unit_variance() {
        let mut draws = Draws::new(7, 1);
        let n = 20_000;
        let mut sum = Decimal::ZERO;
        let mut sum_sq = Decimal::ZERO;
        for _ in 0..n {
            let z = draws.normal();
            assert!(z.abs() <= Decimal::from(6));
            sum += z;
            sum_sq += z * z;
        }
        let mean = sum / Decimal::from(n);
        let var = sum_sq / Decimal::from(n) - mean * mean;
        assert!(mean.abs() < d("0.03"), "mean {mean}");
        assert!((var - Decimal::ONE).abs() < d("0.05"), "variance {var}");
    }

    #[test]
    fn streams_differ_and_repeat() {
        let take = |seed, stream| {
            let mut draws = Draws::new(seed, stream);
            (0..5).map(|_| draws.below(1_000_000)).collect::<Vec<_>>()
        };
        assert_eq!(take(1, 2), take(1, 2));
        assert_ne!(take(1, 2), take(1, 3));
        assert_ne!(take(1, 2), take(2, 2));
    }

    fn params(vol_of_vol: &str, jumps: &str) -> AssetParams {
        AssetParams {
            volatility: d("0.03"),
            jumps_per_day: d(jumps),
            jump_size: d("0.02"),
            vol_half_life_secs: d("3600"),
            vol_of_vol: d(vol_of_vol),
        }
    }

    /// Mean autocorrelation of absolute returns over lags 1..=10.
    fn abs_return_autocorrelation(process: &mut AssetProcess, seed: u64, n: usize) -> Decimal {
        let mut draws = Draws::new(seed, 0);
        let returns: Vec<Decimal> = (0..n)
            .map(|_| {
                process.step(&mut draws);
                process.last_return().abs()
            })
            .collect();
        let count = Decimal::from(n);
        let mean = returns.iter().copied().sum::<Decimal>() / count;
        let dev: Vec<Decimal> = returns
            .iter()
            .map(|r| (*r - mean) * Decimal::from(10_000))
            .collect();
        let var: Decimal = dev.iter().map(|x| *x * *x).sum();
        let mut total = Decimal::ZERO;
        for lag in 1..=10 {
            let cov: Decimal = dev
                .iter()
                .zip(dev.iter().skip(lag))
                .map(|(a, b)| *a * *b)
                .sum();
            total += cov / var;
        }
        total / Decimal::TEN
    }

    #[test]
    fn volatility_clusters_only_when_variance_reacts_to_shocks() {
        // One-minute steps, one-hour half-life; no jumps, to see the GARCH effect alone.
        let dt = d("60");
        for seed in [1u64, 2, 3] {
            let mut garch = AssetProcess::new(d("65000"), &params("0.3", "0"), dt);
            let clustered = abs_return_autocorrelation(&mut garch, seed, 8_000);
            assert!(
                clustered > d("0.05"),
                "seed {seed}: clustered acf {clustered}"
            );

            let mut flat = AssetProcess::new(d("65000"), &params("0", "0"), dt);
            let flat_acf = abs_return_autocorrelation(&mut flat, seed, 8_000);
            assert!(
                flat_acf.abs() < d("0.03"),
                "seed {seed}: flat acf {flat_acf}"
            );
        }
    }

    #[test]
    fn daily_volatility_is_close_to_the_configured_level() {
        // 1440 one-minute steps a day; realised variance over 10 days vs 0.03^2 per day.
        let dt = d("60");
        let mut process = AssetProcess::new(d("65000"), &params("0.3", "0"), dt);
        let mut draws = Draws::new(11, 0);
        let mut sum_sq = Decimal::ZERO;
        let days = 10;
        for _ in 0..(1440 * days) {
            process.step(&mut draws);
            sum_sq += process.last_return() * process.last_return();
        }
        let daily_var = sum_sq / Decimal::from(days);
        let expected = d("0.0009");
        assert!(
            daily_var > expected / Decimal::TWO && daily_var < expected * Decimal::TWO,
            "daily variance {daily_var}"
        );
    }

    #[test]
    fn jumps_happen_at_about_the_configured_rate() {
        let dt = d("60");
        let mut process = AssetProcess::new(d("65000"), &params("0", "4"), dt);
        let mut draws = Draws::new(5, 0);
        let mut big = 0;
        for _ in 0..(1440 * 10) {
            process.step(&mut draws);
            // A diffusion step is ~0.08 %; a jump is at least 1 %.
            if process.last_return().abs() > d("0.008") {
                big += 1;
            }
        }
        assert!((20..=60).contains(&big), "{big} jumps in 10 days at 4/day");
    }

    #[test]
    fn variance_stays_within_its_band() {
        let mut process = AssetProcess::new(d("100"), &params("0.9", "50"), d("600"));
        let mut draws = Draws::new(3, 0);
        for _ in 0..5_000 {
            process.step(&mut draws);
            let ratio = process.variance_ratio();
            assert!(ratio >= d("0.039") && ratio <= d("25.001"), "{ratio}");
            assert!(process.price() >= Decimal::ONE && process.price() <= d("10000"));
        }
    }

    #[test]
    fn mean_reverting_value_returns_to_its_mean() {
        let mut premium = MeanReverting::new(
            d("0.10"),
            d("0.03"),
            d("3600"),
            d("0.005"),
            d("-0.05"),
            d("0.15"),
            d("60"),
        );
        let mut draws = Draws::new(9, 0);
        for _ in 0..(60 * 24) {
            premium.step(&mut draws);
        }
        assert!(
            (premium.value() - d("0.03")).abs() < d("0.01"),
            "{}",
            premium.value()
        );
    }

    #[test]
    fn mul_and_div_saturate_instead_of_panicking() {
        assert_eq!(mul(Decimal::MAX, Decimal::TWO), Decimal::MAX);
        assert_eq!(mul(Decimal::MAX, -Decimal::TWO), Decimal::MIN);
        assert_eq!(div(Decimal::ONE, Decimal::ZERO), Decimal::ZERO);
        assert_eq!(add(Decimal::MAX, Decimal::MAX), Decimal::MAX);
        assert_eq!(sub(Decimal::MIN, Decimal::MAX), Decimal::MIN);
    }
}
