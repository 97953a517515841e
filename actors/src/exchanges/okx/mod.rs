//! OKX (v5 API) spot: `tickers` and incremental `books` over the public WebSocket, and the REST
//! fallbacks.
//!
//! - WebSocket: the configured base *is* the URL (default [`DEFAULT_WS_URL`]). One subscribe
//!   frame `{"id":..,"op":"subscribe","args":[{"channel":"tickers","instId":"BTC-USDT"},
//!   {"channel":"books","instId":"BTC-USDT"},..]}`, acknowledged per channel by
//!   `{"event":"subscribe","arg":{..}}`; a bad request gets `{"event":"error","code":..,
//!   "msg":..}`, and `{"event":"notice"}` announces a maintenance disconnect.
//! - Pushes `{"arg":{"channel":..,"instId":..},"action"?:..,"data":[..]}`. Prices and sizes
//!   are JSON strings, read exactly; `ts` is a string of milliseconds.
//! - `books`: the first push is `action:"snapshot"` (up to 400 levels a side, `prevSeqId` -1)
//!   and becomes a [`MarketData::Book`] with `seqId` as its sequence number, kept at the full
//!   channel depth ([`BOOK_CHANNEL_DEPTH`]) because the deltas that follow and their checksums
//!   are relative to that book. Every `action:"update"` becomes a [`MarketData::Delta`] with
//!   `seq` = `seqId`, `prev_seq` = `prevSeqId` ([`BookSync::PrevSeqChain`]) and the frame's
//!   `checksum` (a signed CRC32, kept as its bit pattern; `0` means "not provided", see the
//!   fixture notes). [`ExchangeCodec::book_checksum`] computes OKX's CRC32 of the top 25 levels.
//!   Size `"0"` in an update deletes the price; an update with no levels is a heartbeat.
//! - Keep-alive: the text `ping` every [`PING_INTERVAL`] (OKX closes a connection silent for
//!   30 s), answered by the text `pong` ([`FrameClass::Pong`]).
//! - REST (relative to `https://www.okx.com`): `/api/v5/market/ticker?instId=BTC-USDT` and
//!   `/api/v5/market/books?instId=BTC-USDT&sz=N`, one per market, in the envelope
//!   `{"code":"0","msg":"","data":[..]}`; a `code` other than `"0"` is an error sent with HTTP
//!   200. A book body does not name its instrument: see [`OkxCodec::decode_rest_for`].

pub mod symbols;
pub mod wire;

#[cfg(test)]
mod tests;

use std::fmt::Write as _;
use std::time::Duration;

use premia_events::marketdata::{BookDelta, BookSnapshot, Level, MarketData, Ticker};
use premia_events::{Exchange, Market, Timestamp};

use self::wire::{Frame, Item, OkxLevels, Subscribe, SubscribeArg};
use super::book::{check_best_first, kept_depth, resting};
use super::crc32::Crc32;
use super::json::{self, Malformed, Raw, decimal, decimal_opt, guarded, millis_opt};
use super::request;
use super::symbol_map::SymbolMap;
use super::{BookSync, CodecSetupError, DecodeError, ExchangeCodec, FrameClass, KeepAlive};

/// OKX's public WebSocket URL.
pub const DEFAULT_WS_URL: &str = "wss://ws.okx.com:8443/ws/v5/public";

/// OKX's REST base URL; the REST requests are relative to it (`/api/v5/..`).
pub const DEFAULT_REST_URL: &str = "https://www.okx.com";

/// The depth of the `books` channel's snapshot, in levels per side; also the most a REST book
/// request may ask for.
pub const BOOK_CHANNEL_DEPTH: usize = 400;

/// How many levels of each side OKX's checksum covers.
pub const CHECKSUM_LEVELS: usize = 25;

/// How often to send `ping`: inside the 30 s after which OKX closes a silent connection.
pub const PING_INTERVAL: Duration = Duration::from_secs(20);

/// The most markets on one connection: OKX asks to keep fewer than 30 `books` channels on a
/// connection.
pub const MAX_MARKETS: usize = 29;

const TICKER_PATH: &str = "/api/v5/market/ticker";
const BOOKS_PATH: &str = "/api/v5/market/books";

/// What a REST body is expected to be.
#[derive(Clone, Copy, Debug)]
enum Expect<'m> {
    /// Whatever it is (the trait's `decode_rest`, which has no request).
    Any,
    /// A `market/ticker` response.
    Ticker,
    /// A `market/books` response for this market.
    Book(&'m Market),
}

