//! `premia run`: the supervised daemon.
//!
//! Start-up, in order: load and validate the config; take the data dir and open the log; rebuild
//! the state (newest valid snapshot + tail); bind the HTTP port; start the actix system on a
//! multi-thread tokio runtime; record `DaemonStarted` (with the config's hash) and, on the first
//! start, the configured paper balances; start the actors under supervision; serve HTTP.
//!
//! Shutdown on SIGINT or SIGTERM, within a bound: stop the feeds and the signal evaluator, let the
//! order manager finish the order in hand, record `DaemonStopped`, flush, close the log, exit 0.
//! A second signal exits at once (status 130); the log is still consistent, because every
//! acknowledged append was flushed.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use actix::Supervisor;
use anyhow::{Context as _, anyhow};
use premia_actors::exchanges::codec_for;
use premia_actors::feed::simulated::SharedSimulator;
use premia_actors::feed::tape::{TapeSource, read_tape};
use premia_actors::feed::{Connection, FeedActor, FeedSettings, RestFallback};
use premia_actors::health::{Health, Status};
use premia_actors::journal::Journal;
use premia_actors::messages::{Drain, Level, MarketUpdate, Notify, OrderSpec};
use premia_actors::metrics::Metrics;
use premia_actors::notify::Notifier;
use premia_actors::order::paper::PaperVenue;
use premia_actors::order::risk::RiskChecks;
use premia_actors::order::{OrderManager, PaperVenueActor};
use premia_actors::signal::{ChangeRate, SignalEvaluator};
use premia_actors::supervisor::RestartBudget;
use premia_events::event::{BalanceSet, DaemonStarted, DaemonStopped, Event};
use premia_events::log::{EventLog, LogConfig};
use premia_events::{Clock, SystemClock, Venue};
use premia_snapshots::{SnapshotStore, rebuild};
use sha2::{Digest, Sha256};

use crate::config::{Config, FeedSource, LogFormat};
use crate::http;

/// Everything `premia run` needs from the command line.
#[derive(Debug)]
pub struct RunArgs {
    /// The config file (its bytes are hashed into `DaemonStarted`).
    pub config_path: Option<PathBuf>,
    /// The loaded config.
    pub config: Config,
    /// The data dir.
    pub data_dir: PathBuf,
}

/// How long shutdown may take before the process exits anyway.
const SHUTDOWN_BOUND: Duration = Duration::from_secs(5);

/// Runs the daemon until a signal stops it.
pub fn run(args: RunArgs) -> anyhow::Result<()> {
    init_tracing(&args.config)?;
    let config_hash = match &args.config_path {
        Some(path) => hex::encode(Sha256::digest(
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?,
        )),
        None => hex::encode(Sha256::digest(b"")),
    };
    // Bad keys refuse the start before the data dir is touched.
    crate::live::check_keys_first(&args.config)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let durability = args.config.durability();
    let log = EventLog::open(
        LogConfig::new(&args.data_dir)
            .durability(durability)
            .clock(clock.clone()),
    )?;
    let listener = std::net::TcpListener::bind(args.config.http.listen).map_err(|e| {
        anyhow!(
            "cannot listen on {} (http.listen): {e}",
            args.config.http.listen
        )
    })?;
    let store = SnapshotStore::open(log.reader()).ok();
    let rebuilt = rebuild(log.reader(), store.as_ref(), None)?;
    for warning in &rebuilt.warnings {
        tracing::warn!("{warning}");
    }
    tracing::info!(
        seq = rebuilt.state.last_seq,
        snapshot = ?rebuilt.snapshot,
        replayed = rebuilt.replayed,
        "State rebuilt from the log"
    );
    listener.set_nonblocking(true)?;
    let http_addr = listener.local_addr()?;
    write_daemon_file(&args.data_dir, http_addr)?;

    let system = actix::System::with_tokio_rt(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("premia-worker")
            .build()
            .unwrap_or_else(|e| {
                eprintln!("error: cannot start the tokio runtime: {e}");
                std::process::exit(1)
            })
    });
    system.block_on(async move {
        serve(
            args,
            log,
            rebuilt.state,
            clock,
            config_hash,
            listener,
            http_addr,
        )
        .await
    })
}

