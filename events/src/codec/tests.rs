use std::str::FromStr;

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::v1::{EventV1, OrderIntendedV1, seal_v1};
use super::*;
use crate::event::{OrderFilled, OrderIntended};
use crate::ids::{ClientOrderId, IntentId, SignalId};
use crate::market::{Asset, OrderKind, Side, TimeInForce, Venue};

fn header(seq: u64) -> Header {
    Header {
        seq,
        log: 0x0123_4567_89ab_cdef,
        at: Timestamp(1_763_700_000_000_000_000 + seq as i64),
        causation: (seq > 1).then(|| EventId {
            log: 0x0123_4567_89ab_cdef,
            seq: seq - 1,
        }),
    }
}

fn fill(quantity: &str) -> Event {
    Event::OrderFilled(OrderFilled {
        client_order_id: ClientOrderId::new("pm-abc-1").unwrap(),
        trade_id: "T-9".into(),
        price: Decimal::from_str("95000000.00").unwrap(),
        quantity: Decimal::from_str(quantity).unwrap(),
        fee: Decimal::from_str("47.5").unwrap(),
        fee_asset: Asset::new("KRW").unwrap(),
    })
}

fn seal_event(prev: &ChainHash, seq: u64, event: &Event) -> (Vec<u8>, ChainHash) {
    let payload = encode_payload(event).unwrap();
    seal(prev, &header(seq), &payload).unwrap()
}

#[test]
fn a_record_round_trips_with_its_chain() {
    let event = fill("0.00105000");
    let (bytes, hash) = seal_event(&ChainHash::GENESIS, 1, &event);
    let envelope = decode(&bytes).unwrap();
    assert_eq!(envelope.seq, 1);
    assert_eq!(envelope.version, SCHEMA_VERSION);
    assert_eq!(envelope.event, event);
    assert_eq!(envelope.hash, hash);
    assert_eq!(envelope.prev_hash, ChainHash::GENESIS);
    assert_eq!(envelope.at, header(1).at);
    let (second, _) = seal_event(&hash, 2, &event);
    assert_eq!(decode(&second).unwrap().prev_hash, hash);
}

#[test]
fn the_body_is_header_then_payload() {
    // The writer relies on bincode encoding a (Header, Event) pair as the two encodings back to back.
    let event = fill("1");
    let mut split = Vec::new();
    encode_into(&header(7), &mut split).unwrap();
    split.extend(encode_payload(&event).unwrap());
    let mut joined = Vec::new();
    encode_into(&(header(7), event), &mut joined).unwrap();
    assert_eq!(split, joined);
}

/// A version-1 intent exactly as premia 0.1 (schema 1) wrote it, before `time_in_force` existed.
/// These bytes are frozen: if this test fails, a change broke reading old logs.
const V1_INTENT_RECORD: &str = include_str!("../../tests/data/v1_order_intended.hex");

fn v1_intent() -> EventV1 {
    EventV1::OrderIntended(OrderIntendedV1 {
        intent_id: IntentId::new("sig-1/paper").unwrap(),
        client_order_id: ClientOrderId::new("pm-abc-1").unwrap(),
        signal_id: Some(SignalId::new("sig-1").unwrap()),
        venue: Venue::Paper,
        market: "BTC/KRW".parse().unwrap(),
        side: Side::Buy,
        kind: OrderKind::Limit,
        price: Some(Decimal::from_str("95000000").unwrap()),
        quantity: Decimal::from_str("0.00105").unwrap(),
    })
}

#[test]
fn a_version_1_record_written_before_the_schema_grew_still_decodes() {
    let bytes = hex::decode(V1_INTENT_RECORD.trim()).unwrap();
    // The frozen bytes are what the v1 writer produces.
    assert_eq!(
        bytes,
        seal_v1(&ChainHash::GENESIS, &header(1), &v1_intent()).0
    );
    let envelope = decode(&bytes).unwrap();
    assert_eq!(envelope.version, 1);
    let Event::OrderIntended(intent) = envelope.event else {
        panic!("expected an intent, got {:?}", envelope.event);
    };
    assert_eq!(
        intent.time_in_force,
        TimeInForce::Gtc,
        "v1 intents upcast to GTC"
    );
    assert_eq!(intent.quantity.to_string(), "0.00105");
    assert_eq!(intent.client_order_id.as_str(), "pm-abc-1");
}

#[test]
fn v2_intent_round_trips_time_in_force() {
    let event = Event::OrderIntended(OrderIntended {
        intent_id: IntentId::new("sig-2/paper").unwrap(),
        client_order_id: ClientOrderId::new("pm-abc-2").unwrap(),
        signal_id: None,
        venue: Venue::Upbit,
        market: "ETH/KRW".parse().unwrap(),
        side: Side::Sell,
        kind: OrderKind::Market,
        price: None,
        quantity: Decimal::from_str("1.5").unwrap(),
        time_in_force: TimeInForce::Ioc,
    });
    let (bytes, _) = seal_event(&ChainHash::GENESIS, 1, &event);
    assert_eq!(decode(&bytes).unwrap().event, event);
}

