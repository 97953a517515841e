//! The feed actor: one per exchange, generic over the exchange's [`ExchangeCodec`].
//!
//! It connects (WebSocket, or a [`FrameSource`] such as the simulated market), subscribes, keeps
//! the connection alive per the exchange's rules, decodes every frame through the codec, and
//! sends the normalised [`MarketUpdate`]s to its subscribers (the signal evaluator and the paper
//! venue, on the same arbiter). It reconnects with capped exponential backoff and full jitter,
//! treats a feed silent for `stale_after` as dead, and reconnects on its own before an
//! exchange's connection-lifetime cap. Status changes are events (`FeedConnected`,
//! `FeedDisconnected`) and health updates.
//!
//! Errors never stop the feed, except an error *reported by the exchange* (a rejected
//! subscription): that stops the actor, the supervisor restarts it, and its restart budget decides
//! when to give up instead of hammering the exchange.

pub mod backoff;
pub mod book;
mod fallback;
mod guard;
pub mod simulated;
mod sync;
pub mod tape;

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::{
    Actor, ActorContext, ActorFutureExt, AsyncContext, Context, Handler, Message, Recipient,
    StreamHandler, Supervised, WrapFuture,
};
use futures::{SinkExt, StreamExt};
use premia_events::event::{ActorGaveUp, ActorRestarted, Event, FeedStatus};
use premia_events::marketdata::MarketData;
use premia_events::{Exchange, Timestamp};
use tokio_tungstenite::tungstenite::Message as WsMessage;

use crate::exchanges::{ExchangeCodec, FrameClass, KeepAlive};
use crate::health::{Health, Status};
use crate::journal::Journal;
use crate::messages::{Drain, Level, MarketUpdate, Notify};
use crate::metrics::Metrics;
use crate::supervisor::{RestartBudget, Verdict};
use backoff::Backoff;
use book::OrderBook;

/// A source of raw frames that is polled rather than connected to (the simulated market, a
/// recorded tape). Its frames go through the same codec as a socket's.
pub trait FrameSource: Send + std::fmt::Debug + 'static {
    /// Frames due at `now` (in the exchange's wire format).
    fn poll(&mut self, now: Timestamp) -> Vec<Vec<u8>>;
    /// How often to poll.
    fn interval(&self) -> Duration;
    /// What the source is, for events and logs (e.g. `simulated market, seed 42`).
    fn describe(&self) -> String;
    /// Whether the source has nothing more to give (the end of a tape).
    fn finished(&self) -> bool {
        false
    }
}

/// Where a feed's frames come from.
#[derive(Debug)]
pub enum Connection {
    /// A WebSocket; the string is the base URL handed to the codec's `ws_url`.
    WebSocket(String),
    /// A polled source.
    Polled(Box<dyn FrameSource>),
}

/// A feed's settings.
#[derive(Debug)]
pub struct FeedSettings {
    /// Where frames come from.
    pub connection: Connection,
    /// No market data for this long → the connection is considered dead and replaced.
    pub stale_after: Duration,
    /// First reconnect delay ceiling.
    pub backoff_initial: Duration,
    /// Largest reconnect delay.
    pub backoff_max: Duration,
    /// Reconnect this long after connecting, whatever the exchange's own cap (tests shorten it).
    pub lifetime: Option<Duration>,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Restart budget: restarts allowed within the period.
    pub budget: RestartBudget,
    /// REST fallback while the socket is down (`None`: no fallback).
    pub rest: Option<RestFallback>,
}

/// Where and how often to poll REST while the socket is down.
#[derive(Clone, Debug)]
pub struct RestFallback {
    /// The REST base URL; the codec's requests are relative to it.
    pub base: String,
    /// Time between polls (one round of the codec's ticker and book requests).
    pub every: Duration,
    /// Timeout of one request.
    pub timeout: Duration,
}

