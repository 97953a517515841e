//! The notifier. Sending never blocks trading: senders use `do_send`; the `log` channel writes to
//! the tracing log and appends JSON lines to a file through a bounded queue drained by its own
//! thread (a full queue drops the notification and counts it).
//!
//! The chat channels (Telegram, Slack, Discord, generic webhook; [`channel`]) are fed by a
//! [`dispatch::Dispatcher`]: bounded per-channel queues drained by their own tokio tasks with
//! classified retry, a per-topic rate limit and a summary of what it suppressed. What they say
//! is derived from the events the log records ([`dispatch::follow_log`], [`message::Deriver`]):
//! nothing that matters is missed, and the direct `Notify` messages add only what no event says.

pub mod channel;
pub mod config;
pub mod dispatch;
pub mod message;
pub mod retry;

use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};

use actix::{Actor, Context, Handler, Supervised};
use premia_events::Clock;
use std::sync::Arc;

use crate::messages::{Level, Notify};
use crate::metrics::Metrics;
use dispatch::Dispatcher;
use message::{DERIVED_TOPICS, Notification};

/// The notifier actor.
#[derive(Debug)]
pub struct Notifier {
    file: Option<SyncSender<String>>,
    metrics: Metrics,
    clock: Arc<dyn Clock>,
    dispatcher: Option<Dispatcher>,
}

impl Notifier {
    /// Also sends direct notifications (those no event covers) to the chat channels.
    pub fn with_dispatcher(mut self, dispatcher: Option<Dispatcher>) -> Notifier {
        self.dispatcher = dispatcher;
        self
    }

    /// A notifier whose `log` channel also appends to `jsonl` (if given).
    pub fn new(jsonl: Option<PathBuf>, metrics: Metrics, clock: Arc<dyn Clock>) -> Notifier {
        let file = jsonl.and_then(|path| {
            let (tx, rx) = sync_channel::<String>(1024);
            let spawned = std::thread::Builder::new().name("premia-notify-file".into()).spawn(move || {
                let mut file = match std::fs::OpenOptions::new().create(true).append(true).open(&path) {
                    Ok(file) => file,
                    Err(error) => {
                        tracing::error!(%error, path = %path.display(), "Notification file not writable");
                        return;
                    }
                };
                for line in rx {
                    if let Err(error) = writeln!(file, "{line}") {
                        tracing::error!(%error, "Notification not written");
                    }
                }
            });
            spawned.ok().map(|_| tx)
        });
        Notifier {
            file,
            metrics,
            clock,
            dispatcher: None,
        }
    }
}

impl Actor for Notifier {
    type Context = Context<Self>;
}

impl Supervised for Notifier {}

impl Handler<Notify> for Notifier {
    type Result = ();

    fn handle(&mut self, note: Notify, _: &mut Context<Self>) {
        if let Some(dispatcher) = &self.dispatcher
            && !DERIVED_TOPICS.contains(&note.topic.as_str())
        {
            dispatcher.enqueue_direct(Notification {
                level: note.level,
                topic: note.topic.clone(),
                text: note.text.clone(),
                facts: Default::default(),
                at: self.clock.now(),
            });
        }
        match note.level {
            Level::Info => tracing::info!(topic = %note.topic, "{}", note.text),
            Level::Warning => tracing::warn!(topic = %note.topic, "{}", note.text),
            Level::Error | Level::Critical => {
                tracing::error!(topic = %note.topic, level = ?note.level, "{}", note.text)
            }
        }
        let Some(file) = &self.file else {
            self.metrics
                .notifications
                .with_label_values(&["log", "sent"])
                .inc();
            return;
        };
        let line = serde_json::json!({
            "time": self.clock.now().to_rfc3339(),
            "level": note.level,
            "topic": note.topic,
            "text": note.text,
        })
        .to_string();
        let outcome = match file.try_send(line) {
            Ok(()) => "sent",
            Err(TrySendError::Full(_)) => "dropped",
            Err(TrySendError::Disconnected(_)) => "failed",
        };
        self.metrics
            .notifications
            .with_label_values(&["log", outcome])
            .inc();
    }
}
