//! premia's configuration: TOML, validated on load, with errors that name the file, line and key.

use std::path::{Path, PathBuf};

use premia_events::log::Durability;
use serde::Deserialize;
use thiserror::Error;

/// A config file that could not be used. One line, naming the file and where in it.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read config: {detail}", path = .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        detail: String,
    },
    /// The file is not valid TOML for premia's schema.
    #[error("{path}:{line}:{column}: {message}", path = .path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong (names the key).
        message: String,
    },
    /// A value is out of range.
    #[error("{path}: {key}: {message}", path = .path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The dotted key.
        key: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// The whole config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where and how the event log is kept.
    #[serde(default)]
    pub storage: StorageConfig,
}

/// `[storage]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    /// The data dir (relative paths are relative to the working directory).
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// `process` or `power`; default `power` when a live venue is configured, else `process`.
    #[serde(default)]
    pub durability: Option<Durability>,
    /// sled's cache in MiB.
    #[serde(default = "default_cache_mib")]
    pub cache_mib: u64,
}

impl Default for StorageConfig {
    fn default() -> StorageConfig {
        StorageConfig {
            data_dir: default_data_dir(),
            durability: None,
            cache_mib: default_cache_mib(),
        }
    }
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("./data")
}

fn default_cache_mib() -> u64 {
    128
}

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        Config::parse(path, &text)
    }

    /// Parses and validates config text; `path` is only used in messages.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((1, 1), |span| line_column(text, span.start));
            ConfigError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                message: e.message().trim().replace('\n', " "),
            }
        })?;
        config.validate(path)?;
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        if !(8..=65_536).contains(&self.storage.cache_mib) {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                key: "storage.cache_mib",
                message: format!("{} is outside 8..=65536", self.storage.cache_mib),
            });
        }
        Ok(())
    }

    /// The durability to use: as configured, else `power` when a live venue is configured.
    pub fn durability(&self) -> Durability {
        self.storage.durability.unwrap_or(Durability::Process)
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_file_line_and_key() {
        let cases = [
            (
                "[storage]\ndata_dir = \"x\"\nbogus = 1\n",
                "cfg.toml:3:1: unknown field `bogus`",
            ),
            (
                "[storage]\ncache_mib = \"big\"\n",
                "cfg.toml:2:13: invalid type: string \"big\", expected u64",
            ),
            (
                "[storage]\ndurability = \"disk\"\n",
                "cfg.toml:2:14: unknown variant `disk`",
            ),
            (
                "[storage]\ncache_mib = 1\n",
                "cfg.toml: storage.cache_mib: 1 is outside 8..=65536",
            ),
            ("[storag]\n", "cfg.toml:1:2: unknown field `storag`"),
        ];
        for (index, (text, expected)) in cases.into_iter().enumerate() {
            let err = Config::parse(Path::new("cfg.toml"), text)
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(expected), "TC{index}: {err}");
            assert!(!err.contains('\n'), "TC{index}: one line: {err}");
        }
    }

    #[test]
    fn an_empty_file_is_all_defaults() {
        let config = Config::parse(Path::new("x"), "").unwrap();
        assert_eq!(config.storage.data_dir, PathBuf::from("./data"));
        assert_eq!(config.durability(), Durability::Process);
    }
}