/// The OKX spot codec for a fixed set of markets and a REST book depth.
#[derive(Clone, Debug)]
pub struct OkxCodec {
    /// `BTC-USDT` ↔ market.
    symbols: SymbolMap,
    /// Levels per side of REST books.
    depth: usize,
}

impl OkxCodec {
    /// A codec for `markets` (instrument ids `BTC-USDT`, ...). REST books are requested and cut
    /// at `depth` levels (1 to 400); WebSocket books follow the `books` channel at its full depth.
    /// Refuses a market listed twice and more than [`MAX_MARKETS`] markets.
    pub fn new(markets: &[Market], depth: usize) -> Result<OkxCodec, CodecSetupError> {
        if let Some(market) = markets.get(MAX_MARKETS) {
            return Err(CodecSetupError::Market {
                exchange: Exchange::Okx,
                market: market.clone(),
                reason: format!(
                    "more than {MAX_MARKETS} markets on one connection (OKX asks for fewer than \
                     30 books channels)"
                ),
            });
        }
        Ok(OkxCodec {
            symbols: SymbolMap::with_discovery(
                Exchange::Okx,
                markets,
                symbols::inst_id,
                symbols::parse_inst_id,
            )?,
            depth: kept_depth(markets, depth.clamp(1, BOOK_CHANNEL_DEPTH)),
        })
    }

    /// The REST book depth, in levels per side.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The subscription's client id: a hash of the instrument ids, the same on every
    /// connection with the same markets (16 hex digits; OKX allows 32 letters and digits).
    pub fn request_id(&self) -> String {
        request::stable_id(self.symbols.codes().iter().map(String::as_str))
    }

