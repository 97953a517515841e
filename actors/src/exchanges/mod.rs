//! Everything premia knows about each exchange, one folder per exchange with the same files:
//!
//! ```text
//! exchanges/<name>/mod.rs      the codec type and its `ExchangeCodec` impl
//! exchanges/<name>/symbols.rs  Market (BASE/QUOTE) <-> the exchange's own market code
//! exchanges/<name>/wire.rs     serde types of the exchange's frames (WS and REST)
//! exchanges/<name>/tests/      the same test suite for every exchange, on frames written from
//!                              the exchange's documented formats: mod.rs (WebSocket frames),
//!                              rest.rs (REST requests and bodies), fixtures.rs, book.rs
//! ```
//!
//! The generic feed actor drives any exchange through [`ExchangeCodec`]; behaviour shared by all
//! codecs (exact decimals from JSON strings or numbers, the error type, the test helpers) lives
//! once, in this module and its siblings.

pub mod binance;
pub mod bithumb;
pub mod book;
pub mod bybit;
pub mod coinone;
pub mod crc32;
pub mod fuzzing;
pub mod gateio;
pub mod json;
pub mod korbit;
pub mod kraken;
pub mod num;
pub mod okx;
pub mod request;
pub mod scan;
pub mod symbol_map;
#[cfg(test)]
pub mod testkit;
pub mod upbit;

use std::time::Duration;

use premia_events::marketdata::MarketData;
use premia_events::{Exchange, Market, Timestamp};
use thiserror::Error;

/// What a frame turned out to be. Only `Data` carries market data; the others are benign
/// protocol traffic and never count as decode errors, except `Error`, which is the exchange
/// reporting a problem (a bad subscription, for instance).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameClass {
    /// Market data was decoded into the output.
    Data,
    /// A subscription acknowledgement.
    Ack,
    /// An answer to a keep-alive.
    Pong,
    /// A status or heartbeat frame (e.g. Upbit `{"status":"UP"}`).
    Status,
    /// The exchange reported an error; the text is its message.
    Error(String),
    /// Valid JSON the codec does not use (a stream it did not ask for, a new event type).
    Unknown,
}

/// A frame that could not be decoded. Counted per exchange in metrics; never fatal to the feed.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{exchange}: cannot decode frame: {reason} (frame starts {excerpt:?})")]
pub struct DecodeError {
    /// The exchange.
    pub exchange: Exchange,
    /// What is wrong.
    pub reason: String,
    /// The first bytes of the frame, for the log.
    pub excerpt: String,
}

impl DecodeError {
    /// A decode error for `frame`, keeping its first 120 characters.
    pub fn new(exchange: Exchange, reason: impl Into<String>, frame: &[u8]) -> DecodeError {
        let text = String::from_utf8_lossy(frame);
        DecodeError {
            exchange,
            reason: reason.into(),
            excerpt: text.chars().take(120).collect(),
        }
    }
}

/// What a feed sends to keep a connection alive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeepAlive {
    /// A WebSocket ping frame.
    PingFrame,
    /// An application-level text message (e.g. Upbit `PING`, OKX `ping`).
    Text(String),
}

