//! A seeded, deterministic simulated market that emits frames in real exchange wire formats.
//!
//! [`Simulator`] is a pure core: no I/O, no clock, no threads. A driver builds it from a
//! [`SimConfig`] and a start time, sleeps until [`Simulator::next_due`], and calls
//! [`Simulator::frames`] with the current time; each [`SimFrame`] is exactly what the exchange
//! would have sent on its WebSocket (Upbit: binary frames of DEFAULT-format JSON; Binance:
//! combined-stream text frames), so the real codecs decode them and the whole pipeline runs
//! offline. The same seed and the same sequence of `now` values give byte-identical frames.
//!
//! # Model
//!
//! Time advances in steps of `tick_ms` real milliseconds, each covering `tick_ms × speed`
//! simulated milliseconds; frames carry simulated time (starting at the start time).
//! Per step:
//!
//! - each base asset's USDT price moves by `price · (1 + ε)`, where `ε` is a normal draw scaled
//!   by a GARCH(1,1) volatility (`h = ω + α·shock² + β·h`: big moves make more big moves, decaying
//!   with `vol_half_life_s`), plus a rare jump (`jumps_per_day`, `jump_size`);
//! - the KRW/USDT rate follows a small random walk;
//! - every KRW market's premium reverts towards its mean (the "kimchi premium");
//! - every market's mid is `asset USDT price` (USD-quoted) or `asset USDT price × KRW/USDT ×
//!   (1 + premium)` (KRW-quoted); one trade prints at the best ask on an up-move or the best bid
//!   on a down-move, with a random volume, feeding the 24 h and trading-day statistics.
//!
//! When a market's frames are due, a fresh book is laid around its mid (`book.rs`: the spread
//! split evenly and rounded outwards to the quote's tick, then `levels` levels a side at random
//! gaps averaging `level_spacing`, with skewed quantities averaging `level_qty`) and the
//! exchange's encoder (`encode.rs`) writes a ticker and an order-book frame.
//!
//! Files: `config.rs` (what can be configured), `validate.rs` (checking it), `process.rs` (the stochastic processes),
//! `book.rs` (ticks and books), `stats.rs` (24 h and daily statistics), `json.rs` (the JSON
//! writer), `encode.rs` (the per-exchange encoder seam), `upbit.rs`, `binance.rs`.

mod binance;
mod book;
mod config;
mod encode;
mod json;
mod process;
mod stats;
mod upbit;
mod validate;

use std::collections::HashSet;

use premia_events::{Asset, Exchange, Market, Timestamp};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use thiserror::Error;

pub use config::{MarketConfig, PremiumConfig, SimConfig};

use book::{BookShape, is_usd_stable};
use config::{default_usdt_price, defaults};
use encode::{Encoder, MarketView, encoder_for};
use process::{
    AssetParams, AssetProcess, DAY_SECS, Draws, GeometricWalk, MeanReverting, add, div, mul,
};
use stats::{Aggressor, Stats, StepTrades};
use validate::{asset_params, check_globals, check_market, start_price};

/// Steps simulated by one call of [`Simulator::frames`] at most; a driver that stalls longer
/// loses the rest of the missed time (the simulated clock then lags the real one).
pub const MAX_CATCH_UP_STEPS: u64 = 10_000;

/// How a frame travels on the WebSocket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameEncoding {
    /// A text frame (UTF-8 JSON).
    Text,
    /// A binary frame (Upbit sends its UTF-8 JSON this way).
    Binary,
}

/// What a frame carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameKind {
    /// A ticker: last price and 24 h statistics.
    Ticker,
    /// An order-book snapshot.
    OrderBook,
}

/// One simulated WebSocket frame, exactly as the exchange would send it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimFrame {
    /// The exchange whose format it is in.
    pub exchange: Exchange,
    /// The market it is about.
    pub market: Market,
    /// Ticker or book.
    pub kind: FrameKind,
    /// Text or binary frame.
    pub encoding: FrameEncoding,
    /// The simulated time stamped in the frame.
    pub at: Timestamp,
    /// The frame's payload (UTF-8 JSON in both encodings).
    pub bytes: Vec<u8>,
}

