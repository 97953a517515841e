//! Secrets (API keys, bot tokens, webhook URLs that embed tokens, HMAC keys, admin tokens, NATS
//! passwords and seeds): read from an environment variable or a file named in the config, never
//! from the config file itself, and never printed: [`Secret`]'s `Debug` and `Display` show `***`.
//!
//! The config names a source in one of two shapes, both read by the same code: flat keys
//! `<what>_env` / `<what>_file` ([`load`], the notifier's and the admin API's settings), or a
//! table `{ env = "VAR" }` / `{ file = "path" }` ([`SecretRef`], the `[nats]` settings).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

/// A secret value. Its `Debug`/`Display` print `***`; [`Secret::expose`] is the only way in.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that needs it (a request, a connect option, a comparison).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Compares with `other` in time independent of where they differ (for tokens).
    pub fn matches(&self, other: &str) -> bool {
        constant_time_eq(self.0.as_bytes(), other.as_bytes())
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Equality of two byte strings whose running time depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = u8::from(a.len() != b.len());
    let longest = a.len().max(b.len());
    for i in 0..longest {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0xff);
        diff |= x ^ y;
    }
    diff == 0
}

/// A secret that could not be read. Names the config key and the variable or file, never the
/// value. Terminal: fix the environment or the file.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum SecretError {
    /// Neither a variable nor a file was named.
    #[error("{what}: name an environment variable ({what}_env) or a file ({what}_file)")]
    NotConfigured {
        /// The config key, e.g. `token`.
        what: String,
    },
    /// A `{ env, file }` table named neither or both.
    #[error("{what}: give exactly one of env = \"VAR\" or file = \"path\"")]
    Ambiguous {
        /// The config key.
        what: String,
    },
    /// The variable is unset, not UTF-8 or empty.
    #[error("{what}: environment variable {var} is not set")]
    MissingEnv {
        /// The config key.
        what: String,
        /// The variable.
        var: String,
    },
    /// The file is unreadable.
    #[error("{what}: cannot read {path}: {detail}")]
    File {
        /// The config key.
        what: String,
        /// The file.
        path: String,
        /// Why.
        detail: String,
    },
    /// The file holds nothing but white space.
    #[error("{what}: {path} is empty")]
    Empty {
        /// The config key.
        what: String,
        /// The file.
        path: String,
    },
}

/// Reads a secret from the variable `env` or the file `file` (trimmed); the variable wins.
pub fn load(what: &str, env: Option<&str>, file: Option<&Path>) -> Result<Secret, SecretError> {
    if let Some(var) = env {
        return match std::env::var(var) {
            Ok(value) if !value.trim().is_empty() => Ok(Secret(value.trim().to_owned())),
            _ => Err(SecretError::MissingEnv {
                what: what.to_owned(),
                var: var.to_owned(),
            }),
        };
    }
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|e| SecretError::File {
            what: what.to_owned(),
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        let value = text.trim();
        if value.is_empty() {
            return Err(SecretError::Empty {
                what: what.to_owned(),
                path: path.display().to_string(),
            });
        }
        return Ok(Secret(value.to_owned()));
    }
    Err(SecretError::NotConfigured {
        what: what.to_owned(),
    })
}

/// Where a secret comes from, as a config table names it: `{ env = "VAR" }` or
/// `{ file = "path" }`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretRef {
    /// An environment variable holding the secret.
    #[serde(default)]
    pub env: Option<String>,
    /// A file holding the secret (surrounding white space is trimmed).
    #[serde(default)]
    pub file: Option<PathBuf>,
}

impl SecretRef {
    /// Checks the shape (exactly one source) without reading anything.
    pub fn check(&self, what: &str) -> Result<(), SecretError> {
        match (&self.env, &self.file) {
            (Some(_), None) | (None, Some(_)) => Ok(()),
            _ => Err(SecretError::Ambiguous { what: what.into() }),
        }
    }

    /// Reads the secret; `what` names the config key in errors.
    pub fn load(&self, what: &str) -> Result<Secret, SecretError> {
        self.check(what)?;
        load(what, self.env.as_deref(), self.file.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print_and_compare_in_constant_time() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "*** ***");
        assert_eq!(s.expose(), "hunter2", "exposed on purpose");
        for (case, other, equal) in [
            ("TC1: same", "hunter2", true),
            ("TC2: prefix", "hunter", false),
            ("TC3: longer", "hunter22", false),
            ("TC4: one byte off", "hunter3", false),
            ("TC5: empty", "", false),
        ] {
            assert_eq!(s.matches(other), equal, "{case}");
        }
    }

    #[test]
    fn secrets_come_from_one_place_and_errors_name_where() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "s3cret\n").unwrap();
        let blank = dir.path().join("blank");
        std::fs::write(&blank, " \n").unwrap();
        let unset = "PREMIA_TEST_SURELY_UNSET_VAR";
        let table = |env: Option<&str>, file: Option<&Path>| SecretRef {
            env: env.map(str::to_owned),
            file: file.map(Path::to_path_buf),
        };
        let cases: Vec<(&str, Result<Secret, SecretError>, Result<&str, SecretError>)> = vec![
            (
                "TC0 file, trimmed",
                load("k", None, Some(&path)),
                Ok("s3cret"),
            ),
            (
                "TC1 table file",
                table(None, Some(&path)).load("k"),
                Ok("s3cret"),
            ),
            (
                "TC2 nothing named",
                load("k", None, None),
                Err(SecretError::NotConfigured { what: "k".into() }),
            ),
            (
                "TC3 table names both",
                table(Some("X"), Some(&path)).load("k"),
                Err(SecretError::Ambiguous { what: "k".into() }),
            ),
            (
                "TC4 table names neither",
                table(None, None).load("k"),
                Err(SecretError::Ambiguous { what: "k".into() }),
            ),
            (
                "TC5 unset variable",
                load("k", Some(unset), None),
                Err(SecretError::MissingEnv {
                    what: "k".into(),
                    var: unset.into(),
                }),
            ),
            (
                "TC6 blank file",
                load("k", None, Some(&blank)),
                Err(SecretError::Empty {
                    what: "k".into(),
                    path: blank.display().to_string(),
                }),
            ),
        ];
        for (name, got, want) in cases {
            match want {
                Ok(value) => assert_eq!(
                    got.map(|s| s.expose().to_owned()),
                    Ok(value.to_owned()),
                    "{name}"
                ),
                Err(error) => assert_eq!(got.map(|_| ()), Err(error), "{name}"),
            }
        }
    }
}
