//! Delivery to the chat channels, off the trading path. [`Dispatcher::enqueue`] only takes a
//! short lock and pushes onto each routed channel's bounded queue (dropping the oldest when
//! full, counted); each channel has its own tokio task that sends with classified retry, so a
//! stalled Telegram delays nothing but Telegram's own queue. A per-topic rate limit runs before
//! routing (CRITICAL is never suppressed), and a periodic summary says what it suppressed.
//! Outcomes are counted in `premia_notifications_total{channel,outcome}` (`sent`, `failed`,
//! `retried`, `dropped`, `suppressed`) and queue depths in `premia_notify_queue_depth`.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use premia_events::Clock;
use premia_events::log::EventLog;

use super::channel::{Channel, ChannelError, deliver};
use super::config::NotifySettings;
use super::message::{Deriver, Notification};
use super::retry::{Backoff, RateLimiter};
use crate::messages::Level;
use crate::metrics::Metrics;

struct ChannelQueue {
    channel: Channel,
    queue: Mutex<VecDeque<Notification>>,
    wake: tokio::sync::Notify,
    in_flight: AtomicUsize,
}

struct Inner {
    channels: Vec<ChannelQueue>,
    capacity: usize,
    limiter: Mutex<RateLimiter>,
    finisher: Deriver,
    settings: NotifySettings,
    metrics: Metrics,
    clock: Arc<dyn Clock>,
}

/// The chat channels' queues and senders. Cheap to clone.
#[derive(Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("channels", &self.channel_names())
            .finish()
    }
}

impl Dispatcher {
    /// Builds the channels (reading their secrets) and starts one sending task per channel and
    /// the summary task. Must run inside the tokio runtime.
    pub fn start(
        settings: NotifySettings,
        metrics: Metrics,
        clock: Arc<dyn Clock>,
    ) -> Result<Dispatcher, ChannelError> {
        let channels = settings
            .channels
            .iter()
            .map(|c| {
                Ok(ChannelQueue {
                    channel: Channel::from_config(c)?,
                    queue: Mutex::new(VecDeque::new()),
                    wake: tokio::sync::Notify::new(),
                    in_flight: AtomicUsize::new(0),
                })
            })
            .collect::<Result<Vec<_>, ChannelError>>()?;
        let inner = Arc::new(Inner {
            channels,
            capacity: settings.queue.max(1),
            limiter: Mutex::new(RateLimiter::new(settings.rate_limit)),
            finisher: Deriver::new(settings.clone()),
            settings: settings.clone(),
            metrics,
            clock,
        });
        let dispatcher = Dispatcher { inner };
        for index in 0..dispatcher.inner.channels.len() {
            let inner = dispatcher.inner.clone();
            let seed = u64::try_from(index).unwrap_or(0) ^ 0x9e37_79b9_7f4a_7c15;
            tokio::spawn(async move { worker(inner, index, seed).await });
        }
        if !dispatcher.inner.channels.is_empty() {
            let this = dispatcher.clone();
            let every = Duration::from_secs(settings.rate_limit.summary_every_s.max(1));
            tokio::spawn(async move {
                let mut ticker = tokio::time::interval(every);
                ticker.tick().await;
                loop {
                    ticker.tick().await;
                    this.send_summary();
                }
            });
        }
        Ok(dispatcher)
    }

    /// The channels' names.
    pub fn channel_names(&self) -> Vec<String> {
        self.inner
            .channels
            .iter()
            .map(|c| c.channel.name.clone())
            .collect()
    }

    /// Whether any channel is configured.
    pub fn is_empty(&self) -> bool {
        self.inner.channels.is_empty()
    }

    /// Applies mutes, level overrides and templates to a direct notification, then enqueues it.
    pub fn enqueue_direct(&self, note: Notification) {
        if let Some(note) = self.inner.finisher.finish(note) {
            self.enqueue(note);
        }
    }

    /// Rate-limits and routes `note` to the channels that want its level. Never waits.
    pub fn enqueue(&self, note: Notification) {
        if self.inner.channels.is_empty() {
            return;
        }
        if note.level != Level::Critical {
            let allowed = self
                .inner
                .limiter
                .lock()
                .map(|mut l| l.allow(&note.topic, note.at))
                .unwrap_or(true);
            if !allowed {
                self.count("all", "suppressed");
                return;
            }
        }
        self.route(note);
    }

