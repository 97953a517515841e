//! Where read commands get the log from: the data dir itself, or, while a daemon holds it, the
//! daemon's HTTP API (which hands out the raw records). Either way the records go through the
//! same checks and the same code, so the output is the same.

use std::collections::VecDeque;
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use premia_events::log::{LogError, LogReader, Replay, VerifyReport, check_head, replay_records};
use premia_events::{ChainHash, Envelope};
use premia_snapshots::{Rebuilt, SnapshotStore, State, fold, rebuild};

use crate::daemon::DAEMON_FILE;

/// A log to read.
#[derive(Debug)]
pub enum LogSource {
    /// The data dir, opened directly.
    Local(LogReader),
    /// A running daemon's API.
    Remote(Remote),
}

impl LogSource {
    /// Opens the data dir, or reaches the daemon that holds it.
    pub fn open(data_dir: &std::path::Path) -> anyhow::Result<LogSource> {
        match LogReader::open(data_dir) {
            Ok(reader) => Ok(LogSource::Local(reader)),
            Err(LogError::Locked { dir, pid }) => {
                let file = data_dir.join(DAEMON_FILE);
                let addr =
                    std::fs::read_to_string(&file).map_err(|_| LogError::Locked { dir, pid })?;
                Ok(LogSource::Remote(Remote::new(addr.trim())?))
            }
            Err(error) => Err(error)
                .with_context(|| format!("cannot read the event log in {}", data_dir.display())),
        }
    }

    /// The data dir's reader, for commands that only work on it (snapshots).
    pub fn local(&self) -> anyhow::Result<&LogReader> {
        match self {
            LogSource::Local(reader) => Ok(reader),
            LogSource::Remote(remote) => bail!(
                "a running daemon ({}) holds the data dir; it takes snapshots itself (storage.snapshot_every). Stop it to manage snapshots by hand",
                remote.base
            ),
        }
    }

    /// Checked replay from `from`.
    pub fn replay_from(&self, from: u64) -> anyhow::Result<Replay> {
        match self {
            LogSource::Local(reader) => Ok(reader.replay_from(from)),
            LogSource::Remote(remote) => {
                let prev = if from > 1 {
                    remote.get(from - 1)?.map(|e| e.hash)
                } else {
                    None
                };
                Ok(replay_records(remote.records(from), from, prev))
            }
        }
    }

    /// One record.
    pub fn get(&self, seq: u64) -> anyhow::Result<Option<Envelope>> {
        match self {
            LogSource::Local(reader) => Ok(reader.get(seq)?),
            LogSource::Remote(remote) => remote.get(seq),
        }
    }

    /// The last seq.
    pub fn last_seq(&self) -> anyhow::Result<u64> {
        match self {
            LogSource::Local(reader) => Ok(reader.last_seq()?),
            LogSource::Remote(remote) => Ok(remote.head()?.map_or(0, |(seq, _)| seq)),
        }
    }

    /// Walks everything and checks the recorded head.
    pub fn verify(&self) -> Result<VerifyReport, anyhow::Error> {
        match self {
            LogSource::Local(reader) => Ok(reader.verify()?),
            LogSource::Remote(remote) => {
                let marker = remote.head()?;
                let mut report = VerifyReport {
                    events: 0,
                    head_seq: 0,
                    head_hash: ChainHash::GENESIS,
                };
                for envelope in self.replay_from(1)? {
                    let envelope = envelope?;
                    report.events += 1;
                    report.head_seq = envelope.seq;
                    report.head_hash = envelope.hash;
                }
                check_head(marker, report.head_seq, report.head_hash, |seq| {
                    remote
                        .get(seq)
                        .map(|e| e.map(|e| e.hash))
                        .map_err(|e| LogError::Store {
                            detail: e.to_string(),
                        })
                })?;
                Ok(report)
            }
        }
    }

    /// The state at `upto` (or the end); from the newest valid snapshot if `from_snapshot`.
    pub fn rebuild(&self, upto: Option<u64>, from_snapshot: bool) -> anyhow::Result<Rebuilt> {
        match self {
            LogSource::Local(reader) => {
                let store = if from_snapshot {
                    Some(SnapshotStore::open(reader)?)
                } else {
                    None
                };
                Ok(rebuild(reader, store.as_ref(), upto)?)
            }
            LogSource::Remote(_) => {
                let mut state = State::default();
                let replayed = fold(&mut state, self.replay_from(1)?, upto)?;
                Ok(Rebuilt {
                    state,
                    snapshot: None,
                    replayed,
                    warnings: Vec::new(),
                })
            }
        }
    }
}