/// The feed actor.
#[derive(Debug)]
pub struct FeedActor {
    exchange: Exchange,
    name: String,
    settings: FeedSettings,
    codec: Box<dyn ExchangeCodec>,
    subscribers: Vec<Recipient<MarketUpdate>>,
    journal: Journal,
    metrics: Metrics,
    health: Health,
    notify: Recipient<Notify>,
    backoff: Backoff,
    generation: u64,
    out: Option<tokio::sync::mpsc::UnboundedSender<WsMessage>>,
    connected_at: Option<Instant>,
    last_data: Instant,
    reconnect_pending: bool,
    polling: bool,
    buf: Vec<MarketData>,
    dormant: bool,
    draining: bool,
    /// An error the exchange reported; the watchdog stops the actor on it.
    fatal: Option<String>,
    /// Books of snapshot+delta exchanges, by market.
    books: std::collections::HashMap<premia_events::Market, OrderBook>,
    /// Levels kept per book side.
    depth: usize,
    /// A book lost sync: the watchdog reconnects for a fresh snapshot.
    resubscribe: Option<String>,
    /// Whether the feed is polling REST because its socket is down.
    in_fallback: bool,
    /// Whether a REST poll is in flight.
    polling_rest: bool,
    /// The HTTP client for the fallback.
    http: Option<reqwest::Client>,
    /// The breakers gating connects (see `guard`).
    breakers: Option<crate::breaker::BreakerBoard>,
}

/// One item of a socket's stream, tagged with the connection it belongs to; `None` marks its end.
#[derive(Debug, Message)]
#[rtype(result = "()")]
struct WsItem {
    generation: u64,
    item: Option<Result<WsMessage, tokio_tungstenite::tungstenite::Error>>,
}

