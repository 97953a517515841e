//! The simulator's frames on the wire: each exchange's documented shape (checked against the
//! shared fixtures when they exist) and premia's own codecs decoding them.

use std::collections::BTreeSet;

use super::*;

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `(key, type)` pairs of an object, sorted.
fn shape(value: &Value) -> BTreeSet<(String, &'static str)> {
    value
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), type_name(v)))
        .collect()
}

/// The shared fixture file, if the shared folder is beside the workspace.
fn fixture(path: &str) -> Option<Value> {
    let full = format!(
        "{}/../../shared/fixtures/exchanges/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&full).ok()?;
    Some(serde_json::from_str(&text).unwrap())
}

#[test]
fn upbit_frames_have_the_documented_shape_and_are_binary() {
    let mut sim = Simulator::new(&config(1, "60"), START).unwrap();
    let frames = run(&mut sim, 5);
    let ticker = find(&frames, Exchange::Upbit, FrameKind::Ticker);
    let book = find(&frames, Exchange::Upbit, FrameKind::OrderBook);
    assert_eq!((ticker.len(), book.len()), (6, 6));
    assert!(
        ticker
            .iter()
            .chain(&book)
            .all(|f| f.encoding == FrameEncoding::Binary)
    );

    let expected_ticker: BTreeSet<(String, &str)> = [
        ("type", "string"),
        ("code", "string"),
        ("opening_price", "number"),
        ("high_price", "number"),
        ("low_price", "number"),
        ("trade_price", "number"),
        ("prev_closing_price", "number"),
        ("acc_trade_price", "number"),
        ("change", "string"),
        ("change_price", "number"),
        ("signed_change_price", "number"),
        ("change_rate", "number"),
        ("signed_change_rate", "number"),
        ("ask_bid", "string"),
        ("trade_volume", "number"),
        ("acc_trade_volume", "number"),
        ("trade_date", "string"),
        ("trade_time", "string"),
        ("trade_timestamp", "number"),
        ("acc_ask_volume", "number"),
        ("acc_bid_volume", "number"),
        ("highest_52_week_price", "number"),
        ("highest_52_week_date", "string"),
        ("lowest_52_week_price", "number"),
        ("lowest_52_week_date", "string"),
        ("market_state", "string"),
        ("is_trading_suspended", "bool"),
        ("delisting_date", "null"),
        ("market_warning", "string"),
        ("timestamp", "number"),
        ("acc_trade_price_24h", "number"),
        ("acc_trade_volume_24h", "number"),
        ("stream_type", "string"),
    ]
    .into_iter()
    .map(|(k, t)| (k.to_string(), t))
    .collect();
    let expected_book: BTreeSet<(String, &str)> = [
        ("type", "string"),
        ("code", "string"),
        ("timestamp", "number"),
        ("total_ask_size", "number"),
        ("total_bid_size", "number"),
        ("orderbook_units", "array"),
        ("stream_type", "string"),
        ("level", "number"),
    ]
    .into_iter()
    .map(|(k, t)| (k.to_string(), t))
    .collect();
    let expected_unit: BTreeSet<(String, &str)> =
        ["ask_price", "bid_price", "ask_size", "bid_size"]
            .into_iter()
            .map(|k| (k.to_string(), "number"))
            .collect();

    if let Some(doc) = fixture("upbit/ws_ticker.json") {
        assert_eq!(shape(&doc), expected_ticker, "fixture ticker shape changed");
    }
    if let Some(doc) = fixture("upbit/ws_orderbook.json") {
        assert_eq!(shape(&doc), expected_book, "fixture book shape changed");
        assert_eq!(shape(&doc["orderbook_units"][0]), expected_unit);
    }

    for (index, frame) in ticker.iter().enumerate() {
        let value = json(frame);
        assert_eq!(shape(&value), expected_ticker);
        assert_eq!(value["type"], "ticker");
        assert_eq!(value["code"], "KRW-BTC");
        let stream = if index == 0 { "SNAPSHOT" } else { "REALTIME" };
        assert_eq!(value["stream_type"], stream);
        assert_eq!(
            value["timestamp"].as_i64().unwrap(),
            frame.at.nanos() / 1_000_000
        );
        assert_eq!(value["trade_date"].as_str().unwrap().len(), 8);
        assert_eq!(value["trade_time"].as_str().unwrap().len(), 6);
        assert!(["RISE", "EVEN", "FALL"].contains(&value["change"].as_str().unwrap()));
        assert!(["ASK", "BID"].contains(&value["ask_bid"].as_str().unwrap()));
    }
    for frame in &book {
        let value = json(frame);
        assert_eq!(shape(&value), expected_book);
        let units = value["orderbook_units"].as_array().unwrap();
        assert_eq!(units.len(), 30);
        for unit in units {
            assert_eq!(shape(unit), expected_unit);
        }
        let asks: Decimal = units.iter().map(|u| num(&u["ask_size"])).sum();
        assert_eq!(num(&value["total_ask_size"]), asks);
        assert_eq!(value["level"], 0);
    }
}

#[test]
fn binance_frames_are_combined_stream_text_frames_with_the_documented_payloads() {
    let mut sim = Simulator::new(&config(1, "60"), START).unwrap();
    let frames = run(&mut sim, 5);
    let ticker = find(&frames, Exchange::Binance, FrameKind::Ticker);
    let book = find(&frames, Exchange::Binance, FrameKind::OrderBook);
    assert_eq!((ticker.len(), book.len()), (6, 6));
    assert!(
        ticker
            .iter()
            .chain(&book)
            .all(|f| f.encoding == FrameEncoding::Text)
    );

    let ints = ["E", "O", "C", "F", "L", "n"];
    let expected_ticker: BTreeSet<(String, &str)> = [
        "e", "E", "s", "p", "P", "w", "x", "c", "Q", "b", "B", "a", "A", "o", "h", "l", "v", "q",
        "O", "C", "F", "L", "n",
    ]
    .into_iter()
    .map(|k| {
        (
            k.to_string(),
            if ints.contains(&k) {
                "number"
            } else {
                "string"
            },
        )
    })
    .collect();
    let expected_book: BTreeSet<(String, &str)> = [
        ("lastUpdateId", "number"),
        ("bids", "array"),
        ("asks", "array"),
    ]
    .into_iter()
    .map(|(k, t)| (k.to_string(), t))
    .collect();
    if let Some(doc) = fixture("binance/ws_ticker.json") {
        assert_eq!(shape(&doc), expected_ticker, "fixture ticker shape changed");
    }
    if let Some(doc) = fixture("binance/ws_orderbook.json") {
        assert_eq!(shape(&doc), expected_book, "fixture book shape changed");
    }

    let mut last_update = 0;
    for (t, b) in ticker.iter().zip(&book) {
        let (t, b) = (json(t), json(b));
        assert_eq!(t["stream"], "btcusdt@ticker");
        assert_eq!(b["stream"], "btcusdt@depth20@100ms");
        assert_eq!(shape(&t).len(), 2);
        assert_eq!(shape(&t["data"]), expected_ticker);
        assert_eq!(shape(&b["data"]), expected_book);
        assert_eq!(t["data"]["e"], "24hrTicker");
        assert_eq!(t["data"]["s"], "BTCUSDT");
        for level in b["data"]["bids"].as_array().unwrap() {
            let pair = level.as_array().unwrap();
            assert_eq!(pair.len(), 2);
            assert!(pair.iter().all(Value::is_string));
            // Eight decimal places, as Binance writes them.
            assert_eq!(
                pair[0].as_str().unwrap().split('.').nth(1).unwrap().len(),
                8
            );
        }
        assert_eq!(b["data"]["bids"].as_array().unwrap().len(), 20);
        let update = b["data"]["lastUpdateId"].as_i64().unwrap();
        assert!(update > last_update);
        last_update = update;
        let close = t["data"]["C"].as_i64().unwrap();
        assert_eq!(t["data"]["O"].as_i64().unwrap(), close - 86_400_000);
    }
}

#[test]
fn premia_codecs_decode_the_simulated_frames() {
    use crate::exchanges::{CodecSetupError, FrameClass, codec_for};
    use premia_events::marketdata::MarketData;

    let mut sim = Simulator::new(&config(4, "60"), START).unwrap();
    let frames = run(&mut sim, 20);
    for (exchange, text, depth) in [
        (Exchange::Upbit, "BTC/KRW", 30),
        (Exchange::Binance, "BTC/USDT", 20),
    ] {
        let market = market(text);
        let mut codec = match codec_for(exchange, std::slice::from_ref(&market), depth) {
            Ok(codec) => codec,
            // The codec is not written yet: nothing to cross-check.
            Err(CodecSetupError::Unsupported { .. }) => continue,
            Err(other) => panic!("{other}"),
        };
        for frame in frames.iter().filter(|f| f.exchange == exchange) {
            let mut out = Vec::new();
            let class = codec.decode(&frame.bytes, START, &mut out);
            assert_eq!(class, Ok(FrameClass::Data), "{exchange} {:?}", frame.kind);
            assert_eq!(out.len(), 1, "{exchange} {:?}", frame.kind);
            let value = json(frame);
            match (&out[0], frame.kind) {
                (MarketData::Ticker(ticker), FrameKind::Ticker) => {
                    assert_eq!(ticker.market, market);
                    let last = match exchange {
                        Exchange::Upbit => num(&value["trade_price"]),
                        _ => num(&value["data"]["c"]),
                    };
                    assert_eq!(ticker.last, last);
                }
                (MarketData::Book(book), FrameKind::OrderBook) => {
                    assert_eq!(book.market, market);
                    let (bids, asks) = book_levels(frame);
                    assert_eq!(book.bids.len(), bids.len());
                    assert_eq!(book.asks.len(), asks.len());
                    assert_eq!(book.bids[0].price, bids[0].0);
                    assert_eq!(book.asks[0].price, asks[0].0);
                }
                (other, kind) => panic!("{exchange}: {kind:?} decoded as {other:?}"),
            }
        }
    }
}
