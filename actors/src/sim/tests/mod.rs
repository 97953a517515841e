//! Simulator-level tests: determinism, book and ticker invariants, long runs, the KRW premium,
//! the speed factor, scheduling and configuration errors. Wire shapes are in `wire.rs`.

use std::str::FromStr;

use proptest::prelude::*;
use serde_json::Value;

use super::*;

mod wire;

const START: Timestamp = Timestamp(1_767_225_600_000_000_000); // 2026-01-01T00:00:00Z
const TICK_NS: i64 = 100_000_000;

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn market(text: &str) -> Market {
    text.parse().unwrap()
}

fn config(seed: u64, speed: &str) -> SimConfig {
    SimConfig {
        seed,
        speed: d(speed),
        ..SimConfig::default()
    }
}

/// Calls `frames` once per tick for `ticks` ticks after the start (inclusive of the start).
fn run(sim: &mut Simulator, ticks: i64) -> Vec<SimFrame> {
    (0..=ticks)
        .flat_map(|i| sim.frames(START.plus_nanos(i * TICK_NS)))
        .collect()
}

fn json(frame: &SimFrame) -> Value {
    serde_json::from_slice(&frame.bytes).unwrap()
}

/// A decimal from a JSON number or string.
fn num(value: &Value) -> Decimal {
    match value {
        Value::String(text) => d(text),
        Value::Number(n) => {
            let text = n.to_string();
            Decimal::from_str(&text)
                .or_else(|_| Decimal::from_scientific(&text))
                .unwrap()
        }
        other => panic!("not a number: {other}"),
    }
}

fn find(frames: &[SimFrame], exchange: Exchange, kind: FrameKind) -> Vec<&SimFrame> {
    frames
        .iter()
        .filter(|f| f.exchange == exchange && f.kind == kind)
        .collect()
}

/// `(price, quantity)` levels, best first.
type Levels = Vec<(Decimal, Decimal)>;

/// Bids and asks of a book frame, in either format.
fn book_levels(frame: &SimFrame) -> (Levels, Levels) {
    let value = json(frame);
    match frame.exchange {
        Exchange::Upbit => {
            let units = value["orderbook_units"].as_array().unwrap();
            let side = |price: &str, size: &str| {
                units
                    .iter()
                    .map(|u| (num(&u[price]), num(&u[size])))
                    .filter(|(p, _)| !p.is_zero())
                    .collect()
            };
            (side("bid_price", "bid_size"), side("ask_price", "ask_size"))
        }
        Exchange::Binance => {
            let side = |key: &str| {
                value["data"][key]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| (num(&l[0]), num(&l[1])))
                    .collect()
            };
            (side("bids"), side("asks"))
        }
        other => panic!("unexpected exchange {other}"),
    }
}

fn assert_book_sane(frame: &SimFrame, context: &str) {
    let (bids, asks) = book_levels(frame);
    assert!(
        !bids.is_empty() && !asks.is_empty(),
        "{context}: empty side"
    );
    for (price, qty) in bids.iter().chain(&asks) {
        assert!(
            *price > Decimal::ZERO && *qty > Decimal::ZERO,
            "{context}: {price} x {qty}"
        );
    }
    assert!(
        bids.windows(2).all(|w| w[0].0 > w[1].0),
        "{context}: bids not descending"
    );
    assert!(
        asks.windows(2).all(|w| w[0].0 < w[1].0),
        "{context}: asks not ascending"
    );
    assert!(
        bids[0].0 < asks[0].0,
        "{context}: crossed {} >= {}",
        bids[0].0,
        asks[0].0
    );
}

#[test]
fn the_same_seed_and_times_give_the_same_bytes() {
    let frames = |seed| {
        let mut sim = Simulator::new(&config(seed, "60"), START).unwrap();
        run(&mut sim, 300)
    };
    let a = frames(42);
    assert_eq!(a.len(), 301 * 4);
    assert_eq!(a, frames(42));
    let b = frames(43);
    assert_ne!(
        a.iter().map(|f| &f.bytes).collect::<Vec<_>>(),
        b.iter().map(|f| &f.bytes).collect::<Vec<_>>()
    );
}

