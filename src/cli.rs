//! The command line (clap). Every command takes `--data-dir` (default: the config's
//! `storage.data_dir`, else `./data`) and `--config`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// premia: a supervised trading daemon with a hash-chained event log.
#[derive(Debug, Parser)]
#[command(name = "premia", version, about, propagate_version = true)]
pub struct Cli {
    /// Config file (TOML).
    #[arg(long, global = true, env = "PREMIA_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data dir holding the event log (default: the config's storage.data_dir, else ./data).
    #[arg(long, global = true, env = "PREMIA_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon: feeds, signals, orders, notifications, HTTP (health, metrics). Uses
    /// --config, else config/default.toml.
    Run,
    /// List, show and export the events in the log.
    #[command(subcommand)]
    Events(EventsCommand),
    /// List orders and where they are in their lifecycle (from the log).
    Orders(OrdersArgs),
    /// Check the log's integrity.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Show the state rebuilt from the log (orders, balances, positions, breakers).
    State(StateArgs),
    /// Create, list and verify state snapshots.
    #[command(subcommand)]
    Snapshot(SnapshotCommand),
    /// Measure premia on this machine.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Decode raw exchange frames (one per line) into JSON lines: for adding markets and
    /// debugging a feed. Any market, unless --market is given.
    Decode(DecodeArgs),
    /// Record an exchange's public WebSocket frames, with receive times, to a tape that replays
    /// as a feed (`source = "tape"`).
    Record(RecordCli),
    /// Print the events mirrored to NATS JetStream as JSON lines: the reference subscriber.
    /// Uses the config's [nats] (or --server).
    Tail(TailArgs),
    /// Circuit breakers of the running daemon (its admin API): list, open (kill switch), close,
    /// reset.
    #[command(subcommand)]
    Breaker(BreakerCommand),
    /// Notification channels: send a test message.
    #[command(subcommand)]
    Notify(NotifyCommand),
}

/// `premia breaker`
#[derive(Debug, Subcommand)]
pub enum BreakerCommand {
    /// List every breaker: key, state, whether an operator forced it, since when it is open.
    Ls {
        /// One JSON object per breaker.
        #[arg(long)]
        json: bool,
    },
    /// Force a breaker open (kill switch): it refuses every call until an operator closes it.
    Open {
        /// `exchange/region/request_type`, e.g. `paper/local/order`.
        key: String,
        /// Why (recorded with the operator command).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Close a breaker.
    Close {
        /// `exchange/region/request_type`.
        key: String,
    },
    /// Close a breaker and clear its counters (or every breaker, with --all).
    Reset {
        /// `exchange/region/request_type`.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        key: Option<String>,
        /// Every breaker.
        #[arg(long)]
        all: bool,
    },
}

/// `premia notify`
#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Send a test message through each configured channel (or one) and print each outcome;
    /// exits 1 if any failed.
    Test {
        /// Only this channel (its `name`).
        #[arg(long, value_name = "NAME")]
        channel: Option<String>,
    },
}

/// `premia tail`
#[derive(Debug, Args)]
pub struct TailArgs {
    /// Subject filter (default: premia.<instance>.events.> , or .<kind> with --kind).
    #[arg(long, value_name = "S")]
    pub subject: Option<String>,
    /// Only events of this kind (e.g. order_filled).
    #[arg(long, value_name = "K")]
    pub kind: Option<String>,
    /// Start at this event seq (earlier events in the stream are skipped).
    #[arg(long, value_name = "N")]
    pub from_seq: Option<u64>,
    /// A durable consumer of this name: it resumes where it stopped (events are acknowledged
    /// once printed). Without it the consumer is ephemeral and starts at the stream's beginning.
    #[arg(long, value_name = "NAME")]
    pub durable: Option<String>,
    /// Server URL (default: the config's nats.servers, else nats://127.0.0.1:4222).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// Instance whose events to follow (default: the config's instance if it has [nats], else
    /// every instance: `*`).
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
    /// Exit after this many events.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
}

/// `premia record`
#[derive(Debug, Args)]
pub struct RecordCli {
    /// The exchange.
    #[arg(long, value_name = "EX")]
    pub exchange: premia_events::Exchange,
    /// A market to subscribe to (BASE/QUOTE; repeat for several).
    #[arg(long, value_name = "BASE/QUOTE", required = true)]
    pub market: Vec<premia_events::Market>,
    /// Where to write the tape.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Book depth to subscribe to.
    #[arg(long, default_value_t = 15)]
    pub depth: usize,
    /// WebSocket base URL (default: the exchange's public endpoint).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Stop after this many milliseconds (default: at Ctrl-C).
    #[arg(long, value_name = "MS")]
    pub duration_ms: Option<u64>,
}

/// `premia decode`
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// The exchange the frames come from (upbit, bithumb, korbit, coinone, okx, bybit, gateio,
    /// binance, kraken).
    #[arg(long, value_name = "EX")]
    pub exchange: String,
    /// The frames, one per line; `-` or nothing: standard input.
    #[arg(value_name = "FILE|-")]
    pub input: Option<PathBuf>,
    /// The lines are REST response bodies, not WebSocket frames.
    #[arg(long)]
    pub rest: bool,
    /// Decode as the daemon would for these markets only (BASE/QUOTE; repeat for several):
    /// frames of other markets are `unknown`. Also names the market of a REST order-book body,
    /// which on Binance, OKX, Gate.io and Korbit does not name its own. Default: any market.
    #[arg(long, value_name = "BASE/QUOTE")]
    pub market: Vec<String>,
    /// Book depth to keep, in levels per side (the exchange's nearest offered depth with
    /// --market; default: every level the frame has).
    #[arg(long, value_name = "N")]
    pub depth: Option<usize>,
}

