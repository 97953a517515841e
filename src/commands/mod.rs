//! One module per command. Each takes the resolved [`Context`] and its arguments and returns
//! `anyhow::Result`: errors become one line on stderr and exit status 1.

pub mod audit;
pub mod bench;
pub mod events;
pub mod snapshot;
pub mod state;

use std::path::PathBuf;

use anyhow::Context as _;
use premia_events::log::LogReader;

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
    /// Opens the log in the data dir for reading.
    pub fn reader(&self) -> anyhow::Result<LogReader> {
        LogReader::open(&self.data_dir)
            .with_context(|| format!("cannot read the event log in {}", self.data_dir.display()))
    }
}

/// Writes to stdout; a closed pipe (`premia events ls | head`) ends the command quietly.
pub fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
}
