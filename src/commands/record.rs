//! `premia record`: connects to an exchange's public WebSocket, subscribes to the given markets,
//! and writes every frame with its receive time to a tape (JSON lines; see
//! `premia_actors::feed::tape`). A tape replays as a feed with `source = "tape"`.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use futures::{SinkExt, StreamExt};
use premia_actors::exchanges::{KeepAlive, codec_for};
use premia_actors::feed::tape::TapeFrame;
use premia_events::{Clock, Exchange, Market, SystemClock};
use tokio_tungstenite::tungstenite::Message;

/// What to record.
#[derive(Debug, Clone)]
pub struct RecordArgs {
    /// The exchange.
    pub exchange: Exchange,
    /// Its markets.
    pub markets: Vec<Market>,
    /// Book depth to subscribe to.
    pub depth: usize,
    /// Where to write the tape.
    pub out: PathBuf,
    /// WebSocket base URL (default: the exchange's public endpoint).
    pub url: Option<String>,
    /// Stop after this long (default: until Ctrl-C).
    pub duration: Option<Duration>,
}

/// Records until Ctrl-C, the duration, or the exchange closing the socket.
pub fn record(args: &RecordArgs) -> anyhow::Result<()> {
    let codec = codec_for(args.exchange, &args.markets, args.depth)?;
    let base = args
        .url
        .clone()
        .unwrap_or_else(|| crate::daemon::default_ws_base(args.exchange).to_owned());
    let url = codec.ws_url(&base);
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(&args.out)
            .with_context(|| format!("cannot create {}", args.out.display()))?,
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (frames, bytes) = runtime.block_on(async {
        let (ws, _) = tokio::time::timeout(Duration::from_secs(15), tokio_tungstenite::connect_async(url.clone()))
            .await
            .map_err(|_| anyhow!("{url}: connect timed out"))?
            .with_context(|| format!("cannot connect to {url}"))?;
        let (mut tx, mut rx) = ws.split();
        for frame in codec.subscribe(SystemClock.now()) {
            tx.send(Message::Text(frame.into())).await?;
        }
        eprintln!("recording {} {} from {url} to {} (Ctrl-C stops)", args.exchange, market_list(&args.markets), args.out.display());
        let keep_alive = codec.keep_alive();
        let mut ping = tokio::time::interval(keep_alive.as_ref().map_or(Duration::from_secs(3600), |(every, _)| *every));
        ping.tick().await;
        let deadline = tokio::time::sleep(args.duration.unwrap_or(Duration::from_secs(u64::from(u32::MAX))));
        tokio::pin!(deadline);
        let (mut frames, mut bytes) = (0u64, 0u64);
        loop {
            tokio::select! {
                message = rx.next() => match message {
                    Some(Ok(Message::Text(text))) => {
                        let line = TapeFrame { at: SystemClock.now().nanos(), binary: false, frame: text.to_string() }.to_line();
                        writeln!(file, "{line}")?;
                        frames += 1;
                        bytes += text.len() as u64;
                    }
                    Some(Ok(Message::Binary(data))) => {
                        let text = String::from_utf8_lossy(&data).into_owned();
                        let line = TapeFrame { at: SystemClock.now().nanos(), binary: true, frame: text }.to_line();
                        writeln!(file, "{line}")?;
                        frames += 1;
                        bytes += data.len() as u64;
                    }
                    Some(Ok(Message::Ping(payload))) => tx.send(Message::Pong(payload)).await?,
                    Some(Ok(Message::Close(_))) | None => {
                        eprintln!("the exchange closed the connection");
                        break;
                    }
                    Some(Ok(_)) => {}
                    Some(Err(error)) => return Err(anyhow!("socket error: {error}")),
                },
                _ = ping.tick() => {
                    if let Some((_, keep_alive)) = &keep_alive {
                        let message = match keep_alive {
                            KeepAlive::PingFrame => Message::Ping(Vec::new().into()),
                            KeepAlive::Text(text) => Message::Text(text.clone().into()),
                        };
                        tx.send(message).await?;
                    }
                }
                () = &mut deadline => break,
                _ = tokio::signal::ctrl_c() => break,
            }
        }
        let _ = tx.close().await;
        Ok::<_, anyhow::Error>((frames, bytes))
    })?;
    file.flush()?;
    println!(
        "recorded {frames} frames ({bytes} bytes) to {}",
        args.out.display()
    );
    Ok(())
}

fn market_list(markets: &[Market]) -> String {
    markets
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}