/// A configuration the simulator cannot run.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum SimError {
    /// No wire-format encoder exists for this exchange yet.
    #[error(
        "{exchange}: the simulator has no wire format for this exchange yet (it has: upbit, binance)"
    )]
    NoEncoder {
        /// The exchange.
        exchange: Exchange,
    },
    /// A global setting is out of range.
    #[error("sim config: {0}")]
    Config(String),
    /// A market's settings are invalid.
    #[error("sim config: {exchange} {market}: {reason}")]
    Market {
        /// The exchange.
        exchange: Exchange,
        /// The market.
        market: Market,
        /// What is wrong.
        reason: String,
    },
}

/// A market's current state, for drivers, dashboards and tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarketSnapshot {
    /// The exchange.
    pub exchange: Exchange,
    /// The market.
    pub market: Market,
    /// The mid price the book is laid around (unrounded).
    pub mid: Decimal,
    /// Best bid.
    pub best_bid: Decimal,
    /// Best ask.
    pub best_ask: Decimal,
    /// Last trade price.
    pub last: Decimal,
    /// The KRW premium over USDT × KRW/USDT (KRW markets only).
    pub premium: Option<Decimal>,
}

/// How a market's quote relates to the USDT prices of the processes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quote {
    /// A USD stablecoin: one USDT.
    Usd,
    /// KRW: KRW/USDT × (1 + premium) per USDT.
    Krw,
}

/// One base asset and its price process (`None` for USD stablecoins, fixed at one USDT).
#[derive(Clone, Debug)]
struct AssetState {
    asset: Asset,
    process: Option<AssetProcess>,
    draws: Draws,
}

impl AssetState {
    fn price(&self) -> Decimal {
        self.process
            .as_ref()
            .map_or(Decimal::ONE, AssetProcess::price)
    }
}

/// One simulated market.
#[derive(Clone, Debug)]
struct MarketState {
    exchange: Exchange,
    market: Market,
    encoder: &'static dyn Encoder,
    asset: usize,
    quote: Quote,
    premium: Option<MeanReverting>,
    premium_draws: Draws,
    shape: BookShape,
    every: u64,
    next_emit_step: u64,
    emitted: u64,
    trade_draws: Draws,
    book_draws: Draws,
    stats: Stats,
    mid: Decimal,
    volume_per_step: Decimal,
    trades_per_step: Decimal,
    book_sequence: u64,
}

/// The simulated market; see the module docs. Cloning it forks the market: both copies then
/// produce the same frames for the same times.
#[derive(Clone, Debug)]
pub struct Simulator {
    start: Timestamp,
    tick_ns: i64,
    step_sim_ns: i64,
    steps: u64,
    /// The real time at which the current state became due.
    state_due: Timestamp,
    krw_per_usdt: GeometricWalk,
    fx_draws: Draws,
    assets: Vec<AssetState>,
    markets: Vec<MarketState>,
}

/// A stable 64-bit hash of `parts` (FNV-1a), naming random streams so a market's path does not
/// depend on which other markets are configured.
fn stream_id(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xCBF2_9CE4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0xFF]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01B3);
        }
    }
    hash
}

/// What building a market needs besides its config.
struct MarketContext {
    seed: u64,
    start: Timestamp,
    dt_secs: Decimal,
    fx: Decimal,
    asset: usize,
    usd_price: Decimal,
    usd_price_set: bool,
}

