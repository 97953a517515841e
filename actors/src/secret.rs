//! Secrets (API keys, bot tokens, webhook URLs that embed tokens, HMAC keys, admin tokens):
//! read from an environment variable or a file named in the config, never from the config file
//! itself, and never printed: [`Secret`]'s `Debug` and `Display` show `***`.

use std::path::Path;

/// A secret value. Its `Debug`/`Display` print `***`; [`Secret::expose`] is the only way in.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that needs it (a request, a comparison).
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

/// A secret that could not be read. Names the variable or file, never the value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    /// Neither a variable nor a file was named.
    #[error("{what}: name an environment variable ({what}_env) or a file ({what}_file)")]
    NotConfigured {
        /// The config key stem, e.g. `token`.
        what: String,
    },
    /// The variable is unset or empty.
    #[error("{what}: environment variable {var} is not set")]
    MissingEnv {
        /// The config key stem.
        what: String,
        /// The variable.
        var: String,
    },
    /// The file is unreadable or empty.
    #[error("{what}: cannot read {path}: {detail}")]
    File {
        /// The config key stem.
        what: String,
        /// The file.
        path: String,
        /// Why.
        detail: String,
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
        let error = |detail: String| SecretError::File {
            what: what.to_owned(),
            path: path.display().to_string(),
            detail,
        };
        let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
        let value = text.trim();
        if value.is_empty() {
            return Err(error("empty".into()));
        }
        return Ok(Secret(value.to_owned()));
    }
    Err(SecretError::NotConfigured {
        what: what.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print_and_compare_in_constant_time() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "*** ***");
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
    fn secrets_come_from_a_file_and_errors_name_where() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "abc\n").unwrap();
        assert_eq!(load("token", None, Some(&path)).unwrap().expose(), "abc");
        let missing = load("token", Some("PREMIA_TEST_SURELY_UNSET_VAR"), None).unwrap_err();
        assert!(
            missing.to_string().contains("PREMIA_TEST_SURELY_UNSET_VAR"),
            "{missing}"
        );
        assert!(matches!(
            load("token", None, None),
            Err(SecretError::NotConfigured { .. })
        ));
    }
}