    /// Decodes the body of `request`, one of this codec's REST requests. The request says what
    /// the body is and, for a book body (which names no instrument), whose book it is: the
    /// `instId` of `/api/v5/market/books?instId=BTC-USDT&sz=20`.
    pub fn decode_rest_for(
        &mut self,
        request: &str,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Okx, body, out, |out| {
            let market;
            let expect = match request::path(request) {
                TICKER_PATH => Expect::Ticker,
                BOOKS_PATH => {
                    let id = request::query_param(request, "instId")
                        .ok_or_else(|| Malformed::new(format!("{request}: no instId")))?;
                    market = self.symbols.market(id).ok_or_else(|| {
                        Malformed::new(format!("{request}: instId {id} is not configured"))
                    })?;
                    Expect::Book(&market)
                }
                other => {
                    return Err(Malformed::new(format!(
                        "{other} is not an OKX ticker or books request"
                    )));
                }
            };
            self.rest(body, expect, received, out)
        })
    }

    /// A push of `channel` for `inst_id`.
    fn push(
        &self,
        frame: &mut Frame<'_>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        let arg = frame
            .arg
            .as_ref()
            .ok_or_else(|| Malformed::missing("arg"))?;
        let channel = arg
            .channel
            .ok_or_else(|| Malformed::missing("arg.channel"))?;
        if channel != symbols::TICKERS_CHANNEL && channel != symbols::BOOKS_CHANNEL {
            return Ok(FrameClass::Unknown);
        }
        let id = arg
            .inst_id
            .ok_or_else(|| Malformed::missing("arg.instId"))?;
        let Some(market) = self.symbols.market(id) else {
            return Ok(FrameClass::Unknown);
        };
        let action = frame.action;
        let items = frame
            .data
            .as_mut()
            .ok_or_else(|| Malformed::missing("data"))?;
        let start = out.len();
        for (index, item) in items.iter_mut().enumerate() {
            let pushed = if channel == symbols::TICKERS_CHANNEL {
                self.push_ticker(&market, Some(id), item, received, out)
            } else {
                push_book_item(&market, action, item, received, out)
            };
            pushed.map_err(|Malformed(reason)| Malformed(format!("data[{index}]: {reason}")))?;
        }
        Ok(if out.len() > start {
            FrameClass::Data
        } else {
            FrameClass::Unknown
        })
    }

    /// A ticker item of `market`; `expect_id` is the instrument the frame says it is about.
    fn push_ticker(
        &self,
        market: &Market,
        expect_id: Option<&str>,
        item: &Item<'_>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<(), Malformed> {
        if let (Some(id), Some(expected)) = (item.inst_id, expect_id)
            && id != expected
        {
            return Err(Malformed::new(format!("a ticker of {id} on {expected}")));
        }
        out.push(MarketData::Ticker(Ticker {
            exchange: Exchange::Okx,
            market: market.clone(),
            last: decimal("last", item.last)?,
            best_bid: decimal_opt("bidPx", item.bid_px.filter(|v| !v.text.is_empty()))?,
            best_ask: decimal_opt("askPx", item.ask_px.filter(|v| !v.text.is_empty()))?,
            open_24h: decimal_opt("open24h", item.open_24h)?,
            high_24h: decimal_opt("high24h", item.high_24h)?,
            low_24h: decimal_opt("low24h", item.low_24h)?,
            volume_24h: decimal_opt("vol24h", item.vol_24h)?,
            exchange_time: millis_opt("ts", item.ts)?,
            received,
        }));
        Ok(())
    }

    /// A REST body of the `expect`ed kind.
    fn rest(
        &self,
        body: &[u8],
        expect: Expect<'_>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, Malformed> {
        match json::first_byte(body) {
            Some(b'{') => {}
            None => return Err(Malformed::new("empty body")),
            Some(_) => return Err(Malformed::new("expected a JSON object")),
        }
        let mut frame = Frame::default();
        frame.scan(body)?;
        let code = frame.code.ok_or_else(|| Malformed::missing("code"))?;
        if code.text() != "0" {
            return Ok(FrameClass::Error(error_text(Some(code), frame.msg)));
        }
        let items = frame
            .data
            .as_mut()
            .ok_or_else(|| Malformed::missing("data"))?;
        let start = out.len();
        for (index, item) in items.iter_mut().enumerate() {
            self.rest_item(item, expect, received, out)
                .map_err(|Malformed(reason)| Malformed(format!("data[{index}]: {reason}")))?;
        }
        Ok(if out.len() > start {
            FrameClass::Data
        } else {
            FrameClass::Unknown
        })
    }

    fn rest_item(
        &self,
        item: &mut Item<'_>,
        expect: Expect<'_>,
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<(), Malformed> {
        let is_book = item.asks.is_some() || item.bids.is_some();
        let market = match (expect, is_book) {
            (Expect::Ticker | Expect::Any, false) => {
                let id = item.inst_id.ok_or_else(|| Malformed::missing("instId"))?;
                // Another instrument (a derivative, a market not configured) is skipped.
                return match self.symbols.market(id) {
                    Some(market) => self.push_ticker(&market, None, item, received, out),
                    None => Ok(()),
                };
            }
            (Expect::Ticker, true) => {
                return Err(Malformed::new("an order book in a ticker response"));
            }
            (Expect::Book(_), false) => return Err(Malformed::missing("asks")),
            (Expect::Book(market), true) => market,
            (Expect::Any, true) => self.only_market()?,
        };
        let (bids, asks) = sides(item.bids.take(), item.asks.take())?;
        out.push(MarketData::Book(snapshot(
            market,
            bids,
            asks,
            self.depth,
            optional_seq("seqId", item.seq_id)?,
            millis_opt("ts", item.ts)?,
            received,
        )?));
        Ok(())
    }

    /// The market of a book body decoded without its request: only unambiguous with a single
    /// configured market.
    fn only_market(&self) -> Result<&Market, Malformed> {
        self.symbols
            .only_market("a books body", "OkxCodec::decode_rest_for")
    }
}

/// Both sides of a book item, required.
fn sides(
    bids: Option<OkxLevels>,
    asks: Option<OkxLevels>,
) -> Result<(Vec<Level>, Vec<Level>), Malformed> {
    let OkxLevels(bids) = bids.ok_or_else(|| Malformed::missing("bids"))?;
    let OkxLevels(asks) = asks.ok_or_else(|| Malformed::missing("asks"))?;
    Ok((bids, asks))
}

/// A `books` item: a snapshot or an update, as `action` says.
fn push_book_item(
    market: &Market,
    action: Option<&str>,
    item: &mut Item<'_>,
    received: Timestamp,
    out: &mut Vec<MarketData>,
) -> Result<(), Malformed> {
    let exchange_time = millis_opt("ts", item.ts)?;
    let seq = required_seq("seqId", item.seq_id)?;
    let (bids, asks) = sides(item.bids.take(), item.asks.take())?;
    match action {
        Some("snapshot") => {
            out.push(MarketData::Book(snapshot(
                market,
                bids,
                asks,
                BOOK_CHANNEL_DEPTH,
                Some(seq),
                exchange_time,
                received,
            )?));
        }
        Some("update") => {
            out.push(MarketData::Delta(BookDelta {
                exchange: Exchange::Okx,
                market: market.clone(),
                bids,
                asks,
                first_seq: None,
                seq: Some(seq),
                prev_seq: Some(required_seq("prevSeqId", item.prev_seq_id)?),
                checksum: checksum(item.checksum)?,
                exchange_time,
                received,
            }));
        }
        Some(other) => return Err(Malformed::new(format!("unknown books action {other}"))),
        None => return Err(Malformed::missing("action")),
    }
    Ok(())
}