fn init_tracing(config: &Config) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(&config.logging.level))
        .map_err(|e| anyhow!("logging.level {:?}: {e}", config.logging.level))?;
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi);
    let result = match config.logging.format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    result.map_err(|e| anyhow!("cannot start logging: {e}"))
}

/// Where read commands find a running daemon: `<data dir>/premia.http` holds its HTTP address.
pub const DAEMON_FILE: &str = "premia.http";

fn write_daemon_file(data_dir: &Path, addr: std::net::SocketAddr) -> anyhow::Result<()> {
    let path = data_dir.join(DAEMON_FILE);
    std::fs::write(&path, format!("{addr}\n"))
        .with_context(|| format!("cannot write {}", path.display()))
}

#[allow(
    clippy::too_many_lines,
    reason = "the daemon's wiring reads best in one place, top to bottom"
)]
async fn serve(
    args: RunArgs,
    log: EventLog,
    state: premia_snapshots::State,
    clock: Arc<dyn Clock>,
    config_hash: String,
    listener: std::net::TcpListener,
    http_addr: std::net::SocketAddr,
) -> anyhow::Result<()> {
    let config = &args.config;
    // Live venues first: bad keys refuse the start before anything is recorded.
    let live = crate::live::connect(config).await?;
    let metrics = Metrics::new().map_err(|e| anyhow!("metrics: {e}"))?;
    let health = Health::default();
    let first_start = state.daemon.is_none();
    let had_paper_balances = state.balances.contains_key(&Venue::Paper);
    let admin_token = config
        .http
        .admin_token()
        .map_err(|e| anyhow!("admin API token: {e}"))?;
    let breakers = crate::ops::breaker_board(config, clock.clone())?;
    for (key, breaker) in &state.breakers {
        breakers.restore(key, breaker.state, breaker.since, breaker.forced);
    }
    breakers.sync_health(&health);
    let journal = Journal::start(
        log.clone(),
        state,
        metrics.clone(),
        health.clone(),
        clock.clone(),
        config.storage.snapshot_every,
    )?;
    health.set("log", Status::Ok);
    health.set("ledger", Status::Ok);

    let nats =
        crate::daemon_nats::start(config, &journal, &breakers, &metrics, &health, &clock).await?;
    let started = journal
        .append(
            &Event::DaemonStarted(DaemonStarted {
                instance: config.instance.clone(),
                version: env!("CARGO_PKG_VERSION").into(),
                config_hash: config_hash.clone(),
            }),
            None,
        )
        .await?;
    if first_start && !had_paper_balances {
        for (asset, amount) in &config.paper.balances {
            let event = Event::BalanceSet(BalanceSet {
                venue: Venue::Paper,
                asset: asset.clone(),
                amount: amount.0,
                reason: "initial balance from config".into(),
            });
            journal.append(&event, Some(started.id)).await?;
        }
    }

    crate::live::record_initial_balances(&journal, &live, started.id).await?;

    let budget = || {
        RestartBudget::new(
            config.supervisor.max_restarts,
            Duration::from_secs(config.supervisor.period_s),
        )
    };
    let ops = crate::ops::start(
        config,
        &log,
        &journal,
        &breakers,
        &health,
        &metrics,
        clock.clone(),
        started.seq,
    )?;
    let notify_file =
        (!config.notify.file.is_empty()).then(|| args.data_dir.join(&config.notify.file));
    let notifier = {
        let (metrics, clock, dispatcher) = (metrics.clone(), clock.clone(), ops.dispatcher.clone());
        Supervisor::start(move |_| {
            Notifier::new(notify_file, metrics, clock).with_dispatcher(dispatcher)
        })
    };
    let paper = {
        let (venue, journal) = (PaperVenue::new(&config.paper), journal.clone());
        Supervisor::start(move |_| PaperVenueActor::new(venue, journal))
    };
    let orders = {
        let risk = RiskChecks::new(config.risk.clone(), config.paper.fee_rate());
        let (instance, journal, breakers, paper, notify, metrics) = (
            config.instance.clone(),
            journal.clone(),
            breakers.clone(),
            paper.clone(),
            notifier.clone().recipient(),
            metrics.clone(),
        );
        Supervisor::start(move |_| {
            OrderManager::new(instance, journal, risk, breakers, paper, notify, metrics)
                .with_live_venues(live)
        })
    };
    health.set("order_manager", Status::Ok);
    let rules: Vec<_> = config
        .rules
        .iter()
        .map(|r| {
            let spec = OrderSpec {
                venue: r.venue,
                exchange: r.exchange,
                quantity: r.quantity.0,
                kind: r.order_kind,
            };
            (ChangeRate::new(&config.instance, r.change_rate()), spec)
        })
        .collect();
    let signals = {
        let (orders, metrics) = (orders.clone(), metrics.clone());
        Supervisor::start(move |_| SignalEvaluator::new(rules, orders, metrics))
    };
    health.set("signal_evaluator", Status::Ok);

    let simulator = match &config.sim {
        Some(sim) if config.feeds.iter().any(|f| f.source == FeedSource::Sim) => {
            Some(SharedSimulator::new(sim, clock.now())?)
        }
        _ => None,
    };
    let mut feeds = Vec::new();
    for (index, feed) in config.feeds.iter().enumerate() {
        let codec = codec_for(feed.exchange, &feed.markets, feed.depth)?;
        let connection = match feed.source {
            FeedSource::Websocket => Connection::WebSocket(
                feed.url
                    .clone()
                    .unwrap_or_else(|| default_ws_base(feed.exchange).into()),
            ),
            FeedSource::Tape => {
                let path = feed
                    .tape
                    .clone()
                    .ok_or_else(|| anyhow!("feed {} needs a tape", feed.exchange))?;
                let frames = read_tape(&path)?;
                Connection::Polled(Box::new(TapeSource::new(
                    frames,
                    feed.tape_speed,
                    path.display().to_string(),
                )))
            }
            FeedSource::Sim => {
                let sim = simulator
                    .as_ref()
                    .ok_or_else(|| anyhow!("feed {} needs [sim]", feed.exchange))?;
                Connection::Polled(Box::new(sim.source(feed.exchange)))
            }
        };
        let settings = FeedSettings {
            connection,
            stale_after: Duration::from_millis(feed.stale_after_ms),
            backoff_initial: Duration::from_millis(feed.backoff_initial_ms),
            backoff_max: Duration::from_millis(feed.backoff_max_ms),
            lifetime: feed.lifetime_s.map(Duration::from_secs),
            connect_timeout: Duration::from_secs(10),
            budget: budget(),
            rest: (feed.source == FeedSource::Websocket && feed.rest_fallback).then(|| {
                RestFallback {
                    base: feed
                        .rest_url
                        .clone()
                        .unwrap_or_else(|| default_rest_base(feed.exchange).into()),
                    every: Duration::from_millis(feed.rest_poll_ms),
                    timeout: Duration::from_secs(5),
                }
            }),
        };
        let mut subscribers: Vec<actix::Recipient<MarketUpdate>> =
            vec![signals.clone().recipient(), paper.clone().recipient()];
        subscribers.extend(nats.market_data());
        let (journal, metrics, health, notify) = (
            journal.clone(),
            metrics.clone(),
            health.clone(),
            notifier.clone().recipient(),
        );
        let depth = feed.depth;
        let feed_breakers = breakers.clone();
        let seed =
            u64::try_from(index).unwrap_or(0) ^ u64::try_from(clock.now().nanos()).unwrap_or(0);
        // The factory runs once; a restart reuses the same actor value.
        let addr = Supervisor::start(move |_| {
            FeedActor::new(
                settings,
                codec,
                subscribers,
                journal,
                metrics,
                health,
                notify,
                seed,
                depth,
            )
            .with_breakers(feed_breakers)
        });
        feeds.push(addr);
    }

    let app = http::router(http::AppState {
        health: health.clone(),
        metrics: metrics.clone(),
        journal: journal.clone(),
        data_dir: args.data_dir.clone(),
    })
    .merge(crate::admin::router(crate::admin::AdminState {
        breakers: breakers.clone(),
        journal: journal.clone(),
        health: health.clone(),
        token: admin_token,
    }));
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let (stop_http, http_stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let result = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = http_stopped.await;
            })
            .await;
        if let Err(error) = result {
            tracing::error!(%error, "HTTP server failed");
        }
    });

    let markets: usize = config.feeds.iter().map(|f| f.markets.len()).sum();
    let sim = config.feeds.iter().any(|f| f.source == FeedSource::Sim);
    let line = format!(
        "premia {} running: instance {}, {} feed(s) ({} market(s){}), {} rule(s), {}; log {} ({} durability); http://{http_addr} (/healthz /readyz /metrics). Ctrl-C stops it.",
        env!("CARGO_PKG_VERSION"),
        config.instance,
        config.feeds.len(),
        markets,
        if sim { ", simulated" } else { "" },
        config.rules.len(),
        if config.venues.is_empty() {
            "paper trading".to_owned()
        } else {
            let names: Vec<&str> = config.venues.iter().map(|v| v.venue.as_str()).collect();
            format!("live on {}", names.join(", "))
        },
        args.data_dir.display(),
        config.durability().as_str(),
    );
    tracing::info!("{line}");
    notifier.do_send(Notify {
        level: Level::Info,
        topic: "daemon_started".into(),
        text: format!("premia {} started", config.instance),
    });

    let reason = wait_for_signal().await;
    tracing::info!(%reason, "Shutting down");
    let shutdown = async {
        for feed in &feeds {
            let _ = feed.send(Drain).await;
        }
        let _ = signals.send(Drain).await;
        // Handlers of the order manager run one at a time: this answer comes after the order in hand.
        let _ = orders.send(Drain).await;
        let stopped = Event::DaemonStopped(DaemonStopped {
            reason: reason.clone(),
            clean: true,
        });
        let result = journal.append(&stopped, Some(started.id)).await;
        let _ = log.sync().await;
        result
    };
    let second = async {
        let _ = wait_for_signal().await;
    };
    tokio::select! {
        result = tokio::time::timeout(SHUTDOWN_BOUND, shutdown) => match result {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::error!(%error, "DaemonStopped not recorded"),
            Err(_) => tracing::error!("Shutdown took longer than {} s; exiting anyway", SHUTDOWN_BOUND.as_secs()),
        },
        () = second => {
            tracing::warn!("Second signal: exiting now");
            std::process::exit(130);
        }
    }
    ops.flush(&log, Duration::from_millis(1500)).await;
    nats.stop(Duration::from_secs(2)).await;
    let _ = stop_http.send(());
    let _ = tokio::time::timeout(Duration::from_secs(1), server).await;
    let _ = std::fs::remove_file(args.data_dir.join(DAEMON_FILE));
    let log_for_close = log.clone();
    let _ = tokio::task::spawn_blocking(move || log_for_close.close()).await;
    actix::System::current().stop();
    tracing::info!("Stopped");
    Ok(())
}