/// `premia events …`
#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// One line per event.
    Ls(EventsLs),
    /// One event in full (JSON).
    Show {
        /// The event's seq.
        seq: u64,
    },
    /// Every event (or a range) as JSON lines or CSV.
    Export(EventsExport),
}

/// Which events.
#[derive(Debug, Clone, Args)]
pub struct Range {
    /// First seq (inclusive).
    #[arg(long, value_name = "SEQ")]
    pub from: Option<u64>,
    /// Last seq (inclusive).
    #[arg(long, value_name = "SEQ")]
    pub to: Option<u64>,
    /// Only events of this kind (e.g. order_filled); repeat for several.
    #[arg(long, value_name = "KIND")]
    pub kind: Vec<String>,
}

/// `premia events ls`
#[derive(Debug, Args)]
pub struct EventsLs {
    /// Which events.
    #[command(flatten)]
    pub range: Range,
    /// JSON lines instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One JSON envelope per line.
    Jsonl,
    /// CSV with a header row; the payload is a JSON column.
    Csv,
}

/// `premia events export`
#[derive(Debug, Args)]
pub struct EventsExport {
    /// Output format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Write here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Which events.
    #[command(flatten)]
    pub range: Range,
}

/// `premia audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the whole log: decode, seq continuity and hash chain. Exit 1 naming the first bad seq.
    Verify {
        /// A JSON object instead of a line.
        #[arg(long)]
        json: bool,
    },
    /// An order's lifecycle: its signal, intent, every submit, the venue's answers and fills,
    /// each with what caused it. Without an id: every order.
    Orders {
        /// The client order id (any id of a resubmitted intent shows the whole intent).
        client_order_id: Option<String>,
    },
}

/// `premia orders`
#[derive(Debug, Args)]
pub struct OrdersArgs {
    /// Only orders that are not terminal.
    #[arg(long)]
    pub open: bool,
    /// One JSON object per order instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `premia state`
#[derive(Debug, Args)]
pub struct StateArgs {
    /// The state as of this seq or RFC 3339 time (default: the end of the log).
    #[arg(long, value_name = "SEQ|TIME")]
    pub at: Option<String>,
    /// JSON instead of a summary.
    #[arg(long)]
    pub json: bool,
    /// Start from the newest valid snapshot instead of replaying (and verifying) the whole log.
    /// Faster; trusts the records before the snapshot, as a daemon restart does.
    #[arg(long)]
    pub from_snapshot: bool,
}

/// `premia snapshot …`
#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {
    /// Snapshot the state at the end of the log.
    Create,
    /// List snapshots, newest first.
    Ls {
        /// JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Check every snapshot: its anchor matches the log and its state equals a replay.
    Verify,
}

/// `premia bench …`
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// The event log against this machine's limits: fdatasync, sled, group commit, replay.
    Log(BenchLog),
    /// Frame decoding per exchange and frame kind, against serde_json merely validating the
    /// same bytes (IgnoredAny).
    Decode(BenchDecode),
    /// The NATS mirror: events/s mirrored to JetStream with dedupe against the raw JetStream
    /// async publish rate of the same payloads, and the lag at a steady rate.
    Mirror(BenchMirror),
}

/// `premia bench mirror`
#[derive(Debug, Args)]
pub struct BenchMirror {
    /// Events in the backlog the mirror drains (and the raw run publishes).
    #[arg(long, default_value_t = 50_000)]
    pub events: u64,
    /// Acks outstanding at once, for both the raw run and the mirror.
    #[arg(long, default_value_t = 1024)]
    pub window: usize,
    /// Events per second for the lag measurement.
    #[arg(long, default_value_t = 5_000)]
    pub rate: u64,
    /// Seconds of the lag measurement.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// A NATS server with JetStream and no stream on premia.*.events (default: start a scratch
    /// nats-server from PATH on a free loopback port).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// A JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `premia bench decode`
#[derive(Debug, Args)]
pub struct BenchDecode {
    /// Only this exchange (default: all nine).
    #[arg(long, value_name = "EX")]
    pub exchange: Option<String>,
    /// Decodes per measurement (each frame kind is decoded this many times, and validated as
    /// many).
    #[arg(long, value_name = "N", default_value_t = 20_000)]
    pub iterations: u32,
    /// Only this frame kind: `ticker`, `book` or `delta` (default: every kind the exchange has).
    #[arg(long, value_name = "KIND", value_parser = ["ticker", "book", "delta"])]
    pub kind: Option<String>,
    /// A JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `premia bench log`
#[derive(Debug, Args)]
pub struct BenchLog {
    /// Events to write (and replay).
    #[arg(long, default_value_t = 200_000)]
    pub events: u64,
    /// Concurrent appenders for the group-commit measurement.
    #[arg(long, default_value_t = 64)]
    pub appenders: u32,
    /// Leave the generated log in --data-dir (which must hold no log yet) for the other commands.
    #[arg(long)]
    pub keep: bool,
    /// A JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}