/// A book snapshot cut to `depth` levels a side, checked best-first.
fn snapshot(
    market: &Market,
    mut bids: Vec<Level>,
    mut asks: Vec<Level>,
    depth: usize,
    seq: Option<u64>,
    exchange_time: Option<Timestamp>,
    received: Timestamp,
) -> Result<BookSnapshot, Malformed> {
    resting(&mut bids, depth);
    resting(&mut asks, depth);
    check_best_first(&bids, &asks)?;
    Ok(BookSnapshot {
        exchange: Exchange::Okx,
        market: market.clone(),
        bids,
        asks,
        seq,
        exchange_time,
        received,
    })
}

/// A sequence id that must be present and not negative.
fn required_seq(field: &str, value: Option<i64>) -> Result<u64, Malformed> {
    optional_seq(field, value)?.ok_or_else(|| Malformed::missing(field))
}

/// A sequence id that may be absent (older REST books) but is never negative.
fn optional_seq(field: &str, value: Option<i64>) -> Result<Option<u64>, Malformed> {
    value
        .map(|v| u64::try_from(v).map_err(|_| Malformed::new(format!("{field}: negative ({v})"))))
        .transpose()
}

/// The frame's checksum, a signed 32-bit integer, as its bit pattern (what
/// [`okx_checksum`] computes). `0` is how OKX writes "no checksum" on some connections, so it
/// is `None`.
fn checksum(value: Option<i64>) -> Result<Option<u32>, Malformed> {
    let Some(value) = value else {
        return Ok(None);
    };
    let signed = i32::try_from(value)
        .map_err(|_| Malformed::new(format!("checksum: {value} is not a 32-bit integer")))?;
    Ok((signed != 0).then(|| u32::from_be_bytes(signed.to_be_bytes())))
}

/// `code: msg` of an error event or REST body.
fn error_text(code: Option<Raw<'_>>, msg: Option<Raw<'_>>) -> String {
    match (code, msg) {
        (Some(code), Some(msg)) if !msg.text().is_empty() => {
            format!("{}: {}", code.text(), msg.text())
        }
        (Some(text), _) | (None, Some(text)) => text.text().into_owned(),
        (None, None) => String::new(),
    }
}

/// OKX's checksum of a book (best levels first): the text `bid:bidSz:ask:askSz:...` of the top
/// [`CHECKSUM_LEVELS`] levels, interleaved a bid then an ask and continuing with one side when
/// the other runs out, then its CRC32 (IEEE), whose bits OKX sends as a signed integer. Prices
/// and sizes are written as received: a decimal keeps the scale of its string (`8477` stays
/// `8477`, `0.10` stays `0.10`), so the text is OKX's own.
pub fn okx_checksum(bids: &[Level], asks: &[Level]) -> u32 {
    let mut crc = Crc32::new();
    let bids = bids.iter().take(CHECKSUM_LEVELS).map(Some);
    let asks = asks.iter().take(CHECKSUM_LEVELS).map(Some);
    let mut first = true;
    let pairs = bids
        .chain(std::iter::repeat(None))
        .zip(asks.chain(std::iter::repeat(None)))
        .take(CHECKSUM_LEVELS);
    for (bid, ask) in pairs {
        for level in [bid, ask].into_iter().flatten() {
            let separator = if first { "" } else { ":" };
            first = false;
            // Writing into a CRC cannot fail.
            let _ = write!(crc, "{separator}{}:{}", level.price, level.quantity);
        }
    }
    crc.finish()
}

impl ExchangeCodec for OkxCodec {
    fn decode_rest_for(
        &mut self,
        request: &str,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        OkxCodec::decode_rest_for(self, request, body, received, out)
    }

    fn exchange(&self) -> Exchange {
        Exchange::Okx
    }

    fn markets(&self) -> &[Market] {
        self.symbols.markets()
    }

