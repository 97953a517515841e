//! premia: the binary's library half — command line, config, and the commands — so that tests
//! can drive the same code the `premia` binary runs.
//!
//! The crates below it: `premia-events` (vocabulary and the event log), `premia-snapshots`
//! (state fold and snapshots), `premia-actors` (the daemon's actors). This crate only wires them
//! to a command line; it is the one place that uses `anyhow`.

#![forbid(unsafe_code)]

pub mod admin;
pub mod cli;
pub mod commands;
pub mod config;
pub mod config_ops;
pub mod config_venues;
pub mod daemon;
pub mod daemon_nats;
pub mod http;
pub mod live;
pub mod ops;

use std::process::ExitCode;

use clap::Parser;

use cli::{AuditCommand, BenchCommand, Cli, Command, EventsCommand, SnapshotCommand};
use commands::Context;
use config::Config;

/// Parses the command line, runs the command, and turns the outcome into an exit status:
/// 0 success, 1 failure (one line on stderr), 2 usage error.
pub fn main_entry() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", one_line(&error));
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

/// The error and its causes on one line, without repeating a cause that the message already says.
fn one_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line.replace('\n', " ")
}

/// The config `premia run` uses when `--config` is not given.
pub const DEFAULT_CONFIG: &str = "config/default.toml";

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    // One TLS provider for the whole process (reqwest, tungstenite and async-nats share rustls).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config_path = match (&cli.config, &cli.command) {
        (Some(path), _) => Some(path.clone()),
        (None, Command::Run) => {
            let default = std::path::PathBuf::from(DEFAULT_CONFIG);
            if !default.exists() {
                anyhow::bail!(
                    "no config: pass --config FILE (or run from the repository, which has {DEFAULT_CONFIG})"
                );
            }
            Some(default)
        }
        (None, _) => None,
    };
    let config = match &config_path {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let data_dir = cli
        .data_dir
        .clone()
        .unwrap_or_else(|| config.storage.data_dir.clone());
    if let Command::Run = cli.command {
        return daemon::run(daemon::RunArgs {
            config_path,
            config,
            data_dir,
        });
    }
    let ctx = Context { config, data_dir };
    match &cli.command {
        Command::Run => Ok(()),
        Command::Events(EventsCommand::Ls(args)) => commands::events::ls(&ctx, args),
        Command::Events(EventsCommand::Show { seq }) => commands::events::show(&ctx, *seq),
        Command::Events(EventsCommand::Export(args)) => commands::events::export(&ctx, args),
        Command::Audit(AuditCommand::Verify { json }) => commands::audit::verify(&ctx, *json),
        Command::Audit(AuditCommand::Orders { client_order_id }) => {
            commands::orders::timeline(&ctx, client_order_id.as_deref())
        }
        Command::Orders(args) => commands::orders::list(&ctx, args.open, args.json),
        Command::State(args) => {
            commands::state::show(&ctx, args.at.as_deref(), args.json, args.from_snapshot)
        }
        Command::Snapshot(SnapshotCommand::Create) => commands::snapshot::create(&ctx),
        Command::Snapshot(SnapshotCommand::Ls { json }) => commands::snapshot::ls(&ctx, *json),
        Command::Snapshot(SnapshotCommand::Verify) => commands::snapshot::verify(&ctx),
        Command::Bench(BenchCommand::Log(args)) => commands::bench::log(&ctx, args),
        Command::Bench(BenchCommand::Decode(args)) => commands::bench_decode::run(args),
        Command::Bench(BenchCommand::Mirror(args)) => commands::bench_mirror::run(&ctx, args),
        Command::Decode(args) => commands::decode::run(args),
        Command::Breaker(command) => commands::breaker::run(&ctx, command),
        Command::Notify(cli::NotifyCommand::Test { channel }) => {
            commands::notify::test(&ctx, channel.as_deref())
        }
        Command::Tail(args) => commands::tail::run(&ctx, args),
        Command::Record(args) => commands::record::record(&commands::record::RecordArgs {
            exchange: args.exchange,
            markets: args.market.clone(),
            depth: args.depth,
            out: args.out.clone(),
            url: args.url.clone(),
            duration: args.duration_ms.map(std::time::Duration::from_millis),
        }),
    }
}
