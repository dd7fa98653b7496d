//! A broker on its own: messages and metadata in, outputs out. Each test states a broker rule
//! (docs/kafka-sources.md §1.8, §5.2, §6; KIP-101/KIP-595 for truncation) and checks the log,
//! the responses and the stored state.

use super::*;
use crate::node::testing::{logs, transmits, TestWorld};
use kwire::{BatchSpec, Codec, Compression, Record};

const TP: Tp = Tp {
    topic: 0,
    partition: 0,
};

fn meta(leader: u32, leader_epoch: i32) -> PartitionMeta {
    PartitionMeta {
        replicas: vec![1, 2, 3],
        leader: Some(leader),
        leader_epoch,
        isr: vec![1, 2, 3],
    }
}

/// Broker `id` told that `leader` leads partition 0 in `epoch`.
fn broker(w: &TestWorld, id: u32, leader: u32, epoch: i32) -> Broker {
    let mut b = Broker::new(id);
    b.handle(
        &w.cx(),
        BrokerInput::Metadata(MetadataUpdate::Partition {
            tp: TP,
            meta: meta(leader, epoch),
        }),
    );
    b.take_outputs().for_each(drop);
    b
}

fn batch(records: usize, producer_id: i64, base_sequence: i32) -> Arc<[u8]> {
    let recs: Vec<Record> = (0..records)
        .map(|i| Record {
            timestamp_ms: 0,
            key: Some(format!("k{i}").into_bytes()),
            value: Some(b"value".to_vec()),
            headers: vec![],
        })
        .collect();
    let spec = BatchSpec {
        producer_id,
        producer_epoch: if producer_id >= 0 { 0 } else { -1 },
        base_sequence,
        ..Default::default()
    };
    Arc::from(kwire::encode_batch(&spec, &recs).unwrap().bytes)
}

fn produce(
    b: &mut Broker,
    w: &TestWorld,
    acks: i16,
    bytes: Arc<[u8]>,
    seq: i32,
    pid: i64,
) -> Vec<Output<BrokerTimer>> {
    let records = kwire::batch::decode_header(&bytes).unwrap().records_count as u32;
    let req = ProduceRequest {
        req_id: 7,
        acks,
        timeout_ms: 30_000,
        parts: vec![ProducePart {
            tp: TP,
            bytes,
            records,
            producer_id: pid,
            producer_epoch: if pid >= 0 { 0 } else { -1 },
            base_sequence: seq,
            msg_ids: Default::default(),
        }],
    };
    b.handle(
        &w.cx(),
        BrokerInput::Message {
            from: PRODUCER,
            payload: Payload::Produce(Arc::new(req)),
        },
    );
    b.take_outputs().collect()
}

/// The partition results of the ProduceResponses among `outputs`.
fn answers(outputs: &[Output<BrokerTimer>]) -> Vec<Result<i64, ErrorCode>> {
    transmits(outputs)
        .into_iter()
        .filter_map(|t| match &t.payload {
            Payload::ProduceResponse(r) => Some(r.results[0].result),
            _ => None,
        })
        .collect()
}

#[test]
fn the_leader_validates_and_appends_at_its_log_end() {
    let w = TestWorld::new(1, &[]);
    let mut b = broker(&w, 1, 1, 0);
    let out = produce(&mut b, &w, 1, batch(3, -1, -1), -1, -1);
    assert_eq!(
        answers(&out),
        [Ok(0)],
        "acks=1: answered at once with the base offset"
    );
    let out = produce(&mut b, &w, 1, batch(2, -1, -1), -1, -1);
    assert_eq!(answers(&out), [Ok(3)]);
    assert_eq!(b.replicas[&TP].leo, 5);
    let mut bad = batch(1, -1, -1).to_vec();
    let n = bad.len();
    bad[n - 1] ^= 1;
    let out = produce(&mut b, &w, 1, Arc::from(bad), -1, -1);
    assert_eq!(
        answers(&out),
        [Err(ErrorCode::CorruptMessage)],
        "the CRC-32C catches it"
    );
    assert!(logs(&out).iter().any(|e| matches!(
        e,
        LogEvent::ProduceRejected {
            error: ErrorCode::CorruptMessage,
            ..
        }
    )));
    assert_eq!(b.replicas[&TP].leo, 5, "nothing appended");
    let follower = &mut broker(&w, 2, 1, 0);
    let out = produce(follower, &w, 1, batch(1, -1, -1), -1, -1);
    assert_eq!(answers(&out), [Err(ErrorCode::NotLeaderOrFollower)]);
}