/// One exchange's wire protocol for public market data. Implementations are pure: no I/O, no
/// clock (the receive time is passed in), no panics on any input.
pub trait ExchangeCodec: Send + std::fmt::Debug + 'static {
    /// The exchange.
    fn exchange(&self) -> Exchange;

    /// The markets this codec was built for, in the order given.
    fn markets(&self) -> &[Market];

    /// The public WebSocket URL to connect to, given the configured base URL (which tests point
    /// at a fake exchange), e.g. `wss://api.upbit.com/websocket/v1`.
    fn ws_url(&self, base: &str) -> String;

    /// The text frames to send right after connecting, subscribing to ticker and order book for
    /// every market. `now` is when they are sent, from the caller's clock (Gate.io stamps each
    /// request with it and refuses one more than 60 s off), so that tests and replays of a
    /// connection are deterministic.
    fn subscribe(&self, now: Timestamp) -> Vec<String>;

    /// What to send, and how often, to keep the connection alive (`None`: the server pings and
    /// the WebSocket layer answers).
    fn keep_alive(&self) -> Option<(Duration, KeepAlive)>;

    /// The longest a connection may live before the exchange closes it (Binance: 24 h); the feed
    /// reconnects on its own a little before.
    fn max_connection_lifetime(&self) -> Option<Duration>;

    /// Decodes one WebSocket frame (text or binary, as bytes), appending any market data to
    /// `out` with `received` as its receive time.
    fn decode(
        &mut self,
        frame: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError>;

    /// The REST request (path and query, relative to the REST base URL) for the tickers of all
    /// markets, e.g. `/v1/ticker?markets=KRW-BTC,KRW-ETH`. One or more requests.
    fn rest_ticker_requests(&self) -> Vec<String>;

    /// The REST requests for the order books of all markets.
    fn rest_book_requests(&self) -> Vec<String>;

    /// Decodes a REST ticker or order-book response body (including errors that arrive with
    /// HTTP 200), appending market data to `out`.
    fn decode_rest(
        &mut self,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError>;

    /// Decodes the response to `request` (one of the strings from `rest_ticker_requests` or
    /// `rest_book_requests`). Exchanges whose REST bodies do not name their market (Binance's
    /// depth) need the request to know which market a body is about; the default ignores it.
    fn decode_rest_for(
        &mut self,
        request: &str,
        body: &[u8],
        received: Timestamp,
        out: &mut Vec<MarketData>,
    ) -> Result<FrameClass, DecodeError> {
        let _ = request;
        self.decode_rest(body, received, out)
    }

    /// The exchange's checksum of a book (best levels first), for exchanges whose deltas carry
    /// one (OKX: CRC32 over the top 25 levels, signed; Kraken: CRC32 over the top 10 at the pair's
    /// precision). The book-sync code compares it with `BookDelta::checksum` after applying a
    /// delta; a mismatch means a resync. `None`: the exchange offers no checksum.
    fn book_checksum(
        &self,
        market: &Market,
        bids: &[premia_events::marketdata::Level],
        asks: &[premia_events::marketdata::Level],
    ) -> Option<u32> {
        let _ = (market, bids, asks);
        None
    }

    /// How the exchange sequences book deltas, for the book-sync code.
    fn book_sync(&self) -> BookSync {
        BookSync::Snapshots
    }
}

/// How an exchange's order-book stream must be followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookSync {
    /// Every book frame is a full snapshot (Upbit, Bithumb, Korbit, Coinone, Binance partial depth).
    Snapshots,
    /// A snapshot, then deltas where each delta's `prev_seq` equals the previous `seq` (OKX).
    PrevSeqChain,
    /// A snapshot, then deltas whose `seq` is the previous one plus one (Bybit `u`; a delta with
    /// `seq` 1 is a new snapshot).
    Consecutive,
    /// Deltas cover `first_seq..=seq`; the next must start at the previous `seq` + 1 (Gate.io
    /// `U`/`u`, Binance diff depth).
    Ranges,
    /// No sequence numbers; integrity by checksum only (Kraken).
    ChecksumOnly,
}

/// The codec for `exchange`, subscribed to `markets` with books of `depth` levels.
pub fn codec_for(
    exchange: Exchange,
    markets: &[Market],
    depth: usize,
) -> Result<Box<dyn ExchangeCodec>, CodecSetupError> {
    match exchange {
        Exchange::Upbit => Ok(Box::new(upbit::UpbitCodec::new(markets, depth)?)),
        Exchange::Binance => Ok(Box::new(binance::BinanceCodec::new(markets, depth)?)),
        Exchange::Bithumb => bithumb::codec(markets, depth),
        Exchange::Korbit => korbit::codec(markets, depth),
        Exchange::Coinone => coinone::codec(markets, depth),
        Exchange::Okx => okx::codec(markets, depth),
        Exchange::Bybit => bybit::codec(markets, depth),
        Exchange::Gateio => gateio::codec(markets, depth),
        Exchange::Kraken => kraken::codec(markets, depth),
    }
}

/// A codec that cannot be built from the configuration.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CodecSetupError {
    /// premia has no codec for this exchange yet.
    #[error("{exchange}: no market-data codec yet")]
    Unsupported {
        /// The exchange.
        exchange: Exchange,
    },
    /// A market cannot be expressed on this exchange.
    #[error("{exchange}: market {market}: {reason}")]
    Market {
        /// The exchange.
        exchange: Exchange,
        /// The market.
        market: Market,
        /// Why.
        reason: String,
    },
}

#[cfg(test)]
mod discovery_tests {
    //! Discovery mode (`codec_for(exchange, &[], depth)`), exchange by exchange: a frame of any
    //! market decodes, its code read by the exchange's convention; a codec of configured markets
    //! still ignores every other market.

    use super::*;