/// The exchange's public WebSocket base URL.
pub fn default_ws_base(exchange: premia_events::Exchange) -> &'static str {
    use premia_events::Exchange::*;
    match exchange {
        Upbit => "wss://api.upbit.com/websocket/v1",
        Bithumb => "wss://ws-api.bithumb.com/websocket/v1",
        Korbit => "wss://ws-api.korbit.co.kr/v2/public",
        Coinone => "wss://stream.coinone.co.kr",
        Okx => "wss://ws.okx.com:8443/ws/v5/public",
        Bybit => "wss://stream.bybit.com/v5/public/spot",
        Gateio => "wss://api.gateio.ws/ws/v4/",
        Binance => "wss://stream.binance.com:9443",
        Kraken => "wss://ws.kraken.com/v2",
    }
}

fn default_rest_base(exchange: premia_events::Exchange) -> &'static str {
    use premia_actors::exchanges::*;
    use premia_events::Exchange::*;
    match exchange {
        Upbit => upbit::DEFAULT_REST_URL,
        Bithumb => bithumb::DEFAULT_REST_URL,
        Korbit => korbit::DEFAULT_REST_URL,
        Coinone => coinone::DEFAULT_REST_URL,
        Okx => okx::DEFAULT_REST_URL,
        Bybit => bybit::DEFAULT_REST_URL,
        Gateio => gateio::DEFAULT_REST_URL,
        Binance => binance::DEFAULT_REST_URL,
        Kraken => kraken::DEFAULT_REST_URL,
    }
}

async fn wait_for_signal() -> String {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(error) => {
            tracing::error!(%error, "Cannot watch SIGTERM; only Ctrl-C stops the daemon");
            let _ = tokio::signal::ctrl_c().await;
            return "SIGINT".into();
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "SIGINT".into(),
        _ = term.recv() => "SIGTERM".into(),
    }
}