impl FeedActor {
    /// A feed for `codec`'s exchange sending to `subscribers`.
    #[allow(
        clippy::too_many_arguments,
        reason = "wiring: every handle the feed needs, passed once"
    )]
    pub fn new(
        settings: FeedSettings,
        codec: Box<dyn ExchangeCodec>,
        subscribers: Vec<Recipient<MarketUpdate>>,
        journal: Journal,
        metrics: Metrics,
        health: Health,
        notify: Recipient<Notify>,
        seed: u64,
        depth: usize,
    ) -> FeedActor {
        let exchange = codec.exchange();
        FeedActor {
            exchange,
            name: format!("feed/{exchange}"),
            backoff: Backoff::new(settings.backoff_initial, settings.backoff_max, seed),
            settings,
            codec,
            subscribers,
            journal,
            metrics,
            health,
            notify,
            generation: 0,
            out: None,
            connected_at: None,
            last_data: Instant::now(),
            reconnect_pending: false,
            polling: false,
            buf: Vec::with_capacity(8),
            dormant: false,
            draining: false,
            fatal: None,
            books: std::collections::HashMap::new(),
            depth,
            resubscribe: None,
            in_fallback: false,
            polling_rest: false,
            http: None,
            breakers: None,
        }
    }

    fn status_event(&self, make: fn(FeedStatus) -> Event, detail: String) {
        self.journal.emit(
            &make(FeedStatus {
                exchange: self.exchange,
                detail,
            }),
            None,
        );
    }

    fn connect(&mut self, ctx: &mut Context<Self>) {
        self.reconnect_pending = false;
        if self.dormant || self.draining {
            return;
        }
        self.generation += 1;
        let generation = self.generation;
        match &self.settings.connection {
            Connection::Polled(source) => {
                let interval = source.interval();
                let detail = source.describe();
                self.on_connected(detail);
                if !self.polling {
                    self.polling = true;
                    ctx.run_interval(interval, |act, _| act.poll_source());
                }
            }
            Connection::WebSocket(base) => {
                let url = self.codec.ws_url(base);
                if let Err(refused) = self.connect_permitted() {
                    tracing::warn!(exchange = %self.exchange, %refused, "Not connecting");
                    self.reconnect_later(ctx, &refused, "breaker");
                    return;
                }
                let timeout = self.settings.connect_timeout;
                tracing::info!(exchange = %self.exchange, %url, "Connecting");
                let connect = async move {
                    tokio::time::timeout(timeout, tokio_tungstenite::connect_async(url)).await
                };
                ctx.spawn(connect.into_actor(self).map(move |result, act, ctx| {
                    if generation != act.generation || act.draining {
                        return;
                    }
                    match result {
                        Ok(Ok((ws, _))) => {
                            let (mut sink, stream) = ws.split();
                            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<WsMessage>();
                            actix::spawn(async move {
                                while let Some(message) = rx.recv().await {
                                    if sink.send(message).await.is_err() {
                                        break;
                                    }
                                }
                                let _ = sink.close().await;
                            });
                            let now = act.journal.clock().now();
                            for frame in act.codec.subscribe(now) {
                                let _ = tx.send(WsMessage::Text(frame.into()));
                            }
                            act.out = Some(tx);
                            let tagged = stream
                                .map(move |item| WsItem {
                                    generation,
                                    item: Some(item),
                                })
                                .chain(futures::stream::once(async move {
                                    WsItem {
                                        generation,
                                        item: None,
                                    }
                                }));
                            ctx.add_stream(tagged);
                            act.breaker_success();
                            act.on_connected("websocket subscribed".into());
                        }
                        Ok(Err(error)) => {
                            let reason = format!("connect failed: {error}");
                            act.trip(&reason);
                            act.reconnect_later(ctx, &reason, "connect_error")
                        }
                        Err(_) => {
                            act.trip("connect timed out");
                            act.reconnect_later(ctx, "connect timed out", "connect_timeout")
                        }
                    }
                }));
            }
        }
    }

    fn on_connected(&mut self, detail: String) {
        tracing::info!(exchange = %self.exchange, %detail, "Feed connected");
        self.connected_at = Some(Instant::now());
        self.last_data = Instant::now();
        self.metrics
            .feed_connected
            .with_label_values(&[self.exchange.as_str()])
            .set(1);
        self.health.set(&self.name, Status::Ok);
        self.status_event(Event::FeedConnected, detail);
    }

    fn poll_source(&mut self) {
        if self.dormant || self.draining {
            return;
        }
        let now = self.journal.clock().now();
        let (frames, finished) = match &mut self.settings.connection {
            Connection::Polled(source) => (source.poll(now), source.finished()),
            Connection::WebSocket(_) => return,
        };
        for frame in frames {
            self.on_frame(&frame);
        }
        if finished && self.connected_at.is_some() {
            // Nothing more will come: say so once, and keep the daemon ready.
            self.connected_at = None;
            self.health
                .set(&self.name, Status::Degraded("source finished".into()));
            self.status_event(
                Event::FeedDisconnected,
                "source finished (end of tape)".into(),
            );
        }
    }

    fn on_frame(&mut self, frame: &[u8]) {
        let received = self.journal.clock().now();
        let exchange = self.exchange.as_str();
        match self.codec.decode(frame, received, &mut self.buf) {
            Ok(FrameClass::Data) => {
                self.last_data = Instant::now();
                self.backoff.reset();
                if self.in_fallback {
                    self.leave_fallback();
                }
                self.publish();
            }
            Ok(FrameClass::Error(message)) => {
                self.buf.clear();
                self.metrics
                    .feed_control_frames
                    .with_label_values(&[exchange, "error"])
                    .inc();
                tracing::error!(exchange, %message, "The exchange reported an error");
                self.fatal = Some(message);
            }
            Ok(class) => {
                self.buf.clear();
                let label = match class {
                    FrameClass::Ack => "ack",
                    FrameClass::Pong => "pong",
                    FrameClass::Status => "status",
                    _ => "unknown",
                };
                self.metrics
                    .feed_control_frames
                    .with_label_values(&[exchange, label])
                    .inc();
            }
            Err(error) => {
                self.buf.clear();
                self.metrics
                    .feed_decode_errors
                    .with_label_values(&[exchange])
                    .inc();
                tracing::warn!(%error, "Frame not decoded");
            }
        }
    }

    /// Counts and sends what the codec put in `self.buf` to the subscribers.
    fn publish(&mut self) {
        let exchange = self.exchange.as_str();
        let mut data = std::mem::take(&mut self.buf);
        for item in data.drain(..) {
            let kind = match &item {
                MarketData::Ticker(_) => "ticker",
                MarketData::Book(_) => "book",
                MarketData::Delta(_) => "delta",
            };
            self.metrics
                .feed_messages
                .with_label_values(&[exchange, kind])
                .inc();
            // Subscribers always get whole books: deltas are applied here first.
            let Some(item) = self.sync_book(item) else {
                continue;
            };
            let update = MarketUpdate(Arc::new(item));
            for subscriber in &self.subscribers {
                subscriber.do_send(update.clone());
            }
        }
        self.buf = data;
    }

    fn disconnect(
        &mut self,
        ctx: &mut Context<Self>,
        reason: &str,
        label: &str,
        immediately: bool,
    ) {
        let was_connected =
            self.out.take().is_some() || (self.connected_at.is_some() && !self.polling);
        self.generation += 1;
        self.connected_at = None;
        if was_connected {
            tracing::warn!(exchange = %self.exchange, reason, "Feed disconnected");
            self.metrics
                .feed_connected
                .with_label_values(&[self.exchange.as_str()])
                .set(0);
            self.health
                .set(&self.name, Status::Down(format!("reconnecting: {reason}")));
            self.status_event(Event::FeedDisconnected, reason.to_owned());
        }
        if immediately {
            self.backoff.reset();
        }
        self.reconnect_later(ctx, reason, label);
    }

    fn reconnect_later(&mut self, ctx: &mut Context<Self>, reason: &str, label: &str) {
        if self.reconnect_pending || self.draining || self.dormant {
            return;
        }
        self.reconnect_pending = true;
        self.enter_fallback(reason);
        let delay = self.backoff.next_delay();
        self.metrics
            .feed_reconnects
            .with_label_values(&[self.exchange.as_str(), label])
            .inc();
        let detail = format!("reconnecting in {} ms: {reason}", delay.as_millis());
        // A feed polling REST still delivers data: the daemon stays ready, degraded.
        let status = if self.in_fallback {
            Status::Degraded(format!("REST fallback; {detail}"))
        } else {
            Status::Down(detail)
        };
        self.health.set(&self.name, status);
        ctx.run_later(delay, |act, ctx| act.connect(ctx));
    }

    fn watchdog(&mut self, ctx: &mut Context<Self>) {
        if self.dormant || self.draining {
            return;
        }
        if let Some(reason) = self.resubscribe.take() {
            self.books.clear();
            self.disconnect(ctx, &reason, "resync", true);
            return;
        }
        if let Some(message) = self.fatal.take() {
            self.health.set(
                &self.name,
                Status::Down(format!("exchange error: {message}")),
            );
            ctx.stop();
            return;
        }
        let Some(connected_at) = self.connected_at else {
            return;
        };
        if self.out.is_none() {
            return; // polled sources (simulator, tape) have no socket to go stale
        }
        if self.last_data.elapsed() > self.settings.stale_after {
            let reason = format!(
                "stale: no market data for {} ms",
                self.last_data.elapsed().as_millis()
            );
            self.trip(&reason);
            self.disconnect(ctx, &reason, "stale", false);
            return;
        }
        let lifetime = self.settings.lifetime.or_else(|| {
            self.codec
                .max_connection_lifetime()
                .map(|cap| cap.mul_f64(0.95))
        });
        if let Some(lifetime) = lifetime
            && connected_at.elapsed() >= lifetime
            && !self.polling
        {
            self.disconnect(
                ctx,
                &format!(
                    "scheduled reconnect after {} s (connection lifetime cap)",
                    lifetime.as_secs()
                ),
                "lifetime",
                true,
            );
        }
    }
}

