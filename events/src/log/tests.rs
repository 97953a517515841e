use std::sync::Arc;

use super::*;
use crate::envelope::Envelope;
use crate::event::{DaemonStopped, Event};
use crate::sample::OrderFlow;
use crate::time::ManualClock;

fn stopped(n: u32) -> Event {
    Event::DaemonStopped(DaemonStopped {
        reason: format!("test {n}"),
        clean: true,
    })
}

fn open(dir: &Path) -> EventLog {
    let clock = ManualClock::new(Timestamp::from_secs(1_700_000_000));
    EventLog::open(LogConfig::new(dir).clock(Arc::new(clock))).unwrap()
}

/// Writes `n` realistic events and closes the log.
fn write_flow(dir: &Path, n: u64) {
    let log = open(dir);
    let mut flow = OrderFlow::new(1, 0);
    for _ in 0..n {
        let (event, cause) = flow.next_event();
        let appended = log.append(&event, cause).wait().unwrap();
        flow.appended(appended.id);
    }
    log.close();
}

fn raw_tree(dir: &Path) -> (sled::Db, sled::Tree) {
    let config = sled::Config::new().path(dir.join(SLED_DIR));
    let db = super::read::open_when_released(&config).unwrap();
    let tree = db.open_tree(EVENTS_TREE).unwrap();
    (db, tree)
}

#[test]
fn appends_get_gapless_seqs_and_a_hash_chain() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(dir.path());
    let first = log.append(&stopped(1), None).wait().unwrap();
    let second = log.append(&stopped(2), Some(first.id)).wait().unwrap();
    assert_eq!((first.seq, second.seq), (1, 2));
    assert_eq!(log.durable_head(), 2);
    let all: Vec<Envelope> = log
        .reader()
        .replay_from(1)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].prev_hash, ChainHash::GENESIS);
    assert_eq!(all[1].prev_hash, all[0].hash);
    assert_eq!(all[1].causation, Some(first.id));
    assert_eq!(all[1].event, stopped(2));
    assert_eq!(all[0].at, Timestamp::from_secs(1_700_000_000));
}

#[test]
fn reopening_continues_the_seq_and_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    write_flow(dir.path(), 10);
    let log = open(dir.path());
    let next = log.append(&stopped(11), None).wait().unwrap();
    assert_eq!(next.seq, 11);
    let report = log.reader().verify().unwrap();
    assert_eq!(report.events, 11);
    assert_eq!(report.head_hash, next.hash);
}

#[test]
fn concurrent_appenders_share_flushes() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(dir.path());
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let log = log.clone();
            std::thread::spawn(move || {
                let mut flow = OrderFlow::new(3, t);
                for _ in 0..200 {
                    let (event, cause) = flow.next_event();
                    let appended = log.append(&event, cause).wait().unwrap();
                    flow.appended(appended.id);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let stats = log.stats();
    assert_eq!(stats.appended.load(Ordering::Relaxed), 1600);
    assert!(
        stats.flushes.load(Ordering::Relaxed) < 1600,
        "group commit must share flushes"
    );
    assert_eq!(log.reader().verify().unwrap().events, 1600);
}

#[tokio::test]
async fn appends_can_be_awaited_and_emitted() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(dir.path());
    log.emit(&stopped(1), None).unwrap();
    let applied = log.append_applied(&stopped(2), None).await.unwrap();
    assert_eq!(applied.seq, 2);
    let head = log.sync().await.unwrap();
    assert_eq!(head, 2);
    assert!(log.durable_head() >= 2);
}

#[test]
fn dropping_without_close_keeps_every_acknowledged_event() {
    let dir = tempfile::tempdir().unwrap();
    {
        let log = open(dir.path());
        for n in 0..50 {
            log.append(&stopped(n), None).wait().unwrap();
        }
    }
    let reader = LogReader::open(dir.path()).unwrap();
    assert_eq!(reader.verify().unwrap().events, 50);
}

#[test]
fn a_second_opener_is_told_who_holds_the_dir() {
    let dir = tempfile::tempdir().unwrap();
    let _log = open(dir.path());
    let err = LogReader::open(dir.path()).unwrap_err();
    assert!(matches!(err, LogError::Locked { .. }), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("pid {}", std::process::id())),
        "{err}"
    );
}

