//! `premia breaker ls|open|close|reset`: the running daemon's circuit breakers, through its admin
//! API (found through `<data dir>/premia.http`; the token, if the config names one, is sent as
//! `Authorization: Bearer`).

use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};

use super::Context;
use crate::cli::BreakerCommand;
use crate::daemon::DAEMON_FILE;

struct Admin {
    base: String,
    token: Option<premia_actors::secret::Secret>,
    client: reqwest::blocking::Client,
}

impl Admin {
    fn new(ctx: &Context) -> anyhow::Result<Admin> {
        let file = ctx.data_dir.join(DAEMON_FILE);
        let addr = std::fs::read_to_string(&file).map_err(|_| {
            anyhow!(
                "no running daemon holds {} ({} not found): breakers live in the daemon; start `premia run` first",
                ctx.data_dir.display(),
                file.display()
            )
        })?;
        let token = ctx
            .config
            .http
            .admin_token()
            .map_err(|e| anyhow!("admin API token: {e}"))?;
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(30))
            .no_proxy()
            .build()
            .context("cannot build an HTTP client")?;
        Ok(Admin {
            base: format!("http://{}", addr.trim()),
            token,
            client,
        })
    }

    fn call(
        &self,
        post: Option<serde_json::Value>,
        path: &str,
    ) -> anyhow::Result<serde_json::Value> {
        let url = format!("{}{path}", self.base);
        let mut request = match &post {
            Some(body) => self.client.post(&url).json(body),
            None => self.client.get(&url),
        };
        if let Some(token) = &self.token {
            request = request.bearer_auth(token.expose());
        }
        let response = request
            .send()
            .with_context(|| format!("the daemon does not answer at {url}"))?;
        let status = response.status();
        let body: serde_json::Value = response
            .json()
            .with_context(|| format!("{url}: the answer is not JSON"))?;
        if !status.is_success() {
            let message = body
                .get("error")
                .and_then(|e| e.as_str())
                .unwrap_or("no detail");
            bail!("{status}: {message}");
        }
        Ok(body)
    }
}

fn by() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

/// Runs a `premia breaker` command.
pub fn run(ctx: &Context, command: &BreakerCommand) -> anyhow::Result<()> {
    let admin = Admin::new(ctx)?;
    let (path, body) = match command {
        BreakerCommand::Ls { json } => {
            let list = admin.call(None, "/api/v1/breakers")?;
            let rows = list.as_array().cloned().unwrap_or_default();
            if *json {
                for row in rows {
                    println!("{row}");
                }
                return Ok(());
            }
            print_table(&rows);
            return Ok(());
        }
        BreakerCommand::Open { key, reason } => (
            "/api/v1/breakers/open",
            serde_json::json!({ "key": key, "reason": reason, "by": by() }),
        ),
        BreakerCommand::Close { key } => (
            "/api/v1/breakers/close",
            serde_json::json!({ "key": key, "by": by() }),
        ),
        BreakerCommand::Reset { key, all } => (
            "/api/v1/breakers/reset",
            serde_json::json!({ "key": key, "all": all, "by": by() }),
        ),
    };
    let outcome = admin.call(Some(body), path)?;
    let transitions = outcome
        .get("transitions")
        .unwrap_or(&serde_json::Value::Null)
        .as_array()
        .cloned()
        .unwrap_or_default();
    if transitions.is_empty() {
        println!("no change (already in that state); recorded as an operator command");
    }
    for t in transitions {
        println!("{} (operator; recorded)", t.as_str().unwrap_or_default());
    }
    Ok(())
}

fn print_table(rows: &[serde_json::Value]) {
    if rows.is_empty() {
        println!("no breakers yet (a breaker appears when first asked, or when forced open)");
        return;
    }
    println!("{:<28} {:<10} {:<7} OPEN SINCE", "KEY", "STATE", "FORCED");
    for row in rows {
        println!(
            "{:<28} {:<10} {:<7} {}",
            row.get("key")
                .unwrap_or(&serde_json::Value::Null)
                .as_str()
                .unwrap_or_default(),
            row.get("state")
                .unwrap_or(&serde_json::Value::Null)
                .as_str()
                .unwrap_or_default(),
            if row
                .get("forced")
                .unwrap_or(&serde_json::Value::Null)
                .as_bool()
                .unwrap_or(false)
            {
                "yes"
            } else {
                "no"
            },
            row.get("open_since")
                .unwrap_or(&serde_json::Value::Null)
                .as_str()
                .unwrap_or("-"),
        );
    }
}