#[test]
fn idempotent_retries_inside_the_five_batch_window_are_duplicates_and_gaps_are_refused() {
    let w = TestWorld::new(1, &[]);
    let mut b = broker(&w, 1, 1, 0);
    for seq in 0..6 {
        let out = produce(&mut b, &w, 1, batch(1, 1000, seq), seq, 1000);
        assert_eq!(answers(&out), [Ok(seq as i64)]);
    }
    let out = produce(&mut b, &w, 1, batch(1, 1000, 5), 5, 1000);
    assert_eq!(
        answers(&out),
        [Ok(5)],
        "a retried batch gets its original offset"
    );
    assert!(logs(&out).iter().any(|e| matches!(
        e,
        LogEvent::DuplicateBatch {
            original_offset: 5,
            ..
        }
    )));
    let out = produce(&mut b, &w, 1, batch(1, 1000, 0), 0, 1000);
    assert_eq!(
        answers(&out),
        [Err(ErrorCode::OutOfOrderSequenceNumber)],
        "sequence 0 left the window of the last 5 batches"
    );
    let out = produce(&mut b, &w, 1, batch(1, 1000, 7), 7, 1000);
    assert_eq!(
        answers(&out),
        [Err(ErrorCode::OutOfOrderSequenceNumber)],
        "6 is missing"
    );
    assert_eq!(b.replicas[&TP].leo, 6, "neither was appended");
}

#[test]
fn acks_all_is_answered_when_followers_fetches_move_the_high_watermark() {
    let w = TestWorld::new(1, &[]);
    let mut b = broker(&w, 1, 1, 0);
    let out = produce(&mut b, &w, -1, batch(2, -1, -1), -1, -1);
    assert!(answers(&out).is_empty(), "acks=all waits for the ISR");
    let fetch = |b: &mut Broker, from: u32, offset: i64| {
        let req = FetchRequest {
            tp: TP,
            fetch_offset: offset,
            leader_epoch: 0,
            last_fetched_epoch: Some(0),
            gen: 1,
        };
        b.handle(
            &w.cx(),
            BrokerInput::Message {
                from,
                payload: Payload::Fetch(req),
            },
        );
        b.take_outputs().collect::<Vec<_>>()
    };
    let out = fetch(&mut b, 2, 2);
    assert!(
        answers(&out).is_empty(),
        "broker 3 has not fetched the batch yet"
    );
    assert_eq!(b.replicas[&TP].hw, 0);
    let out = fetch(&mut b, 3, 2);
    assert_eq!(
        b.replicas[&TP].hw, 2,
        "HW = the smallest log end in the ISR"
    );
    assert!(logs(&out).iter().any(|e| matches!(
        e,
        LogEvent::HighWatermark {
            high_watermark: 2,
            ..
        }
    )));
    assert_eq!(answers(&out), [Ok(0)]);
}