#[test]
fn appends_after_close_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(dir.path());
    log.close();
    assert!(matches!(
        log.append(&stopped(1), None).wait(),
        Err(LogError::Closed)
    ));
}

#[test]
fn reading_a_missing_log_says_so() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        LogReader::open(dir.path()),
        Err(LogError::Missing { .. })
    ));
}

/// Applies a change to a closed log's raw sled tree, then checks what `verify` and `replay` say.
fn damaged_at(
    change: impl FnOnce(&sled::Tree),
) -> (Result<VerifyReport, LogError>, usize, Option<LogError>) {
    let dir = tempfile::tempdir().unwrap();
    write_flow(dir.path(), 20);
    {
        let (db, tree) = raw_tree(dir.path());
        change(&tree);
        db.flush().unwrap();
    }
    let reader = LogReader::open(dir.path()).unwrap();
    let verdict = reader.verify();
    let mut good = 0;
    let mut error = None;
    for item in reader.replay_from(1) {
        match item {
            Ok(_) => good += 1,
            Err(e) => error = Some(e),
        }
    }
    (verdict, good, error)
}

fn get(tree: &sled::Tree, seq: u64) -> Vec<u8> {
    tree.get(seq.to_be_bytes()).unwrap().unwrap().to_vec()
}

#[test]
fn every_kind_of_damage_is_named_by_its_seq() {
    type Change = Box<dyn FnOnce(&sled::Tree)>;
    type Case = (&'static str, Change, u64, fn(&Problem) -> bool);
    let cases: Vec<Case> = vec![
        (
            "bit flip",
            Box::new(|t| {
                let mut v = get(t, 7);
                v[20] ^= 0x04;
                t.insert(7u64.to_be_bytes(), v).unwrap();
            }),
            7,
            |p| matches!(p, Problem::Undecodable(_)),
        ),
        (
            "truncated record",
            Box::new(|t| {
                let v = get(t, 9);
                t.insert(9u64.to_be_bytes(), &v[..v.len() - 40]).unwrap();
            }),
            9,
            |p| matches!(p, Problem::Undecodable(_)),
        ),
        (
            "deleted record",
            Box::new(|t| {
                t.remove(5u64.to_be_bytes()).unwrap();
            }),
            5,
            |p| matches!(p, Problem::Missing { next: 6 }),
        ),
        (
            "swapped records",
            Box::new(|t| {
                let (a, b) = (get(t, 12), get(t, 13));
                t.insert(12u64.to_be_bytes(), b).unwrap();
                t.insert(13u64.to_be_bytes(), a).unwrap();
            }),
            12,
            |p| matches!(p, Problem::Misplaced { claims: 13 }),
        ),
        (
            "future schema version",
            Box::new(|t| {
                let mut v = get(t, 3);
                v[0] = 99;
                t.insert(3u64.to_be_bytes(), v).unwrap();
            }),
            3,
            |p| {
                matches!(
                    p,
                    Problem::Undecodable(crate::codec::CodecError::UnknownVersion { version: 99 })
                )
            },
        ),
        (
            "tail removed",
            Box::new(|t| {
                t.remove(20u64.to_be_bytes()).unwrap();
                t.remove(19u64.to_be_bytes()).unwrap();
            }),
            19,
            |p| matches!(p, Problem::TruncatedTail { head: 20 }),
        ),
        (
            "first record removed",
            Box::new(|t| {
                t.remove(1u64.to_be_bytes()).unwrap();
            }),
            1,
            |p| matches!(p, Problem::Missing { next: 2 }),
        ),
    ];
    for (index, (name, change, seq, problem)) in cases.into_iter().enumerate() {
        let (verdict, good, replay_error) = damaged_at(change);
        match verdict {
            Err(LogError::Damaged(damage)) => {
                assert_eq!(damage.seq, seq, "TC{index} {name}: {damage}");
                assert!(problem(&damage.problem), "TC{index} {name}: {damage}");
                assert!(
                    damage.to_string().starts_with(&format!("seq {seq}:")),
                    "TC{index} {name}: {damage}"
                );
            }
            other => panic!("TC{index} {name}: verify said {other:?}"),
        }
        if name != "tail removed" {
            // Readers stop at the damaged record, having yielded exactly the good ones before it.
            assert_eq!(good as u64, seq - 1, "TC{index} {name}");
            assert!(
                matches!(replay_error, Some(LogError::Damaged(Damage { seq: s, .. })) if s == seq),
                "TC{index} {name}"
            );
        }
    }
}

#[test]
fn a_consistently_rewritten_record_breaks_the_next_link() {
    // Someone alters record 4 and recomputes its own hash: record 5 no longer links to it.
    let (verdict, _, _) = damaged_at(|t| {
        let bytes = get(t, 4);
        let envelope = crate::codec::decode(&bytes).unwrap();
        let header = crate::codec::Header {
            seq: 4,
            log: envelope.id.log,
            at: envelope.at,
            causation: envelope.causation,
        };
        let payload = crate::codec::encode_payload(&stopped(666)).unwrap();
        let (forged, _) = crate::codec::seal(&envelope.prev_hash, &header, &payload).unwrap();
        t.insert(4u64.to_be_bytes(), forged).unwrap();
    });
    match verdict {
        Err(LogError::Damaged(damage)) => {
            assert_eq!(damage.seq, 5, "{damage}");
            assert_eq!(damage.problem, Problem::BrokenLink);
        }
        other => panic!("verify said {other:?}"),
    }
}

#[test]
fn opening_for_write_refuses_a_damaged_last_record() {
    let dir = tempfile::tempdir().unwrap();
    write_flow(dir.path(), 5);
    {
        let (db, tree) = raw_tree(dir.path());
        let mut v = get(&tree, 5);
        v[15] ^= 1;
        tree.insert(5u64.to_be_bytes(), v).unwrap();
        db.flush().unwrap();
    }
    let err = EventLog::open(LogConfig::new(dir.path())).unwrap_err();
    assert!(err.to_string().starts_with("seq 5:"), "{err}");
}

#[test]
fn power_durability_appends_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let log = EventLog::open(LogConfig::new(dir.path()).durability(Durability::Power)).unwrap();
    for n in 0..20 {
        log.append(&stopped(n), None).wait().unwrap();
    }
    assert_eq!(log.durability(), Durability::Power);
    assert_eq!(log.reader().verify().unwrap().events, 20);
}