/// A running daemon's read API.
#[derive(Debug, Clone)]
pub struct Remote {
    base: String,
    client: reqwest::blocking::Client,
}

impl Remote {
    fn new(addr: &str) -> anyhow::Result<Remote> {
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(30))
            .no_proxy()
            .build()
            .context("cannot build an HTTP client")?;
        Ok(Remote {
            base: format!("http://{addr}"),
            client,
        })
    }

    fn fetch(&self, path: &str) -> anyhow::Result<Vec<u8>> {
        let url = format!("{}{path}", self.base);
        let response =
            self.client.get(&url).send().with_context(|| {
                format!("the daemon holding the data dir does not answer at {url}")
            })?;
        let status = response.status();
        let body = response.bytes().with_context(|| format!("reading {url}"))?;
        if !status.is_success() {
            bail!("{url}: {status}: {}", String::from_utf8_lossy(&body));
        }
        Ok(body.to_vec())
    }

    fn page(&self, from: u64, limit: usize) -> anyhow::Result<Vec<(u64, Vec<u8>)>> {
        let body = self.fetch(&format!("/api/v1/records?from={from}&limit={limit}"))?;
        let mut out = Vec::new();
        let mut rest = body.as_slice();
        while !rest.is_empty() {
            let (seq, tail) = rest
                .split_at_checked(8)
                .ok_or_else(|| anyhow!("truncated record page from the daemon"))?;
            let (len, tail) = tail
                .split_at_checked(4)
                .ok_or_else(|| anyhow!("truncated record page from the daemon"))?;
            let seq = u64::from_be_bytes(<[u8; 8]>::try_from(seq)?);
            let len = usize::try_from(u32::from_be_bytes(<[u8; 4]>::try_from(len)?))?;
            let (record, tail) = tail
                .split_at_checked(len)
                .ok_or_else(|| anyhow!("truncated record page from the daemon"))?;
            out.push((seq, record.to_vec()));
            rest = tail;
        }
        Ok(out)
    }

    fn get(&self, seq: u64) -> anyhow::Result<Option<Envelope>> {
        let page = self.page(seq, 1)?;
        match page.into_iter().next() {
            Some((found, bytes)) if found == seq => Ok(Some(
                premia_events::codec::decode(&bytes).map_err(|e| anyhow!("seq {seq}: {e}"))?,
            )),
            _ => Ok(None),
        }
    }

    fn head(&self) -> anyhow::Result<Option<(u64, ChainHash)>> {
        let body: serde_json::Value = serde_json::from_slice(&self.fetch("/api/v1/head")?)?;
        let seq = body
            .get("seq")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        let hash = body
            .get("hash")
            .and_then(serde_json::Value::as_str)
            .and_then(ChainHash::from_hex);
        Ok(hash.map(|h| (seq, h)))
    }

    fn records(&self, from: u64) -> RemoteRecords {
        RemoteRecords {
            remote: self.clone(),
            next: from.max(1),
            buffer: VecDeque::new(),
            done: false,
        }
    }
}

/// Pages through the daemon's records.
struct RemoteRecords {
    remote: Remote,
    next: u64,
    buffer: VecDeque<(u64, Vec<u8>)>,
    done: bool,
}

const PAGE: usize = 10_000;

impl Iterator for RemoteRecords {
    type Item = Result<(u64, Vec<u8>), LogError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.buffer.is_empty() && !self.done {
            match self.remote.page(self.next, PAGE) {
                Ok(page) => {
                    self.done = page.len() < PAGE;
                    if let Some((last, _)) = page.last() {
                        self.next = last + 1;
                    }
                    self.buffer.extend(page);
                }
                Err(error) => {
                    self.done = true;
                    return Some(Err(LogError::Store {
                        detail: error.to_string(),
                    }));
                }
            }
        }
        self.buffer.pop_front().map(Ok)
    }
}