impl Actor for FeedActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        if self.dormant {
            return;
        }
        self.health.set(&self.name, Status::Starting);
        ctx.run_interval(Duration::from_millis(250), |act, ctx| act.watchdog(ctx));
        if let Some(rest) = &self.settings.rest {
            ctx.run_interval(rest.every, |act, ctx| act.poll_rest(ctx));
        }
        if let Some((every, keep_alive)) = self.codec.keep_alive() {
            ctx.run_interval(every, move |act, _| {
                if let Some(out) = &act.out {
                    let message = match &keep_alive {
                        KeepAlive::PingFrame => WsMessage::Ping(Vec::new().into()),
                        KeepAlive::Text(text) => WsMessage::Text(text.clone().into()),
                    };
                    let _ = out.send(message);
                }
            });
        }
        self.connect(ctx);
    }
}

impl Supervised for FeedActor {
    fn restarting(&mut self, _: &mut Context<Self>) {
        self.out = None;
        self.generation += 1;
        self.connected_at = None;
        self.reconnect_pending = false;
        self.polling = false;
        self.metrics
            .feed_connected
            .with_label_values(&[self.exchange.as_str()])
            .set(0);
        let reason = self
            .health
            .get(&self.name)
            .map(|s| format!("{s:?}"))
            .unwrap_or_default();
        match self.settings.budget.on_restart(self.journal.clock().now()) {
            Verdict::Restart(n) => {
                self.metrics
                    .actor_restarts
                    .with_label_values(&[&self.name])
                    .inc();
                self.journal.emit(
                    &Event::ActorRestarted(ActorRestarted {
                        actor: self.name.clone(),
                        restarts: n,
                        reason,
                    }),
                    None,
                );
            }
            Verdict::GiveUp(n) => {
                self.dormant = true;
                let text = format!(
                    "{} gave up after {} restarts: {reason}",
                    self.name,
                    n.saturating_sub(1)
                );
                tracing::error!("{text}");
                self.health.set(&self.name, Status::Down(text.clone()));
                self.journal.emit(
                    &Event::ActorGaveUp(ActorGaveUp {
                        actor: self.name.clone(),
                        restarts: n.saturating_sub(1),
                        reason,
                    }),
                    None,
                );
                self.notify.do_send(Notify {
                    level: Level::Critical,
                    topic: "actor_gave_up".into(),
                    text,
                });
            }
        }
    }
}