#[test]
fn a_simulator_can_move_between_threads_and_be_forked() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Simulator>();
    let mut sim = Simulator::new(&config(8, "60"), START).unwrap();
    run(&mut sim, 10);
    let mut fork = sim.clone();
    let later = START.plus_nanos(20 * TICK_NS);
    assert_eq!(sim.frames(later), fork.frames(later));
}

#[test]
fn a_market_path_does_not_depend_on_the_other_markets() {
    let binance_only = SimConfig {
        markets: vec![MarketConfig::new(Exchange::Binance, market("BTC/USDT"))],
        ..config(5, "60")
    };
    let mut alone = Simulator::new(&binance_only, START).unwrap();
    let mut both = Simulator::new(&config(5, "60"), START).unwrap();
    let a = run(&mut alone, 50);
    let b: Vec<SimFrame> = run(&mut both, 50)
        .into_iter()
        .filter(|f| f.exchange == Exchange::Binance)
        .collect();
    assert_eq!(a, b);
}

#[test]
fn tickers_agree_with_their_books_and_their_history() {
    let mut sim = Simulator::new(&config(9, "600"), START).unwrap();
    let frames = run(&mut sim, 400);
    let tickers: Vec<&SimFrame> = frames
        .iter()
        .filter(|f| f.kind == FrameKind::Ticker)
        .collect();
    let books: Vec<&SimFrame> = frames
        .iter()
        .filter(|f| f.kind == FrameKind::OrderBook)
        .collect();
    for (index, (ticker, book)) in tickers.iter().zip(&books).enumerate() {
        assert_eq!(
            (ticker.exchange, &ticker.market),
            (book.exchange, &book.market)
        );
        let value = json(ticker);
        let (bids, asks) = book_levels(book);
        let (best_bid, best_ask) = (bids[0].0, asks[0].0);
        let context = format!("TC{index} {}", ticker.exchange);
        match ticker.exchange {
            Exchange::Upbit => {
                let last = num(&value["trade_price"]);
                assert!(last == best_bid || last == best_ask, "{context}: {last}");
                let (high, low) = (num(&value["high_price"]), num(&value["low_price"]));
                assert!(low <= last && last <= high, "{context}");
                let prev = num(&value["prev_closing_price"]);
                assert_eq!(num(&value["signed_change_price"]), last - prev, "{context}");
                let volume_24h = num(&value["acc_trade_volume_24h"]);
                assert!(volume_24h >= Decimal::ZERO, "{context}");
            }
            Exchange::Binance => {
                let data = &value["data"];
                let last = num(&data["c"]);
                assert!(last == best_bid || last == best_ask, "{context}: {last}");
                assert_eq!(num(&data["b"]), best_bid, "{context}");
                assert_eq!(num(&data["a"]), best_ask, "{context}");
                assert_eq!(num(&data["B"]), bids[0].1, "{context}");
                let (open, high, low) = (num(&data["o"]), num(&data["h"]), num(&data["l"]));
                assert!(
                    low <= last && last <= high && low <= open && open <= high,
                    "{context}"
                );
                assert_eq!(num(&data["p"]), last - open, "{context}");
                let (first, last_id, count) = (
                    data["F"].as_i64().unwrap(),
                    data["L"].as_i64().unwrap(),
                    data["n"].as_i64().unwrap(),
                );
                if count > 0 {
                    assert_eq!(last_id - first + 1, count, "{context}");
                }
                let (v, q) = (num(&data["v"]), num(&data["q"]));
                if !v.is_zero() {
                    let vwap = num(&data["w"]);
                    assert!(
                        vwap >= low && vwap <= high,
                        "{context}: vwap {vwap} (q {q})"
                    );
                }
            }
            other => panic!("{other}"),
        }
    }
}