impl MarketState {
    /// A market at the start of the simulation.
    fn new(m: &MarketConfig, encoder: &'static dyn Encoder, cx: &MarketContext) -> MarketState {
        let quote = if m.market.quote.as_str() == "KRW" {
            Quote::Krw
        } else {
            Quote::Usd
        };
        let key = format!("{}:{}", m.exchange, m.market);
        let premium = (quote == Quote::Krw).then(|| {
            let p = m.premium.clone().unwrap_or_default();
            // A KRW start price next to a configured USD price sets the initial premium.
            let implied = match (m.start_price, cx.usd_price_set) {
                (Some(krw), true) => Some(div(krw, mul(cx.usd_price, cx.fx)) - Decimal::ONE),
                _ => None,
            };
            let start = p.start.or(implied).unwrap_or(p.mean);
            MeanReverting::new(
                start,
                p.mean,
                p.half_life_s,
                p.volatility,
                p.min,
                p.max,
                cx.dt_secs,
            )
        });
        let quote_per_usd = match &premium {
            Some(p) => mul(cx.fx, add(Decimal::ONE, p.value())),
            None => Decimal::ONE,
        };
        let mid = mul(cx.usd_price, quote_per_usd);
        let shape = BookShape {
            spread: m.spread,
            levels: m.levels.unwrap_or(encoder.default_levels()),
            level_spacing: m.level_spacing,
            level_qty: m
                .level_qty
                .unwrap_or_else(|| div(defaults::LEVEL_NOTIONAL_USDT, cx.usd_price)),
            qty_dp: encoder.qty_dp(),
            tick: m.tick_size,
        };
        let day_share = div(cx.dt_secs, Decimal::from(DAY_SECS));
        let daily_volume = m
            .daily_volume
            .unwrap_or_else(|| div(defaults::DAILY_VOLUME_USDT, cx.usd_price));
        let trades_per_day = m.trades_per_day.unwrap_or(defaults::TRADES_PER_DAY);
        let mut trade_draws = Draws::new(cx.seed, stream_id(&["trades", &key]));
        let first_trade_id = 1_000_000 + trade_draws.below(100_000_000);
        let book_sequence = 1_000_000_000 + trade_draws.below(1_000_000_000);
        let top = shape.top(m.market.quote.as_str(), mid);
        MarketState {
            exchange: m.exchange,
            market: m.market.clone(),
            encoder,
            asset: cx.asset,
            quote,
            premium,
            premium_draws: Draws::new(cx.seed, stream_id(&["premium", &key])),
            shape,
            every: u64::from(m.every_ticks),
            next_emit_step: 0,
            emitted: 0,
            trade_draws,
            book_draws: Draws::new(cx.seed, stream_id(&["book", &key])),
            stats: Stats::new(top.bid, cx.start, encoder.day_offset_ns(), first_trade_id),
            mid,
            volume_per_step: mul(daily_volume, day_share),
            trades_per_step: mul(trades_per_day, day_share),
            book_sequence,
        }
    }
}

impl Simulator {
    /// A simulator whose first frames are due at `start` (real time), with the simulated clock
    /// starting at `start` too. Fails on a setting out of range, a market listed twice, or an
    /// exchange without an encoder ([`SimError::NoEncoder`]).
    pub fn new(config: &SimConfig, start: Timestamp) -> Result<Simulator, SimError> {
        let (tick_ns, step_sim_ns) = check_globals(config)?;
        let dt_secs = Decimal::from(step_sim_ns) / Decimal::from(1_000_000_000);
        let fx = config.krw_per_usdt;
        let mut seen = HashSet::new();
        let mut encoders = Vec::with_capacity(config.markets.len());
        for m in &config.markets {
            encoders.push(check_market(m)?);
            if !seen.insert((m.exchange, &m.market)) {
                return Err(SimError::Market {
                    exchange: m.exchange,
                    market: m.market.clone(),
                    reason: "listed twice".into(),
                });
            }
        }

        // One process per base asset, in order of first appearance.
        let mut assets: Vec<AssetState> = Vec::new();
        let mut starts = Vec::new();
        for m in &config.markets {
            let base = &m.market.base;
            if assets.iter().any(|a| &a.asset == base) {
                continue;
            }
            let group: Vec<&MarketConfig> = config
                .markets
                .iter()
                .filter(|m| &m.market.base == base)
                .collect();
            let (price, set) = start_price(base, &group, fx)?;
            let params = asset_params(&group)?;
            assets.push(AssetState {
                asset: base.clone(),
                process: (!is_usd_stable(base.as_str()))
                    .then(|| AssetProcess::new(price, &params, dt_secs)),
                draws: Draws::new(config.seed, stream_id(&["asset", base.as_str()])),
            });
            starts.push((price, set));
        }

        let mut markets = Vec::with_capacity(config.markets.len());
        for (m, encoder) in config.markets.iter().zip(encoders) {
            let asset = assets
                .iter()
                .position(|a| a.asset == m.market.base)
                .unwrap_or(0);
            let (usd_price, usd_price_set) =
                starts.get(asset).copied().unwrap_or((Decimal::ONE, false));
            let cx = MarketContext {
                seed: config.seed,
                start,
                dt_secs,
                fx,
                asset,
                usd_price,
                usd_price_set,
            };
            markets.push(MarketState::new(m, encoder, &cx));
        }

        Ok(Simulator {
            start,
            tick_ns,
            step_sim_ns,
            steps: 0,
            state_due: start,
            krw_per_usdt: GeometricWalk::new(fx, config.krw_per_usdt_volatility, dt_secs),
            fx_draws: Draws::new(config.seed, stream_id(&["krw_per_usdt"])),
            assets,
            markets,
        })
    }