#[test]
fn a_chain_gets_consecutive_seqs_each_caused_by_the_one_before() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(dir.path());
    let first = log.append(&stopped(0), None).wait().unwrap();
    let mut head = log.watch_head();
    let chain = log
        .append_chain(&[stopped(1), stopped(2), stopped(3)], Some(first.id))
        .wait()
        .unwrap();
    assert_eq!(
        chain.iter().map(|a| a.seq).collect::<Vec<_>>(),
        vec![2, 3, 4]
    );
    let all: Vec<Envelope> = log
        .reader()
        .replay_inline_from(2)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(all[0].causation, Some(first.id));
    assert_eq!(all[1].causation, Some(chain[0].id));
    assert_eq!(all[2].causation, Some(chain[1].id));
    assert!(log.durable_head() >= 4);
    assert_eq!(*head.borrow_and_update(), 4, "followers see the new head");
}

/// A closed 13-event log whose sled lost records 11..=13 (as after a crash before sled's own
/// flush), with `wal` written as its write-ahead file. Returns the lost records' bytes too.
fn crashed_log(wal: impl FnOnce(&[Vec<u8>]) -> Vec<u8>) -> (tempfile::TempDir, Vec<Vec<u8>>) {
    let dir = tempfile::tempdir().unwrap();
    write_flow(dir.path(), 13);
    assert_eq!(
        std::fs::metadata(dir.path().join(WAL_FILE)).unwrap().len(),
        0,
        "a clean close checkpoints and empties the write-ahead file"
    );
    let records: Vec<Vec<u8>>;
    {
        let (db, tree) = raw_tree(dir.path());
        records = (9..=13).map(|seq| get(&tree, seq)).collect();
        for seq in 11..=13u64 {
            tree.remove(seq.to_be_bytes()).unwrap();
        }
        let ten = crate::codec::decode(&get(&tree, 10)).unwrap();
        let mut head = 10u64.to_be_bytes().to_vec();
        head.extend_from_slice(&ten.hash.0);
        db.open_tree(META_TREE)
            .unwrap()
            .insert(META_HEAD, head)
            .unwrap();
        db.flush().unwrap();
    }
    std::fs::write(dir.path().join(WAL_FILE), wal(&records)).unwrap();
    (dir, records)
}