#[test]
fn books_stay_sane_and_prices_bounded_over_a_simulated_week() {
    // 864 simulated seconds per 100 ms tick: a week is 700 ticks.
    let mut sim = Simulator::new(&config(3, "8640"), START).unwrap();
    let btc = Asset::new("BTC").unwrap();
    let mut checked = 0;
    for i in 0..=700 {
        let frames = sim.frames(START.plus_nanos(i * TICK_NS));
        for frame in frames.iter().filter(|f| f.kind == FrameKind::OrderBook) {
            assert_book_sane(frame, &format!("tick {i} {}", frame.exchange));
            checked += 1;
        }
        let price = sim.asset_price(&btc).unwrap();
        // A week at 3 % daily volatility: far inside 1/3x..3x.
        assert!(
            price > d("21000") && price < d("200000"),
            "tick {i}: {price}"
        );
        let fx = sim.krw_per_usdt();
        assert!(fx > d("1300") && fx < d("1460"), "tick {i}: {fx}");
    }
    assert_eq!(checked, 701 * 2);
    assert_eq!(sim.sim_time(), START.plus_nanos(7 * stats::DAY_NS));
}

#[test]
fn the_krw_market_tracks_usdt_times_the_rate_times_the_premium() {
    let mut sim = Simulator::new(&config(11, "8640"), START).unwrap();
    let upbit = market("BTC/KRW");
    let binance = market("BTC/USDT");
    let mut premiums = Vec::new();
    for i in 0..=700 {
        let frames = sim.frames(START.plus_nanos(i * TICK_NS));
        let krw = sim.snapshot(Exchange::Upbit, &upbit).unwrap();
        let usd = sim.snapshot(Exchange::Binance, &binance).unwrap();
        assert_eq!(usd.premium, None);
        let premium = krw.premium.unwrap();
        // The premium stays in a plausible band around its 3 % mean.
        assert!(
            premium > d("0") && premium < d("0.06"),
            "tick {i}: premium {premium}"
        );
        premiums.push(premium);
        // Exact relation on the mids (up to the 12 places the KRW mid is kept to).
        let implied = usd.mid * sim.krw_per_usdt() * (Decimal::ONE + premium);
        assert!((krw.mid - implied).abs() < d("0.000001"), "tick {i}");

        // And on the wire: Upbit's last trade vs Binance's, within a spread and a tick each.
        let last = |exchange| {
            let frame = frames
                .iter()
                .find(|f| f.exchange == exchange && f.kind == FrameKind::Ticker)
                .unwrap();
            let value = json(frame);
            match exchange {
                Exchange::Upbit => num(&value["trade_price"]),
                _ => num(&value["data"]["c"]),
            }
        };
        let wire_implied = last(Exchange::Binance) * sim.krw_per_usdt() * (Decimal::ONE + premium);
        let gap = (last(Exchange::Upbit) - wire_implied).abs() / wire_implied;
        assert!(gap < d("0.0003"), "tick {i}: relative gap {gap}");
    }
    let mean = premiums.iter().copied().sum::<Decimal>() / Decimal::from(premiums.len());
    assert!(mean > d("0.02") && mean < d("0.04"), "mean premium {mean}");
    // It moves: persistent but not constant.
    let (min, max) = (
        premiums.iter().min().unwrap(),
        premiums.iter().max().unwrap(),
    );
    assert!(max - min > d("0.002"), "premium range {min}..{max}");
}

#[test]
fn a_krw_start_price_sets_the_initial_premium() {
    let mut upbit = MarketConfig::new(Exchange::Upbit, market("BTC/KRW"));
    upbit.start_price = Some(d("92000000"));
    let mut binance = MarketConfig::new(Exchange::Binance, market("BTC/USDT"));
    binance.start_price = Some(d("64000"));
    let config = SimConfig {
        markets: vec![upbit, binance],
        ..SimConfig::default()
    };
    let sim = Simulator::new(&config, START).unwrap();
    let krw = sim.snapshot(Exchange::Upbit, &market("BTC/KRW")).unwrap();
    // 92,000,000 / (64,000 x 1,380) - 1 = 4.17 %.
    assert_eq!(krw.mid, d("92000000"));
    assert!((krw.premium.unwrap() - d("0.0417")).abs() < d("0.0001"));
    assert_eq!(
        sim.asset_price(&Asset::new("BTC").unwrap()),
        Some(d("64000"))
    );
}