#[test]
fn damaged_records_are_named_errors() {
    let (good, _) = seal_event(&ChainHash::GENESIS, 1, &fill("2"));
    let mut future = good.clone();
    future[0] = 9;
    let mut flipped = good.clone();
    flipped[10] ^= 0x01;
    let mut flipped_hash = good.clone();
    let last = flipped_hash.len() - 1;
    flipped_hash[last] ^= 0x80;
    type Case = (&'static str, Vec<u8>, fn(&CodecError) -> bool);
    let cases: Vec<Case> = vec![
        ("empty", vec![], |e| {
            matches!(e, CodecError::Truncated { len: 0 })
        }),
        ("truncated", good[..good.len() / 2].to_vec(), |e| {
            matches!(
                e,
                CodecError::HashMismatch { .. } | CodecError::Truncated { .. }
            )
        }),
        ("future version", future, |e| {
            matches!(e, CodecError::UnknownVersion { version: 9 })
        }),
        ("bit flip in body", flipped, |e| {
            matches!(e, CodecError::HashMismatch { .. })
        }),
        ("bit flip in hash", flipped_hash, |e| {
            matches!(e, CodecError::HashMismatch { .. })
        }),
    ];
    for (index, (name, bytes, expected)) in cases.into_iter().enumerate() {
        let err = decode(&bytes).expect_err(name);
        assert!(expected(&err), "TC{index} {name}: got {err}");
    }
}

#[test]
fn a_hash_valid_but_undecodable_body_is_an_error() {
    // Garbage sealed with a correct hash: the body check, not the hash, must catch it.
    let garbage = [0xFFu8; 40];
    let (bytes, _) =
        seal_version(SCHEMA_VERSION, &ChainHash::GENESIS, &header(1), &garbage).unwrap();
    assert!(matches!(
        decode(&bytes),
        Err(CodecError::Body { .. } | CodecError::TrailingBytes { .. })
    ));
}

proptest! {
    #[test]
    fn decode_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode(&bytes);
    }

    #[test]
    fn decimals_survive_the_codec(mantissa in any::<i64>(), scale in 0u32..=28) {
        let quantity = Decimal::new(mantissa, scale);
        let event = fill(&quantity.to_string());
        let (bytes, _) = seal_event(&ChainHash::GENESIS, 1, &event);
        let back = decode(&bytes).unwrap();
        prop_assert_eq!(back.event, event);
    }
}

#[test]
#[ignore = "prints the frozen v1 fixture; run once when creating it"]
fn print_v1_fixture() {
    let (bytes, _) = seal_v1(&ChainHash::GENESIS, &header(1), &v1_intent());
    println!("{}", hex::encode(bytes));
}

/// Records of every kind the sample order flow produces, plus the frozen v1 record.
fn fuzz_seeds() -> Vec<Vec<u8>> {
    let mut flow = crate::sample::OrderFlow::new(7, 0);
    let mut prev = ChainHash::GENESIS;
    let mut seeds = vec![hex::decode(V1_INTENT_RECORD.trim()).unwrap()];
    for seq in 1..=200 {
        let (event, _) = flow.next_event();
        let (record, hash) = seal_event(&prev, seq, &event);
        flow.appended(EventId { log: 1, seq });
        prev = hash;
        seeds.push(record);
    }
    seeds
}

#[test]
fn every_kind_of_record_passes_the_fuzz_checks() {
    for seed in fuzz_seeds() {
        fuzzing::run(&seed);
        // Without its stored hash: the body alone, as the fuzz body re-seals it.
        fuzzing::run(&seed[..seed.len() - 32]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn damaged_records_pass_the_fuzz_checks(
        which in 0usize..201,
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
        cut in any::<usize>(),
    ) {
        let seeds = fuzz_seeds();
        let mut record = seeds[which % seeds.len()].clone();
        for (at, byte) in flips {
            let len = record.len();
            record[at % len] ^= byte;
        }
        fuzzing::run(&record);
        fuzzing::run(&record[..cut % (record.len() + 1)]);
    }
}

#[test]
fn the_fast_reader_takes_every_order_flow_record() {
    // Without this, a fast reader that fell behind the types would pass every other test (serde
    // takes over) and only the replay would slow down.
    let mut taken = 0;
    for seed in fuzz_seeds() {
        let Ok((sealed, _, version)) = split(&seed) else {
            panic!("a seed does not split");
        };
        if version != SCHEMA_VERSION {
            continue;
        }
        let body = &sealed[2..sealed.len() - 32];
        let fast = fast::decode_body(body);
        assert!(fast.is_some(), "the fast reader refused a sample record");
        assert_eq!(fast, decode_body::<(Header, Event)>(body).ok());
        taken += 1;
    }
    assert_eq!(taken, 200);
}
