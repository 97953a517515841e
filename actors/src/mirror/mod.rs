//! The NATS mirror: a transactional outbox from the event log to JetStream.
//!
//! - The cursor (the last seq JetStream acknowledged, in order) lives in the log's sled database
//!   (`LogReader::cursor`, name [`CURSOR`]); it is read at start and moved only after acks.
//! - Only durable events are published (the mirror asks the log to flush first): an event that a
//!   crash could still take back is never announced.
//! - Each event goes to `premia.<instance>.events.<kind>` with `Nats-Msg-Id` = the event id and
//!   headers `Premia-Seq`, `Premia-Kind`, `Premia-Schema-Version`, `Premia-Encoding`.
//! - Up to `max_inflight` acks are outstanding; they are taken oldest first (`core::Outbox`).
//! - Any failure ends the session: the client is dropped (it never replays stale publishes), the
//!   mirror backs off, reconnects and resends everything after the cursor; JetStream drops what
//!   it already has. So the stream holds every event once, in seq order.
//!
//! The pure logic is in [`core`]; [`stream`] creates or updates `PREMIA_EVENTS`.

pub mod core;
pub mod stream;

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, context::PublishAckFuture, message::PublishMessage};
use bytes::Bytes;
use futures::FutureExt;
use futures::stream::{FuturesOrdered, StreamExt};
use premia_events::json::EnvelopeJson;
use premia_events::log::{EventLog, LogError};
use premia_events::{Clock, Envelope, Timestamp};
use thiserror::Error;
use tokio::sync::watch;

use crate::feed::backoff::Backoff;
use crate::health::{Health, Status};
use crate::nats::{self, Encoding, NatsConfig, NatsError, NatsMetrics};
use core::{Outbox, event_subject};

/// The name of the mirror's cursor in the log's database.
pub const CURSOR: &str = "nats_mirror";

/// Header carrying the event's seq.
pub const HEADER_SEQ: &str = "Premia-Seq";
/// Header carrying the event's kind.
pub const HEADER_KIND: &str = "Premia-Kind";
/// Header carrying the record's schema version.
pub const HEADER_SCHEMA: &str = "Premia-Schema-Version";
/// Header carrying the payload's encoding (`json` or `bincode`).
pub const HEADER_ENCODING: &str = "Premia-Encoding";

/// Why a session ended. Every variant is retried with backoff except [`MirrorError::Log`]'s
/// fail-stop cases, which stop the mirror (the log is the daemon's problem then).
#[derive(Debug, Error)]
pub enum MirrorError {
    /// NATS: connect, stream, publish or ack.
    #[error(transparent)]
    Nats(#[from] NatsError),
    /// The log could not be read or flushed.
    #[error("event log: {0}")]
    Log(#[from] LogError),
    /// An event could not be encoded (JSON). Names the seq; the mirror stops there.
    #[error("seq {seq}: cannot encode: {detail}")]
    Encode {
        /// The seq.
        seq: u64,
        /// serde's message.
        detail: String,
    },
}

impl MirrorError {
    fn reason(&self) -> &'static str {
        match self {
            MirrorError::Nats(NatsError::Connect { .. }) => "connect",
            MirrorError::Nats(NatsError::Stream { .. }) => "stream",
            MirrorError::Nats(_) => "publish",
            MirrorError::Log(_) => "log",
            MirrorError::Encode { .. } => "encode",
        }
    }

    /// Whether trying again may help.
    pub fn is_retryable(&self) -> bool {
        match self {
            MirrorError::Nats(e) => e.is_retryable(),
            MirrorError::Log(e) => e.is_retryable(),
            MirrorError::Encode { .. } => false,
        }
    }
}

/// Called with (seq, the event's log time) as each ack arrives, in seq order (for benches).
pub type AckObserver = Arc<dyn Fn(u64, Timestamp) + Send + Sync>;

/// Everything the mirror needs.
#[derive(Clone)]
pub struct Mirror {
    /// The log to follow.
    pub log: EventLog,
    /// `[nats]`.
    pub config: NatsConfig,
    /// The instance (the subjects' second token).
    pub instance: String,
    /// Metrics.
    pub metrics: NatsMetrics,
    /// `/readyz` (component `nats_mirror`).
    pub health: Health,
    /// For the lag in seconds.
    pub clock: Arc<dyn Clock>,
    /// Optional hook on every ack.
    pub on_ack: Option<AckObserver>,
}

impl std::fmt::Debug for Mirror {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mirror")
            .field("instance", &self.instance)
            .field("stream", &self.config.mirror.stream)
            .finish_non_exhaustive()
    }
}

/// A running mirror.
#[derive(Debug)]
pub struct MirrorHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl MirrorHandle {
    /// Publishes what is durable now (waiting at most `within`), saves the cursor and stops.
    pub async fn stop(self, within: Duration) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(within, &mut task).await.is_err() {
            task.abort();
        }
    }
}

const COMPONENT: &str = "nats_mirror";