#[test]
fn a_krw_start_price_alone_sets_the_asset_price() {
    let mut upbit = MarketConfig::new(Exchange::Upbit, market("BTC/KRW"));
    upbit.start_price = Some(d("142140000"));
    let config = SimConfig {
        markets: vec![
            upbit,
            MarketConfig::new(Exchange::Binance, market("BTC/USDT")),
        ],
        ..SimConfig::default()
    };
    let sim = Simulator::new(&config, START).unwrap();
    // 142,140,000 / (1,380 x 1.03) = 100,000 USDT.
    let usd = sim
        .snapshot(Exchange::Binance, &market("BTC/USDT"))
        .unwrap();
    assert_eq!(usd.mid, d("100000"));
    let krw = sim.snapshot(Exchange::Upbit, &market("BTC/KRW")).unwrap();
    assert_eq!(krw.mid, d("142140000"));
    assert_eq!(krw.premium, Some(d("0.03")));
}

#[test]
fn the_speed_factor_compresses_simulated_time() {
    let cases = [
        ("1", 0, 100_000_000),
        ("60", 6_000, 6_000_000_000),
        ("8640", 864_000, 864_000_000_000),
    ];
    for (index, (speed, frame_ms_step, sim_ns_step)) in cases.into_iter().enumerate() {
        let mut sim = Simulator::new(&config(1, speed), START).unwrap();
        let frames = run(&mut sim, 100);
        // Ten real seconds.
        assert_eq!(
            sim.sim_time().nanos() - START.nanos(),
            100 * sim_ns_step,
            "TC{index}"
        );
        let stamps: Vec<i64> = find(&frames, Exchange::Binance, FrameKind::Ticker)
            .iter()
            .map(|f| json(f)["data"]["E"].as_i64().unwrap())
            .collect();
        if frame_ms_step > 0 {
            assert!(
                stamps.windows(2).all(|w| w[1] - w[0] == frame_ms_step),
                "TC{index}"
            );
        }
    }
    // 8640x: ten real seconds are a simulated day, so Upbit's trading day has rolled over.
    let mut sim = Simulator::new(&config(1, "8640"), START).unwrap();
    let frames = run(&mut sim, 100);
    let last = find(&frames, Exchange::Upbit, FrameKind::Ticker)
        .last()
        .map(|f| json(f))
        .unwrap();
    assert_eq!(last["trade_date"], "20260102");
}

#[test]
fn volatility_clusters_in_the_simulated_prices() {
    // One simulated minute per step; absolute returns are autocorrelated.
    let config = SimConfig {
        markets: vec![MarketConfig {
            jumps_per_day: Some(Decimal::ZERO),
            ..MarketConfig::new(Exchange::Binance, market("BTC/USDT"))
        }],
        ..config(21, "600")
    };
    let mut sim = Simulator::new(&config, START).unwrap();
    let btc = Asset::new("BTC").unwrap();
    let mut previous = sim.asset_price(&btc).unwrap();
    let mut moves = Vec::new();
    for i in 1..=6_000 {
        sim.frames(START.plus_nanos(i * TICK_NS));
        let price = sim.asset_price(&btc).unwrap();
        moves.push(((price - previous) / previous).abs() * Decimal::from(10_000));
        previous = price;
    }
    let n = Decimal::from(moves.len());
    let mean = moves.iter().copied().sum::<Decimal>() / n;
    let dev: Vec<Decimal> = moves.iter().map(|m| *m - mean).collect();
    let var: Decimal = dev.iter().map(|x| *x * *x).sum();
    let acf = |lag: usize| -> Decimal {
        dev.iter()
            .zip(dev.iter().skip(lag))
            .map(|(a, b)| *a * *b)
            .sum::<Decimal>()
            / var
    };
    let mean_acf = (1..=10).map(acf).sum::<Decimal>() / Decimal::TEN;
    assert!(
        mean_acf > d("0.04"),
        "mean acf of |returns| over lags 1..10: {mean_acf}"
    );
}