impl StreamHandler<WsItem> for FeedActor {
    fn handle(&mut self, WsItem { generation, item }: WsItem, ctx: &mut Context<Self>) {
        if generation != self.generation {
            return;
        }
        match item {
            Some(Ok(WsMessage::Text(text))) => self.on_frame(text.as_bytes()),
            Some(Ok(WsMessage::Binary(bytes))) => self.on_frame(&bytes),
            Some(Ok(WsMessage::Ping(payload))) => {
                if let Some(out) = &self.out {
                    let _ = out.send(WsMessage::Pong(payload));
                }
            }
            Some(Ok(WsMessage::Pong(_) | WsMessage::Frame(_))) => {}
            Some(Ok(WsMessage::Close(frame))) => {
                let reason = frame.map_or_else(
                    || "closed by the exchange".to_owned(),
                    |f| format!("closed by the exchange: {} {}", f.code, f.reason),
                );
                self.disconnect(ctx, &reason, "closed", false);
            }
            Some(Err(error)) => {
                self.disconnect(ctx, &format!("socket error: {error}"), "error", false)
            }
            None => self.disconnect(ctx, "socket ended", "closed", false),
        }
    }

    fn finished(&mut self, _: &mut Context<Self>) {
        // Each stream ends with a `None` item, handled above; the actor lives on.
    }
}

impl Handler<Drain> for FeedActor {
    type Result = ();

    fn handle(&mut self, _: Drain, _: &mut Context<Self>) {
        self.draining = true;
        if self.out.take().is_some() || self.polling {
            self.status_event(Event::FeedDisconnected, "shutdown".into());
        }
        self.metrics
            .feed_connected
            .with_label_values(&[self.exchange.as_str()])
            .set(0);
    }
}
