//! Creates or updates the stream `PREMIA_EVENTS` (works on nats-server 2.9.10: only fields that
//! server knows are set).

use std::time::Duration;

use async_nats::jetstream::{self, stream};

use super::core::subject_matches;
use crate::nats::{MirrorConfig, NatsError, Retention};

/// What [`ensure_stream`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamOutcome {
    /// There was no such stream: it was created.
    Created,
    /// The stream existed with another configuration: it was updated.
    Updated,
    /// The stream existed as configured.
    Unchanged,
}

fn retention(retention: Retention) -> stream::RetentionPolicy {
    match retention {
        Retention::Limits => stream::RetentionPolicy::Limits,
        Retention::Interest => stream::RetentionPolicy::Interest,
        Retention::Workqueue => stream::RetentionPolicy::WorkQueue,
    }
}

/// Makes sure the stream exists with the configured subjects, retention, max age and duplicate
/// window, and covers `subject` (one of this instance's event subjects). Subjects another daemon
/// added to a shared stream are kept.
pub async fn ensure_stream(
    js: &jetstream::Context,
    config: &MirrorConfig,
    subject: &str,
) -> Result<StreamOutcome, NatsError> {
    let stream_error = |detail: String| NatsError::Stream {
        stream: config.stream.clone(),
        detail,
    };
    if !config.subjects.iter().any(|s| subject_matches(s, subject)) {
        return Err(stream_error(format!(
            "nats.mirror.subjects {:?} do not cover {subject}",
            config.subjects
        )));
    }
    let max_age = Duration::from_secs(config.max_age_s);
    let duplicate_window = Duration::from_secs(config.duplicate_window_s);
    match js.get_stream(&config.stream).await {
        Ok(mut existing) => {
            let info = existing
                .info()
                .await
                .map_err(|e| NatsError::JetStream(e.to_string()))?;
            let mut wanted = info.config.clone();
            if wanted.retention != retention(config.retention) {
                return Err(stream_error(format!(
                    "its retention is {:?} on the server and JetStream cannot change it; delete the stream or set nats.mirror.retention to match",
                    wanted.retention
                )));
            }
            for s in &config.subjects {
                if !wanted.subjects.contains(s) {
                    wanted.subjects.push(s.clone());
                }
            }
            wanted.max_age = max_age;
            wanted.duplicate_window = duplicate_window;
            if wanted == info.config {
                return Ok(StreamOutcome::Unchanged);
            }
            js.update_stream(wanted)
                .await
                .map_err(|e| stream_error(e.to_string()))?;
            Ok(StreamOutcome::Updated)
        }
        Err(error)
            if matches!(
                error.kind(),
                jetstream::context::GetStreamErrorKind::JetStream(ref e)
                    if e.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND
            ) =>
        {
            js.create_stream(stream::Config {
                name: config.stream.clone(),
                subjects: config.subjects.clone(),
                retention: retention(config.retention),
                max_age,
                duplicate_window,
                storage: stream::StorageType::File,
                ..Default::default()
            })
            .await
            .map_err(|e| stream_error(e.to_string()))?;
            Ok(StreamOutcome::Created)
        }
        Err(error) => Err(NatsError::JetStream(error.to_string())),
    }
}

/// The stream's last message, if it is one of this log's events: its seq (from `Premia-Seq`) and
/// its `Nats-Msg-Id`. `None` when the stream is empty or its last message is someone else's (the
/// caller checks the id against its own log).
pub async fn last_message(
    js: &jetstream::Context,
    stream_name: &str,
    subject_prefix: &str,
) -> Result<Option<(u64, String)>, NatsError> {
    let mut stream = js
        .get_stream(stream_name)
        .await
        .map_err(|e| NatsError::JetStream(e.to_string()))?;
    let last = stream
        .info()
        .await
        .map_err(|e| NatsError::JetStream(e.to_string()))?
        .state
        .last_sequence;
    if last == 0 {
        return Ok(None);
    }
    let message = match stream.get_raw_message(last).await {
        Ok(message) => message,
        // Deleted or expired in between: nothing to learn from it.
        Err(_) => return Ok(None),
    };
    if !message.subject.starts_with(subject_prefix) {
        return Ok(None);
    }
    let header = |name: &str| message.headers.get(name).map(|v| v.as_str().to_owned());
    let seq = header(super::HEADER_SEQ).and_then(|s| s.parse().ok());
    let id = header("Nats-Msg-Id");
    Ok(seq.zip(id))
}