    /// The frames due at real time `now`: first the simulation is stepped up to `now` (at most
    /// [`MAX_CATCH_UP_STEPS`] steps), then every market whose turn has come emits a ticker frame
    /// and an order-book frame, in config order. A market that missed several turns emits once,
    /// showing the latest state. Empty when nothing is due.
    pub fn frames(&mut self, now: Timestamp) -> Vec<SimFrame> {
        let mut advanced = 0;
        while self.state_due.plus_nanos(self.tick_ns) <= now {
            if advanced >= MAX_CATCH_UP_STEPS {
                // Skip the rest of the missed ticks, keeping the schedule's phase.
                let behind = now.nanos().saturating_sub(self.state_due.nanos()) / self.tick_ns;
                self.state_due = self
                    .state_due
                    .plus_nanos(behind.saturating_mul(self.tick_ns));
                break;
            }
            self.step();
            self.state_due = self.state_due.plus_nanos(self.tick_ns);
            advanced += 1;
        }
        if now < self.state_due {
            return Vec::new();
        }
        let at = self.sim_time();
        let steps = self.steps;
        let mut frames = Vec::new();
        for market in &mut self.markets {
            if steps < market.next_emit_step {
                continue;
            }
            frames.extend(market.emit(at));
            market.next_emit_step = (steps / market.every)
                .saturating_add(1)
                .saturating_mul(market.every);
        }
        frames
    }

    /// The real time at which [`Simulator::frames`] next has something to return (it may lie in
    /// the past if frames are overdue).
    pub fn next_due(&self) -> Timestamp {
        let next = self
            .markets
            .iter()
            .map(|m| m.next_emit_step)
            .min()
            .unwrap_or(u64::MAX);
        let ahead = i64::try_from(next.saturating_sub(self.steps)).unwrap_or(i64::MAX);
        self.state_due
            .plus_nanos(ahead.saturating_mul(self.tick_ns))
    }

    /// The simulated time of the current state: the start plus the steps taken × `tick_ms ×
    /// speed`.
    pub fn sim_time(&self) -> Timestamp {
        let steps = i64::try_from(self.steps).unwrap_or(i64::MAX);
        self.start
            .plus_nanos(steps.saturating_mul(self.step_sim_ns))
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The current KRW/USDT rate.
    pub fn krw_per_usdt(&self) -> Decimal {
        self.krw_per_usdt.value()
    }

    /// The current USDT price of a simulated base asset.
    pub fn asset_price(&self, asset: &Asset) -> Option<Decimal> {
        self.assets
            .iter()
            .find(|a| &a.asset == asset)
            .map(AssetState::price)
    }

    /// The simulated markets, in config order.
    pub fn markets(&self) -> impl Iterator<Item = (Exchange, &Market)> + '_ {
        self.markets.iter().map(|m| (m.exchange, &m.market))
    }

    /// The current state of one market.
    pub fn snapshot(&self, exchange: Exchange, market: &Market) -> Option<MarketSnapshot> {
        let m = self
            .markets
            .iter()
            .find(|m| m.exchange == exchange && &m.market == market)?;
        let top = m.shape.top(m.market.quote.as_str(), m.mid);
        Some(MarketSnapshot {
            exchange,
            market: market.clone(),
            mid: m.mid,
            best_bid: top.bid,
            best_ask: top.ask,
            last: m.stats.last.price,
            premium: m.premium.as_ref().map(MeanReverting::value),
        })
    }