#[test]
fn next_due_says_exactly_when_frames_come() {
    let mut markets = SimConfig::default().markets;
    markets[1].every_ticks = 3;
    let config = SimConfig {
        markets,
        ..SimConfig::default()
    };
    let mut sim = Simulator::new(&config, START).unwrap();
    assert_eq!(sim.next_due(), START);
    assert!(sim.frames(START.plus_nanos(-1)).is_empty());
    let mut binance_ticks = Vec::new();
    for tick in 0..10 {
        let due = sim.next_due();
        assert_eq!(due, START.plus_nanos(tick * TICK_NS), "tick {tick}");
        assert!(
            sim.frames(due.plus_nanos(-1)).is_empty(),
            "tick {tick}: early"
        );
        let frames = sim.frames(due);
        assert!(!frames.is_empty(), "tick {tick}: nothing at due time");
        assert!(sim.frames(due).is_empty(), "tick {tick}: twice");
        if frames.iter().any(|f| f.exchange == Exchange::Binance) {
            binance_ticks.push(tick);
        }
    }
    assert_eq!(binance_ticks, [0, 3, 6, 9]);
}

#[test]
fn a_long_stall_is_caught_up_to_a_limit_and_the_schedule_resumes() {
    let mut sim = Simulator::new(&config(1, "1"), START).unwrap();
    sim.frames(START);
    // One real day later: far more than the catch-up limit.
    let later = START.plus_nanos(stats::DAY_NS + 50_000_000);
    let frames = sim.frames(later);
    assert_eq!(frames.len(), 4, "one ticker and one book per market");
    assert_eq!(sim.steps(), MAX_CATCH_UP_STEPS);
    assert_eq!(sim.next_due(), START.plus_nanos(stats::DAY_NS + TICK_NS));
    assert_eq!(sim.frames(sim.next_due()).len(), 4);
    assert_eq!(sim.steps(), MAX_CATCH_UP_STEPS + 1);
}

#[test]
fn unsupported_exchanges_and_bad_settings_are_refused_clearly() {
    let with = |edit: &dyn Fn(&mut SimConfig)| {
        let mut config = SimConfig::default();
        edit(&mut config);
        Simulator::new(&config, START).err().map(|e| e.to_string())
    };
    type Edit = Box<dyn Fn(&mut SimConfig)>;
    let cases: Vec<(&str, Edit, Option<&str>)> = vec![
        ("default", Box::new(|_| {}), None),
        (
            "bithumb",
            Box::new(|c| c.markets[0].exchange = Exchange::Bithumb),
            Some("bithumb: the simulator has no wire format"),
        ),
        ("tick 0", Box::new(|c| c.tick_ms = 0), Some("tick_ms")),
        (
            "speed 0",
            Box::new(|c| c.speed = Decimal::ZERO),
            Some("speed"),
        ),
        (
            "step over a day",
            Box::new(|c| {
                c.tick_ms = 1000;
                c.speed = d("100000");
            }),
            Some("one day"),
        ),
        (
            "no markets",
            Box::new(|c| c.markets.clear()),
            Some("no markets"),
        ),
        (
            "duplicate",
            Box::new(|c| {
                let first = c.markets[0].clone();
                c.markets.push(first);
            }),
            Some("listed twice"),
        ),
        (
            "binance depth 15",
            Box::new(|c| c.markets[1].levels = Some(15)),
            Some("5, 10 or 20"),
        ),
        (
            "upbit depth 31",
            Box::new(|c| c.markets[0].levels = Some(31)),
            Some("1 to 30"),
        ),
        (
            "premium on usdt",
            Box::new(|c| c.markets[1].premium = Some(PremiumConfig::default())),
            Some("KRW markets only"),
        ),
        (
            "premium mean outside band",
            Box::new(|c| {
                c.markets[0].premium = Some(PremiumConfig {
                    mean: d("0.5"),
                    ..PremiumConfig::default()
                })
            }),
            Some("premium.mean"),
        ),
        (
            "btc quote",
            Box::new(|c| c.markets[1].market = market("ETH/BTC")),
            Some("quote BTC cannot be simulated"),
        ),
        (
            "unknown asset without price",
            Box::new(|c| c.markets[1].market = market("ZZZ/USDT")),
            Some("no start price for ZZZ"),
        ),
        (
            "conflicting volatility",
            Box::new(|c| {
                c.markets[0].volatility = Some(d("0.02"));
                c.markets[1].volatility = Some(d("0.04"));
            }),
            Some("volatility 0.04 differs from 0.02"),
        ),
        (
            "negative spread",
            Box::new(|c| c.markets[0].spread = d("-0.1")),
            Some("spread"),
        ),
        (
            "every 0",
            Box::new(|c| c.markets[0].every_ticks = 0),
            Some("every_ticks"),
        ),
    ];
    for (index, (name, edit, expected)) in cases.into_iter().enumerate() {
        let got = with(&*edit);
        match expected {
            None => assert_eq!(got, None, "TC{index} {name}"),
            Some(fragment) => {
                let message = got.unwrap_or_default();
                assert!(message.contains(fragment), "TC{index} {name}: {message}");
            }
        }
    }
}