#[test]
fn a_follower_truncates_where_the_leader_says_its_log_diverges() {
    let mut w = TestWorld::new(1, &[]);
    // Broker 2 led epoch 0 and wrote offsets 0..3 that nobody else has.
    let mut b = broker(&w, 2, 2, 0);
    produce(&mut b, &w, 1, batch(1, -1, -1), -1, -1);
    produce(&mut b, &w, 1, batch(2, -1, -1), -1, -1);
    // Broker 1 now leads epoch 1; broker 2 follows and fetches from its log end.
    b.handle(
        &w.cx(),
        BrokerInput::Metadata(MetadataUpdate::Partition {
            tp: TP,
            meta: meta(1, 1),
        }),
    );
    let out: Vec<_> = b.take_outputs().collect();
    assert!(
        logs(&out)
            .iter()
            .all(|e| !matches!(e, LogEvent::Truncated { .. })),
        "not yet"
    );
    let gen = b.replicas[&TP].fetch_gen;
    w.now_us = 1;
    b.handle(
        &w.cx(),
        BrokerInput::Timer(BrokerTimer::FollowerFetch { tp: TP, gen }),
    );
    let out: Vec<_> = b.take_outputs().collect();
    let sent = transmits(&out);
    let Payload::Fetch(req) = &sent[0].payload else {
        panic!("a fetch to the leader");
    };
    assert_eq!(
        (sent[0].to, req.fetch_offset, req.last_fetched_epoch),
        (1, 3, Some(0))
    );
    // The new leader's epoch 0 ended at offset 1 (its own log has only the first batch).
    let resp = FetchResponse {
        tp: TP,
        gen: req.gen,
        log_start_offset: 0,
        result: Ok(FetchData {
            batches: Vec::new(),
            high_watermark: 1,
            diverging: Some(EpochEndOffset {
                epoch: 0,
                end_offset: 1,
            }),
            folded: None,
        }),
    };
    b.handle(
        &w.cx(),
        BrokerInput::Message {
            from: 1,
            payload: Payload::FetchResponse(resp),
        },
    );
    let out: Vec<_> = b.take_outputs().collect();
    assert!(logs(&out).iter().any(|e| matches!(
        e,
        LogEvent::Truncated {
            from_offset: 3,
            to_offset: 1,
            ..
        }
    )));
    assert_eq!(b.replicas[&TP].leo, 1);
    assert_eq!(
        b.replicas[&TP].log.batch_count(),
        1,
        "only the batch both logs share is left"
    );
}

#[test]
fn fast_append_stores_the_same_bytes_as_the_wire_crate() {
    let records: Vec<Record> = (0..20)
        .map(|i| Record {
            timestamp_ms: 1_700_000_000_000 + i,
            key: Some(format!("k{i}").into_bytes()),
            value: Some(b"some value some value some value".to_vec()),
            headers: vec![],
        })
        .collect();
    for codec in Codec::ALL {
        let spec = BatchSpec {
            compression: Compression {
                codec,
                ..Default::default()
            },
            ..Default::default()
        };
        let enc = kwire::encode_batch(&spec, &records).unwrap();
        let topic = kwire::broker::TopicConfig::default();
        let ctx = AppendContext {
            log_end_offset: 42,
            leader_epoch: 3,
            now_ms: 1_700_000_000_100,
        };
        let fast = append(&enc.bytes, &topic, &ctx).unwrap();
        let full =
            kwire::broker::append(&enc.bytes, &topic, &ctx, &DecodeLimits::default()).unwrap();
        assert_eq!(fast, full, "{codec:?}");
        let mut bad = enc.bytes.clone();
        let n = bad.len();
        bad[n - 1] ^= 1;
        assert_eq!(
            wire_error(&append(&bad, &topic, &ctx).unwrap_err()),
            ErrorCode::CorruptMessage
        );
    }
}

#[test]
fn a_batch_larger_than_segment_bytes_is_refused_as_record_list_too_large() {
    let w = TestWorld::new(1, &[("segment.bytes", "100")]);
    let mut b = broker(&w, 1, 1, 0);
    let small = batch(1, -1, -1);
    assert!(small.len() <= 100);
    assert_eq!(answers(&produce(&mut b, &w, 1, small, -1, -1)), [Ok(0)]);
    let big = batch(5, -1, -1);
    assert!(big.len() > 100);
    let out = produce(&mut b, &w, 1, big, -1, -1);
    assert_eq!(answers(&out), [Err(ErrorCode::RecordListTooLarge)]);
    assert_eq!(b.replicas[&TP].leo, 1, "nothing appended");
}