impl Mirror {
    /// Starts the mirror on the tokio runtime.
    pub fn start(self) -> MirrorHandle {
        let (stop, stop_rx) = watch::channel(false);
        self.health.set(COMPONENT, Status::Starting);
        let task = tokio::spawn(self.run(stop_rx));
        MirrorHandle { stop, task }
    }

    async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut cursor = match self.log.reader().cursor(CURSOR) {
            Ok(cursor) => cursor.unwrap_or(0),
            Err(error) => {
                tracing::error!(%error, "The mirror cannot read its cursor");
                self.health.set(COMPONENT, Status::Down(error.to_string()));
                return;
            }
        };
        self.metrics
            .mirror_cursor
            .set(i64::try_from(cursor).unwrap_or(i64::MAX));
        let m = &self.config.mirror;
        let mut backoff = Backoff::new(
            Duration::from_millis(m.backoff_initial_ms),
            Duration::from_millis(m.backoff_max_ms),
            cursor ^ 0x6d69_7272,
        );
        loop {
            let started_at = cursor;
            let result = self.session(&mut cursor, &mut stop).await;
            self.metrics.connected.set(0);
            match result {
                Ok(()) => {
                    tracing::info!(cursor, "Mirror stopped");
                    return;
                }
                Err(error) => {
                    self.metrics
                        .mirror_errors
                        .with_label_values(&[error.reason()])
                        .inc();
                    if !error.is_retryable() {
                        tracing::error!(%error, cursor, "The mirror stopped");
                        self.health.set(COMPONENT, Status::Down(error.to_string()));
                        return;
                    }
                    if cursor > started_at {
                        backoff.reset();
                    }
                    let delay = backoff.next_delay();
                    let lag = self.log.durable_head().saturating_sub(cursor);
                    if backoff.attempts() <= 1 {
                        tracing::warn!(%error, cursor, lag, retry_in_ms = delay.as_millis(), "NATS mirror interrupted; the log keeps growing");
                    } else {
                        tracing::debug!(%error, cursor, lag, retry_in_ms = delay.as_millis(), "NATS mirror still interrupted");
                    }
                    self.health.set(
                        COMPONENT,
                        Status::Degraded(format!("{error}; {lag} event(s) waiting")),
                    );
                    self.report_lag(cursor);
                    tokio::select! {
                        () = tokio::time::sleep(delay) => {}
                        _ = stop.changed() => return,
                    }
                    self.metrics.reconnects.with_label_values(&["mirror"]).inc();
                }
            }
        }
    }

    /// One connection: publish from the cursor until stopped or something fails.
    async fn session(
        &self,
        cursor: &mut u64,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<(), MirrorError> {
        let m = &self.config.mirror;
        let client = nats::connect(
            &self.config,
            &self.instance,
            "mirror",
            Some(self.metrics.clone()),
        )
        .await?;
        let mut js = jetstream::new(client.clone());
        js.set_timeout(Duration::from_millis(m.ack_timeout_ms));
        let probe = event_subject(&self.instance, "daemon_started");
        let outcome = stream::ensure_stream(&js, m, &probe).await?;
        self.reconcile(&js, cursor).await?;
        tracing::info!(stream = %m.stream, ?outcome, cursor = *cursor, "Mirroring the log to JetStream");
        self.metrics.connected.set(1);
        self.health.set(COMPONENT, Status::Ok);

        let mut outbox = Outbox::new(*cursor, m.max_inflight);
        let mut times: VecDeque<Timestamp> = VecDeque::with_capacity(m.max_inflight);
        type Ack = Pin<
            Box<dyn Future<Output = (u64, Result<jetstream::publish::PublishAck, String>)> + Send>,
        >;
        let mut acks: FuturesOrdered<Ack> = FuturesOrdered::new();
        let mut head = self.log.watch_head();
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        let mut stopping: Option<(u64, Instant)> = None;
        loop {
            // What may be published: durable events only.
            let applied = *head.borrow_and_update();
            let mut durable = self.log.durable_head();
            if durable < applied {
                durable = self.log.sync().await?;
            }
            if let Some((until, _)) = stopping {
                durable = durable.min(until);
                if outbox.cursor() >= until {
                    return Ok(());
                }
            }
            while let Some(range) = outbox.to_send(durable) {
                let (first, last) = (*range.start(), *range.end());
                for seq in first..=last {
                    let (publish, at) = self.message(seq)?;
                    let subject = publish.0;
                    let ack: PublishAckFuture = js
                        .send_publish(subject, publish.1)
                        .await
                        .map_err(|e| NatsError::JetStream(format!("publish seq {seq}: {e}")))?;
                    outbox
                        .sent(seq)
                        .map_err(|e| NatsError::JetStream(e.to_string()))?;
                    times.push_back(at);
                    acks.push_back(Box::pin(async move {
                        (seq, ack.await.map_err(|e| e.to_string()))
                    }));
                }
            }
            tokio::select! {
                Some(first) = acks.next(), if !acks.is_empty() => {
                    let mut next = Some(first);
                    while let Some((seq, result)) = next {
                        let ack = result.map_err(|e| NatsError::JetStream(format!("ack of seq {seq}: {e}")))?;
                        let done = outbox.acked(seq).map_err(|e| NatsError::JetStream(e.to_string()))?;
                        let at = times.pop_front();
                        self.metrics
                            .mirrored
                            .with_label_values(&[if ack.duplicate { "duplicate" } else { "stored" }])
                            .inc();
                        if let (Some(observer), Some(at)) = (&self.on_ack, at) {
                            observer(done, at);
                        }
                        next = acks.next().now_or_never().flatten();
                    }
                    *cursor = outbox.cursor();
                    self.log.reader().set_cursor(CURSOR, *cursor)?;
                    self.metrics.mirror_cursor.set(i64::try_from(*cursor).unwrap_or(i64::MAX));
                }
                changed = head.changed() => {
                    if changed.is_err() {
                        // The log closed: nothing more will become durable.
                        return Ok(());
                    }
                }
                _ = tick.tick() => {
                    self.report_lag(*cursor);
                    if stopping.is_some_and(|(_, deadline)| Instant::now() > deadline) {
                        return Ok(());
                    }
                    if client.connection_state() == async_nats::connection::State::Disconnected {
                        return Err(NatsError::Connect {
                            servers: self.config.servers.join(","),
                            detail: "connection lost".into(),
                        }
                        .into());
                    }
                }
                _ = stop.changed(), if stopping.is_none() => {
                    let until = self.log.sync().await.unwrap_or_else(|_| self.log.durable_head());
                    stopping = Some((until, Instant::now() + Duration::from_secs(3)));
                }
            }
        }
    }

    /// Moves the cursor up to the stream's last message when that is one of this log's events
    /// past the cursor (the stream holds a prefix of the log, in order, so everything before it
    /// is there too). This keeps a resend from storing duplicates when the acks were lost and the
    /// outage outlasted the duplicate window, or when the cursor's last write was lost.
    async fn reconcile(
        &self,
        js: &jetstream::Context,
        cursor: &mut u64,
    ) -> Result<(), MirrorError> {
        let prefix = event_subject(&self.instance, "");
        let Some((seq, id)) = stream::last_message(js, &self.config.mirror.stream, &prefix).await?
        else {
            return Ok(());
        };
        if seq <= *cursor || seq > self.log.durable_head() {
            return Ok(());
        }
        let ours = self
            .log
            .reader()
            .get(seq)?
            .is_some_and(|e| e.id.to_string() == id);
        if ours {
            tracing::info!(
                from = *cursor,
                to = seq,
                "Mirror cursor moved to the stream's last event"
            );
            *cursor = seq;
            self.log.reader().set_cursor(CURSOR, seq)?;
            self.metrics
                .mirror_cursor
                .set(i64::try_from(seq).unwrap_or(i64::MAX));
        }
        Ok(())
    }

    /// The subject and message for `seq`, and the event's log time.
    fn message(&self, seq: u64) -> Result<((String, PublishMessage), Timestamp), MirrorError> {
        let envelope: Envelope = self.log.reader().get(seq)?.ok_or_else(|| {
            MirrorError::Log(LogError::Store {
                detail: format!("seq {seq} is durable but not in the log"),
            })
        })?;
        let payload = match self.config.mirror.encoding {
            Encoding::Json => {
                serde_json::to_vec(&EnvelopeJson(&envelope)).map_err(|e| MirrorError::Encode {
                    seq,
                    detail: e.to_string(),
                })?
            }
            Encoding::Bincode => self.log.reader().record(seq)?.ok_or_else(|| {
                MirrorError::Log(LogError::Store {
                    detail: format!("seq {seq} vanished from the log"),
                })
            })?,
        };
        let kind = envelope.kind().as_str();
        let message = PublishMessage::build()
            .payload(Bytes::from(payload))
            .message_id(envelope.id.to_string())
            .header(HEADER_SEQ, seq.to_string().as_str())
            .header(HEADER_KIND, kind)
            .header(HEADER_SCHEMA, envelope.version.to_string().as_str())
            .header(HEADER_ENCODING, self.config.mirror.encoding.as_str());
        Ok(((event_subject(&self.instance, kind), message), envelope.at))
    }

    fn report_lag(&self, cursor: u64) {
        let head = self.log.durable_head();
        let lag = head.saturating_sub(cursor);
        let lag_ms = if lag == 0 {
            0
        } else {
            match self.log.reader().get(cursor.saturating_add(1)) {
                Ok(Some(oldest)) => {
                    (self.clock.now().nanos().saturating_sub(oldest.at.nanos()) / 1_000_000).max(0)
                }
                _ => 0,
            }
        };
        self.metrics
            .mirror_lag_seqs
            .set(i64::try_from(lag).unwrap_or(i64::MAX));
        self.metrics.mirror_lag_ms.set(lag_ms);
        self.health.set_detail(
            COMPONENT,
            serde_json::json!({
                "cursor": cursor,
                "lag_seqs": lag,
                "lag_seconds": seconds(lag_ms),
            }),
        );
    }
}

#[allow(
    clippy::float_arithmetic,
    reason = "a display value for /readyz, not money"
)]
fn seconds(millis: i64) -> f64 {
    millis as f64 / 1000.0
}