    fn route(&self, note: Notification) {
        for queue in &self.inner.channels {
            if !queue.channel.wants(note.level) {
                continue;
            }
            let depth = match queue.queue.lock() {
                Ok(mut q) => {
                    if q.len() >= self.inner.capacity {
                        q.pop_front();
                        self.count(&queue.channel.name, "dropped");
                    }
                    q.push_back(note.clone());
                    q.len()
                }
                Err(_) => continue,
            };
            self.inner
                .metrics
                .notify_queue
                .with_label_values(&[&queue.channel.name])
                .set(i64::try_from(depth).unwrap_or(i64::MAX));
            queue.wake.notify_one();
        }
    }

    fn send_summary(&self) {
        let summary = self
            .inner
            .limiter
            .lock()
            .ok()
            .and_then(|mut l| l.take_summary());
        if let Some(text) = summary {
            self.route(Notification {
                level: Level::Warning,
                topic: "notify_suppressed".into(),
                text,
                facts: Default::default(),
                at: self.inner.clock.now(),
            });
        }
    }

    fn count(&self, channel: &str, outcome: &str) {
        self.inner
            .metrics
            .notifications
            .with_label_values(&[channel, outcome])
            .inc();
    }

    /// Notifications queued or being sent.
    pub fn pending(&self) -> usize {
        self.inner
            .channels
            .iter()
            .map(|c| {
                c.queue.lock().map(|q| q.len()).unwrap_or(0) + c.in_flight.load(Ordering::Acquire)
            })
            .sum()
    }

    /// Waits until everything queued is sent (or given up), at most `within`.
    pub async fn flush(&self, within: Duration) {
        let _ = tokio::time::timeout(within, async {
            while self.pending() > 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
    }

    /// The settings it was started with.
    pub fn settings(&self) -> &NotifySettings {
        &self.inner.settings
    }
}

async fn worker(inner: Arc<Inner>, index: usize, seed: u64) {
    let Some(queue) = inner.channels.get(index) else {
        return;
    };
    let name = queue.channel.name.clone();
    let mut backoff = Backoff::new(inner.settings.retry, seed);
    loop {
        let next = queue.queue.lock().ok().and_then(|mut q| {
            let note = q.pop_front();
            if note.is_some() {
                queue.in_flight.fetch_add(1, Ordering::AcqRel);
            }
            inner
                .metrics
                .notify_queue
                .with_label_values(&[&name])
                .set(i64::try_from(q.len()).unwrap_or(i64::MAX));
            note
        });
        let Some(note) = next else {
            queue.wake.notified().await;
            continue;
        };
        let metrics = inner.metrics.clone();
        let delivery = deliver(&queue.channel, &note, &mut backoff, |_| {
            metrics
                .notifications
                .with_label_values(&[&name, "retried"])
                .inc();
        })
        .await;
        queue.in_flight.fetch_sub(1, Ordering::AcqRel);
        if delivery.sent {
            inner
                .metrics
                .notifications
                .with_label_values(&[&name, "sent"])
                .inc();
        } else {
            inner
                .metrics
                .notifications
                .with_label_values(&[&name, "failed"])
                .inc();
            tracing::warn!(
                channel = %name,
                topic = %note.topic,
                attempts = delivery.attempts,
                error = delivery.error.as_deref().unwrap_or_default(),
                "Notification not delivered"
            );
        }
    }
}

/// Follows the log from `from` on its own thread, turning each new event into the notification
/// it calls for (see [`Deriver`]) and enqueueing it. Answers the last seq it has handled (the
/// daemon waits on it at shutdown so `daemon_stopped` goes out). Stops when the log closes.
pub fn follow_log(log: EventLog, from: u64, dispatcher: Dispatcher) -> Arc<AtomicU64> {
    let handled = Arc::new(AtomicU64::new(from.saturating_sub(1)));
    let done = handled.clone();
    let spawned = std::thread::Builder::new()
        .name("premia-notify-follow".into())
        .spawn(move || {
            let mut deriver = Deriver::new(dispatcher.settings().clone());
            let mut head = log.watch_head();
            let mut next = from.max(1);
            loop {
                let target = *head.borrow_and_update();
                if target >= next {
                    for envelope in log.reader().replay_inline_from(next) {
                        let Ok(envelope) = envelope else { break };
                        next = envelope.seq.saturating_add(1);
                        if let Some(note) = deriver.derive(&envelope.event, envelope.at) {
                            dispatcher.enqueue(note);
                        }
                        done.store(envelope.seq, Ordering::Release);
                        if envelope.seq >= target {
                            break;
                        }
                    }
                }
                if futures::executor::block_on(head.changed()).is_err() {
                    return;
                }
            }
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "Notifications from events are off: cannot start their thread");
    }
    handled
}
