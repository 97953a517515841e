//! `premia tail`: the reference subscriber. Reads the stream the mirror writes and prints each
//! event as one JSON line (the documented `EnvelopeJson` form, whatever the mirror's encoding).

use std::io::Write;
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use async_nats::jetstream::{self, consumer};
use futures::StreamExt;
use premia_actors::mirror::{HEADER_ENCODING, HEADER_KIND, HEADER_SEQ};
use premia_actors::nats::{self, NatsConfig};
use premia_events::json::EnvelopeJson;

use super::Context;
use crate::cli::TailArgs;

/// Runs `premia tail` until interrupted (or `--count` events).
pub fn run(ctx: &Context, args: &TailArgs) -> anyhow::Result<()> {
    let mut config = match &ctx.config.nats {
        Some(config) => config.clone(),
        None => toml::from_str::<NatsConfig>("").context("default [nats]")?,
    };
    if let Some(server) = &args.server {
        config.servers = vec![server.clone()];
    }
    // Without --instance: the config's instance when the config has [nats] (it is that daemon's
    // tail), else every instance on the server.
    let instance = args.instance.clone().unwrap_or_else(|| {
        if ctx.config.nats.is_some() {
            ctx.config.instance.clone()
        } else {
            "*".into()
        }
    });
    let subject = args.subject.clone().unwrap_or_else(|| {
        format!(
            "premia.{}.events.{}",
            if instance == "*" {
                "*".to_owned()
            } else {
                nats::subject_token(&instance)
            },
            args.kind.as_deref().unwrap_or(">")
        )
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(tail(&config, &instance, &subject, args))
}

async fn tail(
    config: &NatsConfig,
    instance: &str,
    subject: &str,
    args: &TailArgs,
) -> anyhow::Result<()> {
    let client = nats::connect(config, instance, "tail", None).await?;
    let js = jetstream::new(client.clone());
    let stream_name = &config.mirror.stream;
    let stream = js.get_stream(stream_name).await.map_err(|e| {
        anyhow!("stream {stream_name}: {e} (is a premia daemon mirroring to this server?)")
    })?;
    let durable = args.durable.is_some();
    let wanted = consumer::pull::Config {
        durable_name: args.durable.clone(),
        filter_subject: subject.to_owned(),
        deliver_policy: consumer::DeliverPolicy::All,
        ack_policy: if durable {
            consumer::AckPolicy::Explicit
        } else {
            consumer::AckPolicy::None
        },
        inactive_threshold: if durable {
            Duration::ZERO
        } else {
            Duration::from_secs(30)
        },
        ..Default::default()
    };
    let consumer = match &args.durable {
        Some(name) => stream.get_or_create_consumer(name, wanted).await,
        None => stream.create_consumer(wanted).await,
    }
    .map_err(|e| anyhow!("consumer on {stream_name} for {subject}: {e}"))?;
    // A durable consumer pulls one message at a time, so stopping (or --count) never leaves
    // pulled-but-unacknowledged messages that would come back later, out of order.
    let batch = if durable { 1 } else { 256 };
    let mut messages = consumer
        .stream()
        .max_messages_per_batch(batch)
        .messages()
        .await
        .map_err(|e| anyhow!("consumer on {stream_name}: {e}"))?;
    let mut printed = 0u64;
    let mut out = std::io::stdout().lock();
    while let Some(message) = messages.next().await {
        if args.count.is_some_and(|count| printed >= count) {
            break;
        }
        let message = message.map_err(|e| anyhow!("reading {stream_name}: {e}"))?;
        let header = |name: &str| {
            message
                .headers
                .as_ref()
                .and_then(|h| h.get(name))
                .map(|v| v.as_str().to_owned())
        };
        let seq: u64 = header(HEADER_SEQ).and_then(|s| s.parse().ok()).unwrap_or(0);
        let keep = args.from_seq.is_none_or(|from| seq >= from)
            && args
                .kind
                .as_deref()
                .is_none_or(|kind| header(HEADER_KIND).as_deref() == Some(kind));
        if keep {
            match header(HEADER_ENCODING).as_deref() {
                Some("bincode") => {
                    let envelope = premia_events::codec::decode(&message.payload)
                        .map_err(|e| anyhow!("seq {seq}: {e}"))?;
                    serde_json::to_writer(&mut out, &EnvelopeJson(&envelope))?;
                }
                _ => out.write_all(&message.payload)?,
            }
            out.write_all(b"\n")?;
            out.flush()?;
            printed += 1;
        }
        if durable {
            message
                .ack()
                .await
                .map_err(|e| anyhow!("ack of seq {seq}: {e}"))?;
        }
        if args.count.is_some_and(|count| printed >= count) {
            break;
        }
    }
    // Acks are published without waiting: send them before exiting.
    client
        .flush()
        .await
        .map_err(|e| anyhow!("flushing acks: {e}"))?;
    Ok(())
}
