//! Checks of the operations sections of the config (`[breaker]`, `[notify]` channels, the admin
//! token of `[http]`), kept apart from the trading sections' checks in `config.rs`.

use std::path::Path;

use premia_actors::notify::config::ChannelKind;

use crate::config::{Config, ConfigError, HttpConfig, NotifyConfig};

impl HttpConfig {
    /// The admin token, if one is configured; an error names what could not be read.
    pub fn admin_token(
        &self,
    ) -> Result<Option<premia_actors::secret::Secret>, premia_actors::secret::SecretError> {
        if self.admin_token_env.is_none() && self.admin_token_file.is_none() {
            return Ok(None);
        }
        premia_actors::secret::load(
            "http.admin_token",
            self.admin_token_env.as_deref(),
            self.admin_token_file.as_deref(),
        )
        .map(Some)
    }
}

impl NotifyConfig {
    /// What the chat channels need.
    pub fn settings(&self) -> premia_actors::notify::config::NotifySettings {
        premia_actors::notify::config::NotifySettings {
            channels: self.channels.clone(),
            retry: self.retry,
            rate_limit: self.rate_limit,
            queue: self.queue,
            mute: self.mute.clone(),
            levels: self.levels.clone(),
            templates: self.templates.clone(),
        }
    }
}

/// Validates `[breaker]`, `[[notify.channels]]` and the admin token rule.
pub fn validate(config: &Config, path: &Path) -> Result<(), ConfigError> {
    let invalid = |key: &'static str, message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        key,
        message,
    };
    if let Err(bad) = config.breaker.policies() {
        return Err(invalid("breaker.rules.pattern", bad.to_string()));
    }
    if let Some(shared) = &config.breaker.shared
        && (shared.bucket.is_empty()
            || !shared
                .bucket
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
    {
        return Err(invalid(
            "breaker.shared.bucket",
            format!("{:?}: use letters, digits, _ and -", shared.bucket),
        ));
    }
    let http = &config.http;
    if !http.listen.ip().is_loopback()
        && http.admin_token_env.is_none()
        && http.admin_token_file.is_none()
    {
        return Err(invalid(
            "http.admin_token_env",
            format!(
                "http.listen {} is beyond loopback: the admin API needs a token (admin_token_env or admin_token_file)",
                http.listen
            ),
        ));
    }
    let mut names = std::collections::BTreeSet::new();
    for channel in &config.notify.channels {
        if channel.name.is_empty() || !names.insert(channel.name.clone()) {
            return Err(invalid(
                "notify.channels.name",
                format!(
                    "channel names must be unique and non-empty: {:?}",
                    channel.name
                ),
            ));
        }
        if channel.levels.is_empty() {
            return Err(invalid(
                "notify.channels.levels",
                format!("channel {:?} takes no level", channel.name),
            ));
        }
        let has_url = channel.url_env.is_some() || channel.url_file.is_some();
        let problem = match channel.kind {
            ChannelKind::Telegram if channel.chat_id.is_none() => Some("chat_id is required"),
            ChannelKind::Telegram
                if channel.token_env.is_none() && channel.token_file.is_none() =>
            {
                Some("token_env or token_file is required (never the token itself)")
            }
            ChannelKind::Slack | ChannelKind::Discord if channel.url.is_some() => {
                Some("the webhook URL holds a token: give url_env or url_file, not url")
            }
            ChannelKind::Slack | ChannelKind::Discord if !has_url => {
                Some("url_env or url_file is required")
            }
            ChannelKind::Webhook if !has_url && channel.url.is_none() => {
                Some("url, url_env or url_file is required")
            }
            _ => None,
        };
        if let Some(problem) = problem {
            return Err(invalid(
                "notify.channels",
                format!("channel {:?}: {problem}", channel.name),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::Config;

    #[test]
    fn operations_sections_are_checked_with_the_key_named() {
        for (case, text, want) in [
            (
                "TC1: bad pattern",
                "[[breaker.rules]]\npattern = \"upbit/order\"\n",
                "cfg.toml: breaker.rules.pattern: breaker pattern \"upbit/order\" must be exchange/region/request_type",
            ),
            (
                "TC2: beyond loopback without a token",
                "[http]\nlisten = \"0.0.0.0:9464\"\n",
                "cfg.toml: http.admin_token_env: http.listen 0.0.0.0:9464 is beyond loopback",
            ),
            (
                "TC3: telegram without chat",
                "[[notify.channels]]\nname = \"t\"\nkind = \"telegram\"\ntoken_env = \"X\"\n",
                "cfg.toml: notify.channels: channel \"t\": chat_id is required",
            ),
            (
                "TC4: slack URL in the config",
                "[[notify.channels]]\nname = \"s\"\nkind = \"slack\"\nurl = \"https://hooks.slack.com/services/T/B/SECRET\"\n",
                "cfg.toml: notify.channels: channel \"s\": the webhook URL holds a token",
            ),
            (
                "TC5: duplicate names",
                "[[notify.channels]]\nname = \"w\"\nkind = \"webhook\"\nurl = \"http://x\"\n[[notify.channels]]\nname = \"w\"\nkind = \"webhook\"\nurl = \"http://y\"\n",
                "cfg.toml: notify.channels.name: channel names must be unique",
            ),
            (
                "TC6: unknown level",
                "[[notify.channels]]\nname = \"w\"\nkind = \"webhook\"\nurl = \"http://x\"\nlevels = [\"LOUD\"]\n",
                "cfg.toml:5:",
            ),
        ] {
            let error = Config::parse(Path::new("cfg.toml"), text)
                .map(|_| ())
                .expect_err(case)
                .to_string();
            assert!(error.starts_with(want), "{case}: {error}");
        }
        let ok = "[http]\nlisten = \"0.0.0.0:9464\"\nadmin_token_env = \"PREMIA_ADMIN_TOKEN\"\n[[breaker.rules]]\npattern = \"*/kr/order\"\nfailures = 2\n[breaker.shared]\nservers = \"nats://127.0.0.1:4222\"\n";
        assert!(
            Config::parse(Path::new("cfg.toml"), ok).is_ok(),
            "TC7: a valid operations config"
        );
    }
}
