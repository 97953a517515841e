//! Secrets: read from an environment variable or a file named in the config (never written in the
//! config itself), and redacted wherever they could be printed.

use std::path::PathBuf;

use serde::Deserialize;
use thiserror::Error;

/// A secret value. `Debug` and `Display` print `***`; only [`Secret::expose`] gives the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one call that needs it (e.g. a connect option).
    pub fn expose(&self) -> &str {
        &self.0
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

/// Where a secret comes from, as the config names it: `{ env = "VAR" }` or `{ file = "path" }`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretRef {
    /// An environment variable holding the secret.
    #[serde(default)]
    pub env: Option<String>,
    /// A file holding the secret (surrounding whitespace is trimmed).
    #[serde(default)]
    pub file: Option<PathBuf>,
}

/// A secret that could not be read. Terminal: fix the environment or the file.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum SecretError {
    /// Neither or both of `env` and `file` were given.
    #[error("{key}: give exactly one of env = \"VAR\" or file = \"path\"")]
    Ambiguous {
        /// The config key.
        key: String,
    },
    /// The environment variable is not set (or not UTF-8).
    #[error("{key}: environment variable {var} is not set")]
    MissingEnv {
        /// The config key.
        key: String,
        /// The variable.
        var: String,
    },
    /// The file could not be read.
    #[error("{key}: cannot read {path}: {detail}")]
    File {
        /// The config key.
        key: String,
        /// The file.
        path: String,
        /// The OS error.
        detail: String,
    },
    /// The value is empty.
    #[error("{key}: the secret is empty")]
    Empty {
        /// The config key.
        key: String,
    },
}

impl SecretRef {
    /// Checks the shape (exactly one source) without reading anything.
    pub fn check(&self, key: &str) -> Result<(), SecretError> {
        match (&self.env, &self.file) {
            (Some(_), None) | (None, Some(_)) => Ok(()),
            _ => Err(SecretError::Ambiguous { key: key.into() }),
        }
    }

    /// Reads the secret; `key` names the config key in errors.
    pub fn load(&self, key: &str) -> Result<Secret, SecretError> {
        self.check(key)?;
        let value = match (&self.env, &self.file) {
            (Some(var), _) => std::env::var(var).map_err(|_| SecretError::MissingEnv {
                key: key.into(),
                var: var.clone(),
            })?,
            (None, Some(path)) => std::fs::read_to_string(path)
                .map_err(|e| SecretError::File {
                    key: key.into(),
                    path: path.display().to_string(),
                    detail: e.to_string(),
                })?
                .trim()
                .to_owned(),
            (None, None) => return Err(SecretError::Ambiguous { key: key.into() }),
        };
        if value.is_empty() {
            return Err(SecretError::Empty { key: key.into() });
        }
        Ok(Secret(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?} {secret}"), "*** ***", "TC0: redacted");
        assert_eq!(secret.expose(), "hunter2", "TC1: exposed on purpose");
    }

    #[test]
    fn a_secret_comes_from_exactly_one_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "s3cret\n").unwrap();
        let cases: Vec<(&str, SecretRef, Result<&str, SecretError>)> = vec![
            (
                "TC0 file, trimmed",
                SecretRef {
                    env: None,
                    file: Some(path.clone()),
                },
                Ok("s3cret"),
            ),
            (
                "TC1 neither",
                SecretRef {
                    env: None,
                    file: None,
                },
                Err(SecretError::Ambiguous { key: "k".into() }),
            ),
            (
                "TC2 both",
                SecretRef {
                    env: Some("X".into()),
                    file: Some(path.clone()),
                },
                Err(SecretError::Ambiguous { key: "k".into() }),
            ),
            (
                "TC3 unset variable",
                SecretRef {
                    env: Some("PREMIA_TEST_SURELY_UNSET_VAR".into()),
                    file: None,
                },
                Err(SecretError::MissingEnv {
                    key: "k".into(),
                    var: "PREMIA_TEST_SURELY_UNSET_VAR".into(),
                }),
            ),
        ];
        for (name, source, want) in cases {
            let got = source.load("k");
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