    /// Advances the world by one step.
    fn step(&mut self) {
        self.krw_per_usdt.step(&mut self.fx_draws);
        for asset in &mut self.assets {
            if let Some(process) = &mut asset.process {
                process.step(&mut asset.draws);
            }
        }
        self.steps = self.steps.saturating_add(1);
        let at = self.sim_time();
        let fx = self.krw_per_usdt.value();
        for market in &mut self.markets {
            let (usd_price, shock) =
                self.assets
                    .get(market.asset)
                    .map_or((Decimal::ONE, Decimal::ZERO), |a| {
                        (
                            a.price(),
                            a.process
                                .as_ref()
                                .map_or(Decimal::ZERO, AssetProcess::shock_ratio),
                        )
                    });
            market.trade(at, usd_price, fx, shock);
        }
    }
}

impl MarketState {
    /// Moves the market to the new asset price and prints this step's trades.
    fn trade(&mut self, at: Timestamp, usd_price: Decimal, fx: Decimal, shock: Decimal) {
        let quote_per_usd = match (&mut self.premium, self.quote) {
            (Some(premium), Quote::Krw) => {
                premium.step(&mut self.premium_draws);
                mul(fx, add(Decimal::ONE, premium.value()))
            }
            _ => Decimal::ONE,
        };
        let previous = self.mid;
        self.mid = mul(usd_price, quote_per_usd).round_dp(12);
        let top = self.shape.top(self.market.quote.as_str(), self.mid);
        let draws = &mut self.trade_draws;
        let aggressor = if self.mid > previous || (self.mid == previous && draws.below(2) == 0) {
            Aggressor::Buy
        } else {
            Aggressor::Sell
        };
        let price = match aggressor {
            Aggressor::Buy => top.ask,
            Aggressor::Sell => top.bid,
        };
        // Volume: uniform noise around the mean, more when the price moved more than usual.
        let noise = add(
            Decimal::new(2, 1),
            mul(Decimal::new(16, 1), draws.uniform()),
        );
        let activity = add(Decimal::new(5, 1), mul(Decimal::new(6, 1), shock));
        let qty_dp = self.shape.qty_dp;
        let smallest = Decimal::new(1, qty_dp.min(28));
        let volume = mul(mul(self.volume_per_step, noise), activity)
            .round_dp(qty_dp)
            .max(smallest);
        let count = mul(
            self.trades_per_step,
            add(Decimal::new(5, 1), draws.uniform()),
        )
        .round()
        .to_u64()
        .unwrap_or(1)
        .max(1);
        let last_qty = mul(
            div(volume, Decimal::from(count)),
            add(
                Decimal::new(2, 1),
                mul(Decimal::new(16, 1), draws.uniform()),
            ),
        )
        .round_dp(qty_dp)
        .clamp(smallest, volume);
        let buy_share = add(
            match aggressor {
                Aggressor::Buy => Decimal::new(55, 2),
                Aggressor::Sell => Decimal::new(25, 2),
            },
            mul(Decimal::new(2, 1), draws.uniform()),
        );
        self.stats.record(StepTrades {
            at,
            price,
            last_qty,
            aggressor,
            volume,
            buy_volume: mul(volume, buy_share).round_dp(qty_dp),
            count,
        });
    }

    /// The market's ticker and book frames at simulated time `at`.
    fn emit(&mut self, at: Timestamp) -> [SimFrame; 2] {
        let book = self
            .shape
            .build(self.market.quote.as_str(), self.mid, &mut self.book_draws);
        self.book_sequence = self
            .book_sequence
            .saturating_add(1 + self.book_draws.below(40));
        let view = MarketView {
            market: &self.market,
            now: at,
            first: self.emitted == 0,
            book: &book,
            stats: &self.stats,
            levels: self.shape.levels,
            book_sequence: self.book_sequence,
        };
        let ticker = self.encoder.ticker(&view);
        let book_frame = self.encoder.book(&view);
        self.emitted = self.emitted.saturating_add(1);
        let frame = |kind, text: String| SimFrame {
            exchange: self.exchange,
            market: self.market.clone(),
            kind,
            encoding: self.encoder.encoding(),
            at,
            bytes: text.into_bytes(),
        };
        [
            frame(FrameKind::Ticker, ticker),
            frame(FrameKind::OrderBook, book_frame),
        ]
    }
}

#[cfg(test)]
mod tests;