    /// One ticker frame per exchange, of a market no test configures, and the market it names.
    const FRAMES: [(Exchange, &str, &str); 9] = [
        (
            Exchange::Upbit,
            r#"{"type":"ticker","code":"USDT-ETH","trade_price":3150.75,"timestamp":1}"#,
            "ETH/USDT",
        ),
        (
            Exchange::Bithumb,
            r#"{"type":"ticker","code":"BTC-XRP","trade_price":0.0000071,"timestamp":1}"#,
            "XRP/BTC",
        ),
        (
            Exchange::Korbit,
            r#"{"type":"ticker","timestamp":1,"symbol":"eth_krw","data":{"close":"3050000"}}"#,
            "ETH/KRW",
        ),
        (
            Exchange::Coinone,
            r#"{"response_type":"DATA","channel":"TICKER","data":{"quote_currency":"KRW","target_currency":"SOL","timestamp":1,"last":"205000"}}"#,
            "SOL/KRW",
        ),
        (
            Exchange::Okx,
            r#"{"arg":{"channel":"tickers","instId":"ETH-BTC"},"data":[{"instId":"ETH-BTC","last":"0.05213","ts":"1"}]}"#,
            "ETH/BTC",
        ),
        (
            Exchange::Bybit,
            r#"{"topic":"tickers.SOLUSDC","ts":1,"type":"snapshot","data":{"symbol":"SOLUSDC","lastPrice":"101.5"}}"#,
            "SOL/USDC",
        ),
        (
            Exchange::Gateio,
            r#"{"time":1,"channel":"spot.tickers","event":"update","result":{"currency_pair":"DOGE_USDT","last":"0.0712"}}"#,
            "DOGE/USDT",
        ),
        (
            Exchange::Binance,
            r#"{"stream":"bnbfdusd@ticker","data":{"e":"24hrTicker","E":1,"s":"BNBFDUSD","c":"250.5"}}"#,
            "BNB/FDUSD",
        ),
        (
            Exchange::Kraken,
            r#"{"channel":"ticker","type":"update","data":[{"symbol":"ETH/EUR","last":1850.5}]}"#,
            "ETH/EUR",
        ),
    ];

    fn market(text: &str) -> Market {
        text.parse().unwrap()
    }

    #[test]
    fn a_codec_without_markets_decodes_every_market() {
        for (exchange, frame, want) in FRAMES {
            let mut codec = codec_for(exchange, &[], 20).unwrap();
            assert!(codec.markets().is_empty(), "{exchange}");
            assert!(
                codec.subscribe(Timestamp::EPOCH).is_empty(),
                "{exchange}: nothing to subscribe"
            );
            let mut out = Vec::new();
            let class = codec.decode(frame.as_bytes(), Timestamp::EPOCH, &mut out);
            assert_eq!(class, Ok(FrameClass::Data), "{exchange}");
            assert_eq!(out.len(), 1, "{exchange}");
            assert_eq!(out[0].market(), &market(want), "{exchange}");
        }
    }

    #[test]
    fn a_codec_of_configured_markets_ignores_the_others() {
        let other = market("ZZZ/KRW");
        for (exchange, frame, _) in FRAMES {
            let mut codec = codec_for(exchange, std::slice::from_ref(&other), 20).unwrap();
            let mut out = Vec::new();
            let class = codec.decode(frame.as_bytes(), Timestamp::EPOCH, &mut out);
            assert_eq!(class, Ok(FrameClass::Unknown), "{exchange}");
            assert!(out.is_empty(), "{exchange}");
        }
    }

    #[test]
    fn exchange_codes_parse_by_convention() {
        let cases: [(fn(&str) -> Option<Market>, &str, Option<&str>); 16] = [
            (
                upbit::symbols::parse_market_code,
                "KRW-BTC",
                Some("BTC/KRW"),
            ),
            (
                bithumb::symbols::parse_market_code,
                "KRW-BTC",
                Some("BTC/KRW"),
            ),
            (korbit::symbols::parse_symbol, "btc_krw", Some("BTC/KRW")),
            (
                coinone::symbols::parse_path_code,
                "KRW/BTC",
                Some("BTC/KRW"),
            ),
            (okx::symbols::parse_inst_id, "BTC-USDT", Some("BTC/USDT")),
            (okx::symbols::parse_inst_id, "BTC-USDT-SWAP", None),
            (gateio::symbols::parse_pair, "BTC_USDT", Some("BTC/USDT")),
            (kraken::symbols::parse_ws_symbol, "BTC/USD", Some("BTC/USD")),
            (
                kraken::symbols::parse_rest_pair,
                "XXBTZUSD",
                Some("BTC/USD"),
            ),
            (
                kraken::symbols::parse_rest_pair,
                "XETHXXBT",
                Some("ETH/BTC"),
            ),
            (
                kraken::symbols::parse_rest_pair,
                "XBTUSDT",
                Some("BTC/USDT"),
            ),
            (kraken::symbols::parse_rest_pair, "XDGUSD", Some("DOGE/USD")),
            (kraken::symbols::parse_rest_pair, "XTZUSD", Some("XTZ/USD")),
            (kraken::symbols::parse_rest_pair, "SOLEUR", Some("SOL/EUR")),
            (symbol_map::split_by_quote, "BTCTUSD", Some("BTC/TUSD")),
            (symbol_map::split_by_quote, "ETHBTC", Some("ETH/BTC")),
        ];
        for (index, (parse, code, want)) in cases.into_iter().enumerate() {
            assert_eq!(parse(code), want.map(market), "TC{index} {code}");
        }
    }
}