    /// `base` unchanged: the configured base is the full WebSocket URL.
    fn ws_url(&self, base: &str) -> String {
        base.to_string()
    }

    /// One frame subscribing `tickers` and `books` for every market, in the order given, with
    /// [`OkxCodec::request_id`] as its id. Nothing when there are no markets.
    fn subscribe(&self, _now: Timestamp) -> Vec<String> {
        if self.symbols.is_empty() {
            return Vec::new();
        }
        let id = self.request_id();
        let args = self
            .symbols
            .codes()
            .iter()
            .flat_map(|code| {
                [symbols::TICKERS_CHANNEL, symbols::BOOKS_CHANNEL].map(|channel| SubscribeArg {
                    channel,
                    inst_id: code.as_str(),
                })
            })
            .collect();
        let request = Subscribe {
            id: &id,
            op: "subscribe",
            args,
        };
        serde_json::to_string(&request).into_iter().collect()
    }

    /// The text `ping` every [`PING_INTERVAL`].
    fn keep_alive(&self) -> Option<(Duration, KeepAlive)> {
        Some((PING_INTERVAL, KeepAlive::Text("ping".to_string())))
    }

    /// OKX documents no maximum (maintenance disconnects are announced by `notice`).
    fn max_connection_lifetime(&self) -> Option<Duration> {
        None
    }

    /// A `tickers` or `books` push of a configured instrument is [`FrameClass::Data`]; another
    /// channel or instrument [`FrameClass::Unknown`]; the text `pong` [`FrameClass::Pong`];
    /// `subscribe`/`unsubscribe` events [`FrameClass::Ack`]; `error` events
    /// [`FrameClass::Error`]; `notice` and `channel-conn-count` events [`FrameClass::Status`].
    fn decode(
        &mut self,
        frame: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Okx, frame, out, |out| {
            if frame.trim_ascii() == b"pong" {
                return Ok(FrameClass::Pong);
            }
            json::expect_object(frame)?;
            let mut parsed = Frame::default();
            parsed.scan(frame)?;
            if let Some(event) = parsed.event {
                return Ok(match event {
                    "subscribe" | "unsubscribe" => FrameClass::Ack,
                    "error" => FrameClass::Error(error_text(parsed.code, parsed.msg)),
                    "notice" | "channel-conn-count" => FrameClass::Status,
                    _ => FrameClass::Unknown,
                });
            }
            if parsed.arg.is_none() {
                return Err(Malformed::new("neither a push (arg) nor an event"));
            }
            self.push(&mut parsed, received, out)
        })
    }

    /// One request per market: `/api/v5/market/ticker?instId=BTC-USDT`.
    fn rest_ticker_requests(&self) -> Vec<String> {
        self.symbols
            .codes()
            .iter()
            .map(|id| format!("{TICKER_PATH}?instId={id}"))
            .collect()
    }

    /// One request per market at [`OkxCodec::depth`]: `/api/v5/market/books?instId=BTC-USDT&sz=20`.
    fn rest_book_requests(&self) -> Vec<String> {
        self.symbols
            .codes()
            .iter()
            .map(|id| format!("{BOOKS_PATH}?instId={id}&sz={}", self.depth))
            .collect()
    }

    /// Ticker bodies name their instrument (`instId`; others than the configured ones are
    /// skipped) and error bodies (`code` other than `"0"`) need none, so both decode here. A
    /// books body names no instrument: with a single configured market it is that market's
    /// book; with several it is refused rather than guessed. Decode books bodies with
    /// [`OkxCodec::decode_rest_for`].
    fn decode_rest(
        &mut self,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        guarded(Exchange::Okx, body, out, |out| {
            self.rest(body, Expect::Any, received, out)
        })
    }

    /// [`okx_checksum`] of the book.
    fn book_checksum(&self, market: &Market, bids: &[Level], asks: &[Level]) -> Option<u32> {
        let _ = market;
        Some(okx_checksum(bids, asks))
    }

    /// [`BookSync::PrevSeqChain`]: each update's `prevSeqId` is the previous `seqId`.
    fn book_sync(&self) -> BookSync {
        BookSync::PrevSeqChain
    }
}

/// Builds the OKX codec for `markets` with REST books of `depth` levels.
pub fn codec(markets: &[Market], depth: usize) -> Result<Box<dyn ExchangeCodec>, CodecSetupError> {
    Ok(Box::new(OkxCodec::new(markets, depth)?))
}