#[test]
fn more_markets_exchanges_and_quotes() {
    let markets = [
        (Exchange::Upbit, "ETH/KRW"),
        (Exchange::Upbit, "USDT/KRW"),
        (Exchange::Upbit, "XRP/KRW"),
        (Exchange::Binance, "ETH/USDT"),
        (Exchange::Binance, "XRP/USDC"),
    ]
    .into_iter()
    .map(|(e, m)| MarketConfig {
        levels: Some(if e == Exchange::Binance { 5 } else { 15 }),
        ..MarketConfig::new(e, market(m))
    })
    .collect();
    let config = SimConfig {
        markets,
        ..config(2, "600")
    };
    let mut sim = Simulator::new(&config, START).unwrap();
    let frames = run(&mut sim, 200);
    for frame in frames.iter().filter(|f| f.kind == FrameKind::OrderBook) {
        assert_book_sane(frame, &format!("{} {}", frame.exchange, frame.market));
    }
    let usdt = sim.snapshot(Exchange::Upbit, &market("USDT/KRW")).unwrap();
    let expected = sim.krw_per_usdt() * (Decimal::ONE + usdt.premium.unwrap());
    assert!((usdt.mid - expected).abs() < d("0.000001"));
    let xrp = find(&frames, Exchange::Binance, FrameKind::OrderBook);
    let value = json(xrp.last().unwrap());
    assert!(value["stream"].as_str().unwrap().ends_with("@depth5@100ms"));
    assert_eq!(sim.markets().count(), 5);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn any_seed_and_shape_gives_sane_books(
        seed in any::<u64>(),
        speed in prop::sample::select(vec!["1", "60", "8640"]),
        spread_bp in 0u32..200,
        spacing in 0u32..50,
        levels in prop::sample::select(vec![5usize, 10, 20]),
    ) {
        let markets = SimConfig::default()
            .markets
            .into_iter()
            .map(|m| MarketConfig {
                spread: Decimal::new(i64::from(spread_bp), 4),
                level_spacing: Decimal::new(i64::from(spacing), 5),
                levels: Some(levels),
                ..m
            })
            .collect();
        let config = SimConfig { seed, speed: d(speed), markets, ..SimConfig::default() };
        let mut sim = Simulator::new(&config, START).unwrap();
        for frame in run(&mut sim, 40) {
            let value = json(&frame);
            prop_assert!(value.is_object());
            if frame.kind == FrameKind::OrderBook {
                assert_book_sane(&frame, &format!("seed {seed}"));
                let (bids, asks) = book_levels(&frame);
                prop_assert_eq!(bids.len(), levels);
                prop_assert_eq!(asks.len(), levels);
            }
        }
    }
}
