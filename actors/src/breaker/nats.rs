//! [`SharedBreakerStore`] on a NATS JetStream key-value bucket (works on nats-server 2.9.10):
//! one key per breaker (`upbit/kr/order` is a valid KV key), JSON values, compare-and-set through
//! `update(key, value, expected_revision)` (and `create` when the key does not exist yet), so a
//! writer holding a stale revision gets "wrong last revision" and retries.

use futures::StreamExt;
use futures::future::BoxFuture;

use async_nats::jetstream::kv::{self, CreateErrorKind, Operation, UpdateErrorKind};
use async_nats::jetstream::stream;

use super::shared::{SharedBreakerStore, SharedError, SharedRecord};

/// The JetStream KV implementation.
#[derive(Clone)]
pub struct NatsBreakerStore {
    kv: kv::Store,
    bucket: String,
}

impl std::fmt::Debug for NatsBreakerStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsBreakerStore")
            .field("bucket", &self.bucket)
            .finish()
    }
}

fn unavailable(error: impl std::fmt::Display) -> SharedError {
    SharedError::Unavailable(error.to_string())
}

impl NatsBreakerStore {
    /// Opens `bucket` on `client`'s JetStream, creating it (history 16, file storage) if absent.
    pub async fn open(
        client: async_nats::Client,
        bucket: &str,
    ) -> Result<NatsBreakerStore, SharedError> {
        let js = async_nats::jetstream::new(client);
        let kv = match js.get_key_value(bucket).await {
            Ok(kv) => kv,
            Err(_) => {
                // async-nats' create_key_value first reads the account info, whose 2.10+ fields
                // nats-server 2.9.10 does not send; so the bucket's stream is created here with
                // the settings create_key_value would use, then opened as a KV bucket.
                js.get_or_create_stream(stream::Config {
                    name: format!("KV_{bucket}"),
                    description: Some("premia circuit breaker states".into()),
                    subjects: vec![format!("$KV.{bucket}.>")],
                    max_messages_per_subject: 16,
                    allow_rollup: true,
                    deny_delete: true,
                    allow_direct: true,
                    discard: stream::DiscardPolicy::New,
                    storage: stream::StorageType::File,
                    num_replicas: 1,
                    ..Default::default()
                })
                .await
                .map_err(|e| unavailable(format!("bucket {bucket}: {e}")))?;
                js.get_key_value(bucket)
                    .await
                    .map_err(|e| unavailable(format!("bucket {bucket}: {e}")))?
            }
        };
        Ok(NatsBreakerStore {
            kv,
            bucket: bucket.to_owned(),
        })
    }

    /// Connects to `servers` (a NATS URL) and opens `bucket`.
    pub async fn connect(servers: &str, bucket: &str) -> Result<NatsBreakerStore, SharedError> {
        let client = async_nats::connect(servers)
            .await
            .map_err(|e| unavailable(format!("{servers}: {e}")))?;
        NatsBreakerStore::open(client, bucket).await
    }

    fn decode(key: &str, bytes: &[u8]) -> Result<SharedRecord, SharedError> {
        serde_json::from_slice(bytes).map_err(|e| SharedError::Corrupt {
            key: key.to_owned(),
            detail: e.to_string(),
        })
    }
}

impl SharedBreakerStore for NatsBreakerStore {
    fn load<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<(SharedRecord, u64)>, SharedError>> {
        Box::pin(async move {
            match self.kv.entry(key).await.map_err(unavailable)? {
                Some(entry) if entry.operation == Operation::Put => {
                    Ok(Some((Self::decode(key, &entry.value)?, entry.revision)))
                }
                _ => Ok(None),
            }
        })
    }

    fn cas<'a>(
        &'a self,
        key: &'a str,
        record: &'a SharedRecord,
        expected: Option<u64>,
    ) -> BoxFuture<'a, Result<u64, SharedError>> {
        Box::pin(async move {
            let value = serde_json::to_vec(record).map_err(unavailable)?;
            let conflict = || SharedError::Conflict {
                key: key.to_owned(),
            };
            match expected {
                Some(revision) => self
                    .kv
                    .update(key, value.into(), revision)
                    .await
                    .map_err(|e| match e.kind() {
                        UpdateErrorKind::WrongLastRevision => conflict(),
                        _ => unavailable(e),
                    }),
                None => self
                    .kv
                    .create(key, value.into())
                    .await
                    .map_err(|e| match e.kind() {
                        CreateErrorKind::AlreadyExists => conflict(),
                        _ => unavailable(e),
                    }),
            }
        })
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<(String, SharedRecord, u64)>, SharedError>> {
        Box::pin(async move {
            let mut keys = match self.kv.keys().await {
                Ok(keys) => keys,
                Err(e) => return Err(unavailable(e)),
            };
            let mut names = Vec::new();
            while let Some(key) = keys.next().await {
                names.push(key.map_err(unavailable)?);
            }
            let mut out = Vec::new();
            for key in names {
                match self.load(&key).await {
                    Ok(Some((record, rev))) => out.push((key, record, rev)),
                    Ok(None) => {}
                    Err(error @ SharedError::Corrupt { .. }) => {
                        tracing::warn!(%error, "Shared breaker record skipped");
                    }
                    Err(error) => return Err(error),
                }
            }
            Ok(out)
        })
    }
}