fn framed(records: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for record in records {
        super::wal::frame(record, &mut out);
    }
    out
}

#[test]
fn acknowledged_events_sled_lost_come_back_from_the_write_ahead_file() {
    // Records 9 and 10 are in sled already (written before the last checkpoint's truncate was
    // known to be needed); 11..=13 only in the file.
    let (dir, records) = crashed_log(framed);
    let reader = LogReader::open(dir.path()).unwrap();
    let report = reader.verify().unwrap();
    assert_eq!(report.events, 13);
    assert_eq!(reader.record(13).unwrap().unwrap(), records[4]);
    assert_eq!(
        std::fs::metadata(dir.path().join(WAL_FILE)).unwrap().len(),
        0,
        "recovered records are in sled, so the file is emptied"
    );
    drop(reader);
    let log = open(dir.path());
    assert_eq!(log.append(&stopped(14), None).wait().unwrap().seq, 14);
    assert_eq!(log.reader().verify().unwrap().events, 14);
}

#[test]
fn a_torn_last_frame_is_an_unacknowledged_write_and_is_dropped() {
    let (dir, _) = crashed_log(|records| {
        let mut bytes = framed(records);
        let whole = bytes.len();
        bytes.extend_from_slice(&framed(&records[4..])[..60]);
        assert!(bytes.len() > whole);
        bytes
    });
    let reader = LogReader::open(dir.path()).unwrap();
    assert_eq!(reader.verify().unwrap().events, 13);
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("damaged"))
        .collect();
    assert!(kept.is_empty(), "a torn tail is not damage: {kept:?}");
}

#[test]
fn a_bad_frame_stops_the_recovery_there_and_the_file_is_kept() {
    let (dir, _) = crashed_log(|records| {
        let mut records = records.to_vec();
        records[3][30] ^= 0x10; // seq 12
        framed(&records)
    });
    let reader = LogReader::open(dir.path()).unwrap();
    let report = reader.verify().unwrap();
    assert_eq!(report.events, 11, "recovery stops before the bad frame");
    let kept = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("log.wal.damaged-")
        })
        .count();
    assert_eq!(kept, 1, "the damaged file is kept for inspection");
}

#[test]
fn a_write_ahead_file_that_does_not_continue_the_log_fails_the_open() {
    let (dir, _) = crashed_log(|records| framed(&records[4..]));
    match LogReader::open(dir.path()) {
        Err(LogError::Damaged(damage)) => {
            assert_eq!(damage.seq, 11, "{damage}");
            assert_eq!(damage.problem, Problem::Missing { next: 13 });
        }
        other => panic!("open said {other:?}"),
    }
}

#[test]
fn appends_reach_the_write_ahead_file_before_they_are_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    for durability in [Durability::Process, Durability::Power] {
        let log = EventLog::open(LogConfig::new(dir.path()).durability(durability)).unwrap();
        let before = std::fs::metadata(dir.path().join(WAL_FILE)).unwrap().len();
        let appended = log.append(&stopped(1), None).wait().unwrap();
        let after = std::fs::metadata(dir.path().join(WAL_FILE)).unwrap().len();
        let record = log.reader().record(appended.seq).unwrap().unwrap();
        assert_eq!(
            after - before,
            4 + record.len() as u64,
            "{durability:?}: one frame"
        );
        log.close();
    }
}
