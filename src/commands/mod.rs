//! One module per command. Each takes the resolved [`Context`] and its arguments and returns
//! `anyhow::Result`: errors become one line on stderr and exit status 1.

pub mod audit;
pub mod bench;
pub mod bench_decode;
pub mod bench_mirror;
pub mod breaker;
pub mod decode;
pub mod events;
pub mod notify;
pub mod orders;
pub mod record;
pub mod snapshot;
pub mod source;
pub mod state;
pub mod tail;

use std::path::PathBuf;

use crate::config::Config;

/// What every command knows: the config and the data dir.
#[derive(Debug, Clone)]
pub struct Context {
    /// The loaded config (defaults when no file was given).
    pub config: Config,
    /// The data dir: `--data-dir`, else the config's, else `./data`.
    pub data_dir: PathBuf,
}

impl Context {
    /// The log to read: the data dir, or the daemon that holds it.
    pub fn source(&self) -> anyhow::Result<source::LogSource> {
        source::LogSource::open(&self.data_dir)
    }
}

/// Writes to stdout; a closed pipe (`premia events ls | head`) ends the command quietly.
pub fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
}
